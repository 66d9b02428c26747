// Oracle test for tests/ubpf_asm.hpp: parses every bpf_conformance *.data file, checks `-- asm`
// against `-- raw`, and round-trips each program through LLVM: ctbpf::disasm_one text ->
// one llvm-mc run over the whole corpus (-filetype=obj) -> .text bytes, which must equal ours.
// Usage: ubpf_asm_test CORPUS_DIR [LLVM_MC]   (LLVM_MC defaults to llvm-mc-19)
#include "ubpf_asm.hpp"

#include "ctbpf/disasm.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <unistd.h>

namespace {

namespace fs = std::filesystem;
using ctbpf::insn;

std::string quote(const std::string& s) {
    std::string q = "'";
    for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return q + "'";
}

std::vector<unsigned char> slurp(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Contents of the section named `want` in a little-endian ELF64 file; false if absent or malformed.
bool elf_section(const std::vector<unsigned char>& f, const char* want, std::vector<unsigned char>& out) {
    auto get = [&](std::size_t at, int n) {
        std::uint64_t v = 0;
        for (int i = n - 1; i >= 0; --i) v = v << 8 | f[at + static_cast<std::size_t>(i)];
        return v;
    };
    if (f.size() < 64 || std::memcmp(f.data(), "\x7f" "ELF", 4) != 0 || f[4] != 2 || f[5] != 1) return false;
    const std::uint64_t shoff = get(0x28, 8), entsize = get(0x3a, 2), count = get(0x3c, 2), names = get(0x3e, 2);
    if (entsize < 64 || names >= count || shoff + count * entsize > f.size()) return false;
    const std::uint64_t strtab = get(shoff + names * entsize + 0x18, 8);
    const std::size_t len = std::strlen(want) + 1;
    for (std::uint64_t s = 0; s < count; ++s) {
        const std::size_t h = shoff + s * entsize;
        const std::uint64_t name = strtab + get(h, 4), off = get(h + 0x18, 8), size = get(h + 0x20, 8);
        if (name + len <= f.size() && std::memcmp(&f[name], want, len) == 0 && off + size <= f.size()) {
            out.assign(f.begin() + static_cast<std::ptrdiff_t>(off), f.begin() + static_cast<std::ptrdiff_t>(off + size));
            return true;
        }
    }
    return false;
}

std::string hex(const unsigned char* p, std::size_t n) {
    std::string s;
    char b[4];
    for (std::size_t i = 0; i < n; ++i) {
        std::snprintf(b, sizeof b, "%02x", p[i]);
        s += b;
        if (i + 1 < n) s += ' ';
    }
    return s;
}

struct program_text {
    std::size_t case_index = 0;
    std::size_t byte_offset = 0;     // in the combined .text
    std::vector<std::string> lines;  // per slot ("" for an lddw second slot)
    std::string block;               // the program's lines for llvm-mc
    bool via_callx = false, via_label = false, rejected = false;
};

} // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: ubpf_asm_test CORPUS_DIR [LLVM_MC]\n");
        return 2;
    }
    const std::string dir = argv[1];
    const std::string llvm_mc = argc > 2 ? argv[2] : "llvm-mc-19";
    int failures = 0;

    // 1. Parse every file on its own, so that every failure is reported.
    std::vector<fs::path> files;
    for (const auto& e : fs::directory_iterator(dir))
        if (e.is_regular_file() && e.path().extension() == ".data") files.push_back(e.path());
    std::sort(files.begin(), files.end(), [](const fs::path& a, const fs::path& b) { return a.stem() < b.stem(); });
    std::vector<ubpf_asm::test_case> cases;
    int parse_failures = 0;
    for (const auto& f : files) {
        try {
            cases.push_back(ubpf_asm::read_case(f.string()));
        } catch (const std::exception& e) {
            std::printf("PARSE FAIL %s: %s\n", f.filename().c_str(), e.what());
            ++parse_failures;
        }
    }
    std::size_t slots = 0, with_mem = 0, with_notes = 0;
    for (const auto& c : cases) {
        slots += c.code.size();
        with_mem += !c.mem.empty();
        with_notes += !c.notes.empty();
    }
    std::printf("files: %zu, parsed: %zu, parse failures: %d (slots %zu, with mem %zu, with notes %zu)\n",
                files.size(), cases.size(), parse_failures, slots, with_mem, with_notes);
    failures += parse_failures;
    if (files.empty()) {
        std::printf("FAIL: no .data files in %s\n", dir.c_str());
        return 1;
    }
    if (parse_failures == 0) { // read_corpus must agree (and sort by name)
        const auto all = ubpf_asm::read_corpus(dir);
        bool same = all.size() == cases.size();
        for (std::size_t i = 0; same && i < all.size(); ++i)
            same = all[i].name == cases[i].name && all[i].code.size() == cases[i].code.size() &&
                   (i == 0 || all[i - 1].name < all[i].name);
        if (!same) {
            std::printf("FAIL: read_corpus disagrees with read_case\n");
            ++failures;
        }
    }

    // 2. `-- asm` against `-- raw`.
    int raw_checked = 0, raw_mismatch = 0;
    for (const auto& c : cases) {
        if (c.raw.empty()) continue;
        ++raw_checked;
        bool same = c.raw.size() == c.code.size();
        for (std::size_t i = 0; same && i < c.raw.size(); ++i) same = ctbpf::same_insn(c.raw[i], c.code[i]);
        if (!same) {
            std::printf("RAW MISMATCH %s:\n  asm %s\n  raw %s\n", c.name.c_str(),
                        hex(reinterpret_cast<const unsigned char*>(c.code.data()), c.code.size() * 8).c_str(),
                        hex(reinterpret_cast<const unsigned char*>(c.raw.data()), c.raw.size() * 8).c_str());
            ++raw_mismatch;
        }
    }
    std::printf("raw sections: %d checked, %d mismatches\n", raw_checked, raw_mismatch);
    failures += raw_mismatch;

    // 3. LLVM round trip. Spellings the test adds where ctbpf prints none llvm-mc 19 reads:
    // `callx rN` for 0x8d and `call <label>` for call src=1 (llvm-mc resolves a local label
    // to src=1, imm=relative).
    std::map<std::string, int> skipped;
    std::vector<program_text> progs;
    for (std::size_t ci = 0; ci < cases.size(); ++ci) {
        const auto& code = cases[ci].code;
        program_text p;
        p.case_index = ci;
        p.lines.assign(code.size(), "");
        std::set<std::size_t> labels, starts;
        std::string skip;
        for (std::size_t i = 0; i < code.size() && skip.empty();) {
            starts.insert(i);
            const insn& in = code[i];
            const ctbpf::disasm_result r = ctbpf::disasm_one(code, i);
            std::string line(r.text.view());
            if (in.dst_reg > 10 || in.src_reg > 10) {
                skip = "register beyond r10";
            } else if (in.code == (ctbpf::op::jmp | ctbpf::op::call | ctbpf::op::x)) {
                if (in.src_reg != 0 || in.off != 0 || in.imm != 0) skip = "callx with reserved fields set";
                line = "callx r" + std::to_string(in.dst_reg);
                p.via_callx = true;
            } else if (!r.ok()) {
                skip = "disassembler error: " + line;
            } else if (line.ends_with('>')) { // uBPF syntax cannot ask for a field the spelling hides
                std::printf("FAIL %s slot %zu: unexpected field: %s\n", cases[ci].name.c_str(), i, line.c_str());
                ++failures;
                skip = "field not shown by the spelling (marker; counted as a failure)";
            } else if (in.code == (ctbpf::op::jmp | ctbpf::op::call) && in.src_reg == ctbpf::op::pseudo_call) {
                const std::int64_t t = static_cast<std::int64_t>(i) + 1 + in.imm;
                if (t < 0 || t >= static_cast<std::int64_t>(code.size())) skip = "call local outside the program";
                labels.insert(static_cast<std::size_t>(t));
                line = "call .Lp" + std::to_string(ci) + "_" + std::to_string(t);
                p.via_label = true;
            } else if (in.code == (ctbpf::op::jmp | ctbpf::op::call) && in.src_reg != 0) {
                skip = "call src_reg=" + std::to_string(in.src_reg) + " (no llvm-mc 19 spelling)";
            } else if (in.code == (ctbpf::op::jmp32 | ctbpf::op::ja) && (in.imm < -32768 || in.imm > 32767)) {
                skip = "gotol beyond int16 (llvm-mc 19 limitation)";
            }
            p.lines[i] = line;
            i += r.ok() ? r.slots : 1;
        }
        for (std::size_t t : labels)
            if (!starts.count(t) && skip.empty()) skip = "call local into the middle of lddw";
        if (!skip.empty()) {
            ++skipped[skip];
            std::printf("skip %s: %s\n", cases[ci].name.c_str(), skip.c_str());
            continue;
        }
        p.block = "# " + cases[ci].name + "\n";
        for (std::size_t i = 0; i < code.size(); ++i) {
            if (labels.count(i)) p.block += ".Lp" + std::to_string(ci) + "_" + std::to_string(i) + ":\n";
            if (!p.lines[i].empty()) p.block += p.lines[i] + "\n";
        }
        progs.push_back(std::move(p));
    }

    std::string tmpl = (fs::temp_directory_path() / "ubpf-asm-test-XXXXXX").string();
    if (!mkdtemp(tmpl.data())) {
        std::perror("mkdtemp");
        return 1;
    }
    const fs::path tmp = tmpl, s_path = tmp / "corpus.s", o_path = tmp / "corpus.o", e_path = tmp / "err.txt";
    // One llvm-mc run over all programs; if it rejects lines, those programs are skipped and it runs once more.
    std::vector<unsigned char> bytes;
    std::size_t total_slots = 0;
    for (int attempt = 0;; ++attempt) {
        std::string text;
        std::vector<std::size_t> line_owner{0}; // .s line (1-based) -> index in progs
        total_slots = 0;
        for (std::size_t k = 0; k < progs.size(); ++k) {
            auto& p = progs[k];
            if (p.rejected) continue;
            p.byte_offset = total_slots * sizeof(insn);
            total_slots += cases[p.case_index].code.size();
            text += p.block;
            line_owner.resize(line_owner.size() + static_cast<std::size_t>(std::count(p.block.begin(), p.block.end(), '\n')), k);
        }
        std::ofstream(s_path, std::ios::binary) << text;
        const std::string cmd = quote(llvm_mc) + " -triple bpfel -mcpu=v4 -filetype=obj -o " +
                                quote(o_path.string()) + " " + quote(s_path.string()) + " 2> " + quote(e_path.string());
        const int rc = std::system(cmd.c_str());
        if (rc == 0 && elf_section(slurp(o_path), ".text", bytes)) break;
        const auto e = slurp(e_path);
        std::string msg(e.begin(), e.end());
        int newly = 0;
        const std::string key = s_path.filename().string() + ":";
        for (std::size_t at = msg.find(key); rc != 0 && at != std::string::npos; at = msg.find(key, at + 1)) {
            const std::size_t n = std::strtoul(msg.c_str() + at + key.size(), nullptr, 10);
            if (n == 0 || n >= line_owner.size() || progs[line_owner[n]].rejected) continue;
            auto& p = progs[line_owner[n]];
            p.rejected = true;
            ++newly;
            ++skipped["llvm-mc rejected the spelling"];
            const std::size_t eol = msg.find('\n', at);
            std::printf("skip %s: llvm-mc: %s\n", cases[p.case_index].name.c_str(),
                        msg.substr(at, eol == std::string::npos ? std::string::npos : eol - at).c_str());
        }
        if (newly == 0 || attempt == 1) {
            if (msg.size() > 4000) msg.resize(4000);
            std::printf("FAIL: llvm-mc (status %d) or its object file:\n%s\n", rc, msg.c_str());
            fs::remove_all(tmp);
            return 1;
        }
    }
    fs::remove_all(tmp);

    int mismatches = 0, compared = 0, via_callx = 0, via_label = 0;
    std::size_t compared_slots = 0;
    for (const auto& p : progs) {
        if (p.rejected) continue;
        ++compared;
        via_callx += p.via_callx;
        via_label += p.via_label;
        const auto& c = cases[p.case_index];
        const auto* ours = reinterpret_cast<const unsigned char*>(c.code.data());
        for (std::size_t i = 0; i < c.code.size(); ++i) {
            const std::size_t at = p.byte_offset + i * 8;
            ++compared_slots;
            if (at + 8 <= bytes.size() && std::memcmp(ours + i * 8, &bytes[at], 8) == 0) continue;
            ++mismatches;
            std::printf("MISMATCH %s slot %zu \"%s\"\n  ubpf_asm %s\n  llvm-mc  %s\n", c.name.c_str(), i,
                        p.lines[i].c_str(), hex(ours + i * 8, 8).c_str(),
                        at + 8 <= bytes.size() ? hex(&bytes[at], 8).c_str() : "(past the end)");
        }
    }
    if (bytes.size() != total_slots * sizeof(insn)) {
        std::printf("FAIL: .text has %zu bytes, expected %zu\n", bytes.size(), total_slots * sizeof(insn));
        ++failures;
    }
    int skip_total = 0;
    for (const auto& [why, n] : skipped) skip_total += n;
    std::printf("llvm-mc: %d programs compared (%zu slots; %d via `callx rN`, %d via `call <label>`), "
                "%d skipped, %d mismatching slots\n",
                compared, compared_slots, via_callx, via_label, skip_total, mismatches);
    for (const auto& [why, n] : skipped) std::printf("  skipped %d: %s\n", n, why.c_str());
    failures += mismatches;
    std::printf("%s\n", failures == 0 ? "PASS" : "FAIL");
    return failures == 0 ? 0 : 1;
}
