// Perf-buffer throughput against the ring buffer's, in the same run: the same producer (a
// sched_cls program test-run with BPF_PROG_TEST_RUN repeat=N, emitting one record of 16, 64 or
// 256 bytes per run from a map value through bpf_perf_event_output or bpf_ringbuf_output; not
// XDP, whose test-run with repeat > 1 updates the XDP dispatcher, two synchronize_rcu()s a call)
// and a consumer thread draining it (sys::perf_buffer, sys::ringbuf_consumer; 256 KiB of ring
// each). The perf buffer wakes its reader after every sample (the default, as libbpf's) or, in
// *_wakeup64, every 64th. An iteration ends when every record of its batch was read or refused;
// the program counts the records its helper refused (ring full) in a map. Counters: records/s and
// bytes/s received, lost (refused) records. BM_*_phases time the two sides apart (see phases()).
// Needs root (CAP_BPF + CAP_PERFMON): otherwise says SKIP and runs nothing.
#include <ctbpf.hpp>
#include <ctbpf/sys.hpp>

#include <benchmark/benchmark.h>

#include <unistd.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace sys = ctbpf::sys;

namespace {

constexpr std::uint32_t ring_bytes = 256 * 1024;
constexpr std::uint32_t batch = 8192; // records per iteration (test-run repeat)

// After the output helper: a refusal (r0 != 0) adds 1 to drops[0]; returns TC_ACT_OK.
constexpr ctbpf::program count_refusal() {
    using namespace ctbpf::syntax;
    return program{
        if_(r0 == 0).goto_("out"),
        r1 = map_value("drops", 0),
        r2 = 1,
        lock(mem<u64>(r1 + 0)) += r2,
    label("out"),
        w0 = 0, // TC_ACT_OK
        exit_(),
    };
}

// bpf_perf_event_output(ctx, &events, BPF_F_CURRENT_CPU, payload, Size), then count_refusal.
template <std::int32_t Size>
inline constexpr auto perf_emit = [] {
    using namespace ctbpf::syntax;
    return program{
        r2 = map("events"),
        w3 = -1, // BPF_F_CURRENT_CPU
        r4 = map_value("payload", 0),
        r5 = dyn(Size),
        call(helper::perf_event_output),
    } + count_refusal();
};

// bpf_ringbuf_output(&events, payload, Size, 0), then count_refusal.
template <std::int32_t Size>
inline constexpr auto ringbuf_emit = [] {
    using namespace ctbpf::syntax;
    return program{
        r1 = map("events"),
        r2 = map_value("payload", 0),
        r3 = dyn(Size),
        r4 = 0,
        call(helper::ringbuf_output),
    } + count_refusal();
};

using payload_map = sys::map<std::uint32_t, std::array<std::uint8_t, 256>>;
using drops_map = sys::map<std::uint32_t, std::uint64_t>;

// One producer/consumer pair: the loaded program, its drop counter, and a drain function
// (waits up to the timeout in ms, returns the records it read).
struct channel {
    sys::prog prog;
    drops_map drops;
    std::function<std::size_t(int)> drain;
    std::function<std::uint64_t()> kernel_lost = [] { return std::uint64_t{0}; };
};

template <std::int32_t Size>
channel perf_channel(const payload_map& payload, std::uint32_t wakeup_events) {
    auto events = std::make_shared<sys::perf_event_array>(sys::perf_event_array::create(0, {.name = "events"}).value());
    channel c;
    c.drops = drops_map::create(BPF_MAP_TYPE_ARRAY, 1, {.name = "drops"}).value();
    c.prog = sys::load<perf_emit<Size>>({.type = BPF_PROG_TYPE_SCHED_CLS, .name = "perf_emit"},
                                         {{"events", *events}, {"payload", payload}, {"drops", c.drops}})
                 .value();
    auto buf = std::make_shared<sys::perf_buffer>(
        sys::perf_buffer::create(*events, {.pages = ring_bytes / static_cast<std::uint32_t>(::sysconf(_SC_PAGESIZE)), .wakeup_events = wakeup_events}).value());
    c.drain = [buf, events](int timeout) { return buf->poll(timeout, [](std::span<const std::byte>) {}).value(); };
    c.kernel_lost = [buf] { return buf->lost(); };
    return c;
}

template <std::int32_t Size>
channel ringbuf_channel(const payload_map& payload) {
    auto rb = std::make_shared<sys::ringbuf>(sys::ringbuf::create(ring_bytes, {.name = "events"}).value());
    channel c;
    c.drops = drops_map::create(BPF_MAP_TYPE_ARRAY, 1, {.name = "drops"}).value();
    c.prog = sys::load<ringbuf_emit<Size>>({.type = BPF_PROG_TYPE_SCHED_CLS, .name = "ringbuf_emit"},
                                            {{"events", *rb}, {"payload", payload}, {"drops", c.drops}})
                 .value();
    auto cons = std::make_shared<sys::ringbuf_consumer>(sys::ringbuf_consumer::create(*rb).value());
    c.drain = [cons, rb](int timeout) { return cons->poll(timeout, [](std::span<const std::byte>) {}).value(); };
    return c;
}

void throughput(benchmark::State& state, channel c, std::uint32_t size) {
    const std::vector<std::byte> packet(64, std::byte{0});
    std::atomic<std::uint64_t> got{0};
    std::atomic<bool> stop{false};
    std::thread consumer([&] {
        while (!stop.load(std::memory_order_relaxed)) got.fetch_add(c.drain(10), std::memory_order_relaxed);
    });
    std::uint64_t produced = 0, lost = 0;
    const std::uint64_t lost_before = c.drops.lookup(0).value();
    for (auto _ : state) {
        const std::uint64_t got0 = got.load(), lost0 = c.drops.lookup(0).value();
        auto r = sys::test_run(c.prog, {.data = packet, .repeat = batch});
        if (!r) {
            state.SkipWithError(("test-run failed: " + r.error().describe()).c_str());
            break;
        }
        const std::uint64_t refused = c.drops.lookup(0).value() - lost0;
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
        while (got.load() - got0 < batch - refused) {
            if (std::chrono::steady_clock::now() > deadline) {
                state.SkipWithError("records neither read nor counted as refused within 10 s");
                break;
            }
            std::this_thread::yield();
        }
        produced += batch;
    }
    stop = true;
    consumer.join();
    lost = c.drops.lookup(0).value() - lost_before;
    const double received = static_cast<double>(produced - lost);
    state.counters["records/s"] = benchmark::Counter(received, benchmark::Counter::kIsRate);
    state.counters["bytes/s"] = benchmark::Counter(received * size, benchmark::Counter::kIsRate, benchmark::Counter::kIs1024);
    state.counters["lost"] = static_cast<double>(lost);
    state.counters["lost%"] = produced ? 100.0 * static_cast<double>(lost) / static_cast<double>(produced) : 0;
    state.counters["kernel_lost"] = static_cast<double>(c.kernel_lost()); // perf: PERF_RECORD_LOST counts
}

// The two sides apart, each without waiting on the other: a batch that fits in the ring is
// produced (the kernel's own time per run, from test-run), then drained by this thread (timed
// here). Less exposed to scheduling than the concurrent run on a shared machine.
void phases(benchmark::State& state, channel c, std::uint32_t size) {
    const std::vector<std::byte> packet(64, std::byte{0});
    const std::uint32_t fits = ring_bytes / (size + 64); // room for either kind's record header
    double produce_ns = 0, consume_ns = 0;
    std::uint64_t records = 0;
    const std::uint64_t lost0 = c.drops.lookup(0).value();
    for (auto _ : state) {
        const std::uint64_t before = c.drops.lookup(0).value();
        auto r = sys::test_run(c.prog, {.data = packet, .repeat = fits});
        if (!r) {
            state.SkipWithError(("test-run failed: " + r.error().describe()).c_str());
            return;
        }
        produce_ns += static_cast<double>(r->duration.count()) * fits;
        const std::uint64_t want = fits - (c.drops.lookup(0).value() - before);
        const auto t0 = std::chrono::steady_clock::now();
        std::size_t got = 0;
        while (got < want) got += c.drain(0);
        consume_ns += std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - t0).count();
        records += fits;
    }
    state.counters["produce_ns/record"] = produce_ns / static_cast<double>(records);
    state.counters["consume_ns/record"] = consume_ns / static_cast<double>(records);
    state.counters["lost"] = static_cast<double>(c.drops.lookup(0).value() - lost0);
}

template <std::int32_t Size>
void register_size(const payload_map& payload) {
    const std::string n = std::to_string(Size);
    benchmark::RegisterBenchmark(("BM_perf_buffer/" + n).c_str(), [&payload](benchmark::State& s) {
        throughput(s, perf_channel<Size>(payload, 1), Size);
    })->UseRealTime()->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark(("BM_perf_buffer_wakeup64/" + n).c_str(), [&payload](benchmark::State& s) {
        throughput(s, perf_channel<Size>(payload, 64), Size);
    })->UseRealTime()->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark(("BM_ringbuf/" + n).c_str(), [&payload](benchmark::State& s) {
        throughput(s, ringbuf_channel<Size>(payload), Size);
    })->UseRealTime()->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark(("BM_perf_buffer_phases/" + n).c_str(), [&payload](benchmark::State& s) {
        phases(s, perf_channel<Size>(payload, 1), Size);
    })->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark(("BM_perf_buffer_wakeup64_phases/" + n).c_str(), [&payload](benchmark::State& s) {
        phases(s, perf_channel<Size>(payload, 64), Size);
    })->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark(("BM_ringbuf_phases/" + n).c_str(), [&payload](benchmark::State& s) {
        phases(s, ringbuf_channel<Size>(payload), Size);
    })->Unit(benchmark::kMillisecond);
}

} // namespace

int main(int argc, char** argv) {
    benchmark::Initialize(&argc, argv);
    constexpr auto ret0 = [] {
        using namespace ctbpf::syntax;
        return program{r0 = 0, exit_()};
    };
    auto payload = payload_map::create(BPF_MAP_TYPE_ARRAY, 1, {.name = "payload"});
    auto probe = sys::load<ret0>({.type = BPF_PROG_TYPE_SCHED_CLS});
    if (!payload || !probe) {
        std::printf("SKIP: bench_perf_buffer needs root (CAP_BPF + CAP_PERFMON): %s\n",
                    (payload ? probe.error() : payload.error()).describe().c_str());
        return 0;
    }
    register_size<16>(*payload);
    register_size<64>(*payload);
    register_size<256>(*payload);
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
