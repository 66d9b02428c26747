// BPF iterators (bpf_iter): a tracing program loaded with expected_attach_type BPF_TRACE_ITER and
// the BTF id of the target's bpf_iter_NAME function ("task", "bpf_map", ...), attached with a
// link; each BPF_ITER_CREATE on the link gives an fd whose read() runs the program over the
// target's objects, the text it writes with bpf_seq_printf/bpf_seq_write being what read() returns.
#pragma once

#include "ctbpf/sys/config.hpp" // CTBPF_SYS_INLINE, CTBPF_SYS_BODIES

#include "ctbpf/sys/attach.hpp"
#include "ctbpf/sys/bpf_syscall.hpp"
#include "ctbpf/sys/btf.hpp"
#include "ctbpf/sys/error.hpp"
#include "ctbpf/sys/fd.hpp"
#include "ctbpf/sys/load.hpp"

#include <unistd.h>

#include <cstdint>
#include <string>
#include <string_view>

namespace ctbpf::sys {

namespace detail {
struct attr_iter_create {
    u32 link_fd = 0;
    u32 flags = 0;
};
} // namespace detail

// Load options of an iterator program over `target` ("task", "task_file", "bpf_map", ...): its
// context is struct bpf_iter__TARGET { struct bpf_iter_meta *meta; ... } (BTF pointers).
CTBPF_SYS_INLINE result<load_options> iter_options(std::string_view target = "task")
#if CTBPF_SYS_BODIES
{
    const std::string fn = "bpf_iter_" + std::string(target);
    result<btf_blob> b = vmlinux_btf();
    if (!b) return std::move(b).error();
    const auto id = (*b)->find(fn, ctbpf::btf::kind::func);
    if (!id)
        return make_error(ENOENT, "finding iterator target '" + std::string(target) + "' in BTF",
                          "no FUNC " + fn + " in vmlinux BTF (this kernel has no such iterator, or no CONFIG_BPF_SYSCALL iterators)");
    return btf_attach_options(ctbpf::prog_type::tracing, ctbpf::attach_type::trace_iter, *id);
}
#else
;
#endif

// Attaches an iterator program (BPF_LINK_CREATE, BPF_TRACE_ITER; no target options: every object).
inline result<link> attach_iter(const prog& p) {
    return create_link(p, 0, BPF_TRACE_ITER, 0, "iterator");
}

// A new iterator over the link's target: read() it to run the program (BPF_ITER_CREATE).
CTBPF_SYS_INLINE result<unique_fd> open_iter(const link& l)
#if CTBPF_SYS_BODIES
{
    detail::attr_iter_create a;
    a.link_fd = static_cast<std::uint32_t>(l.fd());
    const int fd = detail::bpf(BPF_ITER_CREATE, a);
    if (fd >= 0) return unique_fd(fd);
    const int e = errno;
    return make_error(e, "BPF_ITER_CREATE", e == EINVAL ? "the link is not an iterator link (attach_iter)" : "");
}
#else
;
#endif

// Runs the iterator once and returns everything it wrote.
CTBPF_SYS_INLINE result<std::string> iterate(const link& l)
#if CTBPF_SYS_BODIES
{
    result<unique_fd> it = open_iter(l);
    if (!it) return std::move(it).error();
    std::string out;
    char buf[4096];
    for (;;) {
        const ssize_t n = ::read(it->get(), buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return make_error(errno, "reading an iterator", errno == E2BIG ? "one object's output is over a page (PAGE_SIZE)" : "");
        if (n == 0) return out;
        out.append(buf, static_cast<std::size_t>(n));
    }
}
#else
;
#endif

} // namespace ctbpf::sys
