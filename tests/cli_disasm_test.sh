#!/usr/bin/env bash
# Black-box tests of `ctbpf disasm`: output, exit codes and error messages. Usage: cli_disasm_test.sh CTBPF
set -u
ctbpf=${1:?usage: cli_disasm_test.sh PATH_TO_CTBPF}
. "$(dirname "$0")/cli_test_lib.sh"

good='   0: r0 = 5
   1: r1 = 1234605616436508552 ll
   3: exit'
bin "$dir/good.bin" b7 00 00 00 05 00 00 00  18 01 00 00 88 77 66 55  00 00 00 00 44 33 22 11  95 00 00 00 00 00 00 00
cat > "$dir/good.hex" <<'HEX'
# r0 = 5
b7 00 00 00 05 00 00 00
0x18 0x01 0x0000 0x88776655   # lddw, first slot
0000000044332211
0x9500000000000000
HEX

expect "raw file" 0 "$good" "" -- "$ctbpf" disasm "$dir/good.bin"
expect "stdin" 0 "$good" "" -- sh -c '"$1" disasm - < "$2"' sh "$ctbpf" "$dir/good.bin"
expect "hex" 0 "$good" "" -- "$ctbpf" disasm --hex "$dir/good.hex"
expect "hex from stdin, option after FILE" 0 "$good" "" -- sh -c '"$1" disasm - --hex < "$2"' sh "$ctbpf" "$dir/good.hex"
: > "$dir/empty.bin"
bin "$dir/calls.bin" 85 00 00 00 01 00 00 00  85 00 00 00 0c 00 00 00  95 00 00 00 00 00 00 00
expect "helper calls: LLVM spelling by default" 0 "$(printf '   0: call 1\n   1: call 12\n   2: exit')" "" -- "$ctbpf" disasm "$dir/calls.bin"
expect "--helper-names" 0 "$(printf '   0: call bpf_map_lookup_elem#1\n   1: call bpf_tail_call#12\n   2: exit')" "" \
    -- "$ctbpf" disasm --helper-names "$dir/calls.bin"
expect "empty file" 0 "" "" -- "$ctbpf" disasm "$dir/empty.bin"

bin "$dir/odd.bin" b7 00 00 00 05 00 00 00  95 00 00 00 00
expect "odd length" 2 "" "13 bytes is not a multiple of 8 (the size of struct bpf_insn): 5 trailing bytes at byte offset 8" \
    -- "$ctbpf" disasm "$dir/odd.bin"
bin "$dir/trunc.bin" b7 00 00 00 05 00 00 00  18 01 00 00 01 00 00 00
expect "truncated lddw" 2 "   0: r0 = 5" "trunc.bin: insn 1: lddw is the last slot" -- "$ctbpf" disasm "$dir/trunc.bin"
bin "$dir/second.bin" 18 01 00 00 01 00 00 00  95 00 00 00 00 00 00 00
expect "bad lddw second slot" 2 "" "insn 0: invalid lddw second slot" -- "$ctbpf" disasm "$dir/second.bin"
bin "$dir/unknown.bin" b7 00 00 00 05 00 00 00  8d 00 00 00 00 00 00 00  95 00 00 00 00 00 00 00
expect "unknown opcode" 2 "   0: r0 = 5" "unknown.bin: insn 1: unknown opcode 8d" -- "$ctbpf" disasm "$dir/unknown.bin"
expect "missing file" 2 "" "$dir/nope.bin: cannot open: No such file or directory" -- "$ctbpf" disasm "$dir/nope.bin"
expect "directory" 2 "" "read error" -- "$ctbpf" disasm "$dir"
printf 'b7 00 0g' > "$dir/bad.hex"
expect "bad hex digit" 2 "" "bad.hex: line 1, column 8: 'g' is not a hex digit" -- "$ctbpf" disasm --hex "$dir/bad.hex"
printf 'b7 00\n 0x123\n' > "$dir/odd.hex"
expect "odd hex digits" 2 "" "line 2, column 2: odd number of hex digits in \"0x123\"" -- "$ctbpf" disasm --hex "$dir/odd.hex"
printf 'b7 00 00 00 05 00 00 00 95\n' > "$dir/short.hex"
expect "hex not a multiple of 8" 2 "" "9 bytes is not a multiple of 8" -- "$ctbpf" disasm --hex "$dir/short.hex"

expect "no command" 2 "" "usage: ctbpf COMMAND" -- "$ctbpf"
expect "unknown command" 2 "" "ctbpf: unknown command 'frobnicate'" -- "$ctbpf" frobnicate
expect "disasm without FILE" 2 "" "missing FILE" -- "$ctbpf" disasm
expect "disasm unknown option" 2 "" "unknown option '--bogus'" -- "$ctbpf" disasm --bogus "$dir/good.bin"
expect "disasm two files" 2 "" "more than one FILE" -- "$ctbpf" disasm "$dir/good.bin" "$dir/good.bin"
holds "--help" sh -c '"$1" --help 2>&1 | grep -q "disasm FILE \[--hex\]"' sh "$ctbpf"
holds "disasm --help" sh -c '"$1" disasm --help 2>&1 | grep -q "usage: ctbpf disasm FILE"' sh "$ctbpf"

finish cli_disasm
