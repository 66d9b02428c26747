// Kernel tests of resource hygiene and privilege: no fd is leaked by any operation, successful or
// failing, even when RLIMIT_NOFILE leaves room for only a few fds (errors then say EMFILE and
// name the limit); a child that drops to an unprivileged uid gets an error that says which
// privilege is missing and what kernel.unprivileged_bpf_disabled is.
#include "sys_test_util.hpp"

#include <ctbpf/sys/bundle.hpp>

#include <dirent.h>
#include <grp.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace sys = ctbpf::sys;
using sys_test::bytes;

namespace {

using sys_test::count_runs;
constexpr auto emit = sys_test::emit_record<7>;
// Rejected by the kernel (assembled at run time: assemble<F>() may refuse it once it runs check()).
const sys::assembled_program& rejected() {
    using namespace ctbpf::syntax;
    static const sys::assembled_program p = sys::assemble_for_load(program{r0 = r5, exit_()});
    return p;
}
constexpr auto tracepoint_prog = sys_test::ret0;

constexpr auto spec = sys::bundle(sys::map_spec<"counts", std::uint32_t, std::uint64_t>(BPF_MAP_TYPE_ARRAY, 1),
                                  sys::ringbuf_spec<"events">(4096),
                                  sys::prog_spec<"count", count_runs>(BPF_PROG_TYPE_XDP),
                                  sys::prog_spec<"emit", emit>(BPF_PROG_TYPE_XDP));

struct outcome {
    int steps = 0;                  // operations that succeeded
    std::vector<std::string> errors; // messages of those that failed (other than the expected rejection)
    bool rejection_seen = false;
};

// Everything the shim does that holds fds, in one go; stops at the first unexpected failure.
outcome exercise(const std::string& bpffs) {
    outcome o;
    auto step = [&](const auto& r) {
        if (r.ok()) {
            ++o.steps;
            return true;
        }
        o.errors.push_back(r.error().message);
        return false;
    };
    auto b = sys::load(spec);
    if (!step(b)) return o;
    std::vector<unsigned char> pkt(64, 0);
    if (!step(sys::test_run(b->prog<"count">(), {.data = bytes(pkt.data(), pkt.size())}))) return o;
    auto consumer = sys::ringbuf_consumer::create(b->map<"events">());
    if (!step(consumer)) return o;
    if (!step(sys::test_run(b->prog<"emit">(), {.data = bytes(pkt.data(), pkt.size())}))) return o;
    consumer->consume([](std::span<const std::byte>) {});
    auto bad = sys::load(rejected().image(), {.type = BPF_PROG_TYPE_XDP});
    if (bad.ok()) return o;
    if (bad.error().is(std::errc::permission_denied)) {
        o.rejection_seen = true; // the verifier's verdict, with a log retry
    } else {
        o.errors.push_back(bad.error().message);
        return o;
    }
    auto tp = sys::load<tracepoint_prog>({.type = BPF_PROG_TYPE_TRACEPOINT});
    if (!step(tp)) return o;
    auto link = sys::attach_tracepoint(*tp, "syscalls", "sys_enter_getpid");
    if (!step(link)) return o;
    if (!step(sys::pin(b->map<"counts">(), bpffs + "/counts"))) return o;
    auto pinned = sys::open_pinned_map<std::uint32_t, std::uint64_t>(bpffs + "/counts");
    (void)sys::unpin(bpffs + "/counts");
    if (!step(pinned)) return o;
    auto wrong_pin = sys::open_pinned_prog(bpffs + "/nothing");
    if (wrong_pin.ok()) return o;
    return o;
}

// The RLIMIT_NOFILE that leaves exactly `room` fd numbers free (new fds take the lowest free number).
rlim_t limit_for_room(int room) {
    std::vector<bool> open(1 << 16);
    DIR* d = ::opendir("/proc/self/fd");
    REQUIRE(d != nullptr);
    const int own = ::dirfd(d);
    while (dirent* e = ::readdir(d)) {
        const int n = std::atoi(e->d_name);
        if (e->d_name[0] != '.' && n != own && n < static_cast<int>(open.size())) open[static_cast<std::size_t>(n)] = true;
    }
    ::closedir(d);
    int fd = 0;
    for (int free_seen = 0;; ++fd) {
        if (open[static_cast<std::size_t>(fd)]) continue;
        if (free_seen == room) break;
        ++free_seen;
    }
    return static_cast<rlim_t>(fd);
}

struct private_bpffs {
    std::string dir;
    private_bpffs() {
        char tmpl[] = "/tmp/ctbpf-bpffs.XXXXXX";
        REQUIRE(::mkdtemp(tmpl) != nullptr);
        dir = tmpl;
        REQUIRE(sys::mount_bpffs(dir).ok());
    }
    ~private_bpffs() {
        ::umount2(dir.c_str(), MNT_DETACH);
        ::rmdir(dir.c_str());
    }
};

} // namespace

TEST_CASE("no fd is leaked by successful and failing operations") {
    KERNEL_TEST();
    private_bpffs fs;
    const int before = sys_test::open_fds();
    for (int round = 0; round < 3; ++round) {
        const outcome o = exercise(fs.dir);
        CHECK(o.errors.empty());
        CHECK(o.rejection_seen);
        CHECK(o.steps == 8);
        CHECK(sys_test::open_fds() == before);
    }
}

TEST_CASE("under a tiny RLIMIT_NOFILE: EMFILE errors that name the limit, and still no leak") {
    KERNEL_TEST();
    private_bpffs fs;
    rlimit saved{};
    REQUIRE(::getrlimit(RLIMIT_NOFILE, &saved) == 0);
    const int before = sys_test::open_fds();
    std::vector<outcome> outcomes;
    std::vector<int> leaks;
    std::vector<rlim_t> limits;
    for (int room = 0; room <= 12; ++room) {
        rlimit tiny = saved;
        tiny.rlim_cur = limit_for_room(room);
        limits.push_back(tiny.rlim_cur);
        REQUIRE(::setrlimit(RLIMIT_NOFILE, &tiny) == 0);
        outcome o = exercise(fs.dir);
        REQUIRE(::setrlimit(RLIMIT_NOFILE, &saved) == 0);
        leaks.push_back(sys_test::open_fds() - before);
        outcomes.push_back(std::move(o));
    }
    for (std::size_t room = 0; room < outcomes.size(); ++room) {
        CAPTURE(room);
        CHECK(leaks[room] == 0);
        for (const std::string& e : outcomes[room].errors) {
            CAPTURE(e);
            CHECK(e.find("(EMFILE)") != std::string::npos);
            CHECK(e.find("RLIMIT_NOFILE (" + std::to_string(limits[room]) + ")") != std::string::npos);
        }
    }
    CHECK(outcomes.front().steps == 0);     // no room: the first step fails
    CHECK_FALSE(outcomes.front().errors.empty());
    CHECK(outcomes.back().errors.empty());  // enough room for everything
    CHECK(outcomes.back().steps == 8);
}

TEST_CASE("an unprivileged child gets an error that says which privilege is missing") {
    KERNEL_TEST();
    int out[2];
    REQUIRE(::pipe2(out, O_CLOEXEC) == 0);
    std::fflush(stdout);
    const pid_t pid = ::fork();
    if (pid == 0) {
        ::close(out[0]);
        std::string msg;
        const uid_t nobody = 65534;
        if (::setgroups(0, nullptr) != 0 || ::setresgid(nobody, nobody, nobody) != 0 ||
            ::setresuid(nobody, nobody, nobody) != 0) {
            msg = "FAILED to drop privileges";
        } else {
            auto p = sys::load<tracepoint_prog>({.type = BPF_PROG_TYPE_TRACEPOINT});
            msg = p.ok() ? "LOADED" : std::to_string(p.error().errnum()) + "|" + p.error().message;
            auto m = sys::raw_map::create(BPF_MAP_TYPE_HASH, 4, 4, 8);
            msg += "\n";
            msg += m.ok() ? "CREATED" : std::to_string(m.error().errnum()) + "|" + m.error().message;
        }
        (void)!::write(out[1], msg.data(), msg.size());
        ::_exit(0);
    }
    ::close(out[1]);
    std::string got;
    char buf[4096];
    for (ssize_t n; (n = ::read(out[0], buf, sizeof buf)) > 0;) got.append(buf, static_cast<std::size_t>(n));
    ::close(out[0]);
    int status = 0;
    ::waitpid(pid, &status, 0);
    CAPTURE(got);
    const std::string load = got.substr(0, got.find('\n'));
    const std::string create = got.find('\n') == std::string::npos ? "" : got.substr(got.find('\n') + 1);
    CHECK(load.rfind(std::to_string(EPERM) + "|BPF_PROG_LOAD tracepoint: Operation not permitted (EPERM): needs CAP_BPF (or root)", 0) == 0);
    CHECK(load.find("neither CAP_BPF nor CAP_SYS_ADMIN") != std::string::npos);
    const auto disabled = sys::detail::read_long("/proc/sys/kernel/unprivileged_bpf_disabled");
    REQUIRE(disabled.has_value());
    CHECK(load.find("kernel.unprivileged_bpf_disabled=" + std::to_string(*disabled)) != std::string::npos);
    if (*disabled != 0) {
        CHECK(create.rfind(std::to_string(EPERM) + "|BPF_MAP_CREATE hash: Operation not permitted (EPERM): needs CAP_BPF", 0) == 0);
    }
}
