// The register value model (ctbpf/verify/value.hpp) against the live kernel: seeded random XDP
// programs that look up a real array map (key 4, value 48 bytes), then do pointer arithmetic on
// map value, packet, stack and context pointers with constants and with bounded and unbounded
// scalars (loaded from the map value, masked, shifted, compared), compare packet pointers with
// pkt_end, test pointers against 0, do forbidden pointer ALU, and load and store through the
// pointers. They are loaded as root with log_level 2 and the log is replayed: before every
// instruction the model holds the register state (the kernel's printed registers override it),
// applies value.hpp's transfer functions, and what the kernel prints afterwards (the touched
// registers, both sides of undecided branches, "from X to Y" states) must be exactly what the
// model prints (ids that are fresh on both sides count as equal). The verdict and the rejection
// message must match too, except where the rejection comes from a check the module leaves to the
// kernel (context field access, stack contents), counted apart. CTBPF_REGVALUE_DIFF_N programs
// (default 20,000), CTBPF_REGVALUE_DIFF_SEED, CTBPF_REGVALUE_DIFF_DUMP=<program number> prints its log.
#include <ctbpf/verify/value.hpp>
#include <doctest/doctest.h>

#include <linux/bpf.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace {

using namespace ctbpf::detail::vfy;

struct rng {
    std::uint64_t s;
    std::uint64_t next() {
        std::uint64_t z = (s += 0x9e3779b97f4a7c15ull);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
        return z ^ (z >> 31);
    }
    std::uint32_t below(std::uint32_t n) { return static_cast<std::uint32_t>(next() % n); }
};

bpf_insn mk(std::uint8_t code, int dst, int src, int off, std::int32_t imm) {
    bpf_insn i{};
    i.code = code;
    i.dst_reg = static_cast<std::uint8_t>(dst & 0xf);
    i.src_reg = static_cast<std::uint8_t>(src & 0xf);
    i.off = static_cast<std::int16_t>(off);
    i.imm = imm;
    return i;
}

constexpr std::string_view map_name = "ctbpf_rv";
constexpr std::uint32_t value_size = 48;
const map_desc the_map{map_name, 4, value_size};

struct loaded {
    int err = 0;
    std::string log;
};

loaded load(const std::vector<bpf_insn>& prog, std::vector<char>& buf) {
    static const char license[] = "GPL";
    union bpf_attr a;
    std::memset(&a, 0, sizeof a);
    a.prog_type = BPF_PROG_TYPE_XDP;
    a.insn_cnt = static_cast<std::uint32_t>(prog.size());
    a.insns = reinterpret_cast<std::uintptr_t>(prog.data());
    a.license = reinterpret_cast<std::uintptr_t>(license);
    a.log_level = 2;
    a.log_size = static_cast<std::uint32_t>(buf.size());
    a.log_buf = reinterpret_cast<std::uintptr_t>(buf.data());
    buf[0] = 0;
    long fd = ::syscall(SYS_bpf, BPF_PROG_LOAD, &a, sizeof a);
    for (int t = 0; fd < 0 && errno == EAGAIN && t < 5; ++t) fd = ::syscall(SYS_bpf, BPF_PROG_LOAD, &a, sizeof a);
    loaded r;
    if (fd >= 0) ::close(static_cast<int>(fd));
    else r.err = errno;
    r.log.assign(buf.data());
    return r;
}

// ---- program generation ----
// r9 ctx, r8 map value, r6 pkt, r7 pkt_end; r1-r3 scalars; r4, r5 pointer work registers.

std::int32_t ptr_imm(rng& g) {
    static const std::int32_t t[] = {0, 1, 2, 4, 8, 14, 16, 20, 40, 44, 47, 48, -1, -4, -8, -16, -48, -512, -513,
                                     0x7fff, 0xffff, 0x10000, (1 << 29) - 1, 1 << 29, -(1 << 29), 0x7fffffff, INT32_MIN};
    return g.below(4) == 0 ? static_cast<std::int32_t>(g.below(64)) - 32 : t[g.below(sizeof t / sizeof t[0])];
}
std::int32_t mask_imm(rng& g) {
    static const std::int32_t t[] = {1, 3, 7, 15, 31, 63, 255, 0xfff, 0xffff, 0x1ffff, -1, 0x7fffffff, 0x30, 0x3c, -8};
    return t[g.below(sizeof t / sizeof t[0])];
}
std::int16_t mem_off(rng& g) {
    static const std::int16_t t[] = {0, 0, 0, 1, 2, 4, 8, 14, 16, 40, 44, 46, 47, 48, -1, -2, -4, -8, -16, -512, -520};
    return t[g.below(sizeof t / sizeof t[0])];
}

std::vector<bpf_insn> generate(rng& g, int map_fd) {
    std::vector<bpf_insn> p = {
        mk(0xbf, 9, 1, 0, 0),            // r9 = r1
        mk(0x62, 10, 0, -4, 0),          // *(u32 *)(r10 - 4) = 0
        mk(0x18, 1, BPF_PSEUDO_MAP_FD, 0, map_fd), mk(0x00, 0, 0, 0, 0),
        mk(0xbf, 2, 10, 0, 0), mk(0x07, 2, 0, 0, -4),
        mk(0x85, 0, 0, 0, BPF_FUNC_map_lookup_elem),
        mk(0xbf, 8, 0, 0, 0),            // r8 = r0 (map_value_or_null, same id)
        mk(0x55, 0, 0, 2, 0),            // if r0 != 0 goto +2
        mk(0xb7, 0, 0, 0, 0), mk(0x95, 0, 0, 0, 0),
        mk(0x61, 6, 9, 0, 0),            // r6 = xdp->data
        mk(0x61, 7, 9, 4, 0),            // r7 = xdp->data_end
    };
    const std::uint8_t sizes[] = {0x18, 0x00, 0x08, 0x10}; // dw, w, h, b
    for (int r = 1; r <= 3; ++r) {
        p.push_back(mk(static_cast<std::uint8_t>(0x61 | sizes[g.below(4)]), r, 8, 8 * r, 0));
        if (g.below(2)) p.push_back(mk(0x57, r, 0, 0, mask_imm(g)));
    }
    p.push_back(mk(0xbf, 4, g.below(2) ? 6 : 8, 0, 0));
    p.push_back(mk(0xbf, 5, g.below(3) == 0 ? 10 : 6, 0, 0));
    const std::size_t body = 6 + g.below(14);
    const std::size_t end = p.size() + body;
    const auto scal = [&] { return static_cast<int>(1 + g.below(3)); };
    const auto work = [&] { return static_cast<int>(4 + g.below(2)); };
    const auto jump_off = [&] {
        const std::size_t room = end - p.size();
        return static_cast<int>(1 + g.below(static_cast<std::uint32_t>(room < 4 ? room : 4)));
    };
    static const std::uint8_t cmp[] = {0x20, 0x30, 0xa0, 0xb0}; // jgt, jge, jlt, jle
    while (p.size() < end) {
        const std::uint32_t k = g.below(100);
        if (k < 5) { // a fresh pointer
            static const int srcs[] = {6, 6, 8, 8, 10, 9, 7};
            p.push_back(mk(0xbf, work(), srcs[g.below(7)], 0, 0));
        } else if (k < 22) { // ptr += / -= scalar
            p.push_back(mk(g.below(5) == 0 ? 0x1f : 0x0f, work(), scal(), 0, 0));
        } else if (k < 30) { // ptr += / -= imm
            p.push_back(mk(g.below(4) == 0 ? 0x17 : 0x07, work(), 0, 0, ptr_imm(g)));
        } else if (k < 42) { // bound a scalar
            const int s = scal();
            switch (g.below(5)) {
            case 0: p.push_back(mk(0x57, s, 0, 0, mask_imm(g))); break;
            case 1: p.push_back(mk(0x77, s, 0, 0, static_cast<std::int32_t>(g.below(64)))); break;
            case 2: p.push_back(mk(0x07, s, 0, 0, ptr_imm(g))); break;
            case 3: p.push_back(mk(0x61 | sizes[g.below(4)], s, 8, 8 * static_cast<int>(g.below(6)), 0)); break;
            default: p.push_back(mk(0xc7, s, 0, 0, static_cast<std::int32_t>(g.below(64)))); break;
            }
        } else if (k < 50) { // a scalar branch
            static const std::uint8_t ops[] = {0x20, 0x30, 0xa0, 0xb0, 0x60, 0x70, 0xc0, 0xd0, 0x10, 0x50};
            p.push_back(mk(static_cast<std::uint8_t>(0x05 | ops[g.below(10)]), scal(), 0, jump_off(), ptr_imm(g)));
        } else if (k < 62) { // a packet guard: rW = pkt + K; if rW > pkt_end goto out (accesses below it)
            const int w = work();
            if (g.below(2)) p.push_back(mk(0xbf, w, 6, 0, 0));
            if (g.below(3)) p.push_back(mk(0x07, w, 0, 0, static_cast<std::int32_t>(g.below(64))));
            if (p.size() >= end) break;
            const auto out = static_cast<int>(end - p.size() - 1);
            if (g.below(2)) p.push_back(mk(0x2d, w, 7, out, 0));  // if w > pkt_end goto out
            else p.push_back(mk(0xbd, 7, w, out, 0));            // if pkt_end <= w goto out
        } else if (k < 68) { // packet pointer against pkt_end (either side)
            const std::uint8_t op = cmp[g.below(4)];
            if (g.below(3) == 0) p.push_back(mk(static_cast<std::uint8_t>(0x0d | op), 7, work(), jump_off(), 0));
            else p.push_back(mk(static_cast<std::uint8_t>(0x0d | op), work(), 7, jump_off(), 0));
        } else if (k < 71) { // pointer against 0
            p.push_back(mk(g.below(2) ? 0x15 : 0x55, work(), 0, jump_off(), 0));
        } else if (k < 92) { // memory access through a work register
            const std::uint8_t size = sizes[g.below(4)];
            switch (g.below(3)) {
            case 0: p.push_back(mk(static_cast<std::uint8_t>(0x61 | size), scal(), work(), mem_off(g), 0)); break;
            case 1: p.push_back(mk(static_cast<std::uint8_t>(0x63 | size), work(), scal(), mem_off(g), 0)); break;
            default: p.push_back(mk(static_cast<std::uint8_t>(0x62 | size), work(), 0, mem_off(g), 7)); break;
            }
        } else if (k < 96) { // scalar += pointer
            p.push_back(mk(0x0f, scal(), work(), 0, 0));
        } else { // what the kernel refuses (or turns into a scalar)
            switch (g.below(6)) {
            case 0: p.push_back(mk(0x27, work(), 0, 0, 2)); break;        // ptr *= 2
            case 1: p.push_back(mk(0x57, work(), 0, 0, 0xff)); break;     // ptr &= 255
            case 2: p.push_back(mk(0x04, work(), 0, 0, 1)); break;        // wptr += 1
            case 3: p.push_back(mk(0x1f, work(), 6, 0, 0)); break;        // ptr -= pkt
            case 4: p.push_back(mk(0x1f, scal(), work(), 0, 0)); break;   // scalar -= ptr
            default: p.push_back(mk(0x0f, work(), 7, 0, 0)); break;       // ptr += pkt_end
            }
        }
    }
    p.push_back(mk(0xb7, 0, 0, 0, 2));
    p.push_back(mk(0x95, 0, 0, 0, 0));
    return p;
}

// ---- log parsing ----

std::uint64_t parse_num(std::string_view s) {
    bool neg = false;
    if (!s.empty() && s[0] == '-') neg = true, s.remove_prefix(1);
    std::uint64_t v = 0;
    if (s.starts_with("0x")) {
        for (char c : s.substr(2)) v = v * 16 + static_cast<std::uint64_t>(c <= '9' ? c - '0' : c - 'a' + 10);
    } else {
        for (char c : s) {
            if (c < '0' || c > '9') break;
            v = v * 10 + static_cast<std::uint64_t>(c - '0');
        }
    }
    return neg ? 0 - v : v;
}

struct slot {
    bool known = false; // the model holds this register's value
    reg_value r;
};
using regs_t = std::array<slot, 11>;

// A register's text from the log ("P" stripped) -> value (nullopt: a type the test does not parse).
std::optional<reg_value> parse_value(std::string_view s) {
    reg_value r;
    if (!s.empty() && s[0] == 'P') r.precise = true, s.remove_prefix(1);
    if (s.empty()) return std::nullopt;
    if (s[0] == '-' || (s[0] >= '0' && s[0] <= '9')) {
        r.type = reg_type::scalar, r.v = scalar_value::constant(parse_num(s));
        return r;
    }
    if (s.starts_with("fp")) {
        r.type = reg_type::stack;
        s.remove_prefix(2);
        if (!s.empty() && s[0] == '[') {
            r.frameno = static_cast<std::uint8_t>(parse_num(s.substr(1)));
            s.remove_prefix(s.find(']') + 1);
        }
        if (!s.empty() && s[0] != '(') {
            r.off = static_cast<std::int32_t>(parse_num(s));
            return r;
        }
    }
    const std::size_t paren = s.find('(');
    if (paren == std::string_view::npos || s.back() != ')') return std::nullopt;
    const std::string_view name = s.substr(0, paren);
    static const std::pair<std::string_view, reg_type> names[] = {
        {"scalar", reg_type::scalar}, {"ctx", reg_type::ctx}, {"fp", reg_type::stack},
        {"map_ptr", reg_type::map_ptr}, {"map_value", reg_type::map_value}, {"map_value_or_null", reg_type::map_value_or_null},
        {"map_key", reg_type::map_key}, {"pkt", reg_type::pkt}, {"pkt_meta", reg_type::pkt_meta},
        {"pkt_end", reg_type::pkt_end}, {"mem", reg_type::mem}};
    bool found = false;
    for (const auto& [n, t] : names)
        if (n == name) r.type = t, found = true;
    if (!found) return std::nullopt;
    s = s.substr(paren + 1, s.size() - paren - 2);
    bool ranges = false;
    scalar_value v = scalar_value::unknown();
    u64 imm = 0;
    while (!s.empty()) {
        std::size_t e = 0;
        int depth = 0;
        while (e < s.size() && !(s[e] == ',' && depth == 0)) {
            depth += s[e] == '(' ? 1 : s[e] == ')' ? -1 : 0;
            ++e;
        }
        std::string_view f = s.substr(0, e);
        s.remove_prefix(e < s.size() ? e + 1 : e);
        if (f.starts_with("var_off=(")) {
            const std::size_t semi = f.find(';');
            v.var_off = {parse_num(f.substr(9, semi - 9)), parse_num(f.substr(semi + 2, f.size() - semi - 3))};
            ranges = true;
            continue;
        }
        const std::size_t last = f.rfind('=');
        if (last == std::string_view::npos) continue;
        const std::string_view val = f.substr(last + 1);
        const u64 x = parse_num(val);
        if (f.starts_with("id=")) {
            r.id = static_cast<std::uint32_t>(x);
            if (const std::size_t plus = val.find_first_of("+-", 1); plus != std::string_view::npos)
                r.id |= add_const_flag, r.off = static_cast<std::int32_t>(parse_num(val.substr(plus + (val[plus] == '+'))));
            continue;
        }
        if (f.starts_with("ref_obj_id=")) { r.ref_obj_id = static_cast<std::uint32_t>(x); continue; }
        if (f.starts_with("map=") || f.starts_with("ks=") || f.starts_with("vs=")) continue;
        if (f.starts_with("off=")) { r.off = static_cast<std::int32_t>(x); continue; }
        if (f.starts_with("r=") || f.starts_with("sz=")) { r.range = static_cast<std::int32_t>(x); continue; }
        if (f.starts_with("imm=")) { imm = x; continue; }
        std::string_view names2 = f.substr(0, last + 1);
        ranges = true;
        while (!names2.empty()) {
            const std::size_t eq = names2.find('=');
            const std::string_view n = names2.substr(0, eq);
            names2.remove_prefix(eq + 1);
            if (n == "smin") v.smin = static_cast<s64>(x);
            else if (n == "smax") v.smax = static_cast<s64>(x);
            else if (n == "umin") v.umin = x;
            else if (n == "umax") v.umax = x;
            else if (n == "smin32") v.s32_min = static_cast<s32>(static_cast<u32>(x));
            else if (n == "smax32") v.s32_max = static_cast<s32>(static_cast<u32>(x));
            else if (n == "umin32") v.u32_min = static_cast<u32>(x);
            else if (n == "umax32") v.u32_max = static_cast<u32>(x);
        }
    }
    if (r.type == reg_type::scalar) r.v = v;
    else r.v = ranges ? v : scalar_value::constant(imm);
    if (r.type != reg_type::scalar && ranges) { // (a pointer prints no 32-bit bounds it does not know)
    }
    return r;
}

// "R6=pkt(...) R7=5 fp-8=..." -> the registers printed (value or "unparsed").
struct printed {
    int reg;
    std::string text;
    std::optional<reg_value> value;
};
std::vector<printed> parse_regs(std::string_view s) {
    std::vector<printed> out;
    std::size_t i = 0;
    while (i < s.size()) {
        while (i < s.size() && s[i] == ' ') ++i;
        std::size_t e = i;
        int depth = 0;
        while (e < s.size() && !(s[e] == ' ' && depth == 0)) {
            depth += s[e] == '(' ? 1 : s[e] == ')' ? -1 : 0;
            ++e;
        }
        const std::string_view tok = s.substr(i, e - i);
        i = e;
        if (tok.size() < 3 || tok[0] != 'R' || tok[1] < '0' || tok[1] > '9') continue;
        std::size_t k = 1;
        int rn = 0;
        while (k < tok.size() && tok[k] >= '0' && tok[k] <= '9') rn = rn * 10 + (tok[k++] - '0');
        const std::size_t eq = tok.find('=');
        if (rn > 10 || eq == std::string_view::npos) continue;
        std::string_view v = tok.substr(eq + 1);
        if (!v.empty() && v[0] == 'P') v.remove_prefix(1);
        out.push_back({rn, std::string(v), parse_value(tok.substr(eq + 1))});
    }
    return out;
}

std::string text(const reg_value& r) { return std::string(print_reg_state(r, the_map).view()); }

struct stats {
    long programs = 0, accepted = 0, rejected = 0, insns = 0, compared = 0, equal = 0, differ = 0, skipped = 0,
         branches = 0, pkt_branches = 0, branch_diff = 0, verdict_same = 0, verdict_diff = 0, message_same = 0,
         message_diff = 0, kernel_only = 0, model_errors = 0, ptr_results = 0, accesses = 0;
    std::map<std::string, long> messages;     // the kernel's rejection messages (first words), counted
    std::map<std::string, long> kernel_only_messages;
    std::vector<std::string> examples;
};

void example(stats& st, const std::string& s) {
    if (st.examples.size() < 40) st.examples.push_back(s);
}

std::string describe(const std::vector<bpf_insn>& p, std::size_t at) {
    char b[96];
    const bpf_insn& x = p[at];
    std::snprintf(b, sizeof b, "insn %zu code=0x%02x dst=r%d src=r%d off=%d imm=%d", at, x.code, x.dst_reg, x.src_reg,
                  x.off, x.imm);
    return b;
}

struct pending {
    std::size_t from, to;
    regs_t state;
    bool maybe = false; // a branch the model could not follow
};

// The model's effect of one instruction on `cur` (the state before it).
struct step {
    regs_t next;                       // fall-through / sequential state
    std::optional<pending> taken;      // an undecided branch's other side
    long jump_to = -1;                 // a branch decided as taken
    std::optional<value_error> error;  // the model rejects here
    bool unmodelled = false;           // a check the module leaves to the kernel (a rejection is not a difference)
};

int size_bytes(std::uint8_t code) {
    switch (code & 0x18) {
    case 0x00: return 4;
    case 0x08: return 2;
    case 0x10: return 1;
    default: return 8;
    }
}

// check_mem_access() for the types the programs use, via value.hpp (plus its one-line default).
void mem_access(step& s, const slot& ptr, int regno, int off, int size, bool write) {
    const reg_value& r = ptr.r;
    value_error e = check_ptr_alignment(r, off, size);
    if (!e.ok()) {
        s.error = e;
        return;
    }
    const int o = off + r.off;
    switch (r.type) {
    case reg_type::map_value: e = check_map_access(r, regno, o, size, value_size); break;
    case reg_type::pkt: e = check_packet_access(r, regno, o, size); break;
    case reg_type::stack:
        e = check_stack_access_within_bounds(r, regno, o, size, write ? stack_access::write : stack_access::read, 0);
        s.unmodelled = true; // (what is read, variable-offset rules on stack contents)
        break;
    case reg_type::ctx:
        e = check_ptr_off_reg(r, regno);
        s.unmodelled = true; // (the context field itself: context.hpp)
        break;
    default: e = invalid_mem_access(r, regno); break;
    }
    if (!e.ok()) s.error = e;
}

step model_step(value_env& env, const regs_t& cur, const bpf_insn& x, std::size_t idx) {
    step s;
    s.next = cur;
    const std::uint8_t cls = x.code & 0x07, op = x.code & 0xf0;
    const bool xsrc = (x.code & 0x08) != 0;
    const slot& d = cur[x.dst_reg];
    const slot& sr = cur[x.src_reg];
    auto unknown_dst = [&](int reg) { s.next[static_cast<std::size_t>(reg)].known = false; };
    if (x.code == 0x18) { // ld_imm64 of the map
        s.next[x.dst_reg] = {true, reg_value::pointer(reg_type::map_ptr)};
        return s;
    }
    if (cls == 0x04 || cls == 0x07) {
        const bool is64 = cls == 0x07;
        if (op == sop::mov) {
            if (!xsrc) s.next[x.dst_reg] = {true, is64 ? imm_reg(x.imm) : reg_value::known(static_cast<u32>(x.imm))};
            else if (sr.known && is64 && x.off == 0 && sr.r.type != reg_type::scalar) s.next[x.dst_reg] = sr;
            else unknown_dst(x.dst_reg); // (scalar moves assign ids: not followed here)
            return s;
        }
        if (!d.known || (xsrc && !sr.known) || op == sop::neg || op == sop::end) {
            s.unmodelled = true;
            unknown_dst(x.dst_reg);
            return s;
        }
        const reg_value src = xsrc ? sr.r : imm_reg(x.imm);
        reg_value dv = d.r;
        if (dv.is_scalar() && src.is_scalar())
            if (const int w = fork_width(op, dv.v, src.v)) { // the kernel splits the state (maybe_fork_scalars)
                s.taken = pending{idx, idx, cur};
                s.taken->state[x.dst_reg].r.v = fork_value(w, dv.v, 0);
                dv.v = fork_value(w, dv.v, ~u64{0});
            }
        const alu_result r = adjust_reg_min_max_vals(env, x.dst_reg, op, is64, dv, src, xsrc, xsrc && x.src_reg == x.dst_reg);
        if (!r.error.ok()) s.error = r.error;
        s.next[x.dst_reg] = {r.dst.type != reg_type::kernel_only, r.dst};
        return s;
    }
    if (cls == 0x01 || cls == 0x03 || cls == 0x02) { // ldx / stx / st
        const bool load = cls == 0x01;
        const int preg = load ? x.src_reg : x.dst_reg;
        const slot& p = cur[static_cast<std::size_t>(preg)];
        if (!p.known) {
            s.unmodelled = true;
            if (load) unknown_dst(x.dst_reg);
            return s;
        }
        const int size = size_bytes(x.code);
        mem_access(s, p, preg, x.off, size, !load);
        if (load) {
            if (!s.error && (p.r.type == reg_type::map_value || p.r.type == reg_type::pkt))
                s.next[x.dst_reg] = {true, size == 8 ? reg_value::unknown() : reg_value::scalar(coerce(scalar_value::unknown(), static_cast<unsigned>(size)))};
            else unknown_dst(x.dst_reg);
        }
        return s;
    }
    if (cls == 0x05 && op == 0x80) { // call: r0 from the kernel, r1-r5 clobbered
        unknown_dst(0);
        for (std::size_t r = 1; r <= 5; ++r) s.next[r] = {true, reg_value::not_init()};
        return s;
    }
    if (cls == 0x05 && op != 0x00 && op != 0x90) {
        const std::size_t target = idx + 1 + static_cast<std::size_t>(static_cast<long>(x.off));
        if (!d.known || (xsrc && !sr.known)) {
            s.unmodelled = true;
            s.taken = pending{idx, target, cur, true};
            unknown_dst(x.dst_reg);
            if (xsrc) unknown_dst(x.src_reg);
            return s;
        }
        const reg_value a = d.r, b = xsrc ? sr.r : imm_reg(x.imm);
        const int pred = is_branch_taken(a, b, op, false);
        if (pred == 1) {
            s.jump_to = static_cast<long>(target);
            return s;
        }
        if (pred == 0) return s;
        regs_t t = cur;
        regs_t& f = s.next;
        if (a.type == reg_type::scalar && b.type == reg_type::scalar) {
            const branch_sides bs = reg_set_min_max(a, b, op, false);
            t[x.dst_reg].r = bs.true_a, f[x.dst_reg].r = bs.false_a;
            if (xsrc) t[x.src_reg].r = bs.true_b, f[x.src_reg].r = bs.false_b;
        } else if (!xsrc && x.imm == 0 && (op == sop::jeq || op == sop::jne) && type_may_be_null(a.type)) {
            for (slot& r : t) mark_ptr_or_null_reg(r.r, a.id, op == sop::jeq);
            for (slot& r : f) mark_ptr_or_null_reg(r.r, a.id, op == sop::jne);
        } else if (const pkt_match m = try_match_pkt_pointers(op, false, xsrc, a, b); m.matched) {
            const auto apply = [&](regs_t& st, const pkt_branch& pb) {
                const reg_value& who = pb.good == 0 || pb.end == 0 ? a : b;
                const int who_reg = pb.good == 0 || pb.end == 0 ? x.dst_reg : x.src_reg;
                if (pb.good >= 0) {
                    const int nr = find_good_pkt_pointers_range(who, pb.good_open);
                    for (slot& r : st) apply_pkt_range(r.r, who.type, who.id, nr);
                }
                if (pb.end >= 0) mark_pkt_end(st[static_cast<std::size_t>(who_reg)].r, pb.end_open);
            };
            apply(t, m.taken);
            apply(f, m.fall);
        }
        s.taken = pending{idx, target, t};
        return s;
    }
    return s; // exit
}

// Compare what the kernel printed for a register with the model's value.
void compare(stats& st, const std::string& what, const printed& k, const slot& model, std::uint32_t fresh_above) {
    if (!model.known || !k.value) {
        ++st.skipped;
        return;
    }
    reg_value m = model.r;
    // ids fresh in both (handed out at this instruction) are equal; scalar ids are not followed
    if (m.id > fresh_above && k.value->id > fresh_above) m.id = k.value->id;
    if (m.type == reg_type::scalar && k.value->type == reg_type::scalar) m.id = k.value->id, m.off = k.value->off;
    ++st.compared;
    const std::string mt = text(m);
    if (mt == k.text) {
        ++st.equal;
        return;
    }
    ++st.differ;
    example(st, what + ": R" + std::to_string(k.reg) + "\n    kernel: " + k.text + "\n    model:  " + mt);
}

void absorb(regs_t& cur, const std::vector<printed>& pr, std::uint32_t& max_id) {
    for (const printed& p : pr) {
        slot& s = cur[static_cast<std::size_t>(p.reg)];
        s.known = p.value.has_value();
        if (p.value) s.r = *p.value, max_id = std::max(max_id, p.value->id & ~add_const_flag);
    }
}

std::string first_words(std::string_view m) {
    std::string s(m.substr(0, 60));
    for (char& c : s)
        if (c >= '0' && c <= '9') c = '#';
    return s;
}

void replay(stats& st, const std::vector<bpf_insn>& p, const loaded& k) {
    const std::string_view log = k.log;
    regs_t cur{};
    for (slot& s : cur) s = {true, reg_value::not_init()};
    cur[1].r = reg_value::pointer(reg_type::ctx), cur[10].r = reg_value::frame_pointer(0);
    std::vector<pending> stack;
    long expect_next = -1;
    std::uint32_t max_id = 0, fresh_above = 0;
    value_env env;
    std::optional<value_error> model_error;
    bool last_unmodelled = false;
    std::string where;
    std::size_t pos = 0;
    while (pos < log.size()) {
        std::size_t e = log.find('\n', pos);
        if (e == std::string_view::npos) e = log.size();
        const std::string_view line = log.substr(pos, e - pos);
        pos = e + 1;
        if (line.starts_with("from ")) {
            std::size_t a = 0, b = 0;
            std::sscanf(std::string(line).c_str(), "from %zu to %zu", &a, &b);
            const auto pr = parse_regs(line.substr(line.find(':') + 1));
            expect_next = static_cast<long>(b);
            while (!stack.empty() && stack.back().maybe && (stack.back().from != a || stack.back().to != b)) stack.pop_back();
            if (stack.empty() || stack.back().from != a || stack.back().to != b) {
                ++st.branch_diff;
                example(st, "kernel explores a path the model does not expect: from " + std::to_string(a) + " to " + std::to_string(b));
                stack.clear();
                for (slot& s : cur) s.known = false;
                absorb(cur, pr, max_id);
                continue;
            }
            const pending pd = stack.back();
            stack.pop_back();
            cur = pd.state;
            if (!pd.maybe)
                for (const printed& q : pr) compare(st, "taken side of " + describe(p, pd.from), q, cur[static_cast<std::size_t>(q.reg)], fresh_above);
            absorb(cur, pr, max_id);
            continue;
        }
        if (line.empty() || line[0] < '0' || line[0] > '9') continue;
        std::size_t kk = 0, idx = 0;
        while (kk < line.size() && line[kk] >= '0' && line[kk] <= '9') idx = idx * 10 + static_cast<std::size_t>(line[kk++] - '0');
        if (!line.substr(kk).starts_with(": ")) continue;
        const std::string_view rest = line.substr(kk + 2);
        if (rest.starts_with("R")) { // registers printed apart from their instruction
            const auto pr = parse_regs(rest);
            for (const printed& q : pr) compare(st, "state at " + std::to_string(idx), q, cur[static_cast<std::size_t>(q.reg)], fresh_above);
            absorb(cur, pr, max_id);
            continue;
        }
        if (rest.starts_with("safe")) {
            expect_next = -1;
            continue;
        }
        if (!rest.starts_with("(") || idx >= p.size()) continue;
        if (model_error) {
            ++st.verdict_diff;
            example(st, "the model rejects " + where + " (" + std::string(model_error->text.last()) +
                            "), the kernel went on to insn " + std::to_string(idx));
            return;
        }
        if (expect_next >= 0 && static_cast<long>(idx) != expect_next) {
            ++st.branch_diff;
            example(st, "kernel went to insn " + std::to_string(idx) + ", the model expected " + std::to_string(expect_next));
        }
        ++st.insns;
        const bpf_insn& x = p[idx];
        fresh_above = max_id;
        env.id_gen = max_id;
        const step s = model_step(env, cur, x, idx);
        where = describe(p, idx);
        last_unmodelled = s.unmodelled;
        const std::uint8_t cls = x.code & 0x07;
        if ((cls == 0x01 || cls == 0x02 || cls == 0x03) && !s.unmodelled) ++st.accesses;
        if ((cls == 0x04 || cls == 0x07) && (cur[x.dst_reg].r.is_pointer() || ((x.code & 0x08) && cur[x.src_reg].r.is_pointer())))
            ++st.ptr_results;
        if (s.error) {
            model_error = s.error;
            ++st.model_errors;
        }
        if (idx + 1 < p.size() && x.code == 0x18) expect_next = static_cast<long>(idx) + 2;
        else expect_next = static_cast<long>(idx) + 1;
        if (s.jump_to >= 0) expect_next = s.jump_to;
        if (cls == 0x05 && (x.code & 0xf0) != 0x80 && (x.code & 0xf0) != 0x90 && (x.code & 0xf0) != 0x00) {
            ++st.branches;
            if (cur[x.dst_reg].r.type == reg_type::pkt_end || ((x.code & 0x08) && cur[x.src_reg].r.type == reg_type::pkt_end))
                ++st.pkt_branches;
        }
        if (s.taken) stack.push_back(*s.taken);
        cur = s.next;
        if (const std::size_t semi = rest.find(';'); semi != std::string_view::npos) {
            const auto pr = parse_regs(rest.substr(semi + 1));
            if (!model_error)
                for (const printed& q : pr) compare(st, where, q, cur[static_cast<std::size_t>(q.reg)], fresh_above);
            absorb(cur, pr, max_id);
        }
    }
    // the verdict
    const std::string kmsg = [&] {
        std::string best;
        std::size_t q = 0;
        while (q < log.size()) {
            std::size_t e = log.find('\n', q);
            if (e == std::string_view::npos) e = log.size();
            const std::string_view l = log.substr(q, e - q);
            q = e + 1;
            if (l.empty() || l.starts_with("processed ") || l.starts_with("verification time") || l.starts_with("stack depth") ||
                l.starts_with("mark_precise") || (l[0] >= '0' && l[0] <= '9'))
                continue;
            best.assign(l);
        }
        return best;
    }();
    if (k.err == 0) {
        if (model_error) {
            ++st.verdict_diff;
            example(st, "the model rejects " + where + " (" + std::string(model_error->text.last()) + "), the kernel accepts");
        } else {
            ++st.verdict_same;
        }
        return;
    }
    if (!model_error) {
        // (the model follows one path at a time: a load that met other pointer types on paths
        // explored before — save_aux_ptr_type — is the kernel's to find)
        if (last_unmodelled || kmsg == "same insn cannot be used with different pointers") {
            ++st.kernel_only;
            ++st.kernel_only_messages[first_words(kmsg)];
            return;
        }
        ++st.verdict_diff;
        example(st, "the kernel rejects " + where + " (" + kmsg + "), the model accepts");
        return;
    }
    ++st.verdict_same;
    ++st.messages[first_words(kmsg)];
    if (model_error->text.last() == kmsg) ++st.message_same;
    else {
        ++st.message_diff;
        example(st, "message at " + where + "\n    kernel: " + kmsg + "\n    model:  " + std::string(model_error->text.last()));
    }
}

} // namespace

TEST_CASE("register values (pointers, packets, map values, stack) agree with the live kernel's verifier log") {
    std::vector<char> buf(1 << 22);
    {
        const std::vector<bpf_insn> probe = {mk(0xb7, 0, 0, 0, 0), mk(0x95, 0, 0, 0, 0)};
        const loaded r = load(probe, buf);
        if (r.err == EPERM && ::geteuid() != 0) { // only a process without privilege skips; root fails
            std::printf("SKIP: verify_regvalue_kernel_test: BPF_PROG_LOAD fails with EPERM (not root / no CAP_BPF)\n");
            return;
        }
        REQUIRE_MESSAGE(r.err == 0, "BPF_PROG_LOAD of 'r0 = 0; exit' failed: ", std::strerror(r.err));
    }
    union bpf_attr a;
    std::memset(&a, 0, sizeof a);
    a.map_type = BPF_MAP_TYPE_ARRAY;
    a.key_size = 4;
    a.value_size = value_size;
    a.max_entries = 4;
    std::memcpy(a.map_name, map_name.data(), map_name.size());
    const long fd = ::syscall(SYS_bpf, BPF_MAP_CREATE, &a, sizeof a);
    REQUIRE_MESSAGE(fd >= 0, "BPF_MAP_CREATE failed: ", std::strerror(errno));
    std::uint64_t seed = static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count());
    if (const char* s = std::getenv("CTBPF_REGVALUE_DIFF_SEED")) seed = std::strtoull(s, nullptr, 0);
    long n = 20000;
    if (const char* s = std::getenv("CTBPF_REGVALUE_DIFF_N")) n = std::strtol(s, nullptr, 0);
    rng g{seed};
    stats st;
    const auto t0 = std::chrono::steady_clock::now();
    for (long i = 0; i < n; ++i) {
        const std::vector<bpf_insn> p = generate(g, static_cast<int>(fd));
        const loaded r = load(p, buf);
        ++st.programs;
        ++(r.err == 0 ? st.accepted : st.rejected);
        const std::size_t before = st.examples.size();
        replay(st, p, r);
        for (std::size_t j = before; j < st.examples.size(); ++j) st.examples[j] = "[program " + std::to_string(i) + "] " + st.examples[j];
        if (const char* d = std::getenv("CTBPF_REGVALUE_DIFF_DUMP"); d && std::strtol(d, nullptr, 0) == i)
            std::printf("---- program %ld log:\n%s----\n", i, r.log.c_str());
    }
    ::close(static_cast<int>(fd));
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::printf("verify_regvalue_kernel_test: seed=%#llx programs=%ld (kernel accepted %ld, rejected %ld) insns=%ld "
                "pointer ALU insns=%ld modelled accesses=%ld branches=%ld (vs pkt_end %ld) registers compared=%ld "
                "equal=%ld differing=%ld skipped=%ld path differences=%ld verdicts same=%ld differing=%ld "
                "(rejections by checks left to the kernel: %ld) messages same=%ld differing=%ld (%.1f s)\n",
                static_cast<unsigned long long>(seed), st.programs, st.accepted, st.rejected, st.insns, st.ptr_results,
                st.accesses, st.branches, st.pkt_branches, st.compared, st.equal, st.differ, st.skipped, st.branch_diff,
                st.verdict_same, st.verdict_diff, st.kernel_only, st.message_same, st.message_diff, secs);
    std::printf("  rejection messages (model and kernel agree):\n");
    for (const auto& [m, c] : st.messages) std::printf("    %6ld  %s\n", c, m.c_str());
    std::printf("  rejections by checks left to the kernel:\n");
    for (const auto& [m, c] : st.kernel_only_messages) std::printf("    %6ld  %s\n", c, m.c_str());
    for (const auto& ex : st.examples) std::printf("  %s\n", ex.c_str());
    CHECK(st.differ == 0);
    CHECK(st.branch_diff == 0);
    CHECK(st.verdict_diff == 0);
    CHECK(st.message_diff == 0);
    CHECK(st.compared > 0);
}
