// Reports this process's openat() calls through a perf event array: a syscall tracepoint program
// (syscalls/sys_enter_openat) builds a record {pid, cpu, flags, filename} on its stack, the file
// name copied with bpf_probe_read_user_str, and sends it with bpf_perf_event_output; user space
// reads the records with the typed perf-buffer consumer (poll_as<record>). Needs root
// (CAP_BPF + CAP_PERFMON); without it says SKIP and exits 77 (CTest's skip code for this test).
#include <ctbpf.hpp>
#include <ctbpf/sys.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

namespace sys = ctbpf::sys;

// What the program sends: 80 bytes, built at r10 - 80.
struct record {
    std::uint32_t pid, cpu;
    std::uint64_t flags;
    char filename[64];
};
static_assert(sizeof(record) == 80);

// Field offsets of the tracepoint's context, from
// /sys/kernel/tracing/events/syscalls/sys_enter_openat/format: filename 24, flags 32.
constexpr auto report_openat = [] {
    using namespace ctbpf::syntax;
    return program{
        r6 = r1,                               // the tracepoint's context
        call(helper::get_current_pid_tgid),
        r0 >>= 32,                             // the calling process (tgid)
        r1 = map_value("config", 0),           // config[0]: the process to report
        w1 = mem<u32>(r1 + 0),
        if_(r0 != r1).goto_("out"),
        mem<u32>(r10 - 80) = w0,               // record.pid
        call(helper::get_smp_processor_id),
        mem<u32>(r10 - 76) = w0,               // record.cpu
        r1 = mem<u64>(r6 + 32),
        mem<u64>(r10 - 72) = r1,               // record.flags
        r1 = r10,
        r1 += -64,                             // record.filename
        w2 = 64,
        r3 = mem<u64>(r6 + 24),                // the user pointer to the name
        call(helper::probe_read_user_str),
        r1 = r6,
        r2 = map("events"),
        r3 = imm64(0xffffffff),                // BPF_F_CURRENT_CPU
        r4 = r10,
        r4 += -80,
        r5 = 80,
        call(helper::perf_event_output),
    label("out"),
        r0 = 0,
        exit_(),
    };
};
inline constexpr ctbpf::options tracepoint{.type = ctbpf::prog_type::tracepoint};

int main() try {
    auto events = sys::perf_event_array::create(0, {.name = "events"});
    if (!events && events.error().is(std::errc::operation_not_permitted)) {
        std::printf("SKIP: %s\n", events.error().message.c_str()); // not root: nothing to show
        return 77;
    }
    auto config = sys::map<std::uint32_t, std::uint64_t>::create(BPF_MAP_TYPE_ARRAY, 1, {.name = "config"}).value();
    config.update(0, static_cast<std::uint64_t>(::getpid())).value();
    auto loaded = sys::load<report_openat, tracepoint>({.name = "report_openat"}, {{"events", *events}, {"config", config}});
    if (!loaded && loaded.error().is(std::errc::operation_not_permitted)) {
        std::printf("SKIP: %s\n", loaded.error().message.c_str()); // unprivileged: maps, but no tracing programs
        return 77;
    }
    sys::prog prog = std::move(loaded).value();
    sys::perf_buffer buf = sys::perf_buffer::create(*events, {.pages = 4}).value();
    std::printf("perf buffer: %zu CPUs, %zu bytes of ring each\n", buf.cpus().size(), buf.ring_size());

    const std::vector<std::string> opened = {"/etc/hostname", "/proc/self/status", "/ctbpf/no/such/file"};
    {
        sys::link link = sys::attach_tracepoint(prog, "syscalls", "sys_enter_openat").value();
        for (const std::string& path : opened) {
            const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
            if (fd >= 0) ::close(fd);
        }
    } // detached
    std::vector<std::string> seen;
    bool fields_ok = true;
    for (int tries = 0; tries < 20 && seen.size() < opened.size(); ++tries)
        buf.poll_as<record>(100, [&](std::uint32_t ring_cpu, const record& r) {
            std::printf("ring of CPU %u: pid %u, cpu %u, flags 0x%llx, %s\n", ring_cpu, r.pid, r.cpu,
                        static_cast<unsigned long long>(r.flags), r.filename);
            seen.emplace_back(r.filename, ::strnlen(r.filename, sizeof r.filename));
            fields_ok &= r.pid == static_cast<std::uint32_t>(::getpid()) && r.flags == (O_RDONLY | O_CLOEXEC) && r.cpu == ring_cpu;
        }).value();
    std::printf("%zu records, %llu lost\n", seen.size(), static_cast<unsigned long long>(buf.lost()));
    std::vector<std::string> want = opened; // one ring per CPU: in order within a CPU, not across them
    std::sort(want.begin(), want.end());
    std::sort(seen.begin(), seen.end());
    return seen == want && fields_ok ? 0 : 1;
} catch (const sys::bpf_error& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 1;
}
