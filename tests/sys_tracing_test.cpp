// Kernel tests of BTF-attached tracing programs (BPF_PROG_TYPE_TRACING) and CO-RE relocations,
// with programs in ctbpf's DSL; the kernel (the syscall's result, getpid()) is the oracle.
// - fentry/fexit on do_faccessat: calls counted, two arguments and the return value recorded. A
//   host that refuses fentry/fexit loads outright (EPERM before the verifier runs, also for an
//   attach_btf_id the kernel would reject with EINVAL: a policy on bpf_prog_load) makes this case
//   skip, saying so.
// - tp_btf on sys_enter/sys_exit (the same program type and link path, attach type
//   BPF_TRACE_RAW_TP): the syscall's arguments read through the BTF-typed struct pt_regs pointer
//   at CO-RE-relocated offsets (pt_regs.di, .dx, .orig_ax), and its return value.
// - CO-RE: current->tgid and current->real_parent->tgid with offsets relocated against the running
//   kernel's BTF at load time equal getpid()/getppid().
// Links detach when destroyed (no more counting).
#include "sys_test_util.hpp"

#include <ctbpf/sys/btf.hpp>

#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>

namespace sys = ctbpf::sys;

namespace {

constexpr const char* traced = "do_faccessat"; // long do_faccessat(int dfd, const char __user *filename, int mode, int flags)
constexpr int marker_mode = 6;                 // R_OK | W_OK: the mode this test passes
constexpr int marker_dfd = 4321;               // not an open fd: the call fails with EBADF

// The fentry/fexit programs: when the caller is config[0]'s process, rec.calls += 1, then
// `record` (r6: the context, r7: rec) stores what the program keeps.
constexpr ctbpf::program record_args(const ctbpf::program& record) {
    using namespace ctbpf::syntax;
    ctbpf::program p{
        r6 = r1,
        call(helper::get_current_pid_tgid),
        r0 >>= 32,
        r1 = map_value("config", 0),
        w1 = mem<u32>(r1 + 0),
        if_(r0 != r1).goto_("out"),
        r7 = map_value("rec", 0),
        r2 = 1,
        lock(mem<u64>(r7 + 0)) += r2,
    };
    p += record;
    p += ctbpf::program{label("out"), r0 = 0, exit_()};
    return p;
}
// fentry: rec = {calls + 1, dfd (arg 0), mode (arg 2), -}.
constexpr auto on_call = [] {
    using namespace ctbpf::syntax;
    return record_args({r2 = mem<u64>(r6 + 0), mem<u64>(r7 + 8) = r2, r2 = mem<u64>(r6 + 16), mem<u64>(r7 + 16) = r2});
};
// fexit: rec = {calls + 1, -, -, return value} (ctx[4]: after the 4 arguments).
constexpr auto on_return = [] {
    using namespace ctbpf::syntax;
    return record_args({r2 = mem<u64>(r6 + 32), mem<u64>(r7 + 24) = r2});
};

// fentry with CO-RE: rec = {calls + 1, current->tgid, current->real_parent->tgid}. The labelled
// `r3 += 0` instructions get the field offsets at load time (sys::core_relocate).
constexpr auto core_tgids = [] {
    using namespace ctbpf::syntax;
    return program{
        call(helper::get_current_pid_tgid),
        r0 >>= 32,
        r1 = map_value("config", 0),
        w1 = mem<u32>(r1 + 0),
        if_(r0 != r1).goto_("out"),
        call(helper::get_current_task),
        r8 = r0,
        r1 = r10,
        r1 += -8,
        r2 = 4,
        r3 = r8,
    label("tgid"),
        r3 += 0,
        call(helper::probe_read_kernel),
        r7 = map_value("rec", 0),
        r2 = 1,
        lock(mem<u64>(r7 + 0)) += r2,
        w2 = mem<u32>(r10 - 8),
        mem<u64>(r7 + 8) = r2,
        r1 = r10,
        r1 += -16,
        r2 = 8,
        r3 = r8,
    label("real_parent"),
        r3 += 0,
        call(helper::probe_read_kernel),
        r3 = mem<u64>(r10 - 16),
        r1 = r10,
        r1 += -8,
        r2 = 4,
    label("parent_tgid"),
        r3 += 0,
        call(helper::probe_read_kernel),
        w2 = mem<u32>(r10 - 8),
        r7 = map_value("rec", 0),
        mem<u64>(r7 + 16) = r2,
    label("out"),
        r0 = 0,
        exit_(),
    };
};

// tp_btf sys_enter(struct pt_regs *regs, long id): for this process's faccessat calls, rec =
// {calls + 1, regs->di (arg 0), regs->dx (arg 2)}; the pt_regs offsets are CO-RE relocations
// carried by the program (core::load) of the loads through the BTF pointer.
constexpr auto enter_args = [] {
    using namespace ctbpf::syntax;
    namespace core = ctbpf::core;
    return program{
        r6 = r1,
        call(helper::get_current_pid_tgid),
        r0 >>= 32,
        r1 = map_value("config", 0),
        w1 = mem<u32>(r1 + 0),
        if_(r0 != r1).goto_("out"),
        r2 = mem<u64>(r6 + 8), // id
        if_(r2 != SYS_faccessat).goto_("out"),
        r7 = map_value("rec", 0),
        r2 = 1,
        lock(mem<u64>(r7 + 0)) += r2,
        r3 = mem<u64>(r6 + 0), // regs
    } + core::load<u64, "pt_regs", "di">(r2, r3) + program{
        mem<u64>(r7 + 8) = r2,
    } + core::load<u64, "pt_regs", "dx">(r2, r3) + program{
        mem<u64>(r7 + 16) = r2,
    label("out"),
        r0 = 0,
        exit_(),
    };
};
// tp_btf sys_exit(struct pt_regs *regs, long ret): for faccessat (regs->orig_ax, relocated),
// rec = {calls + 1, -, -, ret}.
constexpr auto exit_ret = [] {
    using namespace ctbpf::syntax;
    return program{
        r6 = r1,
        call(helper::get_current_pid_tgid),
        r0 >>= 32,
        r1 = map_value("config", 0),
        w1 = mem<u32>(r1 + 0),
        if_(r0 != r1).goto_("out"),
        r3 = mem<u64>(r6 + 0), // regs
    label("orig_ax"),
        r2 = mem<u64>(r3 + 0),
        if_(r2 != SYS_faccessat).goto_("out"),
        r7 = map_value("rec", 0),
        r2 = 1,
        lock(mem<u64>(r7 + 0)) += r2,
        r2 = mem<u64>(r6 + 8), // ret
        mem<u64>(r7 + 24) = r2,
    label("out"),
        r0 = 0,
        exit_(),
    };
};
// The CO-RE task program filtered to faccessat, for tp_btf sys_enter.
constexpr auto core_tgids_sys_enter = [] {
    using namespace ctbpf::syntax;
    return program{
        r2 = mem<u64>(r1 + 8),
        if_(r2 != SYS_faccessat).goto_("skip"),
    } + core_tgids() + program{
    label("skip"),
        r0 = 0,
        exit_(),
    };
};

struct rec {
    std::uint64_t calls, a, b, c;
};
using config_map = sys::map<std::uint32_t, std::uint64_t>;
using rec_map = sys::map<std::uint32_t, rec>;

// ctbpf's verifier on the tracing programs: checked as prog_type::tracing at compile time (what
// the model cannot decide about tracing contexts it leaves to the kernel).
constexpr ctbpf::options tracing_opts{.type = ctbpf::prog_type::tracing, .expected_attach_type = ctbpf::attach_type::trace_fentry};
constexpr ctbpf::options fexit_opts{.type = ctbpf::prog_type::tracing, .expected_attach_type = ctbpf::attach_type::trace_fexit};
constexpr ctbpf::options tp_btf_opts{.type = ctbpf::prog_type::tracing, .expected_attach_type = ctbpf::attach_type::trace_raw_tp};

// Whether this host refuses fentry/fexit loads before the verifier runs: a trivial fentry program
// with attach_btf_id 1 (not a function: the kernel says EINVAL) gets EPERM with an empty log.
std::string fentry_refused_by_policy() {
    constexpr auto ret0 = sys_test::ret0;
    sys::load_options o{.type = BPF_PROG_TYPE_TRACING, .expected_attach_type = BPF_TRACE_FENTRY, .attach_btf_id = 1};
    o.log_level = 1;
    sys::load_report rep;
    auto p = sys::load(sys::image<ret0, ctbpf::unchecked>(), o, {}, &rep);
    if (!p && p.error().is(std::errc::operation_not_permitted) && rep.log.empty())
        return "this host refuses fentry/fexit loads before the verifier runs (EPERM and no log even for attach_btf_id 1, "
               "which the kernel itself rejects with EINVAL): a policy on bpf_prog_load, not this code";
    return {};
}

long faccessat_marker() { return ::syscall(SYS_faccessat, marker_dfd, "ctbpf-no-such-file", marker_mode); }

} // namespace

TEST_CASE("btf_function_id finds kernel functions; a missing one is an error that says so") {
    auto id = sys::btf_function_id(traced);
    if (!id) {
        MESSAGE("SKIP: " << id.error().describe());
        return;
    }
    CHECK(*id > 0);
    auto none = sys::btf_function_id("ctbpf_no_such_function");
    REQUIRE(!none);
    CHECK(none.error().not_found());
    CHECK(none.error().message.find("no function named 'ctbpf_no_such_function' in vmlinux BTF") != std::string::npos);
    // A misspelling: the nearest FUNC names are suggested.
    auto typo = sys::btf_function_id("do_facessat");
    REQUIRE(!typo);
    CHECK(typo.error().message.find("did you mean do_faccessat") != std::string::npos);
    MESSAGE(typo.error().message);
}

TEST_CASE("fentry and fexit on do_faccessat: calls, arguments, return value; detach on destruction") {
    if (const std::string why = fentry_refused_by_policy(); !why.empty()) {
        std::printf("SKIP: fentry/fexit: %s\n", why.c_str());
        ++sys_test::tally.skipped;
        sys_test::tally.why = why;
        return;
    }
    KERNEL_TEST();
    auto config = config_map::create(BPF_MAP_TYPE_ARRAY, 1, {.name = "config"}).value();
    config.update(0, static_cast<std::uint64_t>(::getpid())).value();
    auto entry_rec = rec_map::create(BPF_MAP_TYPE_ARRAY, 1, {.name = "rec"}).value();
    auto exit_rec = rec_map::create(BPF_MAP_TYPE_ARRAY, 1, {.name = "rec"}).value();

    auto entry_o = sys::tracing_options(traced, BPF_TRACE_FENTRY);
    REQUIRE_MESSAGE(entry_o, (entry_o ? "" : entry_o.error().describe()));
    entry_o->name = "ctbpf_fentry";
    auto entry = sys::load(sys::image<on_call, tracing_opts>(), *entry_o, {{"config", config}, {"rec", entry_rec}});
    REQUIRE_MESSAGE(entry, (entry ? "" : entry.error().describe()));

    auto exit_o = sys::tracing_options(traced, BPF_TRACE_FEXIT);
    REQUIRE(exit_o);
    exit_o->name = "ctbpf_fexit";
    auto exit = sys::load(sys::image<on_return, fexit_opts>(), *exit_o, {{"config", config}, {"rec", exit_rec}});
    REQUIRE_MESSAGE(exit, (exit ? "" : exit.error().describe()));

    long want_ret = 0;
    int want_errno = 0;
    {
        auto l1 = sys::attach_tracing(*entry);
        REQUIRE_MESSAGE(l1, (l1 ? "" : l1.error().describe()));
        auto l2 = sys::attach_tracing(*exit, BPF_TRACE_FEXIT, "fexit do_faccessat");
        REQUIRE_MESSAGE(l2, (l2 ? "" : l2.error().describe()));
        CHECK(l1->info().value().prog_id == entry->info().value().id);
        for (int i = 0; i < 5; ++i) {
            want_ret = faccessat_marker();
            want_errno = errno;
        }
        // attaching the same program twice is refused with a reason
        auto again = sys::attach_tracing(*entry);
        CHECK(!again);
    } // links destroyed: detached
    faccessat_marker();
    REQUIRE(want_ret == -1);
    const rec e = entry_rec.lookup(0).value();
    const rec x = exit_rec.lookup(0).value();
    CHECK(e.calls == 5);
    CHECK(static_cast<std::int32_t>(e.a) == marker_dfd);
    CHECK(static_cast<std::int32_t>(e.b) == marker_mode);
    CHECK(x.calls == 5);
    CHECK(static_cast<std::int64_t>(x.c) == -want_errno); // the kernel returns -errno
    MESSAGE("fentry calls " << e.calls << ", dfd " << static_cast<std::int32_t>(e.a) << ", mode " << e.b << "; fexit calls "
                            << x.calls << ", ret " << static_cast<std::int64_t>(x.c));
}

TEST_CASE("tp_btf sys_enter/sys_exit: arguments through BTF-typed pt_regs at CO-RE offsets, the return value") {
    KERNEL_TEST();
    auto btf = sys::vmlinux_btf();
    REQUIRE_MESSAGE(btf, (btf ? "" : btf.error().describe()));
    auto config = config_map::create(BPF_MAP_TYPE_ARRAY, 1, {.name = "config"}).value();
    config.update(0, static_cast<std::uint64_t>(::getpid())).value();
    auto enter_rec = rec_map::create(BPF_MAP_TYPE_ARRAY, 1, {.name = "rec"}).value();
    auto exit_rec = rec_map::create(BPF_MAP_TYPE_ARRAY, 1, {.name = "rec"}).value();

    const sys::program_image enter_plain = sys::image<enter_args, tp_btf_opts>();
    CHECK(sys::core_relocations_of(enter_plain).size() == 2);
    auto enter_img = sys::core_relocate(enter_plain, **btf); // the relocations the program carries
    REQUIRE_MESSAGE(enter_img, (enter_img ? "" : enter_img.error().describe()));
    auto exit_img = sys::core_relocate(sys::image<exit_ret, tp_btf_opts>(),
                                       {{.label = "orig_ax", .type = "pt_regs", .path = {"orig_ax"}}}, **btf);
    REQUIRE_MESSAGE(exit_img, (exit_img ? "" : exit_img.error().describe()));

    auto eo = sys::tp_btf_options("sys_enter");
    REQUIRE_MESSAGE(eo, (eo ? "" : eo.error().describe()));
    eo->name = "ctbpf_tp_enter";
    auto enter = sys::load(enter_img->image(), *eo, {{"config", config}, {"rec", enter_rec}});
    REQUIRE_MESSAGE(enter, (enter ? "" : enter.error().describe()));
    auto xo = sys::tp_btf_options("sys_exit").value();
    xo.name = "ctbpf_tp_exit";
    auto exit = sys::load(exit_img->image(), xo, {{"config", config}, {"rec", exit_rec}});
    REQUIRE_MESSAGE(exit, (exit ? "" : exit.error().describe()));
    CHECK(!sys::tp_btf_options("no_such_tracepoint_xyz"));

    long want_ret = 0;
    int want_errno = 0;
    {
        auto l1 = sys::attach_tracing(*enter, BPF_TRACE_RAW_TP, "tp_btf sys_enter");
        REQUIRE_MESSAGE(l1, (l1 ? "" : l1.error().describe()));
        auto l2 = sys::attach_tracing(*exit, BPF_TRACE_RAW_TP, "tp_btf sys_exit");
        REQUIRE_MESSAGE(l2, (l2 ? "" : l2.error().describe()));
        CHECK(l1->info().value().prog_id == enter->info().value().id);
        for (int i = 0; i < 5; ++i) {
            want_ret = faccessat_marker();
            want_errno = errno;
        }
    } // detached
    faccessat_marker();
    REQUIRE(want_ret == -1);
    const rec e = enter_rec.lookup(0).value();
    const rec x = exit_rec.lookup(0).value();
    CHECK(e.calls == 5);
    CHECK(static_cast<std::int32_t>(e.a) == marker_dfd);
    CHECK(static_cast<std::int32_t>(e.b) == marker_mode);
    CHECK(x.calls == 5);
    CHECK(static_cast<std::int64_t>(x.c) == -want_errno);
    std::printf("tp_btf: sys_enter saw %llu faccessat calls (di %d, dx %d), sys_exit %llu (ret %lld, errno %d)\n",
                static_cast<unsigned long long>(e.calls), static_cast<std::int32_t>(e.a), static_cast<std::int32_t>(e.b),
                static_cast<unsigned long long>(x.calls), static_cast<long long>(static_cast<std::int64_t>(x.c)), want_errno);
}

TEST_CASE("CO-RE: current->tgid and current->real_parent->tgid with offsets from the running kernel's BTF") {
    KERNEL_TEST();
    auto btf = sys::vmlinux_btf();
    REQUIRE_MESSAGE(btf, (btf ? "" : btf.error().describe()));
    const std::vector<sys::core_relocation> relos = {
        {.label = "tgid", .type = "task_struct", .path = {"tgid"}},
        {.label = "real_parent", .type = "task_struct", .path = {"real_parent"}},
        {.label = "parent_tgid", .type = "task_struct___mine", .path = {"tgid"}}, // a flavour: ignored
    };
    auto patched = sys::core_relocate(sys::image<core_tgids_sys_enter, tp_btf_opts>(), relos, **btf);
    REQUIRE_MESSAGE(patched, (patched ? "" : patched.error().describe()));

    auto config = config_map::create(BPF_MAP_TYPE_ARRAY, 1, {.name = "config"}).value();
    config.update(0, static_cast<std::uint64_t>(::getpid())).value();
    auto out = rec_map::create(BPF_MAP_TYPE_ARRAY, 1, {.name = "rec"}).value();
    auto o = sys::tp_btf_options("sys_enter").value();
    o.name = "ctbpf_core";
    auto p = sys::load(patched->image(), o, {{"config", config}, {"rec", out}});
    REQUIRE_MESSAGE(p, (p ? "" : p.error().describe()));
    {
        auto l = sys::attach_tracing(*p, BPF_TRACE_RAW_TP);
        REQUIRE_MESSAGE(l, (l ? "" : l.error().describe()));
        faccessat_marker();
    }
    const rec r = out.lookup(0).value();
    CHECK(r.calls == 1);
    CHECK(r.a == static_cast<std::uint64_t>(::getpid()));
    CHECK(r.b == static_cast<std::uint64_t>(::getppid()));
    std::printf("CO-RE: task_struct.tgid at byte %u, .real_parent at %u: tgid %llu (getpid %d), parent tgid %llu (getppid %d)\n",
                sys::core_field_offset(**btf, "task_struct", {"tgid"}).value(),
                sys::core_field_offset(**btf, "task_struct", {"real_parent"}).value(), static_cast<unsigned long long>(r.a),
                ::getpid(), static_cast<unsigned long long>(r.b), ::getppid());

    // a missing field: the error names the type and the member; nothing is loaded
    const sys::core_relocation bad[] = {{.label = "tgid", .type = "task_struct", .path = {"no_such_member"}}};
    auto refused = sys::core_relocate(sys::image<core_tgids, tracing_opts>(), bad, **btf);
    REQUIRE(!refused);
    CHECK(refused.error().message.find("task_struct") != std::string::npos);
    CHECK(refused.error().message.find("'no_such_member'") != std::string::npos);
    // a path through a pointer is refused (two loads, two relocations)
    const sys::core_relocation through[] = {{.label = "tgid", .type = "task_struct", .path = {"real_parent", "tgid"}}};
    auto ptr = sys::core_relocate(sys::image<core_tgids, tracing_opts>(), through, **btf);
    REQUIRE(!ptr);
    CHECK(ptr.error().message.find("pointer") != std::string::npos);
    // an unknown label
    const sys::core_relocation nolabel[] = {{.label = "nowhere", .type = "task_struct", .path = {"tgid"}}};
    CHECK(!sys::core_relocate(sys::image<core_tgids, tracing_opts>(), nolabel, **btf));
}
