// Verifier internals: jumps. check_cond_jmp_op(): is_branch_taken() on constants, bounds and
// pointers, reg_set_min_max() on each side, null checks (mark_ptr_or_null_regs()), packet
// pointers against the packet end (find_good_pkt_pointers(), mark_pkt_end()); goto, may_goto,
// calls and exit dispatch.
#pragma once

#include "ctbpf/verify/check_helper_call.hpp"

namespace ctbpf::detail::vfy {

class jmp_transfer : public call_transfer {
protected:
    using call_transfer::call_transfer;

    // ---- jumps, calls, exit ----
    constexpr int jump(const insn& x) {
        const std::uint8_t cls = (x.code & op::class_mask), opc = (x.code & op::op_mask);
        const bool isx = (x.code & op::src_mask) != 0;
        if (opc == op::call) {
            if (isx || (x.src_reg != 2 && x.off != 0) || x.src_reg > 2 || x.dst_reg != 0 || cls == op::jmp32) {
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
        if (opc == op::ja) {
            if (isx || x.src_reg != 0 || x.dst_reg != 0 || (cls == op::jmp && x.imm != 0) || (cls == op::jmp32 && x.off != 0)) {
                fail(errc::ja_uses_reserved_fields, pc_).put("BPF_JA uses reserved fields");
                return -1;
            }
            pc_ = static_cast<std::uint32_t>(std::int64_t{pc_} + (cls == op::jmp ? x.off : x.imm) + 1);
            return 0;
        }
        if (opc == op::exit) {
            if (isx || x.imm != 0 || x.src_reg != 0 || x.dst_reg != 0 || cls == op::jmp32) {
                fail(errc::exit_uses_reserved_fields, pc_).put("BPF_EXIT uses reserved fields");
                return -1;
            }
            return exit_insn();
        }
        if (opc == op::jcond) { // may_goto: the kernel follows the goto first
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
        if (leaks(reg(d)) && (lint_ || branch_taken(opc, cls == op::jmp32, reg(d), b) < 0) && !is_null_check(x, reg(d)) &&
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
        const std::uint8_t opc = (x.code & op::op_mask);
        const bool isx = (x.code & op::src_mask) != 0;
        // (not two registers linked by id: 6.18 syncs such a pair differently, left to the old path)
        if ((a.kind != k_const || b.kind != k_const) && !lint_ && exactish(a) && exactish(b) &&
            !(isx && (x.src_reg == x.dst_reg || (a.id != 0 && (a.id & ~add_const_id) == (b.id & ~add_const_id)))))
            return exact_branch(x, cell(a), cell(b));
        const int pred = lint_ ? -1 : branch_taken(opc, (x.code & op::class_mask) == op::jmp32, a, b);
        const std::uint32_t taken = static_cast<std::uint32_t>(std::int64_t{pc_} + x.off + 1);
        if (pred >= 0) return pc_ = pred == 1 ? taken : pc_ + 1, 0;
        // two scalars the kernel refines (reg_set_min_max()) where the model cannot: exact ones
        // are bounds only from here on
        if (!is_ptr(a) && !is_ptr(b) && (is_exact_scalar(a) || (isx && is_exact_scalar(b)))) {
            blur(rf_.f[cf_].r[x.dst_reg]);
            if (isx) blur(rf_.f[cf_].r[x.src_reg]);
        }
        // the kernel may decide this branch and the model cannot: the null check of an array
        // lookup (a constant key), or a scalar whose bounds the model kept only in part
        if (!lint_ && ((a.kind == k_opaque && a.init == maybe_not_null) || (b.kind == k_opaque && b.init == maybe_not_null) ||
                       (lossy_ != 0 && ((a.kind == k_scalar && a.init != unbounded) || (b.kind == k_scalar && b.init != unbounded)))))
            ++doubt_;
        if (a.kind >= k_map_ptr || b.kind >= k_map_ptr) return pointer_branch(x, cell(a), cell(b), taken);
        // a 64-bit scalar against a constant: each side learns what the kernel's reg_set_min_max()
        // learns, as far as the model holds it
        const bool on_dst = a.kind == k_scalar && b.kind == k_const;
        const bool on_src = (x.code & op::src_mask) && b.kind == k_scalar && a.kind == k_const;
        const bool learns = (x.code & op::class_mask) == op::jmp && (on_dst || on_src);
        const std::uint8_t rr = learns ? (on_dst ? x.dst_reg : x.src_reg) : 0xff;
        const cell rc = on_dst ? a : b;
        const std::uint8_t o = on_dst ? opc : flip(opc);
        const auto k = static_cast<std::uint64_t>(on_dst ? b.v : a.v);
        // the model learns nothing from these; the kernel does (and may decide later branches)
        if (!lint_ && ((x.code & op::class_mask) == op::jmp32 ? a.kind == k_scalar || b.kind == k_scalar : a.kind == k_scalar && b.kind == k_scalar))
            ++doubt_;
        // sync_linked_regs(): copies of a compared scalar learn bounds in the kernel too
        if (a.kind == k_scalar && a.id != 0) linked_bounded(a.id);
        if (b.kind == k_scalar && b.id != 0 && (x.code & op::src_mask)) linked_bounded(b.id);
        if (!fork(taken, rr, learns ? refine(rc, o, k, true) : cell{}, false)) return 1;
        if (learns) set_reg(rr, refine(rc, o, k, false));
        return ++pc_, 0;
    }
    // is_branch_taken() and reg_set_min_max() on two scalars the model knows as the kernel does
    // (not both constants): follow the known outcome, or fork with each side's refined values,
    // and sync_linked_regs() on each side.
    constexpr int exact_branch(const insn& x, const cell a, const cell b) {
        const std::uint8_t opc = (x.code & op::op_mask);
        const bool is32 = (x.code & op::class_mask) == op::jmp32, isx = (x.code & op::src_mask) != 0;
        const scalar_value sa = s_of(a), sb = s_of(b);
        work_ += 4;
        const int pred = vfy::branch_taken(opc, is32, sa, sb);
        const std::uint32_t taken = static_cast<std::uint32_t>(std::int64_t{pc_} + x.off + 1);
        if (pred >= 0) return pc_ = pred == 1 ? taken : pc_ + 1, 0;
        work_ += 16;
        scalar_value ta = sa, tb = sb, fa = sa, fb = sb;
        vfy::refine(opc, is32, ta, tb, true);
        vfy::refine(opc, is32, fa, fb, false);
        const bool sync = a.id != 0 || (isx && b.id != 0);
        if (!fork(taken, x.dst_reg, exact_scalar(ta, a.id), false)) return 1;
        pending_entry& e = pending_.p[pending_.size - 1];
        if (isx) e.refine2_reg = x.src_reg, e.refine2 = exact_scalar(tb, b.id);
        e.sync = sync;
        set_reg(x.dst_reg, exact_scalar(fa, a.id));
        if (isx) set_reg(x.src_reg, exact_scalar(fb, b.id));
        if (sync) {
            if (isx) sync_linked(x.src_reg);
            sync_linked(x.dst_reg);
        }
        return ++pc_, 0;
    }
    // Registers and spills linked to scalar id `id` are no longer "every bit unknown".
    constexpr void linked_bounded(std::uint32_t id) {
        const std::uint32_t base_id = id & ~add_const_id;
        bool spill = false;
        each_copy(
            [&](const cell& c, bool s) {
                spill = s;
                return c.kind == k_scalar && (c.id & ~add_const_id) == base_id &&
                       (s || c.init == unbounded || is_exact_scalar(c));
            },
            [&](cell& c) {
                c.frame &= static_cast<std::uint8_t>(~exact);
                if (spill) c.v = 0; // (a spill keeps no bound)
                else c.init = 0, ++lossy_;
            });
    }
    // try_match_pkt_pointers(): 1 the packet pointer is dst (pkt > pkt_end, meta > pkt), 2 it is
    // src (pkt_end > pkt, pkt > meta), 0 no match
    static constexpr int pkt_match(const insn& x, const cell& a, const cell& b) {
        const std::uint8_t opc = (x.code & op::op_mask);
        if (!(x.code & op::src_mask) || (x.code & op::class_mask) != op::jmp || (opc != op::jgt && opc != op::jlt && opc != op::jge && opc != op::jle)) return 0;
        return (a.kind == k_pkt && b.kind == k_pkt_end) || (a.kind == k_pkt_meta && init_pkt(b))   ? 1
               : (a.kind == k_pkt_end && b.kind == k_pkt) || (init_pkt(a) && b.kind == k_pkt_meta) ? 2
                                                                                                  : 0;
    }
    // A branch on pointers the kernel does not decide: null checks mark every copy of the pointer
    // on both sides; a packet pointer against the packet end gives the copies of the pointer a
    // verified range on the side where it is in bounds (find_good_pkt_pointers()) and says it is
    // at or beyond the end on the other (mark_pkt_end()).
    constexpr int pointer_branch(const insn& x, const cell a, const cell b, std::uint32_t taken) {
        const std::uint8_t opc = (x.code & op::op_mask);
        if (is_null_check(x, a)) {
            if (!fork(taken, 0xff, {}, false)) return 1;
            set_mark(a.kind, a.id, opc == op::jeq ? 1 : 0);
            mark_regs(a.kind, a.id, opc == op::jne ? 1 : 0);
            return ++pc_, 0;
        }
        const int m = pkt_match(x, a, b);
        if (m == 0) {
            // "if rA == rB" with one of them never null: on the equal side the other is not null
            // either (that register only: mark_ptr_not_null_reg())
            const bool eq_ptrs = (x.code == (op::jmp | op::x | op::jeq) || x.code == (op::jmp | op::x | op::jne)) && is_ptr(a) && is_ptr(b);
            const std::uint8_t rr = !eq_ptrs                                   ? std::uint8_t{0xff}
                                    : is_or_null(a.kind) && null_taken(op::jne, b, 0) == 1 ? x.dst_reg
                                    : is_or_null(b.kind) && null_taken(op::jne, a, 0) == 1 ? x.src_reg
                                                                                        : std::uint8_t{0xff};
            const cell p = rr == 0xff ? cell{} : rr == x.dst_reg ? a : b;
            const cell nn = rr == 0xff ? cell{} : marked(p, 0);
            if (!fork(taken, opc == op::jeq ? rr : std::uint8_t{0xff}, nn, false)) return 1;
            if (opc == op::jne && rr != 0xff) set_reg(rr, nn);
            return ++pc_, 0;
        }
        const cell p = m == 1 ? a : b;
        const std::uint8_t preg = m == 1 ? x.dst_reg : x.src_reg;
        const bool good_here = m == 1 ? (opc == op::jgt || opc == op::jge) : (opc == op::jlt || opc == op::jle);
        const bool open = m == 1 ? (opc == op::jlt || opc == op::jge) : (opc == op::jgt || opc == op::jle);
        // find_good_pkt_pointers() learns nothing else (the variable part: at most umax)
        const std::uint64_t umax = p.var != 0 ? p.s.umax : 0;
        const bool good = p.v > 0 && p.v <= 0xffff && umax <= 0xffff && umax + static_cast<std::uint64_t>(p.v) <= 0xffff;
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
        const bool not_null = (p.kind == k_map_value || p.kind == k_map_ptr || p.kind == k_sock || p.kind == k_sock_common ||
                               p.kind == k_tcp_sock || p.kind == k_ringbuf_mem) &&
                              (p.var == 0 || (p.s.smin > -(std::int64_t{1} << 29) && p.s.smax < (std::int64_t{1} << 29)));
        return !not_null || k != 0 ? -1 : opc == op::jeq ? 0 : opc == op::jne ? 1 : -1;
    }
    // is_pkt_ptr_branch_taken(): a packet pointer known to be at or beyond the packet end
    static constexpr int pkt_branch_taken(std::uint8_t opc, const cell& a, const cell& b) {
        const bool dst = b.kind == k_pkt_end;
        if (!dst && a.kind != k_pkt_end) return -1;
        const cell& p = dst ? a : b;
        const std::uint8_t o = dst ? opc : flip(opc);
        if (p.range >= 0) return -1;
        if ((o == op::jle || o == op::jgt) && p.range == -2) return o == op::jgt;
        if (o == op::jlt || o == op::jge) return o == op::jge;
        return -1;
    }
    static constexpr std::int64_t as_signed(std::uint64_t v, std::uint64_t mask) {
        return mask == ~0ull ? static_cast<std::int64_t>(v) : std::int64_t{static_cast<std::int32_t>(v)};
    }
    static constexpr int compare_consts(std::uint8_t opc, std::uint64_t mask, std::uint64_t a, std::uint64_t b) {
        return opc == op::jeq   ? (a & mask) == (b & mask)
               : opc == op::jne ? (a & mask) != (b & mask)
               : opc == op::jgt ? (a & mask) > (b & mask)
               : opc == op::jge ? (a & mask) >= (b & mask)
               : opc == op::jlt ? (a & mask) < (b & mask)
               : opc == op::jle ? (a & mask) <= (b & mask)
               : opc == op::jsgt ? as_signed(a & mask, mask) > as_signed(b & mask, mask)
               : opc == op::jsge ? as_signed(a & mask, mask) >= as_signed(b & mask, mask)
               : opc == op::jslt ? as_signed(a & mask, mask) < as_signed(b & mask, mask)
               : opc == op::jsle ? as_signed(a & mask, mask) <= as_signed(b & mask, mask)
               : opc == op::jset ? (a & b & mask) != 0
                             : -1;
    }
    static constexpr std::uint8_t flip(std::uint8_t opc) { // a OP b == b flip(OP) a
        return opc == op::jgt ? op::jlt : opc == op::jlt ? op::jgt : opc == op::jge ? op::jle : opc == op::jle ? op::jge
             : opc == op::jsgt ? op::jslt : opc == op::jslt ? op::jsgt : opc == op::jsge ? op::jsle : opc == op::jsle ? op::jsge : opc;
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
        const std::uint8_t t = taken ? o : o == op::jeq ? op::jne : o == op::jne ? op::jeq : negate(o); // what holds
        if (t == op::jeq) return {static_cast<std::int64_t>(k), k_const, 0, 0, 0, c.id};
        std::uint64_t lo = 0, hi = ~0ull; // new unsigned bounds
        const auto sk = static_cast<std::int64_t>(k);
        switch (t) {
        case op::jne: lo = k == 0 ? 1 : 0; break;             // != 0
        case op::jgt: lo = k == ~0ull ? ~0ull : k + 1; break; // >
        case op::jge: lo = k; break;                           // >=
        case op::jlt: hi = k == 0 ? 0 : k - 1; break;          // <
        case op::jle: hi = k; break;                           // <=
        case op::jsgt: if (sk >= 0) { hi = smax; lo = sk == INT64_MAX ? 0 : static_cast<std::uint64_t>(sk) + 1; } break; // s>
        case op::jsge: if (sk >= 0) { hi = smax; lo = k; } break;                                                       // s>=
        case op::jslt: if (sk <= 0) { lo = 1ull << 63; hi = k - 1; } else if (umax_of(c) <= smax) { hi = k - 1; } break; // s<
        case op::jsle: if (sk < 0) { lo = 1ull << 63; hi = k; } else if (umax_of(c) <= smax) { hi = k; } break;         // s<=
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
        return o == op::jgt ? op::jle : o == op::jle ? op::jgt : o == op::jge ? op::jlt : o == op::jlt ? op::jge
             : o == op::jsgt ? op::jsle : o == op::jsle ? op::jsgt : o == op::jsge ? op::jslt : o == op::jslt ? op::jsge : 0;
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
        return o == op::jeq   ? (k > u || k < l ? 0 : -1)
               : o == op::jne ? (k > u || k < l ? 1 : -1)
               : o == op::jgt ? (u <= k ? 0 : l > k ? 1 : -1)
               : o == op::jge ? (l >= k ? 1 : u < k ? 0 : -1)
               : o == op::jlt ? (l >= k ? 0 : u < k ? 1 : -1)
               : o == op::jle ? (u <= k ? 1 : l > k ? 0 : -1)
               : o == op::jsgt ? (smin > sk ? 1 : smax <= sk ? 0 : -1)
               : o == op::jsge ? (smin >= sk ? 1 : smax < sk ? 0 : -1)
               : o == op::jslt ? (smax < sk ? 1 : smin >= sk ? 0 : -1)
               : o == op::jsle ? (smax <= sk ? 1 : smin > sk ? 0 : -1)
               : o == op::jset ? ((low_bits(u) & k) == 0 ? 0 : -1)
                           : -1;
    }
};

} // namespace ctbpf::detail::vfy
