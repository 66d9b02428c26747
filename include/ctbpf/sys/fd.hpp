// RAII file descriptor: closes on destruction, move-only, never closes twice.
#pragma once

#include <fcntl.h>
#include <unistd.h>

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

} // namespace ctbpf::sys
