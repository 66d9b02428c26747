// Names of program and map types (as bpftool spells them), both ways, for messages and the CLI.
#pragma once

#include "ctbpf/sys/config.hpp" // CTBPF_SYS_INLINE, CTBPF_SYS_BODIES

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "ctbpf/verify/maps.hpp"

namespace ctbpf::sys {

// enum bpf_prog_type, 0..32 (Linux 6.18), indexed by value.
inline constexpr std::array<std::string_view, 33> prog_type_names = {
    "unspec",        "socket_filter",  "kprobe",        "sched_cls",
    "sched_act",     "tracepoint",     "xdp",           "perf_event",
    "cgroup_skb",    "cgroup_sock",    "lwt_in",        "lwt_out",
    "lwt_xmit",      "sock_ops",       "sk_skb",        "cgroup_device",
    "sk_msg",        "raw_tracepoint", "cgroup_sock_addr", "lwt_seg6local",
    "lirc_mode2",    "sk_reuseport",   "flow_dissector", "cgroup_sysctl",
    "raw_tracepoint_writable", "cgroup_sockopt", "tracing", "struct_ops",
    "ext",           "lsm",            "sk_lookup",     "syscall",
    "netfilter",
};

inline std::string prog_type_name(std::uint32_t t) {
    return t < prog_type_names.size() ? std::string(prog_type_names[t]) : "prog type " + std::to_string(t);
}
inline std::string map_type_name(std::uint32_t t) { // (the names: ctbpf/verify/maps.hpp)
    const std::string_view n = to_string(static_cast<map_type>(t));
    return n != "unknown" ? std::string(n) : "map type " + std::to_string(t);
}

// "xdp", "XDP", "BPF_PROG_TYPE_XDP" -> 6; aliases "socket" and "tc" too.
CTBPF_SYS_INLINE std::optional<std::uint32_t> prog_type_from_name(std::string_view s)
#if CTBPF_SYS_BODIES
{
    std::string n;
    for (char c : s) n += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    if (n.rfind("bpf_prog_type_", 0) == 0) n.erase(0, 14);
    if (n == "socket" || n == "socket-filter") n = "socket_filter";
    if (n == "tc" || n == "classifier") n = "sched_cls";
    for (std::uint32_t i = 1; i < prog_type_names.size(); ++i)
        if (prog_type_names[i] == n) return i;
    return std::nullopt;
}
#else
;
#endif

} // namespace ctbpf::sys
