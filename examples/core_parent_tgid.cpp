// CO-RE without clang: a syscall tracepoint reads current->real_parent->tgid with
// bpf_probe_read_kernel, the two field offsets written as core::add_offset<"task_struct", ...> and
// relocated at load time against the running kernel's BTF (sys::core_relocate), then checks it
// against getppid(). Needs root (CAP_BPF+PERFMON) and /sys/kernel/btf/vmlinux.
#include <ctbpf.hpp>
#include <ctbpf/core.hpp>
#include <ctbpf/sys.hpp>
#include <ctbpf/sys/btf.hpp>

#include <sys/syscall.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>

namespace sys = ctbpf::sys;
namespace core = ctbpf::core;

inline constexpr auto config = ctbpf::array_map<"config", std::uint64_t>(1); // [0]: the process to watch
inline constexpr auto parent = ctbpf::array_map<"parent", std::uint64_t>(1); // [0]: its parent's tgid
inline constexpr ctbpf::options tracepoint{.type = ctbpf::prog_type::tracepoint};

constexpr auto parent_tgid = [] {
    using namespace ctbpf::syntax;
    return program{
        call(helper::get_current_pid_tgid),
        r0 >>= 32,
        r1 = map_value("config", 0),
        r1 = mem<u64>(r1 + 0),
        if_(r0 != r1).goto_("out"),
        call(helper::get_current_task),   // r0 = current (a kernel address: read it with probes)
        r3 = r0,
        r1 = r10,
        r1 += -8,
        r2 = 8,
    } + core::add_offset<"task_struct", "real_parent">(r3) + program{
        call(helper::probe_read_kernel),  // fp-8 = current->real_parent
        r3 = mem<u64>(r10 - 8),
        r1 = r10,
        r1 += -8,
        r2 = 4,
    } + core::add_offset<"task_struct", "tgid">(r3) + program{
        call(helper::probe_read_kernel),  // fp-8 = real_parent->tgid
        r2 = mem<u32>(r10 - 8),
        r1 = map_value("parent", 0),
        mem<u64>(r1 + 0) = r2,
    label("out"),
        r0 = 0,
        exit_(),
    };
};

int main() try {
    auto config_map = sys::create<config>();
    if (!config_map && config_map.error().is(std::errc::operation_not_permitted)) {
        std::printf("skipped: %s\n", config_map.error().message.c_str()); // not root: nothing to show
        return 0;
    }
    auto parent_map = sys::create<parent>().value();
    config_map->update(0, static_cast<std::uint64_t>(::getpid())).value();

    auto vmlinux = sys::vmlinux_btf();
    if (!vmlinux) {
        std::printf("skipped: %s\n", vmlinux.error().message.c_str()); // a kernel without BTF: nothing to relocate against
        return 0;
    }
    const sys::btf_blob btf = *vmlinux;
    const sys::assembled_program relocated = sys::core_relocate(sys::image<parent_tgid, tracepoint>(), *btf).value();
    for (const sys::core_relocation& r : sys::core_relocations_of(relocated.image()))
        std::printf("relocated %s.%s: offset %u\n", std::string(r.type).c_str(), std::string(r.path[0]).c_str(),
                    sys::core_field_offset(*btf, r.type, {r.path[0]}).value());

    sys::prog prog = sys::load(relocated.image(), {.type = BPF_PROG_TYPE_TRACEPOINT, .name = "parent_tgid"},
                               {{"config", *config_map}, {"parent", parent_map}})
                         .value();
    sys::link link = sys::attach_tracepoint(prog, "syscalls", "sys_enter_getppid").value();
    const long ppid = ::syscall(SYS_getppid);
    const std::uint64_t seen = parent_map.lookup(0).value();
    std::printf("current->real_parent->tgid = %llu, getppid() = %ld\n", static_cast<unsigned long long>(seen), ppid);
    return seen == static_cast<std::uint64_t>(ppid) ? 0 : 1;
} catch (const sys::bpf_error& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 1;
}
