// Disassembler: struct bpf_insn -> LLVM BPF assembly, usable in constant evaluation (disasm_one,
// fixed-size text) and at run time (disasm, disasm_program: std::string listings).
//
// Spelling is what `llvm-objdump-19 -d --no-print-imm-hex --mcpu=v4` prints, except that loads
// and stores keep `r` registers (as plain llvm-objdump-19 and the kernel print them), and every
// line assembles back to the same bytes with `llvm-mc-19 -triple bpfel -mcpu=v4`
// (tests/roundtrip_llvm.cpp): decimal immediates, relative jumps (`goto -3`), `w` registers for
// ALU32/JMP32 and 32-bit atomics, `r1 = -1 ll` for lddw, `ld_pseudo r1, 1, 5` (imm unsigned) for
// lddw with src_reg 1..6. Forms LLVM 19 cannot write:
//   load-acquire/store-release   `w0 = load_acquire((u8 *)(r1 + 0))`, `store_release((u64 *)(r1 + 0), r2)`
//                                (LLVM 20+ spelling)
//   call src_reg=1 / src_reg=2   `call pc+3` / `call kernel-function#3` (kernel verifier log)
//   ld_ind with imm != 0         `r0 = *(u16 *)skb[r1 + 12]` (kernel verifier log)
// `gotol` with an offset outside int16 is printed as llvm-objdump prints it, but llvm-mc 19 only
// parses int16 there (an LLVM 19 limitation).
//
// A nonzero field that the spelling does not show (a reserved field, or e.g. a kfunc's module
// index in off) is appended as ` <field=value, ...>`, e.g. `w1 += 5 <src_reg=2>`: nothing is
// hidden and such a line never reassembles silently to different bytes.
// disasm_options{.helper_names = true} prints helper calls as the kernel log does,
// `call bpf_map_lookup_elem#1` (unknown ids stay `call 1`); llvm-mc does not read that spelling.
// Errors (disasm_result::code, a ctbpf::errc): opcode byte not in the Linux 6.18 table (text
// "unknown opcode %02x"), lddw without a second slot, lddw second slot with nonzero code, registers
// or offset, index past the end.
#pragma once

#include "ctbpf/diagnostics.hpp"
#include "ctbpf/helper_table.hpp"
#include "ctbpf/insn.hpp"
#include "ctbpf/opcodes.hpp"

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace ctbpf {

// Fixed-capacity text of one instruction (constexpr-friendly; no allocation).
struct insn_text {
    static constexpr std::size_t capacity = 128;
    char buf[capacity]{};
    std::size_t len = 0;

    constexpr std::string_view view() const { return {buf, len}; }

    constexpr insn_text& append(std::string_view s) {
        for (char c : s)
            if (len < capacity) buf[len++] = c;
        return *this;
    }
    constexpr insn_text& append(char c) {
        if (len < capacity) buf[len++] = c;
        return *this;
    }
    constexpr insn_text& append_uint(std::uint64_t v) { return append(detail::digits_of(v).view()); }
    constexpr insn_text& append_int(std::int64_t v) { return append(detail::digits_of_int(v).view()); }
    constexpr insn_text& append_hex2(std::uint8_t v) { return append(detail::digits_of(v, 16, 2).view()); }
};

struct disasm_options {
    bool helper_names = false; // `call bpf_map_lookup_elem#1` (kernel log) instead of `call 1`
};

// One instruction's disassembly. An error has the rule (ctbpf::errc, as check() names the same
// defect: unknown_opcode, invalid_ld_imm64; index_out_of_range) and its message in `text`.
struct disasm_result {
    insn_text text;         // the instruction, or the error message when code != ok
    std::size_t slots = 1;  // slots consumed: 2 for lddw
    errc code = errc::ok;

    constexpr bool ok() const { return code == errc::ok; }
    constexpr explicit operator bool() const { return ok(); }
    constexpr std::string_view message() const { return ok() ? std::string_view{} : text.view(); }
};

namespace detail::dis {

// Which fields the spelling shows; the others are reported with markers when nonzero.
struct shown {
    bool dst = false, src = false, off = false, imm = false;
    bool imm_even_if_zero = false; // imm is not shown and zero is invalid too
};

constexpr void reg(insn_text& t, char kind, unsigned n) { t.append(kind).append_uint(n); }

constexpr void signed_rel(insn_text& t, std::int64_t v) {
    if (v >= 0) t.append('+');
    t.append_int(v);
}

// "r1 + 8" / "r1 - 8"
constexpr void address(insn_text& t, unsigned base, std::int16_t off) {
    reg(t, 'r', base);
    if (off < 0)
        t.append(" - ").append_uint(static_cast<std::uint64_t>(-static_cast<std::int64_t>(off)));
    else
        t.append(" + ").append_uint(static_cast<std::uint64_t>(off));
}

constexpr std::string_view size_name(std::uint8_t code) {
    switch (op::size(code)) {
    case op::w: return "u32";
    case op::h: return "u16";
    case op::b: return "u8";
    default: return "u64";
    }
}

constexpr std::string_view sx_size_name(std::uint8_t code) {
    switch (op::size(code)) {
    case op::w: return "s32";
    case op::h: return "s16";
    case op::b: return "s8";
    default: return "s64";
    }
}

constexpr std::string_view alu_op_text(std::uint8_t opc) {
    switch (opc) {
    case op::add: return "+=";
    case op::sub: return "-=";
    case op::mul: return "*=";
    case op::div: return "/=";
    case op::or_: return "|=";
    case op::and_: return "&=";
    case op::lsh: return "<<=";
    case op::rsh: return ">>=";
    case op::mod: return "%=";
    case op::xor_: return "^=";
    case op::mov: return "=";
    case op::arsh: return "s>>=";
    default: return "?=";
    }
}

constexpr std::string_view jmp_op_text(std::uint8_t opc) {
    switch (opc) {
    case op::jeq: return "==";
    case op::jgt: return ">";
    case op::jge: return ">=";
    case op::jset: return "&";
    case op::jne: return "!=";
    case op::jsgt: return "s>";
    case op::jsge: return "s>=";
    case op::jlt: return "<";
    case op::jle: return "<=";
    case op::jslt: return "s<";
    case op::jsle: return "s<=";
    default: return "?";
    }
}

constexpr shown alu(insn_text& t, const insn& i) {
    const bool is64 = op::cls(i.code) == op::alu64;
    const char r = is64 ? 'r' : 'w';
    const std::uint8_t opc = op::alu_op(i.code);
    const bool x = op::src_bit(i.code) == op::x;
    if (opc == op::end) { // r1 = le16 r1 / r1 = be32 r1 / r1 = bswap64 r1
        const bool width_ok = i.imm == 16 || i.imm == 32 || i.imm == 64;
        reg(t, 'r', i.dst_reg);
        t.append(" = ").append(is64 ? "bswap" : x ? "be" : "le");
        if (width_ok) t.append_int(i.imm);
        t.append(' ');
        reg(t, 'r', i.dst_reg);
        return {.dst = true, .imm = width_ok, .imm_even_if_zero = !width_ok};
    }
    if (opc == op::neg) { // w1 = -w1
        reg(t, r, i.dst_reg);
        t.append(" = -");
        reg(t, r, i.dst_reg);
        return {.dst = true};
    }
    if (is64 && opc == op::mov && x && i.off == op::addr_space_cast) { // r1 = addr_space_cast(r2, 0, 1)
        const auto imm = static_cast<std::uint32_t>(i.imm);
        reg(t, 'r', i.dst_reg);
        t.append(" = addr_space_cast(");
        reg(t, 'r', i.src_reg);
        t.append(", ").append_uint(imm >> 16).append(", ").append_uint(imm & 0xffff).append(')');
        return {.dst = true, .src = true, .off = true, .imm = true};
    }
    bool off_shown = false;
    std::string_view text = alu_op_text(opc);
    if ((opc == op::div || opc == op::mod) && i.off == 1) { // sdiv / smod
        text = opc == op::div ? "s/=" : "s%=";
        off_shown = true;
    }
    reg(t, r, i.dst_reg);
    t.append(' ').append(text).append(' ');
    if (!x) {
        t.append_int(i.imm);
        return {.dst = true, .off = off_shown, .imm = true};
    }
    if (opc == op::mov && (i.off == 8 || i.off == 16 || (is64 && i.off == 32))) { // movsx
        t.append(i.off == 8 ? "(s8)" : i.off == 16 ? "(s16)" : "(s32)");
        off_shown = true;
    }
    reg(t, r, i.src_reg);
    return {.dst = true, .src = true, .off = off_shown};
}

constexpr shown jmp(insn_text& t, const insn& i) {
    const bool x = op::src_bit(i.code) == op::x;
    switch (i.code) {
    case op::jmp | op::ja: // goto +3
        t.append("goto ");
        signed_rel(t, i.off);
        return {.off = true};
    case op::jmp32 | op::ja: // gotol +70000
        t.append("gotol ");
        signed_rel(t, i.imm);
        return {.imm = true};
    case op::jmp | op::call:
        if (i.src_reg == op::pseudo_call) { // bpf-to-bpf call: call pc+3
            t.append("call pc");
            signed_rel(t, i.imm);
            return {.src = true, .imm = true};
        }
        if (i.src_reg == op::pseudo_kfunc_call) { // kfunc by BTF id (off: fd_array index)
            t.append("call kernel-function#").append_int(i.imm);
            return {.src = true, .imm = true};
        }
        t.append("call ").append_int(i.imm); // helper by id
        return {.imm = true};
    case op::jmp | op::exit: t.append("exit"); return {};
    case op::jmp | op::jcond: // may_goto +3 (src_reg 0 = BPF_MAY_GOTO)
        t.append("may_goto ");
        signed_rel(t, i.off);
        return {.off = true};
    default: break;
    }
    const char r = op::cls(i.code) == op::jmp32 ? 'w' : 'r';
    t.append("if ");
    reg(t, r, i.dst_reg);
    t.append(' ').append(jmp_op_text(op::alu_op(i.code))).append(' ');
    if (x)
        reg(t, r, i.src_reg);
    else
        t.append_int(i.imm);
    t.append(" goto ");
    signed_rel(t, i.off);
    return {.dst = true, .src = x, .off = true, .imm = !x};
}

constexpr shown ld_legacy(insn_text& t, const insn& i) { // ld_abs / ld_ind (r0 is implicit)
    t.append("r0 = *(").append(size_name(i.code)).append(" *)skb[");
    if (op::mode(i.code) == op::abs) {
        t.append_int(i.imm).append(']');
        return {.imm = true};
    }
    reg(t, 'r', i.src_reg);
    if (i.imm < 0)
        t.append(" - ").append_uint(~static_cast<std::uint64_t>(static_cast<std::int64_t>(i.imm)) + 1);
    else if (i.imm > 0)
        t.append(" + ").append_int(i.imm);
    t.append(']');
    return {.src = true, .imm = true};
}

constexpr shown ldx(insn_text& t, const insn& i) { // r1 = *(u32 *)(r2 + 4) / r1 = *(s16 *)(r2 + 4)
    reg(t, 'r', i.dst_reg);
    t.append(" = *(")
        .append(op::mode(i.code) == op::memsx ? sx_size_name(i.code) : size_name(i.code))
        .append(" *)(");
    address(t, i.src_reg, i.off);
    t.append(')');
    return {.dst = true, .src = true, .off = true};
}

constexpr shown st(insn_text& t, const insn& i) { // *(u32 *)(r10 - 8) = 7
    t.append("*(").append(size_name(i.code)).append(" *)(");
    address(t, i.dst_reg, i.off);
    t.append(") = ").append_int(i.imm);
    return {.dst = true, .off = true, .imm = true};
}

constexpr shown stx(insn_text& t, const insn& i) {
    const std::string_view sz = size_name(i.code);
    if (op::mode(i.code) == op::mem) { // *(u64 *)(r10 - 8) = r1
        t.append("*(").append(sz).append(" *)(");
        address(t, i.dst_reg, i.off);
        t.append(") = ");
        reg(t, 'r', i.src_reg);
        return {.dst = true, .src = true, .off = true};
    }
    // atomics
    const bool dw = op::size(i.code) == op::dw;
    const bool w_or_dw = dw || op::size(i.code) == op::w;
    const char r = dw ? 'r' : 'w';
    const shown all{.dst = true, .src = true, .off = true, .imm = true};
    if (i.imm == op::load_acq) { // w0 = load_acquire((u8 *)(r1 + 0))
        reg(t, r, i.dst_reg);
        t.append(" = load_acquire((").append(sz).append(" *)(");
        address(t, i.src_reg, i.off);
        t.append("))");
        return all;
    }
    if (i.imm == op::store_rel) { // store_release((u64 *)(r1 + 0), r2)
        t.append("store_release((").append(sz).append(" *)(");
        address(t, i.dst_reg, i.off);
        t.append("), ");
        reg(t, r, i.src_reg);
        t.append(')');
        return all;
    }
    std::string_view alu_text{}, fetch_name{};
    switch (i.imm & ~op::fetch) {
    case op::add: alu_text = "+="; fetch_name = "add"; break;
    case op::or_: alu_text = "|="; fetch_name = "or"; break;
    case op::and_: alu_text = "&="; fetch_name = "and"; break;
    case op::xor_: alu_text = "^="; fetch_name = "xor"; break;
    default: break;
    }
    if (!alu_text.empty()) { // (8/16-bit forms are invalid but spelled the same way)
        if ((i.imm & op::fetch) == 0) { // lock *(u32 *)(r1 + 8) += w2
            t.append("lock *(").append(sz).append(" *)(");
            address(t, i.dst_reg, i.off);
            t.append(") ").append(alu_text).append(' ');
            reg(t, r, i.src_reg);
        } else { // w2 = atomic_fetch_add((u32 *)(r1 + 8), w2)
            reg(t, r, i.src_reg);
            t.append(" = atomic_fetch_").append(fetch_name).append("((").append(sz).append(" *)(");
            address(t, i.dst_reg, i.off);
            t.append("), ");
            reg(t, r, i.src_reg);
            t.append(')');
        }
        return all;
    }
    if (w_or_dw && i.imm == op::xchg) { // r2 = xchg_64(r1 + 8, r2) / w2 = xchg32_32(r1 + 8, w2)
        reg(t, r, i.src_reg);
        t.append(dw ? " = xchg_64(" : " = xchg32_32(");
        address(t, i.dst_reg, i.off);
        t.append(", ");
        reg(t, r, i.src_reg);
        t.append(')');
        return all;
    }
    if (w_or_dw && i.imm == op::cmpxchg) { // r0 = cmpxchg_64(r1 + 8, r0, r2)
        t.append(dw ? "r0 = cmpxchg_64(" : "w0 = cmpxchg32_32(");
        address(t, i.dst_reg, i.off);
        t.append(dw ? ", r0, " : ", w0, ");
        reg(t, r, i.src_reg);
        t.append(')');
        return all;
    }
    // Atomic operation code not defined for this size: no assembler spelling; imm goes to a marker.
    t.append("atomic((").append(sz).append(" *)(");
    address(t, i.dst_reg, i.off);
    t.append("), ");
    reg(t, r, i.src_reg);
    t.append(')');
    return {.dst = true, .src = true, .off = true};
}

constexpr void marker(insn_text& t, bool& open, std::string_view name, std::int64_t value) {
    t.append(open ? ", " : " <").append(name).append('=').append_int(value);
    open = true;
}

constexpr void markers(insn_text& t, const insn& i, shown s, std::int32_t next_imm = 0) {
    bool open = false;
    if (!s.dst && i.dst_reg != 0) marker(t, open, "dst_reg", i.dst_reg);
    if (!s.src && i.src_reg != 0) marker(t, open, "src_reg", i.src_reg);
    if (!s.off && i.off != 0) marker(t, open, "off", i.off);
    if (!s.imm && (i.imm != 0 || s.imm_even_if_zero)) marker(t, open, "imm", i.imm);
    if (next_imm != 0) marker(t, open, "next_imm", next_imm);
    if (open) t.append('>');
}

} // namespace detail::dis

// Disassemble the instruction at prog[index] (an lddw reads prog[index + 1] too).
constexpr disasm_result disasm_one(std::span<const insn> prog, std::size_t index, disasm_options o = {}) {
    namespace d = detail::dis;
    disasm_result r{};
    insn_text& t = r.text;
    if (index >= prog.size()) {
        r.slots = 0;
        r.code = errc::index_out_of_range;
        t.append("instruction index past the end of the program");
        return r;
    }
    const insn& i = prog[index];
    if (!opcode_in_table(i.code)) {
        r.code = errc::unknown_opcode;
        t.append("unknown opcode ").append_hex2(i.code);
        return r;
    }
    if (i.code == (op::ld | op::imm | op::dw)) {
        if (index + 1 >= prog.size()) {
            r.code = errc::invalid_ld_imm64;
            t.append("lddw is the last slot; its second slot is missing");
            return r;
        }
        const insn& n = prog[index + 1];
        r.slots = 2;
        if (n.code != 0 || n.dst_reg != 0 || n.src_reg != 0 || n.off != 0) {
            r.code = errc::invalid_ld_imm64;
            t.append("invalid lddw second slot: code, dst_reg, src_reg and off must be 0");
            return r;
        }
        if (i.src_reg == 0) { // r1 = 1234 ll
            const std::uint64_t v = (static_cast<std::uint64_t>(static_cast<std::uint32_t>(n.imm)) << 32) |
                                    static_cast<std::uint32_t>(i.imm);
            d::reg(t, 'r', i.dst_reg);
            t.append(" = ");
            if (v >> 63)
                t.append('-').append_uint(~v + 1);
            else
                t.append_uint(v);
            t.append(" ll");
            d::markers(t, i, {.dst = true, .src = true, .imm = true});
        } else { // ld_pseudo r1, 1, 5 (imm unsigned, as llvm-objdump prints it)
            t.append("ld_pseudo ");
            d::reg(t, 'r', i.dst_reg);
            t.append(", ").append_uint(i.src_reg).append(", ").append_uint(static_cast<std::uint32_t>(i.imm));
            d::markers(t, i, {.dst = true, .src = true, .imm = true}, n.imm);
        }
        return r;
    }
    d::shown s{};
    const helper_info* h = i.code == (op::jmp | op::call) && i.src_reg == 0 ? find_helper(i.imm) : nullptr;
    if (o.helper_names && h && i.imm != 0) {
        t.append("call bpf_").append(h->name).append('#').append_int(i.imm);
        d::markers(t, i, {.imm = true});
        return r;
    }
    switch (op::cls(i.code)) {
    case op::alu:
    case op::alu64: s = d::alu(t, i); break;
    case op::jmp:
    case op::jmp32: s = d::jmp(t, i); break;
    case op::ld: s = d::ld_legacy(t, i); break;
    case op::ldx: s = d::ldx(t, i); break;
    case op::st: s = d::st(t, i); break;
    default: s = d::stx(t, i); break;
    }
    d::markers(t, i, s);
    return r;
}

// ---- run time -------------------------------------------------------------------------------

// One listing line: "   3: r0 = 5" (index right-aligned to 4 columns, no newline).
inline std::string format_line(std::size_t index, std::string_view text) {
    std::string num = std::to_string(index);
    std::string line(num.size() < 4 ? 4 - num.size() : 0, ' ');
    line += num;
    line += ": ";
    line += text;
    return line;
}

struct disasm_listing {
    std::string text;       // one format_line per instruction, each ending in '\n'
    check_result verdict{}; // not ok(): the first instruction that does not disassemble (rule, index, message())
};

// Disassemble a whole program; stops at the first error (text holds the lines before it).
inline disasm_listing disasm_program(std::span<const insn> prog, disasm_options o = {}) {
    disasm_listing out;
    for (std::size_t i = 0; i < prog.size();) {
        const disasm_result r = disasm_one(prog, i, o);
        if (!r.ok()) {
            out.verdict = {r.code, static_cast<std::uint32_t>(i)};
            out.verdict.errnum = errno_of(r.code);
            out.verdict.msg.put(r.message());
            break;
        }
        out.text += format_line(i, r.text.view());
        out.text += '\n';
        i += r.slots;
    }
    return out;
}

// Listing of a whole program; an error becomes the last line, "   N: <error: message>".
inline std::string disasm(std::span<const insn> prog, disasm_options o = {}) {
    disasm_listing l = disasm_program(prog, o);
    if (!l.verdict.ok()) {
        l.text += format_line(l.verdict.index, "<error: " + std::string(l.verdict.message()) + ">");
        l.text += '\n';
    }
    return l.text;
}

} // namespace ctbpf
