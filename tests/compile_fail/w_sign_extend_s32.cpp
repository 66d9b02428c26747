// Mistake: a w register sign-extends from s8 or s16 only: w1 = s32(w2).
// expect: a_w_register_sign_extends_from_s8_or_s16_only
// expect-gcc: call to non-'constexpr' function 'void ctbpf::diag::a_w_register_sign_extends_from_s8_or_s16_only()'
// expect-clang: non-constexpr function 'a_w_register_sign_extends_from_s8_or_s16_only' cannot be used in a constant expression
// expect: w_sign_extend_s32.cpp:@bad@:
#include <ctbpf.hpp>

using namespace ctbpf::syntax;

constexpr auto prog = ctbpf::assemble<[] {
    return program{
        r0 = 0,
#ifndef CTBPF_TWIN
        w1 = s32(w2), // @bad
#else
        r1 = s32(r2),
#endif
        exit_(),
    };
}, ctbpf::unchecked>();
#ifdef CTBPF_TWIN
static_assert(prog.size() == 3);
#endif
