// The ctbpf CLI's kernel subcommands: `ctbpf load` (BPF_PROG_LOAD: id and tag, or the error with the
// verifier's message lines) and `ctbpf run` (BPF_PROG_TEST_RUN: return value, duration, output).
// Exit status: 0 success, 1 the kernel refused, 2 usage error or malformed input.
#pragma once

#include "cli_input.hpp"

#include "ctbpf/sys/load.hpp"
#include "ctbpf/sys/names.hpp"
#include "ctbpf/sys/pin.hpp"
#include "ctbpf/sys/test_run.hpp"
#include "ctbpf/sys/precheck.hpp"

#include <charconv>
#include <cstdio>
#include <cstring>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace ctbpf::cli {

namespace sys_detail {

constexpr int exit_refused = 1;
constexpr int exit_usage = 2;

inline int usage(std::string_view cmd, const std::string& msg) {
    std::fprintf(stderr, "ctbpf %.*s: %s\nRun 'ctbpf %.*s --help' for usage.\n", static_cast<int>(cmd.size()), cmd.data(),
                 msg.c_str(), static_cast<int>(cmd.size()), cmd.data());
    return exit_usage;
}

inline std::optional<std::uint32_t> parse_u32(std::string_view s) {
    std::uint32_t v = 0;
    int base = 10;
    if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        s.remove_prefix(2);
        base = 16;
    }
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v, base);
    if (ec != std::errc{} || end != s.data() + s.size() || s.empty()) return std::nullopt;
    return v;
}

inline std::string type_list() {
    std::string s;
    for (std::size_t i = 1; i < sys::prog_type_names.size(); ++i) {
        if (i > 1) s += i % 6 == 1 ? ",\n            " : ", ";
        s += sys::prog_type_names[i];
    }
    return s;
}

// Options shared by load and run.
struct common_options {
    std::string path;
    std::string data_path, ctx_path, pin_path;
    bool have_path = false, hex = false, show_log = false;
    std::optional<std::uint32_t> type;
    sys::load_options load{};
    std::string name, license = "GPL";
    std::uint32_t repeat = 1;
};

// Parses argv; returns -1 to go on, else an exit status (help printed, or a usage error).
inline int parse(std::string_view cmd, std::span<char* const> args, common_options& o, std::string_view help,
                 bool is_run) {
    bool options_done = false;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string_view a = args[i];
        auto value = [&](std::string_view opt) -> std::optional<std::string_view> {
            if (i + 1 >= args.size()) return std::nullopt;
            (void)opt;
            return std::string_view(args[++i]);
        };
        if (options_done || a.empty() || a[0] != '-' || a == "-") {
            if (o.have_path) return usage(cmd, "more than one FILE given ('" + o.path + "', '" + std::string(a) + "')");
            o.path = a;
            o.have_path = true;
            continue;
        }
        if (a == "--help" || a == "-h") {
            std::fwrite(help.data(), 1, help.size(), stdout);
            return 0;
        }
        if (a == "--") {
            options_done = true;
        } else if (a == "--hex") {
            o.hex = true;
        } else if (a == "--log") {
            o.show_log = true;
        } else if (a == "--check") {
            o.load.precheck = sys::verifier_precheck;
        } else if (a == "--type" || a == "--name" || a == "--license" || a == "--attach-type" || a == "--log-level" ||
                   a == "--pin" || (is_run && (a == "--data" || a == "--ctx" || a == "--repeat"))) {
            const auto v = value(a);
            if (!v) return usage(cmd, "option '" + std::string(a) + "' needs a value");
            if (a == "--type") {
                o.type = sys::prog_type_from_name(*v);
                if (!o.type) return usage(cmd, "unknown program type '" + std::string(*v) + "'; one of:\n            " + type_list());
            } else if (a == "--name") {
                o.name = *v;
            } else if (a == "--license") {
                o.license = *v;
            } else if (a == "--pin") {
                o.pin_path = *v;
            } else if (a == "--data") {
                o.data_path = *v;
            } else if (a == "--ctx") {
                o.ctx_path = *v;
            } else {
                const auto n = parse_u32(*v);
                if (!n) return usage(cmd, "option '" + std::string(a) + "' takes a number, not '" + std::string(*v) + "'");
                if (a == "--attach-type") o.load.expected_attach_type = *n;
                if (a == "--log-level") o.load.log_level = *n;
                if (a == "--repeat") o.repeat = *n;
            }
        } else {
            return usage(cmd, "unknown option '" + std::string(a) + "'");
        }
    }
    if (!o.have_path) return usage(cmd, "missing FILE (use '-' for stdin)");
    if (!o.type) return usage(cmd, "missing --type NAME (e.g. --type xdp)");
    o.load.type = *o.type;
    o.load.name = o.name;
    o.load.license = o.license;
    return -1;
}

// Reads and loads the program; prints the error (exit status in `status`) on failure.
inline std::optional<sys::prog> read_and_load(std::string_view cmd, const common_options& o, int& status,
                                              sys::load_report& rep, std::vector<insn>& insns) {
    const std::string shown = o.path == "-" ? "<stdin>" : o.path;
    program_input in = read_program(o.path, o.hex ? input_format::hex : input_format::raw);
    if (!in.ok()) {
        std::fprintf(stderr, "ctbpf %.*s: %s: %s\n", static_cast<int>(cmd.size()), cmd.data(), shown.c_str(), in.error.c_str());
        status = exit_usage;
        return std::nullopt;
    }
    if (in.insns.empty()) {
        std::fprintf(stderr, "ctbpf %.*s: %s: the file holds no instructions\n", static_cast<int>(cmd.size()), cmd.data(),
                     shown.c_str());
        status = exit_usage;
        return std::nullopt;
    }
    insns = std::move(in.insns);
    sys::result<sys::prog> p = sys::load(sys::program_image(std::span<const insn>(insns)), o.load, {}, &rep);
    if (o.show_log && !rep.log.empty()) std::fprintf(stderr, "%s", rep.log.c_str());
    if (!p) {
        std::fprintf(stderr, "ctbpf %.*s: %s: %s\n", static_cast<int>(cmd.size()), cmd.data(), shown.c_str(),
                     p.error().describe().c_str());
        if (o.show_log)
            for (const std::string& l : p.error().log) std::fprintf(stderr, "  log: %s\n", l.c_str());
        status = exit_refused;
        return std::nullopt;
    }
    return std::move(p).value();
}

inline bool read_file(std::string_view cmd, const std::string& path, std::vector<std::byte>& out, int& status) {
    std::vector<unsigned char> raw;
    const std::string err = read_bytes(path, raw);
    if (!err.empty()) {
        std::fprintf(stderr, "ctbpf %.*s: %s: %s\n", static_cast<int>(cmd.size()), cmd.data(), path.c_str(), err.c_str());
        status = exit_usage;
        return false;
    }
    out.resize(raw.size());
    if (!raw.empty()) std::memcpy(out.data(), raw.data(), raw.size());
    return true;
}

inline void hex_dump(std::span<const std::byte> d) {
    for (std::size_t i = 0; i < d.size(); i += 16) {
        std::printf("  %04zx:", i);
        for (std::size_t j = i; j < i + 16 && j < d.size(); ++j) std::printf(" %02x", static_cast<unsigned>(d[j]));
        std::printf("\n");
    }
}

inline std::string retval_name(std::uint32_t type, std::uint32_t v) {
    if (type == BPF_PROG_TYPE_XDP) {
        constexpr const char* names[] = {"XDP_ABORTED", "XDP_DROP", "XDP_PASS", "XDP_TX", "XDP_REDIRECT"};
        if (v < 5) return names[v];
    }
    if (type == BPF_PROG_TYPE_SCHED_CLS || type == BPF_PROG_TYPE_SCHED_ACT) {
        constexpr const char* names[] = {"TC_ACT_OK", "TC_ACT_RECLASSIFY", "TC_ACT_SHOT", "TC_ACT_PIPE",
                                         "TC_ACT_STOLEN", "TC_ACT_QUEUED", "TC_ACT_REPEAT", "TC_ACT_REDIRECT"};
        if (v < 8) return names[v];
    }
    return {};
}

} // namespace sys_detail

inline constexpr std::string_view load_help =
    "usage: ctbpf load FILE --type NAME [--hex] [--name NAME] [--license L] [--attach-type N]\n"
    "                  [--log-level N] [--log] [--check] [--pin PATH]\n"
    "\n"
    "Loads FILE's instructions with bpf(BPF_PROG_LOAD) and prints 'id ID tag TAG'. The program\n"
    "is unloaded when ctbpf exits unless --pin keeps it (PATH on a bpf filesystem).\n"
    "When the kernel refuses it, prints the error, the verifier's message lines and the offending\n"
    "instruction in LLVM syntax (the log is asked for only after a failure, and grown as needed).\n"
    "\n"
    "  FILE             raw little-endian struct bpf_insn records; '-' reads stdin\n"
    "  --type NAME      program type: xdp, socket_filter, tracepoint, sched_cls, cgroup_skb, ...\n"
    "  --hex            FILE is hex text (as for 'ctbpf disasm --hex')\n"
    "  --name NAME      the program's name in the kernel\n"
    "  --license L      license string (default GPL)\n"
    "  --attach-type N  expected attach type (enum bpf_attach_type)\n"
    "  --log-level N    always ask for the verifier log at level N; --log prints it\n"
    "  --check          run ctbpf's own verifier first; if it rejects FILE, the kernel is not asked\n"
    "\n"
    "Exit status: 0 loaded, 1 the kernel refused (verifier, privilege, ...), 2 usage error or\n"
    "malformed input.\n";

inline constexpr std::string_view run_help =
    "usage: ctbpf run FILE --type NAME [--data FILE] [--ctx FILE] [--repeat N] [--hex] [--name NAME]\n"
    "                 [--license L] [--attach-type N] [--log-level N] [--log] [--check]\n"
    "\n"
    "Loads FILE's instructions and test-runs them with BPF_PROG_TEST_RUN. Prints the return\n"
    "value ('retval 2 (XDP_PASS)'), the kernel's mean duration per run, and the output data as\n"
    "hex when the program changed it.\n"
    "\n"
    "  --data FILE      packet data in (raw bytes); XDP and skb programs need at least 14\n"
    "  --ctx FILE       context in (raw bytes, e.g. struct xdp_md or struct __sk_buff)\n"
    "  --repeat N       run N times (the duration is the mean)\n"
    "  (the other options as for 'ctbpf load')\n"
    "\n"
    "Exit status: 0 ran, 1 the kernel refused to load or run it, 2 usage error or malformed input.\n";

inline int cmd_load(std::span<char* const> args) {
    sys_detail::common_options o;
    if (const int r = sys_detail::parse("load", args, o, load_help, false); r >= 0) return r;
    int status = 0;
    sys::load_report rep;
    std::vector<insn> insns;
    std::optional<sys::prog> p = sys_detail::read_and_load("load", o, status, rep, insns);
    if (!p) return status;
    sys::result<sys::prog_info> info = p->info();
    if (!info) {
        std::fprintf(stderr, "ctbpf load: %s\n", info.error().describe().c_str());
        return sys_detail::exit_refused;
    }
    std::printf("id %u tag %s\n", info->id, info->tag_hex().c_str());
    if (!o.pin_path.empty()) {
        sys::result<void> pinned = sys::pin(*p, o.pin_path);
        if (!pinned) {
            std::fprintf(stderr, "ctbpf load: %s\n", pinned.error().describe().c_str());
            return sys_detail::exit_refused;
        }
        std::printf("pinned %s\n", o.pin_path.c_str());
    }
    return std::fflush(stdout) == 0 ? 0 : 1;
}

inline int cmd_run(std::span<char* const> args) {
    sys_detail::common_options o;
    if (const int r = sys_detail::parse("run", args, o, run_help, true); r >= 0) return r;
    if (!o.pin_path.empty()) return sys_detail::usage("run", "--pin is for 'ctbpf load'");
    int status = 0;
    std::vector<std::byte> data, ctx;
    if (!o.data_path.empty() && !sys_detail::read_file("run", o.data_path, data, status)) return status;
    if (!o.ctx_path.empty() && !sys_detail::read_file("run", o.ctx_path, ctx, status)) return status;
    sys::load_report rep;
    std::vector<insn> insns;
    std::optional<sys::prog> p = sys_detail::read_and_load("run", o, status, rep, insns);
    if (!p) return status;
    sys::result<sys::test_run_result> r = sys::test_run(*p, {.data = data, .ctx = ctx, .repeat = o.repeat});
    if (!r) {
        std::fprintf(stderr, "ctbpf run: %s\n", r.error().describe().c_str());
        return sys_detail::exit_refused;
    }
    const std::string name = sys_detail::retval_name(o.load.type, r->retval);
    std::printf("retval %u", r->retval);
    if (!name.empty()) std::printf(" (%s)", name.c_str());
    std::printf("\nduration %lld ns", static_cast<long long>(r->duration.count()));
    if (o.repeat > 1) std::printf(" (mean of %u runs)", o.repeat);
    std::printf("\n");
    const bool changed = r->data.size() != data.size() ||
                         (!data.empty() && std::memcmp(r->data.data(), data.data(), data.size()) != 0);
    if (!data.empty() && changed) {
        std::printf("data out (%zu bytes, changed):\n", r->data.size());
        sys_detail::hex_dump(r->data);
    }
    return std::fflush(stdout) == 0 ? 0 : 1;
}

} // namespace ctbpf::cli
