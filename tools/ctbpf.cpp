// The ctbpf command-line tool: subcommands over raw eBPF bytecode files.
// Exit status: 0 success, 1 output error, 2 usage error or malformed input.
#include "cli_btf.hpp"
#include "cli_input.hpp"
#include "cli_sys.hpp"
#include "cli_verify.hpp"

#include "ctbpf/disasm.hpp"

#include <cstdio>
#include <span>
#include <string>
#include <string_view>

namespace {

constexpr int exit_output_error = 1;
constexpr int exit_usage = 2;
constexpr int exit_bad_input = 2;

using args_t = std::span<char* const>; // the arguments after the subcommand name

struct subcommand {
    std::string_view name;
    std::string_view synopsis;
    std::string_view summary;
    int (*run)(args_t);
};

int cmd_disasm(args_t args);

// To add a subcommand: write cmd_NAME(args_t) and list it here.
constexpr subcommand subcommands[] = {
    {"btf", "btf struct NAME [--file BTF]", "list a kernel struct's members: name, bit offset, byte size",
     ctbpf::cli::cmd_btf},
    {"disasm", "disasm FILE [--hex] [--helper-names]", "print FILE's instructions in LLVM BPF assembly", cmd_disasm},
    {"load", "load FILE --type NAME", "load FILE into the kernel; print its id and tag", ctbpf::cli::cmd_load},
    {"run", "run FILE --type NAME", "test-run FILE (--data F): return value, duration, output", ctbpf::cli::cmd_run},
    {"verify", "verify FILE [--type NAME]", "check FILE as the kernel verifier would (--unpriv, --lint)",
     ctbpf::cli::cmd_verify},
};

void print_usage(std::FILE* to) {
    std::fputs("usage: ctbpf COMMAND [ARGS...]\n\ncommands:\n", to);
    for (const subcommand& c : subcommands)
        std::fprintf(to, "  %-28.*s %.*s\n", static_cast<int>(c.synopsis.size()), c.synopsis.data(),
                     static_cast<int>(c.summary.size()), c.summary.data());
    std::fputs("\nFILE holds raw little-endian struct bpf_insn records (8 bytes each); '-' reads stdin.\n"
               "Run 'ctbpf COMMAND --help' for details.\n",
               to);
}

int usage_error(std::string_view cmd, std::string_view msg) {
    std::fprintf(stderr, "ctbpf %.*s: %.*s\nRun 'ctbpf %.*s --help' for usage.\n", static_cast<int>(cmd.size()),
                 cmd.data(), static_cast<int>(msg.size()), msg.data(), static_cast<int>(cmd.size()), cmd.data());
    return exit_usage;
}

constexpr std::string_view disasm_help =
    "usage: ctbpf disasm FILE [--hex] [--helper-names]\n"
    "\n"
    "Prints one instruction per line as 'INDEX: TEXT' in LLVM BPF assembly (the spelling of\n"
    "llvm-objdump; lddw takes two slots and one line). Stops at the first malformed instruction.\n"
    "\n"
    "  FILE    raw little-endian struct bpf_insn records; '-' reads stdin\n"
    "  --hex   FILE is hex text instead: whitespace-separated digit pairs, optional 0x prefixes,\n"
    "          '#' comments (e.g. 'b7 00 00 00 05 00 00 00  95 00 00 00 00 00 00 00')\n"
    "  --helper-names  print helper calls as the kernel log does ('call bpf_map_lookup_elem#1')\n"
    "          instead of LLVM's 'call 1' (llvm-mc does not read it back)\n"
    "\n"
    "Exit status: 0 success, 1 output error, 2 usage error or malformed input (the message on\n"
    "stderr names the instruction index or byte offset).\n";

int cmd_disasm(args_t args) {
    std::string path;
    bool have_path = false, options_done = false;
    auto format = ctbpf::cli::input_format::raw;
    ctbpf::disasm_options dopt{};
    for (const char* a : args) {
        const std::string_view arg = a;
        if (!options_done && (arg == "--help" || arg == "-h")) {
            std::fputs(disasm_help.data(), stdout);
            return 0;
        }
        if (!options_done && arg == "--hex") {
            format = ctbpf::cli::input_format::hex;
        } else if (!options_done && arg == "--helper-names") {
            dopt.helper_names = true;
        } else if (!options_done && arg == "--") {
            options_done = true;
        } else if (!options_done && arg.size() > 1 && arg[0] == '-') {
            return usage_error("disasm", "unknown option '" + std::string(arg) + "'");
        } else if (have_path) {
            return usage_error("disasm", "more than one FILE given ('" + path + "', '" + std::string(arg) + "')");
        } else {
            path = arg;
            have_path = true;
        }
    }
    if (!have_path) return usage_error("disasm", "missing FILE (use '-' for stdin)");

    const std::string shown_name = path == "-" ? "<stdin>" : path;
    const ctbpf::cli::program_input in = ctbpf::cli::read_program(path, format);
    if (!in.ok()) {
        std::fprintf(stderr, "ctbpf disasm: %s: %s\n", shown_name.c_str(), in.error.c_str());
        return exit_bad_input;
    }
    const ctbpf::disasm_listing listing = ctbpf::disasm_program(in.insns, dopt);
    std::fwrite(listing.text.data(), 1, listing.text.size(), stdout);
    if (std::fflush(stdout) != 0) {
        std::perror("ctbpf disasm: writing the listing");
        return exit_output_error;
    }
    if (!listing.verdict.ok()) {
        std::fprintf(stderr, "ctbpf disasm: %s: insn %u: %.*s\n", shown_name.c_str(), listing.verdict.index,
                     static_cast<int>(listing.verdict.message().size()), listing.verdict.message().data());
        return exit_bad_input;
    }
    return 0;
}

} // namespace

int main(int argc, char** argv) {
    const args_t args(argv + 1, argc > 1 ? static_cast<std::size_t>(argc - 1) : 0);
    if (args.empty()) {
        print_usage(stderr);
        return exit_usage;
    }
    const std::string_view name = args[0];
    if (name == "--help" || name == "-h" || name == "help") {
        print_usage(stdout);
        return 0;
    }
    for (const subcommand& c : subcommands)
        if (c.name == name) return c.run(args.subspan(1));
    std::fprintf(stderr, "ctbpf: unknown command '%.*s'\n\n", static_cast<int>(name.size()), name.data());
    print_usage(stderr);
    return exit_usage;
}
