// RAII file descriptor: closes on destruction, move-only, never closes twice.
#pragma once

#include "ctbpf/sys/config.hpp" // CTBPF_SYS_INLINE, CTBPF_SYS_BODIES

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <string>
#include <utility>

namespace ctbpf::sys {

class unique_fd {
public:
    constexpr unique_fd() noexcept = default;
    explicit unique_fd(int fd) noexcept : fd_(fd) {}
    unique_fd(unique_fd&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
    unique_fd& operator=(unique_fd&& o) noexcept {
        if (this != &o) reset(o.release());
        return *this;
    }
    unique_fd(const unique_fd&) = delete;
    unique_fd& operator=(const unique_fd&) = delete;
    ~unique_fd() { reset(); }

    int get() const noexcept { return fd_; }
    explicit operator bool() const noexcept { return fd_ >= 0; }
    // Gives up ownership: the caller closes the fd.
    [[nodiscard]] int release() noexcept { return std::exchange(fd_, -1); }
    // Closes the current fd (if any) and owns `fd` instead.
    void reset(int fd = -1) noexcept {
        if (fd_ >= 0 && fd_ != fd) ::close(fd_);
        fd_ = fd;
    }
    // A second fd for the same open file (close-on-exec); invalid (errno set) on failure.
    unique_fd duplicate() const noexcept { return unique_fd(fd_ >= 0 ? ::fcntl(fd_, F_DUPFD_CLOEXEC, 3) : -1); }

private:
    int fd_ = -1;
};

// What the kernel says `fd` is ("anon_inode:bpf-map", "anon_inode:bpf-prog", "socket:[42]");
// empty when /proc is not mounted.
CTBPF_SYS_INLINE std::string fd_target(int fd)
#if CTBPF_SYS_BODIES
{
    char path[64];
    char buf[256];
    std::snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    const ssize_t n = ::readlink(path, buf, sizeof buf);
    return n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : std::string();
}
#else
;
#endif

} // namespace ctbpf::sys
