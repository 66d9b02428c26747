// Mistake: a 64-bit atomic add with a w register: lock(mem<u64>(r1)) += w2.
// expect: ctbpf: lock(mem<u64>(...)) takes an r register, lock(mem<u32>(...)) a w register
// expect-gcc: 'constexpr ctbpf::item ctbpf::operator+=(locked<u64>, const reg32&) [with T = void]'
// expect-clang: 'ctbpf::operator+=<void>'
// expect: lock_width_mix.cpp:@bad@:
#include <ctbpf.hpp>

using namespace ctbpf::syntax;

constexpr auto prog = ctbpf::assemble<[] {
    return program{
        r0 = 0,
#ifndef CTBPF_TWIN
        lock(mem<u64>(r1)) += w2, // @bad
#else
        lock(mem<u64>(r1)) += r2,
#endif
        exit_(),
    };
}, ctbpf::unchecked>();
#ifdef CTBPF_TWIN
static_assert(prog.size() == 3);
#endif
