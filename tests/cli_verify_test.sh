#!/usr/bin/env bash
# Black-box tests of `ctbpf verify`: verdicts, the kernel's messages, options, exit codes.
# Usage: cli_verify_test.sh CTBPF
set -u
ctbpf=${1:?usage: cli_verify_test.sh PATH_TO_CTBPF}
. "$(dirname "$0")/cli_test_lib.sh"

# hexfile FILE TEXT: a program in `--hex` form
hexfile() { printf '%s\n' "$2" > "$1"; }
# bin FILE HEX...: write the bytes given as hex pairs
bin() { local f=$1; shift; local s=""; for b in $(echo "$@"); do s+="\\x$b"; done; printf "$s" > "$f"; }

# r0 = 0; exit
hexfile "$dir/ok.hex" 'b7 00 00 00 00 00 00 00  95 00 00 00 00 00 00 00'
bin "$dir/ok.bin" b7 00 00 00 00 00 00 00  95 00 00 00 00 00 00 00
expect "accepted (raw)" 0 "ok" "" -- "$ctbpf" verify "$dir/ok.bin"
expect "accepted (hex)" 0 "ok" "" -- "$ctbpf" verify --hex "$dir/ok.hex"
expect "accepted (stdin)" 0 "ok" "" -- sh -c '"$1" verify - < "$2"' sh "$ctbpf" "$dir/ok.bin"

# r0 = r2; exit
hexfile "$dir/uninit.hex" 'bf 20 00 00 00 00 00 00  95 00 00 00 00 00 00 00'
expect "uninitialised register" 1 "insn 0: R2 !read_ok" "rule: register read before write (errno 13)" -- \
    "$ctbpf" verify --hex "$dir/uninit.hex"
# unknown opcode 0x8d (callx)
hexfile "$dir/callx.hex" '8d 00 00 00 00 00 00 00  b7 00 00 00 00 00 00 00  95 00 00 00 00 00 00 00'
expect "unknown opcode" 1 "insn 0: unknown opcode 8d" "rule: unknown opcode (errno 22)" -- "$ctbpf" verify --hex "$dir/callx.hex"
# goto +5 out of a 3-instruction program
hexfile "$dir/oor.hex" '05 00 05 00 00 00 00 00  b7 00 00 00 00 00 00 00  95 00 00 00 00 00 00 00'
expect "jump out of range" 1 "insn 0: jump out of range from insn 0 to 6" "jump out of range" -- \
    "$ctbpf" verify --hex "$dir/oor.hex"
# call 212 (one past the last helper of 6.18)
hexfile "$dir/helper.hex" '85 00 00 00 d4 00 00 00  95 00 00 00 00 00 00 00'
expect "invalid helper" 1 "insn 0: invalid func unknown#212" "invalid func id" -- "$ctbpf" verify --hex "$dir/helper.hex"

# r0 = 2; exit: fine for a socket filter, out of range for cgroup_skb ([0, 1]; egress [0, 3])
hexfile "$dir/ret2.hex" 'b7 00 00 00 02 00 00 00  95 00 00 00 00 00 00 00'
expect "return value, socket_filter" 0 "ok" "" -- "$ctbpf" verify --hex --type socket_filter "$dir/ret2.hex"
expect "return value, cgroup_skb" 1 \
    "insn 1: At program exit the register R0 has smin=2 smax=2 should have been in [0, 1]" "return value is out of range" -- \
    "$ctbpf" verify --hex --type cgroup_skb "$dir/ret2.hex"
expect "return value, cgroup_skb egress" 0 "ok" "" -- "$ctbpf" verify --hex --type cgroup_skb --attach 1 "$dir/ret2.hex"
expect "attach type by name" 0 "ok" "" -- "$ctbpf" verify --hex --type BPF_PROG_TYPE_CGROUP_SKB --attach egress "$dir/ret2.hex"
expect "attach type by the kernel's name" 1 "insn 1: At program exit the register R0 has smin=2 smax=2 should have been in [0, 1]" "return value is out of range" -- \
    "$ctbpf" verify --hex --type cgroup_skb --attach BPF_CGROUP_INET_INGRESS "$dir/ret2.hex"

# r0 = 0; r0 += 1; if r0 < 10 goto -2; exit: a loop, fine as root
hexfile "$dir/loop.hex" 'b7 00 00 00 00 00 00 00  07 00 00 00 01 00 00 00  a5 00 fe ff 0a 00 00 00  95 00 00 00 00 00 00 00'
expect "loop as root" 0 "ok" "" -- "$ctbpf" verify --hex "$dir/loop.hex"
expect "loop unprivileged" 1 "insn 2: back-edge from insn 2 to 1" "back-edge" -- "$ctbpf" verify --hex --unpriv "$dir/loop.hex"

# r0 = 0; if r0 == 0 goto +1; r0 /= 0; exit: the division is dead (kernel mode) or checked (--lint)
hexfile "$dir/dead.hex" 'b7 00 00 00 00 00 00 00  15 00 01 00 00 00 00 00  37 00 00 00 00 00 00 00  95 00 00 00 00 00 00 00'
expect "dead branch, kernel mode" 0 "ok" "" -- "$ctbpf" verify --hex "$dir/dead.hex"
expect "dead branch, lint" 1 "insn 2: div by zero" "div by zero" -- "$ctbpf" verify --hex --lint "$dir/dead.hex"

# r0 = *(u32 *)(r1 + 0); exit: context fields of BTF-typed programs are the kernel's business
hexfile "$dir/ctx.hex" '61 10 00 00 00 00 00 00  95 00 00 00 00 00 00 00'
expect "left to the kernel" 0 "ok" "note: left to the kernel: a context field access (first at insn 0)" -- \
    "$ctbpf" verify --hex --type tracing "$dir/ctx.hex"
# struct xdp_md has no field at offset 100
hexfile "$dir/ctx100.hex" '61 10 64 00 00 00 00 00  95 00 00 00 00 00 00 00'
expect "context layout" 1 "insn 0: invalid bpf_context access off=100 size=4" "invalid context access" -- \
    "$ctbpf" verify --hex --type xdp "$dir/ctx100.hex"

# *(u32 *)(r10 - 4) = 0; r2 = r10; r2 += -4; r1 = map fd 3; call bpf_map_lookup_elem; r0 = *(u64 *)(r0 + 0)
hexfile "$dir/lookup.hex" '62 0a fc ff 00 00 00 00  bf a2 00 00 00 00 00 00  07 02 00 00 fc ff ff ff
  18 11 00 00 03 00 00 00  00 00 00 00 00 00 00 00  85 00 00 00 01 00 00 00  79 00 00 00 00 00 00 00
  b7 00 00 00 00 00 00 00  95 00 00 00 00 00 00 00'
expect "no map shape: left to the kernel" 0 "ok" "note: left to the kernel: maps, BTF, kfuncs or arenas (first at insn 3)" -- \
    "$ctbpf" verify --hex "$dir/lookup.hex"
expect "--map: null check missing" 1 "insn 6: R0 invalid mem access 'map_value_or_null'" "pointer may be null" -- \
    "$ctbpf" verify --hex --map 3=hash,4,8,16 "$dir/lookup.hex"
# the same with "if r0 == 0 goto +1" before the read
hexfile "$dir/lookup2.hex" '62 0a fc ff 00 00 00 00  bf a2 00 00 00 00 00 00  07 02 00 00 fc ff ff ff
  18 11 00 00 03 00 00 00  00 00 00 00 00 00 00 00  85 00 00 00 01 00 00 00  15 00 01 00 00 00 00 00
  79 00 00 00 00 00 00 00  b7 00 00 00 00 00 00 00  95 00 00 00 00 00 00 00'
expect "--map: null check" 0 "ok" "" -- "$ctbpf" verify --hex --map 3=hash,4,8,16 "$dir/lookup2.hex"
expect "--map: value too small for the read" 1 "insn 7: R0 min value is outside of the allowed memory range" \
    "map value access is out of bounds" -- "$ctbpf" verify --hex --map 3=lru_hash,4,4,16,0 "$dir/lookup2.hex"
expect "--strict: a deferral rejects" 1 "insn 3: left to the kernel: maps, BTF, kfuncs or arenas" "left to the kernel" -- \
    "$ctbpf" verify --hex --strict "$dir/lookup.hex"
expect "--map: unknown map type" 2 "" "unknown map type 'hashmap'" -- "$ctbpf" verify --hex --map 3=hashmap,4,8,16 "$dir/lookup.hex"
expect "--map: missing field" 2 "" "wrong number of fields" -- "$ctbpf" verify --hex --map 3=hash,4,8 "$dir/lookup.hex"
expect "--map: twice" 2 "" "--map 3 given twice" -- "$ctbpf" verify --hex --map 3=hash,4,8,1 --map 3=array,4,8,1 "$dir/lookup.hex"

# unusable input and usage errors: exit 2
bin "$dir/odd.bin" b7 00 00 00 00 00 00 00 95 00 00
expect "truncated record" 2 "" "not a multiple of 8" -- "$ctbpf" verify "$dir/odd.bin"
expect "missing file" 2 "" "cannot open" -- "$ctbpf" verify "$dir/nope.bin"
expect "no FILE" 2 "" "missing FILE" -- "$ctbpf" verify
expect "unknown type" 2 "" "unknown program type 'sockets' (one of: socket_filter, kprobe" -- \
    "$ctbpf" verify --type sockets "$dir/ok.bin"
expect "unknown option" 2 "" "unknown option '--fast'" -- "$ctbpf" verify --fast "$dir/ok.bin"
expect "bad --attach" 2 "" "unknown attach type 'sideways' (a number, or one of: cgroup_inet_ingress" -- \
    "$ctbpf" verify --attach sideways "$dir/ok.bin"
# a context load (deferred first), then a loop of 2^31 iterations: the walk stops, and says so
hexfile "$dir/ctxloop.hex" '61 12 00 00 00 00 00 00  b7 00 00 00 00 00 00 00  07 00 00 00 01 00 00 00  a5 00 fe ff ff ff ff 7f  95 00 00 00 00 00 00 00'
expect "the walk stopped early" 0 "ok" "note: the path walk stopped early" -- "$ctbpf" verify --hex "$dir/ctxloop.hex"

holds "--help" sh -c '"$1" verify --help | grep -q "usage: ctbpf verify FILE"' sh "$ctbpf"
holds "listed in ctbpf --help" sh -c '"$1" --help | grep -q "verify FILE"' sh "$ctbpf"

finish cli_verify
