// Mistake: the sign-extension source has the destination's width: r1 = s8(w2).
// expect: sign_extension_takes_a_register_of_the_destination_width
// expect-gcc: call to non-'constexpr' function 'void ctbpf::diag::sign_extension_takes_a_register_of_the_destination_width()'
// expect-clang: non-constexpr function 'sign_extension_takes_a_register_of_the_destination_width' cannot be used in a constant expression
// expect: sign_extend_width_mismatch.cpp:@bad@:
#include <ctbpf.hpp>

using namespace ctbpf::syntax;

constexpr auto prog = ctbpf::assemble<[] {
    return program{
        r0 = 0,
#ifndef CTBPF_TWIN
        r1 = s8(w2), // @bad
#else
        r1 = s8(r2),
#endif
        exit_(),
    };
}, ctbpf::unchecked>();
#ifdef CTBPF_TWIN
static_assert(prog.size() == 3);
#endif
