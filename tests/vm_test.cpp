// The interpreter (ctbpf/vm.hpp) on its own: programs run in static_asserts and at run time on
// packets, contexts and maps. The expected values come from the kernel's documented behaviour
// (uapi and helper documentation: errno values, test-run layouts); vm_kernel_test and the
// differential compare the same semantics with the live kernel.
#include <doctest/doctest.h>

#include <array>
#include <string>

#include <ctbpf.hpp>
#include <ctbpf/vm.hpp>

using namespace ctbpf::syntax;
using ctbpf::prog_type;
namespace vm = ctbpf::vm;

namespace {

// The README's XDP example: IPv4 frames pass (XDP_PASS 2), everything else drops (XDP_DROP 1).
constexpr auto xdp_ipv4_only = [] {
    return program{
        w0 = 1,
        r2 = mem<u32>(r1 + 4), // ctx->data_end
        r1 = mem<u32>(r1 + 0), // ctx->data
        r3 = r1,
        r3 += 14,
        if_(r3 > r2).goto_("out"),
        r1 = mem<u16>(r1 + 12), // eth->h_proto
        if_(w1 != 0x0008).goto_("out"),
        w0 = 2,
    label("out"),
        exit_(),
    };
};
template <std::uint16_t EtherType, std::size_t N = 60>
constexpr std::array<std::uint8_t, N> frame_of = [] {
    std::array<std::uint8_t, N> f{};
    for (int i = 0; i < 6; ++i) f[i] = 0x02, f[6 + i] = 0x04;
    f[12] = EtherType >> 8, f[13] = EtherType & 0xff;
    for (std::size_t i = 14; i < N; ++i) f[i] = static_cast<std::uint8_t>(i);
    return f;
}();
constexpr auto ipv4_frame = frame_of<0x0800>;
constexpr auto ipv6_frame = frame_of<0x86dd>;

static_assert(vm::run<xdp_ipv4_only, [] { return vm::input{prog_type::xdp, ipv4_frame}; }>().retval == 2);
static_assert(vm::run<xdp_ipv4_only, [] { return vm::input{prog_type::xdp, ipv6_frame}; }>().retval == 1);
static_assert(vm::run<xdp_ipv4_only>(vm::input{prog_type::xdp, ipv4_frame}).executed == 10);
// a 10-byte runt is refused as BPF_PROG_TEST_RUN refuses it (EINVAL): less than an Ethernet header
static_assert(vm::run<xdp_ipv4_only>(vm::input{prog_type::xdp, std::span(ipv4_frame).first(10)}).fault ==
              vm::fault::bad_input);

// Counting in an array map: the same machine keeps the map between runs.
inline constexpr auto counts = ctbpf::array_map<"counts", std::uint64_t>(4);
constexpr auto count = [] {
    return program{
        mem<u32>(r10 - 4) = 2,
        r2 = r10,
        r2 += -4,
        r1 = map("counts"),
        call(helper::map_lookup_elem),
        if_(r0 == 0).goto_("out"),
        r1 = 1,
        lock(mem<u64>(r0 + 0)) += r1,
    label("out"),
        r0 = 0,
        exit_(),
    };
};
constexpr std::uint64_t count_after(int runs) {
    vm::machine m{static_cast<ctbpf::named_map_shape>(counts)};
    for (int i = 0; i < runs; ++i)
        if (!vm::run<count>(m, vm::input{prog_type::tracepoint}).ok()) return ~0ull;
    const std::uint8_t key[4] = {2, 0, 0, 0};
    return vm::from_bytes<std::uint64_t>(m.map("counts")->lookup(key));
}
static_assert(count_after(3) == 3);
static_assert(vm::run<count, counts>(vm::input{prog_type::tracepoint}).ok());

// Hash map update flags and errors (bpf_map_update_elem: BPF_NOEXIST -EEXIST, BPF_EXIST -ENOENT,
// full -E2BIG; delete of a missing key -ENOENT; an LRU map evicts the least recently used).
constexpr bool hash_semantics() {
    vm::machine m{{"h", {ctbpf::map_type::hash, 4, 8, 2, 0, -1}}, {"l", {ctbpf::map_type::lru_hash, 4, 8, 2, 0, -1}}};
    vm::map_store& h = *m.map("h");
    const auto k1 = vm::to_bytes(std::uint32_t{1}), k2 = vm::to_bytes(std::uint32_t{2}), k3 = vm::to_bytes(std::uint32_t{3});
    const auto v = vm::to_bytes(std::uint64_t{42});
    bool ok = h.update(k1.data(), v.data(), vm::update_exist) == -2;
    ok = ok && h.update(k1.data(), v.data(), vm::update_noexist) == 0;
    ok = ok && h.update(k1.data(), v.data(), vm::update_noexist) == -17;
    ok = ok && h.update(k2.data(), v.data(), vm::update_any) == 0;
    ok = ok && h.update(k3.data(), v.data(), vm::update_any) == -7;
    ok = ok && h.erase(k3.data()) == -2 && h.erase(k2.data()) == 0 && h.count() == 1;
    ok = ok && h.update(k1.data(), v.data(), 4) == -22; // BPF_F_LOCK without a spin lock
    vm::map_store& l = *m.map("l");
    ok = ok && l.update(k1.data(), v.data(), 0) == 0 && l.update(k2.data(), v.data(), 0) == 0;
    ok = ok && l.lookup(k1.data()) != nullptr;                // k1 used: k2 is the least recent
    ok = ok && l.update(k3.data(), v.data(), 0) == 0 && l.lookup(k2.data()) == nullptr && l.lookup(k1.data()) != nullptr;
    return ok;
}
static_assert(hash_semantics());

// Division and modulo by zero, signed division overflow, as the kernel runs them.
constexpr auto arith = [] {
    return program{
        r1 = 7,
        r2 = 0,
        r1 /= r2,      // 0
        r3 = 9,
        w3 %= w2,      // 9
        r4 = 1,
        r4 <<= 63,     // INT64_MIN
        r5 = -1,
        s(r4) /= r5,   // INT64_MIN
        r0 = r1,
        r0 += r3,
        r0 += r4,
        exit_(),
    };
};
static_assert(vm::run<arith>(vm::input{}).retval == 9 + (1ull << 63));

// bpf-to-bpf calls: r6-r9 preserved, r1-r5 passed, each frame its own stack.
constexpr auto calls = [] {
    return program{
        r6 = 6,
        mem<u64>(r10 - 8) = r6,
        r1 = 20,
        call("twice"),
        r0 += r6,              // 40 + 6
        r1 = mem<u64>(r10 - 8),
        r0 += r1,              // + 6
        exit_(),
    label("twice"),
        mem<u64>(r10 - 8) = r1, // the callee's own frame
        r6 = 0,
        r0 = r1,
        r0 += r1,
        exit_(),
    };
};
static_assert(vm::run<calls>(vm::input{}).retval == 52);

// Faults name the kind and the instruction.
constexpr std::uint32_t wild_line = __LINE__ + 4;
constexpr auto wild = [] {
    return program{
        r1 = 0x1000,
        r0 = mem<u64>(r1 + 0),
        exit_(),
    };
};
static_assert(vm::run<wild>(vm::input{}).fault == vm::fault::not_a_pointer);
static_assert(vm::run<wild>(vm::input{}).index == 1);
constexpr auto stack_overflow = [] {
    return program{
        r0 = mem<u64>(r10 - 520),
        exit_(),
    };
};
static_assert(vm::run<stack_overflow>(vm::input{}).fault == vm::fault::out_of_bounds);

} // namespace

TEST_CASE("xdp: packets in, retval and packet out, faults with source lines") {
    const vm::result r = vm::run<xdp_ipv4_only>(vm::input{prog_type::xdp, ipv4_frame});
    CHECK(r.ok());
    CHECK(r.retval == 2);
    CHECK(r.packet == std::span<const std::uint8_t>(ipv4_frame));
    const vm::result w = vm::run<wild>(vm::input{});
    CHECK(w.line == wild_line);
    CHECK(std::string(w.message.view()) == "load through a scalar (0x1000)");
    const vm::result s = vm::run<stack_overflow>(vm::input{});
    CHECK(std::string(s.message.view()) == "load of 8 bytes at stack-520 (stack: fp-512 .. fp)");
}

TEST_CASE("socket filters: LD_ABS reads network byte order from the network header; out of range returns 0") {
    constexpr auto proto = [] {
        return program{
            ctbpf::fn::ld_abs<u8>(9), // IPv4 protocol
            exit_(),
        };
    };
    constexpr auto past = [] {
        return program{
            r0 = 5,
            ctbpf::fn::ld_abs<u32>(1000),
            r0 = 7,
            exit_(),
        };
    };
    auto f = ipv4_frame;
    f[14 + 9] = 17;
    CHECK(vm::run<proto>(vm::input{prog_type::socket_filter, f}).retval == 17);
    const vm::result r = vm::run<past>(vm::input{prog_type::socket_filter, f});
    CHECK(r.ok());
    CHECK(r.retval == 0);
    CHECK(r.executed == 2);
    // socket filters see the packet from the network header; test-run returns it behind a zeroed
    // Ethernet header
    CHECK(r.packet.size() == f.size());
    CHECK(r.packet[12] == 0);
}

TEST_CASE("xdp_adjust_head / xdp_adjust_tail move the packet's ends") {
    constexpr auto pop_eth = [] {
        return program{
            r6 = r1,
            r2 = 14,
            call(helper::xdp_adjust_head),
            r7 = r0,
            r1 = r6,
            r2 = -4,
            call(helper::xdp_adjust_tail),
            r0 += r7,
            exit_(),
        };
    };
    const vm::result r = vm::run<pop_eth>(vm::input{prog_type::xdp, ipv4_frame});
    REQUIRE(r.ok());
    CHECK(r.retval == 0);
    REQUIRE(r.packet.size() == ipv4_frame.size() - 18);
    CHECK(r.packet[0] == ipv4_frame[14]);
    constexpr auto too_far = [] {
        return program{
            r2 = -300, // more than the 256 - 40 bytes of headroom the test-run frame has
            call(helper::xdp_adjust_head),
            exit_(),
        };
    };
    CHECK(vm::run<too_far>(vm::input{prog_type::xdp, ipv4_frame}).retval == static_cast<std::uint64_t>(-22));
}

TEST_CASE("trace_printk text, ring buffer records, registered helpers, trace") {
    constexpr auto print = [] {
        return program{
            r1 = imm64(0x253d78252c64253dull), // "=%d,%x=%" little-endian
            mem<u64>(r10 - 16) = r1,
            r1 = imm64(0x0a73ull),             // "s\n"
            mem<u64>(r10 - 8) = r1,
            r1 = r10,
            r1 += -16,
            r2 = 11,
            r3 = -5,
            r4 = 255,
            r5 = r10,
            r5 += -8,
            call(helper::trace_printk),
            exit_(),
        };
    };
    const vm::result p = vm::run<print>(vm::input{prog_type::tracepoint});
    REQUIRE(p.ok());
    CHECK(p.printed == std::string_view("=-5,ff=s\n\n"));
    CHECK(p.retval == 10);

    constexpr auto submit = [] {
        return program{
            r1 = map("events"),
            r2 = 8,
            r3 = 0,
            call(helper::ringbuf_reserve),
            if_(r0 == 0).goto_("out"),
            r1 = imm64(0x1122334455667788ull),
            mem<u64>(r0 + 0) = r1,
            r1 = r0,
            r2 = 0,
            call(helper::ringbuf_submit),
        label("out"),
            r0 = 0,
            exit_(),
        };
    };
    vm::machine m{{"events", {ctbpf::map_type::ringbuf, 0, 0, 4096, 0, -1}}};
    REQUIRE(vm::run<submit>(m, vm::input{prog_type::tracepoint}).ok());
    REQUIRE(m.map("events")->record_count() == 1);
    CHECK(m.map("events")->record_at(0)[0] == 0x88);

    constexpr auto ask = [] {
        return program{
            r1 = 5,
            call(helper::get_current_pid_tgid),
            exit_(),
        };
    };
    vm::machine h;
    h.env.pid_tgid = 0x1234'0000'5678ull;
    CHECK(vm::run<ask>(h, vm::input{}).retval == 0x1234'0000'5678ull);
    h.add_helper(14, [](vm::helper_call& c) -> std::uint64_t { return c.arg[0] * 3; });
    const vm::result t = vm::run<ask>(h, vm::input{.trace = true});
    CHECK(t.retval == 15);
    REQUIRE(t.trace.size() == 3);
    CHECK((t.trace[0].reg == 1 && t.trace[0].after == 5));
    CHECK((t.trace[1].reg == 0 && t.trace[1].after == 15));

    constexpr auto unknown = [] {
        return program{
            call(helper::get_stackid),
            exit_(),
        };
    };
    const vm::result u = vm::run<unknown>(vm::input{});
    CHECK(u.fault == vm::fault::unknown_helper);
    CHECK(std::string(u.message.view()).find("bpf_get_stackid#27") != std::string::npos);
}

TEST_CASE("result::retval_points_to: r0's region from its tag, not from its value") {
    using ctbpf::make_insn;
    namespace op = ctbpf::op;
    const ctbpf::insn ptr[] = {make_insn(op::alu64 | op::mov | op::x, 0, 10, 0, 0), make_insn(op::alu64 | op::add, 0, 0, 0, -8),
                               make_insn(op::jmp | op::exit, 0, 0, 0, 0)};
    const vm::result a = vm::run(ptr, vm::input{});
    CHECK(a.ok());
    CHECK(a.retval_points_to == vm::region_kind::stack);
    // the value of base(region 128) + 0xffff, made by arithmetic: a scalar
    const ctbpf::insn scalar[] = {make_insn(op::ld | op::imm | op::dw, 0, 0, 0, 0x0000ffff), make_insn(0, 0, 0, 0, static_cast<std::int32_t>(0xffff0080u)),
                                  make_insn(op::jmp | op::exit, 0, 0, 0, 0)};
    const vm::result b = vm::run(scalar, vm::input{});
    CHECK(b.ok());
    CHECK(b.retval == 0xffff'0080'0000'ffffull);
    CHECK(b.retval_points_to == vm::region_kind::none);
}
