#!/usr/bin/env bash
# Runs every test: builds the tree with g++-12 and clang++-19 (-Wall -Wextra -Wpedantic -Werror),
# runs CTest in each (unit, golden, compile-fail, LLVM round trip, CLI, kernel tests, install),
# then does the same with clang++-14; then a fourth build with AddressSanitizer and
# UndefinedBehaviorSanitizer (clang++-19; g++ 12 rejects the verifier's constexpr under -fsanitize=undefined) runs the unit, CLI and kernel tests, differentials small.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh
jobs=$(nproc)
status=0
run_suite() { # name compiler [ctest selection, e.g. -E regex]; $configure: extra cmake options
  local name=$1 cxx=$2
  shift 2
  echo "=== $name: $($cxx --version | head -1)"
  cmake -S . -B "build/$name" -DCMAKE_CXX_COMPILER="$cxx" -DCMAKE_BUILD_TYPE=Release ${configure:-} >/dev/null
  cmake --build "build/$name" -j"$jobs"
  (cd "build/$name" && ctest --output-on-failure -j"$jobs" "$@") || status=1
  # How many kernel tests ran (or why they were skipped), from the runtime shim's tests.
  grep -hE "kernel tests: |kernel comparisons|bpf_conformance at |interpreter |kernel variant: |differential run: seed|^kselftest (root|unpriv)|^SKIP: |^btf vs libbpf|^btf fuzz|^reading and indexing vmlinux|^tp_btf: |^CO-RE: " "build/$name/Testing/Temporary/LastTest.log" 2>/dev/null | sed 's/^/  /' || true
}
# ASan + UBSan: every test but the compile-fail, install and compile-time ones (they test the
# compiler, not the code that runs) and the .rodata check (ASan adds redzones); the kernel
# differentials at small counts. -O0 (Debug): a sanitized -O2 build compiles three times slower.
# This suite adds about 4 minutes (build 2, tests 2) on the 2-core CI machine.
sanitize_suite() {
  local -x CTBPF_FUZZ_COUNT=300 CTBPF_DIFF_COUNT=1500 CTBPF_VALUE_DIFF_N=1500 CTBPF_REGVALUE_DIFF_N=1500
  local -x CTBPF_VALUE_ROUNDS=10000 CTBPF_REGVALUE_ROUNDS=10000 CTBPF_VM_DIFF_COUNT=2000
  local -x ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 CTBPF_SANITIZED=1
  configure="-DCTBPF_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug" run_suite asan clang++-19 \
    -LE compile_fail -E '^(compile_floor_sources_build|install_and_find_package|add_subdirectory_consumer|golden_generated_by_llvm|helpers_generator_check|rodata_constexpr_program)$'
}
run_suite gcc12 g++
run_suite clang19 clang++-19
run_suite clang14 clang++-14
sanitize_suite
exit $status
