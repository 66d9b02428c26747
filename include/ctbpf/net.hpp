// Named packet header fields (Ethernet, 802.1Q VLAN, IPv4, IPv6, TCP, UDP) for parsers, and
// to_be16/to_be32 (htons/htonl, which are macros in glibc) for comparing a loaded field with a
// host-order constant:
//   if_(r3 > r2).goto_("out"),                    // r3 = data + net::eth::size checked
//   w1 = net::eth::proto(r1),                      // eth->h_proto
//   if_(w1 != net::to_be16(net::eth::p_ip)).goto_("out"),
// tests/fields_test.cpp checks the offsets against the Linux uapi structs (ethhdr, iphdr, ...).
#pragma once

#include <cstdint>

#include "ctbpf/syntax.hpp"

namespace ctbpf::net {

// A header field of size T at `off` from the register pointing at the header.
template <access_size T>
struct header_field {
    std::int16_t off;
    constexpr mem_ref<T> operator()(const reg64& r, std::uint32_t line = __builtin_LINE()) const {
        return {address(r, off), line};
    }
};

// 16 and 32-bit byte order swaps of a constant (a load of a big-endian field on a little-endian
// host gives the swapped value).
constexpr std::uint16_t to_be16(std::uint16_t v) { return static_cast<std::uint16_t>((v << 8) | (v >> 8)); }
constexpr std::uint32_t to_be32(std::uint32_t v) {
    return (v << 24) | ((v << 8) & 0xff0000u) | ((v >> 8) & 0xff00u) | (v >> 24);
}

namespace eth { // struct ethhdr
inline constexpr std::int16_t size = 14;
inline constexpr header_field<u8> dest{0}, source{6};
inline constexpr header_field<u16> proto{12};
inline constexpr std::uint16_t p_ip = 0x0800, p_ipv6 = 0x86dd, p_arp = 0x0806, p_8021q = 0x8100, p_8021ad = 0x88a8;
} // namespace eth
namespace vlan { // struct vlan_hdr, after the Ethernet addresses' 12 bytes and the 0x8100 tag
inline constexpr std::int16_t size = 4;
inline constexpr header_field<u16> tci{0}, encapsulated_proto{2};
} // namespace vlan
namespace ipv4 { // struct iphdr
inline constexpr std::int16_t min_size = 20;
inline constexpr header_field<u8> version_ihl{0}, tos{1}, ttl{8}, protocol{9};
inline constexpr header_field<u16> tot_len{2}, id{4}, frag_off{6}, check{10};
inline constexpr header_field<u32> saddr{12}, daddr{16};
} // namespace ipv4
namespace ipv6 { // struct ipv6hdr
inline constexpr std::int16_t size = 40;
inline constexpr header_field<u16> payload_len{4};
inline constexpr header_field<u8> nexthdr{6}, hop_limit{7};
inline constexpr header_field<u32> saddr{8}, daddr{24}; // the first of four words each
} // namespace ipv6
namespace tcp { // struct tcphdr
inline constexpr std::int16_t min_size = 20;
inline constexpr header_field<u16> source{0}, dest{2}, window{14}, check{16}, urg_ptr{18};
inline constexpr header_field<u32> seq{4}, ack_seq{8};
inline constexpr header_field<u8> doff{12}, flags{13}; // doff: the high 4 bits
} // namespace tcp
namespace udp { // struct udphdr
inline constexpr std::int16_t size = 8;
inline constexpr header_field<u16> source{0}, dest{2}, len{4}, check{6};
} // namespace udp
// IP protocol numbers (iphdr::protocol, ipv6hdr::nexthdr)
inline constexpr std::uint8_t ipproto_icmp = 1, ipproto_tcp = 6, ipproto_udp = 17, ipproto_icmpv6 = 58;

} // namespace ctbpf::net
