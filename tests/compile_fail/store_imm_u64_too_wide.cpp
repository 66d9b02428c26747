// Mistake: a u64 store immediate is signed 32 bits: mem<u64>(r10 - 8) = 0x80000000.
// expect: immediate_does_not_fit_in_signed_32_bits_use_imm64_for_wider_constants
// expect-gcc: call to non-'constexpr' function 'void ctbpf::diag::immediate_does_not_fit_in_signed_32_bits_use_imm64_for_wider_constants()'
// expect-clang: non-constexpr function 'immediate_does_not_fit_in_signed_32_bits_use_imm64_for_wider_constants' cannot be used in a constant expression
// expect: store_imm_u64_too_wide.cpp:@bad@:
#include <ctbpf.hpp>

using namespace ctbpf::syntax;

constexpr auto prog = ctbpf::assemble<[] {
    return program{
        r0 = 0,
#ifndef CTBPF_TWIN
        mem<u64>(r10 - 8) = 0x80000000, // @bad
#else
        mem<u64>(r10 - 8) = 0x7fffffff,
#endif
        exit_(),
    };
}, ctbpf::unchecked>();
#ifdef CTBPF_TWIN
static_assert(prog.size() == 3);
#endif
