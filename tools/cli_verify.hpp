// `ctbpf verify FILE [--type NAME] [--unpriv] [--lint] [--attach NAME|N] [--map FD=SHAPE]... [--hex]`: ctbpf::check() on
// raw bytecode. Prints "ok" or "insn N: MESSAGE" (the kernel's message); what the model left to
// the kernel is noted on stderr. Exit status: 0 accepted, 1 rejected, 2 unusable input.
#pragma once

#include "cli_input.hpp"

#include "ctbpf/verify.hpp"

#include <cstdio>
#include <cstdlib>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace ctbpf::cli {

inline constexpr std::string_view verify_help =
    "usage: ctbpf verify FILE [--type NAME] [--unpriv] [--lint] [--strict] [--attach NAME|N]\n"
    "                    [--map FD=TYPE,KEY_SIZE,VALUE_SIZE,MAX_ENTRIES[,FLAGS]]... [--hex]\n"
    "\n"
    "Checks FILE the way the Linux 6.18 verifier would (BPF_PROG_LOAD), without the kernel.\n"
    "Prints 'ok', or 'insn N: MESSAGE' with the kernel's message for the first error it would\n"
    "report. What needs kernel objects (map and BTF fds, helper prototypes per program type,\n"
    "context layouts) or the kernel's value ranges is left to the kernel (noted on stderr).\n"
    "\n"
    "  FILE         raw little-endian struct bpf_insn records; '-' reads stdin\n"
    "  --type NAME  program type as bpftool spells it: socket_filter, xdp, sched_cls, sched_act,\n"
    "               cgroup_skb, cgroup_sock, sock_ops, tracepoint, raw_tracepoint, kprobe, ...\n"
    "               or BPF_PROG_TYPE_XDP; any case; aliases tc, classifier, action, socket\n"
    "               (default: none; no return-value range, legacy packet loads allowed)\n"
    "  --unpriv     as an unprivileged user (kernel.unprivileged_bpf_disabled=0): 4096\n"
    "               instructions, no loops or calls, no pointer leaks\n"
    "  --lint       check every instruction, also those only reached on branches that cannot\n"
    "               be taken (the kernel skips them)\n"
    "  --strict     anything left to the kernel is a rejection ('insn N: left to the kernel: ...')\n"
    "  --attach NAME|N  expected attach type: cgroup_inet_egress (bpftool's egress, or\n"
    "               BPF_CGROUP_INET_EGRESS), trace_fentry, ... or its number (enum bpf_attach_type)\n"
    "  --map FD=TYPE,KEY_SIZE,VALUE_SIZE,MAX_ENTRIES[,FLAGS]\n"
    "               the shape of the map that ld_imm64 instructions with imm FD refer to (src 1\n"
    "               and 2, BPF_PSEUDO_MAP_FD/VALUE), or with index FD in fd_array (src 5 and 6),\n"
    "               e.g. --map 3=hash,4,8,1024 (FD < 256). TYPE as bpftool spells it:\n"
    "               hash, array, percpu_array, lru_hash, prog_array, ringbuf, ...; FLAGS a\n"
    "               number (BPF_F_RDONLY_PROG 0x80, BPF_F_WRONLY_PROG 0x100). Repeatable.\n"
    "  --hex        FILE is hex text (as for 'ctbpf disasm --hex')\n"
    "\n"
    "Exit status: 0 accepted, 1 rejected, 2 usage error or malformed input.\n";

inline int verify_usage(std::string_view msg) {
    std::fprintf(stderr, "ctbpf verify: %.*s\nRun 'ctbpf verify --help' for usage.\n", static_cast<int>(msg.size()),
                 msg.data());
    return 2;
}

// "3=hash,4,8,1024[,FLAGS]" -> a map shape with fd 3.
inline std::optional<map_shape> parse_map_option(std::string_view text, std::string& error) {
    const auto bad = [&](const std::string& why) {
        error = "--map '" + std::string(text) + "': " + why + " (expected FD=TYPE,KEY_SIZE,VALUE_SIZE,MAX_ENTRIES[,FLAGS])";
        return std::optional<map_shape>{};
    };
    const std::size_t eq = text.find('=');
    if (eq == std::string_view::npos) return bad("no '='");
    std::vector<std::string> parts;
    std::string cur;
    for (char c : text.substr(eq + 1)) {
        if (c == ',') parts.push_back(cur), cur.clear();
        else cur += c;
    }
    parts.push_back(cur);
    if (parts.size() != 4 && parts.size() != 5) return bad("wrong number of fields");
    const auto number = [](const std::string& v, std::uint64_t max, std::uint64_t& out) {
        char* end = nullptr;
        if (v.empty() || v[0] == '-') return false;
        out = std::strtoull(v.c_str(), &end, 0);
        return *end == '\0' && out <= max;
    };
    map_shape m{};
    std::uint64_t n = 0;
    if (!number(std::string(text.substr(0, eq)), 255, n)) return bad("FD must be a number below 256");
    m.fd = static_cast<std::int32_t>(n);
    if (!parse_map_type(parts[0], m.type)) {
        std::string names;
        for (std::uint32_t t = 1; to_string(static_cast<map_type>(t)) != "unknown"; ++t)
            names += (t == 1 ? "" : ", ") + std::string(to_string(static_cast<map_type>(t)));
        return bad("unknown map type '" + parts[0] + "' (one of: " + names + ")");
    }
    std::uint32_t* fields[] = {&m.key_size, &m.value_size, &m.max_entries, &m.flags};
    const char* names[] = {"KEY_SIZE", "VALUE_SIZE", "MAX_ENTRIES", "FLAGS"};
    for (std::size_t k = 1; k < parts.size(); ++k) {
        if (!number(parts[k], 0xffffffff, n)) return bad(std::string(names[k - 1]) + " must be a number");
        *fields[k - 1] = static_cast<std::uint32_t>(n);
    }
    return m;
}

// The names of every value of E from `first` on, comma-separated (for usage errors).
template <class E>
std::string type_names(std::uint32_t first, std::string_view sep = ", ") {
    std::string names;
    for (std::uint32_t t = first; to_string(static_cast<E>(t)) != "unknown"; ++t)
        names += (t == first ? "" : std::string(sep)) + std::string(to_string(static_cast<E>(t)));
    return names;
}
// --type NAME (ctbpf::parse<prog_type>; not unspec); nullopt with `error` set when unknown.
inline std::optional<prog_type> parse_type_option(std::string_view value, std::string& error) {
    const std::optional<prog_type> t = parse<prog_type>(value);
    if (!t || *t == prog_type::unspecified)
        error = "unknown program type '" + std::string(value) + "' (one of: " + type_names<prog_type>(1) + ")";
    return t == prog_type::unspecified ? std::nullopt : t;
}
// --attach NAME|N: a bpftool name or BPF_* constant (ctbpf::parse<attach_type>), or the number.
inline std::optional<attach_type> parse_attach_option(std::string_view value, std::string& error) {
    if (const std::optional<attach_type> t = parse<attach_type>(value)) return t;
    char* end = nullptr;
    const std::string v(value);
    const unsigned long n = std::strtoul(v.c_str(), &end, 0);
    if (!v.empty() && *end == '\0' && n <= 0xffffffffu) return static_cast<attach_type>(n);
    error = "unknown attach type '" + v + "' (a number, or one of: " + type_names<attach_type>(0) + ")";
    return std::nullopt;
}

inline int cmd_verify(std::span<char* const> args) {
    std::string path;
    bool have_path = false, options_done = false;
    auto format = input_format::raw;
    options o{};
    std::vector<map_shape> maps;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string_view arg = args[i];
        if (!options_done && (arg == "--help" || arg == "-h")) {
            std::fputs(verify_help.data(), stdout);
            return 0;
        }
        if (!options_done && arg == "--map") {
            if (i + 1 == args.size()) return verify_usage("--map needs a value (FD=TYPE,KEY_SIZE,VALUE_SIZE,MAX_ENTRIES[,FLAGS])");
            std::string error;
            const std::optional<map_shape> m = parse_map_option(args[++i], error);
            if (!m) return verify_usage(error);
            for (const map_shape& other : maps)
                if (other.fd == m->fd) return verify_usage("--map " + std::to_string(m->fd) + " given twice");
            maps.push_back(*m);
            continue;
        }
        if (!options_done && (arg == "--type" || arg == "--attach")) {
            if (i + 1 == args.size()) return verify_usage(std::string(arg) + " needs a value");
            const std::string_view value = args[++i];
            std::string error;
            if (arg == "--type") {
                const std::optional<prog_type> t = parse_type_option(value, error);
                if (!t) return verify_usage(error);
                o.type = *t;
            } else {
                const std::optional<attach_type> t = parse_attach_option(value, error);
                if (!t) return verify_usage(error);
                o.expected_attach_type = *t;
            }
        } else if (!options_done && arg == "--unpriv") {
            o.priv = privilege::unprivileged;
        } else if (!options_done && arg == "--strict") {
            o.deferral_is_error = true;
        } else if (!options_done && arg == "--lint") {
            o.policy = dead_branch_policy::lint;
        } else if (!options_done && arg == "--hex") {
            format = input_format::hex;
        } else if (!options_done && arg == "--") {
            options_done = true;
        } else if (!options_done && arg.size() > 1 && arg[0] == '-') {
            return verify_usage("unknown option '" + std::string(arg) + "'");
        } else if (have_path) {
            return verify_usage("more than one FILE given ('" + path + "', '" + std::string(arg) + "')");
        } else {
            path = arg;
            have_path = true;
        }
    }
    if (!have_path) return verify_usage("missing FILE (use '-' for stdin)");

    const program_input in = read_program(path, format);
    if (!in.ok()) {
        std::fprintf(stderr, "ctbpf verify: %s: %s\n", path == "-" ? "<stdin>" : path.c_str(), in.error.c_str());
        return 2;
    }
    // --map N: fd N (src 1/2) and index N of fd_array (src 5/6); the gaps are maps not described
    std::vector<map_shape> table;
    for (const map_shape& m : maps) {
        if (static_cast<std::size_t>(m.fd) >= table.size()) table.resize(static_cast<std::size_t>(m.fd) + 1);
        table[static_cast<std::size_t>(m.fd)] = m;
    }
    const check_result r = check(in.insns, o, table);
    if (r.ok() && r.complete()) {
        std::puts("ok");
    } else if (r.ok()) {
        std::puts("ok");
        std::fprintf(stderr, "note: left to the kernel: %s (first at insn %u)\n", std::string(to_string(r.deferred)).c_str(),
                     r.deferred_index);
        if (r.walk_stopped && r.deferred != deferral::exploration_budget && r.deferred != deferral::complexity)
            std::fprintf(stderr, "note: the path walk stopped early (%u instructions simulated)\n", r.visits);
    } else {
        std::printf("insn %u: %.*s\n", r.index, static_cast<int>(r.message().size()), r.message().data());
        std::fprintf(stderr, "rule: %s (errno %d)\n", std::string(to_string(r.code)).c_str(), r.errnum);
    }
    if (std::fflush(stdout) != 0) {
        std::perror("ctbpf verify: writing the verdict");
        return 2;
    }
    return r.ok() ? 0 : 1;
}

} // namespace ctbpf::cli
