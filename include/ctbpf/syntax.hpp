// The operator spelling, mirroring LLVM BPF assembly: r0 = 5, r3 += 14, s(r1) >>= 3,
// r2 = mem<u32>(r1 + 4), mem<u64>(r10 - 8) = r1, lock(mem<u64>(r1)) += r2,
// if_(s(w1) < 5).goto_("L"), call(helper::map_lookup_elem), exit_(). Bring it in with
// `using namespace ctbpf::syntax;`. Every operator forwards to a factory in ctbpf/encode.hpp.
#pragma once

#include "ctbpf/encode.hpp"
#include "ctbpf/program.hpp"

namespace ctbpf {

// ---- expression values produced by the spelling ----
struct neg_expr { std::uint8_t n; bool is32; };
struct swap_expr { std::uint8_t n; std::uint8_t code; std::int32_t bits; std::uint32_t line; };
struct wide_value {
    std::uint8_t src;
    std::int32_t lo, hi;
    std::string_view name{};
    std::uint32_t line = 0;
    item_kind kind = item_kind::wide;
};
struct cast_expr { std::uint8_t n; std::uint16_t dst_as, src_as; std::uint32_t line; };
template <class T>
struct mem_ref {
    address a;
    std::uint32_t line;
    mem_ref& operator=(const mem_ref&) & = delete;
    // *(u64 *)(r10 - 8) = r1
    constexpr item operator=(src64 s) const
        requires(!T::sign)
    { return fn::stx<T>(a, s, s.line); }
    // *(u32 *)(r10 - 8) = w1
    constexpr item operator=(src32 s) const
        requires(!T::sign && !std::is_same_v<T, u64>)
    { return fn::stx<T>(a, s, s.line); }
    // *(u32 *)(r10 - 8) = 7
    constexpr item operator=(store_imm<T> v) const
        requires(!T::sign)
    { return fn::st<T>(a, v, v.line); }
    template <class U = void>
    constexpr item operator=(const reg32&) const
        requires(std::is_same_v<T, u64>)
    {
        static_assert(dependent_false<U>, "ctbpf: a u64 store takes an r register: mem<u64>(...) = r1");
        return detail::reported_item();
    }
    template <class U>
    constexpr item operator=(const mem_ref<U>&) const {
        static_assert(dependent_false<U>,
                      "ctbpf: eBPF has no memory-to-memory move; load into a register first (r1 = mem<u64>(...))");
        return detail::reported_item();
    }
    template <class U>
    constexpr item operator=(U&&) const
        requires(T::sign)
    {
        static_assert(dependent_false<U>,
                      "ctbpf: s8/s16/s32 are sign-extending loads only; store with u8/u16/u32");
        return detail::reported_item();
    }
};
struct fetch_expr { std::uint8_t size; std::int32_t aop; address a; std::uint8_t src; bool is32; std::uint32_t line; };
struct cmpxchg_expr { std::uint8_t size; address a; std::uint8_t expected; std::uint8_t src; bool is32; std::uint32_t line; };
struct acquire_expr { std::uint8_t size; address a; std::uint32_t line; };
struct skb_load { std::uint8_t size; bool ind; std::uint8_t src; std::int32_t imm; };

// A signed view of a register: s(r1) >>= 3, s(r0) /= r1, if_(s(w1) < 5).
template <class R>
struct signed_reg { R r; };

// A locked memory operand: lock(mem<u64>(r1 + 8)) += r2.
template <class T>
struct locked { address a; };

// A branch condition built by a comparison.
struct cond {
    std::uint8_t opc;
    bool is32;
    bool x;
    std::uint8_t dst, src;
    std::int32_t imm;
};

namespace detail {
// The opc of what a mixed-width comparison returns after its static_assert: its jump is reported_item().
inline constexpr std::uint8_t reported_opc = 0xff;
constexpr item from_cond(const cond& c, jump_target t, std::uint32_t line) {
    if (c.opc == reported_opc) return reported_item();
    std::uint8_t code = static_cast<std::uint8_t>((c.is32 ? op::jmp32 : op::jmp) | (c.x ? op::x : op::k) | c.opc);
    return jmp(code, c.dst, c.x ? c.src : 0, c.x ? 0 : c.imm, t, line);
}
template <class T>
constexpr std::uint8_t size_of() { return T::size; }
} // namespace detail

// if_(cond).goto_(target): the conditional jump.
struct branch {
    cond c;
    std::uint32_t line;
    constexpr item goto_(jump_target t) const { return detail::from_cond(c, t, line); }
    template <class T>
        requires std::is_same_v<T, item>
    constexpr operator T() const {
        static_assert(dependent_false<T>, "ctbpf: if_(...) needs a target: if_(r1 > r2).goto_(label)");
        return detail::reported_item();
    }
};

// ---- register assignments (declared in operands.hpp) ----
constexpr item reg64::operator=(imm32 v) const { return fn::mov(*this, v, v.line); }
constexpr item reg64::operator=(src64 s) const { return fn::mov(*this, s, s.line); }
constexpr item reg64::operator=(at<neg_expr> e) const {
    if (e.v.is32) diag::operands_mix_register_widths();
    if (e.v.n != n) diag::negation_needs_the_same_register_on_both_sides();
    return fn::neg(*this, e.line);
}
constexpr item reg64::operator=(const swap_expr& ev) const {
    if (ev.n != n) diag::byte_swap_needs_the_same_register_on_both_sides();
    return detail::one(ev.code, n, 0, 0, ev.bits, ev.line);
}
constexpr item reg64::operator=(const sext_expr& ev) const {
    if (ev.is32) diag::sign_extension_takes_a_register_of_the_destination_width();
    return detail::alu_x(op::alu64, op::mov, n, ev.n, ev.line, ev.bits);
}
constexpr item reg64::operator=(const wide_value& ev) const {
    item it = detail::wide(n, ev.src, ev.lo, ev.hi, ev.line);
    it.kind = ev.kind;
    it.name = ev.name;
    return it;
}
template <class T>
constexpr item reg64::operator=(const mem_ref<T>& ev) const { return fn::ldx<T>(*this, ev.a, ev.line); }
constexpr item reg64::operator=(const fetch_expr& ev) const {
    if (ev.is32) diag::operands_mix_register_widths();
    if (ev.src != n) diag::atomic_fetch_needs_the_same_register_on_both_sides();
    return detail::one(op::stx | op::atomic | ev.size, ev.a.base, ev.src, ev.a.off, ev.aop, ev.line);
}
constexpr item reg64::operator=(const cmpxchg_expr& ev) const {
    if (ev.is32) diag::operands_mix_register_widths();
    if (n != 0 || ev.expected != 0) diag::cmpxchg_compares_and_returns_r0();
    return detail::one(op::stx | op::atomic | ev.size, ev.a.base, ev.src, ev.a.off, op::cmpxchg, ev.line);
}
constexpr item reg64::operator=(const acquire_expr& ev) const {
    return detail::one(op::stx | op::atomic | ev.size, n, ev.a.base, ev.a.off, op::load_acq, ev.line);
}
constexpr item reg64::operator=(at<skb_load> e) const {
    if (n != 0) diag::legacy_packet_loads_write_r0();
    return detail::one(static_cast<std::uint8_t>(op::ld | (e.v.ind ? op::ind : op::abs) | e.v.size), 0, e.v.src, 0,
                       e.v.imm, e.line);
}
constexpr item reg64::operator=(const cast_expr& ev) const {
    return detail::one(op::alu64 | op::x | op::mov, n, ev.n, op::addr_space_cast,
                       static_cast<std::int32_t>((std::uint32_t{ev.dst_as} << 16) | ev.src_as), ev.line);
}

constexpr item reg32::operator=(uimm32 v) const { return fn::mov(*this, v, v.line); }
constexpr item reg32::operator=(src32 s) const { return fn::mov(*this, s, s.line); }
constexpr item reg32::operator=(at<neg_expr> e) const {
    if (!e.v.is32) diag::operands_mix_register_widths();
    if (e.v.n != n) diag::negation_needs_the_same_register_on_both_sides();
    return fn::neg(*this, e.line);
}
constexpr item reg32::operator=(const sext_expr& ev) const {
    if (!ev.is32) diag::sign_extension_takes_a_register_of_the_destination_width();
    if (ev.bits == 32) diag::a_w_register_sign_extends_from_s8_or_s16_only();
    return detail::alu_x(op::alu, op::mov, n, ev.n, ev.line, ev.bits);
}
template <class T>
constexpr item reg32::operator=(const mem_ref<T>& ev) const {
    static_assert(!T::sign && !std::is_same_v<T, u64>,
                  "ctbpf: a w register takes u8, u16 and u32 loads; load u64 and sign-extending "
                  "sizes into an r register");
    if constexpr (fn::w_size<T>) return fn::ldx<T>(*this, ev.a, ev.line);
    else return detail::reported_item();
}
constexpr item reg32::operator=(const fetch_expr& ev) const {
    if (!ev.is32) diag::operands_mix_register_widths();
    if (ev.src != n) diag::atomic_fetch_needs_the_same_register_on_both_sides();
    return detail::one(op::stx | op::atomic | ev.size, ev.a.base, ev.src, ev.a.off, ev.aop, ev.line);
}
constexpr item reg32::operator=(const cmpxchg_expr& ev) const {
    if (!ev.is32) diag::operands_mix_register_widths();
    if (n != 0 || ev.expected != 0) diag::cmpxchg_compares_and_returns_r0();
    return detail::one(op::stx | op::atomic | ev.size, ev.a.base, ev.src, ev.a.off, op::cmpxchg, ev.line);
}
constexpr item reg32::operator=(const acquire_expr& ev) const {
    if (ev.size == op::dw) diag::a_w_register_takes_u8_u16_and_u32_loads();
    return detail::one(op::stx | op::atomic | ev.size, n, ev.a.base, ev.a.off, op::load_acq, ev.line);
}

// ---- compound assignments ----
#define CTBPF_COMPOUND(OPER, FN, IMM64, IMM32)                                                         \
    constexpr item operator OPER(const reg64& d, IMM64 v) { return fn::FN(d, v, v.line); }               \
    constexpr item operator OPER(const reg64& d, src64 s) { return fn::FN(d, s, s.line); }                \
    constexpr item operator OPER(const reg32& d, IMM32 v) { return fn::FN(d, v, v.line); }                \
    constexpr item operator OPER(const reg32& d, src32 s) { return fn::FN(d, s, s.line); }                \
    template <class T = void>                                                                          \
    constexpr item operator OPER(const reg64&, const reg32&) {                                                   \
        static_assert(dependent_false<T>, "ctbpf: r op= w mixes register widths; use r0 op= r1 "      \
                                          "(64-bit) or w0 op= w1 (32-bit)");                          \
        return detail::reported_item();                                                                \
    }                                                                                                  \
    template <class T = void>                                                                          \
    constexpr item operator OPER(const reg32&, const reg64&) {                                                   \
        static_assert(dependent_false<T>, "ctbpf: w op= r mixes register widths; use r0 op= r1 "      \
                                          "(64-bit) or w0 op= w1 (32-bit)");                          \
        return detail::reported_item();                                                                \
    }                                                                                                  \
    template <class T>                                                                                 \
    constexpr item operator OPER(const frame_pointer&, T&&) {                                                    \
        static_assert(dependent_false<T>, "ctbpf: r10 is the read-only frame pointer; copy it first " \
                                          "(r1 = r10) and change the copy");                          \
        return detail::reported_item();                                                                \
    }
CTBPF_COMPOUND(+=, add, imm32, uimm32)
CTBPF_COMPOUND(-=, sub, imm32, uimm32)
CTBPF_COMPOUND(*=, mul, imm32, uimm32)
CTBPF_COMPOUND(/=, div, imm32, uimm32)
CTBPF_COMPOUND(%=, mod, imm32, uimm32)
CTBPF_COMPOUND(|=, or_, imm32, uimm32)
CTBPF_COMPOUND(&=, and_, imm32, uimm32)
CTBPF_COMPOUND(^=, xor_, imm32, uimm32)
CTBPF_COMPOUND(<<=, lsh, shift64, shift32)
CTBPF_COMPOUND(>>=, rsh, shift64, shift32)
#undef CTBPF_COMPOUND

#define CTBPF_SIGNED_COMPOUND(OPER, FN, IMM64, IMM32)                                                  \
    constexpr item operator OPER(signed_reg<reg64> d, IMM64 v) { return fn::FN(d.r, v, v.line); }         \
    constexpr item operator OPER(signed_reg<reg64> d, src64 s) { return fn::FN(d.r, s, s.line); }         \
    constexpr item operator OPER(signed_reg<reg32> d, IMM32 v) { return fn::FN(d.r, v, v.line); }         \
    constexpr item operator OPER(signed_reg<reg32> d, src32 s) { return fn::FN(d.r, s, s.line); }
CTBPF_SIGNED_COMPOUND(/=, sdiv, imm32, uimm32)
CTBPF_SIGNED_COMPOUND(%=, smod, imm32, uimm32)
CTBPF_SIGNED_COMPOUND(>>=, arsh, shift64, shift32)
#undef CTBPF_SIGNED_COMPOUND

// ---- comparisons (branch conditions) ----
// Register operands are plain references: C++20 also tries == with the arguments swapped, and
// equal conversions on both sides keep the unswapped candidate the unique best on every compiler.
#define CTBPF_COMPARE(OPER, OPC)                                                                       \
    constexpr cond operator OPER(const reg64& d, imm32 v) { return {OPC, false, false, d.n, 0, v.value}; } \
    constexpr cond operator OPER(const reg64& d, const reg64& s) { return {OPC, false, true, d.n, s.n, 0}; } \
    constexpr cond operator OPER(const reg32& d, uimm32 v) { return {OPC, true, false, d.n, 0, v.value}; } \
    constexpr cond operator OPER(const reg32& d, const reg32& s) { return {OPC, true, true, d.n, s.n, 0}; } \
    template <class T = void>                                                                          \
    constexpr cond operator OPER(const reg64&, const reg32&) {                                         \
        static_assert(dependent_false<T>, "ctbpf: a comparison mixes register widths; compare r with r "\
                                          "(64-bit jump) or w with w (32-bit jump)");                 \
        return {detail::reported_opc, false, false, 0, 0, 0};                                          \
    }                                                                                                  \
    template <class T = void>                                                                          \
    constexpr cond operator OPER(const reg32&, const reg64&) {                                         \
        static_assert(dependent_false<T>, "ctbpf: a comparison mixes register widths; compare r with r "\
                                          "(64-bit jump) or w with w (32-bit jump)");                 \
        return {detail::reported_opc, false, false, 0, 0, 0};                                          \
    }
CTBPF_COMPARE(==, op::jeq)
CTBPF_COMPARE(!=, op::jne)
CTBPF_COMPARE(>, op::jgt)
CTBPF_COMPARE(>=, op::jge)
CTBPF_COMPARE(<, op::jlt)
CTBPF_COMPARE(<=, op::jle)
CTBPF_COMPARE(&, op::jset)
#undef CTBPF_COMPARE
#define CTBPF_SIGNED_COMPARE(OPER, OPC)                                                                \
    constexpr cond operator OPER(signed_reg<reg64> d, imm32 v) { return {OPC, false, false, d.r.n, 0, v.value}; } \
    constexpr cond operator OPER(signed_reg<reg64> d, src64 s) { return {OPC, false, true, d.r.n, s.n, 0}; } \
    constexpr cond operator OPER(signed_reg<reg32> d, uimm32 v) { return {OPC, true, false, d.r.n, 0, v.value}; } \
    constexpr cond operator OPER(signed_reg<reg32> d, src32 s) { return {OPC, true, true, d.r.n, s.n, 0}; }
CTBPF_SIGNED_COMPARE(>, op::jsgt)
CTBPF_SIGNED_COMPARE(>=, op::jsge)
CTBPF_SIGNED_COMPARE(<, op::jslt)
CTBPF_SIGNED_COMPARE(<=, op::jsle)
#undef CTBPF_SIGNED_COMPARE

// ---- unary forms and expression builders ----
constexpr neg_expr operator-(const reg64& r) { return {r.n, false}; }
constexpr neg_expr operator-(const reg32& r) { return {r.n, true}; }

namespace syntax {
using ctbpf::label;
using fn::call;
using fn::exit_;
using fn::gotol;
using fn::may_goto;
using ctbpf::kfunc;
using ctbpf::helper;
using ctbpf::program;
using ctbpf::label_id;

// s(r1): the signed view of a register (s>>=, s/=, s%=, s<, s<=, s>, s>=)
constexpr signed_reg<reg64> s(const reg64& r) { return {r}; }
constexpr signed_reg<reg32> s(const reg32& r) { return {r}; }

// if_(r1 > r2).goto_("L")
constexpr branch if_(cond c, std::uint32_t line = __builtin_LINE()) { return {c, line}; }
// goto_("L") / goto_(+3): unconditional jump (ja)
constexpr item goto_(jump_target t, std::uint32_t line = __builtin_LINE()) { return fn::ja(t, line); }

// mem<u32>(r1 + 4): a memory operand (load on the right, store on the left).
template <access_size T>
constexpr mem_ref<T> mem(address a, std::uint32_t line = __builtin_LINE()) { return {a, line}; }

// lock(mem<u64>(r1 + 8)) += r2
template <access_size T>
constexpr locked<T> lock(mem_ref<T> m) { return {m.a}; }

// Sizes as functions: be16(r0), le32(r0), bswap64(r0)
constexpr swap_expr be16(const reg64& r, std::uint32_t l = __builtin_LINE()) { return {r.n, op::alu | op::end | op::to_be, 16, l}; }
constexpr swap_expr be32(const reg64& r, std::uint32_t l = __builtin_LINE()) { return {r.n, op::alu | op::end | op::to_be, 32, l}; }
constexpr swap_expr be64(const reg64& r, std::uint32_t l = __builtin_LINE()) { return {r.n, op::alu | op::end | op::to_be, 64, l}; }
constexpr swap_expr le16(const reg64& r, std::uint32_t l = __builtin_LINE()) { return {r.n, op::alu | op::end | op::to_le, 16, l}; }
constexpr swap_expr le32(const reg64& r, std::uint32_t l = __builtin_LINE()) { return {r.n, op::alu | op::end | op::to_le, 32, l}; }
constexpr swap_expr le64(const reg64& r, std::uint32_t l = __builtin_LINE()) { return {r.n, op::alu | op::end | op::to_le, 64, l}; }
constexpr swap_expr bswap16(const reg64& r, std::uint32_t l = __builtin_LINE()) { return {r.n, op::alu64 | op::end, 16, l}; }
constexpr swap_expr bswap32(const reg64& r, std::uint32_t l = __builtin_LINE()) { return {r.n, op::alu64 | op::end, 32, l}; }
constexpr swap_expr bswap64(const reg64& r, std::uint32_t l = __builtin_LINE()) { return {r.n, op::alu64 | op::end, 64, l}; }

// r1 = addr_space_cast(r2, dst_as, src_as)
constexpr cast_expr addr_space_cast(const reg64& r, std::uint16_t dst_as, std::uint16_t src_as,
                                    std::uint32_t l = __builtin_LINE()) {
    return {r.n, dst_as, src_as, l};
}

// lddw forms: r1 = imm64(v), map_fd(fd), map_value(fd, off), btf_var(id), func_addr("L"),
// map_idx(i), map_idx_value(i, off)
constexpr wide_value imm64(std::uint64_t v, std::uint32_t l = __builtin_LINE()) {
    return {0, static_cast<std::int32_t>(static_cast<std::uint32_t>(v)),
            static_cast<std::int32_t>(static_cast<std::uint32_t>(v >> 32)), {}, l};
}
constexpr wide_value map_fd(std::int32_t fd, std::uint32_t l = __builtin_LINE()) {
    return {op::pseudo_map_fd, fd, 0, {}, l};
}
constexpr wide_value map_value(std::int32_t fd, std::int32_t off, std::uint32_t l = __builtin_LINE()) {
    return {op::pseudo_map_value, fd, off, {}, l};
}
constexpr wide_value btf_var(std::int32_t btf_id, std::int32_t module_fd = 0, std::uint32_t l = __builtin_LINE()) {
    return {op::pseudo_btf_id, btf_id, module_fd, {}, l};
}
constexpr wide_value func_addr(label_name name, std::uint32_t l = __builtin_LINE()) {
    return {op::pseudo_func, 0, 0, name.text, l, item_kind::func_addr};
}
// r1 = func_addr(L), by label handle
constexpr wide_value func_addr(label_id target, std::uint32_t l = __builtin_LINE()) {
    return {op::pseudo_func, 0, static_cast<std::int32_t>(target.key()), {}, l, item_kind::func_addr}; // (hi: the handle)
}
// r1 = map("counts"): the map by name; the loader binds it through fd_array (BPF_PSEUDO_MAP_IDX)
constexpr wide_value map(label_name name, std::uint32_t l = __builtin_LINE()) {
    return {op::pseudo_map_idx, 0, 0, name.text, l, item_kind::map_ref};
}
// r1 = map_value("config", off): address of the value of an array map, by name (BPF_PSEUDO_MAP_IDX_VALUE)
constexpr wide_value map_value(label_name name, std::int32_t off, std::uint32_t l = __builtin_LINE()) {
    return {op::pseudo_map_idx_value, 0, off, name.text, l, item_kind::map_ref};
}
constexpr wide_value map_idx(std::int32_t idx, std::uint32_t l = __builtin_LINE()) {
    return {op::pseudo_map_idx, idx, 0, {}, l};
}
constexpr wide_value map_idx_value(std::int32_t idx, std::int32_t off, std::uint32_t l = __builtin_LINE()) {
    return {op::pseudo_map_idx_value, idx, off, {}, l};
}

// Atomic fetch forms: r2 = atomic_fetch_add(mem<u64>(r1 + 0), r2), w2 = xchg(mem<u32>(r1), w2),
// r0 = cmpxchg(mem<u64>(r1), r0, r2)
#define CTBPF_FETCH(NAME, AOP)                                                                         \
    constexpr fetch_expr NAME(mem_ref<u64> m, const reg64& s) { return {op::dw, AOP, m.a, s.n, false, m.line}; } \
    constexpr fetch_expr NAME(mem_ref<u32> m, const reg32& s) { return {op::w, AOP, m.a, s.n, true, m.line}; }
CTBPF_FETCH(atomic_fetch_add, op::add | op::fetch)
CTBPF_FETCH(atomic_fetch_or, op::or_ | op::fetch)
CTBPF_FETCH(atomic_fetch_and, op::and_ | op::fetch)
CTBPF_FETCH(atomic_fetch_xor, op::xor_ | op::fetch)
CTBPF_FETCH(xchg, op::xchg)
#undef CTBPF_FETCH
constexpr cmpxchg_expr cmpxchg(mem_ref<u64> m, const reg64& expected, const reg64& s) {
    return {op::dw, m.a, expected.n, s.n, false, m.line};
}
constexpr cmpxchg_expr cmpxchg(mem_ref<u32> m, const reg32& expected, const reg32& s) {
    return {op::w, m.a, expected.n, s.n, true, m.line};
}

// r0 = load_acquire(mem<u64>(r1 + 0)); w0 = load_acquire(mem<u8>(r1))
template <access_size T>
    requires(!T::sign)
constexpr acquire_expr load_acquire(mem_ref<T> m) { return {T::size, m.a, m.line}; }
// store_release(mem<u64>(r1 + 0), r2)
template <access_size T>
    requires(!T::sign)
constexpr item store_release(mem_ref<T> m, src64 s) { return fn::store_release<T>(m.a, s, s.line); }
template <access_size T>
    requires(!T::sign && !std::is_same_v<T, u64>)
constexpr item store_release(mem_ref<T> m, src32 s) { return fn::store_release<T>(m.a, s, s.line); }

// Legacy packet loads: r0 = skb<u8>[12], r0 = skb<u16>[r1], r0 = skb<u32>[r1 + 4]
template <access_size T>
    requires(!T::sign && !std::is_same_v<T, u64>)
struct skb_t {
    constexpr at<skb_load> operator[](imm32 v) const { return {skb_load{T::size, false, 0, v.value}, v.line}; }
    constexpr skb_load operator[](address a) const { return {T::size, true, a.base, a.off}; }
};
template <access_size T>
inline constexpr skb_t<T> skb{};
} // namespace syntax

// ---- atomics through lock(...) ----
#define CTBPF_LOCKED(OPER, FN)                                                                         \
    constexpr item operator OPER(locked<u64> l, src64 s) { return fn::FN<u64>(l.a, s, s.line); }        \
    constexpr item operator OPER(locked<u32> l, src32 s) { return fn::FN<u32>(l.a, s, s.line); }        \
    template <class T = void>                                                                          \
    constexpr item operator OPER(locked<u64>, const reg32&) {                                          \
        static_assert(dependent_false<T>, "ctbpf: lock(mem<u64>(...)) takes an r register, "          \
                                          "lock(mem<u32>(...)) a w register");                        \
        return detail::reported_item();                                                                \
    }                                                                                                  \
    template <class T = void>                                                                          \
    constexpr item operator OPER(locked<u32>, const reg64&) {                                          \
        static_assert(dependent_false<T>, "ctbpf: lock(mem<u64>(...)) takes an r register, "          \
                                          "lock(mem<u32>(...)) a w register");                        \
        return detail::reported_item();                                                                \
    }
CTBPF_LOCKED(+=, lock_add)
CTBPF_LOCKED(|=, lock_or)
CTBPF_LOCKED(&=, lock_and)
CTBPF_LOCKED(^=, lock_xor)
#undef CTBPF_LOCKED

} // namespace ctbpf
