// `ctbpf verify FILE [--type NAME] [--unpriv] [--lint] [--attach N] [--hex]`: ctbpf::check() on
// raw bytecode. Prints "ok" or "insn N: MESSAGE" (the kernel's message); what the model left to
// the kernel is noted on stderr. Exit status: 0 accepted, 1 rejected, 2 unusable input.
#pragma once

#include "cli_input.hpp"

#include "ctbpf/verify.hpp"

#include <cstdio>
#include <cstdlib>
#include <span>
#include <string>
#include <string_view>

namespace ctbpf::cli {

inline constexpr std::string_view verify_help =
    "usage: ctbpf verify FILE [--type NAME] [--unpriv] [--lint] [--attach N] [--hex]\n"
    "\n"
    "Checks FILE the way the Linux 6.18 verifier would (BPF_PROG_LOAD), without the kernel.\n"
    "Prints 'ok', or 'insn N: MESSAGE' with the kernel's message for the first error it would\n"
    "report. What needs kernel objects (map and BTF fds, helper prototypes per program type,\n"
    "context layouts) or the kernel's value ranges is left to the kernel (noted on stderr).\n"
    "\n"
    "  FILE         raw little-endian struct bpf_insn records; '-' reads stdin\n"
    "  --type NAME  program type as bpftool spells it: socket_filter, xdp, sched_cls, sched_act,\n"
    "               cgroup_skb, cgroup_sock, sock_ops, tracepoint, raw_tracepoint, kprobe, ...\n"
    "               (default: none; no return-value range, legacy packet loads allowed)\n"
    "  --unpriv     as an unprivileged user (kernel.unprivileged_bpf_disabled=0): 4096\n"
    "               instructions, no loops or calls, no pointer leaks\n"
    "  --lint       check every instruction, also those only reached on branches that cannot\n"
    "               be taken (the kernel skips them)\n"
    "  --attach N   expected attach type (enum bpf_attach_type), e.g. 1 for cgroup egress\n"
    "  --hex        FILE is hex text (as for 'ctbpf disasm --hex')\n"
    "\n"
    "Exit status: 0 accepted, 1 rejected, 2 usage error or malformed input.\n";

inline int verify_usage(std::string_view msg) {
    std::fprintf(stderr, "ctbpf verify: %.*s\nRun 'ctbpf verify --help' for usage.\n", static_cast<int>(msg.size()),
                 msg.data());
    return 2;
}

inline int cmd_verify(std::span<char* const> args) {
    std::string path;
    bool have_path = false, options_done = false;
    auto format = input_format::raw;
    options o{};
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string_view arg = args[i];
        if (!options_done && (arg == "--help" || arg == "-h")) {
            std::fputs(verify_help.data(), stdout);
            return 0;
        }
        if (!options_done && (arg == "--type" || arg == "--attach")) {
            if (i + 1 == args.size()) return verify_usage(std::string(arg) + " needs a value");
            const std::string_view value = args[++i];
            if (arg == "--type") {
                if (!parse_prog_type(value, o.type) || o.type == prog_type::unspecified) {
                    std::string names;
                    for (std::uint32_t t = 1; to_string(static_cast<prog_type>(t)) != "unknown"; ++t)
                        names += (t == 1 ? "" : ", ") + std::string(to_string(static_cast<prog_type>(t)));
                    return verify_usage("unknown program type '" + std::string(value) + "' (one of: " + names + ")");
                }
            } else {
                char* end = nullptr;
                const std::string v(value);
                const unsigned long n = std::strtoul(v.c_str(), &end, 0);
                if (v.empty() || *end != '\0' || n > 0xffffffffu)
                    return verify_usage("--attach takes a number (enum bpf_attach_type), not '" + v + "'");
                o.attach_type = static_cast<std::uint32_t>(n);
            }
        } else if (!options_done && arg == "--unpriv") {
            o.priv = privilege::unprivileged;
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
    const check_result r = check(in.insns, o);
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
        std::fprintf(stderr, "rule: %s (errno %d)\n", std::string(to_string(r.code)).c_str(), r.error);
    }
    if (std::fflush(stdout) != 0) {
        std::perror("ctbpf verify: writing the verdict");
        return 2;
    }
    return r.ok() ? 0 : 1;
}

} // namespace ctbpf::cli
