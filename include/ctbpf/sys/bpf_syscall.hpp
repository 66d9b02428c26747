// The one place that calls syscall(SYS_bpf), and the attribute layouts of the commands the shim
// uses. The layouts are ours (the system's <linux/bpf.h> may be older than the running kernel:
// Debian bookworm ships 6.1's), checked field by field against <linux/bpf.h> where it has the
// field. Fields a kernel does not know must be zero, and are: the kernel accepts a larger attr
// whose tail it does not know when that tail is zero.
#pragma once

#include <linux/bpf.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>
#include <type_traits>

namespace ctbpf::sys {

// Constants newer than Linux 6.1's uapi header (values from later kernels' include/uapi/linux/bpf.h).
namespace k {
inline constexpr std::uint32_t map_type_cgrp_storage = 32;   // 6.2
inline constexpr std::uint32_t map_type_arena = 33;          // 6.9
inline constexpr std::uint32_t prog_type_netfilter = 32;     // 6.4
inline constexpr std::uint32_t attach_netfilter = 45;        // 6.4
inline constexpr std::uint32_t attach_tcx_ingress = 46;      // 6.6
inline constexpr std::uint32_t attach_tcx_egress = 47;       // 6.6
inline constexpr std::uint32_t attach_trace_uprobe_multi = 48; // 6.6
inline constexpr std::uint32_t link_type_uprobe_multi = 12;  // 6.6
inline constexpr std::uint32_t uprobe_multi_return = 1;      // BPF_F_UPROBE_MULTI_RETURN
inline constexpr std::uint32_t bpf_obj_name_len = 16;
inline constexpr std::uint32_t log_min_size = 128;           // the verifier refuses smaller log buffers
inline constexpr std::uint32_t log_max_size = (~0u) >> 2;    // and larger ones
} // namespace k

namespace detail {

using u32 = std::uint32_t;
using u64 = std::uint64_t;

inline u64 ptr(const void* p) noexcept { return static_cast<u64>(reinterpret_cast<std::uintptr_t>(p)); }

// An object's name for prog_name/map_name: [A-Za-z0-9_.] (others become '_'), at most 15 characters.
inline void copy_name(char (&out)[k::bpf_obj_name_len], std::string_view name) {
    std::size_t n = 0;
    for (char c : name) {
        if (n + 1 >= sizeof out) break;
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.';
        out[n++] = ok ? c : '_';
    }
}

// BPF_PROG_LOAD, up to fd_array_cnt (6.14).
struct attr_prog_load {
    u32 prog_type = 0;
    u32 insn_cnt = 0;
    alignas(8) u64 insns = 0;
    alignas(8) u64 license = 0;
    u32 log_level = 0;
    u32 log_size = 0;
    alignas(8) u64 log_buf = 0;
    u32 kern_version = 0;
    u32 prog_flags = 0;
    char prog_name[k::bpf_obj_name_len] = {};
    u32 prog_ifindex = 0;
    u32 expected_attach_type = 0;
    u32 prog_btf_fd = 0;
    u32 func_info_rec_size = 0;
    alignas(8) u64 func_info = 0;
    u32 func_info_cnt = 0;
    u32 line_info_rec_size = 0;
    alignas(8) u64 line_info = 0;
    u32 line_info_cnt = 0;
    u32 attach_btf_id = 0;
    u32 attach_prog_fd = 0; // or attach_btf_obj_fd
    u32 core_relo_cnt = 0;
    alignas(8) u64 fd_array = 0;
    alignas(8) u64 core_relos = 0;
    u32 core_relo_rec_size = 0;
    u32 log_true_size = 0;  // 6.4: out, the log size the verifier needed
    std::int32_t prog_token_fd = 0; // 6.9
    u32 fd_array_cnt = 0;   // 6.14
};

// BPF_MAP_CREATE, up to map_token_fd (6.9).
struct attr_map_create {
    u32 map_type = 0;
    u32 key_size = 0;
    u32 value_size = 0;
    u32 max_entries = 0;
    u32 map_flags = 0;
    u32 inner_map_fd = 0;
    u32 numa_node = 0;
    char map_name[k::bpf_obj_name_len] = {};
    u32 map_ifindex = 0;
    u32 btf_fd = 0;
    u32 btf_key_type_id = 0;
    u32 btf_value_type_id = 0;
    u32 btf_vmlinux_value_type_id = 0;
    alignas(8) u64 map_extra = 0;
    std::int32_t value_type_btf_obj_fd = 0; // 6.9
    std::int32_t map_token_fd = 0;          // 6.9
};

// BPF_MAP_{LOOKUP,UPDATE,DELETE,LOOKUP_AND_DELETE}_ELEM, BPF_MAP_GET_NEXT_KEY.
struct attr_map_elem {
    u32 map_fd = 0;
    u32 pad_ = 0;
    alignas(8) u64 key = 0;
    alignas(8) u64 value = 0; // or next_key
    alignas(8) u64 flags = 0;
};

// BPF_MAP_*_BATCH.
struct attr_map_batch {
    alignas(8) u64 in_batch = 0;
    alignas(8) u64 out_batch = 0;
    alignas(8) u64 keys = 0;
    alignas(8) u64 values = 0;
    u32 count = 0;
    u32 map_fd = 0;
    alignas(8) u64 elem_flags = 0;
    alignas(8) u64 flags = 0;
};

// BPF_OBJ_PIN, BPF_OBJ_GET.
struct attr_obj {
    alignas(8) u64 pathname = 0;
    u32 bpf_fd = 0;
    u32 file_flags = 0;
};

// BPF_MAP_FREEZE, BPF_LINK_DETACH: one fd.
struct attr_fd {
    u32 fd = 0;
};

// BPF_{PROG,MAP,LINK}_GET_FD_BY_ID.
struct attr_get_id {
    u32 id = 0;
    u32 next_id = 0;
    u32 open_flags = 0;
};

// BPF_PROG_TEST_RUN.
struct attr_test_run {
    u32 prog_fd = 0;
    u32 retval = 0;
    u32 data_size_in = 0;
    u32 data_size_out = 0;
    alignas(8) u64 data_in = 0;
    alignas(8) u64 data_out = 0;
    u32 repeat = 0;
    u32 duration = 0;
    u32 ctx_size_in = 0;
    u32 ctx_size_out = 0;
    alignas(8) u64 ctx_in = 0;
    alignas(8) u64 ctx_out = 0;
    u32 flags = 0;
    u32 cpu = 0;
    u32 batch_size = 0;
    u32 pad_ = 0;
};

// BPF_OBJ_GET_INFO_BY_FD.
struct attr_info {
    u32 bpf_fd = 0;
    u32 info_len = 0;
    alignas(8) u64 info = 0;
};

// BPF_BTF_LOAD.
struct attr_btf_load {
    alignas(8) u64 btf = 0;
    alignas(8) u64 btf_log_buf = 0;
    u32 btf_size = 0;
    u32 btf_log_size = 0;
    u32 btf_log_level = 0;
    u32 btf_log_true_size = 0;
};

// BPF_RAW_TRACEPOINT_OPEN.
struct attr_raw_tp {
    alignas(8) u64 name = 0;
    u32 prog_fd = 0;
    u32 pad_ = 0;
};

// BPF_LINK_CREATE (the common head; the per-type tail stays zero).
struct attr_link_create {
    u32 prog_fd = 0;
    u32 target = 0; // target_fd or target_ifindex
    u32 attach_type = 0;
    u32 flags = 0;
    alignas(8) u64 tail[4] = {};
};

#define CTBPF_SAME_OFFSET(ours, field, theirs) \
    static_assert(offsetof(ours, field) == offsetof(union bpf_attr, theirs), "attr layout: " #field)
CTBPF_SAME_OFFSET(attr_prog_load, insns, insns);
CTBPF_SAME_OFFSET(attr_prog_load, log_buf, log_buf);
CTBPF_SAME_OFFSET(attr_prog_load, prog_name, prog_name);
CTBPF_SAME_OFFSET(attr_prog_load, expected_attach_type, expected_attach_type);
CTBPF_SAME_OFFSET(attr_prog_load, attach_btf_id, attach_btf_id);
CTBPF_SAME_OFFSET(attr_prog_load, attach_prog_fd, attach_prog_fd);
CTBPF_SAME_OFFSET(attr_prog_load, fd_array, fd_array);
CTBPF_SAME_OFFSET(attr_prog_load, core_relo_rec_size, core_relo_rec_size);
CTBPF_SAME_OFFSET(attr_map_create, map_name, map_name);
CTBPF_SAME_OFFSET(attr_map_create, btf_vmlinux_value_type_id, btf_vmlinux_value_type_id);
CTBPF_SAME_OFFSET(attr_map_create, map_extra, map_extra);
CTBPF_SAME_OFFSET(attr_map_elem, key, key);
CTBPF_SAME_OFFSET(attr_map_elem, value, value);
CTBPF_SAME_OFFSET(attr_map_elem, flags, flags);
CTBPF_SAME_OFFSET(attr_map_batch, count, batch.count);
CTBPF_SAME_OFFSET(attr_map_batch, map_fd, batch.map_fd);
CTBPF_SAME_OFFSET(attr_map_batch, flags, batch.flags);
CTBPF_SAME_OFFSET(attr_obj, bpf_fd, bpf_fd);
CTBPF_SAME_OFFSET(attr_obj, file_flags, file_flags);
CTBPF_SAME_OFFSET(attr_test_run, data_out, test.data_out);
CTBPF_SAME_OFFSET(attr_test_run, duration, test.duration);
CTBPF_SAME_OFFSET(attr_test_run, ctx_out, test.ctx_out);
CTBPF_SAME_OFFSET(attr_test_run, batch_size, test.batch_size);
CTBPF_SAME_OFFSET(attr_info, info, info.info);
CTBPF_SAME_OFFSET(attr_raw_tp, prog_fd, raw_tracepoint.prog_fd);
CTBPF_SAME_OFFSET(attr_link_create, attach_type, link_create.attach_type);
CTBPF_SAME_OFFSET(attr_link_create, flags, link_create.flags);
#undef CTBPF_SAME_OFFSET
static_assert(sizeof(attr_prog_load) == 152 && sizeof(attr_map_create) == 80 && sizeof(attr_test_run) == 80);

// bpf(cmd, attr, sizeof attr): the fd or 0 on success, -1 with errno set on failure.
template <class Attr>
inline int bpf(int cmd, Attr& attr) noexcept {
    // No padding: every byte the kernel reads is a field we set (unknown nonzero bytes are EINVAL/E2BIG).
    static_assert(std::has_unique_object_representations_v<Attr>, "attr layout has padding");
    return static_cast<int>(::syscall(SYS_bpf, cmd, &attr, static_cast<unsigned>(sizeof(Attr))));
}

// BPF_OBJ_GET_INFO_BY_FD into `out` (a bpf_map_info, bpf_prog_info, bpf_link_info ...), zeroed
// first, padding included (the kernel checks bytes it does not know): 0, or -1 with errno set.
template <class Info>
inline int obj_info(int fd, Info& out) noexcept {
    std::memset(&out, 0, sizeof out);
    attr_info a;
    a.bpf_fd = static_cast<u32>(fd);
    a.info_len = sizeof out;
    a.info = ptr(&out);
    return bpf(BPF_OBJ_GET_INFO_BY_FD, a);
}

} // namespace detail

// The kernel's name of a bpf() command, for messages.
constexpr std::string_view command_name(int cmd) {
    switch (cmd) {
    case BPF_MAP_CREATE: return "BPF_MAP_CREATE";
    case BPF_MAP_LOOKUP_ELEM: return "BPF_MAP_LOOKUP_ELEM";
    case BPF_MAP_UPDATE_ELEM: return "BPF_MAP_UPDATE_ELEM";
    case BPF_MAP_DELETE_ELEM: return "BPF_MAP_DELETE_ELEM";
    case BPF_MAP_GET_NEXT_KEY: return "BPF_MAP_GET_NEXT_KEY";
    case BPF_PROG_LOAD: return "BPF_PROG_LOAD";
    case BPF_OBJ_PIN: return "BPF_OBJ_PIN";
    case BPF_OBJ_GET: return "BPF_OBJ_GET";
    case BPF_PROG_TEST_RUN: return "BPF_PROG_TEST_RUN";
    case BPF_OBJ_GET_INFO_BY_FD: return "BPF_OBJ_GET_INFO_BY_FD";
    case BPF_RAW_TRACEPOINT_OPEN: return "BPF_RAW_TRACEPOINT_OPEN";
    case BPF_MAP_LOOKUP_AND_DELETE_ELEM: return "BPF_MAP_LOOKUP_AND_DELETE_ELEM";
    case BPF_MAP_FREEZE: return "BPF_MAP_FREEZE";
    case BPF_MAP_LOOKUP_BATCH: return "BPF_MAP_LOOKUP_BATCH";
    case BPF_MAP_LOOKUP_AND_DELETE_BATCH: return "BPF_MAP_LOOKUP_AND_DELETE_BATCH";
    case BPF_MAP_UPDATE_BATCH: return "BPF_MAP_UPDATE_BATCH";
    case BPF_MAP_DELETE_BATCH: return "BPF_MAP_DELETE_BATCH";
    case BPF_LINK_CREATE: return "BPF_LINK_CREATE";
    case BPF_LINK_DETACH: return "BPF_LINK_DETACH";
    case BPF_PROG_GET_FD_BY_ID: return "BPF_PROG_GET_FD_BY_ID";
    case BPF_MAP_GET_FD_BY_ID: return "BPF_MAP_GET_FD_BY_ID";
    default: return "bpf()";
    }
}

} // namespace ctbpf::sys
