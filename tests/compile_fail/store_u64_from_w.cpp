// Mistake: a u64 store takes an r register: mem<u64>(r10 - 8) = w1.
// expect: ctbpf: a u64 store takes an r register: mem<u64>(...) = r1
// expect-gcc: 'constexpr ctbpf::item ctbpf::mem_ref<T>::operator=(const ctbpf::reg32&) const
// expect-clang: 'ctbpf::mem_ref<ctbpf::u64>::operator=<void>'
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
}, ctbpf::unchecked>();
#ifdef CTBPF_TWIN
static_assert(prog.size() == 3);
#endif
