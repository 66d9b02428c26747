// Mistake: a comparison mixes register widths: if_(w1 < r2).goto_("out"). The operator's
// static_assert is the only error: its jump becomes a marker item the assembler skips (before,
// the jump became an unconditional one and check() added "unreachable insn 2").
// expect: ctbpf: a comparison mixes register widths; compare r with r (64-bit jump) or w with w (32-bit jump)
// expect-gcc: 'constexpr ctbpf::cond ctbpf::operator<(const reg32&, const reg64&) [with T = void]'
// expect-clang: 'ctbpf::operator<<void>'
// expect: compare_width_mix_branch.cpp:@bad@:
// errors: 1
#include <ctbpf.hpp>

using namespace ctbpf::syntax;

constexpr auto prog = ctbpf::assemble<[] {
    return program{
        r0 = 0,
        r2 = 1,
#ifndef CTBPF_TWIN
        if_(w1 < r2).goto_("out"), // @bad
#else
        if_(w1 < w2).goto_("out"),
#endif
        r0 = 1,
    label("out"),
        exit_(),
    };
}>();
#ifdef CTBPF_TWIN
static_assert(prog.size() == 5);
#endif
