// fentry and fexit on the kernel function do_faccessat: the example calls faccessat(4321,
// "ctbpf-no-such-file", R_OK | W_OK) five times; the fentry program counts the calls and records
// the first and third arguments (dfd, mode), the fexit program counts them and records the return
// value (-EBADF: 4321 is no open fd). Both filter on this process and write one array-map value.
// attach_btf_id comes from vmlinux BTF (sys::tracing_options). Needs root and a kernel that allows
// fentry/fexit; where loads are refused (EPERM), it says what it measured, "SKIP: ...", and exits
// 77 (CTest's skip code for this test).
#include <ctbpf.hpp>
#include <ctbpf/sys.hpp>
#include <ctbpf/sys/btf.hpp>

#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <string>

namespace sys = ctbpf::sys;

// long do_faccessat(int dfd, const char __user *filename, int mode, int flags): the context is
// the arguments as u64s, then (fexit) the return value.
struct rec {
    std::uint64_t entries, exits, dfd, mode, ret;
};

// Both programs start so: when the caller is config[0]'s process, r6 = ctx and r7 = &rec[0];
// otherwise on to "out".
constexpr ctbpf::program ours_only() {
    using namespace ctbpf::syntax;
    return program{
        r6 = r1,
        call(helper::get_current_pid_tgid),
        r0 >>= 32,
        r1 = map_value("config", 0),
        w1 = mem<u32>(r1 + 0),
        if_(r0 != r1).goto_("out"),
        r7 = map_value("rec", 0),
    };
}

constexpr auto on_call = [] {
    using namespace ctbpf::syntax;
    return ours_only() + program{
        r2 = 1,
        lock(mem<u64>(r7 + 0)) += r2,          // rec.entries += 1
        r2 = mem<u64>(r6 + 0),
        mem<u64>(r7 + 16) = r2,                // rec.dfd = arg 0
        r2 = mem<u64>(r6 + 16),
        mem<u64>(r7 + 24) = r2,                // rec.mode = arg 2
    label("out"),
        r0 = 0,
        exit_(),
    };
};

constexpr auto on_return = [] {
    using namespace ctbpf::syntax;
    return ours_only() + program{
        r2 = 1,
        lock(mem<u64>(r7 + 8)) += r2,          // rec.exits += 1
        r2 = mem<u64>(r6 + 32),
        mem<u64>(r7 + 32) = r2,                // rec.ret = the return value (after the 4 arguments)
    label("out"),
        r0 = 0,
        exit_(),
    };
};

inline constexpr ctbpf::options fentry{.type = ctbpf::prog_type::tracing, .expected_attach_type = ctbpf::attach_type::trace_fentry};
inline constexpr ctbpf::options fexit{.type = ctbpf::prog_type::tracing, .expected_attach_type = ctbpf::attach_type::trace_fexit};

// After an EPERM: whether a tp_btf program (the same program type, BPF_PROG_TYPE_TRACING) loads
// here, which tells a policy on fentry/fexit from missing privileges.
std::string why_refused(const sys::error& e) {
    constexpr auto ret0 = [] {
        using namespace ctbpf::syntax;
        return program{r0 = 0, exit_()};
    };
    auto o = sys::tp_btf_options("sys_enter");
    if (!o) return e.message;
    auto tp = sys::load(sys::image<ret0, ctbpf::unchecked>(), *o);
    if (tp && e.kernel_message.empty())
        return "fentry/fexit loads are refused with EPERM and no verifier log, while a tp_btf program (also "
               "BPF_PROG_TYPE_TRACING) loads: a policy on this host (a security hook on bpf_prog_load) refuses "
               "trampoline programs; " + e.message;
    if (tp) return e.describe();
    return "no BPF tracing programs may be loaded here (tp_btf: " + tp.error().message + "); " + e.message;
}

int main() try {
    auto config = sys::map<std::uint32_t, std::uint64_t>::create(BPF_MAP_TYPE_ARRAY, 1, {.name = "config"});
    if (!config && config.error().is(std::errc::operation_not_permitted)) {
        std::printf("SKIP: %s\n", config.error().message.c_str()); // not root: nothing to show
        return 77;
    }
    config->update(0, static_cast<std::uint64_t>(::getpid())).value();
    auto recs = sys::map<std::uint32_t, rec>::create(BPF_MAP_TYPE_ARRAY, 1, {.name = "rec"}).value();

    sys::load_options eo = sys::tracing_options("do_faccessat", BPF_TRACE_FENTRY).value();
    std::printf("do_faccessat: BTF id %u in vmlinux\n", eo.attach_btf_id);
    eo.name = "fentry_faccess";
    auto entry = sys::load(sys::image<on_call, fentry>(), eo, {{"config", *config}, {"rec", recs}});
    if (!entry && entry.error().is(std::errc::operation_not_permitted)) {
        std::printf("SKIP: %s\n", why_refused(entry.error()).c_str());
        return 77;
    }
    sys::load_options xo = sys::tracing_options("do_faccessat", BPF_TRACE_FEXIT).value();
    xo.name = "fexit_faccess";
    sys::prog exit = sys::load(sys::image<on_return, fexit>(), xo, {{"config", *config}, {"rec", recs}}).value();

    long ret = 0;
    int err = 0;
    {
        sys::link l1 = sys::attach_tracing(*entry, BPF_TRACE_FENTRY, "fentry do_faccessat").value();
        sys::link l2 = sys::attach_tracing(exit, BPF_TRACE_FEXIT, "fexit do_faccessat").value();
        for (int i = 0; i < 5; ++i) {
            ret = ::syscall(SYS_faccessat, 4321, "ctbpf-no-such-file", 6);
            err = errno;
        }
    } // detached
    ::syscall(SYS_faccessat, 4321, "ctbpf-no-such-file", 6); // not counted
    const rec r = recs.lookup(0).value();
    std::printf("faccessat returned %ld (errno %d)\n", ret, err);
    std::printf("fentry: %llu calls, dfd %d, mode %llu; fexit: %llu calls, return value %lld\n",
                static_cast<unsigned long long>(r.entries), static_cast<int>(r.dfd), static_cast<unsigned long long>(r.mode),
                static_cast<unsigned long long>(r.exits), static_cast<long long>(r.ret));
    const bool ok = r.entries == 5 && r.exits == 5 && static_cast<int>(r.dfd) == 4321 && r.mode == 6 &&
                    static_cast<long long>(r.ret) == -err;
    return ok ? 0 : 1;
} catch (const sys::bpf_error& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 1;
}
