#!/usr/bin/env python3
"""Build cost of a small program, the ctbpf way against the libbpf way, in the same run: a tracepoint
program counting getpid() calls per process in a hash map, loaded, attached and read back
(benchmarks/count_getpid/). libbpf way: clang-19 -O2 -target bpf object, `bpftool gen skeleton`, a C++
loader including the skeleton, linked with -lbpf. ctbpf way: one C++ file, g++-12 -O1, compiled and
linked: header-only; with the compiled shim (-DCTBPF_SYS_COMPILED, linked with the ctbpf::sys
library, src/sys.cpp); with a precompiled header of <ctbpf.hpp> and <ctbpf/sys.hpp>; both; and
including only the shim headers it uses. The library and the precompiled headers are built once
before the timed runs (their cost is printed apart). Also the floor (the program assembled and
checked, no shim) and headers alone against <vector>, among them <ctbpf/sys/all.hpp> (the whole
shim). Needs clang-19, bpftool and libbpf-dev (apt); run as root to also run every build once (each
must count 3 calls).

usage: build_cost.py [--reps 3] [--tree DIR]   DIR: another checkout of ctbpf to measure (its
include/, src/sys.cpp and count_getpid_ctbpf.cpp; e.g. `git archive <commit> | tar -x -C /tmp/before`),
for before and after in one sitting. Prints a Markdown table: medians of wall time and of CPU time
(user + system of the compiler processes; steadier than wall time on a shared machine)."""
import argparse, os, resource, shutil, statistics, subprocess, tempfile, time

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'count_getpid')
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MULTIARCH = subprocess.run(['gcc', '-print-multiarch'], capture_output=True, text=True).stdout.strip()


def timed(cmds):
    """(wall s, CPU s) of running cmds one after the other."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.monotonic()
    for c in cmds:
        subprocess.run(c, check=True, capture_output=True)
    wall = time.monotonic() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime


def write(path, text):
    with open(path, 'w') as f:
        f.write(text)
    return path


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--reps', type=int, default=3)
    ap.add_argument('--tree', default=ROOT, help='the ctbpf checkout to measure (default: this one)')
    a = ap.parse_args()
    root = os.path.abspath(a.tree)
    CXX = ['g++', '-std=c++20', '-O1', f'-I{root}/include']
    if not os.path.exists(os.path.join(root, 'include', 'ctbpf', 'sys.hpp')):
        print(f'build_cost.py: {root} is not a ctbpf checkout (no include/ctbpf/sys.hpp)')
        return 2
    for tool in ('clang-19', 'bpftool', 'g++'):
        if not shutil.which(tool):
            print(f'build_cost.py: {tool} not found (apt-get install clang-19 bpftool libbpf-dev)')
            return 2
    with tempfile.TemporaryDirectory(prefix='ctbpf-build-cost.') as d:
        src = os.path.join(root, 'benchmarks', 'count_getpid', 'count_getpid_ctbpf.cpp')
        text = open(src).read()
        out = lambda name: os.path.join(d, name)

        # Built once, before the timed runs: the compiled shim and the precompiled headers.
        once = {}
        lib = out('libctbpf_sys.a')
        once['the ctbpf::sys library (src/sys.cpp, g++ -O2, once)'] = timed(
            [['g++', '-std=c++20', '-O2', f'-I{root}/include', '-DCTBPF_SYS_BUILDING', '-c',
              os.path.join(root, 'src', 'sys.cpp'), '-o', out('sys.o')], ['ar', 'rcs', lib, out('sys.o')]])
        pch = {}
        for mode, defs in (('header-only', []), ('compiled', ['-DCTBPF_SYS_COMPILED'])):
            pdir = out('pch-' + mode)
            os.mkdir(pdir)
            h = write(os.path.join(pdir, 'ctbpf_pch.hpp'), '#include <ctbpf.hpp>\n#include <ctbpf/sys.hpp>\n')
            t = timed([CXX + defs + ['-x', 'c++-header', h, '-o', h + '.gch']])
            once[f'the precompiled header, {mode} ({os.path.getsize(h + ".gch") / 2**20:.0f} MiB, once)'] = t
            pch[mode] = ['-I', pdir, '-include', 'ctbpf_pch.hpp', '-Werror=invalid-pch']
            used = subprocess.run(CXX + defs + pch[mode] + ['-H', '-fsyntax-only', src], capture_output=True,
                                  text=True).stderr
            assert '! ' + h + '.gch' in used, f'the precompiled header was not used:\n{used[:2000]}'

        # The same program including only the shim headers it uses, and the floor: no shim at all.
        iwyu = write(out('count_getpid_iwyu.cpp'), text.replace(
            '#include <ctbpf/sys.hpp>', '#include <ctbpf/sys/attach.hpp>\n#include <ctbpf/sys/declared.hpp>'))
        program = text[:text.index('int main()')].replace('#include <ctbpf/sys.hpp>', '')
        floor = write(out('count_getpid_floor.cpp'), program.replace('namespace sys = ctbpf::sys;', '') +
                      'constexpr auto code = ctbpf::assemble<count_getpid, tracepoint, counts>();\n'
                      'int main() { return code[0].code; }\n')
        assert all(s in text for s in ('int main() try', '#include <ctbpf/sys.hpp>', 'namespace sys = ctbpf::sys;'))

        bpf_o, skel = out('count_getpid.bpf.o'), out('count_getpid.skel.h')
        libbpf = [['clang-19', '-O2', '-g', '-target', 'bpf', f'-I/usr/include/{MULTIARCH}', '-c',
                   os.path.join(HERE, 'count_getpid.bpf.c'), '-o', bpf_o],
                  ['sh', '-c', f'bpftool gen skeleton {bpf_o} name count_getpid_bpf > {skel}'],
                  ['g++', '-std=c++20', '-O1', f'-I{d}', os.path.join(HERE, 'count_getpid_libbpf.cpp'), '-lbpf',
                   '-o', out('libbpf_way')]]
        compiled = ['-DCTBPF_SYS_COMPILED']
        rows = {
            'the libbpf way (BPF object, skeleton, loader)': libbpf,
            'ctbpf, header-only': [CXX + [src, '-o', out('ctbpf_header_only')]],
            'ctbpf, compiled shim': [CXX + compiled + [src, lib, '-o', out('ctbpf_compiled')]],
            'ctbpf, header-only, precompiled header': [CXX + pch['header-only'] + [src, '-o', out('ctbpf_pch')]],
            'ctbpf, compiled shim, precompiled header': [CXX + compiled + pch['compiled'] + [src, lib, '-o',
                                                                                           out('ctbpf_compiled_pch')]],
            'ctbpf, compiled shim, only the shim headers it uses': [CXX + compiled + [iwyu, lib, '-o',
                                                                                      out('ctbpf_iwyu')]],
            'floor: <ctbpf.hpp> and the program assembled and checked, no shim (-c)': [
                CXX + ['-c', floor, '-o', floor + '.o']],
        }
        for name, inc, defs in (('<vector>', '#include <vector>', []), ('<string>', '#include <string>', []),
                                ('<ctbpf.hpp>', '#include <ctbpf.hpp>', []),
                                ('<ctbpf/sys.hpp>', '#include <ctbpf/sys.hpp>', []),
                                ('<ctbpf/sys.hpp>, compiled shim', '#include <ctbpf/sys.hpp>', compiled),
                                ('<ctbpf/sys/map.hpp>', '#include <ctbpf/sys/map.hpp>', [])) + (
                                (('<ctbpf/sys/all.hpp>, compiled shim', '#include <ctbpf/sys/all.hpp>', compiled),)
                                if os.path.exists(os.path.join(root, 'include', 'ctbpf', 'sys', 'all.hpp')) else ()):
            h = write(out(f'h_{len(rows)}.cpp'), inc + '\nint main() {}\n')
            rows[f'{name} alone (-c)'] = [CXX + defs + ['-c', h, '-o', h + '.o']]
        res = {k: [] for k in rows}
        for _ in range(a.reps):  # alternated, so drift hits every row alike
            for k, cmds in rows.items():
                res[k].append(timed(cmds))
        med = {k: (statistics.median(w for w, _ in v), statistics.median(c for _, c in v)) for k, v in res.items()}
        base = med['the libbpf way (BPF object, skeleton, loader)']
        print(f'the tree measured: {root}')
        print(f'| what is built (g++ 12 -O1, medians of {a.reps}) | wall s | × the libbpf way | CPU s | × |')
        print('|---|---:|---:|---:|---:|')
        for k, (w, c) in med.items():
            print(f'| {k} | {w:.2f} | {w / base[0]:.1f}× | {c:.2f} | {c / base[1]:.1f}× |')
        for k, (w, c) in once.items():
            print(f'| {k} | {w:.2f} | | {c:.2f} | |')
        if os.geteuid() == 0:
            for exe in ('libbpf_way', 'ctbpf_header_only', 'ctbpf_compiled', 'ctbpf_pch', 'ctbpf_compiled_pch',
                        'ctbpf_iwyu'):
                r = subprocess.run([out(exe)], capture_output=True, text=True)
                print(f'{exe}: {r.stdout.strip() or r.stderr.strip()} (exit {r.returncode})')
    return 0


if __name__ == '__main__':
    raise SystemExit(main())
