// Round trip through LLVM: seeded random valid instructions -> ctbpf::disasm_one text ->
// llvm-mc-19 -triple bpfel -mcpu=v4 -filetype=obj -> .text bytes, which must equal the input.
// Usage: roundtrip_llvm --llvm-mc PATH [--seed S] [--count N] [--keep]
#include "ctbpf/disasm.hpp"

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <unistd.h>

namespace {

using ctbpf::insn;
using ctbpf::make_insn;
namespace op = ctbpf::op;

struct generator {
    std::mt19937_64 rng;

    std::uint64_t below(std::uint64_t n) { return rng() % n; }
    template <class T, std::size_t N> T pick(const T (&a)[N]) { return a[below(N)]; }
    std::uint8_t reg() { return static_cast<std::uint8_t>(below(11)); }

    std::int32_t imm32() {
        static constexpr std::int32_t edges[] = {0,      1,       -1,      2147483647, -2147483647 - 1, 32767,
                                                 -32768, 65535,   65536,   255,        -256,            16,
                                                 32,     64,      0x7f00,  -0x10000,   4095,            -4096};
        switch (below(3)) {
        case 0: return static_cast<std::int32_t>(below(65)) - 32;
        case 1: return pick(edges);
        default: return static_cast<std::int32_t>(static_cast<std::uint32_t>(rng()));
        }
    }
    std::int16_t off16() {
        static constexpr std::int16_t edges[] = {0, 1, -1, 32767, -32768, 8, -8, 255, -256, 4096};
        switch (below(3)) {
        case 0: return static_cast<std::int16_t>(static_cast<int>(below(129)) - 64);
        case 1: return pick(edges);
        default: return static_cast<std::int16_t>(static_cast<std::uint16_t>(rng()));
        }
    }
    std::uint64_t imm64() {
        static constexpr std::uint64_t edges[] = {0, 1, ~std::uint64_t{0}, std::uint64_t{1} << 63,
                                                  (std::uint64_t{1} << 63) - 1, 0xffffffff, 0x100000000,
                                                  0x1122334455667788};
        switch (below(3)) {
        case 0: return static_cast<std::uint64_t>(static_cast<std::int64_t>(imm32()));
        case 1: return pick(edges);
        default: return rng();
        }
    }

    // Appends one instruction (two slots for lddw) that LLVM 19 can write.
    void one(std::vector<insn>& out) {
        static constexpr std::uint8_t alu_ops[] = {op::add, op::sub, op::mul, op::div,  op::or_, op::and_,
                                                   op::lsh, op::rsh, op::mod, op::xor_, op::mov, op::arsh};
        static constexpr std::uint8_t jmp_ops[] = {op::jeq,  op::jgt,  op::jge, op::jset, op::jne, op::jsgt,
                                                   op::jsge, op::jlt,  op::jle, op::jslt, op::jsle};
        static constexpr std::uint8_t sizes[] = {op::w, op::h, op::b, op::dw};
        static constexpr std::uint8_t sx_sizes[] = {op::w, op::h, op::b};
        static constexpr std::int32_t atomic_ops[] = {0x00, 0x01, 0x40, 0x41, 0x50, 0x51, 0xa0, 0xa1, 0xe1, 0xf1};
        static constexpr std::int32_t end_widths[] = {16, 32, 64};
        const std::uint8_t alu_cls = below(2) ? op::alu64 : op::alu;
        const std::uint8_t jmp_cls = below(2) ? op::jmp : op::jmp32;
        switch (below(17)) {
        case 0: // ALU K (sdiv/smod: off = 1)
        case 1: {
            const std::uint8_t o = pick(alu_ops);
            const std::int16_t off = (o == op::div || o == op::mod) && below(2) ? 1 : 0;
            out.push_back(make_insn(alu_cls | op::k | o, reg(), 0, off, imm32()));
            break;
        }
        case 2: // ALU X (sdiv/smod off = 1, movsx off = 8/16/32)
        case 3: {
            const std::uint8_t o = pick(alu_ops);
            std::int16_t off = 0;
            if ((o == op::div || o == op::mod) && below(2)) off = 1;
            if (o == op::mov && below(2)) {
                static constexpr std::int16_t sx[] = {8, 16, 32};
                off = sx[below(alu_cls == op::alu64 ? 3 : 2)];
            }
            out.push_back(make_insn(alu_cls | op::x | o, reg(), reg(), off, 0));
            break;
        }
        case 4: // neg, byte swaps, addr_space_cast
            switch (below(3)) {
            case 0: out.push_back(make_insn(alu_cls | op::neg, reg(), 0, 0, 0)); break;
            case 1: {
                static constexpr std::uint8_t ends[] = {op::alu | op::end | op::to_le, op::alu | op::end | op::to_be,
                                                        op::alu64 | op::end};
                out.push_back(make_insn(pick(ends), reg(), 0, 0, pick(end_widths)));
                break;
            }
            default:
                out.push_back(make_insn(op::alu64 | op::x | op::mov, reg(), reg(), op::addr_space_cast,
                                        static_cast<std::int32_t>(rng() & 0xffffffff)));
            }
            break;
        case 5: // conditional jumps, K
        case 6: out.push_back(make_insn(jmp_cls | op::k | pick(jmp_ops), reg(), 0, off16(), imm32())); break;
        case 7: out.push_back(make_insn(jmp_cls | op::x | pick(jmp_ops), reg(), reg(), off16(), 0)); break;
        case 8: // goto, gotol (LLVM 19 parses only int16 there), may_goto, call, exit
            switch (below(5)) {
            case 0: out.push_back(make_insn(op::jmp | op::ja, 0, 0, off16(), 0)); break;
            case 1: out.push_back(make_insn(op::jmp32 | op::ja, 0, 0, 0, off16())); break;
            case 2: out.push_back(make_insn(op::jmp | op::jcond, 0, 0, off16(), 0)); break;
            case 3: out.push_back(make_insn(op::jmp | op::call, 0, 0, 0, imm32())); break;
            default: out.push_back(make_insn(op::jmp | op::exit, 0, 0, 0, 0));
            }
            break;
        case 9: // loads (MEM and MEMSX)
        case 10:
            if (below(3))
                out.push_back(make_insn(op::ldx | op::mem | pick(sizes), reg(), reg(), off16(), 0));
            else
                out.push_back(make_insn(op::ldx | op::memsx | pick(sx_sizes), reg(), reg(), off16(), 0));
            break;
        case 11: out.push_back(make_insn(op::st | op::mem | pick(sizes), reg(), 0, off16(), imm32())); break;
        case 12: out.push_back(make_insn(op::stx | op::mem | pick(sizes), reg(), reg(), off16(), 0)); break;
        case 13:
        case 14: // atomics, 32 and 64 bit
            out.push_back(make_insn(op::stx | op::atomic | (below(2) ? op::dw : op::w), reg(), reg(), off16(),
                                    pick(atomic_ops)));
            break;
        case 15: { // lddw, and ld_pseudo (src 1..6, next_imm 0)
            if (below(3)) {
                const std::uint64_t v = imm64();
                out.push_back(make_insn(op::ld | op::imm | op::dw, reg(), 0, 0, static_cast<std::int32_t>(v)));
                out.push_back(make_insn(0, 0, 0, 0, static_cast<std::int32_t>(v >> 32)));
            } else {
                out.push_back(make_insn(op::ld | op::imm | op::dw, reg(), static_cast<std::uint8_t>(1 + below(6)),
                                        0, imm32()));
                out.push_back(make_insn(0, 0, 0, 0, 0));
            }
            break;
        }
        default: { // legacy packet loads (LLVM writes ld_ind only with imm 0)
            static constexpr std::uint8_t pk_sizes[] = {op::w, op::h, op::b};
            if (below(2))
                out.push_back(make_insn(op::ld | op::abs | pick(pk_sizes), 0, 0, 0, imm32()));
            else
                out.push_back(make_insn(op::ld | op::ind | pick(pk_sizes), 0, reg(), 0, 0));
        }
        }
    }
};

std::string hex_bytes(const unsigned char* p, std::size_t n) {
    std::string s;
    char b[4];
    for (std::size_t i = 0; i < n; ++i) {
        std::snprintf(b, sizeof b, "%02x%s", p[i], i + 1 < n ? " " : "");
        s += b;
    }
    return s;
}

std::string shell_quote(const std::string& s) {
    std::string q = "'";
    for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return q + "'";
}

// The .text section of a little-endian ELF64 object, or an error message.
bool elf_text(const std::vector<unsigned char>& f, std::vector<unsigned char>& text, std::string& err) {
    auto u16 = [&](std::size_t o) { return std::uint64_t{f[o]} | std::uint64_t{f[o + 1]} << 8; };
    auto u32 = [&](std::size_t o) { return u16(o) | u16(o + 2) << 16; };
    auto u64 = [&](std::size_t o) { return u32(o) | u32(o + 4) << 32; };
    if (f.size() < 64 || std::memcmp(f.data(), "\x7f" "ELF", 4) != 0 || f[4] != 2 || f[5] != 1) {
        err = "not a little-endian ELF64 object";
        return false;
    }
    const std::uint64_t shoff = u64(0x28), shentsize = u16(0x3a), shnum = u16(0x3c), shstrndx = u16(0x3e);
    if (shentsize < 64 || shoff + shnum * shentsize > f.size() || shstrndx >= shnum) {
        err = "bad ELF section header table";
        return false;
    }
    const std::uint64_t strtab = u64(shoff + shstrndx * shentsize + 0x18);
    for (std::uint64_t s = 0; s < shnum; ++s) {
        const std::size_t h = shoff + s * shentsize;
        const std::uint64_t name = strtab + u32(h), off = u64(h + 0x18), size = u64(h + 0x20);
        if (name + 6 <= f.size() && std::memcmp(&f[name], ".text", 6) == 0) {
            if (off + size > f.size()) break;
            text.assign(f.begin() + static_cast<std::ptrdiff_t>(off),
                        f.begin() + static_cast<std::ptrdiff_t>(off + size));
            return true;
        }
    }
    err = "no .text section";
    return false;
}

std::vector<unsigned char> read_file(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

int usage(const char* msg) {
    std::fprintf(stderr, "roundtrip_llvm: %s\nusage: roundtrip_llvm --llvm-mc PATH [--seed S] [--count N] [--keep]\n",
                 msg);
    return 2;
}

} // namespace

int main(int argc, char** argv) {
    std::uint64_t seed = static_cast<std::uint64_t>(std::chrono::system_clock::now().time_since_epoch().count());
    std::size_t count = 100000;
    std::string llvm_mc;
    bool keep = false;
    for (int a = 1; a < argc; ++a) {
        const std::string_view arg = argv[a];
        const bool has_value = a + 1 < argc;
        if (arg == "--seed" && has_value)
            seed = std::strtoull(argv[++a], nullptr, 0);
        else if (arg == "--count" && has_value)
            count = std::strtoull(argv[++a], nullptr, 0);
        else if (arg == "--llvm-mc" && has_value)
            llvm_mc = argv[++a];
        else if (arg == "--keep")
            keep = true;
        else
            return usage(("bad argument: " + std::string(arg)).c_str());
    }
    if (llvm_mc.empty() || !std::filesystem::exists(llvm_mc))
        return usage("llvm-mc-19 not found: install llvm-19 (Debian/Ubuntu: apt-get install llvm-19) and "
                     "re-run CMake, or pass --llvm-mc PATH");
    std::printf("roundtrip: seed=%llu count=%zu\n", static_cast<unsigned long long>(seed), count);
    std::fflush(stdout);

    const auto t0 = std::chrono::steady_clock::now();
    generator gen{std::mt19937_64{seed}};
    std::vector<insn> prog;
    std::vector<std::size_t> starts; // first slot of each instruction
    prog.reserve(count * 2);
    starts.reserve(count);
    for (std::size_t n = 0; n < count; ++n) {
        starts.push_back(prog.size());
        gen.one(prog);
    }

    // Disassemble; a valid generated instruction must never need a marker.
    std::string asm_text;
    std::vector<std::string> lines;
    lines.reserve(count);
    std::set<std::uint8_t> opcodes;
    for (std::size_t n = 0; n < count; ++n) {
        const ctbpf::disasm_result r = ctbpf::disasm_one(prog, starts[n]);
        const std::string text(r.text.view());
        if (!r.ok() || text.ends_with('>')) { // markers end a line with '>'
            std::fprintf(stderr, "roundtrip: insn %zu (%s): disassembler said \"%s\"\n", n,
                         hex_bytes(reinterpret_cast<const unsigned char*>(&prog[starts[n]]), 8).c_str(),
                         text.c_str());
            return 1;
        }
        opcodes.insert(prog[starts[n]].code);
        asm_text += text;
        asm_text += '\n';
        lines.push_back(text);
    }
    // Every opcode of the 6.18 table that LLVM 19 can write must have been generated.
    if (count >= 10000) {
        for (std::uint8_t code : ctbpf::linux_6_18_opcodes) {
            const bool llvm_cannot = code == (op::stx | op::atomic | op::b) || code == (op::stx | op::atomic | op::h);
            if (!llvm_cannot && !opcodes.count(code)) {
                std::fprintf(stderr, "roundtrip: generator never produced opcode %02x\n", code);
                return 1;
            }
        }
    }

    std::string tmpl = (std::filesystem::temp_directory_path() / "ctbpf-roundtrip-XXXXXX").string();
    if (!mkdtemp(tmpl.data())) {
        std::perror("roundtrip: mkdtemp");
        return 1;
    }
    const std::filesystem::path dir = tmpl;
    const auto s_path = dir / "in.s", o_path = dir / "out.o", err_path = dir / "llvm-mc.err";
    {
        std::ofstream s(s_path, std::ios::binary);
        s << asm_text;
        if (!s) {
            std::fprintf(stderr, "roundtrip: cannot write %s\n", s_path.c_str());
            return 1;
        }
    }
    const std::string cmd = shell_quote(llvm_mc) + " -triple bpfel -mcpu=v4 -filetype=obj -o " +
                            shell_quote(o_path.string()) + " " + shell_quote(s_path.string()) + " 2> " +
                            shell_quote(err_path.string());
    const int rc = std::system(cmd.c_str());
    const auto cleanup = [&] {
        if (keep)
            std::printf("roundtrip: kept %s\n", dir.c_str());
        else
            std::filesystem::remove_all(dir);
    };
    if (rc != 0) {
        const std::vector<unsigned char> err = read_file(err_path);
        std::string e(err.begin(), err.end());
        if (e.size() > 4000) e.resize(4000);
        std::fprintf(stderr, "roundtrip: llvm-mc failed (status %d) on ctbpf's text:\n%s\n", rc, e.c_str());
        cleanup();
        return 1;
    }
    std::vector<unsigned char> text;
    std::string err;
    if (!elf_text(read_file(o_path), text, err)) {
        std::fprintf(stderr, "roundtrip: %s: %s\n", o_path.c_str(), err.c_str());
        cleanup();
        return 1;
    }
    cleanup();

    const auto* expected = reinterpret_cast<const unsigned char*>(prog.data());
    const std::size_t expected_size = prog.size() * sizeof(insn);
    std::size_t mismatches = 0;
    for (std::size_t n = 0; n < count; ++n) {
        const std::size_t at = starts[n] * sizeof(insn);
        const std::size_t len = (n + 1 < count ? starts[n + 1] : prog.size()) * sizeof(insn) - at;
        const bool same = at + len <= text.size() && std::memcmp(expected + at, text.data() + at, len) == 0;
        if (!same && ++mismatches <= 10)
            std::fprintf(stderr, "mismatch at insn %zu: \"%s\"\n  expected %s\n  llvm-mc  %s\n", n,
                         lines[n].c_str(), hex_bytes(expected + at, len).c_str(),
                         at + len <= text.size() ? hex_bytes(text.data() + at, len).c_str() : "(past the end)");
    }
    if (text.size() != expected_size)
        std::fprintf(stderr, "roundtrip: .text has %zu bytes, expected %zu\n", text.size(), expected_size);
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::printf("roundtrip: seed=%llu count=%zu mismatches=%zu (%.2f s)\n", static_cast<unsigned long long>(seed),
                count, mismatches, secs);
    return mismatches == 0 && text.size() == expected_size ? 0 : 1;
}
