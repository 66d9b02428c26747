// Mistake: the same label defined twice (program-level: rule, index and line of the second one).
// expect: ctbpf: program rejected; the rule, instruction index, source line and label are the template arguments of program_rejected<...> in this error's context
// expect: program_rejected<ctbpf::errc::label_is_defined_twice, 4, @dup@, 'o', 'u', 't'>
#include <ctbpf.hpp>

using namespace ctbpf::syntax;

constexpr auto prog = ctbpf::assemble<[] {
    return program{
        r0 = 0,
        if_(r1 == 0).goto_("out"),
        r0 = 1,
    label("out"),
        r0 += 1,
#ifndef CTBPF_TWIN
    label("out"), // @dup
#else
    label("out2"),
#endif
        exit_(),
    };
}, ctbpf::unchecked>();
#ifdef CTBPF_TWIN
static_assert(prog.size() == 5);
#endif
