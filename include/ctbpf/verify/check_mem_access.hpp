// Verifier internals: check_mem_access() and its callers (loads, stores, atomics, LD_ABS,
// ld_imm64): the stack (bounds, spills and fills, initialized bytes), the context (the program
// type's layout), map values, packets, ring buffer records and sockets.
#pragma once

#include "ctbpf/verify/check_alu_op.hpp"

namespace ctbpf::detail::vfy {

class mem_transfer : public alu_transfer {
protected:
    using alu_transfer::alu_transfer;

    // ---- memory ----
    // check_mem_access(): base register, insn offset, size; value = the register loaded or
    // stored (-1: none); st_imm: BPF_ST with imm; strict: atomics (strict alignment once).
    constexpr bool mem_access(std::uint32_t base, std::int16_t ioff, std::uint32_t size, bool write, int value,
                              bool st_imm, std::int32_t imm, bool ldsx, bool strict) {
        const cell b = reg(base);
        if (b.kind == k_stack && b.var != 0) return var_stack_access(b, base, ioff, size, write, value, ldsx);
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
            if (strict && b.var != 0 && !misaligned_var(b, ioff, size)) return false;
            if (strict && b.var == 0 && size > 1 && (b.v + ioff) % size != 0) {
                fail(errc::misaligned_context_access, pc_)
                    .put("misaligned context access off 0+").put_int(b.v).put("+").put_int(ioff).put(" size ").put_uint(size);
                return false;
            }
            if (write && value >= 0 && leaks(reg(static_cast<std::uint32_t>(value)))) {
                fail_reg(errc::pointer_leak, static_cast<std::uint32_t>(value), " leaks addr into ctx");
                return false;
            }
            if (b.var != 0) { // check_ptr_off_reg(): "variable ctx access", after a modified fixed offset
                fail_value(check_ptr_off_reg(reg_of(b), static_cast<int>(base)));
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
            // the struct behind the map (its ops' map_btf_id): who may read it, where, and no writes
            const std::string_view tname = map_struct(map_at(b).type);
            const std::int64_t at = b.v + ioff;
            if (!tname.empty() && !strict && (!root_ || at < 0 || write)) {
                verifier_message& m = fail(errc::invalid_memory_access, pc_);
                if (!root_) m.put("'struct ").put(tname).put("' access is allowed only to CAP_PERFMON and CAP_SYS_ADMIN"), r_.errnum = EPERM;
                else if (at < 0) m.put("R").put_uint(base).put(" is ").put(tname).put(" invalid negative access: off=").put_int(at);
                else m.put("only read from ").put(tname).put(" is supported");
                return false;
            }
            defer(deferral::kernel_object, pc_);
            if (!write && value >= 0) set_reg(static_cast<std::uint32_t>(value), k_opaque);
            return true;
        }
        // check_ptr_alignment() comes first: strict for atomics; packets as if NET_IP_ALIGN were 2
        const std::int64_t off = b.v + ioff;
        if (strict && b.var != 0 && !misaligned_var(b, ioff, size)) return false;
        if (strict && b.var == 0 && size > 1 && ((pkt ? 2 : 0) + off) % size != 0 && !is_sock(b.kind)) {
            verifier_message& m = fail(errc::invalid_memory_access, pc_);
            m.put(pkt ? "misaligned packet access off 2+0+" : b.kind == k_map_value ? "misaligned value access off 0+" : "misaligned access off 0+")
                .put_int(b.v).put("+").put_int(ioff).put(" size ").put_uint(size);
            return false;
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
            if (!sock_field_ok(b.kind, off, size)) {
                fail_reg(errc::invalid_memory_access, base, " invalid ").put(type_name(b)).put(" access off=").put_int(off)
                    .put(" size=").put_uint(size);
                return false;
            }
            // (the upper halves of bytes_received and bytes_acked pass the check; converting them
            // fails after verification, "verifier bug: error during ctx access conversion": left to it)
            if (b.kind == k_tcp_sock && (off == 84 || off == 92)) defer(deferral::context_access, pc_);
            if (value >= 0) fill(static_cast<std::uint32_t>(value), unknown_scalar(), size, ldsx);
            return true;
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
            if (b.var != 0) {
                const value_error e = check_packet_access(reg_of(b), static_cast<int>(base), static_cast<int>(off), static_cast<int>(size));
                if (!e.ok()) return fail_value(e), false;
            } else if (b.range < 0 || off < 0 || off + size > b.range) {
                fail_reg(errc::packet_access_is_out_of_range, base, " offset is outside of the packet");
                if (b.range < 0) r_.errnum = EINVAL;
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
            if (b.var != 0) {
                const value_error e = check_mem_region_access(
                    reg_of(b), static_cast<int>(base), static_cast<int>(off), static_cast<int>(size),
                    b.kind == k_ringbuf_mem ? static_cast<std::uint32_t>(b.range) : m.value_size, false,
                    errc::map_value_access_is_out_of_bounds);
                if (!e.ok()) return fail_value(e), false;
            } else if (off < 0 || off + size > (b.kind == k_ringbuf_mem ? static_cast<std::uint32_t>(b.range) : m.value_size)) {
                fail_reg(errc::map_value_access_is_out_of_bounds, base, " min value is outside of the allowed memory range");
                return false;
            }
        }
        if (!write && value >= 0) {
            // a frozen read-only array gives the kernel the value itself: only it knows
            const bool rdonly = b.kind == k_map_value && b.var == 0 && (map_at(b).flags & map_rdonly_prog) && map_at(b).type == map_type::array;
            if (rdonly) defer(deferral::kernel_object, pc_);
            fill(static_cast<std::uint32_t>(value), rdonly ? cell{0, k_opaque, 0, 0, 0} : unknown_scalar(),
                 size, ldsx);
        }
        return true;
    }
    // check_ptr_alignment() of a pointer with a variable offset (strict: atomics); false: rejected
    constexpr bool misaligned_var(const cell& b, std::int16_t ioff, std::uint32_t size) {
        const value_error e = check_ptr_alignment(reg_of(b), ioff, static_cast<int>(size), true);
        if (!e.ok()) fail_value(e);
        return e.ok();
    }
    // A stack access through a pointer with a variable offset (root: unprivileged programs cannot
    // make one): check_ptr_alignment() (always strict), check_stack_access_within_bounds(), then
    // check_stack_read_var_off() (the value: unknown, or 0 when every byte is STACK_ZERO, which
    // the model does not tell apart: a scalar it knows less of) or check_stack_write_var_off()
    // (every slot in range: plain data, spills scrubbed).
    constexpr bool var_stack_access(const cell& b, std::uint32_t base, std::int16_t ioff, std::uint32_t size, bool write,
                                    int value, bool ldsx) {
        work_ += 20;
        const reg_value r = reg_of(b);
        const int off = static_cast<int>(b.v) + ioff;
        value_error e = check_ptr_alignment(r, ioff, static_cast<int>(size), true);
        if (e.ok())
            e = check_stack_access_within_bounds(r, static_cast<int>(base), off, static_cast<int>(size),
                                                 write ? stack_access::write : stack_access::read, 0, true);
        if (!e.ok()) return fail_value(e), false;
        if (!write && value < 0) { // (atomics: "variable offset stack pointer cannot be passed into helper function")
            defer(deferral::value_range, pc_);
            return true;
        }
        const std::int64_t lo = b.s.smin + off, hi = b.s.smax + off + size; // [lo, hi): within [-512, 0)
        const std::uint32_t fb = b.frame * frame_cells;
        grow(fb, lo);
        ++lossy_;
        if (!write) {
            fill(static_cast<std::uint32_t>(value), cell{0, k_scalar, 0, 0, 0}, size, ldsx);
            return true;
        }
        work_ += static_cast<std::uint32_t>(hi - lo) / 8;
        for (std::int64_t sp = (-(hi - 1) - 1) / 8, last = (-lo - 1) / 8; sp <= last; ++sp) {
            const std::uint32_t at = fb + frame_slots + static_cast<std::uint32_t>(sp);
            if (c_.p[at].size != 0 || c_.p[at].frame != 0) set(at, {0, 0, 0, c_.p[at].init, 0});
        }
        return true;
    }
    // bpf_sock_is_valid_access(), bpf_sock_common_is_valid_access(), bpf_tcp_sock_is_valid_access():
    // the readable fields of struct bpf_sock (80 bytes; a sock_common lacks type .. priority) and
    // struct bpf_tcp_sock (up to icsk_retransmits, 112 bytes; bytes_received and bytes_acked 8 bytes)
    static constexpr bool sock_field_ok(std::uint8_t kind, std::int64_t off, std::uint32_t size) {
        if (kind == k_tcp_sock)
            return off >= 0 && off < 112 && off % size == 0 && (off == 80 || off == 88 ? size == 8 : size == 4);
        if (off < 0 || off >= 80 || off % size != 0 || (kind == k_sock_common && off >= 8 && off < 24)) return false;
        const bool narrow = size <= 4; // bpf_ctx_narrow_access_ok() of a 4-byte field (size: 1, 2, 4 or 8)
        switch (off) {
        case 4: case 8: case 12: case 44: case 72: case 76: return narrow; // family, type, protocol, src_port, state, rx_queue_mapping
        case 48: case 49: return size == 4 || size <= 2;                  // dst_port (2 bytes, or 4 with its padding)
        case 50: case 51: return false;                                   // (the padding after dst_port)
        default:
            return (off >= 24 && off < 44) || (off >= 52 && off < 72) ? narrow // src_ip4, src_ip6, dst_ip4, dst_ip6
                                                                     : size == 4;
        }
    }
    // The BTF struct of a map type's ops (map_btf_id), for the maps whose ops the model knows
    static constexpr std::string_view map_struct(map_type t) {
        switch (t) {
        case map_type::array: case map_type::percpu_array: case map_type::prog_array: case map_type::perf_event_array:
        case map_type::cgroup_array: case map_type::array_of_maps: return "bpf_array";
        case map_type::hash: case map_type::lru_hash: case map_type::percpu_hash: case map_type::lru_percpu_hash:
        case map_type::hash_of_maps: return "bpf_htab";
        default: return {};
        }
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
            r_.errnum = a.errnum;
            return false;
        }
        if (write || value < 0) return true;
        const std::uint32_t d = static_cast<std::uint32_t>(value);
        switch (a.reg) {
        case ctx_reg_type::scalar: fill(d, unknown_scalar(), size, ldsx); break;
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
                set_reg(static_cast<std::uint32_t>(value), from_spill(sl));
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
            if (size == 8) { // (with its variable offset, if any)
                cell sp = v;
                sp.init = static_cast<std::uint8_t>(root_ ? 0 : 0xff), sp.size = 8;
                set(slot_cell, sp);
                return true;
            }
        } else if (pos == 0 && root_ && (value >= 0 || st_imm)) { // a scalar (or imm) spill
            if (size == 8 && value >= 0 && is_exact_scalar(v)) { // save_register_state(): the value and a shared id
                cell sp = v;
                sp.id = scalar_id(static_cast<std::uint32_t>(value)), sp.init = static_cast<std::uint8_t>(sl.init | bytes), sp.size = 8;
                set(slot_cell, sp);
                return true;
            }
            // constants are kept; a bound is dropped (fewer distinct states, never more knowledge)
            lossy_ += bounded(v);
            set(slot_cell, {v.kind == k_const ? v.v : 0, v.kind, 0, static_cast<std::uint8_t>(sl.init | bytes),
                            static_cast<std::uint8_t>(size), value >= 0 ? v.id : 0});
            return true;
        }
        // plain data; root: which bytes are STACK_ZERO (a register or imm known to be 0)
        const bool zero = root_ && (value >= 0 ? v.kind == k_const && v.v == 0 : st_imm && imm == 0);
        set(slot_cell, {0, 0, zero_bytes(sl, pos, size, zero), static_cast<std::uint8_t>(sl.init | bytes), 0});
        return true;
    }
    // Plain stack bytes: cell::frame marks the bytes certainly STACK_ZERO (root; a write of 0 that
    // is no spill, at an offset not aligned to 8: check_stack_write_fixed_off()). A write of `size`
    // bytes at `pos` over slot `sl` (a spill is scrubbed to STACK_MISC first).
    static constexpr std::uint8_t zero_bytes(const cell& sl, std::uint32_t pos, std::uint32_t size, bool zero) {
        const auto written = static_cast<std::uint8_t>(((1u << size) - 1) << pos);
        const std::uint8_t was = sl.size == 0 ? sl.frame : std::uint8_t{0};
        return static_cast<std::uint8_t>(zero ? was | written : was & ~written);
    }
    constexpr bool load(const insn& x) { // LDX: check_load_mem()
        if (!read_reg(x.src_reg) || !write_ok(x.dst_reg)) return false;
        const std::uint8_t base = reg(x.src_reg).kind;
        return mem_access(x.src_reg, x.off, static_cast<std::uint32_t>(op::size_bytes(op::size(x.code))), false,
                          x.dst_reg, false, 0, (x.code & op::mode_mask) == op::memsx, false) &&
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
            r_.errnum = EINVAL;
            return false;
        }
        return true;
    }
    constexpr bool store(const insn& x) { // STX
        const std::uint32_t size = static_cast<std::uint32_t>(op::size_bytes(op::size(x.code)));
        if ((x.code & op::mode_mask) == op::atomic) return atomic(x, size);
        if ((x.code & op::mode_mask) != op::mem || x.imm != 0) {
            fail(errc::stx_uses_reserved_fields, pc_).put("BPF_STX uses reserved fields");
            return false;
        }
        if (!read_reg(x.src_reg) || !read_reg(x.dst_reg)) return false;
        return mem_access(x.dst_reg, x.off, size, true, x.src_reg, false, 0, false, false) &&
               save_aux_ptr_type(reg(x.dst_reg).kind);
    }
    constexpr bool store_imm(const insn& x) { // ST
        if ((x.code & op::mode_mask) != op::mem || x.src_reg != 0) {
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
        const std::int32_t plain = aop & ~op::fetch; // add, or, and, xor, with or without fetch
        if ((plain != op::add && plain != op::or_ && plain != op::and_ && plain != op::xor_) && aop != op::xchg &&
            aop != op::cmpxchg) {
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
            set_reg(static_cast<std::uint32_t>(load_reg), unknown_scalar());
        }
        if (!mem_access(d, x.off, size, false, -1, false, 0, false, true)) return false;
        if (load_reg >= 0 && !mem_access(d, x.off, size, false, load_reg, false, 0, false, true)) return false;
        return mem_access(d, x.off, size, true, -1, false, 0, false, true);
    }
    // ---- LD: legacy packet loads and ld_imm64 ----
    constexpr int ld(const insn& x) {
        const std::uint8_t mode = (x.code & op::mode_mask);
        if (mode == op::abs || mode == op::ind) { // check_ld_abs()
            const prog_type t = o_.type;
            if (t != prog_type::unspecified && t != prog_type::socket_filter && t != prog_type::sched_cls &&
                t != prog_type::sched_act) {
                fail(errc::ld_abs_is_not_allowed_for_this_program_type, pc_)
                    .put("BPF_LD_[ABS|IND] instructions not allowed for this program type");
                return -1;
            }
            if (x.dst_reg != 0 || x.off != 0 || (mode == op::abs && x.src_reg != 0)) {
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
            if (mode == op::ind && !read_reg(x.src_reg)) return -1;
            if (r6.kind == k_ctx && r6.var != 0) {
                fail_value(check_ptr_off_reg(reg_of(r6), 6));
                return -1;
            }
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
        } else if (x.src_reg == 4 && o_.program_btf) {
            set_reg(x.dst_reg, k_opaque); // a callback address: the callback is left to the kernel
            defer(deferral::kernel_object, pc_);
        } else if (x.src_reg == 4) {
            fail(errc::callback_needs_btf_func_info, pc_).put("missing btf func_info");
            return -1;
        } else if ((x.src_reg == 1 || x.src_reg == 5) && map_of(x) >= 0) {
            set_reg(x.dst_reg, {0, k_map_ptr, static_cast<std::uint8_t>(map_of(x)), 0, 0});
        } else if ((x.src_reg == 2 || x.src_reg == 6) && direct_value_map(x) >= 0) { // the value at insn[1].imm
            set_reg(x.dst_reg, {p_[pc_ + 1].imm, k_map_value, static_cast<std::uint8_t>(direct_value_map(x)), 0, 0});
        } else {
            set_reg(x.dst_reg, k_opaque); // map value, BTF variable, a map not described: deferred in the pre-pass
        }
        pc_ += 2;
        return 0;
    }
};

} // namespace ctbpf::detail::vfy
