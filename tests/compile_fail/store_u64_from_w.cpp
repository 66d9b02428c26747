// Mistake: a u64 store takes an r register: mem<u64>(r10 - 8) = w1.
// expect: mem_ref<
// expect: u64>
// expect: reg32'
// expect-gcc: no match for 'operator=' (operand types are 'ctbpf::mem_ref<ctbpf::u64>' and 'const ctbpf::reg32')
// expect-clang: no viable overloaded '='
// expect: store_u64_from_w.cpp:@bad@:
#include <ctbpf.hpp>

using namespace ctbpf::syntax;

constexpr auto prog = ctbpf::assemble<[] {
    return program{
        r0 = 0,
#ifndef CTBPF_TWIN
        mem<u64>(r10 - 8) = w1, // @bad
#else
        mem<u64>(r10 - 8) = r1,
#endif
        exit_(),
    };
}>();
#ifdef CTBPF_TWIN
static_assert(prog.size() == 3);
#endif
