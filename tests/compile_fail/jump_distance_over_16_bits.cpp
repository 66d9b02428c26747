// Mistake: a conditional jump over more than 32767 instructions (the 16-bit distance would
// silently truncate in other assemblers). The fix the message names: gotol (32-bit distance).
// expect: ctbpf: program rejected; the rule, instruction index, source line, label and the kernel's message are program_rejected<...>'s template arguments
// expect-gcc: Rule = ctbpf::errc::jump_distance_does_not_fit_in_16_bits_use_gotol; unsigned int InsnIndex = 0; unsigned int Line = @jump@; text<...auto...> Label = ctbpf::text<4>{"far"}; text<...auto...> Message = ctbpf::text<50>{"jump distance does not fit in 16 bits (use gotol)"}]
// expect-clang: program_rejected<ctbpf::errc::jump_distance_does_not_fit_in_16_bits_use_gotol, 0, @jump@, 
// expect-clang19: program_rejected<ctbpf::errc::jump_distance_does_not_fit_in_16_bits_use_gotol, 0, @jump@, text<4>{"far"}, text<50>{
// Clang counts constexpr steps: a 32771-instruction program needs about 2M (default 1M).
// flags-clang: -fconstexpr-steps=4194304
#include <ctbpf.hpp>

using namespace ctbpf::syntax;

constexpr auto prog = ctbpf::assemble<[] {
    program p;
#ifndef CTBPF_TWIN
    p += if_(r1 == 0).goto_("far"); // @jump
#else
    p += if_(r1 != 0).goto_("near");
    p += gotol("far");
    p += label("near");
#endif
    for (int i = 0; i < 32768; ++i) p += (r0 = 0);
    p += label("far");
    p += exit_();
    return p;
}, ctbpf::unchecked>();
#ifdef CTBPF_TWIN
static_assert(prog.size() == 32771);
static_assert(prog[1].imm == 32768);
#endif
