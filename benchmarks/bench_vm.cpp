// The interpreter at run time against the kernel's own test-run, the same programs and packets in
// the same run: an ALU-and-branch loop and an XDP parser (Ethernet, IPv4/IPv6, TCP/UDP ports).
// Each benchmark's counter ns_per_insn is time per executed instruction (the interpreter counts
// them; the kernel's runs are timed by BPF_PROG_TEST_RUN's own duration with repeat, divided by the
// interpreter's count for the same run). Without privilege the kernel benchmarks report an error.
#include <ctbpf.hpp>
#include <ctbpf/sys.hpp>
#include <ctbpf/vm.hpp>

#include <benchmark/benchmark.h>

#include <array>
#include <cstdint>
#include <span>
#include <vector>

namespace sys = ctbpf::sys;
namespace vm = ctbpf::vm;
using namespace ctbpf::syntax;

namespace {

// 1,000 iterations of 8 ALU operations and a branch.
constexpr auto alu_loop = [] {
    return program{
        r0 = 0,
        r1 = 1000,
        r2 = 0x12345,
    label("loop"),
        r0 += r1,
        r0 ^= r2,
        r3 = r0,
        r3 >>= 3,
        r0 -= r3,
        w4 = w0,
        w4 *= 7,
        r0 |= r4,
        r1 -= 1,
        if_(r1 != 0).goto_("loop"),
        w0 &= 3, // a valid XDP action
        exit_(),
    };
};

// Ethernet -> IPv4/IPv6 -> TCP/UDP destination port; passes port 80, drops the rest.
constexpr auto parser = [] {
    return program{
        r2 = mem<u32>(r1 + 0), // data
        r3 = mem<u32>(r1 + 4), // data_end
        w0 = XDP_PASS,
        r4 = r2,
        r4 += 14,
        if_(r4 > r3).goto_("out"),
        r5 = mem<u16>(r2 + 12),
        if_(w5 == 0x0008).goto_("ipv4"),
        if_(w5 != 0xdd86).goto_("out"),
        r4 = r2,
        r4 += 54, // + ipv6hdr
        if_(r4 > r3).goto_("out"),
        r6 = mem<u8>(r2 + 20), // nexthdr
        r2 += 54,
        goto_("l4"),
    label("ipv4"),
        r4 = r2,
        r4 += 34, // + iphdr
        if_(r4 > r3).goto_("out"),
        r6 = mem<u8>(r2 + 23), // protocol
        r5 = mem<u8>(r2 + 14),
        r5 &= 0x0f,
        r5 <<= 2, // ihl * 4
        if_(r5 < 20).goto_("out"),
        r2 += 14,
        r2 += r5,
    label("l4"),
        if_(w6 == 6).goto_("ports"),
        if_(w6 != 17).goto_("out"),
    label("ports"),
        r4 = r2,
        r4 += 4,
        if_(r4 > r3).goto_("out"),
        r5 = mem<u16>(r2 + 2), // dest port (network order)
        w0 = XDP_DROP,
        if_(w5 != 0x5000).goto_("out"),
        w0 = XDP_PASS,
    label("out"),
        exit_(),
    };
};

constexpr std::array<std::uint8_t, 64> tcp_frame = [] {
    std::array<std::uint8_t, 64> f{};
    f[12] = 0x08, f[13] = 0x00; // IPv4
    f[14] = 0x45, f[23] = 6;    // ihl 5, TCP
    f[36] = 0x00, f[37] = 80;   // dport 80
    return f;
}();

template <auto F>
void vm_bench(benchmark::State& state) {
    vm::machine m;
    vm::input in{ctbpf::prog_type::xdp, tcp_frame};
    std::uint64_t executed = 0;
    for (auto _ : state) {
        vm::result r = vm::run<F>(m, in);
        executed += r.executed;
        benchmark::DoNotOptimize(r.retval);
    }
    state.counters["ns_per_insn"] = benchmark::Counter(static_cast<double>(executed), benchmark::Counter::kIsRate |
                                                                                          benchmark::Counter::kInvert);
    state.counters["insns_per_run"] = static_cast<double>(executed) / static_cast<double>(state.iterations());
}

template <auto F>
void kernel_bench(benchmark::State& state) {
    auto p = sys::load<F>({.type = BPF_PROG_TYPE_XDP});
    if (!p) {
        state.SkipWithError(("cannot load into the kernel: " + p.error().describe()).c_str());
        return;
    }
    const std::uint64_t per_run = vm::run<F>(vm::input{ctbpf::prog_type::xdp, tcp_frame}).executed;
    const auto* bytes = reinterpret_cast<const std::byte*>(tcp_frame.data());
    double ns = 0;
    std::uint64_t runs = 0;
    constexpr std::uint32_t repeat = 1000;
    for (auto _ : state) {
        auto r = sys::test_run(*p, {.data = std::span(bytes, tcp_frame.size()), .repeat = repeat});
        if (!r) {
            state.SkipWithError(("test-run failed: " + r.error().describe()).c_str());
            return;
        }
        ns += static_cast<double>(r->duration.count()) * repeat; // duration: the mean per run
        runs += repeat;
    }
    state.counters["ns_per_insn"] = ns / static_cast<double>(runs * per_run);
    state.counters["insns_per_run"] = static_cast<double>(per_run);
}

void BM_vm_alu_loop(benchmark::State& s) { vm_bench<alu_loop>(s); }
void BM_kernel_alu_loop(benchmark::State& s) { kernel_bench<alu_loop>(s); }
void BM_vm_xdp_parser(benchmark::State& s) { vm_bench<parser>(s); }
void BM_kernel_xdp_parser(benchmark::State& s) { kernel_bench<parser>(s); }
BENCHMARK(BM_vm_alu_loop);
BENCHMARK(BM_kernel_alu_loop);
BENCHMARK(BM_vm_xdp_parser);
BENCHMARK(BM_kernel_xdp_parser);

} // namespace

BENCHMARK_MAIN();
