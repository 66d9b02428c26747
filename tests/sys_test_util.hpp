// Shared by the kernel-facing tests (sys_*_test.cpp): whether this process can use bpf() (found by
// trying), KERNEL_TEST() to skip with the reason when it cannot (never as root: then it fails),
// a count of the kernel tests that ran printed at exit, fd counting, lacks_caps() to skip without a
// capability, a veth pair between two private network namespaces (netns_pair, NETNS_SETUP); and
// (sys_test_programs.hpp) the small programs that several of them load.
#pragma once

#include <ctbpf.hpp>
#include <ctbpf/sys.hpp>

#include <doctest/doctest.h>

#include "sys_test_programs.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sched.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <initializer_list>
#include <ostream> // doctest prints a std::error_code with its operator<< (<system_error> declares it for any ostream)
#include <span>
#include <string>
#include <utility>

namespace sys_test {

namespace sys = ctbpf::sys;

struct kernel_state {
    bool usable = false;
    std::string why;
};

inline const kernel_state& kernel() {
    static const kernel_state s = [] {
        kernel_state k;
        auto p = sys::load<ret0>({.type = BPF_PROG_TYPE_SOCKET_FILTER});
        if (p) {
            k.usable = true;
        } else {
            k.why = "bpf() is not usable by this process: " + p.error().message;
        }
        return k;
    }();
    return s;
}

struct counter {
    int ran = 0, skipped = 0, failed = 0;
    std::string why;
    ~counter() {
        if (skipped != 0) std::printf("SKIP: %d kernel tests skipped: %s\n", skipped, why.c_str());
        if (failed != 0) std::printf("FAIL: %d kernel tests could not run as root: %s\n", failed, why.c_str());
        std::printf("%s: kernel tests: %d ran, %d skipped%s\n", program_invocation_short_name, ran, skipped,
                    failed != 0 ? ", the others FAILED" : "");
    }
};
inline counter tally;

// True when the test may talk to the kernel; otherwise skips (with the reason) or, as root, fails
// (the output then does not match the CTest skip expression).
inline bool begin() {
    const kernel_state& k = kernel();
    if (!k.usable) {
        tally.why = k.why;
        if (::geteuid() == 0) {
            FAIL_CHECK("running as root, yet " << k.why);
            ++tally.failed;
        } else {
            MESSAGE("SKIP: " << k.why);
            ++tally.skipped;
        }
        return false;
    }
    ++tally.ran;
    return true;
}

#define KERNEL_TEST()              \
    if (!::sys_test::begin()) {    \
        return;                    \
    }

// Open fds of this process (entries of /proc/self/fd, not counting the directory's own fd).
inline int open_fds() {
    DIR* d = ::opendir("/proc/self/fd");
    if (!d) return -1;
    int n = 0;
    while (dirent* e = ::readdir(d))
        if (e->d_name[0] != '.') ++n;
    ::closedir(d);
    return n - 1;
}

inline std::span<const std::byte> bytes(const void* p, std::size_t n) {
    return {static_cast<const std::byte*>(p), n};
}

// Skips (saying why) when this process lacks a capability the test needs; never as root, where
// the test then runs and fails on its own. Counted as skipped in the "kernel tests" line.
inline bool lacks_caps(std::initializer_list<std::pair<int, const char*>> caps) {
    if (::geteuid() == 0) return false;
    std::string missing;
    for (auto [cap, name] : caps)
        if (!sys::detail::has_capability(cap).value_or(false) &&
            !(cap == sys::detail::cap_bpf && sys::detail::has_capability(sys::detail::cap_sys_admin).value_or(false)))
            missing += std::string(missing.empty() ? "" : ", ") + name;
    if (missing.empty()) return false;
    --tally.ran;
    ++tally.skipped;
    tally.why = "needs " + missing + " (run as root)";
    MESSAGE("SKIP: " << tally.why);
    return true;
}

// Runs `cmd` with /bin/sh in the network namespace `nsfd`; returns its exit status.
inline int sh_in(int nsfd, const std::string& cmd) {
    std::fflush(stdout);
    const pid_t pid = ::fork();
    if (pid == 0) {
        if (::setns(nsfd, CLONE_NEWNET) != 0) ::_exit(126);
        ::execl("/bin/sh", "sh", "-c", cmd.c_str(), static_cast<char*>(nullptr));
        ::_exit(127);
    }
    int status = 0;
    ::waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

// Two private network namespaces joined by a veth pair: "ctbpfa" (10.199.0.1) in `a`, "ctbpfb"
// (10.199.0.2) in `b`. This thread is in `b` while the object lives; the original namespace is
// restored when it is destroyed (the private ones then go away with their fds).
struct netns_pair {
    sys::unique_fd orig, a, b;
    bool ok = false;
    std::string why;

    netns_pair() {
        orig.reset(::open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC));
        if (!orig) {
            why = "cannot open /proc/thread-self/ns/net";
            return;
        }
        if (::unshare(CLONE_NEWNET) != 0) {
            why = "unshare(CLONE_NEWNET) failed";
            return;
        }
        a.reset(::open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC));
        if (::unshare(CLONE_NEWNET) != 0) {
            why = "unshare(CLONE_NEWNET) failed";
            return;
        }
        b.reset(::open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC));
        // ip runs in `a`; "netns PID" names this process's current namespace, `b`.
        if (sh_in(a.get(), "ip link add ctbpfa type veth peer name ctbpfb netns " + std::to_string(::getpid()) +
                               " && ip addr add 10.199.0.1/24 dev ctbpfa && ip link set ctbpfa up && ip link set lo up") != 0 ||
            sh_in(b.get(), "ip addr add 10.199.0.2/24 dev ctbpfb && ip link set ctbpfb up && ip link set lo up") != 0) {
            why = "ip could not set up the veth pair";
            return;
        }
        ok = true;
    }
    ~netns_pair() {
        if (orig) ::setns(orig.get(), CLONE_NEWNET);
    }
    netns_pair(const netns_pair&) = delete;
    netns_pair& operator=(const netns_pair&) = delete;

    // Runs fn with this thread in namespace `ns`, then returns to `b`.
    template <class Fn>
    auto in(int ns, Fn fn) {
        ::setns(ns, CLONE_NEWNET);
        struct back {
            int fd;
            ~back() { ::setns(fd, CLONE_NEWNET); }
        } g{b.get()};
        return fn();
    }
};

} // namespace sys_test

// Declares netns_pair `ns` in the calling test; skips when not root and it cannot be built, fails as root.
#define SYS_TEST_NETNS_SETUP(ns)                                           \
    ::sys_test::netns_pair ns;                                             \
    if (!ns.ok && ::geteuid() != 0) {                                      \
        MESSAGE("SKIP: cannot build network namespaces: " << ns.why);      \
        return;                                                            \
    }                                                                      \
    REQUIRE_MESSAGE(ns.ok, ns.why)
