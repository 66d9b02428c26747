// Verifier internals: do_check(), the driver. Simulates the program path by path the way the
// kernel does (depth first, fall-through before the taken branch, branches on known constants
// folded in kernel mode) within a work budget, with fast paths for the common instructions; the
// transfers live in check_alu_op.hpp, check_mem_access.hpp, check_helper_call.hpp and
// check_cond_jmp_op.hpp, pruning in is_state_visited.hpp, the machine in machine.hpp.
#pragma once

#include "ctbpf/verify/is_state_visited.hpp"

namespace ctbpf::detail::vfy {

// Which fast path of explorer::exec() an opcode byte takes (0: the general path).
struct fast_table {
    std::uint8_t k[256]{};
};
inline constexpr fast_table fast_kind = [] {
    fast_table t{};
    t.k[op::alu64 | op::k | op::mov] = t.k[op::alu | op::k | op::mov] = 1;
    t.k[op::alu64 | op::x | op::mov] = t.k[op::alu | op::x | op::mov] = 2;
    for (std::uint8_t o : {op::add, op::sub, op::mul, op::or_, op::and_, op::lsh, op::rsh, op::xor_, op::arsh}) {
        t.k[o | op::k | op::alu64] = t.k[o | op::k | op::alu] = 3;
        t.k[o | op::x | op::alu64] = t.k[o | op::x | op::alu] = 4;
    }
    for (std::uint8_t s : {op::dw, op::w, op::h, op::b}) {
        t.k[op::ldx | op::mem | s] = 5;
        t.k[op::stx | op::mem | s] = 6;
        t.k[op::st | op::mem | s] = 7;
    }
    t.k[op::jmp | op::ja] = 8;
    t.k[op::jmp | op::call] = 9;
    for (std::uint8_t o : {op::jeq, op::jgt, op::jge, op::jset, op::jne, op::jsgt, op::jsge, op::jlt, op::jle, op::jslt, op::jsle})
        t.k[o | op::k | op::jmp] = t.k[o | op::x | op::jmp] = t.k[o | op::k | op::jmp32] = t.k[o | op::x | op::jmp32] = 10;
    return t;
}();

class explorer : public pruning {
public:
    using pruning::pruning;

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
        // fork 1 + 1 per 4 undone changes, a transfer on exact scalars 6 to 20. At compile time it
        // keeps the whole check near 780,000 evaluation steps (Clang's default limit is 1,048,576;
        // a unit is about 30 steps, the passes before about 56 per instruction; the budget test's
        // nested loop takes 957,000 in all).
        budget_ = o_.max_visits != 0            ? o_.max_visits
                  : std::is_constant_evaluated() ? (n_ < 12'000 ? (780'000 - 56 * n_) / 30 : 2'000)
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
                jmps_ += (p_[pc_].code & op::class_mask) == op::jmp || (p_[pc_].code & op::class_mask) == op::jmp32; // env->jmps_processed
                a = exec(p_[pc_]);
            }
            if (a < 0 && doubt_ != 0) { // a path the kernel may not walk: left to it
                r_.code = errc::ok, r_.errnum = 0, r_.msg = verifier_message{};
                defer(deferral::value_range, pc_);
                a = 1;
            }
            if (a != 0 && (a < 0 || !next_path())) return a > 0;
        }
    }

protected:
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
        set_reg(x.dst_reg, {x.code == (op::alu64 | op::k | op::mov) ? std::int64_t{x.imm} : std::int64_t{static_cast<std::uint32_t>(x.imm)},
                            k_const, 0, 0, 0});
        return ++pc_, 0;
    }
    constexpr int mov_reg(const insn& x) { // r = r, w = w (scalars)
        const cell& v = rf_.f[cf_].r[x.src_reg < 11 ? x.src_reg : 0];
        if (x.off != 0 || x.imm != 0 || x.dst_reg >= 10 || x.src_reg >= 11 || v.kind == k_uninit ||
            (x.code == (op::alu | op::x | op::mov) && (v.kind > k_const || is_exact_scalar(v))))
            return step(x);
        cell out = x.code == (op::alu64 | op::x | op::mov) ? v
                   : v.kind == k_const ? cell{static_cast<std::uint32_t>(v.v), k_const, 0, 0, 0}
                                       : scalar(min_u(umax_of(v), 0xffffffff));
        if (v.kind == k_scalar && (x.code == (op::alu64 | op::x | op::mov) || umax_of(v) <= 0xffffffff)) out.id = scalar_id(x.src_reg);
        else if (v.kind == k_scalar) ++lossy_;
        set_reg(x.dst_reg, out);
        return ++pc_, 0;
    }
    constexpr int alu_imm(const insn& x) { // scalar op= imm, pointer += imm
        const cell& a = rf_.f[cf_].r[x.dst_reg < 11 ? x.dst_reg : 0];
        const std::uint32_t opc = (x.code & op::op_mask);
        if (x.code == (op::alu64 | op::k | op::add) && (a.kind == k_stack || a.kind == k_ctx) && a.var == 0 && (x.src_reg | static_cast<std::uint16_t>(x.off)) == 0 &&
            x.dst_reg < 10 && x.imm < (1 << 29) && x.imm > -(1 << 29) && a.v + x.imm < (1 << 29) &&
            a.v + x.imm > -(1 << 29) && (root_ || a.kind != k_stack || (a.v + x.imm < 0 && a.v + x.imm >= -o_.kernel.max_stack))) {
            set_reg(x.dst_reg, {a.v + x.imm, a.kind, a.frame, 0, 0});
            return ++pc_, 0;
        }
        if ((x.src_reg | static_cast<std::uint16_t>(x.off)) != 0 || x.dst_reg >= 10 || a.kind == k_uninit ||
            a.kind > k_const || is_exact_scalar(a) || (a.kind == k_const && (opc == op::div || opc == op::mod)) ||
            ((opc == op::lsh || opc == op::rsh || opc == op::arsh) && (x.imm < 0 || x.imm >= ((x.code & op::class_mask) == op::alu64 ? 64 : 32))))
            return step(x);
        cell out = fold(opc, (x.code & op::class_mask) == op::alu64, a, cell{x.imm, k_const, 0, 0, 0});
        if (x.code == (op::alu64 | op::k | op::add)) out.id = added_const_id(a, out, static_cast<std::uint64_t>(std::int64_t{x.imm}));
        lossy_ += out.kind == k_scalar;
        set_reg(x.dst_reg, out);
        return ++pc_, 0;
    }
    // two constants fold to one: not division or modulo, no shift past the width
    static constexpr bool folds(const insn& x, const cell& b) {
        const std::uint8_t opc = (x.code & op::op_mask);
        return opc != op::div && opc != op::mod &&
               !((opc == op::lsh || opc == op::rsh || opc == op::arsh) &&
                 static_cast<std::uint64_t>(b.v) >= ((x.code & op::class_mask) == op::alu64 ? 64u : 32u));
    }
    constexpr int alu_reg(const insn& x) { // scalar op= scalar
        const cell& a = rf_.f[cf_].r[x.dst_reg < 11 ? x.dst_reg : 0];
        const cell& b = rf_.f[cf_].r[x.src_reg < 11 ? x.src_reg : 0];
        if (x.off != 0 || x.imm != 0 || x.dst_reg >= 10 || x.src_reg >= 11 || b.kind == k_uninit || b.kind > k_const ||
            a.kind == k_uninit || a.kind > k_const || is_exact_scalar(a) || is_exact_scalar(b) ||
            (!root_ && ((x.code & op::op_mask) == op::add || (x.code & op::op_mask) == op::sub)) ||
            (a.kind == k_const && b.kind == k_const && !folds(x, b)))
            return step(x); // (two constants the fold does not keep: the kernel's value, exactly)
        cell out = fold((x.code & op::op_mask), (x.code & op::class_mask) == op::alu64, a, b);
        if (x.code == (op::alu64 | op::x | op::add) && b.kind == k_const) out.id = added_const_id(a, out, static_cast<std::uint64_t>(b.v));
        lossy_ += out.kind == k_scalar;
        set_reg(x.dst_reg, out);
        return ++pc_, 0;
    }
    // loads from the stack (root): aligned, in bounds, no partial spill in the way
    constexpr int load_stack(const insn& x) {
        const cell& b = rf_.f[cf_].r[x.src_reg < 11 ? x.src_reg : 0];
        const std::uint32_t size = size_of(x.code);
        const std::int64_t off = b.v + x.off;
        if (!root_ || x.src_reg >= 11 || b.kind != k_stack || b.var != 0 || ptr_aux_.p[pc_] != k_stack || x.dst_reg >= 10 ||
            (size > 1 && off % size != 0) ||
            off < -std::int64_t{o_.kernel.max_stack} || off > -1)
            return step(x);
        const std::uint32_t fb = b.frame * frame_cells;
        const cell& sl = c_.p[fb + frame_slots + static_cast<std::uint32_t>((-off - 1) / 8)];
        if (sl.size != 0 && !(sl.size == 8 && size == 8)) return step(x);
        grow(fb, off);
        set_reg(x.dst_reg, sl.size == 0 ? scalar(size == 8 ? ~0ull : (std::uint64_t{1} << (8 * size)) - 1) : from_spill(sl));
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
            v.kind > k_const || x.dst_reg >= 11 || b.kind != k_stack || b.var != 0 || ptr_aux_.p[pc_] != k_stack ||
            (size > 1 && off % size != 0) ||
            off < -std::int64_t{o_.kernel.max_stack} || off > -1)
            return step(x);
        const std::uint32_t fb = b.frame * frame_cells;
        grow(fb, off);
        if (size == 8 && off % 8 == 0 && !imm && is_exact_scalar(v)) { // save_register_state(): the value and a shared id
            cell sp = v;
            sp.id = scalar_id(x.src_reg), sp.init = 0, sp.size = 8;
            set(fb + frame_slots + static_cast<std::uint32_t>((-off - 1) / 8), sp);
            return ++pc_, 0;
        }
        lossy_ += bounded(v); // a spill keeps no bound
        const std::uint32_t at = fb + frame_slots + static_cast<std::uint32_t>((-off - 1) / 8);
        set(at, off % 8 == 0 ? cell{v.kind == k_const ? v.v : 0, v.kind, 0, 0, static_cast<std::uint8_t>(size), v.id}
                             : cell{0, 0, zero_bytes(c_.p[at], static_cast<std::uint32_t>(off + 8 * ((-off - 1) / 8 + 1)), size,
                                                     v.kind == k_const && v.v == 0), 0, 0});
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
        if (helper_returns.kind[x.imm] == ret_scalar) rf_.f[cf_].r[0] = helper_integer(x.imm);
        helper_result(x.imm);
        return ++pc_, 0;
    }
    constexpr int step(const insn& x) {
        const std::uint8_t cls = (x.code & op::class_mask);
        work_ += 2;
        return cls == op::alu64 || cls == op::alu ? (alu(x, cls == op::alu64) ? (stopped_ ? 1 : (++pc_, 0)) : -1)
               : cls == op::ldx                   ? (load(x) ? (++pc_, 0) : -1)
               : cls == op::stx                   ? (store(x) ? (++pc_, 0) : -1)
               : cls == op::st                    ? (store_imm(x) ? (++pc_, 0) : -1)
               : cls == op::ld                    ? ld(x)
                                    : jump(x);
    }
    // conditional jumps between scalars with well-formed fields (else: the general path)
    constexpr int cond_plain(const insn& x) {
        const cell& a = rf_.f[cf_].r[x.dst_reg < 11 ? x.dst_reg : 0];
        const cell& b = (x.code & op::src_mask) ? rf_.f[cf_].r[x.src_reg < 11 ? x.src_reg : 0] : a;
        if (x.dst_reg >= 11 || a.kind == k_uninit || a.kind > k_const ||
            ((x.code & op::src_mask) ? (x.imm != 0 || x.src_reg >= 11 || b.kind == k_uninit || b.kind > k_const) : x.src_reg != 0))
            return step(x);
        return branch(x, a, (x.code & op::src_mask) ? b : cell{x.imm, k_const, 0, 0, 0});
    }
};

} // namespace ctbpf::detail::vfy
