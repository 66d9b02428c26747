// Dynamic probes and sampling: uprobes/uretprobes and kprobes/kretprobes through the kernel's
// `uprobe` and `kprobe` PMUs (perf_event_open, then a bpf link or PERF_EVENT_IOC_SET_BPF),
// uprobe_multi and kprobe_multi links, and perf_event programs on sampling events (the CPU clock).
// Programs for (k|u)probes are BPF_PROG_TYPE_KPROBE with struct pt_regs as the context.
#pragma once

#include "ctbpf/sys/config.hpp" // CTBPF_SYS_INLINE, CTBPF_SYS_BODIES

#include "ctbpf/sys/attach.hpp"
#include "ctbpf/sys/bpf_syscall.hpp"
#include "ctbpf/sys/elf.hpp"
#include "ctbpf/sys/error.hpp"
#include "ctbpf/sys/fd.hpp"
#include "ctbpf/sys/prog.hpp"
#include "ctbpf/sys/perf_buffer.hpp" // online_cpus

#include <linux/perf_event.h>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ctbpf::sys {

namespace detail {
inline constexpr const char* pmu_dir = "/sys/bus/event_source/devices/";

// The `type` of the dynamic PMU `name` ("uprobe", "kprobe"), or nullopt when the kernel has none.
CTBPF_SYS_INLINE std::optional<std::uint32_t> pmu_type(std::string_view name)
#if CTBPF_SYS_BODIES
{
    int err = 0;
    const std::optional<long> t = read_id(std::string(pmu_dir) + std::string(name) + "/type", err);
    if (!t || *t < 0) return std::nullopt;
    return static_cast<std::uint32_t>(*t);
}
#else
;
#endif
// The config bit that makes a PMU's probe a return probe (format/retprobe: "config:N").
CTBPF_SYS_INLINE std::optional<unsigned> pmu_retprobe_bit(std::string_view name)
#if CTBPF_SYS_BODIES
{
    std::FILE* f = std::fopen((std::string(pmu_dir) + std::string(name) + "/format/retprobe").c_str(), "re");
    if (!f) return std::nullopt;
    unsigned bit = 0;
    const bool ok = std::fscanf(f, "config:%u", &bit) == 1 && bit < 64;
    std::fclose(f);
    return ok ? std::optional<unsigned>(bit) : std::nullopt;
}
#else
;
#endif

inline constexpr const char* no_kprobes =
    "this kernel lacks kprobes (CONFIG_KPROBES and CONFIG_KPROBE_EVENTS are off: no kprobe PMU at "
    "/sys/bus/event_source/devices/kprobe); fentry/fexit (attach_tracing) may trace the function instead";

// kprobe or uprobe through its PMU: config1 = the function name or binary path, config2 = the
// offset (kprobe: into the function, or an address when config1 is 0; uprobe: into the file).
CTBPF_SYS_INLINE result<link> attach_pmu_probe(const prog& p, std::string_view pmu, bool retprobe, const std::string& target,
                                     std::uint64_t offset, int pid, std::uint64_t cookie, perf_attach how, std::string what)
#if CTBPF_SYS_BODIES
{
    const std::optional<std::uint32_t> type = pmu_type(pmu);
    if (!type)
        return make_error(pmu == "kprobe" ? EOPNOTSUPP : ENOENT, what,
                          pmu == "kprobe" ? no_kprobes
                                          : "this kernel has no " + std::string(pmu) + " PMU (/sys/bus/event_source/devices/" +
                                                std::string(pmu) + "; CONFIG_UPROBE_EVENTS)");
    perf_event_attr pa;
    std::memset(&pa, 0, sizeof pa); // padding included: the kernel checks unknown bytes
    pa.type = *type;
    if (retprobe) {
        const std::optional<unsigned> bit = pmu_retprobe_bit(pmu);
        if (!bit) return make_error(EOPNOTSUPP, what, "the " + std::string(pmu) + " PMU has no retprobe format bit");
        pa.config |= std::uint64_t{1} << *bit;
    }
    pa.config1 = reinterpret_cast<std::uintptr_t>(target.c_str()); // kprobe_func / uprobe_path
    pa.config2 = offset;                                             // probe_offset
    // a probe's program runs on every CPU; perf wants a CPU when the event is not per-process
    result<unique_fd> fd = open_perf_event(pa, pid < 0 ? -1 : pid, pid < 0 ? 0 : -1, what);
    if (!fd) {
        error e = std::move(fd).error();
        if (e.is(std::errc::no_such_file_or_directory) || e.is(std::errc::invalid_argument))
            e.message += pmu == "kprobe" ? ": no such kernel function (or it cannot be probed)"
                                         : ": the offset is not an instruction of the file, or the file cannot be probed";
        return e;
    }
    return attach_perf_event(p, std::move(fd).value(), std::move(what), how, cookie);
}
#else
;
#endif
} // namespace detail

struct uprobe_options {
    bool retprobe = false; // a uretprobe: runs when the function returns (pt_regs->ax is its value)
    int pid = -1;          // only this process (-1: every process that maps the file)
    std::uint64_t cookie = 0;
    perf_attach how = perf_attach::link;
};

// Attaches a kprobe-type program to the code at file offset `offset` of the ELF file `binary`.
inline result<link> attach_uprobe_offset(const prog& p, const std::string& binary, std::uint64_t offset, const uprobe_options& o = {}) {
    const std::string what = std::string(o.retprobe ? "uretprobe " : "uprobe ") + binary + "+" + detail::hex(offset) +
                             (o.pid >= 0 ? " pid " + std::to_string(o.pid) : "");
    return detail::attach_pmu_probe(p, "uprobe", o.retprobe, binary, offset, o.pid, o.cookie, o.how, what);
}
// Attaches a kprobe-type program to function `symbol` of the ELF file `binary` (an executable or
// a shared library; the offset comes from its .symtab or .dynsym).
CTBPF_SYS_INLINE result<link> attach_uprobe(const prog& p, const std::string& binary, std::string_view symbol, const uprobe_options& o = {})
#if CTBPF_SYS_BODIES
{
    result<std::uint64_t> off = elf_symbol_offset(binary, symbol);
    if (!off) return std::move(off).error();
    result<link> l = attach_uprobe_offset(p, binary, *off, o);
    if (!l) return l;
    return link(std::move(l->handle()), l->type(), std::string(o.retprobe ? "uretprobe " : "uprobe ") + binary + ":" + std::string(symbol));
}
#else
;
#endif

struct kprobe_options {
    bool retprobe = false;    // a kretprobe
    std::uint64_t offset = 0; // into the function
    std::uint64_t cookie = 0;
    perf_attach how = perf_attach::link;
};

// Whether this kernel has kprobes (the kprobe PMU).
inline bool have_kprobes() { return detail::pmu_type("kprobe").has_value(); }

// Attaches a kprobe-type program to kernel function `function` (e.g. "do_sys_openat2"); on a kernel
// without kprobes the error says so.
CTBPF_SYS_INLINE result<link> attach_kprobe(const prog& p, std::string_view function, const kprobe_options& o = {})
#if CTBPF_SYS_BODIES
{
    const std::string fn(function);
    const std::string what = std::string(o.retprobe ? "kretprobe " : "kprobe ") + fn + (o.offset ? "+" + detail::hex(o.offset) : "");
    return detail::attach_pmu_probe(p, "kprobe", o.retprobe, fn, o.offset, -1, o.cookie, o.how, what);
}
#else
;
#endif

namespace detail {
// BPF_LINK_CREATE for kprobe_multi (the kernel's link_create.kprobe_multi).
struct attr_link_kprobe_multi {
    u32 prog_fd = 0, target = 0, attach_type = 0, link_flags = 0;
    u32 flags = 0, cnt = 0;
    alignas(8) u64 syms = 0;
    u64 addrs = 0, cookies = 0;
};
// BPF_LINK_CREATE for uprobe_multi (link_create.uprobe_multi).
struct attr_link_uprobe_multi {
    u32 prog_fd = 0, target = 0, attach_type = 0, link_flags = 0;
    alignas(8) u64 path = 0;
    u64 offsets = 0, ref_ctr_offsets = 0, cookies = 0;
    u32 cnt = 0, flags = 0, pid = 0, pad = 0;
};
static_assert(offsetof(attr_link_kprobe_multi, syms) == offsetof(union bpf_attr, link_create.kprobe_multi.syms));
static_assert(sizeof(attr_link_uprobe_multi) == 64 && offsetof(attr_link_uprobe_multi, pid) == 56); // Linux 6.6's layout
} // namespace detail

// Attaches a kprobe program loaded with expected_attach_type BPF_TRACE_KPROBE_MULTI to every
// function of `functions` with one link (BPF_F_KPROBE_MULTI_RETURN in `flags`: kretprobes).
CTBPF_SYS_INLINE result<link> attach_kprobe_multi(const prog& p, const std::vector<std::string>& functions, std::uint32_t flags = 0)
#if CTBPF_SYS_BODIES
{
    std::vector<const char*> syms;
    for (const std::string& f : functions) syms.push_back(f.c_str());
    const std::string what = "kprobe_multi on " + std::to_string(functions.size()) + " functions" +
                             (functions.empty() ? "" : " (" + functions.front() + (functions.size() > 1 ? ", ..." : "") + ")");
    detail::attr_link_kprobe_multi a;
    a.prog_fd = static_cast<std::uint32_t>(p.fd());
    a.attach_type = BPF_TRACE_KPROBE_MULTI;
    a.flags = flags;
    a.cnt = static_cast<std::uint32_t>(syms.size());
    a.syms = detail::ptr(syms.data());
    const int fd = detail::bpf(BPF_LINK_CREATE, a);
    if (fd >= 0) return link(unique_fd(fd), link::kind::bpf_link, what);
    const int e = errno;
    return make_error(e, "BPF_LINK_CREATE " + what,
                      e == EOPNOTSUPP || e == 524 ? std::string(have_kprobes() ? "" : "this kernel lacks kprobes (no kprobe PMU) and ") +
                                                        "has no kprobe_multi links (CONFIG_FPROBE is off)"
                      : e == ESRCH || e == ENOENT ? "a function is not in /sys/kernel/tracing/available_filter_functions"
                      : e == EINVAL ? "load the program as kprobe with expected_attach_type BPF_TRACE_KPROBE_MULTI (loaded as " +
                                          prog_type_name(p.type()) + ")"
                                    : "");
}
#else
;
#endif

// Attaches a kprobe program loaded with expected_attach_type BPF_TRACE_UPROBE_MULTI to functions
// `symbols` of `binary` with one link (k::uprobe_multi_return in `flags`: uretprobes).
CTBPF_SYS_INLINE result<link> attach_uprobe_multi(const prog& p, const std::string& binary, const std::vector<std::string>& symbols,
                                        int pid = -1, std::uint32_t flags = 0)
#if CTBPF_SYS_BODIES
{
    std::vector<std::uint64_t> offsets;
    for (const std::string& s : symbols) {
        result<std::uint64_t> off = elf_symbol_offset(binary, s);
        if (!off) return std::move(off).error();
        offsets.push_back(*off);
    }
    const std::string what = "uprobe_multi on " + binary + " (" + std::to_string(symbols.size()) + " functions)";
    detail::attr_link_uprobe_multi a;
    a.prog_fd = static_cast<std::uint32_t>(p.fd());
    a.attach_type = k::attach_trace_uprobe_multi;
    a.path = detail::ptr(binary.c_str());
    a.offsets = detail::ptr(offsets.data());
    a.cnt = static_cast<std::uint32_t>(offsets.size());
    a.flags = flags;
    a.pid = pid < 0 ? 0 : static_cast<std::uint32_t>(pid);
    const int fd = detail::bpf(BPF_LINK_CREATE, a);
    if (fd >= 0) return link(unique_fd(fd), link::kind::bpf_link, what);
    const int e = errno;
    return make_error(e, "BPF_LINK_CREATE " + what,
                      e == EOPNOTSUPP || e == 524 ? "this kernel has no uprobe_multi links (Linux 6.6+, CONFIG_UPROBES)"
                      : e == EINVAL ? "load the program as kprobe with expected_attach_type BPF_TRACE_UPROBE_MULTI (48; loaded as " +
                                          prog_type_name(p.type()) + ")"
                                    : "");
}
#else
;
#endif

// A sampling event for perf_event programs: by default the software CPU clock every `period` ns.
struct sampling {
    std::uint32_t type = PERF_TYPE_SOFTWARE;
    std::uint64_t config = PERF_COUNT_SW_CPU_CLOCK;
    std::uint64_t period = 0;    // one sample every `period` events (CPU clock: nanoseconds)
    std::uint64_t frequency = 0; // or about `frequency` samples a second (when period is 0)
    int pid = -1;                // -1: one event per online CPU, every process; 0: this thread; N: thread N
    perf_attach how = perf_attach::link;
};

// Opens the sampling events of `s` and attaches the perf_event program `p` to each: one link per
// CPU (pid -1), or one for the thread.
CTBPF_SYS_INLINE result<std::vector<link>> attach_sampling(const prog& p, const sampling& s)
#if CTBPF_SYS_BODIES
{
    if ((s.period == 0) == (s.frequency == 0))
        return make_error(EINVAL, "perf_event sampling", "give exactly one of period and frequency");
    std::vector<link> links;
    const std::vector<std::uint32_t> cpus = s.pid < 0 ? online_cpus() : std::vector<std::uint32_t>{~0u};
    for (const std::uint32_t cpu : cpus) {
        perf_event_attr pa;
        std::memset(&pa, 0, sizeof pa); // padding included: the kernel checks unknown bytes
        pa.type = s.type;
        pa.config = s.config;
        pa.freq = s.frequency != 0;
        pa.sample_period = s.frequency != 0 ? s.frequency : s.period; // a union with sample_freq
        const std::string what = "sampling event type " + std::to_string(s.type) + " config " + std::to_string(s.config) +
                                 (s.pid < 0 ? " on CPU " + std::to_string(cpu) : " for thread " + std::to_string(s.pid));
        result<unique_fd> fd = open_perf_event(pa, s.pid, s.pid < 0 ? static_cast<int>(cpu) : -1, what);
        if (!fd) return std::move(fd).error();
        result<link> l = attach_perf_event(p, std::move(fd).value(), what, s.how);
        if (!l) return std::move(l).error();
        links.push_back(std::move(l).value());
    }
    return links;
}
#else
;
#endif

} // namespace ctbpf::sys
