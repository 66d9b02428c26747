// Kernel tests of attaching: a socket filter dropping UDP packets on loopback, a syscall tracepoint
// counting this process's getpid() calls, a raw tracepoint, an XDP link on a veth pair in a private
// network namespace, a cgroup link dropping egress packets; links detach when destroyed.
#include "sys_test_util.hpp"

#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

namespace sys = ctbpf::sys;

namespace {

// Socket filter: drops UDP datagrams whose payload starts with 'D' (skb->data is the UDP header).
constexpr auto drop_d = [] {
    using namespace ctbpf::syntax;
    return program{
        r6 = r1,
        r0 = skb<u8>[8],
        if_(w0 == 'D').goto_("drop"),
        r0 = 0xffff, // keep up to 64 KiB
        exit_(),
    label("drop"),
        r0 = 0,
        exit_(),
    };
};

// Tracepoint syscalls:sys_enter_getpid: counts[0] += 1 when the caller's tgid is config[0].
constexpr auto count_getpid = [] {
    using namespace ctbpf::syntax;
    return program{
        call(helper::get_current_pid_tgid),
        r0 >>= 32,
        r1 = map_value("config", 0),
        w1 = mem<u32>(r1 + 0),
        if_(r0 != r1).goto_("out"),
        r1 = map_value("counts", 0),
        r2 = 1,
        lock(mem<u64>(r1 + 0)) += r2,
    label("out"),
        r0 = 0,
        exit_(),
    };
};

// Raw tracepoint sys_enter (args[1] is the syscall number): counts getppid() calls of config[0]
// (the tracepoint program above behind a check of the syscall number).
constexpr auto count_getppid_raw = [] {
    using namespace ctbpf::syntax;
    return program{
        r6 = mem<u64>(r1 + 8),
        if_(r6 != SYS_getppid).goto_("out"),
    } + count_getpid();
};

// XDP: counts frames of ethertype 0x88b5 (IEEE local experimental) in counts[0]; passes all.
// (Other frames, such as IPv6 neighbour discovery when the link comes up, are not counted.)
constexpr auto xdp_count = [] {
    using namespace ctbpf::syntax;
    return program{
        w0 = XDP_PASS,
        r2 = mem<u32>(r1 + 4),
        r1 = mem<u32>(r1 + 0),
        r3 = r1,
        r3 += 14,
        if_(r3 > r2).goto_("out"),
        w1 = mem<u16>(r1 + 12),
        if_(w1 != 0xb588).goto_("out"), // htons(0x88b5)
        r1 = map_value("counts", 0),
        r2 = 1,
        lock(mem<u64>(r1 + 0)) += r2,
    label("out"),
        exit_(),
    };
};

// cgroup_skb: drops every packet.
constexpr auto drop_all = sys_test::ret0;

using counter_map = sys::map<std::uint32_t, std::uint64_t>;

struct counters {
    counter_map config, counts;
};
counters make_counters() {
    counters c{counter_map::create(BPF_MAP_TYPE_ARRAY, 1, {.name = "config"}).value(),
               counter_map::create(BPF_MAP_TYPE_ARRAY, 1, {.name = "counts"}).value()};
    c.config.update(0, static_cast<std::uint64_t>(::getpid())).value();
    return c;
}

struct udp_pair {
    sys::unique_fd rx, tx;
    sockaddr_in to{};
};
udp_pair make_udp_pair() {
    udp_pair p;
    p.rx.reset(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    p.tx.reset(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    REQUIRE(p.rx);
    REQUIRE(p.tx);
    p.to.sin_family = AF_INET;
    p.to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(p.rx.get(), reinterpret_cast<sockaddr*>(&p.to), sizeof p.to) == 0);
    socklen_t len = sizeof p.to;
    REQUIRE(::getsockname(p.rx.get(), reinterpret_cast<sockaddr*>(&p.to), &len) == 0);
    timeval tv{0, 200 * 1000};
    ::setsockopt(p.rx.get(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    return p;
}
// Sends each message, then returns what arrived.
std::vector<std::string> exchange(const udp_pair& p, const std::vector<std::string>& msgs) {
    for (const std::string& m : msgs)
        ::sendto(p.tx.get(), m.data(), m.size(), 0, reinterpret_cast<const sockaddr*>(&p.to), sizeof p.to);
    std::vector<std::string> got;
    char buf[256];
    for (;;) {
        const ssize_t n = ::recv(p.rx.get(), buf, sizeof buf, 0);
        if (n < 0) break;
        got.emplace_back(buf, static_cast<std::size_t>(n));
    }
    return got;
}

bool tracefs_mounted() {
    struct stat st{};
    return ::stat("/sys/kernel/tracing/events", &st) == 0 || ::stat("/sys/kernel/debug/tracing/events", &st) == 0;
}

// Runs fn in a forked child; its exit status is the result, its stdout/stderr lines are shown.
template <class Fn>
int in_child(Fn fn) {
    std::fflush(stdout);
    const pid_t pid = ::fork();
    if (pid == 0) {
        int rc = 99;
        try {
            rc = fn();
        } catch (const std::exception& e) {
            std::fprintf(stderr, "child: %s\n", e.what());
        }
        std::fflush(stdout);
        std::fflush(stderr);
        ::_exit(rc);
    }
    int status = 0;
    ::waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

std::string cgroup2_root() {
    std::ifstream mounts("/proc/self/mounts");
    std::string dev, dir, type, rest;
    while (mounts >> dev >> dir >> type && std::getline(mounts, rest))
        if (type == "cgroup2") return dir;
    return {};
}

} // namespace

TEST_CASE("socket filter: drops UDP datagrams on loopback, and stops when detached") {
    KERNEL_TEST();
    auto filter = sys::load<drop_d>({.type = BPF_PROG_TYPE_SOCKET_FILTER, .name = "drop_d"});
    REQUIRE(filter.ok());
    const udp_pair p = make_udp_pair();
    const std::vector<std::string> msgs{"Drop me", "Keep me", "Don't", "Keep 2"};
    CHECK(exchange(p, msgs) == msgs);
    REQUIRE(sys::attach_socket_filter(p.rx.get(), *filter).ok());
    CHECK(exchange(p, msgs) == std::vector<std::string>{"Keep me", "Keep 2"});
    REQUIRE(sys::detach_socket_filter(p.rx.get()).ok());
    CHECK(exchange(p, msgs) == msgs);
    CHECK(sys::detach_socket_filter(p.rx.get()).error().message.find("the socket has no filter") != std::string::npos);

    auto xdp = sys::load<drop_all>({.type = BPF_PROG_TYPE_XDP});
    REQUIRE(xdp.ok());
    auto wrong = sys::attach_socket_filter(p.rx.get(), *xdp);
    REQUIRE_FALSE(wrong.ok());
    CHECK(wrong.error().message.find("a socket needs a socket_filter program") != std::string::npos);
}

TEST_CASE("tracepoint: counts this process's getpid() calls into an array map read from user space") {
    KERNEL_TEST();
    const bool had_tracefs = tracefs_mounted();
    counters c = make_counters();
    auto p = sys::load<count_getpid>({.type = BPF_PROG_TYPE_TRACEPOINT, .name = "count_getpid"},
                                     {{"config", c.config}, {"counts", c.counts}});
    REQUIRE(p.ok());
    {
        auto l = sys::attach_tracepoint(*p, "syscalls", "sys_enter_getpid");
        REQUIRE_MESSAGE(l.ok(), (l.ok() ? "" : l.error().message));
        CHECK(l->type() == sys::link::kind::perf_event);
        for (int i = 0; i < 10; ++i) ::syscall(SYS_getpid);
        CHECK(c.counts.lookup(0).value() == 10);
    } // the link is destroyed: the program is detached
    for (int i = 0; i < 5; ++i) ::syscall(SYS_getpid);
    CHECK(c.counts.lookup(0).value() == 10);
    // tracefs is left as it was (a private mount is used and removed when it was absent).
    CHECK(tracefs_mounted() == had_tracefs);

    auto l2 = sys::attach_tracepoint(*p, "syscalls", "sys_enter_getpid");
    REQUIRE(l2.ok());
    ::syscall(SYS_getpid);
    REQUIRE(l2->detach().ok());
    ::syscall(SYS_getpid);
    CHECK(c.counts.lookup(0).value() == 11);

    auto none = sys::attach_tracepoint(*p, "no_such_category", "no_such_event");
    REQUIRE_FALSE(none.ok());
    CHECK(none.error().not_found());
    CHECK(none.error().message.find("tracefs has no no_such_category:no_such_event event") != std::string::npos);

    // a typo: the nearest events and the tracefs path looked in
    auto typo = sys::attach_tracepoint(*p, "syscalls", "sys_enter_getpidd");
    REQUIRE_FALSE(typo.ok());
    CHECK(typo.error().not_found());
    const std::string& m = typo.error().message;
    INFO(m);
    CHECK(m.find("tracefs has no syscalls:sys_enter_getpidd event; did you mean syscalls:sys_enter_getpid") !=
          std::string::npos);
    CHECK(m.find(had_tracefs ? "(looked up in /sys/kernel/" : "(looked up in a private tracefs mount, now unmounted") !=
          std::string::npos);
    CHECK(m.find("/events/syscalls/sys_enter_getpidd/id)") != std::string::npos);
    CHECK(m.find("/tmp/ctbpf-tracefs") == std::string::npos); // not a path that is gone
    // a wrong category: the nearest over all categories
    auto category = sys::attach_tracepoint(*p, "syscall", "sys_enter_getpid");
    REQUIRE_FALSE(category.ok());
    INFO(category.error().message);
    CHECK(category.error().message.find("(no category 'syscall'); did you mean syscalls:sys_enter_getpid") !=
          std::string::npos);
    CHECK(tracefs_mounted() == had_tracefs);

    auto xdp = sys::load<drop_all>({.type = BPF_PROG_TYPE_XDP});
    REQUIRE(xdp.ok());
    auto wrong = sys::attach_tracepoint(*xdp, "syscalls", "sys_enter_getpid");
    REQUIRE_FALSE(wrong.ok());
    CHECK(wrong.error().message.find("a tracepoint needs a tracepoint program") != std::string::npos);
    CHECK(wrong.error().message.find("(loaded as xdp)") != std::string::npos);
}

TEST_CASE("raw tracepoint: sys_enter, through a bpf link") {
    KERNEL_TEST();
    counters c = make_counters();
    auto p = sys::load<count_getppid_raw>({.type = BPF_PROG_TYPE_RAW_TRACEPOINT},
                                          {{"config", c.config}, {"counts", c.counts}});
    REQUIRE(p.ok());
    {
        auto l = sys::attach_raw_tracepoint(*p, "sys_enter");
        REQUIRE(l.ok());
        CHECK(l->info().value().prog_id == p->info().value().id);
        for (int i = 0; i < 7; ++i) ::syscall(SYS_getppid);
        CHECK(c.counts.lookup(0).value() == 7);
    }
    ::syscall(SYS_getppid);
    CHECK(c.counts.lookup(0).value() == 7);
    auto none = sys::attach_raw_tracepoint(*p, "no_such_raw_tracepoint");
    REQUIRE_FALSE(none.ok());
    CHECK(none.error().message.find("no raw tracepoint of that name") != std::string::npos);
}

TEST_CASE("XDP link on a veth pair in a private network namespace: frames counted, then detached") {
    KERNEL_TEST();
    // Frames go out of ctbpfa (namespace a) and arrive at ctbpfb (namespace b, this thread's).
    SYS_TEST_NETNS_SETUP(ns);
    counter_map counts = counter_map::create(BPF_MAP_TYPE_ARRAY, 1, {.name = "counts"}).value();
    sys::prog p = sys::load<xdp_count>({.type = BPF_PROG_TYPE_XDP, .name = "xdp_count"}, {{"counts", counts}}).value();
    sys::unique_fd raw = ns.in(ns.a.get(), [] { return sys::unique_fd(::socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(ETH_P_ALL))); });
    REQUIRE(raw);
    sockaddr_ll to{};
    to.sll_family = AF_PACKET;
    to.sll_ifindex = ns.in(ns.a.get(), [] { return static_cast<int>(::if_nametoindex("ctbpfa")); });
    REQUIRE(to.sll_ifindex != 0);
    to.sll_halen = ETH_ALEN;
    std::memset(to.sll_addr, 0xff, ETH_ALEN);
    unsigned char frame[60] = {};
    std::memset(frame, 0xff, 6);           // broadcast
    frame[6] = 0x02;                       // a locally administered source
    frame[12] = 0x88, frame[13] = 0xb5;    // IEEE local experimental ethertype
    auto send = [&](int n) {
        for (int i = 0; i < n; ++i)
            REQUIRE(::sendto(raw.get(), frame, sizeof frame, 0, reinterpret_cast<sockaddr*>(&to), sizeof to) == sizeof frame);
    };
    auto wait_for = [&](std::uint64_t want) {
        for (int i = 0; i < 500 && counts.lookup(0).value() < want; ++i)
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        return counts.lookup(0).value();
    };
    {
        sys::link l = sys::attach_xdp(p, "ctbpfb").value();
        const sys::link_info info = l.info().value();
        CHECK(info.type == BPF_LINK_TYPE_XDP);
        CHECK(info.prog_id == p.info().value().id);
        auto second = sys::attach_xdp(p, "ctbpfb");
        REQUIRE_FALSE(second.ok());
        CHECK(second.error().message.find("something is attached there already") != std::string::npos);
        send(5);
        CHECK(wait_for(5) == 5);
    } // detached here
    send(5);
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    CHECK(counts.lookup(0).value() == 5);
    auto missing = sys::attach_xdp(p, "nosuchif0");
    REQUIRE_FALSE(missing.ok());
    CHECK(missing.error().message.find("no network interface named 'nosuchif0'") != std::string::npos);
}

TEST_CASE("cgroup link: an egress program drops a child's UDP packets until the link is gone") {
    KERNEL_TEST();
    const std::string root = cgroup2_root();
    REQUIRE_MESSAGE(!root.empty(), "no cgroup2 mount in /proc/self/mounts");
    const std::string cg = root + "/ctbpf-test-" + std::to_string(::getpid());
    REQUIRE(::mkdir(cg.c_str(), 0755) == 0);
    auto p = sys::load<drop_all>({.type = BPF_PROG_TYPE_CGROUP_SKB, .expected_attach_type = BPF_CGROUP_INET_EGRESS});
    REQUIRE(p.ok());
    // The child joins the cgroup and sends one datagram to 127.0.0.1: 0 sent, 1 refused (EPERM).
    auto send_from_cgroup = [&] {
        return in_child([&]() -> int {
            std::ofstream(cg + "/cgroup.procs") << "0\n";
            sys::unique_fd s(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
            sockaddr_in to{};
            to.sin_family = AF_INET;
            to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
            to.sin_port = htons(9);
            const ssize_t n = ::sendto(s.get(), "x", 1, 0, reinterpret_cast<sockaddr*>(&to), sizeof to);
            return n == 1 ? 0 : errno == EPERM ? 1 : 2;
        });
    };
    CHECK(send_from_cgroup() == 0);
    {
        auto l = sys::attach_cgroup(*p, cg, BPF_CGROUP_INET_EGRESS);
        REQUIRE(l.ok());
        CHECK(l->info().value().type == BPF_LINK_TYPE_CGROUP);
        CHECK(send_from_cgroup() == 1);
    }
    CHECK(send_from_cgroup() == 0);
    auto l = sys::attach_cgroup(*p, cg, BPF_CGROUP_INET_EGRESS);
    REQUIRE(l.ok());
    CHECK(send_from_cgroup() == 1);
    REQUIRE(l->detach().ok());
    CHECK(send_from_cgroup() == 0);
    bool removed = false;
    for (int i = 0; i < 100 && !removed; ++i) {
        removed = ::rmdir(cg.c_str()) == 0;
        if (!removed) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    CHECK(removed);
}
