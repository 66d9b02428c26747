// Counts this process's getpid() calls: a tracepoint program assembled at compile time and checked
// with the declarations of its two array maps, the maps created from the same declarations and
// bound to it at load, the count read back from user space. Needs root (CAP_BPF+PERFMON).
#include <ctbpf.hpp>
#include <ctbpf/sys.hpp>

#include <sys/syscall.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>

namespace sys = ctbpf::sys;

// The maps, declared once: assembly checks the program with these shapes, sys::create makes exactly
// these, and sys::bind takes only handles of these key and value types.
inline constexpr auto config = ctbpf::array_map<"config", std::uint64_t>(1); // [0]: the process to count
inline constexpr auto counts = ctbpf::array_map<"counts", std::uint64_t>(1); // [0]: its getpid() calls
inline constexpr ctbpf::options tracepoint{.type = ctbpf::prog_type::tracepoint};

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
    auto config_map = sys::create<config>(); // sys::map<std::uint32_t, std::uint64_t>
    if (!config_map && config_map.error().is(std::errc::operation_not_permitted)) {
        std::printf("skipped: %s\n", config_map.error().message.c_str()); // not root: nothing to show
        return 0;
    }
    auto counts_map = sys::create<counts>().value();
    config_map->update(0, static_cast<std::uint64_t>(::getpid())).value();

    // checked as a tracepoint program with both declarations; the program type comes from them
    sys::prog prog = sys::load<count_getpid, tracepoint>({.name = "count_getpid"}, sys::bind<config>(*config_map),
                                                         sys::bind<counts>(counts_map)).value();
    sys::link link = sys::attach_tracepoint(prog, "syscalls", "sys_enter_getpid").value();

    for (int i = 0; i < 5; ++i) ::syscall(SYS_getpid);
    const std::uint64_t n = counts_map.lookup(0).value();
    std::printf("getpid() was called %llu times\n", static_cast<unsigned long long>(n));
    return n == 5 ? 0 : 1;
} catch (const sys::bpf_error& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 1;
}
