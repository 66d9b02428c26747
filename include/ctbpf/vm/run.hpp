// machine::run(): the context and packet a program type gets (as BPF_PROG_TEST_RUN builds them),
// the instruction loop, and what the run returns.
#pragma once

#include <utility>

#include "ctbpf/vm/machine.hpp"

namespace ctbpf::vm {

namespace detail {
// __sk_buff fields BPF_PROG_TEST_RUN takes from ctx_in (all others must be zero).
constexpr bool skb_ctx_in_field(u32 off) {
    using namespace skb;
    return (off >= mark && off < mark + 4) || (off >= priority && off < ifindex + 4) || (off >= cb && off < cb + 20) ||
           (off >= tstamp && off < tstamp + 8) || (off >= wire_len && off < gso_segs + 4) ||
           (off >= gso_size && off < gso_size + 4) || (off >= hwtstamp && off < hwtstamp + 8);
}
// The size of the sk_buff member behind an __sk_buff field (the verifier's target_size); 4 for the
// rest (cb[] included: read as addressed).
constexpr u32 skb_field_size(u32 field) {
    switch (field) {
    case skb::pkt_type: return 1;
    case skb::queue_mapping: case skb::protocol: case skb::vlan_tci: case skb::vlan_proto: case skb::tc_index:
    case skb::tc_classid: case skb::family: case skb::remote_port: case skb::gso_segs: case skb::gso_size:
        return 2;
    default: return 4;
    }
}
} // namespace detail

constexpr bool machine::setup(const input& in, result& r) {
    using namespace detail;
    type_ = in.type;
    tail_calls_ = 0;
    may_goto_ = 8u * 1024 * 1024; // BPF_MAX_LOOPS
    ctx_size_ = 0;
    meta_ = data_ = mac_ = 0;
    region& ctx = regions_[id_ctx - 1];
    region& pkt = regions_[id_packet - 1];
    pkt = {nullptr, 0, 0, region_kind::packet, true, true, 0, 0};
    auto bad = [&](std::string_view why) { return fail(r, fault::bad_input, 0, why); };
    auto copy_in = [&](u32 size) {
        ctx_size_ = size;
        if (size + 1 > ctx_cap_) {
            delete[] ctx_;
            ctx_ = new u8[size + 1];
            ctx_cap_ = size + 1;
        }
        const u32 given = static_cast<u32>(in.ctx.size() < size ? in.ctx.size() : size);
        copy_n(ctx_, in.ctx.data(), given);
        fill_n(ctx_ + given, size - given, 0);
    };
    const u32 n = static_cast<u32>(in.packet.size());
    if (in.type == prog_type::xdp) {
        if (in.ctx.size() > xdp::size) return bad("the context is larger than struct xdp_md");
        copy_in(xdp::size);
        u32 meta = 0;
        if (!in.ctx.empty()) {
            meta = static_cast<u32>(load_le(ctx_ + xdp::data, 4));
            const u32 end = static_cast<u32>(load_le(ctx_ + xdp::data_end, 4));
            if (load_le(ctx_ + xdp::data_meta, 4) != 0 || end > n || meta > end)
                return bad("xdp_md: data_meta must be 0 and data <= data_end <= the packet's size");
            if (end != n) return bad("xdp_md: data_end below the packet's size would make fragments (not modelled)");
            if ((meta & 3) != 0 || meta > 255 || meta > xdp::headroom - xdp::frame_struct)
                return bad("xdp_md: the metadata size (data) must be a multiple of 4, at most 216");
            if (load_le(ctx_ + xdp::egress_ifindex, 4) != 0) return bad("xdp_md: egress_ifindex must be 0");
            if (load_le(ctx_ + xdp::ingress_ifindex, 4) > 1)
                return bad("xdp_md: ingress_ifindex other than loopback (1) is not modelled");
            if (load_le(ctx_ + xdp::rx_queue_index, 4) != 0) // (loopback has one receive queue)
                return bad("xdp_md: rx_queue_index must be 0 (and needs an ingress_ifindex)");
        }
        if (n - meta < eth_hlen || n < meta) return bad("the packet is shorter than an Ethernet header");
        if (n - meta > xdp::frame - xdp::headroom - xdp::tailroom) return bad("the packet does not fit one page (fragments are not modelled)");
        reserve_packet(xdp::frame);
        data_ = xdp::headroom;
        meta_ = data_ - meta;
        fill_n(packet_, meta_, 0); // (the tail is zeroed when it grows)
        copy_n(packet_ + meta_, in.packet.data(), n);
        pkt.p = packet_, pkt.lo = meta_, pkt.hi = meta_ + n;
        if (load_le(ctx_ + xdp::ingress_ifindex, 4) == 0) store_le(ctx_ + xdp::ingress_ifindex, 4, 1); // loopback
    } else if (is_skb_type(in.type)) {
        if (in.ctx.size() > skb::size) return bad("the context is larger than struct __sk_buff");
        copy_in(skb::size);
        for (u32 i = 0; i < skb::size; ++i)
            if (ctx_[i] != 0 && !skb_ctx_in_field(i))
                return bad("__sk_buff: only mark, priority, ingress_ifindex, ifindex, cb, tstamp, wire_len, gso_segs, gso_size and hwtstamp may be set");
        if (load_le(ctx_ + skb::gso_segs, 4) > 0xffff) return bad("__sk_buff: gso_segs above GSO_MAX_SEGS (65535)");
        store_le(ctx_ + skb::gso_size, 4, load_le(ctx_ + skb::gso_size, 2)); // (a u16 in skb_shared_info)
        if (n < eth_hlen) return bad("the packet is shorter than an Ethernet header");
        if (n > skb_max_data) return bad("the packet is longer than BPF_PROG_TEST_RUN takes for a socket buffer (3712 bytes)");
        const u32 ifindex = static_cast<u32>(load_le(ctx_ + skb::ifindex, 4));
        if (ifindex > 1) return bad("__sk_buff: ifindex other than loopback (1) is not modelled");
        reserve_packet(skb_headroom + n);
        mac_ = skb_headroom;
        fill_n(packet_, mac_, 0);
        copy_n(packet_ + mac_, in.packet.data(), n);
        data_ = is_l2_type(in.type) ? mac_ : mac_ + eth_hlen;
        meta_ = data_;
        pkt.p = packet_, pkt.lo = data_, pkt.hi = mac_ + n;
        const u8* eth = packet_ + mac_;
        u32 proto = static_cast<u32>(load_le(eth + 12, 2)); // eth_type_trans(): h_proto, or 802.3 / raw 802.2
        if (load_be(eth + 12, 2) < 0x600) proto = (n >= 16 && eth[14] == 0xff && eth[15] == 0xff) ? 0x0100 : 0x0400; // htons(ETH_P_802_3 / ETH_P_802_2)
        store_le(ctx_ + skb::protocol, 4, proto);
        // eth_type_trans() on the loopback device: its address and its broadcast address are zero,
        // so ff:ff:ff:ff:ff:ff is PACKET_MULTICAST like any group address
        bool zero = true;
        for (u32 i = 0; i < 6; ++i) zero = zero && eth[i] == 0;
        store_le(ctx_ + skb::pkt_type, 4, (eth[0] & 1) ? 2 : zero ? 0 : 3);
        store_le(ctx_ + skb::ifindex, 4, 1);
        const u64 wire_len = load_le(ctx_ + skb::wire_len, 4);
        if (wire_len != 0 && (wire_len < pkt.hi - data_ || wire_len > 65536)) // (GSO_LEGACY_MAX_SIZE)
            return bad("__sk_buff: wire_len below the packet's length or above 65536");
        if (!in.ctx.empty() && wire_len == 0) // (convert___skb_to_skb: only with ctx_in)
            store_le(ctx_ + skb::wire_len, 4, pkt.hi - data_);
        if ((proto == 0x0008 && n - eth_hlen < 20) || (proto == 0xdd86 && n - eth_hlen < 40))
            return bad("the packet is shorter than its IP header");
    } else {
        copy_in(static_cast<u32>(in.ctx.size()));
        if (!in.packet.empty()) return bad("this program type takes no packet, only a context");
    }
    ctx = {ctx_, 0, ctx_size_, region_kind::ctx, true, true, 0, 0};
    if (!env.kernel_memory.empty())
        regions_[id_kernel - 1] = {const_cast<u8*>(env.kernel_memory.data()), 0, static_cast<u32>(env.kernel_memory.size()),
                                   region_kind::kernel, false, true, 0, 0};
    return true;
}

// data_out and ctx_out as BPF_PROG_TEST_RUN returns them.
constexpr void machine::finish(const input& in, result& r) {
    using namespace detail;
    const region& pkt = regions_[id_packet - 1];
    if (in.type == prog_type::xdp) {
        r.packet.append(packet_ + meta_, pkt.hi - meta_);
        if (!in.ctx.empty()) {
            store_le(ctx_ + xdp::data, 4, data_ - meta_);
            store_le(ctx_ + xdp::data_end, 4, pkt.hi - meta_);
            if (load_le(in.ctx.data() + xdp::ingress_ifindex, 4) == 0) store_le(ctx_ + xdp::ingress_ifindex, 4, 0);
            r.ctx.append(ctx_, static_cast<u32>(in.ctx.size()));
        }
    } else if (is_skb_type(in.type)) {
        if (!is_l2_type(in.type)) { // the kernel pushes a zeroed Ethernet header back
            r.packet.resize(eth_hlen);
            r.packet.append(packet_ + data_, pkt.hi - data_);
        } else {
            r.packet.append(packet_ + data_, pkt.hi - data_);
        }
        if (!in.ctx.empty()) {
            u8 out[skb::size] = {};
            for (u32 i = 0; i < skb::size; ++i) out[i] = in.ctx.size() > i ? in.ctx[i] : 0;
            auto keep = [&](u32 off, u32 size) {
                for (u32 i = off; i < off + size; ++i) out[i] = ctx_[i];
            };
            keep(skb::mark, 4), keep(skb::priority, 4), keep(skb::ingress_ifindex, 4), keep(skb::ifindex, 4);
            keep(skb::tstamp, 8), keep(skb::cb, 20), keep(skb::wire_len, 4), keep(skb::gso_segs, 4), keep(skb::hwtstamp, 8);
            r.ctx.append(out, static_cast<u32>(in.ctx.size()));
        }
    } else if (in.type == prog_type::syscall && !in.ctx.empty()) {
        r.ctx.append(ctx_, ctx_size_);
    }
    if (records_reserved_ != 0) // records end with the run (the verifier forbids leaks)
        for (region& g : regions_)
            if (g.kind == region_kind::ringbuf_record) g.alive = false;
    records_reserved_ = 0;
}

namespace detail {
// What the load and store handlers see of the machine's memory.
struct mem_view {
    const region* regions;
    u32 count;
    u32* stack_tags;
};
// The handlers of the common instructions (ALU but END, conditional jumps, ja, loads and stores
// that stay inside their region), one per opcode
// byte: each returns false, leaving the instruction to the general path, for any other opcode or
// an unusual operand (a register above r10, a write to r10, addr_space_cast). Register tags follow
// pointers through 64-bit moves, additions and subtractions; every other result is a scalar.
template <u8 Code>
constexpr bool exec(u64* reg, u32* tag, const insn& x, u32& pc, const mem_view& m) {
    constexpr u8 cls = Code & 7u, o = Code & 0xf0u, mode = Code & 0xe0u;
    constexpr bool isx = (Code & op::x) != 0;
    constexpr u32 size = (Code & 0x18) == op::w ? 4 : (Code & 0x18) == op::h ? 2 : (Code & 0x18) == op::b ? 1 : 8;
    if constexpr ((cls == op::alu64 || cls == op::alu) && o != op::end && o <= op::arsh && (!isx || o != op::neg)) {
        const u8 d = x.dst_reg, s = isx ? x.src_reg : 0;
        if (d >= 10 || s > 10 || (cls == op::alu64 && o == op::mov && isx && x.off == 1)) return false;
        const u64 src = isx ? reg[s] : cls == op::alu64 ? static_cast<u64>(static_cast<s64>(x.imm)) : static_cast<u32>(x.imm);
        tag[d] = cls == op::alu ? 0
                 : o == op::mov ? (isx && x.off == 0 ? tag[s] : 0)
                 : o == op::add ? (tag[d] != 0 ? (isx && tag[s] != 0 ? 0 : tag[d]) : isx ? tag[s] : 0)
                 : o == op::sub ? (isx && tag[s] != 0 ? 0 : tag[d])
                                : 0;
        reg[d] = cls == op::alu64 ? sem::alu64<o>(reg[d], src, x.off) : sem::alu32<o>(reg[d], src, x.off);
        return ++pc, true;
    } else if constexpr ((cls == op::jmp || cls == op::jmp32) && o != op::ja && o != op::call && o != op::exit &&
                         o != op::jcond && o <= op::jsle) {
        const u8 d = x.dst_reg, s = isx ? x.src_reg : 0;
        if (d > 10 || s > 10) return false;
        const u64 b = isx ? reg[s] : cls == op::jmp ? static_cast<u64>(static_cast<s64>(x.imm)) : static_cast<u32>(x.imm);
        const bool taken = cls == op::jmp ? sem::taken64<o>(reg[d], b) : sem::taken32<o>(reg[d], b);
        return pc += taken ? static_cast<u32>(static_cast<s64>(x.off)) + 1 : 1, true;
    } else if constexpr (Code == (op::jmp | op::ja)) {
        return pc += static_cast<u32>(static_cast<s64>(x.off)) + 1, true;
    } else if constexpr ((cls == op::ldx && (mode == op::mem || (mode == op::memsx && size != 8))) ||
                         ((cls == op::st || cls == op::stx) && mode == op::mem)) {
        // loads and stores that stay inside their region; the context's fields, faults: the general path
        const u8 d = x.dst_reg, s = x.src_reg;
        const u8 a = cls == op::ldx ? s : d;
        if (d > 10 || s > 10 || (cls == op::ldx && d == 10)) return false;
        const u32 t = tag[a];
        if (t == 0 || t > m.count) return false;
        const region& g = m.regions[t - 1];
        const u64 off = reg[a] - base_of(t) + static_cast<u64>(static_cast<s64>(x.off));
        if (!g.alive || g.kind == region_kind::ctx || off < g.lo || off > g.hi || size > g.hi - off) return false;
        u32* slot = t <= max_frames ? m.stack_tags + (t - 1) * (stack_size / 8) + static_cast<u32>(off >> 3) : nullptr;
        if constexpr (cls == op::ldx) {
            const u64 v = load_le(g.p + off, size);
            reg[d] = mode == op::memsx ? sem::sext(v, static_cast<int>(size * 8)) : v;
            tag[d] = size == 8 && slot != nullptr && (off & 7) == 0 ? *slot : 0;
        } else {
            if (!g.writable) return false;
            store_le(g.p + off, size, cls == op::st ? static_cast<u64>(static_cast<s64>(x.imm)) : reg[s]);
            if (slot != nullptr) {
                *slot = size == 8 && (off & 7) == 0 && cls == op::stx ? tag[s] : 0;
                if (((off + size - 1) >> 3) != (off >> 3)) slot[1] = 0;
            }
        }
        return ++pc, true;
    } else {
        return (void)reg, (void)tag, (void)x, (void)pc, (void)m, false;
    }
}
using exec_fn = bool (*)(u64*, u32*, const insn&, u32&, const mem_view&);
struct exec_table {
    exec_fn by_code[256];
};
template <std::size_t... I>
constexpr exec_table make_exec_table(std::index_sequence<I...>) {
    return {{&exec<static_cast<u8>(I)>...}};
}
// Indexed by the opcode byte: one call per instruction (in constant evaluation a switch over the
// opcodes would cost steps by the position of the case).
inline constexpr exec_table execs = make_exec_table(std::make_index_sequence<256>{});
} // namespace detail

// Runs the common instructions from pc until another one (not run), the end of the code or the
// instruction limit, in a loop of its own so that the compiler keeps its state in registers.
constexpr void machine::run_fast(std::span<const insn> code, u32& pc_io, u64& executed_io, u64 limit, u64* reg, u32* tag) {
    const detail::mem_view m{regions_.data(), regions_.size(), stack_tags_.data()};
    u32 pc = pc_io;
    u64 executed = executed_io;
    const insn* const prog = code.data();
    const u32 n = static_cast<u32>(code.size());
    if (std::is_constant_evaluated()) {
        while (pc < n && executed < limit && detail::execs.by_code[prog[pc].code](reg, tag, prog[pc], pc, m)) ++executed;
    } else { // at run time a switch over the same handlers (a jump table, the handlers inlined) is faster
        while (pc < n && executed < limit) {
            const insn& x = prog[pc];
            bool ok = false;
            switch (x.code) {
#define CTBPF_VM_CASE(N)                                                                              \
    case N: ok = detail::exec<N>(reg, tag, x, pc, m); break;
#define CTBPF_VM_CASE4(N) CTBPF_VM_CASE(N) CTBPF_VM_CASE(N + 1) CTBPF_VM_CASE(N + 2) CTBPF_VM_CASE(N + 3)
#define CTBPF_VM_CASE16(N) CTBPF_VM_CASE4(N) CTBPF_VM_CASE4(N + 4) CTBPF_VM_CASE4(N + 8) CTBPF_VM_CASE4(N + 12)
#define CTBPF_VM_CASE64(N) CTBPF_VM_CASE16(N) CTBPF_VM_CASE16(N + 16) CTBPF_VM_CASE16(N + 32) CTBPF_VM_CASE16(N + 48)
                CTBPF_VM_CASE64(0) CTBPF_VM_CASE64(64) CTBPF_VM_CASE64(128) CTBPF_VM_CASE64(192)
#undef CTBPF_VM_CASE64
#undef CTBPF_VM_CASE16
#undef CTBPF_VM_CASE4
#undef CTBPF_VM_CASE
            }
            if (!ok) break;
            ++executed;
        }
    }
    pc_io = pc;
    executed_io = executed;
}

constexpr result machine::run(std::span<const insn> code, const input& in, program_info info) {
    using namespace detail;
    result r{};
    info_ = info;
    if (!setup(in, r)) return r;
    u64 reg[11] = {};
    u32 tag[11] = {};
    reg[1] = base_of(id_ctx), tag[1] = id_ctx;
    reg[10] = base_of(1) + stack_size, tag[10] = 1;
    for (u32 i = 0; i < in.args.size() && i < 4; ++i) reg[2 + i] = in.args[i];
    frame frames[max_frames];
    u32 depth = 0;
    u32 pc = 0;
    u64 executed = 0;
    const u64 limit = in.insn_limit;
    const u32 hdr_tags = stack_size / 8;
    auto sext_imm = [](std::int32_t imm) { return static_cast<u64>(static_cast<s64>(imm)); };
    while (true) {
        if (!in.trace) run_fast(code, pc, executed, limit, reg, tag);
        if (pc >= code.size()) {
            fail(r, fault::jump_out_of_range, pc, "control left the program");
            break;
        }
        if (executed >= limit) {
            fail(r, fault::instruction_limit, pc, "the instruction limit was reached");
            break;
        }
        ++executed;
        const insn& x = code[pc];
        const u8 c = x.code;
        const u8 d = x.dst_reg, s = x.src_reg;
        if (d > 10 || s > 10) {
            fail(r, fault::bad_instruction, pc, "register number above 10");
            break;
        }
        const u32 cls = c & 7u;
        trace_step step{pc, 0xff, 0, 0};
        bool stop = false;
        switch (cls) {
        case op::jmp:
        case op::jmp32: {
            const u8 o = c & 0xf0;
            const bool is32 = cls == op::jmp32;
            if (o == op::ja) {
                if ((c & op::x) != 0) {
                    fail(r, fault::unsupported, pc, "indirect jumps (gotox) are not modelled");
                    stop = true;
                    break;
                }
                pc = static_cast<u32>(static_cast<s64>(pc) + (is32 ? x.imm : x.off));
                break;
            }
            if (o == op::exit && !is32) {
                if (depth == 0) {
                    stop = true;
                    break;
                }
                const frame& f = frames[--depth];
                for (u32 i = 0; i < 4; ++i) reg[6 + i] = f.saved[i], tag[6 + i] = f.saved_tag[i];
                reg[10] = base_of(depth + 1) + stack_size, tag[10] = depth + 1;
                code = f.code;
                info_ = f.info;
                pc = f.return_pc - 1; // (++pc below)
                break;
            }
            if (o == op::call && !is32) {
                if ((c & op::x) != 0) {
                    fail(r, fault::bad_instruction, pc, "callx (0x8d) is not a Linux instruction");
                    stop = true;
                    break;
                }
                if (s == 1) { // bpf-to-bpf call
                    if (depth + 1 >= max_frames) {
                        fail(r, fault::call_depth, pc, "more than 8 nested calls");
                        stop = true;
                        break;
                    }
                    frame& f = frames[depth++];
                    f.return_pc = pc + 1;
                    f.code = code;
                    f.info = info_;
                    for (u32 i = 0; i < 4; ++i) f.saved[i] = reg[6 + i], f.saved_tag[i] = tag[6 + i];
                    reg[10] = base_of(depth + 1) + stack_size, tag[10] = depth + 1;
                    pc = static_cast<u32>(static_cast<s64>(pc) + x.imm);
                    break;
                }
                if (s != 0) {
                    fail(r, fault::unsupported, pc, "kfunc calls are not modelled");
                    stop = true;
                    break;
                }
                if (x.imm == static_cast<std::int32_t>(helper::tail_call)) {
                    u32 mi = 0;
                    map_store* m = map_arg(r, pc, tag[2], mi);
                    if (m == nullptr || m->shape.type != map_type::prog_array) {
                        if (m != nullptr) fail(r, fault::bad_helper_argument, pc, "bpf_tail_call: r2 is not a prog array");
                        stop = true;
                        break;
                    }
                    const u32 idx = static_cast<u32>(reg[3]);
                    u8 key[4] = {static_cast<u8>(idx), static_cast<u8>(idx >> 8), static_cast<u8>(idx >> 16), static_cast<u8>(idx >> 24)};
                    const u8* v = idx < m->shape.max_entries ? m->lookup(key) : nullptr;
                    const u32 prog = v ? static_cast<u32>(load_le(v, 4)) : 0;
                    if (prog == 0 || prog > programs_.size() || tail_calls_ >= tail_call_limit)
                        break; // the call fails: the program goes on after it
                    ++tail_calls_;
                    code = programs_[prog - 1].code;
                    info_ = programs_[prog - 1].info;
                    pc = ~u32{0};
                    break;
                }
                if (in.trace) step.reg = 0, step.before = reg[0];
                if (!call_helper(r, pc, x.imm, reg, tag)) {
                    stop = true;
                    break;
                }
                break;
            }
            if (o == op::jcond && !is32) { // may_goto: jumps once the loop budget is spent
                if (may_goto_ == 0) pc = static_cast<u32>(static_cast<s64>(pc) + x.off);
                else --may_goto_;
                break;
            }
            if (o == op::call || o == op::exit || o == op::jcond || o > op::jsle) {
                fail(r, fault::bad_instruction, pc, "unknown jump operation");
                stop = true;
                break;
            }
            const u64 b = (c & op::x) != 0 ? reg[s] : is32 ? static_cast<u32>(x.imm) : sext_imm(x.imm);
            if (sem::jump_taken(o, is32, reg[d], b)) pc = static_cast<u32>(static_cast<s64>(pc) + x.off);
            break;
        }
        case op::ldx: {
            if (in.trace) step.reg = d, step.before = reg[d];
            const u8 mode = c & 0xe0;
            const u32 size = (c & 0x18) == op::w ? 4 : (c & 0x18) == op::h ? 2 : (c & 0x18) == op::b ? 1 : 8;
            if ((mode != op::mem && mode != op::memsx) || d == 10 || (mode == op::memsx && size == 8)) {
                fail(r, fault::bad_instruction, pc, "unknown load");
                stop = true;
                break;
            }
            const u8* p = access(r, pc, tag[s], reg[s], x.off, size, false, "load");
            if (p == nullptr) {
                stop = true;
                break;
            }
            u64 v = load_le(p, size);
            u32 t = 0;
            const region& g = regions_[tag[s] - 1];
            if (g.kind == region_kind::ctx) {
                // the context fields the kernel rewrites into pointers and live values
                const u64 o = reg[s] - base_of(tag[s]) + static_cast<u64>(static_cast<s64>(x.off));
                const region& pkt = regions_[id_packet - 1];
                if (type_ == prog_type::xdp && size == 4) {
                    if (o == xdp::data) v = base_of(id_packet) + data_, t = id_packet;
                    else if (o == xdp::data_end) v = base_of(id_packet) + pkt.hi, t = id_packet;
                    else if (o == xdp::data_meta) v = base_of(id_packet) + meta_, t = id_packet;
                } else if (is_skb_type(type_)) {
                    const u32 field = static_cast<u32>(o) & ~3u;
                    if (size == 4 && o == skb::data) v = base_of(id_packet) + data_, t = id_packet;
                    else if (size == 4 && o == skb::data_end) v = base_of(id_packet) + pkt.hi, t = id_packet;
                    else if (size == 4 && o == skb::data_meta) v = base_of(id_packet) + meta_, t = id_packet;
                    else if (field == skb::len) v = load_le(live_len(pkt.hi - data_) + (o - field), size);
                    // a narrow load at least as wide as the kernel's field reads the whole field
                    // (the verifier shifts only loads narrower than it: pkt_type is 1 byte, protocol 2, ...)
                    if (size < 4 && t == 0 && size >= skb_field_size(field)) v = load_le(ctx_ + field, 4);
                }
            } else if (size == 8 && tag[s] <= max_frames) {
                const u64 o = reg[s] - base_of(tag[s]) + static_cast<u64>(static_cast<s64>(x.off));
                if ((o & 7) == 0) t = stack_tags_[(tag[s] - 1) * hdr_tags + static_cast<u32>(o >> 3)];
            }
            if (mode == op::memsx) v = sem::sext(v, static_cast<int>(size * 8));
            reg[d] = v;
            tag[d] = t;
            break;
        }
        case op::st:
        case op::stx: {
            const u8 mode = c & 0xe0;
            const u32 size = (c & 0x18) == op::w ? 4 : (c & 0x18) == op::h ? 2 : (c & 0x18) == op::b ? 1 : 8;
            if (mode == op::mem) {
                u8* p = access(r, pc, tag[d], reg[d], x.off, size, true, "store");
                if (p == nullptr) {
                    stop = true;
                    break;
                }
                const u64 v = cls == op::st ? sext_imm(x.imm) : reg[s];
                if (is_skb_type(type_) && tag[d] == id_ctx && size == 4) {
                    const u64 o = reg[d] - base_of(id_ctx) + static_cast<u64>(static_cast<s64>(x.off));
                    // queue_mapping: a value of NO_QUEUE_MAPPING (0xffff) or more is not stored (the
                    // kernel compares an immediate as signed, a register as unsigned 64 bits)
                    if (o == skb::queue_mapping && (cls == op::st ? x.imm >= 0xffff : v >= 0xffff)) break;
                    store_le(p, size, v);
                    if (skb_field_size(static_cast<u32>(o)) == 2) p[2] = p[3] = 0; // 16-bit members
                    break;
                }
                store_le(p, size, v);
                if (u32* st = slot_tag(tag[d], reg[d], x.off, size)) *st = cls == op::st ? 0 : tag[s];
                break;
            }
            if (mode != op::atomic || cls != op::stx || (x.imm != op::load_acq && x.imm != op::store_rel && size < 4)) {
                fail(r, fault::bad_instruction, pc, "unknown store");
                stop = true;
                break;
            }
            if (x.imm == op::load_acq) {
                if (in.trace) step.reg = d, step.before = reg[d];
                const u8* p = access(r, pc, tag[s], reg[s], x.off, size, false, "load-acquire");
                if (p == nullptr) {
                    stop = true;
                    break;
                }
                u32 t = 0;
                if (size == 8 && tag[s] <= max_frames) {
                    const u64 o = reg[s] - base_of(tag[s]) + static_cast<u64>(static_cast<s64>(x.off));
                    if ((o & 7) == 0) t = stack_tags_[(tag[s] - 1) * hdr_tags + static_cast<u32>(o >> 3)];
                }
                reg[d] = load_le(p, size), tag[d] = t;
                break;
            }
            u8* p = access(r, pc, tag[d], reg[d], x.off, size, true, x.imm == op::store_rel ? "store-release" : "atomic operation");
            if (p == nullptr) {
                stop = true;
                break;
            }
            if (x.imm == op::store_rel) {
                store_le(p, size, reg[s]);
                if (u32* st = slot_tag(tag[d], reg[d], x.off, size)) *st = tag[s];
                break;
            }
            const u64 mask = size == 8 ? ~u64{0} : 0xffffffffull;
            const u64 old = load_le(p, size);
            const std::int32_t aop = x.imm & ~op::fetch;
            u64 nv = old;
            u8 changed = 0xff;
            if (x.imm == op::cmpxchg) {
                if (old == (reg[0] & mask)) nv = reg[s] & mask;
                changed = 0;
                if (in.trace) step.reg = 0, step.before = reg[0];
                reg[0] = old, tag[0] = 0;
            } else if (x.imm == op::xchg) {
                nv = reg[s] & mask;
                changed = s;
            } else if (aop == op::add || aop == op::or_ || aop == op::and_ || aop == op::xor_) {
                nv = sem::alu(static_cast<u8>(aop), true, 0, old, reg[s]) & mask;
                if ((x.imm & op::fetch) != 0) changed = s;
            } else {
                fail(r, fault::bad_instruction, pc, "unknown atomic operation");
                stop = true;
                break;
            }
            store_le(p, size, nv);
            if (u32* st = slot_tag(tag[d], reg[d], x.off, size)) *st = 0;
            if (changed != 0xff && x.imm != op::cmpxchg) { // (the fetched value, also into r0)
                if (in.trace) step.reg = changed, step.before = reg[changed];
                reg[changed] = old, tag[changed] = 0;
            }
            break;
        }
        case op::ld: {
            const u8 mode = c & 0xe0;
            if (mode == op::imm && (c & 0x18) == op::dw) {
                if (pc + 1 >= code.size()) {
                    fail(r, fault::bad_instruction, pc, "lddw without its second half");
                    stop = true;
                    break;
                }
                const u64 lo = static_cast<u32>(x.imm), hi = static_cast<u32>(code[pc + 1].imm);
                if (d == 10) {
                    fail(r, fault::bad_instruction, pc, "r10 is read-only");
                    stop = true;
                    break;
                }
                if (in.trace) step.reg = d, step.before = reg[d];
                if (s == 0) {
                    reg[d] = (hi << 32) | lo, tag[d] = 0;
                } else if (s == op::pseudo_map_fd || s == op::pseudo_map_value || s == op::pseudo_map_idx ||
                           s == op::pseudo_map_idx_value) {
                    map_store* m = nullptr;
                    if (s == op::pseudo_map_fd || s == op::pseudo_map_value) {
                        m = map_by_fd(x.imm);
                    } else if (static_cast<u32>(x.imm) < info_.map_names.size()) {
                        m = map(info_.map_names[static_cast<u32>(x.imm)]);
                    } else if (info_.map_names.empty() && static_cast<u32>(x.imm) < map_count_) {
                        m = &maps_[x.imm]; // raw bytecode: fd_array index = the machine's map order
                    }
                    if (m == nullptr || m->shape.type == map_type::unspec) {
                        fail(r, fault::bad_map_reference, pc, "lddw refers to a map the machine does not have");
                        stop = true;
                        break;
                    }
                    const u32 mi = static_cast<u32>(m - maps_);
                    if (s == op::pseudo_map_fd || s == op::pseudo_map_idx) {
                        reg[d] = base_of(map_region_[mi]), tag[d] = map_region_[mi];
                    } else {
                        u8 key[4] = {};
                        u32 e = 0;
                        u8* v = m->lookup(key, &e);
                        if (v == nullptr || m->shape.type != map_type::array) {
                            fail(r, fault::bad_map_reference, pc, "a direct value address needs an array map");
                            stop = true;
                            break;
                        }
                        const u32 id = value_region(mi, e, v);
                        reg[d] = base_of(id) + hi, tag[d] = id;
                    }
                } else {
                    fail(r, fault::unsupported, pc, "lddw of BTF ids and functions is not modelled");
                    stop = true;
                    break;
                }
                ++pc;
                break;
            }
            if ((mode == op::abs || mode == op::ind) && (c & 0x18) != op::dw) { // legacy packet loads
                const u32 size = (c & 0x18) == op::w ? 4 : (c & 0x18) == op::h ? 2 : 1;
                if (!is_skb_type(type_)) {
                    fail(r, fault::bad_input, pc, "LD_ABS/LD_IND need a socket buffer program type");
                    stop = true;
                    break;
                }
                s64 off = x.imm;
                if (mode == op::ind) off = static_cast<std::int32_t>(static_cast<u32>(reg[s]) + static_cast<u32>(x.imm));
                const region& pkt = regions_[id_packet - 1];
                s64 at = static_cast<s64>(data_) + off;
                if (off < 0) { // SKF_NET_OFF / SKF_LL_OFF
                    if (off >= -0x100000 && off < -0x100000 + 0x10000000) at = static_cast<s64>(is_l2_type(type_) ? mac_ + eth_hlen : data_) + (off + 0x100000);
                    else if (off >= -0x200000 && off < -0x100000) at = static_cast<s64>(mac_) + (off + 0x200000);
                    else at = -1;
                }
                if (at < static_cast<s64>(mac_) || at + size > static_cast<s64>(pkt.hi)) {
                    reg[0] = 0, tag[0] = 0; // out of the packet: the program ends, returning 0
                    stop = true;
                    break;
                }
                if (in.trace) step.reg = 0, step.before = reg[0];
                reg[0] = load_be(packet_ + at, size), tag[0] = 0;
                break;
            }
            fail(r, fault::bad_instruction, pc, "unknown LD instruction");
            stop = true;
            break;
        }
        // (ALU last: the handlers run almost all of it; in constant evaluation the cases before the
        // one taken cost steps)
        case op::alu:
        case op::alu64: {
            if (in.trace) step.reg = d, step.before = reg[d];
            const bool is64 = cls == op::alu64;
            const u8 o = c & 0xf0;
            if (d == 10) {
                fail(r, fault::bad_instruction, pc, "r10 is read-only");
                stop = true;
                break;
            }
            if (o == op::end) {
                const bool be = is64 || (c & op::x) != 0;
                if (x.imm != 16 && x.imm != 32 && x.imm != 64) {
                    fail(r, fault::bad_instruction, pc, "byte swap width other than 16, 32, 64");
                    stop = true;
                    break;
                }
                reg[d] = sem::alu(o, is64, 0, reg[d], static_cast<u64>(x.imm), be);
                tag[d] = 0;
                break;
            }
            if (o > op::arsh) {
                fail(r, fault::bad_instruction, pc, "unknown ALU operation");
                stop = true;
                break;
            }
            const bool isx = (c & op::x) != 0;
            const u64 src = isx ? reg[s] : is64 ? sext_imm(x.imm) : static_cast<u32>(x.imm);
            u32 t = 0;
            if (is64) {
                if (o == op::mov) t = isx && x.off == 0 ? tag[s] : 0;
                else if (o == op::add) t = tag[d] != 0 ? (isx && tag[s] != 0 ? 0 : tag[d]) : isx ? tag[s] : 0;
                else if (o == op::sub) t = isx && tag[s] != 0 ? 0 : tag[d];
                if (o == op::mov && isx && x.off == 1) {
                    fail(r, fault::unsupported, pc, "addr_space_cast (arenas are not modelled)");
                    stop = true;
                    break;
                }
            }
            reg[d] = sem::alu(o, is64, x.off, reg[d], src);
            tag[d] = t;
            break;
        }
        default: break;
        }
        if (in.trace) {
            if (step.reg != 0xff) {
                step.after = reg[step.reg];
                if (const u32 t = tag[step.reg]; t != 0) {
                    const region_kind k = regions_[t - 1].kind;
                    step.points_to = k;
                    step.offset = static_cast<s64>(step.after - base_of(t)) -
                                  static_cast<s64>(k == region_kind::packet ? data_ : k == region_kind::stack ? stack_size : 0);
                }
            }
            r.trace.push_back(step);
        }
        if (stop) break;
        ++pc;
    }
    r.executed = executed;
    r.retval = reg[0];
    r.retval_points_to = tag[0] != 0 && tag[0] <= regions_.size() ? regions_[tag[0] - 1].kind : region_kind::none;
    if (r.ok()) finish(in, r);
    return r;
}

// A fresh machine with these maps, one run.
constexpr result run(std::span<const insn> code, const input& in, std::span<const named_map_shape> maps = {},
                     program_info info = {}) {
    machine m(maps);
    return m.run(code, in, info);
}

} // namespace ctbpf::vm
