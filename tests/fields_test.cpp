// Named context fields (ctbpf/ctx_fields.hpp, generated from the kernel's uapi header) and packet
// header fields (ctbpf/net.hpp): offsets against the uapi structs of this machine's headers, the
// instructions they make, the verifier's program-type check on them, and a parser run by the
// interpreter on frames built with the uapi structs.
#include <doctest/doctest.h>

#include <array>
#include <cstddef>
#include <cstring>

#include <ctbpf.hpp>
#include <ctbpf/ctx_fields.hpp>
#include <ctbpf/net.hpp>
#include <ctbpf/vm.hpp>

#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>

namespace net = ctbpf::net;
namespace ctx = ctbpf::ctx;
using namespace ctbpf::syntax;

// the header offsets against the kernel's uapi structs
static_assert(net::eth::size == ETH_HLEN && net::eth::proto.off == offsetof(ethhdr, h_proto) &&
              net::eth::source.off == offsetof(ethhdr, h_source) && net::eth::dest.off == offsetof(ethhdr, h_dest) &&
              net::eth::p_ip == ETH_P_IP && net::eth::p_ipv6 == ETH_P_IPV6 && net::eth::p_8021q == ETH_P_8021Q &&
              net::eth::p_arp == ETH_P_ARP && net::eth::p_8021ad == ETH_P_8021AD);
static_assert(net::ipv4::protocol.off == offsetof(iphdr, protocol) && net::ipv4::saddr.off == offsetof(iphdr, saddr) &&
              net::ipv4::daddr.off == offsetof(iphdr, daddr) && net::ipv4::tot_len.off == offsetof(iphdr, tot_len) &&
              net::ipv4::frag_off.off == offsetof(iphdr, frag_off) && net::ipv4::ttl.off == offsetof(iphdr, ttl) &&
              net::ipv4::check.off == offsetof(iphdr, check) && net::ipv4::id.off == offsetof(iphdr, id) &&
              net::ipv4::tos.off == offsetof(iphdr, tos) && net::ipv4::min_size == sizeof(iphdr));
static_assert(net::ipv6::nexthdr.off == offsetof(ipv6hdr, nexthdr) && net::ipv6::saddr.off == offsetof(ipv6hdr, saddr) &&
              net::ipv6::daddr.off == offsetof(ipv6hdr, daddr) && net::ipv6::payload_len.off == offsetof(ipv6hdr, payload_len) &&
              net::ipv6::hop_limit.off == offsetof(ipv6hdr, hop_limit) && net::ipv6::size == sizeof(ipv6hdr));
static_assert(net::tcp::dest.off == offsetof(tcphdr, dest) && net::tcp::source.off == offsetof(tcphdr, source) &&
              net::tcp::seq.off == offsetof(tcphdr, seq) && net::tcp::ack_seq.off == offsetof(tcphdr, ack_seq) &&
              net::tcp::window.off == offsetof(tcphdr, window) && net::tcp::check.off == offsetof(tcphdr, check) &&
              net::tcp::urg_ptr.off == offsetof(tcphdr, urg_ptr) && net::tcp::min_size == sizeof(tcphdr));
static_assert(net::udp::dest.off == offsetof(udphdr, dest) && net::udp::source.off == offsetof(udphdr, source) &&
              net::udp::len.off == offsetof(udphdr, len) && net::udp::check.off == offsetof(udphdr, check) &&
              net::udp::size == sizeof(udphdr));
static_assert(net::to_be16(0x0800) == 0x0008 && net::to_be32(0x0a000001) == 0x0100000a);

// named fields make the same instructions as offsets written by hand
constexpr auto named = ctbpf::assemble<[] {
    return program{
        r2 = ctx::xdp_md::data(r1),
        r3 = ctx::xdp_md::data_end(r1),
        w0 = XDP_PASS,
        r4 = r2,
        r4 += net::eth::size,
        if_(r4 > r3).goto_("out"),
        w4 = net::eth::proto(r2),
        if_(w4 != net::to_be16(net::eth::p_ipv6)).goto_("out"),
        w0 = XDP_DROP,
    label("out"),
        exit_(),
    };
}, ctbpf::options{.type = ctbpf::prog_type::xdp}>();
constexpr auto by_hand = ctbpf::assemble<[] {
    return program{
        r2 = mem<u32>(r1 + 0),
        r3 = mem<u32>(r1 + 4),
        w0 = XDP_PASS,
        r4 = r2,
        r4 += 14,
        if_(r4 > r3).goto_("out"),
        w4 = mem<u16>(r2 + 12),
        if_(w4 != 0xdd86).goto_("out"),
        w0 = XDP_DROP,
    label("out"),
        exit_(),
    };
}, ctbpf::options{.type = ctbpf::prog_type::xdp}>();
static_assert(named.size() == by_hand.size());
static_assert([] {
    for (std::size_t i = 0; i < named.size(); ++i)
        if (named[i].code != by_hand[i].code || named[i].off != by_hand[i].off || named[i].imm != by_hand[i].imm ||
            named[i].dst_reg != by_hand[i].dst_reg || named[i].src_reg != by_hand[i].src_reg)
            return false;
    return true;
}());

// the verifier decides the field for the program type: __sk_buff's priority (32) is past xdp_md's end
constexpr auto priority_in_xdp = [] { return program{w0 = ctx::sk_buff::priority(r1), w0 = XDP_PASS, exit_()}; };
static_assert(ctbpf::check<priority_in_xdp, ctbpf::options{.type = ctbpf::prog_type::xdp}>().code ==
              ctbpf::errc::invalid_context_access);
static_assert(ctbpf::check<priority_in_xdp, ctbpf::options{.type = ctbpf::prog_type::sched_cls}>().ok());
// array members: cb[4] is the last; a store through a field
constexpr auto cb_store = [] { return program{w2 = 7, ctx::sk_buff::cb(r1, 4) = w2, r0 = 0, exit_()}; };
static_assert(ctbpf::check<cb_store, ctbpf::options{.type = ctbpf::prog_type::sched_cls}>().ok());
static_assert(ctbpf::detail::code_v<cb_store>[1].off == offsetof(__sk_buff, cb) + 16);

// a parser that returns the TCP destination port of an IPv4 frame (0: not IPv4/TCP)
constexpr auto tcp_port = [] {
    return program{
        r2 = ctx::xdp_md::data(r1),
        r3 = ctx::xdp_md::data_end(r1),
        w0 = 0,
        r4 = r2,
        r4 += net::eth::size + net::ipv4::min_size + net::tcp::min_size,
        if_(r4 > r3).goto_("out"),
        w4 = net::eth::proto(r2),
        if_(w4 != net::to_be16(net::eth::p_ip)).goto_("out"),
        r2 += net::eth::size,
        w4 = net::ipv4::protocol(r2),
        if_(w4 != net::ipproto_tcp).goto_("out"),
        r2 += net::ipv4::min_size,
        w0 = net::tcp::dest(r2),
        r0 = be16(r0),
    label("out"),
        exit_(),
    };
};

TEST_CASE("a parser written with named fields reads frames built with the uapi structs") {
    std::array<std::uint8_t, ETH_HLEN + sizeof(iphdr) + sizeof(tcphdr)> frame{};
    ethhdr eth{};
    eth.h_proto = static_cast<std::uint16_t>(net::to_be16(ETH_P_IP));
    iphdr ip{};
    ip.protocol = net::ipproto_tcp;
    tcphdr tcp{};
    tcp.dest = net::to_be16(8080);
    std::memcpy(frame.data(), &eth, sizeof eth);
    std::memcpy(frame.data() + ETH_HLEN, &ip, sizeof ip);
    std::memcpy(frame.data() + ETH_HLEN + sizeof ip, &tcp, sizeof tcp);
    const ctbpf::vm::result r = ctbpf::vm::run<tcp_port>({.type = ctbpf::prog_type::xdp, .packet = frame});
    REQUIRE(r.ok());
    CHECK(r.retval == 8080);
    frame[ETH_HLEN + offsetof(iphdr, protocol)] = net::ipproto_udp;
    CHECK(ctbpf::vm::run<tcp_port>({.type = ctbpf::prog_type::xdp, .packet = frame}).retval == 0);
}
