// BPF_PROG_TEST_RUN: run a loaded program on packet data and/or a context, `repeat` times, and
// get its return value, the output data and context, and the kernel's mean duration per run.
#pragma once

#include "ctbpf/sys/bpf_syscall.hpp"
#include "ctbpf/sys/error.hpp"
#include "ctbpf/sys/load.hpp"
#include "ctbpf/sys/names.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace ctbpf::sys {

struct test_run_options {
    std::span<const std::byte> data{};    // packet data in
    std::size_t data_out_size = 0;        // room for the data out; 0: data.size() + 4096
    std::span<const std::byte> ctx{};     // context in (e.g. struct xdp_md, struct __sk_buff)
    std::size_t ctx_out_size = 0;         // room for the context out; 0: ctx.size()
    std::uint32_t repeat = 1;
    std::uint32_t flags = 0;              // BPF_F_TEST_RUN_ON_CPU, BPF_F_TEST_XDP_LIVE_FRAMES
    std::uint32_t cpu = 0;
    std::uint32_t batch_size = 0;
};

struct test_run_result {
    std::uint32_t retval = 0;
    std::vector<std::byte> data;          // the data out (as the program left it)
    std::vector<std::byte> ctx;           // the context out
    std::chrono::nanoseconds duration{};  // the kernel's mean time per run
};

inline std::span<const std::byte> as_bytes_of(std::string_view s) {
    return {reinterpret_cast<const std::byte*>(s.data()), s.size()};
}

inline result<test_run_result> test_run(const prog& p, const test_run_options& o = {}) {
    test_run_result r;
    r.data.resize(o.data.empty() ? 0 : (o.data_out_size != 0 ? o.data_out_size : o.data.size() + 4096));
    r.ctx.resize(o.ctx.empty() && o.ctx_out_size == 0 ? 0 : (o.ctx_out_size != 0 ? o.ctx_out_size : o.ctx.size()));
    detail::attr_test_run a;
    a.prog_fd = static_cast<std::uint32_t>(p.fd());
    a.data_size_in = static_cast<std::uint32_t>(o.data.size());
    a.data_in = detail::ptr(o.data.empty() ? nullptr : o.data.data());
    a.data_size_out = static_cast<std::uint32_t>(r.data.size());
    a.data_out = detail::ptr(r.data.empty() ? nullptr : r.data.data());
    a.ctx_size_in = static_cast<std::uint32_t>(o.ctx.size());
    a.ctx_in = detail::ptr(o.ctx.empty() ? nullptr : o.ctx.data());
    a.ctx_size_out = static_cast<std::uint32_t>(r.ctx.size());
    a.ctx_out = detail::ptr(r.ctx.empty() ? nullptr : r.ctx.data());
    a.repeat = o.repeat;
    a.flags = o.flags;
    a.cpu = o.cpu;
    a.batch_size = o.batch_size;
    if (detail::bpf(BPF_PROG_TEST_RUN, a) < 0) {
        const int e = errno;
        std::string what = "BPF_PROG_TEST_RUN " + prog_type_name(p.type());
        if (!p.name().empty()) what += " '" + p.name() + "'";
        std::string hint;
        if (e == ENOSPC)
            hint = "the output (" + std::to_string(a.data_size_out) + " bytes of data, " +
                   std::to_string(a.ctx_size_out) + " of context) does not fit the buffers given (" +
                   std::to_string(r.data.size()) + ", " + std::to_string(r.ctx.size()) +
                   "); raise data_out_size or ctx_out_size";
        if (e == EINVAL)
            hint = "this program type cannot be test-run with this input (XDP and skb programs need at least a "
                   "14-byte Ethernet header of data; tracing programs take only a context)";
        if (e == 524 || e == EOPNOTSUPP) hint = "this program type has no test-run support";
        return make_error(e, what, hint);
    }
    r.retval = a.retval;
    r.data.resize(a.data_out == 0 ? 0 : a.data_size_out);
    r.ctx.resize(a.ctx_out == 0 ? 0 : a.ctx_size_out);
    r.duration = std::chrono::nanoseconds(a.duration);
    return r;
}

} // namespace ctbpf::sys
