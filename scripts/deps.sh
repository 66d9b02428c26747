#!/usr/bin/env bash
# Installs the Debian bookworm packages ctbpf builds and tests with (only the missing ones).
set -euo pipefail
pkgs=(cmake make g++ clang-14 clang-19 libclang-rt-19-dev llvm-19 libboost-dev doctest-dev libbenchmark-dev python3 iproute2
      time binutils libbpf-dev bpftool) # libbpf-dev: only the oracle of tests/btf_libbpf_test.cpp, never a ctbpf dependency; bpftool: the oracle of attach-type names (tests/vocab_test.cpp)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "deps: installing ${missing[*]}"
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
