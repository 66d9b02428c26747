// GENERATED FILE - DO NOT EDIT. Edit tools/gen_ctx_fields.py and regenerate instead:
//   python3 tools/gen_ctx_fields.py KERNEL_TREE   (this file: linux-source-6.12)
// The fields of each program type's context struct, offsets and sizes measured with offsetof/sizeof
// on the kernel's uapi <linux/bpf.h>:  r2 = ctx::xdp_md::data_end(r1);  ctx::sk_buff::mark(r1) = w3;
// ctx::sk_buff::cb(r1, 2) (array members take an index). Which program type may read or write a
// field is the verifier's to say (assemble<F, options{.type = ...}>() checks it).
#pragma once

#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "ctbpf/syntax.hpp"

namespace ctbpf::ctx {

template <class T>
inline constexpr int access_bytes = std::is_same_v<T, u8> ? 1 : std::is_same_v<T, u16> ? 2 : std::is_same_v<T, u32> ? 4 : 8;

// A field of size T at `off`; count > 0: an array of count elements.
template <access_size T, int Count = 0>
struct field {
    std::int16_t off;
    // the field of the context r points to: r2 = ctx::xdp_md::data(r1), ctx::sk_buff::mark(r1) = w2
    constexpr mem_ref<T> operator()(const reg64& r, std::uint32_t line = __builtin_LINE()) const
        requires(Count == 0)
    { return {address(r, off), line}; }
    // element i of an array field: ctx::sk_buff::cb(r1, 2)
    constexpr mem_ref<T> operator()(const reg64& r, int i, std::uint32_t line = __builtin_LINE()) const
        requires(Count > 0)
    {
        if (i < 0 || i >= Count) diag::raise("ctbpf: context array index out of range");
        return {address(r, static_cast<std::int16_t>(off + i * access_bytes<T>)), line};
    }
};

// struct xdp_md
namespace xdp_md {
inline constexpr field<u32> data{0};
inline constexpr field<u32> data_end{4};
inline constexpr field<u32> data_meta{8};
inline constexpr field<u32> ingress_ifindex{12};
inline constexpr field<u32> rx_queue_index{16};
inline constexpr field<u32> egress_ifindex{20};
} // namespace xdp_md

// struct __sk_buff
namespace sk_buff {
inline constexpr field<u32> len{0};
inline constexpr field<u32> pkt_type{4};
inline constexpr field<u32> mark{8};
inline constexpr field<u32> queue_mapping{12};
inline constexpr field<u32> protocol{16};
inline constexpr field<u32> vlan_present{20};
inline constexpr field<u32> vlan_tci{24};
inline constexpr field<u32> vlan_proto{28};
inline constexpr field<u32> priority{32};
inline constexpr field<u32> ingress_ifindex{36};
inline constexpr field<u32> ifindex{40};
inline constexpr field<u32> tc_index{44};
inline constexpr field<u32, 5> cb{48};
inline constexpr field<u32> hash{68};
inline constexpr field<u32> tc_classid{72};
inline constexpr field<u32> data{76};
inline constexpr field<u32> data_end{80};
inline constexpr field<u32> napi_id{84};
inline constexpr field<u32> family{88};
inline constexpr field<u32> remote_ip4{92};
inline constexpr field<u32> local_ip4{96};
inline constexpr field<u32, 4> remote_ip6{100};
inline constexpr field<u32, 4> local_ip6{116};
inline constexpr field<u32> remote_port{132};
inline constexpr field<u32> local_port{136};
inline constexpr field<u32> data_meta{140};
inline constexpr field<u64> flow_keys{144};
inline constexpr field<u64> tstamp{152};
inline constexpr field<u32> wire_len{160};
inline constexpr field<u32> gso_segs{164};
inline constexpr field<u64> sk{168};
inline constexpr field<u32> gso_size{176};
inline constexpr field<u8> tstamp_type{180};
inline constexpr field<u64> hwtstamp{184};
} // namespace sk_buff

// struct bpf_sock_ops
namespace bpf_sock_ops {
inline constexpr field<u32> op{0};
inline constexpr field<u32, 4> args{4};
inline constexpr field<u32> reply{4};
inline constexpr field<u32, 4> replylong{4};
inline constexpr field<u32> family{20};
inline constexpr field<u32> remote_ip4{24};
inline constexpr field<u32> local_ip4{28};
inline constexpr field<u32, 4> remote_ip6{32};
inline constexpr field<u32, 4> local_ip6{48};
inline constexpr field<u32> remote_port{64};
inline constexpr field<u32> local_port{68};
inline constexpr field<u32> is_fullsock{72};
inline constexpr field<u32> snd_cwnd{76};
inline constexpr field<u32> srtt_us{80};
inline constexpr field<u32> bpf_sock_ops_cb_flags{84};
inline constexpr field<u32> state{88};
inline constexpr field<u32> rtt_min{92};
inline constexpr field<u32> snd_ssthresh{96};
inline constexpr field<u32> rcv_nxt{100};
inline constexpr field<u32> snd_nxt{104};
inline constexpr field<u32> snd_una{108};
inline constexpr field<u32> mss_cache{112};
inline constexpr field<u32> ecn_flags{116};
inline constexpr field<u32> rate_delivered{120};
inline constexpr field<u32> rate_interval_us{124};
inline constexpr field<u32> packets_out{128};
inline constexpr field<u32> retrans_out{132};
inline constexpr field<u32> total_retrans{136};
inline constexpr field<u32> segs_in{140};
inline constexpr field<u32> data_segs_in{144};
inline constexpr field<u32> segs_out{148};
inline constexpr field<u32> data_segs_out{152};
inline constexpr field<u32> lost_out{156};
inline constexpr field<u32> sacked_out{160};
inline constexpr field<u32> sk_txhash{164};
inline constexpr field<u64> bytes_received{168};
inline constexpr field<u64> bytes_acked{176};
inline constexpr field<u64> sk{184};
inline constexpr field<u64> skb_data{192};
inline constexpr field<u64> skb_data_end{200};
inline constexpr field<u32> skb_len{208};
inline constexpr field<u32> skb_tcp_flags{212};
inline constexpr field<u64> skb_hwtstamp{216};
} // namespace bpf_sock_ops

// struct sk_msg_md
namespace sk_msg_md {
inline constexpr field<u64> data{0};
inline constexpr field<u64> data_end{8};
inline constexpr field<u32> family{16};
inline constexpr field<u32> remote_ip4{20};
inline constexpr field<u32> local_ip4{24};
inline constexpr field<u32, 4> remote_ip6{28};
inline constexpr field<u32, 4> local_ip6{44};
inline constexpr field<u32> remote_port{60};
inline constexpr field<u32> local_port{64};
inline constexpr field<u32> size{68};
inline constexpr field<u64> sk{72};
} // namespace sk_msg_md

// struct bpf_sock_addr
namespace bpf_sock_addr {
inline constexpr field<u32> user_family{0};
inline constexpr field<u32> user_ip4{4};
inline constexpr field<u32, 4> user_ip6{8};
inline constexpr field<u32> user_port{24};
inline constexpr field<u32> family{28};
inline constexpr field<u32> type{32};
inline constexpr field<u32> protocol{36};
inline constexpr field<u32> msg_src_ip4{40};
inline constexpr field<u32, 4> msg_src_ip6{44};
inline constexpr field<u64> sk{64};
} // namespace bpf_sock_addr

// struct bpf_sock
namespace bpf_sock {
inline constexpr field<u32> bound_dev_if{0};
inline constexpr field<u32> family{4};
inline constexpr field<u32> type{8};
inline constexpr field<u32> protocol{12};
inline constexpr field<u32> mark{16};
inline constexpr field<u32> priority{20};
inline constexpr field<u32> src_ip4{24};
inline constexpr field<u32, 4> src_ip6{28};
inline constexpr field<u32> src_port{44};
inline constexpr field<u16> dst_port{48};
inline constexpr field<u32> dst_ip4{52};
inline constexpr field<u32, 4> dst_ip6{56};
inline constexpr field<u32> state{72};
inline constexpr field<u32> rx_queue_mapping{76};
} // namespace bpf_sock

// struct bpf_sk_lookup
namespace bpf_sk_lookup {
inline constexpr field<u64> sk{0};
inline constexpr field<u64> cookie{0};
inline constexpr field<u32> family{8};
inline constexpr field<u32> protocol{12};
inline constexpr field<u32> remote_ip4{16};
inline constexpr field<u32, 4> remote_ip6{20};
inline constexpr field<u16> remote_port{36};
inline constexpr field<u32> local_ip4{40};
inline constexpr field<u32, 4> local_ip6{44};
inline constexpr field<u32> local_port{60};
inline constexpr field<u32> ingress_ifindex{64};
} // namespace bpf_sk_lookup

// struct sk_reuseport_md
namespace sk_reuseport_md {
inline constexpr field<u64> data{0};
inline constexpr field<u64> data_end{8};
inline constexpr field<u32> len{16};
inline constexpr field<u32> eth_protocol{20};
inline constexpr field<u32> ip_protocol{24};
inline constexpr field<u32> bind_inany{28};
inline constexpr field<u32> hash{32};
inline constexpr field<u64> sk{40};
inline constexpr field<u64> migrating_sk{48};
} // namespace sk_reuseport_md

// struct bpf_sysctl
namespace bpf_sysctl {
inline constexpr field<u32> write{0};
inline constexpr field<u32> file_pos{4};
} // namespace bpf_sysctl

// struct bpf_sockopt
namespace bpf_sockopt {
inline constexpr field<u64> sk{0};
inline constexpr field<u64> optval{8};
inline constexpr field<u64> optval_end{16};
inline constexpr field<u32> level{24};
inline constexpr field<u32> optname{28};
inline constexpr field<u32> optlen{32};
inline constexpr field<u32> retval{36};
} // namespace bpf_sockopt

// struct bpf_cgroup_dev_ctx
namespace bpf_cgroup_dev_ctx {
inline constexpr field<u32> access_type{0};
inline constexpr field<u32> major{4};
inline constexpr field<u32> minor{8};
} // namespace bpf_cgroup_dev_ctx

// struct bpf_flow_keys
namespace bpf_flow_keys {
inline constexpr field<u16> nhoff{0};
inline constexpr field<u16> thoff{2};
inline constexpr field<u16> addr_proto{4};
inline constexpr field<u8> is_frag{6};
inline constexpr field<u8> is_first_frag{7};
inline constexpr field<u8> is_encap{8};
inline constexpr field<u8> ip_proto{9};
inline constexpr field<u16> n_proto{10};
inline constexpr field<u16> sport{12};
inline constexpr field<u16> dport{14};
inline constexpr field<u32> ipv4_src{16};
inline constexpr field<u32> ipv4_dst{20};
inline constexpr field<u32, 4> ipv6_src{16};
inline constexpr field<u32, 4> ipv6_dst{32};
inline constexpr field<u32> flags{48};
inline constexpr field<u32> flow_label{52};
} // namespace bpf_flow_keys

// struct bpf_raw_tracepoint_args
namespace bpf_raw_tracepoint_args {
inline constexpr field<u64, 12> args{0};
} // namespace bpf_raw_tracepoint_args

// struct bpf_tcp_sock
namespace bpf_tcp_sock {
inline constexpr field<u32> snd_cwnd{0};
inline constexpr field<u32> srtt_us{4};
inline constexpr field<u32> rtt_min{8};
inline constexpr field<u32> snd_ssthresh{12};
inline constexpr field<u32> rcv_nxt{16};
inline constexpr field<u32> snd_nxt{20};
inline constexpr field<u32> snd_una{24};
inline constexpr field<u32> mss_cache{28};
inline constexpr field<u32> ecn_flags{32};
inline constexpr field<u32> rate_delivered{36};
inline constexpr field<u32> rate_interval_us{40};
inline constexpr field<u32> packets_out{44};
inline constexpr field<u32> retrans_out{48};
inline constexpr field<u32> total_retrans{52};
inline constexpr field<u32> segs_in{56};
inline constexpr field<u32> data_segs_in{60};
inline constexpr field<u32> segs_out{64};
inline constexpr field<u32> data_segs_out{68};
inline constexpr field<u32> lost_out{72};
inline constexpr field<u32> sacked_out{76};
inline constexpr field<u64> bytes_received{80};
inline constexpr field<u64> bytes_acked{88};
inline constexpr field<u32> dsack_dups{96};
inline constexpr field<u32> delivered{100};
inline constexpr field<u32> delivered_ce{104};
inline constexpr field<u32> icsk_retransmits{108};
} // namespace bpf_tcp_sock

} // namespace ctbpf::ctx

#if defined(CTBPF_HAVE_LINUX_BPF_H)
// the offsets against the build's own uapi header (fields it has)
static_assert(offsetof(::xdp_md, data) == 0);
static_assert(offsetof(::xdp_md, data_end) == 4);
static_assert(offsetof(::xdp_md, data_meta) == 8);
static_assert(offsetof(::xdp_md, ingress_ifindex) == 12);
static_assert(offsetof(::xdp_md, rx_queue_index) == 16);
static_assert(offsetof(::xdp_md, egress_ifindex) == 20);
static_assert(offsetof(::__sk_buff, len) == 0);
static_assert(offsetof(::__sk_buff, pkt_type) == 4);
static_assert(offsetof(::__sk_buff, mark) == 8);
static_assert(offsetof(::__sk_buff, queue_mapping) == 12);
static_assert(offsetof(::__sk_buff, protocol) == 16);
static_assert(offsetof(::__sk_buff, vlan_present) == 20);
static_assert(offsetof(::__sk_buff, vlan_tci) == 24);
static_assert(offsetof(::__sk_buff, vlan_proto) == 28);
static_assert(offsetof(::__sk_buff, priority) == 32);
static_assert(offsetof(::__sk_buff, ingress_ifindex) == 36);
static_assert(offsetof(::__sk_buff, ifindex) == 40);
static_assert(offsetof(::__sk_buff, tc_index) == 44);
static_assert(offsetof(::__sk_buff, cb) == 48);
static_assert(offsetof(::__sk_buff, hash) == 68);
static_assert(offsetof(::__sk_buff, tc_classid) == 72);
static_assert(offsetof(::__sk_buff, data) == 76);
static_assert(offsetof(::__sk_buff, data_end) == 80);
static_assert(offsetof(::__sk_buff, napi_id) == 84);
static_assert(offsetof(::__sk_buff, family) == 88);
static_assert(offsetof(::__sk_buff, remote_ip4) == 92);
static_assert(offsetof(::__sk_buff, local_ip4) == 96);
static_assert(offsetof(::__sk_buff, remote_ip6) == 100);
static_assert(offsetof(::__sk_buff, local_ip6) == 116);
static_assert(offsetof(::__sk_buff, remote_port) == 132);
static_assert(offsetof(::__sk_buff, local_port) == 136);
static_assert(offsetof(::__sk_buff, data_meta) == 140);
static_assert(offsetof(::__sk_buff, flow_keys) == 144);
static_assert(offsetof(::__sk_buff, tstamp) == 152);
static_assert(offsetof(::__sk_buff, wire_len) == 160);
static_assert(offsetof(::__sk_buff, gso_segs) == 164);
static_assert(offsetof(::__sk_buff, sk) == 168);
static_assert(offsetof(::__sk_buff, gso_size) == 176);
static_assert(offsetof(::__sk_buff, tstamp_type) == 180);
static_assert(offsetof(::__sk_buff, hwtstamp) == 184);
static_assert(offsetof(::bpf_sock_ops, op) == 0);
static_assert(offsetof(::bpf_sock_ops, args) == 4);
static_assert(offsetof(::bpf_sock_ops, reply) == 4);
static_assert(offsetof(::bpf_sock_ops, replylong) == 4);
static_assert(offsetof(::bpf_sock_ops, family) == 20);
static_assert(offsetof(::bpf_sock_ops, remote_ip4) == 24);
static_assert(offsetof(::bpf_sock_ops, local_ip4) == 28);
static_assert(offsetof(::bpf_sock_ops, remote_ip6) == 32);
static_assert(offsetof(::bpf_sock_ops, local_ip6) == 48);
static_assert(offsetof(::bpf_sock_ops, remote_port) == 64);
static_assert(offsetof(::bpf_sock_ops, local_port) == 68);
static_assert(offsetof(::bpf_sock_ops, is_fullsock) == 72);
static_assert(offsetof(::bpf_sock_ops, snd_cwnd) == 76);
static_assert(offsetof(::bpf_sock_ops, srtt_us) == 80);
static_assert(offsetof(::bpf_sock_ops, bpf_sock_ops_cb_flags) == 84);
static_assert(offsetof(::bpf_sock_ops, state) == 88);
static_assert(offsetof(::bpf_sock_ops, rtt_min) == 92);
static_assert(offsetof(::bpf_sock_ops, snd_ssthresh) == 96);
static_assert(offsetof(::bpf_sock_ops, rcv_nxt) == 100);
static_assert(offsetof(::bpf_sock_ops, snd_nxt) == 104);
static_assert(offsetof(::bpf_sock_ops, snd_una) == 108);
static_assert(offsetof(::bpf_sock_ops, mss_cache) == 112);
static_assert(offsetof(::bpf_sock_ops, ecn_flags) == 116);
static_assert(offsetof(::bpf_sock_ops, rate_delivered) == 120);
static_assert(offsetof(::bpf_sock_ops, rate_interval_us) == 124);
static_assert(offsetof(::bpf_sock_ops, packets_out) == 128);
static_assert(offsetof(::bpf_sock_ops, retrans_out) == 132);
static_assert(offsetof(::bpf_sock_ops, total_retrans) == 136);
static_assert(offsetof(::bpf_sock_ops, segs_in) == 140);
static_assert(offsetof(::bpf_sock_ops, data_segs_in) == 144);
static_assert(offsetof(::bpf_sock_ops, segs_out) == 148);
static_assert(offsetof(::bpf_sock_ops, data_segs_out) == 152);
static_assert(offsetof(::bpf_sock_ops, lost_out) == 156);
static_assert(offsetof(::bpf_sock_ops, sacked_out) == 160);
static_assert(offsetof(::bpf_sock_ops, sk_txhash) == 164);
static_assert(offsetof(::bpf_sock_ops, bytes_received) == 168);
static_assert(offsetof(::bpf_sock_ops, bytes_acked) == 176);
static_assert(offsetof(::bpf_sock_ops, sk) == 184);
static_assert(offsetof(::bpf_sock_ops, skb_data) == 192);
static_assert(offsetof(::bpf_sock_ops, skb_data_end) == 200);
static_assert(offsetof(::bpf_sock_ops, skb_len) == 208);
static_assert(offsetof(::bpf_sock_ops, skb_tcp_flags) == 212);
static_assert(offsetof(::sk_msg_md, data) == 0);
static_assert(offsetof(::sk_msg_md, data_end) == 8);
static_assert(offsetof(::sk_msg_md, family) == 16);
static_assert(offsetof(::sk_msg_md, remote_ip4) == 20);
static_assert(offsetof(::sk_msg_md, local_ip4) == 24);
static_assert(offsetof(::sk_msg_md, remote_ip6) == 28);
static_assert(offsetof(::sk_msg_md, local_ip6) == 44);
static_assert(offsetof(::sk_msg_md, remote_port) == 60);
static_assert(offsetof(::sk_msg_md, local_port) == 64);
static_assert(offsetof(::sk_msg_md, size) == 68);
static_assert(offsetof(::sk_msg_md, sk) == 72);
static_assert(offsetof(::bpf_sock_addr, user_family) == 0);
static_assert(offsetof(::bpf_sock_addr, user_ip4) == 4);
static_assert(offsetof(::bpf_sock_addr, user_ip6) == 8);
static_assert(offsetof(::bpf_sock_addr, user_port) == 24);
static_assert(offsetof(::bpf_sock_addr, family) == 28);
static_assert(offsetof(::bpf_sock_addr, type) == 32);
static_assert(offsetof(::bpf_sock_addr, protocol) == 36);
static_assert(offsetof(::bpf_sock_addr, msg_src_ip4) == 40);
static_assert(offsetof(::bpf_sock_addr, msg_src_ip6) == 44);
static_assert(offsetof(::bpf_sock_addr, sk) == 64);
static_assert(offsetof(::bpf_sock, bound_dev_if) == 0);
static_assert(offsetof(::bpf_sock, family) == 4);
static_assert(offsetof(::bpf_sock, type) == 8);
static_assert(offsetof(::bpf_sock, protocol) == 12);
static_assert(offsetof(::bpf_sock, mark) == 16);
static_assert(offsetof(::bpf_sock, priority) == 20);
static_assert(offsetof(::bpf_sock, src_ip4) == 24);
static_assert(offsetof(::bpf_sock, src_ip6) == 28);
static_assert(offsetof(::bpf_sock, src_port) == 44);
static_assert(offsetof(::bpf_sock, dst_port) == 48);
static_assert(offsetof(::bpf_sock, dst_ip4) == 52);
static_assert(offsetof(::bpf_sock, dst_ip6) == 56);
static_assert(offsetof(::bpf_sock, state) == 72);
static_assert(offsetof(::bpf_sock, rx_queue_mapping) == 76);
static_assert(offsetof(::bpf_sk_lookup, sk) == 0);
static_assert(offsetof(::bpf_sk_lookup, cookie) == 0);
static_assert(offsetof(::bpf_sk_lookup, family) == 8);
static_assert(offsetof(::bpf_sk_lookup, protocol) == 12);
static_assert(offsetof(::bpf_sk_lookup, remote_ip4) == 16);
static_assert(offsetof(::bpf_sk_lookup, remote_ip6) == 20);
static_assert(offsetof(::bpf_sk_lookup, remote_port) == 36);
static_assert(offsetof(::bpf_sk_lookup, local_ip4) == 40);
static_assert(offsetof(::bpf_sk_lookup, local_ip6) == 44);
static_assert(offsetof(::bpf_sk_lookup, local_port) == 60);
static_assert(offsetof(::bpf_sk_lookup, ingress_ifindex) == 64);
static_assert(offsetof(::sk_reuseport_md, data) == 0);
static_assert(offsetof(::sk_reuseport_md, data_end) == 8);
static_assert(offsetof(::sk_reuseport_md, len) == 16);
static_assert(offsetof(::sk_reuseport_md, eth_protocol) == 20);
static_assert(offsetof(::sk_reuseport_md, ip_protocol) == 24);
static_assert(offsetof(::sk_reuseport_md, bind_inany) == 28);
static_assert(offsetof(::sk_reuseport_md, hash) == 32);
static_assert(offsetof(::sk_reuseport_md, sk) == 40);
static_assert(offsetof(::sk_reuseport_md, migrating_sk) == 48);
static_assert(offsetof(::bpf_sysctl, write) == 0);
static_assert(offsetof(::bpf_sysctl, file_pos) == 4);
static_assert(offsetof(::bpf_sockopt, sk) == 0);
static_assert(offsetof(::bpf_sockopt, optval) == 8);
static_assert(offsetof(::bpf_sockopt, optval_end) == 16);
static_assert(offsetof(::bpf_sockopt, level) == 24);
static_assert(offsetof(::bpf_sockopt, optname) == 28);
static_assert(offsetof(::bpf_sockopt, optlen) == 32);
static_assert(offsetof(::bpf_sockopt, retval) == 36);
static_assert(offsetof(::bpf_cgroup_dev_ctx, access_type) == 0);
static_assert(offsetof(::bpf_cgroup_dev_ctx, major) == 4);
static_assert(offsetof(::bpf_cgroup_dev_ctx, minor) == 8);
static_assert(offsetof(::bpf_flow_keys, nhoff) == 0);
static_assert(offsetof(::bpf_flow_keys, thoff) == 2);
static_assert(offsetof(::bpf_flow_keys, addr_proto) == 4);
static_assert(offsetof(::bpf_flow_keys, is_frag) == 6);
static_assert(offsetof(::bpf_flow_keys, is_first_frag) == 7);
static_assert(offsetof(::bpf_flow_keys, is_encap) == 8);
static_assert(offsetof(::bpf_flow_keys, ip_proto) == 9);
static_assert(offsetof(::bpf_flow_keys, n_proto) == 10);
static_assert(offsetof(::bpf_flow_keys, sport) == 12);
static_assert(offsetof(::bpf_flow_keys, dport) == 14);
static_assert(offsetof(::bpf_flow_keys, ipv4_src) == 16);
static_assert(offsetof(::bpf_flow_keys, ipv4_dst) == 20);
static_assert(offsetof(::bpf_flow_keys, ipv6_src) == 16);
static_assert(offsetof(::bpf_flow_keys, ipv6_dst) == 32);
static_assert(offsetof(::bpf_flow_keys, flags) == 48);
static_assert(offsetof(::bpf_flow_keys, flow_label) == 52);
static_assert(offsetof(::bpf_raw_tracepoint_args, args) == 0);
static_assert(offsetof(::bpf_tcp_sock, snd_cwnd) == 0);
static_assert(offsetof(::bpf_tcp_sock, srtt_us) == 4);
static_assert(offsetof(::bpf_tcp_sock, rtt_min) == 8);
static_assert(offsetof(::bpf_tcp_sock, snd_ssthresh) == 12);
static_assert(offsetof(::bpf_tcp_sock, rcv_nxt) == 16);
static_assert(offsetof(::bpf_tcp_sock, snd_nxt) == 20);
static_assert(offsetof(::bpf_tcp_sock, snd_una) == 24);
static_assert(offsetof(::bpf_tcp_sock, mss_cache) == 28);
static_assert(offsetof(::bpf_tcp_sock, ecn_flags) == 32);
static_assert(offsetof(::bpf_tcp_sock, rate_delivered) == 36);
static_assert(offsetof(::bpf_tcp_sock, rate_interval_us) == 40);
static_assert(offsetof(::bpf_tcp_sock, packets_out) == 44);
static_assert(offsetof(::bpf_tcp_sock, retrans_out) == 48);
static_assert(offsetof(::bpf_tcp_sock, total_retrans) == 52);
static_assert(offsetof(::bpf_tcp_sock, segs_in) == 56);
static_assert(offsetof(::bpf_tcp_sock, data_segs_in) == 60);
static_assert(offsetof(::bpf_tcp_sock, segs_out) == 64);
static_assert(offsetof(::bpf_tcp_sock, data_segs_out) == 68);
static_assert(offsetof(::bpf_tcp_sock, lost_out) == 72);
static_assert(offsetof(::bpf_tcp_sock, sacked_out) == 76);
static_assert(offsetof(::bpf_tcp_sock, bytes_received) == 80);
static_assert(offsetof(::bpf_tcp_sock, bytes_acked) == 88);
static_assert(offsetof(::bpf_tcp_sock, dsack_dups) == 96);
static_assert(offsetof(::bpf_tcp_sock, delivered) == 100);
static_assert(offsetof(::bpf_tcp_sock, delivered_ce) == 104);
static_assert(offsetof(::bpf_tcp_sock, icsk_retransmits) == 108);
#endif
