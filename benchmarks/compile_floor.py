#!/usr/bin/env python3
"""Where the compile time of an N-instruction program goes, against the plain struct bpf_insn[]
aggregate, on one compiler: the standard headers ctbpf's API needs, <ctbpf.hpp> alone, one
constexpr call per instruction, the least an operator spelling costs (benchmarks/floor/min_dsl.hpp:
no checks, no lines, no verifier, one evaluation), parsed only and assembled, then ctbpf itself.

usage: compile_floor.py [--n 4096] [--cxx g++] [--reps 5]
Prints a Markdown table (median CPU time, user + sys, of `CXX -std=c++20 -O0 -c`) and the cost per
instruction of ctbpf's program (parsed, assembled unchecked, checked) against the least spelling's
(parsed, assembled), each less its header alone."""
import argparse, os, statistics, sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import compile_time  # noqa: E402  (the benchmark program and the compile driver)

STD_HEADERS = ['array', 'span', 'string', 'string_view', 'vector', 'stdexcept', 'concepts', 'limits', 'bit', 'new']


def sources(n):
    lines = '\n        ' + ',\n        '.join(compile_time.program_lines(n, True)) + ',\n'
    calls = ',\n'.join(f'    one(0xb7, {i % 10}, 0, 0, {i})' for i in range(n))
    return [
        ('aggregate: struct bpf_insn[] of constants', compile_time.program(n, False)),
        ('standard headers ctbpf\'s API uses, alone',
         ''.join(f'#include <{h}>\n' for h in STD_HEADERS) + '#include <linux/bpf.h>\nint main() {}\n'),
        ('#include <ctbpf.hpp> alone', '#include <ctbpf.hpp>\nint main() {}\n'),
        ('one constexpr call per instruction into std::array',
         '#include <array>\n#include <linux/bpf.h>\n'
         'constexpr bpf_insn one(int c, int d, int s, int o, int i) {\n'
         '    return {static_cast<unsigned char>(c), static_cast<unsigned char>(d), static_cast<unsigned char>(s),\n'
         '            static_cast<short>(o), i};\n}\n'
         f'constexpr std::array<bpf_insn, {n}> prog{{{{\n{calls}\n}}}};\nint main() {{ return prog[0].code; }}\n'),
        ('floor/min_dsl.hpp alone', '#include "floor/min_dsl.hpp"\nint main() {}\n'),
        ('least operator spelling, parsed (floor/min_dsl.hpp)',
         '#include "floor/min_dsl.hpp"\nconstexpr auto f = [] {\n    using namespace min_dsl::syntax;\n'
         f'    return min_dsl::assemble<{n}>({{{lines}}});\n}};\nint main() {{}}\n'),
        ('least operator spelling, assembled',
         '#include "floor/min_dsl.hpp"\nconstexpr auto prog = [] {\n    using namespace min_dsl::syntax;\n'
         f'    return min_dsl::assemble<{n}>({{{lines}}});\n}}();\n'
         f'static_assert(prog.size() == {n});\nint main() {{ return prog[0].code; }}\n'),
        ('ctbpf, parsed, not evaluated',
         '#include <ctbpf.hpp>\nconstexpr auto f = [] {\n    using namespace ctbpf::syntax;\n'
         f'    return program{{{lines}    }};\n}};\nint main() {{}}\n'),
        ('ctbpf, unchecked', compile_time.program(n, True, False)),
        ('ctbpf, checked', compile_time.program(n, True, True)),
    ]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--n', type=int, default=4096)
    ap.add_argument('--cxx', default='g++')
    ap.add_argument('--reps', type=int, default=5)
    a = ap.parse_args()
    flags = ['-I', HERE]
    print(f'| {a.cxx}, N = {a.n} | s | x aggregate |')
    print('|---|---:|---:|')
    base = None
    med = {}
    for name, src in sources(a.n):
        runs = [compile_time.compile_once(a.cxx, src, flags) for _ in range(a.reps)]
        if not all(r[0] for r in runs):
            print(f'| {name} | failed | |\n{runs[0][3]}', flush=True)
            return 1
        t = statistics.median(r[1] for r in runs)
        base = base or t
        med[name] = t
        ratio = f'{t / base:.1f}x' if base > 0 else 'n/a'
        print(f'| {name} | {t:.2f} | {ratio} |', flush=True)
    # Per instruction: each program's time less its header's alone.
    def per(name, header):
        return (med[name] - med[header]) / a.n
    least_parsed = per('least operator spelling, parsed (floor/min_dsl.hpp)', 'floor/min_dsl.hpp alone')
    least = per('least operator spelling, assembled', 'floor/min_dsl.hpp alone')
    print('\nper instruction (less the header alone):')
    for name, floor_name, floor in (('ctbpf, parsed, not evaluated', 'least spelling parsed', least_parsed),
                                    ('ctbpf, unchecked', 'least spelling assembled', least),
                                    ('ctbpf, checked', 'least spelling assembled', least)):
        ours = per(name, '#include <ctbpf.hpp> alone')
        ratio = f'{ours / floor:.1f}x' if floor > 0 else 'n/a (too small to measure)'
        print(f'  {name} {ours * 1e6:.0f} us, {floor_name} {floor * 1e6:.0f} us: {ratio}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
