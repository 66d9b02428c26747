// Mistake: a comparison mixes register widths: if_(r1 > w2).
// expect: ctbpf: a comparison mixes register widths; compare r with r (64-bit jump) or w with w (32-bit jump)
// expect-gcc: 'constexpr ctbpf::cond ctbpf::operator>(const reg64&, const reg32&) [with T = void]'
// expect-clang: 'ctbpf::operator><void>'
// expect: compare_width_mix.cpp:@bad@:
// errors: 1
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
}, ctbpf::unchecked>();
#ifdef CTBPF_TWIN
static_assert(prog.size() == 3);
#endif
