// The helpers the interpreter implements, with the kernel's results and error codes: maps, ring
// buffers, perf event output (captured), the clock, ids, random numbers, trace_printk (text
// captured), packet bytes, checksums, XDP head/tail/metadata adjustment, redirects (recorded) and
// probe_read_kernel from memory the caller supplies. Registered helpers take precedence.
#pragma once

#include "ctbpf/vm/machine.hpp"

namespace ctbpf::vm {

namespace detail {
constexpr u64 ret_of(int v) { return static_cast<u64>(static_cast<s64>(v)); } // a helper's int result
constexpr u64 neg(int e) { return ret_of(-e); }                                  // -errno
// The kernel's checksum arithmetic: 32-bit ones' complement sums of little-endian words.
constexpr u32 csum_add(u32 a, u32 b) {
    const u32 s = a + b;
    return s + (s < b ? 1 : 0);
}
constexpr u32 csum_partial(const u8* p, u32 n, u32 seed) { // (the tail zero-padded, as x86-64 reads it)
    u64 sum = seed;
    for (u32 k = 0; k < n; k += 4) sum += load_le(p + k, n - k < 4 ? n - k : 4);
    while (sum >> 32) sum = (sum & 0xffffffffu) + (sum >> 32);
    return static_cast<u32>(sum);
}
} // namespace detail

// The packet bytes [data + off, data + off + len) for skb helpers (nullptr: out of the packet).
constexpr u8* machine::packet_bytes(result&, u32, s64 off, u32 len, std::string_view) {
    const region& pkt = regions_[detail::id_packet - 1];
    if (off < 0 || static_cast<u64>(off) + len > pkt.hi - data_) return nullptr;
    return packet_ + data_ + off;
}

// bpf_trace_printk's format: %d %i %u %x %X %c %s %p(x/K) %% with l/ll, flags, width and precision.
constexpr bool machine::printk(result& r, u32, const u8* fmt, u32 fmt_size, const u64* args, const u32* tags, u64& out) {
    const u32 start = r.printed.size();
    // a format the kernel refuses (unknown conversion, more than 3 arguments, no NUL): nothing
    // printed, -EINVAL returned to the program
    auto bad_format = [&] {
        r.printed.resize(start);
        out = detail::neg(err::inval);
        return true;
    };
    u32 used = 0;
    u32 i = 0;
    for (; i < fmt_size && fmt[i] != 0; ++i) {
        const char ch = static_cast<char>(fmt[i]);
        if (ch != '%') {
            r.printed.push_back(ch);
            continue;
        }
        if (i + 1 < fmt_size && fmt[i + 1] == '%') {
            r.printed.push_back('%');
            ++i;
            continue;
        }
        bool left = false, zero = false, plus = false, space = false, alt = false;
        ++i;
        for (; i < fmt_size; ++i) {
            const char f = static_cast<char>(fmt[i]);
            if (f == '-') left = true;
            else if (f == '0') zero = true;
            else if (f == '+') plus = true;
            else if (f == ' ') space = true;
            else if (f == '#') alt = true;
            else break;
        }
        u32 width = 0;
        for (; i < fmt_size && fmt[i] >= '0' && fmt[i] <= '9'; ++i) width = width * 10 + (fmt[i] - '0');
        int prec = -1;
        if (i < fmt_size && fmt[i] == '.') {
            prec = 0;
            for (++i; i < fmt_size && fmt[i] >= '0' && fmt[i] <= '9'; ++i) prec = prec * 10 + (fmt[i] - '0');
        }
        int longs = 0;
        while (i < fmt_size && fmt[i] == 'l') ++longs, ++i;
        if (i >= fmt_size || used >= 3) return bad_format();
        const char conv = static_cast<char>(fmt[i]);
        u64 v = args[used];
        const u32 t = tags[used++];
        text field{};
        char prefix[2] = {};
        u32 prefix_len = 0;
        switch (conv) {
        case 'd':
        case 'i':
        case 'u':
        case 'x':
        case 'X': {
            if (longs == 0) v = (conv == 'd' || conv == 'i') ? sem::sext(v, 32) : static_cast<u32>(v);
            if ((conv == 'd' || conv == 'i') && static_cast<s64>(v) < 0) prefix[prefix_len++] = '-', v = u64{0} - v;
            else if ((conv == 'd' || conv == 'i') && (plus || space)) prefix[prefix_len++] = plus ? '+' : ' ';
            else if (alt && (conv == 'x' || conv == 'X')) prefix[0] = '0', prefix[1] = conv, prefix_len = 2;
            const u32 base = (conv == 'x' || conv == 'X') ? 16 : 10;
            const char* digits = conv == 'X' ? "0123456789ABCDEF" : "0123456789abcdef";
            char b[24];
            int n = 0;
            do b[n++] = digits[v % base], v /= base;
            while (v != 0);
            for (int k = n; k < prec; ++k) field.push_back('0');
            while (n > 0) field.push_back(b[--n]);
            break;
        }
        case 'c': field.push_back(static_cast<char>(v)); break;
        case 'p': {
            if (i + 1 < fmt_size && (fmt[i + 1] == 'x' || fmt[i + 1] == 'K')) ++i;
            // the kernel prints a pointer as 16 hex digits, zero-padded, no 0x (%p and %pK may show
            // a hash or zeros instead: the length is the same)
            for (int k = 15; k >= 0; --k) field.push_back("0123456789abcdef"[(v >> (4 * k)) & 15]);
            break;
        }
        case 's': {
            const u8* sp = nullptr;
            if (t != 0 && t <= regions_.size()) {
                const region& g = regions_[t - 1];
                const u64 o = v - base_of(t);
                if (g.alive && o >= g.lo && o < g.hi) sp = g.p + o;
                for (u64 k = o; sp && k < g.hi && g.p[k] != 0 && (prec < 0 || k - o < static_cast<u64>(prec)); ++k)
                    field.push_back(static_cast<char>(g.p[k]));
            }
            if (sp == nullptr)
                for (char ch2 : std::string_view("(efault)")) field.push_back(ch2);
            break;
        }
        default: return bad_format();
        }
        const u32 len = prefix_len + field.size();
        const u32 pad = width > len ? width - len : 0;
        const bool zeros = !left && zero && conv != 's' && conv != 'c';
        if (!left && !zeros)
            for (u32 k = 0; k < pad; ++k) r.printed.push_back(' ');
        for (u32 k = 0; k < prefix_len; ++k) r.printed.push_back(prefix[k]);
        if (zeros)
            for (u32 k = 0; k < pad; ++k) r.printed.push_back('0');
        for (u32 k = 0; k < field.size(); ++k) r.printed.push_back(field[k]);
        if (left)
            for (u32 k = 0; k < pad; ++k) r.printed.push_back(' ');
    }
    if (i >= fmt_size) return bad_format();
    out = r.printed.size() - start;
    return true;
}

constexpr bool machine::call_helper(result& r, u32 pc, std::int32_t id, u64* reg, u32* tag) {
    using namespace detail;
    for (const user_helper& h : helpers_)
        if (h.id == id) {
            helper_call c{this, {reg[1], reg[2], reg[3], reg[4], reg[5]}, {tag[1], tag[2], tag[3], tag[4], tag[5]}};
            reg[0] = h.fn(c), tag[0] = 0;
            return true;
        }
    const bool xdp = type_ == prog_type::xdp;
    region& pkt = regions_[id_packet - 1];
    u64 ret = 0;
    u32 ret_tag = 0;
    u8* p = nullptr;
    u8* q = nullptr;
    u32 mi = 0;
    switch (static_cast<helper>(id)) {
    case helper::map_lookup_elem:
    case helper::map_update_elem:
    case helper::map_delete_elem: {
        map_store* m = map_arg(r, pc, tag[1], mi);
        if (m == nullptr) return false;
        if (m->shape.type == map_type::ringbuf || m->shape.type == map_type::perf_event_array ||
            (m->shape.type == map_type::prog_array && id == static_cast<std::int32_t>(helper::map_lookup_elem)))
            return fail(r, fault::bad_helper_argument, pc, "this map type has no elements to look up or update");
        if (!helper_memory(r, pc, "map key", 2, tag[2], reg[2], m->shape.key_size, false, p)) return false;
        if (id == static_cast<std::int32_t>(helper::map_lookup_elem)) {
            u32 e = 0;
            if (u8* v = m->lookup(p, &e)) ret_tag = value_region(mi, e, v), ret = base_of(ret_tag);
        } else if (id == static_cast<std::int32_t>(helper::map_update_elem)) {
            if (!helper_memory(r, pc, "map value", 3, tag[3], reg[3], m->shape.value_size, false, q)) return false;
            ret = ret_of(m->update(p, q, reg[4]));
        } else {
            ret = ret_of(m->erase(p));
        }
        break;
    }
    case helper::ktime_get_ns:
    case helper::ktime_get_coarse_ns:
    case helper::ktime_get_tai_ns:
        ret = env.ktime_ns;
        env.ktime_ns += env.clock_step;
        break;
    case helper::ktime_get_boot_ns:
        ret = env.boot_ns;
        env.boot_ns += env.clock_step;
        break;
    case helper::get_prandom_u32: {
        u64 x = env.prandom_state;
        x ^= x >> 12, x ^= x << 25, x ^= x >> 27;
        env.prandom_state = x;
        ret = static_cast<u32>((x * 0x2545f4914f6cdd1dull) >> 32);
        break;
    }
    case helper::get_smp_processor_id: ret = env.cpu; break;
    case helper::get_current_pid_tgid: ret = env.pid_tgid; break;
    case helper::get_current_uid_gid: ret = env.uid_gid; break;
    case helper::get_current_comm: {
        const u32 n = static_cast<u32>(reg[2]);
        if (!helper_memory(r, pc, "bpf_get_current_comm", 1, tag[1], reg[1], n, true, p)) return false;
        u32 k = 0;
        for (; k + 1 < n && k < 16 && env.comm[k] != 0; ++k) p[k] = static_cast<u8>(env.comm[k]);
        for (; k < n; ++k) p[k] = 0;
        break;
    }
    case helper::trace_printk: {
        const u32 n = static_cast<u32>(reg[2]);
        if (!helper_memory(r, pc, "bpf_trace_printk", 1, tag[1], reg[1], n, false, p)) return false;
        if (!printk(r, pc, p, n, reg + 3, tag + 3, ret)) return false;
        break;
    }
    case helper::skb_load_bytes:
    case helper::skb_store_bytes: {
        const bool load = id == static_cast<std::int32_t>(helper::skb_load_bytes);
        const u32 n = static_cast<u32>(reg[4]);
        if (!load && (reg[5] & ~u64{3}) != 0) { // BPF_F_RECOMPUTE_CSUM | BPF_F_INVALIDATE_HASH
            ret = neg(err::inval);
            break;
        }
        if (!helper_memory(r, pc, load ? "bpf_skb_load_bytes" : "bpf_skb_store_bytes", 3, tag[3], reg[3], n, load, q))
            return false;
        u8* b = packet_bytes(r, pc, static_cast<std::int32_t>(reg[2]), n, "");
        if (static_cast<s64>(static_cast<std::int32_t>(reg[2])) < 0 || b == nullptr) {
            if (load)
                for (u32 k = 0; k < n; ++k) q[k] = 0;
            ret = neg(err::fault);
            break;
        }
        for (u32 k = 0; k < n; ++k) {
            if (load) q[k] = b[k];
            else b[k] = q[k];
        }
        break;
    }
    case helper::csum_diff: { // Linux 6.13+: any sizes, the result folded to 16 bits on every arch
        const u32 fs = static_cast<u32>(reg[2]), ts = static_cast<u32>(reg[4]);
        if (!helper_memory(r, pc, "bpf_csum_diff", 1, tag[1], reg[1], fs, false, p)) return false;
        if (!helper_memory(r, pc, "bpf_csum_diff", 3, tag[3], reg[3], ts, false, q)) return false;
        u32 sum = static_cast<u32>(reg[5]);
        if (fs != 0 && ts != 0) sum = csum_add(csum_partial(q, ts, sum), ~csum_partial(p, fs, 0)); // csum_sub
        else if (ts != 0) sum = csum_partial(q, ts, sum);
        else if (fs != 0) sum = ~csum_partial(p, fs, ~sum);
        sum = (sum & 0xffff) + (sum >> 16); // csum_from32to16
        ret = (sum & 0xffff) + (sum >> 16);
        break;
    }
    case helper::redirect:
        r.redirected = true, r.redirect_target = static_cast<u32>(reg[1]), r.redirect_flags = reg[2];
        if (xdp) ret = reg[2] != 0 ? 0 /* XDP_ABORTED */ : 4 /* XDP_REDIRECT */;
        else ret = (reg[2] & ~u64{1}) != 0 ? 2 /* TC_ACT_SHOT */ : 7 /* TC_ACT_REDIRECT */;
        break;
    case helper::xdp_adjust_head:
    case helper::xdp_adjust_meta:
    case helper::xdp_adjust_tail: {
        if (!xdp) return fail(r, fault::bad_helper_argument, pc, "XDP helpers need an XDP program");
        const s64 delta = static_cast<std::int32_t>(reg[2]);
        const s64 meta = meta_, data = data_, end = pkt.hi, frame_end = xdp::frame_struct;
        if (id == static_cast<std::int32_t>(helper::xdp_adjust_head)) {
            const s64 nd = data + delta;
            if (nd < frame_end + (data - meta) || nd > end - static_cast<s64>(eth_hlen)) {
                ret = neg(err::inval);
                break;
            }
            if (data != meta) { // the metadata moves with the data
                const u32 len = static_cast<u32>(data - meta);
                if (delta < 0)
                    for (u32 k = 0; k < len; ++k) packet_[meta + delta + k] = packet_[meta + k];
                else
                    for (u32 k = len; k-- > 0;) packet_[meta + delta + k] = packet_[meta + k];
            }
            meta_ = static_cast<u32>(meta + delta), data_ = static_cast<u32>(nd);
        } else if (id == static_cast<std::int32_t>(helper::xdp_adjust_meta)) {
            const s64 nm = meta + delta;
            if (nm < frame_end || nm > data) {
                ret = neg(err::inval);
                break;
            }
            if (((data - nm) & 3) != 0 || data - nm > 255) {
                ret = neg(13); // EACCES
                break;
            }
            meta_ = static_cast<u32>(nm);
        } else {
            const s64 ne = end + delta;
            if (ne > static_cast<s64>(xdp::frame - xdp::tailroom) || ne < data + static_cast<s64>(eth_hlen)) {
                ret = neg(err::inval);
                break;
            }
            for (s64 k = end; k < ne; ++k) packet_[k] = 0;
            pkt.hi = static_cast<u32>(ne);
        }
        pkt.lo = meta_;
        break;
    }
    case helper::perf_event_output: {
        map_store* m = nullptr;
        if (tag[2] == 0 || tag[2] > regions_.size() || regions_[tag[2] - 1].kind != region_kind::map ||
            (m = &maps_[regions_[tag[2] - 1].owner])->shape.type != map_type::perf_event_array)
            return fail(r, fault::bad_helper_argument, pc, "bpf_perf_event_output: r2 is not a perf event array");
        const u64 index = reg[3] & 0xffffffffu;
        const u32 n = static_cast<u32>(reg[5]);
        if ((reg[3] >> 32) != 0 && !is_skb_type(type_) && type_ != prog_type::xdp) {
            ret = neg(err::inval);
            break;
        }
        if (index != 0xffffffffu && index != env.cpu) {
            ret = neg(index >= m->shape.max_entries ? err::e2big : err::opnotsupp);
            break;
        }
        if (!helper_memory(r, pc, "bpf_perf_event_output", 4, tag[4], reg[4], n, false, p)) return false;
        m->add_record(p, n);
        break;
    }
    case helper::ringbuf_output:
    case helper::ringbuf_reserve: {
        map_store* m = map_arg(r, pc, tag[1], mi);
        if (m == nullptr) return false;
        if (m->shape.type != map_type::ringbuf) return fail(r, fault::bad_helper_argument, pc, "r1 is not a ring buffer");
        const u32 n = static_cast<u32>(reg[2]);
        if (id == static_cast<std::int32_t>(helper::ringbuf_output)) {
            if (!helper_memory(r, pc, "bpf_ringbuf_output", 2, tag[2], reg[2 - 0], 0, false, p)) return false;
            const u32 size = static_cast<u32>(reg[3]);
            if (!helper_memory(r, pc, "bpf_ringbuf_output", 2, tag[2], reg[2], size, false, p)) return false;
            if ((reg[4] & ~u64{3}) != 0) {
                ret = neg(err::inval);
                break;
            }
            if (m->reserve_space(size) != 0) {
                ret = neg(err::again);
                break;
            }
            m->add_record(p, size);
            break;
        }
        if (reg[3] != 0 || m->reserve_space(n) != 0) break; // NULL
        u8* rec = new u8[n + 1]{};
        ++records_reserved_;
        ret_tag = new_region({rec, 0, n, region_kind::ringbuf_record, true, true, mi, n});
        ret = base_of(ret_tag);
        break;
    }
    case helper::ringbuf_submit:
    case helper::ringbuf_discard: {
        const u32 t = tag[1];
        if (t == 0 || t > regions_.size() || regions_[t - 1].kind != region_kind::ringbuf_record || !regions_[t - 1].alive ||
            reg[1] != base_of(t))
            return fail(r, fault::bad_helper_argument, pc, "r1 is not a ring buffer record");
        region& g = regions_[t - 1];
        map_store& m = maps_[g.owner];
        if (id == static_cast<std::int32_t>(helper::ringbuf_submit)) m.add_record(g.p, g.element);
        else m.release_space(g.element);
        g.alive = false;
        break;
    }
    case helper::probe_read_kernel:
    case helper::probe_read_kernel_str: {
        const u32 n = static_cast<u32>(reg[2]);
        if (!helper_memory(r, pc, "bpf_probe_read_kernel", 1, tag[1], reg[1], n, true, p)) return false;
        const u64 at = reg[3] - env.kernel_address;
        const bool str = id == static_cast<std::int32_t>(helper::probe_read_kernel_str);
        const u64 have = env.kernel_memory.size();
        if (reg[3] < env.kernel_address || at >= have || (!str && n > have - at)) {
            for (u32 k = 0; k < n; ++k) p[k] = 0;
            ret = neg(err::fault);
            break;
        }
        if (!str) {
            for (u32 k = 0; k < n; ++k) p[k] = env.kernel_memory[at + k];
            break;
        }
        u32 k = 0;
        for (; k + 1 < n && at + k < have && env.kernel_memory[at + k] != 0; ++k) p[k] = env.kernel_memory[at + k];
        if (n > 0) p[k] = 0;
        ret = n > 0 ? k + 1 : 0;
        break;
    }
    default: {
        fail(r, fault::unknown_helper, pc, "helper ");
        const helper_info* h = find_helper(id);
        if (h != nullptr) {
            r.message.add("bpf_");
            r.message.add(h->name);
            r.message.add("#");
        }
        add_signed(r.message, id);
        r.message.add(" is not implemented by the interpreter (machine::add_helper registers one)");
        return false;
    }
    }
    reg[0] = ret, tag[0] = ret_tag;
    return true;
}

} // namespace ctbpf::vm
