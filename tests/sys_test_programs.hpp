// The small eBPF programs that several kernel-facing tests (and bench_load) load; no test
// framework here, so benchmarks can include it too.
#pragma once

#include <ctbpf.hpp>

#include <cstdint>

namespace sys_test {

// Small programs that more than one test file loads. Each is a captureless lambda, the form
// sys::load<F>() and sys::prog_spec<"name", F>() take; a template gives one distinct program per
// argument.

// Returns 0: the bpf() probe of sys_test_util.hpp, a no-op tracepoint program, a cgroup_skb
// program that drops all.
inline constexpr auto ret0 = [] {
    using namespace ctbpf::syntax;
    return program{r0 = 0, exit_()};
};

// XDP: adds 1 to counts[0] through a direct value address (lddw src=6), returns XDP_PASS.
inline constexpr auto count_runs = [] {
    using namespace ctbpf::syntax;
    return program{
        r1 = map_value("counts", 0),
        r2 = 1,
        lock(mem<u64>(r1 + 0)) += r2,
        w0 = XDP_PASS,
        exit_(),
    };
};

// XDP: writes the 8-byte record `Value` to the ring buffer "events", returns XDP_PASS.
// (Template parameters go through dyn(): Clang 14 refuses them as literals in a consteval
// conversion inside a template.)
template <std::int32_t Value>
inline constexpr auto emit_record = [] {
    using namespace ctbpf::syntax;
    return program{
        mem<u64>(r10 - 8) = dyn(Value),
        r1 = map("events"),
        r2 = r10,
        r2 += -8,
        r3 = 8,
        r4 = 0,
        call(helper::ringbuf_output),
        w0 = XDP_PASS,
        exit_(),
    };
};

// Tail-calls slot `Slot` of the program array "jumps"; when the slot is empty, returns `Ret`.
template <std::int32_t Slot, std::int32_t Ret>
inline constexpr auto tail_call_or = [] {
    using namespace ctbpf::syntax;
    return program{
        r2 = map("jumps"),
        r3 = dyn(Slot),
        call(helper::tail_call),
        w0 = dyn(Ret),
        exit_(),
    };
};

// XDP: pass IPv4, drop the rest (the design document's example).
inline constexpr auto xdp_ipv4_only = [] {
    using namespace ctbpf::syntax;
    return program{
        w0 = XDP_DROP,
        r2 = mem<u32>(r1 + 4),
        r1 = mem<u32>(r1 + 0),
        r3 = r1,
        r3 += 14,
        if_(r3 > r2).goto_("out"),
        r1 = mem<u16>(r1 + 12),
        if_(w1 != 0x0008).goto_("out"),
        w0 = XDP_PASS,
    label("out"),
        exit_(),
    };
};

} // namespace sys_test
