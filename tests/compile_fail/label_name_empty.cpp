// Mistake: an empty label name (program-level: rule, index of the labelled instruction, line).
// expect: ctbpf: program rejected; the rule, instruction index, source line and label are the template arguments of program_rejected<...> in this error's context
// expect: program_rejected<ctbpf::errc::label_name_is_empty, 1, @label@>
#include <ctbpf.hpp>

using namespace ctbpf::syntax;

constexpr auto prog = ctbpf::assemble<[] {
    return program{
        r0 = 0,
#ifndef CTBPF_TWIN
    label(""), // @label
#else
    label("done"),
#endif
        exit_(),
    };
}, ctbpf::unchecked>();
#ifdef CTBPF_TWIN
static_assert(prog.size() == 2);
#endif
