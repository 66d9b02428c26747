// Mistake: an ALU64 immediate is signed 32 bits: r0 = 0x100000000 (use imm64).
// expect: immediate_does_not_fit_in_signed_32_bits_use_imm64_for_wider_constants
// expect-gcc: call to non-'constexpr' function 'void ctbpf::diag::immediate_does_not_fit_in_signed_32_bits_use_imm64_for_wider_constants()'
// expect-clang: non-constexpr function 'immediate_does_not_fit_in_signed_32_bits_use_imm64_for_wider_constants' cannot be used in a constant expression
// expect: imm_alu64_too_wide.cpp:@bad@:
// errors: 1
// errors-clang14: 2
#include <ctbpf.hpp>

using namespace ctbpf::syntax;

constexpr auto prog = ctbpf::assemble<[] {
    return program{
        r0 = 0,
#ifndef CTBPF_TWIN
        r1 = 0x100000000, // @bad
#else
        r1 = imm64(0x100000000),
#endif
        exit_(),
    };
}, ctbpf::unchecked>();
#ifdef CTBPF_TWIN
static_assert(prog.size() == 4);
#endif
