#!/usr/bin/env bash
# The main demo: builds examples/demo.cpp and runs it (assembles an XDP program at compile
# time, prints its disassembly and bytes, and loads and test-runs it when bpf() is allowed).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh
cmake -S . -B build/demo -DCMAKE_BUILD_TYPE=Release -DCTBPF_BUILD_TESTS=OFF -DCTBPF_BUILD_TOOLS=OFF >/dev/null
cmake --build build/demo --target example_demo -j"$(nproc)" >/dev/null
./build/demo/examples/example_demo
