// Mistake: an atomic fetch whose destination width differs from its source: r2 = xchg(mem<u32>(r1), w2).
// expect: operands_mix_register_widths
// expect-gcc: call to non-'constexpr' function 'void ctbpf::diag::operands_mix_register_widths()'
// expect-clang: non-constexpr function 'operands_mix_register_widths' cannot be used in a constant expression
// expect: xchg_width_mix.cpp:@bad@:
#include <ctbpf.hpp>

using namespace ctbpf::syntax;

constexpr auto prog = ctbpf::assemble<[] {
    return program{
        r0 = 0,
#ifndef CTBPF_TWIN
        r2 = xchg(mem<u32>(r1), w2), // @bad
#else
        w2 = xchg(mem<u32>(r1), w2),
#endif
        exit_(),
    };
}, ctbpf::unchecked>();
#ifdef CTBPF_TWIN
static_assert(prog.size() == 3);
#endif
