// Mistake: encodings the kernel's verifier rejects: the reserved fields of every instruction class,
// may_goto, addr_space_cast and atomics (do_check), and the checks of the resolve_pseudo_ldimm64
// pre-pass (BPF_LDX modes, ld_imm64 pairs and forms, the opcode table). One rejected program per
// rule, each its own error. The typed DSL cannot build most of these, so they are written as raw
// records (ctbpf::raw(ctbpf::make_insn(code, dst, src, off, imm))) or function-layer factories
// (ctbpf::fn::...) given out-of-range arguments; the twin spells each one right.
// flags-clang: -ferror-limit=0
// expect: ctbpf: program rejected; the rule, instruction index, source line, label and the kernel's message are program_rejected<...>'s template arguments
// expect-gcc: Rule = ctbpf::errc::alu_uses_reserved_fields; unsigned int InsnIndex = 1; unsigned int Line = @alu@; text<...auto...> Label = ctbpf::text<1>{""}; text<...auto...> Message = ctbpf::text<29>{"BPF_ALU uses reserved fields"}]
// expect-clang: program_rejected<ctbpf::errc::alu_uses_reserved_fields, 1, @alu@, 
// expect-clang19: program_rejected<ctbpf::errc::alu_uses_reserved_fields, 1, @alu@, text<1>{""}, text<29>{
// expect-gcc: Rule = ctbpf::errc::mov_uses_reserved_fields; unsigned int InsnIndex = 1; unsigned int Line = @mov@; text<...auto...> Label = ctbpf::text<1>{""}; text<...auto...> Message = ctbpf::text<29>{"BPF_MOV uses reserved fields"}]
// expect-clang: program_rejected<ctbpf::errc::mov_uses_reserved_fields, 1, @mov@, 
// expect-clang19: program_rejected<ctbpf::errc::mov_uses_reserved_fields, 1, @mov@, text<1>{""}, text<29>{
// expect-gcc: Rule = ctbpf::errc::neg_uses_reserved_fields; unsigned int InsnIndex = 1; unsigned int Line = @neg@; text<...auto...> Label = ctbpf::text<1>{""}; text<...auto...> Message = ctbpf::text<29>{"BPF_NEG uses reserved fields"}]
// expect-clang: program_rejected<ctbpf::errc::neg_uses_reserved_fields, 1, @neg@, 
// expect-clang19: program_rejected<ctbpf::errc::neg_uses_reserved_fields, 1, @neg@, text<1>{""}, text<29>{
// expect-gcc: Rule = ctbpf::errc::end_uses_reserved_fields; unsigned int InsnIndex = 1; unsigned int Line = @end@; text<...auto...> Label = ctbpf::text<1>{""}; text<...auto...> Message = ctbpf::text<29>{"BPF_END uses reserved fields"}]
// expect-clang: program_rejected<ctbpf::errc::end_uses_reserved_fields, 1, @end@, 
// expect-clang19: program_rejected<ctbpf::errc::end_uses_reserved_fields, 1, @end@, text<1>{""}, text<29>{
// expect-gcc: Rule = ctbpf::errc::stx_uses_reserved_fields; unsigned int InsnIndex = 1; unsigned int Line = @stx@; text<...auto...> Label = ctbpf::text<1>{""}; text<...auto...> Message = ctbpf::text<29>{"BPF_STX uses reserved fields"}]
// expect-clang: program_rejected<ctbpf::errc::stx_uses_reserved_fields, 1, @stx@, 
// expect-clang19: program_rejected<ctbpf::errc::stx_uses_reserved_fields, 1, @stx@, text<1>{""}, text<29>{
// expect-gcc: Rule = ctbpf::errc::st_uses_reserved_fields; unsigned int InsnIndex = 0; unsigned int Line = @st@; text<...auto...> Label = ctbpf::text<1>{""}; text<...auto...> Message = ctbpf::text<28>{"BPF_ST uses reserved fields"}]
// expect-clang: program_rejected<ctbpf::errc::st_uses_reserved_fields, 0, @st@, 
// expect-clang19: program_rejected<ctbpf::errc::st_uses_reserved_fields, 0, @st@, text<1>{""}, text<28>{
// expect-gcc: Rule = ctbpf::errc::call_uses_reserved_fields; unsigned int InsnIndex = 0; unsigned int Line = @call@; text<...auto...> Label = ctbpf::text<1>{""}; text<...auto...> Message = ctbpf::text<30>{"BPF_CALL uses reserved fields"}]
// expect-clang: program_rejected<ctbpf::errc::call_uses_reserved_fields, 0, @call@, 
// expect-clang19: program_rejected<ctbpf::errc::call_uses_reserved_fields, 0, @call@, text<1>{""}, text<30>{
// expect-gcc: Rule = ctbpf::errc::ja_uses_reserved_fields; unsigned int InsnIndex = 1; unsigned int Line = @ja@; text<...auto...> Label = ctbpf::text<1>{""}; text<...auto...> Message = ctbpf::text<28>{"BPF_JA uses reserved fields"}]
// expect-clang: program_rejected<ctbpf::errc::ja_uses_reserved_fields, 1, @ja@, 
// expect-clang19: program_rejected<ctbpf::errc::ja_uses_reserved_fields, 1, @ja@, text<1>{""}, text<28>{
// expect-gcc: Rule = ctbpf::errc::exit_uses_reserved_fields; unsigned int InsnIndex = 1; unsigned int Line = @exit@; text<...auto...> Label = ctbpf::text<1>{""}; text<...auto...> Message = ctbpf::text<30>{"BPF_EXIT uses reserved fields"}]
// expect-clang: program_rejected<ctbpf::errc::exit_uses_reserved_fields, 1, @exit@, 
// expect-clang19: program_rejected<ctbpf::errc::exit_uses_reserved_fields, 1, @exit@, text<1>{""}, text<30>{
// expect-gcc: Rule = ctbpf::errc::jmp_uses_reserved_fields; unsigned int InsnIndex = 1; unsigned int Line = @jmp@; text<...auto...> Label = ctbpf::text<4>{"out"}; text<...auto...> Message = ctbpf::text<35>{"BPF_JMP/JMP32 uses reserved fields"}]
// expect-clang: program_rejected<ctbpf::errc::jmp_uses_reserved_fields, 1, @jmp@, 
// expect-clang19: program_rejected<ctbpf::errc::jmp_uses_reserved_fields, 1, @jmp@, text<4>{"out"}, text<35>{
// expect-gcc: Rule = ctbpf::errc::ld_imm64_uses_reserved_fields; unsigned int InsnIndex = 0; unsigned int Line = @ld_imm64@; text<...auto...> Label = ctbpf::text<1>{""}; text<...auto...> Message = ctbpf::text<34>{"BPF_LD_IMM64 uses reserved fields"}]
// expect-clang: program_rejected<ctbpf::errc::ld_imm64_uses_reserved_fields, 0, @ld_imm64@, 
// expect-clang19: program_rejected<ctbpf::errc::ld_imm64_uses_reserved_fields, 0, @ld_imm64@, text<1>{""}, text<34>{
// expect-gcc: Rule = ctbpf::errc::ld_abs_uses_reserved_fields; unsigned int InsnIndex = 1; unsigned int Line = @ld_abs@; text<...auto...> Label = ctbpf::text<1>{""}; text<...auto...> Message = ctbpf::text<38>{"BPF_LD_[ABS|IND] uses reserved fields"}]
// expect-clang: program_rejected<ctbpf::errc::ld_abs_uses_reserved_fields, 1, @ld_abs@, 
// expect-clang19: program_rejected<ctbpf::errc::ld_abs_uses_reserved_fields, 1, @ld_abs@, text<1>{""}, text<38>{
// expect-gcc: Rule = ctbpf::errc::invalid_may_goto; unsigned int InsnIndex = 1; unsigned int Line = @may_goto@; text<...auto...> Label = ctbpf::text<1>{""}; text<...auto...> Message = ctbpf::text<23>{"invalid may_goto imm 1"}]
// expect-clang: program_rejected<ctbpf::errc::invalid_may_goto, 1, @may_goto@, 
// expect-clang19: program_rejected<ctbpf::errc::invalid_may_goto, 1, @may_goto@, text<1>{""}, text<23>{
// expect-gcc: Rule = ctbpf::errc::addr_space_cast_needs_an_arena; unsigned int InsnIndex = 2; unsigned int Line = @cast@; text<...auto...> Label = ctbpf::text<1>{""}; text<...auto...> Message = ctbpf::text<68>{"addr_space_cast insn can only convert between address space 1 and 0"}]
// expect-clang: program_rejected<ctbpf::errc::addr_space_cast_needs_an_arena, 2, @cast@, 
// expect-clang19: program_rejected<ctbpf::errc::addr_space_cast_needs_an_arena, 2, @cast@, text<1>{""}, text<68>{
// expect-gcc: Rule = ctbpf::errc::invalid_atomic_opcode; unsigned int InsnIndex = 2; unsigned int Line = @atomic_op@; text<...auto...> Label = ctbpf::text<1>{""}; text<...auto...> Message = ctbpf::text<41>{"BPF_ATOMIC uses invalid atomic opcode 10"}]
// expect-clang: program_rejected<ctbpf::errc::invalid_atomic_opcode, 2, @atomic_op@, 
// expect-clang19: program_rejected<ctbpf::errc::invalid_atomic_opcode, 2, @atomic_op@, text<1>{""}, text<41>{
// expect-gcc: Rule = ctbpf::errc::invalid_atomic_operand_size; unsigned int InsnIndex = 2; unsigned int Line = @atomic_size@; text<...auto...> Label = ctbpf::text<1>{""}; text<...auto...> Message = ctbpf::text<28>{"invalid atomic operand size"}]
// expect-clang: program_rejected<ctbpf::errc::invalid_atomic_operand_size, 2, @atomic_size@, 
// expect-clang19: program_rejected<ctbpf::errc::invalid_atomic_operand_size, 2, @atomic_size@, text<1>{""}, text<28>{
// expect-gcc: Rule = ctbpf::errc::ldx_uses_reserved_fields; unsigned int InsnIndex = 0; unsigned int Line = @ldx@; text<...auto...> Label = ctbpf::text<1>{""}; text<...auto...> Message = ctbpf::text<29>{"BPF_LDX uses reserved fields"}]
// expect-clang: program_rejected<ctbpf::errc::ldx_uses_reserved_fields, 0, @ldx@, 
// expect-clang19: program_rejected<ctbpf::errc::ldx_uses_reserved_fields, 0, @ldx@, text<1>{""}, text<29>{
// expect-gcc: Rule = ctbpf::errc::invalid_ld_imm64; unsigned int InsnIndex = 1; unsigned int Line = @pair@; text<...auto...> Label = ctbpf::text<1>{""}; text<...auto...> Message = ctbpf::text<26>{"invalid bpf_ld_imm64 insn"}]
// expect-clang: program_rejected<ctbpf::errc::invalid_ld_imm64, 1, @pair@, 
// expect-clang19: program_rejected<ctbpf::errc::invalid_ld_imm64, 1, @pair@, text<1>{""}, text<26>{
// expect-gcc: Rule = ctbpf::errc::unrecognized_ld_imm64; unsigned int InsnIndex = 0; unsigned int Line = @form@; text<...auto...> Label = ctbpf::text<1>{""}; text<...auto...> Message = ctbpf::text<31>{"unrecognized bpf_ld_imm64 insn"}]
// expect-clang: program_rejected<ctbpf::errc::unrecognized_ld_imm64, 0, @form@, 
// expect-clang19: program_rejected<ctbpf::errc::unrecognized_ld_imm64, 0, @form@, text<1>{""}, text<31>{
// expect-gcc: Rule = ctbpf::errc::unknown_opcode; unsigned int InsnIndex = 1; unsigned int Line = @opcode@; text<...auto...> Label = ctbpf::text<1>{""}; text<...auto...> Message = ctbpf::text<18>{"unknown opcode 8d"}]
// expect-clang: program_rejected<ctbpf::errc::unknown_opcode, 1, @opcode@, 
// expect-clang19: program_rejected<ctbpf::errc::unknown_opcode, 1, @opcode@, text<1>{""}, text<18>{
#include <ctbpf.hpp>

using namespace ctbpf::syntax;
using ctbpf::make_insn;
using ctbpf::raw;

// ---- reserved fields (do_check, in the kernel's order per class) ----

// ALU, K form: src_reg must be 0 (r0 += 1 with src_reg = 1)
constexpr auto alu_reserved = ctbpf::assemble<[] {
    return program{
        r0 = 0,
#ifndef CTBPF_TWIN
        raw(make_insn(0x07, 0, 1, 0, 1)), // @alu
#else
        r0 += 1,
#endif
        exit_(),
    };
}>();

// MOVSX: off is the source width, 8, 16 or 32 (r0 = (s24)r2)
constexpr auto mov_reserved = ctbpf::assemble<[] {
    return program{
        r2 = 5,
#ifndef CTBPF_TWIN
        ctbpf::fn::movsx(r0, r2, 24), // @mov
#else
        r0 = s16(r2),
#endif
        exit_(),
    };
}>();

// NEG: imm must be 0
constexpr auto neg_reserved = ctbpf::assemble<[] {
    return program{
        r0 = 7,
#ifndef CTBPF_TWIN
        raw(make_insn(0x87, 0, 0, 0, 1)), // @neg
#else
        r0 = -r0,
#endif
        exit_(),
    };
}>();

// END: imm is the width, 16, 32 or 64 (le8 does not exist)
constexpr auto end_reserved = ctbpf::assemble<[] {
    return program{
        r0 = 0x1234,
#ifndef CTBPF_TWIN
        raw(make_insn(0xd4, 0, 0, 0, 8)), // @end
#else
        r0 = le16(r0),
#endif
        exit_(),
    };
}>();

// STX MEM: imm must be 0
constexpr auto stx_reserved = ctbpf::assemble<[] {
    return program{
        w2 = 7,
#ifndef CTBPF_TWIN
        raw(make_insn(0x63, 10, 2, -8, 1)), // @stx
#else
        mem<u32>(r10 - 8) = w2,
#endif
        r0 = 0,
        exit_(),
    };
}>();

// ST MEM: src_reg must be 0 (the value is the immediate)
constexpr auto st_reserved = ctbpf::assemble<[] {
    return program{
#ifndef CTBPF_TWIN
        raw(make_insn(0x62, 10, 1, -8, 0)), // @st
#else
        mem<u32>(r10 - 8) = 0,
#endif
        r0 = 0,
        exit_(),
    };
}>();

// CALL of a helper: off must be 0
constexpr auto call_reserved = ctbpf::assemble<[] {
    return program{
#ifndef CTBPF_TWIN
        raw(make_insn(0x85, 0, 0, 1, 7)), // @call
#else
        call(helper::get_prandom_u32),
#endif
        exit_(),
    };
}>();

// JA (goto): the distance is off, imm must be 0
constexpr auto ja_reserved = ctbpf::assemble<[] {
    return program{
        r0 = 0,
#ifndef CTBPF_TWIN
        raw(make_insn(0x05, 0, 0, 0, 1)), // @ja
#else
        goto_("out"),
#endif
    label("out"),
        exit_(),
    };
}>();

// EXIT: dst_reg must be 0 (exit returns r0)
constexpr auto exit_reserved = ctbpf::assemble<[] {
    return program{
        r1 = 0,
#ifndef CTBPF_TWIN
        raw(make_insn(0x95, 1, 0, 0, 0)), // @exit
#else
        r0 = r1,
        exit_(),
#endif
    };
}>();

// JEQ, K form: src_reg must be 0
constexpr auto jmp_reserved = ctbpf::assemble<[] {
    return program{
        r0 = 0,
    label("out"),
#ifndef CTBPF_TWIN
        raw(make_insn(0x15, 0, 1, 0, 0)), // @jmp
#else
        if_(r0 == 0).goto_("end"),
#endif
    label("end"),
        exit_(),
    };
}>();

// ld_imm64: off must be 0
constexpr auto ld_imm64_reserved = ctbpf::assemble<[] {
    return program{
#ifndef CTBPF_TWIN
        raw(make_insn(0x18, 0, 0, 1, 1)), // @ld_imm64
        raw(make_insn(0, 0, 0, 0, 0)),
#else
        r0 = imm64(1),
#endif
        exit_(),
    };
}>();

// LD_ABS: dst_reg must be 0 (the result goes to r0)
constexpr auto ld_abs_reserved = ctbpf::assemble<[] {
    return program{
        r6 = r1,
#ifndef CTBPF_TWIN
        raw(make_insn(0x30, 1, 0, 0, 12)), // @ld_abs
#else
        r0 = skb<u8>[12],
#endif
        exit_(),
    };
}>();

// may_goto: imm must be 0
constexpr auto may_goto_imm = ctbpf::assemble<[] {
    return program{
        r0 = 0,
#ifndef CTBPF_TWIN
        raw(make_insn(0xe5, 0, 0, 0, 1)), // @may_goto
#else
        may_goto("out"),
#endif
    label("out"),
        exit_(),
    };
}>();

// addr_space_cast converts between address spaces 1 (arena) and 0 only
constexpr auto cast_spaces = ctbpf::assemble<[] {
    return program{
        r2 = map("arena"),
#ifndef CTBPF_TWIN
        r1 = addr_space_cast(r2, 2, 0), // @cast
#else
        r1 = addr_space_cast(r2, 1, 0),
#endif
        r0 = 0,
        exit_(),
    };
}>();

// atomics: BPF_SUB is no atomic operation (add the negated value instead)
constexpr auto atomic_op = ctbpf::assemble<[] {
    return program{
        mem<u64>(r10 - 8) = 0,
        r1 = 1,
#ifndef CTBPF_TWIN
        ctbpf::fn::atomic<u64>(0x10, r10 - 8, r1), // @atomic_op
#else
        lock(mem<u64>(r10 - 8)) += r1,
#endif
        r0 = 0,
        exit_(),
    };
}>();

// atomic read-modify-write on 2 bytes: 4 and 8 only
constexpr auto atomic_size = ctbpf::assemble<[] {
    return program{
        mem<u64>(r10 - 8) = 0,
        w1 = 1,
#ifndef CTBPF_TWIN
        ctbpf::fn::lock_add<u16>(r10 - 8, w1), // @atomic_size
#else
        lock(mem<u32>(r10 - 8)) += w1,
#endif
        r0 = 0,
        exit_(),
    };
}>();

// ---- the pre-pass (resolve_pseudo_ldimm64): before any instruction is simulated ----

// LDX MEM: imm must be 0
constexpr auto ldx_reserved = ctbpf::assemble<[] {
    return program{
#ifndef CTBPF_TWIN
        raw(make_insn(0x61, 0, 1, 0, 1)), // @ldx
#else
        w0 = mem<u32>(r1 + 0),
#endif
        exit_(),
    };
}>();

// ld_imm64 is two slots; the second must be all zero but imm (here it is w0 += 0)
constexpr auto ld_imm64_pair = ctbpf::assemble<[] {
    return program{
        r1 = 0,
#ifndef CTBPF_TWIN
        raw(make_insn(0x18, 0, 0, 0, 1)), // @pair
        raw(make_insn(0x04, 0, 0, 0, 0)),
#else
        r0 = imm64(1),
#endif
        exit_(),
    };
}>();

// a map fd takes no offset in the second slot (that form is map_value(fd, off))
constexpr auto ld_imm64_form = ctbpf::assemble<[] {
    return program{
#ifndef CTBPF_TWIN
        raw(make_insn(0x18, 1, 1, 0, 3)), // @form
        raw(make_insn(0, 0, 0, 0, 8)),
#else
        r1 = map_value(3, 8),
#endif
        r0 = 0,
        exit_(),
    };
}>();

// callx (0x8d) is not in the kernel's opcode table
constexpr auto opcode = ctbpf::assemble<[] {
    return program{
        r1 = 0,
#ifndef CTBPF_TWIN
        raw(make_insn(0x8d, 1, 0, 0, 0)), // @opcode
#else
        call(helper::get_prandom_u32),
#endif
        exit_(),
    };
}>();

#ifdef CTBPF_TWIN
static_assert(alu_reserved.size() == 3 && mov_reserved.size() == 3 && neg_reserved.size() == 3);
static_assert(end_reserved.size() == 3 && stx_reserved.size() == 4 && st_reserved.size() == 3);
static_assert(call_reserved.size() == 2 && ja_reserved.size() == 3 && exit_reserved.size() == 3);
static_assert(jmp_reserved.size() == 3 && ld_imm64_reserved.size() == 3 && ld_abs_reserved.size() == 3);
static_assert(may_goto_imm.size() == 3 && cast_spaces.size() == 5 && atomic_op.size() == 5);
static_assert(atomic_size.size() == 5 && ldx_reserved.size() == 2 && ld_imm64_pair.size() == 4);
static_assert(ld_imm64_form.size() == 4 && opcode.size() == 3);
#endif
