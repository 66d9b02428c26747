// Mistake: a map referred to by an empty name (program-level: rule, index of the lddw, line).
// expect: ctbpf: program rejected; the rule, instruction index, source line and label are the template arguments of program_rejected<...> in this error's context
// expect: program_rejected<ctbpf::errc::map_name_is_empty, 1, @map@>
#include <ctbpf.hpp>

using namespace ctbpf::syntax;

constexpr auto prog = ctbpf::assemble<[] {
    return program{
        r0 = 0,
#ifndef CTBPF_TWIN
        r1 = map(""), // @map
#else
        r1 = map("counts"),
#endif
        exit_(),
    };
}, ctbpf::unchecked>();
#ifdef CTBPF_TWIN
static_assert(prog.size() == 4);
static_assert(ctbpf::map_names<[] { return program{r1 = map("counts"), exit_()}; }>().size() == 1);
#endif
