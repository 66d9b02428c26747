// Mistake: negation of a w register into an r register: r1 = -w1.
// expect: operands_mix_register_widths
// expect-gcc: call to non-'constexpr' function 'void ctbpf::diag::operands_mix_register_widths()'
// expect-clang: non-constexpr function 'operands_mix_register_widths' cannot be used in a constant expression
// expect: negation_width_mismatch.cpp:@bad@:
#include <ctbpf.hpp>

using namespace ctbpf::syntax;

constexpr auto prog = ctbpf::assemble<[] {
    return program{
        r0 = 0,
#ifndef CTBPF_TWIN
        r1 = -w1, // @bad
#else
        w1 = -w1,
#endif
        exit_(),
    };
}, ctbpf::unchecked>();
#ifdef CTBPF_TWIN
static_assert(prog.size() == 3);
#endif
