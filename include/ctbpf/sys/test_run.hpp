// BPF_PROG_TEST_RUN: run a loaded program on packet data and/or a context, `repeat` times, and
// get its return value, the output data and context, and the kernel's mean duration per run.
// What each program type accepts (test_run_inputs_of, from net/bpf/test_run.c) is checked before
// the kernel is asked: an input the type cannot take is an error that says so.
#pragma once

#include "ctbpf/sys/config.hpp" // CTBPF_SYS_INLINE, CTBPF_SYS_BODIES

#include "ctbpf/sys/bpf_syscall.hpp"
#include "ctbpf/sys/error.hpp"
#include "ctbpf/sys/prog.hpp"
#include "ctbpf/sys/names.hpp"

#include <cstddef>
#include <version> // __GLIBCXX__
#if defined(__GLIBCXX__) && __has_include(<bits/chrono.h>)
#include <bits/chrono.h> // std::chrono::nanoseconds without what libstdc++'s <chrono> adds in C++20 (<sstream>, calendars)
#else
#include <chrono>
#endif
#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace ctbpf::sys {

struct test_run_options {
    std::span<const std::byte> data{};    // packet data in
    std::size_t data_out_size = 0;        // room for the data out; 0: data.size() + 4096
    std::span<const std::byte> ctx{};     // context in (e.g. struct xdp_md, struct __sk_buff)
    std::size_t ctx_out_size = 0;         // room for the context out; 0: ctx.size()
    std::uint32_t repeat = 1;             // types that run once (raw_tracepoint, syscall): 0 or 1
    std::uint32_t flags = 0;              // BPF_F_TEST_RUN_ON_CPU, BPF_F_TEST_XDP_LIVE_FRAMES, ...
    std::uint32_t cpu = 0;
    std::uint32_t batch_size = 0;
};

struct test_run_result {
    std::uint32_t retval = 0;
    std::vector<std::byte> data;          // the data out (as the program left it)
    std::vector<std::byte> ctx;           // the context out (syscall: the context as the program left it)
    std::chrono::nanoseconds duration{};  // the kernel's mean time per run
};

inline std::span<const std::byte> as_bytes_of(std::string_view s) {
    return {reinterpret_cast<const std::byte*>(s.data()), s.size()};
}

// What BPF_PROG_TEST_RUN accepts for a program type (Linux 6.12 net/bpf/test_run.c).
struct test_run_inputs {
    bool known = false;             // false: not checked here (tracing, struct_ops, ...), passed as given
    bool data = false;              // packet data in
    std::uint32_t min_data = 0;     // required bytes of data (0: none required)
    bool data_out = false;          // data out (flow_dissector: the struct bpf_flow_keys it filled)
    bool ctx = false;               // context in
    bool ctx_required = false;
    std::uint32_t max_ctx = 0;      // 0: the kernel checks against its struct (bytes past it must be 0)
    bool ctx_out = false;           // context out in a separate buffer
    bool ctx_in_place = false;      // syscall: the kernel writes the context back over the input
    bool repeat = false;            // a repeat count (and a duration)
    std::uint32_t flags = 0;        // accepted BPF_F_TEST_* flags
    std::string_view data_what{};   // "an Ethernet frame", ...
    std::string_view ctx_what{};    // "struct __sk_buff", ...
};

inline constexpr std::uint32_t test_run_on_cpu = 1u << 0;          // BPF_F_TEST_RUN_ON_CPU
inline constexpr std::uint32_t test_xdp_live_frames = 1u << 1;     // BPF_F_TEST_XDP_LIVE_FRAMES
inline constexpr std::uint32_t test_skb_checksum_complete = 1u << 2; // BPF_F_TEST_SKB_CHECKSUM_COMPLETE

constexpr test_run_inputs test_run_inputs_of(ctbpf::kernel_enum<ctbpf::prog_type> t) {
    const std::uint32_t type = t.raw();
    switch (type) {
    case BPF_PROG_TYPE_SOCKET_FILTER:
    case BPF_PROG_TYPE_SCHED_CLS:
    case BPF_PROG_TYPE_SCHED_ACT:
    case BPF_PROG_TYPE_CGROUP_SKB:
    case BPF_PROG_TYPE_LWT_IN:
    case BPF_PROG_TYPE_LWT_OUT:
    case BPF_PROG_TYPE_LWT_XMIT:
    case BPF_PROG_TYPE_LWT_SEG6LOCAL:
        return {.known = true, .data = true, .min_data = 14, .data_out = true, .ctx = true, .ctx_out = true,
                .repeat = true, .flags = test_skb_checksum_complete, .data_what = "an Ethernet frame",
                .ctx_what = "struct __sk_buff"};
    case BPF_PROG_TYPE_XDP:
        return {.known = true, .data = true, .min_data = 14, .data_out = true, .ctx = true, .ctx_out = true,
                .repeat = true, .flags = test_xdp_live_frames, .data_what = "an Ethernet frame",
                .ctx_what = "struct xdp_md"};
    case BPF_PROG_TYPE_FLOW_DISSECTOR:
        return {.known = true, .data = true, .min_data = 14, .data_out = true, .ctx = true, .ctx_out = true,
                .repeat = true, .data_what = "an Ethernet frame", .ctx_what = "struct bpf_flow_keys"};
    case BPF_PROG_TYPE_SK_LOOKUP:
        return {.known = true, .ctx = true, .ctx_required = true, .ctx_out = true, .repeat = true,
                .ctx_what = "struct bpf_sk_lookup"};
    case BPF_PROG_TYPE_RAW_TRACEPOINT:
        return {.known = true, .ctx = true, .max_ctx = 12 * 8, .flags = test_run_on_cpu,
                .ctx_what = "the tracepoint's u64 arguments (at most 12)"};
    case BPF_PROG_TYPE_SYSCALL:
        return {.known = true, .ctx = true, .max_ctx = 65535, .ctx_in_place = true, .ctx_what = "the program's context"};
    case k::prog_type_netfilter:
        return {.known = true, .data = true, .min_data = 20, .ctx = true, .repeat = true,
                .data_what = "an IP packet (an Ethernet frame unless the hook is LOCAL_OUT)",
                .ctx_what = "struct nf_hook_state"};
    default: return {};
    }
}

namespace detail {
// Why options `o` do not fit what `in` accepts, or "" when they do.
CTBPF_SYS_INLINE std::string test_run_misfit(const test_run_inputs& in, const test_run_options& o, const std::string& type)
#if CTBPF_SYS_BODIES
{
    const std::string progs = type + " programs";
    if (!in.data && !o.data.empty()) return progs + " take no packet data (data)";
    if (!in.data_out && o.data_out_size != 0) return progs + " give no data out (data_out_size)";
    if (in.data && o.data.size() < in.min_data)
        return progs + " need at least " + std::to_string(in.min_data) + " bytes of data (" + std::string(in.data_what) +
               "); " + std::to_string(o.data.size()) + " given";
    if (in.flags == test_skb_checksum_complete && o.data.size() >= 14) { // skb: the kernel checks the L3 header
        const auto proto = (std::to_integer<unsigned>(o.data[12]) << 8) | std::to_integer<unsigned>(o.data[13]);
        const std::size_t need = proto == 0x0800 ? 34 : proto == 0x86dd ? 54 : 0;
        if (o.data.size() < need)
            return progs + " need at least " + std::to_string(need) + " bytes of data for an " +
                   (proto == 0x0800 ? "IPv4" : "IPv6") + " frame (Ethernet and IP headers); " +
                   std::to_string(o.data.size()) + " given";
    }
    if (!in.ctx && !o.ctx.empty()) return progs + " take no context (ctx)";
    if (in.ctx_required && o.ctx.empty()) return progs + " need a context (ctx: " + std::string(in.ctx_what) + ")";
    if (in.max_ctx != 0 && o.ctx.size() > in.max_ctx)
        return progs + " take at most " + std::to_string(in.max_ctx) + " bytes of context (" + std::string(in.ctx_what) +
               "); " + std::to_string(o.ctx.size()) + " given";
    if (!in.ctx_out && o.ctx_out_size != 0)
        return progs + (in.ctx_in_place ? " give the context back in place (in result::ctx), not through ctx_out_size"
                                        : " give no context out (ctx_out_size)");
    if (!in.repeat && o.repeat > 1)
        return progs + " run once per test run (the kernel takes no repeat count); repeat " + std::to_string(o.repeat) +
               " given";
    auto names = [](std::uint32_t f) {
        std::string n;
        for (auto [bit, name] : {std::pair{test_run_on_cpu, "BPF_F_TEST_RUN_ON_CPU"},
                                 {test_xdp_live_frames, "BPF_F_TEST_XDP_LIVE_FRAMES"},
                                 {test_skb_checksum_complete, "BPF_F_TEST_SKB_CHECKSUM_COMPLETE"}})
            if ((f & bit) != 0) n += (n.empty() ? "" : " | ") + std::string(name);
        if ((f & ~7u) != 0) n += (n.empty() ? "" : " | ") + std::to_string(f & ~7u);
        return n;
    };
    if ((o.flags & ~in.flags) != 0)
        return progs + " take " + (in.flags == 0 ? std::string("no flags") : "only " + names(in.flags)) + "; " +
               names(o.flags) + " given";
    if (o.cpu != 0 && (in.flags & test_run_on_cpu) == 0) return progs + " cannot be run on a chosen cpu (cpu)";
    if (o.cpu != 0 && (o.flags & test_run_on_cpu) == 0) return "cpu " + std::to_string(o.cpu) + " needs flags BPF_F_TEST_RUN_ON_CPU";
    if (o.batch_size != 0 && (o.flags & test_xdp_live_frames) == 0)
        return "batch_size is for XDP programs run with BPF_F_TEST_XDP_LIVE_FRAMES";
    if ((o.flags & test_xdp_live_frames) != 0 && (o.data_out_size != 0 || o.ctx_out_size != 0))
        return "with BPF_F_TEST_XDP_LIVE_FRAMES the frames go to the stack: no data or context out";
    return {};
}
#else
;
#endif
} // namespace detail

CTBPF_SYS_INLINE result<test_run_result> test_run(const prog& p, const test_run_options& o = {})
#if CTBPF_SYS_BODIES
{
    std::string what = "BPF_PROG_TEST_RUN " + prog_type_name(p.type());
    if (!p.name().empty()) what += " '" + p.name() + "'";
    const test_run_inputs in = test_run_inputs_of(p.type());
    if (in.known)
        if (std::string why = detail::test_run_misfit(in, o, prog_type_name(p.type())); !why.empty())
            return make_error(EINVAL, what, why + "; the kernel was not asked");
    const bool live = in.known && (o.flags & test_xdp_live_frames) != 0;
    const bool data_out = !live && (in.known ? in.data_out && !o.data.empty() : !o.data.empty());
    const bool ctx_out = !live && (in.known ? in.ctx_out && (!o.ctx.empty() || o.ctx_out_size != 0)
                                            : !o.ctx.empty() || o.ctx_out_size != 0);
    test_run_result r;
    r.data.resize(data_out ? (o.data_out_size != 0 ? o.data_out_size : o.data.size() + 4096) : 0);
    r.ctx.resize(ctx_out ? (o.ctx_out_size != 0 ? o.ctx_out_size : o.ctx.size()) : 0);
    if (in.ctx_in_place) r.ctx.assign(o.ctx.begin(), o.ctx.end()); // the kernel writes it back here
    detail::attr_test_run a;
    a.prog_fd = static_cast<std::uint32_t>(p.fd());
    a.data_size_in = static_cast<std::uint32_t>(o.data.size());
    a.data_in = detail::ptr(o.data.empty() ? nullptr : o.data.data());
    a.data_size_out = static_cast<std::uint32_t>(r.data.size());
    a.data_out = detail::ptr(r.data.empty() ? nullptr : r.data.data());
    a.ctx_size_in = static_cast<std::uint32_t>(o.ctx.size());
    a.ctx_in = detail::ptr(o.ctx.empty() ? nullptr : in.ctx_in_place ? r.ctx.data() : o.ctx.data());
    if (!in.ctx_in_place) {
        a.ctx_size_out = static_cast<std::uint32_t>(r.ctx.size());
        a.ctx_out = detail::ptr(r.ctx.empty() ? nullptr : r.ctx.data());
    }
    a.repeat = !in.known || in.repeat ? o.repeat : 0;
    a.flags = o.flags;
    a.cpu = o.cpu;
    a.batch_size = o.batch_size;
    if (detail::bpf(BPF_PROG_TEST_RUN, a) < 0) {
        const int e = errno;
        std::string hint;
        if (e == ENOSPC)
            hint = "the output (" + std::to_string(a.data_size_out) + " bytes of data, " +
                   std::to_string(a.ctx_size_out) + " of context) does not fit the buffers given (" +
                   std::to_string(r.data.size()) + ", " + std::to_string(r.ctx.size()) +
                   "); raise data_out_size or ctx_out_size";
        if (e == EINVAL && in.known)
            hint = "the kernel refused the input" +
                   (in.ctx ? " (is the context a valid " + std::string(in.ctx_what) +
                                 "? fields the kernel does not take must be 0; a context shorter than the "
                                 "program reads is refused)"
                           : std::string());
        if (e == EINVAL && !in.known)
            hint = "this program type cannot be test-run with this input (tracing programs take only a context "
                   "and need BTF; struct_ops programs need their struct's BTF)";
        if (e == ENXIO && (o.flags & test_run_on_cpu) != 0) hint = "cpu " + std::to_string(o.cpu) + " is not online";
        if (e == 524 || e == EOPNOTSUPP) hint = "this program type has no test-run support";
        return make_error(e, what, hint);
    }
    r.retval = a.retval;
    r.data.resize(a.data_out == 0 ? 0 : a.data_size_out);
    if (!in.ctx_in_place) r.ctx.resize(a.ctx_out == 0 ? 0 : a.ctx_size_out);
    r.duration = std::chrono::nanoseconds(a.duration);
    return r;
}
#else
;
#endif

} // namespace ctbpf::sys
