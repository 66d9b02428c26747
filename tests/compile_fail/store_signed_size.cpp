// Mistake: s8/s16/s32 are sign-extending load sizes; a store has no sign: mem<s16>(r10 - 2) = w1.
// expect: ctbpf: s8/s16/s32 are sign-extending loads only; store with u8/u16/u32
// expect: store_signed_size.cpp:@bad@:
// expect-gcc: [with U = const ctbpf::reg32&; T = ctbpf::s16]
// expect-clang: 'ctbpf::mem_ref<ctbpf::s16>::operator=<const ctbpf::reg32 &>'
#include <ctbpf.hpp>

using namespace ctbpf::syntax;

constexpr auto prog = ctbpf::assemble<[] {
    return program{
        r0 = 0,
#ifndef CTBPF_TWIN
        mem<s16>(r10 - 2) = w1, // @bad
#else
        mem<u16>(r10 - 2) = w1,
#endif
        r1 = mem<s16>(r10 - 2),
        exit_(),
    };
}, ctbpf::unchecked>();
#ifdef CTBPF_TWIN
static_assert(prog.size() == 4);
#endif
