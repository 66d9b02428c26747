// Kernel tests of typed bundles (Boost.Hana): maps with different key and value types, a ring
// buffer, a program array and programs described at compile time, loaded in one call, used through
// typed handles by name; a failing entry closes what was created and names itself.
#include "sys_test_util.hpp"

#include <ctbpf/sys/bundle.hpp>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string>
#include <type_traits>
#include <vector>

namespace sys = ctbpf::sys;
using sys_test::bytes;

namespace {

struct flow {
    std::uint32_t saddr, daddr;
    std::uint16_t sport, dport;
    std::uint32_t proto;
};

using sys_test::count_runs;
constexpr auto emit = sys_test::emit_record<1234>;
constexpr auto jump = sys_test::tail_call_or<0, XDP_DROP>; // jumps[0], else XDP_DROP

constexpr auto broken = [] {
    using namespace ctbpf::syntax;
    return program{
        r1 = map_value("counts", 0),
        r0 = mem<u64>(r1 + 8), // past the 8-byte value
        exit_(),
    };
};

constexpr auto spec = sys::bundle(
    sys::map_spec<"counts", std::uint32_t, std::uint64_t>(BPF_MAP_TYPE_ARRAY, 1),
    sys::map_spec<"flows", flow, std::uint64_t>(BPF_MAP_TYPE_LRU_HASH, 128),
    sys::map_spec<"per_cpu", std::uint32_t, sys::percpu<std::uint64_t>>(BPF_MAP_TYPE_PERCPU_ARRAY, 4),
    sys::ringbuf_spec<"events">(4096),
    sys::prog_array_spec<"jumps">(2),
    sys::prog_spec<"count", count_runs>(BPF_PROG_TYPE_XDP),
    sys::prog_spec<"emit", emit>(BPF_PROG_TYPE_XDP),
    sys::prog_spec<"jump", jump>(BPF_PROG_TYPE_XDP));

using loaded = decltype(sys::load(spec).value());
static_assert(std::is_same_v<decltype(std::declval<loaded&>().map<"counts">()), sys::map<std::uint32_t, std::uint64_t>&>);
static_assert(std::is_same_v<decltype(std::declval<loaded&>().map<"flows">()), sys::map<flow, std::uint64_t>&>);
static_assert(std::is_same_v<decltype(std::declval<loaded&>().map<"per_cpu">()),
                             sys::map<std::uint32_t, sys::percpu<std::uint64_t>>&>);
static_assert(std::is_same_v<decltype(std::declval<loaded&>().map<"events">()), sys::ringbuf&>);
static_assert(std::is_same_v<decltype(std::declval<loaded&>().map<"jumps">()), sys::prog_array&>);
static_assert(std::is_same_v<decltype(std::declval<loaded&>().prog<"emit">()), sys::prog&>);

constexpr auto broken_spec = sys::bundle(sys::map_spec<"counts", std::uint32_t, std::uint64_t>(BPF_MAP_TYPE_ARRAY, 1),
                                         sys::prog_spec<"count", count_runs>(BPF_PROG_TYPE_XDP),
                                         sys::prog_spec<"broken", broken>(BPF_PROG_TYPE_XDP));

constexpr auto bad_map_spec = sys::bundle(sys::map_spec<"counts", std::uint32_t, std::uint64_t>(BPF_MAP_TYPE_ARRAY, 1),
                                          sys::map_spec<"empty", std::uint32_t, std::uint64_t>(BPF_MAP_TYPE_HASH, 0),
                                          sys::prog_spec<"count", count_runs>(BPF_PROG_TYPE_XDP));

std::vector<unsigned char> packet() { return std::vector<unsigned char>(64, 0); }

// A cgroup_skb program returning 7: out of range for ingress [0, 1] and egress [0, 3].
constexpr auto returns_7 = [] {
    using namespace ctbpf::syntax;
    return program{r0 = 7, exit_()};
};
constexpr auto ingress_spec = sys::bundle(sys::prog_spec<"verdict", returns_7>(BPF_PROG_TYPE_CGROUP_SKB));
constexpr auto egress_spec =
    sys::bundle(sys::prog_spec<"verdict", returns_7>(ctbpf::prog_type::cgroup_skb, ctbpf::attach_type::cgroup_inet_egress));
constexpr ctbpf::options egress_unchecked{.type = ctbpf::prog_type::cgroup_skb,
                                          .expected_attach_type = ctbpf::attach_type::cgroup_inet_egress,
                                          .verify = false};
constexpr auto egress_unchecked_spec = sys::bundle(sys::prog_spec<"verdict", returns_7, egress_unchecked>());

} // namespace

TEST_CASE("a bundle loads in one call and gives typed handles by name") {
    KERNEL_TEST();
    auto b = sys::load(spec);
    REQUIRE_MESSAGE(b.ok(), (b.ok() ? "" : b.error().describe()));
    const auto pkt = packet();
    const auto data = bytes(pkt.data(), pkt.size());

    // Programs use the bundle's maps: their map("name") loads were bound by name.
    for (int i = 0; i < 3; ++i) REQUIRE(sys::test_run(b->prog<"count">(), {.data = data}).ok());
    CHECK(b->map<"counts">().lookup(0).value() == 3);

    auto consumer = sys::ringbuf_consumer::create(b->map<"events">());
    REQUIRE(consumer.ok());
    REQUIRE(sys::test_run(b->prog<"emit">(), {.data = data}).ok());
    std::uint64_t record = 0;
    CHECK(consumer->consume([&](std::span<const std::byte> r) { std::memcpy(&record, r.data(), 8); }) == 1);
    CHECK(record == 1234);

    CHECK(sys::test_run(b->prog<"jump">(), {.data = data}).value().retval == XDP_DROP);
    REQUIRE(b->map<"jumps">().set(0, b->prog<"count">()).ok());
    CHECK(sys::test_run(b->prog<"jump">(), {.data = data}).value().retval == XDP_PASS);
    CHECK(b->map<"counts">().lookup(0).value() == 4);

    // Typed keys and values of every kind.
    const flow f{0x0100007f, 0x0100007f, 1234, 80, 6};
    REQUIRE(b->map<"flows">().update(f, 99).ok());
    CHECK(b->map<"flows">().lookup(f).value() == 99);
    CHECK(b->map<"per_cpu">().lookup(1).value().size() == sys::possible_cpus());

    // Names the kernel knows.
    CHECK(b->prog<"emit">().info().value().name == "emit");
    CHECK(b->map<"counts">().info().value().name == "counts");

    std::vector<std::string> names;
    b->for_each([&](std::string_view name, const auto& handle) {
        names.emplace_back(name);
        CHECK(handle.fd() >= 0);
    });
    CHECK(names == std::vector<std::string>{"counts", "flows", "per_cpu", "events", "jumps", "count", "emit", "jump"});
}

TEST_CASE("a bundle whose program the verifier rejects: the error names it, nothing stays open") {
    KERNEL_TEST();
    const int before = sys_test::open_fds();
    {
        auto b = sys::load(broken_spec);
        REQUIRE_FALSE(b.ok());
        const sys::error& e = b.error();
        CHECK(e.message.find("loading the bundle: BPF_PROG_LOAD xdp 'broken'") == 0);
        CHECK(e.is(std::errc::permission_denied));
        CHECK(e.insn == 2u);
        CHECK(e.annotation.find("insn 2: r0 = *(u64 *)(r1 + 8)") == 0);
        CHECK_FALSE(e.kernel_message.empty());
    }
    CHECK(sys_test::open_fds() == before);
}

TEST_CASE("a bundle checks each program with its load's program type and attach type") {
    // refused before bpf(): no kernel needed
    auto in = sys::load(ingress_spec);
    REQUIRE_FALSE(in.ok());
    CHECK(in.error().message_from == "ctbpf");
    CHECK(in.error().message.find("ctbpf's verifier rejects the program (return value is out of range); the kernel was "
                                  "not asked") != std::string::npos);
    CHECK(in.error().kernel_message ==
          std::vector<std::string>{"At program exit the register R0 has smin=7 smax=7 should have been in [0, 1]"});
    CHECK(in.error().insn == 1u);
    auto out = sys::load(egress_spec);
    REQUIRE_FALSE(out.ok());
    CHECK(out.error().kernel_message ==
          std::vector<std::string>{"At program exit the register R0 has smin=7 smax=7 should have been in [0, 3]"});
    // the kernel (the oracle) refuses it with the same message when asked
    KERNEL_TEST();
    auto k = sys::load(egress_unchecked_spec);
    REQUIRE_FALSE(k.ok());
    CHECK(k.error().message_from == "kernel");
    CHECK(k.error().is(std::errc::invalid_argument));
    CHECK(std::find(k.error().kernel_message.begin(), k.error().kernel_message.end(), out.error().kernel_message[0]) !=
          k.error().kernel_message.end());
}

TEST_CASE("a bundle whose map cannot be created: the error names it, nothing stays open") {
    KERNEL_TEST();
    const int before = sys_test::open_fds();
    {
        auto b = sys::load(bad_map_spec);
        REQUIRE_FALSE(b.ok());
        CHECK(b.error().message.find("loading the bundle: BPF_MAP_CREATE hash 'empty'") == 0);
    }
    CHECK(sys_test::open_fds() == before);
}
