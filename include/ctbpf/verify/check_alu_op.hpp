// Verifier internals: check_alu_op() and adjust_ptr_min_max_vals(): ALU and ALU64 on scalars
// (constants folded, bounds where the kernel keeps them) and on pointers (the kernel's rules and
// messages for pointer arithmetic, unprivileged sanitation limits).
#pragma once

#include "ctbpf/semantics.hpp"
#include "ctbpf/verify/machine.hpp"

namespace ctbpf::detail::vfy {

class alu_transfer : public machine {
protected:
    using machine::machine;

    // ---- ALU and ALU64 ----
    static constexpr std::int64_t unary(const insn& x, bool is64, std::int64_t v) {
        const auto u = static_cast<std::uint64_t>(v);
        const std::uint8_t opc = (x.code & op::op_mask);
        if (opc == op::neg) return is64 ? static_cast<std::int64_t>(0 - u) : static_cast<std::int64_t>(static_cast<std::uint32_t>(0 - u));
        // END: to_le on this (little-endian) model truncates; to_be and ALU64 bswap swap bytes
        const int bits = x.imm;
        const std::uint64_t low = bits == 64 ? u : u & ((std::uint64_t{1} << bits) - 1);
        if (!is64 && !(x.code & op::src_mask)) return static_cast<std::int64_t>(low);
        std::uint64_t out = 0;
        for (int i = 0; i < bits / 8; ++i) out |= ((low >> (8 * i)) & 0xff) << (bits - 8 - 8 * i);
        return static_cast<std::int64_t>(out);
    }
    constexpr bool alu(const insn& x, bool is64) {
        const std::uint8_t opc = (x.code & op::op_mask);
        const bool isx = (x.code & op::src_mask) != 0;
        const std::uint32_t d = x.dst_reg, s = x.src_reg;
        if (opc == op::neg || opc == op::end) {
            if (opc == op::neg ? (isx || s != 0 || x.off != 0 || x.imm != 0)
                            : (s != 0 || x.off != 0 || (x.imm != 16 && x.imm != 32 && x.imm != 64) || (is64 && isx))) {
                fail(opc == op::neg ? errc::neg_uses_reserved_fields : errc::end_uses_reserved_fields, pc_)
                    .put(opc == op::neg ? "BPF_NEG uses reserved fields" : "BPF_END uses reserved fields");
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
            else if (is_exact_scalar(v)) // NEG, to_le/to_be/bswap on the kernel's value
                work_ += 8, set_reg(d, exact_scalar(opc == op::neg ? scalar_alu(sop::neg, is64, v.s, scalar_value{})
                                                                   : scalar_end(is64, isx, static_cast<unsigned>(x.imm), v.s)));
            else set_reg(d, k_scalar), ++lossy_;
            return true;
        }
        if (opc == op::mov) return mov(x, is64);
        if (isx ? (x.imm != 0 || (x.off != 0 && x.off != 1) || (x.off == 1 && opc != op::div && opc != op::mod))
                : (s != 0 || (x.off != 0 && x.off != 1) || (x.off == 1 && opc != op::div && opc != op::mod))) {
            fail(errc::alu_uses_reserved_fields, pc_).put("BPF_ALU uses reserved fields");
            return false;
        }
        if ((isx && !read_reg(s)) || !read_reg(d)) return false;
        if (!isx && (opc == op::div || opc == op::mod) && x.imm == 0) {
            fail(errc::div_by_zero, pc_).put("div by zero");
            return false;
        }
        if (!isx && (opc == op::lsh || opc == op::rsh || opc == op::arsh) && (x.imm < 0 || x.imm >= (is64 ? 64 : 32))) {
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
                if (opc == op::sub && root_) {
                    set_reg(d, unknown_scalar());
                    return true;
                }
                fail(errc::pointer_arithmetic_is_prohibited, pc_)
                    .put("R").put_uint(d).put(" pointer ").put(alu_op_text[opc >> 4]).put(" pointer prohibited");
                return false;
            }
            return pointer_alu(x, is64, sv, dv, false);
        }
        if (is_ptr(dv)) return pointer_alu(x, is64, dv, sv, true);
        // sanitize_val_alu(): unprivileged, a scalar += / -= register marks the instruction as one
        // without a pointer; a path that adds a pointer there is rejected (and the other way round)
        if (!root_ && isx && (opc == op::add || opc == op::sub)) {
            std::uint64_t& slot = alu_aux_.p[pc_];
            if (slot != 0 && slot != non_pointer_alu) {
                fail(errc::pointer_arithmetic_is_prohibited, pc_)
                    .put("R").put_uint(d).put(" tried to ").put(opc == op::add ? "add" : "sub")
                    .put(" from different maps, paths or scalars, pointer arithmetic with it prohibited for !root");
                return false;
            }
            slot = non_pointer_alu;
        }
        // two scalars: the kernel tracks constants through everything but division and modulo
        const std::uint64_t a = static_cast<std::uint64_t>(dv.v), b = static_cast<std::uint64_t>(sv.v);
        if (dv.kind != k_const || sv.kind != k_const || opc == op::div || opc == op::mod ||
            ((opc == op::lsh || opc == op::rsh || opc == op::arsh) && b >= (is64 ? 64u : 32u))) {
            if (exactish(dv) && exactish(sv)) { // adjust_scalar_min_max_vals() on the kernel's values
                scalar_value dst = s_of(dv);
                const scalar_value src = s_of(sv);
                // maybe_fork_scalars(): dst in [-1, 0] AND/OR a constant: the kernel pushes this
                // instruction with dst = 0 and goes on with dst = -1
                if (const int w = dv.kind == k_scalar ? fork_width(opc, dst, src) : 0) {
                    if (!fork(pc_, static_cast<std::uint8_t>(d), exact_scalar(fork_value(w, dst, 0), dv.id), false)) return true;
                    dst = fork_value(w, dst, ~0ull);
                }
                work_ += 8;
                cell r = exact_scalar(scalar_alu(opc, is64, dst, src));
                if (opc == op::add && is64 && sv.kind == k_const) r.id = added_const_id(dv, r, static_cast<std::uint64_t>(sv.v));
                set_reg(d, r);
                return true;
            }
            cell r = scalar(result_bound(opc, is64, dv, sv));
            if (opc == op::add && is64 && sv.kind == k_const) r.id = added_const_id(dv, r, static_cast<std::uint64_t>(sv.v));
            lossy_ += r.kind == k_scalar;
            set_reg(d, r);
            return true;
        }
        const std::uint64_t out = sem::alu(opc, is64, 0, a, b);
        set_reg(d, k_const, static_cast<std::int64_t>(is64 ? out : static_cast<std::uint32_t>(out)));
        return true;
    }
    constexpr bool mov(const insn& x, bool is64) {
        const bool isx = (x.code & op::src_mask) != 0;
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
        if (is_exact_scalar(sv)) { // mov32 / movsx on the kernel's value; the copy keeps the id if it fits
            work_ += 6;
            const bool linked = x.off == 0 ? sv.s.umax <= 0xffffffff : sv.s.umax < (std::uint64_t{1} << (x.off - 1));
            cell out = exact_scalar(x.off == 0 ? mov32(sv.s) : movsx(is64, static_cast<unsigned>(x.off), sv.s));
            if (linked) out.id = scalar_id(s);
            set_reg(d, out);
            return true;
        }
        if (is_ptr(sv)) { // (root) mark_reg_unknown(), zero-extended by a 32-bit move
            set_reg(d, is64 ? unknown_scalar() : exact_scalar(mov32(scalar_value{})));
            return true;
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
        const std::uint8_t opc = (x.code & op::op_mask);
        const std::uint32_t d = x.dst_reg;
        const bool isx = (x.code & op::src_mask) != 0;
        // a variable offset, or a pointer that has one: the kernel's register arithmetic (root
        // only: unprivileged pointer sanitation is not modelled)
        if (root_ && exactish(off) && (ptr.var != 0 || off.kind != k_const)) return var_pointer_alu(x, is64, ptr, off, ptr_is_dst);
        if (!is64) {
            if (opc == op::sub && root_) {
                set_reg(d, unknown_scalar());
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
            (ptr.kind == k_map_ptr && !(off.kind == k_const && off.v == 0 && opc == op::add))) {
            fail(errc::pointer_arithmetic_is_prohibited, pc_)
                .put("R").put_uint(d).put(" pointer arithmetic on ").put(type_name(ptr)).put(" prohibited");
            return false;
        }
        // check_reg_sane_offset(): an unknown scalar's smin is S64_MIN
        if (off.kind == k_scalar && (off.init == unbounded || (is_exact_scalar(off) && off.s.smin == s64_min))) {
            fail(errc::pointer_offset_is_out_of_range, pc_)
                .put("math between ").put(type_name(ptr)).put(" pointer and register with unbounded min value is not allowed");
            return false;
        }
        if (is_exact_scalar(off) && (off.s.smin >= (std::int64_t{1} << 29) || off.s.smin <= -(std::int64_t{1} << 29))) {
            fail(errc::pointer_offset_is_out_of_range, pc_)
                .put("value ").put_int(off.s.smin).put(" makes ").put(type_name(ptr)).put(" pointer be out of bounds");
            return false;
        }
        if (off.kind != k_const) { // the offset's range decides; only += and -= can succeed
            defer(deferral::value_range, pc_);
            if (opc == op::add || (opc == op::sub && ptr_is_dst && ptr.kind != k_stack)) {
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
        const bool sanitize = !root_ && isx && (opc == op::add || opc == op::sub);
        const bool to_left = (opc == op::add && k < 0) || (opc == op::sub && k >= 0);
        std::uint32_t limit = 0;
        const std::uint32_t ptr_reg = ptr_is_dst ? d : x.src_reg;
        if (sanitize && !ptr_limit(ptr, to_left, ptr_reg, limit)) return false;
        std::int64_t result = 0;
        switch (opc) {
        case op::add: result = ptr.v + k; break;
        case op::sub:
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
        case op::or_:
        case op::and_:
        case op::xor_:
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
        // sanitize_check_bounds(): unprivileged map value pointers stay inside the value
        if (!root_ && ptr.kind == k_map_value && (result < 0 || result + 1 > map_at(ptr).value_size)) {
            fail(errc::pointer_offset_is_out_of_range, pc_)
                .put("R").put_uint(d).put(" pointer arithmetic of map value goes out of range, prohibited for !root");
            r_.errnum = EACCES;
            return false;
        }
        if (!root_ && ptr.kind == k_stack && (result >= 0 || result < -o_.kernel.max_stack)) {
            fail(errc::pointer_offset_is_out_of_range, pc_)
                .put("R").put_uint(d).put(" stack pointer arithmetic goes out of range, prohibited for !root; off=")
                .put_int(result);
            r_.errnum = EACCES;
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
    // alu_aux_ of an instruction whose sanitation state is BPF_ALU_NON_POINTER
    static constexpr std::uint64_t non_pointer_alu = std::uint64_t{16} << 32;
    // adjust_ptr_min_max_vals() on the kernel's registers: ptr op off, where off is a scalar the
    // model knows as the kernel does
    constexpr bool var_pointer_alu(const insn& x, bool is64, const cell& ptr, const cell& off, bool ptr_is_dst) {
        work_ += 20;
        value_env env{true, true, id_gen_};
        const alu_result r = adjust_ptr_min_max_vals(env, x.dst_reg, x.code & op::op_mask, is64, reg_of(ptr),
                                                     reg_value::scalar(s_of(off)), ptr_is_dst);
        id_gen_ = env.id_gen;
        if (!r.error.ok()) return fail_value(r.error), false;
        cell out{};
        if (r.dst.type == reg_type::scalar) out = unknown_scalar();
        else if (!cell_of(r.dst, ptr, out)) defer(deferral::value_range, pc_), out = cell{0, k_opaque, 0, 0, 0};
        set_reg(x.dst_reg, out);
        return true;
    }
    // retrieve_ptr_limit() for unprivileged pointer arithmetic through a register
    constexpr bool ptr_limit(const cell& ptr, bool to_left, std::uint32_t reg_no, std::uint32_t& limit) {
        if (ptr.kind == k_map_value) { // (a fixed offset: smin = umax = 0)
            limit = static_cast<std::uint32_t>(ptr.v);
            if (limit >= map_at(ptr).value_size) {
                const insn& x = p_[pc_];
                fail(errc::pointer_arithmetic_is_prohibited, pc_)
                    .put("R").put_uint(x.dst_reg).put(" tried to ").put(((x.code & op::op_mask)) == 0 ? "add" : "sub")
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
                .put("R").put_uint(x.dst_reg).put(" tried to ").put(((x.code & op::op_mask)) == 0 ? "add" : "sub")
                .put(" beyond pointer bounds, pointer arithmetic with it prohibited for !root");
            return false;
        }
        return true;
    }
};

} // namespace ctbpf::detail::vfy
