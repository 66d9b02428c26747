// Mistake: xchg returns the old value in its source register: r2 = xchg(mem<u64>(r1), r3).
// expect: atomic_fetch_needs_the_same_register_on_both_sides
// expect-gcc: call to non-'constexpr' function 'void ctbpf::diag::atomic_fetch_needs_the_same_register_on_both_sides()'
// expect-clang: non-constexpr function 'atomic_fetch_needs_the_same_register_on_both_sides' cannot be used in a constant expression
// expect: xchg_register_mismatch.cpp:@bad@:
#include <ctbpf.hpp>

using namespace ctbpf::syntax;

constexpr auto prog = ctbpf::assemble<[] {
    return program{
        r0 = 0,
#ifndef CTBPF_TWIN
        r2 = xchg(mem<u64>(r1), r3), // @bad
#else
        r3 = xchg(mem<u64>(r1), r3),
#endif
        exit_(),
    };
}, ctbpf::unchecked>();
#ifdef CTBPF_TWIN
static_assert(prog.size() == 3);
#endif
