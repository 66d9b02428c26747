// Verifier internals: check_helper_call() (availability, prototypes, check_func_arg(), map
// compatibility, references acquired and released, return values), bpf-to-bpf calls, exit and
// check_return_code().
#pragma once

#include "ctbpf/verify/check_mem_access.hpp"

namespace ctbpf::detail::vfy {

class call_transfer : public mem_transfer {
protected:
    using mem_transfer::mem_transfer;

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
            if (pr != nullptr && (!(flags & type_proto_flag::conditional) || lockdown_only(id)) &&
                !pr->has(proto_prop::might_sleep) && !pr->has(proto_prop::has_allowed) &&
                !pr->has(proto_prop::arg_btf_id) && !pr->has(proto_prop::ret_btf_id))
                return call_proto(id, *pr);
        }
        if (id >= 1 && id <= 3) return call_proto(id, *primary_proto(id)); // (the same in every program type)
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
        std::uint8_t key = key_unknown; // an array lookup's key (get_constant_map_key())
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
            // (a variable offset: checked as memory, below; anywhere else left to the kernel)
            const bool var_mem = a.base == arg_base::ptr_to_map_key || a.base == arg_base::ptr_to_map_value || a.base == arg_base::ptr_to_ctx ||
                                 (a.base == arg_base::ptr_to_mem && !a.has(type_flag::mem_aligned));
            if (v.kind == k_opaque || (v.var != 0 && (!var_mem || pr.release_arg == r))) {
                defer(v.var != 0 ? deferral::value_range : deferral::helper_arguments, pc_);
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
            const std::uint8_t want = wanted(a.base);
            if (want == want_unknown) { // sockets, BTF objects, spin locks, callbacks, dynptrs...
                defer(deferral::helper_arguments, pc_);
                continue;
            }
            if (!fits(want, v)) {
                fail_reg(errc::helper_argument_has_the_wrong_type, r, " type=").put(type_name(v)).put(" expected=")
                    .put(expected_types[want]);
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
                if (v.var != 0) { // __check_ptr_off_reg(): "variable ctx access"
                    fail_value(check_ptr_off_reg(reg_of(v), static_cast<int>(r)));
                    return -1;
                }
                if (v.v != 0) {
                    fail(errc::modified_context_pointer, pc_)
                        .put(v.v < 0 ? "negative offset ctx ptr R" : "dereference of modified ctx ptr R").put_uint(r)
                        .put(" off=").put_int(v.v).put(" disallowed"); // (__check_ptr_off_reg's order)
                    return -1;
                }
                break;
            case arg_base::ptr_to_map_key:
            case arg_base::ptr_to_map_value:
                if (a.base == arg_base::ptr_to_map_key && slot != none && id == 1) key = array_key(v, maps_[slot]);
                if (slot == none) defer(deferral::helper_arguments, pc_);
                else if (!helper_mem(r, v, a.base == arg_base::ptr_to_map_key ? maps_[slot].key_size : maps_[slot].value_size,
                                     a.has(type_flag::mem_uninit), a.has(type_flag::mem_write)))
                    return -1;
                break;
            case arg_base::ptr_to_ringbuf_mem:
            case arg_base::ptr_to_sock_common:
            case arg_base::ptr_to_btf_id_sock_common: break;
            case arg_base::ptr_to_mem: // a fixed size here (the access, then MEM_ALIGNED); else the size argument that follows
                if (a.has(type_flag::mem_fixed_size) && !helper_mem(r, v, a.size, a.has(type_flag::mem_uninit), a.has(type_flag::mem_write))) return -1;
                if (a.has(type_flag::mem_aligned) && v.kind == k_stack && a.size > 1 && v.v % a.size != 0) {
                    fail(errc::misaligned_stack_access, pc_)
                        .put("misaligned stack access off 0+").put_int(v.v).put("+0 size ").put_uint(a.size);
                    return -1;
                }
                break;
            default: { // check_mem_size_reg(): the memory argument before this one, of this size
                if (is_exact_scalar(v)) { // a size in a range: its bounds, the memory for umax bytes (no raw mode)
                    if (v.s.smin < 0) {
                        fail_reg(errc::helper_memory_argument_is_invalid, r,
                                 " min value is negative, either use unsigned or 'var &= const'");
                        return -1;
                    }
                    if (v.s.umin == 0 && a.base == arg_base::const_size) {
                        fail_reg(errc::helper_memory_argument_is_invalid, r, " invalid zero-sized read: u64=[")
                            .put_int(static_cast<std::int64_t>(v.s.umin)).put(",").put_int(static_cast<std::int64_t>(v.s.umax)).put("]");
                        return -1;
                    }
                    if (v.s.umax >= (std::uint64_t{1} << 29)) {
                        fail_reg(errc::helper_memory_argument_is_invalid, r,
                                 " unbounded memory access, use 'var &= const' or 'if (var < const)'");
                        return -1;
                    }
                    const cell m = reg(r - 1);
                    if (m.kind == k_opaque) break;
                    if (m.kind == k_const || m.kind == k_scalar) { // check_helper_mem_access(): only 0 bytes from NULL
                        fail_reg(errc::helper_argument_has_the_wrong_type, r - 1, " type=").put(type_name(m)).put(" expected=fp");
                        r_.errnum = EACCES;
                        return -1;
                    }
                    if (!helper_mem(r - 1, m, static_cast<std::uint32_t>(v.s.umax), false, pr.args[i - 1].has(type_flag::mem_write))) return -1;
                    break;
                }
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
                if ((size == 0 && m.var == 0) || m.kind == k_opaque) break; // (zero bytes: checked only at a variable offset)
                if (m.kind == k_const && m.v == 0) { // check_helper_mem_access(): only 0 bytes from NULL
                    fail_reg(errc::helper_argument_has_the_wrong_type, r - 1, " type=scalar expected=fp");
                    r_.errnum = EACCES;
                    return -1;
                }
                if (!helper_mem(r - 1, m, static_cast<std::uint32_t>(size), pr.args[i - 1].has(type_flag::mem_uninit),
                                pr.args[i - 1].has(type_flag::mem_write)))
                    return -1;
            }
            }
        }
        // bpf_get_local_storage(map, flags): flags must be 0 (checked before the map's compatibility)
        if (id == 81) {
            const cell f = reg(2);
            if (f.kind == k_opaque || (f.kind == k_scalar && !is_exact_scalar(f))) {
                defer(deferral::value_range, pc_);
            } else if (!(f.kind == k_const && f.v == 0)) {
                fail(errc::helper_argument_has_the_wrong_type, pc_).put("get_local_storage() doesn't support non-zero flags");
                r_.errnum = EINVAL;
                return -1;
            }
        }
        // record_func_map(), record_func_key()
        if (slot != none && (maps_[slot].flags & map_rdonly_prog) && (id == 2 || id == 3 || id == 87 || id == 88)) {
            fail(errc::map_access_is_forbidden, pc_).put("write into map forbidden");
            return -1;
        }
        if (slot != none && id == 12 && maps_[slot].type != map_type::prog_array) {
            fail(errc::helper_argument_has_the_wrong_type, pc_).put("expected prog array map for tail call");
            r_.errnum = EINVAL;
            return -1;
        }
        if (slot != none) {
            const int compatible = map_func_compatible(maps_[slot].type, id);
            if (compatible == 0) {
                fail(errc::helper_argument_has_the_wrong_type, pc_)
                    .put("cannot pass map_type ").put_uint(static_cast<std::uint32_t>(maps_[slot].type))
                    .put(" into func bpf_").put(helper_table[id].name).put("#").put_int(id);
                r_.errnum = EINVAL;
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
        clobber_caller_saved(k_uninit);
        if (ret == ret_kind::integer) rf_.f[cf_].r[0] = helper_integer(id);
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
        if (ret == ret_kind::map_value && slot != none) { // bpf_get_local_storage(): the storage, never NULL
            rf_.f[cf_].r[0] = cell{0, k_map_value, slot, 0, 0};
        } else if (ret == ret_kind::map_value_or_null && slot != none && (hash_like(maps_[slot].type) || key == key_maybe_null)) {
            rf_.f[cf_].r[0] = cell{0, k_map_value_or_null, slot, 0, 0, ++id_gen_};
        } else if (ret == ret_kind::map_value_or_null && slot != none && key == key_in_range) {
            rf_.f[cf_].r[0] = cell{0, k_map_value, slot, 0, 0};
        } else if (kind != k_opaque && cast_from != 1 && (!acquires || add_ref(id_gen_ + 1))) {
            rf_.f[cf_].r[0] = cell{0, kind, 0, 0, 0, ++id_gen_, kind == k_ringbuf_mem_or_null ? static_cast<std::int32_t>(size_arg.v) : 0};
        } else if (ret != ret_kind::integer && ret != ret_kind::void_) {
            // arrays (a constant key elides the null check), sockets, ring buffer records, BTF objects
            defer(ret == ret_kind::map_value_or_null ? deferral::kernel_object : deferral::unknown_pointer, pc_);
            rf_.f[cf_].r[0] = cell{0, k_opaque, 0, ret == ret_kind::map_value_or_null ? maybe_not_null : std::uint8_t{0}, 0};
        }
        helper_result(id);
        ++pc_;
        return 0;
    }
    // An array lookup's result (Linux 6.14+): not NULL when get_constant_map_key() finds a constant
    // key below max_entries (privileged programs: a scalar spill of exactly the key's size that
    // holds a constant, or STACK_ZERO bytes), else a pointer that may be NULL. key_unknown: the
    // model cannot tell (plain stack bytes: zero or not; a bound-only or opaque spill).
    enum : std::uint8_t { key_unknown, key_maybe_null, key_in_range };
    constexpr std::uint8_t array_key(const cell& k, const map_shape& m) const {
        if (m.type != map_type::array && m.type != map_type::percpu_array) return key_unknown; // (not array_key's business)
        if (m.flags & (1u << 12)) return key_unknown; // BPF_F_INNER_MAP: elided or not, depending on the stable fix
        if (!root_ || k.kind != k_stack || k.var != 0) return key_maybe_null; // (!bpf_capable, not a stack pointer, not constant)
        if (k.v >= 0 || k.v < -std::int64_t{o_.kernel.max_stack}) return key_unknown; // (rejected before)
        const std::uint32_t spi = static_cast<std::uint32_t>((-k.v - 1) / 8);
        const cell& sl = c_.p[k.frame * frame_cells + frame_slots + spi];
        const std::int64_t pos = k.v + 8 * (std::int64_t{spi} + 1); // the key's first byte in its slot
        if (sl.size == 0) // plain bytes: the key's bytes STACK_ZERO (key 0), or too few bytes left in the slot
            return m.key_size > 8 - pos ? key_maybe_null
                   : ((sl.frame >> pos) & ((1u << m.key_size) - 1)) == (1u << m.key_size) - 1 ? key_in_range
                                                                                             : key_unknown;
        if (pos >= sl.size) return key_unknown; // (bytes past a narrow spill: STACK_ZERO or not)
        if (sl.kind == k_const)
            return sl.size - pos == m.key_size && sl.v >= 0 && sl.v < std::int64_t{m.max_entries} ? key_in_range : key_maybe_null;
        if (is_exact_scalar(sl) || is_ptr(sl)) return key_maybe_null; // not a constant; not a scalar
        return key_unknown;
    }
    // Helpers whose prototype is conditional only on the kernel's lockdown (bpf_probe_read_kernel and
    // _str, the compat bpf_probe_read and _str: NULL or their one proto, in bpf_tracing_func_proto()
    // and bpf_base_func_proto()): measured available, the proto is certain.
    static constexpr bool lockdown_only(std::int32_t id) { return id == 4 || id == 45 || id == 113 || id == 115; }
    // check_reg_type(): which register types an argument takes, and how the kernel lists them
    enum : std::uint8_t { want_unknown, want_map_ptr, want_ctx, want_ringbuf_mem, want_sock_common, want_btf_sock_common,
                          want_scalar, want_mem };
    static constexpr std::string_view expected_types[] = {
        "", "map_ptr", "ctx", "ringbuf_mem", "sock_common, sock, tcp_sock, xdp_sock",
        "sock_common, sock, tcp_sock, xdp_sock, ptr_, trusted_ptr_", "scalar",
        "fp, pkt, pkt_meta, map_key, map_value, mem, ringbuf_mem, buf, trusted_ptr_"};
    static constexpr std::uint8_t wanted(arg_base b) {
        switch (b) {
        case arg_base::const_map_ptr: return want_map_ptr;
        case arg_base::ptr_to_ctx: return want_ctx;
        case arg_base::ptr_to_ringbuf_mem: return want_ringbuf_mem;
        case arg_base::ptr_to_sock_common: return want_sock_common;
        case arg_base::ptr_to_btf_id_sock_common: return want_btf_sock_common;
        case arg_base::const_size:
        case arg_base::const_size_or_zero: return want_scalar;
        case arg_base::ptr_to_map_key:
        case arg_base::ptr_to_map_value:
        case arg_base::ptr_to_mem: return want_mem;
        default: return want_unknown;
        }
    }
    static constexpr bool fits(std::uint8_t want, const cell& v) {
        return want == want_map_ptr       ? v.kind == k_map_ptr
               : want == want_ctx         ? v.kind == k_ctx
               : want == want_ringbuf_mem ? v.kind == k_ringbuf_mem
               : want == want_scalar      ? v.kind == k_scalar || v.kind == k_const
               : want == want_mem         ? v.kind == k_stack || v.kind == k_map_value || is_packet(v.kind) || v.kind == k_ringbuf_mem
                                          : v.kind == k_sock || v.kind == k_sock_common || v.kind == k_tcp_sock;
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
        // cgroup storage: only bpf_get_local_storage, which takes nothing else
        const bool storage = t == map_type::cgroup_storage || t == map_type::percpu_cgroup_storage;
        if (id == 81 || storage) return id == 81 && storage ? 1 : 0;
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
    // check_helper_mem_access(): `size` bytes read (or, write: written) through a helper argument
    // (zero bytes reach it only through a pointer with a variable offset: ARG_CONST_SIZE_OR_ZERO)
    constexpr bool helper_mem(std::uint32_t r, const cell& a, std::uint32_t size, bool raw, bool write) {
        if (is_packet(a.kind) && a.var != 0) {
            const value_error e =
                check_packet_access(reg_of(a), static_cast<int>(r), static_cast<int>(a.v), static_cast<int>(size), size == 0);
            return e.ok() || (fail_value(e), false);
        }
        if (is_packet(a.kind)) {
            if (a.range < 0 || a.v < 0 || a.v + size > a.range) {
                fail_reg(errc::packet_access_is_out_of_range, r, " offset is outside of the packet");
                if (a.range < 0) r_.errnum = EINVAL;
                return false;
            }
            return true;
        }
        if (a.kind == k_map_value || a.kind == k_ringbuf_mem) {
            // check_map_access_type(): what a read-only or write-only map lets programs do
            const std::uint32_t no = write ? map_rdonly_prog : map_wronly_prog;
            if (a.kind == k_map_value && (map_at(a).flags & no)) {
                fail(errc::map_access_is_forbidden, pc_)
                    .put(write ? "write into map forbidden, value_size=" : "read from map forbidden, value_size=")
                    .put_uint(map_at(a).value_size).put(" off=").put_int(a.v).put(" size=").put_uint(size);
                return false;
            }
            if (a.var != 0) {
                const value_error e = check_mem_region_access(
                    reg_of(a), static_cast<int>(r), static_cast<int>(a.v), static_cast<int>(size),
                    a.kind == k_ringbuf_mem ? static_cast<std::uint32_t>(a.range) : map_at(a).value_size, size == 0,
                    errc::map_value_access_is_out_of_bounds);
                return e.ok() || (fail_value(e), false);
            }
            if (a.v < 0 || a.v + size > (a.kind == k_ringbuf_mem ? static_cast<std::uint32_t>(a.range) : map_at(a).value_size)) {
                fail_reg(errc::map_value_access_is_out_of_bounds, r, " min value is outside of the allowed memory range");
                return false;
            }
            return true;
        }
        // the stack: check_stack_range_initialized()
        work_ += 2 + size / 4;
        if (a.var != 0) return helper_stack_var(r, a, size, write);
        if (size == 0) {
            fail(errc::helper_memory_argument_is_invalid, pc_).put("invalid zero-sized read");
            return false;
        }
        const std::int64_t off = a.v;
        // (measured on 6.18.44: "read from", "write to" where the helper writes)
        if (off < -std::int64_t{o_.kernel.max_stack} || off + size > 0) {
            fail(errc::helper_memory_argument_is_invalid, pc_)
                .put(write ? "invalid write to stack R" : "invalid read from stack R").put_uint(r).put(" off=").put_int(off)
                .put(" size=").put_uint(size);
            // (the first byte outside the frame: EACCES; only the end past it: EINVAL)
            if (off < 0 && off >= -std::int64_t{o_.kernel.max_stack} &&
                (root_ || write || -off <= c_.p[a.frame * frame_cells + frame_meta].v))
                r_.errnum = EINVAL;
            return false;
        }
        const std::uint32_t fb = a.frame * frame_cells;
        if (!root_ && !raw) // every byte written (or a spilled scalar); root may pass uninitialized stack
            for (std::int64_t i = off; i < off + size; ++i) {
                const cell& sl = c_.p[fb + frame_slots + static_cast<std::uint32_t>((-i - 1) / 8)];
                const std::uint32_t pos = static_cast<std::uint32_t>(i + 8 * ((-i - 1) / 8 + 1));
                if (sl.size != 0 && sl.kind == k_opaque) { // a spilled value only the kernel knows
                    defer(deferral::unknown_pointer, pc_);
                    continue;
                }
                if (sl.size != 0 ? sl.kind != k_scalar && sl.kind != k_const : !((sl.init >> pos) & 1)) {
                    // (6.18: "off=" when the slot was never allocated, else the first bad byte)
                    verifier_message& m = fail(errc::helper_memory_argument_is_invalid, pc_).put("invalid read from stack R").put_uint(r);
                    if (-i > c_.p[fb + frame_meta].v) m.put(" off=").put_int(off).put(" size=").put_uint(size);
                    else m.put(" off ").put_int(off).put("+").put_int(i - off).put(" size ").put_uint(size);
                    return false;
                }
            }
        grow(fb, off);
        // the helper may write anything there: spilled registers become plain bytes (scrubbed), and
        // STACK_ZERO bytes STACK_MISC (every slot the bytes touch)
        for (std::int64_t sp = (-(off + size - 1) - 1) / 8, last = (-off - 1) / 8; sp <= last; ++sp) {
            const std::uint32_t at = fb + frame_slots + static_cast<std::uint32_t>(sp);
            if (c_.p[at].size != 0) set(at, {0, 0, 0, static_cast<std::uint8_t>(root_ ? 0 : 0xff), 0});
            else if (c_.p[at].frame != 0) set(at, {0, 0, 0, c_.p[at].init, 0});
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
    // check_stack_range_initialized() through a stack pointer with a variable offset (root):
    // within the frame; every byte in reach may then hold anything (spills scrubbed)
    constexpr bool helper_stack_var(std::uint32_t r, const cell& a, std::uint32_t size, bool write) {
        work_ += 20;
        const value_error e = check_stack_access_within_bounds(reg_of(a), static_cast<int>(r), static_cast<int>(a.v),
                                                               static_cast<int>(size),
                                                               write ? stack_access::write : stack_access::read, 0, true);
        if (!e.ok()) return fail_value(e), false;
        const std::int64_t lo = a.s.smin + a.v, hi = a.s.smax + a.v + size; // [lo, hi): within [-512, 0)
        const std::uint32_t fb = a.frame * frame_cells;
        grow(fb, lo);
        ++lossy_;
        work_ += static_cast<std::uint32_t>(hi - lo) / 8;
        for (std::int64_t sp = (-(hi - 1) - 1) / 8, last = (-lo - 1) / 8; sp <= last; ++sp) {
            const std::uint32_t at = fb + frame_slots + static_cast<std::uint32_t>(sp);
            if (c_.p[at].size != 0 || c_.p[at].frame != 0) set(at, {0, 0, 0, c_.p[at].init, 0});
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
        const auto at = static_cast<std::uint32_t>(o_.expected_attach_type);
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
        if (!exactish(r0)) {
            defer(deferral::value_range, pc_);
            return true;
        }
        // retval_range_within() and verbose_invalid_scalar() on the kernel's bounds
        const std::int64_t smin = r0.kind == k_const ? r0.v : r0.s.smin, smax = r0.kind == k_const ? r0.v : r0.s.smax;
        if (smin < lo || smax > hi) {
            verifier_message& m = fail(errc::return_value_is_out_of_range, pc_).put("At program exit the register R0 has");
            if (smin != INT64_MIN) m.put(" smin=").put_int(smin);
            if (smax != INT64_MAX) m.put(" smax=").put_int(smax);
            if (smin == INT64_MIN && smax == INT64_MAX) m.put(" unknown scalar value");
            m.put(" should have been in [").put_int(lo).put(", ").put_int(hi).put("]");
            return false;
        }
        return true;
    }
};

} // namespace ctbpf::detail::vfy
