// ctbpf::check() with map shapes, packets and contexts against the live kernel: each program is
// loaded with real maps (their fds patched into the ld_imm64 instructions) and check() gets the
// same maps' shapes; verdicts must agree, and where both reject, the kernel's message. Covers
// null checks (copies, spills, both branch senses), map value bounds and flags, the map helpers'
// arguments, pointer arithmetic on map and packet pointers, packet ranges from data_end checks,
// context fields, and one instruction used with two pointer types. Skips, saying why, only
// when this process cannot load programs.
#include <ctbpf/verify.hpp>
#include <doctest/doctest.h>

#include "kernel_probe.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

namespace {

using ctbpf::map_shape;
using ctbpf::map_type;
using ctbpf::prog_type;

bpf_insn I(int code, int dst, int src, int off, int imm) {
    return ctbpf::make_insn(static_cast<std::uint8_t>(code), static_cast<std::uint8_t>(dst),
                            static_cast<std::uint8_t>(src), static_cast<std::int16_t>(off), imm);
}
bpf_insn mov(int d, int imm) { return I(0xb7, d, 0, 0, imm); }
bpf_insn movx(int d, int s) { return I(0xbf, d, s, 0, 0); }
bpf_insn add(int d, int imm) { return I(0x07, d, 0, 0, imm); }
bpf_insn ldx(int size_code, int d, int s, int off) { return I(0x61 | size_code, d, s, off, 0); } // 0 w, 8 h, 0x10 b, 0x18 dw
bpf_insn stx(int size_code, int d, int s, int off) { return I(0x63 | size_code, d, s, off, 0); }
bpf_insn st(int size_code, int d, int off, int imm) { return I(0x62 | size_code, d, 0, off, imm); }
bpf_insn jeq(int d, int imm, int off) { return I(0x15, d, 0, off, imm); }
bpf_insn jne(int d, int imm, int off) { return I(0x55, d, 0, off, imm); }
bpf_insn jgtx(int d, int s, int off) { return I(0x2d, d, s, off, 0); }
bpf_insn call(int id) { return I(0x85, 0, 0, 0, id); }
bpf_insn exit_() { return I(0x95, 0, 0, 0, 0); }
constexpr int W = 0, H = 8, B = 0x10, DW = 0x18;

// ld_imm64 of map slot `slot` (its fd is patched in at load)
void ld_map(std::vector<bpf_insn>& p, int d, int slot) {
    p.push_back(I(0x18, d, 1, 0, slot));
    p.push_back(I(0, 0, 0, 0, 0));
}

struct map_def {
    map_type type;
    std::uint32_t key, value, max, flags;
};
// slots: 0 hash 4/8, 1 array 4/8, 2 prog_array, 3 hash 4/8 read-only for programs, 4 hash 4/8
// write-only, 5 a 4 KiB ring buffer, 6 array 4/16 of one element (direct value access), 7 cgroup
// storage 16/16
const map_def defs[] = {{map_type::hash, 4, 8, 16, 0},
                        {map_type::array, 4, 8, 16, 0},
                        {map_type::prog_array, 4, 4, 4, 0},
                        {map_type::hash, 4, 8, 16, ctbpf::map_rdonly_prog},
                        {map_type::hash, 4, 8, 16, ctbpf::map_wronly_prog},
                        {map_type::ringbuf, 0, 0, 4096, 0},
                        {map_type::array, 4, 16, 1, 0},
                        {map_type::cgroup_storage, 16, 16, 0, 0}};

struct tcase {
    std::string name;
    std::vector<bpf_insn> prog;
    prog_type type = prog_type::socket_filter;
    std::uint32_t attach = 0;
};

// key 0 on the stack at fp-4, r2 = fp-4, r1 = map `slot`, call bpf_map_lookup_elem
std::vector<bpf_insn> lookup(int slot) {
    std::vector<bpf_insn> p{st(W, 10, -4, 0), movx(2, 10), add(2, -4)};
    ld_map(p, 1, slot);
    p.push_back(call(1));
    return p;
}
std::vector<bpf_insn> operator+(std::vector<bpf_insn> a, const std::vector<bpf_insn>& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
}
const std::vector<bpf_insn> ret0{mov(0, 0), exit_()};
// xdp: r2 = data, r3 = data_end
const std::vector<bpf_insn> xdp_ptrs{ldx(W, 2, 1, 0), ldx(W, 3, 1, 4)};

std::vector<tcase> cases() {
    std::vector<tcase> t;
    // null checks
    t.push_back({"no null check", lookup(0) + std::vector{ldx(DW, 0, 0, 0)} + ret0});
    t.push_back({"null check", lookup(0) + std::vector{jeq(0, 0, 1), ldx(DW, 0, 0, 0)} + ret0});
    t.push_back({"null check, jne", lookup(0) + std::vector{jne(0, 0, 1), exit_(), ldx(DW, 0, 0, 0)} + ret0});
    t.push_back({"null check on the wrong side", lookup(0) + std::vector{jne(0, 0, 1), ldx(DW, 0, 0, 0)} + ret0});
    t.push_back({"copy checked through the original", lookup(0) + std::vector{movx(6, 0), jeq(0, 0, 1), ldx(DW, 0, 6, 0)} + ret0});
    t.push_back({"spill checked through the original",
                 lookup(0) + std::vector{stx(DW, 10, 0, -16), jeq(0, 0, 2), ldx(DW, 6, 10, -16), ldx(DW, 0, 6, 0)} + ret0});
    t.push_back({"null side is zero", lookup(0) + std::vector{jne(0, 0, 2), ldx(DW, 0, 0, 0), exit_()} + ret0});
    t.push_back({"arithmetic before the check", lookup(0) + std::vector{add(0, 4), jeq(0, 0, 1), ldx(W, 0, 0, 0)} + ret0});
    // map value bounds and flags
    t.push_back({"value read in bounds", lookup(0) + std::vector{jeq(0, 0, 1), ldx(W, 0, 0, 4)} + ret0});
    t.push_back({"value read past the end", lookup(0) + std::vector{jeq(0, 0, 1), ldx(W, 0, 0, 6)} + ret0});
    t.push_back({"value read before the start", lookup(0) + std::vector{jeq(0, 0, 1), ldx(B, 0, 0, -1)} + ret0});
    t.push_back({"value pointer moved then read", lookup(0) + std::vector{jeq(0, 0, 2), add(0, 4), ldx(W, 0, 0, 4)} + ret0});
    t.push_back({"value write", lookup(0) + std::vector{jeq(0, 0, 1), st(DW, 0, 0, 7)} + ret0});
    t.push_back({"read-only map written", lookup(3) + std::vector{jeq(0, 0, 1), st(DW, 0, 0, 7)} + ret0});
    t.push_back({"read-only map read", lookup(3) + std::vector{jeq(0, 0, 1), ldx(DW, 0, 0, 0)} + ret0});
    t.push_back({"write-only map read", lookup(4) + std::vector{jeq(0, 0, 1), ldx(DW, 0, 0, 0)} + ret0});
    t.push_back({"value pointer compared with 0 again", lookup(0) + std::vector{jeq(0, 0, 3), jne(0, 0, 1), mov(9, 1), ldx(DW, 0, 0, 0)} + ret0});
    // the map helpers' arguments
    {
        std::vector<bpf_insn> p{st(W, 10, -4, 0), movx(2, 10), add(2, -4), movx(1, 10), call(1)};
        t.push_back({"stack pointer as the map", p + ret0});
    }
    {
        std::vector<bpf_insn> p{movx(2, 10), add(2, -2)};
        ld_map(p, 0, 0);
        t.push_back({"key past the frame", p + std::vector{movx(1, 0), call(1)} + ret0});
    }
    {
        std::vector<bpf_insn> p{movx(2, 10), add(2, -8)};
        ld_map(p, 1, 0);
        t.push_back({"uninitialised key", p + std::vector{call(1)} + ret0});
    }
    {
        std::vector<bpf_insn> p{mov(2, 0)};
        ld_map(p, 1, 0);
        t.push_back({"scalar key", p + std::vector{call(1)} + ret0});
    }
    t.push_back({"lookup in a prog array", lookup(2) + ret0});
    // the map itself (CONST_PTR_TO_MAP): its struct may be read, by privileged programs, at offsets >= 0
    {
        const auto map_ptr = [](int slot, std::vector<bpf_insn> tail) {
            std::vector<bpf_insn> p;
            ld_map(p, 1, slot);
            return p + tail + ret0;
        };
        t.push_back({"map struct read", map_ptr(1, {ldx(W, 0, 1, 0)})});
        t.push_back({"map struct read at a negative offset", map_ptr(1, {ldx(DW, 0, 1, -8)})});
        t.push_back({"map struct written", map_ptr(0, {st(W, 1, 0, 1)})});
    }
    // bpf_get_local_storage(map, flags) in cgroup_skb (privileged): the storage, never NULL
    {
        const prog_type skb = prog_type::cgroup_skb;
        const auto storage = [](int slot, int flags) {
            std::vector<bpf_insn> p{mov(2, flags)};
            ld_map(p, 1, slot);
            p.push_back(call(81));
            return p;
        };
        t.push_back({"local storage read", storage(7, 0) + std::vector{ldx(W, 3, 0, 12)} + ret0, skb});
        t.push_back({"local storage read past the value", storage(7, 0) + std::vector{ldx(W, 3, 0, 14)} + ret0, skb});
        t.push_back({"local storage with flags", storage(7, 1) + std::vector{ldx(W, 3, 0, 0)} + ret0, skb});
        t.push_back({"local storage of a hash map", storage(0, 0) + ret0, skb});
        std::vector<bpf_insn> q{st(W, 10, -4, 0), movx(2, 10), add(2, -4)};
        ld_map(q, 1, 7);
        t.push_back({"lookup in a cgroup storage", q + std::vector{call(1)} + ret0, skb});
    }
    // BPF_PSEUDO_MAP_VALUE: r1 = &value of array slot 6 + off (privileged: xdp)
    {
        const auto value_at = [](int off) { return std::vector<bpf_insn>{I(0x18, 1, 2, 0, 6), I(0, 0, 0, 0, off)}; };
        const prog_type xdp = prog_type::xdp;
        t.push_back({"direct value read", value_at(8) + std::vector{ldx(DW, 0, 1, 0)} + ret0, xdp});
        t.push_back({"direct value read past the end", value_at(12) + std::vector{ldx(DW, 0, 1, 0)} + ret0, xdp});
        t.push_back({"direct value write moved back", value_at(4) + std::vector{add(1, -4), st(W, 1, 12, 1)} + ret0, xdp});
        t.push_back({"direct value at the value's end", value_at(16) + ret0, xdp});
        t.push_back({"direct value offset too large", value_at(1 << 29) + ret0, xdp});
    }
    // array lookups (6.14+): not NULL for a constant key below max_entries, found in a scalar spill
    // of exactly the key's size (privileged programs only); else NULL-checked as usual
    {
        const auto array_lookup = [](std::vector<bpf_insn> key) { // the key at fp-8, in array slot 1
            key.push_back(movx(2, 10));
            key.push_back(add(2, -8));
            ld_map(key, 1, 1);
            key.push_back(call(1));
            return key;
        };
        const std::vector<bpf_insn> read{ldx(W, 0, 0, 4)};
        t.push_back({"array, constant key spilled", array_lookup({st(W, 10, -8, 3)}) + read + ret0});
        t.push_back({"array, constant key from a register", array_lookup({mov(3, 15), stx(W, 10, 3, -8)}) + read + ret0});
        t.push_back({"array, key past max_entries", array_lookup({st(W, 10, -8, 16)}) + read + ret0});
        t.push_back({"array, negative key", array_lookup({st(W, 10, -8, -1)}) + read + ret0});
        t.push_back({"array, 8-byte spill of a 4-byte key", array_lookup({st(DW, 10, -8, 3)}) + read + ret0});
        t.push_back({"array, constant key, checked anyway", array_lookup({st(W, 10, -8, 3)}) + std::vector{jeq(0, 0, 1)} + read + ret0});
        t.push_back({"array, constant key, read past the value", array_lookup({st(W, 10, -8, 3)}) + std::vector{ldx(W, 0, 0, 6)} + ret0});
        // STACK_ZERO bytes: a key of 0 written at fp-4 (no spill: not aligned to 8), by imm or register
        const auto array_lookup4 = [](std::vector<bpf_insn> key) { // the key at fp-4
            key.push_back(movx(2, 10));
            key.push_back(add(2, -4));
            ld_map(key, 1, 1);
            key.push_back(call(1));
            return key;
        };
        t.push_back({"array, zero key bytes", array_lookup4({st(W, 10, -4, 0)}) + read + ret0});
        t.push_back({"array, zero key bytes from a register", array_lookup4({mov(3, 0), stx(W, 10, 3, -4)}) + read + ret0});
        t.push_back({"array, zero key bytes, one overwritten", array_lookup4({st(W, 10, -4, 0), st(B, 10, -3, 1)}) + std::vector{jeq(0, 0, 1)} + read + ret0});
        t.push_back({"array, zero key bytes past a spill", array_lookup4({st(W, 10, -8, 0), st(W, 10, -4, 0)}) + read + ret0});
    }

    {
        std::vector<bpf_insn> p{st(W, 10, -4, 0), st(DW, 10, -16, 1), movx(2, 10), add(2, -4), movx(3, 10), add(3, -16),
                                mov(4, 0)};
        ld_map(p, 1, 0);
        t.push_back({"update", p + std::vector{call(2)} + ret0});
        std::vector<bpf_insn> q{st(W, 10, -4, 0), movx(2, 10), add(2, -4), movx(3, 10), add(3, -4), mov(4, 0)};
        ld_map(q, 1, 0);
        t.push_back({"update with a short value", q + std::vector{call(2)} + ret0});
        std::vector<bpf_insn> u{st(W, 10, -4, 0), movx(2, 10), add(2, -4), movx(3, 10), add(3, -16)};
        ld_map(u, 1, 0);
        t.push_back({"update without flags", u + std::vector{call(2)} + ret0});
    }
    {
        std::vector<bpf_insn> p{st(W, 10, -4, 0), movx(2, 10), add(2, -4)};
        ld_map(p, 1, 0);
        t.push_back({"delete", p + std::vector{call(3)} + ret0});
    }
    {
        std::vector<bpf_insn> p;
        ld_map(p, 1, 0);
        t.push_back({"map pointer arithmetic", p + std::vector{add(1, 8)} + ret0});
    }
    // references: ring buffer records and sockets
    const auto reserve = [](int size) {
        std::vector<bpf_insn> p;
        ld_map(p, 1, 5);
        return p + std::vector{mov(2, size), mov(3, 0), call(131)}; // bpf_ringbuf_reserve(rb, size, 0)
    };
    const std::vector<bpf_insn> submit{movx(1, 6), mov(2, 0), call(132)}; // bpf_ringbuf_submit(r6, 0)
    t.push_back({"ringbuf reserve and submit", reserve(16) + std::vector{jeq(0, 0, 5), movx(6, 0), st(DW, 6, 8, 1)} + submit + ret0});
    t.push_back({"ringbuf record not checked", reserve(16) + std::vector{st(DW, 0, 0, 1), movx(6, 0)} + submit + ret0});
    t.push_back({"ringbuf record leaked", reserve(16) + std::vector{jeq(0, 0, 1), st(DW, 0, 0, 1)} + ret0});
    t.push_back({"ringbuf record written past its size", reserve(16) + std::vector{jeq(0, 0, 5), movx(6, 0), st(DW, 6, 12, 1)} + submit + ret0});
    t.push_back({"ringbuf record submitted twice", reserve(16) + std::vector{jeq(0, 0, 8), movx(6, 0)} + submit + submit + ret0});
    t.push_back({"ringbuf submit of a stack pointer", std::vector{movx(1, 10), add(1, -8), mov(2, 0), call(132)} + ret0});
    t.push_back({"ringbuf output from the stack", std::vector{st(DW, 10, -8, 1), movx(2, 10), add(2, -8)} + [] {
        std::vector<bpf_insn> p;
        ld_map(p, 1, 5);
        return p;
    }() + std::vector{mov(3, 8), mov(4, 0), call(130)} + ret0});
    t.push_back({"ringbuf output past the frame", std::vector{movx(2, 10), add(2, -8)} + [] {
        std::vector<bpf_insn> p;
        ld_map(p, 1, 5);
        return p;
    }() + std::vector{mov(3, 16), mov(4, 0), call(130)} + ret0});
    // bpf_sk_lookup_tcp(ctx, tuple on the stack (36 bytes), 36, netns 0, flags 0)
    std::vector<bpf_insn> lookup_tcp;
    for (int off = -40; off < 0; off += 8) lookup_tcp.push_back(st(DW, 10, off, 0));
    lookup_tcp = lookup_tcp + std::vector{movx(2, 10), add(2, -40), mov(3, 36), mov(4, 0), mov(5, 0), call(84)};
    const auto cls = prog_type::sched_cls;
    t.push_back({"socket looked up and released", lookup_tcp + std::vector{jeq(0, 0, 2), movx(1, 0), call(86)} + ret0, cls});
    t.push_back({"socket leaked", lookup_tcp + ret0, cls});
    t.push_back({"socket leaked on one path", lookup_tcp + std::vector{jeq(0, 0, 3), ldx(W, 1, 0, 4), jeq(1, 0, 1), call(86)} + ret0, cls});
    t.push_back({"socket read unchecked", lookup_tcp + std::vector{ldx(W, 2, 0, 4), movx(1, 0), call(86)} + ret0, cls});
    t.push_back({"socket written", lookup_tcp + std::vector{jeq(0, 0, 3), st(W, 0, 4, 1), movx(1, 0), call(86)} + ret0, cls});
    t.push_back({"socket released twice", lookup_tcp + std::vector{jeq(0, 0, 4), movx(6, 0), movx(1, 6), call(86), movx(1, 6), call(86)} + ret0, cls});
    t.push_back({"socket pointer arithmetic", lookup_tcp + std::vector{jeq(0, 0, 3), add(0, 4), movx(1, 0), call(86)} + ret0, cls});
    t.push_back({"skb->sk released", std::vector{ldx(DW, 1, 1, 168), jeq(1, 0, 1), call(86)} + ret0, cls});
    t.push_back({"socket and tail call", lookup_tcp + std::vector{movx(6, 0), movx(1, 0)} + [] {
        std::vector<bpf_insn> p;
        ld_map(p, 2, 2);
        return p;
    }() + std::vector{mov(3, 0), call(12), jeq(6, 0, 2), movx(1, 6), call(86)} + ret0, cls});
    // packets (xdp, sched_cls, cgroup_skb)
    const auto xdp = prog_type::xdp;
    t.push_back({"packet read unchecked", xdp_ptrs + std::vector{ldx(B, 0, 2, 0)} + ret0, xdp});
    t.push_back({"packet read checked", xdp_ptrs + std::vector{movx(4, 2), add(4, 14), jgtx(4, 3, 1), ldx(H, 0, 2, 12)} + ret0, xdp});
    t.push_back({"packet read past the check", xdp_ptrs + std::vector{movx(4, 2), add(4, 14), jgtx(4, 3, 1), ldx(H, 0, 2, 13)} + ret0, xdp});
    t.push_back({"packet read on the failing side", xdp_ptrs + std::vector{movx(4, 2), add(4, 14), jgtx(4, 3, 2), mov(0, 0), exit_(), ldx(B, 0, 2, 0)} + ret0, xdp});
    t.push_back({"packet end first", xdp_ptrs + std::vector{movx(4, 2), add(4, 8), I(0xad, 3, 4, 1, 0), ldx(DW, 0, 2, 0)} + ret0, xdp});
    t.push_back({"packet read through a moved pointer", xdp_ptrs + std::vector{movx(4, 2), add(4, 14), jgtx(4, 3, 2), add(2, 10), ldx(W, 0, 2, 0)} + ret0, xdp});
    t.push_back({"packet end arithmetic", xdp_ptrs + std::vector{add(3, -1)} + ret0, xdp});
    t.push_back({"packet end read", xdp_ptrs + std::vector{ldx(B, 0, 3, 0)} + ret0, xdp});
    t.push_back({"packet beyond the end twice", xdp_ptrs + std::vector{movx(4, 2), add(4, 42), mov(5, 0), jgtx(4, 3, 2), add(2, 14), movx(5, 2),
                                                                       jgtx(4, 3, 1), ldx(H, 0, 5, 9)} + ret0, xdp});
    t.push_back({"metadata checked against data", std::vector{ldx(W, 2, 1, 8), ldx(W, 3, 1, 0), movx(4, 2), add(4, 4), jgtx(4, 3, 1),
                                                              ldx(W, 0, 2, 0)} + ret0, xdp});
    t.push_back({"packet write in xdp", xdp_ptrs + std::vector{movx(4, 2), add(4, 1), jgtx(4, 3, 1), st(B, 2, 0, 1)} + ret0, xdp});
    t.push_back({"packet write in cgroup_skb", std::vector{ldx(W, 2, 1, 76), ldx(W, 3, 1, 80), movx(4, 2), add(4, 1), jgtx(4, 3, 1),
                                                           st(B, 2, 0, 1), mov(0, 1), exit_()}, prog_type::cgroup_skb});
    t.push_back({"packet read in sched_cls", std::vector{ldx(W, 2, 1, 76), ldx(W, 3, 1, 80), movx(4, 2), add(4, 2), jgtx(4, 3, 1),
                                                         ldx(H, 0, 2, 0)} + ret0, prog_type::sched_cls});
    t.push_back({"packet atomic", xdp_ptrs + std::vector{movx(4, 2), add(4, 8), jgtx(4, 3, 2), mov(5, 1), I(0xdb, 2, 5, 0, 0)} + ret0, xdp});
    // contexts
    t.push_back({"xdp_md past its end", std::vector{ldx(W, 0, 1, 24)} + ret0, xdp});
    t.push_back({"xdp_md narrow read", std::vector{ldx(B, 0, 1, 12)} + ret0, xdp});
    t.push_back({"__sk_buff mark written", std::vector{st(W, 1, 8, 1)} + ret0, prog_type::sched_cls});
    t.push_back({"__sk_buff len written", std::vector{st(W, 1, 0, 1)} + ret0, prog_type::sched_cls});
    t.push_back({"__sk_buff data in socket_filter", std::vector{ldx(W, 0, 1, 76)} + ret0});
    t.push_back({"one load through ctx and stack", std::vector{movx(6, 1), call(7), jeq(0, 0, 1), movx(6, 10), ldx(W, 0, 6, -8)} + ret0});
    return t;
}

} // namespace

TEST_CASE("maps, packets and contexts: ctbpf::check() with map shapes against BPF_PROG_LOAD") {
    std::string why;
    if (kernel_probe::may_skip("maps, packets and contexts against the kernel", why)) return;
    REQUIRE_MESSAGE(why.empty(), why);
    // the maps, created once
    std::vector<int> fds;
    std::vector<map_shape> shapes;
    for (const map_def& d : defs) {
        union bpf_attr a;
        std::memset(&a, 0, sizeof a);
        a.map_type = static_cast<std::uint32_t>(d.type);
        a.key_size = d.key;
        a.value_size = d.value;
        a.max_entries = d.max;
        a.map_flags = d.flags;
        const long fd = kernel_probe::sys_bpf(BPF_MAP_CREATE, &a);
        REQUIRE_MESSAGE(fd >= 0, "BPF_MAP_CREATE failed: " << std::strerror(errno));
        fds.push_back(static_cast<int>(fd));
        shapes.push_back({d.type, d.key, d.value, d.max, d.flags, static_cast<std::int32_t>(fd)});
    }
    kernel_probe::unprivileged_window window;
    if (!window.ok()) {
        REQUIRE_MESSAGE(window.may_skip(), "as root, yet " << window.reason());
        std::printf("SKIP: the unprivileged cases, because %s\n", window.reason().c_str());
    }
    int ran = 0, agree = 0, rejected = 0, same_message = 0, deferred = 0;
    for (tcase c : cases()) {
        for (bpf_insn& x : c.prog)
            if (x.code == 0x18 && (x.src_reg == 1 || x.src_reg == 2)) x.imm = fds[static_cast<std::size_t>(x.imm)];
        for (const auto priv : {ctbpf::privilege::root, ctbpf::privilege::unprivileged}) {
            const bool unpriv = priv == ctbpf::privilege::unprivileged;
            if (unpriv && (c.type != prog_type::socket_filter || !window.ok())) continue;
            kernel_probe::load_result k;
            if (!unpriv) {
                k = kernel_probe::loader().load(c.prog, static_cast<std::uint32_t>(c.type), c.attach);
            } else {
                std::string out, err;
                const auto prog = c.prog;
                const auto type = c.type;
                REQUIRE(kernel_probe::run_unprivileged(
                    [&] {
                        const auto r = kernel_probe::loader().load(prog, static_cast<std::uint32_t>(type));
                        return std::to_string(r.err) + "\n" + r.message;
                    },
                    out, err));
                k.err = std::stoi(out.substr(0, out.find('\n')));
                k.message = out.substr(out.find('\n') + 1);
            }
            const ctbpf::check_result r =
                ctbpf::check(c.prog, {.priv = priv, .type = c.type, .expected_attach_type = static_cast<ctbpf::attach_type>(c.attach)}, shapes);
            ++ran;
            INFO(c.name << (unpriv ? " (unprivileged)" : "") << ": kernel errno " << k.err << " '" << k.message
                        << "'; ctbpf " << (r.ok() ? "ok" : std::string(r.message())) << ", deferred "
                        << ctbpf::to_string(r.deferred));
            CHECK(r.ok() == k.ok()); // never refuse what the kernel accepts, never accept what it rejects
            if (r.ok() && !k.ok()) CHECK(r.deferred != ctbpf::deferral::none);
            agree += r.ok() == k.ok();
            deferred += r.ok() && !r.complete();
            if (!r.ok() && !k.ok()) {
                ++rejected;
                CHECK(std::string(r.message()) == k.message);
                CHECK(r.errnum == k.err);
                same_message += std::string(r.message()) == k.message;
            }
        }
    }
    for (int fd : fds) ::close(fd);
    std::printf("kernel tests: maps, packets and contexts: %d loads compared, %d agree, %d rejected by both (%d with "
                "the kernel's message), %d accepted with a deferral\n",
                ran, agree, rejected, same_message, deferred);
    CHECK(ran >= 50);
}
