#!/usr/bin/env bash
# Runs the benchmarks whose numbers are in the README: run-time generation, loading, the verifier,
# the interpreter, perf buffer against ring buffer, vmlinux BTF against libbpf (Google Benchmark;
# the kernel-facing ones need root), compile time / peak memory (benchmarks/compile_time.py), the
# interpreter in constant evaluation (vm_constexpr.py) and the build cost against the libbpf way
# (build_cost.py).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh
cmake -S . -B build/bench -DCMAKE_BUILD_TYPE=Release -DCTBPF_BUILD_BENCHMARKS=ON -DCTBPF_BUILD_TESTS=OFF >/dev/null
cmake --build build/bench -j"$(nproc)" >/dev/null
for b in build/bench/benchmarks/bench_*; do [ -x "$b" ] && "$b" --benchmark_repetitions=3 --benchmark_report_aggregates_only=true; done
python3 benchmarks/compile_time.py "$@"
python3 benchmarks/compile_floor.py
python3 benchmarks/vm_constexpr.py
python3 benchmarks/build_cost.py
