// Mistake: r10 is the read-only frame pointer: r10 = 1.
// expect: ctbpf: r10 is the read-only frame pointer; copy it first (r1 = r10) and change the copy
// expect: frame_pointer_assign.cpp:@bad@:
#include <ctbpf.hpp>

using namespace ctbpf::syntax;

constexpr auto prog = ctbpf::assemble<[] {
    return program{
        r0 = 0,
#ifndef CTBPF_TWIN
        r10 = 1, // @bad
#else
        r1 = 1,
#endif
        exit_(),
    };
}, ctbpf::unchecked>();
#ifdef CTBPF_TWIN
static_assert(prog.size() == 3);
#endif
