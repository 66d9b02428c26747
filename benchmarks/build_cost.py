#!/usr/bin/env python3
"""Build cost of a small program, the ctbpf way against the libbpf way, in the same run: a tracepoint
program counting getpid() calls per process in a hash map, loaded, attached and read back
(benchmarks/count_getpid/). libbpf way: clang-19 -O2 -target bpf object, `bpftool gen skeleton`, a C++
loader including the skeleton, linked with -lbpf. ctbpf way: one C++ file, g++-12 -O1, compiled and
linked. Also the headers alone against <vector>. Needs clang-19, bpftool and libbpf-dev (apt); run
as root to also run both programs once (each must count 3 calls).

usage: build_cost.py [--reps 3]   Prints a Markdown table (medians)."""
import argparse, os, shutil, statistics, subprocess, tempfile, time

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'count_getpid')
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MULTIARCH = subprocess.run(['gcc', '-print-multiarch'], capture_output=True, text=True).stdout.strip()


def timed(cmds):
    t = time.monotonic()
    for c in cmds:
        subprocess.run(c, check=True, capture_output=True)
    return time.monotonic() - t


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--reps', type=int, default=3)
    a = ap.parse_args()
    for tool in ('clang-19', 'bpftool', 'g++'):
        if not shutil.which(tool):
            print(f'build_cost.py: {tool} not found (apt-get install clang-19 bpftool libbpf-dev)')
            return 2
    d = tempfile.mkdtemp(prefix='ctbpf-build-cost.')
    bpf_o, skel = os.path.join(d, 'count_getpid.bpf.o'), os.path.join(d, 'count_getpid.skel.h')
    libbpf = [['clang-19', '-O2', '-g', '-target', 'bpf', f'-I/usr/include/{MULTIARCH}', '-c',
               os.path.join(HERE, 'count_getpid.bpf.c'), '-o', bpf_o],
              ['sh', '-c', f'bpftool gen skeleton {bpf_o} name count_getpid_bpf > {skel}'],
              ['g++', '-std=c++20', '-O1', f'-I{d}', os.path.join(HERE, 'count_getpid_libbpf.cpp'), '-lbpf',
               '-o', os.path.join(d, 'libbpf_way')]]
    ctbpf = [['g++', '-std=c++20', '-O1', f'-I{ROOT}/include', os.path.join(HERE, 'count_getpid_ctbpf.cpp'),
              '-o', os.path.join(d, 'ctbpf_way')]]
    headers = {}
    for name, inc in (('<vector>', '#include <vector>'), ('<ctbpf.hpp>', '#include <ctbpf.hpp>'),
                      ('<ctbpf/sys.hpp>', '#include <ctbpf/sys.hpp>')):
        src = os.path.join(d, 'h_' + str(len(headers)) + '.cpp')
        open(src, 'w').write(inc + '\nint main() {}\n')
        headers[name] = [['g++', '-std=c++20', '-O1', f'-I{ROOT}/include', '-c', src, '-o', src + '.o']]
    rows = {'the libbpf way (BPF object, skeleton, loader)': libbpf, 'ctbpf (one C++ file)': ctbpf}
    rows.update({f'{k} alone (-c)': v for k, v in headers.items()})
    res = {k: [] for k in rows}
    for _ in range(a.reps):  # alternated, so drift hits every row alike
        for k, cmds in rows.items():
            res[k].append(timed(cmds))
    med = {k: statistics.median(v) for k, v in res.items()}
    base = med['the libbpf way (BPF object, skeleton, loader)']
    print(f'| what is built (g++ 12 -O1, medians of {a.reps}) | s | × the libbpf way |')
    print('|---|---:|---:|')
    for k, v in med.items():
        print(f'| {k} | {v:.2f} | {v / base:.2f}× |')
    if os.geteuid() == 0:
        for exe in ('libbpf_way', 'ctbpf_way'):
            r = subprocess.run([os.path.join(d, exe)], capture_output=True, text=True)
            print(f'{exe}: {r.stdout.strip() or r.stderr.strip()} (exit {r.returncode})')
    shutil.rmtree(d)
    return 0


if __name__ == '__main__':
    raise SystemExit(main())
