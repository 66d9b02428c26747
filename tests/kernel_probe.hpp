// Test-only access to the live kernel verifier: raw bpf(BPF_PROG_LOAD), unprivileged runs in a
// forked child (uid/gid 65534) with kernel.unprivileged_bpf_disabled temporarily 0.
// The verdict always comes from the syscall's return value; the log is only for the message.
// Raw on purpose rather than sys::load(): the shim refuses some inputs itself (an empty program,
// no program type) and these tests need the kernel's own verdict on any bytes.
#pragma once

#include "ctbpf/insn.hpp"

#include <linux/bpf.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>
#include <grp.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace kernel_probe {

struct load_result {
    int err = 0;         // 0: accepted; else the errno of BPF_PROG_LOAD
    std::string message; // the last line of the verifier log before the stats line ("" if none)
    bool ok() const { return err == 0; }
};

inline long sys_bpf(int cmd, union bpf_attr* attr) {
    return ::syscall(SYS_bpf, cmd, attr, sizeof(*attr));
}

// The kernel's message: the last non-empty log line that is not a statistics or state line.
inline std::string last_message(std::string_view log) {
    std::string best;
    std::size_t pos = 0;
    while (pos < log.size()) {
        std::size_t end = log.find('\n', pos);
        if (end == std::string_view::npos) end = log.size();
        std::string_view line = log.substr(pos, end - pos);
        pos = end + 1;
        if (line.empty()) continue;
        if (line.starts_with("processed ") || line.starts_with("verification time") ||
            line.starts_with("stack depth") || line.starts_with("cur state:") ||
            line.starts_with("old state:") || line.starts_with("mark_precise") || line.starts_with("func#"))
            continue;
        // (a message from a prune point can follow an instruction's text on its line)
        const std::size_t loop = line.find("infinite loop detected");
        best.assign(loop == std::string_view::npos ? line : line.substr(loop));
        if (best.starts_with("infinite loop detected")) break; // followed by state dumps
    }
    return best;
}

// Loads a program; the fd is closed again. log = true also fetches the verifier message.
class loader {
public:
    explicit loader(std::size_t log_size = 1 << 20) : log_(log_size) {}

    load_result load(std::span<const bpf_insn> prog, std::uint32_t prog_type, std::uint32_t attach_type = 0,
                     bool want_log = true) {
        load_result r;
        r.err = raw_load(prog, prog_type, attach_type, want_log ? 1 : 0);
        if (r.err == ENOSPC && want_log) {
            // The log did not fit: the return value says nothing; take the verdict without a log.
            r.err = raw_load(prog, prog_type, attach_type, 0);
            while (log_.size() < (std::size_t{64} << 20)) {
                log_.assign(log_.size() * 4, '\0');
                if (raw_load(prog, prog_type, attach_type, 1) != ENOSPC) break;
            }
        }
        if (want_log && r.err != 0) r.message = last_message(std::string_view(log_.data()));
        return r;
    }

private:
    int raw_load(std::span<const bpf_insn> prog, std::uint32_t prog_type, std::uint32_t attach_type, int level) {
        static const char license[] = "GPL";
        union bpf_attr attr;
        std::memset(&attr, 0, sizeof attr);
        attr.prog_type = prog_type;
        attr.insn_cnt = static_cast<std::uint32_t>(prog.size());
        attr.insns = reinterpret_cast<std::uintptr_t>(prog.data());
        attr.license = reinterpret_cast<std::uintptr_t>(license);
        attr.expected_attach_type = attach_type;
        if (level) {
            log_[0] = '\0';
            attr.log_level = static_cast<std::uint32_t>(level);
            attr.log_size = static_cast<std::uint32_t>(log_.size());
            attr.log_buf = reinterpret_cast<std::uintptr_t>(log_.data());
        }
        long fd = sys_bpf(BPF_PROG_LOAD, &attr);
        // (the verifier gives up with EAGAIN when a signal is pending: ask again, as the shim does)
        for (int tries = 0; fd < 0 && errno == EAGAIN && tries < 5; ++tries) fd = sys_bpf(BPF_PROG_LOAD, &attr);
        if (fd >= 0) {
            ::close(static_cast<int>(fd));
            return 0;
        }
        return errno;
    }
    std::vector<char> log_;
};

// The errno of BPF_PROG_LOAD of 'r0 = 0; exit' for this process (0: it loads).
inline int trivial_load_errno() {
    const bpf_insn prog[2] = {ctbpf::make_insn(0xb7, 0, 0, 0, 0), ctbpf::make_insn(0x95, 0, 0, 0, 0)};
    loader l(4096);
    return l.load(prog, BPF_PROG_TYPE_SOCKET_FILTER, 0, false).err;
}

// Why kernel tests cannot run here, or "" when BPF_PROG_LOAD works for this process.
inline std::string cannot_load_reason(int err = trivial_load_errno()) {
    if (err == 0) return {};
    return std::string("BPF_PROG_LOAD of 'r0 = 0; exit' failed: ") + std::strerror(err) +
           (err == EPERM ? " (not root / no CAP_BPF)" : err == ENOSYS ? " (no bpf() syscall)" : "");
}

// Kernel comparisons are skipped only by a process without privilege (not root, and the kernel
// says EPERM); as root, a kernel that cannot load programs fails the test.
inline bool lacks_privilege(int err) { return err == EPERM && ::geteuid() != 0; }

// True (after printing "SKIP: <what>, because <why>") when the comparison may be skipped; else
// `why` is "" when programs load, or the failure the caller must report.
inline bool may_skip(const char* what, std::string& why) {
    const int err = trivial_load_errno();
    why = cannot_load_reason(err);
    if (!lacks_privilege(err)) return false;
    std::printf("SKIP: %s, because %s\n", what, why.c_str());
    return true;
}

// Sets kernel.unprivileged_bpf_disabled to 0 for its lifetime and restores the old value.
class unprivileged_window {
public:
    unprivileged_window() {
        old_ = read();
        if (old_.empty()) {
            reason_ = "cannot read /proc/sys/kernel/unprivileged_bpf_disabled";
            return;
        }
        if (old_ == "0") {
            ok_ = true;
            return;
        }
        if (!write("0") || read() != "0") {
            reason_ = "kernel.unprivileged_bpf_disabled is " + old_ + " and cannot be set to 0" +
                      (old_ == "1" ? " (1 is sticky until reboot)" : "");
            return;
        }
        changed_ = ok_ = true;
    }
    ~unprivileged_window() {
        if (changed_) write(old_);
    }
    unprivileged_window(const unprivileged_window&) = delete;
    unprivileged_window& operator=(const unprivileged_window&) = delete;

    bool ok() const { return ok_; }
    const std::string& reason() const { return reason_; }
    // An unprivileged run may be skipped (saying why) by a process that is not root, or when the
    // sysctl is 1 (sticky: no process can open the window); as root it must run otherwise.
    bool may_skip() const { return ::geteuid() != 0 || old_ == "1"; }
    const std::string& old_value() const { return old_; }

private:
    static constexpr const char* path = "/proc/sys/kernel/unprivileged_bpf_disabled";
    static std::string read() {
        std::FILE* f = std::fopen(path, "r");
        if (!f) return {};
        char buf[16]{};
        const bool got = std::fgets(buf, sizeof buf, f) != nullptr;
        std::fclose(f);
        if (!got) return {};
        std::string s(buf);
        while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
        return s;
    }
    static bool write(const std::string& v) {
        std::FILE* f = std::fopen(path, "w");
        if (!f) return false;
        const bool ok = std::fputs(v.c_str(), f) >= 0;
        return std::fclose(f) == 0 && ok;
    }
    std::string old_, reason_;
    bool ok_ = false, changed_ = false;
};

// Runs `body` in a forked child that dropped to uid/gid 65534; the child's stdout bytes are
// returned through a pipe. Returns false (with `why`) if the child could not run or failed.
inline bool run_unprivileged(const std::function<std::string()>& body, std::string& out, std::string& why) {
    int fds[2];
    if (::pipe(fds) != 0) {
        why = std::string("pipe: ") + std::strerror(errno);
        return false;
    }
    const pid_t pid = ::fork();
    if (pid < 0) {
        why = std::string("fork: ") + std::strerror(errno);
        ::close(fds[0]);
        ::close(fds[1]);
        return false;
    }
    if (pid == 0) {
        ::close(fds[0]);
        int code = 0;
        if (::setgroups(0, nullptr) != 0 || ::setgid(65534) != 0 || ::setuid(65534) != 0) {
            code = 3;
        } else {
            const std::string s = body();
            std::size_t done = 0;
            while (done < s.size()) {
                const ssize_t n = ::write(fds[1], s.data() + done, s.size() - done);
                if (n <= 0) {
                    code = 4;
                    break;
                }
                done += static_cast<std::size_t>(n);
            }
        }
        ::close(fds[1]);
        ::_exit(code);
    }
    ::close(fds[1]);
    out.clear();
    char buf[65536];
    for (;;) {
        const ssize_t n = ::read(fds[0], buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        out.append(buf, static_cast<std::size_t>(n));
    }
    ::close(fds[0]);
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        why = WIFEXITED(status) && WEXITSTATUS(status) == 3 ? "cannot drop to uid/gid 65534"
                                                              : "the unprivileged child failed";
        return false;
    }
    return true;
}

} // namespace kernel_probe
