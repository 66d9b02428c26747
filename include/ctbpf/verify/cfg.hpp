// Verifier internals: the passes the kernel runs before and after simulating the program, in its
// order: size and privilege limits, subprograms (add_subprog_and_kfunc, check_subprogs, the
// BTF-less subprogram rule), ld_imm64 shape and the opcode table (resolve_pseudo_ldimm64), the
// control-flow graph (check_cfg: back-edges, unreachable code, jumps into ld_imm64) and, after
// the simulation, the static call-chain walk (check_max_stack_depth).
#pragma once

#include <cstdint>

#include "ctbpf/helper_table.hpp"
#include "ctbpf/insn.hpp"
#include "ctbpf/verify/maps.hpp"
#include "ctbpf/verify/messages.hpp"
#include "ctbpf/verify/options.hpp"
#include "ctbpf/verify/state.hpp"

namespace ctbpf::detail::vfy {

// Per-instruction flags.
enum : std::uint8_t {
    f_start = 1,      // a subprogram starts here
    f_prune = 2,      // a prune point (jump target, branch, return site): states are compared here
    f_cfg_mask = 12,  // check_cfg state: 4 discovered, 8 explored
    f_discovered = 4,
    f_explored = 8,
    f_edge = 16,      // check_cfg: number of edges already followed (bits 4-5)
    f_edge_mask = 48,
};

class structure {
public:
    constexpr structure(const insn* code, std::uint32_t n, const options& o, check_result& r,
                        const map_shape* maps = nullptr, std::uint32_t nmaps = 0)
        : p_(code), n_(n), o_(o), r_(r), root_(o.priv == privilege::root), maps_(maps), nmaps_(nmaps) {}

    // The map an ld_imm64 refers to (src 1/2: by fd, src 5/6: by index), or -1 when its shape
    // was not given.
    constexpr int map_of(const insn& x) const {
        if (x.src_reg == 5 || x.src_reg == 6)
            return x.imm >= 0 && x.imm < 255 && static_cast<std::uint32_t>(x.imm) < nmaps_ &&
                           maps_[x.imm].type != map_type::unspec
                       ? x.imm
                       : -1;
        for (std::uint32_t i = 0; i < nmaps_ && i < 255; ++i)
            if (maps_[i].fd >= 0 && maps_[i].fd == x.imm && maps_[i].type != map_type::unspec) return static_cast<int>(i);
        return -1;
    }

    // BPF_PSEUDO_MAP_VALUE / _IDX_VALUE into a map the model knows the kernel's direct value access
    // of (privileged: an array of one element), or -1
    constexpr int direct_value_map(const insn& x) const {
        const int m = root_ ? map_of(x) : -1;
        return m >= 0 && maps_[m].type == map_type::array && maps_[m].max_entries == 1 ? m : -1;
    }
    // bpf_prog_load(): size limits (E2BIG, no log), then the program types open to unprivileged users.
    constexpr bool size_limits() {
        const std::uint32_t limit = root_ ? o_.kernel.max_insns : o_.kernel.max_insns_unprivileged;
        if (n_ == 0) {
            fail(errc::program_is_empty, 0).put("(no log) the program has no instructions");
            return false;
        }
        if (n_ > limit) {
            fail(errc::program_is_too_large, limit)
                .put("(no log) ")
                .put_uint(n_)
                .put(" instructions; the limit is ")
                .put_uint(limit);
            return false;
        }
        if (!root_ && o_.type != prog_type::unspecified && o_.type != prog_type::socket_filter &&
            o_.type != prog_type::cgroup_skb) {
            fail(errc::program_type_needs_privileges, 0)
                .put("(no log) unprivileged users may load socket_filter and cgroup_skb programs only");
            return false;
        }
        flags_.reset(n_);
        return true;
    }

    // add_subprog_and_kfunc(): subprograms start at pseudo-call and pseudo-func targets.
    constexpr bool add_subprogs() {
        const insn* p = p_;
        std::uint8_t* fl = flags_.p;
        fl[0] = f_start;
        nsub_ = 1;
        for (std::uint32_t i = 0; i < n_; ++i) {
            const insn& x = p[i];
            if (!((x.code == 0x85 && (x.src_reg == 1 || x.src_reg == 2)) || (x.code == 0x18 && x.src_reg == 4)))
                continue;
            if (!root_) {
                fail(errc::calls_need_privileges, i)
                    .put("loading/calling other bpf or kernel functions are allowed for CAP_BPF and CAP_SYS_ADMIN");
                return false;
            }
            if (x.src_reg == 2) {
                defer(deferral::kernel_object, i);
                continue;
            }
            const std::int64_t t = std::int64_t{i} + x.imm + 1;
            has_calls_ = true;
            if (t < 0 || t >= n_) {
                fail(errc::call_to_invalid_destination, i).put("call to invalid destination");
                return false;
            }
            if (fl[t] & f_start) continue;
            if (nsub_ >= o_.kernel.max_subprogs) {
                fail(errc::too_many_subprograms, i).put("too many subprograms");
                return false;
            }
            fl[t] |= f_start;
            ++nsub_;
        }
        start_.reset(nsub_ + 1);
        for (std::uint32_t i = 0, k = 0; i < n_; ++i)
            if (fl[i] & f_start) start_.p[k++] = i;
        start_.p[nsub_] = n_;
        depth_.reset(nsub_);
        return true;
    }

    // check_subprogs(): jumps stay in their subprogram, which ends with exit or goto; then
    // check_abnormal_return(): no LD_ABS/LD_IND or tail_call in subprograms (without BTF).
    constexpr bool check_subprogs() {
        const insn* p = p_;
        std::uint32_t cur = 0, start = 0, end = start_.p[1];
        std::uint32_t ldabs = n_, tail = n_; // first occurrence in a subprogram other than main
        std::uint32_t ldabs_sub = 0, tail_sub = 0;
        for (std::uint32_t i = 0; i < n_; ++i) {
            const insn& x = p[i];
            const std::uint8_t cls = x.code & 7, opc = x.code & 0xf0;
            if (cur != 0 && ldabs == n_ && cls == 0 && ((x.code & 0xe0) == 0x20 || (x.code & 0xe0) == 0x40)) {
                ldabs = i;
                ldabs_sub = cur;
            }
            if (cur != 0 && tail == n_ && x.code == 0x85 && x.src_reg == 0 && x.imm == 12) {
                tail = i;
                tail_sub = cur;
            }
            if ((cls == 5 || cls == 6) && opc != 0x80 && opc != 0x90) {
                // the kernel computes the target in int
                const std::int32_t t = static_cast<std::int32_t>(
                    i + static_cast<std::uint32_t>(x.code == 0x06 ? x.imm : x.off) + 1u);
                if (t < static_cast<std::int64_t>(start) || t >= static_cast<std::int64_t>(end)) {
                    fail(errc::jump_out_of_range, i)
                        .put("jump out of range from insn ")
                        .put_uint(i)
                        .put(" to ")
                        .put_int(t);
                    return false;
                }
            }
            if (i == end - 1) {
                if (x.code != 0x95 && x.code != 0x05 && x.code != 0x06) {
                    fail(errc::last_insn_is_not_an_exit_or_jmp, i).put("last insn is not an exit or jmp");
                    return false;
                }
                start = end;
                if (++cur < nsub_) end = start_.p[cur + 1];
            }
        }
        // check_abnormal_return() walks the subprograms in order, LD_ABS before tail_call (with
        // func_info the kernel allows both in subprograms returning int, as program BTF declares them)
        if (o_.program_btf) return true;
        if (ldabs != n_ && (tail == n_ || ldabs_sub <= tail_sub)) {
            fail(errc::ld_abs_is_not_allowed_in_subprogs_without_btf, ldabs)
                .put("LD_ABS is not allowed in subprogs without BTF");
            return false;
        }
        if (tail != n_) {
            fail(errc::tail_call_is_not_allowed_in_subprogs_without_btf, tail)
                .put("tail_call is not allowed in subprogs without BTF");
            return false;
        }
        return true;
    }

    // resolve_pseudo_ldimm64(): LDX reserved fields, ld_imm64 pairs and forms, the opcode table.
    constexpr bool pseudo_ldimm64() {
        const insn* p = p_;
        const std::uint64_t* ops = o_.kernel.opcodes;
        for (std::uint32_t i = 0; i < n_; ++i) {
            const insn& x = p[i];
            if ((x.code & 7) == 1 && (((x.code & 0xe0) != 0x60 && (x.code & 0xe0) != 0x80) || x.imm != 0)) {
                fail(errc::ldx_uses_reserved_fields, i).put("BPF_LDX uses reserved fields");
                return false;
            }
            if (x.code == 0x18) {
                if (i == n_ - 1 || p[i + 1].code != 0 || p[i + 1].dst_reg != 0 || p[i + 1].src_reg != 0 ||
                    p[i + 1].off != 0) {
                    fail(errc::invalid_ld_imm64, i).put("invalid bpf_ld_imm64 insn");
                    return false;
                }
                const std::uint8_t s = x.src_reg;
                if (s == 2 || s == 6 || ((s == 1 || s == 5) && p[i + 1].imm == 0) || s == 3) {
                    has_maps_ = has_maps_ || s != 3;
                    // the kernel looks up the map fd or BTF id here (a map whose shape was given is known)
                    if ((s == 2 || s == 6) && direct_value_map(x) >= 0) { // map_direct_value_addr() of an array
                        const map_shape& m = maps_[direct_value_map(x)];
                        const auto off = static_cast<std::uint32_t>(p[i + 1].imm);
                        if (off >= (1u << 29)) {
                            fail(errc::pointer_offset_is_out_of_range, i).put("direct value offset of ").put_uint(off).put(" is not allowed");
                            r_.errnum = EINVAL;
                            return false;
                        }
                        if (off >= m.value_size) {
                            fail(errc::map_value_access_is_out_of_bounds, i)
                                .put("invalid access to map value pointer, value_size=").put_uint(m.value_size).put(" off=").put_uint(off);
                            r_.errnum = EINVAL;
                            return false;
                        }
                    } else if (s == 3 || s == 2 || s == 6 || map_of(x) < 0) {
                        defer(deferral::kernel_object, i);
                    }
                } else if (s != 0 && s != 4) {
                    fail(errc::unrecognized_ld_imm64, i).put("unrecognized bpf_ld_imm64 insn");
                    return false;
                }
                ++i;
                continue;
            }
            if (!((ops[x.code >> 6] >> (x.code & 63)) & 1)) {
                fail(errc::unknown_opcode, i).put("unknown opcode ").put_hex(x.code);
                return false;
            }
        }
        return true;
    }

    // check_cfg(): depth-first search, fall-through edge first; back-edges are errors for
    // unprivileged loads; then every instruction must be reachable and no jump may land on the
    // second half of an ld_imm64. Also marks the prune points.
    constexpr bool cfg() {
        return cfg_forward() || cfg_dfs();
    }
    // Programs whose edges all go forward (no loops, no calls backwards): one sweep in index
    // order decides reachability. Returns false to fall back to the search (any backward edge,
    // or an error: the search reports it exactly).
    constexpr bool cfg_forward() {
        const insn* p = p_;
        std::uint8_t* fl = flags_.p;
        fl[0] |= f_explored;
        for (std::uint32_t i = 0; i < n_; ++i) {
            const std::uint8_t c = p[i].code;
            if (!(fl[i] & f_explored)) return false;
            if ((c & 7) != 5 && (c & 7) != 6 && c != 0x18) {
                fl[i + 1] |= f_explored;
                continue;
            }
            if (c == 0x18) {
                if (fl[i + 1] & f_explored) return false; // a jump into the middle: reported by the search
                if (p[i].src_reg == 4) return false;
                fl[i + 2 < n_ ? i + 2 : i] |= f_explored;
                ++i;
                continue;
            }
            const edge_set e = edges(i);
            if ((e.count > 0 && e.w0 <= i) || (e.count > 1 && e.w1 <= i)) return false;
            (void)(e.count > 0 && (fl[e.w0] |= f_explored));
            (void)(e.count > 1 && (fl[e.w1] |= f_explored));
            mark_prune(i);
        }
        return true;
    }
    constexpr bool cfg_dfs() {
        const insn* p = p_;
        std::uint8_t* fl = flags_.p;
        for (std::uint32_t i = 0; i < n_; ++i) fl[i] &= static_cast<std::uint8_t>(~(f_cfg_mask | f_edge_mask | f_prune));
        buffer<std::uint32_t> stack(n_);
        std::uint32_t* st = stack.p;
        std::uint32_t sp = 1;
        st[0] = 0;
        if (root_) { // back-edges are allowed: only reachability matters, in any order
            fl[0] |= f_explored;
            while (sp != 0) {
                const std::uint32_t t = st[--sp];
                const std::uint8_t c = p[t].code;
                if ((c & 7) < 5 && !(c == 0x18 && p[t].src_reg == 4)) {
                    const std::uint32_t w = t + (c == 0x18 ? 2 : 1);
                    (void)(!(fl[w] & f_explored) && (fl[w] |= f_explored, st[sp++] = w, true));
                    continue;
                }
                const edge_set e = edges(t);
                (void)(e.count > 0 && !(fl[e.w0] & f_explored) &&
                       (fl[e.w0] |= f_explored, st[sp++] = static_cast<std::uint32_t>(e.w0), true));
                (void)(e.count > 1 && !(fl[e.w1] & f_explored) &&
                       (fl[e.w1] |= f_explored, st[sp++] = static_cast<std::uint32_t>(e.w1), true));
            }
        } else { // the kernel's order, so that the first back-edge reported is the kernel's
            fl[0] |= f_discovered;
            while (sp != 0) {
                const std::uint32_t t = st[sp - 1];
                const std::uint32_t e = (fl[t] & f_edge_mask) >> 4;
                const edge_set es = edges(t);
                if (e >= es.count) {
                    fl[t] = static_cast<std::uint8_t>((fl[t] & ~f_cfg_mask) | f_explored);
                    --sp;
                    continue;
                }
                const std::int64_t w = e == 0 ? es.w0 : es.w1;
                fl[t] = static_cast<std::uint8_t>(fl[t] + f_edge);
                const std::uint8_t state = fl[w] & f_cfg_mask;
                if (state == 0) {
                    fl[w] |= f_discovered;
                    st[sp++] = static_cast<std::uint32_t>(w);
                } else if (state == f_discovered) {
                    fail(errc::back_edge, t).put("back-edge from insn ").put_uint(t).put(" to ").put_int(w);
                    return false;
                }
            }
        }
        for (std::uint32_t i = 0; i < n_; ++i) {
            if ((fl[i] & f_cfg_mask) != f_explored) {
                fail(errc::unreachable_insn, i).put("unreachable insn ").put_uint(i);
                return false;
            }
            if ((p[i].code & 7) == 5 || (p[i].code & 7) == 6 || p[i].code == 0x18) mark_prune(i);
            if (p[i].code == 0x18) {
                if (fl[i + 1] & f_cfg_mask) {
                    fail(errc::jump_into_the_middle_of_ld_imm64, i)
                        .put("jump into the middle of ldimm64 insn ")
                        .put_uint(i);
                    return false;
                }
                ++i;
            }
        }
        return true;
    }

    // The successors of t (all in range: check_subprogs and add_subprog checked every target).
    struct edge_set {
        std::int64_t w0 = 0, w1 = 0;
        std::uint32_t count = 0;
    };
    constexpr edge_set edges(std::uint32_t t) const {
        const insn& x = p_[t];
        const std::uint8_t cls = x.code & 7, opc = x.code & 0xf0;
        return cls < 5 || cls == 7
                   ? (x.code == 0x18 && x.src_reg == 4 ? edge_set{t + 2, std::int64_t{t} + x.imm + 1, 2}
                                                       : edge_set{t + (x.code == 0x18 ? 2 : 1), 0, 1})
               : opc == 0x90 ? edge_set{}
               : opc == 0x80 ? edge_set{t + 1, std::int64_t{t} + x.imm + 1, x.src_reg == 1 ? 2u : 1u}
               : opc == 0x00 ? edge_set{std::int64_t{t} + (cls == 5 ? x.off : x.imm) + 1, 0, 1}
                             : edge_set{t + 1, std::int64_t{t} + x.off + 1, 2};
    }
    // Prune points: jump targets, conditional jumps, callees and the instructions after calls.
    constexpr void mark_prune(std::uint32_t t) {
        const insn& x = p_[t];
        const edge_set e = edges(t);
        const std::uint8_t opc = x.code & 0xf0;
        const bool call = opc == 0x80 && x.src_reg == 1, pfunc = x.code == 0x18 && x.src_reg == 4;
        if (x.code == 0x18 && !pfunc) return;
        if (opc == 0x90) return;
        has_prune_ = true;
        if (opc == 0x80 && !call) { // helper and kfunc calls: the instruction after them
            flags_.p[t + 1] |= f_prune;
            return;
        }
        back_edges_ = back_edges_ || e.w0 <= t || (e.count > 1 && e.w1 <= t);
        forks_ = forks_ || (e.count == 2 && !call);
        flags_.p[e.count == 1 ? e.w0 : e.w1] |= f_prune;
        if (call || pfunc) flags_.p[e.w0] |= f_prune;
        if (e.count == 2) flags_.p[t] |= f_prune; // conditional jumps, pseudo calls, func_addr
    }

    // Registers live before each instruction (read before written on some path), and among them
    // the precise ones (whose value, not just whether and what kind of value they hold, may decide
    // a branch, an address or a check later): states that differ only in dead registers, or in
    // the values of imprecise scalars, are equal for pruning, as in the kernel. Backward over
    // the program; once when no edge goes backwards, else until nothing changes.
    constexpr void liveness() {
        const insn* p = p_;
        live_.reset(n_ + 2);
        prec_.reset(n_ + 2);
        buffer<std::uint16_t> maybe_ptr(n_ + 2);
        pointer_flow(maybe_ptr.p);
        const std::uint16_t* mp = maybe_ptr.p;
        std::uint16_t* lv = live_.p;
        std::uint16_t* pr = prec_.p;
        const std::uint32_t main_end = start_.p[1];
        const bool ret_matters = has_return_range(); // R0 at the main program's exit
        bool changed = true;
        while (changed) {
            changed = false;
            for (std::uint32_t i = n_; i-- > 0;)
                (void)(i > 0 && p[i - 1].code == 0x18 // the second half of an ld_imm64
                           ? false
                           : (p[i].code & 7) != 5 && (p[i].code & 7) != 6
                               ? transfer(i, use_def(p[i]), value_use(p[i], false, mp[i]),
                                          lv[i + (p[i].code == 0x18 ? 2 : 1)], pr[i + (p[i].code == 0x18 ? 2 : 1)], changed)
                               : transfer(i, use_def(p[i]), value_use(p[i], ret_matters || i >= main_end, mp[i]),
                                          successors_or(i, lv), successors_or(i, pr), changed));
            changed = changed && back_edges_;
        }
    }
    // live and precise registers before an instruction from what it reads and writes (ud), the
    // values it uses or computes from its operands (vu), and what is live and precise after it
    // (one expression: constant evaluation counts statements)
    constexpr bool transfer(std::uint32_t i, std::uint32_t ud, std::uint32_t vu, std::uint32_t out, std::uint32_t pout,
                            bool& changed) {
        return (((ud | (out & ~(ud >> 16))) & 0xffff) != live_.p[i] ||
                ((vu | (pout & ~(ud >> 16)) | ((pout & (vu >> 16)) ? ud : 0u)) & (ud | (out & ~(ud >> 16))) & 0xffff) !=
                    prec_.p[i]) &&
               (live_.p[i] = static_cast<std::uint16_t>((ud | (out & ~(ud >> 16))) & 0xffff),
                prec_.p[i] = static_cast<std::uint16_t>((vu | (pout & ~(ud >> 16)) | ((pout & (vu >> 16)) ? ud : 0u)) &
                                                        (ud | (out & ~(ud >> 16))) & 0xffff),
                changed = true);
    }
    constexpr bool has_return_range() const {
        const prog_type t = o_.type;
        return t == prog_type::cgroup_skb || t == prog_type::cgroup_sock_addr || t == prog_type::cgroup_sock ||
               t == prog_type::sock_ops || t == prog_type::cgroup_device || t == prog_type::cgroup_sysctl ||
               t == prog_type::cgroup_sockopt || t == prog_type::sk_lookup || t == prog_type::netfilter ||
               t == prog_type::kprobe;
    }
    // Registers whose value an instruction uses (low 16 bits: branches, addresses, pointer
    // arithmetic, stored values, call arguments, the returned value) and (high 16 bits) the
    // registers whose value it computes from its operands.
    // Pointer arithmetic (64-bit + and -) uses the scalar operand's value when the other operand
    // may hold a pointer (`ptrs`: registers that may hold one here; r10 always does).
    static constexpr std::uint32_t value_use(const insn& x, bool exit_value, std::uint32_t ptrs) {
        const std::uint32_t cls = x.code & 7u, opc = x.code & 0xf0u, mode = x.code & 0xe0u;
        const std::uint32_t d = x.dst_reg < 10 ? 1u << x.dst_reg : 0u, s = x.src_reg < 10 ? 1u << x.src_reg : 0u;
        const bool xs = x.code & 8;
        return cls == 4 || cls == 7 ? ((cls == 7 && (opc == 0x00 || opc == 0x10))
                                           ? ((ptrs & (d | (xs ? s : 0u))) || (xs && x.src_reg == 10) ? d | (xs ? s : 0u) : 0u)
                                           : 0u) |
                                          d << 16
               : cls == 1           ? s
               : cls == 2           ? d
               : cls == 3           ? s | d | (mode == 0xc0 && x.imm == 0xf1 ? 1u : 0u)
               : cls == 0           ? (mode == 0x00 ? 0u : 1u << 6)
               : opc == 0x80        ? call_args(x)
               : opc == 0x90        ? (exit_value ? 1u : 0u)
               : opc == 0x00 || opc == 0xe0 ? 0u
                                            : d | (xs ? s : 0u);
    }
    // Registers that may hold a pointer before each instruction (forward; r10 excluded): the
    // context in r1, copies of r10 and r1, loads (spilled pointers), maps, helper and call results.
    constexpr void pointer_flow(std::uint16_t* mp) const {
        const insn* p = p_;
        mp[0] = 1u << 1;
        for (std::uint32_t k = 1; k < nsub_; ++k) mp[start_.p[k]] = 0x3e; // callee arguments
        bool changed = true;
        while (changed) {
            changed = false;
            for (std::uint32_t i = 0; i < n_; i += p[i].code == 0x18 ? 2 : 1)
                (void)((p[i].code & 7) != 5 && (p[i].code & 7) != 6
                           ? (mp[p[i].code == 0x18 ? i + 2 : i + 1] |= pointers_after(p[i], mp[i]), false)
                           : jump_flow(i, mp, changed));
            changed = changed && back_edges_;
        }
    }
    // ALU + and - and 64-bit moves pass pointers on, other ALU results are scalars; loads of 8
    // bytes may restore a spilled pointer; r10 (0x400) is a pointer
    static constexpr std::uint16_t pointers_after(const insn& x, std::uint32_t in) {
        return static_cast<std::uint16_t>(
            ((x.code & 7) == 7 && ((x.code & 0xf0) == 0xb0 || (x.code & 0xf0) == 0x00 || (x.code & 0xf0) == 0x10) &&
                     (x.code & 8) && x.off == 0
                 ? (in & ~(1u << x.dst_reg)) |
                       (((in | 0x400u) & ((1u << x.src_reg) | ((x.code & 0xf0) == 0xb0 ? 0u : 1u << x.dst_reg))) ? 1u << x.dst_reg : 0u)
             : (x.code & 7) == 7 && ((x.code & 0xf0) == 0x00 || (x.code & 0xf0) == 0x10) ? in
             : (x.code & 7) == 4 || (x.code & 7) == 7 ? in & ~(1u << x.dst_reg)
             : (x.code & 7) == 1 ? ((x.code & 0x18) == 0x18 ? in | 1u << x.dst_reg : in & ~(1u << x.dst_reg))
             : (x.code & 7) == 3 && (x.code & 0xe0) == 0xc0 ? in | 1u << x.dst_reg | 1u << x.src_reg | 1u
             : (x.code & 7) == 0 ? ((x.code & 0xe0) == 0 ? (x.src_reg == 0 ? in & ~(1u << x.dst_reg) : in | 1u << x.dst_reg)
                                                        : in & ~0x3fu)
                                 : in) &
            0x3ff);
    }
    constexpr bool jump_flow(std::uint32_t i, std::uint16_t* mp, bool& changed) const {
        const insn& x = p_[i];
        const edge_set e = edges(i);
        const bool call = (x.code & 0xf0) == 0x80;
        const std::uint16_t o = static_cast<std::uint16_t>(call ? (mp[i] & ~0x3fu) | 1u : mp[i]);
        (void)(call && x.src_reg == 1 && (mp[e.w1] | 0x3eu) != mp[e.w1] &&
               (mp[e.w1] |= 0x3e, changed = changed || e.w1 <= i));
        (void)(e.count > 0 && (mp[e.w0] | o) != mp[e.w0] && (mp[e.w0] |= o, changed = changed || e.w0 <= i));
        (void)(e.count > 1 && !call && (mp[e.w1] | o) != mp[e.w1] && (mp[e.w1] |= o, changed = changed || e.w1 <= i));
        return false;
    }
    constexpr std::uint16_t successors_or(std::uint32_t i, const std::uint16_t* lv) const {
        const insn& x = p_[i];
        const std::uint8_t cls = x.code & 7, opc = x.code & 0xf0;
        return cls < 5 || cls == 7 ? lv[i + (x.code == 0x18 ? 2 : 1)]
               : opc == 0x90       ? std::uint16_t{0}
               : opc == 0x80       ? lv[i + 1]
               : opc == 0x00 ? lv[static_cast<std::uint32_t>(std::int64_t{i} + (cls == 5 ? x.off : x.imm) + 1)]
                             : static_cast<std::uint16_t>(lv[i + 1] | lv[static_cast<std::uint32_t>(std::int64_t{i} + x.off + 1)]);
    }
    // The registers a call reads: a known helper its arguments, anything else r1-r5.
    static constexpr std::uint32_t call_args(const insn& x) {
        return x.src_reg == 0 && x.imm >= 0 && x.imm <= helper_max_id
                   ? (0x3eu >> (5 - helper_table[x.imm].arg_count)) & 0x3eu
                   : 0x3eu;
    }
    // Registers read (low 16 bits) and written (high 16 bits) by an instruction; r10 excluded.
    static constexpr std::uint32_t use_def(const insn& x) {
        const std::uint32_t cls = x.code & 7u, opc = x.code & 0xf0u, mode = x.code & 0xe0u;
        const std::uint32_t d = x.dst_reg < 10 ? 1u << x.dst_reg : 0u, s = x.src_reg < 10 ? 1u << x.src_reg : 0u;
        const bool xs = x.code & 8;
        return cls == 4 || cls == 7
                   ? (opc == 0xb0 ? (xs ? s : 0u) : d | (xs && opc != 0x80 && opc != 0xd0 ? s : 0u)) | d << 16
               : cls == 1 ? s | d << 16
               : cls == 2 ? d
               : cls == 3 ? (mode != 0xc0 ? s | d
                             : x.imm == 0x100 ? s | d << 16
                             : x.imm == 0xf1 ? s | d | 1u | 1u << 16
                             : s | d | ((x.imm & 1) ? s << 16 : 0u))
               : cls == 0 ? (mode == 0x00 ? d << 16 : (1u << 6 | (mode == 0x40 ? s : 0u)) | 0x3fu << 16)
               : opc == 0x80 ? call_args(x) | 0x3fu << 16
               : opc == 0x90 ? 1u
               : opc == 0x00 || opc == 0xe0 ? 0u
                                            : d | (xs ? s : 0u);
    }
    // check_max_stack_depth(): walks every call chain (pseudo calls and callback addresses, also in
    // code the simulation never reached) adding up the stack of each frame.
    constexpr bool max_stack_depth() {
        if (!has_calls_) return true; // one frame: each access is already within max_stack
        const insn* p = p_;
        bool tail_call = false;
        for (std::uint32_t i = 0; i < n_ && !tail_call; ++i)
            tail_call = p[i].code == 0x85 && p[i].src_reg == 0 && p[i].imm == 12;
        const prog_type t = o_.type;
        const bool priv_stack = o_.kernel.private_stack && o_.kernel.jit && !tail_call &&
                                (t == prog_type::kprobe || t == prog_type::tracepoint ||
                                 t == prog_type::perf_event || t == prog_type::raw_tracepoint);
        buffer<std::uint8_t> adaptive(nsub_); // 1: uses the private stack, 2: decided it does not
        std::uint32_t ret_insn[max_frames]{}, ret_sub[max_frames]{};
        std::int32_t depth = 0;
        std::uint32_t frame = 0, idx = 0, i = 0;
        for (;;) {
            // entering subprogram idx
            const std::int32_t sd = round_depth(depth_.p[idx]);
            if (priv_stack && adaptive.p[idx] == 0) adaptive.p[idx] = sd >= 64 ? 1 : 2;
            if (!(priv_stack && adaptive.p[idx] == 1)) {
                depth += sd;
                if (depth > o_.kernel.max_stack) {
                    fail(errc::combined_stack_size_is_too_large, frame == 0 ? 0 : ret_insn[frame - 1] - 1)
                        .put("combined stack size of ")
                        .put_uint(frame + 1)
                        .put(" calls is ")
                        .put_int(depth)
                        .put(". Too large");
                    return false;
                }
            }
            // continue scanning subprogram idx from i
            for (;;) {
                const std::uint32_t end = start_.p[idx + 1];
                while (i < end && !((p[i].code == 0x85 && p[i].src_reg == 1) || (p[i].code == 0x18 && p[i].src_reg == 4)))
                    ++i;
                if (i < end) break;
                if (frame == 0) return true;
                if (!(priv_stack && adaptive.p[idx] == 1)) depth -= round_depth(depth_.p[idx]);
                --frame;
                i = ret_insn[frame];
                idx = ret_sub[frame];
            }
            ret_insn[frame] = i + 1;
            ret_sub[frame] = idx;
            const std::uint32_t call = i;
            i = static_cast<std::uint32_t>(std::int64_t{i} + p[i].imm + 1);
            idx = find_subprog(i);
            if (++frame >= o_.kernel.max_call_frames) {
                fail(errc::call_stack_is_too_deep, call)
                    .put("the call stack of ")
                    .put_uint(frame)
                    .put(" frames is too deep !");
                return false;
            }
        }
    }

    constexpr std::uint32_t find_subprog(std::uint32_t start) const {
        std::uint32_t lo = 0, hi = nsub_;
        while (hi - lo > 1) {
            const std::uint32_t mid = (lo + hi) / 2;
            if (start_.p[mid] <= start) lo = mid;
            else hi = mid;
        }
        return lo;
    }

protected:
    constexpr verifier_message& fail(errc e, std::uint32_t index) {
        r_.code = e;
        r_.index = index;
        r_.errnum = rule_errno(e);
        r_.msg = verifier_message{};
        return r_.msg;
    }
    constexpr void defer(deferral d, std::uint32_t index) {
        if (r_.deferred == deferral::none) {
            r_.deferred = d;
            r_.deferred_index = index;
        }
    }
    constexpr std::int32_t round_depth(std::int32_t d) const {
        return o_.kernel.jit ? (d + 15) / 16 * 16 : ((d < 1 ? 1 : d) + 31) / 32 * 32;
    }
    const insn* p_;
    std::uint32_t n_;
    const options& o_;
    check_result& r_;
    bool root_;
    const map_shape* maps_;
    std::uint32_t nmaps_;
    bool has_maps_ = false;
    bool has_calls_ = false; // pseudo calls or callback addresses
    bool back_edges_ = false;
    bool has_prune_ = false;
    bool forks_ = false; // conditional jumps, may_goto or callbacks: more than one path
    buffer<std::uint16_t> live_; // registers live before each instruction (bit r)
    buffer<std::uint16_t> prec_; // live registers whose value matters (bit r)
    std::uint32_t nsub_ = 0;
    buffer<std::uint8_t> flags_;
    buffer<std::uint32_t> start_; // subprogram starts, then n
    buffer<std::int32_t> depth_;  // stack depth per subprogram (bytes, multiple of 8)
};

} // namespace ctbpf::detail::vfy
