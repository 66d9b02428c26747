// Mistake: a comparison mixes register widths: if_(r1 > w2).
// expect: reg64' and '
// expect: reg32'
// expect-gcc: no match for 'operator>' (operand types are 'const ctbpf::reg64' and 'const ctbpf::reg32')
// expect-clang: invalid operands to binary expression
// expect: compare_width_mix.cpp:@bad@:
#include <ctbpf.hpp>

using namespace ctbpf::syntax;

constexpr auto prog = ctbpf::assemble<[] {
    return program{
        r0 = 0,
#ifndef CTBPF_TWIN
        if_(r1 > w2).goto_(+0), // @bad
#else
        if_(r1 > r2).goto_(+0),
#endif
        exit_(),
    };
}>();
#ifdef CTBPF_TWIN
static_assert(prog.size() == 3);
#endif
