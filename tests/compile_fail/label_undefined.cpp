// Mistake: a jump to a label that is never defined (program-level: rule, index and line).
// expect: ctbpf: program rejected; the rule, instruction index, source line, label and the kernel's message are program_rejected<...>'s template arguments
// expect-gcc: Rule = ctbpf::errc::label_is_not_defined; unsigned int InsnIndex = 2; unsigned int Line = @jump@; text<...auto...> Label = ctbpf::text<3>{"ot"}; text<...auto...> Message = ctbpf::text<21>{"label is not defined"}]
// expect-clang: program_rejected<ctbpf::errc::label_is_not_defined, 2, @jump@, 
// expect-clang19: program_rejected<ctbpf::errc::label_is_not_defined, 2, @jump@, text<3>{
// errors: 1
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
