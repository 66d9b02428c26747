// Mistake: the same label defined twice (program-level: rule, index and line of the second one).
// expect: ctbpf: program rejected; the rule, instruction index, source line, label and the kernel's message are program_rejected<...>'s template arguments
// expect-gcc: Rule = ctbpf::errc::label_is_defined_twice; unsigned int InsnIndex = 4; unsigned int Line = @dup@; text<...auto...> Label = ctbpf::text<4>{"out"}; text<...auto...> Message = ctbpf::text<23>{"label is defined twice"}]
// expect-clang: program_rejected<ctbpf::errc::label_is_defined_twice, 4, @dup@, 
// expect-clang19: program_rejected<ctbpf::errc::label_is_defined_twice, 4, @dup@, text<4>{
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
