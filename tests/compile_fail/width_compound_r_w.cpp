// Mistake: r += w mixes register widths in a compound assignment.
// expect: ctbpf: r op= w mixes register widths; use r0 op= r1 (64-bit) or w0 op= w1 (32-bit)
// expect: width_compound_r_w.cpp:@bad@:
#include <ctbpf.hpp>

using namespace ctbpf::syntax;

constexpr auto prog = ctbpf::assemble<[] {
    return program{
        r0 = 0,
#ifndef CTBPF_TWIN
        r0 += w1, // @bad
#else
        r0 += r1,
#endif
        exit_(),
    };
}, ctbpf::unchecked>();
#ifdef CTBPF_TWIN
static_assert(prog.size() == 3);
#endif
