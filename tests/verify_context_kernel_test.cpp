// The context-layout table (ctbpf/verify/context.hpp) against the live kernel, offset by offset:
// for every covered program type (and the expected_attach_type values that change the layout),
// every offset from -8 to ctx_size + 8, sizes 1, 2, 4, 8 and each access (load into r0, store of a
// register, store of an immediate; atomic add at a few offsets) it loads the minimal program
//     r0 = *(uN *)(r1 + off)          |  r2 = 0; *(uN *)(r1 + off) = r2  |  *(uN *)(r1 + off) = 0
//     r0 = 1; exit
// and compares accept/reject, the errno and the message with check_ctx_access(); for accepted loads
// it reads the type of R0 from the log (log_level 2) and compares it, and the scalar bounds, too.
// socket_filter and cgroup_skb also run unprivileged (forked child, uid 65534). Not covered: program
// types that need BTF (tracing, lsm, ext, struct_ops), netfilter, lirc_mode2. tracepoint (8192 bytes)
// and syscall (65535 bytes) are swept near both ends, not in the middle.
// Also the socket structs read through sockets (check_sock_access()), by ctbpf::check().
// Skips, saying why, when this process cannot load programs.
#include <ctbpf.hpp>
#include <ctbpf/verify/context.hpp>
#include <doctest/doctest.h>

#include "kernel_probe.hpp"

#include <cctype>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

namespace {

using namespace ctbpf::detail::vfy;
using ctbpf::prog_type;
using ctbpf::privilege;

// compile-time spot checks (the table is usable in constant evaluation)
static_assert(check_ctx_access(prog_type::xdp, 0, privilege::root, 0, 4, ctx_op::load).reg == ctx_reg_type::pkt);
static_assert(!check_ctx_access(prog_type::xdp, 0, privilege::root, 0, 4, ctx_op::store_reg).allowed);
static_assert(check_ctx_access(prog_type::socket_filter, 0, privilege::root, 1, 4, ctx_op::load).message() ==
              "invalid bpf_context access off=1 size=4");
static_assert(check_ctx_access(prog_type::socket_filter, 0, privilege::root, 0, 4, ctx_op::atomic).message() ==
              "BPF_ATOMIC stores into R1 ctx is not allowed");
static_assert(check_ctx_access(prog_type::sched_cls, 0, privilege::root, 0, 1, ctx_op::load).umax == 255);
static_assert(ctx_size(prog_type::sched_cls) == 192 && ctx_size(prog_type::sock_ops) == 224);
static_assert(find_context_field(prog_type::xdp, "data_end")->off == 4);
static_assert(find_context_field(prog_type::sched_cls, 150)->name == "flow_keys");
static_assert(!known(prog_type::tracing) && known(prog_type::sk_lookup));

struct config {
    prog_type type;
    std::uint32_t attach;
    const char* name;
    std::vector<std::pair<std::int32_t, std::int32_t>> ranges{}; // offsets [a, b); empty: -8 .. size + 8
};

struct kernel_result {
    int err = 0;
    std::string message; // when rejected
    std::string r0;      // when accepted with a log: the R0 state after insn 0 ("pkt(r=0)", ...)
};

struct raw_loader {
    std::vector<char> log = std::vector<char>(1 << 16);
    kernel_result load(const std::vector<bpf_insn>& prog, prog_type t, std::uint32_t attach, bool want_r0) {
        kernel_result r;
        r.err = raw(prog, t, attach, 1);
        if (r.err != 0) {
            r.message = kernel_probe::last_message(std::string_view(log.data()));
            return r;
        }
        if (want_r0 && raw(prog, t, attach, 2) == 0) r.r0 = r0_state(log.data());
        return r;
    }
    int raw(const std::vector<bpf_insn>& prog, prog_type t, std::uint32_t attach, std::uint32_t level) {
        static const char license[] = "GPL";
        union bpf_attr attr;
        std::memset(&attr, 0, sizeof attr);
        attr.prog_type = static_cast<std::uint32_t>(t);
        attr.insn_cnt = static_cast<std::uint32_t>(prog.size());
        attr.insns = reinterpret_cast<std::uintptr_t>(prog.data());
        attr.license = reinterpret_cast<std::uintptr_t>(license);
        attr.expected_attach_type = attach;
        if (t == prog_type::syscall) attr.prog_flags = BPF_F_SLEEPABLE;
        log[0] = '\0';
        attr.log_level = level;
        attr.log_size = static_cast<std::uint32_t>(log.size());
        attr.log_buf = reinterpret_cast<std::uintptr_t>(log.data());
        long fd = kernel_probe::sys_bpf(BPF_PROG_LOAD, &attr);
        for (int tries = 0; fd < 0 && errno == EAGAIN && tries < 5; ++tries) fd = kernel_probe::sys_bpf(BPF_PROG_LOAD, &attr);
        if (fd >= 0) {
            ::close(static_cast<int>(fd));
            return 0;
        }
        return errno;
    }
    // "0: (61) r0 = *(u32 *)(r1 +76)   ; R0_w=pkt(r=0) R1=ctx()" -> "pkt(r=0)"
    static std::string r0_state(std::string_view text) {
        const std::size_t line = text.starts_with("0: (") ? 0 : text.find("\n0: (");
        if (line == std::string_view::npos) return "?";
        const std::size_t end = text.find('\n', line + 1);
        std::string_view l = text.substr(line, end == std::string_view::npos ? text.npos : end - line);
        std::size_t p = l.find(" R0");
        if (p == std::string_view::npos) return "?";
        p = l.find('=', p);
        if (p == std::string_view::npos) return "?";
        std::size_t q = p + 1;
        int depth = 0;
        while (q < l.size() && (depth > 0 || l[q] != ' ')) {
            if (l[q] == '(') ++depth;
            if (l[q] == ')') --depth;
            ++q;
        }
        return std::string(l.substr(p + 1, q - p - 1));
    }
};

std::uint8_t size_bits(std::uint32_t size) {
    return size == 1 ? 0x10 : size == 2 ? 0x08 : size == 4 ? 0x00 : 0x18;
}

// atomic: BPF_ADD by default; also or, and, xor, the fetch forms, xchg and cmpxchg (R0 = 0 first)
std::vector<bpf_insn> build(std::int32_t off, std::uint32_t size, ctx_op op, std::int32_t atomic_imm = 0) {
    using ctbpf::make_insn;
    const auto o = static_cast<std::int16_t>(off);
    const std::uint8_t sz = size_bits(size);
    std::vector<bpf_insn> p;
    switch (op) {
    case ctx_op::load: p.push_back(make_insn(static_cast<std::uint8_t>(0x61 | sz), 0, 1, o, 0)); break;
    case ctx_op::load_sx: p.push_back(make_insn(static_cast<std::uint8_t>(0x81 | sz), 0, 1, o, 0)); break;
    case ctx_op::store_reg:
        p.push_back(make_insn(0xb7, 2, 0, 0, 0));
        p.push_back(make_insn(static_cast<std::uint8_t>(0x63 | sz), 1, 2, o, 0));
        break;
    case ctx_op::store_imm: p.push_back(make_insn(static_cast<std::uint8_t>(0x62 | sz), 1, 0, o, 0)); break;
    case ctx_op::atomic:
        p.push_back(make_insn(0xb7, 2, 0, 0, 0));
        if (atomic_imm == 0xf1) p.push_back(make_insn(0xb7, 0, 0, 0, 0));
        p.push_back(make_insn(static_cast<std::uint8_t>(0xc3 | sz), 1, 2, o, atomic_imm));
        break;
    }
    p.push_back(make_insn(0xb7, 0, 0, 0, 1));
    p.push_back(make_insn(0x95, 0, 0, 0, 0));
    return p;
}

// The kernel's R0 text -> (type, umax) as check_ctx_access() spells them.
ctx_reg_type parse_type(const std::string& s) {
    std::string name = s.substr(0, s.find('('));
    if (name.size() > 1 && name[0] == 'P') name.erase(0, 1); // precise (unprivileged logs)
    if (name == "scalar") return ctx_reg_type::scalar;
    if (name == "pkt") return ctx_reg_type::pkt;
    if (name == "pkt_end") return ctx_reg_type::pkt_end;
    if (name == "pkt_meta") return ctx_reg_type::pkt_meta;
    if (name == "sock_common_or_null") return ctx_reg_type::sock_common_or_null;
    if (name == "sock_or_null") return ctx_reg_type::sock_or_null;
    if (name == "sock") return ctx_reg_type::socket;
    if (name == "flow_keys") return ctx_reg_type::flow_keys;
    if (name == "tp_buffer") return ctx_reg_type::tp_buffer;
    if (name.empty() || name == "?") return ctx_reg_type::none;
    return ctx_reg_type::ctx_unknown;
}
// A bound from "scalar(smin=smin32=0,smax=umax=smax32=umax32=255,var_off=...)"; `dflt` when absent.
std::uint64_t parse_bound(const std::string& s, const std::string& key, std::uint64_t dflt) {
    std::size_t p = std::string::npos;
    for (std::size_t from = 0; (p = s.find(key + "=", from)) != std::string::npos; from = p + 1)
        if (p == 0 || !std::isalnum(static_cast<unsigned char>(s[p - 1]))) break;
    if (p == std::string::npos) return dflt;
    // "smax=umax=smax32=umax32=255": skip the other names sharing the value
    std::size_t v = p + key.size() + 1;
    while (v < s.size() && std::isalpha(static_cast<unsigned char>(s[v]))) {
        const std::size_t eq = s.find('=', v);
        if (eq == std::string::npos) return 0;
        v = eq + 1;
    }
    const bool neg = s[v] == '-';
    const std::uint64_t m = std::strtoull(s.c_str() + v + (neg ? 1 : 0), nullptr, 0);
    return neg ? ~m + 1 : m;
}

struct tally {
    std::size_t cases = 0, agree = 0, loads_typed = 0;
    std::vector<std::string> diffs;
};

const char* op_name(ctx_op op) {
    switch (op) {
    case ctx_op::load: return "load";
    case ctx_op::store_reg: return "stx";
    case ctx_op::store_imm: return "st";
    case ctx_op::atomic: return "atomic";
    case ctx_op::load_sx: return "ldsx";
    }
    return "?";
}

void run_one(raw_loader& l, const config& c, privilege priv, std::int32_t off, std::uint32_t size, ctx_op op, tally& t,
             std::int32_t atomic_imm = 0) {
    const ctx_access m = check_ctx_access(c.type, c.attach, priv, off, size, op);
    const bool is_load = op == ctx_op::load || op == ctx_op::load_sx;
    const kernel_result k = l.load(build(off, size, op, atomic_imm), c.type, c.attach, is_load);
    ++t.cases;
    std::string why;
    if ((k.err == 0) != m.allowed) {
        why = std::string("kernel ") + (k.err == 0 ? "accepts" : "rejects (" + k.message + ")") + ", model " +
              (m.allowed ? "accepts" : "rejects (" + std::string(m.message()) + ")");
    } else if (k.err != 0 && (k.err != m.errnum || k.message != m.message())) {
        why = "kernel errno " + std::to_string(k.err) + " '" + k.message + "', model errno " + std::to_string(m.errnum) +
              " '" + std::string(m.message()) + "'";
    } else if (k.err == 0 && is_load) {
        const ctx_reg_type kt = parse_type(k.r0);
        ++t.loads_typed;
        if (kt != m.reg) {
            why = "R0 kernel " + k.r0 + ", model " + std::string(to_string(m.reg));
        } else if (kt == ctx_reg_type::scalar &&
                   (parse_bound(k.r0, "umin", 0) != m.umin || parse_bound(k.r0, "umax", ~std::uint64_t{0}) != m.umax ||
                    static_cast<std::int64_t>(parse_bound(k.r0, "smin", std::uint64_t{1} << 63)) != m.smin ||
                    static_cast<std::int64_t>(parse_bound(k.r0, "smax", ~std::uint64_t{0} >> 1)) != m.smax)) {
            why = "R0 kernel " + k.r0 + ", model [" + std::to_string(m.smin) + ", " + std::to_string(m.smax) + "] u[" +
                  std::to_string(m.umin) + ", " + std::to_string(m.umax) + "]";
        }
    }
    if (why.empty()) {
        ++t.agree;
    } else if (t.diffs.size() < 40) {
        t.diffs.push_back(std::string(c.name) + (priv == privilege::unprivileged ? " (unpriv)" : "") + " " +
                          op_name(op) + (op == ctx_op::atomic ? "(imm " + std::to_string(atomic_imm) + ")" : "") + " off=" + std::to_string(off) + " size=" + std::to_string(size) + ": " + why);
    }
}

tally sweep(const config& c, privilege priv) {
    raw_loader l;
    tally t;
    std::vector<std::pair<std::int32_t, std::int32_t>> ranges = c.ranges;
    if (ranges.empty()) ranges.push_back({-8, ctx_size(c.type) + 9});
    for (auto [a, b] : ranges)
        for (std::int32_t off = a; off < b; ++off)
            for (std::uint32_t size : {1u, 2u, 4u, 8u}) {
                run_one(l, c, priv, off, size, ctx_op::load, t);
                run_one(l, c, priv, off, size, ctx_op::store_reg, t);
                run_one(l, c, priv, off, size, ctx_op::store_imm, t);
                if (size != 8) run_one(l, c, priv, off, size, ctx_op::load_sx, t); // (no 8-byte BPF_MEMSX)
                run_one(l, c, priv, off, size, ctx_op::atomic, t);
                if (off == 0 || off == 8)
                    for (std::int32_t imm : {0x40, 0x50, 0xa0, 0x01, 0x41, 0x51, 0xa1, 0xe1, 0xf1})
                        run_one(l, c, priv, off, size, ctx_op::atomic, t, imm);
            }
    return t;
}

std::vector<config> configs() {
    using pt = prog_type;
    namespace a = ctx;
    std::vector<config> v = {
        {pt::socket_filter, 0, "socket_filter"},
        {pt::sched_cls, 0, "sched_cls"},
        {pt::sched_act, 0, "sched_act"},
        {pt::xdp, 0, "xdp"},
        {pt::xdp, a::xdp_devmap, "xdp/devmap"},
        {pt::xdp, a::xdp_cpumap, "xdp/cpumap"},
        {pt::cgroup_skb, a::cgroup_inet_ingress, "cgroup_skb/ingress"},
        {pt::cgroup_skb, a::cgroup_inet_egress, "cgroup_skb/egress"},
        {pt::cgroup_sock, 0, "cgroup_sock/0"},
        {pt::cgroup_sock, a::cgroup_inet_sock_create, "cgroup_sock/sock_create"},
        {pt::cgroup_sock, a::cgroup_inet_sock_release, "cgroup_sock/sock_release"},
        {pt::cgroup_sock, a::cgroup_inet4_post_bind, "cgroup_sock/post_bind4"},
        {pt::cgroup_sock, a::cgroup_inet6_post_bind, "cgroup_sock/post_bind6"},
        {pt::cgroup_sock_addr, a::cgroup_inet4_bind, "cgroup_sock_addr/bind4"},
        {pt::cgroup_sock_addr, a::cgroup_inet6_bind, "cgroup_sock_addr/bind6"},
        {pt::cgroup_sock_addr, a::cgroup_inet4_connect, "cgroup_sock_addr/connect4"},
        {pt::cgroup_sock_addr, a::cgroup_inet6_connect, "cgroup_sock_addr/connect6"},
        {pt::cgroup_sock_addr, a::cgroup_udp4_sendmsg, "cgroup_sock_addr/sendmsg4"},
        {pt::cgroup_sock_addr, a::cgroup_udp6_sendmsg, "cgroup_sock_addr/sendmsg6"},
        {pt::cgroup_sock_addr, a::cgroup_udp4_recvmsg, "cgroup_sock_addr/recvmsg4"},
        {pt::cgroup_sock_addr, a::cgroup_udp6_recvmsg, "cgroup_sock_addr/recvmsg6"},
        {pt::cgroup_sock_addr, a::cgroup_inet4_getpeername, "cgroup_sock_addr/getpeername4"},
        {pt::cgroup_sock_addr, a::cgroup_inet6_getpeername, "cgroup_sock_addr/getpeername6"},
        {pt::cgroup_sock_addr, a::cgroup_inet4_getsockname, "cgroup_sock_addr/getsockname4"},
        {pt::cgroup_sock_addr, a::cgroup_inet6_getsockname, "cgroup_sock_addr/getsockname6"},
        {pt::cgroup_sock_addr, a::cgroup_unix_connect, "cgroup_sock_addr/connect_unix"},
        {pt::cgroup_sock_addr, a::cgroup_unix_sendmsg, "cgroup_sock_addr/sendmsg_unix"},
        {pt::cgroup_sock_addr, a::cgroup_unix_recvmsg, "cgroup_sock_addr/recvmsg_unix"},
        {pt::cgroup_sock_addr, a::cgroup_unix_getpeername, "cgroup_sock_addr/getpeername_unix"},
        {pt::cgroup_sock_addr, a::cgroup_unix_getsockname, "cgroup_sock_addr/getsockname_unix"},
        {pt::sock_ops, 0, "sock_ops"},
        {pt::sock_ops, 3, "sock_ops/cgroup_sock_ops"},
        {pt::sk_skb, 0, "sk_skb"},
        {pt::sk_skb, 4, "sk_skb/stream_parser"},
        {pt::sk_skb, 5, "sk_skb/stream_verdict"},
        {pt::sk_skb, 38, "sk_skb/verdict"},
        {pt::sk_msg, 0, "sk_msg"},
        {pt::sk_msg, 7, "sk_msg/msg_verdict"},
        {pt::flow_dissector, 0, "flow_dissector"},
        {pt::flow_dissector, 17, "flow_dissector/flow_dissector"},
        {pt::lwt_in, 0, "lwt_in"},
        {pt::lwt_out, 0, "lwt_out"},
        {pt::lwt_xmit, 0, "lwt_xmit"},
        {pt::lwt_seg6local, 0, "lwt_seg6local"},
        {pt::tracepoint, 0, "tracepoint", {{-32768, -32768 + 40}, {-264, 8192 + 9}}},
        {pt::raw_tracepoint, 0, "raw_tracepoint"},
        {pt::raw_tracepoint_writable, 0, "raw_tracepoint_writable"},
        {pt::perf_event, 0, "perf_event"},
        {pt::kprobe, 0, "kprobe"},
        {pt::cgroup_device, 0, "cgroup_device"},
        {pt::cgroup_device, 6, "cgroup_device/cgroup_device"},
        {pt::cgroup_sysctl, 0, "cgroup_sysctl"},
        {pt::cgroup_sysctl, 18, "cgroup_sysctl/cgroup_sysctl"},
        {pt::cgroup_sockopt, a::cgroup_getsockopt, "cgroup_sockopt/getsockopt"},
        {pt::cgroup_sockopt, a::cgroup_setsockopt, "cgroup_sockopt/setsockopt"},
        {pt::sk_reuseport, 0, "sk_reuseport/0"},
        {pt::sk_reuseport, a::sk_reuseport_select, "sk_reuseport/select"},
        {pt::sk_reuseport, a::sk_reuseport_select_or_migrate, "sk_reuseport/select_or_migrate"},
        {pt::sk_lookup, a::bpf_sk_lookup, "sk_lookup"},
        {pt::netfilter, 45, "netfilter"},
        {pt::lirc_mode2, 16, "lirc_mode2"},
        {pt::syscall, 0, "syscall", {{-32768, -32768 + 40}, {-264, 1024}, {32767 - 64, 32768}}},
    };
    // CTBPF_CTX_FULL=1: every offset an instruction can encode for tracepoint and syscall (~20 s)
    if (const char* full = std::getenv("CTBPF_CTX_FULL"); full && *full == '1')
        for (config& c : v)
            if (c.type == pt::tracepoint || c.type == pt::syscall) c.ranges = {{-32768, 32768}};
    return v;
}

std::string report(const config& c, privilege p, const tally& t) {
    char line[200];
    std::snprintf(line, sizeof line, "%-34s %-6s cases %6zu  agree %6zu  typed loads %5zu\n", c.name,
                  p == privilege::root ? "root" : "unpriv", t.cases, t.agree, t.loads_typed);
    return line;
}

} // namespace

TEST_CASE("context layouts agree with the live kernel") {
    {
        // skip only when BPF_PROG_LOAD is not permitted; any other failure of a trivial program fails
        raw_loader l;
        const kernel_result r =
            l.load({ctbpf::make_insn(0xb7, 0, 0, 0, 0), ctbpf::make_insn(0x95, 0, 0, 0, 0)}, prog_type::socket_filter, 0, false);
        if (kernel_probe::lacks_privilege(r.err)) {
            std::printf("SKIP: %s\n", kernel_probe::cannot_load_reason(r.err).c_str());
            return;
        }
        const std::string failed = std::string("BPF_PROG_LOAD of 'r0 = 0; exit' failed: ") + std::strerror(r.err);
        REQUIRE_MESSAGE(r.err == 0, failed);
    }
    // (a probe that the type loads at all: types the kernel was built without are reported, not compared)
    const auto start = std::chrono::steady_clock::now();
    std::size_t cases = 0, agree = 0;
    for (const config& c : configs()) {
        raw_loader l;
        const kernel_result probe =
            l.load({ctbpf::make_insn(0xb7, 0, 0, 0, 1), ctbpf::make_insn(0x95, 0, 0, 0, 0)}, c.type, c.attach, false);
        if (probe.err != 0) {
            // (the kernel lacks the type, or it needs more than an attach type: reported, not compared)
            std::printf("%-34s cannot load 'r0 = 1; exit': %s (%s) -- not compared\n", c.name, std::strerror(probe.err),
                        probe.message.c_str());
            continue;
        }
        const tally t = sweep(c, privilege::root);
        std::fputs(report(c, privilege::root, t).c_str(), stdout);
        for (const std::string& d : t.diffs) std::printf("  DIFF %s\n", d.c_str());
        cases += t.cases;
        agree += t.agree;
        CHECK_MESSAGE(t.cases == t.agree, std::string(c.name));
    }

    // unprivileged: socket_filter and cgroup_skb (the only types an unprivileged user may load)
    kernel_probe::unprivileged_window w;
    if (!w.ok()) {
        REQUIRE_MESSAGE(w.may_skip(), "as root, yet " << w.reason());
        std::printf("SKIP: the unprivileged part, because %s\n", w.reason().c_str());
    } else {
        for (const config& c : configs()) {
            if (c.type != prog_type::socket_filter && c.type != prog_type::cgroup_skb) continue;
            std::string out, fail;
            const bool ran = kernel_probe::run_unprivileged(
                [&c] {
                    const tally t = sweep(c, privilege::unprivileged);
                    std::string s = std::to_string(t.cases) + " " + std::to_string(t.agree) + "\n" +
                                    report(c, privilege::unprivileged, t);
                    for (const std::string& d : t.diffs) s += "  DIFF " + d + "\n";
                    return s;
                },
                out, fail);
            REQUIRE_MESSAGE(ran, fail);
            std::size_t n = 0, ok = 0;
            std::sscanf(out.c_str(), "%zu %zu", &n, &ok);
            std::fputs(out.substr(out.find('\n') + 1).c_str(), stdout);
            cases += n;
            agree += ok;
            CHECK_MESSAGE(n == ok, std::string(c.name));
        }
    }
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::printf("total: %zu cases, %zu agree, %.1f s\n", cases, agree, secs);
    CHECK(cases == agree);
}

// The socket structs a program reads through sockets (check_sock_access(): struct bpf_sock through
// PTR_TO_SOCKET and PTR_TO_SOCK_COMMON, struct bpf_tcp_sock): every offset from -8 to 120 and
// sizes 1, 2, 4, 8 in sched_cls, root, through a socket from bpf_sk_lookup_tcp (released after),
// __sk_buff->sk and bpf_tcp_sock(sk); ctbpf::check() against the live kernel: the verdict, the
// errno and the message.
TEST_CASE("socket fields agree with the live kernel") {
    kernel_probe::loader l;
    {
        const std::vector<bpf_insn> trivial{ctbpf::make_insn(0xb7, 0, 0, 0, 0), ctbpf::make_insn(0x95, 0, 0, 0, 0)};
        if (l.load(trivial, static_cast<std::uint32_t>(prog_type::sched_cls)).err == EPERM) {
            std::printf("skipped: %s\n", kernel_probe::cannot_load_reason().c_str());
            return;
        }
    }
    using ctbpf::make_insn;
    const std::int32_t sk = find_context_field(prog_type::sched_cls, "sk")->off;
    const std::uint8_t loads[] = {0x71, 0x69, 0x61, 0x79}; // u8, u16, u32, u64
    const auto program = [&](int which, std::int16_t off, std::uint8_t code) {
        const bpf_insn read = make_insn(code, 2, 0, off, 0); // r2 = *(uN *)(r0 + off)
        switch (which) {
        case 0: // a socket: bpf_sk_lookup_tcp(ctx, zeroed tuple, 36, current netns, 0), then bpf_sk_release
            return std::vector<bpf_insn>{
                make_insn(0x7a, 10, 0, -8, 0), make_insn(0x7a, 10, 0, -16, 0), make_insn(0x7a, 10, 0, -24, 0),
                make_insn(0x7a, 10, 0, -32, 0), make_insn(0x7a, 10, 0, -40, 0), make_insn(0xbf, 2, 10, 0, 0),
                make_insn(0x07, 2, 0, 0, -40), make_insn(0xb7, 3, 0, 0, 36), make_insn(0xb7, 4, 0, 0, -1),
                make_insn(0xb7, 5, 0, 0, 0), make_insn(0x85, 0, 0, 0, 84), make_insn(0x15, 0, 0, 3, 0), read,
                make_insn(0xbf, 1, 0, 0, 0), make_insn(0x85, 0, 0, 0, 86), make_insn(0xb7, 0, 0, 0, 0),
                make_insn(0x95, 0, 0, 0, 0)};
        case 1: // a sock_common: __sk_buff->sk
            return std::vector<bpf_insn>{make_insn(0x79, 0, 1, static_cast<std::int16_t>(sk), 0), make_insn(0x15, 0, 0, 1, 0),
                                         read, make_insn(0xb7, 0, 0, 0, 0), make_insn(0x95, 0, 0, 0, 0)};
        default: // a tcp_sock: bpf_tcp_sock(__sk_buff->sk)
            return std::vector<bpf_insn>{make_insn(0x79, 1, 1, static_cast<std::int16_t>(sk), 0), make_insn(0x15, 1, 0, 3, 0),
                                         make_insn(0x85, 0, 0, 0, 96), make_insn(0x15, 0, 0, 1, 0), read,
                                         make_insn(0xb7, 0, 0, 0, 0), make_insn(0x95, 0, 0, 0, 0)};
        }
    };
    int cases = 0, accepted = 0, same = 0;
    for (int which = 0; which < 3; ++which)
        for (std::int16_t off = -8; off <= 120; ++off)
            for (std::uint8_t code : loads) {
                const std::vector<bpf_insn> p = program(which, off, code);
                const kernel_probe::load_result k = l.load(p, static_cast<std::uint32_t>(prog_type::sched_cls));
                const ctbpf::check_result r = ctbpf::check(p, {.type = prog_type::sched_cls});
                INFO((which == 0 ? "sock" : which == 1 ? "sock_common" : "tcp_sock") << " off " << off << " opcode "
                     << int{code} << ": kernel " << k.err << " '" << k.message << "', ctbpf "
                     << r.errnum << " '" << std::string(r.message()) << "', deferred " << ctbpf::to_string(r.deferred));
                // (the conversion after verification fails for two of them: left to the kernel)
                const bool conversion = k.err == EFAULT && k.message.starts_with("verifier bug: error during ctx access conversion");
                if (conversion) {
                    CHECK((r.ok() && r.deferred != ctbpf::deferral::none));
                    ++cases, ++same;
                    continue;
                }
                CHECK(r.ok() == k.ok());
                CHECK(r.deferred == ctbpf::deferral::none);
                if (!k.ok()) CHECK(std::string(r.message()) == k.message);
                if (!k.ok()) CHECK(r.errnum == k.err);
                ++cases;
                accepted += k.ok();
                same += r.ok() == k.ok() && (k.ok() || std::string(r.message()) == k.message);
            }
    std::printf("kernel tests: socket fields: %d loads compared, %d accepted, %d agree (verdict and message)\n", cases,
                accepted, same);
}
