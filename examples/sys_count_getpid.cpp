// Counts this process's getpid() calls: a tracepoint program assembled at compile time, two array
// maps bound by name at load, the count read back from user space. Needs root (CAP_BPF+PERFMON).
#include <ctbpf.hpp>
#include <ctbpf/sys.hpp>

#include <sys/syscall.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>

namespace sys = ctbpf::sys;

constexpr auto count_getpid = [] {
    using namespace ctbpf::syntax;
    return program{
        call(helper::get_current_pid_tgid),
        r0 >>= 32,                        // the calling process's id (tgid)
        r1 = map_value("config", 0),      // &config[0]: the process to count
        w1 = mem<u32>(r1 + 0),
        if_(r0 != r1).goto_("out"),
        r1 = map_value("counts", 0),      // &counts[0]
        r2 = 1,
        lock(mem<u64>(r1 + 0)) += r2,
    label("out"),
        r0 = 0,
        exit_(),
    };
};

int main() try {
    using array = sys::map<std::uint32_t, std::uint64_t>;
    auto config = array::create(BPF_MAP_TYPE_ARRAY, 1, {.name = "config"});
    if (!config && config.error().is(std::errc::operation_not_permitted)) {
        std::printf("skipped: %s\n", config.error().message.c_str()); // not root: nothing to show
        return 0;
    }
    array counts = array::create(BPF_MAP_TYPE_ARRAY, 1, {.name = "counts"}).value();
    config->update(0, static_cast<std::uint64_t>(::getpid())).value();

    sys::prog prog = sys::load<count_getpid>({.type = BPF_PROG_TYPE_TRACEPOINT, .name = "count_getpid"},
                                             {{"config", *config}, {"counts", counts}}).value();
    sys::link link = sys::attach_tracepoint(prog, "syscalls", "sys_enter_getpid").value();

    for (int i = 0; i < 5; ++i) ::syscall(SYS_getpid);
    const std::uint64_t n = counts.lookup(0).value();
    std::printf("getpid() was called %llu times\n", static_cast<unsigned long long>(n));
    return n == 5 ? 0 : 1;
} catch (const sys::bpf_error& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 1;
}
