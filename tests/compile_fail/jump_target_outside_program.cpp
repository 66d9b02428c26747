// Mistake: a label after the last instruction, so the jump to it leaves the program.
// expect: ctbpf: program rejected; the rule, instruction index, source line, label and the kernel's message are program_rejected<...>'s template arguments
// expect-gcc: Rule = ctbpf::errc::jump_target_is_outside_the_program; unsigned int InsnIndex = 1; unsigned int Line = @jump@; text<...auto...> Label = ctbpf::text<4>{"end"}; text<...auto...> Message = ctbpf::text<35>{"jump target is outside the program"}]
// expect-clang: program_rejected<ctbpf::errc::jump_target_is_outside_the_program, 1, @jump@, 
// expect-clang19: program_rejected<ctbpf::errc::jump_target_is_outside_the_program, 1, @jump@, text<4>{"end"}, text<35>{
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
