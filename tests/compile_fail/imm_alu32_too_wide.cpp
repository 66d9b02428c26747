// Mistake: a 32-bit immediate does not fit: w0 = 0x100000000.
// expect: immediate_does_not_fit_in_32_bits
// expect-gcc: call to non-'constexpr' function 'void ctbpf::diag::immediate_does_not_fit_in_32_bits()'
// expect-clang: non-constexpr function 'immediate_does_not_fit_in_32_bits' cannot be used in a constant expression
// expect: imm_alu32_too_wide.cpp:@bad@:
#include <ctbpf.hpp>

using namespace ctbpf::syntax;

constexpr auto prog = ctbpf::assemble<[] {
    return program{
        r0 = 0,
#ifndef CTBPF_TWIN
        w1 = 0x100000000, // @bad
#else
        w1 = 0xffffffff,
#endif
        exit_(),
    };
}, ctbpf::unchecked>();
#ifdef CTBPF_TWIN
static_assert(prog.size() == 3);
#endif
