// ctbpf's runtime shim (Linux), the everyday part: load, maps, ring buffers, perf buffers, test-run,
// attach (tracepoints, raw tracepoints, perf events, uprobes, XDP, cgroups, socket filters), pinning.
// The heavier, rarer parts have their own headers (each costs a program's file build time whether
// it is used or not): ctbpf/sys/btf.hpp (kernel BTF, CO-RE, fentry/fexit/tp_btf), sys/iter.hpp,
// sys/lsm.hpp, sys/tc.hpp (tcx, tc, netkit), sys/bundle.hpp (typed bundles, Boost.Hana);
// ctbpf/sys/all.hpp includes everything.
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
#include "ctbpf/sys/perf_buffer.hpp" // perf event arrays: one BPF output event and ring per CPU
#include "ctbpf/sys/pin.hpp"
#include "ctbpf/sys/precheck.hpp" // sys::verifier_precheck: ctbpf::check() before bpf()
#include "ctbpf/sys/elf.hpp"      // ELF64 symbols and their file offsets (uprobes)
#include "ctbpf/sys/probe.hpp"    // uprobes, kprobes, uprobe_multi/kprobe_multi, perf_event sampling
