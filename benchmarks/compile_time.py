#!/usr/bin/env python3
"""Compile-time benchmark: an N-instruction program written in the ctbpf DSL, assembled at compile
time without and with the verifier's check, versus the same program as a plain struct bpf_insn[]
aggregate.
Measures CPU time (user + sys: less sensitive than wall time to other work on a shared machine) and
peak memory of `CXX -std=c++20 -O0 -c` (the compiler process's rusage), per compiler.

usage: compile_time.py [--sizes 100,1000,4096,10000,100000] [--compilers g++,clang++-19] [--reps 3] [--chunk N]
Prints a Markdown table. For sizes that exceed a compiler's default constexpr limits the DSL is
compiled again with raised limits (-fconstexpr-ops-limit / -fconstexpr-steps), and the table
says so."""
import argparse, os, subprocess, sys, tempfile, statistics

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# A prelude, then 8-instruction blocks: a label, ALU, a context load, a stack store, a forward
# conditional jump to the next block, shifts. The program is valid for the kernel verifier (so
# the DSL version is assembled and checked); its branches are on constants, folded by the check.
DSL_PRELUDE = ['r6 = r1', 'r2 = 0', 'r3 = 0', 'r5 = 0', 'r7 = 1']
RAW_PRELUDE = ['{0xbf, 6, 1, 0, 0}', '{0xb7, 2, 0, 0, 0}', '{0xb7, 3, 0, 0, 0}', '{0xb7, 5, 0, 0, 0}',
               '{0xb7, 7, 0, 0, 1}']
DSL_BLOCK = ['label("L{i}")', 'r0 = {i}', 'r3 += r2', 'w4 = mem<u32>(r6 + 4)', 'mem<u64>(r10 - 8) = r3',
             'if_(r3 > r2).goto_("L{j}")', 'r4 <<= 3', 's(r5) >>= r7', 'w2 ^= 7']
RAW_BLOCK = ['{{0xb7, 0, 0, 0, {i}}}', '{{0x0f, 3, 2, 0, 0}}', '{{0x61, 4, 6, 4, 0}}', '{{0x7b, 10, 3, -8, 0}}',
             '{{0x2d, 3, 2, 3, 0}}', '{{0x67, 4, 0, 0, 3}}', '{{0xcf, 5, 7, 0, 0}}', '{{0xa4, 2, 0, 0, 7}}']


def program_lines(n, dsl):
    """The program's N instructions as DSL expressions (with labels) or as raw initializers."""
    lines = list(DSL_PRELUDE if dsl else RAW_PRELUDE)
    blocks = (n - 1 - len(lines)) // 8
    for b in range(blocks):
        i = b * 8
        lines += [x.format(i=i, j=i + 8) for x in (DSL_BLOCK if dsl else RAW_BLOCK)]
    if dsl:
        lines.append(f'label("L{blocks * 8}")')
    while len([x for x in lines if not x.startswith('label(')]) < n - 1:
        lines.append('r0 = 0' if dsl else '{0xb7, 0, 0, 0, 0}')
    lines.append('exit_()' if dsl else '{0x95, 0, 0, 0, 0}')
    return lines


def program(n, dsl, checked=True, chunk=0):
    lines = program_lines(n, dsl)
    if dsl:
        opt = '' if checked else ', ctbpf::unchecked'
        if chunk:  # program p; p += {...}; per `chunk` lines: one full-expression each
            body = '    program p;\n' + ''.join(
                '    p += {\n        ' + ',\n        '.join(lines[i:i + chunk]) + ',\n    };\n'
                for i in range(0, len(lines), chunk)) + '    return p;\n'
        else:
            body = '    return program{\n        ' + ',\n        '.join(lines) + ',\n    };\n'
        return ('#include <ctbpf.hpp>\nconstexpr auto prog = ctbpf::assemble<[] {\n'
                '    using namespace ctbpf::syntax;\n' + body + '}' + opt + '>();\n'
                f'static_assert(prog.size() == {n});\nint main() {{ return prog[0].code; }}\n')
    return ('#include <linux/bpf.h>\nconstexpr struct bpf_insn prog[] = {\n    '
            + ',\n    '.join(lines) + ',\n};\n'
            f'static_assert(sizeof prog / sizeof prog[0] == {n});\nint main() {{ return prog[0].code; }}\n')


def compile_once(cxx, src, flags):
    """(ok, CPU s = user + sys, peak MiB, stderr) of one compile; rusage from wait4, in microseconds
    (/usr/bin/time prints hundredths: a small file on a fast machine measured 0.00 s)."""
    with tempfile.NamedTemporaryFile('w', suffix='.cpp', delete=False) as f:
        f.write(src)
        path = f.name
    try:
        cmd = [cxx, '-std=c++20', '-O0', '-I', os.path.join(ROOT, 'include'), *flags, '-c', path, '-o', os.devnull]
        with tempfile.TemporaryFile('w+') as err:
            p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err, text=True)
            _, status, ru = os.wait4(p.pid, 0)
            p.returncode = os.waitstatus_to_exitcode(status)
            err.seek(0)
            text = err.read()
        return p.returncode == 0, ru.ru_utime + ru.ru_stime, ru.ru_maxrss // 1024, text
    finally:
        os.unlink(path)


def measure(cxx, src, flags, reps):
    runs = [compile_once(cxx, src, flags) for _ in range(reps)]
    if not all(r[0] for r in runs):
        return None
    return statistics.median(r[1] for r in runs), max(r[2] for r in runs)


def raised(cxx):
    return ['-fconstexpr-ops-limit=4294967296'] if 'clang' not in cxx else ['-fconstexpr-steps=100000000']


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--sizes', default='100,1000,4096,10000,100000')
    ap.add_argument('--compilers', default='g++,clang++-19')
    ap.add_argument('--reps', type=int, default=3)
    ap.add_argument('--chunk', type=int, default=0,
                    help='write the DSL program as `p += {...}` statements of this many lines (default: one list)')
    a = ap.parse_args()
    print('| compiler | N | aggregate s | aggregate MiB | ctbpf unchecked s | ctbpf checked s | ctbpf MiB | '
          'checked / aggregate | limits |')
    print('|---|---:|---:|---:|---:|---:|---:|---:|---|')
    for cxx in a.compilers.split(','):
        for n in map(int, a.sizes.split(',')):
            reps = a.reps if n <= 10000 else 1
            agg = measure(cxx, program(n, False), [], reps)
            row = []
            limits = 'default'
            for checked in (False, True):
                src = program(n, True, checked, a.chunk)
                m = measure(cxx, src, [], reps)
                if m is None:
                    m, limits = measure(cxx, src, raised(cxx), reps), ' '.join(raised(cxx))
                row.append(m)
            if row[1] is None:
                unchecked = f'{row[0][0]:.2f}' if row[0] else 'failed'
                print(f'| {cxx} | {n} | {agg[0]:.2f} | {agg[1]} | {unchecked} | failed | | | {limits} |', flush=True)
                continue
            print(f'| {cxx} | {n} | {agg[0]:.2f} | {agg[1]} | {row[0][0]:.2f} | {row[1][0]:.2f} | {row[1][1]} | '
                  f'{row[1][0] / agg[0]:.1f}x | {limits} |', flush=True)

if __name__ == '__main__':
    sys.exit(main())
