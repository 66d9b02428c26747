// Kernel tests of declared maps (ctbpf/map_decl.hpp, ctbpf/sys/declared.hpp): maps created from
// their declarations get exactly the declared shape; a program checked at compile time with the
// declarations is loaded with sys::load<F, O>(..., sys::bind<D>(handle)...), test-run, and its
// counts read back through the typed handles; bundles built from declarations; adopting a map
// checks the kernel's shape against the declaration; the run-time path takes declarations too.
#include "sys_test_util.hpp"

#if __has_include(<boost/hana/map.hpp>)
#include <ctbpf/sys/bundle.hpp>
#endif

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <type_traits>
#include <vector>

namespace sys = ctbpf::sys;
using sys_test::bytes;

namespace {

struct flow {
    std::uint32_t saddr, daddr;
    std::uint16_t sport, dport;
};

inline constexpr auto counts = ctbpf::hash_map<"counts", std::uint32_t, std::uint64_t>(64);
inline constexpr auto verdicts = ctbpf::array_map<"verdicts", std::uint32_t>(1);
inline constexpr auto per_cpu = ctbpf::percpu_array_map<"per_cpu", std::uint64_t>(1);
inline constexpr auto flows = ctbpf::lru_hash_map<"flows", flow, std::uint64_t>(128);
inline constexpr auto events = ctbpf::ringbuf_map<"events">(4096);
inline constexpr auto readonly = ctbpf::array_map<"readonly", std::uint64_t>(2, ctbpf::map_rdonly_prog);
inline constexpr ctbpf::map_list<counts, verdicts, per_cpu> packet_maps{};
inline constexpr ctbpf::options xdp{.type = ctbpf::prog_type::xdp};

static_assert(std::is_same_v<sys::handle_t<counts>, sys::map<std::uint32_t, std::uint64_t>>);
static_assert(std::is_same_v<sys::handle_t<verdicts>, sys::map<std::uint32_t, std::uint32_t>>);
static_assert(std::is_same_v<sys::handle_t<per_cpu>, sys::map<std::uint32_t, sys::percpu<std::uint64_t>>>);
static_assert(std::is_same_v<sys::handle_t<events>, sys::ringbuf>);

// opaque<N>: any key or value type of N bytes fits the declaration.
inline constexpr auto opaque_keys = ctbpf::declare_map<"opaque_keys", ctbpf::opaque<6>, std::uint64_t>(ctbpf::map_type::hash, 8);
[[maybe_unused]] auto bind_opaque(const sys::map<std::array<unsigned char, 6>, std::uint64_t>& m) {
    return sys::bind<opaque_keys>(m);
}

// counts[0] += 1 (inserting 1 when absent); per_cpu[0] += 1; returns verdicts[0] (XDP_PASS when
// the lookup fails, which it does not for an array). Every lookup is null-checked: the declarations make check() insist.
constexpr auto count_packets = [] {
    using namespace ctbpf::syntax;
    return program{
        mem<u32>(r10 - 4) = 0,
        r2 = r10,
        r2 += -4,
        r1 = map("counts"),
        call(helper::map_lookup_elem),
        if_(r0 == 0).goto_("insert"),
        r1 = 1,
        lock(mem<u64>(r0 + 0)) += r1,
        goto_("per_cpu"),
    label("insert"),
        mem<u64>(r10 - 16) = 1,
        r2 = r10,
        r2 += -4,
        r3 = r10,
        r3 += -16,
        r4 = 0, // BPF_ANY
        r1 = map("counts"),
        call(helper::map_update_elem),
    label("per_cpu"),
        r2 = r10,
        r2 += -4,
        r1 = map("per_cpu"),
        call(helper::map_lookup_elem),
        if_(r0 == 0).goto_("verdict"),
        r1 = mem<u64>(r0 + 0),
        r1 += 1,
        mem<u64>(r0 + 0) = r1,
    label("verdict"),
        r2 = r10,
        r2 += -4,
        r1 = map("verdicts"),
        call(helper::map_lookup_elem),
        w1 = XDP_PASS,
        if_(r0 == 0).goto_("out"),
        w1 = mem<u32>(r0 + 0),
    label("out"),
        w0 = w1,
        exit_(),
    };
};
// The compile-time check sees the shapes (and the program passes it).
static_assert(ctbpf::check<count_packets, xdp, packet_maps>().ok());

// The same program without the null check on counts: refused at compile time with the
// declarations (see tests/compile_fail/map_decl_programs.cpp), by the kernel without them.
constexpr auto unchecked = [] {
    using namespace ctbpf::syntax;
    return program{
        mem<u32>(r10 - 4) = 0,
        r2 = r10,
        r2 += -4,
        r1 = map("counts"),
        call(helper::map_lookup_elem),
        r1 = 1,
        lock(mem<u64>(r0 + 0)) += r1,
        w0 = XDP_PASS,
        exit_(),
    };
};
static_assert(ctbpf::check<unchecked, xdp, counts>().code == ctbpf::errc::pointer_may_be_null);

// Checked at compile time as an unprivileged user's socket filter: returns skb->len.
inline constexpr ctbpf::options unprivileged_filter{.priv = ctbpf::privilege::unprivileged,
                                                    .type = ctbpf::prog_type::socket_filter};
constexpr auto packet_length = [] {
    using namespace ctbpf::syntax;
    return program{r0 = mem<u32>(r1 + 0), exit_()};
};

std::vector<unsigned char> packet() { return std::vector<unsigned char>(64, 0); }

template <auto D, class H>
void check_info(const H& h) {
    const sys::map_info i = h.raw().info().value();
    CHECK(i.type == static_cast<std::uint32_t>(D.type));
    CHECK(i.key_size == D.key_size);
    CHECK(i.value_size == D.value_size);
    CHECK(i.max_entries == D.max_entries);
    CHECK(i.flags == D.flags);
    CHECK(i.name == decltype(D)::name);
}

} // namespace

TEST_CASE("maps created from declarations have the declared shape") {
    KERNEL_TEST();
    auto c = sys::create<counts>();
    REQUIRE_MESSAGE(c.ok(), (c.ok() ? "" : c.error().describe()));
    check_info<counts>(*c);
    check_info<per_cpu>(sys::create<per_cpu>().value());
    check_info<flows>(sys::create<flows>().value());
    check_info<readonly>(sys::create<readonly>().value());
    auto rb = sys::create<events>();
    REQUIRE(rb.ok());
    CHECK(rb->fd() >= 0);
    // a name given in map_options wins over the declaration's; the shape stays the declaration's
    auto named = sys::create<counts>({.name = "other_name", .flags = 1234});
    REQUIRE(named.ok());
    CHECK(named->info().value().name == "other_name");
    CHECK(named->info().value().flags == 0);
}

TEST_CASE("a program checked with its declared maps loads, runs and counts") {
    KERNEL_TEST();
    const int before = sys_test::open_fds();
    {
        auto c = sys::create<counts>().value();
        auto v = sys::create<verdicts>().value();
        auto pc = sys::create<per_cpu>().value();
        auto p = sys::load<count_packets, xdp>({.name = "count_packets"}, sys::bind<counts>(c), sys::bind<verdicts>(v),
                                              sys::bind<per_cpu>(pc));
        REQUIRE_MESSAGE(p.ok(), (p.ok() ? "" : p.error().describe()));
        CHECK(p->type() == BPF_PROG_TYPE_XDP); // from the options the program was checked with

        const auto pkt = packet();
        const auto data = bytes(pkt.data(), pkt.size());
        CHECK(c.lookup(0).error().not_found());
        CHECK(v.lookup(0).value() == 0); // array elements always exist (zeroed): XDP_ABORTED
        CHECK(sys::test_run(*p, {.data = data}).value().retval == XDP_ABORTED);
        REQUIRE(v.update(0, XDP_PASS).ok());
        for (int i = 0; i < 2; ++i) CHECK(sys::test_run(*p, {.data = data}).value().retval == XDP_PASS);
        CHECK(c.lookup(0).value() == 3);

        REQUIRE(v.update(0, XDP_DROP).ok());
        CHECK(sys::test_run(*p, {.data = data, .repeat = 5}).value().retval == XDP_DROP);
        CHECK(c.lookup(0).value() == 8);
        std::uint64_t total = 0;
        const std::vector<std::uint64_t> per_cpu_counts = pc.lookup(0).value(); // one per possible CPU
        for (std::uint64_t n : per_cpu_counts) total += n;
        CHECK(total == 8);
    }
    CHECK(sys_test::open_fds() == before);
}

TEST_CASE("the program type comes from the options; a different one is refused before the kernel") {
    KERNEL_TEST();
    auto c = sys::create<counts>().value();
    auto p = sys::load<unchecked, ctbpf::unchecked>({.type = BPF_PROG_TYPE_XDP}, sys::bind<counts>(c));
    REQUIRE_FALSE(p.ok()); // the kernel refuses what the declarations would have refused at compile time
    CHECK(p.error().kernel_message.back().find("R0 invalid mem access 'map_value_or_null'") != std::string::npos);

    auto q = sys::load<count_packets, xdp>({.type = BPF_PROG_TYPE_SOCKET_FILTER}, sys::bind<counts>(c),
                                          sys::bind<verdicts>(sys::create<verdicts>().value()),
                                          sys::bind<per_cpu>(sys::create<per_cpu>().value()));
    REQUIRE_FALSE(q.ok());
    CHECK(q.error().is(std::errc::invalid_argument));
    CHECK(q.error().message.find("checked as xdp") != std::string::npos);
}

TEST_CASE("a program checked as unprivileged loads as root: the load's privilege comes from O") {
    KERNEL_TEST();
    auto p = sys::load<packet_length, unprivileged_filter>({.name = "packet_length"});
    REQUIRE_MESSAGE(p.ok(), (p.ok() ? "" : p.error().describe()));
    CHECK(p->type() == BPF_PROG_TYPE_SOCKET_FILTER);
    const auto pkt = packet();
    // (skb->len: the frame without its Ethernet header, which the test run pulls as a socket would)
    CHECK(sys::test_run(*p, {.data = bytes(pkt.data(), pkt.size())}).value().retval == pkt.size() - 14);
    // a root-checked program loaded with an unprivileged verifier: not the check it had, refused with the reason
    constexpr ctbpf::options root_filter{.type = ctbpf::prog_type::socket_filter};
    sys::load_options o{};
    o.verifier.priv = ctbpf::privilege::unprivileged;
    auto r = sys::load<packet_length, root_filter>(o);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().is(std::errc::invalid_argument));
    CHECK(r.error().message.find("other types or privilege") != std::string::npos);
}

TEST_CASE("adopting a map checks the kernel's shape against the declaration") {
    KERNEL_TEST();
    auto c = sys::create<counts>().value();
    auto same = sys::adopt<counts>(sys::raw_map::from_fd(sys::unique_fd(::dup(c.fd()))).value());
    REQUIRE(same.ok());
    REQUIRE(c.update(5, 55).ok());
    CHECK(same->lookup(5).value() == 55);
    // a declaration of other entries or another type: EINVAL, naming both shapes
    constexpr auto bigger = ctbpf::hash_map<"counts", std::uint32_t, std::uint64_t>(128);
    auto other = sys::adopt<bigger>(sys::raw_map::from_fd(sys::unique_fd(::dup(c.fd()))).value());
    REQUIRE_FALSE(other.ok());
    CHECK(other.error().is(std::errc::invalid_argument));
    CHECK(other.error().message.find("the declaration says hash, 4, 8, 128, 0") != std::string::npos);
}

TEST_CASE("run-time programs take declarations too") {
    KERNEL_TEST();
    auto c = sys::create<counts>().value();
    auto v = sys::create<verdicts>().value();
    auto pc = sys::create<per_cpu>().value();
    const sys::assembled_program a = sys::assemble_for_load(count_packets(), xdp, {counts, verdicts, per_cpu});
    REQUIRE(v.update(0, XDP_PASS).ok());
    auto p = sys::load(a.image(), {.type = BPF_PROG_TYPE_XDP}, {{"counts", c}, {"verdicts", v}, {"per_cpu", pc}});
    REQUIRE_MESSAGE(p.ok(), (p.ok() ? "" : p.error().describe()));
    const auto pkt = packet();
    CHECK(sys::test_run(*p, {.data = bytes(pkt.data(), pkt.size())}).value().retval == XDP_PASS);
    CHECK(c.lookup(0).value() == 1);
    CHECK_THROWS_AS((void)sys::assemble_for_load(unchecked(), xdp, {counts}), ctbpf::verifier_error);
}

#if __has_include(<boost/hana/map.hpp>)
namespace {
constexpr auto spec = sys::bundle(sys::map_spec<counts>(), sys::map_spec<verdicts>(), sys::map_spec<per_cpu>(),
                                  sys::map_spec<flows>(),
                                  sys::map_spec<"legacy", std::uint32_t, std::uint32_t>(BPF_MAP_TYPE_ARRAY, 1),
                                  sys::prog_spec<"count", count_packets, xdp>());
using loaded = decltype(sys::load(spec).value());
static_assert(std::is_same_v<decltype(std::declval<loaded&>().map<"counts">()), sys::map<std::uint32_t, std::uint64_t>&>);
static_assert(std::is_same_v<decltype(std::declval<loaded&>().map<"per_cpu">()),
                             sys::map<std::uint32_t, sys::percpu<std::uint64_t>>&>);
static_assert(std::is_same_v<decltype(std::declval<loaded&>().map<"flows">()), sys::map<flow, std::uint64_t>&>);
} // namespace

TEST_CASE("a bundle built from declarations") {
    KERNEL_TEST();
    auto b = sys::load(spec);
    REQUIRE_MESSAGE(b.ok(), (b.ok() ? "" : b.error().describe()));
    check_info<counts>(b->map<"counts">());
    check_info<flows>(b->map<"flows">());
    CHECK(b->prog<"count">().type() == BPF_PROG_TYPE_XDP);
    const auto pkt = packet();
    for (int i = 0; i < 2; ++i) CHECK(sys::test_run(b->prog<"count">(), {.data = bytes(pkt.data(), pkt.size())}).ok());
    CHECK(b->map<"counts">().lookup(0).value() == 2);
}
#endif
