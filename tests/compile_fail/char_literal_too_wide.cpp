// Mistake: a character literal is an immediate like any other, so it must fit the store size:
// mem<u8>(r10 - 1) = u'\u0100' (256). The twin checks that char and bool literals are accepted.
// expect: immediate_does_not_fit_in_8_bits
// expect-gcc: call to non-'constexpr' function 'void ctbpf::diag::immediate_does_not_fit_in_8_bits()'
// expect-clang: non-constexpr function 'immediate_does_not_fit_in_8_bits' cannot be used in a constant expression
// expect: char_literal_too_wide.cpp:@bad@:
#include <ctbpf.hpp>

using namespace ctbpf::syntax;

constexpr auto prog = ctbpf::assemble<[] {
    return program{
#ifndef CTBPF_TWIN
        mem<u8>(r10 - 1) = u'\u0100', // @bad
#else
        mem<u8>(r10 - 1) = 'A',
#endif
        mem<u16>(r10 - 4) = u'\u0100',
        w1 = U'\U0001F600',
        r2 = u8'z',
        r0 = true,
        if_(w1 == 'x').goto_(+0),
        exit_(),
    };
}, ctbpf::unchecked>();
#ifdef CTBPF_TWIN
static_assert(prog.size() == 7);
static_assert(prog[0].imm == 'A' && prog[0].off == -1);
static_assert(prog[1].imm == 0x100);
static_assert(prog[2].imm == 0x1F600);
static_assert(prog[3].imm == 'z');
static_assert(prog[4].imm == 1);
static_assert(prog[5].imm == 'x');
#endif
