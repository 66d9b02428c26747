// Mistake: a 64-bit atomic add with a w register: lock(mem<u64>(r1)) += w2.
// expect: locked<ctbpf::u64>
// expect: reg32
// expect-gcc: no match for 'operator+=' (operand types are 'ctbpf::locked<ctbpf::u64>' and 'const ctbpf::reg32')
// expect-clang: no viable overloaded '+='
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
}>();
#ifdef CTBPF_TWIN
static_assert(prog.size() == 3);
#endif
