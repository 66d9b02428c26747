// Mistake: a map referred to by an empty name (program-level: rule, index of the lddw, line).
// expect: ctbpf: program rejected; the rule, instruction index, source line, label and the kernel's message are program_rejected<...>'s template arguments
// expect-gcc: Rule = ctbpf::errc::map_name_is_empty; unsigned int InsnIndex = 1; unsigned int Line = @map@; text<...auto...> Label = ctbpf::text<1>{""}; text<...auto...> Message = ctbpf::text<18>{"map name is empty"}]
// expect-clang: program_rejected<ctbpf::errc::map_name_is_empty, 1, @map@, 
// expect-clang19: program_rejected<ctbpf::errc::map_name_is_empty, 1, @map@, text<1>{""}, text<18>{
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
