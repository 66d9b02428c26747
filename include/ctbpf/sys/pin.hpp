// Pinning: a pin on a bpf filesystem holds a reference to a map, program or link, so it outlives
// the process's fds; opening the pin gives a new fd. Removing the pin (unlink) drops the reference.
#pragma once

#include "ctbpf/sys/config.hpp" // CTBPF_SYS_INLINE, CTBPF_SYS_BODIES

#include "ctbpf/sys/attach.hpp"
#include "ctbpf/sys/bpf_syscall.hpp"
#include "ctbpf/sys/error.hpp"
#include "ctbpf/sys/fd.hpp"
#include "ctbpf/sys/prog.hpp"
#include "ctbpf/sys/map.hpp"
#include "ctbpf/sys/ringbuf.hpp"

#include <sys/mount.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <cstdint>
#include <string>

namespace ctbpf::sys {

inline constexpr long bpf_fs_magic = 0xcafe4a11;

// Whether `path` (or, for a path that does not exist yet, its directory) is on a bpf filesystem.
CTBPF_SYS_INLINE bool on_bpffs(const std::string& path)
#if CTBPF_SYS_BODIES
{
    struct statfs st{};
    if (::statfs(path.c_str(), &st) == 0) return st.f_type == bpf_fs_magic;
    const std::size_t slash = path.find_last_of('/');
    const std::string dir = slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
    return ::statfs(dir.c_str(), &st) == 0 && st.f_type == bpf_fs_magic;
}
#else
;
#endif

// Mounts a bpf filesystem at `dir` (an existing directory).
inline result<void> mount_bpffs(const std::string& dir) {
    if (::mount("bpf", dir.c_str(), "bpf", 0, "mode=0700") == 0) return {};
    return make_error(errno, "mount -t bpf bpf " + dir);
}

// Pins the object behind `fd` at `path` (on a bpf filesystem).
CTBPF_SYS_INLINE result<void> pin_fd(int fd, const std::string& path)
#if CTBPF_SYS_BODIES
{
    detail::attr_obj a;
    a.pathname = detail::ptr(path.c_str());
    a.bpf_fd = static_cast<std::uint32_t>(fd);
    if (detail::bpf(BPF_OBJ_PIN, a) == 0) return {};
    const int e = errno;
    std::string hint;
    if (!on_bpffs(path)) hint = "'" + path + "' is not on a bpf filesystem (mount one: mount -t bpf bpf /sys/fs/bpf)";
    else if (e == EEXIST) hint = "something is pinned at '" + path + "' already (unpin it first)";
    else if (e == ENOENT) hint = "the directory of '" + path + "' does not exist";
    return make_error(e, "BPF_OBJ_PIN " + path, hint);
}
#else
;
#endif
template <class Handle>
    requires requires(const Handle& h) { h.fd(); }
result<void> pin(const Handle& h, const std::string& path) {
    return pin_fd(h.fd(), path);
}

// Removes a pin (the object lives on while fds, links or other pins hold it).
inline result<void> unpin(const std::string& path) {
    if (::unlink(path.c_str()) == 0) return {};
    return make_error(errno, "unpin " + path);
}

// A new fd for the object pinned at `path`. flags: BPF_F_RDONLY, BPF_F_WRONLY (maps).
CTBPF_SYS_INLINE result<unique_fd> open_pinned(const std::string& path, std::uint32_t flags = 0)
#if CTBPF_SYS_BODIES
{
    detail::attr_obj a;
    a.pathname = detail::ptr(path.c_str());
    a.file_flags = flags;
    const int fd = detail::bpf(BPF_OBJ_GET, a);
    if (fd >= 0) return unique_fd(fd);
    const int e = errno;
    return make_error(e, "BPF_OBJ_GET " + path,
                      e == ENOENT ? "nothing is pinned at '" + path + "'"
                                  : !on_bpffs(path) ? "'" + path + "' is not on a bpf filesystem" : "");
}
#else
;
#endif

// Opens a pinned map as map<K, V>; the key and value sizes must match.
template <class K, class V>
result<map<K, V>> open_pinned_map(const std::string& path, std::uint32_t flags = 0) {
    result<unique_fd> fd = open_pinned(path, flags);
    if (!fd) return std::move(fd).error();
    result<raw_map> m = raw_map::from_fd(std::move(fd).value());
    if (!m) return std::move(m).error();
    return map<K, V>::adopt(std::move(m).value());
}

inline result<prog> open_pinned_prog(const std::string& path) {
    result<unique_fd> fd = open_pinned(path);
    if (!fd) return std::move(fd).error();
    return prog::from_fd(std::move(fd).value());
}

inline result<link> open_pinned_link(const std::string& path) {
    result<unique_fd> fd = open_pinned(path);
    if (!fd) return std::move(fd).error();
    return link(std::move(fd).value(), link::kind::bpf_link, "pinned link " + path);
}

} // namespace ctbpf::sys
