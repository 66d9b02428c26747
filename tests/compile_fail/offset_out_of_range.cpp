// Mistake: a memory offset is signed 16 bits: mem<u64>(r1 + 40000).
// expect: offset_does_not_fit_in_signed_16_bits
// expect-gcc: call to non-'constexpr' function 'void ctbpf::diag::offset_does_not_fit_in_signed_16_bits()'
// expect-clang: non-constexpr function 'offset_does_not_fit_in_signed_16_bits' cannot be used in a constant expression
// expect: offset_out_of_range.cpp:@bad@:
// errors: 1
// errors-clang14: 2
#include <ctbpf.hpp>

using namespace ctbpf::syntax;

constexpr auto prog = ctbpf::assemble<[] {
    return program{
        r0 = 0,
#ifndef CTBPF_TWIN
        r2 = mem<u64>(r1 + 40000), // @bad
#else
        r2 = mem<u64>(r1 + 32767),
#endif
        exit_(),
    };
}, ctbpf::unchecked>();
#ifdef CTBPF_TWIN
static_assert(prog.size() == 3);
#endif
