// sys::test_run for each program type the kernel can test-run: each program reads its input and
// returns (or writes) something derived from it; the kernel's answer must show the input was seen.
// Inputs a type cannot take are refused before the kernel is asked.
#include "sys_test_util.hpp"

#include <linux/bpf.h>
#include <netinet/in.h> // IPPROTO_TCP

#include <unistd.h>

#include <array>
#include <cstddef>
#include <cstring>
#include <vector>

using namespace sys_test;

namespace {

// An Ethernet frame: IPv4 ethertype, then `extra` bytes counting up from 0x40.
std::vector<unsigned char> frame(std::size_t extra) {
    std::vector<unsigned char> f(14 + extra, 0);
    f[12] = 0x08;
    for (std::size_t i = 0; i < extra; ++i) f[14 + i] = static_cast<unsigned char>(0x40 + i);
    return f;
}
std::span<const std::byte> as_span(const std::vector<unsigned char>& v) { return bytes(v.data(), v.size()); }

// netfilter: NF_ACCEPT (reading the packet needs kfuncs); XDP: XDP_DROP
constexpr auto ret1 = [] {
    using namespace ctbpf::syntax;
    return program{r0 = 1, exit_()};
};
// socket_filter, cgroup_skb: skb->len (the kernel pulls the Ethernet header: len = size - 14)
constexpr auto skb_len = [] {
    using namespace ctbpf::syntax;
    return program{r0 = mem<u32>(r1 + 0), exit_()};
};
// cgroup_skb returns 0 or 1: the low bit of skb->len
constexpr auto skb_len_bit = [] {
    using namespace ctbpf::syntax;
    return program{r0 = mem<u32>(r1 + 0), r0 &= 1, exit_()};
};
// sched_cls: the packet's byte 14 (direct packet access), 0 when too short
constexpr auto tc_byte14 = [] {
    using namespace ctbpf::syntax;
    return program{
        r0 = 0,
        r2 = mem<u32>(r1 + 76),
        r3 = mem<u32>(r1 + 80),
        r4 = r2,
        r4 += 15,
        if_(r4 > r3).goto_("out"),
        r0 = mem<u8>(r2 + 14),
    label("out"),
        exit_(),
    };
};
// XDP: returns byte 14 + 100 and writes byte 14 into byte 0 of the data out
constexpr auto xdp_byte14 = [] {
    using namespace ctbpf::syntax;
    return program{
        r0 = 0,
        r2 = mem<u32>(r1 + 0),
        r3 = mem<u32>(r1 + 4),
        r4 = r2,
        r4 += 15,
        if_(r4 > r3).goto_("out"),
        r0 = mem<u8>(r2 + 14),
        mem<u8>(r2 + 0) = r0,
        r0 += 100,
    label("out"),
        exit_(),
    };
};
// raw_tracepoint: args[0] + args[1] (u64 arguments)
constexpr auto raw_tp_sum = [] {
    using namespace ctbpf::syntax;
    return program{r0 = mem<u64>(r1 + 0), r2 = mem<u64>(r1 + 8), r0 += r2, exit_()};
};
// raw_tracepoint: cpu * 1000 + args[0]
constexpr auto raw_tp_cpu = [] {
    using namespace ctbpf::syntax;
    return program{
        r6 = mem<u64>(r1 + 0),
        call(helper::get_smp_processor_id),
        r0 *= 1000,
        r0 += r6,
        exit_(),
    };
};
// syscall: ctx[1] = ctx[0] * 3 (u32s), returns ctx[0] + 1
constexpr auto syscall_triple = [] {
    using namespace ctbpf::syntax;
    return program{
        r2 = mem<u32>(r1 + 0),
        r3 = r2,
        r3 *= 3,
        mem<u32>(r1 + 4) = r3,
        r0 = r2,
        r0 += 1,
        exit_(),
    };
};
// flow_dissector: keys->ip_proto = packet byte 23 (IPv4 protocol), keys->sport = keys->flags
constexpr int flow_keys_off = offsetof(__sk_buff, flow_keys);
constexpr auto flow_proto = [] {
    using namespace ctbpf::syntax;
    return program{
        r6 = mem<u64>(r1 + flow_keys_off),
        r2 = mem<u32>(r1 + 76),
        r3 = mem<u32>(r1 + 80),
        r0 = 2, // BPF_DROP
        r4 = r2,
        r4 += 24,
        if_(r4 > r3).goto_("out"),
        r5 = mem<u8>(r2 + 23),
        mem<u8>(r6 + 9) = r5,
        r5 = mem<u32>(r6 + 48),
        mem<u16>(r6 + 12) = r5,
        r0 = 0, // BPF_OK
    label("out"),
        exit_(),
    };
};
// sk_lookup: SK_PASS when the local port is 8080, else SK_DROP
constexpr auto sk_lookup_port = [] {
    using namespace ctbpf::syntax;
    return program{
        r0 = 0,
        r2 = mem<u32>(r1 + 60),
        if_(r2 != 8080).goto_("out"),
        r0 = 1,
    label("out"),
        exit_(),
    };
};

template <class T>
T read_as(const std::vector<std::byte>& v) {
    T t{};
    REQUIRE(v.size() >= sizeof t);
    std::memcpy(&t, v.data(), sizeof t);
    return t;
}

bool says(const sys::error& e, std::string_view s) { return e.message.find(s) != std::string::npos; }

} // namespace

TEST_CASE("socket_filter sees the packet (skb->len)") {
    KERNEL_TEST();
    auto p = sys::load<skb_len>({.type = BPF_PROG_TYPE_SOCKET_FILTER});
    REQUIRE_MESSAGE(p.ok(), (p.ok() ? "" : p.error().describe()));
    for (std::size_t extra : {20u, 50u}) {
        auto r = sys::test_run(*p, {.data = as_span(frame(extra)), .repeat = 3});
        REQUIRE_MESSAGE(r.ok(), (r.ok() ? "" : r.error().describe()));
        CHECK(r->retval == extra);
    }
    // the kernel refuses an IPv4 frame without a whole IPv4 header: said before it is asked
    auto short_ = sys::test_run(*p, {.data = as_span(frame(6))});
    REQUIRE_FALSE(short_.ok());
    CHECK(says(short_.error(), "need at least 34 bytes of data for an IPv4 frame"));
}

TEST_CASE("sched_cls reads the packet directly") {
    KERNEL_TEST();
    auto p = sys::load<tc_byte14>({.type = BPF_PROG_TYPE_SCHED_CLS});
    REQUIRE_MESSAGE(p.ok(), (p.ok() ? "" : p.error().describe()));
    auto r = sys::test_run(*p, {.data = as_span(frame(20))});
    REQUIRE_MESSAGE(r.ok(), (r.ok() ? "" : r.error().describe()));
    CHECK(r->retval == 0x40);
    CHECK(r->data.size() == 34);
}

TEST_CASE("xdp: retval and data out from the packet") {
    KERNEL_TEST();
    auto p = sys::load<xdp_byte14>({.type = BPF_PROG_TYPE_XDP});
    REQUIRE_MESSAGE(p.ok(), (p.ok() ? "" : p.error().describe()));
    auto f = frame(3);
    f[14] = 0x17;
    auto r = sys::test_run(*p, {.data = as_span(f)});
    REQUIRE_MESSAGE(r.ok(), (r.ok() ? "" : r.error().describe()));
    CHECK(r->retval == 0x17 + 100);
    REQUIRE(r->data.size() == f.size());
    CHECK(r->data[0] == std::byte{0x17});
    CHECK(r->data[14] == std::byte{0x17});

    auto short_ = sys::test_run(*p, {.data = as_span(f).first(10)});
    REQUIRE_FALSE(short_.ok());
    CHECK(says(short_.error(), "need at least 14 bytes of data"));
    CHECK(says(short_.error(), "the kernel was not asked"));
    auto cpu = sys::test_run(*p, {.data = as_span(f), .cpu = 1});
    REQUIRE_FALSE(cpu.ok());
    CHECK(says(cpu.error(), "cannot be run on a chosen cpu"));

    // live frames take no data or context out (the kernel refuses them); a live run itself is
    // not tried here (EPERM on the test machine)
    auto drop = sys::load<ret1>({.type = BPF_PROG_TYPE_XDP}); // XDP_DROP
    REQUIRE(drop.ok());
    auto live_out = sys::test_run(*drop, {.data = as_span(f), .data_out_size = 64, .flags = sys::test_xdp_live_frames});
    REQUIRE_FALSE(live_out.ok());
    CHECK(says(live_out.error(), "no data or context out"));
    auto batch = sys::test_run(*drop, {.data = as_span(f), .batch_size = 2});
    REQUIRE_FALSE(batch.ok());
    CHECK(says(batch.error(), "batch_size is for XDP programs run with BPF_F_TEST_XDP_LIVE_FRAMES"));
}

TEST_CASE("cgroup_skb sees the packet") {
    KERNEL_TEST();
    auto p = sys::load<skb_len_bit>({.type = BPF_PROG_TYPE_CGROUP_SKB});
    REQUIRE_MESSAGE(p.ok(), (p.ok() ? "" : p.error().describe()));
    auto odd = sys::test_run(*p, {.data = as_span(frame(21))});
    auto even = sys::test_run(*p, {.data = as_span(frame(22))});
    REQUIRE_MESSAGE(odd.ok(), (odd.ok() ? "" : odd.error().describe()));
    REQUIRE(even.ok());
    CHECK(odd->retval == 1);
    CHECK(even->retval == 0);
}

TEST_CASE("raw_tracepoint: u64 arguments as the context, no repeat; on a chosen cpu") {
    KERNEL_TEST();
    auto p = sys::load<raw_tp_sum>({.type = BPF_PROG_TYPE_RAW_TRACEPOINT});
    REQUIRE_MESSAGE(p.ok(), (p.ok() ? "" : p.error().describe()));
    const std::array<std::uint64_t, 2> args{40, 2};
    // the default repeat (1) is fine: the kernel's refusal of any repeat count is handled
    auto r = sys::test_run(*p, {.ctx = bytes(args.data(), sizeof args)});
    REQUIRE_MESSAGE(r.ok(), (r.ok() ? "" : r.error().describe()));
    CHECK(r->retval == 42);
    CHECK(r->ctx.empty());
    CHECK(r->data.empty());

    auto rep = sys::test_run(*p, {.ctx = bytes(args.data(), sizeof args), .repeat = 5});
    REQUIRE_FALSE(rep.ok());
    CHECK(says(rep.error(), "run once per test run"));
    const auto f = frame(1);
    auto data = sys::test_run(*p, {.data = as_span(f), .ctx = bytes(args.data(), sizeof args)});
    REQUIRE_FALSE(data.ok());
    CHECK(says(data.error(), "take no packet data"));
    const std::array<std::uint64_t, 13> many{};
    auto big = sys::test_run(*p, {.ctx = bytes(many.data(), sizeof many)});
    REQUIRE_FALSE(big.ok());
    CHECK(says(big.error(), "at most 96 bytes"));
    auto nocpu = sys::test_run(*p, {.ctx = bytes(args.data(), sizeof args), .cpu = 1});
    REQUIRE_FALSE(nocpu.ok());
    CHECK(says(nocpu.error(), "needs flags BPF_F_TEST_RUN_ON_CPU"));

    auto c = sys::load<raw_tp_cpu>({.type = BPF_PROG_TYPE_RAW_TRACEPOINT});
    REQUIRE_MESSAGE(c.ok(), (c.ok() ? "" : c.error().describe()));
    const long cpus = ::sysconf(_SC_NPROCESSORS_ONLN);
    for (std::uint32_t cpu = 0; cpu < static_cast<std::uint32_t>(cpus) && cpu < 4; ++cpu) {
        const std::uint64_t arg = 7;
        auto on = sys::test_run(*c, {.ctx = bytes(&arg, sizeof arg), .flags = sys::test_run_on_cpu, .cpu = cpu});
        REQUIRE_MESSAGE(on.ok(), (on.ok() ? "" : on.error().describe()));
        CHECK(on->retval == cpu * 1000 + 7);
    }
}

TEST_CASE("syscall: the context is read and written back") {
    KERNEL_TEST();
    auto p = sys::load<syscall_triple>({.type = BPF_PROG_TYPE_SYSCALL, .flags = BPF_F_SLEEPABLE});
    REQUIRE_MESSAGE(p.ok(), (p.ok() ? "" : p.error().describe()));
    const std::array<std::uint32_t, 2> in{14, 0};
    auto r = sys::test_run(*p, {.ctx = bytes(in.data(), sizeof in)});
    REQUIRE_MESSAGE(r.ok(), (r.ok() ? "" : r.error().describe()));
    CHECK(r->retval == 15);
    const auto out = read_as<std::array<std::uint32_t, 2>>(r->ctx);
    CHECK(out[0] == 14);
    CHECK(out[1] == 42);
    CHECK(in[1] == 0); // the caller's input is not written

    auto ctx_out = sys::test_run(*p, {.ctx = bytes(in.data(), sizeof in), .ctx_out_size = 8});
    REQUIRE_FALSE(ctx_out.ok());
    CHECK(says(ctx_out.error(), "give the context back in place"));
    auto flags = sys::test_run(*p, {.ctx = bytes(in.data(), sizeof in), .flags = sys::test_run_on_cpu});
    REQUIRE_FALSE(flags.ok());
    CHECK(says(flags.error(), "syscall programs take no flags; BPF_F_TEST_RUN_ON_CPU given"));
}

TEST_CASE("flow_dissector: packet in, struct bpf_flow_keys out") {
    KERNEL_TEST();
    auto p = sys::load<flow_proto>({.type = BPF_PROG_TYPE_FLOW_DISSECTOR});
    REQUIRE_MESSAGE(p.ok(), (p.ok() ? "" : p.error().describe()));
    auto f = frame(20);
    f[23] = 17; // IPv4 protocol: UDP
    bpf_flow_keys ctx{};
    ctx.flags = BPF_FLOW_DISSECTOR_F_PARSE_1ST_FRAG;
    auto r = sys::test_run(*p, {.data = as_span(f), .ctx = bytes(&ctx, sizeof ctx), .repeat = 2});
    REQUIRE_MESSAGE(r.ok(), (r.ok() ? "" : r.error().describe()));
    CHECK(r->retval == 0);
    REQUIRE(r->data.size() == sizeof(bpf_flow_keys));
    const auto keys = read_as<bpf_flow_keys>(r->data);
    CHECK(keys.ip_proto == 17);
    CHECK(keys.nhoff == 14);
    CHECK(keys.n_proto == 0x0008);
    CHECK(keys.sport == BPF_FLOW_DISSECTOR_F_PARSE_1ST_FRAG);

    auto short_ = sys::test_run(*p, {.data = as_span(f), .flags = sys::test_run_on_cpu});
    REQUIRE_FALSE(short_.ok());
    CHECK(says(short_.error(), "take no flags"));
}

TEST_CASE("sk_lookup: struct bpf_sk_lookup in and out") {
    KERNEL_TEST();
    auto p = sys::load<sk_lookup_port>({.type = BPF_PROG_TYPE_SK_LOOKUP, .expected_attach_type = BPF_SK_LOOKUP});
    REQUIRE_MESSAGE(p.ok(), (p.ok() ? "" : p.error().describe()));
    for (std::uint32_t port : {8080u, 8081u}) {
        bpf_sk_lookup ctx{};
        ctx.family = AF_INET;
        ctx.protocol = IPPROTO_TCP;
        ctx.local_port = port;
        auto r = sys::test_run(*p, {.ctx = bytes(&ctx, sizeof ctx), .repeat = 2});
        REQUIRE_MESSAGE(r.ok(), (r.ok() ? "" : r.error().describe()));
        CHECK(r->retval == (port == 8080 ? 1u : 0u));
        CHECK(r->ctx.size() == sizeof ctx);
    }
    auto none = sys::test_run(*p, {});
    REQUIRE_FALSE(none.ok());
    CHECK(says(none.error(), "need a context (ctx: struct bpf_sk_lookup)"));
    const auto f = frame(1);
    auto data = sys::test_run(*p, {.data = as_span(f)});
    REQUIRE_FALSE(data.ok());
    CHECK(says(data.error(), "take no packet data"));
}

TEST_CASE("netfilter: an IP packet in (at least 20 bytes), no data out") {
    KERNEL_TEST();
    auto p = sys::load<ret1>({.type = sys::k::prog_type_netfilter, .expected_attach_type = sys::k::attach_netfilter});
    REQUIRE_MESSAGE(p.ok(), (p.ok() ? "" : p.error().describe()));
    std::array<unsigned char, 20> ip{};
    ip[0] = 0x45; // IPv4, 20-byte header (the default hook is LOCAL_OUT: no Ethernet header)
    auto r = sys::test_run(*p, {.data = bytes(ip.data(), ip.size()), .repeat = 2});
    REQUIRE_MESSAGE(r.ok(), (r.ok() ? "" : r.error().describe()));
    CHECK(r->retval == 1);
    CHECK(r->data.empty());
    auto short_ = sys::test_run(*p, {.data = bytes(ip.data(), 10)});
    REQUIRE_FALSE(short_.ok());
    CHECK(says(short_.error(), "netfilter programs need at least 20 bytes of data"));
    auto out = sys::test_run(*p, {.data = bytes(ip.data(), ip.size()), .data_out_size = 64});
    REQUIRE_FALSE(out.ok());
    CHECK(says(out.error(), "netfilter programs give no data out"));
}

TEST_CASE("the input rules follow net/bpf/test_run.c") {
    static_assert(sys::test_run_inputs_of(BPF_PROG_TYPE_RAW_TRACEPOINT).known);
    static_assert(!sys::test_run_inputs_of(BPF_PROG_TYPE_RAW_TRACEPOINT).repeat);
    static_assert(sys::test_run_inputs_of(BPF_PROG_TYPE_SYSCALL).ctx_in_place);
    static_assert(!sys::test_run_inputs_of(BPF_PROG_TYPE_SK_LOOKUP).data);
    static_assert(sys::test_run_inputs_of(sys::k::prog_type_netfilter).min_data == 20);
    static_assert(!sys::test_run_inputs_of(BPF_PROG_TYPE_KPROBE).known);
    CHECK(sys::test_run_inputs_of(BPF_PROG_TYPE_CGROUP_SKB).min_data == 14);
}
