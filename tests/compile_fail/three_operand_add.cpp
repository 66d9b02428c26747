// Mistake: eBPF has no three-operand add: r3 = r1 + 4.
// expect: ctbpf: eBPF has no three-operand add; write r3 = r1 then r3 += 4 (reg + offset is only an address inside mem<T>(...))
// expect: three_operand_add.cpp:@bad@:
#include <ctbpf.hpp>

using namespace ctbpf::syntax;

constexpr auto prog = ctbpf::assemble<[] {
    return program{
        r0 = 0,
#ifndef CTBPF_TWIN
        r3 = r1 + 4, // @bad
#else
        r3 = r1,
        r3 += 4,
#endif
        exit_(),
    };
}, ctbpf::unchecked>();
#ifdef CTBPF_TWIN
static_assert(prog.size() == 4);
#endif
