// Map shapes the verifier reasons about: the map type, key and value sizes, max entries and flags
// of each map a program refers to (by index in fd_array, BPF_PSEUDO_MAP_IDX, or by fd,
// BPF_PSEUDO_MAP_FD), with the map types' names as bpftool spells them.
#pragma once

#include <cstdint>
#include <string_view>

namespace ctbpf {

// enum bpf_map_type (Linux 6.18)
enum class map_type : std::uint32_t {
    unspec = 0, hash, array, prog_array, perf_event_array, percpu_hash, percpu_array, stack_trace, cgroup_array,
    lru_hash, lru_percpu_hash, lpm_trie, array_of_maps, hash_of_maps, devmap, sockmap, cpumap, xskmap, sockhash,
    cgroup_storage, reuseport_sockarray, percpu_cgroup_storage, queue, stack, sk_storage, devmap_hash, struct_ops,
    ringbuf, inode_storage, task_storage, bloom_filter, user_ringbuf, cgrp_storage, arena,
};

namespace detail {
inline constexpr std::string_view map_type_names[] = {
    "unspec", "hash", "array", "prog_array", "perf_event_array", "percpu_hash", "percpu_array", "stack_trace",
    "cgroup_array", "lru_hash", "lru_percpu_hash", "lpm_trie", "array_of_maps", "hash_of_maps", "devmap",
    "sockmap", "cpumap", "xskmap", "sockhash", "cgroup_storage", "reuseport_sockarray", "percpu_cgroup_storage",
    "queue", "stack", "sk_storage", "devmap_hash", "struct_ops", "ringbuf", "inode_storage", "task_storage",
    "bloom_filter", "user_ringbuf", "cgrp_storage", "arena",
};
} // namespace detail

constexpr std::string_view to_string(map_type t) {
    const auto i = static_cast<std::uint32_t>(t);
    return i < sizeof(detail::map_type_names) / sizeof(detail::map_type_names[0]) ? detail::map_type_names[i]
                                                                                  : std::string_view("unknown");
}

// Parses a bpftool map type name ("hash", "percpu_array", ...); false when unknown.
constexpr bool parse_map_type(std::string_view name, map_type& out) {
    for (std::uint32_t i = 0; i < sizeof(detail::map_type_names) / sizeof(detail::map_type_names[0]); ++i)
        if (detail::map_type_names[i] == name) {
            out = static_cast<map_type>(i);
            return true;
        }
    return false;
}

// BPF_F_RDONLY_PROG / BPF_F_WRONLY_PROG: what programs may do with the map's values.
inline constexpr std::uint32_t map_rdonly_prog = 1u << 7, map_wronly_prog = 1u << 8;

// One map as BPF_MAP_CREATE made it. `fd`: the fd an ld_imm64 with BPF_PSEUDO_MAP_FD or
// BPF_PSEUDO_MAP_VALUE names (-1: the map is referred to only by its index, BPF_PSEUDO_MAP_IDX).
struct map_shape {
    map_type type = map_type::unspec;
    std::uint32_t key_size = 0;
    std::uint32_t value_size = 0;
    std::uint32_t max_entries = 0;
    std::uint32_t flags = 0;
    std::int32_t fd = -1;
};

} // namespace ctbpf
