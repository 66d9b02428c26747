// The ctbpf CLI's kernel subcommands: `ctbpf load` (BPF_PROG_LOAD: id and tag, or the error with the
// verifier's message lines; attach to probes and, by BTF name, tracing/LSM/iterator targets) and
// `ctbpf run` (BPF_PROG_TEST_RUN: return value, duration, output).
// Exit status: 0 success, 1 the kernel refused, 2 usage error or malformed input.
#pragma once

#include "cli_input.hpp"
#include "cli_verify.hpp"

#include "ctbpf/sys/btf.hpp"
#include "ctbpf/sys/iter.hpp"
#include "ctbpf/sys/load.hpp"
#include "ctbpf/sys/lsm.hpp"
#include "ctbpf/sys/names.hpp"
#include "ctbpf/sys/pin.hpp"
#include "ctbpf/sys/probe.hpp"
#include "ctbpf/sys/test_run.hpp"
#include "ctbpf/vm.hpp"

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


// Options shared by load and run.
struct common_options {
    std::string path;
    std::string data_path, ctx_path, pin_path;
    bool have_path = false, hex = false, show_log = false, vm = false, trace = false;
    std::vector<map_shape> maps; // --map: the shapes of the maps the program's lddw imm FD refer to
    std::optional<prog_type> type;
    sys::load_options load{};
    std::string name, license = "GPL";
    std::uint32_t repeat = 1;
    std::optional<std::uint32_t> cpu; // --cpu: BPF_F_TEST_RUN_ON_CPU
    std::optional<std::uint32_t> prog_flags; // --prog-flags; syscall programs default to BPF_F_SLEEPABLE
    std::string probe, probe_target;         // load --uprobe BINARY:SYMBOL (or --uretprobe, --kprobe, --kretprobe FUNCTION)
    std::string attach_btf;                  // --attach-btf NAME|ID: the BTF target of tracing, lsm and iterator programs
    bool have_attach_type = false, attach = false; // --attach-type given; load --attach
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
            // (the default: ctbpf's verifier first)
        } else if (a == "--unchecked") {
            o.load.verifier = ctbpf::unchecked;
        } else if (!is_run && a == "--attach") {
            o.attach = true;
        } else if (is_run && (a == "--vm" || a == "--trace")) {
            (a == "--vm" ? o.vm : o.trace) = true;
        } else if (a == "--map") {
            const auto v = value(a);
            if (!v) return usage(cmd, "--map needs a value (FD=TYPE,KEY_SIZE,VALUE_SIZE,MAX_ENTRIES[,FLAGS])");
            std::string error;
            const std::optional<map_shape> m = parse_map_option(*v, error);
            if (!m) return usage(cmd, error);
            for (const map_shape& other : o.maps)
                if (other.fd == m->fd) return usage(cmd, "--map " + std::to_string(m->fd) + " given twice");
            o.maps.push_back(*m);
        } else if (a == "--type" || a == "--name" || a == "--license" || a == "--attach-type" || a == "--log-level" ||
                   a == "--prog-flags" || a == "--pin" || a == "--attach-btf" || (is_run && (a == "--data" || a == "--ctx" || a == "--repeat" || a == "--cpu")) ||
                   (!is_run && (a == "--uprobe" || a == "--uretprobe" || a == "--kprobe" || a == "--kretprobe"))) {
            const auto v = value(a);
            if (!v) return usage(cmd, "option '" + std::string(a) + "' needs a value");
            std::string error;
            if (a == "--uprobe" || a == "--uretprobe" || a == "--kprobe" || a == "--kretprobe") {
                if (!o.probe.empty()) return usage(cmd, "one probe at a time ('" + o.probe + "' and '" + std::string(a) + "' given)");
                const bool user = a == "--uprobe" || a == "--uretprobe";
                const std::size_t colon = v->rfind(':');
                if (v->empty() || (user && (colon == std::string_view::npos || colon == 0 || colon + 1 == v->size())))
                    return usage(cmd, std::string(a) + " takes " + (user ? "BINARY:SYMBOL" : "FUNCTION") + ", not '" + std::string(*v) + "'");
                o.probe = a;
                o.probe_target = *v;
            } else if (a == "--type") {
                o.type = parse_type_option(*v, error);
                if (!o.type) return usage(cmd, error);
            } else if (a == "--attach-type") {
                // libbpf's section names of the BTF-attached types, besides the vocabulary's names
                const std::string_view sec = *v == "fentry" ? "trace_fentry" : *v == "fexit" ? "trace_fexit" : *v == "fmod_ret" ? "modify_return"
                                           : *v == "tp_btf" ? "trace_raw_tp" : *v == "lsm" ? "lsm_mac" : *v;
                const std::optional<attach_type> t = parse_attach_option(sec, error);
                if (!t) return usage(cmd, error);
                o.load.expected_attach_type = *t;
                o.have_attach_type = true;
            } else if (a == "--attach-btf") {
                if (v->empty()) return usage(cmd, "--attach-btf takes a name or a BTF id");
                o.attach_btf = *v;
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
                if (a == "--log-level") o.load.log_level = *n;
                if (a == "--prog-flags") o.prog_flags = *n;
                if (a == "--repeat") o.repeat = *n;
                if (a == "--cpu") o.cpu = *n;
            }
        } else {
            return usage(cmd, "unknown option '" + std::string(a) + "'");
        }
    }
    if (!o.have_path) return usage(cmd, "missing FILE (use '-' for stdin)");
    if (!o.type) return usage(cmd, "missing --type NAME (e.g. --type xdp)");
    if (o.trace && !o.vm) return usage(cmd, "--trace needs --vm (the interpreter)");
    if (o.cpu && o.vm) return usage(cmd, "--cpu is for the kernel, not --vm");
    if (!o.attach_btf.empty() && *o.type != prog_type::tracing && *o.type != prog_type::lsm)
        return usage(cmd, "--attach-btf is for --type tracing or lsm (it is " + std::string(to_string(*o.type)) + ")");
    if (*o.type == prog_type::lsm && !o.have_attach_type) o.load.expected_attach_type = attach_type::lsm_mac;
    if (!o.attach_btf.empty() && *o.type == prog_type::tracing && !o.have_attach_type)
        return usage(cmd, "--type tracing needs --attach-type: fentry, fexit, fmod_ret, tp_btf or iter");
    if (o.attach && o.attach_btf.empty())
        return usage(cmd, "--attach attaches a tracing or lsm program to its --attach-btf target (probes: --uprobe, --kprobe, ...)");
    if (o.attach && !o.probe.empty()) return usage(cmd, "--attach and " + o.probe + " both given: one attachment at a time");
    o.load.type = *o.type;
    o.load.flags = o.prog_flags ? *o.prog_flags : *o.type == prog_type::syscall ? BPF_F_SLEEPABLE : 0;
    o.load.name = o.name;
    o.load.license = o.license;
    return -1;
}

// Reads the program file; prints the error (exit status in `status`) on failure.
inline bool read_insns(std::string_view cmd, const common_options& o, int& status, std::vector<insn>& insns) {
    const std::string shown = o.path == "-" ? "<stdin>" : o.path;
    program_input in = read_program(o.path, o.hex ? input_format::hex : input_format::raw);
    if (!in.ok()) {
        std::fprintf(stderr, "ctbpf %.*s: %s: %s\n", static_cast<int>(cmd.size()), cmd.data(), shown.c_str(), in.error.c_str());
        status = exit_usage;
        return false;
    }
    if (in.insns.empty()) {
        std::fprintf(stderr, "ctbpf %.*s: %s: the file holds no instructions\n", static_cast<int>(cmd.size()), cmd.data(),
                     shown.c_str());
        status = exit_usage;
        return false;
    }
    insns = std::move(in.insns);
    return true;
}

// Creates the --map maps and points the program's map references at them: lddw imm FD (src 1/2)
// and fd_array index FD (src 5/6, rewritten to src 1/2) get the created map's fd.
inline bool create_maps(std::string_view cmd, const common_options& o, std::vector<insn>& insns,
                        std::vector<sys::raw_map>& maps, int& status) {
    for (const map_shape& m : o.maps) {
        sys::result<sys::raw_map> r = sys::raw_map::create(static_cast<std::uint32_t>(m.type), m.key_size, m.value_size,
                                                           m.max_entries, {.flags = m.flags});
        if (!r) {
            std::fprintf(stderr, "ctbpf %.*s: --map %d: %s\n", static_cast<int>(cmd.size()), cmd.data(), m.fd,
                         r.error().describe().c_str());
            status = exit_refused;
            return false;
        }
        maps.push_back(std::move(r).value());
    }
    for (std::size_t i = 0; i + 1 < insns.size(); ++i) {
        insn& x = insns[i];
        if (x.code != (op::ld | op::imm | op::dw)) continue;
        if (x.src_reg == op::pseudo_map_fd || x.src_reg == op::pseudo_map_value || x.src_reg == op::pseudo_map_idx ||
            x.src_reg == op::pseudo_map_idx_value)
            for (std::size_t k = 0; k < o.maps.size(); ++k)
                if (o.maps[k].fd == x.imm) {
                    x.imm = maps[k].fd();
                    if (x.src_reg == op::pseudo_map_idx) x.src_reg = op::pseudo_map_fd;
                    if (x.src_reg == op::pseudo_map_idx_value) x.src_reg = op::pseudo_map_value;
                    break;
                }
        if (x.src_reg == op::pseudo_map_idx || x.src_reg == op::pseudo_map_idx_value) {
            std::fprintf(stderr, "ctbpf %.*s: insn %zu refers to fd_array index %d (lddw src %u) but no --map %d=... was given\n",
                         static_cast<int>(cmd.size()), cmd.data(), i, x.imm, static_cast<unsigned>(x.src_reg), x.imm);
            status = exit_usage;
            return false;
        }
        ++i;
    }
    return true;
}

// Resolves --attach-btf into load_options::attach_btf_id: a number as it is, else by attach type a
// FUNC (fentry, fexit, fmod_ret), btf_trace_NAME (tp_btf), bpf_lsm_NAME (lsm, which must be active)
// or bpf_iter_NAME (iter) in vmlinux BTF. Prints the error (exit status in `status`).
inline bool resolve_attach_btf(std::string_view cmd, common_options& o, int& status) {
    if (o.attach_btf.empty()) return true;
    if (const auto n = parse_u32(o.attach_btf)) {
        o.load.attach_btf_id = *n;
        return true;
    }
    auto strip = [&](std::string_view prefix) {
        std::string_view n = o.attach_btf;
        return n.starts_with(prefix) ? n.substr(prefix.size()) : n;
    };
    const attach_type t = static_cast<attach_type>(o.load.expected_attach_type.raw());
    sys::result<std::uint32_t> id = [&]() -> sys::result<std::uint32_t> {
        auto id_of = [](sys::result<sys::load_options> r) -> sys::result<std::uint32_t> {
            if (!r) return std::move(r).error();
            return r->attach_btf_id;
        };
        switch (t) {
        case attach_type::trace_fentry:
        case attach_type::trace_fexit:
        case attach_type::modify_return: return sys::btf_function_id(o.attach_btf);
        case attach_type::trace_raw_tp: return id_of(sys::tp_btf_options(strip("btf_trace_")));
        case attach_type::trace_iter: return id_of(sys::iter_options(strip("bpf_iter_")));
        case attach_type::lsm_mac: return id_of(sys::lsm_options(strip("bpf_lsm_")));
        default:
            return sys::make_error(EINVAL, "--attach-btf " + o.attach_btf,
                                   "names are looked up for attach types fentry, fexit, fmod_ret, tp_btf, lsm and iter (" +
                                       std::string(to_string(t)) + " given); give a BTF id instead");
        }
    }();
    if (!id) {
        std::fprintf(stderr, "ctbpf %.*s: %s\n", static_cast<int>(cmd.size()), cmd.data(), id.error().describe().c_str());
        status = exit_refused;
        return false;
    }
    o.load.attach_btf_id = *id;
    return true;
}

// Reads, binds the --map maps and loads the program; prints the error (exit status in `status`).
inline std::optional<sys::prog> read_and_load(std::string_view cmd, const common_options& o, int& status,
                                              sys::load_report& rep, std::vector<insn>& insns,
                                              std::vector<sys::raw_map>& maps) {
    const std::string shown = o.path == "-" ? "<stdin>" : o.path;
    if (!read_insns(cmd, o, status, insns) || !create_maps(cmd, o, insns, maps, status)) return std::nullopt;
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

inline std::string retval_name(kernel_enum<prog_type> type, std::uint32_t v) {
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
    "usage: ctbpf load FILE --type NAME [--hex] [--name NAME] [--license L] [--attach-type T]\n"
    "                  [--log-level N] [--prog-flags N] [--log] [--unchecked] [--pin PATH] [--map FD=SHAPE]...\n"
    "                  [--uprobe|--uretprobe BINARY:SYMBOL | --kprobe|--kretprobe FUNCTION]\n"
    "                  [--attach-btf NAME|ID [--attach]]\n"
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
    "  --attach-type T  expected attach type: a name (cgroup_inet_egress, egress,\n"
    "                   BPF_CGROUP_INET_EGRESS, fentry, fexit, fmod_ret, tp_btf, lsm, iter, ...) or\n"
    "                   a number (enum bpf_attach_type)\n"
    "  --attach-btf NAME|ID\n"
    "                   (--type tracing or lsm) the target in vmlinux BTF: a kernel function\n"
    "                   (fentry, fexit, fmod_ret), a raw tracepoint (tp_btf: sys_enter for\n"
    "                   btf_trace_sys_enter), an LSM hook (lsm: file_open; the BPF LSM must be\n"
    "                   active), an iterator target (iter: task); or a BTF id\n"
    "  --attach         attach it there after loading (BPF_LINK_CREATE) and print the link; an\n"
    "                   iterator is also run once and its output printed; with --pin the link\n"
    "                   is pinned and stays attached after ctbpf exits\n"
    "  --log-level N    always ask for the verifier log at level N; --log prints it\n"
    "  --prog-flags N   BPF_F_* program flags (default 0; syscall programs: BPF_F_SLEEPABLE, 16,\n"
    "                   as the kernel requires)\n"
    "  --unchecked      do not run ctbpf's own verifier first (by default, if it rejects FILE,\n"
    "                   the kernel is not asked)\n"
    "  --map FD=TYPE,KEY_SIZE,VALUE_SIZE,MAX_ENTRIES[,FLAGS]\n"
    "                   create a map of that shape for the program's lddw imm FD (src 1/2) and\n"
    "                   fd_array index FD (src 5/6); TYPE as bpftool spells it (hash, array, ...)\n"
    "  --uprobe BINARY:SYMBOL, --uretprobe BINARY:SYMBOL\n"
    "                   attach the (kprobe-type) program to function SYMBOL of the ELF file BINARY\n"
    "                   (its .symtab or .dynsym) and print the link; with --pin the link is pinned\n"
    "                   and stays attached after ctbpf exits\n"
    "  --kprobe FUNCTION, --kretprobe FUNCTION\n"
    "                   the same on a kernel function (kernels with kprobes)\n"
    "\n"
    "Exit status: 0 loaded, 1 the kernel refused (verifier, privilege, ...), 2 usage error or\n"
    "malformed input.\n";

inline constexpr std::string_view run_help =
    "usage: ctbpf run FILE --type NAME [--data FILE] [--ctx FILE] [--repeat N] [--cpu N] [--hex]\n"
    "                 [--name NAME]\n"
    "                 [--license L] [--attach-type T] [--attach-btf NAME|ID] [--log-level N] [--prog-flags N]\n"
    "                 [--log] [--unchecked]\n"
    "                 [--map FD=TYPE,KEY_SIZE,VALUE_SIZE,MAX_ENTRIES[,FLAGS]]... [--vm [--trace]]\n"
    "\n"
    "Loads FILE's instructions and test-runs them with BPF_PROG_TEST_RUN. Prints the return\n"
    "value ('retval 2 (XDP_PASS)'), the kernel's mean duration per run (for the types that have\n"
    "one), and the output data and context as hex when they differ from the input (flow_dissector:\n"
    "the data out is the struct bpf_flow_keys it filled). An input the program type cannot take\n"
    "is refused before the kernel is asked.\n"
    "\n"
    "  --data FILE      packet data in (raw bytes); XDP, skb and flow_dissector programs need an\n"
    "                   Ethernet frame (skb: with the whole IPv4/IPv6 header its ethertype names)\n"
    "  --ctx FILE       context in (raw bytes): struct __sk_buff (skb types), struct xdp_md,\n"
    "                   struct bpf_flow_keys, struct bpf_sk_lookup (required), the u64 arguments\n"
    "                   (raw_tracepoint, at most 12), the context of a syscall program (printed\n"
    "                   back as the program left it)\n"
    "  --repeat N       run N times (the duration is the mean); raw_tracepoint and syscall\n"
    "                   programs run once\n"
    "  --cpu N          (raw_tracepoint) run on cpu N (BPF_F_TEST_RUN_ON_CPU)\n"
    "  --map FD=TYPE,KEY_SIZE,VALUE_SIZE,MAX_ENTRIES[,FLAGS]\n"
    "                   create a map of that shape for the program's lddw imm FD (src 1/2) and\n"
    "                   fd_array index FD (src 5/6); TYPE as bpftool spells it (hash, array, ...)\n"
    "  --vm             run in ctbpf's interpreter instead of the kernel (no privilege needed);\n"
    "                   prints the instructions executed instead of the duration; a fault names\n"
    "                   the instruction and exits 1\n"
    "  --trace          (with --vm) print each instruction executed and the register it changed\n"
    "  (the other options as for 'ctbpf load')\n"
    "\n"
    "Exit status: 0 ran, 1 the kernel refused to load or run it (--vm: the program faulted), 2 usage\n"
    "error or malformed input.\n";

inline int cmd_load(std::span<char* const> args) {
    sys_detail::common_options o;
    if (const int r = sys_detail::parse("load", args, o, load_help, false); r >= 0) return r;
    int status = 0;
    if (!sys_detail::resolve_attach_btf("load", o, status)) return status;
    sys::load_report rep;
    std::vector<insn> insns;
    std::vector<sys::raw_map> maps;
    std::optional<sys::prog> p = sys_detail::read_and_load("load", o, status, rep, insns, maps);
    if (!p) return status;
    sys::result<sys::prog_info> info = p->info();
    if (!info) {
        std::fprintf(stderr, "ctbpf load: %s\n", info.error().describe().c_str());
        return sys_detail::exit_refused;
    }
    std::printf("id %u tag %s\n", info->id, info->tag_hex().c_str());
    if (!o.probe.empty() || o.attach) {
        const auto t = o.load.expected_attach_type;
        sys::result<sys::link> l = [&] {
            if (o.attach && t == attach_type::trace_iter) return sys::attach_iter(*p);
            if (o.attach) {
                const std::string_view kind = t == attach_type::trace_fentry ? "fentry" : t == attach_type::trace_fexit ? "fexit"
                                            : t == attach_type::modify_return ? "fmod_ret" : t == attach_type::trace_raw_tp ? "tp_btf"
                                            : t == attach_type::lsm_mac ? "lsm" : to_string(t);
                return sys::attach_tracing(*p, t, std::string(kind) + " " + o.attach_btf);
            }
            const bool ret = o.probe == "--uretprobe" || o.probe == "--kretprobe";
            if (o.probe == "--kprobe" || o.probe == "--kretprobe") return sys::attach_kprobe(*p, o.probe_target, {.retprobe = ret});
            const std::size_t colon = o.probe_target.rfind(':');
            return sys::attach_uprobe(*p, o.probe_target.substr(0, colon), std::string_view(o.probe_target).substr(colon + 1),
                                      {.retprobe = ret});
        }();
        if (!l) {
            std::fprintf(stderr, "ctbpf load: %s\n", l.error().describe().c_str());
            return sys_detail::exit_refused;
        }
        sys::result<sys::link_info> li = l->info();
        std::printf("attached %s (link id %u)\n", l->what().c_str(), li ? li->id : 0);
        if (o.attach && t == attach_type::trace_iter) {
            sys::result<std::string> out = sys::iterate(*l);
            if (!out) {
                std::fprintf(stderr, "ctbpf load: %s\n", out.error().describe().c_str());
                return sys_detail::exit_refused;
            }
            std::fwrite(out->data(), 1, out->size(), stdout);
        }
        if (o.pin_path.empty()) {
            std::printf("detached at exit (--pin PATH keeps it)\n");
        } else if (sys::result<void> pinned = sys::pin(*l, o.pin_path); !pinned) {
            std::fprintf(stderr, "ctbpf load: %s\n", pinned.error().describe().c_str());
            return sys_detail::exit_refused;
        } else {
            std::printf("pinned link %s\n", o.pin_path.c_str());
        }
        return std::fflush(stdout) == 0 ? 0 : 1;
    }
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

// `ctbpf run --vm`: the interpreter instead of the kernel; the same output, with the instructions
// executed instead of the duration; a fault names the instruction. --trace lists each instruction
// executed with the register it changed.
inline int run_vm(const sys_detail::common_options& o, std::span<const std::byte> data, std::span<const std::byte> ctx) {
    int status = 0;
    std::vector<insn> insns;
    if (!sys_detail::read_insns("run", o, status, insns)) return status;
    // fd N (src 1/2) and fd_array index N (src 5/6) name the --map N map; the gaps are no maps
    std::vector<named_map_shape> table;
    for (const map_shape& m : o.maps) {
        if (!vm::supported_map(m.type))
            return sys_detail::usage("run", "--map " + std::to_string(m.fd) + ": the interpreter has no " +
                                                std::string(to_string(m.type)) + " maps");
        if (static_cast<std::size_t>(m.fd) >= table.size()) table.resize(static_cast<std::size_t>(m.fd) + 1);
        table[static_cast<std::size_t>(m.fd)] = {"", m};
    }
    if (o.load.verifier.verify) { // the default, as for the kernel: ctbpf's verifier first
        options v = o.load.verifier;
        v.type = *o.type;
        v.expected_attach_type = o.load.expected_attach_type;
        const check_result c = check(insns, v, o.maps);
        if (!c.ok()) {
            std::fprintf(stderr, "ctbpf run: ctbpf's verifier rejects the program (%s; --unchecked runs it anyway)\n  ctbpf: %.*s\n  at %s\n",
                         std::string(to_string(c.code)).c_str(), static_cast<int>(c.message().size()), c.message().data(),
                         sys::annotate_insn(insns, {}, c.index).c_str());
            return sys_detail::exit_refused;
        }
    }
    vm::machine machine(table);
    vm::input in{};
    in.type = *o.type;
    in.packet = {reinterpret_cast<const std::uint8_t*>(data.data()), data.size()};
    in.ctx = {reinterpret_cast<const std::uint8_t*>(ctx.data()), ctx.size()};
    in.trace = o.trace;
    vm::result r = machine.run(insns, in);
    for (const vm::trace_step& t : r.trace) {
        const disasm_result d = disasm_one(insns, t.index);
        std::string line = format_line(t.index, d.ok() ? d.text.view() : std::string_view("<?>"));
        if (t.reg != 0xff && t.before != t.after) {
            char buf[48];
            if (t.points_to == vm::region_kind::none)
                std::snprintf(buf, sizeof buf, "r%u = %#llx", t.reg, static_cast<unsigned long long>(t.after));
            else
                std::snprintf(buf, sizeof buf, "r%u = %s%+lld", t.reg,
                              t.points_to == vm::region_kind::packet ? "pkt" : t.points_to == vm::region_kind::stack ? "fp"
                              : t.points_to == vm::region_kind::ctx ? "ctx" : t.points_to == vm::region_kind::map_value ? "map_value"
                              : t.points_to == vm::region_kind::map ? "map" : t.points_to == vm::region_kind::ringbuf_record ? "ringbuf_mem" : "mem",
                              static_cast<long long>(t.offset));
            line.resize(std::max<std::size_t>(line.size() + 1, 40), ' ');
            line += "; ";
            line += buf;
        }
        std::printf("%s\n", line.c_str());
    }
    if (r.fault == vm::fault::bad_input) {
        std::fprintf(stderr, "ctbpf run: %.*s\n", static_cast<int>(r.message.size()), r.message.data());
        return sys_detail::exit_usage;
    }
    if (!r.ok()) {
        const disasm_result d = disasm_one(insns, r.index);
        std::fprintf(stderr, "ctbpf run: %s at insn %u (%.*s): %.*s\n", std::string(vm::to_string(r.fault)).c_str(), r.index,
                     static_cast<int>(d.text.view().size()), d.text.view().data(), static_cast<int>(r.message.size()),
                     r.message.data());
        return sys_detail::exit_refused;
    }
    const auto retval = static_cast<std::uint32_t>(r.retval);
    const std::string name = sys_detail::retval_name(*o.type, retval);
    std::printf("retval %u", retval);
    if (!name.empty()) std::printf(" (%s)", name.c_str());
    if ((r.retval >> 32) != 0) std::printf(" (r0 %#llx)", static_cast<unsigned long long>(r.retval));
    std::printf("\nexecuted %llu instructions (interpreter)\n", static_cast<unsigned long long>(r.executed));
    if (!r.printed.empty()) std::printf("printed:\n%.*s", static_cast<int>(r.printed.size()), r.printed.data());
    const bool changed = r.packet.size() != data.size() ||
                         (!data.empty() && std::memcmp(r.packet.data(), data.data(), data.size()) != 0);
    if (!data.empty() && changed) {
        std::printf("data out (%u bytes, changed):\n", r.packet.size());
        sys_detail::hex_dump({reinterpret_cast<const std::byte*>(r.packet.data()), r.packet.size()});
    }
    return std::fflush(stdout) == 0 ? 0 : 1;
}

inline int cmd_run(std::span<char* const> args) {
    sys_detail::common_options o;
    if (const int r = sys_detail::parse("run", args, o, run_help, true); r >= 0) return r;
    if (!o.pin_path.empty()) return sys_detail::usage("run", "--pin is for 'ctbpf load'");
    int status = 0;
    if (!o.vm && !sys_detail::resolve_attach_btf("run", o, status)) return status;
    std::vector<std::byte> data, ctx;
    if (!o.data_path.empty() && !sys_detail::read_file("run", o.data_path, data, status)) return status;
    if (!o.ctx_path.empty() && !sys_detail::read_file("run", o.ctx_path, ctx, status)) return status;
    if (o.vm) return run_vm(o, data, ctx);
    sys::load_report rep;
    std::vector<insn> insns;
    std::vector<sys::raw_map> maps;
    std::optional<sys::prog> p = sys_detail::read_and_load("run", o, status, rep, insns, maps);
    if (!p) return status;
    sys::test_run_options t{.data = data, .ctx = ctx, .repeat = o.repeat};
    if (o.cpu) {
        t.flags = sys::test_run_on_cpu;
        t.cpu = *o.cpu;
    }
    sys::result<sys::test_run_result> r = sys::test_run(*p, t);
    if (!r) {
        std::fprintf(stderr, "ctbpf run: %s\n", r.error().describe().c_str());
        return sys_detail::exit_refused;
    }
    const std::string name = sys_detail::retval_name(o.load.type, r->retval);
    std::printf("retval %u", r->retval);
    if (!name.empty()) std::printf(" (%s)", name.c_str());
    std::printf("\n");
    const sys::test_run_inputs in = sys::test_run_inputs_of(o.load.type);
    if (!in.known || in.repeat) {
        std::printf("duration %lld ns", static_cast<long long>(r->duration.count()));
        if (o.repeat > 1) std::printf(" (mean of %u runs)", o.repeat);
        std::printf("\n");
    }
    auto differs = [](std::span<const std::byte> out, std::span<const std::byte> given) {
        return out.size() != given.size() || (!given.empty() && std::memcmp(out.data(), given.data(), given.size()) != 0);
    };
    if (!r->data.empty() && differs(r->data, data)) {
        std::printf("data out (%zu bytes, changed):\n", r->data.size());
        sys_detail::hex_dump(r->data);
    }
    if (!r->ctx.empty() && differs(r->ctx, ctx)) {
        std::printf("ctx out (%zu bytes, changed):\n", r->ctx.size());
        sys_detail::hex_dump(r->ctx);
    }
    return std::fflush(stdout) == 0 ? 0 : 1;
}

} // namespace ctbpf::cli
