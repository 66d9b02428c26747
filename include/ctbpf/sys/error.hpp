// Errors of the runtime shim: the errno as std::error_code (system_category) with a message a
// person can act on; result<T> (a value or an error; .value() throws bpf_error) is what every
// shim function returns.
#pragma once

#include "ctbpf/sys/config.hpp" // CTBPF_SYS_INLINE, CTBPF_SYS_BODIES

#include <sys/resource.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "ctbpf/diagnostics.hpp"

namespace ctbpf::sys {

// What went wrong: the errno, one actionable message, and for program loads the kernel
// verifier's log with the offending instruction.
struct error {
    std::error_code code;
    std::string message;                // "BPF_MAP_CREATE hash 'counts': Operation not permitted (EPERM): needs ..."
    std::vector<std::string> log;       // the verifier log, one line each (program loads)
    std::vector<std::string> kernel_message; // the log lines that state the rejection
    std::string message_from = "kernel"; // who stated kernel_message: "ctbpf" for sys::verifier_precheck
    std::optional<std::uint32_t> insn;  // the offending instruction index, when the log names one
    std::string annotation;             // "insn 4: r1 = *(u32 *)(r1 + 0)   (label 'out', line 42)"

    int errnum() const noexcept { return code.value(); }
    bool is(std::errc e) const noexcept { return code == e; }
    bool not_found() const noexcept { return code == std::errc::no_such_file_or_directory; }
    // The message, then the kernel's message lines and the offending instruction beside them.
    std::string describe() const;
};

#if CTBPF_SYS_BODIES
CTBPF_SYS_INLINE std::string error::describe() const {
    std::string s = message;
    for (const std::string& l : kernel_message) s += "\n  " + std::string(message_from) + ": " + l;
    if (!annotation.empty()) s += "\n  at " + annotation;
    return s;
}
#endif

// Thrown by result<T>::value() on an error: ctbpf::exception's accessors (errnum(), insn(),
// message()), plus the errno as std::error_code and the whole sys::error (the verifier log).
class bpf_error : public ctbpf::exception {
public:
    explicit bpf_error(sys::error e);
    std::error_code code() const noexcept { return e_.code; }
    const sys::error& error() const noexcept { return e_; }

private:
    sys::error e_;
};

#if CTBPF_SYS_BODIES
CTBPF_SYS_INLINE bpf_error::bpf_error(sys::error e)
    : exception(e.describe(), {errc::ok, e.insn, 0, {}, e.errnum(), e.message}), e_(std::move(e)) {}
#endif

// A value or an error (std::expected is C++23). Check with ok()/operator bool, or let value() throw.
template <class T>
class [[nodiscard]] result {
public:
    result(T v) : v_(std::move(v)) {}
    result(sys::error e) : e_(std::move(e)) {}

    bool ok() const noexcept { return v_.has_value(); }
    explicit operator bool() const noexcept { return ok(); }
    T& value() & {
        check();
        return *v_;
    }
    const T& value() const& {
        check();
        return *v_;
    }
    // By value: `for (auto& x : f().value())` must not dangle on the temporary result.
    T value() && {
        check();
        return std::move(*v_);
    }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }
    T operator*() && { return std::move(*this).value(); }
    // The error; only when !ok().
    const sys::error& error() const& { return *e_; }
    sys::error error() && { return std::move(*e_); }
    std::error_code code() const noexcept { return ok() ? std::error_code{} : e_->code; }

private:
    void check() const {
        if (!ok()) throw bpf_error(*e_);
    }
    // (two optionals, not std::variant<T, error>: each result<T> instantiates far less)
    std::optional<T> v_;
    std::optional<sys::error> e_;
};

template <>
class [[nodiscard]] result<void> {
public:
    result() = default;
    result(sys::error e) : e_(std::move(e)) {}
    bool ok() const noexcept { return !e_; }
    explicit operator bool() const noexcept { return ok(); }
    void value() const {
        if (e_) throw bpf_error(*e_);
    }
    const sys::error& error() const& { return *e_; }
    sys::error error() && { return std::move(*e_); }
    std::error_code code() const noexcept { return e_ ? e_->code : std::error_code{}; }

private:
    std::optional<sys::error> e_;
};

namespace detail {

CTBPF_SYS_INLINE std::string_view errno_name(int e)
#if CTBPF_SYS_BODIES
{
    switch (e) {
    case EPERM: return "EPERM";
    case ENOENT: return "ENOENT";
    case ESRCH: return "ESRCH";
    case EINTR: return "EINTR";
    case EIO: return "EIO";
    case E2BIG: return "E2BIG";
    case EBADF: return "EBADF";
    case EAGAIN: return "EAGAIN";
    case ENOMEM: return "ENOMEM";
    case EACCES: return "EACCES";
    case EFAULT: return "EFAULT";
    case EBUSY: return "EBUSY";
    case EEXIST: return "EEXIST";
    case ENODEV: return "ENODEV";
    case ENOTDIR: return "ENOTDIR";
    case EINVAL: return "EINVAL";
    case ENFILE: return "ENFILE";
    case EMFILE: return "EMFILE";
    case ENOSPC: return "ENOSPC";
    case ERANGE: return "ERANGE";
    case ENOSYS: return "ENOSYS";
    case ELOOP: return "ELOOP";
    case EOPNOTSUPP: return "EOPNOTSUPP";
    case 524: return "ENOTSUPP";
    default: return {};
    }
}
#else
;
#endif

// Reads the first integer of a small file (a sysctl); nullopt when unreadable.
CTBPF_SYS_INLINE std::optional<long> read_long(const char* path)
#if CTBPF_SYS_BODIES
{
    std::FILE* f = std::fopen(path, "re");
    if (!f) return std::nullopt;
    long v = 0;
    const bool ok = std::fscanf(f, "%ld", &v) == 1;
    std::fclose(f);
    return ok ? std::optional<long>(v) : std::nullopt;
}
#else
;
#endif

// Whether this process has capability `cap` in its effective set (/proc/self/status CapEff).
CTBPF_SYS_INLINE std::optional<bool> has_capability(int cap)
#if CTBPF_SYS_BODIES
{
    std::FILE* f = std::fopen("/proc/self/status", "re");
    if (!f) return std::nullopt;
    char line[256];
    std::optional<bool> r;
    while (std::fgets(line, sizeof line, f)) {
        unsigned long long bits = 0;
        if (std::sscanf(line, "CapEff: %llx", &bits) == 1) {
            r = ((bits >> cap) & 1) != 0;
            break;
        }
    }
    std::fclose(f);
    return r;
}
#else
;
#endif

inline constexpr int cap_net_admin = 12, cap_sys_admin = 21, cap_perfmon = 38, cap_bpf = 39;

// Says which privilege bpf() lacks: capabilities and kernel.unprivileged_bpf_disabled.
CTBPF_SYS_INLINE std::string privilege_hint()
#if CTBPF_SYS_BODIES
{
    const bool bpf_cap = has_capability(cap_bpf).value_or(false);
    const bool admin = has_capability(cap_sys_admin).value_or(false);
    const std::optional<long> disabled = read_long("/proc/sys/kernel/unprivileged_bpf_disabled");
    std::string s;
    if (!bpf_cap && !admin) {
        s = "needs CAP_BPF (or root): this process has neither CAP_BPF nor CAP_SYS_ADMIN";
        if (disabled) {
            s += "; kernel.unprivileged_bpf_disabled=" + std::to_string(*disabled);
            if (*disabled == 0)
                s += " lets unprivileged users load only socket filters and create some maps";
            else if (*disabled == 1)
                s += " forbids bpf() to unprivileged users until reboot";
            else
                s += " forbids bpf() to unprivileged users (root may set it to 0)";
        }
        s += "; run as root or grant CAP_BPF (plus CAP_PERFMON for tracing, CAP_NET_ADMIN for networking)";
    } else if (has_capability(cap_perfmon).value_or(false) && has_capability(cap_net_admin).value_or(false) &&
               (bpf_cap || admin)) {
        s = "this process has every capability bpf() asks for (CAP_BPF or CAP_SYS_ADMIN, CAP_PERFMON, CAP_NET_ADMIN), "
            "so a security policy refused it: an LSM hook on bpf() or a lockdown mode";
    } else {
        s = "the capabilities this process has are not enough: tracing programs need CAP_PERFMON, networking "
            "programs CAP_NET_ADMIN";
        if (!has_capability(cap_perfmon).value_or(false)) s += " (CAP_PERFMON is missing)";
        if (!has_capability(cap_net_admin).value_or(false)) s += " (CAP_NET_ADMIN is missing)";
        s += "; a lockdown mode or LSM can also deny bpf()";
    }
    return s;
}
#else
;
#endif

CTBPF_SYS_INLINE std::string default_hint(int e)
#if CTBPF_SYS_BODIES
{
    switch (e) {
    case EPERM:
    case EACCES: return privilege_hint();
    case EMFILE: {
        std::string s = "too many open files: this process reached RLIMIT_NOFILE";
        rlimit lim{};
        if (::getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur != RLIM_INFINITY)
            s += " (" + std::to_string(lim.rlim_cur) + ")";
        return s + "; close fds or raise the limit (ulimit -n)";
    }
    case ENFILE: return "the system-wide limit on open files is reached";
    case ENOMEM: return "the kernel could not allocate memory (a memory cgroup limit, or RLIMIT_MEMLOCK before Linux 5.11)";
    case ENOSYS: return "this kernel has no bpf() system call (CONFIG_BPF_SYSCALL)";
    case EFAULT: return "the kernel could not read or write a user buffer (a bug in the caller)";
    case EBADF: return "the fd is not open or is not a bpf object of the expected kind";
    case EOPNOTSUPP:
    case 524: return "not supported by this kernel, this program type or this object";
    default: return {};
    }
}
#else
;
#endif

} // namespace detail

// An error for `errnum` from the operation named by `what`. An empty `hint` gets the default
// advice for that errno (EPERM names the missing privilege).
CTBPF_SYS_INLINE error make_error(int errnum, std::string_view what, std::string hint = {})
#if CTBPF_SYS_BODIES
{
    error e;
    e.code = std::error_code(errnum, std::system_category());
    if (hint.empty()) hint = detail::default_hint(errnum);
    e.message = std::string(what) + ": ";
    e.message += errnum == 524 ? std::string("Operation not supported") : e.code.message();
    const std::string_view name = detail::errno_name(errnum);
    if (!name.empty()) e.message += " (" + std::string(name) + ")";
    if (!hint.empty()) e.message += ": " + hint;
    return e;
}
#else
;
#endif

namespace detail {
// The whole content of the file at `path` (an ELF file, a small sysfs/securityfs file).
inline result<std::string> read_file(const std::string& path) {
    std::FILE* f = std::fopen(path.c_str(), "rbe");
    if (!f) return make_error(errno, "opening " + path);
    std::string out;
    char buf[1 << 14];
    std::size_t n = 0;
    while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) out.append(buf, n);
    const bool bad = std::ferror(f) != 0;
    std::fclose(f);
    if (bad) return make_error(EIO, "reading " + path);
    return out;
}
} // namespace detail

} // namespace ctbpf::sys
