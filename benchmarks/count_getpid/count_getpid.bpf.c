// The libbpf way (build-cost reference, not part of ctbpf): counts getpid() calls per process in a
// hash map from the syscalls/sys_enter_getpid tracepoint.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 1024);
    __type(key, __u32);
    __type(value, __u64);
} counts SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_getpid")
int count_getpid(void* ctx) {
    __u32 pid = bpf_get_current_pid_tgid() >> 32;
    __u64* n = bpf_map_lookup_elem(&counts, &pid);
    if (n) {
        __sync_fetch_and_add(n, 1);
    } else {
        __u64 one = 1;
        bpf_map_update_elem(&counts, &pid, &one, BPF_NOEXIST);
    }
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
