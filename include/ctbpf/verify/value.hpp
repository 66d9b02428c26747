// The kernel verifier's register value (a subset of struct bpf_reg_state, Linux 6.18) and its
// transfer functions, pure and constexpr: values in, values plus an error out, no machine state.
// Names follow kernel/bpf/verifier.c so that the two can be read side by side:
//   adjust_reg_min_max_vals()      ALU on a register pair: scalars (adjust_scalar_min_max_vals, via
//                                   scalar.hpp), pointer +/- scalar (adjust_ptr_min_max_vals with
//                                   check_reg_sane_offset), pointer -/op pointer, BPF_ADD_CONST links
//   is_branch_taken()              scalars, pointers against 0, packet pointers against pkt_end
//   reg_set_min_max()              both sides of an undecided scalar branch
//   try_match_pkt_pointers(), find_good_pkt_pointers_range(), mark_pkt_end()
//   mark_ptr_or_null_reg()         a null check's effect on one register
//   check_mem_region_access(), check_map_access(), check_packet_access(), check_ptr_off_reg(),
//   check_stack_access_within_bounds()   with the kernel's exact messages
//   regsafe()                      is an explored state's register at least as general as this one?
//   print_reg_state()              the verifier log's text of a register
// Not modelled (the caller defers to the kernel): the unprivileged pointer sanitation
// (sanitize_ptr_alu / sanitize_check_bounds: root runs bypass them), BTF record fields of map
// values (spin locks, timers, kptrs), PTR_TO_BTF_ID and other kernel-only types (kernel_only).
#pragma once

#include "ctbpf/diagnostics.hpp"
#include "ctbpf/verify/messages.hpp"
#include "ctbpf/verify/scalar.hpp"

#include <cstdint>
#include <string_view>

namespace ctbpf::detail::vfy {

// The kernel's enum bpf_reg_type, reduced: a base type plus the PTR_MAYBE_NULL bit.
enum class reg_type : std::uint8_t {
    not_init = 0,
    scalar,
    ctx,
    stack,      // PTR_TO_STACK (reg_value::frameno)
    map_ptr,    // CONST_PTR_TO_MAP
    map_value,
    map_key,
    pkt,
    pkt_meta,
    pkt_end,
    sock,
    sock_common,
    tcp_sock,
    mem,         // PTR_TO_MEM (reg_value::mem_size())
    rdonly_mem,  // PTR_TO_MEM | MEM_RDONLY
    ringbuf_mem, // PTR_TO_MEM | MEM_RINGBUF
    kernel_only, // a type the model leaves to the kernel (BTF ids, buffers, dynptrs, ...)
    maybe_null = 0x80,
    map_value_or_null = map_value | maybe_null,
    sock_or_null = sock | maybe_null,
    sock_common_or_null = sock_common | maybe_null,
    tcp_sock_or_null = tcp_sock | maybe_null,
    mem_or_null = mem | maybe_null,
    rdonly_mem_or_null = rdonly_mem | maybe_null,
    ringbuf_mem_or_null = ringbuf_mem | maybe_null,
};
constexpr reg_type base_type(reg_type t) { return static_cast<reg_type>(static_cast<std::uint8_t>(t) & 0x7f); }
constexpr bool type_may_be_null(reg_type t) { return (static_cast<std::uint8_t>(t) & 0x80) != 0; }
constexpr reg_type or_null(reg_type t) { return static_cast<reg_type>(static_cast<std::uint8_t>(t) | 0x80); }

// reg_type_str()
constexpr std::string_view base_type_name(reg_type t) {
    switch (base_type(t)) {
    case reg_type::not_init: return "?";
    case reg_type::scalar: return "scalar";
    case reg_type::ctx: return "ctx";
    case reg_type::stack: return "fp";
    case reg_type::map_ptr: return "map_ptr";
    case reg_type::map_value: return "map_value";
    case reg_type::map_key: return "map_key";
    case reg_type::pkt: return "pkt";
    case reg_type::pkt_meta: return "pkt_meta";
    case reg_type::pkt_end: return "pkt_end";
    case reg_type::sock: return "sock";
    case reg_type::sock_common: return "sock_common";
    case reg_type::tcp_sock: return "tcp_sock";
    case reg_type::mem: return "mem";
    case reg_type::rdonly_mem: return "rdonly_mem";
    case reg_type::ringbuf_mem: return "ringbuf_mem";
    default: return "?";
    }
}

inline constexpr s64 max_var_off = s64{1} << 29; // BPF_MAX_VAR_OFF
inline constexpr int max_packet_off = 0xffff;     // MAX_PACKET_OFF
inline constexpr int max_bpf_stack = 512;         // MAX_BPF_STACK
inline constexpr std::int32_t at_pkt_end = -1, beyond_pkt_end = -2;
inline constexpr std::uint32_t add_const_flag = 1u << 31; // BPF_ADD_CONST in reg_value::id

// A register: 88 bytes (the kernel's is 120). Scalars: `v` is the value; `off` the BPF_ADD_CONST
// delta when id has add_const_flag. Pointers: the address is base + off + (a value of v); v is
// the kernel's var_off/bounds of the variable part (32-bit bounds unbounded, as the kernel keeps).
struct reg_value {
    scalar_value v = scalar_value::constant(0);
    std::int32_t off = 0;
    std::uint32_t id = 0;
    std::uint32_t ref_obj_id = 0;
    std::int32_t range = 0; // packets: bytes verified from the pointer's base (or at_pkt_end /
                            // beyond_pkt_end); mem types: the size (mem_size())
    reg_type type = reg_type::not_init;
    std::uint8_t frameno = 0; // stack pointers: the frame
    std::uint8_t map = 0;     // map_ptr / map_value / map_key: the map's index in the caller's table
    bool precise = false;     // scalars: the kernel's precision mark (regsafe compares only precise ones)

    friend constexpr bool operator==(const reg_value&, const reg_value&) = default;

    constexpr std::uint32_t mem_size() const { return static_cast<std::uint32_t>(range); }
    constexpr bool is_scalar() const { return type == reg_type::scalar; }
    constexpr bool is_pointer() const { return type != reg_type::scalar && type != reg_type::not_init; }

    static constexpr reg_value not_init() { return {scalar_value::unknown(), 0, 0, 0, 0, reg_type::not_init}; }
    static constexpr reg_value scalar(const scalar_value& s) { return {s, 0, 0, 0, 0, reg_type::scalar}; }
    static constexpr reg_value unknown() { return scalar(scalar_value::unknown()); }
    static constexpr reg_value known(u64 c) { return scalar(scalar_value::constant(c)); }
    // a pointer of type t at fixed offset off (mark_reg_known_zero + type)
    static constexpr reg_value pointer(reg_type t, std::int32_t off = 0) {
        return {scalar_value::constant(0), off, 0, 0, 0, t};
    }
    static constexpr reg_value frame_pointer(std::uint8_t frame) {
        reg_value r = pointer(reg_type::stack);
        r.frameno = frame;
        return r;
    }
};

constexpr bool reg_is_pkt_pointer(const reg_value& r) { return r.type == reg_type::pkt || r.type == reg_type::pkt_meta; }
constexpr bool reg_is_pkt_pointer_any(const reg_value& r) { return reg_is_pkt_pointer(r) || r.type == reg_type::pkt_end; }
// reg_is_init_pkt_pointer(): of type t, at its base
constexpr bool reg_is_init_pkt_pointer(const reg_value& r, reg_type t) {
    return r.type == t && r.off == 0 && tnum_equals_const(r.v.var_off, 0);
}

// ---- messages ----

// The kernel's log text for an error: one or two lines (separated by '\n'); last() is the line
// the kernel prints last (the "message" of a rejection).
struct value_msg {
    char data[200] = {};
    std::uint32_t size = 0;
    constexpr std::string_view view() const { return {data, size}; }
    constexpr std::string_view last() const {
        const std::string_view v = view();
        const std::size_t nl = v.rfind('\n');
        return nl == std::string_view::npos ? v : v.substr(nl + 1);
    }
    constexpr value_msg& put(std::string_view s) {
        for (char c : s)
            if (size < sizeof data) data[size++] = c;
        return *this;
    }
    constexpr value_msg& u(u64 v) { // %u / %llu
        char b[20] = {};
        int n = 0;
        do b[n++] = static_cast<char>('0' + v % 10), v /= 10;
        while (v != 0);
        while (n > 0) put({&b[--n], 1});
        return *this;
    }
    constexpr value_msg& d(s64 v) { // %d / %lld
        if (v < 0) put("-");
        return u(v < 0 ? 0 - static_cast<u64>(v) : static_cast<u64>(v));
    }
    constexpr value_msg& x(u64 v) { // %#llx (0 prints as 0x0, as tnum_strn does)
        put("0x");
        int n = 1;
        while (n < 16 && (v >> (4 * n)) != 0) ++n;
        for (int i = n - 1; i >= 0; --i) put({&"0123456789abcdef"[(v >> (4 * i)) & 0xf], 1});
        return *this;
    }
    // tnum_strn() (6.18: a constant prints as a number, decimal up to 0xffff)
    constexpr value_msg& t(tnum v) {
        if (v.mask == 0) return v.value <= 0xffff ? u(v.value) : x(v.value);
        return put("("), x(v.value), put("; "), x(v.mask), put(")");
    }
    constexpr value_msg& reg(int regno) { return put("R"), d(regno); }
    constexpr value_msg& type(reg_type t) {
        return put(base_type_name(t)), put(type_may_be_null(t) ? "_or_null" : "");
    }
};

// An error: the rule (errc), the kernel's errno and its log lines. ok(): none.
struct value_error {
    errc code = errc::ok;
    int err = 0; // EACCES, EINVAL, ...
    value_msg text;
    constexpr bool ok() const { return code == errc::ok; }
};

namespace vdetail {
constexpr value_error fail(errc c, int e, const value_msg& m) { return {c, e, m}; }
} // namespace vdetail

// The ALU result of a register: the new dst and an error.
struct alu_result {
    reg_value dst;
    value_error error;
};

// What the transfer functions need to know of the environment (the kernel's env fields) and the id
// counter new ids come from (env->id_gen: ids are ++id_gen).
struct value_env {
    bool allow_ptr_leaks = true; // root
    bool bpf_capable = true;     // root
    std::uint32_t id_gen = 0;
};

// ---- ALU ----

// check_reg_sane_offset() for the scalar operand of pointer arithmetic on a pointer of type t.
constexpr value_error check_reg_sane_offset_scalar(const reg_value& r, reg_type t) {
    using namespace vdetail;
    const auto val = static_cast<s64>(r.v.var_off.value);
    value_msg m;
    if (r.v.is_const() && (val >= max_var_off || val <= -max_var_off))
        return fail(errc::pointer_arithmetic_is_prohibited, EINVAL,
                    m.put("math between ").type(t).put(" pointer and ").d(val).put(" is not allowed"));
    if (r.v.smin == s64_min)
        return fail(errc::pointer_arithmetic_is_prohibited, EINVAL,
                    m.put("math between ").type(t).put(" pointer and register with unbounded min value is not allowed"));
    if (r.v.smin >= max_var_off || r.v.smin <= -max_var_off)
        return fail(errc::pointer_arithmetic_is_prohibited, EINVAL,
                    m.put("value ").d(r.v.smin).put(" makes ").type(t).put(" pointer be out of bounds"));
    return {};
}
// ... and for the pointer (before and after the operation): 6.18 says "<type> pointer offset N is
// not allowed" for a fixed, constant or minimum offset beyond BPF_MAX_VAR_OFF.
constexpr value_error check_reg_sane_offset_ptr(const reg_value& r, reg_type t) {
    using namespace vdetail;
    const auto val = static_cast<s64>(r.v.var_off.value);
    value_msg m;
    const auto bad = [&](s64 v) {
        return fail(errc::pointer_arithmetic_is_prohibited, EINVAL, m.type(t).put(" pointer offset ").d(v).put(" is not allowed"));
    };
    if (r.v.is_const() && (val >= max_var_off || val <= -max_var_off)) return bad(val);
    if (r.off >= max_var_off || r.off <= -max_var_off) return bad(r.off);
    if (r.v.smin >= max_var_off || r.v.smin <= -max_var_off) return bad(r.v.smin);
    return {};
}

// adjust_ptr_min_max_vals(): dst = ptr op off_reg (ALU64 or not; op BPF_OP), where dst_regno is the
// instruction's dst and ptr the pointer operand (dst's or, for `scalar += ptr`, src's; then
// dst_is_ptr is false). Unprivileged sanitation is not modelled.
constexpr alu_result adjust_ptr_min_max_vals(value_env& env, int dst_regno, std::uint8_t op, bool is64,
                                             const reg_value& ptr, const reg_value& off_reg, bool dst_is_ptr = true) {
    using namespace vdetail;
    op &= 0xf0;
    const scalar_value& o = off_reg.v;
    const bool known = o.is_const();
    value_msg m;
    if ((known && (o.smin != o.smax || o.umin != o.umax)) || o.smin > o.smax || o.umin > o.umax)
        return {reg_value::unknown(), {}}; // (bounds from a dead branch: the kernel taints dst)
    if (!is64) {
        if (op == sop::sub && env.allow_ptr_leaks) return {reg_value::unknown(), {}};
        return {ptr, fail(errc::pointer_arithmetic_is_prohibited, EACCES,
                          m.reg(dst_regno).put(" 32-bit pointer arithmetic prohibited"))};
    }
    if (type_may_be_null(ptr.type))
        return {ptr, fail(errc::pointer_may_be_null, EACCES,
                          m.reg(dst_regno).put(" pointer arithmetic on ").type(ptr.type).put(" prohibited, null-check it first"))};
    switch (base_type(ptr.type)) {
    case reg_type::ctx:
    case reg_type::map_value:
    case reg_type::map_key:
    case reg_type::stack:
    case reg_type::pkt_meta:
    case reg_type::pkt:
    case reg_type::mem:
    case reg_type::rdonly_mem:
    case reg_type::ringbuf_mem: break;
    case reg_type::kernel_only: return {ptr, {}}; // (the kernel knows; the caller defers)
    case reg_type::map_ptr:
        if (known && o.smin == 0 && op == sop::add) break;
        [[fallthrough]];
    default:
        return {ptr, fail(errc::pointer_arithmetic_is_prohibited, EACCES,
                          m.reg(dst_regno).put(" pointer arithmetic on ").type(ptr.type).put(" prohibited"))};
    }
    reg_value d = ptr;
    if (value_error e = check_reg_sane_offset_scalar(off_reg, ptr.type); !e.ok()) return {d, e};
    if (value_error e = check_reg_sane_offset_ptr(ptr, ptr.type); !e.ok()) return {d, e};
    mark_unbounded32(d.v); // (pointers carry no 32-bit bounds)
    const scalar_value& p = ptr.v;
    switch (op) {
    case sop::add:
        if (known && ptr.off + o.smin == static_cast<s32>(ptr.off + o.smin)) {
            d.off = static_cast<std::int32_t>(ptr.off + o.smin);
            break;
        }
        if (__builtin_add_overflow(p.smin, o.smin, &d.v.smin) || __builtin_add_overflow(p.smax, o.smax, &d.v.smax))
            d.v.smin = s64_min, d.v.smax = s64_max;
        if (__builtin_add_overflow(p.umin, o.umin, &d.v.umin) || __builtin_add_overflow(p.umax, o.umax, &d.v.umax))
            d.v.umin = 0, d.v.umax = u64_max;
        d.v.var_off = tnum_add(p.var_off, o.var_off);
        if (reg_is_pkt_pointer(ptr)) d.id = ++env.id_gen, d.range = 0;
        break;
    case sop::sub:
        if (!dst_is_ptr)
            return {d, fail(errc::pointer_arithmetic_is_prohibited, EACCES,
                            m.reg(dst_regno).put(" tried to subtract pointer from scalar"))};
        if (ptr.type == reg_type::stack)
            return {d, fail(errc::pointer_arithmetic_is_prohibited, EACCES,
                            m.reg(dst_regno).put(" subtraction from stack pointer prohibited"))};
        if (known && ptr.off - o.smin == static_cast<s32>(ptr.off - o.smin)) {
            d.off = static_cast<std::int32_t>(ptr.off - o.smin);
            break;
        }
        if (__builtin_sub_overflow(p.smin, o.smax, &d.v.smin) || __builtin_sub_overflow(p.smax, o.smin, &d.v.smax))
            d.v.smin = s64_min, d.v.smax = s64_max;
        if (p.umin < o.umax) d.v.umin = 0, d.v.umax = u64_max;
        else d.v.umin = p.umin - o.umax, d.v.umax = p.umax - o.umin;
        d.v.var_off = tnum_sub(p.var_off, o.var_off);
        if (reg_is_pkt_pointer(ptr)) {
            d.id = ++env.id_gen;
            if (o.smin < 0) d.range = 0;
        }
        break;
    case sop::and_:
    case sop::or_:
    case sop::xor_:
        return {d, fail(errc::pointer_arithmetic_is_prohibited, EACCES,
                        m.reg(dst_regno).put(" bitwise operator ").put(alu_op_text[op >> 4]).put(" on pointer prohibited"))};
    default:
        return {d, fail(errc::pointer_arithmetic_is_prohibited, EACCES,
                        m.reg(dst_regno).put(" pointer arithmetic with ").put(alu_op_text[op >> 4]).put(" operator prohibited"))};
    }
    // (6.18: a packet pointer that was at or beyond pkt_end no longer is: range 0)
    if (reg_is_pkt_pointer(d) && d.range < 0) d.range = 0;
    if (value_error e = check_reg_sane_offset_ptr(d, ptr.type); !e.ok()) return {d, e};
    d.v.sync();
    return {d, {}};
}

// adjust_scalar_min_max_vals() on registers: both scalars (src: for the K form, imm_reg(imm)).
constexpr reg_value adjust_scalar_min_max_vals(std::uint8_t op, bool is64, reg_value dst, const reg_value& src) {
    dst.v = scalar_alu(op, is64, dst.v, src.v);
    return dst;
}

// The fake source register of an immediate (__mark_reg_known(&off_reg, imm)).
constexpr reg_value imm_reg(s32 imm) { return reg_value::scalar(scalar_value::imm(imm)); }

// adjust_reg_min_max_vals(): `dst op= src` for ADD..ARSH (not MOV, END, or NEG's pointer checks,
// which check_alu_op does first). src: the register, or imm_reg(imm) for the K form (x_src false).
// src_is_dst: the X form with src_reg == dst_reg.
constexpr alu_result adjust_reg_min_max_vals(value_env& env, int dst_regno, std::uint8_t op, bool is64,
                                             const reg_value& dst, const reg_value& src, bool x_src,
                                             bool src_is_dst = false) {
    using namespace vdetail;
    op &= 0xf0;
    if (x_src && src.type != reg_type::scalar) {
        if (dst.type != reg_type::scalar) {
            if (op == sop::sub && env.allow_ptr_leaks) return {reg_value::unknown(), {}};
            value_msg m;
            return {dst, fail(errc::pointer_arithmetic_is_prohibited, EACCES,
                              m.reg(dst_regno).put(" pointer ").put(alu_op_text[op >> 4]).put(" pointer prohibited"))};
        }
        return adjust_ptr_min_max_vals(env, dst_regno, op, is64, src, dst, false);
    }
    if (dst.type != reg_type::scalar) return adjust_ptr_min_max_vals(env, dst_regno, op, is64, dst, src, true);
    reg_value d = adjust_scalar_min_max_vals(op, is64, dst, src);
    // BPF_ADD_CONST: rX += const keeps rX linked to the registers sharing its id
    if (env.bpf_capable && op == sop::add && is64 && d.id != 0 && src.v.is_const() && !(x_src && src_is_dst)) {
        const u64 val = src.v.var_off.value;
        if ((d.id & add_const_flag) != 0 || val > static_cast<u64>(s32_max)) d.id = 0, d.off = 0;
        else d.id |= add_const_flag, d.off = static_cast<std::int32_t>(val);
    } else {
        d.id = 0, d.off = 0;
    }
    return {d, {}};
}

// ---- branches ----

// is_branch_taken(): 1 always taken, 0 never, -1 unknown. op: BPF_OP of the jump.
constexpr int is_branch_taken(const reg_value& a, const reg_value& b, std::uint8_t op, bool is32) {
    op &= 0xf0;
    if (reg_is_pkt_pointer_any(a) && reg_is_pkt_pointer_any(b) && !is32) {
        const reg_value* pkt = &a;
        if (b.type == reg_type::pkt_end) pkt = &a;
        else if (a.type == reg_type::pkt_end) {
            pkt = &b;
            op = op == sop::jgt ? sop::jlt : op == sop::jlt ? sop::jgt : op == sop::jge ? sop::jle : op == sop::jle ? sop::jge : op;
        } else {
            return -1;
        }
        if (pkt->range >= 0) return -1;
        if ((op == sop::jle || op == sop::jgt) && pkt->range == beyond_pkt_end) return op == sop::jgt;
        if (op == sop::jlt || op == sop::jge) return op == sop::jge;
        return -1;
    }
    if (a.type != reg_type::scalar || b.type != reg_type::scalar) {
        if (is32) return -1;
        const reg_value* p = &a;
        const reg_value* c = &b;
        if (!(c->type == reg_type::scalar && c->v.is_const())) p = &b, c = &a; // (flip: only JEQ/JNE matter)
        if (!(c->type == reg_type::scalar && c->v.is_const())) return -1;
        const reg_type t = base_type(p->type);
        const bool not_null = !type_may_be_null(p->type) && p->v.smin > -max_var_off && p->v.smax < max_var_off &&
                              (t == reg_type::sock || t == reg_type::tcp_sock || t == reg_type::map_value ||
                               t == reg_type::map_key || t == reg_type::sock_common || t == reg_type::mem ||
                               t == reg_type::rdonly_mem || t == reg_type::ringbuf_mem || t == reg_type::map_ptr);
        if (!not_null || c->v.var_off.value != 0) return -1;
        return op == sop::jeq ? 0 : op == sop::jne ? 1 : -1;
    }
    return branch_taken(op, is32, a.v, b.v);
}

// reg_set_min_max(): both sides of an undecided branch `a op b` on scalars (pointers: unchanged).
struct branch_sides {
    reg_value true_a, true_b, false_a, false_b;
};
constexpr branch_sides reg_set_min_max(const reg_value& a, const reg_value& b, std::uint8_t op, bool is32) {
    branch_sides s{a, b, a, b};
    if (a.type != reg_type::scalar || b.type != reg_type::scalar) return s;
    refine(op, is32, s.false_a.v, s.false_b.v, false);
    refine(op, is32, s.true_a.v, s.true_b.v, true);
    return s;
}

// find_good_pkt_pointers(): the range every packet pointer of p's type and id gets (each keeps the
// larger of its own and this), or -1 for none.
constexpr int find_good_pkt_pointers_range(const reg_value& p, bool range_right_open) {
    if (p.off < 0 || (p.off == 0 && range_right_open)) return -1;
    if (p.v.umax > static_cast<u64>(max_packet_off) || p.v.umax + static_cast<u64>(p.off) > static_cast<u64>(max_packet_off))
        return -1;
    return p.off + (range_right_open ? 1 : 0);
}
// ... applied to one register
constexpr void apply_pkt_range(reg_value& r, reg_type t, std::uint32_t id, int new_range) {
    if (new_range >= 0 && r.type == t && r.id == id && r.range < new_range) r.range = new_range;
}
// mark_pkt_end(): the compared packet pointer lies at (range_open: beyond) pkt_end
constexpr void mark_pkt_end(reg_value& r, bool range_open) {
    if (r.type == reg_type::pkt) r.range = range_open ? beyond_pkt_end : at_pkt_end;
}

// try_match_pkt_pointers(): for `if dst op src` (X form, 64-bit), what each side learns. Per
// branch: `good` (0: dst, 1: src, -1: none) gets find_good_pkt_pointers(good_open) applied to every
// register of its type and id; `end` (0/1/-1) gets mark_pkt_end(end_open).
struct pkt_branch {
    std::int8_t good = -1, end = -1;
    bool good_open = false, end_open = false;
};
struct pkt_match {
    bool matched = false;
    pkt_branch taken, fall;
};
constexpr pkt_match try_match_pkt_pointers(std::uint8_t op, bool is32, bool x_src, const reg_value& dst,
                                           const reg_value& src) {
    op &= 0xf0;
    pkt_match r;
    if (!x_src || is32) return r;
    const bool dst_side = (dst.type == reg_type::pkt && src.type == reg_type::pkt_end) ||
                          (dst.type == reg_type::pkt_meta && reg_is_init_pkt_pointer(src, reg_type::pkt));
    const bool src_side = (dst.type == reg_type::pkt_end && src.type == reg_type::pkt) ||
                          (reg_is_init_pkt_pointer(dst, reg_type::pkt) && src.type == reg_type::pkt_meta);
    if (!dst_side && !src_side) return r;
    const std::int8_t g = dst_side ? 0 : 1;
    // (the kernel's this_branch is the fall-through side, other_branch the taken one)
    const pkt_branch good_closed{g, -1, false, false}, good_open{g, -1, true, false}, end_at{-1, g, false, false},
        end_beyond{-1, g, false, true};
    switch (op) {
    case sop::jgt: // pkt' > pkt_end: the fall-through side has pkt' <= pkt_end
        if (dst_side) r.fall = good_closed, r.taken = end_beyond;
        else r.taken = good_open, r.fall = end_at;
        break;
    case sop::jlt:
        if (dst_side) r.taken = good_open, r.fall = end_at;
        else r.fall = good_closed, r.taken = end_beyond;
        break;
    case sop::jge:
        if (dst_side) r.fall = good_open, r.taken = end_at;
        else r.taken = good_closed, r.fall = end_beyond;
        break;
    case sop::jle:
        if (dst_side) r.taken = good_closed, r.fall = end_beyond;
        else r.fall = good_open, r.taken = end_at;
        break;
    default: return r;
    }
    r.matched = true;
    return r;
}

// mark_ptr_or_null_reg(): a null check of pointers with this id; is_null: the `== NULL` side.
// (Map values with a spin lock keep their id in the kernel: not modelled.)
constexpr void mark_ptr_or_null_reg(reg_value& r, std::uint32_t id, bool is_null) {
    if (!type_may_be_null(r.type) || r.id != id) return;
    if (is_null) {
        r.type = reg_type::scalar, r.id = 0, r.ref_obj_id = 0;
        return;
    }
    r.type = base_type(r.type);
    r.id = 0;
}

// ---- memory access ----

// __check_mem_access() (no message of its own if it passes)
constexpr bool mem_access_ok(s64 off, int size, u64 mem_size, bool zero_size_allowed) {
    return off >= 0 && (size > 0 || (size == 0 && zero_size_allowed)) && static_cast<u64>(off) + static_cast<u64>(size) <= mem_size;
}
namespace vdetail {
constexpr void mem_access_message(value_msg& m, const reg_value& r, int regno, s64 off, int size, u64 mem_size) {
    switch (r.type) {
    case reg_type::map_key: m.put("invalid access to map key, key_size=").d(static_cast<s32>(mem_size)); break;
    case reg_type::map_value: m.put("invalid access to map value, value_size=").d(static_cast<s32>(mem_size)); break;
    case reg_type::pkt:
    case reg_type::pkt_meta:
    case reg_type::pkt_end:
        m.put("invalid access to packet, off=").d(static_cast<s32>(off)).put(" size=").d(size).put(", ").reg(regno);
        m.put("(id=").u(r.id).put(",off=").d(static_cast<s32>(off)).put(",r=").d(static_cast<s32>(mem_size)).put(")\n");
        return;
    default: m.put("invalid access to memory, mem_size=").u(static_cast<u32>(mem_size)); break;
    }
    m.put(" off=").d(static_cast<s32>(off)).put(" size=").d(size).put("\n");
}
} // namespace vdetail

// check_mem_region_access(): an access of size bytes at r + off (r's variable offset too) inside
// [0, mem_size); c: the rule reported (map values, memory).
constexpr value_error check_mem_region_access(const reg_value& r, int regno, int off, int size, u32 mem_size,
                                              bool zero_size_allowed,
                                              errc c = errc::invalid_memory_access) {
    using namespace vdetail;
    const scalar_value& v = r.v;
    value_msg m;
    if (v.smin < 0 && (v.smin == s64_min || off + v.smin != static_cast<s32>(off + v.smin) || v.smin + off < 0))
        return fail(c, EACCES, m.reg(regno).put(" min value is negative, either use unsigned index or do a if (index >=0) check."));
    if (!mem_access_ok(v.smin + off, size, mem_size, zero_size_allowed)) {
        mem_access_message(m, r, regno, static_cast<s32>(v.smin + off), size, mem_size);
        return fail(c, EACCES, m.reg(regno).put(" min value is outside of the allowed memory range"));
    }
    if (v.umax >= static_cast<u64>(max_var_off))
        return fail(c, EACCES, m.reg(regno).put(" unbounded memory access, make sure to bounds check any such access"));
    if (!mem_access_ok(static_cast<s32>(v.umax + static_cast<u64>(static_cast<s64>(off))), size, mem_size, zero_size_allowed)) {
        mem_access_message(m, r, regno, static_cast<s32>(v.umax + static_cast<u64>(static_cast<s64>(off))), size, mem_size);
        return fail(c, EACCES, m.reg(regno).put(" max value is outside of the allowed memory range"));
    }
    return {};
}

// check_map_access() without BTF record fields: off is the instruction's offset plus r.off.
constexpr value_error check_map_access(const reg_value& r, int regno, int off, int size, u32 value_size,
                                       bool zero_size_allowed = false) {
    return check_mem_region_access(r, regno, off, size, value_size, zero_size_allowed,
                                   errc::map_value_access_is_out_of_bounds);
}

// check_packet_access(): off is the instruction's offset plus r.off.
constexpr value_error check_packet_access(const reg_value& r, int regno, int off, int size,
                                          bool zero_size_allowed = false) {
    using namespace vdetail;
    value_msg m;
    if (r.v.smin < 0)
        return fail(errc::packet_access_is_out_of_range, EACCES,
                    m.reg(regno).put(" min value is negative, either use unsigned index or do a if (index >=0) check."));
    if (r.range < 0 || !mem_access_ok(off, size, static_cast<u32>(r.range), zero_size_allowed)) {
        if (r.range >= 0) mem_access_message(m, r, regno, off, size, static_cast<u32>(r.range));
        return fail(errc::packet_access_is_out_of_range, r.range < 0 ? EINVAL : EACCES,
                    m.reg(regno).put(" offset is outside of the packet"));
    }
    return {};
}

// __check_ptr_off_reg(): a pointer that must be unmodified (contexts, sockets; fixed_off_ok for
// helper arguments that allow a fixed offset).
constexpr value_error check_ptr_off_reg(const reg_value& r, int regno, bool fixed_off_ok = false) {
    using namespace vdetail;
    value_msg m;
    const errc c = r.type == reg_type::ctx ? errc::modified_context_pointer : errc::invalid_memory_access;
    if (r.off < 0)
        return fail(c, EACCES, m.put("negative offset ").type(r.type).put(" ptr ").reg(regno).put(" off=").d(r.off).put(" disallowed"));
    if (!fixed_off_ok && r.off != 0)
        return fail(c, EACCES,
                    m.put("dereference of modified ").type(r.type).put(" ptr ").reg(regno).put(" off=").d(r.off).put(" disallowed"));
    if (!tnum_equals_const(r.v.var_off, 0))
        return fail(c, EACCES, m.put("variable ").type(r.type).put(" access var_off=").t(r.v.var_off).put(" disallowed"));
    return {};
}

// check_stack_access_within_bounds(): off is the instruction's offset plus r.off; access: 0 read,
// 1 write, 2 helper; allocated_stack: the frame's allocated bytes (reads need them, unless
// allow_uninit_stack, as for root).
enum class stack_access : std::uint8_t { read, write, helper };
constexpr value_error check_stack_access_within_bounds(const reg_value& r, int regno, int off, int size,
                                                       stack_access access, int allocated_stack,
                                                       bool allow_uninit_stack = true) {
    using namespace vdetail;
    const std::string_view extra = access == stack_access::helper ? " indirect access to"
                                   : access == stack_access::read ? " read from"
                                                                  : " write to";
    value_msg m;
    s64 min_off = 0, max_off = 0;
    if (r.v.is_const()) {
        min_off = static_cast<s64>(r.v.var_off.value) + off;
        max_off = min_off + size;
    } else {
        if (r.v.smax >= max_var_off || r.v.smin <= -max_var_off)
            return fail(errc::invalid_stack_access, EACCES,
                        m.put("invalid unbounded variable-offset").put(extra).put(" stack ").reg(regno));
        min_off = r.v.smin + off;
        max_off = r.v.smax + off + size;
    }
    const s64 min_valid = access == stack_access::write || allow_uninit_stack ? -max_bpf_stack : -allocated_stack;
    if (min_off < min_valid || min_off > -1 || max_off > 0 || size < 0) {
        if (r.v.is_const()) m.put("invalid").put(extra).put(" stack ").reg(regno).put(" off=").d(off).put(" size=").d(size);
        else
            m.put("invalid variable-offset").put(extra).put(" stack ").reg(regno).put(" var_off=").t(r.v.var_off).put(" off=").d(off).put(" size=").d(size);
        return fail(errc::invalid_stack_access, size < 0 ? EFAULT : min_off < min_valid || min_off > -1 ? EACCES : EINVAL, m);
    }
    return {};
}

// check_mem_access()'s last case: a register of a type that cannot be dereferenced.
constexpr value_error invalid_mem_access(const reg_value& r, int regno) {
    value_msg m;
    m.reg(regno).put(" invalid mem access '").type(r.type).put("'");
    return vdetail::fail(r.type == reg_type::scalar ? errc::memory_access_through_a_scalar : errc::invalid_memory_access,
                         EACCES, m);
}

// check_ptr_alignment(): off is the instruction's offset (r.off is added here); strict: the
// program's BPF_F_STRICT_ALIGNMENT (or !CONFIG_HAVE_EFFICIENT_UNALIGNED_ACCESS). Stack accesses are
// always strict; packets are checked against NET_IP_ALIGN = 2.
constexpr value_error check_ptr_alignment(const reg_value& r, int off, int size, bool strict = false) {
    std::string_view desc;
    const bool pkt = reg_is_pkt_pointer(r);
    switch (r.type) {
    case reg_type::map_key: desc = "key "; break;
    case reg_type::map_value: desc = "value "; break;
    case reg_type::ctx: desc = "context "; break;
    case reg_type::stack: desc = "stack ", strict = true; break;
    case reg_type::sock: desc = "sock "; break;
    case reg_type::sock_common: desc = "sock_common "; break;
    case reg_type::tcp_sock: desc = "tcp_sock "; break;
    default: break;
    }
    if (!strict || size == 1) return {};
    const int ip_align = pkt ? 2 : 0;
    if (tnum_is_aligned(tnum_add(r.v.var_off, tnum_const(static_cast<u64>(static_cast<s64>(ip_align + r.off + off)))),
                        static_cast<u64>(size)))
        return {};
    value_msg m;
    if (pkt) m.put("misaligned packet access off ").d(ip_align).put("+");
    else m.put("misaligned ").put(desc).put("access off ");
    m.t(r.v.var_off).put("+").d(r.off).put("+").d(off).put(" size ").d(size);
    return vdetail::fail(r.type == reg_type::stack ? errc::misaligned_stack_access : errc::invalid_memory_access, EACCES, m);
}

// ---- pruning ----

// range_within(): every bound of cur inside old's.
constexpr bool range_within(const scalar_value& old, const scalar_value& cur) {
    return old.umin <= cur.umin && old.umax >= cur.umax && old.smin <= cur.smin && old.smax >= cur.smax &&
           old.u32_min <= cur.u32_min && old.u32_max >= cur.u32_max && old.s32_min <= cur.s32_min &&
           old.s32_max >= cur.s32_max;
}

// The kernel's bpf_idmap for check_ids(): old id -> cur id pairs, plus fresh ids for scalar ids
// that appear only on one side (check_scalar_ids()).
struct id_map {
    struct pair {
        std::uint32_t old_id, cur_id;
    };
    pair map[64] = {};
    std::uint32_t count = 0, tmp_id_gen = 0x40000000u;
    // check_ids()
    constexpr bool check(std::uint32_t old_id, std::uint32_t cur_id) {
        if (old_id == 0) return cur_id == 0; // (either both are linked or neither is)
        if (cur_id == 0) return false;
        for (std::uint32_t i = 0; i < count; ++i) {
            if (map[i].old_id == old_id) return map[i].cur_id == cur_id;
            if (map[i].cur_id == cur_id) return false;
        }
        if (count == 64) return false; // (the kernel's map has room for every register and slot)
        map[count++] = {old_id, cur_id};
        return true;
    }
    // check_scalar_ids(): an id only one side has is as good as a fresh unique one
    constexpr bool check_scalar(std::uint32_t old_id, std::uint32_t cur_id) {
        if (old_id == 0 && cur_id == 0) return true;
        old_id = old_id != 0 ? old_id : ++tmp_id_gen;
        cur_id = cur_id != 0 ? cur_id : ++tmp_id_gen;
        return check(old_id, cur_id);
    }
};

// regsafe() (NOT_EXACT; read: the explored state read the register, its liveness): may the
// explored state's register `old` stand for the current `cur`?
constexpr bool regsafe(const reg_value& old, const reg_value& cur, id_map& ids, bool read = true) {
    if (!read) return true;
    if (old.type == reg_type::not_init) return true;
    if (old.type != cur.type) return false;
    const auto within = [](const reg_value& o, const reg_value& c) {
        return range_within(o.v, c.v) && tnum_in(o.v.var_off, c.v.var_off);
    };
    switch (base_type(old.type)) {
    case reg_type::scalar:
        if (!old.precise) return true;
        if ((old.id & add_const_flag) != 0 && (cur.id & add_const_flag) == 0) return false;
        if (old.id != 0 && (old.id & add_const_flag) == 0 && (cur.id & add_const_flag) != 0) return false;
        if ((old.id & add_const_flag) != 0 && old.off != cur.off) return false;
        if (!ids.check_scalar(old.id, cur.id)) return false;
        return within(old, cur);
    case reg_type::map_key:
    case reg_type::map_value:
    case reg_type::mem:
    case reg_type::rdonly_mem:
    case reg_type::ringbuf_mem:
        // (memcmp up to var_off: type, off, map, mem size)
        return old.off == cur.off && old.map == cur.map && old.range == cur.range && within(old, cur) &&
               ids.check(old.id, cur.id) && ids.check(old.ref_obj_id, cur.ref_obj_id);
    case reg_type::pkt_meta:
    case reg_type::pkt:
        if (old.range < 0 || cur.range < 0) {
            if (old.range != cur.range) return false;
        } else if (old.range > cur.range) {
            return false;
        }
        if (old.off != cur.off) return false;
        if (!ids.check(old.id, cur.id)) return false;
        return within(old, cur);
    default: // regs_exact(): everything but ids equal, ids consistently mapped (stack: same frame too)
        return old.v == cur.v && old.off == cur.off && old.range == cur.range && old.frameno == cur.frameno &&
               old.map == cur.map && ids.check(old.id, cur.id) && ids.check(old.ref_obj_id, cur.ref_obj_id);
    }
}

// ---- the verifier log's text of a register (print_reg_state) ----

struct reg_text {
    char data[320] = {};
    std::uint32_t size = 0;
    constexpr std::string_view view() const { return {data, size}; }
};

// map_desc: the map's name (may be empty), key and value sizes, for map_ptr/map_value/map_key.
struct map_desc {
    std::string_view name;
    u32 key_size = 0, value_size = 0;
};

// print_reg_state() for a register of the current frame `curframe` (no "P", no liveness marks).
constexpr reg_text print_reg_state(const reg_value& r, const map_desc& map = {}, std::uint8_t curframe = 0) {
    reg_text out;
    const auto put = [&out](std::string_view s) {
        for (char c : s)
            if (out.size < sizeof out.data) out.data[out.size++] = c;
    };
    const auto snum = [&put](s64 v) { // verbose_snum / verbose_unum
        scalar_text t;
        t.snum(v);
        put(t.view());
    };
    if (r.type == reg_type::scalar) {
        const scalar_text t = to_text(r.v);
        if (r.v.is_const() || r.id == 0) return put(t.view()), out;
        // "scalar(id=N[+K],...)"
        put("scalar(id=");
        value_msg m;
        m.u(r.id & ~add_const_flag);
        if ((r.id & add_const_flag) != 0) m.put(r.off >= 0 ? "+" : "").d(r.off);
        put(m.view());
        const std::string_view rest = t.view().substr(7);
        if (rest != ")") put(",");
        put(rest);
        return out;
    }
    value_msg tn;
    put(tn.type(r.type).view());
    if (r.type == reg_type::stack) {
        if (r.frameno != curframe) {
            value_msg f;
            put(f.put("[").d(r.frameno).put("]").view());
        }
        if (r.v.is_const()) return snum(static_cast<s64>(r.v.var_off.value + static_cast<u64>(static_cast<s64>(r.off)))), out;
    }
    put("(");
    const char* sep = "";
    const auto field = [&](std::string_view name) { put(sep), put(name), sep = ","; };
    if (r.id != 0) {
        value_msg m;
        field(m.put("id=").u(r.id & ~add_const_flag).view());
    }
    if (r.ref_obj_id != 0) {
        value_msg m;
        field(m.put("ref_obj_id=").u(r.ref_obj_id).view());
    }
    const reg_type bt = base_type(r.type);
    if (bt == reg_type::map_ptr || bt == reg_type::map_value || bt == reg_type::map_key) {
        value_msg m;
        if (!map.name.empty()) field(m.put("map=").put(map.name).view()), m.size = 0;
        field(m.put("ks=").d(map.key_size).put(",vs=").d(map.value_size).view());
    }
    if (r.off != 0) field("off="), snum(r.off);
    if (bt == reg_type::pkt || bt == reg_type::pkt_meta) {
        scalar_text t;
        t.unum(static_cast<u64>(static_cast<s64>(r.range)));
        field("r="), put(t.view());
    }
    if (bt == reg_type::mem || bt == reg_type::rdonly_mem || bt == reg_type::ringbuf_mem) {
        scalar_text t;
        t.unum(static_cast<u32>(r.range));
        field("sz="), put(t.view());
    }
    if (r.v.is_const()) {
        if (r.v.var_off.value != 0) field("imm="), snum(static_cast<s64>(r.v.var_off.value));
    } else {
        const scalar_text t = to_text(r.v); // "scalar(ranges,var_off=...)"
        const std::string_view inner = t.view().substr(7, t.size - 8);
        if (!inner.empty()) put(sep), put(inner);
    }
    put(")");
    return out;
}

} // namespace ctbpf::detail::vfy
