// Mistake: eBPF has no memory-to-memory move, here with equal sizes: mem<u64>(...) = mem<u64>(...).
// expect: ctbpf: eBPF has no memory-to-memory move; load into a register first (r1 = mem<u64>(...))
// expect: mem_to_mem_move_same_size.cpp:@bad@:
#include <ctbpf.hpp>

using namespace ctbpf::syntax;

constexpr auto prog = ctbpf::assemble<[] {
    return program{
        r0 = 0,
#ifndef CTBPF_TWIN
        mem<u64>(r10 - 8) = mem<u64>(r1), // @bad
#else
        r2 = mem<u64>(r1),
        mem<u64>(r10 - 8) = r2,
#endif
        exit_(),
    };
}, ctbpf::unchecked>();
#ifdef CTBPF_TWIN
static_assert(prog.size() == 4);
#endif
