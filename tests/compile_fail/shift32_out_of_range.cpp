// Mistake: a 32-bit shift amount is 0 to 31: w1 <<= 32.
// expect: shift_amount_must_be_0_to_31
// expect-gcc: call to non-'constexpr' function 'void ctbpf::diag::shift_amount_must_be_0_to_31()'
// expect-clang: non-constexpr function 'shift_amount_must_be_0_to_31' cannot be used in a constant expression
// expect: shift32_out_of_range.cpp:@bad@:
#include <ctbpf.hpp>

using namespace ctbpf::syntax;

constexpr auto prog = ctbpf::assemble<[] {
    return program{
        r0 = 0,
#ifndef CTBPF_TWIN
        w1 <<= 32, // @bad
#else
        w1 <<= 31,
#endif
        exit_(),
    };
}, ctbpf::unchecked>();
#ifdef CTBPF_TWIN
static_assert(prog.size() == 3);
#endif
