// Mistake: an element of program{...} that is not an instruction or a label (here a number).
// The list's own constructor says so (before: "no matching function" and its candidates), once:
// the program it makes holds a marker the assembler skips.
// expect: ctbpf: program{...} takes instructions (r0 = 0, exit_(), ...) and labels
// expect-clang: program_element_not_an_item.cpp:@list@:
// errors: 1
#include <ctbpf.hpp>

using namespace ctbpf::syntax;

constexpr auto prog = ctbpf::assemble<[] {
    return program{ // @list
        r0 = 0,
#ifndef CTBPF_TWIN
        42, // @bad
#else
        r1 = 42,
#endif
        exit_(),
    };
}>();
#ifdef CTBPF_TWIN
static_assert(prog.size() == 3);
#endif
