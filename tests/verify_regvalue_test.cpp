// The register value model (ctbpf/verify/value.hpp): the Linux 6.18 log's own texts and messages
// for the same operations (static_assert), and seeded random checks: pointer arithmetic keeps every
// concrete offset inside the abstract one, an access the bounds checks allow is in bounds for every
// concrete offset, regsafe() is reflexive and only accepts an old register whose values contain
// the current one's, packet ranges come only from offsets that fit. Also: scalar.hpp, rewritten for
// constexpr step cost, equals its plain earlier version (tests/scalar_reference.hpp) on random
// values, operation for operation. CTBPF_REGVALUE_SEED / CTBPF_REGVALUE_ROUNDS override the seed
// and the number of rounds.
#include <ctbpf/verify/value.hpp>
#include <doctest/doctest.h>

#include "scalar_reference.hpp"

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

namespace {

using namespace ctbpf::detail::vfy;

constexpr map_desc the_map{"ctbpf_rv", 4, 48};
constexpr bool prints(const reg_value& r, std::string_view kernel) { return print_reg_state(r, the_map).view() == kernel; }
constexpr bool says(const value_error& e, std::string_view kernel_last_line) { return !e.ok() && e.text.last() == kernel_last_line; }

constexpr reg_value pkt = reg_value::pointer(reg_type::pkt);
constexpr reg_value pkt_end = reg_value::pointer(reg_type::pkt_end);
constexpr reg_value map_value = reg_value::pointer(reg_type::map_value);
constexpr reg_value fp = reg_value::frame_pointer(0);
constexpr reg_value u8 = reg_value::scalar(scalar_value::from_urange(0, 255));

constexpr reg_value add(reg_value d, reg_value s, int dst_regno = 4, std::uint32_t ids = 0) {
    value_env env;
    env.id_gen = ids;
    const alu_result r = adjust_reg_min_max_vals(env, dst_regno, sop::add, true, d, s, true);
    return r.dst;
}
constexpr value_error add_error(reg_value d, reg_value s, std::uint8_t op = sop::add, bool is64 = true, bool x = true) {
    value_env env;
    return adjust_reg_min_max_vals(env, 4, op, is64, d, s, x).error;
}

// ---- texts the 6.18 log prints (see verify_regvalue_kernel_test for the live comparison) ----
static_assert(prints(pkt, "pkt(r=0)") && prints(pkt_end, "pkt_end()") && prints(fp, "fp0"));
static_assert(prints(reg_value::pointer(reg_type::ctx), "ctx()"));
static_assert(prints(reg_value::pointer(reg_type::map_ptr), "map_ptr(map=ctbpf_rv,ks=4,vs=48)"));
static_assert(prints(add(fp, imm_reg(-8)), "fp-8"));
static_assert(prints(add(pkt, imm_reg(14)), "pkt(off=14,r=0)"));
// r6 = r2 (pkt); r6 += r4 (r4 &= 255): a fresh id, range reset
static_assert(prints(add(pkt, u8, 6), "pkt(id=1,r=0,smin=smin32=0,smax=umax=smax32=umax32=255,var_off=(0x0; 0xff))"));
static_assert(prints(add(add(pkt, u8, 6), imm_reg(4)), "pkt(id=1,off=4,r=0,smin=smin32=0,smax=umax=smax32=umax32=255,var_off=(0x0; 0xff))"));
static_assert(prints(add(add(map_value, imm_reg(4)), u8),
                     "map_value(map=ctbpf_rv,ks=4,vs=48,off=4,smin=smin32=0,smax=umax=smax32=umax32=255,var_off=(0x0; 0xff))"));
static_assert(add(pkt, u8, 6, 7).id == 8); // ids come from the counter passed in

// ---- pointer arithmetic messages ----
static_assert(says(add_error(pkt, imm_reg(1), sop::add, false, false), "R4 32-bit pointer arithmetic prohibited"));
static_assert(says(add_error(pkt, imm_reg(2), sop::mul, true, false), "R4 pointer arithmetic with *= operator prohibited"));
static_assert(says(add_error(pkt, imm_reg(255), sop::and_, true, false), "R4 bitwise operator &= on pointer prohibited"));
static_assert(says(add_error(pkt_end, imm_reg(1), sop::add, true, false), "R4 pointer arithmetic on pkt_end prohibited"));
static_assert(says(add_error(reg_value::pointer(reg_type::map_value_or_null), imm_reg(1), sop::add, true, false),
                   "R4 pointer arithmetic on map_value_or_null prohibited, null-check it first"));
static_assert(says(add_error(pkt, pkt_end), "R4 pointer += pointer prohibited"));
static_assert(says(add_error(u8, pkt, sop::sub), "R4 tried to subtract pointer from scalar"));
static_assert(says(add_error(fp, u8, sop::sub), "R4 subtraction from stack pointer prohibited"));
static_assert(says(add_error(pkt, reg_value::unknown()), "math between pkt pointer and register with unbounded min value is not allowed"));
static_assert(says(add_error(fp, imm_reg(1 << 29), sop::add, true, false), "math between fp pointer and 536870912 is not allowed"));
static_assert(says(add_error(pkt, reg_value::scalar(scalar_value::from_urange(0, 0xffffffff)), sop::sub),
                   "pkt pointer offset -4294967295 is not allowed"));
static_assert(add_error(pkt, pkt, sop::sub).ok()); // root: pointer - pointer is a scalar
static_assert(add(pkt, u8).type == reg_type::pkt && add(u8, pkt).type == reg_type::pkt); // scalar += pointer

// ---- packets: ranges and pkt_end comparisons ----
constexpr reg_value p14 = add(pkt, imm_reg(14));
static_assert(find_good_pkt_pointers_range(p14, false) == 14 && find_good_pkt_pointers_range(p14, true) == 15);
static_assert(find_good_pkt_pointers_range(pkt, true) == -1); // off 0, open: nothing learned
static_assert(find_good_pkt_pointers_range(add(pkt, reg_value::scalar(scalar_value::from_urange(0, 0x10000))), false) == -1);
// if r5 > r3 (pkt_end) goto: the fall-through side learns r=14, the taken side is beyond pkt_end
static_assert(try_match_pkt_pointers(sop::jgt, false, true, p14, pkt_end).fall.good == 0 &&
              !try_match_pkt_pointers(sop::jgt, false, true, p14, pkt_end).fall.good_open &&
              try_match_pkt_pointers(sop::jgt, false, true, p14, pkt_end).taken.end == 0 &&
              try_match_pkt_pointers(sop::jgt, false, true, p14, pkt_end).taken.end_open);
static_assert(!try_match_pkt_pointers(sop::jgt, true, true, p14, pkt_end).matched); // JMP32: no
constexpr reg_value beyond = [] {
    reg_value r = p14;
    mark_pkt_end(r, true);
    return r;
}();
static_assert(prints(beyond, "pkt(off=14,r=0xfffffffffffffffe)"));
static_assert(is_branch_taken(beyond, pkt_end, sop::jgt, false) == 1 && is_branch_taken(pkt_end, beyond, sop::jlt, false) == 1);
static_assert(is_branch_taken(p14, pkt_end, sop::jgt, false) == -1);
static_assert(prints(add(beyond, imm_reg(1)), "pkt(off=15,r=0)")); // (6.18: no longer beyond pkt_end)
// pointers against 0
static_assert(is_branch_taken(map_value, imm_reg(0), sop::jeq, false) == 0 && is_branch_taken(map_value, imm_reg(0), sop::jne, false) == 1);
static_assert(is_branch_taken(pkt, imm_reg(0), sop::jeq, false) == -1);
static_assert(is_branch_taken(reg_value::pointer(reg_type::map_value_or_null), imm_reg(0), sop::jeq, false) == -1);

// ---- memory access checks ----
static_assert(check_map_access(map_value, 1, 40, 8, 48).ok());
static_assert(says(check_map_access(map_value, 1, 44, 8, 48), "R1 min value is outside of the allowed memory range"));
static_assert(check_map_access(map_value, 1, 44, 8, 48).text.view() ==
              "invalid access to map value, value_size=48 off=44 size=8\nR1 min value is outside of the allowed memory range");
static_assert(says(check_map_access(add(map_value, u8), 4, 0, 1, 48), "R4 max value is outside of the allowed memory range"));
static_assert(check_map_access(add(map_value, reg_value::scalar(scalar_value::from_urange(0, 47))), 4, 0, 1, 48).ok());
static_assert(says(check_map_access(add(map_value, reg_value::scalar(scalar_value::from_srange(-4, 4))), 4, 0, 1, 48),
                   "R4 min value is negative, either use unsigned index or do a if (index >=0) check."));
static_assert(says(check_map_access(add(map_value, reg_value::scalar(scalar_value::from_urange(0, 1u << 30))), 4, 0, 1, 48),
                   "R4 unbounded memory access, make sure to bounds check any such access"));
constexpr reg_value p14r = [] {
    reg_value r = p14;
    apply_pkt_range(r, reg_type::pkt, 0, 14);
    return r;
}();
static_assert(check_packet_access(p14r, 5, 14 - 14, 0).ok() == false); // size 0 not allowed here
static_assert(check_packet_access(pkt, 2, 0, 1).text.view() ==
              "invalid access to packet, off=0 size=1, R2(id=0,off=0,r=0)\nR2 offset is outside of the packet");
static_assert(says(check_packet_access(beyond, 5, 14, 1), "R5 offset is outside of the packet"));
static_assert(says(check_stack_access_within_bounds(add(fp, imm_reg(-4)), 5, 0, 8, stack_access::write, 0),
                   "invalid write to stack R5 off=0 size=8"));
static_assert(says(check_stack_access_within_bounds(add(fp, imm_reg(-520)), 5, 0, 8, stack_access::read, 0),
                   "invalid read from stack R5 off=0 size=8"));
static_assert(check_stack_access_within_bounds(add(fp, imm_reg(-8)), 5, -8, 8, stack_access::read, 0).ok());
static_assert(says(check_ptr_alignment(add(fp, imm_reg(-8)), 2, 8), "misaligned stack access off 0+-8+2 size 8"));
static_assert(says(check_ptr_off_reg(add(reg_value::pointer(reg_type::ctx), imm_reg(4)), 1),
                   "dereference of modified ctx ptr R1 off=4 disallowed"));
static_assert(says(invalid_mem_access(pkt_end, 3), "R3 invalid mem access 'pkt_end'"));

// ---- null checks and pruning ----
constexpr reg_value or_null = [] {
    reg_value r = reg_value::pointer(reg_type::map_value_or_null);
    r.id = 3;
    return r;
}();
static_assert([] {
    reg_value a = or_null, b = or_null;
    mark_ptr_or_null_reg(a, 3, false), mark_ptr_or_null_reg(b, 3, true);
    return a.type == reg_type::map_value && a.id == 0 && b.type == reg_type::scalar && prints(b, "0");
}());
static_assert([] {
    id_map ids;
    reg_value old = u8, cur = reg_value::scalar(scalar_value::from_urange(3, 9));
    old.precise = true;
    return regsafe(old, cur, ids) && !regsafe(cur, old, ids = {}) == false; // (cur not precise: anything goes)
}());
static_assert([] {
    id_map ids;
    reg_value old = u8, cur = reg_value::scalar(scalar_value::from_urange(3, 300));
    old.precise = true;
    return !regsafe(old, cur, ids);
}());
static_assert([] {
    id_map ids;
    reg_value a = p14r, b = p14;
    return regsafe(b, a, ids) && !regsafe(a, b, ids = {}); // more range is safer
}());
static_assert([] {
    id_map ids;
    return !regsafe(fp, add(fp, imm_reg(-8)), ids) && regsafe(reg_value::not_init(), pkt, ids) && !regsafe(pkt, fp, ids);
}());

// ---- random checks ----

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

std::uint64_t concrete(rng& g) {
    switch (g.below(6)) {
    case 0: return g.below(64);
    case 1: return 0 - static_cast<std::uint64_t>(g.below(64));
    case 2: return (std::uint64_t{1} << g.below(64)) + g.below(3) - 1;
    case 3: return g.below(0x20000);
    case 4: return static_cast<std::uint64_t>(static_cast<std::int64_t>(static_cast<std::int32_t>(g.next())));
    default: return g.next();
    }
}

// an abstract scalar holding x (synced), raw for the reference comparison when `raw`
scalar_value abstract(rng& g, std::uint64_t x, bool raw = false) {
    scalar_value v;
    if (g.below(6) == 0) return scalar_value::constant(x);
    std::uint64_t m = 0;
    switch (g.below(4)) {
    case 0: m = ~0ull; break;
    case 1: m = (std::uint64_t{1} << g.below(64)) - 1; break;
    case 2: m = g.next() & g.next(); break;
    default: m = 0xffffffff00000000ull | (g.next() & g.next()); break;
    }
    v.var_off = {x & ~m, m};
    const auto pick = [&](std::uint64_t lo, std::uint64_t hi) { return hi - lo == ~0ull ? g.next() : lo + (hi > lo ? g.next() % (hi - lo + 1) : 0); };
    if (g.below(2)) {
        const std::uint64_t k = g.below(300);
        v.umin = g.below(2) ? x : pick(0, x), v.umax = g.below(2) && x + k >= x ? x + k : ~0ull;
    }
    if (g.below(2)) {
        const auto sx = static_cast<std::int64_t>(x);
        const std::int64_t k = g.below(300);
        v.smin = sx >= INT64_MIN + 300 ? sx - k : INT64_MIN;
        v.smax = g.below(2) ? sx : INT64_MAX;
    }
    if (g.below(3) == 0) v.u32_min = static_cast<std::uint32_t>(x), v.u32_max = static_cast<std::uint32_t>(x) | g.below(2);
    if (g.below(3) == 0) v.s32_min = static_cast<std::int32_t>(x) - (static_cast<std::int32_t>(x) > INT32_MIN + 400 ? 300 : 0);
    if (raw) return v;
    return v.sync();
}

template <class A, class B>
bool same_bytes(const A& a, const B& b) {
    static_assert(sizeof(A) == sizeof(B));
    return std::memcmp(&a, &b, sizeof a) == 0;
}
vfy_ref::scalar_value ref(const scalar_value& v) {
    return {v.var_off, v.smin, v.smax, v.umin, v.umax, v.s32_min, v.s32_max, v.u32_min, v.u32_max};
}

} // namespace

TEST_CASE("scalar.hpp equals its plain reference version (tests/scalar_reference.hpp)") {
    std::uint64_t seed = static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count());
    if (const char* s = std::getenv("CTBPF_REGVALUE_SEED")) seed = std::strtoull(s, nullptr, 0);
    long rounds = 40000;
    if (const char* s = std::getenv("CTBPF_REGVALUE_ROUNDS")) rounds = std::strtol(s, nullptr, 0);
    rng g{seed};
    long checks = 0, differing = 0;
    std::string first;
    const auto expect = [&](bool same, const char* what) {
        ++checks;
        if (!same && differing++ == 0) first = what;
    };
    const std::uint8_t alu[] = {sop::add, sop::sub, sop::mul, sop::div, sop::or_, sop::and_, sop::lsh,
                                sop::rsh, sop::neg, sop::mod, sop::xor_, sop::arsh, sop::mov};
    const std::uint8_t jmp[] = {sop::jeq, sop::jne, sop::jset, sop::jgt, sop::jge, sop::jlt,
                                sop::jle, sop::jsgt, sop::jsge, sop::jslt, sop::jsle};
    for (long r = 0; r < rounds; ++r) {
        const bool raw = g.below(4) == 0;
        const scalar_value a = abstract(g, concrete(g), raw);
        const scalar_value b = g.below(3) == 0 ? scalar_value::constant(g.below(70)) : abstract(g, concrete(g), raw);
        {
            scalar_value x = a;
            vfy_ref::scalar_value y = ref(a);
            expect(same_bytes(x.sync(), y.sync()), "sync");
        }
        for (const std::uint8_t op : alu)
            for (const bool is64 : {true, false})
                expect(same_bytes(scalar_alu(op, is64, a, b), vfy_ref::scalar_alu(op, is64, ref(a), ref(b))), "scalar_alu");
        for (const std::uint8_t op : jmp)
            for (const bool is32 : {true, false}) {
                expect(branch_taken(op, is32, a, b) == vfy_ref::branch_taken(op, is32, ref(a), ref(b)), "branch_taken");
                for (const bool taken : {true, false}) {
                    scalar_value x = a, y = b;
                    vfy_ref::scalar_value p = ref(a), q = ref(b);
                    refine(op, is32, x, y, taken);
                    vfy_ref::refine(op, is32, p, q, taken);
                    expect(same_bytes(x, p) && same_bytes(y, q), "refine");
                }
            }
        for (const unsigned size : {1u, 2u, 4u}) {
            expect(same_bytes(coerce(a, size), vfy_ref::coerce(ref(a), size)), "coerce");
            expect(same_bytes(coerce_sx(a, size), vfy_ref::coerce_sx(ref(a), size)), "coerce_sx");
        }
        for (const unsigned bits : {8u, 16u, 32u}) {
            expect(same_bytes(movsx(true, bits, a), vfy_ref::movsx(true, bits, ref(a))), "movsx64");
            if (bits < 32) expect(same_bytes(movsx(false, bits, a), vfy_ref::movsx(false, bits, ref(a))), "movsx32");
        }
        for (const unsigned bits : {16u, 32u, 64u})
            for (int k = 0; k < 3; ++k)
                expect(same_bytes(scalar_end(k == 0, k == 1, bits, a), vfy_ref::scalar_end(k == 0, k == 1, bits, ref(a))), "end");
    }
    std::printf("verify_regvalue_test: scalar.hpp vs reference: seed=%#llx checks=%ld differing=%ld%s%s\n",
                static_cast<unsigned long long>(seed), checks, differing, differing ? " first: " : "", first.c_str());
    CHECK(differing == 0);
}

TEST_CASE("register values: random soundness of pointer arithmetic, access checks, ranges and regsafe") {
    std::uint64_t seed = static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count());
    if (const char* s = std::getenv("CTBPF_REGVALUE_SEED")) seed = std::strtoull(s, nullptr, 0);
    long rounds = 200000;
    if (const char* s = std::getenv("CTBPF_REGVALUE_ROUNDS")) rounds = std::strtol(s, nullptr, 0) * 5;
    rng g{seed};
    long checks = 0, failures = 0, ptr_ok = 0, access_ok = 0, safe = 0;
    std::string first;
    const auto expect = [&](bool ok, const std::string& what) {
        ++checks;
        if (!ok && failures++ == 0) first = what;
    };
    const reg_type types[] = {reg_type::pkt, reg_type::map_value, reg_type::stack, reg_type::ctx, reg_type::mem};
    for (long r = 0; r < rounds; ++r) {
        // a pointer: fixed offset + variable part x in its abstract value
        reg_value p = reg_value::pointer(types[g.below(5)], static_cast<std::int32_t>(g.below(64)) - 16);
        std::uint64_t x = 0;
        if (g.below(2)) {
            x = g.below(300);
            p.v = abstract(g, x);
            mark_unbounded32(p.v);
            p.v.sync();
            if (!p.v.contains(x)) continue;
        }
        const std::uint64_t y = concrete(g);
        const reg_value s = reg_value::scalar(abstract(g, y));
        const bool sub = g.below(3) == 0;
        value_env env;
        const alu_result res = adjust_reg_min_max_vals(env, 4, sub ? sop::sub : sop::add, true, p, s, true);
        if (!res.error.ok() || res.dst.type != p.type) continue;
        ++ptr_ok;
        // the concrete address offset off + x +/- y is off' + x' with x' a value of the result
        const std::int64_t want = p.off + static_cast<std::int64_t>(sub ? x - y : x + y);
        const std::uint64_t x2 = static_cast<std::uint64_t>(want - res.dst.off);
        expect(res.dst.v.contains(x2), "pointer arithmetic loses the offset: " + std::string(print_reg_state(p).view()) +
                                           (sub ? " -= " : " += ") + std::string(print_reg_state(s).view()) + " x=" +
                                           std::to_string(x) + " y=" + std::to_string(y) + " -> " +
                                           std::string(print_reg_state(res.dst).view()));
        // an access allowed for the abstract pointer is inside the region for this concrete one
        const int off = static_cast<int>(g.below(64)) - 8, size = 1 << g.below(4);
        const std::int64_t at = want + off;
        if (p.type == reg_type::map_value || p.type == reg_type::mem) {
            if (check_mem_region_access(res.dst, 4, off + res.dst.off, size, 48, false).ok()) {
                ++access_ok;
                expect(at >= 0 && at + size <= 48, "map access allowed out of bounds");
            }
        } else if (p.type == reg_type::stack) {
            if (check_stack_access_within_bounds(res.dst, 4, off + res.dst.off, size, stack_access::write, 0).ok()) {
                ++access_ok;
                expect(at >= -512 && at + size <= 0, "stack access allowed out of bounds");
            }
        } else if (p.type == reg_type::pkt) {
            // a range from a comparison `ptr + K <= pkt_end` (find_good_pkt_pointers on a sibling with
            // the same id at offset K) makes [base, base + range) readable when the base is at x2
            const int range = find_good_pkt_pointers_range(res.dst, false);
            if (range >= 0) expect(res.dst.v.umax + static_cast<std::uint64_t>(res.dst.off) <= 0xffff, "pkt range from a wide offset");
        }
        // regsafe: reflexive for precise scalars and pointers; an accepted old holds the current values
        {
            id_map ids;
            reg_value a = res.dst, b = res.dst;
            expect(regsafe(a, b, ids), "regsafe not reflexive");
            reg_value old = reg_value::scalar(abstract(g, y)), cur = reg_value::scalar(abstract(g, concrete(g)));
            old.precise = true;
            id_map ids2;
            if (regsafe(old, cur, ids2)) {
                ++safe;
                for (int k = 0; k < 8; ++k) {
                    std::uint64_t c = cur.v.var_off.value | (g.next() & cur.v.var_off.mask);
                    if (k == 0) c = cur.v.umin;
                    if (cur.v.contains(c)) expect(old.v.contains(c), "regsafe accepted an old value missing a current one");
                }
            }
        }
    }
    std::printf("verify_regvalue_test: seed=%#llx rounds=%ld checks=%ld failures=%ld pointer results=%ld allowed accesses=%ld "
                "regsafe accepted=%ld%s%s\n",
                static_cast<unsigned long long>(seed), rounds, checks, failures, ptr_ok, access_ok, safe,
                failures ? " first: " : "", first.c_str());
    CHECK(failures == 0);
    CHECK(ptr_ok > 1000);
    CHECK(access_ok > 100);
}
