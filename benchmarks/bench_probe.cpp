// The cost of uprobes: a call of a small function with nothing attached, with a uprobe and with a
// uretprobe (a kprobe program that returns 0, attached through a bpf link), and attaching plus
// detaching a uprobe by symbol name (the ELF symbol lookup included). Needs root.
#include <ctbpf.hpp>
#include <ctbpf/sys.hpp>

#include <benchmark/benchmark.h>

#include "../tests/sys_test_programs.hpp"

#include <unistd.h>

#include <string>

namespace sys = ctbpf::sys;

extern "C" __attribute__((noinline)) int ctbpf_bench_target(int x) {
    asm volatile("" ::: "memory");
    return x + 1;
}

namespace {

std::string self() {
    char buf[4096] = {};
    return ::readlink("/proc/self/exe", buf, sizeof buf - 1) > 0 ? std::string(buf) : std::string();
}

void calls(benchmark::State& state, int mode) { // 0: nothing attached, 1: uprobe, 2: uretprobe
    auto p = sys::load<sys_test::ret0>({.type = BPF_PROG_TYPE_KPROBE});
    if (!p) return state.SkipWithError(p.error().message.c_str());
    sys::result<sys::link> l = sys::link{};
    if (mode != 0) l = sys::attach_uprobe(*p, self(), "ctbpf_bench_target", {.retprobe = mode == 2});
    if (!l) return state.SkipWithError(l.error().message.c_str());
    int x = 0;
    for (auto _ : state) benchmark::DoNotOptimize(x = ctbpf_bench_target(x));
}
void BM_call_plain(benchmark::State& state) { calls(state, 0); }
void BM_call_uprobe(benchmark::State& state) { calls(state, 1); }
void BM_call_uretprobe(benchmark::State& state) { calls(state, 2); }
BENCHMARK(BM_call_plain);
BENCHMARK(BM_call_uprobe);
BENCHMARK(BM_call_uretprobe);

void BM_attach_uprobe(benchmark::State& state) {
    auto p = sys::load<sys_test::ret0>({.type = BPF_PROG_TYPE_KPROBE});
    if (!p) return state.SkipWithError(p.error().message.c_str());
    const std::string exe = self();
    for (auto _ : state) {
        sys::link l = sys::attach_uprobe(*p, exe, "ctbpf_bench_target").value();
        benchmark::DoNotOptimize(l.fd());
    }
}
BENCHMARK(BM_attach_uprobe);

} // namespace

BENCHMARK_MAIN();
