// The generated helper tables (include/ctbpf/verify/helper_protos.hpp, parsed from the kernel
// source by tools/gen_helper_protos.py; include/ctbpf/verify/helper_availability.hpp, measured on
// the live kernel) against values read by hand from the Linux 6.12 source (the `struct
// bpf_func_proto` definitions in kernel/bpf/helpers.c, kernel/bpf/ringbuf.c, net/core/filter.c,
// kernel/bpf/cgroup.c, kernel/trace/bpf_trace.c and the *_func_proto switches), at compile time.
#include <ctbpf/verify/helper_availability.hpp>
#include <ctbpf/verify/helper_protos.hpp>
#include <doctest/doctest.h>

namespace {

using namespace ctbpf::detail::vfy;
using ctbpf::privilege;
using ctbpf::prog_type;
namespace tf = type_flag;
namespace pp = proto_prop;

constexpr const helper_proto& named(std::string_view n) { return *proto_named(n); }
constexpr std::int32_t id(ctbpf::helper h) { return static_cast<std::int32_t>(h); }

// bpf_map_lookup_elem_proto (kernel/bpf/helpers.c): .pkt_access = true,
// RET_PTR_TO_MAP_VALUE_OR_NULL, ARG_CONST_MAP_PTR, ARG_PTR_TO_MAP_KEY.
constexpr const helper_proto& lookup = named("bpf_map_lookup_elem_proto");
static_assert(lookup.id == 1);
static_assert(lookup.ret == ret_base::ptr_to_map_value && lookup.ret_flags == tf::maybe_null);
static_assert(lookup.args[0].base == arg_base::const_map_ptr && lookup.args[0].flags == 0);
static_assert(lookup.args[1].base == arg_base::ptr_to_map_key && lookup.args[1].flags == 0);
static_assert(lookup.args[2].base == arg_base::dontcare && lookup.arg_count() == 2);
static_assert(lookup.has(pp::pkt_access) && !lookup.has(pp::gpl_only) && !lookup.has(pp::acquires_ref));
static_assert(lookup.has(pp::acquires_ref_sockmap)); // is_acquire_function(): sockmap / sockhash lookups
static_assert(lookup.release_arg == 0 && lookup.ret_size_arg == 0);

// bpf_ringbuf_reserve_proto (kernel/bpf/ringbuf.c): RET_PTR_TO_RINGBUF_MEM_OR_NULL
// (= PTR_MAYBE_NULL | MEM_RINGBUF | RET_PTR_TO_MEM), ARG_CONST_MAP_PTR,
// ARG_CONST_ALLOC_SIZE_OR_ZERO, ARG_ANYTHING; acquires a reference; the memory's size is arg 2.
constexpr const helper_proto& reserve = named("bpf_ringbuf_reserve_proto");
static_assert(reserve.id == id(ctbpf::helper::ringbuf_reserve));
static_assert(reserve.ret == ret_base::ptr_to_mem && reserve.ret_flags == (tf::maybe_null | tf::mem_ringbuf));
static_assert(reserve.ret_size_arg == 2);
static_assert(reserve.args[1].base == arg_base::const_alloc_size_or_zero && reserve.args[2].base == arg_base::anything);
static_assert(reserve.has(pp::acquires_ref));
static_assert(reserve.returns() == ret_kind::ringbuf_mem_or_null && lookup.returns() == ret_kind::map_value_or_null);

// bpf_ringbuf_submit_proto: RET_VOID, ARG_PTR_TO_RINGBUF_MEM | OBJ_RELEASE, ARG_ANYTHING.
constexpr const helper_proto& submit = named("bpf_ringbuf_submit_proto");
static_assert(submit.ret == ret_base::void_ && submit.release_arg == 1);
static_assert(submit.args[0].base == arg_base::ptr_to_ringbuf_mem && submit.args[0].has(tf::obj_release));

// bpf_sk_release_proto (net/core/filter.c): ARG_PTR_TO_BTF_ID_SOCK_COMMON | OBJ_RELEASE.
constexpr const helper_proto& release = named("bpf_sk_release_proto");
static_assert(release.id == id(ctbpf::helper::sk_release) && release.ret == ret_base::integer);
static_assert(release.args[0].base == arg_base::ptr_to_btf_id_sock_common);
static_assert(release.args[0].flags == tf::obj_release && release.release_arg == 1 && release.arg_count() == 1);

// bpf_skc_lookup_tcp_proto: RET_PTR_TO_SOCK_COMMON_OR_NULL, ctx, ARG_PTR_TO_MEM | MEM_RDONLY,
// ARG_CONST_SIZE_OR_ZERO, ARG_ANYTHING x2; pkt_access; acquires a reference.
constexpr const helper_proto& skc = named("bpf_skc_lookup_tcp_proto");
static_assert(skc.ret == ret_base::ptr_to_sock_common && skc.ret_flags == tf::maybe_null);
static_assert(skc.args[0].base == arg_base::ptr_to_ctx && skc.args[1].base == arg_base::ptr_to_mem &&
              skc.args[1].flags == tf::mem_rdonly && skc.args[2].base == arg_base::const_size_or_zero &&
              skc.args[4].base == arg_base::anything);
static_assert(skc.has(pp::pkt_access | pp::acquires_ref));

// bpf_tcp_sock_proto: RET_PTR_TO_TCP_SOCK_OR_NULL, ARG_PTR_TO_SOCK_COMMON; no reference.
static_assert(named("bpf_tcp_sock_proto").ret == ret_base::ptr_to_tcp_sock);
static_assert(named("bpf_tcp_sock_proto").args[0].base == arg_base::ptr_to_sock_common);
static_assert(!named("bpf_tcp_sock_proto").has(pp::acquires_ref));
static_assert(named("bpf_tcp_sock_proto").returns() == ret_kind::tcp_sock_or_null);
static_assert(skc.returns() == ret_kind::sock_common_or_null);
static_assert(named("bpf_sk_lookup_tcp_proto").returns() == ret_kind::socket_or_null);
static_assert(named("bpf_sk_lookup_tcp_proto").has(pp::acquires_ref));

// bpf_csum_diff_proto: ARG_PTR_TO_MEM | PTR_MAYBE_NULL | MEM_RDONLY, ARG_CONST_SIZE_OR_ZERO (x2),
// ARG_ANYTHING; pkt_access.
constexpr const helper_proto& csum = named("bpf_csum_diff_proto");
static_assert(csum.args[0].base == arg_base::ptr_to_mem && csum.args[0].flags == (tf::maybe_null | tf::mem_rdonly));
static_assert(csum.args[3].base == arg_base::const_size_or_zero && csum.args[4].base == arg_base::anything);
static_assert(csum.arg_count() == 5 && csum.has(pp::pkt_access));

// sk_reuseport_load_bytes_proto: ctx, ARG_ANYTHING, ARG_PTR_TO_UNINIT_MEM
// (= MEM_UNINIT | MEM_WRITE | ARG_PTR_TO_MEM), ARG_CONST_SIZE.
constexpr const helper_proto& rp = named("sk_reuseport_load_bytes_proto");
static_assert(rp.id == id(ctbpf::helper::skb_load_bytes));
static_assert(rp.args[2].base == arg_base::ptr_to_mem && rp.args[2].flags == (tf::mem_uninit | tf::mem_write));
static_assert(rp.args[3].base == arg_base::const_size);

// bpf_strtol_proto: arg 4 is ARG_PTR_TO_FIXED_SIZE_MEM | MEM_UNINIT | MEM_WRITE | MEM_ALIGNED with
// .arg4_size = sizeof(s64) (the former ARG_PTR_TO_LONG).
constexpr const helper_proto& strtol = named("bpf_strtol_proto");
static_assert(strtol.args[3].base == arg_base::ptr_to_mem && strtol.args[3].size == 8);
static_assert(strtol.args[3].has(tf::mem_fixed_size | tf::mem_uninit | tf::mem_write | tf::mem_aligned));

// bpf_spin_lock_proto: RET_VOID, ARG_PTR_TO_SPIN_LOCK (.arg1_btf_id = BPF_PTR_POISON).
static_assert(named("bpf_spin_lock_proto").ret == ret_base::void_);
static_assert(named("bpf_spin_lock_proto").args[0].base == arg_base::ptr_to_spin_lock);

// bpf_copy_from_user_proto: .might_sleep = true; ARG_PTR_TO_UNINIT_MEM, ARG_CONST_SIZE_OR_ZERO, ARG_ANYTHING.
static_assert(named("bpf_copy_from_user_proto").has(pp::might_sleep));
static_assert(named("bpf_copy_from_user_proto").args[1].base == arg_base::const_size_or_zero);

// bpf_d_path_proto (kernel/trace/bpf_trace.c): ARG_PTR_TO_BTF_ID with a BTF id, .allowed callback.
static_assert(named("bpf_d_path_proto").has(pp::has_allowed | pp::arg_btf_id));
static_assert(named("bpf_d_path_proto").args[0].base == arg_base::ptr_to_btf_id);

// bpf_timer_init_proto: .gpl_only, ARG_PTR_TO_TIMER, ARG_CONST_MAP_PTR, ARG_ANYTHING.
static_assert(named("bpf_timer_init_proto").has(pp::gpl_only));
static_assert(named("bpf_timer_init_proto").args[0].base == arg_base::ptr_to_timer);

// bpf_loop_proto: ARG_SCALAR, ARG_PTR_TO_FUNC, ARG_PTR_TO_STACK_OR_NULL, ARG_ANYTHING.
constexpr const helper_proto& loop = named("bpf_loop_proto");
static_assert(loop.args[0].base == arg_base::scalar && loop.args[1].base == arg_base::ptr_to_func);
static_assert(loop.args[2].base == arg_base::ptr_to_stack && loop.args[2].flags == tf::maybe_null);

// bpf_get_local_storage_proto (kernel/bpf/cgroup.c): RET_PTR_TO_MAP_VALUE (never NULL).
static_assert(named("bpf_get_local_storage_proto").ret == ret_base::ptr_to_map_value);
static_assert(named("bpf_get_local_storage_proto").ret_flags == 0);
static_assert(named("bpf_get_local_storage_proto").returns() == ret_kind::map_value);
// bpf_dynptr_data_proto: RET_PTR_TO_DYNPTR_MEM_OR_NULL, size from ARG_CONST_ALLOC_SIZE_OR_ZERO (arg 3).
static_assert(named("bpf_dynptr_data_proto").returns() == ret_kind::mem_or_null);
static_assert(named("bpf_dynptr_data_proto").ret_size_arg == 3);
// bpf_get_current_task_btf_proto: RET_PTR_TO_BTF_ID_TRUSTED; bpf_skc_to_tcp_sock_proto: RET_PTR_TO_BTF_ID_OR_NULL.
static_assert(named("bpf_get_current_task_btf_proto").returns() == ret_kind::btf_id);
static_assert(named("bpf_get_current_task_btf_proto").ret_flags == tf::ptr_trusted);
static_assert(named("bpf_skc_to_tcp_sock_proto").returns() == ret_kind::btf_id_or_null);

// bpf_per_cpu_ptr_proto: RET_PTR_TO_MEM_OR_BTF_ID | PTR_MAYBE_NULL | MEM_RDONLY, ARG_PTR_TO_PERCPU_BTF_ID.
static_assert(named("bpf_per_cpu_ptr_proto").ret == ret_base::ptr_to_mem_or_btf_id);
static_assert(named("bpf_per_cpu_ptr_proto").ret_flags == (tf::maybe_null | tf::mem_rdonly));
static_assert(named("bpf_per_cpu_ptr_proto").args[0].base == arg_base::ptr_to_percpu_btf_id);
static_assert(named("bpf_per_cpu_ptr_proto").returns() == ret_kind::mem_or_btf_id);

// bpf_snprintf_proto: .gpl_only, ARG_PTR_TO_MEM_OR_NULL, size, ARG_PTR_TO_CONST_STR, ...
static_assert(named("bpf_snprintf_proto").args[2].base == arg_base::ptr_to_const_str);
static_assert(named("bpf_snprintf_proto").args[0].flags == tf::maybe_null);

// bpf_tcp_raw_gen_syncookie_ipv4_proto: ARG_PTR_TO_FIXED_SIZE_MEM with .arg1_size = sizeof(struct iphdr).
static_assert(named("bpf_tcp_raw_gen_syncookie_ipv4_proto").args[0].size == 20);
static_assert(named("bpf_tcp_raw_gen_syncookie_ipv4_proto").args[0].flags == tf::mem_fixed_size);

// The switches: which proto a program type maps an id to.
constexpr std::string_view proto_name(prog_type t, privilege p, ctbpf::helper h) {
    const helper_proto* x = proto_for(t, p, id(h));
    return x ? x->name : std::string_view("none");
}
// sk_filter_func_proto / sk_reuseport_func_proto: skb_load_bytes
static_assert(proto_name(prog_type::socket_filter, privilege::root, ctbpf::helper::skb_load_bytes) == "bpf_skb_load_bytes_proto");
static_assert(proto_name(prog_type::sk_reuseport, privilege::root, ctbpf::helper::skb_load_bytes) == "sk_reuseport_load_bytes_proto");
static_assert(proto_name(prog_type::flow_dissector, privilege::root, ctbpf::helper::skb_load_bytes) == "bpf_flow_dissector_load_bytes_proto");
// get_socket_cookie: one proto per context kind
static_assert(proto_name(prog_type::socket_filter, privilege::root, ctbpf::helper::get_socket_cookie) == "bpf_get_socket_cookie_proto");
static_assert(proto_name(prog_type::cgroup_sock, privilege::root, ctbpf::helper::get_socket_cookie) == "bpf_get_socket_cookie_sock_proto");
static_assert(proto_name(prog_type::cgroup_sock_addr, privilege::root, ctbpf::helper::get_socket_cookie) == "bpf_get_socket_cookie_sock_addr_proto");
static_assert(proto_name(prog_type::sock_ops, privilege::root, ctbpf::helper::get_socket_cookie) == "bpf_get_socket_cookie_sock_ops_proto");
// perf_event_output: per program family
static_assert(proto_name(prog_type::socket_filter, privilege::root, ctbpf::helper::perf_event_output) == "bpf_skb_event_output_proto");
static_assert(proto_name(prog_type::xdp, privilege::root, ctbpf::helper::perf_event_output) == "bpf_xdp_event_output_proto");
static_assert(proto_name(prog_type::tracepoint, privilege::root, ctbpf::helper::perf_event_output) == "bpf_perf_event_output_proto_tp");
static_assert(proto_name(prog_type::kprobe, privilege::root, ctbpf::helper::perf_event_output) == "bpf_perf_event_output_proto");
// bpf_base_func_proto: map helpers for everyone, spin_lock behind CAP_BPF, trace_printk behind CAP_PERFMON
static_assert(proto_name(prog_type::socket_filter, privilege::unprivileged, ctbpf::helper::map_lookup_elem) == "bpf_map_lookup_elem_proto");
static_assert(proto_name(prog_type::socket_filter, privilege::root, ctbpf::helper::spin_lock) == "bpf_spin_lock_proto");
static_assert(proto_name(prog_type::socket_filter, privilege::unprivileged, ctbpf::helper::spin_lock) == "none");
static_assert(proto_name(prog_type::cgroup_skb, privilege::unprivileged, ctbpf::helper::trace_printk) == "none");
static_assert(proto_name(prog_type::cgroup_skb, privilege::root, ctbpf::helper::trace_printk) == "bpf_trace_printk_proto");
// bpf_sk_base_func_proto: skc_to_* only with CAP_PERFMON
static_assert(proto_name(prog_type::socket_filter, privilege::root, ctbpf::helper::skc_to_tcp_sock) == "bpf_skc_to_tcp_sock_proto");
static_assert(proto_name(prog_type::socket_filter, privilege::unprivileged, ctbpf::helper::skc_to_tcp_sock) == "none");
// not for this type
static_assert(proto_name(prog_type::socket_filter, privilege::root, ctbpf::helper::xdp_adjust_head) == "none");
static_assert(proto_name(prog_type::xdp, privilege::root, ctbpf::helper::xdp_adjust_head) == "bpf_xdp_adjust_head_proto");
static_assert(proto_for(prog_type::socket_filter, privilege::root, 0) == nullptr);

// The measured table (Linux 6.18).
static_assert(helper_available(prog_type::socket_filter, privilege::root, 1).avail == availability::yes);
static_assert(helper_available(prog_type::socket_filter, privilege::root, 44).avail == availability::no);
static_assert(helper_available(prog_type::socket_filter, privilege::root, 44).message == unavailable_message::cannot_use_helper);
static_assert(helper_available(prog_type::socket_filter, privilege::unprivileged, id(ctbpf::helper::spin_lock)).avail == availability::no);
static_assert(helper_available(prog_type::xdp, privilege::root, 44).avail == availability::yes);
static_assert(helper_available(prog_type::socket_filter, privilege::root, 0).avail == availability::no);
static_assert(helper_available(prog_type::socket_filter, privilege::root, 9999).message == unavailable_message::invalid_func);
static_assert(helper_available(prog_type::xdp, privilege::unprivileged, 1).avail == availability::unknown);
static_assert(helper_available(prog_type::lsm, privilege::root, 1).avail == availability::unknown);

} // namespace

TEST_CASE("helper prototypes: every proto is well formed") {
    int n = 0;
    for (const helper_proto& p : helper_protos) {
        CAPTURE(p.name);
        CHECK(p.id > 0);
        CHECK(p.id < helper_proto_ids);
        CHECK(primary_proto(p.id) != nullptr);
        // a release argument has OBJ_RELEASE, and only it
        for (std::uint32_t i = 0; i < 5; ++i)
            CHECK(p.args[i].has(type_flag::obj_release) == (p.release_arg == i + 1));
        // a fixed size goes with MEM_FIXED_SIZE
        for (const helper_arg& a : p.args) CHECK((a.size != 0) == a.has(type_flag::mem_fixed_size));
        ++n;
    }
    MESSAGE(n << " protos");
    CHECK(n > 250);
}
