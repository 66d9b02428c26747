// Input for the ctbpf CLI subcommands: a file ("-" = stdin) of raw little-endian struct bpf_insn
// records, or (hex format) the same bytes as hex text: whitespace-separated tokens of hex digit
// pairs, each optionally prefixed with 0x, '#' comments to the end of the line.
// Errors are sentences naming the byte offset or the line and column.
#pragma once

#include "ctbpf/insn.hpp"

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace ctbpf::cli {

enum class input_format { raw, hex };

struct program_input {
    std::vector<insn> insns;
    std::string error; // empty on success

    bool ok() const { return error.empty(); }
};

// Reads a whole file, or stdin for "-". Returns an error message, empty on success.
inline std::string read_bytes(const std::string& path, std::vector<unsigned char>& out) {
    const bool is_stdin = path == "-";
    std::FILE* f = is_stdin ? stdin : std::fopen(path.c_str(), "rb");
    if (!f) return std::string("cannot open: ") + std::strerror(errno);
    unsigned char buf[65536];
    std::size_t n = 0;
    errno = 0;
    while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) out.insert(out.end(), buf, buf + n);
    std::string err;
    if (std::ferror(f)) err = std::string("read error: ") + std::strerror(errno ? errno : EIO);
    if (!is_stdin) std::fclose(f);
    return err;
}

// Hex text to bytes. Returns an error message naming line and column, empty on success.
inline std::string parse_hex(std::string_view text, std::vector<unsigned char>& out) {
    auto digit = [](char c) -> int {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    };
    auto space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; };
    std::size_t line = 1, line_start = 0, i = 0;
    auto where = [&](std::size_t pos) {
        return "line " + std::to_string(line) + ", column " + std::to_string(pos - line_start + 1) + ": ";
    };
    while (i < text.size()) {
        const char c = text[i];
        if (c == '\n') {
            ++line;
            line_start = ++i;
            continue;
        }
        if (space(c)) {
            ++i;
            continue;
        }
        if (c == '#') {
            while (i < text.size() && text[i] != '\n') ++i;
            continue;
        }
        const std::size_t token = i;
        if (c == '0' && i + 1 < text.size() && (text[i + 1] == 'x' || text[i + 1] == 'X')) i += 2;
        const std::size_t digits = i;
        while (i < text.size() && !space(text[i]) && text[i] != '#') {
            if (digit(text[i]) < 0) {
                const auto ch = static_cast<unsigned char>(text[i]);
                char shown[16];
                if (ch >= 0x20 && ch < 0x7f)
                    std::snprintf(shown, sizeof shown, "'%c'", ch);
                else
                    std::snprintf(shown, sizeof shown, "byte 0x%02x", ch);
                return where(i) + shown + " is not a hex digit";
            }
            ++i;
        }
        if (i == digits) return where(token) + "\"0x\" without hex digits";
        if ((i - digits) % 2 != 0)
            return where(token) + "odd number of hex digits in \"" + std::string(text.substr(token, i - token)) +
                   "\" (write bytes as digit pairs)";
        for (std::size_t d = digits; d < i; d += 2)
            out.push_back(static_cast<unsigned char>(digit(text[d]) * 16 + digit(text[d + 1])));
    }
    return {};
}

// Little-endian 8-byte records to instructions (independent of the host's byte order).
inline std::string decode_records(std::span<const unsigned char> bytes, std::vector<insn>& out) {
    if (bytes.size() % sizeof(insn) != 0) {
        const std::size_t whole = bytes.size() / sizeof(insn) * sizeof(insn);
        return std::to_string(bytes.size()) + " bytes is not a multiple of 8 (the size of struct bpf_insn): " +
               std::to_string(bytes.size() - whole) + " trailing bytes at byte offset " + std::to_string(whole) +
               ", after " + std::to_string(whole / sizeof(insn)) + " whole instruction(s)";
    }
    out.reserve(bytes.size() / sizeof(insn));
    for (std::size_t at = 0; at < bytes.size(); at += sizeof(insn)) {
        const unsigned char* b = bytes.data() + at;
        const auto off = static_cast<std::uint16_t>(b[2] | b[3] << 8);
        const auto imm = static_cast<std::uint32_t>(b[4]) | static_cast<std::uint32_t>(b[5]) << 8 |
                         static_cast<std::uint32_t>(b[6]) << 16 | static_cast<std::uint32_t>(b[7]) << 24;
        out.push_back(make_insn(b[0], b[1] & 0x0f, b[1] >> 4, static_cast<std::int16_t>(off),
                                static_cast<std::int32_t>(imm)));
    }
    return {};
}

// Reads a program file in the given format ("-" = stdin).
inline program_input read_program(const std::string& path, input_format format) {
    program_input p;
    std::vector<unsigned char> bytes;
    p.error = read_bytes(path, bytes);
    if (!p.ok()) return p;
    if (format == input_format::hex) {
        std::vector<unsigned char> decoded;
        p.error = parse_hex(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()), decoded);
        if (!p.ok()) return p;
        bytes = std::move(decoded);
    }
    p.error = decode_records(bytes, p.insns);
    return p;
}

} // namespace ctbpf::cli
