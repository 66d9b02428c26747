// Mistake: cmpxchg compares with and returns r0: r1 = cmpxchg(mem<u64>(r2), r0, r3).
// expect: cmpxchg_compares_and_returns_r0
// expect-gcc: call to non-'constexpr' function 'void ctbpf::diag::cmpxchg_compares_and_returns_r0()'
// expect-clang: non-constexpr function 'cmpxchg_compares_and_returns_r0' cannot be used in a constant expression
// expect: cmpxchg_not_r0.cpp:@bad@:
#include <ctbpf.hpp>

using namespace ctbpf::syntax;

constexpr auto prog = ctbpf::assemble<[] {
    return program{
        r0 = 0,
#ifndef CTBPF_TWIN
        r1 = cmpxchg(mem<u64>(r2), r0, r3), // @bad
#else
        r0 = cmpxchg(mem<u64>(r2), r0, r3),
#endif
        exit_(),
    };
}, ctbpf::unchecked>();
#ifdef CTBPF_TWIN
static_assert(prog.size() == 3);
#endif
