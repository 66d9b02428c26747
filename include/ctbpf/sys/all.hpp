// The whole runtime shim: <ctbpf/sys.hpp> and the parts that have their own headers (BTF and CO-RE,
// iterators, LSM, tc/tcx/netkit, typed bundles when Boost.Hana is available).
#pragma once

#include "ctbpf/sys.hpp"
#include "ctbpf/sys/btf.hpp"  // BTF of the kernel, btf_function_id, attach_tracing, CO-RE relocation
#include "ctbpf/sys/iter.hpp" // bpf_iter: iterator links and reading them
#include "ctbpf/sys/lsm.hpp"  // whether the BPF LSM is active, LSM load options
#include "ctbpf/sys/tc.hpp"   // tcx links, legacy tc (clsact + cls_bpf over rtnetlink), netkit
#if __has_include(<boost/hana/map.hpp>)
#include "ctbpf/sys/bundle.hpp" // typed bundles need Boost.Hana (header-only)
#endif
