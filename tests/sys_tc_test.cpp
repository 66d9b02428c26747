// Kernel tests of tc: tcx links and legacy tc (clsact + direct-action cls_bpf over rtnetlink) on a
// veth pair between two private network namespaces, dropping UDP datagrams to one port as the
// receiving sockets see it; tcx programs ordered with before/after anchors (the order observed by
// the programs themselves and by BPF_PROG_QUERY), the expected revision; detaching on destruction;
// a netkit pair (made over rtnetlink, peer in the other namespace) with a link on its primary hook
// the same way, skipped when the kernel has no netkit; no fd leaked.
#include "sys_test_util.hpp"

#include <ctbpf/sys/tc.hpp>

#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <string>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

namespace sys = ctbpf::sys;

namespace {

constexpr std::uint16_t drop_port = 7001, keep_port = 7002;

// sched_cls: drops IPv4 UDP datagrams to port Port (TC_ACT_SHOT / TCX_DROP), passes the rest
// (TC_ACT_OK / TCX_PASS). The packet starts at the Ethernet header.
template <std::uint16_t Port>
inline constexpr auto drop_udp_port = [] {
    using namespace ctbpf::syntax;
    return program{
        w0 = 0,
        r2 = mem<u32>(r1 + 80), // data_end
        r1 = mem<u32>(r1 + 76), // data
        r3 = r1,
        r3 += 38,               // Ethernet + a 20-byte IPv4 header + the UDP ports
        if_(r3 > r2).goto_("out"),
        w3 = mem<u16>(r1 + 12),
        if_(w3 != 0x0008).goto_("out"), // ETH_P_IP, big-endian
        w3 = mem<u8>(r1 + 14),
        if_(w3 != 0x45).goto_("out"),   // IPv4 without options
        w3 = mem<u8>(r1 + 23),
        if_(w3 != 17).goto_("out"),     // UDP
        w3 = mem<u16>(r1 + 36),
        if_(w3 != dyn(((Port & 0xff) << 8) | (Port >> 8))).goto_("out"),
        w0 = 2,
    label("out"),
        exit_(),
    };
};

// tcx: the first time it runs, stores its turn (1, 2, ...) in order[Slot] (order[0] counts turns);
// returns TCX_NEXT so the next program runs too.
template <std::int32_t Slot>
inline constexpr auto record_turn = [] {
    using namespace ctbpf::syntax;
    return program{
        r6 = map_value("order", 0),
        r7 = r6,
        r7 += dyn(Slot * 8),
        r1 = mem<u64>(r7 + 0),
        if_(r1 != 0).goto_("out"),
        r1 = mem<u64>(r6 + 0),
        r1 += 1,
        mem<u64>(r6 + 0) = r1,
        mem<u64>(r7 + 0) = r1,
    label("out"),
        w0 = -1,
        exit_(),
    };
};

sys::unique_fd udp_socket(const char* ip, std::uint16_t port) {
    sys::unique_fd s(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    REQUIRE(s);
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_port = htons(port);
    ::inet_pton(AF_INET, ip, &sa.sin_addr);
    REQUIRE(::bind(s.get(), reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0);
    timeval tv{0, 150 * 1000};
    ::setsockopt(s.get(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    return s;
}

// Sends `n` datagrams from `a` to 10.199.0.2 at each port; returns how many arrived at each.
struct arrived {
    int dropped_port = 0, kept_port = 0;
};
arrived send_and_count(sys_test::netns_pair& ns, int n = 3, const char* to_ip = "10.199.0.2") {
    sys::unique_fd rx_drop = udp_socket(to_ip, drop_port);
    sys::unique_fd rx_keep = udp_socket(to_ip, keep_port);
    sys::unique_fd tx = ns.in(ns.a.get(), [] { return sys::unique_fd(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)); });
    REQUIRE(tx);
    for (int i = 0; i < n; ++i)
        for (std::uint16_t port : {drop_port, keep_port}) {
            sockaddr_in to{};
            to.sin_family = AF_INET;
            to.sin_port = htons(port);
            ::inet_pton(AF_INET, to_ip, &to.sin_addr);
            const std::string msg = "datagram " + std::to_string(i);
            REQUIRE(::sendto(tx.get(), msg.data(), msg.size(), 0, reinterpret_cast<sockaddr*>(&to), sizeof to) ==
                    static_cast<ssize_t>(msg.size()));
        }
    // The kept port's datagrams first (up to 2 s for all n); each followed the other port's on
    // the same path, so by then those were delivered or dropped, and one 150 ms wait finds them.
    auto drain = [](int fd, int want) {
        int got = 0;
        char buf[64];
        for (int waits = 0; got < want && waits < 14; ++waits)
            while (got < want && ::recv(fd, buf, sizeof buf, 0) > 0) ++got;
        while (::recv(fd, buf, sizeof buf, 0) > 0) ++got;
        return got;
    };
    const int kept = drain(rx_keep.get(), n);
    return {drain(rx_drop.get(), 0), kept};
}

bool kernel_has_tcx(std::string& why) {
    // BPF_PROG_QUERY of the tcx hook of lo: EINVAL when the kernel predates tcx (6.6).
    auto q = sys::query_tcx(1, sys::tc_direction::ingress);
    if (!q && q.error().is(std::errc::invalid_argument)) {
        why = "this kernel has no tcx (Linux 6.6+): " + q.error().message;
        return false;
    }
    return true;
}

} // namespace

TEST_CASE("tcx: a link on ingress and on egress of a veth drops UDP to one port; detached when destroyed") {
    KERNEL_TEST();
    if (sys_test::lacks_caps({{sys::detail::cap_bpf, "CAP_BPF"}, {sys::detail::cap_net_admin, "CAP_NET_ADMIN"}, {sys::detail::cap_sys_admin, "CAP_SYS_ADMIN (for unshare)"}})) return;
    std::string why;
    if (!kernel_has_tcx(why)) {
        MESSAGE("SKIP: " << why);
        return;
    }
    const int fds_before = sys_test::open_fds();
    {
        SYS_TEST_NETNS_SETUP(ns);
        sys::prog p = sys::load<drop_udp_port<drop_port>>({.type = BPF_PROG_TYPE_SCHED_CLS, .name = "drop_udp"}).value();
        const arrived before = send_and_count(ns);
        CHECK(before.dropped_port == 3);
        CHECK(before.kept_port == 3);
        {
            auto l = sys::attach_tcx(p, "ctbpfb", sys::tc_direction::ingress);
            REQUIRE_MESSAGE(l.ok(), (l.ok() ? "" : l.error().message));
            CHECK(l->info().value().prog_id == p.info().value().id);
            CHECK(l->what() == "tcx ingress on ctbpfb");
            const arrived with = send_and_count(ns);
            CHECK(with.dropped_port == 0);
            CHECK(with.kept_port == 3);
            const sys::tcx_state q = sys::query_tcx(::if_nametoindex("ctbpfb"), sys::tc_direction::ingress).value();
            REQUIRE(q.prog_ids.size() == 1);
            CHECK(q.prog_ids[0] == p.info().value().id);
            CHECK(q.link_ids[0] == l->info().value().id);
            auto again = sys::attach_tcx(p, "ctbpfb", sys::tc_direction::ingress);
            REQUIRE_FALSE(again.ok());
            CHECK(again.error().message.find("attached to this hook already") != std::string::npos);
        } // the link is destroyed: detached
        const arrived after = send_and_count(ns);
        CHECK(after.dropped_port == 3);
        CHECK(after.kept_port == 3);
        CHECK(sys::query_tcx(::if_nametoindex("ctbpfb"), sys::tc_direction::ingress).value().prog_ids.empty());

        // Egress of the sending side, in namespace a.
        ns.in(ns.a.get(), [&] {
            auto l = sys::attach_tcx(p, "ctbpfa", sys::tc_direction::egress);
            REQUIRE_MESSAGE(l.ok(), (l.ok() ? "" : l.error().message));
            ns.in(ns.b.get(), [&] {
                const arrived with = send_and_count(ns);
                CHECK(with.dropped_port == 0);
                CHECK(with.kept_port == 3);
                return 0;
            });
            REQUIRE(l->detach().ok());
            return 0;
        });
        const arrived detached = send_and_count(ns);
        CHECK(detached.dropped_port == 3);

        auto missing = sys::attach_tcx(p, "nosuchif0", sys::tc_direction::ingress);
        REQUIRE_FALSE(missing.ok());
        CHECK(missing.error().message.find("no network interface named 'nosuchif0'") != std::string::npos);
        sys::prog xdp = sys::load<sys_test::ret0>({.type = BPF_PROG_TYPE_XDP}).value();
        auto wrong = sys::attach_tcx(xdp, "ctbpfb", sys::tc_direction::ingress);
        REQUIRE_FALSE(wrong.ok());
        CHECK(wrong.error().message.find("the program must be sched_cls (it is xdp)") != std::string::npos);
    }
    CHECK(sys_test::open_fds() == fds_before);
}

TEST_CASE("tcx: programs ordered with before/after anchors, seen by the programs and by the query; expected revision") {
    KERNEL_TEST();
    if (sys_test::lacks_caps({{sys::detail::cap_bpf, "CAP_BPF"}, {sys::detail::cap_net_admin, "CAP_NET_ADMIN"}, {sys::detail::cap_sys_admin, "CAP_SYS_ADMIN (for unshare)"}})) return;
    std::string why;
    if (!kernel_has_tcx(why)) {
        MESSAGE("SKIP: " << why);
        return;
    }
    const int fds_before = sys_test::open_fds();
    {
        SYS_TEST_NETNS_SETUP(ns);
        using order_map = sys::map<std::uint32_t, std::array<std::uint64_t, 5>>;
        order_map order = order_map::create(BPF_MAP_TYPE_ARRAY, 1, {.name = "order"}).value();
        const sys::load_options o{.type = BPF_PROG_TYPE_SCHED_CLS};
        sys::prog p1 = sys::load<record_turn<1>>(o, {{"order", order}}).value();
        sys::prog p2 = sys::load<record_turn<2>>(o, {{"order", order}}).value();
        sys::prog p3 = sys::load<record_turn<3>>(o, {{"order", order}}).value();
        sys::prog p4 = sys::load<record_turn<4>>(o, {{"order", order}}).value();
        const unsigned ifb = ::if_nametoindex("ctbpfb");
        const auto in = sys::tc_direction::ingress;
        const std::uint64_t rev0 = sys::query_tcx(ifb, in).value().revision;

        sys::link l1 = sys::attach_tcx(p1, ifb, in).value();                                             // [1]
        sys::link l2 = sys::attach_tcx(p2, ifb, in, {.anchor = sys::tcx_anchor::before(l1)}).value();   // [2 1]
        sys::link l3 = sys::attach_tcx(p3, ifb, in, {.anchor = sys::tcx_anchor::after_prog_id(p1.info().value().id)})
                           .value();                                                                     // [2 1 3]
        const sys::tcx_state q = sys::query_tcx(ifb, in).value();
        CHECK(q.revision == rev0 + 3);
        const std::vector<std::uint32_t> want{p2.info().value().id, p1.info().value().id, p3.info().value().id};
        CHECK(q.prog_ids == want);
        CHECK(q.link_ids == std::vector<std::uint32_t>{l2.info().value().id, l1.info().value().id, l3.info().value().id});

        // An out-of-date revision is refused; the current one is taken.
        auto stale = sys::attach_tcx(p4, ifb, in, {.anchor = sys::tcx_anchor::first(), .expected_revision = q.revision - 1});
        REQUIRE_FALSE(stale.ok());
        CHECK(stale.error().errnum() == ESTALE);
        CHECK(stale.error().message.find("query it again") != std::string::npos);
        // An anchor that is not on this hook.
        auto nowhere = sys::attach_tcx(p4, ifb, in, {.anchor = sys::tcx_anchor::before(p4)});
        REQUIRE_FALSE(nowhere.ok());
        CHECK(nowhere.error().not_found());
        CHECK(nowhere.error().message.find("the anchor (the program or link to go before or after) is not attached to this hook") !=
              std::string::npos);
        sys::link l4 =
            sys::attach_tcx(p4, ifb, in, {.anchor = sys::tcx_anchor::first(), .expected_revision = q.revision}).value(); // [4 2 1 3]
        CHECK(sys::query_tcx(ifb, in).value().prog_ids.front() == p4.info().value().id);

        // The programs see their order: one packet through ctbpfb's ingress.
        order.update(0, {}).value();
        (void)send_and_count(ns, 1);
        std::array<std::uint64_t, 5> turns{};
        for (int i = 0; i < 100; ++i) {
            turns = order.lookup(0).value();
            if (turns[0] >= 4) break;
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        CHECK(turns[4] == 1);
        CHECK(turns[2] == 2);
        CHECK(turns[1] == 3);
        CHECK(turns[3] == 4);

        REQUIRE(l2.detach().ok());
        const sys::tcx_state q2 = sys::query_tcx(ifb, in).value();
        CHECK(q2.prog_ids == std::vector<std::uint32_t>{p4.info().value().id, p1.info().value().id, p3.info().value().id});
        CHECK(q2.revision == q.revision + 2);
        // By link id: p2 again, now after p1's link.
        sys::link l2b = sys::attach_tcx(p2, ifb, in, {.anchor = sys::tcx_anchor::after_link_id(l1.info().value().id)}).value();
        CHECK(sys::query_tcx(ifb, in).value().prog_ids ==
              std::vector<std::uint32_t>{p4.info().value().id, p1.info().value().id, p2.info().value().id, p3.info().value().id});
    } // the links, then the namespaces, go away
    CHECK(sys_test::open_fds() == fds_before);
}

TEST_CASE("legacy tc: clsact + a direct-action cls_bpf filter over rtnetlink drops UDP to one port; removed when destroyed") {
    KERNEL_TEST();
    if (sys_test::lacks_caps({{sys::detail::cap_bpf, "CAP_BPF"}, {sys::detail::cap_net_admin, "CAP_NET_ADMIN"}, {sys::detail::cap_sys_admin, "CAP_SYS_ADMIN (for unshare)"}})) return;
    const int fds_before = sys_test::open_fds();
    {
        SYS_TEST_NETNS_SETUP(ns);
        sys::prog p = sys::load<drop_udp_port<drop_port>>({.type = BPF_PROG_TYPE_SCHED_CLS, .name = "drop_udp"}).value();
        const unsigned ifb = ::if_nametoindex("ctbpfb");
        {
            auto f = sys::attach_tc(p, ifb, sys::tc_direction::ingress);
            REQUIRE_MESSAGE(f.ok(), (f.ok() ? "" : f.error().describe()));
            const arrived with = send_and_count(ns);
            CHECK(with.dropped_port == 0);
            CHECK(with.kept_port == 3);
            // The same priority and handle again: the kernel refuses, and says so.
            auto dup = sys::attach_tc(p, ifb, sys::tc_direction::ingress);
            REQUIRE_FALSE(dup.ok());
            CHECK(dup.error().is(std::errc::file_exists));
            CHECK(dup.error().message.find("RTM_NEWTFILTER tc ingress filter (priority 1, handle 1) on ctbpfb") == 0);
            // Replacing it is allowed.
            auto rep = sys::attach_tc(p, ifb, sys::tc_direction::ingress, {.replace = true});
            REQUIRE_MESSAGE(rep.ok(), (rep.ok() ? "" : rep.error().message));
            f->remove().value(); // gone (the replacement has the same priority and handle)
            const arrived removed = send_and_count(ns);
            CHECK(removed.dropped_port == 3);
            auto again = rep->remove();
            REQUIRE_FALSE(again.ok());
            CHECK(again.error().message.find("RTM_DELTFILTER") == 0);
        }
        {
            auto f = sys::attach_tc(p, ifb, sys::tc_direction::ingress, {.priority = 5, .handle = 7, .name = "drop_udp_7001"});
            REQUIRE(f.ok());
            CHECK(f->priority() == 5);
            CHECK(send_and_count(ns).dropped_port == 0);
        } // removed by the destructor
        const arrived after = send_and_count(ns);
        CHECK(after.dropped_port == 3);
        CHECK(after.kept_port == 3);

        // Egress of the sending side.
        ns.in(ns.a.get(), [&] {
            auto f = sys::attach_tc(p, "ctbpfa", sys::tc_direction::egress);
            REQUIRE_MESSAGE(f.ok(), (f.ok() ? "" : f.error().message));
            ns.in(ns.b.get(), [&] {
                const arrived with = send_and_count(ns);
                CHECK(with.dropped_port == 0);
                CHECK(with.kept_port == 3);
                return 0;
            });
            return 0;
        });
        CHECK(send_and_count(ns).dropped_port == 3);

        // A program of the wrong type: the kernel's extended ack is part of the message.
        sys::prog xdp = sys::load<sys_test::ret0>({.type = BPF_PROG_TYPE_XDP}).value();
        auto wrong = sys::attach_tc(xdp, ifb, sys::tc_direction::ingress, {.handle = 9});
        REQUIRE_FALSE(wrong.ok());
        CHECK(wrong.error().message.find("the program must be sched_cls or sched_act (it is xdp)") != std::string::npos);
        MESSAGE("wrong program type: " << wrong.error().message);

        auto zero = sys::attach_tc(p, ifb, sys::tc_direction::ingress, {.handle = 0});
        REQUIRE_FALSE(zero.ok());
        CHECK(zero.error().message.find("give a nonzero priority and handle") != std::string::npos);

        CHECK(sys::add_clsact(ifb).value() == false); // there already
        REQUIRE(sys::remove_clsact(ifb).ok());
        auto none = sys::remove_clsact(ifb);
        REQUIRE_FALSE(none.ok());
        CHECK(none.error().message.find("RTM_DELQDISC clsact on ctbpfb") == 0);
        CHECK(none.error().message.find("the kernel says: ") != std::string::npos); // the extended ack
        MESSAGE("no clsact to remove: " << none.error().message);
        CHECK(sys::add_clsact(ifb).value() == true);
        auto nodev = sys::add_clsact(999999);
        REQUIRE_FALSE(nodev.ok());
        CHECK(nodev.error().is(std::errc::no_such_device));
    }
    CHECK(sys_test::open_fds() == fds_before);
}

TEST_CASE("netkit: a pair over rtnetlink, peer in a private netns; a link on the primary hook drops UDP to one port") {
    KERNEL_TEST();
    if (sys_test::lacks_caps({{sys::detail::cap_bpf, "CAP_BPF"}, {sys::detail::cap_net_admin, "CAP_NET_ADMIN"}, {sys::detail::cap_sys_admin, "CAP_SYS_ADMIN (for unshare)"}})) return;
    const int fds_before = sys_test::open_fds();
    {
        SYS_TEST_NETNS_SETUP(ns);
        sys::prog p = sys::load<drop_udp_port<drop_port>>({.type = BPF_PROG_TYPE_SCHED_CLS, .name = "drop_udp"}).value();
        // Not a netkit device: refused, whether or not this kernel has netkit (EINVAL without it, ENXIO with it).
        auto veth = sys::attach_netkit(p, "ctbpfb", sys::netkit_side::primary);
        REQUIRE_FALSE(veth.ok());
        CHECK(veth.error().message.find("BPF_LINK_CREATE netkit primary on ctbpfb") == 0);
        CHECK((veth.error().errnum() == EINVAL || veth.error().errnum() == ENXIO));
        MESSAGE("netkit link on a veth: " << veth.error().message);
        auto veth_q = sys::query_netkit(::if_nametoindex("ctbpfb"), sys::netkit_side::peer);
        REQUIRE_FALSE(veth_q.ok());
        CHECK(veth_q.error().message.find("BPF_PROG_QUERY netkit peer on ctbpfb") == 0);
        auto long_name = sys::create_netkit("ctbpf_name_too_long", "ctbpfnkp");
        REQUIRE_FALSE(long_name.ok());
        CHECK(long_name.error().message.find("interface names are 1 to 15 characters") != std::string::npos);

        // The request's layout, checked on any kernel: with kind "veth" (VETH_INFO_PEER is attribute 1
        // too, the netkit ones beyond it are ignored) it makes the pair, the peer in namespace b.
        ns.in(ns.a.get(), [&] {
            sys::unique_fd s = sys::detail::rtnl_open().value();
            sys::detail::nl_request req = sys::detail::new_pair_request("veth", "ctbpfv0", "ctbpfv1", {.peer_netns_fd = ns.b.get()});
            const sys::detail::nl_ack ack = sys::detail::rtnl_transact(s.get(), req, "veth by the netkit request").value();
            CHECK_MESSAGE(ack.error == 0, ack.message);
            CHECK(::if_nametoindex("ctbpfv0") != 0);
            CHECK(::if_nametoindex("ctbpfv1") == 0);
            return 0;
        });
        CHECK(::if_nametoindex("ctbpfv1") != 0);
        CHECK(::if_nametoindex("ctbpfv0") == 0);

        // The primary "ctbpfnk" in a, the peer "ctbpfnkp" in b (L2: the program's Ethernet offsets hold).
        auto pair = ns.in(ns.a.get(), [&] {
            return sys::create_netkit("ctbpfnk", "ctbpfnkp", {.mode = sys::netkit_mode::l2, .peer_netns_fd = ns.b.get()});
        });
        if (!pair && pair.error().errnum() == EOPNOTSUPP) {
            CHECK(pair.error().message.find("this kernel has no netkit (CONFIG_NETKIT)") != std::string::npos);
            CHECK(pair.error().message.find("RTM_NEWLINK netkit ctbpfnk (peer ctbpfnkp)") == 0);
            --sys_test::tally.ran;
            ++sys_test::tally.skipped;
            sys_test::tally.why = "this kernel has no netkit (CONFIG_NETKIT)";
            MESSAGE("SKIP: " << pair.error().message);
            return;
        }
        REQUIRE_MESSAGE(pair.ok(), (pair.ok() ? "" : pair.error().message));
        REQUIRE(sys_test::sh_in(ns.a.get(), "ip addr add 10.199.1.1/24 dev ctbpfnk && ip link set ctbpfnk up") == 0);
        REQUIRE(sys_test::sh_in(ns.b.get(), "ip addr add 10.199.1.2/24 dev ctbpfnkp && ip link set ctbpfnkp up") == 0);
        const arrived before = send_and_count(ns, 3, "10.199.1.2");
        CHECK(before.dropped_port == 3);
        CHECK(before.kept_port == 3);
        ns.in(ns.a.get(), [&] {
            const unsigned nk = pair->primary_ifindex();
            {
                auto l = sys::attach_netkit(p, nk, sys::netkit_side::primary);
                REQUIRE_MESSAGE(l.ok(), (l.ok() ? "" : l.error().message));
                CHECK(l->what() == "netkit primary on ctbpfnk");
                const sys::tcx_state q = sys::query_netkit(nk, sys::netkit_side::primary).value();
                REQUIRE(q.prog_ids.size() == 1);
                CHECK(q.link_ids[0] == l->info().value().id);
                // The peer's hook, through the primary.
                sys::prog p2 = sys::load<sys_test::ret0>({.type = BPF_PROG_TYPE_SCHED_CLS}).value(); // returns NETKIT_PASS
                sys::link l2 = sys::attach_netkit(p2, nk, sys::netkit_side::peer).value();
                CHECK(sys::query_netkit(nk, sys::netkit_side::peer).value().prog_ids.size() == 1);
                ns.in(ns.b.get(), [&] {
                    const arrived with = send_and_count(ns, 3, "10.199.1.2");
                    CHECK(with.dropped_port == 0);
                    CHECK(with.kept_port == 3);
                    return 0;
                });
                // The same anchors as tcx: a third program before the first one's link.
                sys::prog p3 = sys::load<drop_udp_port<keep_port>>({.type = BPF_PROG_TYPE_SCHED_CLS}).value();
                sys::link l3 = sys::attach_netkit(p3, nk, sys::netkit_side::primary, {.anchor = sys::tcx_anchor::before(*l)}).value();
                CHECK(sys::query_netkit(nk, sys::netkit_side::primary).value().prog_ids.front() == p3.info().value().id);
            } // detached
            CHECK(sys::query_netkit(nk, sys::netkit_side::primary).value().prog_ids.empty());
            return 0;
        });
        const arrived after = send_and_count(ns, 3, "10.199.1.2");
        CHECK(after.dropped_port == 3);
        CHECK(after.kept_port == 3);
        REQUIRE(pair->remove().ok());
        CHECK(::if_nametoindex("ctbpfnkp") == 0); // the peer went with it
    }
    CHECK(sys_test::open_fds() == fds_before);
}
