// Mistake: negation is in place: r0 = -r1.
// expect: negation_needs_the_same_register_on_both_sides
// expect-gcc: call to non-'constexpr' function 'void ctbpf::diag::negation_needs_the_same_register_on_both_sides()'
// expect-clang: non-constexpr function 'negation_needs_the_same_register_on_both_sides' cannot be used in a constant expression
// expect: negation_register_mismatch.cpp:@bad@:
#include <ctbpf.hpp>

using namespace ctbpf::syntax;

constexpr auto prog = ctbpf::assemble<[] {
    return program{
        r0 = 0,
#ifndef CTBPF_TWIN
        r1 = -r2, // @bad
#else
        r2 = -r2,
#endif
        exit_(),
    };
}, ctbpf::unchecked>();
#ifdef CTBPF_TWIN
static_assert(prog.size() == 3);
#endif
