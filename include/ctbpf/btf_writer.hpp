// Program BTF: a BTF writer (types and strings to the bytes BPF_BTF_LOAD takes) and, from a
// program's instructions and source map, the BTF blob, func_info and line_info that the kernel
// needs for programs with subprograms (bpf_loop callbacks, global functions, tail calls and LD_ABS
// in subprograms). Every subprogram is a FUNC returning int; static ones take no declared
// arguments; global ones (ctbpf/func.hpp labels) get their prototype. line_info: one record per
// change of source line (the DSL's __builtin_LINE()), and at each subprogram's start, its text the
// instruction's disassembly (the verifier log shows "; r2 = 5 @ ctbpf:54").
// Pure: no system calls (sys::load passes the result to the kernel).
#pragma once

#include "ctbpf/disasm.hpp"
#include "ctbpf/func.hpp"
#include "ctbpf/insn.hpp"
#include "ctbpf/program.hpp" // slot_info

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace ctbpf::btf {

enum class linkage : std::uint16_t { static_ = 0, global = 1 };

// Builds a BTF blob type by type; ids start at 1 in the order added.
class writer {
public:
    writer() { strings_.push_back('\0'); }

    // The offset of `s` in the string section (added once).
    std::uint32_t add_string(std::string_view s) {
        if (s.empty()) return 0;
        auto it = string_ids_.find(std::string(s));
        if (it != string_ids_.end()) return it->second;
        const auto off = static_cast<std::uint32_t>(strings_.size());
        strings_.append(s);
        strings_.push_back('\0');
        string_ids_.emplace(std::string(s), off);
        return off;
    }
    // INT: `bytes` wide, encoding BTF_INT_SIGNED (1) / CHAR (2) / BOOL (4).
    std::uint32_t add_int(std::string_view name, std::uint32_t bytes, std::uint8_t encoding) {
        return add(add_string(name), 1, 0, bytes, {std::uint32_t{encoding} << 24 | (bytes * 8)});
    }
    // PTR to `type` (0: void *).
    std::uint32_t add_ptr(std::uint32_t type) { return add(0, 2, 0, type, {}); }
    // STRUCT of `size` bytes without members (an opaque block of memory).
    std::uint32_t add_opaque_struct(std::string_view name, std::uint32_t size) { return add(add_string(name), 4, 0, size, {}); }
    // FUNC_PROTO returning `ret`, parameters (name, type).
    std::uint32_t add_func_proto(std::uint32_t ret, std::span<const std::pair<std::string, std::uint32_t>> params) {
        std::vector<std::uint32_t> extra;
        for (const auto& [name, type] : params) {
            extra.push_back(add_string(name));
            extra.push_back(type);
        }
        return add(0, 13, static_cast<std::uint16_t>(params.size()), ret, extra);
    }
    // FUNC `name` of prototype `proto`.
    std::uint32_t add_func(std::string_view name, std::uint32_t proto, linkage l) {
        return add(add_string(name), 12, static_cast<std::uint16_t>(l), proto, {});
    }
    // DECL_TAG `tag` on argument `component` of `type` (-1: the declaration itself).
    std::uint32_t add_decl_tag(std::string_view tag, std::uint32_t type, std::int32_t component) {
        return add(add_string(tag), 17, 0, type, {static_cast<std::uint32_t>(component)});
    }

    std::uint32_t types() const noexcept { return next_id_ - 1; }
    // The blob: header, type section, string section (host byte order, as the kernel reads it).
    std::vector<std::uint8_t> bytes() const {
        const auto type_len = static_cast<std::uint32_t>(words_.size() * 4);
        const auto str_len = static_cast<std::uint32_t>(strings_.size());
        std::vector<std::uint8_t> out(24 + type_len + str_len);
        const std::uint16_t magic = 0xeB9F;
        std::memcpy(out.data(), &magic, 2);
        out[2] = 1; // version
        out[3] = 0; // flags
        const std::uint32_t hdr[5] = {24, 0, type_len, type_len, str_len}; // hdr_len, type_off, type_len, str_off, str_len
        std::memcpy(out.data() + 4, hdr, sizeof hdr);
        if (type_len) std::memcpy(out.data() + 24, words_.data(), type_len);
        std::memcpy(out.data() + 24 + type_len, strings_.data(), str_len);
        return out;
    }

private:
    std::uint32_t add(std::uint32_t name_off, std::uint32_t kind, std::uint16_t vlen, std::uint32_t size_or_type,
                      const std::vector<std::uint32_t>& extra) {
        words_.push_back(name_off);
        words_.push_back(kind << 24 | vlen);
        words_.push_back(size_or_type);
        words_.insert(words_.end(), extra.begin(), extra.end());
        return next_id_++;
    }
    std::vector<std::uint32_t> words_;
    std::string strings_;
    std::unordered_map<std::string, std::uint32_t> string_ids_;
    std::uint32_t next_id_ = 1;
};

// struct bpf_func_info and struct bpf_line_info (uapi/linux/bpf.h)
struct func_info {
    std::uint32_t insn_off = 0, type_id = 0;
};
struct line_info {
    std::uint32_t insn_off = 0, file_name_off = 0, line_off = 0, line_col = 0; // line_col: line << 10 | column
};
static_assert(sizeof(func_info) == 8 && sizeof(line_info) == 16);

// The first instruction of each subprogram, in order (0 first): the targets of bpf-to-bpf calls
// and of ld_imm64 BPF_PSEUDO_FUNC (callbacks). Targets out of range are left out (the kernel says so).
inline std::vector<std::uint32_t> subprogram_starts(std::span<const insn> insns) {
    std::vector<std::uint32_t> s{0};
    for (std::size_t i = 0; i < insns.size(); ++i) {
        const insn& x = insns[i];
        const bool call = x.code == (op::jmp | op::call) && x.src_reg == op::pseudo_call;
        const bool func = x.code == (op::ld | op::imm | op::dw) && x.src_reg == op::pseudo_func;
        if (!call && !func) continue;
        const std::int64_t t = static_cast<std::int64_t>(i) + x.imm + 1;
        if (t > 0 && t < static_cast<std::int64_t>(insns.size())) s.push_back(static_cast<std::uint32_t>(t));
    }
    std::sort(s.begin(), s.end());
    s.erase(std::unique(s.begin(), s.end()), s.end());
    return s;
}

struct program_btf {
    std::vector<std::uint8_t> blob;
    std::vector<func_info> funcs;
    std::vector<line_info> lines;
    std::vector<std::string> names; // of funcs, in order
};

namespace detail {
// A BTF identifier from any text: [A-Za-z0-9_], not starting with a digit.
inline std::string identifier(std::string_view s, std::string_view fallback) {
    std::string out;
    for (char c : s) out += (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ? c : '_';
    if (out.empty()) out = fallback;
    if (out[0] >= '0' && out[0] <= '9') out.insert(out.begin(), '_');
    return out;
}
} // namespace detail

// The program BTF of `insns`: one FUNC per subprogram (the main one named `main_name`; the others
// after their label, "sub_N" without one; ctbpf::global_func labels give global linkage and the
// prototype), func_info per subprogram and line_info from the source lines in `slots`
// (`file_name` as the file). nullopt with `error` set on a malformed global_func label.
inline std::optional<program_btf> make_program_btf(std::span<const insn> insns, std::span<const slot_info> slots,
                                                   std::string_view main_name, std::string_view file_name,
                                                   std::string& error) {
    program_btf out;
    if (insns.empty()) {
        error = "the program has no instructions";
        return std::nullopt;
    }
    writer w;
    const std::uint32_t int_id = w.add_int("int", 4, 1);
    const std::uint32_t u64_id = w.add_int("unsigned long long", 8, 0);
    const std::uint32_t void_ptr = w.add_ptr(0);
    const std::uint32_t static_proto = w.add_func_proto(int_id, {});
    const std::vector<std::pair<std::string, std::uint32_t>> ctx_param = {{"ctx", void_ptr}};
    const std::uint32_t main_proto = w.add_func_proto(int_id, ctx_param);
    std::unordered_map<std::uint32_t, std::uint32_t> mem_ptr; // size -> PTR to an opaque struct of that size

    const std::vector<std::uint32_t> starts = subprogram_starts(insns);
    for (std::size_t k = 0; k < starts.size(); ++k) {
        const std::uint32_t at = starts[k];
        const std::string_view label = at < slots.size() ? slots[at].label : std::string_view{};
        if (k == 0 && label.substr(0, global_prefix.size()) != global_prefix) {
            out.names.push_back(detail::identifier(main_name, "main"));
            out.funcs.push_back({0, w.add_func(out.names.back(), main_proto, linkage::global)});
            continue;
        }
        if (label.substr(0, global_prefix.size()) != global_prefix) {
            out.names.push_back(detail::identifier(label, "sub_" + std::to_string(at)));
            out.funcs.push_back({at, w.add_func(out.names.back(), static_proto, linkage::static_)});
            continue;
        }
        // "global:NAME(ARG,ARG...)"
        const std::string_view text = label.substr(global_prefix.size());
        const std::size_t open = text.find('(');
        const auto bad = [&](std::string why) {
            error = "global function label '" + std::string(label) + "' at insn " + std::to_string(at) + ": " + why;
            return std::nullopt;
        };
        if (open == std::string_view::npos || open == 0 || text.back() != ')')
            return bad("expected global:NAME(ARG,...) (write it with ctbpf::global_func<\"NAME\", ...>)");
        std::vector<std::pair<std::string, std::uint32_t>> params;
        std::vector<std::pair<std::int32_t, std::string_view>> tags;
        std::string_view args = text.substr(open + 1, text.size() - open - 2);
        while (!args.empty()) {
            const std::size_t comma = args.find(',');
            const std::string_view a = args.substr(0, comma);
            if (!valid_global_arg(a)) return bad("unknown argument kind '" + std::string(a) + "' (ctx, scalar, mem:N, mem_nonnull:N)");
            const auto i = static_cast<std::int32_t>(params.size());
            std::uint32_t type = u64_id;
            if (a == "ctx") {
                type = void_ptr;
                tags.emplace_back(i, "arg:ctx");
            } else if (a != "scalar") {
                const bool nonnull = a[3] == '_';
                std::uint32_t size = 0;
                for (char c : a.substr(a.find(':') + 1)) size = size * 10 + static_cast<std::uint32_t>(c - '0');
                auto it = mem_ptr.find(size);
                if (it == mem_ptr.end())
                    it = mem_ptr.emplace(size, w.add_ptr(w.add_opaque_struct("ctbpf_mem" + std::to_string(size), size))).first;
                type = it->second;
                if (nonnull) tags.emplace_back(i, "arg:nonnull");
            }
            params.emplace_back("arg" + std::to_string(i), type);
            if (comma == std::string_view::npos) break;
            args.remove_prefix(comma + 1);
        }
        if (params.size() > 5) return bad("more than 5 arguments");
        const std::string name(text.substr(0, open));
        if (detail::identifier(name, "") != name) return bad("'" + name + "' is not an identifier");
        const std::uint32_t fn = w.add_func(name, w.add_func_proto(int_id, params), linkage::global);
        for (const auto& [i, tag] : tags) w.add_decl_tag(tag, fn, i);
        out.names.push_back(name);
        out.funcs.push_back({at, fn});
    }

    const std::uint32_t file = w.add_string(file_name.empty() ? std::string_view("ctbpf") : file_name);
    std::uint32_t last_line = ~0u;
    std::size_t next_start = 0;
    for (std::size_t i = 0; i < insns.size(); i += insns[i].code == (op::ld | op::imm | op::dw) ? 2 : 1) {
        const bool start = next_start < starts.size() && starts[next_start] == i;
        if (start) ++next_start;
        const std::uint32_t line = i < slots.size() ? slots[i].line : 0;
        if (!start && (line == 0 || line == last_line)) continue;
        const disasm_result d = disasm_one(insns, i);
        out.lines.push_back({static_cast<std::uint32_t>(i), file, w.add_string(d.text.view()),
                             (line == 0 ? last_line == ~0u ? 0 : last_line : line) << 10});
        if (line != 0) last_line = line;
    }
    out.blob = w.bytes();
    return out;
}

} // namespace ctbpf::btf
