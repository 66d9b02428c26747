// Program-type context layouts: which loads and stores through the context pointer (R1 at entry,
// PTR_TO_CTX at a constant offset) the kernel accepts, the kernel's message when it does not, and
// the register type a load produces. One function per context struct, written after the kernel's
// *_is_valid_access() callbacks (net/core/filter.c, kernel/trace/bpf_trace.c, kernel/bpf/cgroup.c,
// kernel/bpf/syscall.c) and checked offset by offset against Linux 6.18
// (tests/verify_context_kernel_test.cpp).
//
// Order of the kernel's checks for an access through ctx (6.18):
//   * BPF_LDX / BPF_STX / BPF_ST: check_mem_access -> (STX: "R%d leaks addr into ctx" for a pointer
//     source) -> the type's is_valid_access -> "invalid bpf_context access off=%d size=%d" (EACCES).
//     BPF_ST into ctx is allowed since Linux 6.4 and follows the same rule as BPF_STX.
//   * BPF_ATOMIC (read-modify-write): B/H sizes "invalid atomic operand size" (EINVAL) first, then
//     "BPF_ATOMIC stores into R%d ctx is not allowed" (EACCES) at any offset.
//   * BPF_LDX | BPF_MEMSX: the same rules with is_ldsx set (no sign-extending loads of the u32
//     packet pointers data / data_meta / data_end); the scalar is sign-extended.
// The value of a scalar load is never bounded more tightly than its size: narrow loads are
// zero-extended ([0, 2^(8*size) - 1]), sign-extending loads give [-2^(8*size-1), 2^(8*size-1) - 1],
// 8-byte loads are unknown (all measured from the 6.18 log).
// Kernel quirks kept on purpose (measured): tracepoint accepts negative offsets (a signed offset is
// compared with sizeof(void *)), as long as off % size == 0; 0 <= off < 8 is rejected.
// Not modelled here: BPF_F_STRICT_ALIGNMENT ("misaligned context access"), programs that need BTF
// (tracing, lsm, ext, struct_ops), offloaded XDP (writable rx_queue_index), BPF tokens.
#pragma once

#include <cerrno>
#include <cstdint>
#include <span>
#include <string_view>

#include "ctbpf/verify/options.hpp"

namespace ctbpf::detail::vfy {

// How the context is accessed: BPF_LDX | BPF_MEM (load into a register), BPF_STX (store a register),
// BPF_ST (store an immediate), BPF_STX | BPF_ATOMIC (read-modify-write: add, or, and, xor, xchg,
// cmpxchg), BPF_LDX | BPF_MEMSX (sign-extending load; sizes 1, 2, 4).
enum class ctx_op : std::uint8_t { load, store_reg, store_imm, atomic, load_sx };

constexpr std::string_view to_string(ctx_op op) {
    switch (op) {
    case ctx_op::load: return "load";
    case ctx_op::store_reg: return "store_reg";
    case ctx_op::store_imm: return "store_imm";
    case ctx_op::atomic: return "atomic";
    case ctx_op::load_sx: return "load_sx";
    }
    return "?";
}

// The type of the register a context load produces (the kernel's bpf_reg_type, verifier log name in
// the comment).
enum class ctx_reg_type : std::uint8_t {
    none,                // not a load, or rejected
    scalar,              // scalar(...)
    pkt,                 // pkt(...)            PTR_TO_PACKET
    pkt_end,             // pkt_end()           PTR_TO_PACKET_END
    pkt_meta,            // pkt_meta(...)       PTR_TO_PACKET_META
    sock_common_or_null, // sock_common_or_null PTR_TO_SOCK_COMMON | PTR_MAYBE_NULL
    sock_or_null,        // sock_or_null        PTR_TO_SOCKET | PTR_MAYBE_NULL
    socket,              // sock                PTR_TO_SOCKET
    flow_keys,           // flow_keys           PTR_TO_FLOW_KEYS
    tp_buffer,           // tp_buffer           PTR_TO_TP_BUFFER
    ctx_unknown,         // something only the kernel knows (BTF ids)
};

constexpr std::string_view to_string(ctx_reg_type r) {
    switch (r) {
    case ctx_reg_type::none: return "none";
    case ctx_reg_type::scalar: return "scalar";
    case ctx_reg_type::pkt: return "pkt";
    case ctx_reg_type::pkt_end: return "pkt_end";
    case ctx_reg_type::pkt_meta: return "pkt_meta";
    case ctx_reg_type::sock_common_or_null: return "sock_common_or_null";
    case ctx_reg_type::sock_or_null: return "sock_or_null";
    case ctx_reg_type::socket: return "sock";
    case ctx_reg_type::flow_keys: return "flow_keys";
    case ctx_reg_type::tp_buffer: return "tp_buffer";
    case ctx_reg_type::ctx_unknown: return "unknown";
    }
    return "?";
}

// Why an access is rejected.
enum class ctx_reject : std::uint8_t {
    none,
    invalid_access, // "invalid bpf_context access off=%d size=%d" (EACCES)
    atomic_into_ctx, // "BPF_ATOMIC stores into R%d ctx is not allowed" (EACCES)
    atomic_size,     // "invalid atomic operand size" (EINVAL)
    not_covered,     // the program type is not in this table: leave it to the kernel
};

// The kernel's decision on one context access.
struct ctx_access {
    bool allowed = false;
    ctx_reject reason = ctx_reject::none;
    int errnum = 0;                     // BPF_PROG_LOAD's errno when rejected
    verifier_message msg{};             // the kernel's message when rejected
    ctx_reg_type reg = ctx_reg_type::none; // load: the type of the destination register
    // load of a scalar: the bounds the kernel gives it (narrow loads are zero-extended, BPF_MEMSX
    // loads sign-extended; the kernel knows no narrower range for any context field)
    std::uint64_t umin = 0, umax = 0;
    std::int64_t smin = 0, smax = 0;
    std::uint32_t field_size = 0;       // the kernel's ctx_field_size when it records one (narrowable)

    constexpr explicit operator bool() const { return allowed; }
    constexpr std::string_view message() const { return msg.view(); }
};

// A named member of a context struct (uapi spelling; an array is one entry of its whole size, with
// `count` elements of size / count bytes each).
struct ctx_field {
    std::string_view name;
    std::int32_t off;
    std::uint32_t size;
    std::uint32_t count = 1;
};

namespace ctx {

// enum bpf_attach_type values used by the context rules.
inline constexpr std::uint32_t cgroup_inet_ingress = 0, cgroup_inet_egress = 1, cgroup_inet_sock_create = 2,
    cgroup_inet4_bind = 8, cgroup_inet6_bind = 9, cgroup_inet4_connect = 10, cgroup_inet6_connect = 11,
    cgroup_inet4_post_bind = 12, cgroup_inet6_post_bind = 13, cgroup_udp4_sendmsg = 14,
    cgroup_udp6_sendmsg = 15, cgroup_udp4_recvmsg = 19, cgroup_udp6_recvmsg = 20, cgroup_getsockopt = 21,
    cgroup_setsockopt = 22, cgroup_inet4_getpeername = 29, cgroup_inet6_getpeername = 30,
    cgroup_inet4_getsockname = 31, cgroup_inet6_getsockname = 32, xdp_devmap = 33,
    cgroup_inet_sock_release = 34, xdp_cpumap = 35, bpf_sk_lookup = 36, bpf_xdp = 37, sk_reuseport_select = 39,
    sk_reuseport_select_or_migrate = 40, cgroup_unix_connect = 49, cgroup_unix_sendmsg = 50,
    cgroup_unix_recvmsg = 51, cgroup_unix_getpeername = 52, cgroup_unix_getsockname = 53;

// What a type's callback decides: accepted or not, the register type and the recorded field size.
struct verdict {
    bool ok = false;
    ctx_reg_type reg = ctx_reg_type::scalar;
    std::uint32_t field = 0;
};
inline constexpr verdict no{};
constexpr verdict yes(ctx_reg_type r = ctx_reg_type::scalar) { return {true, r, 0}; }
constexpr verdict when(bool c, ctx_reg_type r = ctx_reg_type::scalar) { return {c, r, 0}; }
// bpf_ctx_narrow_access_ok after bpf_ctx_record_field_size(field)
constexpr verdict narrow(std::uint32_t size, std::uint32_t field) {
    return {size <= field && (size & (size - 1)) == 0, ctx_reg_type::scalar, field};
}
// offset within [begin, begin + len)
constexpr bool in(std::int32_t off, std::int32_t begin, std::int32_t len) { return off >= begin && off < begin + len; }
constexpr bool misaligned(std::int32_t off, std::uint32_t size) { return off % static_cast<std::int32_t>(size) != 0; }

// ---- struct __sk_buff (192 bytes) ----
namespace skb {
inline constexpr std::int32_t len = 0, pkt_type = 4, mark = 8, queue_mapping = 12, protocol = 16, vlan_present = 20,
    vlan_tci = 24, vlan_proto = 28, priority = 32, ingress_ifindex = 36, ifindex = 40, tc_index = 44, cb = 48,
    hash = 68, tc_classid = 72, data = 76, data_end = 80, napi_id = 84, family = 88, remote_ip4 = 92,
    local_ip4 = 96, remote_ip6 = 100, local_ip6 = 116, remote_port = 132, local_port = 136, data_meta = 140,
    flow_keys = 144, tstamp = 152, wire_len = 160, gso_segs = 164, sk = 168, gso_size = 176, tstamp_type = 180,
    hwtstamp = 184, size_ = 192;
inline constexpr ctx_field fields[] = {
    {"len", len, 4}, {"pkt_type", pkt_type, 4}, {"mark", mark, 4}, {"queue_mapping", queue_mapping, 4},
    {"protocol", protocol, 4}, {"vlan_present", vlan_present, 4}, {"vlan_tci", vlan_tci, 4},
    {"vlan_proto", vlan_proto, 4}, {"priority", priority, 4}, {"ingress_ifindex", ingress_ifindex, 4},
    {"ifindex", ifindex, 4}, {"tc_index", tc_index, 4}, {"cb", cb, 20, 5}, {"hash", hash, 4},
    {"tc_classid", tc_classid, 4}, {"data", data, 4}, {"data_end", data_end, 4}, {"napi_id", napi_id, 4},
    {"family", family, 4}, {"remote_ip4", remote_ip4, 4}, {"local_ip4", local_ip4, 4},
    {"remote_ip6", remote_ip6, 16, 4}, {"local_ip6", local_ip6, 16, 4}, {"remote_port", remote_port, 4},
    {"local_port", local_port, 4}, {"data_meta", data_meta, 4}, {"flow_keys", flow_keys, 8},
    {"tstamp", tstamp, 8}, {"wire_len", wire_len, 4}, {"gso_segs", gso_segs, 4}, {"sk", sk, 8},
    {"gso_size", gso_size, 4}, {"tstamp_type", tstamp_type, 1}, {"hwtstamp", hwtstamp, 8},
};
// family .. local_port: the socket fields
constexpr bool sock_fields(std::int32_t off) { return in(off, family, local_port + 4 - family); }
constexpr bool cbs(std::int32_t off) { return in(off, cb, 20); }

// bpf_skb_is_valid_access: the rules every __sk_buff program type ends with.
constexpr verdict common(std::int32_t off, std::uint32_t size, bool write, ctx_reg_type reg, bool sx) {
    if (off < 0 || off >= size_) return no;
    if (misaligned(off, size)) return no;
    if (cbs(off)) return when(off + static_cast<std::int32_t>(size) <= cb + 20, reg);
    if (in(off, data, 4) || in(off, data_meta, 4) || in(off, data_end, 4)) return when(!sx && size == 4, reg);
    if (in(off, remote_ip4, 4) || in(off, local_ip4, 4) || in(off, remote_ip6, 32)) return when(size == 4, reg);
    if (in(off, flow_keys, 8)) return no;
    if (in(off, hwtstamp, 8)) return when(!write && size == 8, reg);
    if (in(off, tstamp, 8)) return when(size == 8, reg);
    if (in(off, sk, 8)) return when(!write && size == 8, ctx_reg_type::sock_common_or_null);
    if (in(off, tstamp_type, 4)) return no; // tstamp_type and the padding after it
    if (write) return when(size == 4, reg);
    return narrow(size, 4);
}
} // namespace skb

constexpr verdict socket_filter(std::int32_t off, std::uint32_t size, bool write, bool sx) {
    using namespace skb;
    if (in(off, tc_classid, 4) || in(off, data, 4) || in(off, data_meta, 4) || in(off, data_end, 4) ||
        sock_fields(off) || in(off, tstamp, 8) || in(off, wire_len, 4) || in(off, hwtstamp, 8))
        return no;
    if (write && !cbs(off)) return no;
    return common(off, size, write, ctx_reg_type::scalar, sx);
}

constexpr verdict cgroup_skb(std::int32_t off, std::uint32_t size, bool write, privilege p, bool sx) {
    using namespace skb;
    const bool cap_bpf = p == privilege::root;
    if (in(off, tc_classid, 4) || in(off, data_meta, 4) || in(off, wire_len, 4)) return no;
    if ((in(off, data, 4) || in(off, data_end, 4)) && !cap_bpf) return no;
    if (write && !(in(off, mark, 4) || in(off, priority, 4) || cbs(off) || (in(off, tstamp, 8) && cap_bpf)))
        return no;
    const ctx_reg_type r = in(off, data, 4) ? ctx_reg_type::pkt : in(off, data_end, 4) ? ctx_reg_type::pkt_end : ctx_reg_type::scalar;
    return common(off, size, write, r, sx);
}

constexpr verdict lwt(std::int32_t off, std::uint32_t size, bool write, bool sx) {
    using namespace skb;
    if (in(off, tc_classid, 4) || sock_fields(off) || in(off, data_meta, 4) || in(off, tstamp, 8) ||
        in(off, wire_len, 4) || in(off, hwtstamp, 8))
        return no;
    if (write && !(in(off, mark, 4) || in(off, priority, 4) || cbs(off))) return no;
    const ctx_reg_type r = in(off, data, 4) ? ctx_reg_type::pkt : in(off, data_end, 4) ? ctx_reg_type::pkt_end : ctx_reg_type::scalar;
    return common(off, size, write, r, sx);
}

constexpr verdict tc(std::int32_t off, std::uint32_t size, bool write, bool sx) {
    using namespace skb;
    if (write && !(in(off, mark, 4) || in(off, tc_index, 4) || in(off, priority, 4) || in(off, tc_classid, 4) ||
                   cbs(off) || in(off, tstamp, 8) || in(off, queue_mapping, 4)))
        return no;
    if (sock_fields(off)) return no;
    if (off == tstamp_type) return when(size == 1);
    const ctx_reg_type r = in(off, data, 4)        ? ctx_reg_type::pkt
                           : in(off, data_meta, 4) ? ctx_reg_type::pkt_meta
                           : in(off, data_end, 4)  ? ctx_reg_type::pkt_end
                                                   : ctx_reg_type::scalar;
    return common(off, size, write, r, sx);
}

constexpr verdict sk_skb(std::int32_t off, std::uint32_t size, bool write, bool sx) {
    using namespace skb;
    if (in(off, tc_classid, 4) || in(off, data_meta, 4) || in(off, tstamp, 8) || in(off, wire_len, 4) ||
        in(off, hwtstamp, 8))
        return no;
    if (write && !(in(off, tc_index, 4) || in(off, priority, 4))) return no;
    if (in(off, mark, 4)) return no;
    const ctx_reg_type r = in(off, data, 4) ? ctx_reg_type::pkt : in(off, data_end, 4) ? ctx_reg_type::pkt_end : ctx_reg_type::scalar;
    return common(off, size, write, r, sx);
}

constexpr verdict flow_dissector(std::int32_t off, std::uint32_t size, bool write, bool sx) {
    using namespace skb;
    if (off < 0 || off >= size_ || misaligned(off, size) || write) return no;
    if (in(off, data, 4)) return when(!sx && size == 4, ctx_reg_type::pkt);
    if (in(off, data_end, 4)) return when(!sx && size == 4, ctx_reg_type::pkt_end);
    if (in(off, flow_keys, 8)) return when(size == 8, ctx_reg_type::flow_keys);
    return no;
}

// ---- struct xdp_md (24 bytes) ----
namespace xdp_md {
inline constexpr std::int32_t data = 0, data_end = 4, data_meta = 8, ingress_ifindex = 12, rx_queue_index = 16,
    egress_ifindex = 20, size_ = 24;
inline constexpr ctx_field fields[] = {
    {"data", data, 4}, {"data_end", data_end, 4}, {"data_meta", data_meta, 4},
    {"ingress_ifindex", ingress_ifindex, 4}, {"rx_queue_index", rx_queue_index, 4},
    {"egress_ifindex", egress_ifindex, 4},
};
} // namespace xdp_md

constexpr verdict xdp(std::int32_t off, std::uint32_t size, bool write, std::uint32_t attach, bool sx) {
    using namespace xdp_md;
    if (attach != xdp_devmap && off == egress_ifindex) return no;
    if (write) return no; // (rx_queue_index is writable only by offloaded programs)
    if (sx && (off == data || off == data_meta || off == data_end)) return no;
    const ctx_reg_type r = off == data        ? ctx_reg_type::pkt
                           : off == data_meta ? ctx_reg_type::pkt_meta
                           : off == data_end  ? ctx_reg_type::pkt_end
                                              : ctx_reg_type::scalar;
    if (off < 0 || off >= size_ || misaligned(off, size)) return no;
    return when(size == 4, r);
}

// ---- struct bpf_sock (80 bytes): cgroup_sock ----
namespace sock {
inline constexpr std::int32_t bound_dev_if = 0, family = 4, type = 8, protocol = 12, mark = 16, priority = 20,
    src_ip4 = 24, src_ip6 = 28, src_port = 44, dst_port = 48, dst_ip4 = 52, dst_ip6 = 56, state = 72,
    rx_queue_mapping = 76, size_ = 80;
inline constexpr ctx_field fields[] = {
    {"bound_dev_if", bound_dev_if, 4}, {"family", family, 4}, {"type", type, 4}, {"protocol", protocol, 4},
    {"mark", mark, 4}, {"priority", priority, 4}, {"src_ip4", src_ip4, 4}, {"src_ip6", src_ip6, 16, 4},
    {"src_port", src_port, 4}, {"dst_port", dst_port, 2}, {"dst_ip4", dst_ip4, 4}, {"dst_ip6", dst_ip6, 16, 4},
    {"state", state, 4}, {"rx_queue_mapping", rx_queue_mapping, 4},
};
// bpf_sock_is_valid_access
constexpr verdict common(std::int32_t off, std::uint32_t size) {
    if (off < 0 || off >= size_ || misaligned(off, size)) return no;
    if (off == state || off == family || off == type || off == protocol || off == src_port ||
        off == rx_queue_mapping || in(off, src_ip4, 4) || in(off, src_ip6, 16) || in(off, dst_ip4, 4) ||
        in(off, dst_ip6, 16))
        return narrow(size, 4);
    if (in(off, dst_port, 2)) return narrow(size, size == 4 ? 4 : 2);
    if (in(off, dst_port + 2, 2)) return no;
    return when(size == 4);
}
} // namespace sock

constexpr verdict cgroup_sock(std::int32_t off, std::uint32_t size, bool write, std::uint32_t attach) {
    using namespace sock;
    if (attach == 0) attach = cgroup_inet_sock_create; // bpf_prog_load_fixup_attach_type
    verdict v = common(off, size);
    if (!v.ok) return no;
    if (off == bound_dev_if || off == mark || off == priority) {
        if (attach == cgroup_inet_sock_create || attach == cgroup_inet_sock_release) return v;
        return no;
    }
    if (in(off, src_ip4, 4) && attach != cgroup_inet4_post_bind) return no;
    if (in(off, src_ip6, 16) && attach != cgroup_inet6_post_bind) return no;
    if (in(off, src_port, 4) && attach != cgroup_inet4_post_bind && attach != cgroup_inet6_post_bind) return no;
    return write ? no : v;
}

// ---- struct bpf_sock_addr (72 bytes): cgroup_sock_addr ----
namespace sock_addr {
inline constexpr std::int32_t user_family = 0, user_ip4 = 4, user_ip6 = 8, user_port = 24, family = 28, type = 32,
    protocol = 36, msg_src_ip4 = 40, msg_src_ip6 = 44, sk = 64, size_ = 72;
inline constexpr ctx_field fields[] = {
    {"user_family", user_family, 4}, {"user_ip4", user_ip4, 4}, {"user_ip6", user_ip6, 16, 4},
    {"user_port", user_port, 4}, {"family", family, 4}, {"type", type, 4}, {"protocol", protocol, 4},
    {"msg_src_ip4", msg_src_ip4, 4}, {"msg_src_ip6", msg_src_ip6, 16, 4}, {"sk", sk, 8},
};
// bpf_ctx_wide_access_ok for an array of 16 bytes at `begin`
constexpr bool wide(std::int32_t off, std::uint32_t size, std::int32_t begin) {
    return size == 8 && off >= begin && off + 8 <= begin + 16 && off % 8 == 0;
}
} // namespace sock_addr

constexpr verdict cgroup_sock_addr(std::int32_t off, std::uint32_t size, bool write, std::uint32_t a) {
    using namespace sock_addr;
    if (off < 0 || off >= size_ || misaligned(off, size)) return no;
    const bool v4 = a == cgroup_inet4_bind || a == cgroup_inet4_connect || a == cgroup_inet4_getpeername ||
                    a == cgroup_inet4_getsockname || a == cgroup_udp4_sendmsg || a == cgroup_udp4_recvmsg;
    const bool v6 = a == cgroup_inet6_bind || a == cgroup_inet6_connect || a == cgroup_inet6_getpeername ||
                    a == cgroup_inet6_getsockname || a == cgroup_udp6_sendmsg || a == cgroup_udp6_recvmsg;
    if (in(off, user_ip4, 4) && !v4) return no;
    if (in(off, user_ip6, 16) && !v6) return no;
    if (in(off, msg_src_ip4, 4) && a != cgroup_udp4_sendmsg) return no;
    if (in(off, msg_src_ip6, 16) && a != cgroup_udp6_sendmsg) return no;
    if (in(off, user_ip4, 4) || in(off, user_ip6, 16) || in(off, msg_src_ip4, 4) || in(off, msg_src_ip6, 16) ||
        in(off, user_port, 4)) {
        if (wide(off, size, user_ip6) || wide(off, size, msg_src_ip6)) return yes();
        if (write) return when(size == 4);
        return narrow(size, 4);
    }
    if (in(off, sk, 8)) return when(!write && size == 8, ctx_reg_type::socket);
    if (in(off, user_family, 4) || in(off, family, 4) || in(off, type, 4) || in(off, protocol, 4))
        return when(!write && size == 4);
    return no;
}

// ---- struct bpf_sock_ops (224 bytes) ----
namespace sock_ops_md {
inline constexpr std::int32_t op = 0, args = 4, family = 20, remote_ip4 = 24, local_ip4 = 28, remote_ip6 = 32,
    local_ip6 = 48, remote_port = 64, local_port = 68, is_fullsock = 72, snd_cwnd = 76, srtt_us = 80,
    bpf_sock_ops_cb_flags = 84, state = 88, rtt_min = 92, snd_ssthresh = 96, rcv_nxt = 100, snd_nxt = 104,
    snd_una = 108, mss_cache = 112, ecn_flags = 116, rate_delivered = 120, rate_interval_us = 124,
    packets_out = 128, retrans_out = 132, total_retrans = 136, segs_in = 140, data_segs_in = 144,
    segs_out = 148, data_segs_out = 152, lost_out = 156, sacked_out = 160, sk_txhash = 164,
    bytes_received = 168, bytes_acked = 176, sk = 184, skb_data = 192, skb_data_end = 200, skb_len = 208,
    skb_tcp_flags = 212, skb_hwtstamp = 216, size_ = 224;
inline constexpr ctx_field fields[] = {
    {"op", op, 4}, {"args", args, 16, 4}, {"reply", args, 4}, {"replylong", args, 16, 4}, {"family", family, 4},
    {"remote_ip4", remote_ip4, 4}, {"local_ip4", local_ip4, 4}, {"remote_ip6", remote_ip6, 16, 4},
    {"local_ip6", local_ip6, 16, 4}, {"remote_port", remote_port, 4}, {"local_port", local_port, 4},
    {"is_fullsock", is_fullsock, 4}, {"snd_cwnd", snd_cwnd, 4}, {"srtt_us", srtt_us, 4},
    {"bpf_sock_ops_cb_flags", bpf_sock_ops_cb_flags, 4}, {"state", state, 4}, {"rtt_min", rtt_min, 4},
    {"snd_ssthresh", snd_ssthresh, 4}, {"rcv_nxt", rcv_nxt, 4}, {"snd_nxt", snd_nxt, 4},
    {"snd_una", snd_una, 4}, {"mss_cache", mss_cache, 4}, {"ecn_flags", ecn_flags, 4},
    {"rate_delivered", rate_delivered, 4}, {"rate_interval_us", rate_interval_us, 4},
    {"packets_out", packets_out, 4}, {"retrans_out", retrans_out, 4}, {"total_retrans", total_retrans, 4},
    {"segs_in", segs_in, 4}, {"data_segs_in", data_segs_in, 4}, {"segs_out", segs_out, 4},
    {"data_segs_out", data_segs_out, 4}, {"lost_out", lost_out, 4}, {"sacked_out", sacked_out, 4},
    {"sk_txhash", sk_txhash, 4}, {"bytes_received", bytes_received, 8}, {"bytes_acked", bytes_acked, 8},
    {"sk", sk, 8}, {"skb_data", skb_data, 8}, {"skb_data_end", skb_data_end, 8}, {"skb_len", skb_len, 4},
    {"skb_tcp_flags", skb_tcp_flags, 4}, {"skb_hwtstamp", skb_hwtstamp, 8},
};
} // namespace sock_ops_md

constexpr verdict sock_ops(std::int32_t off, std::uint32_t size, bool write) {
    using namespace sock_ops_md;
    if (off < 0 || off >= size_ || misaligned(off, size)) return no;
    if (write) return when((off == args || off == sk_txhash) && size == 4);
    if (in(off, bytes_received, 16)) return when(size == 8);
    if (in(off, sk, 8)) return when(size == 8, ctx_reg_type::sock_or_null);
    if (in(off, skb_data, 8)) return when(size == 8, ctx_reg_type::pkt);
    if (in(off, skb_data_end, 8)) return when(size == 8, ctx_reg_type::pkt_end);
    if (off == skb_tcp_flags) return narrow(size, 4);
    if (in(off, skb_hwtstamp, 8)) return when(size == 8);
    return when(size == 4);
}

// ---- struct sk_msg_md (80 bytes) ----
namespace msg_md {
inline constexpr std::int32_t data = 0, data_end = 8, family = 16, remote_ip4 = 20, local_ip4 = 24, remote_ip6 = 28,
    local_ip6 = 44, remote_port = 60, local_port = 64, size = 68, sk = 72, size_ = 80;
inline constexpr ctx_field fields[] = {
    {"data", data, 8}, {"data_end", data_end, 8}, {"family", family, 4}, {"remote_ip4", remote_ip4, 4},
    {"local_ip4", local_ip4, 4}, {"remote_ip6", remote_ip6, 16, 4}, {"local_ip6", local_ip6, 16, 4},
    {"remote_port", remote_port, 4}, {"local_port", local_port, 4}, {"size", size, 4}, {"sk", sk, 8},
};
} // namespace msg_md

constexpr verdict sk_msg(std::int32_t off, std::uint32_t sz, bool write) {
    using namespace msg_md;
    if (write || misaligned(off, sz)) return no;
    if (in(off, data, 8)) return when(sz == 8, ctx_reg_type::pkt);
    if (in(off, data_end, 8)) return when(sz == 8, ctx_reg_type::pkt_end);
    if (in(off, sk, 8)) return when(sz == 8, ctx_reg_type::socket);
    if (in(off, family, size + 4 - family)) return when(sz == 4);
    return no;
}

// ---- struct sk_reuseport_md (56 bytes) ----
namespace reuseport_md {
inline constexpr std::int32_t data = 0, data_end = 8, len = 16, eth_protocol = 20, ip_protocol = 24,
    bind_inany = 28, hash = 32, sk = 40, migrating_sk = 48, size_ = 56;
inline constexpr ctx_field fields[] = {
    {"data", data, 8}, {"data_end", data_end, 8}, {"len", len, 4}, {"eth_protocol", eth_protocol, 4},
    {"ip_protocol", ip_protocol, 4}, {"bind_inany", bind_inany, 4}, {"hash", hash, 4}, {"sk", sk, 8},
    {"migrating_sk", migrating_sk, 8},
};
} // namespace reuseport_md

constexpr verdict sk_reuseport(std::int32_t off, std::uint32_t size, bool write) {
    using namespace reuseport_md;
    if (off < 0 || off >= size_ || misaligned(off, size) || write) return no;
    if (off == data) return when(size == 8, ctx_reg_type::pkt);
    if (off == data_end) return when(size == 8, ctx_reg_type::pkt_end);
    if (off == hash) return when(size == 4);
    if (off == sk) return when(size == 8, ctx_reg_type::socket);
    if (off == migrating_sk) return when(size == 8, ctx_reg_type::sock_common_or_null);
    if (in(off, eth_protocol, 4) && size < 2) return no; // sizeof(sk_buff::protocol)
    if (in(off, len, 16)) return narrow(size, 4);         // len, eth_protocol, ip_protocol, bind_inany
    return no;
}

// ---- struct bpf_sk_lookup (72 bytes) ----
namespace sk_lookup_md {
inline constexpr std::int32_t sk = 0, family = 8, protocol = 12, remote_ip4 = 16, remote_ip6 = 20,
    remote_port = 36, local_ip4 = 40, local_ip6 = 44, local_port = 60, ingress_ifindex = 64, size_ = 72;
inline constexpr ctx_field fields[] = {
    {"sk", sk, 8}, {"cookie", sk, 8}, {"family", family, 4}, {"protocol", protocol, 4},
    {"remote_ip4", remote_ip4, 4}, {"remote_ip6", remote_ip6, 16, 4}, {"remote_port", remote_port, 2},
    {"local_ip4", local_ip4, 4}, {"local_ip6", local_ip6, 16, 4}, {"local_port", local_port, 4},
    {"ingress_ifindex", ingress_ifindex, 4},
};
} // namespace sk_lookup_md

constexpr verdict sk_lookup(std::int32_t off, std::uint32_t size, bool write) {
    using namespace sk_lookup_md;
    if (off < 0 || off >= size_ || misaligned(off, size) || write) return no;
    if (in(off, sk, 8)) return when(size == 8, ctx_reg_type::sock_or_null);
    if (in(off, family, remote_port - family) || in(off, local_ip4, ingress_ifindex + 4 - local_ip4))
        return narrow(size, 4);
    if (in(off, remote_port, 2)) return size == 4 ? yes() : narrow(size, 2);
    if (in(off, remote_port + 2, 2)) return narrow(size, 2); // the zero padding after remote_port
    return no;
}

// ---- cgroup_device, cgroup_sysctl, cgroup_sockopt ----
namespace dev_ctx {
inline constexpr ctx_field fields[] = {{"access_type", 0, 4}, {"major", 4, 4}, {"minor", 8, 4}};
}
constexpr verdict cgroup_device(std::int32_t off, std::uint32_t size, bool write) {
    if (write || off < 0 || off + static_cast<std::int32_t>(size) > 12 || misaligned(off, size)) return no;
    if (in(off, 0, 4)) return narrow(size, 4);
    return when(size == 4);
}

namespace sysctl_md {
inline constexpr ctx_field fields[] = {{"write", 0, 4}, {"file_pos", 4, 4}};
}
constexpr verdict cgroup_sysctl(std::int32_t off, std::uint32_t size, bool write) {
    if (off < 0 || off + static_cast<std::int32_t>(size) > 8 || misaligned(off, size)) return no;
    if (in(off, 0, 4)) return write ? no : narrow(size, 4);
    if (in(off, 4, 4)) return write ? when(size == 4) : narrow(size, 4);
    return no;
}

namespace sockopt_md {
inline constexpr std::int32_t sk = 0, optval = 8, optval_end = 16, level = 24, optname = 28, optlen = 32,
    retval = 36, size_ = 40;
inline constexpr ctx_field fields[] = {
    {"sk", sk, 8}, {"optval", optval, 8}, {"optval_end", optval_end, 8}, {"level", level, 4},
    {"optname", optname, 4}, {"optlen", optlen, 4}, {"retval", retval, 4},
};
} // namespace sockopt_md
constexpr verdict cgroup_sockopt(std::int32_t off, std::uint32_t size, bool write, std::uint32_t attach) {
    using namespace sockopt_md;
    if (off < 0 || off >= size_ || misaligned(off, size)) return no;
    if (write) {
        if (off == retval) return when(size == 4 && attach == cgroup_getsockopt);
        if (off == optname || off == level) return when(size == 4 && attach == cgroup_setsockopt);
        if (off == optlen) return when(size == 4);
        return no;
    }
    if (in(off, sk, 8)) return when(size == 8, ctx_reg_type::socket);
    if (in(off, optval, 8)) return when(size == 8, ctx_reg_type::pkt);
    if (in(off, optval_end, 8)) return when(size == 8, ctx_reg_type::pkt_end);
    if (in(off, retval, 4)) return when(size == 4 && attach == cgroup_getsockopt);
    return when(size == 4);
}

// ---- tracing contexts ----
inline constexpr std::int32_t pt_regs_size = 168;       // struct pt_regs, x86-64
inline constexpr std::int32_t perf_max_trace_size = 8192; // PERF_MAX_TRACE_SIZE
inline constexpr std::int32_t raw_tp_size = 8 * 12;       // sizeof(u64) * MAX_BPF_FUNC_ARGS
inline constexpr std::int32_t syscall_ctx_max = 65535;   // U16_MAX

namespace pt_regs_md {
// struct pt_regs on x86-64 (bpf_user_pt_regs_t)
inline constexpr ctx_field fields[] = {
    {"r15", 0, 8}, {"r14", 8, 8}, {"r13", 16, 8}, {"r12", 24, 8}, {"bp", 32, 8}, {"bx", 40, 8},
    {"r11", 48, 8}, {"r10", 56, 8}, {"r9", 64, 8}, {"r8", 72, 8}, {"ax", 80, 8}, {"cx", 88, 8},
    {"dx", 96, 8}, {"si", 104, 8}, {"di", 112, 8}, {"orig_ax", 120, 8}, {"ip", 128, 8}, {"cs", 136, 8},
    {"flags", 144, 8}, {"sp", 152, 8}, {"ss", 160, 8},
};
inline constexpr ctx_field perf_fields[] = {{"regs", 0, 168}, {"sample_period", 168, 8}, {"addr", 176, 8}};
inline constexpr ctx_field raw_tp_fields[] = {{"args", 0, 96, 12}};
} // namespace pt_regs_md

constexpr verdict kprobe(std::int32_t off, std::uint32_t size, bool write) {
    if (off < 0 || off >= pt_regs_size || write || misaligned(off, size)) return no;
    return when(off + static_cast<std::int32_t>(size) <= pt_regs_size);
}
// (the kernel compares a signed offset with sizeof(void *): negative offsets pass the lower bound)
constexpr verdict tracepoint(std::int32_t off, std::uint32_t size, bool write) {
    if ((off >= 0 && off < 8) || off >= perf_max_trace_size || write || misaligned(off, size)) return no;
    return yes();
}
constexpr verdict raw_tracepoint(std::int32_t off, std::uint32_t size, bool write) {
    if (off < 0 || off >= raw_tp_size || write || misaligned(off, size)) return no;
    return yes();
}
constexpr verdict raw_tracepoint_writable(std::int32_t off, std::uint32_t size, bool write) {
    if (off == 0) {
        if (size != 8 || write) return no;
        const verdict v = raw_tracepoint(off, size, write);
        return when(v.ok, ctx_reg_type::tp_buffer);
    }
    return raw_tracepoint(off, size, write);
}
constexpr verdict perf_event(std::int32_t off, std::uint32_t size, bool write) {
    if (off < 0 || off >= pt_regs_size + 16 || write || misaligned(off, size)) return no;
    if (in(off, pt_regs_size, 16)) return narrow(size, 8); // sample_period, addr
    return when(size == 8);
}
// struct bpf_nf_ctx { const struct nf_hook_state *state; struct sk_buff *skb; }: BTF pointers
namespace nf_ctx {
inline constexpr ctx_field fields[] = {{"state", 0, 8}, {"skb", 8, 8}};
}
constexpr verdict netfilter(std::int32_t off, std::uint32_t size, bool write) {
    if (off < 0 || off >= 16 || misaligned(off, size) || write) return no;
    return when(size == 8, ctx_reg_type::ctx_unknown); // trusted_ptr_nf_hook_state, trusted_ptr_sk_buff
}
namespace lirc_md {
inline constexpr ctx_field fields[] = {{"sample", 0, 4}};
}
constexpr verdict lirc_mode2(std::int32_t off, std::uint32_t size, bool write) {
    return when(!write && off == 0 && size == 4);
}
constexpr verdict syscall(std::int32_t off, std::uint32_t size) {
    if (off < 0 || off >= syscall_ctx_max || misaligned(off, size)) return no;
    return yes();
}

} // namespace ctx

// Whether the table covers this program type (others: leave context accesses to the kernel).
constexpr bool known(prog_type t) {
    switch (t) {
    case prog_type::socket_filter: case prog_type::kprobe: case prog_type::sched_cls: case prog_type::sched_act:
    case prog_type::tracepoint: case prog_type::xdp: case prog_type::perf_event: case prog_type::cgroup_skb:
    case prog_type::cgroup_sock: case prog_type::lwt_in: case prog_type::lwt_out: case prog_type::lwt_xmit:
    case prog_type::sock_ops: case prog_type::sk_skb: case prog_type::cgroup_device: case prog_type::sk_msg:
    case prog_type::raw_tracepoint: case prog_type::cgroup_sock_addr: case prog_type::lwt_seg6local:
    case prog_type::sk_reuseport: case prog_type::flow_dissector: case prog_type::cgroup_sysctl:
    case prog_type::raw_tracepoint_writable: case prog_type::cgroup_sockopt: case prog_type::sk_lookup:
    case prog_type::syscall: case prog_type::netfilter: case prog_type::lirc_mode2:
        return true;
    default:
        return false;
    }
}

// The size of the context struct the program sees (0: not covered). tracepoint: PERF_MAX_TRACE_SIZE
// (the real record is smaller; the kernel checks it at attach time); syscall: the largest ctx the
// verifier accepts (U16_MAX; the real size is ctx_size_in of BPF_PROG_RUN).
constexpr std::int32_t ctx_size(prog_type t) {
    switch (t) {
    case prog_type::socket_filter: case prog_type::sched_cls: case prog_type::sched_act:
    case prog_type::cgroup_skb: case prog_type::lwt_in: case prog_type::lwt_out: case prog_type::lwt_xmit:
    case prog_type::lwt_seg6local: case prog_type::sk_skb: case prog_type::flow_dissector:
        return ctx::skb::size_;
    case prog_type::xdp: return ctx::xdp_md::size_;
    case prog_type::cgroup_sock: return ctx::sock::size_;
    case prog_type::cgroup_sock_addr: return ctx::sock_addr::size_;
    case prog_type::sock_ops: return ctx::sock_ops_md::size_;
    case prog_type::sk_msg: return ctx::msg_md::size_;
    case prog_type::sk_reuseport: return ctx::reuseport_md::size_;
    case prog_type::sk_lookup: return ctx::sk_lookup_md::size_;
    case prog_type::cgroup_device: return 12;
    case prog_type::cgroup_sysctl: return 8;
    case prog_type::cgroup_sockopt: return ctx::sockopt_md::size_;
    case prog_type::kprobe: return ctx::pt_regs_size;
    case prog_type::perf_event: return ctx::pt_regs_size + 16;
    case prog_type::tracepoint: return ctx::perf_max_trace_size;
    case prog_type::raw_tracepoint: case prog_type::raw_tracepoint_writable: return ctx::raw_tp_size;
    case prog_type::syscall: return ctx::syscall_ctx_max;
    case prog_type::netfilter: return 16;
    case prog_type::lirc_mode2: return 4;
    default: return 0;
    }
}

// The named members of the type's context struct (empty when not covered; tracepoint contexts are
// defined by each tracepoint's format and have no fixed members, syscall contexts are user-defined).
constexpr std::span<const ctx_field> context_fields(prog_type t) {
    switch (t) {
    case prog_type::socket_filter: case prog_type::sched_cls: case prog_type::sched_act:
    case prog_type::cgroup_skb: case prog_type::lwt_in: case prog_type::lwt_out: case prog_type::lwt_xmit:
    case prog_type::lwt_seg6local: case prog_type::sk_skb: case prog_type::flow_dissector:
        return ctx::skb::fields;
    case prog_type::xdp: return ctx::xdp_md::fields;
    case prog_type::cgroup_sock: return ctx::sock::fields;
    case prog_type::cgroup_sock_addr: return ctx::sock_addr::fields;
    case prog_type::sock_ops: return ctx::sock_ops_md::fields;
    case prog_type::sk_msg: return ctx::msg_md::fields;
    case prog_type::sk_reuseport: return ctx::reuseport_md::fields;
    case prog_type::sk_lookup: return ctx::sk_lookup_md::fields;
    case prog_type::cgroup_device: return ctx::dev_ctx::fields;
    case prog_type::cgroup_sysctl: return ctx::sysctl_md::fields;
    case prog_type::cgroup_sockopt: return ctx::sockopt_md::fields;
    case prog_type::kprobe: return ctx::pt_regs_md::fields;
    case prog_type::perf_event: return ctx::pt_regs_md::perf_fields;
    case prog_type::raw_tracepoint: case prog_type::raw_tracepoint_writable: return ctx::pt_regs_md::raw_tp_fields;
    case prog_type::netfilter: return ctx::nf_ctx::fields;
    case prog_type::lirc_mode2: return ctx::lirc_md::fields;
    default: return {};
    }
}

// The field of the context struct containing byte `off` (nullptr when none).
constexpr const ctx_field* find_context_field(prog_type t, std::int32_t off) {
    for (const ctx_field& f : context_fields(t))
        if (off >= f.off && off < f.off + static_cast<std::int32_t>(f.size)) return &f;
    return nullptr;
}

// The named field (nullptr when none).
constexpr const ctx_field* find_context_field(prog_type t, std::string_view name) {
    for (const ctx_field& f : context_fields(t))
        if (f.name == name) return &f;
    return nullptr;
}

namespace ctx {
constexpr verdict decide(prog_type t, std::uint32_t attach, privilege p, std::int32_t off, std::uint32_t size,
                         bool write, bool sx) {
    switch (t) {
    case prog_type::socket_filter: return socket_filter(off, size, write, sx);
    case prog_type::sched_cls: case prog_type::sched_act: return tc(off, size, write, sx);
    case prog_type::cgroup_skb: return cgroup_skb(off, size, write, p, sx);
    case prog_type::lwt_in: case prog_type::lwt_out: case prog_type::lwt_xmit: case prog_type::lwt_seg6local:
        return lwt(off, size, write, sx);
    case prog_type::sk_skb: return sk_skb(off, size, write, sx);
    case prog_type::flow_dissector: return flow_dissector(off, size, write, sx);
    case prog_type::xdp: return xdp(off, size, write, attach, sx);
    case prog_type::netfilter: return netfilter(off, size, write);
    case prog_type::lirc_mode2: return lirc_mode2(off, size, write);
    case prog_type::cgroup_sock: return cgroup_sock(off, size, write, attach);
    case prog_type::cgroup_sock_addr: return cgroup_sock_addr(off, size, write, attach);
    case prog_type::sock_ops: return sock_ops(off, size, write);
    case prog_type::sk_msg: return sk_msg(off, size, write);
    case prog_type::sk_reuseport: return sk_reuseport(off, size, write);
    case prog_type::sk_lookup: return sk_lookup(off, size, write);
    case prog_type::cgroup_device: return cgroup_device(off, size, write);
    case prog_type::cgroup_sysctl: return cgroup_sysctl(off, size, write);
    case prog_type::cgroup_sockopt: return cgroup_sockopt(off, size, write, attach);
    case prog_type::kprobe: return kprobe(off, size, write);
    case prog_type::tracepoint: return tracepoint(off, size, write);
    case prog_type::raw_tracepoint: return raw_tracepoint(off, size, write);
    case prog_type::raw_tracepoint_writable: return raw_tracepoint_writable(off, size, write);
    case prog_type::perf_event: return perf_event(off, size, write);
    case prog_type::syscall: return syscall(off, size);
    default: return no;
    }
}
} // namespace ctx

// The kernel's decision on `op` of `size` bytes (1, 2, 4 or 8) at ctx + off, for a program of type
// t with this expected_attach_type, loaded with privilege p. `reg` is the register holding the ctx
// pointer (it appears in some messages). Uncovered types, sizes other than 1, 2, 4, 8 and an 8-byte
// load_sx: reason not_covered, allowed = false (not a context rule: leave it to the caller/kernel).
constexpr ctx_access check_ctx_access(prog_type t, std::uint32_t expected_attach_type, privilege p, std::int32_t off,
                                      std::uint32_t size, ctx_op op, std::uint8_t reg = 1) {
    ctx_access r;
    // (BPF_MEMSX has no 8-byte form: the kernel rejects that opcode before any context rule)
    if (!known(t) || (size != 1 && size != 2 && size != 4 && size != 8) || (op == ctx_op::load_sx && size == 8)) {
        r.reason = ctx_reject::not_covered;
        return r;
    }
    if (op == ctx_op::atomic) {
        if (size != 4 && size != 8) {
            r.reason = ctx_reject::atomic_size;
            r.errnum = EINVAL;
            r.msg.put("invalid atomic operand size");
            return r;
        }
        r.reason = ctx_reject::atomic_into_ctx;
        r.errnum = EACCES;
        r.msg.put("BPF_ATOMIC stores into R").put_uint(reg).put(" ctx is not allowed");
        return r;
    }
    const bool write = op == ctx_op::store_reg || op == ctx_op::store_imm;
    const ctx::verdict v = ctx::decide(t, expected_attach_type, p, off, size, write, op == ctx_op::load_sx);
    if (!v.ok) {
        r.reason = ctx_reject::invalid_access;
        r.errnum = EACCES;
        r.msg.put("invalid bpf_context access off=").put_int(off).put(" size=").put_uint(size);
        return r;
    }
    r.allowed = true;
    r.field_size = v.field;
    if (!write) {
        r.reg = v.reg;
        if (v.reg == ctx_reg_type::scalar) {
            if (size >= 8) {
                r.umax = ~std::uint64_t{0};
                r.smin = static_cast<std::int64_t>(std::uint64_t{1} << 63);
                r.smax = static_cast<std::int64_t>(~std::uint64_t{0} >> 1);
            } else if (op == ctx_op::load) {
                r.umax = (std::uint64_t{1} << (8 * size)) - 1;
                r.smax = static_cast<std::int64_t>(r.umax);
            } else { // sign-extended
                r.umax = ~std::uint64_t{0};
                r.smax = static_cast<std::int64_t>((std::uint64_t{1} << (8 * size - 1)) - 1);
                r.smin = -r.smax - 1;
            }
        }
    }
    return r;
}

// The same for the program described by the verifier options (type, expected_attach_type, priv).
constexpr ctx_access check_ctx_access(const options& o, std::int32_t off, std::uint32_t size, ctx_op op,
                                      std::uint8_t reg = 1) {
    return check_ctx_access(o.type, static_cast<std::uint32_t>(o.expected_attach_type), o.priv, off, size, op, reg);
}

} // namespace ctbpf::detail::vfy
