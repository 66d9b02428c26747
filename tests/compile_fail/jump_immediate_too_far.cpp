// Mistake: a relative jump distance is signed 16 bits: goto_(+40000) (the fix the message names: gotol).
// expect: jump_distance_does_not_fit_in_16_bits_use_gotol
// expect-gcc: call to non-'constexpr' function 'void ctbpf::diag::jump_distance_does_not_fit_in_16_bits_use_gotol()'
// expect-clang: non-constexpr function 'jump_distance_does_not_fit_in_16_bits_use_gotol' cannot be used in a constant expression
// expect: jump_immediate_too_far.cpp:@bad@:
#include <ctbpf.hpp>

using namespace ctbpf::syntax;

constexpr auto prog = ctbpf::assemble<[] {
    return program{
        r0 = 0,
#ifndef CTBPF_TWIN
        goto_(+40000), // @bad
#else
        gotol(+40000),
#endif
        exit_(),
    };
}, ctbpf::unchecked>();
#ifdef CTBPF_TWIN
static_assert(prog.size() == 3);
#endif
