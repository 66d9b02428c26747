#!/usr/bin/env bash
# Black-box tests of `ctbpf btf struct NAME [--file BTF]`. The oracle for offsets is the compiler:
# a C struct with an anonymous union and a bitfield, compiled with clang -g and turned into raw BTF
# (llvm-objcopy --dump-section .BTF), when clang-19 is available; offsetof() from the same C file
# gives the expected lines. Then the running kernel's BTF (a struct every kernel has), exit 1 for
# a missing struct, 2 for bad files and usage.
# Usage: cli_btf_test.sh CTBPF
set -u
ctbpf=${1:?usage: cli_btf_test.sh PATH_TO_CTBPF}
. "$(dirname "$0")/cli_test_lib.sh"

cc=$(command -v clang-19 || command -v clang || true)
objcopy=$(command -v llvm-objcopy-19 || command -v llvm-objcopy || true)
if [ -n "$cc" ] && [ -n "$objcopy" ]; then
    cat > "$dir/t.h" <<'C'
struct inner { char c; long l; };
struct probe {
    int a;
    union { short s; struct { char x; char y; }; };
    struct inner in;
    unsigned bits : 3;
    long long tail[2];
};
C
    printf '#include "t.h"\nstruct probe keep;\n' > "$dir/t.c"
    cat > "$dir/main.c" <<'C'
#include <stddef.h>
#include <stdio.h>
#include "t.h"
int main(void) {
    printf("a %zu 4\n", 8 * offsetof(struct probe, a));
    printf("s %zu 2\n", 8 * offsetof(struct probe, s));
    printf("x %zu 1\n", 8 * offsetof(struct probe, x));
    printf("y %zu 1\n", 8 * offsetof(struct probe, y));
    printf("in %zu %zu\n", 8 * offsetof(struct probe, in), sizeof(struct inner));
    printf("bits %zu 4\n", 8 * (offsetof(struct probe, in) + sizeof(struct inner)));
    printf("tail %zu %zu\n", 8 * offsetof(struct probe, tail), sizeof(long long[2]));
    return 0;
}
C
    "$cc" -g -c -target bpf -o "$dir/t.o" "$dir/t.c" &&
        "$objcopy" --dump-section .BTF="$dir/t.btf" "$dir/t.o" &&
        "$cc" -o "$dir/t" "$dir/main.c" && "$dir/t" > "$dir/want"
    # bpf and x86-64 agree on these layouts (both LP64, same alignment rules)
    expect "struct from a clang-made BTF file: offsets as offsetof()" 0 "$(cat "$dir/want")" "" -- \
        "$ctbpf" btf struct probe --file "$dir/t.btf"
    expect "nested struct" 0 "$(printf 'c 0 1\nl 64 8')" "" -- "$ctbpf" btf struct inner --file "$dir/t.btf"
    expect "missing struct in a file: exit 1" 1 "" "no struct or union named 'nope'" -- \
        "$ctbpf" btf struct nope --file "$dir/t.btf"
    head -c 100 "$dir/t.btf" > "$dir/cut.btf"
    expect "truncated BTF: exit 2" 2 "" "malformed BTF: truncated" -- "$ctbpf" btf struct probe --file "$dir/cut.btf"
else
    echo "SKIP-PART: no clang/llvm-objcopy to make a BTF file"
fi

expect "not BTF: exit 2" 2 "" "bad magic" -- "$ctbpf" btf struct probe --file "$dir/t.c"
expect "no such file: exit 2" 2 "" "opening BTF $dir/none" -- "$ctbpf" btf struct x --file "$dir/none"
expect "usage: no subcommand" 2 "" "missing subcommand" -- "$ctbpf" btf
expect "usage: bad subcommand" 2 "" "unknown subcommand 'enum'" -- "$ctbpf" btf enum x
expect "usage: no name" 2 "" "missing struct NAME" -- "$ctbpf" btf struct
check "--help" 0 '^usage: ctbpf btf struct NAME' "" -- "$ctbpf" btf --help

if [ -r /sys/kernel/btf/vmlinux ]; then
    # struct list_head { struct list_head *next, *prev; } on every kernel
    expect "vmlinux: list_head" 0 "$(printf 'next 0 8\nprev 64 8')" "" -- "$ctbpf" btf struct list_head
    expect "vmlinux: missing struct: exit 1" 1 "" "no struct or union named 'no_such_struct_xyz'" -- \
        "$ctbpf" btf struct no_such_struct_xyz
    check "vmlinux: task_struct lists pid" 0 '^pid [0-9]+ 4$' "" -- "$ctbpf" btf struct task_struct
else
    echo "SKIP-PART: /sys/kernel/btf/vmlinux is not readable"
fi
finish cli_btf
