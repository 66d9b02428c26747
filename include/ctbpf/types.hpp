// Program types and attach types: one enumeration each (the kernel's enum bpf_prog_type and enum
// bpf_attach_type values, bpftool/libbpf names), one to_string and one parse (ctbpf::parse<E>),
// used by the verifier's options, the shim's load and attach options, and the CLI.
// kernel_enum<E> holds an E and also takes the kernel's raw constant (BPF_PROG_TYPE_XDP, a number).
#pragma once

#include <concepts>
#include <cstdint>
#include <optional>
#include <string_view>
#include <type_traits>

namespace ctbpf {

// enum bpf_prog_type (Linux 6.18); `unspecified` applies no program-type rule.
enum class prog_type : std::uint32_t {
    unspecified = 0,
    socket_filter, kprobe, sched_cls, sched_act, tracepoint, xdp, perf_event, cgroup_skb, cgroup_sock,
    lwt_in, lwt_out, lwt_xmit, sock_ops, sk_skb, cgroup_device, sk_msg, raw_tracepoint, cgroup_sock_addr,
    lwt_seg6local, lirc_mode2, sk_reuseport, flow_dissector, cgroup_sysctl, raw_tracepoint_writable,
    cgroup_sockopt, tracing, struct_ops, ext, lsm, sk_lookup, syscall, netfilter,
};

// enum bpf_attach_type (Linux 6.18); the enumerators are the kernel's names without BPF_.
enum class attach_type : std::uint32_t {
    cgroup_inet_ingress = 0,
    cgroup_inet_egress, cgroup_inet_sock_create, cgroup_sock_ops, sk_skb_stream_parser, sk_skb_stream_verdict,
    cgroup_device, sk_msg_verdict, cgroup_inet4_bind, cgroup_inet6_bind, cgroup_inet4_connect,
    cgroup_inet6_connect, cgroup_inet4_post_bind, cgroup_inet6_post_bind, cgroup_udp4_sendmsg,
    cgroup_udp6_sendmsg, lirc_mode2, flow_dissector, cgroup_sysctl, cgroup_udp4_recvmsg, cgroup_udp6_recvmsg,
    cgroup_getsockopt, cgroup_setsockopt, trace_raw_tp, trace_fentry, trace_fexit, modify_return, lsm_mac,
    trace_iter, cgroup_inet4_getpeername, cgroup_inet6_getpeername, cgroup_inet4_getsockname,
    cgroup_inet6_getsockname, xdp_devmap, cgroup_inet_sock_release, xdp_cpumap, sk_lookup, xdp, sk_skb_verdict,
    sk_reuseport_select, sk_reuseport_select_or_migrate, perf_event, trace_kprobe_multi, lsm_cgroup,
    struct_ops, netfilter, tcx_ingress, tcx_egress, trace_uprobe_multi, cgroup_unix_connect,
    cgroup_unix_sendmsg, cgroup_unix_recvmsg, cgroup_unix_getpeername, cgroup_unix_getsockname,
    netkit_primary, netkit_peer, trace_kprobe_session, trace_uprobe_session,
};

namespace detail {
inline constexpr std::string_view prog_type_names[] = {
    "unspec", "socket_filter", "kprobe", "sched_cls", "sched_act", "tracepoint", "xdp", "perf_event",
    "cgroup_skb", "cgroup_sock", "lwt_in", "lwt_out", "lwt_xmit", "sock_ops", "sk_skb", "cgroup_device",
    "sk_msg", "raw_tracepoint", "cgroup_sock_addr", "lwt_seg6local", "lirc_mode2", "sk_reuseport",
    "flow_dissector", "cgroup_sysctl", "raw_tracepoint_writable", "cgroup_sockopt", "tracing", "struct_ops",
    "ext", "lsm", "sk_lookup", "syscall", "netfilter",
};
inline constexpr std::string_view attach_type_names[] = {
    "cgroup_inet_ingress", "cgroup_inet_egress", "cgroup_inet_sock_create", "cgroup_sock_ops",
    "sk_skb_stream_parser", "sk_skb_stream_verdict", "cgroup_device", "sk_msg_verdict", "cgroup_inet4_bind",
    "cgroup_inet6_bind", "cgroup_inet4_connect", "cgroup_inet6_connect", "cgroup_inet4_post_bind",
    "cgroup_inet6_post_bind", "cgroup_udp4_sendmsg", "cgroup_udp6_sendmsg", "lirc_mode2", "flow_dissector",
    "cgroup_sysctl", "cgroup_udp4_recvmsg", "cgroup_udp6_recvmsg", "cgroup_getsockopt", "cgroup_setsockopt",
    "trace_raw_tp", "trace_fentry", "trace_fexit", "modify_return", "lsm_mac", "trace_iter",
    "cgroup_inet4_getpeername", "cgroup_inet6_getpeername", "cgroup_inet4_getsockname",
    "cgroup_inet6_getsockname", "xdp_devmap", "cgroup_inet_sock_release", "xdp_cpumap", "sk_lookup", "xdp",
    "sk_skb_verdict", "sk_reuseport_select", "sk_reuseport_select_or_migrate", "perf_event",
    "trace_kprobe_multi", "lsm_cgroup", "struct_ops", "netfilter", "tcx_ingress", "tcx_egress",
    "trace_uprobe_multi", "cgroup_unix_connect", "cgroup_unix_sendmsg", "cgroup_unix_recvmsg",
    "cgroup_unix_getpeername", "cgroup_unix_getsockname", "netkit_primary", "netkit_peer",
    "trace_kprobe_session", "trace_uprobe_session",
};
// Per enumeration: its names (by value), the kernel's prefix and the accepted aliases.
template <class E>
struct enum_names;
template <>
struct enum_names<prog_type> {
    static constexpr const std::string_view* names = prog_type_names;
    static constexpr std::uint32_t count = sizeof prog_type_names / sizeof prog_type_names[0];
    static constexpr std::string_view prefix = "bpf_prog_type_";
    struct alias {
        std::string_view name;
        prog_type value;
    };
    static constexpr alias aliases[] = {{"unspecified", prog_type::unspecified}, {"socket", prog_type::socket_filter},
                                        {"socket-filter", prog_type::socket_filter}, {"tc", prog_type::sched_cls},
                                        {"classifier", prog_type::sched_cls}, {"action", prog_type::sched_act}};
};
template <>
struct enum_names<attach_type> {
    static constexpr const std::string_view* names = attach_type_names;
    static constexpr std::uint32_t count = sizeof attach_type_names / sizeof attach_type_names[0];
    static constexpr std::string_view prefix = "bpf_";
    struct alias {
        std::string_view name;
        attach_type value;
    };
    // bpftool's other attach-type names (besides libbpf's, which are the enumerators'): the
    // traditional input names of `bpftool cgroup attach` / `bpftool prog attach` (bpftool's
    // bpf_attach_type_input_str and prog.c attach_type_strings) and `bpftool net`'s tcx/netkit
    // locations; plus "iter"
    static constexpr alias aliases[] = {
        {"ingress", attach_type::cgroup_inet_ingress}, {"egress", attach_type::cgroup_inet_egress},
        {"sock_create", attach_type::cgroup_inet_sock_create}, {"sock_release", attach_type::cgroup_inet_sock_release},
        {"sock_ops", attach_type::cgroup_sock_ops}, {"device", attach_type::cgroup_device},
        {"bind4", attach_type::cgroup_inet4_bind}, {"bind6", attach_type::cgroup_inet6_bind},
        {"connect4", attach_type::cgroup_inet4_connect}, {"connect6", attach_type::cgroup_inet6_connect},
        {"post_bind4", attach_type::cgroup_inet4_post_bind}, {"post_bind6", attach_type::cgroup_inet6_post_bind},
        {"getpeername4", attach_type::cgroup_inet4_getpeername}, {"getpeername6", attach_type::cgroup_inet6_getpeername},
        {"getsockname4", attach_type::cgroup_inet4_getsockname}, {"getsockname6", attach_type::cgroup_inet6_getsockname},
        {"sendmsg4", attach_type::cgroup_udp4_sendmsg}, {"sendmsg6", attach_type::cgroup_udp6_sendmsg},
        {"sysctl", attach_type::cgroup_sysctl}, {"recvmsg4", attach_type::cgroup_udp4_recvmsg},
        {"recvmsg6", attach_type::cgroup_udp6_recvmsg}, {"getsockopt", attach_type::cgroup_getsockopt},
        {"setsockopt", attach_type::cgroup_setsockopt}, {"raw_tp", attach_type::trace_raw_tp},
        {"fentry", attach_type::trace_fentry}, {"fexit", attach_type::trace_fexit},
        {"mod_ret", attach_type::modify_return}, {"sk_skb_reuseport_select", attach_type::sk_reuseport_select},
        {"sk_skb_reuseport_select_or_migrate", attach_type::sk_reuseport_select_or_migrate},
        {"stream_parser", attach_type::sk_skb_stream_parser}, {"stream_verdict", attach_type::sk_skb_stream_verdict},
        {"skb_verdict", attach_type::sk_skb_verdict}, {"msg_verdict", attach_type::sk_msg_verdict},
        {"tcx/ingress", attach_type::tcx_ingress}, {"tcx/egress", attach_type::tcx_egress},
        {"netkit/primary", attach_type::netkit_primary}, {"netkit/peer", attach_type::netkit_peer},
        {"iter", attach_type::trace_iter},
    };
};
constexpr char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }
// ASCII case-insensitive equality, '-' matching '_'
constexpr bool same_name(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        const char x = a[i] == '-' ? '_' : lower(a[i]), y = b[i] == '-' ? '_' : lower(b[i]);
        if (x != y) return false;
    }
    return true;
}
} // namespace detail

// The bpftool / libbpf name: "xdp", "sched_cls", "cgroup_inet_egress", "trace_fentry"; "unknown" past the table.
template <class E>
    requires requires { detail::enum_names<E>::count; }
constexpr std::string_view to_string(E t) {
    const auto i = static_cast<std::uint32_t>(t);
    return i < detail::enum_names<E>::count ? detail::enum_names<E>::names[i] : std::string_view("unknown");
}

// The one parser of program and attach type names: the bpftool name ("xdp", "cgroup_inet_egress"),
// the kernel's constant ("BPF_PROG_TYPE_XDP", "BPF_CGROUP_INET_EGRESS"), or an alias ("unspecified",
// "tc", "socket"; bpftool's other attach names "egress", "mod_ret", "tcx/ingress", ...),
// case-insensitive, '-' as '_'. nullopt when the name is unknown.
template <class E>
    requires requires { detail::enum_names<E>::count; }
constexpr std::optional<E> parse(std::string_view name) {
    using N = detail::enum_names<E>;
    if (name.size() > N::prefix.size() && detail::same_name(name.substr(0, N::prefix.size()), N::prefix))
        name.remove_prefix(N::prefix.size());
    for (std::uint32_t i = 0; i < N::count; ++i)
        if (detail::same_name(name, N::names[i])) return static_cast<E>(i);
    for (const auto& a : N::aliases)
        if (detail::same_name(name, a.name)) return a.value;
    return std::nullopt;
}

// An E that also converts from the kernel's raw constant (BPF_PROG_TYPE_XDP, BPF_CGROUP_INET_EGRESS,
// or a number), so that load options written with the kernel's constants keep compiling.
template <class E>
struct kernel_enum {
    E value{};

    constexpr kernel_enum() = default;
    constexpr kernel_enum(E e) : value(e) {}
    template <class T>
        requires(!std::same_as<T, E> && !std::same_as<T, bool> &&
                 (std::is_integral_v<T> || (std::is_enum_v<T> && std::is_convertible_v<T, std::uint32_t>)))
    constexpr kernel_enum(T raw) : value(static_cast<E>(raw)) {}

    constexpr operator E() const { return value; }
    constexpr std::uint32_t raw() const { return static_cast<std::uint32_t>(value); }
    constexpr explicit operator std::uint32_t() const { return raw(); }
    friend constexpr bool operator==(kernel_enum a, kernel_enum b) { return a.value == b.value; }
    friend constexpr bool operator==(kernel_enum a, E b) { return a.value == b; }
};
template <class E>
constexpr std::string_view to_string(kernel_enum<E> t) {
    return to_string(t.value);
}

} // namespace ctbpf
