// The compiled part of the runtime shim (CMake target ctbpf::sys, built with CTBPF_SYS_BUILDING): the
// definitions of the functions the headers only declare under CTBPF_SYS_COMPILED (ctbpf/sys/config.hpp).
#include "ctbpf/sys/all.hpp"
