// Mistake: w = r mixes register widths (32-bit destination, 64-bit source).
// expect: ctbpf: w = r mixes register widths; write w0 = w1 (32-bit move) or r0 = r1 (64-bit move)
// expect: width_w_from_r.cpp:@bad@:
#include <ctbpf.hpp>

using namespace ctbpf::syntax;

constexpr auto prog = ctbpf::assemble<[] {
    return program{
        r0 = 0,
#ifndef CTBPF_TWIN
        w0 = r1, // @bad
#else
        w0 = w1,
#endif
        exit_(),
    };
}, ctbpf::unchecked>();
#ifdef CTBPF_TWIN
static_assert(prog.size() == 3);
#endif
