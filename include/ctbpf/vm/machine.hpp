// The interpreter: runs a program with Linux 6.18's semantics on a context, a packet and maps, in a
// constant expression or at run time (the same code). A machine holds the maps, the programs a prog
// array may tail-call, the helpers users register and the environment (clock, ids, random seed);
// run() executes one program and returns r0, the output packet and context, the text printed, the
// instructions executed, or a fault naming its kind and the instruction.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "ctbpf/ctx_fields.hpp"
#include "ctbpf/helper_table.hpp"
#include "ctbpf/insn.hpp"
#include "ctbpf/map_decl.hpp"
#include "ctbpf/program.hpp"
#include "ctbpf/semantics.hpp"
#include "ctbpf/verify/options.hpp"
#include "ctbpf/vm/maps.hpp"
#include "ctbpf/vm/memory.hpp"

namespace ctbpf::vm {

enum class fault : u8 {
    none,
    out_of_bounds,       // a load, store or helper argument outside its region
    not_a_pointer,       // memory accessed through a scalar (or a released pointer)
    read_only,           // a store into read-only memory
    bad_instruction,     // an opcode or field the kernel does not accept
    jump_out_of_range,   // control left the program
    unknown_helper,      // a helper the interpreter does not implement and no one registered
    bad_helper_argument, // e.g. a map argument that is not a map
    call_depth,          // more than 8 nested calls
    instruction_limit,   // input::insn_limit instructions executed
    bad_map_reference,   // lddw names a map the machine does not have
    unsupported,         // kfuncs, BTF ids, arenas, indirect jumps
    bad_input,           // the input does not fit the program type (see message)
};

constexpr std::string_view to_string(fault f) {
    constexpr std::string_view names[] = {"none", "out-of-bounds access", "access through a non-pointer",
                                          "write to read-only memory", "bad instruction", "jump out of range",
                                          "unknown helper", "bad helper argument", "call depth exceeded",
                                          "instruction limit reached", "bad map reference", "unsupported",
                                          "bad input"};
    return names[static_cast<u8>(f)];
}

// One executed instruction (input::trace): the register it changed (0xff: none) before and after;
// a pointer's region and offset (the packet: from data; the stack: from the frame pointer).
struct trace_step {
    u32 index = 0;
    u8 reg = 0xff;
    u64 before = 0, after = 0;
    region_kind points_to = region_kind::none;
    s64 offset = 0;
};

// Where the instructions came from (assemble's slot_info; nothing for raw bytecode) and map names.
struct program_info {
    std::span<const slot_info> slots{};            // by instruction index
    std::span<const std::string_view> map_names{}; // map index (lddw src 5/6) -> name
};

// What one run gets.
struct input {
    prog_type type = prog_type::unspecified;
    std::span<const u8> packet{}; // data_in (network types: an Ethernet frame)
    std::span<const u8> ctx{};    // ctx_in: xdp_md, __sk_buff, raw tracepoint arguments, ...
    std::span<const u64> args{};  // r2, r3, ... at entry (the kernel passes only r1; ISA test suites pass more)
    u64 insn_limit = 1'000'000;
    bool trace = false;
};

// What the machine supplies to helpers that read the world.
struct environment {
    u64 ktime_ns = 1'000'000'000;   // bpf_ktime_get_ns (advances by clock_step per call)
    u64 boot_ns = 1'000'000'000;    // bpf_ktime_get_boot_ns
    u64 clock_step = 0;
    u64 prandom_state = 0x2545f4914f6cdd1dull; // bpf_get_prandom_u32 (xorshift64*)
    u32 cpu = 0;
    u64 pid_tgid = 0, uid_gid = 0;
    char comm[16] = {};
    u64 kernel_address = 0;          // bpf_probe_read_kernel reads kernel_memory at this address
    std::span<const u8> kernel_memory{};
};

// What one run returns.
struct result {
    vm::fault fault = vm::fault::none; // why the run stopped early (none: it reached exit)
    u32 index = 0;                   // the faulting instruction
    std::uint32_t line = 0;          // its source line (0: unknown)
    std::string_view label{};        // the label at or before it
    text message{};                  // the fault explained
    u64 retval = 0;                  // r0 at exit
    region_kind retval_points_to = region_kind::none; // r0's region if a pointer (none: a scalar, whatever its value)
    bytes packet{};                  // data_out, as BPF_PROG_TEST_RUN returns it
    bytes ctx{};                     // ctx_out
    u64 executed = 0;                // instructions executed
    text printed{};                  // bpf_trace_printk output
    bool redirected = false;         // bpf_redirect / bpf_redirect_map called
    u64 redirect_target = 0, redirect_flags = 0;
    list<trace_step> trace{};
    constexpr bool ok() const { return fault == vm::fault::none; }
};

class machine;

// A helper call as registered helpers see it: the arguments (r1-r5) and their memory.
struct helper_call {
    machine* m = nullptr;
    u64 arg[5] = {};
    u32 tag[5] = {};
    // The `size` bytes argument i points to (nullptr when it does not; the call then faults).
    constexpr u8* memory(int i, u32 size, bool write = false);
};
using helper_fn = u64 (*)(helper_call&);

namespace detail {
inline constexpr u32 max_frames = 8, stack_size = 512, tail_call_limit = 33;
inline constexpr u32 id_ctx = max_frames + 1, id_packet = max_frames + 2, id_kernel = max_frames + 3,
                     first_dynamic = max_frames + 4;
// uapi struct __sk_buff / xdp_md offsets used by the interpreter.
namespace skb { // (offsets from ctbpf/ctx_fields.hpp, the uapi table)
namespace f = ctbpf::ctx::sk_buff;
inline constexpr u32 len = f::len.off, pkt_type = f::pkt_type.off, mark = f::mark.off, queue_mapping = f::queue_mapping.off,
                     protocol = f::protocol.off, vlan_tci = f::vlan_tci.off, vlan_proto = f::vlan_proto.off,
                     priority = f::priority.off, ingress_ifindex = f::ingress_ifindex.off, ifindex = f::ifindex.off,
                     tc_index = f::tc_index.off, cb = f::cb.off, tc_classid = f::tc_classid.off, data = f::data.off,
                     data_end = f::data_end.off, family = f::family.off, remote_port = f::remote_port.off,
                     data_meta = f::data_meta.off, tstamp = f::tstamp.off, wire_len = f::wire_len.off,
                     gso_segs = f::gso_segs.off, gso_size = f::gso_size.off, hwtstamp = f::hwtstamp.off,
                     size = f::hwtstamp.off + 8;
}
namespace xdp {
namespace f = ctbpf::ctx::xdp_md;
inline constexpr u32 data = f::data.off, data_end = f::data_end.off, data_meta = f::data_meta.off,
                     ingress_ifindex = f::ingress_ifindex.off, rx_queue_index = f::rx_queue_index.off,
                     egress_ifindex = f::egress_ifindex.off, size = f::egress_ifindex.off + 4;
// BPF_PROG_TEST_RUN's frame: a page, XDP_PACKET_HEADROOM before the data, skb_shared_info after.
inline constexpr u32 frame = 4096, headroom = 256, tailroom = 320, frame_struct = 40;
}
inline constexpr u32 skb_headroom = 64, eth_hlen = 14;
// the longest skb test input: a page less NET_SKB_PAD and skb_shared_info (x86-64)
inline constexpr u32 skb_max_data = 4096 - 64 - 320;
constexpr bool is_skb_type(prog_type t) {
    return t == prog_type::socket_filter || t == prog_type::sched_cls || t == prog_type::sched_act ||
           t == prog_type::cgroup_skb || t == prog_type::lwt_in || t == prog_type::lwt_out ||
           t == prog_type::lwt_xmit;
}
constexpr bool is_l2_type(prog_type t) { return t == prog_type::sched_cls || t == prog_type::sched_act; }
} // namespace detail

class machine {
public:
    environment env{};

    constexpr machine() { init_regions(); }
    constexpr explicit machine(std::span<const named_map_shape> maps) : machine() { add_maps(maps); }
    constexpr machine(std::initializer_list<named_map_shape> maps) : machine() {
        add_maps(std::span<const named_map_shape>(maps.begin(), maps.size()));
    }
    machine(const machine&) = delete;
    machine& operator=(const machine&) = delete;
    constexpr ~machine() {
        delete[] maps_;
        delete[] stack_;
        delete[] ctx_;
        delete[] packet_;
        for (region& r : regions_)
            if (r.kind == region_kind::ringbuf_record) delete[] r.p;
    }

    // The maps, by name or index; nullptr when absent.
    constexpr map_store* map(std::string_view name) {
        for (u32 i = 0; i < map_count_; ++i)
            if (maps_[i].name == name) return &maps_[i];
        return nullptr;
    }
    constexpr map_store* map_by_fd(std::int32_t fd) {
        for (u32 i = 0; i < map_count_; ++i)
            if (maps_[i].shape.fd == fd && fd >= 0) return &maps_[i];
        return nullptr;
    }
    constexpr u32 map_count() const { return map_count_; }

    // A program that prog arrays may tail-call; its number (1, 2, ...) is the value to store in
    // the prog array (0: empty slot).
    constexpr u32 add_program(std::span<const insn> code, program_info info = {}) {
        programs_.push_back({code, info});
        return programs_.size();
    }
    // A helper of the caller's (constexpr-capable when the machine runs in constant evaluation);
    // it replaces the interpreter's own for that id.
    constexpr void add_helper(std::int32_t id, helper_fn f) { helpers_.push_back({id, f}); }

    constexpr result run(std::span<const insn> code, const input& in, program_info info = {});

    // (helper_call::memory)
    constexpr u8* memory_at(u32 tag, u64 addr, u32 size, bool write) {
        if (tag == 0 || tag > regions_.size()) return nullptr;
        const region& g = regions_[tag - 1];
        const u64 off = addr - base_of(tag);
        if (!g.alive || off < g.lo || off > g.hi || size > g.hi - off || (write && !g.writable)) return nullptr;
        return g.p + off;
    }

private:
    struct program_entry {
        std::span<const insn> code;
        program_info info;
    };
    struct user_helper {
        std::int32_t id;
        helper_fn fn;
    };
    struct frame {
        u32 return_pc = 0;
        std::span<const insn> code{};
        program_info info{};
        u64 saved[4] = {};
        u32 saved_tag[4] = {};
    };

    constexpr void init_regions() {
        stack_ = new u8[detail::max_frames * detail::stack_size]{};
        for (u32 i = 0; i < detail::max_frames; ++i)
            regions_.push_back({stack_ + i * detail::stack_size, 0, detail::stack_size, region_kind::stack, true, true, i, 0});
        regions_.push_back({nullptr, 0, 0, region_kind::ctx, true, true, 0, 0});
        regions_.push_back({nullptr, 0, 0, region_kind::packet, true, true, 0, 0});
        regions_.push_back({nullptr, 0, 0, region_kind::kernel, false, true, 0, 0});
        stack_tags_.resize(detail::max_frames * detail::stack_size / 8);
    }
    constexpr void add_maps(std::span<const named_map_shape> maps) {
        map_count_ = static_cast<u32>(maps.size());
        maps_ = new map_store[map_count_ == 0 ? 1 : map_count_];
        for (u32 i = 0; i < map_count_; ++i) {
            maps_[i].init(maps[i].name, maps[i].shape);
            regions_.push_back({nullptr, 0, 0, region_kind::map, false, true, i, 0});
            map_region_.push_back(regions_.size());
        }
    }
    constexpr u32 new_region(const region& g) {
        regions_.push_back(g);
        return regions_.size();
    }
    // The region id of map m's element e (created on first use).
    constexpr u32 value_region(u32 m, u32 e, u8* p) {
        u32& id = maps_[m].region_of(e);
        const bool rdonly = (maps_[m].shape.flags & map_rdonly_prog) != 0;
        if (id == 0) id = new_region({p, 0, maps_[m].shape.value_size, region_kind::map_value, !rdonly, true, m, e});
        else regions_[id - 1].p = p;
        return id;
    }

    // The fault's record; returns false so that callers can `return fail(...)`.
    constexpr bool fail(result& r, fault f, u32 pc, std::string_view what) {
        r.fault = f;
        r.index = pc;
        if (pc < info_.slots.size()) {
            const slot_info where = locate(info_.slots, pc);
            r.line = where.line, r.label = where.label;
        }
        r.message.add(what);
        return false;
    }
    static constexpr void add_number(text& t, u64 v, bool hex = false) {
        char b[24];
        int n = 0;
        do b[n++] = "0123456789abcdef"[v % (hex ? 16 : 10)], v /= hex ? 16 : 10;
        while (v != 0);
        if (hex) t.add("0x");
        while (n > 0) t.push_back(b[--n]);
    }
    static constexpr void add_signed(text& t, s64 v) {
        if (v < 0) t.push_back('-'), add_number(t, u64{0} - static_cast<u64>(v));
        else add_number(t, static_cast<u64>(v));
    }
    // An access of `size` bytes at reg + off: its bytes, or nullptr with the fault recorded.
    constexpr u8* access(result& r, u32 pc, u32 tag, u64 addr, s64 off, u32 size, bool write, std::string_view what) {
        if (tag == 0 || tag > regions_.size() || !regions_[tag - 1].alive) {
            fail(r, fault::not_a_pointer, pc, what);
            r.message.add(tag == 0 ? " through a scalar (" : " through a released pointer (");
            add_number(r.message, addr + static_cast<u64>(off), true);
            r.message.add(")");
            return nullptr;
        }
        const region& g = regions_[tag - 1];
        const s64 o = static_cast<s64>(addr - base_of(tag)) + off;
        if (o < static_cast<s64>(g.lo) || o > static_cast<s64>(g.hi) || size > g.hi - static_cast<u64>(o)) {
            fail(r, fault::out_of_bounds, pc, what);
            r.message.add(" of ");
            add_number(r.message, size);
            r.message.add(size == 1 ? " byte at " : " bytes at ");
            r.message.add(to_string(g.kind));
            r.message.add(o < 0 ? "" : "+");
            if (g.kind == region_kind::stack) add_signed(r.message, o - static_cast<s64>(detail::stack_size));
            else add_signed(r.message, o - static_cast<s64>(g.kind == region_kind::packet ? data_ : g.lo));
            r.message.add(" (");
            r.message.add(to_string(g.kind));
            if (g.kind == region_kind::stack) r.message.add(": fp-512 .. fp)");
            else if (g.kind == region_kind::packet) {
                r.message.add(" is ");
                add_number(r.message, g.hi - data_);
                r.message.add(" bytes)");
            } else {
                r.message.add(" is ");
                add_number(r.message, g.hi - g.lo);
                r.message.add(" bytes)");
            }
            return nullptr;
        }
        if (write && !g.writable) {
            fail(r, fault::read_only, pc, what);
            r.message.add(" into read-only ");
            r.message.add(to_string(g.kind));
            return nullptr;
        }
        return g.p + o;
    }
    // Stack slot tags: what an 8-byte aligned spill of a pointer keeps.
    constexpr u32* slot_tag(u32 tag, u64 addr, s64 off, u32 size) {
        if (tag == 0 || tag > detail::max_frames) return nullptr;
        const u64 o = addr - base_of(tag) + static_cast<u64>(off);
        if (size != 8 || (o & 7) != 0) {
            stack_tags_[(tag - 1) * (detail::stack_size / 8) + static_cast<u32>(o >> 3)] = 0;
            if (((o + size - 1) >> 3) != (o >> 3))
                stack_tags_[(tag - 1) * (detail::stack_size / 8) + static_cast<u32>((o + size - 1) >> 3)] = 0;
            return nullptr;
        }
        return &stack_tags_[(tag - 1) * (detail::stack_size / 8) + static_cast<u32>(o >> 3)];
    }

    constexpr void reserve_packet(u32 size) {
        if (size <= packet_cap_) return;
        delete[] packet_;
        packet_ = new u8[size];
        packet_cap_ = size;
    }
    // __sk_buff.len as the program sees it now (in ctx_, returned)
    constexpr const u8* live_len(u32 len) {
        store_le(ctx_ + detail::skb::len, 4, len);
        return ctx_ + detail::skb::len;
    }
    constexpr bool setup(const input& in, result& r);
    constexpr void run_fast(std::span<const insn> code, u32& pc, u64& executed, u64 limit, u64* reg, u32* tag);
    constexpr void finish(const input& in, result& r);
    constexpr bool call_helper(result& r, u32 pc, std::int32_t id, u64* reg, u32* tag);
    constexpr bool helper_memory(result& r, u32 pc, std::string_view helper, int arg, u32 tag, u64 addr, u32 size,
                                 bool write, u8*& p) {
        if (size == 0) return p = nullptr, true;
        text what{};
        what.add(helper);
        what.add(" argument ");
        add_number(what, static_cast<u64>(arg));
        p = access(r, pc, tag, addr, 0, size, write, what.view());
        return p != nullptr;
    }
    constexpr map_store* map_arg(result& r, u32 pc, u32 tag, u32& index) {
        if (tag == 0 || tag > regions_.size() || regions_[tag - 1].kind != region_kind::map) {
            fail(r, fault::bad_helper_argument, pc, "the map argument (r1) is not a map");
            return nullptr;
        }
        index = regions_[tag - 1].owner;
        return &maps_[index];
    }
    constexpr bool printk(result& r, u32 pc, const u8* fmt, u32 fmt_size, const u64* args, const u32* tags, u64& out);
    constexpr u8* packet_bytes(result& r, u32 pc, s64 off, u32 len, std::string_view helper);

    map_store* maps_ = nullptr;
    u32 map_count_ = 0;
    list<u32> map_region_{};
    list<region> regions_{};
    u8* stack_ = nullptr;
    list<u32> stack_tags_{};
    u8* ctx_ = nullptr;
    u32 ctx_size_ = 0, ctx_cap_ = 0;
    u8* packet_ = nullptr;
    u32 packet_cap_ = 0;
    u32 meta_ = 0, data_ = 0, mac_ = 0; // packet offsets: data_meta, data, Ethernet header
    list<program_entry> programs_{};
    list<user_helper> helpers_{};
    program_info info_{};
    prog_type type_ = prog_type::unspecified;
    u32 tail_calls_ = 0;
    u32 records_reserved_ = 0; // ring buffer records reserved in this run
    u64 may_goto_ = 0;
};

constexpr u8* helper_call::memory(int i, u32 size, bool write) { return m->memory_at(tag[i], arg[i], size, write); }

} // namespace ctbpf::vm
