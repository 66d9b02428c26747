// Loading the same program through the shim (sys::load) and through a hand-written
// bpf(BPF_PROG_LOAD) call, in the same run. BM_interleaved alternates the two in one loop so that
// drift (other load on the machine, kernel caches) hits both alike; its counter `ratio` is
// shim time / raw time, which the README quotes (target: at most 1.05).
#include <ctbpf.hpp>
#include <ctbpf/sys.hpp>

#include <benchmark/benchmark.h>

#include "../tests/sys_test_programs.hpp"

#include <linux/bpf.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstring>
#include <stdexcept>

namespace sys = ctbpf::sys;

namespace {

constexpr auto insns = ctbpf::assemble<sys_test::xdp_ipv4_only>();
constexpr auto count_insns = ctbpf::assemble<sys_test::count_runs>();

// The raw syscall, as the eBPF tutorials write it.
int raw_load(const bpf_insn* prog, unsigned n, const int* fd_array) {
    union bpf_attr attr;
    std::memset(&attr, 0, sizeof attr);
    attr.prog_type = BPF_PROG_TYPE_XDP;
    attr.insns = reinterpret_cast<std::uintptr_t>(prog);
    attr.insn_cnt = n;
    attr.license = reinterpret_cast<std::uintptr_t>("GPL");
    attr.fd_array = reinterpret_cast<std::uintptr_t>(fd_array);
    const int fd = static_cast<int>(::syscall(SYS_bpf, BPF_PROG_LOAD, &attr, sizeof attr));
    if (fd < 0) throw std::runtime_error("raw BPF_PROG_LOAD failed");
    return fd;
}

void BM_raw_load(benchmark::State& state) {
    for (auto _ : state) ::close(raw_load(insns.data(), insns.size(), nullptr));
}
BENCHMARK(BM_raw_load);

void BM_shim_load(benchmark::State& state) {
    for (auto _ : state) {
        sys::prog p = sys::load<sys_test::xdp_ipv4_only>({.type = BPF_PROG_TYPE_XDP}).value();
        benchmark::DoNotOptimize(p.fd());
    }
}
BENCHMARK(BM_shim_load);

void BM_raw_load_with_map(benchmark::State& state) {
    auto m = sys::map<std::uint32_t, std::uint64_t>::create(BPF_MAP_TYPE_ARRAY, 1).value();
    const int fds[] = {m.fd()};
    for (auto _ : state) ::close(raw_load(count_insns.data(), count_insns.size(), fds));
}
BENCHMARK(BM_raw_load_with_map);

void BM_shim_load_with_map(benchmark::State& state) {
    auto m = sys::map<std::uint32_t, std::uint64_t>::create(BPF_MAP_TYPE_ARRAY, 1).value();
    for (auto _ : state) {
        sys::prog p = sys::load<sys_test::count_runs>({.type = BPF_PROG_TYPE_XDP}, {{"counts", m}}).value();
        benchmark::DoNotOptimize(p.fd());
    }
}
BENCHMARK(BM_shim_load_with_map);

// Both in one loop, alternating; reports mean ns of each and their ratio.
template <class Raw, class Shim>
void interleaved(benchmark::State& state, Raw raw, Shim shim) {
    using clock = std::chrono::steady_clock;
    clock::duration t_raw{}, t_shim{};
    std::int64_t n = 0;
    for (auto _ : state) {
        const bool shim_first = (n & 1) != 0;
        for (int k = 0; k < 2; ++k) {
            const bool do_shim = (k == 0) == shim_first;
            const auto t0 = clock::now();
            if (do_shim)
                shim();
            else
                raw();
            (do_shim ? t_shim : t_raw) += clock::now() - t0;
        }
        ++n;
    }
    const double raw_ns = std::chrono::duration<double, std::nano>(t_raw).count() / static_cast<double>(n);
    const double shim_ns = std::chrono::duration<double, std::nano>(t_shim).count() / static_cast<double>(n);
    state.counters["raw_ns"] = raw_ns;
    state.counters["shim_ns"] = shim_ns;
    state.counters["ratio"] = shim_ns / raw_ns;
}

void BM_interleaved(benchmark::State& state) {
    interleaved(
        state, [] { ::close(raw_load(insns.data(), insns.size(), nullptr)); },
        [] { benchmark::DoNotOptimize(sys::load<sys_test::xdp_ipv4_only>({.type = BPF_PROG_TYPE_XDP}).value().fd()); });
}
BENCHMARK(BM_interleaved)->MinTime(2.0);

void BM_interleaved_with_map(benchmark::State& state) {
    auto m = sys::map<std::uint32_t, std::uint64_t>::create(BPF_MAP_TYPE_ARRAY, 1).value();
    const int fds[] = {m.fd()};
    interleaved(
        state, [&] { ::close(raw_load(count_insns.data(), count_insns.size(), fds)); },
        [&] { benchmark::DoNotOptimize(sys::load<sys_test::count_runs>({.type = BPF_PROG_TYPE_XDP}, {{"counts", m}}).value().fd()); });
}
BENCHMARK(BM_interleaved_with_map)->MinTime(2.0);

} // namespace

BENCHMARK_MAIN();
