// Mistake: r = w mixes register widths (64-bit destination, 32-bit source).
// expect: ctbpf: r = w mixes register widths; write w0 = w1 (32-bit move, zero-extends) or r0 = r1 (64-bit move)
// expect: width_r_from_w.cpp:@bad@:
// errors: 1
#include <ctbpf.hpp>

using namespace ctbpf::syntax;

constexpr auto prog = ctbpf::assemble<[] {
    return program{
        r0 = 0,
#ifndef CTBPF_TWIN
        r0 = w1, // @bad
#else
        r0 = r1,
#endif
        exit_(),
    };
}, ctbpf::unchecked>();
#ifdef CTBPF_TWIN
static_assert(prog.size() == 3);
#endif
