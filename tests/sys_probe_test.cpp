// Kernel tests of dynamic probes, sampling, iterators, the LSM check and pinned links, with
// programs in ctbpf's DSL; the kernel and this process's own memory map are the oracles.
// - ELF symbols: the file offset of a function of this binary equals its address minus the
//   mapping's start plus the mapping's file offset (/proc/self/maps); non-ELF, stripped, missing
//   and undefined symbols are errors that say so.
// - uprobe and uretprobe on ctbpf_probe_target (this binary): calls counted, the argument
//   (pt_regs->di) and the return value (pt_regs->ax) summed, compared with the calls made; through
//   a bpf link and through the ioctls; links detach when destroyed.
// - kprobes: on this kernel (no kprobe PMU) attach_kprobe/attach_kprobe_multi fail saying the kernel
//   lacks kprobes; where kprobes exist the same case attaches to do_sys_openat2 and counts opens.
// - perf_event: a CPU-clock sampling program counts samples while this thread spins.
// - task iterator: one line per task; this process's pid is among them (or a SKIP with the reason
//   when the host refuses tracing-program loads).
// - LSM: "bpf" among the active LSMs is detected; a list without it gives an error saying so.
// - A pinned uprobe link outlives the child process that made it; unpinning detaches it.
#include "sys_test_util.hpp"

#include <ctbpf/sys/iter.hpp>
#include <ctbpf/sys/lsm.hpp>
#include <ctbpf/sys/probe.hpp>

#include <asm/ptrace.h>
#include <linux/bpf_perf_event.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <string>

namespace sys = ctbpf::sys;

// The probed function: not inlined, C linkage (its .symtab name is plain).
extern "C" __attribute__((noinline)) int ctbpf_probe_target(int x) {
    asm volatile("" ::: "memory");
    return 3 * x + 1;
}
extern "C" __attribute__((noinline)) int ctbpf_probe_other(int x) {
    asm volatile("" ::: "memory");
    return x - 1;
}

namespace {

struct rec {
    std::uint64_t calls, sum;
};
using rec_map = sys::map<std::uint32_t, rec>;
using count_map = sys::map<std::uint32_t, std::uint64_t>;

constexpr std::int16_t regs_di = offsetof(struct pt_regs, rdi); // first argument (x86-64; the kernel calls it di)
constexpr std::int16_t regs_ax = offsetof(struct pt_regs, rax); // return value (ax)

// kprobe-type program: rec[0] = {calls + 1, sum + the pt_regs field at `Off`}.
template <std::int16_t Off>
constexpr auto sum_reg = [] {
    using namespace ctbpf::syntax;
    return program{
        r6 = r1,
        r7 = map_value("rec", 0),
        r2 = 1,
        lock(mem<u64>(r7 + 0)) += r2,
        r2 = mem<u64>(r6 + dyn(Off)),
        lock(mem<u64>(r7 + 8)) += r2,
        r0 = 0,
        exit_(),
    };
};
constexpr ctbpf::options kprobe_opts{.type = ctbpf::prog_type::kprobe};

template <std::int16_t Off>
sys::result<sys::prog> load_sum(rec_map& m, std::uint32_t attach_type = 0) {
    sys::load_options o{.type = BPF_PROG_TYPE_KPROBE, .expected_attach_type = attach_type};
    return sys::load(sys::image<sum_reg<Off>, kprobe_opts>(), o, {{"rec", m}});
}

std::string self_exe() {
    char buf[4096];
    const ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
    return n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : std::string();
}

// Calls the target with 1..n; returns the sum of its return values.
std::uint64_t call_target(int n) {
    std::uint64_t s = 0;
    for (int i = 1; i <= n; ++i) s += static_cast<std::uint64_t>(ctbpf_probe_target(i));
    return s;
}

// The file offset of `addr` from /proc/self/maps: the mapping's offset + (addr - its start).
std::uint64_t maps_file_offset(std::uintptr_t addr) {
    std::ifstream maps("/proc/self/maps");
    std::string line;
    while (std::getline(maps, line)) {
        unsigned long long lo = 0, hi = 0, off = 0;
        if (std::sscanf(line.c_str(), "%llx-%llx %*s %llx", &lo, &hi, &off) == 3 && addr >= lo && addr < hi) return addr - lo + off;
    }
    return 0;
}

std::string write_temp(const char* text) {
    char path[] = "/tmp/ctbpf-elf-test.XXXXXX";
    const int fd = ::mkstemp(path);
    REQUIRE(fd >= 0);
    const std::string s(text);
    REQUIRE(::write(fd, s.data(), s.size()) == static_cast<ssize_t>(s.size()));
    ::close(fd);
    return path;
}

bool contains(const std::string& s, const char* part) { return s.find(part) != std::string::npos; }

} // namespace

TEST_CASE("ELF symbols: file offsets equal the loaded mapping's; bad files and missing symbols are clear errors") {
    const std::string exe = self_exe();
    auto sym = sys::elf_find_symbol(exe, "ctbpf_probe_target");
    REQUIRE_MESSAGE(sym, (sym ? "" : sym.error().describe()));
    CHECK(sym->file_offset == maps_file_offset(reinterpret_cast<std::uintptr_t>(&ctbpf_probe_target)));
    CHECK(sym->type == STT_FUNC);
    CHECK(sym->size > 0);

    auto missing = sys::elf_find_symbol(exe, "ctbpf_probe_targt");
    REQUIRE(!missing);
    CHECK(missing.error().not_found());
    CHECK(contains(missing.error().message, "did you mean ctbpf_probe_target"));

    const std::string text = write_temp("#!/bin/sh\necho not an ELF file\n");
    auto not_elf = sys::elf_symbol_offset(text, "main");
    ::unlink(text.c_str());
    REQUIRE(!not_elf);
    CHECK(contains(not_elf.error().message, "not an ELF file"));

    auto none = sys::elf_symbol_offset("/nonexistent/ctbpf", "main");
    REQUIRE(!none);
    CHECK(none.error().not_found());

    // a distribution's binaries are stripped: .dynsym only
    auto stripped = sys::elf_find_symbol("/bin/true", "main");
    if (stripped) {
        MESSAGE("SKIP: /bin/true is not stripped here");
    } else {
        MESSAGE("/bin/true: " << stripped.error().message);
        CHECK(contains(stripped.error().message, "no .symtab (stripped)"));
    }
    auto imported = sys::elf_find_symbol(exe, "getppid"); // this binary calls it; libc defines it
    REQUIRE(!imported);
    CHECK(contains(imported.error().message, "undefined here"));
}

TEST_CASE("uprobe and uretprobe on a function of this binary: argument and return value, link and ioctl paths") {
    KERNEL_TEST();
    const std::string exe = self_exe();
    for (const sys::perf_attach how : {sys::perf_attach::link, sys::perf_attach::ioctl}) {
        CAPTURE(static_cast<int>(how));
        auto entry_rec = rec_map::create(BPF_MAP_TYPE_ARRAY, 1, {.name = "rec"}).value();
        auto exit_rec = rec_map::create(BPF_MAP_TYPE_ARRAY, 1, {.name = "rec"}).value();
        auto entry = load_sum<regs_di>(entry_rec);
        REQUIRE_MESSAGE(entry, (entry ? "" : entry.error().describe()));
        auto exit = load_sum<regs_ax>(exit_rec);
        REQUIRE_MESSAGE(exit, (exit ? "" : exit.error().describe()));
        const int fds_before = sys_test::open_fds();
        std::uint64_t want_ret = 0;
        {
            auto up = sys::attach_uprobe(*entry, exe, "ctbpf_probe_target", {.pid = ::getpid(), .how = how});
            REQUIRE_MESSAGE(up, (up ? "" : up.error().describe()));
            auto ret = sys::attach_uprobe(*exit, exe, "ctbpf_probe_target", {.retprobe = true, .how = how});
            REQUIRE_MESSAGE(ret, (ret ? "" : ret.error().describe()));
            CHECK(up->type() == (how == sys::perf_attach::link ? sys::link::kind::bpf_link : sys::link::kind::perf_event));
            if (how == sys::perf_attach::link) CHECK(up->info().value().prog_id == entry->info().value().id);
            want_ret = call_target(7);
        } // detached
        CHECK(sys_test::open_fds() == fds_before);
        call_target(3);
        const rec e = entry_rec.lookup(0).value();
        const rec x = exit_rec.lookup(0).value();
        CHECK(e.calls == 7);
        CHECK(e.sum == 28); // 1 + ... + 7
        CHECK(x.calls == 7);
        CHECK(x.sum == want_ret);
        MESSAGE("uprobe calls " << e.calls << " argument sum " << e.sum << "; uretprobe calls " << x.calls << " return sum " << x.sum);
    }
}

TEST_CASE("uprobe errors: a wrong program type and a pid filter for another process") {
    KERNEL_TEST();
    const std::string exe = self_exe();
    auto m = rec_map::create(BPF_MAP_TYPE_ARRAY, 1, {.name = "rec"}).value();
    auto tp = sys::load<sys_test::ret0>({.type = BPF_PROG_TYPE_TRACEPOINT});
    REQUIRE(tp);
    auto wrong = sys::attach_uprobe(*tp, exe, "ctbpf_probe_target");
    REQUIRE(!wrong);
    CHECK(contains(wrong.error().message, "a kprobe or uprobe a kprobe program"));
    CHECK(contains(wrong.error().message, "(loaded as tracepoint)"));

    // a uprobe for the parent process does not count this one's calls
    auto p = load_sum<regs_di>(m);
    REQUIRE(p);
    auto other = sys::attach_uprobe(*p, exe, "ctbpf_probe_target", {.pid = ::getppid()});
    REQUIRE_MESSAGE(other, (other ? "" : other.error().describe()));
    call_target(4);
    CHECK(m.lookup(0).value().calls == 0);
}

TEST_CASE("uprobe_multi: one link on two functions") {
    KERNEL_TEST();
    const std::string exe = self_exe();
    auto m = rec_map::create(BPF_MAP_TYPE_ARRAY, 1, {.name = "rec"}).value();
    auto p = load_sum<regs_di>(m, sys::k::attach_trace_uprobe_multi);
    REQUIRE_MESSAGE(p, (p ? "" : p.error().describe()));
    {
        auto l = sys::attach_uprobe_multi(*p, exe, {"ctbpf_probe_target", "ctbpf_probe_other"}, ::getpid());
        REQUIRE_MESSAGE(l, (l ? "" : l.error().describe()));
        CHECK(l->info().value().type == sys::k::link_type_uprobe_multi);
        call_target(5);
        CHECK(ctbpf_probe_other(100) == 99);
    }
    call_target(5);
    CHECK(m.lookup(0).value().calls == 6);
    CHECK(m.lookup(0).value().sum == 115); // 1 + ... + 5, then 100
    auto wrong = sys::attach_uprobe_multi(*p, exe, {"ctbpf_probe_target", "ctbpf_no_such_function"});
    REQUIRE(!wrong);
    CHECK(contains(wrong.error().message, "ctbpf_no_such_function"));
}

TEST_CASE("kprobes: attach to do_sys_openat2 where the kernel has kprobes, else an error saying it lacks them") {
    KERNEL_TEST();
    auto m = rec_map::create(BPF_MAP_TYPE_ARRAY, 1, {.name = "rec"}).value();
    auto p = load_sum<regs_di>(m);
    REQUIRE_MESSAGE(p, (p ? "" : p.error().describe()));
    auto multi_p = load_sum<regs_di>(m, BPF_TRACE_KPROBE_MULTI);
    REQUIRE_MESSAGE(multi_p, (multi_p ? "" : multi_p.error().describe()));
    auto k = sys::attach_kprobe(*p, "do_sys_openat2");
    auto kr = sys::attach_kprobe(*p, "do_sys_openat2", {.retprobe = true});
    auto multi = sys::attach_kprobe_multi(*multi_p, {"do_sys_openat2"});
    if (!sys::have_kprobes()) {
        MESSAGE("no kprobes here: " << k.error().message);
        for (auto* r : {&k, &kr, &multi}) {
            REQUIRE(!*r);
            CHECK(contains(r->error().message, "this kernel lacks kprobes"));
        }
        return;
    }
    REQUIRE_MESSAGE(k, (k ? "" : k.error().describe()));
    REQUIRE_MESSAGE(kr, (kr ? "" : kr.error().describe()));
    kr->detach().value();
    if (multi) multi->detach().value(); // CONFIG_FPROBE may be off where kprobes are on: only the PMU path is required
    const int fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    ::close(fd);
    CHECK(m.lookup(0).value().calls >= 1);
}

TEST_CASE("perf_event program on the CPU clock: samples counted while this thread spins") {
    KERNEL_TEST();
    // rec[0] = {samples + 1, sum of bpf_perf_event_data.sample_period}
    constexpr auto count_samples = [] {
        using namespace ctbpf::syntax;
        return program{
            r2 = mem<u64>(r1 + static_cast<std::int16_t>(offsetof(bpf_perf_event_data, sample_period))),
            r7 = map_value("rec", 0),
            r3 = 1,
            lock(mem<u64>(r7 + 0)) += r3,
            lock(mem<u64>(r7 + 8)) += r2,
            r0 = 0,
            exit_(),
        };
    };
    constexpr ctbpf::options perf_opts{.type = ctbpf::prog_type::perf_event};
    for (const int pid : {-1, 0}) {
        CAPTURE(pid);
        auto m = rec_map::create(BPF_MAP_TYPE_ARRAY, 1, {.name = "rec"}).value();
        auto p = sys::load(sys::image<count_samples, perf_opts>(), {.type = BPF_PROG_TYPE_PERF_EVENT}, {{"rec", m}});
        REQUIRE_MESSAGE(p, (p ? "" : p.error().describe()));
        constexpr std::uint64_t period_ns = 100000; // 0.1 ms of CPU time
        std::uint64_t seen = 0;
        {
            auto links = sys::attach_sampling(*p, {.period = period_ns, .pid = pid});
            REQUIRE_MESSAGE(links, (links ? "" : links.error().describe()));
            CHECK(links->size() == (pid < 0 ? sys::online_cpus().size() : 1u));
            // spin until 20 samples are counted (or 10 s of CPU time pass: then the check fails)
            const std::clock_t start = std::clock();
            volatile std::uint64_t x = 0;
            while (seen < 20 && std::clock() - start < 10 * CLOCKS_PER_SEC) {
                for (int i = 0; i < 100000; ++i) x = x + 1;
                seen = m.lookup(0).value().calls;
            }
        }
        const rec r = m.lookup(0).value();
        CHECK(r.calls >= 20);
        CHECK(r.sum == r.calls * period_ns); // every sample's period is the one asked for
        MESSAGE(std::string(pid < 0 ? "per-CPU" : "this thread") << ": " << r.calls << " samples");
        // detached: no more samples
        volatile std::uint64_t y = 0;
        for (int i = 0; i < 2000000; ++i) y = y + 1;
        CHECK(m.lookup(0).value().calls == r.calls);
    }
    auto bad = sys::attach_sampling(sys::load<sys_test::ret0>({.type = BPF_PROG_TYPE_PERF_EVENT}).value(), {});
    REQUIRE(!bad);
    CHECK(contains(bad.error().message, "exactly one of period and frequency"));
}

TEST_CASE("task iterator: one line per task, this process among them") {
    KERNEL_TEST();
    // bpf_iter__task {meta, task}: when task != NULL, seq_printf(meta->seq, "%d %d\n", tgid, pid)
    constexpr auto print_tasks = [] {
        using namespace ctbpf::syntax;
        namespace core = ctbpf::core;
        return program{
            r6 = mem<u64>(r1 + 0), // meta
            r7 = mem<u64>(r1 + 8), // task
            if_(r7 == 0).goto_("out"),
        } + core::load<u32, "task_struct", "tgid">(r2, r7) + program{
            mem<u64>(r10 - 16) = r2,
        } + core::load<u32, "task_struct", "pid">(r2, r7) + program{
            mem<u64>(r10 - 8) = r2,
            r1 = imm64(0x00000a6425206425), // "%d %d\n"
            mem<u64>(r10 - 24) = r1,
            r1 = mem<u64>(r6 + 0), // meta->seq
            r2 = r10,
            r2 += -24,
            r3 = 8,
            r4 = r10,
            r4 += -16,
            r5 = 16,
            call(helper::seq_printf),
        label("out"),
            r0 = 0,
            exit_(),
        };
    };
    constexpr ctbpf::options iter_opts{.type = ctbpf::prog_type::tracing, .expected_attach_type = ctbpf::attach_type::trace_iter};
    auto btf = sys::vmlinux_btf();
    REQUIRE_MESSAGE(btf, (btf ? "" : btf.error().describe()));
    auto o = sys::iter_options("task");
    REQUIRE_MESSAGE(o, (o ? "" : o.error().describe()));
    o->log_level = 1;
    auto img = sys::core_relocate(sys::image<print_tasks, iter_opts>(), **btf);
    REQUIRE_MESSAGE(img, (img ? "" : img.error().describe()));
    sys::load_report rep;
    auto p = sys::load(img->image(), *o, {}, &rep);
    if (!p && p.error().is(std::errc::operation_not_permitted) && rep.log.empty()) {
        std::printf("SKIP: task iterator: this host refuses tracing-program loads (BPF_PROG_TYPE_TRACING, BPF_TRACE_ITER): "
                    "EPERM with an empty verifier log, as for fentry/fexit\n");
        ++sys_test::tally.skipped;
        return;
    }
    REQUIRE_MESSAGE(p, (p ? "" : p.error().describe()));
    auto l = sys::attach_iter(*p);
    REQUIRE_MESSAGE(l, (l ? "" : l.error().describe()));
    auto text = sys::iterate(*l);
    REQUIRE_MESSAGE(text, (text ? "" : text.error().describe()));
    const std::uint32_t link_id = l->info().value().id;
    CHECK(sys::link::from_id(link_id));
    *l = sys::link{}; // destroyed: the kernel frees the link
    CHECK(!sys::link::from_id(link_id));
    const std::string me = std::to_string(::getpid()) + " " + std::to_string(::getpid()) + "\n";
    CHECK(contains("\n" + *text, ("\n" + me).c_str()));
    MESSAGE("task iterator: " << std::count(text->begin(), text->end(), '\n') << " lines");
}

TEST_CASE("LSM: whether \"bpf\" is an active LSM, and an error that says so when it is not") {
    auto lsms = sys::active_lsms();
    if (!lsms) {
        REQUIRE_MESSAGE(::geteuid() != 0, lsms.error().describe());
        MESSAGE("SKIP: " << lsms.error().describe());
        return;
    }
    std::string list;
    for (const std::string& l : *lsms) list += l + ",";
    MESSAGE("active LSMs: " << list);
    CHECK(!lsms->empty());
    CHECK(sys::parse_lsm_list("lockdown,capability,landlock,bpf\n") ==
          std::vector<std::string>{"lockdown", "capability", "landlock", "bpf"});
    auto without = sys::require_bpf_lsm(sys::parse_lsm_list("lockdown,capability"));
    REQUIRE(!without);
    CHECK(contains(without.error().message, "\"bpf\" is not among the active LSMs (lockdown,capability)"));
    CHECK(contains(without.error().message, "lsm=lockdown,capability,bpf"));
    const bool active = std::find(lsms->begin(), lsms->end(), "bpf") != lsms->end();
    auto o = sys::lsm_options("file_open");
    CHECK(static_cast<bool>(sys::require_bpf_lsm()) == active);
    if (!active) {
        REQUIRE(!o);
        CHECK(contains(o.error().message, "is not among the active LSMs"));
        return;
    }
    REQUIRE_MESSAGE(o, (o ? "" : o.error().describe()));
    CHECK(o->type == BPF_PROG_TYPE_LSM);
    if (!sys_test::kernel().usable) return;
    // an LSM program that allows everything (returns 0) on file_open, attached and detached
    constexpr auto ret0 = sys_test::ret0;
    o->log_level = 1;
    sys::load_report rep;
    auto p = sys::load(sys::image<ret0, ctbpf::unchecked>(), *o, {}, &rep);
    if (!p && p.error().is(std::errc::operation_not_permitted) && rep.log.empty()) {
        std::printf("SKIP: LSM program: this host refuses BPF_PROG_TYPE_LSM loads before the verifier runs (EPERM, empty "
                    "log), as it does fentry/fexit\n");
        return;
    }
    REQUIRE_MESSAGE(p, (p ? "" : p.error().describe()));
    auto l = sys::attach_tracing(*p, BPF_LSM_MAC, "lsm file_open");
    REQUIRE_MESSAGE(l, (l ? "" : l.error().describe()));
    CHECK(l->info().value().prog_id == p->info().value().id);
}

TEST_CASE("a pinned uprobe link outlives the process that made it; unpinning detaches it") {
    KERNEL_TEST();
    const std::string exe = self_exe();
    const std::string dir = "/sys/fs/bpf";
    if (!sys::on_bpffs(dir + "/")) {
        auto mounted = sys::mount_bpffs(dir);
        REQUIRE_MESSAGE(mounted, (mounted ? "" : mounted.error().describe()));
    }
    const std::string link_pin = dir + "/ctbpf_probe_link_" + std::to_string(::getpid());
    const std::string map_pin = dir + "/ctbpf_probe_map_" + std::to_string(::getpid());
    const pid_t child = ::fork();
    REQUIRE(child >= 0);
    if (child == 0) {
        int rc = 0;
        try {
            auto m = rec_map::create(BPF_MAP_TYPE_ARRAY, 1, {.name = "rec"}).value();
            auto p = load_sum<regs_di>(m).value();
            auto l = sys::attach_uprobe(p, exe, "ctbpf_probe_target").value();
            sys::pin(l, link_pin).value();
            sys::pin(m, map_pin).value();
        } catch (const sys::bpf_error& e) {
            std::fprintf(stderr, "child: %s\n", e.what());
            rc = 1;
        }
        std::fflush(nullptr);
        ::_exit(rc);
    }
    int status = 0;
    REQUIRE(::waitpid(child, &status, 0) == child);
    REQUIRE(WIFEXITED(status));
    REQUIRE(WEXITSTATUS(status) == 0);
    std::uint32_t link_id = 0;
    {
        auto m = sys::open_pinned_map<std::uint32_t, rec>(map_pin);
        REQUIRE_MESSAGE(m, (m ? "" : m.error().describe()));
        call_target(6); // the child is gone; its link is pinned
        CHECK(m->lookup(0).value().calls == 6);
        auto l = sys::open_pinned_link(link_pin);
        REQUIRE_MESSAGE(l, (l ? "" : l.error().describe()));
        CHECK(l->info().value().type == BPF_LINK_TYPE_PERF_EVENT);
        link_id = l->info().value().id;
    } // our fds closed; the pin holds the link
    call_target(2);
    sys::unpin(link_pin).value();
    // The pin's reference is dropped when bpffs frees the inode (after an RCU grace period) and the
    // link's perf event after that (a deferred fput): wait, bounded, for the link to be freed and
    // for calls to stop counting.
    bool freed = false, stopped = false;
    for (int i = 0; i < 500 && !freed; ++i) {
        freed = !sys::link::from_id(link_id);
        if (!freed) ::usleep(10000);
    }
    CHECK(freed);
    auto m = sys::open_pinned_map<std::uint32_t, rec>(map_pin).value();
    CHECK(m.lookup(0).value().calls >= 8);
    for (int i = 0; i < 500 && !stopped; ++i) {
        const std::uint64_t before = m.lookup(0).value().calls;
        call_target(1);
        stopped = m.lookup(0).value().calls == before;
        if (!stopped) ::usleep(10000);
    }
    CHECK(stopped);
    MESSAGE("pinned link: " << m.lookup(0).value().calls << " calls counted, link " << link_id << (freed ? " freed" : " alive"));
    sys::unpin(map_pin).value();
}
