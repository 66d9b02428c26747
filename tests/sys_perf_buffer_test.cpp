// Kernel tests of perf event arrays (sys::perf_buffer): an XDP program run by BPF_PROG_TEST_RUN on
// each CPU in turn (this thread pinned there) calls bpf_perf_event_output, and each CPU's samples
// arrive from that CPU's ring; a one-page ring with records of an odd size that wrap around its end,
// all read intact and in order; samples lost when the ring is full are counted; no fd leaked.
#include "sys_test_util.hpp"

#include <sched.h>
#include <unistd.h>

#include <array>
#include <cstdint>
#include <string>
#include <cstring>
#include <map>
#include <vector>

namespace sys = ctbpf::sys;

namespace {

// XDP: seq[0] += 1, then a Size-byte sample {u64 seq, u64 cpu, bytes 0, 1, 2, ...} to the perf
// event array "events" at the current CPU. Size is at most 32.
template <std::int32_t Size>
inline constexpr auto emit_sample = [] {
    using namespace ctbpf::syntax;
    return program{
        r6 = r1,
        call(helper::get_smp_processor_id),
        mem<u64>(r10 - 24) = r0,
        r1 = map_value("seq", 0),
        r2 = mem<u64>(r1 + 0),
        r2 += 1,
        mem<u64>(r1 + 0) = r2,
        mem<u64>(r10 - 32) = r2,
        r1 = imm64(0x0706050403020100),
        mem<u64>(r10 - 16) = r1,
        r1 = imm64(0x0f0e0d0c0b0a0908),
        mem<u64>(r10 - 8) = r1,
        r1 = r6,
        r2 = map("events"),
        w3 = -1, // BPF_F_CURRENT_CPU (zero-extended: no context bytes appended)
        r4 = r10,
        r4 += -32,
        r5 = dyn(Size),
        call(helper::perf_event_output),
        w0 = XDP_PASS,
        exit_(),
    };
};

struct sample {
    std::uint64_t seq = 0, cpu = 0;
    std::uint32_t ring_cpu = 0;
    std::size_t size = 0;
    bool pattern_ok = false;
};

template <std::int32_t Size>
sample decode(std::uint32_t ring_cpu, std::span<const std::byte> d) {
    sample s;
    s.ring_cpu = ring_cpu;
    s.size = d.size();
    if (d.size() < static_cast<std::size_t>(Size)) return s;
    std::memcpy(&s.seq, d.data(), 8);
    std::memcpy(&s.cpu, d.data() + 8, 8);
    s.pattern_ok = true;
    for (std::int32_t i = 16; i < Size; ++i)
        if (std::to_integer<int>(d[static_cast<std::size_t>(i)]) != i - 16) s.pattern_ok = false;
    return s;
}

const std::vector<std::byte> packet(64, std::byte{0});

struct affinity_guard {
    cpu_set_t saved{};
    affinity_guard() { ::sched_getaffinity(0, sizeof saved, &saved); }
    ~affinity_guard() { ::sched_setaffinity(0, sizeof saved, &saved); }
};

using seq_map = sys::map<std::uint32_t, std::uint64_t>;

} // namespace

TEST_CASE("perf buffer: samples from every CPU arrive on that CPU's ring") {
    KERNEL_TEST();
    if (sys_test::lacks_caps({{sys::detail::cap_bpf, "CAP_BPF"}, {sys::detail::cap_perfmon, "CAP_PERFMON"}})) return;
    const int fds_before = sys_test::open_fds();
    {
        sys::perf_event_array events = sys::perf_event_array::create(0, {.name = "events"}).value();
        CHECK(events.max_entries() == sys::possible_cpus());
        seq_map seq = seq_map::create(BPF_MAP_TYPE_ARRAY, 1, {.name = "seq"}).value();
        sys::prog p = sys::load<emit_sample<24>>({.type = BPF_PROG_TYPE_XDP, .name = "emit_sample"},
                                                 {{"events", events}, {"seq", seq}})
                          .value();
        auto buf = sys::perf_buffer::create(events, {.pages = 4});
        REQUIRE_MESSAGE(buf.ok(), (buf.ok() ? "" : buf.error().message));
        CHECK(buf->cpus() == sys::online_cpus());
        CHECK(buf->ring_size() == 4u * static_cast<std::size_t>(::sysconf(_SC_PAGESIZE)));

        affinity_guard guard;
        std::vector<std::uint32_t> pinned;
        constexpr int per_cpu = 5;
        for (std::uint32_t cpu : sys::online_cpus()) {
            if (!CPU_ISSET(cpu, &guard.saved)) continue; // not ours to run on (a cpuset)
            cpu_set_t one;
            CPU_ZERO(&one);
            CPU_SET(cpu, &one);
            REQUIRE(::sched_setaffinity(0, sizeof one, &one) == 0);
            pinned.push_back(cpu);
            for (int i = 0; i < per_cpu; ++i) REQUIRE(sys::test_run(p, {.data = packet}).value().retval == XDP_PASS);
        }
        REQUIRE_FALSE(pinned.empty());
        MESSAGE("samples written on CPUs: " << pinned.size() << " of " << sys::online_cpus().size() << " online");

        std::vector<sample> got;
        for (int tries = 0; tries < 50 && got.size() < pinned.size() * per_cpu; ++tries) {
            auto n = buf->poll(100, [&](std::uint32_t cpu, std::span<const std::byte> d) { got.push_back(decode<24>(cpu, d)); });
            REQUIRE(n.ok());
        }
        REQUIRE(got.size() == pinned.size() * per_cpu);
        std::map<std::uint32_t, int> per;
        for (const sample& s : got) {
            CHECK(s.cpu == s.ring_cpu);  // written on the CPU whose ring it came from
            CHECK(s.size == 28);         // 24 bytes, padded so that 4 + size is a multiple of 8
            CHECK(s.pattern_ok);
            ++per[s.ring_cpu];
        }
        for (std::uint32_t cpu : pinned) CHECK(per[cpu] == per_cpu);
        CHECK(buf->lost() == 0);
        CHECK(buf->poll(0, [](std::span<const std::byte>) {}).value() == 0);

        // Typed: the same samples as a struct; one more run on the last CPU.
        struct event {
            std::uint64_t seq, cpu;
            std::array<std::uint8_t, 8> pattern;
        };
        REQUIRE(sys::test_run(p, {.data = packet}).ok());
        std::vector<event> typed;
        for (int tries = 0; tries < 50 && typed.empty(); ++tries)
            REQUIRE(buf->poll_as<event>(100, [&](const event& e) { typed.push_back(e); }).ok());
        REQUIRE(typed.size() == 1);
        CHECK(typed[0].seq == pinned.size() * per_cpu + 1);
        CHECK(typed[0].cpu == pinned.back());
        CHECK(typed[0].pattern == std::array<std::uint8_t, 8>{0, 1, 2, 3, 4, 5, 6, 7});
        CHECK(buf->short_samples() == 0);
        struct too_big {
            std::array<std::uint64_t, 8> x;
        };
        REQUIRE(sys::test_run(p, {.data = packet}).ok());
        std::size_t handed = 0;
        for (int tries = 0; tries < 50 && buf->short_samples() == 0; ++tries)
            REQUIRE(buf->poll_as<too_big>(100, [&](std::uint32_t, const too_big&) { ++handed; }).ok());
        CHECK(handed == 0);
        CHECK(buf->short_samples() == 1);
    }
    CHECK(sys_test::open_fds() == fds_before);
}

TEST_CASE("perf buffer: records of an odd size wrap around a one-page ring and are read intact, in order") {
    KERNEL_TEST();
    if (sys_test::lacks_caps({{sys::detail::cap_bpf, "CAP_BPF"}, {sys::detail::cap_perfmon, "CAP_PERFMON"}})) return;
    const int fds_before = sys_test::open_fds();
    {
        sys::perf_event_array events = sys::perf_event_array::create(0, {.name = "events"}).value();
        seq_map seq = seq_map::create(BPF_MAP_TYPE_ARRAY, 1, {.name = "seq"}).value();
        sys::prog p = sys::load<emit_sample<29>>({.type = BPF_PROG_TYPE_XDP}, {{"events", events}, {"seq", seq}}).value();
        sys::perf_buffer buf = sys::perf_buffer::create(events, {.pages = 1}).value();
        const std::size_t ring = buf.ring_size();
        // A record: 8 (header) + 4 (size) + 36 (29 bytes padded) = 48 bytes; the ring is not a
        // multiple of 48, so records straddle its end.
        REQUIRE(ring % 48 != 0);

        affinity_guard guard;
        std::uint32_t cpu = 0;
        while (!CPU_ISSET(cpu, &guard.saved)) ++cpu;
        cpu_set_t one;
        CPU_ZERO(&one);
        CPU_SET(cpu, &one);
        REQUIRE(::sched_setaffinity(0, sizeof one, &one) == 0);

        std::uint64_t next = 1;
        std::size_t total = 0, bad = 0;
        const std::size_t batch = (ring / 48) / 2; // half a ring at a time: never full
        for (int round = 0; round < 40; ++round) {
            for (std::size_t i = 0; i < batch; ++i) REQUIRE(sys::test_run(p, {.data = packet}).ok());
            std::size_t n = buf.consume([&](std::uint32_t c, std::span<const std::byte> d) {
                const sample s = decode<29>(c, d);
                if (s.seq != next || s.cpu != cpu || !s.pattern_ok || s.size != 36) ++bad;
                next = s.seq + 1;
            });
            CHECK(n == batch);
            total += n;
        }
        CHECK(bad == 0);
        CHECK(total == 40 * batch);
        CHECK(buf.lost() == 0);
        CHECK(buf.wrapped() > 0); // some records were copied out in two pieces
        MESSAGE(total << " records of 48 bytes through a " << ring << "-byte ring; " << buf.wrapped() << " wrapped around its end");

        // Overrun: more than the ring holds, unread. The kernel counts what it could not store and
        // reports it (PERF_RECORD_LOST) before the next sample that fits.
        const std::size_t over = 2 * (ring / 48);
        for (std::size_t i = 0; i < over; ++i) REQUIRE(sys::test_run(p, {.data = packet}).ok());
        std::uint64_t lost_reported = 0;
        const std::size_t kept = buf.consume([](std::span<const std::byte>) {}, [&](std::uint32_t, std::uint64_t n) { lost_reported += n; });
        CHECK(kept < over);
        CHECK(kept > 0);
        REQUIRE(sys::test_run(p, {.data = packet}).ok());
        const std::size_t after = buf.consume([](std::span<const std::byte>) {}, [&](std::uint32_t, std::uint64_t n) { lost_reported += n; });
        CHECK(after == 1);
        CHECK(lost_reported == over - kept);
        CHECK(buf.lost() == over - kept);
    }
    CHECK(sys_test::open_fds() == fds_before);
}

TEST_CASE("perf buffer: errors say what to change") {
    KERNEL_TEST();
    if (sys_test::lacks_caps({{sys::detail::cap_bpf, "CAP_BPF"}, {sys::detail::cap_perfmon, "CAP_PERFMON"}})) return;
    sys::perf_event_array events = sys::perf_event_array::create(0).value();
    auto bad_pages = sys::perf_buffer::create(events, {.pages = 3});
    REQUIRE_FALSE(bad_pages.ok());
    CHECK(bad_pages.error().message.find("must be a power of 2") != std::string::npos);
    if (sys::online_cpus().back() >= 1) {
        sys::perf_event_array small = sys::perf_event_array::create(1).value();
        auto too_small = sys::perf_buffer::create(small);
        REQUIRE_FALSE(too_small.ok());
        CHECK(too_small.error().message.find("it needs one per possible CPU") != std::string::npos);
    }
    auto not_perf = sys::perf_event_array::adopt(sys::raw_map::create(BPF_MAP_TYPE_ARRAY, 4, 4, 1).value());
    REQUIRE_FALSE(not_perf.ok());
    CHECK(not_perf.error().message.find("not a perf event array") != std::string::npos);
}
