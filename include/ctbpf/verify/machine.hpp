// Verifier internals: the abstract machine the path walk runs on. Registers of up to 8 frames
// (copied at forks), stack slots and frame data as hashed cells with an undo trail, acquired
// references, the pending branches (fork, next_path) and the marks a branch applies to every
// copy of a pointer (null checks, packet ranges); the scalar helpers every transfer shares.
#pragma once

#include <bit>
#include <cstdint>
#include <type_traits>

#include "ctbpf/helper_table.hpp"
#include "ctbpf/verify/cfg.hpp"
#include "ctbpf/verify/context.hpp"
#include "ctbpf/verify/helper_availability.hpp"
#include "ctbpf/verify/helper_protos.hpp"
#include "ctbpf/verify/value.hpp"

namespace ctbpf::detail::vfy {

// Where a helper without arguments may be called (measured on Linux 6.18.44 for socket_filter,
// sched_cls, sched_act, xdp and cgroup_skb, as root and unprivileged; tests/verify_kernel_test.cpp
// measures it again): 0 not known (left to the kernel), 1 everywhere, 2 only with CAP_BPF and
// CAP_PERFMON ("program of this type cannot use helper ..." unprivileged).
inline constexpr std::uint8_t avail_unknown = 0, avail_everywhere = 1, avail_root = 2;

// Helper facts by id: return kinds (from the documented signatures; bpf_task_pt_regs returns a
// pointer) and where the helpers without arguments may be called.
inline constexpr auto helper_returns = [] {
    struct table {
        std::uint8_t kind[helper_max_id + 1]{};
        std::uint8_t avail[helper_max_id + 1]{};
    } t{};
    for (int id : {5, 7, 8, 14, 15, 42, 125, 160, 208}) t.avail[id] = avail_everywhere; // ktime, prandom, cpu, pid/uid, numa...
    for (int id : {35, 80, 118, 158}) t.avail[id] = avail_root; // current task (btf), cgroup id, jiffies64
    for (std::int32_t id = 0; id <= helper_max_id; ++id) {
        const std::string_view sig = helper_table[id].signature;
        const std::size_t name = sig.rfind("bpf_", sig.find('(')); // (the return type may be struct bpf_...)
        const std::string_view head = name == std::string_view::npos ? std::string_view{} : sig.substr(0, name);
        t.kind[id] = head.find('*') != std::string_view::npos ? ret_pointer : head == "void " ? ret_void : ret_scalar;
    }
    t.kind[static_cast<int>(helper::task_pt_regs)] = ret_pointer;
    return t;
}();

// The registers of a frame, a value: at a fork the frames up to the current one are copied
// (the deeper ones are empty), so register writes need no undo record.
struct frame_registers {
    cell r[frame_regs];
};
struct register_file {
    frame_registers f[max_frames];
};

struct pending_entry {
    std::uint32_t insn = 0;   // where the other side continues
    std::uint32_t mark = 0;   // trail size at the fork
    cell refine{};                  // on the other side register refine_reg is this
    std::uint8_t refine_reg = 0xff;
    bool may_goto = false;
    std::uint32_t lossy = 0;        // explorer::lossy_ at the fork
    std::uint8_t frames = 0;        // frames 0 .. frames-1 were copied to snaps_[snap ...]
    std::uint32_t snap = 0;
    // on the other side, also: mark_ptr_or_null_regs() (mark_id: the id; mark_arg 1: null, 0: not
    // null), or find_good_pkt_pointers() (mark_kind: the packet pointer type, mark_id, mark_arg: range)
    std::uint8_t mark_kind = 0;
    std::uint32_t mark_id = 0;
    std::int32_t mark_arg = 0;
    std::uint32_t doubt = 0;        // explorer::doubt_ at the fork
    // a comparison of two registers on exact scalars: on the other side register refine2_reg is
    // refine2 too; sync: then sync_linked_regs() from refine2_reg and refine_reg
    cell refine2{};
    std::uint8_t refine2_reg = 0xff;
    bool sync = false;
};

struct visit_record {
    std::uint64_t exact = 0;           // the whole state (an infinite loop repeats it exactly)
    std::int64_t forks = 0, gotos = 0; // path counters when recorded
    std::uint32_t lossy = 0;           // explorer::lossy_ when recorded
    std::uint32_t insn = 0;
    std::uint32_t pos = 0;             // trail size when recorded
    std::uint32_t group = 0;           // its state_group
    bool open = false;                 // still an ancestor of the current path
};
// The records of one instruction that are equal for pruning (the same key: live registers,
// imprecise ones by kind only, and the stack).
struct state_group {
    std::uint64_t hash = 0;
    std::uint32_t insn = 0;
    std::uint32_t first = 0;  // its first record
    std::uint32_t closed = 0; // records explored completely: a state equal to them is pruned
};

// An unknown value narrowed by a load of 1, 2 or 4 bytes, zero- or sign-extended (coerce()).
struct coerced_table {
    cell v[2][3];
};
inline constexpr coerced_table coerced_unknown = [] {
    coerced_table t{};
    for (int sx = 0; sx < 2; ++sx)
        for (unsigned i = 0; i < 3; ++i) {
            const scalar_value s = coerce(scalar_value{}, 1u << i, sx != 0);
            t.v[sx][i] = cell{static_cast<std::int64_t>(~s.umax), k_scalar,
                              static_cast<std::uint8_t>(exact | (s.umin >= 1 ? nonzero : 0)), 0, 0, 0, 0, 0, s};
        }
    return t;
}();

class machine : public structure {
protected:
    using structure::structure;

    // ---- state ----
    constexpr void set(std::uint32_t i, const cell& v) { // stack slots and frame data (hashed, undone)
        if (pending_.size != 0) trail_.push({i, c_.p[i]});
        h_ ^= cell_hash(i, c_.p[i]) ^ cell_hash(i, v);
        c_.p[i] = v;
    }
    constexpr const cell& reg(std::uint32_t r) const { return rf_.f[cf_].r[r]; }
    constexpr void set_reg(std::uint32_t r, const cell& v) { rf_.f[cf_].r[r] = v; }
    constexpr void set_reg(std::uint32_t r, std::uint8_t kind, std::int64_t v = 0) { set_reg(r, {v, kind, 0, 0, 0}); }
    constexpr std::uint32_t curframe() const { return static_cast<std::uint32_t>(c_.p[cell_curframe].v); }
    // A scalar whose bound or flags a spill would drop.
    static constexpr bool bounded(const cell& c) {
        return c.kind == k_scalar && (c.v != 0 || (c.frame & (nonzero | negative)) != 0 || ((c.frame & exact) && !(c.s == scalar_value{})));
    }
    // ---- scalars the model knows as the kernel does (cell::s, frame & exact) ----
    // A scalar_value as a register: a constant as k_const, else an exact k_scalar (v, the flags and
    // `unbounded` say what s says, for the transfers that read only those).
    static constexpr cell exact_scalar(const scalar_value& s, std::uint32_t id = 0) {
        return s.var_off.mask == 0 ? cell{static_cast<std::int64_t>(s.var_off.value), k_const, 0, 0, 0, id}
                                   : cell{static_cast<std::int64_t>(~s.umax), k_scalar,
                                          static_cast<std::uint8_t>(exact | (s.umin >= 1 ? nonzero : 0) |
                                                                    (s.umin >= (std::uint64_t{1} << 63) ? negative : 0)),
                                          static_cast<std::uint8_t>(s == scalar_value{} ? unbounded : 0), 0, id, 0, 0, s};
    }
    // mark_reg_unknown(): every bit unknown, as the kernel knows it
    static constexpr cell unknown_scalar() { return {0, k_scalar, exact, unbounded, 0}; }
    // constants and exact scalars: the model's value is the kernel's
    static constexpr bool exactish(const cell& c) { return c.kind == k_const || is_exact_scalar(c); }
    static constexpr scalar_value s_of(const cell& c) {
        return c.kind == k_const ? scalar_value::constant(static_cast<std::uint64_t>(c.v)) : c.s;
    }
    // the kernel learns something here that the model does not: the value is a bound only now
    constexpr void blur(cell& c) {
        if (is_exact_scalar(c)) c.frame &= static_cast<std::uint8_t>(~exact), c.init = 0, ++lossy_;
    }
    // a spilled register back in a register
    static constexpr cell from_spill(const cell& sl) {
        cell r = sl;
        r.init = is_exact_scalar(sl) && sl.s == scalar_value{} ? unbounded : 0;
        r.size = 0;
        return r;
    }
    // The id a move of the unknown scalar in register r gives both registers (the kernel's
    // assign_scalar_id_before_mov(): a new one unless it has one). Ids only tell loops apart: the
    // kernel calls a loop infinite only when the registers repeat with their ids.
    constexpr std::uint32_t scalar_id(std::uint32_t r) {
        cell& c = rf_.f[cf_].r[r];
        if (c.id == 0) c.id = ++id_gen_;
        return c.id;
    }
    // The id of `before` + const (64-bit; `after` its result): kept, marked, once, as root
    constexpr std::uint32_t added_const_id(const cell& before, const cell& after, std::uint64_t k) const {
        return root_ && before.id != 0 && !(before.id & add_const_id) && k <= 0x7fffffff && after.kind == k_scalar
                   ? before.id | add_const_id
                   : 0;
    }
    static constexpr bool is_ptr(const cell& x) { return is_known_pointer(x.kind); }
    // ---- pointers with a variable offset (cell::var): the kernel's register (verify/value.hpp) ----
    // The kernel's type of a known pointer kind.
    static constexpr reg_type reg_type_of(std::uint8_t kind) {
        constexpr reg_type types[] = {reg_type::not_init, reg_type::scalar, reg_type::scalar, reg_type::ctx,
                                      reg_type::stack, reg_type::kernel_only, reg_type::map_ptr, reg_type::map_value,
                                      reg_type::map_value_or_null, reg_type::pkt, reg_type::pkt_meta, reg_type::pkt_end,
                                      reg_type::sock_or_null, reg_type::sock, reg_type::sock_common_or_null,
                                      reg_type::sock_common, reg_type::tcp_sock_or_null, reg_type::tcp_sock,
                                      reg_type::ringbuf_mem_or_null, reg_type::ringbuf_mem};
        return kind < k_kinds ? types[kind] : reg_type::kernel_only;
    }
    // A known pointer as the kernel's register: off = v, the variable part s (or 0).
    static constexpr reg_value reg_of(const cell& c) {
        reg_value r = reg_value::pointer(reg_type_of(c.kind), static_cast<std::int32_t>(c.v));
        if (c.var != 0) r.v = c.s;
        r.id = c.id, r.range = c.range;
        r.frameno = c.kind == k_stack ? c.frame : 0;
        r.map = c.kind == k_map_value || c.kind == k_map_ptr || c.kind == k_map_value_or_null ? c.frame : 0;
        return r;
    }
    // The kernel's register back as a pointer cell of `like`'s kind and frame (false: a variable
    // part the model does not keep, a constant other than 0).
    static constexpr bool cell_of(const reg_value& r, const cell& like, cell& out) {
        const bool var = !tnum_equals_const(r.v.var_off, 0);
        if (var && r.v.is_const()) return false;
        out = cell{r.off, like.kind, like.frame, 0, 0, r.id, r.range, static_cast<std::uint8_t>(var ? 1 : 0)};
        if (var) out.s = r.v;
        return true;
    }
    // A rejection found by verify/value.hpp: the kernel's last log line, its errno.
    constexpr void fail_value(const value_error& e) {
        // (the walk files check_reg_sane_offset()'s messages as offsets out of range)
        fail(e.code == errc::pointer_arithmetic_is_prohibited && e.err == EINVAL ? errc::pointer_offset_is_out_of_range : e.code,
             pc_)
            .put(e.text.last());
        r_.errnum = e.err;
    }
    // reg_type_str()
    static constexpr std::string_view type_name(const cell& x) {
        constexpr std::string_view names[] = {"?", "scalar", "scalar", "ctx", "fp", "?", "map_ptr", "map_value",
                                              "map_value_or_null", "pkt", "pkt_meta", "pkt_end", "sock_or_null", "sock",
                                              "sock_common_or_null", "sock_common", "tcp_sock_or_null", "tcp_sock",
                                              "ringbuf_mem_or_null", "ringbuf_mem"};
        return names[x.kind < k_kinds ? x.kind : 0];
    }
    constexpr const map_shape& map_at(const cell& x) const { return maps_[x.frame]; }
    // acquired references (the kernel's refs[]): ids in the reference cells
    constexpr bool has_ref(std::uint32_t id) const {
        for (std::uint32_t i = cell_refs; i < cell_refs + max_refs; ++i)
            if (id != 0 && c_.p[i].kind != 0 && static_cast<std::uint32_t>(c_.p[i].v) == id) return true;
        return false;
    }
    constexpr bool holds_refs() const {
        for (std::uint32_t i = cell_refs; i < cell_refs + max_refs; ++i)
            if (c_.p[i].kind != 0) return true;
        return false;
    }
    constexpr bool add_ref(std::uint32_t id) { // false: more than the model tracks
        for (std::uint32_t i = cell_refs; i < cell_refs + max_refs; ++i)
            if (c_.p[i].kind == 0) return set(i, {id, 1, 0, 0, 0}), true;
        return false;
    }
    constexpr void drop_ref(std::uint32_t id) {
        for (std::uint32_t i = cell_refs; i < cell_refs + max_refs; ++i)
            if (c_.p[i].kind != 0 && static_cast<std::uint32_t>(c_.p[i].v) == id) set(i, cell{});
    }
    // Every register and spilled register of every frame that `match(value, spilled)` picks gets
    // `change(value)`: null checks, packet ranges, invalidation, linked scalars. Spills change
    // through the undo trail and keep their slot's written bytes and width (none once
    // uninitialized). One pass over every frame counts as work.
    template <class Match, class Change>
    constexpr void each_copy(Match match, Change change) {
        work_ += 25 * (cf_ + 1); // (75 cells a frame, a call or two each: about 750 Clang steps)
        for (std::uint32_t f = 0; f <= cf_; ++f) {
            for (cell& c : rf_.f[f].r)
                if (match(c, false)) change(c);
            for (std::uint32_t i = f * frame_cells + frame_slots, e = (f + 1) * frame_cells; i < e; ++i) {
                const cell old = c_.p[i];
                if (old.size == 0 || !match(old, true)) continue;
                cell v = old;
                change(v);
                v.init = old.init, v.size = v.kind == k_uninit ? 0 : old.size;
                set(i, v);
            }
        }
    }
    // release_reference(): the reference is gone and every copy of the pointer is invalid
    constexpr void release_reference(std::uint32_t id) {
        drop_ref(id);
        const cell invalid = root_ ? unknown_scalar() : cell{};
        each_copy([&](const cell& c, bool spill) { return c.id == id && c.kind >= k_sock_or_null && (!spill || c.size == 8); },
                  [&](cell& c) { c = invalid; });
    }
    // check_reference_leak(): "<what> would lead to reference leak"
    constexpr bool reference_leak(std::string_view what) {
        if (!holds_refs()) return false;
        fail(errc::unreleased_reference, pc_).put(what).put(" would lead to reference leak");
        return true;
    }
    // Scalars carry an unsigned upper bound umax, kept as ~umax in v (0: nothing known). It only
    // ever holds bounds the kernel derives too: zero extension, narrow loads, &, >>, |, ^, +.
    static constexpr std::uint64_t umax_of(const cell& c) {
        return c.kind == k_const ? static_cast<std::uint64_t>(c.v) : ~static_cast<std::uint64_t>(c.v);
    }
    // (a scalar in [0, 0] is the constant 0, as the kernel's tnum says)
    static constexpr cell scalar(std::uint64_t umax) {
        return umax == 0 ? cell{0, k_const, 0, 0, 0} : cell{static_cast<std::int64_t>(~umax), k_scalar, 0, 0, 0};
    }
    static constexpr std::uint64_t low_bits(std::uint64_t u) { // the smallest 2^k - 1 >= u
        u |= u >> 1;
        u |= u >> 2;
        u |= u >> 4;
        u |= u >> 8;
        u |= u >> 16;
        return u | u >> 32;
    }
    static constexpr std::uint64_t min_u(std::uint64_t a, std::uint64_t b) { return a < b ? a : b; }
    // The bound of `a op b` (not both constant); ~0 where the kernel does not compute a range
    // (division, modulo, shifts by unknown or too far: then not even the zero extension holds).
    static constexpr std::uint64_t result_bound(std::uint8_t opc, bool is64, const cell& a, const cell& b) {
        const std::uint64_t ua = umax_of(a), ub = umax_of(b), m32 = 0xffffffff;
        const bool shift = opc == op::lsh || opc == op::rsh || opc == op::arsh;
        if (opc == op::div || opc == op::mod || (shift && (b.kind != k_const || ub >= (is64 ? 64u : 32u)))) return ~0ull;
        if (!is64) {
            const std::uint64_t a32 = min_u(ua, m32), b32 = min_u(ub, m32);
            return opc == op::and_ ? min_u(a32, b32)
                   : opc == op::mul ? (b32 == 0 || a32 <= m32 / b32 ? a32 * b32 : m32)
                   : opc == op::rsh && ua <= m32 ? ua >> ub
                   : opc == op::or_ || opc == op::xor_ ? low_bits(a32 > b32 ? a32 : b32)
                                                : m32;
        }
        return opc == op::and_ ? min_u(ua, ub)
               : opc == op::mul ? (ub == 0 || ua <= ~0ull / ub ? ua * ub : ~0ull)
               : opc == op::rsh ? ua >> ub
               : opc == op::or_ || opc == op::xor_ ? low_bits(ua > ub ? ua : ub)
               : opc == op::add && ua + ub >= ua ? ua + ub
                                              : ~0ull;
    }
    // a value loaded into a register: narrow loads zero-extend (or sign-extend)
    constexpr void fill(std::uint32_t r, cell v, std::uint32_t size, bool sx) {
        if (size < 8 && v.kind == k_const) v.v = narrow(v.v, size, sx);
        else if (size < 8 && is_exact_scalar(v)) // coerce_reg_to_size() / coerce_reg_to_size_sx()
            v = v.init == unbounded ? coerced_unknown.v[sx][size == 1 ? 0 : size == 2 ? 1 : 2]
                                    : (work_ += 6, exact_scalar(coerce(v.s, size, sx), v.id));
        else if (size < 8 && v.kind == k_scalar) // (zero-extending an unknown value: exactly what the kernel knows)
            lossy_ += sx || umax_of(v) != ~0ull, v = scalar(sx ? ~0ull : min_u(umax_of(v), (std::uint64_t{1} << (8 * size)) - 1));
        set_reg(r, v);
    }
    // is_pointer_value(): only unprivileged loads care; an opaque value is left to the kernel
    constexpr bool leaks(const cell& x) {
        if (root_) return false;
        if (x.kind == k_opaque) defer(deferral::unknown_pointer, pc_);
        return is_ptr(x);
    }
    constexpr verifier_message& fail_reg(errc e, std::uint32_t r, std::string_view what) {
        return fail(e, pc_).put("R").put_uint(r).put(what);
    }
    constexpr bool read_reg(std::uint32_t r) {
        if (r < 11 && rf_.f[cf_].r[r].kind != k_uninit) return true;
        if (r >= 11) {
            fail_reg(errc::register_number_is_invalid, r, " is invalid");
            return false;
        }
        if (rf_.f[cf_].r[r].kind == k_uninit) {
            fail_reg(errc::register_read_before_write, r, " !read_ok");
            return false;
        }
        return true;
    }
    constexpr bool write_ok(std::uint32_t r) {
        if (r < 10) return true;
        if (r >= 11) {
            fail_reg(errc::register_number_is_invalid, r, " is invalid");
            return false;
        }
        if (r == 10) {
            fail(errc::frame_pointer_is_read_only, pc_).put("frame pointer is read only");
            return false;
        }
        return true;
    }
    constexpr void clobber_caller_saved(std::uint8_t r0_kind) {
        cell* r = rf_.f[cf_].r;
        r[0] = cell{0, r0_kind, 0, 0, 0}, r[1] = r[2] = r[3] = r[4] = r[5] = cell{};
    }
    // A helper's integer result: fully unknown (mark_reg_unknown()) unless the kernel bounds it
    // (do_refine_retval_range(): get_stack, get_task_stack, probe_read_*_str, smp_processor_id)
    static constexpr cell helper_integer(std::int32_t id) {
        return id == 8 || id == 45 || id == 67 || id == 114 || id == 115 || id == 141 ? cell{0, k_scalar, 0, 0, 0}
                                                                                     : unknown_scalar();
    }
    // an array lookup's result: 6.18 knows it is not NULL when the key is a constant in range, so
    // the model does not say which side of its null check the kernel walks
    static constexpr std::uint8_t maybe_not_null = 2; // cell::init of such a k_opaque
    // do_refine_retval_range(): bpf_get_smp_processor_id() < nr_cpu_ids, when the profile knows it
    constexpr void helper_result(std::int32_t id) {
        if (id == static_cast<std::int32_t>(helper::get_smp_processor_id) && o_.kernel.nr_cpu_ids != 0)
            rf_.f[cf_].r[0] = scalar(o_.kernel.nr_cpu_ids - 1);
        if (changes_pkt_data(id)) clear_all_pkt_pointers();
    }
    // bpf_helper_changes_pkt_data(): after these, every packet pointer is invalid (6.18: not
    // after a tail call, which does not return when it succeeds)
    static constexpr bool changes_pkt_data(std::int32_t id) {
        switch (id) {
        case 9: case 10: case 11: case 13: case 18: case 19: case 31: case 38: case 39: case 43: case 44:
        case 50: case 54: case 63: case 65: case 73: case 74: case 75: case 76: case 90: case 91: case 142:
            return true;
        default: return false;
        }
    }
    // clear_all_pkt_pointers() -> mark_reg_invalid(): an unknown scalar for root, uninitialized otherwise
    constexpr void clear_all_pkt_pointers() {
        const cell invalid = root_ ? unknown_scalar() : cell{};
        each_copy([&](const cell& c, bool spill) { return is_pkt_any(c) && (!spill || c.size == 8); },
                  [&](cell& c) { c = invalid; });
    }
    static constexpr std::uint32_t size_of(std::uint32_t code) {
        return (code & op::size_mask) == op::dw ? 8u : (code & op::size_mask) == op::b ? 1u : (code & op::size_mask) == op::h ? 2u : 4u;
    }
    // two scalars: the kernel tracks constants through everything but division and modulo
    static constexpr cell fold(std::uint32_t opc, bool is64, const cell& a, const cell& b) {
        return a.kind == k_const && b.kind == k_const && opc != op::div && opc != op::mod &&
                       !((opc == op::lsh || opc == op::rsh || opc == op::arsh) &&
                         static_cast<std::uint64_t>(b.v) >= (is64 ? 64u : 32u))
                   ? cell{const_alu(opc, is64, static_cast<std::uint64_t>(a.v), static_cast<std::uint64_t>(b.v)),
                          k_const, 0, 0, 0}
                   : scalar(result_bound(static_cast<std::uint8_t>(opc), is64, a, b));
    }
    static constexpr std::int64_t const_alu(std::uint32_t opc, bool is64, std::uint64_t a, std::uint64_t b) {
        return static_cast<std::int64_t>(
            is64 ? (opc == op::add   ? a + b
                    : opc == op::sub ? a - b
                    : opc == op::mul ? a * b
                    : opc == op::or_ ? a | b
                    : opc == op::and_ ? a & b
                    : opc == op::xor_ ? a ^ b
                    : opc == op::lsh ? a << b
                    : opc == op::rsh ? a >> b
                                  : static_cast<std::uint64_t>(static_cast<std::int64_t>(a) >> b))
                 : std::uint64_t{static_cast<std::uint32_t>(
                       opc == op::add   ? a + b
                       : opc == op::sub ? a - b
                       : opc == op::mul ? (a & 0xffffffff) * (b & 0xffffffff)
                       : opc == op::or_ ? a | b
                       : opc == op::and_ ? a & b
                       : opc == op::xor_ ? a ^ b
                       : opc == op::lsh ? (a & 0xffffffff) << b
                       : opc == op::rsh ? (a & 0xffffffff) >> b
                                     : static_cast<std::uint32_t>(static_cast<std::int32_t>(static_cast<std::uint32_t>(a)) >> b))});
    }
    constexpr void grow(std::uint32_t fb, std::int64_t off) { // the subprogram's stack depth
        std::int32_t& depth = depth_.p[c_.p[fb + frame_meta + 1].frame];
        (void)(depth < -off && (depth = static_cast<std::int32_t>((-off + 7) / 8 * 8), true));
    }
    static constexpr std::int64_t narrow(std::int64_t v, std::uint32_t size, bool sx) {
        const auto u = static_cast<std::uint64_t>(v);
        return size == 8 ? v
               : sx      ? (size == 4 ? std::int64_t{static_cast<std::int32_t>(u)}
                            : size == 2 ? std::int64_t{static_cast<std::int16_t>(u)}
                                        : std::int64_t{static_cast<std::int8_t>(u)})
                         : static_cast<std::int64_t>(u & ((std::uint64_t{1} << (8 * size)) - 1));
    }
    // mark_ptr_or_null_regs(): "if rX == 0" on a pointer that may be null
    static constexpr bool is_null_check(const insn& x, const cell& a) {
        return x.code == (op::jmp | op::k | op::jeq) || x.code == (op::jmp | op::k | op::jne) ? x.imm == 0 && is_or_null(a.kind) : false;
    }
    static constexpr bool is_pkt_any(const cell& c) { return c.kind == k_pkt || c.kind == k_pkt_meta || c.kind == k_pkt_end; }
    static constexpr bool init_pkt(const cell& c) { return c.kind == k_pkt && c.id == 0 && c.v == 0 && c.var == 0; }
    constexpr void set_mark(std::uint8_t kind, std::uint32_t id, std::int32_t arg) {
        pending_entry& e = pending_.p[pending_.size - 1];
        e.mark_kind = kind, e.mark_id = id, e.mark_arg = arg;
    }
    // Every register and spilled register of every frame that is a copy of the pointer: a null
    // check's outcome (arg 1: null, 0: not null), or a packet range (arg: the new range).
    constexpr void mark_regs(std::uint8_t kind, std::uint32_t id, std::int32_t arg) {
        if (is_or_null(kind) && arg) drop_ref(id); // a NULL holds no reference
        each_copy([&](const cell& c, bool spill) { return c.kind == kind && c.id == id && (!spill || c.size == 8); },
                  [&](cell& c) { c = marked(c, arg); });
    }
    static constexpr cell marked(const cell& c, std::int32_t arg) {
        if (is_or_null(c.kind)) // (map values lose the id; acquired pointers keep it: it is their reference)
            return arg ? cell{0, k_const, 0, 0, 0}
                       : c.kind == k_map_value_or_null ? cell{c.v, k_map_value, c.frame, 0, 0}
                                                        : cell{c.v, static_cast<std::uint8_t>(c.kind + 1), c.frame, 0, 0, c.id, c.range};
        cell r = c;
        if (r.range < arg) r.range = arg;
        return r;
    }
    // sync_linked_regs(): the registers and spills of every frame that share register r's scalar id
    // take its (refined, exact) value; a copy with a constant added (BPF_ADD_CONST) the model
    // cannot shift: it keeps its bounds, no longer exact.
    constexpr void sync_linked(std::uint32_t r) {
        const cell known = reg(r);
        if (known.id == 0 || !exactish(known)) return;
        const std::uint32_t base_id = known.id & ~add_const_id;
        const cell* self = &rf_.f[cf_].r[r];
        bool spill = false;
        each_copy(
            [&](const cell& c, bool s) {
                spill = s;
                return &c != self && (c.kind == k_scalar || c.kind == k_const) && (c.id & ~add_const_id) == base_id;
            },
            [&](cell& c) {
                if (!(c.id & add_const_id) && !(known.id & add_const_id) && (!spill || c.size == 8)) c = known;
                else if (!spill) blur(c);
                else if (is_exact_scalar(c)) c.frame &= static_cast<std::uint8_t>(~exact), ++lossy_;
            });
    }
    // ---- paths ----
    // More branches pending than the kernel keeps (push_stack(): "The sequence of 8193 jumps is
    // too complex."): the kernel may have decided some of them with value ranges the model does
    // not track, so this is left to the kernel, and the walk stops (the caller ends this path;
    // with nothing pending, do_check() returns). Returns false when stopping.
    constexpr bool fork(std::uint32_t other, std::uint8_t refine_reg, const cell& refine, bool may_goto) {
        if (pending_.size >= o_.kernel.max_pending_branches) {
            defer(deferral::complexity, pc_);
            stopped_ = true;
            r_.walk_stopped = true;
            pending_.size = 0; // no path is left: do_check() ends, accepting
            return false;
        }
        work_ += 3;
        pending_.push({other, trail_.size, refine, refine_reg, may_goto, lossy_,
                       static_cast<std::uint8_t>(cf_ + 1), snaps_.size, 0, 0, 0, doubt_});
        for (std::uint32_t f = 0; f <= cf_; ++f) snaps_.push(rf_.f[f]);
        // may_goto: the kernel goes on with the goto at the same depth (a loop through it can be
        // infinite) and queues the fall-through one level deeper (bounded)
        if (!may_goto) count_fork(false);
        return true;
    }
    constexpr void count_fork(bool may_goto) { // the path counters are not hashed
        if (pending_.size != 0) trail_.push({cell_forks, c_.p[cell_forks]});
        ++c_.p[cell_forks].v;
        if (may_goto) {
            if (pending_.size != 0) trail_.push({cell_gotos, c_.p[cell_gotos]});
            ++c_.p[cell_gotos].v;
        }
    }
    // Continue with the most recently pushed branch; false when none is left.
    constexpr bool next_path() {
        if (pending_.size == 0) return false;
        const pending_entry e = pending_.p[--pending_.size];
        work_ += 1 + (trail_.size - e.mark) / 4;
        while (trail_.size > e.mark) {
            const trail_entry& t = trail_.p[--trail_.size];
            h_ ^= cell_hash(t.index, c_.p[t.index]) ^ cell_hash(t.index, t.old);
            c_.p[t.index] = t.old;
        }
        while (open_.size != 0 && records_.p[open_.p[open_.size - 1]].pos > e.mark) {
            visit_record& r = records_.p[open_.p[--open_.size]];
            r.open = false;
            --open_count_.p[r.insn];
            ++groups_.p[r.group].closed;
        }
        for (std::uint32_t f = 0; f < e.frames; ++f) rf_.f[f] = snaps_.p[e.snap + f];
        for (std::uint32_t f = e.frames; f <= deepest_; ++f) rf_.f[f] = frame_registers{};
        snaps_.size = e.snap;
        cf_ = curframe();
        base_ = cf_ * frame_cells;
        count_fork(e.may_goto);
        if (e.refine_reg != 0xff) set_reg(e.refine_reg, e.refine);
        if (e.refine2_reg != 0xff) set_reg(e.refine2_reg, e.refine2);
        if (e.sync) {
            if (e.refine2_reg != 0xff) sync_linked(e.refine2_reg);
            if (e.refine_reg != 0xff) sync_linked(e.refine_reg);
        }
        if (e.mark_kind != 0) mark_regs(e.mark_kind, e.mark_id, e.mark_arg);
        lossy_ = e.lossy;
        doubt_ = e.doubt;
        pc_ = e.insn;
        return true;
    }
    buffer<cell> c_;
    std::uint64_t h_ = 0, key_ = 0;
    std::uint32_t base_ = 0, pc_ = 0, budget_ = 0, cf_ = 0; // base_ = cf_ * frame_cells
    std::uint32_t work_ = 0; // against budget_
    std::uint32_t deepest_ = 0; // the deepest frame used so far
    std::uint32_t jmps_ = 0, prev_jmps_ = 0, prev_insns_ = 0; // jumps processed; both counts when a state was last recorded
    std::uint32_t id_gen_ = 0; // the kernel's env->id_gen (scalar ids; global, never undone)
    bool helpers_known_ = false; // the helper availability table holds for this program type
    const helper_availability_row* avail_row_ = nullptr; // measured availability for this type and privilege
    bool loops_ = false;         // kernel mode with back-edges: exact states are kept (infinite loops)
    // Transfers on the path where the model's scalar may know less than the kernel's (ALU
    // results, narrowed fills, spilled bounds): a state that repeats across one of them is not
    // called an infinite loop, since the kernel's state may still change.
    std::uint32_t lossy_ = 0;
    // Forks on the path that the kernel may have decided with value ranges the model does not
    // keep (32-bit comparisons, two unknown scalars): the kernel may never walk this path, so a
    // rejection on it is left to the kernel.
    std::uint32_t doubt_ = 0;
    stack_of<frame_registers> snaps_; // registers at the pending forks
    register_file rf_{};
    bool lint_ = false;
    bool stopped_ = false; // the walk stopped at the kernel's pending-branch limit
    stack_of<trail_entry> trail_;
    stack_of<pending_entry> pending_;
    stack_of<visit_record> records_;
    stack_of<state_group> groups_;
    stack_of<std::uint32_t> open_;
    buffer<std::uint32_t> gtable_, xtable_; // groups by (key, insn), records by (exact, insn): index + 1
    buffer<std::uint16_t> open_count_;
    buffer<std::uint64_t> alu_aux_;
    buffer<std::uint8_t> ptr_aux_; // the kind of pointer each load and store went through first
};

} // namespace ctbpf::detail::vfy
