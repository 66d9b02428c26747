// Mistake: a jump to a label that is never defined (program-level: rule, index and line).
// expect: ctbpf: program rejected; the rule, instruction index, source line and label are the template arguments of program_rejected<...> in this error's context
// expect: program_rejected<ctbpf::errc::label_is_not_defined, 2, @jump@, 'o', 't'>
#include <ctbpf.hpp>

using namespace ctbpf::syntax;

constexpr auto prog = ctbpf::assemble<[] {
    return program{
        r0 = 0,
        r2 = mem<u32>(r1 + 4),
#ifndef CTBPF_TWIN
        if_(r2 == 0).goto_("ot"), // @jump
#else
        if_(r2 == 0).goto_("out"),
#endif
        r0 = 1,
    label("out"),
        exit_(),
    };
}, ctbpf::unchecked>();
#ifdef CTBPF_TWIN
static_assert(prog.size() == 5);
static_assert(prog[2].off == 1);
#endif
