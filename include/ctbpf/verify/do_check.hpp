// Verifier internals: do_check. Simulates the program path by path the way the kernel does
// (depth first, fall-through before the taken branch, branches on known constants folded in
// kernel mode), checking each instruction in the kernel's order: reserved fields, registers,
// division and shifts, stack bounds and alignment, pointer arithmetic, calls and return values.
// Abstract values: uninitialized, scalar (known constant or not), ctx + offset, stack + offset,
// and "opaque" (only the kernel knows: ctx fields, maps, packets) which defers to the kernel.
// States are compared at prune points by hash; a state seen again inside its own loop is an
// infinite loop when no branch on the way was undecided, and is left to the kernel otherwise.
#pragma once

#include <bit>
#include <cstdint>
#include <type_traits>

#include "ctbpf/helper_table.hpp"
#include "ctbpf/verify/cfg.hpp"
#include "ctbpf/verify/context.hpp"
#include "ctbpf/verify/helper_availability.hpp"
#include "ctbpf/verify/helper_protos.hpp"

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

// Which fast path of explorer::exec() an opcode byte takes (0: the general path).
struct fast_table {
    std::uint8_t k[256]{};
};
inline constexpr fast_table fast_kind = [] {
    fast_table t{};
    t.k[0xb7] = t.k[0xb4] = 1;
    t.k[0xbf] = t.k[0xbc] = 2;
    for (std::uint8_t op : {0x00, 0x10, 0x20, 0x40, 0x50, 0x60, 0x70, 0xa0, 0xc0}) {
        t.k[op | 0x07] = t.k[op | 0x04] = 3;
        t.k[op | 0x0f] = t.k[op | 0x0c] = 4;
    }
    t.k[0x79] = t.k[0x61] = t.k[0x69] = t.k[0x71] = 5;
    t.k[0x7b] = t.k[0x63] = t.k[0x6b] = t.k[0x73] = 6;
    t.k[0x7a] = t.k[0x62] = t.k[0x6a] = t.k[0x72] = 7;
    t.k[0x05] = 8;
    t.k[0x85] = 9;
    for (std::uint8_t op : {0x10, 0x20, 0x30, 0x40, 0x50, 0x60, 0x70, 0xa0, 0xb0, 0xc0, 0xd0})
        t.k[op | 0x05] = t.k[op | 0x0d] = t.k[op | 0x06] = t.k[op | 0x0e] = 10;
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

class explorer : public structure {
public:
    using structure::structure;

    // The walk stopped at the kernel's pending-branch limit (then the checks after it are the
    // kernel's business too: it would have failed first).
    constexpr bool stopped() const { return stopped_; }

    constexpr bool do_check() {
        c_.reset(total_cells);
        lint_ = o_.policy == dead_branch_policy::lint;
        open_count_.reset(n_);
        loops_ = !lint_ && back_edges_;
        helpers_known_ = o_.type == prog_type::unspecified || o_.type == prog_type::socket_filter ||
                         o_.type == prog_type::sched_cls || o_.type == prog_type::sched_act ||
                         o_.type == prog_type::xdp || o_.type == prog_type::cgroup_skb;
        if (!root_) alu_aux_.reset(n_);
        ptr_aux_.reset(n_);
        for (const helper_availability_row& row : helper_availability_rows)
            if (row.type == static_cast<std::uint8_t>(o_.type) && row.privilege == static_cast<std::uint8_t>(o_.priv))
                avail_row_ = &row;
        // The budget counts work: an instruction 1, a state comparison or a fork 2, returning to a
        // fork 1 + 1 per 4 undone changes. At compile time it keeps the whole check near 800,000
        // evaluation steps (Clang's default limit is 1,048,576; a unit is about 30 steps, the
        // passes before about 56 per instruction).
        budget_ = o_.max_visits != 0            ? o_.max_visits
                  : std::is_constant_evaluated() ? (n_ < 12'000 ? (800'000 - 56 * n_) / 30 : 2'000)
                                                 : 4'000'000 + 2 * n_;
        // one path that never comes back to an instruction needs no states
        const std::uint8_t prune = has_prune_ && (forks_ || back_edges_) ? f_prune : 0;
        if (prune != 0) liveness();
        rf_.f[0].r[1] = {0, k_ctx, 0, 0, 0};   // R1 = ctx
        rf_.f[0].r[10] = {0, k_stack, 0, 0, 0}; // R10 = frame pointer of frame 0
        const std::uint8_t* fl = flags_.p;
        for (;;) {
            ++r_.visits;
            if (++work_ > budget_) {
                defer(deferral::exploration_budget, pc_);
                r_.walk_stopped = true;
                return true;
            }
            int a = fl[pc_] & prune ? prune_check() : 0;
            if (a == 0) {
                jmps_ += (p_[pc_].code & 7) == 5 || (p_[pc_].code & 7) == 6; // env->jmps_processed
                a = exec(p_[pc_]);
            }
            if (a < 0 && doubt_ != 0) { // a path the kernel may not walk: left to it
                r_.code = errc::ok, r_.error = 0, r_.msg = verifier_message{};
                defer(deferral::value_range, pc_);
                a = 1;
            }
            if (a != 0 && (a < 0 || !next_path())) return a > 0;
        }
    }

private:
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
    static constexpr bool bounded(const cell& c) { return c.kind == k_scalar && (c.v != 0 || c.frame != 0); }
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
    // release_reference(): the reference is gone and every copy of the pointer is invalid
    constexpr void release_reference(std::uint32_t id) {
        work_ += 12 * (cf_ + 1);
        drop_ref(id);
        const cell invalid = root_ ? cell{0, k_scalar, 0, unbounded, 0} : cell{};
        for (std::uint32_t f = 0; f <= cf_; ++f) {
            for (cell& c : rf_.f[f].r)
                if (c.id == id && c.kind >= k_sock_or_null) c = invalid;
            for (std::uint32_t i = f * frame_cells + frame_slots, e = (f + 1) * frame_cells; i < e; ++i)
                if (c_.p[i].size == 8 && c_.p[i].id == id && c_.p[i].kind >= k_sock_or_null) {
                    cell v = invalid;
                    v.init = c_.p[i].init, v.size = root_ ? 8 : 0;
                    set(i, v);
                }
        }
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
        const bool shift = opc == 0x60 || opc == 0x70 || opc == 0xc0;
        if (opc == 0x30 || opc == 0x90 || (shift && (b.kind != k_const || ub >= (is64 ? 64u : 32u)))) return ~0ull;
        if (!is64) {
            const std::uint64_t a32 = min_u(ua, m32), b32 = min_u(ub, m32);
            return opc == 0x50 ? min_u(a32, b32)
                   : opc == 0x20 ? (b32 == 0 || a32 <= m32 / b32 ? a32 * b32 : m32)
                   : opc == 0x70 && ua <= m32 ? ua >> ub
                   : opc == 0x40 || opc == 0xa0 ? low_bits(a32 > b32 ? a32 : b32)
                                                : m32;
        }
        return opc == 0x50 ? min_u(ua, ub)
               : opc == 0x20 ? (ub == 0 || ua <= ~0ull / ub ? ua * ub : ~0ull)
               : opc == 0x70 ? ua >> ub
               : opc == 0x40 || opc == 0xa0 ? low_bits(ua > ub ? ua : ub)
               : opc == 0x00 && ua + ub >= ua ? ua + ub
                                              : ~0ull;
    }
    // a value loaded into a register: narrow loads zero-extend (or sign-extend)
    constexpr void fill(std::uint32_t r, cell v, std::uint32_t size, bool sx) {
        if (size < 8 && v.kind == k_const) v.v = narrow(v.v, size, sx);
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

    // ---- one instruction: 0 continue at pc_, 1 the path ends, -1 rejected ----
    // The common cases in few steps (constant evaluation counts statements); anything unusual
    // (errors, pointers, spills, unprivileged stack rules) takes the general path, step().
    constexpr int exec(const insn& x) {
        const std::uint8_t k = fast_kind.k[x.code];
        return k == 0   ? step(x)
               : k == 1 ? mov_imm(x)
               : k == 2 ? mov_reg(x)
               : k == 3 ? alu_imm(x)
               : k == 4 ? alu_reg(x)
               : k == 5 ? load_stack(x)
               : k == 6 ? store_stack(x, false)
               : k == 7 ? store_stack(x, true)
               : k == 8 ? goto_(x)
               : k == 9 ? call_plain(x)
                        : cond_plain(x);
    }
    constexpr int mov_imm(const insn& x) { // r = imm, w = imm
        if ((x.src_reg | static_cast<std::uint16_t>(x.off)) != 0 || x.dst_reg >= 10) return step(x);
        set_reg(x.dst_reg, {x.code == 0xb7 ? std::int64_t{x.imm} : std::int64_t{static_cast<std::uint32_t>(x.imm)},
                            k_const, 0, 0, 0});
        return ++pc_, 0;
    }
    constexpr int mov_reg(const insn& x) { // r = r, w = w (scalars)
        const cell& v = rf_.f[cf_].r[x.src_reg < 11 ? x.src_reg : 0];
        if (x.off != 0 || x.imm != 0 || x.dst_reg >= 10 || x.src_reg >= 11 || v.kind == k_uninit ||
            (x.code == 0xbc && v.kind > k_const))
            return step(x);
        cell out = x.code == 0xbf       ? v
                   : v.kind == k_const ? cell{static_cast<std::uint32_t>(v.v), k_const, 0, 0, 0}
                                       : scalar(min_u(umax_of(v), 0xffffffff));
        if (v.kind == k_scalar && (x.code == 0xbf || umax_of(v) <= 0xffffffff)) out.id = scalar_id(x.src_reg);
        else if (v.kind == k_scalar) ++lossy_;
        set_reg(x.dst_reg, out);
        return ++pc_, 0;
    }
    constexpr int alu_imm(const insn& x) { // scalar op= imm, pointer += imm
        const cell& a = rf_.f[cf_].r[x.dst_reg < 11 ? x.dst_reg : 0];
        const std::uint32_t opc = x.code & 0xf0;
        if (x.code == 0x07 && (a.kind == k_stack || a.kind == k_ctx) && (x.src_reg | static_cast<std::uint16_t>(x.off)) == 0 &&
            x.dst_reg < 10 && x.imm < (1 << 29) && x.imm > -(1 << 29) && a.v + x.imm < (1 << 29) &&
            a.v + x.imm > -(1 << 29) && (root_ || a.kind != k_stack || (a.v + x.imm < 0 && a.v + x.imm >= -o_.kernel.max_stack))) {
            set_reg(x.dst_reg, {a.v + x.imm, a.kind, a.frame, 0, 0});
            return ++pc_, 0;
        }
        if ((x.src_reg | static_cast<std::uint16_t>(x.off)) != 0 || x.dst_reg >= 10 || a.kind == k_uninit ||
            a.kind > k_const ||
            ((opc == 0x60 || opc == 0x70 || opc == 0xc0) && (x.imm < 0 || x.imm >= ((x.code & 7) == 7 ? 64 : 32))))
            return step(x);
        cell out = fold(opc, (x.code & 7) == 7, a, cell{x.imm, k_const, 0, 0, 0});
        if (x.code == 0x07) out.id = added_const_id(a, out, static_cast<std::uint64_t>(std::int64_t{x.imm}));
        lossy_ += out.kind == k_scalar;
        set_reg(x.dst_reg, out);
        return ++pc_, 0;
    }
    constexpr int alu_reg(const insn& x) { // scalar op= scalar
        const cell& a = rf_.f[cf_].r[x.dst_reg < 11 ? x.dst_reg : 0];
        const cell& b = rf_.f[cf_].r[x.src_reg < 11 ? x.src_reg : 0];
        if (x.off != 0 || x.imm != 0 || x.dst_reg >= 10 || x.src_reg >= 11 || b.kind == k_uninit || b.kind > k_const ||
            a.kind == k_uninit || a.kind > k_const)
            return step(x);
        cell out = fold(x.code & 0xf0, (x.code & 7) == 7, a, b);
        if (x.code == 0x0f && b.kind == k_const) out.id = added_const_id(a, out, static_cast<std::uint64_t>(b.v));
        lossy_ += out.kind == k_scalar;
        set_reg(x.dst_reg, out);
        return ++pc_, 0;
    }
    // loads from the stack (root): aligned, in bounds, no partial spill in the way
    constexpr int load_stack(const insn& x) {
        const cell& b = rf_.f[cf_].r[x.src_reg < 11 ? x.src_reg : 0];
        const std::uint32_t size = size_of(x.code);
        const std::int64_t off = b.v + x.off;
        if (!root_ || x.src_reg >= 11 || b.kind != k_stack || ptr_aux_.p[pc_] != k_stack || x.dst_reg >= 10 ||
            (size > 1 && off % size != 0) ||
            off < -std::int64_t{o_.kernel.max_stack} || off > -1)
            return step(x);
        const std::uint32_t fb = b.frame * frame_cells;
        const cell& sl = c_.p[fb + frame_slots + static_cast<std::uint32_t>((-off - 1) / 8)];
        if (sl.size != 0 && !(sl.size == 8 && size == 8)) return step(x);
        grow(fb, off);
        set_reg(x.dst_reg, sl.size == 0 ? scalar(size == 8 ? ~0ull : (std::uint64_t{1} << (8 * size)) - 1)
                                        : cell{sl.v, sl.kind, sl.frame, 0, 0, sl.id, sl.range});
        return ++pc_, 0;
    }
    // stores of scalars and immediates to the stack (root): a scalar at a slot boundary is a
    // spill (constants kept), anything else plain data
    constexpr int store_stack(const insn& x, bool imm) {
        const cell& b = rf_.f[cf_].r[x.dst_reg < 11 ? x.dst_reg : 0];
        const cell v = imm ? cell{x.imm, k_const, 0, 0, 0} : rf_.f[cf_].r[x.src_reg < 11 ? x.src_reg : 0];
        const std::uint32_t size = size_of(x.code);
        const std::int64_t off = b.v + x.off;
        if (!root_ || (imm ? x.src_reg != 0 : (x.imm != 0 || x.src_reg >= 11 || v.kind == k_uninit)) ||
            v.kind > k_const || x.dst_reg >= 11 || b.kind != k_stack || ptr_aux_.p[pc_] != k_stack ||
            (size > 1 && off % size != 0) ||
            off < -std::int64_t{o_.kernel.max_stack} || off > -1)
            return step(x);
        const std::uint32_t fb = b.frame * frame_cells;
        grow(fb, off);
        lossy_ += bounded(v); // a spill keeps no bound
        set(fb + frame_slots + static_cast<std::uint32_t>((-off - 1) / 8),
            off % 8 == 0 ? cell{v.kind == k_const ? v.v : 0, v.kind, 0, 0, static_cast<std::uint8_t>(size), v.id} : cell{});
        return ++pc_, 0;
    }
    constexpr int goto_(const insn& x) {
        if ((x.src_reg | x.dst_reg | static_cast<std::uint32_t>(x.imm)) != 0) return step(x);
        pc_ = static_cast<std::uint32_t>(std::int64_t{pc_} + x.off + 1);
        return 0;
    }
    constexpr int call_plain(const insn& x) { // helpers without arguments that every program may call
        if ((x.src_reg | x.dst_reg | static_cast<std::uint16_t>(x.off)) != 0 || x.imm <= 0 ||
            x.imm > o_.kernel.helper_max_id || x.imm > helper_max_id || helper_table[x.imm].arg_count != 0 ||
            helper_returns.avail[x.imm] != avail_everywhere || !helpers_known_)
            return step(x);
        clobber_caller_saved(helper_returns.kind[x.imm] == ret_scalar    ? k_scalar
                             : helper_returns.kind[x.imm] == ret_pointer ? k_opaque
                                                                         : k_uninit);
        helper_result(x.imm);
        return ++pc_, 0;
    }
    // do_refine_retval_range(): bpf_get_smp_processor_id() < nr_cpu_ids, when the profile knows it
    constexpr void helper_result(std::int32_t id) {
        if (id == static_cast<std::int32_t>(helper::get_smp_processor_id) && o_.kernel.nr_cpu_ids != 0)
            rf_.f[cf_].r[0] = scalar(o_.kernel.nr_cpu_ids - 1);
        if (changes_pkt_data(id)) clear_all_pkt_pointers();
    }
    // bpf_helper_changes_pkt_data(): after these, every packet pointer is invalid
    static constexpr bool changes_pkt_data(std::int32_t id) {
        switch (id) {
        case 9: case 10: case 11: case 12: case 13: case 18: case 19: case 31: case 38: case 39: case 43: case 44:
        case 50: case 54: case 63: case 65: case 73: case 74: case 75: case 76: case 90: case 91: case 142:
            return true;
        default: return false;
        }
    }
    // clear_all_pkt_pointers() -> mark_reg_invalid(): an unknown scalar for root, uninitialized otherwise
    constexpr void clear_all_pkt_pointers() {
        work_ += 12 * (cf_ + 1);
        const cell invalid = root_ ? cell{0, k_scalar, 0, unbounded, 0} : cell{};
        for (std::uint32_t f = 0; f <= cf_; ++f) {
            for (cell& c : rf_.f[f].r)
                if (is_pkt_any(c)) c = invalid;
            for (std::uint32_t i = f * frame_cells + frame_slots, e = (f + 1) * frame_cells; i < e; ++i)
                if (c_.p[i].size == 8 && is_pkt_any(c_.p[i])) {
                    cell v = invalid;
                    v.init = c_.p[i].init, v.size = root_ ? 8 : 0;
                    set(i, v);
                }
        }
    }
    static constexpr std::uint32_t size_of(std::uint32_t code) {
        return (code & 0x18) == 0x18 ? 8u : (code & 0x18) == 0x10 ? 1u : (code & 0x18) == 0x08 ? 2u : 4u;
    }
    // two scalars: the kernel tracks constants through everything but division and modulo
    static constexpr cell fold(std::uint32_t opc, bool is64, const cell& a, const cell& b) {
        return a.kind == k_const && b.kind == k_const && opc != 0x30 && opc != 0x90 &&
                       !((opc == 0x60 || opc == 0x70 || opc == 0xc0) &&
                         static_cast<std::uint64_t>(b.v) >= (is64 ? 64u : 32u))
                   ? cell{const_alu(opc, is64, static_cast<std::uint64_t>(a.v), static_cast<std::uint64_t>(b.v)),
                          k_const, 0, 0, 0}
                   : scalar(result_bound(static_cast<std::uint8_t>(opc), is64, a, b));
    }
    static constexpr std::int64_t const_alu(std::uint32_t opc, bool is64, std::uint64_t a, std::uint64_t b) {
        return static_cast<std::int64_t>(
            is64 ? (opc == 0x00   ? a + b
                    : opc == 0x10 ? a - b
                    : opc == 0x20 ? a * b
                    : opc == 0x40 ? a | b
                    : opc == 0x50 ? a & b
                    : opc == 0xa0 ? a ^ b
                    : opc == 0x60 ? a << b
                    : opc == 0x70 ? a >> b
                                  : static_cast<std::uint64_t>(static_cast<std::int64_t>(a) >> b))
                 : std::uint64_t{static_cast<std::uint32_t>(
                       opc == 0x00   ? a + b
                       : opc == 0x10 ? a - b
                       : opc == 0x20 ? (a & 0xffffffff) * (b & 0xffffffff)
                       : opc == 0x40 ? a | b
                       : opc == 0x50 ? a & b
                       : opc == 0xa0 ? a ^ b
                       : opc == 0x60 ? (a & 0xffffffff) << b
                       : opc == 0x70 ? (a & 0xffffffff) >> b
                                     : static_cast<std::uint32_t>(static_cast<std::int32_t>(static_cast<std::uint32_t>(a)) >> b))});
    }
    constexpr void grow(std::uint32_t fb, std::int64_t off) { // the subprogram's stack depth
        std::int32_t& depth = depth_.p[c_.p[fb + frame_meta + 1].frame];
        (void)(depth < -off && (depth = static_cast<std::int32_t>((-off + 7) / 8 * 8), true));
    }

    constexpr int step(const insn& x) {
        const std::uint8_t cls = x.code & 7;
        work_ += 2;
        return cls == 7 || cls == 4 ? (alu(x, cls == 7) ? (++pc_, 0) : -1)
               : cls == 1           ? (load(x) ? (++pc_, 0) : -1)
               : cls == 3           ? (store(x) ? (++pc_, 0) : -1)
               : cls == 2           ? (store_imm(x) ? (++pc_, 0) : -1)
               : cls == 0           ? ld(x)
                                    : jump(x);
    }

    // ---- ALU and ALU64 ----
    static constexpr std::int64_t unary(const insn& x, bool is64, std::int64_t v) {
        const auto u = static_cast<std::uint64_t>(v);
        const std::uint8_t opc = x.code & 0xf0;
        if (opc == 0x80) return is64 ? static_cast<std::int64_t>(0 - u) : static_cast<std::int64_t>(static_cast<std::uint32_t>(0 - u));
        // END: to_le on this (little-endian) model truncates; to_be and ALU64 bswap swap bytes
        const int bits = x.imm;
        const std::uint64_t low = bits == 64 ? u : u & ((std::uint64_t{1} << bits) - 1);
        if (!is64 && !(x.code & 8)) return static_cast<std::int64_t>(low);
        std::uint64_t out = 0;
        for (int i = 0; i < bits / 8; ++i) out |= ((low >> (8 * i)) & 0xff) << (bits - 8 - 8 * i);
        return static_cast<std::int64_t>(out);
    }

    constexpr bool alu(const insn& x, bool is64) {
        const std::uint8_t opc = x.code & 0xf0;
        const bool isx = x.code & 8;
        const std::uint32_t d = x.dst_reg, s = x.src_reg;
        if (opc == 0x80 || opc == 0xd0) {
            if (opc == 0x80 ? (isx || s != 0 || x.off != 0 || x.imm != 0)
                            : (s != 0 || x.off != 0 || (x.imm != 16 && x.imm != 32 && x.imm != 64) || (is64 && isx))) {
                fail(opc == 0x80 ? errc::neg_uses_reserved_fields : errc::end_uses_reserved_fields, pc_)
                    .put(opc == 0x80 ? "BPF_NEG uses reserved fields" : "BPF_END uses reserved fields");
                return false;
            }
            if (!read_reg(d)) return false;
            if (leaks(reg(d))) {
                fail_reg(errc::pointer_arithmetic_is_prohibited, d, " pointer arithmetic prohibited");
                return false;
            }
            if (!write_ok(d)) return false;
            const cell v = reg(d);
            if (v.kind == k_const) set_reg(d, k_const, unary(x, is64, v.v));
            else set_reg(d, k_scalar), ++lossy_;
            return true;
        }
        if (opc == 0xb0) return mov(x, is64);
        if (isx ? (x.imm != 0 || (x.off != 0 && x.off != 1) || (x.off == 1 && opc != 0x30 && opc != 0x90))
                : (s != 0 || (x.off != 0 && x.off != 1) || (x.off == 1 && opc != 0x30 && opc != 0x90))) {
            fail(errc::alu_uses_reserved_fields, pc_).put("BPF_ALU uses reserved fields");
            return false;
        }
        if ((isx && !read_reg(s)) || !read_reg(d)) return false;
        if (!isx && (opc == 0x30 || opc == 0x90) && x.imm == 0) {
            fail(errc::div_by_zero, pc_).put("div by zero");
            return false;
        }
        if (!isx && (opc == 0x60 || opc == 0x70 || opc == 0xc0) && (x.imm < 0 || x.imm >= (is64 ? 64 : 32))) {
            fail(errc::invalid_shift, pc_).put("invalid shift ").put_int(x.imm);
            return false;
        }
        if (!write_ok(d)) return false;
        const cell dv = reg(d);
        const cell sv = isx ? reg(s) : cell{x.imm, k_const, 0, 0, 0};
        if (dv.kind == k_opaque || sv.kind == k_opaque) {
            defer(deferral::unknown_pointer, pc_);
            set_reg(d, k_opaque);
            return true;
        }
        if (is_ptr(sv)) {
            if (is_ptr(dv)) {
                if (opc == 0x10 && root_) {
                    set_reg(d, k_scalar);
                    return true;
                }
                fail(errc::pointer_arithmetic_is_prohibited, pc_)
                    .put("R").put_uint(d).put(" pointer ").put(alu_op_text[opc >> 4]).put(" pointer prohibited");
                return false;
            }
            return pointer_alu(x, is64, sv, dv, false);
        }
        if (is_ptr(dv)) return pointer_alu(x, is64, dv, sv, true);
        // two scalars: the kernel tracks constants through everything but division and modulo
        const std::uint64_t a = static_cast<std::uint64_t>(dv.v), b = static_cast<std::uint64_t>(sv.v);
        const std::uint64_t a32 = static_cast<std::uint32_t>(a), b32 = static_cast<std::uint32_t>(b);
        if (dv.kind != k_const || sv.kind != k_const || opc == 0x30 || opc == 0x90 ||
            ((opc == 0x60 || opc == 0x70 || opc == 0xc0) && b >= (is64 ? 64u : 32u))) {
            cell r = scalar(result_bound(opc, is64, dv, sv));
            if (opc == 0x00 && is64 && sv.kind == k_const) r.id = added_const_id(dv, r, static_cast<std::uint64_t>(sv.v));
            lossy_ += r.kind == k_scalar;
            set_reg(d, r);
            return true;
        }
        std::uint64_t out = 0;
        switch (opc) {
        case 0x00: out = a + b; break;
        case 0x10: out = a - b; break;
        case 0x20: out = is64 ? a * b : a32 * b32; break;
        case 0x40: out = a | b; break;
        case 0x50: out = a & b; break;
        case 0xa0: out = a ^ b; break;
        case 0x60: out = is64 ? a << b : a32 << b; break;
        case 0x70: out = is64 ? a >> b : a32 >> b; break;
        default: // arsh
            out = is64 ? static_cast<std::uint64_t>(dv.v >> b)
                       : static_cast<std::uint32_t>(static_cast<std::int32_t>(static_cast<std::uint32_t>(a)) >> b);
        }
        set_reg(d, k_const, static_cast<std::int64_t>(is64 ? out : static_cast<std::uint32_t>(out)));
        return true;
    }

    constexpr bool mov(const insn& x, bool is64) {
        const bool isx = x.code & 8;
        const std::uint32_t d = x.dst_reg, s = x.src_reg;
        if (isx) {
            if (is64 && x.off == 1) {
                if (x.imm != 1 && x.imm != 0x10000) {
                    fail(errc::addr_space_cast_needs_an_arena, pc_)
                        .put("addr_space_cast insn can only convert between address space 1 and 0");
                    return false;
                }
                if (!has_maps_) {
                    fail(errc::addr_space_cast_needs_an_arena, pc_)
                        .put("addr_space_cast insn can only be used in a program that has an associated arena");
                    return false;
                }
                defer(deferral::kernel_object, pc_);
            } else if (is64 ? ((x.off != 0 && x.off != 8 && x.off != 16 && x.off != 32) || x.imm != 0)
                            : ((x.off != 0 && x.off != 8 && x.off != 16) || x.imm != 0)) {
                fail(errc::mov_uses_reserved_fields, pc_).put("BPF_MOV uses reserved fields");
                return false;
            }
            if (!read_reg(s)) return false;
        } else if (s != 0 || x.off != 0) {
            fail(errc::mov_uses_reserved_fields, pc_).put("BPF_MOV uses reserved fields");
            return false;
        }
        if (!write_ok(d)) return false;
        if (!isx) {
            set_reg(d, k_const, is64 ? std::int64_t{x.imm} : std::int64_t{static_cast<std::uint32_t>(x.imm)});
            return true;
        }
        const cell sv = reg(s);
        if (is64 && x.off == 1) {
            set_reg(d, k_opaque);
            return true;
        }
        if (is64 && x.off == 0) {
            cell out = sv;
            if (sv.kind == k_scalar) out.id = scalar_id(s);
            set_reg(d, out);
            return true;
        }
        if (leaks(sv)) {
            fail_reg(errc::pointer_leak, s, is64 ? " sign-extension part of pointer" : " partial copy of pointer");
            return false;
        }
        if (sv.kind != k_const) { // a 32-bit move zero-extends
            cell out = scalar(is64 ? ~0ull : min_u(sv.kind == k_scalar && x.off == 0 ? umax_of(sv) : ~0ull, 0xffffffff));
            if (!is64 && x.off == 0 && sv.kind == k_scalar && umax_of(sv) <= 0xffffffff) out.id = scalar_id(s);
            else ++lossy_;
            set_reg(d, out);
            return true;
        }
        const auto u = static_cast<std::uint64_t>(sv.v);
        std::int64_t v = x.off == 8 ? static_cast<std::int8_t>(u) : x.off == 16 ? static_cast<std::int16_t>(u)
                                                                 : static_cast<std::int32_t>(u);
        if (!is64) v = static_cast<std::uint32_t>(x.off == 0 ? u : static_cast<std::uint64_t>(v));
        set_reg(d, k_const, v);
        return true;
    }

    // adjust_ptr_min_max_vals(): ptr op scalar (ptr_is_dst) or scalar op ptr
    constexpr bool pointer_alu(const insn& x, bool is64, const cell& ptr, const cell& off, bool ptr_is_dst) {
        const std::uint8_t opc = x.code & 0xf0;
        const std::uint32_t d = x.dst_reg;
        const bool isx = x.code & 8;
        if (!is64) {
            if (opc == 0x10 && root_) {
                set_reg(d, k_scalar);
                return true;
            }
            fail_reg(errc::pointer_arithmetic_is_prohibited, d, " 32-bit pointer arithmetic prohibited");
            return false;
        }
        if (is_or_null(ptr.kind)) {
            fail(errc::pointer_may_be_null, pc_)
                .put("R").put_uint(d).put(" pointer arithmetic on ").put(type_name(ptr)).put(" prohibited, null-check it first");
            return false;
        }
        if (ptr.kind == k_pkt_end || is_sock(ptr.kind) ||
            (ptr.kind == k_map_ptr && !(off.kind == k_const && off.v == 0 && opc == 0x00))) {
            fail(errc::pointer_arithmetic_is_prohibited, pc_)
                .put("R").put_uint(d).put(" pointer arithmetic on ").put(type_name(ptr)).put(" prohibited");
            return false;
        }
        // check_reg_sane_offset(): an unknown scalar's smin is S64_MIN
        if (off.kind == k_scalar && off.init == unbounded) {
            fail(errc::pointer_offset_is_out_of_range, pc_)
                .put("math between ").put(type_name(ptr)).put(" pointer and register with unbounded min value is not allowed");
            return false;
        }
        if (off.kind != k_const) { // the offset's range decides; only += and -= can succeed
            defer(deferral::value_range, pc_);
            if (opc == 0x00 || (opc == 0x10 && ptr_is_dst && ptr.kind != k_stack)) {
                set_reg(d, k_opaque);
                return true;
            }
        }
        const std::int64_t k = off.v;
        constexpr std::int64_t max_off = std::int64_t{1} << 29;
        if (off.kind == k_const && (k >= max_off || k <= -max_off)) {
            fail(errc::pointer_offset_is_out_of_range, pc_)
                .put("math between ").put(type_name(ptr)).put(" pointer and ").put_int(k).put(" is not allowed");
            return false;
        }
        if (ptr.v >= max_off || ptr.v <= -max_off) {
            fail(errc::pointer_offset_is_out_of_range, pc_)
                .put(type_name(ptr)).put(" pointer offset ").put_int(ptr.v).put(" is not allowed");
            return false;
        }
        const bool sanitize = !root_ && isx && (opc == 0x00 || opc == 0x10);
        const bool to_left = (opc == 0x00 && k < 0) || (opc == 0x10 && k >= 0);
        std::uint32_t limit = 0;
        const std::uint32_t ptr_reg = ptr_is_dst ? d : x.src_reg;
        if (sanitize && !ptr_limit(ptr, to_left, ptr_reg, limit)) return false;
        std::int64_t result = 0;
        switch (opc) {
        case 0x00: result = ptr.v + k; break;
        case 0x10:
            if (!ptr_is_dst) {
                fail_reg(errc::pointer_arithmetic_is_prohibited, d, " tried to subtract pointer from scalar");
                return false;
            }
            if (ptr.kind == k_stack) {
                fail_reg(errc::pointer_arithmetic_is_prohibited, d, " subtraction from stack pointer prohibited");
                return false;
            }
            result = ptr.v - k;
            break;
        case 0x40:
        case 0x50:
        case 0xa0:
            fail(errc::pointer_arithmetic_is_prohibited, pc_)
                .put("R").put_uint(d).put(" bitwise operator ").put(alu_op_text[opc >> 4]).put(" on pointer prohibited");
            return false;
        default:
            fail(errc::pointer_arithmetic_is_prohibited, pc_)
                .put("R").put_uint(d).put(" pointer arithmetic with ").put(alu_op_text[opc >> 4]).put(" operator prohibited");
            return false;
        }
        if (result >= max_off || result <= -max_off) {
            fail(errc::pointer_offset_is_out_of_range, pc_)
                .put(type_name(ptr)).put(" pointer offset ").put_int(result).put(" is not allowed");
            return false;
        }
        if (!root_ && ptr.kind == k_stack && (result >= 0 || result < -o_.kernel.max_stack)) {
            fail(errc::pointer_offset_is_out_of_range, pc_)
                .put("R").put_uint(d).put(" stack pointer arithmetic goes out of range, prohibited for !root; off=")
                .put_int(result);
            r_.error = EACCES;
            return false;
        }
        if (sanitize) {
            std::uint32_t after = 0;
            const cell moved{result, ptr.kind, ptr.frame, 0, 0, ptr.id, ptr.range};
            if (!ptr_limit(moved, to_left, d, after)) return false;
            // update_alu_sanitation_state(): every path through this insn must agree
            const std::uint32_t state = (k < 0 ? 1u : 0u) | 2u | (ptr_is_dst ? 4u : 8u);
            const std::uint32_t alu_limit = limit > after ? limit - after : after - limit;
            const std::uint64_t rec = std::uint64_t{state} << 32 | alu_limit;
            std::uint64_t& slot = alu_aux_.p[pc_];
            if (slot != 0 && slot != rec) {
                fail(errc::pointer_arithmetic_is_prohibited, pc_)
                    .put("R").put_uint(d).put(" tried to ").put(opc == 0 ? "add" : "sub")
                    .put(" from different maps, paths or scalars, pointer arithmetic with it prohibited for !root");
                return false;
            }
            slot = rec;
        }
        set_reg(d, {result, ptr.kind, ptr.frame, 0, 0, ptr.id, ptr.range});
        return true;
    }

    // retrieve_ptr_limit() for unprivileged pointer arithmetic through a register
    constexpr bool ptr_limit(const cell& ptr, bool to_left, std::uint32_t reg_no, std::uint32_t& limit) {
        if (ptr.kind == k_map_value) { // (a fixed offset: smin = umax = 0)
            limit = static_cast<std::uint32_t>(ptr.v);
            if (limit >= map_at(ptr).value_size) {
                const insn& x = p_[pc_];
                fail(errc::pointer_arithmetic_is_prohibited, pc_)
                    .put("R").put_uint(x.dst_reg).put(" tried to ").put((x.code & 0xf0) == 0 ? "add" : "sub")
                    .put(" beyond pointer bounds, pointer arithmetic with it prohibited for !root");
                return false;
            }
            return true;
        }
        if (ptr.kind != k_stack) {
            fail(errc::pointer_arithmetic_is_prohibited, pc_)
                .put("R").put_uint(reg_no)
                .put(" has pointer with unsupported alu operation, pointer arithmetic with it prohibited for !root");
            return false;
        }
        limit = static_cast<std::uint32_t>(-ptr.v);
        if (limit >= static_cast<std::uint32_t>(o_.kernel.max_stack) + (to_left ? 1u : 0u)) {
            const insn& x = p_[pc_];
            fail(errc::pointer_arithmetic_is_prohibited, pc_)
                .put("R").put_uint(x.dst_reg).put(" tried to ").put((x.code & 0xf0) == 0 ? "add" : "sub")
                .put(" beyond pointer bounds, pointer arithmetic with it prohibited for !root");
            return false;
        }
        return true;
    }

    // ---- memory ----
    // check_mem_access(): base register, insn offset, size; value = the register loaded or
    // stored (-1: none); st_imm: BPF_ST with imm; strict: atomics (strict alignment once).
    constexpr bool mem_access(std::uint32_t base, std::int16_t ioff, std::uint32_t size, bool write, int value,
                              bool st_imm, std::int32_t imm, bool ldsx, bool strict) {
        const cell b = reg(base);
        if (b.kind == k_stack) {
            const std::int64_t off = b.v + ioff;
            if (size > 1 && off % size != 0) {
                fail(errc::misaligned_stack_access, pc_)
                    .put("misaligned stack access off 0+").put_int(b.v).put("+").put_int(ioff).put(" size ").put_uint(size);
                return false;
            }
            const std::uint32_t fb = b.frame * frame_cells;
            const std::int64_t lowest = write || root_ ? -std::int64_t{o_.kernel.max_stack} : -c_.p[fb + frame_meta].v;
            if (off < lowest || off > -1) {
                fail(errc::invalid_stack_access, pc_)
                    .put(write ? "invalid write to stack R" : "invalid read from stack R").put_uint(base)
                    .put(" off=").put_int(off).put(" size=").put_uint(size);
                return false;
            }
            // grow_stack_state(): allocated stack of the frame, stack depth of its subprogram
            const std::int64_t need = (-off + 7) / 8 * 8;
            if (!root_ && c_.p[fb + frame_meta].v < need) set(fb + frame_meta, {need, 0, 0, 0, 0});
            std::int32_t& depth = depth_.p[c_.p[fb + frame_meta + 1].frame];
            if (depth < need) depth = static_cast<std::int32_t>(need);
            const std::uint32_t spi = static_cast<std::uint32_t>((-off - 1) / 8);
            const std::uint32_t pos = static_cast<std::uint32_t>(off + 8 * (std::int64_t{spi} + 1));
            return write ? stack_write(b.frame, fb + frame_slots + spi, off, pos, size, value, st_imm, imm)
                         : stack_read(fb + frame_slots + spi, off, pos, size, value, ldsx);
        }
        if (b.kind == k_ctx) {
            if (strict && size > 1 && (b.v + ioff) % size != 0) {
                fail(errc::misaligned_context_access, pc_)
                    .put("misaligned context access off 0+").put_int(b.v).put("+").put_int(ioff).put(" size ").put_uint(size);
                return false;
            }
            if (write && value >= 0 && leaks(reg(static_cast<std::uint32_t>(value)))) {
                fail_reg(errc::pointer_leak, static_cast<std::uint32_t>(value), " leaks addr into ctx");
                return false;
            }
            if (b.v != 0) {
                fail(errc::modified_context_pointer, pc_)
                    .put(b.v < 0 ? "negative offset ctx ptr R" : "dereference of modified ctx ptr R").put_uint(base)
                    .put(" off=").put_int(b.v).put(" disallowed");
                return false;
            }
            return ctx_access_at(base, ioff, size, write, value, st_imm, ldsx, strict);
        }
        if (b.kind >= k_map_ptr) return typed_access(b, base, ioff, size, write, value, ldsx, strict);
        if (b.kind == k_opaque) {
            defer(deferral::unknown_pointer, pc_);
            if (!write && value >= 0) set_reg(static_cast<std::uint32_t>(value), k_opaque);
            return true;
        }
        // atomics check alignment first, printing the scalar's tnum: known for constants only
        if (strict && size > 1 && b.kind == k_const && (b.v + ioff) % size != 0) {
            fail(errc::memory_access_through_a_scalar, pc_)
                .put("misaligned access off ").put_tnum(b.v).put("+0+").put_int(ioff).put(" size ").put_uint(size);
            return false;
        }
        if (strict && size > 1 && b.kind == k_scalar) {
            if (b.init != unbounded) {
                defer(deferral::value_range, pc_);
            } else {
                fail(errc::memory_access_through_a_scalar, pc_)
                    .put("misaligned access off (0x0; 0xffffffffffffffff)+0+").put_int(ioff).put(" size ").put_uint(size);
                return false;
            }
        }
        fail_reg(errc::memory_access_through_a_scalar, base, " invalid mem access 'scalar'");
        return false;
    }

    // check_mem_access() through map values and packets (fixed offsets: the model turns a pointer
    // with a variable offset into one only the kernel knows)
    constexpr bool typed_access(const cell& b, std::uint32_t base, std::int16_t ioff, std::uint32_t size, bool write,
                                int value, bool ldsx, bool strict) {
        const bool pkt = is_packet(b.kind);
        if (b.kind == k_map_ptr) { // check_ptr_to_map_access(): BTF
            defer(deferral::kernel_object, pc_);
            if (!write && value >= 0) set_reg(static_cast<std::uint32_t>(value), k_opaque);
            return true;
        }
        if (is_or_null(b.kind) || b.kind == k_pkt_end) {
            fail_reg(is_or_null(b.kind) ? errc::pointer_may_be_null : errc::invalid_memory_access, base,
                     " invalid mem access '").put(type_name(b)).put("'");
            return false;
        }
        if (is_sock(b.kind)) { // check_sock_access(): the fields of struct bpf_sock / bpf_tcp_sock
            if (write) {
                fail_reg(errc::invalid_memory_access, base, " cannot write into ").put(type_name(b));
                return false;
            }
            defer(deferral::context_access, pc_);
            if (value >= 0) set_reg(static_cast<std::uint32_t>(value), {0, k_scalar, 0, unbounded, 0});
            return true;
        }
        // check_ptr_alignment(): strict for atomics; packets as if NET_IP_ALIGN were 2
        const std::int64_t off = b.v + ioff;
        if (strict && size > 1 && ((pkt ? 2 : 0) + off) % size != 0) {
            verifier_message& m = fail(errc::invalid_memory_access, pc_);
            m.put(pkt ? "misaligned packet access off 2+(0x0; 0x0)+" : "misaligned value access off (0x0; 0x0)+")
                .put_int(b.v).put("+").put_int(ioff).put(" size ").put_uint(size);
            return false;
        }
        const bool leak = write && value >= 0 && leaks(reg(static_cast<std::uint32_t>(value)));
        if (pkt) {
            if (write && !direct_packet_write()) {
                fail(errc::cannot_write_into_packet, pc_).put("cannot write into packet");
                return false;
            }
            if (leak) {
                fail_reg(errc::pointer_leak, static_cast<std::uint32_t>(value), " leaks addr into packet");
                return false;
            }
            // check_packet_access(): the range verified against data_end covers [off, off + size)
            if (b.range < 0 || off < 0 || off + size > b.range) {
                fail_reg(errc::packet_access_is_out_of_range, base, " offset is outside of the packet");
                if (b.range < 0) r_.error = EINVAL;
                return false;
            }
        } else {
            const map_shape& m = map_at(b);
            if (leak) {
                fail_reg(errc::pointer_leak, static_cast<std::uint32_t>(value),
                         b.kind == k_ringbuf_mem ? " leaks addr into mem" : " leaks addr into map");
                return false;
            }
            if (b.kind == k_map_value &&
                ((write && (m.flags & map_rdonly_prog)) || (!write && (m.flags & map_wronly_prog)))) {
                fail(errc::map_access_is_forbidden, pc_)
                    .put(write ? "write into map forbidden, value_size=" : "read from map forbidden, value_size=")
                    .put_uint(m.value_size).put(" off=").put_int(off).put(" size=").put_uint(size);
                return false;
            }
            // check_map_access() -> check_mem_region_access(): (the kernel first logs "invalid
            // access to map value, value_size=.. off=.. size=..")
            if (off < 0 || off + size > (b.kind == k_ringbuf_mem ? static_cast<std::uint32_t>(b.range) : m.value_size)) {
                fail_reg(errc::map_value_access_is_out_of_bounds, base, " min value is outside of the allowed memory range");
                return false;
            }
        }
        if (!write && value >= 0) {
            // a frozen read-only array gives the kernel the value itself: only it knows
            const bool rdonly = b.kind == k_map_value && (map_at(b).flags & map_rdonly_prog) && map_at(b).type == map_type::array;
            if (rdonly) defer(deferral::kernel_object, pc_);
            fill(static_cast<std::uint32_t>(value), rdonly ? cell{0, k_opaque, 0, 0, 0} : cell{0, k_scalar, 0, unbounded, 0},
                 size, ldsx);
        }
        return true;
    }
    // may_access_direct_pkt_data() for a store
    constexpr bool direct_packet_write() const {
        const prog_type t = o_.type;
        return t == prog_type::sched_cls || t == prog_type::sched_act || t == prog_type::xdp ||
               t == prog_type::lwt_xmit || t == prog_type::sk_skb || t == prog_type::sk_msg ||
               t == prog_type::cgroup_sockopt;
    }

    // check_ctx_access(): the program type's context layout (verify/context.hpp); atomics, and
    // types the table does not cover, are left to the kernel
    constexpr bool ctx_access_at(std::uint32_t base, std::int16_t ioff, std::uint32_t size, bool write, int value,
                                 bool st_imm, bool ldsx, bool strict) {
        const ctx_access a = check_ctx_access(
            o_, ioff, size, write ? (st_imm ? ctx_op::store_imm : ctx_op::store_reg) : ldsx ? ctx_op::load_sx : ctx_op::load,
            static_cast<std::uint8_t>(base));
        if (strict || a.reason == ctx_reject::not_covered) {
            defer(deferral::context_access, pc_);
            if (!write && value >= 0) set_reg(static_cast<std::uint32_t>(value), k_opaque);
            return true;
        }
        if (!a.allowed) {
            fail(errc::invalid_context_access, pc_).put(a.message());
            r_.error = a.error;
            return false;
        }
        if (write || value < 0) return true;
        const std::uint32_t d = static_cast<std::uint32_t>(value);
        switch (a.reg) {
        case ctx_reg_type::scalar: fill(d, cell{0, k_scalar, 0, unbounded, 0}, size, ldsx); break;
        case ctx_reg_type::pkt: set_reg(d, k_pkt); break;
        case ctx_reg_type::pkt_meta: set_reg(d, k_pkt_meta); break;
        case ctx_reg_type::pkt_end: set_reg(d, k_pkt_end); break;
        case ctx_reg_type::sock_common_or_null: set_reg(d, {0, k_sock_common_or_null, 0, 0, 0, ++id_gen_}); break;
        case ctx_reg_type::sock_or_null: set_reg(d, {0, k_sock_or_null, 0, 0, 0, ++id_gen_}); break;
        case ctx_reg_type::socket: set_reg(d, k_sock); break;
        default: // sockets, flow keys, tracepoint buffers, BTF objects
            defer(deferral::unknown_pointer, pc_);
            set_reg(d, k_opaque);
        }
        return true;
    }

    // check_stack_read_fixed_off()
    constexpr bool stack_read(std::uint32_t slot_cell, std::int64_t off, std::uint32_t pos, std::uint32_t size,
                              int value, bool ldsx) {
        const cell sl = c_.p[slot_cell];
        if (sl.size != 0) { // a spilled register starts at this slot
            if (size != 8 || sl.size != 8) {
                if (sl.kind == k_opaque) {
                    defer(deferral::unknown_pointer, pc_);
                } else if (sl.kind != k_scalar && sl.kind != k_const) {
                    fail(errc::partial_access_to_a_spilled_pointer, pc_).put("invalid size of register fill");
                    return false;
                }
                if (value < 0) return true;
                fill(static_cast<std::uint32_t>(value),
                     sl.kind == k_opaque                  ? cell{0, k_opaque, 0, 0, 0}
                     : pos == 0 && size <= sl.size ? cell{sl.v, sl.kind, 0, 0, 0}
                                                          : cell{0, k_scalar, 0, 0, 0},
                     size, ldsx);
                return true;
            }
            if (value >= 0) {
                set_reg(static_cast<std::uint32_t>(value), {sl.v, sl.kind, sl.frame, 0, 0, sl.id, sl.range});
            } else if (leaks(sl)) {
                fail(errc::pointer_leak, pc_).put("leaking pointer from stack off ").put_int(off);
                return false;
            }
            return true;
        }
        if (!root_) {
            const std::uint32_t missing = ~static_cast<std::uint32_t>(sl.init) >> pos & ((1u << size) - 1);
            if (missing != 0) {
                std::uint32_t i = 0;
                while (!((missing >> i) & 1)) ++i;
                fail(errc::invalid_stack_access, pc_)
                    .put("invalid read from stack off ").put_int(off).put("+").put_uint(i).put(" size ").put_uint(size);
                return false;
            }
        }
        if (value >= 0) fill(static_cast<std::uint32_t>(value), cell{0, k_scalar, 0, 0, 0}, size, ldsx);
        return true;
    }

    static constexpr std::int64_t narrow(std::int64_t v, std::uint32_t size, bool sx) {
        const auto u = static_cast<std::uint64_t>(v);
        return size == 8 ? v
               : sx      ? (size == 4 ? std::int64_t{static_cast<std::int32_t>(u)}
                            : size == 2 ? std::int64_t{static_cast<std::int16_t>(u)}
                                        : std::int64_t{static_cast<std::int8_t>(u)})
                         : static_cast<std::int64_t>(u & ((std::uint64_t{1} << (8 * size)) - 1));
    }

    // check_stack_write_fixed_off()
    constexpr bool stack_write(std::uint32_t frame, std::uint32_t slot_cell, std::int64_t, std::uint32_t pos,
                               std::uint32_t size, int value, bool st_imm, std::int32_t imm) {
        const cell sl = c_.p[slot_cell];
        const bool spilled_ptr = sl.size != 0 && sl.kind != k_scalar && sl.kind != k_const;
        if (!root_ && spilled_ptr && size != 8) {
            if (sl.kind == k_opaque) {
                defer(deferral::unknown_pointer, pc_);
            } else {
                fail(errc::partial_access_to_a_spilled_pointer, pc_).put("attempt to corrupt spilled pointer on stack");
                return false;
            }
        }
        // written bytes matter to unprivileged reads only (root may read uninitialized stack)
        const std::uint8_t bytes = root_ ? 0 : static_cast<std::uint8_t>(((1u << size) - 1) << pos);
        const cell v = value >= 0 ? reg(static_cast<std::uint32_t>(value)) : cell{imm, k_const, 0, 0, 0};
        if (value >= 0 && (v.kind == k_opaque || is_ptr(v))) {
            if (v.kind == k_opaque) defer(deferral::unknown_pointer, pc_);
            else if (size != 8) {
                fail(errc::partial_access_to_a_spilled_pointer, pc_).put("invalid size of register spill");
                return false;
            } else if (v.kind == k_stack && frame != curframe()) {
                fail(errc::stack_pointer_spilled_into_the_callers_frame, pc_)
                    .put("cannot spill pointers to stack into stack frame of the caller");
                return false;
            }
            if (size == 8) {
                set(slot_cell, {v.v, v.kind, v.frame, static_cast<std::uint8_t>(root_ ? 0 : 0xff), 8, v.id, v.range});
                return true;
            }
        } else if (pos == 0 && root_ && (value >= 0 || st_imm)) { // a scalar (or imm) spill
            // constants are kept; a bound is dropped (fewer distinct states, never more knowledge)
            lossy_ += bounded(v);
            set(slot_cell, {v.kind == k_const ? v.v : 0, v.kind, 0, static_cast<std::uint8_t>(sl.init | bytes),
                            static_cast<std::uint8_t>(size), value >= 0 ? v.id : 0});
            return true;
        }
        set(slot_cell, {0, 0, 0, static_cast<std::uint8_t>(sl.init | bytes), 0}); // plain data
        return true;
    }

    constexpr bool load(const insn& x) { // LDX: check_load_mem()
        if (!read_reg(x.src_reg) || !write_ok(x.dst_reg)) return false;
        const std::uint8_t base = reg(x.src_reg).kind;
        return mem_access(x.src_reg, x.off, static_cast<std::uint32_t>(op::size_bytes(op::size(x.code))), false,
                          x.dst_reg, false, 0, (x.code & 0xe0) == 0x80, false) &&
               save_aux_ptr_type(base);
    }
    // save_aux_ptr_type(): a load or store instruction is used with one kind of pointer on every
    // path, where one of them is the context (or a socket or BTF object: only the kernel knows)
    constexpr bool save_aux_ptr_type(std::uint8_t kind) {
        std::uint8_t& prev = ptr_aux_.p[pc_];
        if (prev == 0) prev = kind;
        else if (prev != kind && (prev == k_ctx || kind == k_ctx || prev == k_opaque || kind == k_opaque)) {
            if (prev == k_opaque || kind == k_opaque) {
                defer(deferral::unknown_pointer, pc_);
                return true;
            }
            fail(errc::invalid_memory_access, pc_).put("same insn cannot be used with different pointers");
            r_.error = EINVAL;
            return false;
        }
        return true;
    }

    constexpr bool store(const insn& x) { // STX
        const std::uint32_t size = static_cast<std::uint32_t>(op::size_bytes(op::size(x.code)));
        if ((x.code & 0xe0) == 0xc0) return atomic(x, size);
        if ((x.code & 0xe0) != 0x60 || x.imm != 0) {
            fail(errc::stx_uses_reserved_fields, pc_).put("BPF_STX uses reserved fields");
            return false;
        }
        if (!read_reg(x.src_reg) || !read_reg(x.dst_reg)) return false;
        return mem_access(x.dst_reg, x.off, size, true, x.src_reg, false, 0, false, false) &&
               save_aux_ptr_type(reg(x.dst_reg).kind);
    }

    constexpr bool store_imm(const insn& x) { // ST
        if ((x.code & 0xe0) != 0x60 || x.src_reg != 0) {
            fail(errc::st_uses_reserved_fields, pc_).put("BPF_ST uses reserved fields");
            return false;
        }
        if (!read_reg(x.dst_reg)) return false;
        return mem_access(x.dst_reg, x.off, static_cast<std::uint32_t>(op::size_bytes(op::size(x.code))), true, -1,
                          true, x.imm, false, false) &&
               save_aux_ptr_type(reg(x.dst_reg).kind);
    }

    constexpr bool atomic(const insn& x, std::uint32_t size) { // check_atomic()
        const std::int32_t aop = x.imm;
        const std::uint32_t d = x.dst_reg, s = x.src_reg;
        if (aop == op::load_acq || aop == op::store_rel) {
            const bool load = aop == op::load_acq;
            const std::uint32_t base = load ? s : d;
            if (load && o_.kernel.atomic_load_type_first && s <= 10 && reg(s).kind == k_ctx) {
                fail(errc::atomic_access_to_this_pointer_is_not_allowed, pc_)
                    .put("BPF_ATOMIC loads from R").put_uint(s).put(" ctx is not allowed");
                return false;
            }
            if (load ? (!read_reg(s) || !write_ok(d)) : (!read_reg(s) || !read_reg(d))) return false;
            if (!mem_access(base, x.off, size, !load, load ? static_cast<int>(d) : static_cast<int>(s), false, 0,
                            false, true))
                return false;
            if (reg(base).kind == k_ctx || is_packet(reg(base).kind)) {
                fail(errc::atomic_access_to_this_pointer_is_not_allowed, pc_)
                    .put(load ? "BPF_ATOMIC loads from R" : "BPF_ATOMIC stores into R").put_uint(base).put(" ")
                    .put(type_name(reg(base))).put(" is not allowed");
                return false;
            }
            return true;
        }
        if (aop != 0x00 && aop != 0x01 && aop != 0x40 && aop != 0x41 && aop != 0x50 && aop != 0x51 && aop != 0xa0 &&
            aop != 0xa1 && aop != op::xchg && aop != op::cmpxchg) {
            fail(errc::invalid_atomic_opcode, pc_).put("BPF_ATOMIC uses invalid atomic opcode ").put_hex(static_cast<std::uint32_t>(aop));
            return false;
        }
        if (size != 4 && size != 8) {
            fail(errc::invalid_atomic_operand_size, pc_).put("invalid atomic operand size");
            return false;
        }
        if (!read_reg(s) || !read_reg(d)) return false;
        if (aop == op::cmpxchg) {
            if (!read_reg(0)) return false;
            if (leaks(reg(0))) {
                fail_reg(errc::pointer_leak, 0, " leaks addr into mem");
                return false;
            }
        }
        if (leaks(reg(s))) {
            fail_reg(errc::pointer_leak, s, " leaks addr into mem");
            return false;
        }
        if (reg(d).kind == k_ctx || is_packet(reg(d).kind)) {
            fail(errc::atomic_access_to_this_pointer_is_not_allowed, pc_)
                .put("BPF_ATOMIC stores into R").put_uint(d).put(" ").put(type_name(reg(d))).put(" is not allowed");
            return false;
        }
        const int load_reg = aop & op::fetch ? (aop == op::cmpxchg ? 0 : static_cast<int>(s)) : -1;
        if (load_reg >= 0) { // DST_OP: the register becomes an unknown scalar before the access
            if (!write_ok(static_cast<std::uint32_t>(load_reg))) return false;
            set_reg(static_cast<std::uint32_t>(load_reg), {0, k_scalar, 0, unbounded, 0});
        }
        if (!mem_access(d, x.off, size, false, -1, false, 0, false, true)) return false;
        if (load_reg >= 0 && !mem_access(d, x.off, size, false, load_reg, false, 0, false, true)) return false;
        return mem_access(d, x.off, size, true, -1, false, 0, false, true);
    }

    // ---- LD: legacy packet loads and ld_imm64 ----
    constexpr int ld(const insn& x) {
        const std::uint8_t mode = x.code & 0xe0;
        if (mode == 0x20 || mode == 0x40) { // check_ld_abs()
            const prog_type t = o_.type;
            if (t != prog_type::unspecified && t != prog_type::socket_filter && t != prog_type::sched_cls &&
                t != prog_type::sched_act) {
                fail(errc::ld_abs_is_not_allowed_for_this_program_type, pc_)
                    .put("BPF_LD_[ABS|IND] instructions not allowed for this program type");
                return -1;
            }
            if (x.dst_reg != 0 || x.off != 0 || (mode == 0x20 && x.src_reg != 0)) {
                fail(errc::ld_abs_uses_reserved_fields, pc_).put("BPF_LD_[ABS|IND] uses reserved fields");
                return -1;
            }
            if (!read_reg(6)) return -1;
            if (reference_leak("BPF_LD_[ABS|IND]")) return -1;
            const cell r6 = reg(6);
            if (r6.kind == k_opaque) {
                defer(deferral::unknown_pointer, pc_);
            } else if (r6.kind != k_ctx) {
                fail(errc::ld_abs_needs_the_context_in_r6, pc_).put("at the time of BPF_LD_ABS|IND R6 != pointer to skb");
                return -1;
            }
            if (mode == 0x40 && !read_reg(x.src_reg)) return -1;
            if (r6.kind == k_ctx && r6.v != 0) {
                fail(errc::modified_context_pointer, pc_)
                    .put(r6.v < 0 ? "negative offset ctx ptr R6 off=" : "dereference of modified ctx ptr R6 off=")
                    .put_int(r6.v).put(" disallowed");
                return -1;
            }
            clobber_caller_saved(k_scalar);
            ++pc_;
            return 0;
        }
        // ld_imm64: check_ld_imm()
        if (x.off != 0) {
            fail(errc::ld_imm64_uses_reserved_fields, pc_).put("BPF_LD_IMM64 uses reserved fields");
            return -1;
        }
        if (!write_ok(x.dst_reg)) return -1;
        if (x.src_reg == 0) {
            set_reg(x.dst_reg, k_const,
                    static_cast<std::int64_t>(std::uint64_t{static_cast<std::uint32_t>(p_[pc_ + 1].imm)} << 32 |
                                              static_cast<std::uint32_t>(x.imm)));
        } else if (x.src_reg == 4) {
            fail(errc::callback_needs_btf_func_info, pc_).put("missing btf func_info");
            return -1;
        } else if ((x.src_reg == 1 || x.src_reg == 5) && map_of(x) >= 0) {
            set_reg(x.dst_reg, {0, k_map_ptr, static_cast<std::uint8_t>(map_of(x)), 0, 0});
        } else {
            set_reg(x.dst_reg, k_opaque); // map value, BTF variable, a map not described: deferred in the pre-pass
        }
        pc_ += 2;
        return 0;
    }

    // ---- jumps, calls, exit ----
    constexpr int jump(const insn& x) {
        const std::uint8_t cls = x.code & 7, opc = x.code & 0xf0;
        const bool isx = x.code & 8;
        if (opc == 0x80) {
            if (isx || (x.src_reg != 2 && x.off != 0) || x.src_reg > 2 || x.dst_reg != 0 || cls == 6) {
                fail(errc::call_uses_reserved_fields, pc_).put("BPF_CALL uses reserved fields");
                return -1;
            }
            if (x.src_reg == 1) return call_subprog(x);
            if (x.src_reg == 2) { // kfunc: prototypes come from BTF
                defer(deferral::kernel_object, pc_);
                clobber_caller_saved(k_opaque);
                ++pc_;
                return 0;
            }
            return call_helper(x);
        }
        if (opc == 0x00) {
            if (isx || x.src_reg != 0 || x.dst_reg != 0 || (cls == 5 && x.imm != 0) || (cls == 6 && x.off != 0)) {
                fail(errc::ja_uses_reserved_fields, pc_).put("BPF_JA uses reserved fields");
                return -1;
            }
            pc_ = static_cast<std::uint32_t>(std::int64_t{pc_} + (cls == 5 ? x.off : x.imm) + 1);
            return 0;
        }
        if (opc == 0x90) {
            if (isx || x.imm != 0 || x.src_reg != 0 || x.dst_reg != 0 || cls == 6) {
                fail(errc::exit_uses_reserved_fields, pc_).put("BPF_EXIT uses reserved fields");
                return -1;
            }
            return exit_insn();
        }
        if (opc == 0xe0) { // may_goto: the kernel follows the goto first
            if (x.src_reg != 0 || x.dst_reg != 0 || x.imm != 0) {
                fail(errc::invalid_may_goto, pc_).put("invalid may_goto imm ").put_int(x.imm);
                return -1;
            }
            if (!fork(pc_ + 1, 0xff, {}, true)) return 1;
            pc_ = static_cast<std::uint32_t>(std::int64_t{pc_} + x.off + 1);
            return 0;
        }
        // conditional jump: check_cond_jmp_op()
        const std::uint32_t d = x.dst_reg, s = x.src_reg;
        if (!read_reg(d)) return -1;
        if (isx) {
            if (x.imm != 0) {
                fail(errc::jmp_uses_reserved_fields, pc_).put("BPF_JMP/JMP32 uses reserved fields");
                return -1;
            }
            if (!read_reg(s)) return -1;
            if (!(is_pkt_any(reg(d)) && is_pkt_any(reg(s))) && leaks(reg(s))) {
                fail_reg(errc::pointer_comparison_is_prohibited, s, " pointer comparison prohibited");
                return -1;
            }
        } else if (s != 0) {
            fail(errc::jmp_uses_reserved_fields, pc_).put("BPF_JMP/JMP32 uses reserved fields");
            return -1;
        }
        const cell b = isx ? reg(s) : cell{x.imm, k_const, 0, 0, 0};
        if (leaks(reg(d)) && (lint_ || branch_taken(opc, cls == 6, reg(d), b) < 0) && !is_null_check(x, reg(d)) &&
            pkt_match(x, reg(d), b) == 0) {
            fail_reg(errc::pointer_comparison_is_prohibited, d, " pointer comparison prohibited");
            return -1;
        }
        return branch(x, reg(d), b);
    }
    // A conditional jump whose operands are checked: follow the known outcome, or fork (the
    // fall-through first, like the kernel). JEQ/JNE against a constant: on the equal side the
    // register is that constant.
    constexpr int branch(const insn& x, const cell& a, const cell& b) {
        const std::uint8_t opc = x.code & 0xf0;
        const int pred = lint_ ? -1 : branch_taken(opc, (x.code & 7) == 6, a, b);
        const std::uint32_t taken = static_cast<std::uint32_t>(std::int64_t{pc_} + x.off + 1);
        if (pred >= 0) return pc_ = pred == 1 ? taken : pc_ + 1, 0;
        if (a.kind >= k_map_ptr || b.kind >= k_map_ptr) return pointer_branch(x, cell(a), cell(b), taken);
        // a 64-bit scalar against a constant: each side learns what the kernel's reg_set_min_max()
        // learns, as far as the model holds it
        const bool on_dst = a.kind == k_scalar && b.kind == k_const;
        const bool on_src = (x.code & 8) && b.kind == k_scalar && a.kind == k_const;
        const bool learns = (x.code & 7) == 5 && (on_dst || on_src);
        const std::uint8_t rr = learns ? (on_dst ? x.dst_reg : x.src_reg) : 0xff;
        const cell rc = on_dst ? a : b;
        const std::uint8_t o = on_dst ? opc : flip(opc);
        const auto k = static_cast<std::uint64_t>(on_dst ? b.v : a.v);
        // the model learns nothing from these; the kernel does (and may decide later branches)
        if (!lint_ && ((x.code & 7) == 6 ? a.kind == k_scalar || b.kind == k_scalar : a.kind == k_scalar && b.kind == k_scalar))
            ++doubt_;
        if (!fork(taken, rr, learns ? refine(rc, o, k, true) : cell{}, false)) return 1;
        if (learns) set_reg(rr, refine(rc, o, k, false));
        return ++pc_, 0;
    }
    // mark_ptr_or_null_regs(): "if rX == 0" on a pointer that may be null
    static constexpr bool is_null_check(const insn& x, const cell& a) {
        return x.code == 0x15 || x.code == 0x55 ? x.imm == 0 && is_or_null(a.kind) : false;
    }
    static constexpr bool is_pkt_any(const cell& c) { return c.kind == k_pkt || c.kind == k_pkt_meta || c.kind == k_pkt_end; }
    static constexpr bool init_pkt(const cell& c) { return c.kind == k_pkt && c.id == 0 && c.v == 0; }
    // try_match_pkt_pointers(): 1 the packet pointer is dst (pkt > pkt_end, meta > pkt), 2 it is
    // src (pkt_end > pkt, pkt > meta), 0 no match
    static constexpr int pkt_match(const insn& x, const cell& a, const cell& b) {
        const std::uint8_t opc = x.code & 0xf0;
        if (!(x.code & 8) || (x.code & 7) != 5 || (opc != 0x20 && opc != 0xa0 && opc != 0x30 && opc != 0xb0)) return 0;
        return (a.kind == k_pkt && b.kind == k_pkt_end) || (a.kind == k_pkt_meta && init_pkt(b))   ? 1
               : (a.kind == k_pkt_end && b.kind == k_pkt) || (init_pkt(a) && b.kind == k_pkt_meta) ? 2
                                                                                                  : 0;
    }
    // A branch on pointers the kernel does not decide: null checks mark every copy of the pointer
    // on both sides; a packet pointer against the packet end gives the copies of the pointer a
    // verified range on the side where it is in bounds (find_good_pkt_pointers()) and says it is
    // at or beyond the end on the other (mark_pkt_end()).
    constexpr int pointer_branch(const insn& x, const cell a, const cell b, std::uint32_t taken) {
        const std::uint8_t opc = x.code & 0xf0;
        if (is_null_check(x, a)) {
            if (!fork(taken, 0xff, {}, false)) return 1;
            set_mark(a.kind, a.id, opc == 0x10 ? 1 : 0);
            mark_regs(a.kind, a.id, opc == 0x50 ? 1 : 0);
            return ++pc_, 0;
        }
        const int m = pkt_match(x, a, b);
        if (m == 0) {
            // "if rA == rB" with one of them never null: on the equal side the other is not null
            // either (that register only: mark_ptr_not_null_reg())
            const bool eq_ptrs = (x.code == 0x1d || x.code == 0x5d) && is_ptr(a) && is_ptr(b);
            const std::uint8_t rr = !eq_ptrs                                   ? std::uint8_t{0xff}
                                    : is_or_null(a.kind) && null_taken(0x50, b, 0) == 1 ? x.dst_reg
                                    : is_or_null(b.kind) && null_taken(0x50, a, 0) == 1 ? x.src_reg
                                                                                        : std::uint8_t{0xff};
            const cell p = rr == 0xff ? cell{} : rr == x.dst_reg ? a : b;
            const cell nn = rr == 0xff ? cell{} : marked(p, 0);
            if (!fork(taken, opc == 0x10 ? rr : std::uint8_t{0xff}, nn, false)) return 1;
            if (opc == 0x50 && rr != 0xff) set_reg(rr, nn);
            return ++pc_, 0;
        }
        const cell p = m == 1 ? a : b;
        const std::uint8_t preg = m == 1 ? x.dst_reg : x.src_reg;
        const bool good_here = m == 1 ? (opc == 0x20 || opc == 0x30) : (opc == 0xa0 || opc == 0xb0);
        const bool open = m == 1 ? (opc == 0xa0 || opc == 0x30) : (opc == 0x20 || opc == 0xb0);
        const bool good = p.v > 0 && p.v <= 0xffff; // find_good_pkt_pointers() learns nothing else
        const std::int32_t range = static_cast<std::int32_t>(p.v) + (open ? 1 : 0);
        cell at_end = p; // mark_pkt_end(): at (-1) or beyond (-2) the end; packet data pointers only
        at_end.range = open ? -1 : -2;
        const bool end = p.kind == k_pkt;
        if (!fork(taken, good_here && end ? preg : std::uint8_t{0xff}, at_end, false)) return 1;
        if (good) {
            if (good_here) mark_regs(p.kind, p.id, range);
            else set_mark(p.kind, p.id, range);
        }
        if (good_here || !end) return ++pc_, 0;
        set_reg(preg, at_end);
        return ++pc_, 0;
    }
    constexpr void set_mark(std::uint8_t kind, std::uint32_t id, std::int32_t arg) {
        pending_entry& e = pending_.p[pending_.size - 1];
        e.mark_kind = kind, e.mark_id = id, e.mark_arg = arg;
    }
    // Every register and spilled register of every frame that is a copy of the pointer: a null
    // check's outcome (arg 1: null, 0: not null), or a packet range (arg: the new range).
    constexpr void mark_regs(std::uint8_t kind, std::uint32_t id, std::int32_t arg) {
        work_ += 12 * (cf_ + 1); // (every register and stack slot of every frame)
        if (is_or_null(kind) && arg) drop_ref(id); // a NULL holds no reference
        for (std::uint32_t f = 0; f <= cf_; ++f) {
            for (cell& c : rf_.f[f].r)
                if (c.kind == kind && c.id == id) c = marked(c, arg);
            for (std::uint32_t i = f * frame_cells + frame_slots, e = (f + 1) * frame_cells; i < e; ++i)
                if (c_.p[i].size == 8 && c_.p[i].kind == kind && c_.p[i].id == id) {
                    cell v = marked(c_.p[i], arg);
                    v.init = c_.p[i].init, v.size = 8;
                    set(i, v);
                }
        }
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
    // conditional jumps between scalars with well-formed fields (else: the general path)
    constexpr int cond_plain(const insn& x) {
        const cell& a = rf_.f[cf_].r[x.dst_reg < 11 ? x.dst_reg : 0];
        const cell& b = (x.code & 8) ? rf_.f[cf_].r[x.src_reg < 11 ? x.src_reg : 0] : a;
        if (x.dst_reg >= 11 || a.kind == k_uninit || a.kind > k_const ||
            ((x.code & 8) ? (x.imm != 0 || x.src_reg >= 11 || b.kind == k_uninit || b.kind > k_const) : x.src_reg != 0))
            return step(x);
        return branch(x, a, (x.code & 8) ? b : cell{x.imm, k_const, 0, 0, 0});
    }

    // is_branch_taken(): 1 always, 0 never, -1 unknown: two constants, or a constant and a scalar
    // whose range [0, umax] (or the whole type) decides; pointers are not folded.
    static constexpr int branch_taken(std::uint8_t opc, bool is32, const cell& a, const cell& b) {
        return is_pkt_any(a) && is_pkt_any(b) && !is32 ? pkt_branch_taken(opc, a, b)
               : is_ptr(a) || is_ptr(b)
                   ? (is32 ? -1 : b.kind == k_const ? null_taken(opc, a, b.v) : a.kind == k_const ? null_taken(flip(opc), b, a.v) : -1)
               : (a.kind != k_scalar && a.kind != k_const) || (b.kind != k_scalar && b.kind != k_const) ? -1
               : a.kind == k_const && b.kind == k_const
                   ? compare_consts(opc, is32 ? 0xffffffffull : ~0ull, static_cast<std::uint64_t>(a.v),
                                    static_cast<std::uint64_t>(b.v))
               : a.kind != k_const && b.kind != k_const ? -1
               : b.kind == k_const ? compare_range(opc, is32, umin_of(a, is32), umax_of(a), static_cast<std::uint64_t>(b.v))
                                   : compare_range(flip(opc), is32, umin_of(b, is32), umax_of(b), static_cast<std::uint64_t>(a.v));
    }
    // a pointer that is never null (reg_not_null(): here map values and, on 6.18, map pointers)
    // against 0
    static constexpr int null_taken(std::uint8_t opc, const cell& p, std::int64_t k) {
        const bool not_null = p.kind == k_map_value || p.kind == k_map_ptr || p.kind == k_sock || p.kind == k_sock_common ||
                              p.kind == k_tcp_sock || p.kind == k_ringbuf_mem;
        return !not_null || k != 0 ? -1 : opc == 0x10 ? 0 : opc == 0x50 ? 1 : -1;
    }
    // is_pkt_ptr_branch_taken(): a packet pointer known to be at or beyond the packet end
    static constexpr int pkt_branch_taken(std::uint8_t opc, const cell& a, const cell& b) {
        const bool dst = b.kind == k_pkt_end;
        if (!dst && a.kind != k_pkt_end) return -1;
        const cell& p = dst ? a : b;
        const std::uint8_t o = dst ? opc : flip(opc);
        if (p.range >= 0) return -1;
        if ((o == 0xb0 || o == 0x20) && p.range == -2) return o == 0x20;
        if (o == 0xa0 || o == 0x30) return o == 0x30;
        return -1;
    }
    static constexpr std::int64_t as_signed(std::uint64_t v, std::uint64_t mask) {
        return mask == ~0ull ? static_cast<std::int64_t>(v) : std::int64_t{static_cast<std::int32_t>(v)};
    }
    static constexpr int compare_consts(std::uint8_t opc, std::uint64_t mask, std::uint64_t a, std::uint64_t b) {
        return opc == 0x10   ? (a & mask) == (b & mask)
               : opc == 0x50 ? (a & mask) != (b & mask)
               : opc == 0x20 ? (a & mask) > (b & mask)
               : opc == 0x30 ? (a & mask) >= (b & mask)
               : opc == 0xa0 ? (a & mask) < (b & mask)
               : opc == 0xb0 ? (a & mask) <= (b & mask)
               : opc == 0x60 ? as_signed(a & mask, mask) > as_signed(b & mask, mask)
               : opc == 0x70 ? as_signed(a & mask, mask) >= as_signed(b & mask, mask)
               : opc == 0xc0 ? as_signed(a & mask, mask) < as_signed(b & mask, mask)
               : opc == 0xd0 ? as_signed(a & mask, mask) <= as_signed(b & mask, mask)
               : opc == 0x40 ? (a & b & mask) != 0
                             : -1;
    }
    static constexpr std::uint8_t flip(std::uint8_t opc) { // a OP b == b flip(OP) a
        return opc == 0x20 ? 0xa0 : opc == 0xa0 ? 0x20 : opc == 0x30 ? 0xb0 : opc == 0xb0 ? 0x30
             : opc == 0x60 ? 0xc0 : opc == 0xc0 ? 0x60 : opc == 0x70 ? 0xd0 : opc == 0xd0 ? 0x70 : opc;
    }
    // the lower bound of a scalar (64-bit): 2^63 when negative, 1 when nonzero, else 0
    static constexpr std::uint64_t umin_of(const cell& c, bool is32) {
        return c.kind != k_scalar || is32 ? 0 : (c.frame & negative) ? 1ull << 63 : (c.frame & nonzero) ? 1 : 0;
    }
    // The scalar c after "c o k" was (taken) or was not (!taken) true, 64-bit, in the model's
    // terms: an upper bound, nonzero (umin >= 1), negative (umin >= 2^63). Only what the kernel's
    // bounds also say (so a branch the model decides, the kernel decides too).
    static constexpr cell refine(const cell& c, std::uint8_t o, std::uint64_t k, bool taken) {
        constexpr std::uint64_t smax = ~0ull >> 1;
        const std::uint8_t t = taken ? o : o == 0x10 ? 0x50 : o == 0x50 ? 0x10 : negate(o); // what holds
        if (t == 0x10) return {static_cast<std::int64_t>(k), k_const, 0, 0, 0, c.id};
        std::uint64_t lo = 0, hi = ~0ull; // new unsigned bounds
        const auto sk = static_cast<std::int64_t>(k);
        switch (t) {
        case 0x50: lo = k == 0 ? 1 : 0; break;             // != 0
        case 0x20: lo = k == ~0ull ? ~0ull : k + 1; break; // >
        case 0x30: lo = k; break;                           // >=
        case 0xa0: hi = k == 0 ? 0 : k - 1; break;          // <
        case 0xb0: hi = k; break;                           // <=
        case 0x60: if (sk >= 0) { hi = smax; lo = sk == INT64_MAX ? 0 : static_cast<std::uint64_t>(sk) + 1; } break; // s>
        case 0x70: if (sk >= 0) { hi = smax; lo = k; } break;                                                       // s>=
        case 0xc0: if (sk <= 0) { lo = 1ull << 63; hi = k - 1; } else if (umax_of(c) <= smax) { hi = k - 1; } break; // s<
        case 0xd0: if (sk < 0) { lo = 1ull << 63; hi = k; } else if (umax_of(c) <= smax) { hi = k; } break;         // s<=
        default: break;
        }
        const std::uint64_t umax = min_u(umax_of(c), hi);
        const std::uint64_t umin = umin_of(c, false) > lo ? umin_of(c, false) : lo;
        cell r = scalar(umax);
        if (r.kind == k_scalar)
            r.frame = static_cast<std::uint8_t>((umin >= 1 ? nonzero : 0) | (umin >= (1ull << 63) ? negative : 0));
        r.init = umax == ~0ull && umin < (1ull << 63) ? c.init : 0; // every bit still unknown?
        r.id = c.id;
        return r;
    }
    // the condition that holds when "o" does not (unsigned and signed orders)
    static constexpr std::uint8_t negate(std::uint8_t o) {
        return o == 0x20 ? 0xb0 : o == 0xb0 ? 0x20 : o == 0x30 ? 0xa0 : o == 0xa0 ? 0x30
             : o == 0x60 ? 0xd0 : o == 0xd0 ? 0x60 : o == 0x70 ? 0xc0 : o == 0xc0 ? 0x70 : 0;
    }
    // "scalar OP k" for a scalar in [umin, umax] (as 32 or 64 bits)
    static constexpr int compare_range(std::uint8_t o, bool is32, std::uint64_t umin, std::uint64_t umax, std::uint64_t kv) {
        return compare_bounds(o, umin, is32 ? min_u(umax, 0xffffffffull) : umax, is32 ? kv & 0xffffffffull : kv,
                              is32 ? 0xffffffffull : ~0ull);
    }
    // (the signed range of [l, u]: itself when it does not cross the sign boundary)
    static constexpr int compare_bounds(std::uint8_t o, std::uint64_t l, std::uint64_t u, std::uint64_t k, std::uint64_t mask) {
        return compare_signed(o, l, u, k, as_signed(k, mask),
                              u <= (mask >> 1) || l > (mask >> 1) ? as_signed(l, mask) : as_signed((mask >> 1) + 1, mask),
                              u <= (mask >> 1) || l > (mask >> 1) ? as_signed(u, mask) : as_signed(mask >> 1, mask));
    }
    static constexpr int compare_signed(std::uint8_t o, std::uint64_t l, std::uint64_t u, std::uint64_t k,
                                        std::int64_t sk, std::int64_t smin, std::int64_t smax) {
        return o == 0x10   ? (k > u || k < l ? 0 : -1)
               : o == 0x50 ? (k > u || k < l ? 1 : -1)
               : o == 0x20 ? (u <= k ? 0 : l > k ? 1 : -1)
               : o == 0x30 ? (l >= k ? 1 : u < k ? 0 : -1)
               : o == 0xa0 ? (l >= k ? 0 : u < k ? 1 : -1)
               : o == 0xb0 ? (u <= k ? 1 : l > k ? 0 : -1)
               : o == 0x60 ? (smin > sk ? 1 : smax <= sk ? 0 : -1)
               : o == 0x70 ? (smin >= sk ? 1 : smax < sk ? 0 : -1)
               : o == 0xc0 ? (smax < sk ? 1 : smin >= sk ? 0 : -1)
               : o == 0xd0 ? (smax <= sk ? 1 : smin > sk ? 0 : -1)
               : o == 0x40 ? ((low_bits(u) & k) == 0 ? 0 : -1)
                           : -1;
    }

    constexpr int call_helper(const insn& x) { // check_helper_call()
        const std::int32_t id = x.imm;
        if (id < 0 || id > o_.kernel.helper_max_id) {
            fail(errc::invalid_func_id, pc_).put("invalid func unknown#").put_int(id);
            return -1;
        }
        if (id == 0) {
            fail(errc::helper_is_not_allowed, pc_).put("program of this type cannot use helper bpf_unspec#0");
            return -1;
        }
        // get_func_proto(): where the helper may be called, as measured on the live kernel
        if (avail_row_ != nullptr && id <= helper_max_id && id < helper_availability_ids) {
            const auto u = static_cast<std::uint32_t>(id);
            const std::uint64_t bit = std::uint64_t{1} << (u % 64);
            if (!(avail_row_->yes[u / 64] & bit)) {
                fail(errc::helper_is_not_allowed, pc_)
                    .put(avail_row_->unknown_func[u / 64] & bit ? "unknown func bpf_" : "program of this type cannot use helper bpf_")
                    .put(helper_table[id].name).put("#").put_int(id);
                return -1;
            }
            std::uint8_t flags = 0;
            const helper_proto* pr = proto_for(o_.type, o_.priv, id, &flags);
            // a prototype this type surely uses, with arguments the model knows (no BTF, no sleeping)
            if (pr != nullptr && !(flags & type_proto_flag::conditional) &&
                !pr->has(proto_prop::might_sleep) && !pr->has(proto_prop::has_allowed) &&
                !pr->has(proto_prop::arg_btf_id) && !pr->has(proto_prop::ret_btf_id))
                return call_proto(id, *pr);
        }
        if (id >= 1 && id <= 3) return map_helper(id);
        std::uint8_t ret = ret_scalar;
        if (id <= helper_max_id) {
            const std::uint32_t args = static_cast<std::uint32_t>(helper_table[id].arg_count);
            const std::uint8_t avail = args != 0 ? avail_unknown : helper_returns.avail[id];
            if (avail == avail_root && !root_ && avail_row_ == nullptr) { // (unprivileged: socket_filter and cgroup_skb only)
                fail(errc::helper_is_not_allowed, pc_)
                    .put("program of this type cannot use helper bpf_").put(helper_table[id].name).put("#").put_int(id);
                return -1;
            }
            if (args != 0) defer(deferral::helper_arguments, pc_); // argument types: the helper's prototype
            else if (avail == avail_unknown || !helpers_known_) defer(deferral::helper_availability, pc_);
            for (std::uint32_t r = 1; r <= args; ++r)
                if (!read_reg(r)) return -1;
            ret = helper_returns.kind[id];
        } else {
            defer(deferral::kernel_object, pc_); // a helper this table does not know
            ret = ret_pointer;
        }
        clobber_caller_saved(ret == ret_scalar ? k_scalar : ret == ret_pointer ? k_opaque : k_uninit);
        helper_result(id);
        ++pc_;
        return 0;
    }

    // check_func_arg() for each argument of the helper's prototype, then
    // check_map_func_compatibility() and the return value. What the model does not know (BTF
    // types, sockets, spin locks, dynptrs, variable sizes) is left to the kernel.
    constexpr int call_proto(std::int32_t id, const helper_proto& pr) {
        constexpr std::uint8_t none = 0xff;
        std::uint8_t slot = none; // the map argument, when its shape is known
        std::uint32_t release = 0; // the reference an OBJ_RELEASE argument gives back
        int cast_from = 0;         // a socket argument: 1 referenced, 2 not
        bool forget_refs = false;
        for (std::uint32_t i = 0; i < 5 && pr.args[i].base != arg_base::dontcare; ++i) {
            helper_arg a = pr.args[i];
            const std::uint32_t r = i + 1;
            // resolve_map_arg_type(): a sockmap's values are sockets
            if (a.base == arg_base::ptr_to_map_value && slot != none &&
                (maps_[slot].type == map_type::sockmap || maps_[slot].type == map_type::sockhash))
                a.base = arg_base::ptr_to_btf_id_sock_common;
            if (!read_reg(r)) return -1;
            const cell v = reg(r);
            if (a.base == arg_base::anything || a.base == arg_base::scalar) {
                if (leaks(v)) {
                    fail_reg(errc::pointer_leak, r, " leaks addr into helper function");
                    return -1;
                }
                continue;
            }
            if (v.kind == k_opaque) {
                defer(deferral::helper_arguments, pc_);
                forget_refs = forget_refs || pr.release_arg == r; // which reference it gives back: unknown
                continue;
            }
            if (is_packet(v.kind) && !(direct_packet_read() ? pr.has(proto_prop::pkt_access)
                                                            : o_.type == prog_type::cgroup_sockopt)) {
                fail(errc::helper_memory_argument_is_invalid, pc_).put("helper access to the packet is not allowed");
                return -1;
            }
            if (a.has(type_flag::maybe_null) && v.kind == k_const && v.v == 0) continue; // NULL where NULL may be
            // check_reg_type(): the register types this argument takes
            const std::string_view expected = a.base == arg_base::const_map_ptr ? "map_ptr"
                                              : a.base == arg_base::ptr_to_ctx  ? "ctx"
                                              : a.base == arg_base::ptr_to_ringbuf_mem ? "ringbuf_mem"
                                              : a.base == arg_base::ptr_to_sock_common ? "sock_common, sock, tcp_sock, xdp_sock"
                                              : a.base == arg_base::ptr_to_btf_id_sock_common
                                                  ? "sock_common, sock, tcp_sock, xdp_sock, ptr_, trusted_ptr_"
                                              : a.base == arg_base::const_size || a.base == arg_base::const_size_or_zero
                                                  ? "scalar"
                                              : a.base == arg_base::ptr_to_map_key || a.base == arg_base::ptr_to_map_value ||
                                                      a.base == arg_base::ptr_to_mem
                                                  ? "fp, pkt, pkt_meta, map_key, map_value, mem, ringbuf_mem, buf, trusted_ptr_"
                                                  : "";
            const bool fits = expected == "map_ptr" ? v.kind == k_map_ptr
                              : expected == "ctx"   ? v.kind == k_ctx
                              : expected == "ringbuf_mem" ? v.kind == k_ringbuf_mem
                              : expected.starts_with("sock_common") ? v.kind == k_sock || v.kind == k_sock_common || v.kind == k_tcp_sock
                              : expected == "scalar" ? v.kind == k_scalar || v.kind == k_const
                                                     : v.kind == k_stack || v.kind == k_map_value || is_packet(v.kind) ||
                                                           v.kind == k_ringbuf_mem;
            if (expected.empty()) { // sockets, BTF objects, spin locks, callbacks, dynptrs...
                defer(deferral::helper_arguments, pc_);
                continue;
            }
            if (!fits) {
                fail_reg(errc::helper_argument_has_the_wrong_type, r, " type=").put(type_name(v)).put(" expected=").put(expected);
                return -1;
            }
            if (pr.release_arg == r) { // check_func_arg_reg_off(), then the reference itself
                if (v.v != 0) {
                    fail_reg(errc::unreleased_reference, r, " must have zero offset when passed to release func or trusted arg to kfunc");
                    return -1;
                }
                if (!has_ref(v.id)) {
                    fail_reg(errc::unreleased_reference, r, " must be referenced when passed to release function");
                    return -1;
                }
                release = v.id;
            }
            if (cast_from == 0 && is_sock(v.kind)) cast_from = v.id != 0 && has_ref(v.id) ? 1 : 2;
            switch (a.base) {
            case arg_base::const_map_ptr: slot = v.frame; break;
            case arg_base::ptr_to_ctx: // check_func_arg_reg_off()
                if (v.v != 0) {
                    fail(errc::modified_context_pointer, pc_)
                        .put("dereference of modified ctx ptr R").put_uint(r).put(" off=").put_int(v.v).put(" disallowed");
                    return -1;
                }
                break;
            case arg_base::ptr_to_map_key:
            case arg_base::ptr_to_map_value:
                if (slot == none) defer(deferral::helper_arguments, pc_);
                else if (!helper_mem(r, v, a.base == arg_base::ptr_to_map_key ? maps_[slot].key_size : maps_[slot].value_size,
                                     a.has(type_flag::mem_uninit)))
                    return -1;
                break;
            case arg_base::ptr_to_ringbuf_mem:
            case arg_base::ptr_to_sock_common:
            case arg_base::ptr_to_btf_id_sock_common: break;
            case arg_base::ptr_to_mem: // a fixed size here; else the size argument that follows
                if (a.has(type_flag::mem_aligned) && v.kind == k_stack && a.size > 1 && v.v % a.size != 0) {
                    fail(errc::misaligned_stack_access, pc_)
                        .put("misaligned stack access off 0+").put_int(v.v).put("+0 size ").put_uint(a.size);
                    return -1;
                }
                if (a.has(type_flag::mem_fixed_size) && !helper_mem(r, v, a.size, a.has(type_flag::mem_uninit))) return -1;
                break;
            default: { // check_mem_size_reg(): the memory argument before this one, of this size
                if (v.kind != k_const) {
                    defer(deferral::value_range, pc_);
                    break;
                }
                const std::int64_t size = v.v;
                if (size < 0) {
                    fail_reg(errc::helper_memory_argument_is_invalid, r,
                             " min value is negative, either use unsigned or 'var &= const'");
                    return -1;
                }
                if (size == 0 && a.base == arg_base::const_size) {
                    fail_reg(errc::helper_memory_argument_is_invalid, r, " invalid zero-sized read: u64=[0,0]");
                    return -1;
                }
                if (size >= (std::int64_t{1} << 29)) {
                    fail_reg(errc::helper_memory_argument_is_invalid, r,
                             " unbounded memory access, use 'var &= const' or 'if (var < const)'");
                    return -1;
                }
                const cell m = reg(r - 1);
                if (size == 0 || m.kind == k_opaque || (m.kind == k_const && m.v == 0)) break;
                if (!helper_mem(r - 1, m, static_cast<std::uint32_t>(size), pr.args[i - 1].has(type_flag::mem_uninit)))
                    return -1;
            }
            }
        }
        if (slot != none) {
            const int compatible = map_func_compatible(maps_[slot].type, id);
            if (compatible == 0) {
                fail(errc::helper_argument_has_the_wrong_type, pc_)
                    .put("cannot pass map_type ").put_uint(static_cast<std::uint32_t>(maps_[slot].type))
                    .put(" into func bpf_").put(helper_table[id].name).put("#").put_int(id);
                r_.error = EINVAL;
                return -1;
            }
            if (compatible < 0) defer(deferral::helper_arguments, pc_);
        }
        if (forget_refs)
            for (std::uint32_t i = cell_refs; i < cell_refs + max_refs; ++i) set(i, cell{});
        if (id == 12 && reference_leak("tail_call")) return -1;
        const cell size_arg = reg(pr.ret_size_arg != 0 ? pr.ret_size_arg : 1);
        if (release != 0) release_reference(release);
        const ret_kind ret = pr.returns();
        clobber_caller_saved(ret == ret_kind::integer ? k_scalar : k_uninit);
        // acquired pointers (sk_lookup_*, ringbuf_reserve) carry a new reference; casts
        // (tcp_sock, sk_fullsock) of a referenced socket share it: left to the kernel
        const std::uint8_t kind = ret == ret_kind::socket_or_null        ? k_sock_or_null
                                  : ret == ret_kind::tcp_sock_or_null    ? k_tcp_sock_or_null
                                  : ret == ret_kind::sock_common_or_null ? k_sock_common_or_null
                                  : ret == ret_kind::ringbuf_mem_or_null && size_arg.kind == k_const &&
                                          size_arg.v >= 0 && size_arg.v < (std::int64_t{1} << 29)
                                      ? k_ringbuf_mem_or_null
                                      : k_opaque;
        const bool acquires = pr.has(proto_prop::acquires_ref);
        if (ret == ret_kind::map_value_or_null && slot != none && hash_like(maps_[slot].type)) {
            rf_.f[cf_].r[0] = cell{0, k_map_value_or_null, slot, 0, 0, ++id_gen_};
        } else if (kind != k_opaque && cast_from != 1 && (!acquires || add_ref(id_gen_ + 1))) {
            rf_.f[cf_].r[0] = cell{0, kind, 0, 0, 0, ++id_gen_, kind == k_ringbuf_mem_or_null ? static_cast<std::int32_t>(size_arg.v) : 0};
        } else if (ret != ret_kind::integer && ret != ret_kind::void_) {
            // arrays (a constant key elides the null check), sockets, ring buffer records, BTF objects
            defer(ret == ret_kind::map_value_or_null ? deferral::kernel_object : deferral::unknown_pointer, pc_);
            rf_.f[cf_].r[0] = cell{0, k_opaque, 0, 0, 0};
        }
        helper_result(id);
        ++pc_;
        return 0;
    }
    static constexpr bool hash_like(map_type t) {
        return t == map_type::hash || t == map_type::percpu_hash || t == map_type::lru_hash ||
               t == map_type::lru_percpu_hash || t == map_type::lpm_trie;
    }
    // check_map_func_compatibility(): 1 yes, 0 no, -1 not known to the model
    static constexpr int map_func_compatible(map_type t, std::int32_t id) {
        // the map types that only some helpers take, and the helpers that take only them
        const map_type needs = id == 12 ? map_type::prog_array
                               : id == 25 || id == 22 || id == 55 || id == 111 || id == 121 ? map_type::perf_event_array
                               : id == 27                                                    ? map_type::stack_trace
                               : id == 36 || id == 37                                        ? map_type::cgroup_array
                               : id == 130 || id == 131 || id == 134                         ? map_type::ringbuf
                                                                                             : map_type::unspec;
        const bool special = t == map_type::prog_array || t == map_type::perf_event_array ||
                             t == map_type::stack_trace || t == map_type::cgroup_array || t == map_type::ringbuf;
        if (special || needs != map_type::unspec) return t == needs ? 1 : 0;
        const bool generic = hash_like(t) || t == map_type::array || t == map_type::percpu_array;
        return generic && id >= 1 && id <= 3 ? 1 : -1;
    }
    // may_access_direct_pkt_data() for a read
    constexpr bool direct_packet_read() const {
        const prog_type t = o_.type;
        return direct_packet_write() || t == prog_type::lwt_in || t == prog_type::lwt_out ||
               t == prog_type::lwt_seg6local || t == prog_type::sk_reuseport || t == prog_type::flow_dissector ||
               t == prog_type::cgroup_skb;
    }

    // bpf_map_lookup_elem(map, key), bpf_map_update_elem(map, key, value, flags),
    // bpf_map_delete_elem(map, key): check_func_arg() argument by argument, then
    // check_map_func_compatibility(); lookups give map_value_or_null with a new id.
    constexpr int map_helper(std::int32_t id) {
        const std::uint32_t nargs = id == 2 ? 4 : 2;
        bool known = true; // the map's shape is known
        for (std::uint32_t r = 1; r <= nargs; ++r) {
            if (!read_reg(r)) return -1;
            const cell a = reg(r);
            if (r == 4) { // ARG_ANYTHING
                if (leaks(a)) {
                    fail_reg(errc::pointer_leak, r, " leaks addr into helper function");
                    return -1;
                }
                continue;
            }
            if (a.kind == k_opaque || !known) {
                defer(deferral::helper_arguments, pc_);
                known = false;
                continue;
            }
            if (r == 1) {
                if (a.kind != k_map_ptr) {
                    fail_reg(errc::helper_argument_has_the_wrong_type, r, " type=").put(type_name(a)).put(" expected=map_ptr");
                    return -1;
                }
                continue;
            }
            if (a.kind != k_stack && a.kind != k_map_value && !is_packet(a.kind)) {
                fail_reg(errc::helper_argument_has_the_wrong_type, r, " type=")
                    .put(type_name(a))
                    .put(" expected=fp, pkt, pkt_meta, map_key, map_value, mem, ringbuf_mem, buf, trusted_ptr_");
                return -1;
            }
            const map_shape& m = map_at(reg(1));
            if (r == 3 && (m.type == map_type::sockmap || m.type == map_type::sockhash)) { // values are sockets
                defer(deferral::helper_arguments, pc_);
                continue;
            }
            if (!helper_mem(r, a, r == 2 ? m.key_size : m.value_size)) return -1;
        }
        if (known) {
            const map_shape& m = map_at(reg(1));
            const map_type t = m.type;
            if (t == map_type::prog_array || t == map_type::perf_event_array || t == map_type::stack_trace ||
                t == map_type::cgroup_array || t == map_type::ringbuf || t == map_type::user_ringbuf) {
                fail(errc::helper_argument_has_the_wrong_type, pc_)
                    .put("cannot pass map_type ").put_uint(static_cast<std::uint32_t>(t)).put(" into func bpf_")
                    .put(helper_table[id].name).put("#").put_int(id);
                r_.error = EINVAL;
                return -1;
            }
            known = t == map_type::hash || t == map_type::percpu_hash || t == map_type::lru_hash ||
                    t == map_type::lru_percpu_hash || t == map_type::lpm_trie;
            if (!known && id == 1) defer(deferral::kernel_object, pc_); // arrays: a constant key elides the null check
        }
        const std::uint8_t slot = known ? reg(1).frame : 0;
        clobber_caller_saved(k_scalar);
        if (id == 1) rf_.f[cf_].r[0] = known ? cell{0, k_map_value_or_null, slot, 0, 0, ++id_gen_} : cell{0, k_opaque, 0, 0, 0};
        ++pc_;
        return 0;
    }
    // check_helper_mem_access(): `size` bytes read through a helper argument
    constexpr bool helper_mem(std::uint32_t r, const cell& a, std::uint32_t size, bool raw = false) {
        if (is_packet(a.kind)) {
            if (a.range < 0 || a.v < 0 || a.v + size > a.range) {
                fail_reg(errc::packet_access_is_out_of_range, r, " offset is outside of the packet");
                if (a.range < 0) r_.error = EINVAL;
                return false;
            }
            return true;
        }
        if (a.kind == k_map_value || a.kind == k_ringbuf_mem) {
            if (a.v < 0 || a.v + size > (a.kind == k_ringbuf_mem ? static_cast<std::uint32_t>(a.range) : map_at(a).value_size)) {
                fail_reg(errc::map_value_access_is_out_of_bounds, r, " min value is outside of the allowed memory range");
                return false;
            }
            return true;
        }
        // the stack: check_stack_range_initialized()
        work_ += 2 + size / 4;
        if (size == 0) {
            fail(errc::helper_memory_argument_is_invalid, pc_).put("invalid zero-sized read");
            return false;
        }
        const std::int64_t off = a.v;
        // (measured on 6.18.44: "read from"; EINVAL, but EACCES for an unprivileged map key)
        if (off < -std::int64_t{o_.kernel.max_stack} || off + size > 0) {
            fail(errc::helper_memory_argument_is_invalid, pc_)
                .put("invalid read from stack R").put_uint(r).put(" off=").put_int(off).put(" size=").put_uint(size);
            if (root_ || r != 2) r_.error = EINVAL;
            return false;
        }
        const std::uint32_t fb = a.frame * frame_cells;
        if (!root_ && !raw) // every byte written (or a spilled scalar); root may pass uninitialized stack
            for (std::int64_t i = off; i < off + size; ++i) {
                const cell& sl = c_.p[fb + frame_slots + static_cast<std::uint32_t>((-i - 1) / 8)];
                const std::uint32_t pos = static_cast<std::uint32_t>(i + 8 * ((-i - 1) / 8 + 1));
                if (sl.size != 0 ? sl.kind != k_scalar && sl.kind != k_const : !((sl.init >> pos) & 1)) {
                    fail(errc::helper_memory_argument_is_invalid, pc_)
                        .put("invalid read from stack R").put_uint(r).put(" off=").put_int(off).put(" size=").put_uint(size);
                    return false;
                }
            }
        grow(fb, off);
        // the helper may write anything there: spilled registers become plain bytes (scrubbed)
        for (std::int64_t i = off; i < off + size; i += 8) {
            const std::uint32_t at = fb + frame_slots + static_cast<std::uint32_t>((-i - 1) / 8);
            if (c_.p[at].size != 0) set(at, {0, 0, 0, static_cast<std::uint8_t>(root_ ? 0 : 0xff), 0});
        }
        if (raw && !root_)
            for (std::int64_t i = off; i < off + size; ++i) {
                const std::uint32_t at = fb + frame_slots + static_cast<std::uint32_t>((-i - 1) / 8);
                cell c = c_.p[at];
                c.init = static_cast<std::uint8_t>(c.init | 1u << static_cast<std::uint32_t>(i + 8 * ((-i - 1) / 8 + 1)));
                set(at, c);
            }
        return true;
    }

    constexpr int call_subprog(const insn& x) { // check_func_call(), setup_func_entry()
        const std::uint32_t cf = curframe();
        if (cf + 1 >= o_.kernel.max_call_frames || cf + 1 >= max_frames) {
            fail(errc::call_stack_is_too_deep, pc_).put("the call stack of ").put_uint(cf + 2).put(" frames is too deep");
            return -1;
        }
        const std::uint32_t target = static_cast<std::uint32_t>(std::int64_t{pc_} + x.imm + 1);
        const std::uint32_t nb = (cf + 1) * frame_cells;
        cell* caller = rf_.f[cf].r;
        cell* callee = rf_.f[cf + 1].r;
        callee[0] = callee[6] = callee[7] = callee[8] = callee[9] = cell{}; // the arguments pass in r1-r5
        callee[1] = caller[1], callee[2] = caller[2], callee[3] = caller[3], callee[4] = caller[4], callee[5] = caller[5];
        callee[10] = {0, k_stack, static_cast<std::uint8_t>(cf + 1), 0, 0};
        caller[0] = caller[1] = caller[2] = caller[3] = caller[4] = caller[5] = cell{};
        set(nb + frame_meta + 1, {pc_, 0, static_cast<std::uint8_t>(find_subprog(target)), 0, 0});
        set(cell_curframe, {cf + 1, 0, 0, 0, 0});
        cf_ = cf + 1;
        deepest_ = deepest_ > cf_ ? deepest_ : cf_;
        base_ = nb;
        pc_ = target;
        return 0;
    }

    constexpr int exit_insn() {
        const std::uint32_t cf = curframe();
        if (cf == 0 && reference_leak("BPF_EXIT instruction in main prog")) return -1;
        if (cf == 0) return return_value() ? 1 : -1;
        const cell r0 = reg(0);
        if (r0.kind == k_stack) {
            fail(errc::cannot_return_stack_pointer_to_the_caller, pc_).put("cannot return stack pointer to the caller");
            return -1;
        }
        if (r0.kind == k_opaque) defer(deferral::unknown_pointer, pc_);
        const std::uint32_t callsite = static_cast<std::uint32_t>(c_.p[base_ + frame_meta + 1].v);
        const std::uint32_t pb = (cf - 1) * frame_cells;
        rf_.f[cf - 1].r[0] = r0;
        rf_.f[cf] = frame_registers{};
        for (std::uint32_t i = base_ + frame_regs; i < base_ + frame_cells; ++i)
            if (!same_cell(c_.p[i], cell{})) set(i, cell{});
        set(cell_curframe, {cf - 1, 0, 0, 0, 0});
        cf_ = cf - 1;
        base_ = pb;
        pc_ = callsite + 1;
        return 0;
    }

    // check_return_code() for the main program's exit
    constexpr bool return_value() {
        if (!read_reg(0)) return false;
        const cell r0 = reg(0);
        if (leaks(r0)) {
            fail(errc::pointer_leak, pc_).put("R0 leaks addr as return value");
            return false;
        }
        std::int64_t lo = 0, hi = 1;
        const std::uint32_t at = o_.attach_type;
        switch (o_.type) {
        case prog_type::cgroup_skb: hi = at == 1 ? 3 : 1; break; // BPF_CGROUP_INET_EGRESS: [0, 3]
        case prog_type::cgroup_sock_addr:
            if (at == 19 || at == 20 || at == 29 || at == 30 || at == 31 || at == 32 || at == 51 || at == 52 || at == 53)
                lo = 1; // recvmsg, getpeername, getsockname: [1, 1]
            else if (at == 8 || at == 9)
                hi = 3; // bind: [0, 3]
            break;
        case prog_type::cgroup_sock:
        case prog_type::sock_ops:
        case prog_type::cgroup_device:
        case prog_type::cgroup_sysctl:
        case prog_type::cgroup_sockopt:
        case prog_type::sk_lookup:
        case prog_type::netfilter: break;
        case prog_type::kprobe:
            if (at != 56 && at != 57) return true; // kprobe/uprobe sessions: [0, 1]
            break;
        default: return true;
        }
        if (r0.kind == k_opaque) {
            defer(deferral::unknown_pointer, pc_);
            return true;
        }
        if (is_ptr(r0)) {
            fail(errc::return_value_is_not_a_known_value, pc_)
                .put("At program exit the register R0 is not a known value (").put(type_name(r0)).put(")");
            return false;
        }
        if (r0.kind != k_const) {
            defer(deferral::value_range, pc_);
            return true;
        }
        if (r0.v < lo || r0.v > hi) {
            verifier_message& m = fail(errc::return_value_is_out_of_range, pc_).put("At program exit the register R0 has");
            if (r0.v != INT64_MIN) m.put(" smin=").put_int(r0.v);
            if (r0.v != INT64_MAX) m.put(" smax=").put_int(r0.v);
            m.put(" should have been in [").put_int(lo).put(", ").put_int(hi).put("]");
            return false;
        }
        return true;
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
        if (e.mark_kind != 0) mark_regs(e.mark_kind, e.mark_id, e.mark_arg);
        lossy_ = e.lossy;
        doubt_ = e.doubt;
        pc_ = e.insn;
        return true;
    }

    // The state's key at a prune point: the hash without the current frame's dead registers.
    constexpr std::uint64_t state_key() const {
        std::uint64_t k = h_;
        for (std::uint32_t live = live_.p[pc_], prec = prec_.p[pc_]; live != 0; live &= live - 1) {
            const std::uint32_t r = static_cast<std::uint32_t>(std::countr_zero(live));
            k ^= (prec >> r) & 1 ? cell_hash(base_ + r, rf_.f[cf_].r[r]) : kind_hash(base_ + r, rf_.f[cf_].r[r]);
        }
        for (std::uint32_t f = 0; f < cf_; ++f) // the callers' registers
            for (std::uint32_t r = 0; r < 10; ++r) k ^= cell_hash(f * frame_cells + r, rf_.f[f].r[r]);
        return k;
    }

    // An imprecise register: only what kind of value it holds (scalar values are all alike).
    static constexpr std::uint64_t kind_hash(std::uint32_t i, const cell& c) {
        return cell_hash(i, cell{0, c.kind == k_const ? std::uint8_t{k_scalar} : c.kind, 0, 0, 0});
    }

    // At a prune point (is_state_visited()): 0 go on, 1 stop this path, -1 rejected (infinite loop).
    // A state equal for pruning to one explored completely ends the path; one still open on this
    // path is a loop when the whole state repeats. A new state is recorded when the kernel would
    // record one: at least 2 jumps and 8 instructions since the last (20 jumps or 100
    // instructions inside a loop), always at may_goto. (Not modelled: the kernel also forces one
    // after 40 jump-history entries, caps unprivileged programs at 64 states per instruction and
    // evicts states that keep missing.)
    constexpr int prune_check() {
        work_ += 2 + static_cast<std::uint32_t>(std::popcount(live_.p[pc_])) / 3 + cf_;
        key_ = state_key();
        if (2 * groups_.size >= gtable_.n || (loops_ && 2 * records_.size >= xtable_.n))
            rehash(gtable_.n == 0 ? 256 : 2 * gtable_.n, xtable_.n == 0 ? 256 : 2 * xtable_.n);
        const std::uint32_t gslot = group_slot(key_, pc_);
        const std::uint32_t g = gtable_.p[gslot];
        std::uint64_t exact = 0;
        if (g != 0) {
            const state_group& grp = groups_.p[g - 1];
            if (grp.closed != 0) return 1; // an equal state was explored completely
            const visit_record& first = records_.p[grp.first];
            if (lint_) return revisit(first);
            if (first.gotos != c_.p[cell_gotos].v) return 1; // converged (may_goto bounds it)
            if (loops_) { // (an open state here means a loop)
                exact = exact_key();
                const std::uint32_t x = xtable_.p[exact_slot(exact, pc_)];
                if (x != 0 && records_.p[x - 1].open) return revisit(records_.p[x - 1]); // the same state again
            }
        }
        if (lint_ && open_count_.p[pc_] != 0) return widen_and_check(); // another iteration of a loop
        if (!lint_) {
            const bool force = p_[pc_].code == 0xe5; // may_goto
            const std::uint32_t jumps = jmps_ - prev_jmps_, insns = r_.visits - prev_insns_;
            if (!force && (jumps < 2 || insns < 8 || (open_count_.p[pc_] != 0 && jumps < 20 && insns < 100))) return 0;
            prev_jmps_ = jmps_;
            prev_insns_ = r_.visits;
            if (g == 0 && loops_) exact = exact_key();
        }
        add_record(gslot, exact);
        return 0;
    }
    // A new state here (gslot: where its group is or goes).
    constexpr void add_record(std::uint32_t gslot, std::uint64_t exact) {
        if (gtable_.p[gslot] == 0) {
            groups_.push({key_, pc_, records_.size, 0});
            gtable_.p[gslot] = groups_.size;
        }
        records_.push({exact, c_.p[cell_forks].v, c_.p[cell_gotos].v, lossy_, pc_, trail_.size, gtable_.p[gslot] - 1, true});
        if (loops_) xtable_.p[exact_slot(exact, pc_)] = records_.size;
        open_.push(records_.size - 1);
        ++open_count_.p[pc_];
    }
    // The whole state: the stack and frame cells and every register of every frame.
    constexpr std::uint64_t exact_key() {
        work_ += 10 * (cf_ + 1); // (about 300 evaluation steps a frame)
        std::uint64_t k = h_;
        for (std::uint32_t f = 0; f <= cf_; ++f)
            for (std::uint32_t r = 0; r < 11; ++r) k ^= cell_hash(f * frame_cells + r, rf_.f[f].r[r]);
        for (std::uint32_t r = 0; r < 10; ++r) // the kernel compares the current frame's ids as they are
            if (rf_.f[cf_].r[r].id != 0) k ^= avalanche((std::uint64_t{rf_.f[cf_].r[r].id} << 4 | r) * 0x9e3779b97f4a7c15ull);
        return k;
    }
    // An equal state was seen here: explored completely (prune), or still on this path (a loop).
    constexpr int revisit(const visit_record& r) {
        if (!r.open) return 1;
        if (r.forks == c_.p[cell_forks].v && r.lossy == lossy_) {
            fail(errc::infinite_loop_detected, pc_).put("infinite loop detected at insn ").put_uint(pc_);
            return -1;
        }
        if (lint_ || r.gotos != c_.p[cell_gotos].v) return 1; // converged (may_goto bounds it)
        defer(deferral::undecided_loop, pc_);
        return 1;
    }
    constexpr int widen_and_check() {
        widen();
        key_ = state_key();
        const std::uint32_t gslot = group_slot(key_, pc_);
        if (gtable_.p[gslot] != 0) return revisit(records_.p[groups_.p[gtable_.p[gslot] - 1].first]);
        add_record(gslot, 0);
        return 0;
    }
    // Open addressing, index + 1 (0: empty): groups by (key, instruction), records by (exact
    // state, instruction). Returns the matching slot or the free one where the search stopped.
    static constexpr std::uint32_t bucket(std::uint64_t key, std::uint32_t insn, std::uint32_t n) {
        return static_cast<std::uint32_t>(((key ^ std::uint64_t{insn}) * 0x9e3779b97f4a7c15ull) >> 40) & (n - 1);
    }
    constexpr std::uint32_t group_slot(std::uint64_t key, std::uint32_t insn) const {
        std::uint32_t slot = bucket(key, insn, gtable_.n);
        while (gtable_.p[slot] != 0 && (groups_.p[gtable_.p[slot] - 1].hash != key || groups_.p[gtable_.p[slot] - 1].insn != insn))
            slot = (slot + 1) & (gtable_.n - 1);
        return slot;
    }
    constexpr std::uint32_t exact_slot(std::uint64_t exact, std::uint32_t insn) const {
        std::uint32_t slot = bucket(exact, insn, xtable_.n);
        while (xtable_.p[slot] != 0 && (records_.p[xtable_.p[slot] - 1].exact != exact || records_.p[xtable_.p[slot] - 1].insn != insn))
            slot = (slot + 1) & (xtable_.n - 1);
        return slot;
    }
    constexpr void rehash(std::uint32_t groups, std::uint32_t records) {
        gtable_.reset(groups);
        for (std::uint32_t i = 0; i < groups_.size; ++i) gtable_.p[group_slot(groups_.p[i].hash, groups_.p[i].insn)] = i + 1;
        if (!loops_) return;
        xtable_.reset(records);
        for (std::uint32_t i = 0; i < records_.size; ++i) xtable_.p[exact_slot(records_.p[i].exact, records_.p[i].insn)] = i + 1;
    }
    // lint mode: forget constants so that loops converge
    constexpr void widen() {
        const std::uint32_t end = (cf_ + 1) * frame_cells;
        for (std::uint32_t i = 0; i < end; ++i) {
            const cell& c = c_.p[i];
            if (c.kind == k_const) set(i, {0, k_scalar, c.frame, c.init, c.size});
        }
        for (std::uint32_t f = 0; f <= cf_; ++f)
            for (cell& c : rf_.f[f].r)
                if (c.kind == k_const) c = {0, k_scalar, 0, 0, 0};
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
