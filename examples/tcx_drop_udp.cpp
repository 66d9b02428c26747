// Drops UDP datagrams to port 7001 at the tcx ingress hook of a veth interface: a sched_cls program
// assembled and checked at compile time, attached through a bpf link (or, on kernels without tcx,
// as a legacy tc filter over rtnetlink), observed by two UDP sockets in another network namespace.
// Everything happens in two private network namespaces joined by a veth pair, made with `ip` and
// gone when the process exits. Needs root (CAP_BPF + CAP_NET_ADMIN + CAP_SYS_ADMIN for unshare).
#include <ctbpf.hpp>
#include <ctbpf/sys.hpp>
#include <ctbpf/sys/tc.hpp>

#include <arpa/inet.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <string>

namespace sys = ctbpf::sys;

// The packet starts at the Ethernet header; data and data_end are __sk_buff fields 76 and 80.
constexpr auto drop_udp_7001 = [] {
    using namespace ctbpf::syntax;
    return program{
        w0 = 0,                           // TCX_PASS / TC_ACT_OK
        r2 = mem<u32>(r1 + 80),           // data_end
        r1 = mem<u32>(r1 + 76),           // data
        r3 = r1,
        r3 += 38,                         // Ethernet, a 20-byte IPv4 header, the UDP ports
        if_(r3 > r2).goto_("out"),
        w3 = mem<u16>(r1 + 12),
        if_(w3 != 0x0008).goto_("out"),   // IPv4 (ethertype, big-endian)
        w3 = mem<u8>(r1 + 14),
        if_(w3 != 0x45).goto_("out"),     // no IP options
        w3 = mem<u8>(r1 + 23),
        if_(w3 != 17).goto_("out"),       // UDP
        w3 = mem<u16>(r1 + 36),
        if_(w3 != 0x591b).goto_("out"),   // destination port 7001 (big-endian)
        w0 = 2,                           // TCX_DROP / TC_ACT_SHOT
    label("out"),
        exit_(),
    };
};
inline constexpr ctbpf::options sched_cls{.type = ctbpf::prog_type::sched_cls};

namespace {

int sh_in(int nsfd, const std::string& cmd) { // runs cmd in the network namespace nsfd
    const pid_t pid = ::fork();
    if (pid == 0) {
        if (::setns(nsfd, CLONE_NEWNET) != 0) ::_exit(126);
        ::execl("/bin/sh", "sh", "-c", cmd.c_str(), static_cast<char*>(nullptr));
        ::_exit(127);
    }
    int status = 0;
    ::waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}

sys::unique_fd udp(const char* ip, std::uint16_t port) {
    sys::unique_fd s(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_port = htons(port);
    ::inet_pton(AF_INET, ip, &sa.sin_addr);
    if (port != 0) ::bind(s.get(), reinterpret_cast<sockaddr*>(&sa), sizeof sa);
    timeval tv{0, 150 * 1000};
    ::setsockopt(s.get(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    return s;
}

struct world {
    sys::unique_fd ns_a, ns_b; // this process stays in b (the receiving side)
};

// Sends 3 datagrams from namespace a to 10.199.0.2 at ports 7001 and 7002; returns the counts.
std::pair<int, int> send_and_count(const world& w) {
    sys::unique_fd rx1 = udp("10.199.0.2", 7001), rx2 = udp("10.199.0.2", 7002);
    ::setns(w.ns_a.get(), CLONE_NEWNET);
    sys::unique_fd tx = udp("0.0.0.0", 0); // a socket of namespace a
    ::setns(w.ns_b.get(), CLONE_NEWNET);
    for (int i = 0; i < 3; ++i)
        for (std::uint16_t port : {7001, 7002}) {
            sockaddr_in to{};
            to.sin_family = AF_INET;
            to.sin_port = htons(port);
            ::inet_pton(AF_INET, "10.199.0.2", &to.sin_addr);
            ::sendto(tx.get(), "hello", 5, 0, reinterpret_cast<sockaddr*>(&to), sizeof to);
        }
    // The kept port's datagrams first (up to 2 s for all n); each followed the other port's on
    // the same path, so by then those were delivered or dropped, and one 150 ms wait finds them.
    auto drain = [](int fd, int want) {
        int n = 0;
        char buf[16];
        for (int waits = 0; n < want && waits < 14; ++waits)
            while (n < want && ::recv(fd, buf, sizeof buf, 0) > 0) ++n;
        while (::recv(fd, buf, sizeof buf, 0) > 0) ++n;
        return n;
    };
    const int kept = drain(rx2.get(), 3);
    return {drain(rx1.get(), 0), kept};
}

bool report(const char* when, std::pair<int, int> got, bool dropping) {
    std::printf("%-44s port 7001: %d of 3, port 7002: %d of 3\n", when, got.first, got.second);
    return got.first == (dropping ? 0 : 3) && got.second == 3;
}

} // namespace

int main() try {
    sys::prog prog = [] {
        auto p = sys::load<drop_udp_7001, sched_cls>({.name = "drop_udp_7001"});
        if (!p && p.error().is(std::errc::operation_not_permitted)) {
            std::printf("skipped: %s\n", p.error().message.c_str()); // not root: nothing to show
            std::exit(0);
        }
        return std::move(p).value();
    }();

    world w;
    if (::unshare(CLONE_NEWNET) != 0) return std::perror("unshare"), 1;
    w.ns_a.reset(::open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC));
    if (::unshare(CLONE_NEWNET) != 0) return std::perror("unshare"), 1;
    w.ns_b.reset(::open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC));
    if (sh_in(w.ns_a.get(), "ip link add ctbpfa type veth peer name ctbpfb netns " + std::to_string(::getpid()) +
                                " && ip addr add 10.199.0.1/24 dev ctbpfa && ip link set ctbpfa up") != 0 ||
        sh_in(w.ns_b.get(), "ip addr add 10.199.0.2/24 dev ctbpfb && ip link set ctbpfb up") != 0)
        return std::fprintf(stderr, "ip could not make the veth pair\n"), 1;
    std::printf("veth ctbpfa (10.199.0.1, namespace a) <-> ctbpfb (10.199.0.2, namespace b)\n");

    bool ok = report("no program:", send_and_count(w), false);
    const unsigned ifindex = ::if_nametoindex("ctbpfb");
    auto link = sys::attach_tcx(prog, ifindex, sys::tc_direction::ingress);
    if (link) {
        const sys::tcx_state q = sys::query_tcx(ifindex, sys::tc_direction::ingress).value();
        std::printf("tcx ingress on ctbpfb: link id %u, program id %u, revision %llu\n", link->info().value().id,
                    q.prog_ids.at(0), static_cast<unsigned long long>(q.revision));
        ok &= report("with the tcx link:", send_and_count(w), true);
        link->detach().value();
        ok &= report("link detached:", send_and_count(w), false);
    } else {
        std::printf("no tcx here (%s); legacy tc instead\n", link.error().message.c_str());
    }
    {
        sys::tc_filter f = sys::attach_tc(prog, ifindex, sys::tc_direction::ingress).value();
        std::printf("tc filter: clsact ingress of ctbpfb, priority %u, handle %u, direct action\n", f.priority(), f.handle());
        ok &= report("with the tc filter:", send_and_count(w), true);
    } // the filter is removed here
    ok &= report("filter removed:", send_and_count(w), false);
    return ok ? 0 : 1;
} catch (const sys::bpf_error& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 1;
}
