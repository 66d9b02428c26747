// Consumer of an installed ctbpf::sys (the compiled shim): calls a function the headers only declare.
#include <ctbpf/sys.hpp>

#include <unistd.h>

#ifndef CTBPF_SYS_COMPILED
#error "linking ctbpf::sys defines CTBPF_SYS_COMPILED"
#endif

// online_cpus() reads /sys/devices/system/cpu/online; glibc counts the same CPUs.
int main() { return static_cast<long>(ctbpf::sys::online_cpus().size()) == ::sysconf(_SC_NPROCESSORS_ONLN) ? 0 : 1; }
