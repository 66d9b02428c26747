// Tristate numbers (the kernel's kernel/bpf/tnum.c): a 64-bit value whose bits are each known 0,
// known 1 or unknown. `mask` has a 1 for every unknown bit; `value` holds the known bits (and 0
// where mask is 1). Pure constexpr, no heap; tnum_mul is the only loop (at most 64 iterations).
#pragma once

#include <bit>
#include <cstdint>

namespace ctbpf::detail::vfy {

struct tnum {
    std::uint64_t value = 0, mask = 0;
    friend constexpr bool operator==(const tnum&, const tnum&) = default;
};

inline constexpr tnum tnum_unknown{0, ~std::uint64_t{0}};

constexpr tnum tnum_const(std::uint64_t v) { return {v, 0}; }

// The smallest tnum holding every value of [min, max] (unsigned).
constexpr tnum tnum_range(std::uint64_t min, std::uint64_t max) {
    const int bits = std::bit_width(min ^ max);
    if (bits > 63) return tnum_unknown;
    const std::uint64_t delta = (std::uint64_t{1} << bits) - 1;
    return {min & ~delta, delta};
}

constexpr tnum tnum_lshift(tnum a, unsigned shift) { return {a.value << shift, a.mask << shift}; }
constexpr tnum tnum_rshift(tnum a, unsigned shift) { return {a.value >> shift, a.mask >> shift}; }

// Arithmetic shift right by the minimum shift amount, in 32 or 64 bits (32: result zero-extended).
constexpr tnum tnum_arshift(tnum a, unsigned min_shift, unsigned bitness) {
    if (bitness == 32)
        return {static_cast<std::uint32_t>(static_cast<std::int32_t>(static_cast<std::uint32_t>(a.value)) >> min_shift),
                static_cast<std::uint32_t>(static_cast<std::int32_t>(static_cast<std::uint32_t>(a.mask)) >> min_shift)};
    return {static_cast<std::uint64_t>(static_cast<std::int64_t>(a.value) >> min_shift),
            static_cast<std::uint64_t>(static_cast<std::int64_t>(a.mask) >> min_shift)};
}

constexpr tnum tnum_add(tnum a, tnum b) {
    const std::uint64_t sv = a.value + b.value, sigma = a.mask + b.mask + sv;
    const std::uint64_t mu = (sigma ^ sv) | a.mask | b.mask;
    return {sv & ~mu, mu};
}

constexpr tnum tnum_sub(tnum a, tnum b) {
    const std::uint64_t dv = a.value - b.value;
    const std::uint64_t mu = ((dv + a.mask) ^ (dv - b.mask)) | a.mask | b.mask;
    return {dv & ~mu, mu};
}

constexpr tnum tnum_neg(tnum a) { return tnum_sub(tnum{}, a); }

constexpr tnum tnum_and(tnum a, tnum b) {
    const std::uint64_t v = a.value & b.value;
    return {v, (a.value | a.mask) & (b.value | b.mask) & ~v};
}

constexpr tnum tnum_or(tnum a, tnum b) {
    const std::uint64_t v = a.value | b.value;
    return {v, (a.mask | b.mask) & ~v};
}

constexpr tnum tnum_xor(tnum a, tnum b) {
    const std::uint64_t mu = a.mask | b.mask;
    return {(a.value ^ b.value) & ~mu, mu};
}

// Every value of a or of b (the kernel's tnum_union).
constexpr tnum tnum_union(tnum a, tnum b) {
    const std::uint64_t mu = (a.value ^ b.value) | a.mask | b.mask;
    return {a.value & b.value & ~mu, mu};
}

// Shift-and-add multiplication; an unknown bit of a adds the union of "b added" and "not added"
// (the Linux 6.17+ algorithm).
constexpr tnum tnum_mul(tnum a, tnum b) {
    if ((a.mask | b.mask) == 0) return {a.value * b.value, 0}; // (what the loop gives for two constants)
    tnum acc{};
    while (a.value | a.mask) {
        if (a.value & 1) acc = tnum_add(acc, b);
        else if (a.mask & 1) acc = tnum_union(acc, tnum_add(acc, b));
        a = tnum_rshift(a, 1);
        b = tnum_lshift(b, 1);
    }
    return acc;
}

// Can a and b hold a common value?
constexpr bool tnum_overlap(tnum a, tnum b) {
    const std::uint64_t mu = ~a.mask & ~b.mask;
    return (a.value & mu) == (b.value & mu);
}

// The values both a and b hold (meaningful only when they overlap).
constexpr tnum tnum_intersect(tnum a, tnum b) {
    const std::uint64_t v = a.value | b.value, mu = a.mask & b.mask;
    return {v & ~mu, mu};
}

// Truncate to `size` bytes (1, 2, 4; 8 leaves it unchanged).
constexpr tnum tnum_cast(tnum a, unsigned size) {
    const std::uint64_t m = size >= 8 ? ~std::uint64_t{0} : (std::uint64_t{1} << (size * 8)) - 1;
    return {a.value & m, a.mask & m};
}

constexpr bool tnum_is_const(tnum a) { return a.mask == 0; }
constexpr bool tnum_equals_const(tnum a, std::uint64_t v) { return a.mask == 0 && a.value == v; }
constexpr bool tnum_is_unknown(tnum a) { return a.mask == ~std::uint64_t{0}; }
constexpr bool tnum_is_aligned(tnum a, std::uint64_t size) {
    return size == 0 || ((a.value | a.mask) & (size - 1)) == 0;
}
// Is every value of b a value of a?
constexpr bool tnum_in(tnum a, tnum b) { return (b.mask & ~a.mask) == 0 && a.value == (b.value & ~a.mask); }
// Is the concrete value v one of a's values?
constexpr bool tnum_contains(tnum a, std::uint64_t v) { return (v & ~a.mask) == a.value; }

// The low 32 bits (zero-extended), the high 32 bits only, and splicing a new low half in.
constexpr tnum tnum_subreg(tnum a) { return tnum_cast(a, 4); }
constexpr tnum tnum_clear_subreg(tnum a) { return tnum_lshift(tnum_rshift(a, 32), 32); }
constexpr tnum tnum_with_subreg(tnum reg, tnum subreg) { return tnum_or(tnum_clear_subreg(reg), tnum_subreg(subreg)); }
constexpr tnum tnum_const_subreg(tnum a, std::uint32_t v) { return tnum_with_subreg(a, tnum_const(v)); }
constexpr bool tnum_subreg_is_const(tnum a) { return static_cast<std::uint32_t>(a.mask) == 0; }

// The smallest value of t greater than z; t's largest value if there is none, its smallest if z
// is below it (the kernel's tnum_step()).
constexpr std::uint64_t tnum_step(tnum t, std::uint64_t z) {
    const std::uint64_t tmax = t.value | t.mask;
    if (z >= tmax) return tmax;
    if (z < t.value) return t.value;
    const std::uint64_t y = z + 1, diff = (y ^ t.value) & ~t.mask;
    if (diff == 0) return y;
    const int h = std::bit_width(diff) - 1;
    const std::uint64_t below = (std::uint64_t{2} << h) - 1; // bits 0..h (h < 63 here, or the whole word)
    if (t.value & (std::uint64_t{1} << h)) // y has 0 where t has a known 1: raise bit h
        return (h == 63 ? 0 : y & ~below) | (t.value & below);
    // y has 1 where t has a known 0: carry into the lowest unknown bit above h that y has clear
    const std::uint64_t cand = t.mask & ~y & ~below;
    if (cand == 0) return tmax;
    const std::uint64_t b = cand & (0 - cand);
    return (y & ~(b | (b - 1))) | b | (t.value & (b - 1));
}

// Byte swaps of the low 16/32 bits (result zero-extended) or of all 64 bits.
constexpr std::uint64_t bswap_value(std::uint64_t v, unsigned bits) {
    v = ((v & 0x00ff00ff00ff00ffull) << 8) | ((v >> 8) & 0x00ff00ff00ff00ffull);
    v = ((v & 0x0000ffff0000ffffull) << 16) | ((v >> 16) & 0x0000ffff0000ffffull);
    v = (v << 32) | (v >> 32);
    return v >> (64 - bits);
}
constexpr tnum tnum_bswap(tnum a, unsigned bits) { return {bswap_value(a.value, bits), bswap_value(a.mask, bits)}; }

} // namespace ctbpf::detail::vfy
