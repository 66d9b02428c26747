// Mistake: a compound assignment's immediate is signed 32 bits: r1 += 1LL << 40 (use a register
// loaded with imm64). The operand's sentence is the only error on GCC 12 and Clang 19: the
// program{...} list and the probe that evaluates it add nothing. Clang 14 reports the consteval
// call at the line, then the probe's evaluation of the same call (two errors).
// expect: immediate_does_not_fit_in_signed_32_bits_use_imm64_for_wider_constants
// expect: compound_imm_too_wide.cpp:@bad@:
// errors: 1
// errors-clang14: 2
#include <ctbpf.hpp>

using namespace ctbpf::syntax;

constexpr auto prog = ctbpf::assemble<[] {
    return program{
        r0 = 0,
#ifndef CTBPF_TWIN
        r1 += 1LL << 40, // @bad
#else
        r2 = imm64(1LL << 40),
        r1 += r2,
#endif
        exit_(),
    };
}, ctbpf::unchecked>();
#ifdef CTBPF_TWIN
static_assert(prog.size() == 5);
#endif
