// Mistake: w -= r mixes register widths in a compound assignment.
// expect: ctbpf: w op= r mixes register widths; use r0 op= r1 (64-bit) or w0 op= w1 (32-bit)
// expect: width_compound_w_r.cpp:@bad@:
#include <ctbpf.hpp>

using namespace ctbpf::syntax;

constexpr auto prog = ctbpf::assemble<[] {
    return program{
        r0 = 0,
#ifndef CTBPF_TWIN
        w0 -= r1, // @bad
#else
        w0 -= w1,
#endif
        exit_(),
    };
}, ctbpf::unchecked>();
#ifdef CTBPF_TWIN
static_assert(prog.size() == 3);
#endif
