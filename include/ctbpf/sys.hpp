// ctbpf's runtime shim (Linux): load, maps, ring buffers, test-run, attach, pinning, typed bundles
// (when Boost.Hana is available).
// The only ctbpf headers that make system calls; <ctbpf.hpp> stays free of them.
#pragma once

#include "ctbpf/sys/fd.hpp"
#include "ctbpf/sys/error.hpp"
#include "ctbpf/sys/bpf_syscall.hpp"
#include "ctbpf/sys/names.hpp"
#include "ctbpf/sys/load.hpp"
#include "ctbpf/sys/map.hpp"
#include "ctbpf/sys/ringbuf.hpp"
#include "ctbpf/sys/declared.hpp" // maps made from their declarations (ctbpf/map_decl.hpp), sys::bind, sys::load<F, O>
#include "ctbpf/sys/test_run.hpp"
#include "ctbpf/sys/attach.hpp"
#include "ctbpf/sys/tc.hpp"          // tcx links, legacy tc (clsact + cls_bpf over rtnetlink)
#include "ctbpf/sys/perf_buffer.hpp" // perf event arrays: one BPF output event and ring per CPU
#include "ctbpf/sys/pin.hpp"
#include "ctbpf/sys/precheck.hpp" // sys::verifier_precheck: ctbpf::check() before bpf()
#include "ctbpf/sys/btf.hpp"      // BTF of the kernel, btf_function_id, attach_tracing, CO-RE relocation
#include "ctbpf/sys/elf.hpp"      // ELF64 symbols and their file offsets (uprobes)
#include "ctbpf/sys/probe.hpp"    // uprobes, kprobes, uprobe_multi/kprobe_multi, perf_event sampling
#include "ctbpf/sys/iter.hpp"     // bpf_iter: iterator links and reading them
#include "ctbpf/sys/lsm.hpp"      // whether the BPF LSM is active, LSM load options
#if __has_include(<boost/hana/map.hpp>)
#include "ctbpf/sys/bundle.hpp" // typed bundles need Boost.Hana (header-only)
#endif
