// Mistake: a w register cannot take a u64 load: w1 = mem<u64>(r2).
// expect: ctbpf: a w register takes u8, u16 and u32 loads; load u64 and sign-extending sizes into an r register
// expect: w_load_u64.cpp:@bad@:
#include <ctbpf.hpp>

using namespace ctbpf::syntax;

constexpr auto prog = ctbpf::assemble<[] {
    return program{
        r0 = 0,
#ifndef CTBPF_TWIN
        w1 = mem<u64>(r2), // @bad
#else
        r1 = mem<u64>(r2),
#endif
        exit_(),
    };
}, ctbpf::unchecked>();
#ifdef CTBPF_TWIN
static_assert(prog.size() == 3);
#endif
