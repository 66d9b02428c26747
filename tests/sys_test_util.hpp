// Shared by the kernel-facing tests (sys_*_test.cpp): whether this process can use bpf() (found by
// trying), KERNEL_TEST() to skip with the reason when it cannot (never as root: then it fails),
// a count of the kernel tests that ran printed at exit, fd counting; and (sys_test_programs.hpp)
// the small programs that several of them load.
#pragma once

#include <ctbpf.hpp>
#include <ctbpf/sys.hpp>

#include <doctest/doctest.h>

#include "sys_test_programs.hpp"

#include <dirent.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <span>
#include <string>

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

} // namespace sys_test
