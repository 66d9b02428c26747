// The libbpf way's loader (build-cost reference): opens and loads the skeleton, attaches, calls
// getpid() three times and prints this process's count.
#include <cstdio>
#include <sys/syscall.h>
#include <unistd.h>

#include "count_getpid.skel.h"

int main() {
    const unsigned pid = static_cast<unsigned>(::getpid()); // (before attaching: getpid() counts)
    count_getpid_bpf* skel = count_getpid_bpf::open_and_load();
    if (!skel || count_getpid_bpf::attach(skel) != 0) {
        std::fprintf(stderr, "cannot load or attach\n");
        return 1;
    }
    for (int i = 0; i < 3; ++i) ::syscall(SYS_getpid);
    unsigned long long n = 0;
    bpf_map__lookup_elem(skel->maps.counts, &pid, sizeof pid, &n, sizeof n, 0);
    std::printf("getpid() calls counted: %llu\n", n);
    count_getpid_bpf::destroy(skel);
    return n == 3 ? 0 : 1;
}
