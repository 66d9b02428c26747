// Mistake: control flow the kernel rejects: a loop in an unprivileged program, code no path
// reaches, a jump onto the second half of an ld_imm64 (check_cfg), and a loop that can never end
// (do_check finds the same state again). One rejected program per rule, each its own error.
// flags-clang: -ferror-limit=0
// expect: ctbpf: program rejected; the rule, instruction index, source line, label and the kernel's message are program_rejected<...>'s template arguments
// expect-gcc: Rule = ctbpf::errc::back_edge; unsigned int InsnIndex = 2; unsigned int Line = @back_edge@; text<...auto...> Label = ctbpf::text<5>{"loop"}; text<...auto...> Message = ctbpf::text<27>{"back-edge from insn 2 to 1"}]
// expect-clang: program_rejected<ctbpf::errc::back_edge, 2, @back_edge@, 
// expect-clang19: program_rejected<ctbpf::errc::back_edge, 2, @back_edge@, text<5>{
// expect-gcc: Rule = ctbpf::errc::unreachable_insn; unsigned int InsnIndex = 2; unsigned int Line = @unreachable@; text<...auto...> Label = ctbpf::text<5>{"dead"}; text<...auto...> Message = ctbpf::text<19>{"unreachable insn 2"}]
// expect-clang: program_rejected<ctbpf::errc::unreachable_insn, 2, @unreachable@, 
// expect-clang19: program_rejected<ctbpf::errc::unreachable_insn, 2, @unreachable@, text<5>{
// expect-gcc: Rule = ctbpf::errc::jump_into_the_middle_of_ld_imm64; unsigned int InsnIndex = 2; unsigned int Line = @middle@; text<...auto...> Label = ctbpf::text<1>{""}; text<...auto...> Message = ctbpf::text<39>{"jump into the middle of ldimm64 insn 2"}]
// expect-clang: program_rejected<ctbpf::errc::jump_into_the_middle_of_ld_imm64, 2, @middle@, 
// expect-clang19: program_rejected<ctbpf::errc::jump_into_the_middle_of_ld_imm64, 2, @middle@, text<1>{""}, text<39>{
// expect-gcc: Rule = ctbpf::errc::infinite_loop_detected; unsigned int InsnIndex = 1; unsigned int Line = @spin@; text<...auto...> Label = ctbpf::text<5>{"spin"}; text<...auto...> Message = ctbpf::text<33>{"infinite loop detected at insn 1"}]
// expect-clang: program_rejected<ctbpf::errc::infinite_loop_detected, 1, @spin@, 
// expect-clang19: program_rejected<ctbpf::errc::infinite_loop_detected, 1, @spin@, text<5>{"spin"}, text<33>{
#include <ctbpf.hpp>

using namespace ctbpf::syntax;

// loops need CAP_BPF: an unprivileged program may not jump backwards (unrolled in the twin)
constexpr auto loop_unprivileged = ctbpf::assemble<[] {
    return program{
        r0 = 0,
    label("loop"),
        r0 += 1,
#ifndef CTBPF_TWIN
        if_(r0 < 10).goto_("loop"), // @back_edge
#else
        r0 += 9,
#endif
        exit_(),
    };
}, ctbpf::options{.priv = ctbpf::privilege::unprivileged}>();

// code after the exit that no jump leads to
constexpr auto dead_code = ctbpf::assemble<[] {
    return program{
        r0 = 0,
        exit_(),
#ifndef CTBPF_TWIN
    label("dead"),
        r0 = 1, // @unreachable
        exit_(),
#endif
    };
}>();

// goto +1 skips one slot, but r1 = imm64(...) takes two: the jump lands on its second half
constexpr auto jump_into_ld_imm64 = ctbpf::assemble<[] {
    return program{
        r0 = 0,
#ifndef CTBPF_TWIN
        if_(r0 == 0).goto_(1),
#else
        if_(r0 == 0).goto_(2),
#endif
        r1 = imm64(0x100000000), // @middle
        exit_(),
    };
}>();

// goto itself: the same state, forever (root may loop, but only towards an exit)
constexpr auto spin = ctbpf::assemble<[] {
    return program{
        r0 = 0,
    label("spin"),
#ifndef CTBPF_TWIN
        goto_("spin"), // @spin
#else
        r0 += 1,
        if_(r0 < 4).goto_("spin"),
        exit_(),
#endif
    };
}>();

#ifdef CTBPF_TWIN
static_assert(loop_unprivileged.size() == 4 && dead_code.size() == 2);
static_assert(jump_into_ld_imm64.size() == 5 && jump_into_ld_imm64[1].off == 2);
static_assert(spin.size() == 4 && spin[2].off == -2);
#endif
