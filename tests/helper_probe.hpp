// Test-only: which helpers the live kernel lets each program type call, as root and unprivileged.
// For every (program type, helper id) it loads `call ID; exit` (R1 = ctx, R2..R5 uninitialised): the
// kernel rejects an unavailable helper at the call ("program of this type cannot use helper
// bpf_xxx#N"; older kernels also "unknown func bpf_xxx#N" for a proto without a function) and an
// available one later, on an argument ("R1 type=ctx expected=map_ptr", "R2 !read_ok"), a pre-argument check ("helper call might
// sleep in a non-sleepable prog") or the exit, or accepts it.
// The unprivileged runs go through one forked child (kernel_probe::run_unprivileged) for all of
// them. tests/verify_helpers_kernel_test.cpp compares the result with the generated table
// (include/ctbpf/verify/helper_availability.hpp); with CTBPF_HELPER_PROBE_OUT=FILE it also writes
// the measurement that tools/gen_helper_protos.py --availability FILE turns into that table.
#pragma once

#include "kernel_probe.hpp"

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <memory>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

namespace helper_probe {

// The program types probed, with the expected_attach_type used for each (the kernel needs one for
// some types; availability can depend on it: cgroup_sock_addr and cgroup_sockopt are probed with
// one representative attach type each, see attach_name).
struct probed_type {
    const char* name;        // bpftool spelling (= ctbpf::to_string(prog_type))
    std::uint32_t type;      // enum bpf_prog_type
    std::uint32_t attach;    // enum bpf_attach_type used for the load
    const char* attach_name; // its name ("" for 0)
    bool unprivileged;       // also probed unprivileged
    std::uint32_t prog_flags = 0; // BPF_F_SLEEPABLE for syscall (the kernel loads no other kind)
};

inline const std::vector<probed_type>& probed_types() {
    static const std::vector<probed_type> t = {
        {"socket_filter", BPF_PROG_TYPE_SOCKET_FILTER, 0, "", true},
        {"sched_cls", BPF_PROG_TYPE_SCHED_CLS, 0, "", false},
        {"sched_act", BPF_PROG_TYPE_SCHED_ACT, 0, "", false},
        {"xdp", BPF_PROG_TYPE_XDP, 0, "", false},
        {"cgroup_skb", BPF_PROG_TYPE_CGROUP_SKB, 0, "", true},
        {"cgroup_sock", BPF_PROG_TYPE_CGROUP_SOCK, BPF_CGROUP_INET_SOCK_CREATE, "cgroup_inet_sock_create", false},
        {"cgroup_sock_addr", BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_INET4_CONNECT, "cgroup_inet4_connect", false},
        {"sock_ops", BPF_PROG_TYPE_SOCK_OPS, 0, "", false},
        {"sk_skb", BPF_PROG_TYPE_SK_SKB, 0, "", false},
        {"sk_msg", BPF_PROG_TYPE_SK_MSG, 0, "", false},
        {"flow_dissector", BPF_PROG_TYPE_FLOW_DISSECTOR, 0, "", false},
        {"lwt_in", BPF_PROG_TYPE_LWT_IN, 0, "", false},
        {"lwt_out", BPF_PROG_TYPE_LWT_OUT, 0, "", false},
        {"lwt_xmit", BPF_PROG_TYPE_LWT_XMIT, 0, "", false},
        {"lwt_seg6local", BPF_PROG_TYPE_LWT_SEG6LOCAL, 0, "", false},
        {"tracepoint", BPF_PROG_TYPE_TRACEPOINT, 0, "", false},
        {"raw_tracepoint", BPF_PROG_TYPE_RAW_TRACEPOINT, 0, "", false},
        {"perf_event", BPF_PROG_TYPE_PERF_EVENT, 0, "", false},
        {"kprobe", BPF_PROG_TYPE_KPROBE, 0, "", false},
        {"cgroup_device", BPF_PROG_TYPE_CGROUP_DEVICE, 0, "", false},
        {"cgroup_sysctl", BPF_PROG_TYPE_CGROUP_SYSCTL, 0, "", false},
        {"cgroup_sockopt", BPF_PROG_TYPE_CGROUP_SOCKOPT, BPF_CGROUP_GETSOCKOPT, "cgroup_getsockopt", false},
        {"sk_reuseport", BPF_PROG_TYPE_SK_REUSEPORT, 0, "", false},
        {"sk_lookup", BPF_PROG_TYPE_SK_LOOKUP, BPF_SK_LOOKUP, "sk_lookup", false},
        {"syscall", BPF_PROG_TYPE_SYSCALL, 0, "", false, BPF_F_SLEEPABLE},
    };
    return t;
}

enum class verdict : std::uint8_t { available, cannot_use, unknown_func, load_failed };

inline const char* to_string(verdict v) {
    switch (v) {
    case verdict::available: return "yes";
    case verdict::cannot_use: return "cannot_use";
    case verdict::unknown_func: return "unknown_func";
    case verdict::load_failed: return "unknown";
    }
    return "?";
}

struct cell {
    verdict v = verdict::load_failed;
    std::string message; // the kernel's message ("" when accepted)
};

inline verdict classify(const kernel_probe::load_result& r) {
    if (r.ok()) return verdict::available;
    const std::string& m = r.message;
    if (m.starts_with("program of this type cannot use helper ")) return verdict::cannot_use;
    if (m.starts_with("unknown func ")) return verdict::unknown_func;
    if (m.empty() || m.starts_with("invalid func ")) return verdict::load_failed; // rejected before the verifier
    return verdict::available;
}

// BPF_PROG_LOAD with prog_flags (kernel_probe::loader has none; syscall programs must be sleepable).
class flag_loader {
public:
    kernel_probe::load_result load(const bpf_insn* prog, std::uint32_t n, const probed_type& t) {
        static const char license[] = "GPL";
        union bpf_attr attr;
        std::memset(&attr, 0, sizeof attr);
        attr.prog_type = t.type;
        attr.insn_cnt = n;
        attr.insns = reinterpret_cast<std::uintptr_t>(prog);
        attr.license = reinterpret_cast<std::uintptr_t>(license);
        attr.expected_attach_type = t.attach;
        attr.prog_flags = t.prog_flags;
        log_[0] = '\0';
        attr.log_level = 1;
        attr.log_size = sizeof log_;
        attr.log_buf = reinterpret_cast<std::uintptr_t>(log_);
        long fd = kernel_probe::sys_bpf(BPF_PROG_LOAD, &attr);
        for (int tries = 0; fd < 0 && errno == EAGAIN && tries < 5; ++tries) fd = kernel_probe::sys_bpf(BPF_PROG_LOAD, &attr);
        kernel_probe::load_result r;
        if (fd >= 0) {
            ::close(static_cast<int>(fd));
            return r;
        }
        r.err = errno;
        r.message = kernel_probe::last_message(std::string_view(log_));
        return r;
    }

private:
    char log_[1 << 16]{};
};

inline kernel_probe::load_result load_call(flag_loader& l, const probed_type& t, const std::vector<bpf_insn>& prefix,
                                           std::int32_t id) {
    std::vector<bpf_insn> prog = prefix;
    prog.push_back(ctbpf::make_insn(0x85, 0, 0, 0, id));
    prog.push_back(ctbpf::make_insn(0x95, 0, 0, 0, 0));
    return l.load(prog.data(), static_cast<std::uint32_t>(prog.size()), t);
}

inline cell probe_one(flag_loader& l, const probed_type& t, std::int32_t id) {
    const kernel_probe::load_result r = load_call(l, t, {}, id);
    return {classify(r), r.message};
}

// Every type's row: cells[type index][id], ids 0..max_id.
using table = std::vector<std::vector<cell>>;

inline table probe_root(std::int32_t max_id) {
    auto lp = std::make_unique<flag_loader>();
    flag_loader& l = *lp;
    table out;
    for (const probed_type& t : probed_types()) {
        std::vector<cell> row;
        for (std::int32_t id = 0; id <= max_id; ++id) row.push_back(probe_one(l, t, id));
        out.push_back(std::move(row));
    }
    return out;
}

// One line per cell, "ID\tVERDICT\tMESSAGE", for the types probed unprivileged (in that order).
inline std::string probe_unprivileged_body(std::int32_t max_id) {
    auto lp = std::make_unique<flag_loader>();
    flag_loader& l = *lp;
    std::string s;
    for (const probed_type& t : probed_types()) {
        if (!t.unprivileged) continue;
        for (std::int32_t id = 0; id <= max_id; ++id) {
            const cell c = probe_one(l, t, id);
            s += t.name;
            s += '\t';
            s += std::to_string(id);
            s += '\t';
            s += to_string(c.v);
            s += '\t';
            s += c.message;
            s += '\n';
        }
    }
    return s;
}

// Unprivileged rows for the unprivileged types (same order as probed_types() filtered); empty with
// `why` when the unprivileged run is impossible here (`may_skip`: a reason to skip, not to fail).
inline table probe_unprivileged(std::int32_t max_id, std::string& why, bool& may_skip) {
    table out;
    kernel_probe::unprivileged_window w;
    may_skip = false;
    if (!w.ok()) {
        why = w.reason();
        may_skip = w.may_skip();
        return out;
    }
    std::string text;
    if (!kernel_probe::run_unprivileged([&] { return probe_unprivileged_body(max_id); }, text, why)) return out;
    std::istringstream in(text);
    std::string line;
    std::string current;
    while (std::getline(in, line)) {
        std::istringstream f(line);
        std::string name, id, v, msg;
        std::getline(f, name, '\t');
        std::getline(f, id, '\t');
        std::getline(f, v, '\t');
        std::getline(f, msg);
        if (name != current) {
            out.emplace_back();
            current = name;
        }
        cell c;
        c.v = v == "yes" ? verdict::available : v == "cannot_use" ? verdict::cannot_use
            : v == "unknown_func" ? verdict::unknown_func : verdict::load_failed;
        c.message = msg;
        out.back().push_back(std::move(c));
    }
    return out;
}

// The message a measurement line keeps: "program of this type cannot use helper bpf_NAME#ID" is
// implied by the verdict cannot_use (and checked by the test), so it is left out.
inline const std::string& kept_message(const cell& c) {
    static const std::string none;
    return c.v == verdict::cannot_use ? none : c.message;
}

// The measurement file tools/gen_helper_protos.py --availability reads: a header comment, then
// "TYPE PRIV ID VERDICT MESSAGE" lines (tab-separated).
inline std::string format_measurement(const table& root, const table& unpriv, std::int32_t max_id,
                                      const std::string& kernel_release) {
    std::ostringstream o;
    o << "# Helper availability measured on the live kernel by tests/verify_helpers_kernel_test.cpp\n"
      << "# (CTBPF_HELPER_PROBE_OUT=FILE): `call ID; exit` (R1 = ctx, R2..R5 uninitialised), BPF_PROG_LOAD.\n"
      << "# kernel " << kernel_release << ", helper ids 0.." << max_id << "\n"
      << "# type\tprivilege\tid\tverdict\tmessage (left out for cannot_use: 'program of this type cannot use\n"
      << "# helper bpf_NAME#ID')\n";
    const auto& types = probed_types();
    for (std::size_t i = 0; i < types.size(); ++i) {
        o << "# attach " << types[i].name << '\t' << (types[i].attach_name[0] ? types[i].attach_name : "-") << '\n';
        for (std::int32_t id = 0; id <= max_id; ++id)
            o << types[i].name << "\troot\t" << id << '\t' << to_string(root[i][static_cast<std::size_t>(id)].v)
              << '\t' << kept_message(root[i][static_cast<std::size_t>(id)]) << '\n';
    }
    std::size_t u = 0;
    for (const probed_type& t : types) {
        if (!t.unprivileged) continue;
        if (u < unpriv.size())
            for (std::int32_t id = 0; id <= max_id && static_cast<std::size_t>(id) < unpriv[u].size(); ++id)
                o << t.name << "\tunprivileged\t" << id << '\t' << to_string(unpriv[u][static_cast<std::size_t>(id)].v)
                  << '\t' << kept_message(unpriv[u][static_cast<std::size_t>(id)]) << '\n';
        ++u;
    }
    return o.str();
}

} // namespace helper_probe
