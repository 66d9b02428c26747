// Mistake: eBPF has no memory-to-memory move: mem<u64>(r10 - 8) = mem<u32>(r1 + 4).
// (Equal sizes, mem<u64>(...) = mem<u64>(...), are mem_to_mem_move_same_size.cpp.)
// expect: ctbpf: eBPF has no memory-to-memory move; load into a register first (r1 = mem<u64>(...))
// expect: mem_to_mem_move.cpp:@bad@:
#include <ctbpf.hpp>

using namespace ctbpf::syntax;

constexpr auto prog = ctbpf::assemble<[] {
    return program{
        r0 = 0,
#ifndef CTBPF_TWIN
        mem<u64>(r10 - 8) = mem<u32>(r1 + 4), // @bad
#else
        r2 = mem<u32>(r1 + 4),
        mem<u64>(r10 - 8) = r2,
#endif
        exit_(),
    };
}, ctbpf::unchecked>();
#ifdef CTBPF_TWIN
static_assert(prog.size() == 4);
#endif
