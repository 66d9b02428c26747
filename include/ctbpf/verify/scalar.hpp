// The kernel verifier's scalar value domain (Linux 6.18, kernel/bpf/verifier.c): a tnum plus
// signed/unsigned 64- and 32-bit bounds, with the kernel's transfer functions for ALU operations,
// byte swaps, moves with sign extension, load narrowing, branch prediction and branch refinement,
// and the verifier log's way of printing a scalar. Pure constexpr, allocation-free; names follow
// the kernel's functions so that the two can be read side by side.
#pragma once

#include "ctbpf/semantics.hpp"
#include "ctbpf/verify/tnum.hpp"

#include <cstdint>
#include <string_view>

namespace ctbpf::detail::vfy {

using u64 = std::uint64_t;
using s64 = std::int64_t;
using u32 = std::uint32_t;
using s32 = std::int32_t;

inline constexpr s64 s64_min = static_cast<s64>(u64{1} << 63), s64_max = static_cast<s64>(~(u64{1} << 63));
inline constexpr s32 s32_min = static_cast<s32>(u32{1} << 31), s32_max = static_cast<s32>(~(u32{1} << 31));
inline constexpr u64 u64_max = ~u64{0};
inline constexpr u32 u32_max = ~u32{0};

// ALU operation codes (BPF_OP of the opcode) and jump operation codes (BPF_OP of JMP/JMP32).
namespace sop {
inline constexpr std::uint8_t add = 0x00, sub = 0x10, mul = 0x20, div = 0x30, or_ = 0x40, and_ = 0x50,
                              lsh = 0x60, rsh = 0x70, neg = 0x80, mod = 0x90, xor_ = 0xa0, mov = 0xb0,
                              arsh = 0xc0, end = 0xd0;
inline constexpr std::uint8_t jeq = 0x10, jgt = 0x20, jge = 0x30, jset = 0x40, jne = 0x50, jsgt = 0x60,
                              jsge = 0x70, jlt = 0xa0, jle = 0xb0, jslt = 0xc0, jsle = 0xd0;
inline constexpr std::uint8_t jnset = 0x48; // "not JSET": the kernel's rev_opcode(BPF_JSET) (BPF_JSET|BPF_X)
} // namespace sop

namespace sdetail {
template <class T> constexpr T mx(T a, T b) { return a < b ? b : a; }
template <class T> constexpr T mn(T a, T b) { return a < b ? a : b; }
} // namespace sdetail

struct scalar_value {
    tnum var_off = tnum_unknown;
    s64 smin = s64_min, smax = s64_max;
    u64 umin = 0, umax = u64_max;
    s32 s32_min = vfy::s32_min, s32_max = vfy::s32_max;
    u32 u32_min = 0, u32_max = vfy::u32_max;

    friend constexpr bool operator==(const scalar_value&, const scalar_value&) = default;

    // mark_reg_unknown()
    static constexpr scalar_value unknown() { return {}; }
    // __mark_reg_known(): every field says v
    static constexpr scalar_value constant(u64 v) {
        return {tnum_const(v), static_cast<s64>(v), static_cast<s64>(v), v, v,
                static_cast<s32>(static_cast<u32>(v)), static_cast<s32>(static_cast<u32>(v)), static_cast<u32>(v),
                static_cast<u32>(v)};
    }
    // what `wX = imm` leaves: the zero-extended 32-bit constant
    static constexpr scalar_value constant32(u32 v) { return constant(v); }
    // the fake source register of an instruction's immediate (sign-extended to 64 bits)
    static constexpr scalar_value imm(s32 v) { return constant(static_cast<u64>(static_cast<s64>(v))); }
    // an unknown value known to lie in [lo, hi] (unsigned / signed), synced
    static constexpr scalar_value from_urange(u64 lo, u64 hi);
    static constexpr scalar_value from_srange(s64 lo, s64 hi);
    static constexpr scalar_value from_tnum(tnum t);

    constexpr bool is_const() const { return tnum_is_const(var_off); }
    constexpr bool is_subreg_const() const { return tnum_subreg_is_const(var_off); }
    // Is the concrete 64-bit value v described by every field?
    constexpr bool contains(u64 v) const {
        const auto s = static_cast<s64>(v);
        const auto w = static_cast<u32>(v);
        const auto sw = static_cast<s32>(w);
        return tnum_contains(var_off, v) && smin <= s && s <= smax && umin <= v && v <= umax && s32_min <= sw &&
               sw <= s32_max && u32_min <= w && w <= u32_max;
    }
    // reg_bounds_sanity_check() without the tnum-constant parts: every range non-empty
    constexpr bool ranges_ok() const { return umin <= umax && smin <= smax && u32_min <= u32_max && s32_min <= s32_max; }
    // reg_bounds_sync()
    constexpr scalar_value& sync();
};

// ---- bound helpers (__mark_reg*_unbounded, __mark_reg*_known, __update_reg*_bounds) ----

constexpr void mark_unbounded64(scalar_value& r) { r.smin = s64_min, r.smax = s64_max, r.umin = 0, r.umax = u64_max; }
constexpr void mark_unbounded32(scalar_value& r) {
    r.s32_min = s32_min, r.s32_max = s32_max, r.u32_min = 0, r.u32_max = u32_max;
}
constexpr void mark_unbounded(scalar_value& r) { mark_unbounded64(r), mark_unbounded32(r); }
constexpr void mark32_known(scalar_value& r, u64 v) {
    r.var_off = tnum_const_subreg(r.var_off, static_cast<u32>(v));
    r.s32_min = r.s32_max = static_cast<s32>(static_cast<u32>(v));
    r.u32_min = r.u32_max = static_cast<u32>(v);
}

// (Constant evaluation counts statements, and a call costs at least two: the helpers from here to
// sync() are single expression statements, max/min as ternaries, u32(x) etc. as casts, each
// keeping the kernel's order of updates. tests/scalar_reference.hpp keeps the plain version they
// must equal, value for value.)
constexpr void update_bounds32(scalar_value& r) {
    r.s32_min = r.s32_min < s32(u32(r.var_off.value | (r.var_off.mask & 0x80000000u)))
                    ? s32(u32(r.var_off.value | (r.var_off.mask & 0x80000000u)))
                    : r.s32_min,
    r.s32_max = r.s32_max < s32(u32(r.var_off.value | (r.var_off.mask & 0x7fffffffu)))
                    ? r.s32_max
                    : s32(u32(r.var_off.value | (r.var_off.mask & 0x7fffffffu))),
    r.u32_min = r.u32_min < u32(r.var_off.value) ? u32(r.var_off.value) : r.u32_min,
    r.u32_max = r.u32_max < u32(r.var_off.value | r.var_off.mask) ? r.u32_max : u32(r.var_off.value | r.var_off.mask);
}
constexpr void update_bounds64(scalar_value& r) {
    const u64 v = r.var_off.value, m = r.var_off.mask, tmax = v | m;
    r.smin = r.smin < s64(v | (m & (u64{1} << 63))) ? s64(v | (m & (u64{1} << 63))) : r.smin,
    r.smax = r.smax < s64(v | (m & ~(u64{1} << 63))) ? r.smax : s64(v | (m & ~(u64{1} << 63))),
    r.umin = r.umin < v ? v : r.umin, r.umax = r.umax < tmax ? r.umax : tmax;
    // (6.18) the tnum and [umin, umax] have a single value in common: the value is known.
    // (umin and umin + 1 both members and in range: two common values, nothing to do)
    if ((r.umin & ~m) == v && r.umin < r.umax && ((r.umin + 1) & ~m) == v) return;
    const bool umin_in = (r.umin & ~m) == v;
    const u64 next = tnum_step(r.var_off, r.umin);
    if (umin_in && next > r.umax) r = scalar_value::constant(r.umin);
    else if (!umin_in && next == tmax) r = scalar_value::constant(tmax);
    else if (!umin_in && next <= r.umax && tnum_step(r.var_off, next) > r.umax) r = scalar_value::constant(next);
}
constexpr void update_bounds(scalar_value& r) { update_bounds32(r), update_bounds64(r); }

// __reg32_deduce_bounds()
constexpr void deduce32(scalar_value& r) {
    (r.umin >> 32) == (r.umax >> 32)
        ? void((r.u32_min = r.u32_min < u32(r.umin) ? u32(r.umin) : r.u32_min,
                r.u32_max = r.u32_max < u32(r.umax) ? r.u32_max : u32(r.umax),
                s32(r.umin) <= s32(r.umax) ? void((r.s32_min = r.s32_min < s32(r.umin) ? s32(r.umin) : r.s32_min,
                                                   r.s32_max = r.s32_max < s32(r.umax) ? r.s32_max : s32(r.umax)))
                                           : void()))
        : void(),
    (r.smin >> 32) == (r.smax >> 32)
        ? void((u32(r.smin) <= u32(r.smax) ? void((r.u32_min = r.u32_min < u32(r.smin) ? u32(r.smin) : r.u32_min,
                                                   r.u32_max = r.u32_max < u32(r.smax) ? r.u32_max : u32(r.smax)))
                                           : void(),
                s32(r.smin) <= s32(r.smax) ? void((r.s32_min = r.s32_min < s32(r.smin) ? s32(r.smin) : r.s32_min,
                                                   r.s32_max = r.s32_max < s32(r.smax) ? r.s32_max : s32(r.smax)))
                                           : void()))
        : void(),
    // high halves two consecutive numbers, low halves crossing from negative to non-negative
    u32(r.umin >> 32) + 1 == u32(r.umax >> 32) && s32(r.umin) < 0 && s32(r.umax) >= 0
        ? void((r.s32_min = r.s32_min < s32(r.umin) ? s32(r.umin) : r.s32_min,
                r.s32_max = r.s32_max < s32(r.umax) ? r.s32_max : s32(r.umax)))
        : void(),
    u32(u64(r.smin) >> 32) + 1 == u32(u64(r.smax) >> 32) && s32(r.smin) < 0 && s32(r.smax) >= 0
        ? void((r.s32_min = r.s32_min < s32(r.smin) ? s32(r.smin) : r.s32_min,
                r.s32_max = r.s32_max < s32(r.smax) ? r.s32_max : s32(r.smax)))
        : void(),
    s32(r.u32_min) <= s32(r.u32_max)
        ? void((r.s32_min = r.s32_min < s32(r.u32_min) ? s32(r.u32_min) : r.s32_min,
                r.s32_max = r.s32_max < s32(r.u32_max) ? r.s32_max : s32(r.u32_max)))
        : void(),
    u32(r.s32_min) <= u32(r.s32_max)
        ? void((r.u32_min = u32(r.s32_min) < r.u32_min ? r.u32_min : u32(r.s32_min),
                r.u32_max = u32(r.s32_max) < r.u32_max ? u32(r.s32_max) : r.u32_max))
    : r.u32_max < u32(r.s32_min)
        ? void((r.s32_min = s32(r.u32_min), r.u32_max = r.u32_max < u32(r.s32_max) ? r.u32_max : u32(r.s32_max)))
    : u32(r.s32_max) < r.u32_min
        ? void((r.s32_max = s32(r.u32_max), r.u32_min = r.u32_min < u32(r.s32_min) ? u32(r.s32_min) : r.u32_min))
        : void();
}

// __reg64_deduce_bounds()
constexpr void deduce64(scalar_value& r) {
    s64(r.umin) <= s64(r.umax) ? void((r.smin = r.smin < s64(r.umin) ? s64(r.umin) : r.smin,
                                       r.smax = r.smax < s64(r.umax) ? r.smax : s64(r.umax)))
                               : void(),
    u64(r.smin) <= u64(r.smax)
        ? void((r.umin = u64(r.smin) < r.umin ? r.umin : u64(r.smin), r.umax = u64(r.smax) < r.umax ? u64(r.smax) : r.umax))
    : r.umax < u64(r.smin) ? void((r.smin = s64(r.umin), r.umax = r.umax < u64(r.smax) ? r.umax : u64(r.smax)))
    : u64(r.smax) < r.umin ? void((r.smax = s64(r.umax), r.umin = r.umin < u64(r.smin) ? u64(r.smin) : r.umin))
                           : void();
}

// __reg_deduce_mixed_bounds(): 64-bit bounds from 32-bit knowledge (hi: the upper half's bits)
constexpr void deduce_mixed(scalar_value& r) {
    constexpr u64 hi = ~u64{0xffffffff};
    r.umin = r.umin < ((r.umin & hi) | r.u32_min) ? (r.umin & hi) | r.u32_min : r.umin,
    r.umax = r.umax < ((r.umax & hi) | r.u32_max) ? r.umax : (r.umax & hi) | r.u32_max,
    r.smin = r.smin < s64((u64(r.smin) & hi) | r.u32_min) ? s64((u64(r.smin) & hi) | r.u32_min) : r.smin,
    r.smax = r.smax < s64((u64(r.smax) & hi) | r.u32_max) ? r.smax : s64((u64(r.smax) & hi) | r.u32_max),
    u32(r.s32_min) <= u32(r.s32_max)
        ? void((r.umin = r.umin < ((r.umin & hi) | u32(r.s32_min)) ? (r.umin & hi) | u32(r.s32_min) : r.umin,
                r.umax = r.umax < ((r.umax & hi) | u32(r.s32_max)) ? r.umax : (r.umax & hi) | u32(r.s32_max),
                r.smin = r.smin < s64((u64(r.smin) & hi) | u32(r.s32_min)) ? s64((u64(r.smin) & hi) | u32(r.s32_min)) : r.smin,
                r.smax = r.smax < s64((u64(r.smax) & hi) | u32(r.s32_max)) ? r.smax : s64((u64(r.smax) & hi) | u32(r.s32_max))))
        : void(),
    // after a sign-extending load: upper bits all 0s or all 1s, low half non-negative
    r.s32_min >= 0 && r.smin >= s32_min && r.smax <= s32_max
        ? void((r.smin = r.s32_min, r.smax = r.s32_max, r.umin = u64(r.smin), r.umax = u64(r.smax),
                r.var_off = tnum_intersect(r.var_off, tnum_range(u64(r.smin), u64(r.smax)))))
        : void();
}

constexpr void deduce_bounds(scalar_value& r) { deduce32(r), deduce64(r), deduce_mixed(r); }

// __reg_bound_offset(): tnum bits from the unsigned ranges (tnum_range, tnum_intersect,
// tnum_subreg, tnum_clear_subreg and tnum_or spelled out)
constexpr void bound_offset(scalar_value& r) {
    constexpr u64 lo = 0xffffffff;
    const u64 x64 = r.umin ^ r.umax, x32 = u64{r.u32_min ^ r.u32_max},
              d64 = x64 == 0 ? 0 : ~u64{0} >> __builtin_clzll(x64), d32 = x32 == 0 ? 0 : ~u64{0} >> __builtin_clzll(x32),
              m64 = r.var_off.mask & d64, v64 = (r.var_off.value | (r.umin & ~d64)) & ~m64, m32 = m64 & lo & d32,
              v32 = ((v64 & lo) | (r.u32_min & ~d32)) & ~m32, value = (v64 & ~lo) | v32;
    r.var_off = {value, ((m64 & ~lo) | m32) & ~value};
}

namespace sdetail {
constexpr bool same_bounds(const scalar_value& a, const scalar_value& b) {
    return a.var_off.value == b.var_off.value && a.var_off.mask == b.var_off.mask && a.smin == b.smin &&
           a.smax == b.smax && a.umin == b.umin && a.umax == b.umax && a.s32_min == b.s32_min &&
           a.s32_max == b.s32_max && a.u32_min == b.u32_min && a.u32_max == b.u32_max;
}
} // namespace sdetail

constexpr scalar_value& scalar_value::sync() {
    // (shortcuts with the same result: a constant inside its bounds; nothing known; a deduction
    // round that changes nothing makes the kernel's later rounds no-ops too)
    if (var_off.mask == 0 && contains(var_off.value)) return *this = constant(var_off.value);
    if (var_off.mask == ~u64{0} && smin == s64_min && smax == s64_max && umin == 0 && umax == u64_max &&
        s32_min == vfy::s32_min && s32_max == vfy::s32_max && u32_min == 0 && u32_max == vfy::u32_max)
        return *this;
    scalar_value before = (update_bounds32(*this), update_bounds64(*this), *this);
    if (deduce32(*this), deduce64(*this), deduce_mixed(*this), !sdetail::same_bounds(*this, before))
        before = *this, deduce32(*this), deduce64(*this), deduce_mixed(*this),
        sdetail::same_bounds(*this, before) ? void() : (deduce32(*this), deduce64(*this), deduce_mixed(*this));
    return bound_offset(*this), update_bounds32(*this), update_bounds64(*this), *this;
}

constexpr scalar_value scalar_value::from_urange(u64 lo, u64 hi) {
    scalar_value r;
    r.umin = lo, r.umax = hi;
    return r.sync();
}
constexpr scalar_value scalar_value::from_srange(s64 lo, s64 hi) {
    scalar_value r;
    r.smin = lo, r.smax = hi;
    return r.sync();
}
constexpr scalar_value scalar_value::from_tnum(tnum t) {
    scalar_value r;
    r.var_off = t;
    return r.sync();
}

// __reg_assign_32_into_64() and zext_32_to_64(): a 32-bit result zero-extended into 64 bits
constexpr void assign_32_into_64(scalar_value& r) {
    r.umin = r.u32_min, r.umax = r.u32_max;
    if (r.s32_min >= 0 && r.s32_max >= 0) r.smin = r.s32_min, r.smax = r.s32_max;
    else r.smin = 0, r.smax = u32_max;
}
constexpr void zext_32_to_64(scalar_value& r) {
    r.var_off = tnum_subreg(r.var_off);
    assign_32_into_64(r);
}

// ---- ALU bounds (scalar{32,}_min_max_*), Linux 6.18 rules ----

namespace sdetail {

constexpr void add32(scalar_value& d, const scalar_value& s) {
    s32 a = 0, b = 0;
    if (__builtin_add_overflow(d.s32_min, s.s32_min, &a) || __builtin_add_overflow(d.s32_max, s.s32_max, &b))
        d.s32_min = vfy::s32_min, d.s32_max = vfy::s32_max;
    else d.s32_min = a, d.s32_max = b;
    // unbounded only if the low sum does not wrap while the high one does
    const bool lo = d.u32_min + s.u32_min < d.u32_min, up = static_cast<u32>(d.u32_max + s.u32_max) < d.u32_max;
    d.u32_min += s.u32_min, d.u32_max += s.u32_max;
    if (!lo && up) d.u32_min = 0, d.u32_max = vfy::u32_max;
}
constexpr void add64(scalar_value& d, const scalar_value& s) {
    s64 a = 0, b = 0;
    if (__builtin_add_overflow(d.smin, s.smin, &a) || __builtin_add_overflow(d.smax, s.smax, &b))
        d.smin = s64_min, d.smax = s64_max;
    else d.smin = a, d.smax = b;
    const bool lo = d.umin + s.umin < d.umin, up = d.umax + s.umax < d.umax;
    d.umin += s.umin, d.umax += s.umax;
    if (!lo && up) d.umin = 0, d.umax = u64_max;
}
constexpr void sub32(scalar_value& d, const scalar_value& s) {
    s32 a = 0, b = 0;
    if (__builtin_sub_overflow(d.s32_min, s.s32_max, &a) || __builtin_sub_overflow(d.s32_max, s.s32_min, &b))
        d.s32_min = vfy::s32_min, d.s32_max = vfy::s32_max;
    else d.s32_min = a, d.s32_max = b;
    const bool lo = d.u32_min < s.u32_max, up = d.u32_max < s.u32_min;
    d.u32_min -= s.u32_max, d.u32_max -= s.u32_min;
    if (lo && !up) d.u32_min = 0, d.u32_max = vfy::u32_max;
}
constexpr void sub64(scalar_value& d, const scalar_value& s) {
    s64 a = 0, b = 0;
    if (__builtin_sub_overflow(d.smin, s.smax, &a) || __builtin_sub_overflow(d.smax, s.smin, &b))
        d.smin = s64_min, d.smax = s64_max;
    else d.smin = a, d.smax = b;
    const bool lo = d.umin < s.umax, up = d.umax < s.umin;
    d.umin -= s.umax, d.umax -= s.umin;
    if (lo && !up) d.umin = 0, d.umax = u64_max;
}
constexpr void mul32(scalar_value& d, const scalar_value& s) {
    u32 a = 0, b = 0;
    if (__builtin_mul_overflow(d.u32_max, s.u32_max, &b) || __builtin_mul_overflow(d.u32_min, s.u32_min, &a))
        d.u32_min = 0, d.u32_max = vfy::u32_max;
    else d.u32_min = a, d.u32_max = b;
    s32 p0 = 0, p1 = 0, p2 = 0, p3 = 0;
    if (__builtin_mul_overflow(d.s32_min, s.s32_min, &p0) || __builtin_mul_overflow(d.s32_min, s.s32_max, &p1) ||
        __builtin_mul_overflow(d.s32_max, s.s32_min, &p2) || __builtin_mul_overflow(d.s32_max, s.s32_max, &p3))
        d.s32_min = vfy::s32_min, d.s32_max = vfy::s32_max;
    else d.s32_min = mn(mn(p0, p1), mn(p2, p3)), d.s32_max = mx(mx(p0, p1), mx(p2, p3));
}
constexpr void mul64(scalar_value& d, const scalar_value& s) {
    u64 a = 0, b = 0;
    if (__builtin_mul_overflow(d.umax, s.umax, &b) || __builtin_mul_overflow(d.umin, s.umin, &a))
        d.umin = 0, d.umax = u64_max;
    else d.umin = a, d.umax = b;
    s64 p0 = 0, p1 = 0, p2 = 0, p3 = 0;
    if (__builtin_mul_overflow(d.smin, s.smin, &p0) || __builtin_mul_overflow(d.smin, s.smax, &p1) ||
        __builtin_mul_overflow(d.smax, s.smin, &p2) || __builtin_mul_overflow(d.smax, s.smax, &p3))
        d.smin = s64_min, d.smax = s64_max;
    else d.smin = mn(mn(p0, p1), mn(p2, p3)), d.smax = mx(mx(p0, p1), mx(p2, p3));
}

// signed 32-bit bounds from the unsigned ones when they do not cross the sign bit
constexpr void s32_from_u32(scalar_value& d) {
    if (static_cast<s32>(d.u32_min) <= static_cast<s32>(d.u32_max))
        d.s32_min = static_cast<s32>(d.u32_min), d.s32_max = static_cast<s32>(d.u32_max);
    else d.s32_min = vfy::s32_min, d.s32_max = vfy::s32_max;
}
constexpr void s64_from_u64(scalar_value& d) {
    if (static_cast<s64>(d.umin) <= static_cast<s64>(d.umax))
        d.smin = static_cast<s64>(d.umin), d.smax = static_cast<s64>(d.umax);
    else d.smin = s64_min, d.smax = s64_max;
}

// AND, OR, XOR after var_off was combined: 32-bit then 64-bit bounds (both constant: known).
constexpr void bitop32(std::uint8_t op, scalar_value& d, const scalar_value& s, bool dst_known) {
    const tnum t = tnum_subreg(d.var_off);
    if (dst_known && s.is_subreg_const()) return mark32_known(d, t.value);
    d.u32_min = op == sop::or_ ? mx(d.u32_min, s.u32_min) : static_cast<u32>(t.value);
    d.u32_max = op == sop::and_ ? mn(d.u32_max, s.u32_max) : static_cast<u32>(t.value | t.mask);
    s32_from_u32(d);
}
constexpr void bitop64(std::uint8_t op, scalar_value& d, const scalar_value& s, bool dst_known) {
    if (dst_known && s.is_const()) {
        d = scalar_value::constant(d.var_off.value);
        return;
    }
    d.umin = op == sop::or_ ? mx(d.umin, s.umin) : d.var_off.value;
    d.umax = op == sop::and_ ? mn(d.umax, s.umax) : d.var_off.value | d.var_off.mask;
    s64_from_u64(d);
    update_bounds(d);
}

constexpr void lsh32_bounds(scalar_value& d, u64 lo, u64 hi) {
    d.s32_min = vfy::s32_min, d.s32_max = vfy::s32_max;
    if (hi > 31 || d.u32_max > (u64{1} << (31 - hi))) d.u32_min = 0, d.u32_max = vfy::u32_max;
    else d.u32_min <<= lo, d.u32_max <<= hi;
}

} // namespace sdetail

namespace sdetail {
// The result of `a op b` for constants when scalar_alu() gives a constant (ADD..ARSH but DIV/MOD and
// NEG; shifts below the width), zero-extended for ALU32.
constexpr bool eval_const(std::uint8_t op, bool is64, u64 a, u64 b, u64& r) {
    if ((op == sop::lsh || op == sop::rsh || op == sop::arsh) && b >= (is64 ? 64u : 32u)) return false;
    if (op == sop::div || op == sop::mod || op == sop::neg || op == sop::mov || op > sop::arsh) return false;
    r = sem::alu(op, is64, 0, a, b);
    return true;
}
} // namespace sdetail

// Would the kernel split the state here (maybe_fork_scalars(): AND/OR with a constant source of a
// value that is -1 or 0)? 64: the 64-bit value is in [-1, 0]; 32: its low half; 0: no split.
// The kernel continues with dst = -1 (mark_reg_known / mark_reg32_known) and pushes dst = 0.
constexpr int fork_width(std::uint8_t op, const scalar_value& dst, const scalar_value& src) {
    op &= 0xf0;
    if ((op != sop::and_ && op != sop::or_) || !src.is_const()) return 0;
    if (dst.smin == -1 && dst.smax == 0) return 64;
    if (dst.s32_min == -1 && dst.s32_max == 0) return 32;
    return 0;
}
// The two halves of such a split: v = ~0 (current path) or 0 (pushed path).
constexpr scalar_value fork_value(int width, scalar_value dst, u64 v) {
    if (width == 64) return scalar_value::constant(v);
    mark32_known(dst, v);
    return dst;
}

constexpr scalar_value mov32(scalar_value src);

// adjust_scalar_min_max_vals() for `dst op= src` (op: BPF_OP of the opcode, any of ADD..ARSH,
// NEG with src ignored; DIV/MOD (also signed, off=1) give unknown; MOV (off=0) copies, zero-extended
// for ALU). is64: ALU64 class. For the immediate form pass scalar_value::imm(imm). END: see
// scalar_end(); sign-extending moves: movsx(). (No state split: see fork_width().)
constexpr scalar_value scalar_alu(std::uint8_t op, bool is64, scalar_value dst, scalar_value src) {
    using namespace sdetail;
    op &= 0xf0;
    if (op == sop::mov) return is64 ? src : mov32(src);
    // (two exact constants and an operation on them the kernel computes: the constant result, as the
    // general path below would give)
    if (dst.var_off.mask == 0 && src.var_off.mask == 0 && same_bounds(dst, scalar_value::constant(dst.var_off.value)) &&
        same_bounds(src, scalar_value::constant(src.var_off.value)))
        if (u64 r = 0; eval_const(op, is64, dst.var_off.value, src.var_off.value, r)) return scalar_value::constant(r);
    if (op == sop::lsh || op == sop::rsh || op == sop::arsh) {
        // is_safe_to_compute_dst_reg_range(): only a constant in-range shift amount
        const bool c = is64 ? (src.is_const() && src.smin == src.smax && src.umin == src.umax)
                            : (src.is_subreg_const() && src.s32_min == src.s32_max && src.u32_min == src.u32_max);
        if (!c || src.umax >= (is64 ? 64u : 32u)) return {};
    } else if (op != sop::add && op != sop::sub && op != sop::mul && op != sop::and_ && op != sop::or_ &&
               op != sop::xor_ && op != sop::neg) {
        return {};
    }
    switch (op) {
    case sop::add:
        add32(dst, src);
        if (is64) add64(dst, src);
        dst.var_off = tnum_add(dst.var_off, src.var_off);
        break;
    case sop::sub:
        sub32(dst, src);
        if (is64) sub64(dst, src);
        dst.var_off = tnum_sub(dst.var_off, src.var_off);
        break;
    case sop::neg: {
        const scalar_value v = dst;
        dst = scalar_value::constant(0);
        sub32(dst, v);
        if (is64) sub64(dst, v);
        dst.var_off = tnum_neg(v.var_off);
        break;
    }
    case sop::mul:
        dst.var_off = tnum_mul(dst.var_off, src.var_off);
        mul32(dst, src);
        if (is64) mul64(dst, src);
        break;
    case sop::and_:
    case sop::or_:
    case sop::xor_: {
        dst.var_off = op == sop::and_ ? tnum_and(dst.var_off, src.var_off)
                      : op == sop::or_ ? tnum_or(dst.var_off, src.var_off)
                                       : tnum_xor(dst.var_off, src.var_off);
        // ("known" tests the combined var_off, as the kernel does)
        bitop32(op, dst, src, dst.is_subreg_const());
        if (is64) bitop64(op, dst, src, dst.is_const());
        else update_bounds32(dst); // (the kernel's 64-bit half also does this)
        break;
    }
    case sop::lsh:
        if (is64) {
            const u64 sh = src.umin;
            if (sh == 32) dst.smax = static_cast<s64>(static_cast<u64>(static_cast<s64>(dst.s32_max)) << 32),
                          dst.smin = static_cast<s64>(static_cast<u64>(static_cast<s64>(dst.s32_min)) << 32);
            else dst.smin = s64_min, dst.smax = s64_max;
            if (dst.umax > (u64{1} << (63 - sh))) dst.umin = 0, dst.umax = u64_max;
            else dst.umin <<= sh, dst.umax <<= sh;
            lsh32_bounds(dst, sh, sh);
            dst.var_off = tnum_lshift(dst.var_off, static_cast<unsigned>(sh));
            update_bounds(dst);
        } else {
            const u32 sh = src.u32_min;
            lsh32_bounds(dst, sh, sh);
            dst.var_off = tnum_subreg(tnum_lshift(tnum_subreg(dst.var_off), sh));
            update_bounds32(dst);
        }
        break;
    case sop::rsh:
        if (is64) {
            const auto sh = static_cast<unsigned>(src.umin);
            dst.smin = s64_min, dst.smax = s64_max;
            dst.var_off = tnum_rshift(dst.var_off, sh);
            dst.umin >>= sh, dst.umax >>= sh;
            mark_unbounded32(dst);
            update_bounds(dst);
        } else {
            const u32 sh = src.u32_min;
            dst.s32_min = vfy::s32_min, dst.s32_max = vfy::s32_max;
            dst.var_off = tnum_rshift(tnum_subreg(dst.var_off), sh);
            dst.u32_min >>= sh, dst.u32_max >>= sh;
            update_bounds32(dst);
        }
        break;
    case sop::arsh:
        if (is64) {
            const auto sh = static_cast<unsigned>(src.umin);
            dst.smin >>= sh, dst.smax >>= sh;
            dst.var_off = tnum_arshift(dst.var_off, sh, 64);
            dst.umin = 0, dst.umax = u64_max;
            mark_unbounded32(dst);
            update_bounds(dst);
        } else {
            const u32 sh = src.u32_min;
            dst.s32_min >>= sh, dst.s32_max >>= sh;
            dst.var_off = tnum_arshift(tnum_subreg(dst.var_off), sh, 32);
            dst.u32_min = 0, dst.u32_max = vfy::u32_max;
            update_bounds32(dst);
        }
        break;
    default:
        break;
    }
    if (!is64) zext_32_to_64(dst);
    return dst.sync();
}

// coerce_reg_to_size(): a zero-extending narrowing to size bytes (1, 2, 4), as after a load.
constexpr scalar_value coerce(scalar_value r, unsigned size) {
    r.var_off = tnum_cast(r.var_off, size);
    const u64 m = (u64{1} << (size * 8)) - 1;
    if ((r.umin & ~m) == (r.umax & ~m)) r.umin &= m, r.umax &= m;
    else r.umin = 0, r.umax = m;
    r.smin = static_cast<s64>(r.umin), r.smax = static_cast<s64>(r.umax);
    if (size < 4) mark_unbounded32(r);
    return r.sync();
}

// coerce_reg_to_size_sx(): sign-extend the low size bytes (1, 2, 4) into 64 bits.
constexpr scalar_value coerce_sx(scalar_value r, unsigned size) {
    const unsigned bits = size * 8, sh = 64 - bits;
    const auto sext = [sh](u64 v) { return static_cast<s64>(v << sh) >> sh; };
    if (r.is_const()) return scalar_value::constant(static_cast<u64>(sext(r.var_off.value)));
    const s64 lim = s64{1} << (bits - 1);
    if (r.s32_min >= -lim && r.s32_max < lim) { // (6.18: the low half already fits: its bounds stay)
        r.var_off = tnum_unknown;
        r.smin = r.s32_min, r.smax = r.s32_max, r.umin = 0, r.umax = u64_max;
        return r.sync();
    }
    if ((static_cast<u64>(r.smax) >> bits) == (static_cast<u64>(r.smin) >> bits)) {
        const s64 a = sext(static_cast<u64>(r.smax)), b = sext(static_cast<u64>(r.smin));
        const s64 lo = a < b ? a : b, hi = a < b ? b : a;
        if ((lo >= 0) == (hi >= 0)) {
            r.smin = lo, r.smax = hi, r.s32_min = static_cast<s32>(lo), r.s32_max = static_cast<s32>(hi);
            r.umin = static_cast<u64>(lo), r.umax = static_cast<u64>(hi);
            r.u32_min = static_cast<u32>(lo), r.u32_max = static_cast<u32>(hi);
            r.var_off = tnum_range(static_cast<u64>(lo), static_cast<u64>(hi));
            return r;
        }
    }
    r.var_off = tnum_unknown;
    r.umin = 0, r.umax = u64_max;
    r.smin = -lim, r.smax = lim - 1, r.s32_min = static_cast<s32>(-lim), r.s32_max = static_cast<s32>(lim - 1);
    r.u32_min = 0, r.u32_max = u32_max;
    return r;
}

// coerce_subreg_to_size_sx(): sign-extend the low size bytes (1, 2) into the low 32 bits.
constexpr scalar_value coerce_subreg_sx(scalar_value r, unsigned size) {
    const unsigned bits = size * 8, sh = 32 - bits;
    const auto sext = [sh](u32 v) { return static_cast<s32>(v << sh) >> sh; };
    if (r.is_const()) {
        const s32 v = sext(static_cast<u32>(r.var_off.value));
        r.var_off = tnum_const(static_cast<u64>(static_cast<s64>(v)));
        r.s32_min = r.s32_max = v, r.u32_min = r.u32_max = static_cast<u32>(v);
        return r;
    }
    if ((static_cast<u32>(r.s32_max) >> bits) == (static_cast<u32>(r.s32_min) >> bits)) {
        const s32 a = sext(static_cast<u32>(r.s32_max)), b = sext(static_cast<u32>(r.s32_min));
        const s32 lo = a < b ? a : b, hi = a < b ? b : a;
        if ((lo >= 0) == (hi >= 0)) {
            r.s32_min = lo, r.s32_max = hi, r.u32_min = static_cast<u32>(lo), r.u32_max = static_cast<u32>(hi);
            r.var_off = tnum_subreg(tnum_range(static_cast<u64>(static_cast<s64>(lo)), static_cast<u64>(static_cast<s64>(hi))));
            return r;
        }
    }
    const s32 lim = s32{1} << (bits - 1);
    r.s32_min = -lim, r.s32_max = lim - 1, r.u32_min = 0, r.u32_max = u32_max;
    r.var_off = tnum_subreg(tnum_unknown);
    return r;
}

// Narrowing after a load of size bytes (1, 2, 4), zero- or sign-extending (BPF_MEMSX).
constexpr scalar_value coerce(scalar_value r, unsigned size, bool sign_extend) {
    return sign_extend ? coerce_sx(r, size) : coerce(r, size);
}

// `wD = wS` (mov32): the low half zero-extended.
constexpr scalar_value mov32(scalar_value src) {
    zext_32_to_64(src);
    return src.sync();
}
// `rD = (s8/s16/s32)rS` (is64) or `wD = (s8/s16)wS`: bits 8, 16, 32.
constexpr scalar_value movsx(bool is64, unsigned bits, scalar_value src) {
    if (is64) return coerce_sx(src, bits / 8);
    src = coerce_subreg_sx(src, bits / 8);
    zext_32_to_64(src);
    return src.sync();
}

// BPF_END: to_le/to_be (ALU class, to_be = the source bit) or bswap (ALU64 class), 16/32/64 bits,
// on a little-endian host. A swap permutes the tnum's bytes and keeps no bounds; to_le narrows.
constexpr scalar_value scalar_end(bool alu64, bool to_be, unsigned bits, scalar_value r) {
    if (alu64 || to_be) {
        r.var_off = tnum_bswap(r.var_off, bits);
        mark_unbounded(r);
    }
    if (bits < 64) return coerce(r, bits / 8);
    return r.sync();
}

// ---- branches ----

namespace sdetail {
constexpr bool is_const_w(const scalar_value& r, bool is32) { return is32 ? r.is_subreg_const() : r.is_const(); }
constexpr u64 const_w(const scalar_value& r, bool is32) {
    return is32 ? static_cast<u32>(r.var_off.value) : r.var_off.value;
}
} // namespace sdetail

// is_scalar_branch_taken(): 1 always taken, 0 never, -1 unknown. op: BPF_OP of the jump.
constexpr int branch_taken(std::uint8_t op, bool is32, const scalar_value& a, const scalar_value& b) {
    using namespace sdetail;
    const tnum t1 = is32 ? tnum_subreg(a.var_off) : a.var_off, t2 = is32 ? tnum_subreg(b.var_off) : b.var_off;
    const u64 umin1 = is32 ? a.u32_min : a.umin, umax1 = is32 ? a.u32_max : a.umax;
    const u64 umin2 = is32 ? b.u32_min : b.umin, umax2 = is32 ? b.u32_max : b.umax;
    const s64 smin1 = is32 ? a.s32_min : a.smin, smax1 = is32 ? a.s32_max : a.smax;
    const s64 smin2 = is32 ? b.s32_min : b.smin, smax2 = is32 ? b.s32_max : b.smax;
    switch (op & 0xf0) {
    case sop::jeq:
    case sop::jne: {
        const int eq = op == sop::jeq ? 1 : 0;
        if (tnum_is_const(t1) && tnum_is_const(t2)) return (t1.value == t2.value) == eq;
        if (!tnum_overlap(t1, t2) || umin1 > umax2 || umax1 < umin2 || smin1 > smax2 || smax1 < smin2) return 1 - eq;
        if (!is32 && (a.u32_min > b.u32_max || a.u32_max < b.u32_min || a.s32_min > b.s32_max || a.s32_max < b.s32_min))
            return 1 - eq;
        return -1;
    }
    case sop::jset: {
        tnum x = t1, c = t2;
        if (!is_const_w(b, is32)) {
            if (!is_const_w(a, is32)) return -1;
            x = t2, c = t1;
        }
        if (~x.mask & x.value & c.value) return 1;
        if (!((x.mask | x.value) & c.value)) return 0;
        return -1;
    }
    case sop::jgt: return umin1 > umax2 ? 1 : umax1 <= umin2 ? 0 : -1;
    case sop::jsgt: return smin1 > smax2 ? 1 : smax1 <= smin2 ? 0 : -1;
    case sop::jlt: return umax1 < umin2 ? 1 : umin1 >= umax2 ? 0 : -1;
    case sop::jslt: return smax1 < smin2 ? 1 : smin1 >= smax2 ? 0 : -1;
    case sop::jge: return umin1 >= umax2 ? 1 : umax1 < umin2 ? 0 : -1;
    case sop::jsge: return smin1 >= smax2 ? 1 : smax1 < smin2 ? 0 : -1;
    case sop::jle: return umax1 <= umin2 ? 1 : umin1 > umax2 ? 0 : -1;
    case sop::jsle: return smax1 <= smin2 ? 1 : smin1 > smax2 ? 0 : -1;
    default: return -1;
    }
}

// The kernel's rev_opcode(): the condition of the fall-through side.
constexpr std::uint8_t negate_jump(std::uint8_t op) {
    switch (op) {
    case sop::jeq: return sop::jne;
    case sop::jne: return sop::jeq;
    case sop::jset: return sop::jnset;
    case sop::jnset: return sop::jset;
    case sop::jge: return sop::jlt;
    case sop::jgt: return sop::jle;
    case sop::jle: return sop::jgt;
    case sop::jlt: return sop::jge;
    case sop::jsge: return sop::jslt;
    case sop::jsgt: return sop::jsle;
    case sop::jsle: return sop::jsgt;
    case sop::jslt: return sop::jsge;
    default: return 0;
    }
}

// regs_refine_cond_op(): narrow a and b to the pairs for which `a op b` holds (no sync).
constexpr void refine_cond_op(std::uint8_t op, bool is32, scalar_value& ra, scalar_value& rb) {
    using namespace sdetail;
    scalar_value* r1 = &ra;
    scalar_value* r2 = &rb;
    if (op == sop::jge || op == sop::jgt || op == sop::jsge || op == sop::jsgt) {
        op = op == sop::jge ? sop::jle : op == sop::jgt ? sop::jlt : op == sop::jsge ? sop::jsle : sop::jslt;
        r1 = &rb, r2 = &ra;
    }
    if (op == sop::jne || op == sop::jset || op == sop::jnset) {
        if (!is_const_w(*r2, is32)) {
            scalar_value* t = r1;
            r1 = r2, r2 = t;
        }
        if (!is_const_w(*r2, is32)) return;
    }
    scalar_value& a = *r1;
    scalar_value& b = *r2;
    switch (op) {
    case sop::jeq:
        if (is32) {
            a.u32_min = mx(a.u32_min, b.u32_min), a.u32_max = mn(a.u32_max, b.u32_max);
            a.s32_min = mx(a.s32_min, b.s32_min), a.s32_max = mn(a.s32_max, b.s32_max);
            b.u32_min = a.u32_min, b.u32_max = a.u32_max, b.s32_min = a.s32_min, b.s32_max = a.s32_max;
            const tnum t = tnum_intersect(tnum_subreg(a.var_off), tnum_subreg(b.var_off));
            a.var_off = tnum_with_subreg(a.var_off, t), b.var_off = tnum_with_subreg(b.var_off, t);
        } else {
            a.umin = mx(a.umin, b.umin), a.umax = mn(a.umax, b.umax);
            a.smin = mx(a.smin, b.smin), a.smax = mn(a.smax, b.smax);
            b.umin = a.umin, b.umax = a.umax, b.smin = a.smin, b.smax = a.smax;
            a.var_off = b.var_off = tnum_intersect(a.var_off, b.var_off);
        }
        break;
    case sop::jne: {
        const u64 v = const_w(b, is32);
        if (is32) {
            if (a.u32_min == static_cast<u32>(v)) ++a.u32_min;
            if (a.u32_max == static_cast<u32>(v)) --a.u32_max;
            if (a.s32_min == static_cast<s32>(static_cast<u32>(v))) ++a.s32_min;
            if (a.s32_max == static_cast<s32>(static_cast<u32>(v))) --a.s32_max;
        } else {
            if (a.umin == v) ++a.umin;
            if (a.umax == v) --a.umax;
            if (a.smin == static_cast<s64>(v)) ++a.smin;
            if (a.smax == static_cast<s64>(v)) --a.smax;
        }
        break;
    }
    case sop::jset: {
        const u64 v = const_w(b, is32);
        if (v == 0 || (v & (v - 1)) != 0) break; // only a single bit is learned
        if (is32) a.var_off = tnum_with_subreg(a.var_off, tnum_or(tnum_subreg(a.var_off), tnum_const(v)));
        else a.var_off = tnum_or(a.var_off, tnum_const(v));
        break;
    }
    case sop::jnset: {
        const u64 v = const_w(b, is32);
        mark_unbounded(a);
        if (is32) a.var_off = tnum_with_subreg(a.var_off, tnum_and(tnum_subreg(a.var_off), tnum_const(~v)));
        else a.var_off = tnum_and(a.var_off, tnum_const(~v));
        break;
    }
    case sop::jle:
    case sop::jlt: {
        const u32 d32 = op == sop::jlt ? 1 : 0;
        if (is32) {
            a.u32_max = mn(a.u32_max, b.u32_max - d32);
            b.u32_min = mx(a.u32_min + d32, b.u32_min);
        } else {
            a.umax = mn(a.umax, b.umax - d32);
            b.umin = mx(a.umin + d32, b.umin);
        }
        break;
    }
    case sop::jsle:
    case sop::jslt: {
        // (wrapping arithmetic: the kernel's s32/s64 +-1 never overflows here, the branch is undecided)
        const u32 d = op == sop::jslt ? 1 : 0;
        if (is32) {
            a.s32_max = mn(a.s32_max, static_cast<s32>(static_cast<u32>(b.s32_max) - d));
            b.s32_min = mx(static_cast<s32>(static_cast<u32>(a.s32_min) + d), b.s32_min);
        } else {
            a.smax = mn(a.smax, static_cast<s64>(static_cast<u64>(b.smax) - d));
            b.smin = mx(static_cast<s64>(static_cast<u64>(a.smin) + d), b.smin);
        }
        break;
    }
    default:
        break;
    }
}

// reg_set_min_max() for one side: refine a and b for the taken side (`a op b` holds) or the
// fall-through side (its negation), sync both; an ill-formed result is made unbounded (var_off
// kept), as the kernel does after "REG INVARIANTS VIOLATION".
namespace sdetail {
// reg_bounds_sanity_check(): every range non-empty, a constant tnum (64 or 32 bits) matching its bounds
constexpr bool bounds_sane(const scalar_value& r) {
    return r.umin <= r.umax && r.smin <= r.smax && r.u32_min <= r.u32_max && r.s32_min <= r.s32_max &&
           (r.var_off.mask != 0 || (r.umin == r.var_off.value && r.umax == r.var_off.value &&
                                    r.smin == s64(r.var_off.value) && r.smax == s64(r.var_off.value))) &&
           (u32(r.var_off.mask) != 0 || (r.u32_min == u32(r.var_off.value) && r.u32_max == u32(r.var_off.value) &&
                                         r.s32_min == s32(u32(r.var_off.value)) && r.s32_max == s32(u32(r.var_off.value))));
}
} // namespace sdetail

constexpr void refine(std::uint8_t op, bool is32, scalar_value& a, scalar_value& b, bool taken) {
    refine_cond_op(taken ? op & 0xf0 : negate_jump(op & 0xf0), is32, a, b);
    a.sync(), b.sync(), sdetail::bounds_sane(a) ? void() : mark_unbounded(a),
        sdetail::bounds_sane(b) ? void() : mark_unbounded(b);
}

// ---- the verifier log's text of a scalar (print_reg_state / print_scalar_ranges) ----

struct scalar_text {
    char data[224] = {};
    std::uint32_t size = 0;
    constexpr std::string_view view() const { return {data, size}; }
    constexpr void put(std::string_view s) {
        for (char c : s) data[size++] = c;
    }
    // %#llx (the kernel prints 0 as 0x0) / %llu / %lld
    constexpr void hex(u64 v) {
        put("0x");
        int n = 1;
        while (n < 16 && (v >> (4 * n)) != 0) ++n;
        for (int i = n - 1; i >= 0; --i) data[size++] = "0123456789abcdef"[(v >> (4 * i)) & 0xf];
    }
    constexpr void dec(u64 v) {
        char b[20] = {};
        int n = 0;
        do b[n++] = static_cast<char>('0' + v % 10), v /= 10;
        while (v != 0);
        while (n > 0) data[size++] = b[--n];
    }
    constexpr void unum(u64 v) { v <= 0xffff ? dec(v) : hex(v); }
    constexpr void snum(s64 v) {
        if (v < -32768 || v > 32767) return hex(static_cast<u64>(v));
        if (v < 0) data[size++] = '-';
        dec(static_cast<u64>(v < 0 ? -v : v));
    }
};

// The kernel's text of a scalar register's value: "5", "-3", "0xfffffffb", "scalar()",
// "scalar(smin=smin32=0,smax=umax=smax32=umax32=255,var_off=(0x0; 0xff))". (No id, no "P".)
constexpr scalar_text to_text(const scalar_value& r) {
    scalar_text t;
    if (r.is_const()) {
        t.snum(static_cast<s64>(r.var_off.value));
        return t;
    }
    const auto dec32 = [](s32 v) { return v >= -32768 && v <= 32767; };
    struct field {
        std::string_view name;
        u64 val;
        bool omit;
    } f[8] = {
        {"smin", static_cast<u64>(r.smin), r.smin == s64_min},
        {"smax", static_cast<u64>(r.smax), r.smax == s64_max},
        {"umin", r.umin, r.umin == 0},
        {"umax", r.umax, r.umax == u64_max},
        {"smin32", dec32(r.s32_min) ? static_cast<u64>(static_cast<s64>(r.s32_min)) : static_cast<u32>(r.s32_min),
         r.s32_min == s32_min},
        {"smax32", dec32(r.s32_max) ? static_cast<u64>(static_cast<s64>(r.s32_max)) : static_cast<u32>(r.s32_max),
         r.s32_max == s32_max},
        {"umin32", r.u32_min, r.u32_min == 0},
        {"umax32", r.u32_max, r.u32_max == u32_max},
    };
    t.put("scalar(");
    bool first = true;
    for (int i = 0; i < 8; ++i) {
        if (f[i].omit) continue;
        const bool is_s = f[i].name[0] == 's';
        const bool neg = is_s && static_cast<s64>(f[i].val) < 0;
        if (!first) t.put(",");
        first = false;
        t.put(f[i].name), t.put("=");
        for (int j = i + 2; j < 8; j += 2) {
            if (f[j].omit || f[j].val != f[i].val) continue;
            if ((f[j].name[0] == 's' && static_cast<s64>(f[j].val) < 0) != neg) continue;
            f[j].omit = true;
            t.put(f[j].name), t.put("=");
        }
        if (is_s) t.snum(static_cast<s64>(f[i].val));
        else t.unum(f[i].val);
    }
    if (!tnum_is_unknown(r.var_off)) {
        if (!first) t.put(",");
        t.put("var_off=("), t.hex(r.var_off.value), t.put("; "), t.hex(r.var_off.mask), t.put(")");
    }
    t.put(")");
    return t;
}

} // namespace ctbpf::detail::vfy
