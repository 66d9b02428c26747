// Mistake: a condition without a jump target: if_(r1 > r2) alone is no instruction.
// (Clang 14 prints the quotes of "label" escaped, so the common text stops before them.)
// expect: ctbpf: if_(...) needs a target: if_(r1 > r2).goto_(
// expect: if_(r1 > r2).goto_(label)
// Clang points at the if_; GCC only at the end of the program{...} list that converts it
// (written as a statement, p += if_(r1 > r2);, GCC names the if_ line too).
// expect-clang: if_without_goto.cpp:@bad@:
// expect-gcc: if_without_goto.cpp:@close@:
// errors: 1
#include <ctbpf.hpp>

using namespace ctbpf::syntax;

constexpr auto prog = ctbpf::assemble<[] {
    return program{
        r0 = 0,
#ifndef CTBPF_TWIN
        if_(r1 > r2), // @bad
#else
        if_(r1 > r2).goto_("out"),
#endif
        r0 = 1,
    label("out"),
        exit_(),
    }; // @close
}, ctbpf::unchecked>();
#ifdef CTBPF_TWIN
static_assert(prog.size() == 4);
static_assert(prog[1].off == 1);
#endif
