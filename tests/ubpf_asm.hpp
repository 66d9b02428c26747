// Reader for the bpf_conformance test corpus (tests/*.data): sections `-- asm`, `-- raw`, `-- mem`,
// `-- result`, `-- error` and others, and an assembler for their uBPF assembly syntax
// (`mov32 %r0, 0`, `jne %r1, 0x5, +1`, `ldxw %r0, [%r1+4]`, `lock fetch add [%r10-8], %r1`,
// `call local f`, labels, `#` comments). Label `exit` means the first `exit` unless defined.
// Immediates: decimal or 0x-hex, optionally negative; a 32-bit field takes -2^31..2^32-1, lddw any
// 64-bit value, offsets int16. Anything else throws std::runtime_error naming file, line and text.
#pragma once

#include "ctbpf/insn.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace ubpf_asm {

struct test_case {
    std::string name;              // file stem
    std::vector<ctbpf::insn> code; // from -- asm (or -- raw when there is no asm)
    std::vector<ctbpf::insn> raw;  // from -- raw if present
    std::vector<std::uint8_t> mem; // -- mem bytes
    bool has_result = false;
    std::uint64_t result = 0;       // -- result
    std::string error;              // -- error text, if any
    std::vector<std::string> notes; // other section names (e.g. "no register offset")
};

namespace detail {

namespace op = ctbpf::op;

[[noreturn]] inline void fail(std::string_view file, std::size_t line, std::string_view text, const std::string& msg) {
    std::string s(file);
    s += ':' + std::to_string(line) + ": " + msg + ": \"" + std::string(text) + '"';
    throw std::runtime_error(s);
}

inline std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
    return s;
}

inline std::string_view strip_comment(std::string_view s) {
    const auto h = s.find('#');
    return trim(h == std::string_view::npos ? s : s.substr(0, h));
}

// Optional sign, then 0x-hex or decimal digits; nullopt on bad syntax or overflow of 64 bits.
struct number {
    bool neg = false;
    std::uint64_t mag = 0;
};
inline std::optional<number> parse_number(std::string_view s) {
    number n;
    if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
        n.neg = s[0] == '-';
        s.remove_prefix(1);
    }
    unsigned base = 10;
    if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
        s.remove_prefix(2);
    }
    if (s.empty()) return std::nullopt;
    for (char c : s) {
        unsigned d;
        if (c >= '0' && c <= '9')
            d = static_cast<unsigned>(c - '0');
        else if (base == 16 && c >= 'a' && c <= 'f')
            d = static_cast<unsigned>(c - 'a' + 10);
        else if (base == 16 && c >= 'A' && c <= 'F')
            d = static_cast<unsigned>(c - 'A' + 10);
        else
            return std::nullopt;
        if (n.mag > (~std::uint64_t{0} - d) / base) return std::nullopt;
        n.mag = n.mag * base + d;
    }
    return n;
}

inline std::optional<std::uint64_t> as_u64(std::string_view s) { // -2^63..2^64-1, two's complement
    const auto n = parse_number(s);
    if (!n || (n->neg && n->mag > (std::uint64_t{1} << 63))) return std::nullopt;
    return n->neg ? ~n->mag + 1 : n->mag;
}
inline std::optional<std::int32_t> as_imm32(std::string_view s) { // -2^31..2^32-1
    const auto n = parse_number(s);
    if (!n || n->mag > (n->neg ? std::uint64_t{1} << 31 : 0xffffffffu)) return std::nullopt;
    const std::uint32_t u = static_cast<std::uint32_t>(n->neg ? ~n->mag + 1 : n->mag);
    return static_cast<std::int32_t>(u);
}
inline std::optional<std::int64_t> as_signed(std::string_view s, std::int64_t lo, std::int64_t hi) {
    const auto n = parse_number(s);
    if (!n || n->mag > (std::uint64_t{1} << 62)) return std::nullopt;
    const std::int64_t v = n->neg ? -static_cast<std::int64_t>(n->mag) : static_cast<std::int64_t>(n->mag);
    if (v < lo || v > hi) return std::nullopt;
    return v;
}

class assembler {
  public:
    assembler(std::string_view file, std::size_t first_line) : file_(file), first_line_(first_line) {}

    std::vector<ctbpf::insn> run(std::string_view source) {
        std::size_t lineno = first_line_;
        while (true) {
            const auto nl = source.find('\n');
            line(source.substr(0, nl), lineno++);
            if (nl == std::string_view::npos) break;
            source.remove_prefix(nl + 1);
        }
        for (const fixup& f : fixups_) resolve(f);
        return std::move(out_);
    }

  private:
    struct fixup {
        std::size_t slot;
        std::string label;
        bool in_imm; // call local / ja32: the offset goes to imm, else to off
        std::size_t line;
        std::string text;
    };

    std::string_view file_;
    std::size_t first_line_;
    std::vector<ctbpf::insn> out_;
    std::map<std::string, std::size_t, std::less<>> labels_;
    std::optional<std::size_t> first_exit_;
    std::vector<fixup> fixups_;
    std::size_t cur_line_ = 0;
    std::string_view cur_text_;

    [[noreturn]] void error(const std::string& msg) const { fail(file_, cur_line_, cur_text_, msg); }

    // Tokens separated by blanks and commas; `[...]` is one token with its blanks removed.
    std::vector<std::string> tokenize(std::string_view s) const {
        std::vector<std::string> toks;
        std::string cur;
        bool in_bracket = false;
        for (char c : s) {
            if (in_bracket) {
                if (c != ' ' && c != '\t') cur += c;
                if (c == ']') in_bracket = false;
            } else if (c == ' ' || c == '\t' || c == ',') {
                if (!cur.empty()) toks.push_back(std::move(cur));
                cur.clear();
            } else {
                if (c == '[') {
                    if (!cur.empty()) error("unexpected '['");
                    in_bracket = true;
                }
                cur += c;
            }
        }
        if (in_bracket) error("unterminated '['");
        if (!cur.empty()) toks.push_back(std::move(cur));
        return toks;
    }

    static bool is_label_name(std::string_view s) {
        if (s.empty()) return false;
        for (char c : s)
            if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.'))
                return false;
        return !(s[0] >= '0' && s[0] <= '9');
    }

    // %r0..%r15 (%r11..%r15 as the reference assembler allows, for negative tests).
    std::uint8_t reg(std::string_view s) const {
        const std::string_view n = s.size() >= 3 && s.starts_with("%r") ? s.substr(2) : std::string_view{};
        if (!n.empty() && n.size() <= 2 && n.find_first_not_of("0123456789") == std::string_view::npos &&
            (n.size() == 1 || n[0] != '0')) {
            const unsigned v = n.size() == 1 ? unsigned(n[0] - '0') : unsigned(n[0] - '0') * 10 + unsigned(n[1] - '0');
            if (v <= 15) return static_cast<std::uint8_t>(v);
        }
        error("bad register '" + std::string(s) + "'");
    }

    bool is_reg(std::string_view s) const { return !s.empty() && s[0] == '%'; }

    std::int32_t imm32(std::string_view s) const {
        if (const auto v = as_imm32(s)) return *v;
        error("bad 32-bit immediate '" + std::string(s) + "'");
    }

    // [%rN], [%rN+off], [%rN-off]
    std::pair<std::uint8_t, std::int16_t> mem(std::string_view s) const {
        if (s.size() < 3 || s.front() != '[' || s.back() != ']') error("expected [%reg+offset], got '" + std::string(s) + "'");
        s = s.substr(1, s.size() - 2);
        const auto p = s.find_first_of("+-");
        if (p == std::string_view::npos) return {reg(s), 0};
        const auto v = as_signed(s.substr(p), -32768, 32767);
        if (!v) error("bad memory offset '" + std::string(s.substr(p)) + "'");
        return {reg(s.substr(0, p)), static_cast<std::int16_t>(*v)};
    }

    void emit(std::uint8_t code, std::uint8_t dst, std::uint8_t src, std::int16_t off, std::int32_t imm) {
        out_.push_back(ctbpf::make_insn(code, dst, src, off, imm));
    }

    // +N / -N, or a label resolved later.
    std::int32_t target(std::string_view s, bool in_imm) {
        if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
            const auto v = in_imm ? as_signed(s, INT32_MIN, INT32_MAX) : as_signed(s, -32768, 32767);
            if (!v) error("bad jump offset '" + std::string(s) + "'");
            return static_cast<std::int32_t>(*v);
        }
        if (!is_label_name(s)) error("bad jump target '" + std::string(s) + "'");
        fixups_.push_back({out_.size(), std::string(s), in_imm, cur_line_, std::string(cur_text_)});
        return 0;
    }

    void resolve(const fixup& f) {
        cur_line_ = f.line;
        cur_text_ = f.text;
        std::size_t dest;
        if (const auto it = labels_.find(f.label); it != labels_.end())
            dest = it->second;
        else if (f.label == "exit" && first_exit_)
            dest = *first_exit_;
        else
            error("undefined label '" + f.label + "'");
        const std::int64_t rel = static_cast<std::int64_t>(dest) - static_cast<std::int64_t>(f.slot) - 1;
        ctbpf::insn& i = out_[f.slot];
        if (f.in_imm)
            i.imm = static_cast<std::int32_t>(rel);
        else if (rel < -32768 || rel > 32767)
            error("jump to '" + f.label + "' out of int16 range");
        else
            i.off = static_cast<std::int16_t>(rel);
    }

    void want(const std::vector<std::string>& t, std::size_t n) const {
        if (t.size() != n + 1)
            error("'" + t[0] + "' takes " + std::to_string(n) + " operand(s), got " + std::to_string(t.size() - 1));
    }

    static std::optional<std::uint8_t> find(std::string_view name, std::initializer_list<std::pair<std::string_view, std::uint8_t>> table) {
        for (const auto& [k, v] : table)
            if (k == name) return v;
        return std::nullopt;
    }

    void line(std::string_view raw, std::size_t lineno) {
        cur_line_ = lineno;
        cur_text_ = trim(raw);
        std::vector<std::string> t = tokenize(strip_comment(raw));
        if (t.empty()) return;
        if (t[0].size() > 1 && t[0].back() == ':') { // label, optionally followed by an instruction
            const std::string name = t[0].substr(0, t[0].size() - 1);
            if (!is_label_name(name)) error("bad label name '" + name + "'");
            if (!labels_.emplace(name, out_.size()).second) error("duplicate label '" + name + "'");
            t.erase(t.begin());
            if (t.empty()) return;
        }
        instruction(t);
    }

    void instruction(std::vector<std::string>& t) {
        const std::string_view m = t[0];
        if (m == "exit") {
            want(t, 0);
            if (!first_exit_) first_exit_ = out_.size();
            return emit(op::jmp | op::exit, 0, 0, 0, 0);
        }
        if (m == "ja") {
            want(t, 1);
            const auto off = static_cast<std::int16_t>(target(t[1], false));
            return emit(op::jmp | op::ja, 0, 0, off, 0);
        }
        if (m == "ja32") {
            want(t, 1);
            const std::int32_t imm = target(t[1], true);
            return emit(op::jmp32 | op::ja, 0, 0, 0, imm);
        }
        if (m == "call") return call(t);
        if (m == "lock") return atomic(t);
        if (m == "lddw") {
            want(t, 2);
            const std::uint8_t dst = reg(t[1]);
            const auto v = as_u64(t[2]);
            if (!v) error("bad 64-bit immediate '" + t[2] + "'");
            emit(op::ld | op::imm | op::dw, dst, 0, 0, static_cast<std::int32_t>(static_cast<std::uint32_t>(*v)));
            return emit(0, 0, 0, 0, static_cast<std::int32_t>(static_cast<std::uint32_t>(*v >> 32)));
        }
        if (const auto sz = find(m, {{"ldxb", op::b}, {"ldxh", op::h}, {"ldxw", op::w}, {"ldxdw", op::dw}})) {
            want(t, 2);
            const auto [src, off] = mem(t[2]);
            return emit(op::ldx | op::mem | *sz, reg(t[1]), src, off, 0);
        }
        if (const auto sz = find(m, {{"ldxsb", op::b}, {"ldxsh", op::h}, {"ldxsw", op::w}})) {
            want(t, 2);
            const auto [src, off] = mem(t[2]);
            return emit(op::ldx | op::memsx | *sz, reg(t[1]), src, off, 0);
        }
        if (const auto sz = find(m, {{"stb", op::b}, {"sth", op::h}, {"stw", op::w}, {"stdw", op::dw}})) {
            want(t, 2);
            const auto [dst, off] = mem(t[1]);
            return emit(op::st | op::mem | *sz, dst, 0, off, imm32(t[2]));
        }
        if (const auto sz = find(m, {{"stxb", op::b}, {"stxh", op::h}, {"stxw", op::w}, {"stxdw", op::dw}})) {
            want(t, 2);
            const auto [dst, off] = mem(t[1]);
            return emit(op::stx | op::mem | *sz, dst, reg(t[2]), off, 0);
        }
        if (end(t)) return;
        if (movsx(t)) return;
        if (jump(t)) return;
        if (alu(t)) return;
        error("unknown mnemonic '" + std::string(m) + "'");
    }

    // Splits a trailing "32"/"64" width suffix off a mnemonic.
    static std::pair<std::string_view, int> split_width(std::string_view m) {
        if (m.size() > 2 && m.ends_with("32")) return {m.substr(0, m.size() - 2), 32};
        if (m.size() > 2 && m.ends_with("64")) return {m.substr(0, m.size() - 2), 64};
        return {m, 0};
    }

    bool end(const std::vector<std::string>& t) { // be16/le32 (ALU END), swap64/bswap16 (ALU64 END)
        const std::string_view m = t[0];
        std::uint8_t code;
        std::string_view width;
        if (m.starts_with("be") || m.starts_with("le")) {
            code = op::alu | op::end | (m[0] == 'b' ? op::to_be : op::to_le);
            width = m.substr(2);
        } else if (m.starts_with("swap") || m.starts_with("bswap")) {
            code = op::alu64 | op::end | op::to_le;
            width = m.substr(m[0] == 'b' ? 5 : 4);
        } else {
            return false;
        }
        if (width != "16" && width != "32" && width != "64") return false;
        want(t, 1);
        emit(code, reg(t[1]), 0, 0, width == "16" ? 16 : width == "32" ? 32 : 64);
        return true;
    }

    bool movsx(const std::vector<std::string>& t) { // movsx<from><to>: MOV X with off = from
        const std::string_view m = t[0];
        if (!m.starts_with("movsx")) return false;
        const std::string_view s = m.substr(5);
        std::uint8_t cls;
        std::int16_t off;
        if (s == "832" || s == "864")
            off = 8;
        else if (s == "1632" || s == "1664")
            off = 16;
        else if (s == "3264")
            off = 32;
        else
            error("unknown movsx form '" + std::string(m) + "'");
        cls = s.ends_with("32") ? op::alu : op::alu64;
        want(t, 2);
        if (!is_reg(t[2])) error("movsx takes a source register");
        emit(cls | op::mov | op::x, reg(t[1]), reg(t[2]), off, 0);
        return true;
    }

    bool jump(std::vector<std::string>& t) {
        const auto [base, width] = split_width(t[0]);
        if (width == 64) return false;
        const auto o = find(base, {{"jeq", op::jeq},   {"jgt", op::jgt},   {"jge", op::jge},   {"jset", op::jset},
                                   {"jne", op::jne},   {"jsgt", op::jsgt}, {"jsge", op::jsge}, {"jlt", op::jlt},
                                   {"jle", op::jle},   {"jslt", op::jslt}, {"jsle", op::jsle}});
        if (!o) return false;
        want(t, 3);
        const std::uint8_t cls = width == 32 ? op::jmp32 : op::jmp;
        const std::uint8_t dst = reg(t[1]);
        const auto off = static_cast<std::int16_t>(target(t[3], false));
        if (is_reg(t[2]))
            emit(cls | *o | op::x, dst, reg(t[2]), off, 0);
        else
            emit(cls | *o | op::k, dst, 0, off, imm32(t[2]));
        return true;
    }

    bool alu(const std::vector<std::string>& t) {
        const auto [base, width] = split_width(t[0]);
        std::int16_t off = 0;
        std::string_view name = base;
        if (name == "sdiv" || name == "smod") {
            off = 1;
            name = name == "sdiv" ? "div" : "mod";
        }
        const auto o = find(name, {{"add", op::add}, {"sub", op::sub}, {"mul", op::mul}, {"div", op::div},
                                   {"or", op::or_},  {"and", op::and_}, {"lsh", op::lsh}, {"rsh", op::rsh},
                                   {"neg", op::neg}, {"mod", op::mod},  {"xor", op::xor_}, {"mov", op::mov},
                                   {"arsh", op::arsh}});
        if (!o) return false;
        const std::uint8_t cls = width == 32 ? op::alu : op::alu64;
        if (*o == op::neg) {
            want(t, 1);
            emit(cls | op::neg | op::k, reg(t[1]), 0, 0, 0);
            return true;
        }
        want(t, 2);
        const std::uint8_t dst = reg(t[1]);
        if (is_reg(t[2]))
            emit(cls | *o | op::x, dst, reg(t[2]), off, 0);
        else
            emit(cls | *o | op::k, dst, 0, off, imm32(t[2]));
        return true;
    }

    // call N | call helper N | call runtime N (src 2) | call local label/+N (src 1) | call %rN (0x8d, dst = N)
    void call(std::vector<std::string>& t) {
        if (t.size() == 2) {
            if (is_reg(t[1])) return emit(op::jmp | op::call | op::x, reg(t[1]), 0, 0, 0);
            return emit(op::jmp | op::call, 0, 0, 0, imm32(t[1]));
        }
        want(t, 2);
        if (t[1] == "helper") return emit(op::jmp | op::call, 0, 0, 0, imm32(t[2]));
        if (t[1] == "runtime") return emit(op::jmp | op::call, 0, op::pseudo_kfunc_call, 0, imm32(t[2]));
        if (t[1] == "local") {
            const std::int32_t imm = target(t[2], true);
            return emit(op::jmp | op::call, 0, op::pseudo_call, 0, imm);
        }
        error("unknown call mode '" + t[1] + "'");
    }

    // lock [fetch] add|or|and|xor[32] [dst+off], src; lock xchg|cmpxchg[32] [dst+off], src
    void atomic(std::vector<std::string>& t) {
        if (t.size() < 2) error("lock needs an operation");
        bool fetch = false;
        std::size_t i = 1;
        if (t[i] == "fetch") {
            fetch = true;
            ++i;
        }
        if (t.size() != i + 3) error("lock takes an operation, [dst+off] and a source register");
        const auto [base, width] = split_width(t[i]);
        if (width == 64) error("unknown atomic operation '" + t[i] + "'");
        std::int32_t imm;
        if (const auto o = find(base, {{"add", op::add}, {"or", op::or_}, {"and", op::and_}, {"xor", op::xor_}}))
            imm = *o | (fetch ? op::fetch : 0);
        else if (base == "xchg" && !fetch)
            imm = op::xchg;
        else if (base == "cmpxchg" && !fetch)
            imm = op::cmpxchg;
        else
            error("unknown atomic operation '" + std::string(fetch ? "fetch " : "") + t[i] + "'");
        const auto [dst, off] = mem(t[i + 1]);
        emit(op::stx | op::atomic | (width == 32 ? op::w : op::dw), dst, reg(t[i + 2]), off, imm);
    }
};

inline std::vector<ctbpf::insn> assemble_at(std::string_view source, std::string_view file, std::size_t first_line) {
    return assembler(file, first_line).run(source);
}

inline ctbpf::insn from_word(std::uint64_t w) {
    return ctbpf::make_insn(static_cast<std::uint8_t>(w), static_cast<std::uint8_t>(w >> 8 & 0xf),
                            static_cast<std::uint8_t>(w >> 12 & 0xf), static_cast<std::int16_t>(w >> 16 & 0xffff),
                            static_cast<std::int32_t>(static_cast<std::uint32_t>(w >> 32)));
}

} // namespace detail

// Assembles uBPF assembly text; errors name "<asm>" and the line (1-based).
inline std::vector<ctbpf::insn> assemble(std::string_view source) { return detail::assemble_at(source, "<asm>", 1); }

inline test_case read_case(const std::string& path) {
    namespace d = detail;
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error(path + ": cannot open");
    std::stringstream ss;
    ss << in.rdbuf();
    const std::string content = ss.str();

    test_case tc;
    tc.name = std::filesystem::path(path).stem().string();
    std::string section; // current section name; empty before the first
    std::string asm_text;
    std::size_t asm_line = 0;
    bool has_asm = false, has_raw = false, has_error = false;
    std::vector<std::string> seen;
    std::size_t lineno = 0;
    std::string_view rest = content;
    while (!rest.empty()) {
        const auto nl = rest.find('\n');
        std::string_view line = rest.substr(0, nl);
        rest.remove_prefix(nl == std::string_view::npos ? rest.size() : nl + 1);
        ++lineno;
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (line.starts_with("--")) {
            section = std::string(d::trim(line.substr(2)));
            if (section.empty()) d::fail(path, lineno, line, "empty section name");
            if (std::find(seen.begin(), seen.end(), section) != seen.end())
                d::fail(path, lineno, line, "duplicate section");
            seen.push_back(section);
            if (section == "asm") {
                has_asm = true;
                asm_line = lineno + 1;
            } else if (section == "raw") {
                has_raw = true;
            } else if (section == "error") {
                has_error = true;
            } else if (section != "mem" && section != "result") {
                tc.notes.push_back(section);
            }
            continue;
        }
        if (section == "asm") {
            asm_text.append(line).push_back('\n');
        } else if (section == "raw" || section == "mem" || section == "result") {
            std::istringstream words{std::string(d::strip_comment(line))};
            for (std::string w; words >> w;) {
                if (section == "raw") {
                    const auto v = d::as_u64(w);
                    if (!v || w[0] == '-' || w[0] == '+') d::fail(path, lineno, line, "bad raw word '" + w + "'");
                    tc.raw.push_back(d::from_word(*v));
                } else if (section == "mem") {
                    const auto v = d::parse_number("0x" + w);
                    if (w.size() > 2 || !v || v->neg) d::fail(path, lineno, line, "bad memory byte '" + w + "'");
                    tc.mem.push_back(static_cast<std::uint8_t>(v->mag));
                } else {
                    if (tc.has_result) d::fail(path, lineno, line, "more than one result value");
                    const auto v = d::as_u64(w);
                    if (!v) d::fail(path, lineno, line, "bad result '" + w + "'");
                    tc.has_result = true;
                    tc.result = *v;
                }
            }
        } else if (section == "error") {
            const std::string_view e = d::trim(line);
            if (!e.empty()) {
                if (!tc.error.empty()) tc.error += '\n';
                tc.error += e;
            }
        }
    }
    if (has_error && tc.error.empty()) d::fail(path, lineno, "-- error", "empty error section");
    if (has_asm)
        tc.code = d::assemble_at(asm_text, path, asm_line);
    else if (has_raw)
        tc.code = tc.raw;
    else
        d::fail(path, lineno, "", "no -- asm or -- raw section");
    if (tc.code.empty()) d::fail(path, asm_line, "-- asm", "empty program");
    return tc;
}

inline std::vector<test_case> read_corpus(const std::string& dir) {
    std::vector<std::filesystem::path> files;
    for (const auto& e : std::filesystem::directory_iterator(dir))
        if (e.is_regular_file() && e.path().extension() == ".data") files.push_back(e.path());
    std::sort(files.begin(), files.end(),
              [](const auto& a, const auto& b) { return a.stem().string() < b.stem().string(); });
    std::vector<test_case> out;
    out.reserve(files.size());
    for (const auto& f : files) out.push_back(read_case(f.string()));
    return out;
}

} // namespace ubpf_asm
