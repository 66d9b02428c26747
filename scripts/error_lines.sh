#!/usr/bin/env bash
# Lines and errors of compiler output per mistake (the README's "What errors look like" table):
# each mistake is a one-line change to a small program, compiled with
# -std=c++20 -fsyntax-only -Wall -Wextra -Wpedantic -Werror; prints "lines/errors" per compiler.
# usage: scripts/error_lines.sh [include dir] (default: this tree's include/); COMPILERS overrides
# the compiler list (default: g++-12 clang++-19 clang++-14).
set -u
here=$(cd "$(dirname "$0")/.." && pwd)
include=${1:-$here/include}
read -r -a compilers <<<"${COMPILERS:-g++-12 clang++-19 clang++-14}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# name|the mistake (an item of the program, or a whole line with @ prefix for the options)
mistakes=(
    "r6_unread|r0 = r6,"
    "r10_assign|r10 = r1,"
    "w1_too_wide|w1 = 0x100000000,"
    "add_too_wide|r1 += 1LL << 40,"
    "offset_too_far|r2 = mem<u64>(r1 + 40000),"
    "helper_typo|call(helper::get_prandom_u3),"
    "helper_typo2|call(helper::map_lookup_elm),"
    "compare_width|if_(w1 < r2).goto_(\"out\"), r0 = 1,"
    "label_typo|if_(r1 == 0).goto_(\"ot\"),"
)
printf '%-16s' mistake
for c in "${compilers[@]}"; do printf ' %14s' "$c"; done
printf '\n'
for m in "${mistakes[@]}"; do
    name=${m%%|*} line=${m#*|}
    cat >"$work/$name.cpp" <<EOF
#include <ctbpf.hpp>
using namespace ctbpf::syntax;
constexpr auto prog = ctbpf::assemble<[] {
    return program{
        r0 = 0,
        $line
    label("out"),
        exit_(),
    };
}>();
EOF
    printf '%-16s' "$name"
    for c in "${compilers[@]}"; do
        out=$("$c" -std=c++20 -fsyntax-only -Wall -Wextra -Wpedantic -Werror -fdiagnostics-color=never -I"$include" \
            "$work/$name.cpp" 2>&1)
        lines=$(printf '%s\n' "$out" | wc -l)
        errors=$(printf '%s\n' "$out" | grep -c 'error:')
        printf ' %14s' "$lines/$errors"
    done
    printf '\n'
done
