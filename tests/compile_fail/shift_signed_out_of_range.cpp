// Mistake: a signed (arithmetic) 64-bit shift amount is 0 to 63: s(r1) >>= 64.
// expect: shift_amount_must_be_0_to_63
// expect-gcc: call to non-'constexpr' function 'void ctbpf::diag::shift_amount_must_be_0_to_63()'
// expect-clang: non-constexpr function 'shift_amount_must_be_0_to_63' cannot be used in a constant expression
// expect: shift_signed_out_of_range.cpp:@bad@:
#include <ctbpf.hpp>

using namespace ctbpf::syntax;

constexpr auto prog = ctbpf::assemble<[] {
    return program{
        r0 = 0,
#ifndef CTBPF_TWIN
        s(r1) >>= 64, // @bad
#else
        s(r1) >>= 63,
#endif
        exit_(),
    };
}, ctbpf::unchecked>();
#ifdef CTBPF_TWIN
static_assert(prog.size() == 3);
#endif
