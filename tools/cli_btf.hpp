// `ctbpf btf struct NAME [--file BTF]`: the members of a struct or union of the kernel's BTF (or
// of a BTF file), one line each: "NAME BIT_OFFSET BYTE_SIZE". Members of anonymous structs and
// unions are listed in their place with offsets from the start of NAME.
// Exit status: 0 listed, 1 no such struct or union, 2 usage error or unreadable/malformed BTF.
#pragma once

#include "ctbpf/btf.hpp"
#include "ctbpf/sys/btf.hpp"

#include <cstdio>
#include <span>
#include <string>
#include <string_view>

namespace ctbpf::cli {

inline constexpr std::string_view btf_help =
    "usage: ctbpf btf struct NAME [--file BTF]\n"
    "\n"
    "Prints the members of the struct (or union) NAME, one per line: 'NAME BIT_OFFSET BYTE_SIZE'.\n"
    "Members of anonymous structs and unions are flattened, with offsets from the start of NAME.\n"
    "BYTE_SIZE is the size of the member's type (btf__resolve_size); for a bitfield, of the type\n"
    "that holds it. When NAME names both a struct and a union, the struct is listed.\n"
    "\n"
    "  --file BTF   read BTF from this file (raw BTF, e.g. a copy of /sys/kernel/btf/vmlinux)\n"
    "               instead of /sys/kernel/btf/vmlinux\n"
    "\n"
    "Exit status: 0 listed, 1 no struct or union NAME, 2 usage error or unreadable or malformed BTF.\n";

inline int btf_usage(std::string_view msg) {
    std::fprintf(stderr, "ctbpf btf: %.*s\nRun 'ctbpf btf --help' for usage.\n", static_cast<int>(msg.size()), msg.data());
    return 2;
}

// (depth and the number of lines are limited: a malformed blob can nest an anonymous member in
// itself; `budget` is the number of lines still allowed)
inline void print_members(const ctbpf::btf::blob& b, std::uint32_t id, std::uint64_t base, std::string& out, int depth,
                          std::size_t& budget) {
    if (depth > 64) return;
    for (const ctbpf::btf::member& m : b.members(b.skip_modifiers(id))) {
        if (budget == 0) return;
        --budget;
        const std::uint64_t off = base + m.bit_offset;
        if (m.name.empty()) {
            const auto t = b.type_by_id(b.skip_modifiers(m.type));
            if (t && t->is_composite()) {
                print_members(b, t->id, off, out, depth + 1, budget);
                continue;
            }
        }
        out += m.name.empty() ? std::string("(anon)") : std::string(m.name);
        out += ' ' + std::to_string(off) + ' ';
        const auto size = b.resolve_size(m.type);
        out += size ? std::to_string(*size) : std::string("?");
        out += '\n';
    }
}

inline int cmd_btf(std::span<char* const> args) {
    std::string sub, name, file;
    bool have_file = false;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string_view a = args[i];
        if (a == "--help" || a == "-h") {
            std::fputs(btf_help.data(), stdout);
            return 0;
        }
        if (a == "--file") {
            if (i + 1 >= args.size()) return btf_usage("--file needs a path");
            file = args[++i];
            have_file = true;
        } else if (a.size() > 1 && a[0] == '-') {
            return btf_usage("unknown option '" + std::string(a) + "'");
        } else if (sub.empty()) {
            sub = a;
        } else if (name.empty()) {
            name = a;
        } else {
            return btf_usage("unexpected argument '" + std::string(a) + "'");
        }
    }
    if (sub.empty()) return btf_usage("missing subcommand (struct)");
    if (sub != "struct") return btf_usage("unknown subcommand '" + sub + "' (expected 'struct')");
    if (name.empty()) return btf_usage("missing struct NAME");

    const std::string path = have_file ? file : std::string(ctbpf::sys::vmlinux_btf_path);
    auto b = ctbpf::sys::read_btf(path);
    if (!b) {
        std::fprintf(stderr, "ctbpf btf: %s\n", b.error().describe().c_str());
        return 2;
    }
    const auto id = (*b)->find_composite(name);
    if (!id) {
        std::fprintf(stderr, "ctbpf btf: no struct or union named '%s' in %s\n", name.c_str(), path.c_str());
        return 1;
    }
    std::string out;
    std::size_t budget = std::size_t(1) << 20;
    print_members(**b, *id, 0, out, 0, budget);
    if (budget == 0) {
        std::fprintf(stderr, "ctbpf btf: %s nests anonymous members too deeply or too often (malformed BTF?)\n", name.c_str());
        return 2;
    }
    std::fwrite(out.data(), 1, out.size(), stdout);
    if (std::fflush(stdout) != 0) {
        std::perror("ctbpf btf: writing the members");
        return 1;
    }
    return 0;
}

} // namespace ctbpf::cli
