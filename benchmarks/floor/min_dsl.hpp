// The least a C++ operator spelling of eBPF can cost a compiler, for benchmarks/compile_floor.py:
// only the instruction forms that benchmark's program uses, no range checks, no source lines, no
// diagnostics, no verifier, one evaluation (the caller gives the capacity), labels by linear
// search. Not part of ctbpf; it bounds from below what any design with this spelling pays.
#pragma once

#include <array>
#include <cstdint>
#include <initializer_list>
#include <linux/bpf.h>

namespace min_dsl {
enum kind : std::uint8_t { plain, label_def, jump };
struct item {
    bpf_insn ins;
    kind k;
    const char* name;
};
constexpr item one(int code, int dst, int src, int off, int imm) {
    return {bpf_insn{static_cast<std::uint8_t>(code), static_cast<std::uint8_t>(dst), static_cast<std::uint8_t>(src),
                     static_cast<std::int16_t>(off), imm},
            plain, nullptr};
}
struct address {
    int base, off;
};
template <int Size>
struct mem_ref {
    address a;
};
struct reg32 {
    int n;
    constexpr item operator^=(int v) const { return one(0xa4, n, 0, 0, v); }
    template <int S>
    constexpr item operator=(mem_ref<S> m) const { return one(0x61 | S, n, m.a.base, m.a.off, 0); }
};
struct reg64 {
    int n;
    constexpr item operator=(int v) const { return one(0xb7, n, 0, 0, v); }
    constexpr item operator=(reg64 s) const { return one(0xbf, n, s.n, 0, 0); }
    constexpr item operator+=(reg64 s) const { return one(0x0f, n, s.n, 0, 0); }
    constexpr item operator<<=(int v) const { return one(0x67, n, 0, 0, v); }
};
struct signed_reg {
    int n;
    constexpr item operator>>=(reg64 s) const { return one(0xcf, n, s.n, 0, 0); }
};
constexpr signed_reg s(reg64 r) { return {r.n}; }
template <int S>
struct store_to {
    address a;
    constexpr item operator=(reg64 r) const { return one(0x63 | S, a.base, r.n, a.off, 0); }
};
struct u32 {};
struct u64 {};
template <class T>
constexpr auto mem(address a) {
    if constexpr (__is_same(T, u64)) return store_to<0x18>{a};
    else return mem_ref<0x00>{a};
}
constexpr address operator+(reg64 r, int off) { return {r.n, off}; }
constexpr address operator-(reg64 r, int off) { return {r.n, -off}; }
struct cond {
    int dst, src;
};
constexpr cond operator>(reg64 a, reg64 b) { return {a.n, b.n}; }
struct branch {
    cond c;
    constexpr item goto_(const char* l) const { return {bpf_insn{0x2d, static_cast<std::uint8_t>(c.dst), static_cast<std::uint8_t>(c.src), 0, 0}, jump, l}; }
};
constexpr branch if_(cond c) { return {c}; }
constexpr item label(const char* l) { return {bpf_insn{}, label_def, l}; }
constexpr item exit_() { return one(0x95, 0, 0, 0, 0); }

constexpr bool same(const char* a, const char* b) {
    while (*a && *a == *b) ++a, ++b;
    return *a == *b;
}
// Lays out the items, resolves the jumps; N: the instruction count, given.
template <std::size_t N>
constexpr std::array<bpf_insn, N> assemble(std::initializer_list<item> items) {
    std::array<bpf_insn, N> out{};
    std::array<const char*, N + 1> at_slot{}; // the label naming each slot
    std::size_t slot = 0;
    for (const item& i : items)
        if (i.k == label_def) at_slot[slot] = i.name;
        else out[slot++] = i.ins;
    slot = 0;
    for (const item& i : items) {
        if (i.k == label_def) continue;
        if (i.k == jump)
            for (std::size_t t = slot + 1; t <= N; ++t)
                if (at_slot[t] && same(at_slot[t], i.name)) {
                    out[slot].off = static_cast<std::int16_t>(t - slot - 1);
                    break;
                }
        ++slot;
    }
    return out;
}
namespace syntax {
// (constant references, as in ctbpf: Clang compiles one braced list naming register objects in
// time quadratic in its length, 0.97 s instead of 0.34 s for this benchmark's 4,096 instructions)
namespace objs {
inline constexpr reg64 r0{0}, r1{1}, r2{2}, r3{3}, r4{4}, r5{5}, r6{6}, r7{7}, r8{8}, r9{9}, r10{10};
inline constexpr reg32 w0{0}, w1{1}, w2{2}, w3{3}, w4{4}, w5{5}, w6{6}, w7{7}, w8{8}, w9{9};
} // namespace objs
inline constexpr const reg64 &r0 = objs::r0, &r1 = objs::r1, &r2 = objs::r2, &r3 = objs::r3, &r4 = objs::r4,
                             &r5 = objs::r5, &r6 = objs::r6, &r7 = objs::r7, &r8 = objs::r8, &r9 = objs::r9,
                             &r10 = objs::r10;
inline constexpr const reg32 &w0 = objs::w0, &w1 = objs::w1, &w2 = objs::w2, &w3 = objs::w3, &w4 = objs::w4,
                             &w5 = objs::w5, &w6 = objs::w6, &w7 = objs::w7, &w8 = objs::w8, &w9 = objs::w9;
using min_dsl::exit_;
using min_dsl::if_;
using min_dsl::label;
using min_dsl::mem;
using min_dsl::s;
using min_dsl::u32;
using min_dsl::u64;
} // namespace syntax
} // namespace min_dsl
