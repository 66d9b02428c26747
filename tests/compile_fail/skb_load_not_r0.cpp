// Mistake: legacy packet loads write r0: r1 = skb<u8>[12].
// expect: legacy_packet_loads_write_r0
// expect-gcc: call to non-'constexpr' function 'void ctbpf::diag::legacy_packet_loads_write_r0()'
// expect-clang: non-constexpr function 'legacy_packet_loads_write_r0' cannot be used in a constant expression
// expect: skb_load_not_r0.cpp:@bad@:
#include <ctbpf.hpp>

using namespace ctbpf::syntax;

constexpr auto prog = ctbpf::assemble<[] {
    return program{
        r0 = 0,
#ifndef CTBPF_TWIN
        r1 = skb<u8>[12], // @bad
#else
        r0 = skb<u8>[12],
#endif
        exit_(),
    };
}, ctbpf::unchecked>();
#ifdef CTBPF_TWIN
static_assert(prog.size() == 3);
#endif
