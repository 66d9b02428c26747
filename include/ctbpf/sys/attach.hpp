// Attaching programs: socket filters (SO_ATTACH_BPF), tracepoints (tracefs event id +
// perf_event_open + PERF_EVENT_IOC_SET_BPF/ENABLE), raw tracepoints, and XDP and cgroup programs
// through bpf links. A link detaches its program when destroyed (unless pinned).
#pragma once

#include "ctbpf/sys/config.hpp" // CTBPF_SYS_INLINE, CTBPF_SYS_BODIES

#include "ctbpf/sys/bpf_syscall.hpp"
#include "ctbpf/sys/error.hpp"
#include "ctbpf/sys/fd.hpp"
#include "ctbpf/sys/prog.hpp"
#include "ctbpf/sys/names.hpp"

#include <fcntl.h>
#include <linux/perf_event.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <dirent.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ctbpf::sys {

struct link_info {
    std::uint32_t id = 0, type = 0, prog_id = 0;
};

// An attachment that ends when this object is destroyed (or detach() is called): a bpf link, or
// for tracepoints the perf event the program is attached to.
class link {
public:
    enum class kind : std::uint8_t { bpf_link, perf_event };

    link() = default;
    link(unique_fd fd, kind k, std::string what) : fd_(std::move(fd)), kind_(k), what_(std::move(what)) {}

    int fd() const noexcept { return fd_.get(); }
    kind type() const noexcept { return kind_; }
    explicit operator bool() const noexcept { return static_cast<bool>(fd_); }
    const std::string& what() const noexcept { return what_; }
    unique_fd& handle() noexcept { return fd_; }

    // Detaches now. A bpf link is detached even if pinned or shared, and closed.
    result<void> detach() {
        if (!fd_) return {};
        if (kind_ == kind::bpf_link) {
            detail::attr_fd a;
            a.fd = static_cast<std::uint32_t>(fd_.get());
            if (detail::bpf(BPF_LINK_DETACH, a) < 0 && errno != EOPNOTSUPP && errno != EINVAL)
                return make_error(errno, "BPF_LINK_DETACH " + what_);
        } else {
            ::ioctl(fd_.get(), PERF_EVENT_IOC_DISABLE, 0);
        }
        fd_.reset();
        return {};
    }

    result<link_info> info() const {
        if (kind_ != kind::bpf_link) return make_error(EINVAL, "link info " + what_, "a perf event attachment is not a bpf link");
        bpf_link_info raw;
        if (detail::obj_info(fd_.get(), raw) < 0) return make_error(errno, "BPF_OBJ_GET_INFO_BY_FD " + what_);
        return link_info{raw.id, raw.type, raw.prog_id};
    }

    // Opens the bpf link with id `id` (needs CAP_SYS_ADMIN); ENOENT once the kernel has freed it.
    static result<link> from_id(std::uint32_t id) {
        detail::attr_get_id a;
        a.id = id;
        const int fd = detail::bpf(BPF_LINK_GET_FD_BY_ID, a);
        if (fd < 0)
            return make_error(errno, "BPF_LINK_GET_FD_BY_ID " + std::to_string(id), errno == ENOENT ? "no link has this id" : "");
        return link(unique_fd(fd), kind::bpf_link, "link id " + std::to_string(id));
    }

private:
    unique_fd fd_;
    kind kind_ = kind::bpf_link;
    std::string what_;
};

// ---- socket filters ----

// Attaches a socket filter program to a socket (SO_ATTACH_BPF); it lives as long as the socket.
CTBPF_SYS_INLINE result<void> attach_socket_filter(int sock, const prog& p)
#if CTBPF_SYS_BODIES
{
    const int fd = p.fd();
    if (::setsockopt(sock, SOL_SOCKET, SO_ATTACH_BPF, &fd, sizeof fd) == 0) return {};
    const int e = errno;
    return make_error(e, "setsockopt(SO_ATTACH_BPF) " + prog_type_name(p.type()),
                      e == EINVAL ? "a socket needs a socket_filter program" : e == ENOTSOCK ? "the fd is not a socket" : "");
}
#else
;
#endif
inline result<void> detach_socket_filter(int sock) {
    int zero = 0;
    if (::setsockopt(sock, SOL_SOCKET, SO_DETACH_BPF, &zero, sizeof zero) == 0) return {};
    return make_error(errno, "setsockopt(SO_DETACH_BPF)", errno == ENOENT ? "the socket has no filter" : "");
}

// ---- tracepoints ----

namespace detail {
inline bool exists(const std::string& path) {
    struct stat st{};
    return ::stat(path.c_str(), &st) == 0;
}
// The index of the network interface `name`; `what` (e.g. "xdp on eth0") names the attachment.
inline result<unsigned> ifindex_named(std::string_view name, const std::string& what) {
    const std::string n(name);
    const unsigned ifindex = ::if_nametoindex(n.c_str());
    if (ifindex == 0) return make_error(errno, what, "no network interface named '" + n + "'");
    return ifindex;
}
CTBPF_SYS_INLINE std::optional<long> read_id(const std::string& path, int& err)
#if CTBPF_SYS_BODIES
{
    std::FILE* f = std::fopen(path.c_str(), "re");
    if (!f) {
        err = errno;
        return std::nullopt;
    }
    long v = -1;
    const bool ok = std::fscanf(f, "%ld", &v) == 1;
    std::fclose(f);
    if (!ok) err = EINVAL;
    return ok ? std::optional<long>(v) : std::nullopt;
}
#else
;
#endif
// The subdirectories of `path` (tracefs: categories, or a category's events).
CTBPF_SYS_INLINE std::vector<std::string> subdirs(const std::string& path)
#if CTBPF_SYS_BODIES
{
    std::vector<std::string> out;
    DIR* d = ::opendir(path.c_str());
    if (!d) return out;
    while (dirent* e = ::readdir(d))
        if (e->d_name[0] != '.' && (e->d_type == DT_DIR || (e->d_type == DT_UNKNOWN && exists(path + "/" + e->d_name + "/."))))
            out.emplace_back(e->d_name);
    ::closedir(d);
    std::sort(out.begin(), out.end());
    return out;
}
#else
;
#endif
CTBPF_SYS_INLINE std::size_t edit_distance(std::string_view a, std::string_view b)
#if CTBPF_SYS_BODIES
{
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t diag = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const std::size_t up = row[j];
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
            diag = up;
        }
    }
    return row[b.size()];
}
#else
;
#endif
// The (at most 3) names nearest to `want`, nearest first; none farther than a third of its length (at least 2).
CTBPF_SYS_INLINE std::vector<std::string> nearest(std::string_view want, const std::vector<std::string>& names)
#if CTBPF_SYS_BODIES
{
    const std::size_t limit = std::max<std::size_t>(2, want.size() / 3);
    std::vector<std::pair<std::size_t, std::string>> scored;
    for (const std::string& n : names)
        if (const std::size_t d = edit_distance(want, n); d <= limit) scored.emplace_back(d, n);
    std::sort(scored.begin(), scored.end()); // by distance, then name
    std::vector<std::string> out;
    for (std::size_t i = 0; i < scored.size() && i < 3; ++i) out.push_back(scored[i].second);
    return out;
}
#else
;
#endif
// "; did you mean syscalls:sys_enter_getpid?" or "" (event names as category:name).
CTBPF_SYS_INLINE std::string tracepoint_suggestions(const std::string& events, std::string_view category, std::string_view name)
#if CTBPF_SYS_BODIES
{
    std::vector<std::string> names;
    std::string want = std::string(category) + ":" + std::string(name);
    if (exists(events + "/" + std::string(category))) {
        for (std::string& e : subdirs(events + "/" + std::string(category))) names.push_back(std::string(category) + ":" + e);
    } else {
        for (const std::string& c : subdirs(events + "/"))
            for (std::string& e : subdirs(events + "/" + c)) names.push_back(c + ":" + e);
    }
    std::vector<std::string> near = nearest(want, names);
    if (near.empty()) return {};
    std::string s = "; did you mean ";
    for (std::size_t i = 0; i < near.size(); ++i) s += (i == 0 ? "" : i + 1 == near.size() ? " or " : ", ") + near[i];
    return s + "?";
}
#else
;
#endif
} // namespace detail

namespace detail {
// Mounts a `fstype` filesystem (tracefs, securityfs) at a private temporary directory, calls
// use(dir) and unmounts it again: for a lookup when it is not mounted where it should be.
template <class T, class F>
result<T> with_private_mount(const char* fstype, const std::string& what, const std::string& cannot, F use) {
    char dir[] = "/tmp/ctbpf-mount.XXXXXX";
    if (!::mkdtemp(dir)) return make_error(errno, "mkdtemp for a private " + std::string(fstype) + " mount");
    if (::mount(fstype, dir, fstype, MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr) != 0) {
        const int e = errno;
        ::rmdir(dir);
        return make_error(e, "mounting " + std::string(fstype) + " for " + what, cannot);
    }
    result<T> r = use(std::string(dir));
    ::umount2(dir, MNT_DETACH);
    ::rmdir(dir);
    return r;
}
} // namespace detail

// The id of tracepoint category:name from tracefs (events/CATEGORY/NAME/id). When tracefs is not
// mounted and this process may mount, it is mounted at a private directory for the lookup and
// unmounted at once. A missing event's error suggests the nearest existing ones.
CTBPF_SYS_INLINE result<std::uint32_t> tracepoint_id(std::string_view category, std::string_view name)
#if CTBPF_SYS_BODIES
{
    const std::string what = "tracepoint " + std::string(category) + ":" + std::string(name);
    const std::string rel = "/events/" + std::string(category) + "/" + std::string(name) + "/id";
    std::string root;
    for (const char* r : {"/sys/kernel/tracing", "/sys/kernel/debug/tracing"})
        if (detail::exists(std::string(r) + "/events")) {
            root = r;
            break;
        }
    // `shown`: the path named in messages (a private mount is gone when the caller reads them)
    auto finish = [&](const std::string& base, const std::string& shown) -> result<std::uint32_t> {
        int err = 0;
        std::optional<long> id = detail::read_id(base + rel, err);
        if (id && *id >= 0) return static_cast<std::uint32_t>(*id);
        std::string hint;
        if (err == ENOENT) {
            const bool have_category = detail::exists(base + "/events/" + std::string(category));
            hint = "tracefs has no " + std::string(category) + ":" + std::string(name) + " event" +
                   (have_category ? "" : " (no category '" + std::string(category) + "')") +
                   detail::tracepoint_suggestions(base + "/events", category, name) + " (looked up in " + shown + rel +
                   ")";
            if (category == "syscalls" && !have_category) hint += "; syscall events need CONFIG_FTRACE_SYSCALLS";
        }
        return make_error(err ? err : EINVAL, "reading the " + what + " id", hint);
    };
    if (!root.empty()) return finish(root, root);

    return detail::with_private_mount<std::uint32_t>(
        "tracefs", "finding the " + what + " id",
        "tracefs is not mounted at /sys/kernel/tracing and this process may not mount it "
        "(as root: mount -t tracefs tracefs /sys/kernel/tracing)",
        [&](const std::string& dir) {
            return finish(dir, "a private tracefs mount, now unmounted, as tracefs is not mounted at /sys/kernel/tracing: <tracefs>");
        });
}
#else
;
#endif

// perf_event_open(2) of `attr` for `pid` (-1: any) on `cpu` (-1: any), close-on-exec.
CTBPF_SYS_INLINE result<unique_fd> open_perf_event(perf_event_attr& attr, int pid, int cpu, const std::string& what)
#if CTBPF_SYS_BODIES
{
    attr.size = sizeof attr;
    unique_fd pfd(static_cast<int>(::syscall(SYS_perf_event_open, &attr, pid, cpu, -1, PERF_FLAG_FD_CLOEXEC)));
    if (pfd) return pfd;
    const int e = errno;
    return make_error(e, "perf_event_open " + what,
                      e == EACCES || e == EPERM ? "needs CAP_PERFMON (or root), or a lower kernel.perf_event_paranoid"
                      : e == ESRCH          ? "no process " + std::to_string(pid)
                      : e == ENOENT || e == EOPNOTSUPP ? "this kernel or CPU has no such event"
                                                       : "");
}
#else
;
#endif

// How attach_perf_event attaches: a bpf link (BPF_LINK_CREATE, BPF_PERF_EVENT; Linux 5.15+, can be
// pinned; falls back to the ioctls when the kernel has no perf links), or the ioctls
// PERF_EVENT_IOC_SET_BPF + ENABLE (the attachment lives as long as the perf event fd).
enum class perf_attach : std::uint8_t { link, ioctl };

// Attaches `p` to the perf event `event` (a tracepoint, kprobe, uprobe or sampling event). With a
// bpf link, `cookie` is what bpf_get_attach_cookie returns.
CTBPF_SYS_INLINE result<link> attach_perf_event(const prog& p, unique_fd event, std::string what, perf_attach how = perf_attach::link,
                                      std::uint64_t cookie = 0)
#if CTBPF_SYS_BODIES
{
    if (how == perf_attach::link) {
        detail::attr_link_create a;
        a.prog_fd = static_cast<std::uint32_t>(p.fd());
        a.target = static_cast<std::uint32_t>(event.get());
        a.attach_type = BPF_PERF_EVENT;
        a.tail[0] = cookie; // perf_event.bpf_cookie
        const int fd = detail::bpf(BPF_LINK_CREATE, a);
        if (fd >= 0) return link(unique_fd(fd), link::kind::bpf_link, std::move(what)); // the link holds the event
        const int e = errno;
        if (e != EINVAL && e != EOPNOTSUPP && e != 524 /* ENOTSUPP */)
            return make_error(e, "BPF_LINK_CREATE perf event " + what, e == EEXIST ? "this perf event has a program already" : "");
        // EINVAL also means the wrong program type: the ioctl says which
    }
    if (::ioctl(event.get(), PERF_EVENT_IOC_SET_BPF, p.fd()) < 0) {
        const int e = errno;
        return make_error(e, "ioctl(PERF_EVENT_IOC_SET_BPF) " + what,
                          e == EINVAL ? "a tracepoint needs a tracepoint program, a kprobe or uprobe a kprobe program, a sampling event a "
                                        "perf_event program (loaded as " + prog_type_name(p.type()) + ")"
                          : e == EEXIST ? "this perf event has a program already"
                                        : "");
    }
    if (::ioctl(event.get(), PERF_EVENT_IOC_ENABLE, 0) < 0) return make_error(errno, "ioctl(PERF_EVENT_IOC_ENABLE) " + what);
    return link(std::move(event), link::kind::perf_event, std::move(what));
}
#else
;
#endif

// Attaches a tracepoint program to category:name (e.g. "syscalls", "sys_enter_getpid") through a
// perf event: it runs for the event on every CPU.
CTBPF_SYS_INLINE result<link> attach_tracepoint(const prog& p, std::string_view category, std::string_view name,
                                      perf_attach how = perf_attach::ioctl)
#if CTBPF_SYS_BODIES
{
    const std::string what = "tracepoint " + std::string(category) + ":" + std::string(name);
    result<std::uint32_t> id = tracepoint_id(category, name);
    if (!id) return std::move(id).error();
    perf_event_attr pa;
    std::memset(&pa, 0, sizeof pa); // padding included: the kernel checks unknown bytes
    pa.type = PERF_TYPE_TRACEPOINT;
    pa.config = *id;
    pa.sample_period = 1;
    pa.wakeup_events = 1;
    result<unique_fd> pfd = open_perf_event(pa, -1, 0, what);
    if (!pfd) return std::move(pfd).error();
    return attach_perf_event(p, std::move(pfd).value(), what, how);
}
#else
;
#endif

// Attaches a raw tracepoint program (or a writable one) to the raw tracepoint `name` (e.g. "sys_enter").
CTBPF_SYS_INLINE result<link> attach_raw_tracepoint(const prog& p, std::string_view name)
#if CTBPF_SYS_BODIES
{
    const std::string n(name);
    detail::attr_raw_tp a;
    a.name = detail::ptr(n.c_str());
    a.prog_fd = static_cast<std::uint32_t>(p.fd());
    const int fd = detail::bpf(BPF_RAW_TRACEPOINT_OPEN, a);
    const std::string what = "BPF_RAW_TRACEPOINT_OPEN " + n;
    if (fd < 0) {
        const int e = errno;
        return make_error(e, what,
                          e == ENOENT ? "no raw tracepoint of that name" : e == EINVAL ? "needs a raw_tracepoint program (loaded as " + prog_type_name(p.type()) + ")" : "");
    }
    return link(unique_fd(fd), link::kind::bpf_link, "raw tracepoint " + n);
}
#else
;
#endif

// ---- bpf links: XDP and cgroups ----

// BPF_LINK_CREATE: attaches `p` to `target` (an fd or an ifindex) for `attach_type`.
CTBPF_SYS_INLINE result<link> create_link(const prog& p, std::uint32_t target, ctbpf::kernel_enum<ctbpf::attach_type> attach_type,
                                std::uint32_t flags, std::string what)
#if CTBPF_SYS_BODIES
{
    detail::attr_link_create a;
    a.prog_fd = static_cast<std::uint32_t>(p.fd());
    a.target = target;
    a.attach_type = attach_type.raw();
    a.flags = flags;
    const int fd = detail::bpf(BPF_LINK_CREATE, a);
    if (fd < 0) {
        const int e = errno;
        std::string hint;
        if (e == EBUSY || e == EEXIST) hint = "something is attached there already (a program attached without a link, or another link)";
        if (e == EINVAL) hint = "the program type (" + prog_type_name(p.type()) + ") or its expected attach type does not fit this attachment";
        if (e == ENODEV) hint = "no such network interface";
        return make_error(e, "BPF_LINK_CREATE " + what, hint);
    }
    return link(unique_fd(fd), link::kind::bpf_link, std::move(what));
}
#else
;
#endif

// Attaches an XDP program to the interface `ifindex` through a link. flags: XDP_FLAGS_SKB_MODE,
// XDP_FLAGS_DRV_MODE, ... (0: native if the driver has it, else generic).
inline result<link> attach_xdp(const prog& p, unsigned ifindex, std::uint32_t flags = 0) {
    return create_link(p, ifindex, ctbpf::attach_type::xdp, flags, "xdp on ifindex " + std::to_string(ifindex));
}
CTBPF_SYS_INLINE result<link> attach_xdp(const prog& p, std::string_view ifname, std::uint32_t flags = 0)
#if CTBPF_SYS_BODIES
{
    const std::string what = "xdp on " + std::string(ifname);
    const result<unsigned> ifindex = detail::ifindex_named(ifname, what);
    if (!ifindex) return ifindex.error();
    return create_link(p, *ifindex, ctbpf::attach_type::xdp, flags, what);
}
#else
;
#endif

// Attaches a cgroup program (e.g. ctbpf::attach_type::cgroup_inet_egress, or BPF_CGROUP_INET_EGRESS)
// to a cgroup v2 directory.
inline result<link> attach_cgroup(const prog& p, int cgroup_fd, ctbpf::kernel_enum<ctbpf::attach_type> attach_type) {
    return create_link(p, static_cast<std::uint32_t>(cgroup_fd), attach_type, 0,
                       "cgroup fd " + std::to_string(cgroup_fd) + " " + attach_type_name(attach_type));
}
CTBPF_SYS_INLINE result<link> attach_cgroup(const prog& p, std::string_view cgroup_path,
                                  ctbpf::kernel_enum<ctbpf::attach_type> attach_type)
#if CTBPF_SYS_BODIES
{
    const std::string path(cgroup_path);
    unique_fd dir(::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!dir) return make_error(errno, "opening cgroup " + path);
    return create_link(p, static_cast<std::uint32_t>(dir.get()), attach_type, 0,
                       "cgroup " + path + " " + attach_type_name(attach_type));
}
#else
;
#endif

} // namespace ctbpf::sys
