// CO-RE bitfield reads on the running kernel: task_struct.sched_reset_on_fork (a 1-bit bitfield the
// calling thread sets with sched_setscheduler(SCHED_RESET_ON_FORK)) read by a syscall tracepoint
// through core::probe_read_bitfield, and by a tp_btf program through core::load_bitfield (a direct
// load from bpf_get_current_task_btf()); a guarded access to a missing field loads as libbpf's
// poison call and is refused only when reached.
#include "sys_test_util.hpp"

#include <ctbpf/core.hpp>
#include <ctbpf/sys/btf.hpp>

#include <linux/bpf.h>
#include <sched.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>

using namespace sys_test;

namespace {

using u64_map = sys::map<std::uint32_t, std::uint64_t>;
struct seen {
    std::uint64_t value, calls;
};
using out_map = sys::map<std::uint32_t, seen>;
constexpr ctbpf::options tracepoint_opts{.type = ctbpf::prog_type::tracepoint};
constexpr ctbpf::options tp_btf_opts{.type = ctbpf::prog_type::tracing, .expected_attach_type = ctbpf::attach_type::trace_raw_tp};

// For the thread in config[0]: out[0] = {current->sched_reset_on_fork, calls + 1}.
constexpr auto filter = [] {
    using namespace ctbpf::syntax;
    return program{
        call(helper::get_current_pid_tgid),
        r1 = map_value("config", 0),
        r1 = mem<u64>(r1 + 0),
        if_(w0 != w1).goto_("out"), // the low half: the thread id
    };
};
constexpr auto store_r6 = [] {
    using namespace ctbpf::syntax;
    return program{
        r1 = map_value("out", 0),
        mem<u64>(r1 + 0) = r6,
        r2 = 1,
        lock(mem<u64>(r1 + 8)) += r2,
    label("out"),
        r0 = 0,
        exit_(),
    };
};
constexpr auto probed = [] {
    using namespace ctbpf::syntax;
    return filter() + program{call(helper::get_current_task), r7 = r0} +
           ctbpf::core::probe_read_bitfield<"task_struct", "sched_reset_on_fork">(r6, r7) + store_r6();
};
constexpr auto direct = [] {
    using namespace ctbpf::syntax;
    return program{r2 = mem<u64>(r1 + 8), if_(r2 != SYS_getppid).goto_("out")} + // sys_enter(regs, id)
           filter() + program{call(helper::get_current_task_btf), r7 = r0} +
           ctbpf::core::load_bitfield<"task_struct", "sched_reset_on_fork">(r6, r7) + store_r6();
};
// field_exists says no, so the poisoned load is never reached
constexpr auto guarded = [] {
    using namespace ctbpf::syntax;
    return ctbpf::core::field_exists<"task_struct", "ctbpf_no_such_field">(r6) +
           program{if_(r6 == 0).goto_("skip"), call(helper::get_current_task_btf)} +
           ctbpf::core::load_guarded<u32, "task_struct", "ctbpf_no_such_field">(r6, r0) + program{label("skip"), r0 = 0, exit_()};
};
// the same load, unguarded by a check: the verifier reaches the poison
constexpr auto reached = [] {
    using namespace ctbpf::syntax;
    return program{call(helper::get_current_task_btf)} + ctbpf::core::load_guarded<u32, "task_struct", "ctbpf_no_such_field">(r6, r0) +
           program{r0 = 0, exit_()};
};

void set_reset_on_fork(bool on) {
    sched_param sp{};
    REQUIRE(::sched_setscheduler(0, SCHED_OTHER | (on ? SCHED_RESET_ON_FORK : 0), &sp) == 0);
}

// out[0] after a getppid() with the flag on or off
std::uint64_t observe(const out_map& out, bool on) {
    set_reset_on_fork(on);
    ::syscall(SYS_getppid);
    set_reset_on_fork(false);
    return out.lookup(0).value().value;
}

} // namespace

TEST_CASE("CO-RE bitfield: sched_reset_on_fork through bpf_probe_read_kernel (tracepoint)") {
    KERNEL_TEST();
    auto btf = sys::vmlinux_btf();
    REQUIRE_MESSAGE(btf, (btf ? "" : btf.error().describe()));
    auto img = sys::core_relocate(sys::image<probed, tracepoint_opts>(), **btf);
    REQUIRE_MESSAGE(img, (img ? "" : img.error().describe()));
    auto config = u64_map::create(BPF_MAP_TYPE_ARRAY, 1, {.name = "config"}).value();
    auto out = out_map::create(BPF_MAP_TYPE_ARRAY, 1, {.name = "out"}).value();
    config.update(0, static_cast<std::uint64_t>(::gettid())).value();
    auto p = sys::load(img->image(), {.type = BPF_PROG_TYPE_TRACEPOINT, .name = "core_bitfield"}, {{"config", config}, {"out", out}});
    REQUIRE_MESSAGE(p, (p ? "" : p.error().describe()));
    auto link = sys::attach_tracepoint(*p, "syscalls", "sys_enter_getppid");
    REQUIRE_MESSAGE(link, (link ? "" : link.error().describe()));
    CHECK(observe(out, true) == 1);
    CHECK(observe(out, false) == 0);
    CHECK(observe(out, true) == 1);
    CHECK(out.lookup(0).value().calls == 3);
}

TEST_CASE("CO-RE bitfield: sched_reset_on_fork by a direct load from a BTF pointer (tp_btf)") {
    KERNEL_TEST();
    auto btf = sys::vmlinux_btf();
    REQUIRE_MESSAGE(btf, (btf ? "" : btf.error().describe()));
    auto img = sys::core_relocate(sys::image<direct, tp_btf_opts>(), **btf);
    REQUIRE_MESSAGE(img, (img ? "" : img.error().describe()));
    auto config = u64_map::create(BPF_MAP_TYPE_ARRAY, 1, {.name = "config"}).value();
    auto out = out_map::create(BPF_MAP_TYPE_ARRAY, 1, {.name = "out"}).value();
    config.update(0, static_cast<std::uint64_t>(::gettid())).value();
    auto o = sys::tp_btf_options("sys_enter").value();
    o.name = "core_bitfield";
    auto p = sys::load(img->image(), o, {{"config", config}, {"out", out}});
    REQUIRE_MESSAGE(p, (p ? "" : p.error().describe()));
    auto link = sys::attach_tracing(*p, BPF_TRACE_RAW_TP);
    REQUIRE_MESSAGE(link, (link ? "" : link.error().describe()));
    CHECK(observe(out, true) == 1);
    CHECK(observe(out, false) == 0);
    CHECK(out.lookup(0).value().calls == 2);
}

TEST_CASE("CO-RE: a guarded access to a missing field is poisoned; the kernel refuses it only when reached") {
    KERNEL_TEST();
    auto btf = sys::vmlinux_btf();
    REQUIRE_MESSAGE(btf, (btf ? "" : btf.error().describe()));
    auto img = sys::core_relocate(sys::image<guarded, tp_btf_opts>(), **btf);
    REQUIRE_MESSAGE(img, (img ? "" : img.error().describe()));
    bool poisoned = false;
    for (const auto& x : img->insns) poisoned = poisoned || (x.code == 0x85 && x.imm == sys::core_poison_imm);
    CHECK(poisoned);
    auto o = sys::tp_btf_options("sys_enter").value();
    auto ok = sys::load(img->image(), o);
    CHECK_MESSAGE(ok, (ok ? "" : ok.error().describe()));

    auto img2 = sys::core_relocate(sys::image<reached, tp_btf_opts>(), **btf);
    REQUIRE(img2);
    auto bad = sys::load(img2->image(), o);
    REQUIRE_FALSE(bad);
    CHECK_MESSAGE(bad.error().describe().find("invalid func unknown#195896080") != std::string::npos, bad.error().describe());
    // unguarded (core::load), the same missing field is a load-time error naming type and member
    const auto err = sys::core_field_offset(**btf, "task_struct", {"ctbpf_no_such_field"});
    REQUIRE_FALSE(err);
    CHECK(err.error().message.find("task_struct") != std::string::npos);
    CHECK(err.error().message.find("'ctbpf_no_such_field'") != std::string::npos);
}
