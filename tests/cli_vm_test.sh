#!/usr/bin/env bash
# Black-box tests of `ctbpf run --vm` (the interpreter): its retval and output data equal the
# kernel's `ctbpf run` on the same files (the kernel is the oracle), faults name the instruction
# (exit 1), bad input exits 2, --trace lists the instructions, --map creates maps for both paths.
# The kernel comparisons skip (saying why) only when this process cannot use bpf(), never as root.
# Usage: cli_vm_test.sh CTBPF
set -u
ctbpf=${1:?usage: cli_vm_test.sh PATH_TO_CTBPF}
. "$(dirname "$0")/cli_test_lib.sh"

# XDP: if the packet has a byte, *(u8 *)data = 0xff and return XDP_TX, else XDP_ABORTED
cat > "$dir/mark.hex" <<'HEX'
61 12 04 00 00 00 00 00   # r2 = *(u32 *)(r1 + 4)   data_end
61 11 00 00 00 00 00 00   # r1 = *(u32 *)(r1 + 0)   data
bf 13 00 00 00 00 00 00   # r3 = r1
07 03 00 00 01 00 00 00   # r3 += 1
b4 00 00 00 00 00 00 00   # w0 = 0
2d 23 02 00 00 00 00 00   # if r3 > r2 goto +2
72 01 00 00 ff 00 00 00   # *(u8 *)(r1 + 0) = 255
b4 00 00 00 03 00 00 00   # w0 = 3
95 00 00 00 00 00 00 00   # exit
HEX
# XDP: r0 = *(u32 *)(data + 61): no bounds check (the kernel would refuse to load it)
cat > "$dir/oob.hex" <<'HEX'
61 11 00 00 00 00 00 00   # r1 = *(u32 *)(r1 + 0)   data
61 10 3d 00 00 00 00 00   # r0 = *(u32 *)(r1 + 61)
95 00 00 00 00 00 00 00   # exit
HEX
# socket filter: count runs in array map fd 3 (key 0) and return the count
cat > "$dir/count.hex" <<'HEX'
62 0a fc ff 00 00 00 00   # *(u32 *)(r10 - 4) = 0
bf a2 00 00 00 00 00 00   # r2 = r10
07 02 00 00 fc ff ff ff   # r2 += -4
18 11 00 00 03 00 00 00   # r1 = map_fd(3)
00 00 00 00 00 00 00 00
85 00 00 00 01 00 00 00   # call bpf_map_lookup_elem
b7 01 00 00 00 00 00 00   # r1 = 0
15 00 03 00 00 00 00 00   # if r0 == 0 goto +3
b7 01 00 00 05 00 00 00   # r1 = 5
db 10 00 00 00 00 00 00   # lock *(u64 *)(r0 + 0) += r1
79 01 00 00 00 00 00 00   # r1 = *(u64 *)(r0 + 0)
bf 10 00 00 00 00 00 00   # r0 = r1
95 00 00 00 00 00 00 00   # exit
HEX
head -c 64 /dev/zero > "$dir/packet"
head -c 4 /dev/zero > "$dir/short"

check "run --vm: retval and changed data" 0 '^retval 3 \(XDP_TX\)$' "" -- \
    "$ctbpf" run "$dir/mark.hex" --hex --type xdp --data "$dir/packet" --vm
check "run --vm: instructions executed" 0 '^executed 9 instructions \(interpreter\)$' "" -- \
    "$ctbpf" run "$dir/mark.hex" --hex --type xdp --data "$dir/packet" --vm
check "run --vm: the output data" 0 '^  0000: ff 00 00' "" -- \
    "$ctbpf" run "$dir/mark.hex" --hex --type xdp --data "$dir/packet" --vm
check "run --vm: a fault names the instruction" 1 '' \
    "ctbpf run: out-of-bounds access at insn 1 (r0 = *(u32 *)(r1 + 61)): load of 4 bytes at packet+61 (packet is 64 bytes)" -- \
    "$ctbpf" run "$dir/oob.hex" --hex --type xdp --data "$dir/packet" --vm --unchecked
# r1 = r2 (r2 is not initialized): ctbpf's verifier refuses it before the interpreter runs, as before the kernel
printf 'bf 21 00 00 00 00 00 00\n95 00 00 00 00 00 00 00\n' > "$dir/bad.hex"
check "run --vm: ctbpf's verifier first" 1 '' "ctbpf: R2 !read_ok" -- \
    "$ctbpf" run "$dir/bad.hex" --hex --type xdp --data "$dir/packet" --vm
check "run --vm: a runt packet is bad input" 2 '' "the packet is shorter than an Ethernet header" -- \
    "$ctbpf" run "$dir/mark.hex" --hex --type xdp --data "$dir/short" --vm
check "run --vm --trace: each instruction and the register it changed" 0 '^   6: \*\(u8 \*\)\(r1 \+ 0\) = 255$' "" -- \
    "$ctbpf" run "$dir/mark.hex" --hex --type xdp --data "$dir/packet" --vm --trace
check "run --vm --trace: pointers as region+offset" 0 '^   0: r2 = \*\(u32 \*\)\(r1 \+ 4\) +; r2 = pkt\+64$' "" -- \
    "$ctbpf" run "$dir/mark.hex" --hex --type xdp --data "$dir/packet" --vm --trace
check "run: --trace needs --vm" 2 '' "--trace needs --vm" -- \
    "$ctbpf" run "$dir/mark.hex" --hex --type xdp --data "$dir/packet" --trace
check "run --vm --map: a map lookup" 0 '^retval 5$' "" -- \
    "$ctbpf" run "$dir/count.hex" --hex --type socket_filter --data "$dir/packet" --map 3=array,4,8,1 --vm
check "run --vm: a map the interpreter does not have" 1 '' "lddw refers to a map the machine does not have" -- \
    "$ctbpf" run "$dir/count.hex" --hex --type socket_filter --data "$dir/packet" --vm
check "run --vm --map: map types the interpreter lacks" 2 '' "the interpreter has no lpm_trie maps" -- \
    "$ctbpf" run "$dir/count.hex" --hex --type socket_filter --data "$dir/packet" --map 3=lpm_trie,8,8,1,1 --vm

# The kernel as the oracle: the same files through BPF_PROG_TEST_RUN.
kernel=0
if "$ctbpf" run "$dir/mark.hex" --hex --type xdp --data "$dir/packet" > "$dir/k1" 2> "$dir/kerr"; then
    kernel=1
elif [ "$(id -u)" -ne 0 ]; then
    echo "SKIP: kernel comparisons: this process cannot use bpf(): $(cat "$dir/kerr")"
else
    echo "FAIL: running a program in the kernel as root: $(cat "$dir/kerr")"
    failures=$((failures + 1))
fi
if [ $kernel = 1 ]; then
    compare() { # NAME ARGS...: the kernel's and the interpreter's output agree but for the time line
        local name=$1; shift
        "$ctbpf" run "$@" 2>&1 | grep -v '^duration ' > "$dir/k"
        "$ctbpf" run "$@" --vm 2>&1 | grep -v '^executed ' > "$dir/v"
        ran=$((ran + 1))
        if cmp -s "$dir/k" "$dir/v"; then echo "ok   kernel = vm: $name"; else
            failures=$((failures + 1)); echo "FAIL kernel = vm: $name"; diff "$dir/k" "$dir/v"; fi
    }
    compare "xdp writes the packet" "$dir/mark.hex" --hex --type xdp --data "$dir/packet"
    compare "socket filter with a map created by --map" "$dir/count.hex" --hex --type socket_filter --data "$dir/packet" --map 3=array,4,8,1
    echo "kernel tests: cli_vm compared 2 runs with the kernel"
fi
finish cli_vm
