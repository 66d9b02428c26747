#!/usr/bin/env bash
# Runs every test: builds the tree with g++-12 and clang++-19 (-Wall -Wextra -Wpedantic -Werror),
# runs CTest in each (unit, golden, compile-fail, LLVM round trip, CLI, kernel tests, install),
# then does the same with clang++-14.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh
jobs=$(nproc)
status=0
run_suite() { # name compiler [ctest -R regex]
  local name=$1 cxx=$2 regex=${3:-}
  echo "=== $name: $($cxx --version | head -1)"
  cmake -S . -B "build/$name" -DCMAKE_CXX_COMPILER="$cxx" -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build "build/$name" -j"$jobs"
  if [ -n "$regex" ]; then
    (cd "build/$name" && ctest --output-on-failure -j"$jobs" -R "$regex") || status=1
  else
    (cd "build/$name" && ctest --output-on-failure -j"$jobs") || status=1
  fi
  # How many kernel tests ran (or why they were skipped), from the runtime shim's tests.
  grep -hE "kernel tests: |kernel comparisons|bpf_conformance at |interpreter |kernel variant: |differential run: seed|^kselftest (root|unpriv)|^SKIP: |^btf vs libbpf|^btf fuzz|^reading and indexing vmlinux|^tp_btf: |^CO-RE: " "build/$name/Testing/Temporary/LastTest.log" 2>/dev/null | sed 's/^/  /' || true
}
run_suite gcc12 g++
run_suite clang19 clang++-19
run_suite clang14 clang++-14
exit $status
