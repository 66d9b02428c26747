// Mistake: a label after the last instruction, so the jump to it leaves the program.
// expect: ctbpf: program rejected; the rule, instruction index, source line and label are the template arguments of program_rejected<...> in this error's context
// expect: program_rejected<ctbpf::errc::jump_target_is_outside_the_program, 1, @jump@, 'e', 'n', 'd'>
#include <ctbpf.hpp>

using namespace ctbpf::syntax;

constexpr auto prog = ctbpf::assemble<[] {
    return program{
        r0 = 0,
        if_(r1 == 0).goto_("end"), // @jump
        exit_(),
#ifndef CTBPF_TWIN
    label("end"),
#else
    label("end"),
        exit_(),
#endif
    };
}, ctbpf::unchecked>();
#ifdef CTBPF_TWIN
static_assert(prog.size() == 4);
#endif
