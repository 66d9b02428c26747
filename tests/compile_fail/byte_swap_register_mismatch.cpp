// Mistake: a byte swap is in place: r0 = be16(r1).
// expect: byte_swap_needs_the_same_register_on_both_sides
// expect-gcc: call to non-'constexpr' function 'void ctbpf::diag::byte_swap_needs_the_same_register_on_both_sides()'
// expect-clang: non-constexpr function 'byte_swap_needs_the_same_register_on_both_sides' cannot be used in a constant expression
// expect: byte_swap_register_mismatch.cpp:@bad@:
#include <ctbpf.hpp>

using namespace ctbpf::syntax;

constexpr auto prog = ctbpf::assemble<[] {
    return program{
        r0 = 0,
#ifndef CTBPF_TWIN
        r1 = be16(r2), // @bad
#else
        r2 = be16(r2),
#endif
        exit_(),
    };
}, ctbpf::unchecked>();
#ifdef CTBPF_TWIN
static_assert(prog.size() == 3);
#endif
