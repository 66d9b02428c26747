#!/usr/bin/env bash
# Checks that an object file's constexpr ctbpf program lives in .rodata and that the object has
# no static initializer (usage: rodata_test.sh OBJECT).
set -euo pipefail
obj=$1
sym=$(objdump -t "$obj" | grep ' ctbpf_probe_program$' || true)
echo "symbol: $sym"
[[ "$sym" == *".rodata"* ]] || { echo "FAIL: ctbpf_probe_program is not in .rodata"; exit 1; }
if objdump -h "$obj" | grep -q '\.init_array'; then echo "FAIL: object has a static initializer"; exit 1; fi
echo "ok: program in .rodata, no static initializer"
