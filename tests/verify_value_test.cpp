// The scalar value domain (ctbpf/verify/tnum.hpp, scalar.hpp): results worked out by hand from the
// kernel's definitions or copied from the Linux 6.18 verifier's own log (static_assert), and a
// seeded random soundness run: random abstract values built around a concrete member, every
// transfer function applied, the concrete result must be a member of the abstract one (and a
// concrete pair satisfying a branch condition must survive the refinement). CTBPF_VALUE_SEED and
// CTBPF_VALUE_ROUNDS override the seed and the number of rounds.
#include <ctbpf/verify/scalar.hpp>
#include <doctest/doctest.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

namespace {

using namespace ctbpf::detail::vfy;

constexpr bool same(const scalar_value& v, std::string_view kernel_text) { return to_text(v).view() == kernel_text; }

// ---- tnum arithmetic (by hand from kernel/bpf/tnum.c) ----
static_assert(tnum_range(4, 7) == tnum{4, 3});
static_assert(tnum_range(5, 8) == tnum{0, 0xf});        // 5 ^ 8 = 0b1101: four low bits vary
static_assert(tnum_range(0, ~0ull) == tnum_unknown);
static_assert(tnum_add(tnum_const(3), tnum_const(4)) == tnum_const(7));
static_assert(tnum_add(tnum{0, 1}, tnum_const(1)) == tnum{0, 3}); // {1, 2}: carries make bits 0-1 unknown
static_assert(tnum_sub(tnum_const(0x10), tnum{0, 1}) == tnum{0, 0x1f}); // {0x10, 0xf}
static_assert(tnum_neg(tnum_const(1)) == tnum_const(~0ull));
static_assert(tnum_and(tnum{0, 0xff}, tnum_const(0x0f)) == tnum{0, 0x0f});
static_assert(tnum_or(tnum{0, 0x0f}, tnum_const(0x10)) == tnum{0x10, 0x0f});
static_assert(tnum_xor(tnum{0x10, 0x0f}, tnum_const(0x11)) == tnum{0x00, 0x0f});
static_assert(tnum_lshift(tnum{1, 2}, 4) == tnum{0x10, 0x20});
static_assert(tnum_rshift(tnum{0x10, 0x20}, 4) == tnum{1, 2});
static_assert(tnum_arshift(tnum_const(0x80000000), 4, 32) == tnum_const(0xf8000000));
static_assert(tnum_arshift(tnum{0x8000000000000000ull, 0x100}, 8, 64) == tnum{0xff80000000000000ull, 1});
static_assert(tnum_mul(tnum_const(3), tnum{0, 1}) == tnum{0, 3}); // {0, 3}
static_assert(tnum_mul(tnum_const(6), tnum_const(7)) == tnum_const(42));
static_assert(tnum_intersect(tnum{0, 0xff}, tnum{0x10, 0x0f}) == tnum{0x10, 0x0f});
static_assert(tnum_union(tnum_const(4), tnum_const(6)) == tnum{4, 2});
static_assert(tnum_overlap(tnum{0, 0xf0}, tnum_const(0x30)) && !tnum_overlap(tnum{1, 0xf0}, tnum_const(0x30)));
static_assert(tnum_in(tnum{0, 0xff}, tnum{0x10, 0x0f}) && !tnum_in(tnum{0x10, 0x0f}, tnum{0, 0xff}));
static_assert(tnum_subreg(tnum{0x100000001ull, 0xf00000000ull}) == tnum_const(1));
static_assert(tnum_clear_subreg(tnum{0x100000001ull, 0xf000000f0ull}) == tnum{0x100000000ull, 0xf00000000ull});
static_assert(tnum_const_subreg(tnum_unknown, 5) == tnum{5, 0xffffffff00000000ull});
static_assert(tnum_is_aligned(tnum{0x10, 0x30}, 16) && !tnum_is_aligned(tnum{0x10, 0x34}, 8));
static_assert(tnum_bswap(tnum_const(0x1234), 16) == tnum_const(0x3412));
static_assert(tnum_bswap(tnum{0x1000, 0x0ff0}, 32) == tnum{0x00100000, 0xf00f0000});
static_assert(tnum_step(tnum{0, 0x40}, 7) == 64);   // members 0, 64
static_assert(tnum_step(tnum{0, 0xf}, 47) == 15);   // none above: the largest member
static_assert(tnum_step(tnum{0x10, 0x5}, 0x11) == 0x14); // members 0x10, 0x11, 0x14, 0x15

// ---- bounds (by hand from reg_bounds_sync and the 32/64-bit rules) ----
constexpr scalar_value r_16_31 = scalar_value::from_urange(0x10, 0x1f);
static_assert(r_16_31.var_off == tnum{0x10, 0xf} && r_16_31.smin == 16 && r_16_31.smax == 31 && r_16_31.u32_min == 16 &&
              r_16_31.u32_max == 31 && r_16_31.s32_min == 16 && r_16_31.s32_max == 31);
constexpr scalar_value s_m3_m1 = scalar_value::from_srange(-3, -1); // no sign crossing: unsigned too
static_assert(s_m3_m1.umin == ~0ull - 2 && s_m3_m1.umax == ~0ull && s_m3_m1.s32_min == -3 && s_m3_m1.s32_max == -1 &&
              s_m3_m1.var_off == tnum{~0ull - 3, 3});
constexpr scalar_value s_m1_1 = scalar_value::from_srange(-1, 1); // crosses: u64 unknown, s32 [-1, 1]
static_assert(s_m1_1.umin == 0 && s_m1_1.umax == ~0ull && s_m1_1.s32_min == -1 && s_m1_1.s32_max == 1 &&
              s_m1_1.var_off == tnum_unknown);
static_assert(scalar_value::constant(5).contains(5) && !scalar_value::constant(5).contains(6));
static_assert(scalar_value::from_tnum(tnum{0, 0xff}).umax == 255);

// ---- transfer functions: the Linux 6.18 log's own text for the same instructions ----
constexpr scalar_value u8v = scalar_value::from_urange(0, 255); // r6 &= 255 on an unknown value
static_assert(same(u8v, "scalar(smin=smin32=0,smax=umax=smax32=umax32=255,var_off=(0x0; 0xff))"));
static_assert(same(scalar_alu(sop::and_, true, scalar_value::unknown(), scalar_value::imm(255)),
                   "scalar(smin=smin32=0,smax=umax=smax32=umax32=255,var_off=(0x0; 0xff))"));
static_assert(same(scalar_alu(sop::neg, true, u8v, {}), "scalar(smin=smin32=-255,smax=smax32=0)")); // r6 = -r6
static_assert(same(scalar_alu(sop::neg, false, scalar_value::constant32(5), {}), "0xfffffffb")); // w7 = -w7
static_assert(same(scalar_alu(sop::add, true, u8v, scalar_value::imm(16)),
                   "scalar(smin=umin=smin32=umin32=16,smax=umax=smax32=umax32=271,var_off=(0x0; 0x1ff))"));
static_assert(same(scalar_alu(sop::add, false, coerce(scalar_value::unknown(), 4), scalar_value::imm(16)),
                   "scalar(smin=0,smax=umax=0xffffffff,var_off=(0x0; 0xffffffff))")); // w7 += 16 wraps
static_assert(same(scalar_alu(sop::div, true, u8v, scalar_value::imm(3)), "scalar()"));
static_assert(same(scalar_alu(sop::mod, false, u8v, scalar_value::imm(3)), "scalar()")); // (64-bit unknown)
static_assert(same(scalar_alu(sop::lsh, true, u8v, u8v), "scalar()"));                  // unknown shift
static_assert(same(scalar_alu(sop::lsh, false, u8v, scalar_value::imm(32)), "scalar()")); // out of range
constexpr scalar_value x1000 = scalar_alu(sop::or_, true, scalar_alu(sop::and_, true, {}, scalar_value::imm(0x0ff0)),
                                          scalar_value::imm(0x1000));
static_assert(same(scalar_alu(sop::mul, true, x1000, scalar_value::imm(3)),
                   "scalar(smin=umin=smin32=umin32=12288,smax=umax=smax32=umax32=24528,var_off=(0x0; 0x7ff0))"));
static_assert(same(scalar_alu(sop::mul, true, x1000, scalar_value::imm(-3)),
                   "scalar(smin=smin32=-24528,smax=smax32=-12288,umin=0xffffffffffffa030,umax=0xffffffffffffd000,"
                   "umin32=0xffffa030,umax32=0xffffd000,var_off=(0xffffffffffff8000; 0x7ff0))"));
static_assert(same(scalar_alu(sop::mul, false, x1000, scalar_value::imm(6)),
                   "scalar(smin=umin=smin32=umin32=24576,smax=umax=smax32=umax32=0xbfa0,var_off=(0x0; 0xffe0))"));
static_assert(same(scalar_end(false, true, 16, scalar_value::unknown()), // r9 = be16 r9
                   "scalar(smin=smin32=0,smax=umax=smax32=umax32=0xffff,var_off=(0x0; 0xffff))"));
static_assert(same(scalar_end(true, false, 64, scalar_value::unknown()), "scalar()")); // bswap64
static_assert(same(scalar_end(false, true, 16, scalar_alu(sop::neg, true, x1000, {})),
                   "scalar(smin=umin=smin32=umin32=224,smax=umax=smax32=umax32=0xf0ff,var_off=(0xe0; 0xf01f))"));
static_assert(same(scalar_end(false, false, 16, scalar_alu(sop::neg, true, x1000, {})), // le16 keeps the range
                   "scalar(smin=umin=smin32=umin32=0xe010,smax=umax=smax32=umax32=0xf000,var_off=(0xe000; 0x1ff0))"));
static_assert(same(coerce(scalar_value::unknown(), 4), "scalar(smin=0,smax=umax=0xffffffff,var_off=(0x0; 0xffffffff))"));
static_assert(same(coerce(scalar_value::unknown(), 2),
                   "scalar(smin=smin32=0,smax=umax=smax32=umax32=0xffff,var_off=(0x0; 0xffff))"));
static_assert(same(coerce(scalar_value::unknown(), 1, true), "scalar(smin=smin32=-128,smax=smax32=127)"));
static_assert(same(coerce(scalar_value::unknown(), 1, false),
                   "scalar(smin=smin32=0,smax=umax=smax32=umax32=255,var_off=(0x0; 0xff))"));
static_assert(same(movsx(true, 32, scalar_value::constant(0xffffffff)), "-1"));
// r7 = *(s8 *)(r1 + 0); w8 = (s16)w7; r9 = (s16)r7: the 32-bit form widens, the 64-bit one keeps
static_assert(same(movsx(false, 16, coerce_sx(scalar_value::unknown(), 1)),
                   "scalar(smin=0,smax=umax=0xffffffff,smin32=-32768,smax32=32767,var_off=(0x0; 0xffffffff))"));
static_assert(same(movsx(true, 16, coerce_sx(scalar_value::unknown(), 1)), "scalar(smin=smin32=-128,smax=smax32=127)"));
static_assert(same(movsx(false, 8, scalar_value::constant(0x80)), "0xffffff80"));
static_assert(same(mov32(scalar_value::constant(~0ull)), "0xffffffff"));
static_assert(same(scalar_alu(sop::mov, false, {}, scalar_value::imm(-1)), "0xffffffff")); // w1 = -1
static_assert(same(scalar_alu(sop::mov, true, {}, scalar_value::imm(-1)), "-1"));

// ---- branches ----
static_assert(branch_taken(sop::jgt, false, u8v, scalar_value::imm(200)) == -1);
static_assert(branch_taken(sop::jgt, false, u8v, scalar_value::imm(255)) == 0);
static_assert(branch_taken(sop::jge, false, scalar_value::from_urange(300, 400), scalar_value::imm(300)) == 1);
static_assert(branch_taken(sop::jslt, true, scalar_value::from_srange(-5, -1), scalar_value::imm(0)) == 1);
static_assert(branch_taken(sop::jset, false, x1000, scalar_value::imm(0x1000)) == 1);
static_assert(branch_taken(sop::jset, false, x1000, scalar_value::imm(0x8000)) == 0);
static_assert(branch_taken(sop::jeq, false, x1000, scalar_value::imm(0x1001)) == 0); // bit 0 known clear
static_assert(branch_taken(sop::jne, false, scalar_value::constant(3), scalar_value::imm(3)) == 0);

constexpr scalar_value refined(std::uint8_t op, bool is32, scalar_value a, scalar_value b, bool taken) {
    refine(op, is32, a, b, taken);
    return a;
}
// `if r6 > 0x64 goto` on an unknown: the fall-through side the 6.18 log prints
static_assert(same(refined(sop::jgt, false, {}, scalar_value::imm(100), false),
                   "scalar(smin=smin32=0,smax=umax=smax32=umax32=100,var_off=(0x0; 0x7f))"));
static_assert(same(refined(sop::jgt, false, {}, scalar_value::imm(100), true), "scalar(umin=101)"));
// by hand: a signed 32-bit test bounds only the low half: [-5, 5] as s32, upper half still unknown
static_assert(refined(sop::jsle, true, {}, scalar_value::imm(5), true).s32_max == 5 &&
              refined(sop::jsle, true, {}, scalar_value::imm(5), true).umax == ~0ull);
// a tnum {0, 64} and a range [7, 64]: one common value (6.18 makes it the constant)
static_assert(same(refined(sop::jslt, false, scalar_alu(sop::and_, true, u8v, scalar_value::imm(64)),
                           scalar_value::imm(7), false),
                   "64"));
// JSET with one bit: the bit becomes known on the taken side, clear on the other
static_assert(refined(sop::jset, false, u8v, scalar_value::imm(4), true).var_off == tnum{4, 0xfb});
static_assert(refined(sop::jset, false, u8v, scalar_value::imm(4), false).var_off == tnum{0, 0xfb});

// ---- random soundness ----

struct rng {
    std::uint64_t s;
    std::uint64_t next() {
        std::uint64_t z = (s += 0x9e3779b97f4a7c15ull);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
        return z ^ (z >> 31);
    }
    std::uint32_t below(std::uint32_t n) { return static_cast<std::uint32_t>(next() % n); }
};

// A concrete value: often small, near a power of two or sign boundary, else random.
std::uint64_t concrete(rng& g) {
    switch (g.below(6)) {
    case 0: return g.below(64);
    case 1: return 0 - static_cast<std::uint64_t>(g.below(64));
    case 2: return (std::uint64_t{1} << g.below(64)) + g.below(3) - 1;
    case 3: return static_cast<std::uint32_t>(g.next());
    case 4: return static_cast<std::uint64_t>(static_cast<std::int64_t>(static_cast<std::int32_t>(g.next())));
    default: return g.next();
    }
}

// A bound on one side of x: x itself, a bit away, or anywhere (then clamped to keep x inside).
// (wrapping steps: T's arithmetic through std::uint64_t, converted back modulo 2^N)
template <class T>
T lower(rng& g, T x, T min) {
    switch (g.below(4)) {
    case 0: return x;
    case 1: {
        const T y = static_cast<T>(static_cast<std::uint64_t>(x) - g.below(300));
        return y <= x ? y : min;
    }
    case 2: return min;
    default: { const T r = static_cast<T>(g.next()); return r <= x ? r : min; }
    }
}
template <class T>
T upper(rng& g, T x, T max) {
    switch (g.below(4)) {
    case 0: return x;
    case 1: {
        const T y = static_cast<T>(static_cast<std::uint64_t>(x) + g.below(300));
        return y >= x ? y : max;
    }
    case 2: return max;
    default: { const T r = static_cast<T>(g.next()); return r >= x ? r : max; }
    }
}

// An abstract value around x (x is a member), not yet synced.
scalar_value abstract_raw(rng& g, std::uint64_t x) {
    scalar_value v;
    std::uint64_t m = 0;
    switch (g.below(5)) {
    case 0: m = ~0ull; break;
    case 1: m = (std::uint64_t{1} << g.below(64)) - 1; break;
    case 2: m = g.next() & g.next(); break;
    case 3: m = g.next(); break;
    default: m = 0xffffffff00000000ull | (g.next() & g.next()); break;
    }
    v.var_off = {x & ~m, m};
    if (g.below(3) != 0) {
        v.umin = lower<std::uint64_t>(g, x, 0), v.umax = upper<std::uint64_t>(g, x, ~0ull);
        const auto sx = static_cast<std::int64_t>(x);
        v.smin = lower<std::int64_t>(g, sx, INT64_MIN), v.smax = upper<std::int64_t>(g, sx, INT64_MAX);
        const auto w = static_cast<std::uint32_t>(x);
        v.u32_min = lower<std::uint32_t>(g, w, 0), v.u32_max = upper<std::uint32_t>(g, w, 0xffffffffu);
        const auto sw = static_cast<std::int32_t>(w);
        v.s32_min = lower<std::int32_t>(g, sw, INT32_MIN), v.s32_max = upper<std::int32_t>(g, sw, INT32_MAX);
    }
    return v;
}

// ... synced; or a constant.
scalar_value abstract(rng& g, std::uint64_t x) {
    if (g.below(5) == 0) return scalar_value::constant(x);
    return abstract_raw(g, x).sync();
}

// reg_bounds_sync() step by step as the kernel runs it (scalar_value::sync() takes shortcuts).
scalar_value kernel_sync(scalar_value v) {
    update_bounds(v);
    deduce_bounds(v), deduce_bounds(v), deduce_bounds(v);
    bound_offset(v);
    update_bounds(v);
    return v;
}

std::uint64_t bswap(std::uint64_t v, unsigned bits) { return bswap_value(v, bits); }

std::uint64_t eval_alu(std::uint8_t op, bool is64, std::uint64_t a, std::uint64_t b) {
    if (!is64) {
        const auto x = static_cast<std::uint32_t>(a), y = static_cast<std::uint32_t>(b);
        switch (op) {
        case sop::add: return static_cast<std::uint32_t>(x + y);
        case sop::sub: return static_cast<std::uint32_t>(x - y);
        case sop::mul: return static_cast<std::uint32_t>(x * y);
        case sop::div: return y ? x / y : 0;
        case sop::mod: return y ? x % y : x;
        case sop::or_: return x | y;
        case sop::and_: return x & y;
        case sop::xor_: return x ^ y;
        case sop::lsh: return static_cast<std::uint32_t>(x << (y & 31));
        case sop::rsh: return x >> (y & 31);
        case sop::arsh: return static_cast<std::uint32_t>(static_cast<std::int32_t>(x) >> (y & 31));
        case sop::neg: return static_cast<std::uint32_t>(0u - x);
        default: return 0;
        }
    }
    switch (op) {
    case sop::add: return a + b;
    case sop::sub: return a - b;
    case sop::mul: return a * b;
    case sop::div: return b ? a / b : 0;
    case sop::mod: return b ? a % b : a;
    case sop::or_: return a | b;
    case sop::and_: return a & b;
    case sop::xor_: return a ^ b;
    case sop::lsh: return a << (b & 63);
    case sop::rsh: return a >> (b & 63);
    case sop::arsh: return static_cast<std::uint64_t>(static_cast<std::int64_t>(a) >> (b & 63));
    case sop::neg: return 0 - a;
    default: return 0;
    }
}

bool eval_jmp(std::uint8_t op, bool is32, std::uint64_t a, std::uint64_t b) {
    if (is32) a = static_cast<std::uint32_t>(a), b = static_cast<std::uint32_t>(b);
    const auto sa = is32 ? static_cast<std::int64_t>(static_cast<std::int32_t>(a)) : static_cast<std::int64_t>(a);
    const auto sb = is32 ? static_cast<std::int64_t>(static_cast<std::int32_t>(b)) : static_cast<std::int64_t>(b);
    switch (op) {
    case sop::jeq: return a == b;
    case sop::jne: return a != b;
    case sop::jset: return (a & b) != 0;
    case sop::jgt: return a > b;
    case sop::jge: return a >= b;
    case sop::jlt: return a < b;
    case sop::jle: return a <= b;
    case sop::jsgt: return sa > sb;
    case sop::jsge: return sa >= sb;
    case sop::jslt: return sa < sb;
    case sop::jsle: return sa <= sb;
    default: return false;
    }
}

std::uint64_t sext(std::uint64_t v, unsigned bits) {
    const unsigned sh = 64 - bits;
    return static_cast<std::uint64_t>(static_cast<std::int64_t>(v << sh) >> sh);
}

} // namespace

TEST_CASE("tnum operations: exhaustive on 4-bit tnums") {
    // every 4-bit tnum (81) against every other, every pair of members: the result holds the
    // concrete result; tnum_step against enumeration
    long checks = 0, failures = 0;
    std::uint64_t ts[81][2];
    int n = 0;
    for (int v = 0; v < 16; ++v)
        for (int m = 0; m < 16; ++m)
            if ((v & m) == 0) ts[n][0] = static_cast<std::uint64_t>(v), ts[n][1] = static_cast<std::uint64_t>(m), ++n;
    REQUIRE(n == 81);
    const auto members = [](tnum t, std::uint64_t* out) {
        int k = 0;
        for (std::uint64_t x = 0; x < 16; ++x)
            if ((x & ~t.mask) == t.value) out[k++] = x;
        return k;
    };
    for (int i = 0; i < n; ++i) {
        const tnum a{ts[i][0], ts[i][1]};
        std::uint64_t ma[16];
        const int na = members(a, ma);
        for (std::uint64_t z = 0; z < 20; ++z) { // the smallest member above z (or the largest / smallest)
            std::uint64_t want = a.value | a.mask;
            if (z < a.value) want = a.value;
            else
                for (int k = na - 1; k >= 0; --k)
                    if (ma[k] > z) want = ma[k];
            ++checks;
            failures += tnum_step(a, z) != want;
        }
        for (int j = 0; j < n; ++j) {
            const tnum b{ts[j][0], ts[j][1]};
            std::uint64_t mb[16];
            const int nb = members(b, mb);
            const tnum add = tnum_add(a, b), sub = tnum_sub(a, b), mul = tnum_mul(a, b), an = tnum_and(a, b),
                       orr = tnum_or(a, b), xr = tnum_xor(a, b), un = tnum_union(a, b);
            for (int x = 0; x < na; ++x) {
                failures += !tnum_contains(un, ma[x]);
                for (int y = 0; y < nb; ++y) {
                    const std::uint64_t p = ma[x], q = mb[y];
                    checks += 7;
                    failures += !tnum_contains(add, p + q) + !tnum_contains(sub, p - q) + !tnum_contains(mul, p * q) +
                                !tnum_contains(an, p & q) + !tnum_contains(orr, p | q) + !tnum_contains(xr, p ^ q);
                    if (p == q) failures += !tnum_overlap(a, b) + !tnum_contains(tnum_intersect(a, b), p);
                }
            }
        }
    }
    std::printf("verify_value_test: exhaustive 4-bit tnums: checks=%ld failures=%ld\n", checks, failures);
    CHECK(failures == 0);
}

TEST_CASE("scalar value domain: random soundness") {
    std::uint64_t seed = static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count());
    if (const char* s = std::getenv("CTBPF_VALUE_SEED")) seed = std::strtoull(s, nullptr, 0);
    long rounds = 60000;
    if (const char* s = std::getenv("CTBPF_VALUE_ROUNDS")) rounds = std::strtol(s, nullptr, 0);
    rng g{seed};
    long checks = 0, failures = 0, refines = 0, decided = 0;
    std::string first;
    const auto expect = [&](bool ok, const char* what, const scalar_value& in, std::uint64_t x, const scalar_value& out,
                            std::uint64_t y) {
        ++checks;
        if (ok) return;
        if (failures++ == 0) {
            char b[160];
            std::snprintf(b, sizeof b, "%s: x=%#llx in ", what, static_cast<unsigned long long>(x));
            first = b + std::string(to_text(in).view()) + " -> result " + std::to_string(y) + " not in " +
                    std::string(to_text(out).view());
        }
    };
    const std::uint8_t alu[] = {sop::add, sop::sub, sop::mul, sop::div, sop::or_, sop::and_,
                                sop::lsh, sop::rsh, sop::neg, sop::mod, sop::xor_, sop::arsh};
    const std::uint8_t jmp[] = {sop::jeq, sop::jne, sop::jset, sop::jgt, sop::jge, sop::jlt,
                                sop::jle, sop::jsgt, sop::jsge, sop::jslt, sop::jsle};
    const auto t0 = std::chrono::steady_clock::now();
    for (long r = 0; r < rounds; ++r) {
        const std::uint64_t a = concrete(g);
        std::uint64_t b = concrete(g);
        if (g.below(3) == 0) b = g.below(64); // shift amounts and small operands
        const scalar_value A = abstract(g, a);
        scalar_value B = abstract(g, b);
        if (g.below(4) == 0) { // an immediate
            b = static_cast<std::uint64_t>(static_cast<std::int64_t>(static_cast<std::int32_t>(b)));
            B = scalar_value::constant(b);
        }
        {
            const scalar_value raw = g.below(8) == 0 ? scalar_value::constant(a) : abstract_raw(g, a);
            scalar_value fast = raw;
            fast.sync();
            expect(fast == kernel_sync(raw), "sync shortcut differs from reg_bounds_sync", raw, a, fast, a);
        }
        expect(A.contains(a), "sync", A, a, A, a);
        expect(B.contains(b), "sync", B, b, B, b);
        for (const std::uint8_t op : alu)
            for (const bool is64 : {true, false}) {
                const scalar_value R = scalar_alu(op, is64, A, B);
                const std::uint64_t y = eval_alu(op, is64, a, b);
                expect(R.contains(y), "alu", A, a, R, y);
                if (const int w = fork_width(op, A, B)) { // the kernel's split: the two halves cover A
                    const scalar_value half = fork_value(w, A, (w == 64 ? a : static_cast<std::uint32_t>(a)) ? ~0ull : 0);
                    const scalar_value R2 = scalar_alu(op, is64, half, B);
                    expect(R2.contains(y), "alu after fork", half, a, R2, y);
                }
            }
        for (const unsigned bits : {16u, 32u, 64u}) {
            const std::uint64_t le = bits == 64 ? a : a & ((std::uint64_t{1} << bits) - 1);
            expect(scalar_end(false, false, bits, A).contains(le), "to_le", A, a, scalar_end(false, false, bits, A), le);
            expect(scalar_end(false, true, bits, A).contains(bswap(a, bits)), "to_be", A, a,
                   scalar_end(false, true, bits, A), bswap(a, bits));
            expect(scalar_end(true, false, bits, A).contains(bswap(a, bits)), "bswap", A, a,
                   scalar_end(true, false, bits, A), bswap(a, bits));
        }
        for (const unsigned bits : {8u, 16u, 32u}) {
            expect(movsx(true, bits, A).contains(sext(a, bits)), "movsx64", A, a, movsx(true, bits, A), sext(a, bits));
            const std::uint64_t w = static_cast<std::uint32_t>(sext(a, bits));
            if (bits < 32) expect(movsx(false, bits, A).contains(w), "movsx32", A, a, movsx(false, bits, A), w);
            const unsigned size = bits / 8;
            expect(coerce(A, size).contains(a & ((std::uint64_t{1} << bits) - 1)), "coerce", A, a, coerce(A, size),
                   a & ((std::uint64_t{1} << bits) - 1));
            expect(coerce_sx(A, size).contains(sext(a, bits)), "coerce_sx", A, a, coerce_sx(A, size), sext(a, bits));
        }
        expect(mov32(A).contains(static_cast<std::uint32_t>(a)), "mov32", A, a, mov32(A), static_cast<std::uint32_t>(a));
        for (const std::uint8_t op : jmp)
            for (const bool is32 : {false, true}) {
                const bool holds = eval_jmp(op, is32, a, b);
                const int pred = branch_taken(op, is32, A, B);
                expect(pred < 0 || (pred == 1) == holds, "branch_taken", A, a, B, b);
                if (pred >= 0) ++decided;
                scalar_value ra = A, rb = B;
                refine(op, is32, ra, rb, holds);
                ++refines;
                expect(ra.contains(a), "refine (dst)", A, a, ra, a);
                expect(rb.contains(b), "refine (src)", B, b, rb, b);
            }
    }
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::printf("verify_value_test: seed=%#llx rounds=%ld checks=%ld failures=%ld refinements=%ld decided=%ld (%.2f s)\n",
                static_cast<unsigned long long>(seed), rounds, checks, failures, refines, decided, secs);
    if (failures) std::printf("  first failure: %s\n", first.c_str());
    CHECK(failures == 0);
    CHECK(checks >= 1000000);
}
