#!/usr/bin/env bash
# Black-box tests of `ctbpf load` and `ctbpf run` against the live kernel: output, exit codes,
# the verifier's message lines. Prints "SKIP: <reason>" and exits 0 when this process cannot use
# bpf() (never as root). Usage: cli_load_test.sh CTBPF
set -u
ctbpf=${1:?usage: cli_load_test.sh PATH_TO_CTBPF}
. "$(dirname "$0")/cli_test_lib.sh"

# r0 = 2 (XDP_PASS); exit
printf 'b7 00 00 00 02 00 00 00\n95 00 00 00 00 00 00 00\n' > "$dir/pass.hex"
# r1 = r2 (r2 is not initialized); exit
printf 'bf 21 00 00 00 00 00 00\n95 00 00 00 00 00 00 00\n' > "$dir/bad.hex"
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
head -c 64 /dev/zero > "$dir/packet"
head -c 4 /dev/zero > "$dir/short"
printf 'b7 00 00 00 02 00 00 00 95 00 00' > "$dir/odd.hex"

# Can this process use bpf() at all? As root it must.
if ! "$ctbpf" load "$dir/pass.hex" --hex --type socket_filter > "$dir/probe" 2>&1; then
    if [ "$(id -u)" -ne 0 ] && grep -q "needs CAP_BPF" "$dir/probe"; then
        echo "SKIP: bpf() is not usable by this process: $(cat "$dir/probe")"
        exit 0
    fi
fi

check "load: id and tag" 0 '^id [0-9]+ tag [0-9a-f]{16}$' "" -- "$ctbpf" load "$dir/pass.hex" --hex --type xdp
check "load: raw file from stdin" 0 '^id [0-9]+ tag [0-9a-f]{16}$' "" -- \
    bash -c "printf '\xb7\x00\x00\x00\x02\x00\x00\x00\x95\x00\x00\x00\x00\x00\x00\x00' | '$ctbpf' load - --type BPF_PROG_TYPE_XDP --name cli_pass"
check "load: the verifier's message line" 1 '' "kernel: R2 !read_ok" -- "$ctbpf" load "$dir/bad.hex" --hex --type xdp --unchecked
check "load: the offending instruction" 1 '' "at insn 0: r1 = r2" -- "$ctbpf" load "$dir/bad.hex" --hex --type xdp --unchecked
check "load: the errno" 1 '' "BPF_PROG_LOAD xdp 'bad': Permission denied (EACCES): the verifier rejected the program" -- \
    "$ctbpf" load "$dir/bad.hex" --hex --type xdp --name bad --unchecked
check "load: --log shows the whole log" 1 '' "  log: processed" -- "$ctbpf" load "$dir/bad.hex" --hex --type xdp --log --unchecked
check "load: --log-level on success" 0 '^id [0-9]+' "processed 2 insns" -- \
    "$ctbpf" load "$dir/pass.hex" --hex --type xdp --log-level 1 --log
check "load: ctbpf's verifier refuses without the kernel (the default)" 1 '' "ctbpf's verifier rejects the program (register read before write); the kernel was not asked" -- \
    "$ctbpf" load "$dir/bad.hex" --hex --type xdp
check "load: ctbpf's prediction of the kernel's message" 1 '' "ctbpf: R2 !read_ok" -- \
    "$ctbpf" load "$dir/bad.hex" --hex --type xdp
check "load: --check (the default) passes a valid program on" 0 '^id [0-9]+ tag' "" -- "$ctbpf" load "$dir/pass.hex" --hex --type xdp --check
# a cgroup_skb program returning 7: ctbpf's message with the load's type and attach type, and the kernel's the same
printf 'b7 00 00 00 07 00 00 00\n95 00 00 00 00 00 00 00\n' > "$dir/ret7.hex"
check "load: checked with the load's type" 1 '' "ctbpf: At program exit the register R0 has smin=7 smax=7 should have been in [0, 1]" -- \
    "$ctbpf" load "$dir/ret7.hex" --hex --type cgroup_skb
check "load: the kernel says the same" 1 '' "kernel: At program exit the register R0 has smin=7 smax=7 should have been in [0, 1]" -- \
    "$ctbpf" load "$dir/ret7.hex" --hex --type cgroup_skb --unchecked
check "load: checked with the load's attach type (a name)" 1 '' "ctbpf: At program exit the register R0 has smin=7 smax=7 should have been in [0, 3]" -- \
    "$ctbpf" load "$dir/ret7.hex" --hex --type BPF_PROG_TYPE_CGROUP_SKB --attach-type egress
check "load: the kernel says the same (attach type as a number)" 1 '' "kernel: At program exit the register R0 has smin=7 smax=7 should have been in [0, 3]" -- \
    "$ctbpf" load "$dir/ret7.hex" --hex --type cgroup_skb --attach-type 1 --unchecked
check "load: unknown attach type" 2 '' "unknown attach type 'sideways'" -- "$ctbpf" load "$dir/ret7.hex" --hex --type cgroup_skb --attach-type sideways
check "load: missing --type" 2 '' "missing --type NAME" -- "$ctbpf" load "$dir/pass.hex" --hex
check "load: unknown type" 2 '' "unknown program type 'nope'" -- "$ctbpf" load "$dir/pass.hex" --hex --type nope
check "load: malformed file" 2 '' "is not a multiple of 8" -- "$ctbpf" load "$dir/odd.hex" --hex --type xdp
check "load: missing file" 2 '' "cannot open" -- "$ctbpf" load "$dir/nothing.bin" --type xdp
# probes: a kprobe-type program (r0 = 0; exit) on ctbpf's own main()
printf 'b7 00 00 00 00 00 00 00\n95 00 00 00 00 00 00 00\n' > "$dir/r0.hex"
self=$(readlink -f "$ctbpf")
check "load --uprobe: attached" 0 "^attached uprobe $self:main \(link id [0-9]+\)$" "" -- \
    "$ctbpf" load "$dir/r0.hex" --hex --type kprobe --uprobe "$self:main"
check "load --uretprobe: a missing symbol, with a suggestion" 1 '' "no such function symbol; did you mean main" -- \
    "$ctbpf" load "$dir/r0.hex" --hex --type kprobe --uretprobe "$self:mian"
check "load --uprobe: BINARY:SYMBOL" 2 '' "--uprobe takes BINARY:SYMBOL, not 'main'" -- \
    "$ctbpf" load "$dir/r0.hex" --hex --type kprobe --uprobe main
if [ ! -d /sys/bus/event_source/devices/kprobe ]; then
    check "load --kprobe: this kernel lacks kprobes" 1 '' "this kernel lacks kprobes" -- \
        "$ctbpf" load "$dir/r0.hex" --hex --type kprobe --kprobe do_sys_openat2
fi
if [ "$(stat -f -c %T /sys/fs/bpf 2>/dev/null)" = bpf_fs ]; then
    pin=/sys/fs/bpf/ctbpf_cli_uprobe_$$
    check "load --uprobe --pin: the link is pinned" 0 "^pinned link $pin$" "" -- \
        "$ctbpf" load "$dir/r0.hex" --hex --type kprobe --uprobe "$self:main" --pin "$pin"
    check "load --uprobe --pin: the pin outlives ctbpf" 0 '' '' -- test -e "$pin"
    rm -f "$pin"
fi
# BTF-attached types (r0 = 0; exit): the target by name in vmlinux BTF, --attach links it
check "load --attach-btf: tp_btf by tracepoint name, attached" 0 '^attached tp_btf sys_enter \(link id [0-9]+\)$' "" -- \
    "$ctbpf" load "$dir/r0.hex" --hex --type tracing --attach-type tp_btf --attach-btf sys_enter --attach
check "load --attach-btf: tp_btf by the typedef's name" 0 '^id [0-9]+ tag' "" -- \
    "$ctbpf" load "$dir/r0.hex" --hex --type tracing --attach-type tp_btf --attach-btf btf_trace_sys_exit
check "load --attach-btf: a misspelled tracepoint, with a suggestion" 1 '' \
    "no typedef btf_trace_sys_entr in vmlinux BTF; did you mean sys_enter?" -- \
    "$ctbpf" load "$dir/r0.hex" --hex --type tracing --attach-type tp_btf --attach-btf sys_entr
check "load --attach-btf: a misspelled function, with a suggestion" 1 '' \
    "no function named 'do_facessat' in vmlinux BTF (static functions that were inlined have none; see /sys/kernel/tracing/available_filter_functions); did you mean do_faccessat?" -- \
    "$ctbpf" load "$dir/r0.hex" --hex --type tracing --attach-type fentry --attach-btf do_facessat
check "load --attach-btf: a BTF id is passed as it is (the kernel checks it)" 1 '' "kernel: attach_btf_id 1 is not a typedef" -- \
    "$ctbpf" load "$dir/r0.hex" --hex --type tracing --attach-type tp_btf --attach-btf 1
check "load --attach-btf: a task iterator, attached" 0 '^attached iterator \(link id [0-9]+\)$' "" -- \
    "$ctbpf" load "$dir/r0.hex" --hex --type tracing --attach-type iter --attach-btf task --attach
check "load --attach-btf: no such iterator" 1 '' "no FUNC bpf_iter_nosuch in vmlinux BTF" -- \
    "$ctbpf" load "$dir/r0.hex" --hex --type tracing --attach-type iter --attach-btf nosuch
# fentry: attached where the host allows trampolines; here a policy refuses the load (EPERM, no log)
if "$ctbpf" load "$dir/r0.hex" --hex --type tracing --attach-type fentry --attach-btf do_faccessat > "$dir/fentry" 2>&1; then
    check "load --attach-btf: fentry, attached" 0 '^attached fentry do_faccessat \(link id [0-9]+\)$' "" -- \
        "$ctbpf" load "$dir/r0.hex" --hex --type tracing --attach-type fentry --attach-btf do_faccessat --attach
    check "load --attach-btf: fexit, attached" 0 '^attached fexit do_faccessat \(link id [0-9]+\)$' "" -- \
        "$ctbpf" load "$dir/r0.hex" --hex --type tracing --attach-type fexit --attach-btf do_faccessat --attach
else
    check "load --attach-btf: fentry refused by the host, said clearly" 1 '' \
        "BPF_PROG_LOAD tracing: Operation not permitted (EPERM): the verifier or the kernel refused the program: this process has every capability bpf() asks for (CAP_BPF or CAP_SYS_ADMIN, CAP_PERFMON, CAP_NET_ADMIN), so a security policy refused it" -- \
        "$ctbpf" load "$dir/r0.hex" --hex --type tracing --attach-type fentry --attach-btf do_faccessat --attach
fi
check "load --attach-btf: tracing needs an attach type" 2 '' "--type tracing needs --attach-type: fentry, fexit, fmod_ret, tp_btf or iter" -- \
    "$ctbpf" load "$dir/r0.hex" --hex --type tracing --attach-btf do_faccessat
check "load --attach-btf: not for xdp" 2 '' "--attach-btf is for --type tracing or lsm (it is xdp)" -- \
    "$ctbpf" load "$dir/r0.hex" --hex --type xdp --attach-btf do_faccessat
check "load --attach: needs --attach-btf" 2 '' "--attach attaches a tracing or lsm program to its --attach-btf target" -- \
    "$ctbpf" load "$dir/r0.hex" --hex --type tracing --attach-type tp_btf --attach
if [ "$(stat -f -c %T /sys/fs/bpf 2>/dev/null)" = bpf_fs ]; then
    pin=/sys/fs/bpf/ctbpf_cli_tp_btf_$$
    check "load --attach-btf --attach --pin: the link is pinned" 0 "^pinned link $pin$" "" -- \
        "$ctbpf" load "$dir/r0.hex" --hex --type tracing --attach-type tp_btf --attach-btf sys_enter --attach --pin "$pin"
    check "load --attach --pin: the pin outlives ctbpf" 0 '' '' -- test -e "$pin"
    rm -f "$pin"
fi
check "load: --help" 0 '^usage: ctbpf load FILE --type NAME' "" -- "$ctbpf" load --help

check "run: return value and duration" 0 '^retval 2 \(XDP_PASS\)$' "" -- \
    "$ctbpf" run "$dir/pass.hex" --hex --type xdp --data "$dir/packet" --repeat 10
check "run: mean of N runs" 0 '^duration [0-9]+ ns \(mean of 10 runs\)$' "" -- \
    "$ctbpf" run "$dir/pass.hex" --hex --type xdp --data "$dir/packet" --repeat 10
check "run: unchanged data is not shown" 0 '^retval' "" -- "$ctbpf" run "$dir/pass.hex" --hex --type xdp --data "$dir/packet"
holds "run: unchanged data is not printed" sh -c "! grep -q 'data out' '$dir/out'"
check "run: changed data is shown" 0 '^  0000: ff 00 00 00' "" -- "$ctbpf" run "$dir/mark.hex" --hex --type xdp --data "$dir/packet"
holds "run: retval and data header" sh -c "grep -q '^retval 3 (XDP_TX)\$' '$dir/out' && grep -q '^data out (64 bytes, changed):\$' '$dir/out'"
check "run: too little data for XDP" 1 '' "Invalid argument (EINVAL)" -- \
    "$ctbpf" run "$dir/pass.hex" --hex --type xdp --data "$dir/short"
check "run: a rejected program" 1 '' "kernel: R2 !read_ok" -- "$ctbpf" run "$dir/bad.hex" --hex --type xdp --data "$dir/packet" --unchecked
check "run: missing data file" 2 '' "cannot open" -- "$ctbpf" run "$dir/pass.hex" --hex --type xdp --data "$dir/none"
# raw_tracepoint: r0 = args[0] + args[1] (u64 arguments)
cat > "$dir/rawtp_sum.hex" <<'HEX'
79 10 00 00 00 00 00 00   # r0 = *(u64 *)(r1 + 0)
79 12 08 00 00 00 00 00   # r2 = *(u64 *)(r1 + 8)
0f 20 00 00 00 00 00 00   # r0 += r2
95 00 00 00 00 00 00 00   # exit
HEX
# raw_tracepoint: r0 = cpu * 1000 + args[0]
cat > "$dir/rawtp_cpu.hex" <<'HEX'
79 16 00 00 00 00 00 00   # r6 = *(u64 *)(r1 + 0)
85 00 00 00 08 00 00 00   # call bpf_get_smp_processor_id
27 00 00 00 e8 03 00 00   # r0 *= 1000
0f 60 00 00 00 00 00 00   # r0 += r6
95 00 00 00 00 00 00 00   # exit
HEX
# syscall: ctx[1] = ctx[0] * 3 (u32), r0 = ctx[0] + 1
cat > "$dir/syscall.hex" <<'HEX'
61 12 00 00 00 00 00 00   # r2 = *(u32 *)(r1 + 0)
bf 23 00 00 00 00 00 00   # r3 = r2
27 03 00 00 03 00 00 00   # r3 *= 3
63 31 04 00 00 00 00 00   # *(u32 *)(r1 + 4) = r3
bf 20 00 00 00 00 00 00   # r0 = r2
07 00 00 00 01 00 00 00   # r0 += 1
95 00 00 00 00 00 00 00   # exit
HEX
printf '\x28\0\0\0\0\0\0\0\x02\0\0\0\0\0\0\0' > "$dir/args"
printf '\x07\0\0\0\0\0\0\0' > "$dir/arg7"
printf '\x0e\0\0\0\0\0\0\0' > "$dir/sysctx"
expect "run: raw_tracepoint --ctx (u64 arguments, no repeat, no duration)" 0 "retval 42" "" -- \
    "$ctbpf" run "$dir/rawtp_sum.hex" --hex --type raw_tracepoint --ctx "$dir/args"
check "run: raw_tracepoint --repeat is refused before the kernel" 1 '' \
    "raw_tracepoint programs run once per test run (the kernel takes no repeat count); repeat 5 given; the kernel was not asked" -- \
    "$ctbpf" run "$dir/rawtp_sum.hex" --hex --type raw_tracepoint --ctx "$dir/args" --repeat 5
check "run: raw_tracepoint --data is refused" 1 '' "raw_tracepoint programs take no packet data" -- \
    "$ctbpf" run "$dir/rawtp_sum.hex" --hex --type raw_tracepoint --ctx "$dir/args" --data "$dir/packet"
last_cpu=$(( $(nproc) - 1 ))
expect "run: raw_tracepoint --cpu" 0 "retval $(( last_cpu * 1000 + 7 ))" "" -- \
    "$ctbpf" run "$dir/rawtp_cpu.hex" --hex --type raw_tracepoint --ctx "$dir/arg7" --cpu "$last_cpu"
check "run: --cpu for xdp is refused" 1 '' "xdp programs take only BPF_F_TEST_XDP_LIVE_FRAMES; BPF_F_TEST_RUN_ON_CPU given" -- \
    "$ctbpf" run "$dir/pass.hex" --hex --type xdp --data "$dir/packet" --cpu 0
expect "run: syscall --ctx is written back" 0 "$(printf 'retval 15\nctx out (8 bytes, changed):\n  0000: 0e 00 00 00 2a 00 00 00')" "" -- \
    "$ctbpf" run "$dir/syscall.hex" --hex --type syscall --ctx "$dir/sysctx"
check "run: syscall without BPF_F_SLEEPABLE" 1 '' "Syscall programs can only be sleepable" -- \
    "$ctbpf" run "$dir/syscall.hex" --hex --type syscall --ctx "$dir/sysctx" --prog-flags 0

# r1 = map at fd_array index 0 (lddw src 5); r0 = 2; exit
printf '18 51 00 00 00 00 00 00 00 00 00 00 00 00 00 00\nb7 00 00 00 02 00 00 00\n95 00 00 00 00 00 00 00\n' > "$dir/idx.hex"
check "load: an fd_array index without --map" 2 '' "insn 0 refers to fd_array index 0 (lddw src 5) but no --map 0=... was given" -- \
    "$ctbpf" load "$dir/idx.hex" --hex --type xdp
check "load: an fd_array index with --map" 0 '^id [0-9]+ tag' "" -- "$ctbpf" load "$dir/idx.hex" --hex --type xdp --map 0=array,4,8,1

check "run: bad --repeat" 2 '' "takes a number" -- "$ctbpf" run "$dir/pass.hex" --hex --type xdp --repeat many

echo "cli_load_test: kernel tests: $ran ran, 0 skipped"
finish cli_load
