// Mistake: an empty label name (program-level: rule, index of the labelled instruction, line).
// expect: ctbpf: program rejected; the rule, instruction index, source line, label and the kernel's message are program_rejected<...>'s template arguments
// expect-gcc: Rule = ctbpf::errc::label_name_is_empty; unsigned int InsnIndex = 1; unsigned int Line = @label@; text<...auto...> Label = ctbpf::text<1>{""}; text<...auto...> Message = ctbpf::text<20>{"label name is empty"}]
// expect-clang: program_rejected<ctbpf::errc::label_name_is_empty, 1, @label@, 
// expect-clang19: program_rejected<ctbpf::errc::label_name_is_empty, 1, @label@, text<1>{""}, text<20>{
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
