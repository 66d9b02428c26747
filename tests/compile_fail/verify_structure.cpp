// Mistake: programs whose shape the kernel rejects before simulating anything: no instructions, too
// many (bpf_prog_load), calls to nowhere or to too many subprograms (add_subprog), jumps out of
// their subprogram and subprograms that fall off their end (check_subprogs), LD_ABS and tail calls
// in subprograms without BTF (check_abnormal_return). One rejected program per rule, each its own
// error. Where the kernel logs nothing (the size limits) ctbpf's message starts "(no log)".
// Small limits in the kernel profile keep the size rules cheap.
// flags-clang: -ferror-limit=0
// expect: ctbpf: program rejected; the rule, instruction index, source line, label and the kernel's message are program_rejected<...>'s template arguments
// expect-gcc: Rule = ctbpf::errc::program_is_empty; unsigned int InsnIndex = 0; unsigned int Line = 0; text<...auto...> Label = ctbpf::text<1>{""}; text<...auto...> Message = ctbpf::text<
// expect-clang: program_rejected<ctbpf::errc::program_is_empty, 0, 0, 
// expect-clang19: program_rejected<ctbpf::errc::program_is_empty, 0, 0
// expect-gcc: {"(no log)
// expect-gcc: Rule = ctbpf::errc::program_is_too_large; unsigned int InsnIndex = 4; unsigned int Line = @too_large@; text<...auto...> Label = ctbpf::text<1>{""}; text<...auto...> Message = ctbpf::text<
// expect-clang: program_rejected<ctbpf::errc::program_is_too_large, 4, @too_large@, 
// expect-clang19: program_rejected<ctbpf::errc::program_is_too_large, 4, @too_large@
// expect-gcc: {"(no log)
// expect-gcc: Rule = ctbpf::errc::call_to_invalid_destination; unsigned int InsnIndex = 1; unsigned int Line = @nowhere@; text<...auto...> Label = ctbpf::text<1>{""}; text<...auto...> Message = ctbpf::text<28>{"call to invalid destination"}]
// expect-clang: program_rejected<ctbpf::errc::call_to_invalid_destination, 1, @nowhere@, 
// expect-clang19: program_rejected<ctbpf::errc::call_to_invalid_destination, 1, @nowhere@, text<1>{""}, text<28>{
// expect-gcc: Rule = ctbpf::errc::too_many_subprograms; unsigned int InsnIndex = 1; unsigned int Line = @third@; text<...auto...> Label = ctbpf::text<1>{""}; text<...auto...> Message = ctbpf::text<21>{"too many subprograms"}]
// expect-clang: program_rejected<ctbpf::errc::too_many_subprograms, 1, @third@, 
// expect-clang19: program_rejected<ctbpf::errc::too_many_subprograms, 1, @third@, text<1>{""}, text<21>{
// expect-gcc: Rule = ctbpf::errc::jump_out_of_range; unsigned int InsnIndex = 1; unsigned int Line = @across@; text<...auto...> Label = ctbpf::text<1>{""}; text<...auto...> Message = ctbpf::text<35>{"jump out of range from insn 1 to 4"}]
// expect-clang: program_rejected<ctbpf::errc::jump_out_of_range, 1, @across@, 
// expect-clang19: program_rejected<ctbpf::errc::jump_out_of_range, 1, @across@, text<1>{""}, text<35>{
// expect-gcc: Rule = ctbpf::errc::last_insn_is_not_an_exit_or_jmp; unsigned int InsnIndex = 1; unsigned int Line = @fallthrough@; text<...auto...> Label = ctbpf::text<1>{""}; text<...auto...> Message = ctbpf::text<32>{"last insn is not an exit or jmp"}]
// expect-clang: program_rejected<ctbpf::errc::last_insn_is_not_an_exit_or_jmp, 1, @fallthrough@, 
// expect-clang19: program_rejected<ctbpf::errc::last_insn_is_not_an_exit_or_jmp, 1, @fallthrough@, text<1>{""}, text<32>{
// expect-gcc: Rule = ctbpf::errc::ld_abs_is_not_allowed_in_subprogs_without_btf; unsigned int InsnIndex = 3; unsigned int Line = @ld_abs@; text<...auto...> Label = ctbpf::text<5>{"load"}; text<...auto...> Message = ctbpf::text<46>{"LD_ABS is not allowed in subprogs without BTF"}]
// expect-clang: program_rejected<ctbpf::errc::ld_abs_is_not_allowed_in_subprogs_without_btf, 3, @ld_abs@, 
// expect-clang19: program_rejected<ctbpf::errc::ld_abs_is_not_allowed_in_subprogs_without_btf, 3, @ld_abs@, text<5>{"load"}, text<46>{
// expect-gcc: Rule = ctbpf::errc::tail_call_is_not_allowed_in_subprogs_without_btf; unsigned int InsnIndex = 5; unsigned int Line = @tail_call@; text<...auto...> Label = ctbpf::text<5>{"jump"}; text<...auto...> Message = ctbpf::text<49>{"tail_call is not allowed in subprogs without BTF"}]
// expect-clang: program_rejected<ctbpf::errc::tail_call_is_not_allowed_in_subprogs_without_btf, 5, @tail_call@, 
// expect-clang19: program_rejected<ctbpf::errc::tail_call_is_not_allowed_in_subprogs_without_btf, 5, @tail_call@, text<5>{"jump"}, text<49>{
#include <ctbpf.hpp>

using namespace ctbpf::syntax;

// no instructions (E2BIG, no log; no instruction to name: index 0, line 0)
constexpr auto empty = ctbpf::assemble<[] {
    return program{
#ifdef CTBPF_TWIN
        r0 = 0,
        exit_(),
#endif
    };
}>();

// more instructions than the kernel takes (E2BIG, no log); the index is the first one past the
// limit (a limit of 4 here, 1,000,000 for root and 4096 unprivileged on Linux 6.18)
constexpr auto too_large = ctbpf::assemble<[] {
    return program{
        r0 = 1,
#ifndef CTBPF_TWIN
        r0 += 2,
        r0 *= 3,
        r0 -= 4,
#else
        r0 += 5,
#endif
        exit_(), // @too_large
    };
}, ctbpf::options{.kernel = {.max_insns = 4}}>();

// a bpf-to-bpf call by distance that leaves the program
constexpr auto call_nowhere = ctbpf::assemble<[] {
    return program{
        r0 = 0,
#ifndef CTBPF_TWIN
        ctbpf::fn::call_rel(5), // @nowhere
#else
        call("f"),
#endif
        exit_(),
    label("f"),
        r0 = 1,
        exit_(),
    };
}>();

// a third subprogram where the kernel takes two (BPF_MAX_SUBPROGS is 256 on Linux 6.18)
constexpr auto third_subprogram = ctbpf::assemble<[] {
    return program{
        call("f"),
#ifndef CTBPF_TWIN
        call("g"), // @third
#else
        call("f"),
#endif
        exit_(),
    label("f"),
        r0 = 1,
        exit_(),
#ifndef CTBPF_TWIN
    label("g"),
        r0 = 2,
        exit_(),
#endif
    };
}, ctbpf::options{.kernel = {.max_subprogs = 2}}>();

// a jump from the main program into a subprogram
constexpr auto jump_across = ctbpf::assemble<[] {
    return program{
        call("f"),
#ifndef CTBPF_TWIN
        if_(r0 == 0).goto_("f_out"), // @across
#else
        if_(r0 == 0).goto_("out"),
#endif
    label("out"),
        exit_(),
    label("f"),
        r0 = 0,
    label("f_out"),
        exit_(),
    };
}>();

// the main program falls through into its subprogram
constexpr auto fallthrough = ctbpf::assemble<[] {
    return program{
        call("f"),
#ifndef CTBPF_TWIN
        r0 += 1, // @fallthrough
#else
        r0 += 1,
        exit_(),
#endif
    label("f"),
        r0 = 1,
        exit_(),
    };
}>();

// a legacy packet load in a subprogram (allowed only with BTF func_info)
constexpr auto ld_abs_in_subprogram = ctbpf::assemble<[] {
    return program{
        r6 = r1,
#ifndef CTBPF_TWIN
        call("load"),
#else
        r0 = skb<u8>[12],
#endif
        exit_(),
#ifndef CTBPF_TWIN
    label("load"),
        r0 = skb<u8>[12], // @ld_abs
        exit_(),
#endif
    };
}>();

// a tail call in a subprogram (allowed only with BTF func_info)
constexpr auto tail_call_in_subprogram = ctbpf::assemble<[] {
    return program{
#ifndef CTBPF_TWIN
        call("jump"),
        exit_(),
    label("jump"),
#endif
        r2 = map("programs"),
        r3 = 0,
        call(helper::tail_call), // @tail_call
        r0 = 0,
        exit_(),
    };
}>();

#ifdef CTBPF_TWIN
static_assert(empty.size() == 2 && too_large.size() == 3 && call_nowhere.size() == 5);
static_assert(third_subprogram.size() == 5 && jump_across.size() == 5 && fallthrough.size() == 5);
static_assert(ld_abs_in_subprogram.size() == 3 && tail_call_in_subprogram.size() == 6);
#endif
