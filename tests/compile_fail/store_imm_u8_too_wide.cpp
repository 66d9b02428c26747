// Mistake: a u8 store immediate is -128..255: mem<u8>(r10 - 1) = 256.
// expect: immediate_does_not_fit_in_8_bits
// expect-gcc: call to non-'constexpr' function 'void ctbpf::diag::immediate_does_not_fit_in_8_bits()'
// expect-clang: non-constexpr function 'immediate_does_not_fit_in_8_bits' cannot be used in a constant expression
// expect: store_imm_u8_too_wide.cpp:@bad@:
#include <ctbpf.hpp>

using namespace ctbpf::syntax;

constexpr auto prog = ctbpf::assemble<[] {
    return program{
        r0 = 0,
#ifndef CTBPF_TWIN
        mem<u8>(r10 - 1) = 256, // @bad
#else
        mem<u8>(r10 - 1) = 255,
#endif
        exit_(),
    };
}, ctbpf::unchecked>();
#ifdef CTBPF_TWIN
static_assert(prog.size() == 3);
#endif
