// The ctbpf way (build-cost benchmark): the same program as count_getpid.bpf.c — getpid() calls per
// process in a hash map (lookup, null check, atomic add, or insert with BPF_NOEXIST) — written in
// ctbpf, checked at compile time, loaded, attached, exercised by three getpid() calls and read back.
#include <ctbpf.hpp>
#include <ctbpf/sys.hpp>

#include <sys/syscall.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <system_error>

namespace sys = ctbpf::sys;

inline constexpr auto counts = ctbpf::hash_map<"counts", std::uint32_t, std::uint64_t>(1024);
inline constexpr ctbpf::options tracepoint{.type = ctbpf::prog_type::tracepoint};

constexpr auto count_getpid = [] {
    using namespace ctbpf::syntax;
    return program{
        call(helper::get_current_pid_tgid),
        r0 >>= 32,
        mem<u32>(r10 - 4) = w0,           // key: the process id
        r2 = r10,
        r2 += -4,
        r1 = map("counts"),
        call(helper::map_lookup_elem),
        if_(r0 == 0).goto_("insert"),
        r1 = 1,
        lock(mem<u64>(r0 + 0)) += r1,
        goto_("out"),
    label("insert"),
        mem<u64>(r10 - 16) = 1,           // value: 1
        r2 = r10,
        r2 += -4,
        r3 = r10,
        r3 += -16,
        r4 = BPF_NOEXIST,
        r1 = map("counts"),
        call(helper::map_update_elem),
    label("out"),
        r0 = 0,
        exit_(),
    };
};

int main() try {
    const auto pid = static_cast<std::uint32_t>(::getpid()); // (before attaching: getpid() counts)
    auto counts_map = sys::create<counts>().value();
    sys::prog prog = sys::load<count_getpid, tracepoint>({.name = "count_getpid"}, sys::bind<counts>(counts_map)).value();
    sys::link link = sys::attach_tracepoint(prog, "syscalls", "sys_enter_getpid").value();
    for (int i = 0; i < 3; ++i) ::syscall(SYS_getpid);
    const std::uint64_t n = counts_map.lookup(pid).value();
    std::printf("getpid() calls counted: %llu\n", static_cast<unsigned long long>(n));
    return n == 3 ? 0 : 1;
} catch (const sys::bpf_error& e) {
    const bool skip = e.code() == std::errc::operation_not_permitted; // (as a test, not as root)
    std::fprintf(skip ? stdout : stderr, "%s%s\n", skip ? "SKIP: " : "", e.what());
    return skip ? 0 : 1;
}
