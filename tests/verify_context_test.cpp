// ctbpf/verify/context.hpp without a kernel: the program-type context layouts at compile time
// (static_assert) and the field tables' consistency. The agreement with the live kernel, offset by
// offset, is verify_context_kernel_test.
#include <ctbpf/verify/context.hpp>
#include <doctest/doctest.h>

#include <string>

namespace {

using namespace ctbpf::detail::vfy;
using ctbpf::prog_type;
using ctbpf::privilege;
constexpr auto root = privilege::root;
constexpr auto unpriv = privilege::unprivileged;

constexpr bool allowed(prog_type t, std::int32_t off, std::uint32_t size, ctx_op op = ctx_op::load,
                       std::uint32_t attach = 0, privilege p = root) {
    return check_ctx_access(t, attach, p, off, size, op).allowed;
}
constexpr ctx_reg_type loads(prog_type t, std::int32_t off, std::uint32_t size, std::uint32_t attach = 0,
                             privilege p = root) {
    return check_ctx_access(t, attach, p, off, size, ctx_op::load).reg;
}

// __sk_buff
static_assert(allowed(prog_type::socket_filter, 0, 4) && allowed(prog_type::socket_filter, 3, 1));
static_assert(!allowed(prog_type::socket_filter, 0, 8));
static_assert(!allowed(prog_type::socket_filter, 76, 4)); // data: not for socket filters
static_assert(allowed(prog_type::socket_filter, 48, 8) && !allowed(prog_type::socket_filter, 64, 8)); // cb[]
static_assert(allowed(prog_type::socket_filter, 48, 1, ctx_op::store_imm)); // BPF_ST into ctx (Linux >= 6.4)
static_assert(!allowed(prog_type::socket_filter, 8, 4, ctx_op::store_reg)); // mark: read-only here
static_assert(allowed(prog_type::sched_cls, 8, 4, ctx_op::store_reg) && !allowed(prog_type::sched_cls, 8, 2, ctx_op::store_reg));
static_assert(loads(prog_type::sched_cls, 76, 4) == ctx_reg_type::pkt);
static_assert(loads(prog_type::sched_cls, 80, 4) == ctx_reg_type::pkt_end);
static_assert(loads(prog_type::sched_cls, 140, 4) == ctx_reg_type::pkt_meta);
static_assert(loads(prog_type::sched_cls, 168, 8) == ctx_reg_type::sock_common_or_null);
static_assert(!allowed(prog_type::sched_cls, 76, 4, ctx_op::load_sx)); // no sign-extending pointer loads
static_assert(allowed(prog_type::sched_cls, 180, 1) && !allowed(prog_type::socket_filter, 180, 1)); // tstamp_type
static_assert(loads(prog_type::cgroup_skb, 76, 4) == ctx_reg_type::pkt);
static_assert(!allowed(prog_type::cgroup_skb, 76, 4, ctx_op::load, 0, unpriv)); // data needs CAP_BPF
static_assert(allowed(prog_type::cgroup_skb, 152, 8, ctx_op::store_reg) &&
              !allowed(prog_type::cgroup_skb, 152, 8, ctx_op::store_reg, 0, unpriv)); // tstamp
static_assert(loads(prog_type::flow_dissector, 144, 8) == ctx_reg_type::flow_keys);
static_assert(!allowed(prog_type::sk_skb, 8, 4)); // mark
// xdp_md
static_assert(loads(prog_type::xdp, 8, 4) == ctx_reg_type::pkt_meta);
static_assert(!allowed(prog_type::xdp, 20, 4) && allowed(prog_type::xdp, 20, 4, ctx_op::load, ctx::xdp_devmap));
static_assert(!allowed(prog_type::xdp, 12, 2));
// bpf_sock: attach types
static_assert(allowed(prog_type::cgroup_sock, 0, 4, ctx_op::store_reg)); // 0 means sock_create
static_assert(!allowed(prog_type::cgroup_sock, 0, 4, ctx_op::load, ctx::cgroup_inet4_post_bind));
static_assert(allowed(prog_type::cgroup_sock, 24, 4, ctx_op::load, ctx::cgroup_inet4_post_bind) &&
              !allowed(prog_type::cgroup_sock, 24, 4, ctx_op::load, ctx::cgroup_inet6_post_bind));
static_assert(allowed(prog_type::cgroup_sock, 49, 1) && !allowed(prog_type::cgroup_sock, 50, 2));
// bpf_sock_addr
static_assert(allowed(prog_type::cgroup_sock_addr, 8, 8, ctx_op::store_reg, ctx::cgroup_inet6_connect));
static_assert(!allowed(prog_type::cgroup_sock_addr, 8, 8, ctx_op::load, ctx::cgroup_inet4_connect));
static_assert(!allowed(prog_type::cgroup_sock_addr, 4, 4, ctx_op::load, ctx::cgroup_unix_connect));
static_assert(loads(prog_type::cgroup_sock_addr, 64, 8, ctx::cgroup_inet4_bind) == ctx_reg_type::socket);
// others
static_assert(loads(prog_type::sock_ops, 184, 8) == ctx_reg_type::sock_or_null);
static_assert(loads(prog_type::sk_msg, 0, 8) == ctx_reg_type::pkt);
static_assert(loads(prog_type::sk_reuseport, 48, 8) == ctx_reg_type::sock_common_or_null);
static_assert(!allowed(prog_type::sk_reuseport, 20, 1) && allowed(prog_type::sk_reuseport, 20, 2));
static_assert(loads(prog_type::sk_lookup, 0, 8) == ctx_reg_type::sock_or_null);
static_assert(allowed(prog_type::sk_lookup, 36, 4) && allowed(prog_type::sk_lookup, 38, 2));
static_assert(allowed(prog_type::cgroup_sockopt, 36, 4, ctx_op::store_reg, ctx::cgroup_getsockopt) &&
              !allowed(prog_type::cgroup_sockopt, 36, 4, ctx_op::store_reg, ctx::cgroup_setsockopt));
static_assert(loads(prog_type::raw_tracepoint_writable, 0, 8) == ctx_reg_type::tp_buffer);
static_assert(allowed(prog_type::tracepoint, -8, 8) && !allowed(prog_type::tracepoint, 0, 8)); // (sic)
static_assert(allowed(prog_type::perf_event, 168, 1) && !allowed(prog_type::perf_event, 0, 4));
static_assert(!allowed(prog_type::kprobe, 164, 8) && allowed(prog_type::kprobe, 160, 8));
static_assert(allowed(prog_type::syscall, 32760, 8, ctx_op::store_reg));
static_assert(loads(prog_type::netfilter, 8, 8) == ctx_reg_type::ctx_unknown);
// messages, errno, bounds
static_assert(check_ctx_access(prog_type::xdp, 0, root, -8, 4, ctx_op::load).message() ==
              "invalid bpf_context access off=-8 size=4");
static_assert(check_ctx_access(prog_type::xdp, 0, root, 0, 4, ctx_op::atomic, 3).message() ==
              "BPF_ATOMIC stores into R3 ctx is not allowed");
static_assert(check_ctx_access(prog_type::xdp, 0, root, 0, 2, ctx_op::atomic).message() == "invalid atomic operand size");
static_assert(check_ctx_access(prog_type::xdp, 0, root, 0, 2, ctx_op::atomic).errnum == EINVAL);
static_assert(check_ctx_access(prog_type::xdp, 0, root, 1, 4, ctx_op::load).errnum == EACCES);
static_assert(check_ctx_access(prog_type::sched_cls, 0, root, 0, 2, ctx_op::load).umax == 0xffff);
static_assert(check_ctx_access(prog_type::sched_cls, 0, root, 0, 2, ctx_op::load_sx).smin == -32768);
static_assert(check_ctx_access(prog_type::tracing, 0, root, 0, 8, ctx_op::load).reason == ctx_reject::not_covered);
static_assert(check_ctx_access(prog_type::xdp, 0, root, 0, 3, ctx_op::load).reason == ctx_reject::not_covered);
static_assert(check_ctx_access(ctbpf::options{.priv = unpriv, .type = prog_type::cgroup_skb}, 76, 4, ctx_op::load)
                  .message() == "invalid bpf_context access off=76 size=4");
// fields
static_assert(ctx_size(prog_type::sk_lookup) == 72 && ctx_size(prog_type::tracing) == 0);
static_assert(find_context_field(prog_type::sock_ops, "skb_hwtstamp")->off == 216);
static_assert(find_context_field(prog_type::cgroup_sock, 49)->name == "dst_port");
static_assert(find_context_field(prog_type::cgroup_sock, 50) == nullptr);
static_assert(find_context_field(prog_type::sched_cls, "cb")->count == 5 && find_context_field(prog_type::sched_cls, "cb")->size == 20);
static_assert(find_context_field(prog_type::sched_cls, "mark")->count == 1);
static_assert(check_ctx_access(prog_type::kprobe, 0, root, 0, 8, ctx_op::load_sx).reason == ctx_reject::not_covered);

} // namespace

TEST_CASE("context field tables are consistent") {
    for (std::uint32_t i = 0; i <= static_cast<std::uint32_t>(prog_type::netfilter); ++i) {
        const auto t = static_cast<prog_type>(i);
        CAPTURE(std::string(ctbpf::to_string(t)));
        const auto fields = context_fields(t);
        if (!known(t)) {
            CHECK(fields.empty());
            CHECK(ctx_size(t) == 0);
            continue;
        }
        CHECK(ctx_size(t) > 0);
        for (const ctx_field& f : fields) {
            CAPTURE(std::string(f.name));
            CHECK(f.off >= 0);
            CHECK(f.off + static_cast<std::int32_t>(f.size) <= ctx_size(t));
            CHECK(find_context_field(t, f.name) == &f);
            CHECK(f.count >= 1);
            CHECK(f.size % f.count == 0);
        }
    }
}
