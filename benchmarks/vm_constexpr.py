#!/usr/bin/env python3
"""The interpreter in constant evaluation: the longest run a static_assert can make with each
compiler's default constexpr limits (a loop of 5 instructions per iteration, bisected on the
iteration count: executed instructions reported), and the compile time of a static_asserted run
of an XDP parser on an IPv4/TCP frame against the same translation unit without the run.

usage: vm_constexpr.py [--compilers g++,clang++-19,clang++-14] [--reps 3]
Prints a Markdown table."""
import argparse, os, subprocess, statistics, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

LOOP = r'''#include <ctbpf.hpp>
#include <ctbpf/vm.hpp>
using namespace ctbpf::syntax;
constexpr auto loop = [] {
    return program{
        r0 = 0,
        r1 = %d,
    label("top"),
        r0 += r1,
        r0 ^= 5,
        r0 *= 3,
        r1 -= 1,
        if_(r1 != 0).goto_("top"),
        exit_(),
    };
};
static_assert(ctbpf::vm::run<loop, [] { return ctbpf::vm::input{}; }>().executed == %d);
'''

PARSER = r'''#include <array>
#include <ctbpf.hpp>
#include <ctbpf/vm.hpp>
using namespace ctbpf::syntax;
constexpr auto parser = [] {
    return program{
        r2 = mem<u32>(r1 + 0),
        r3 = mem<u32>(r1 + 4),
        w0 = XDP_PASS,
        r4 = r2,
        r4 += 34,
        if_(r4 > r3).goto_("out"),
        r5 = mem<u16>(r2 + 12),
        if_(w5 != 0x0008).goto_("out"),
        r6 = mem<u8>(r2 + 23),
        if_(w6 != 6).goto_("out"),
        r4 += 4,
        if_(r4 > r3).goto_("out"),
        r5 = mem<u16>(r2 + 36),
        w0 = XDP_DROP,
        if_(w5 != 0x5000).goto_("out"),
        w0 = XDP_PASS,
    label("out"),
        exit_(),
    };
};
constexpr std::array<std::uint8_t, 64> frame = [] {
    std::array<std::uint8_t, 64> f{};
    f[12] = 0x08, f[14] = 0x45, f[23] = 6, f[37] = 80;
    return f;
}();
constexpr auto code = ctbpf::assemble<parser>();
#ifdef RUN
static_assert(ctbpf::vm::run<parser, [] { return ctbpf::vm::input{ctbpf::prog_type::xdp, frame}; }>().retval == XDP_PASS);
#endif
int main() { return static_cast<int>(code.size()); }
'''


def compiles(cxx, src, extra=()):
    with tempfile.NamedTemporaryFile('w', suffix='.cpp', delete=False) as f:
        f.write(src)
        path = f.name
    try:
        t = time.monotonic()
        r = subprocess.run([cxx, '-std=c++20', '-fsyntax-only', f'-I{ROOT}/include', *extra, path],
                           capture_output=True, text=True)
        return r.returncode == 0, time.monotonic() - t, r.stderr
    finally:
        os.unlink(path)


def longest(cxx):
    """Largest iteration count whose run compiles with default limits (executed = 5 * n + 3)."""
    lo, hi = 1, 2
    while compiles(cxx, LOOP % (hi, 5 * hi + 3))[0]:
        lo, hi = hi, hi * 2
        if hi > 1 << 20:
            return lo
    while hi - lo > max(1, lo // 100):  # within 1%
        mid = (lo + hi) // 2
        if compiles(cxx, LOOP % (mid, 5 * mid + 3))[0]:
            lo = mid
        else:
            hi = mid
    return lo


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--compilers', default='g++,clang++-19,clang++-14')
    ap.add_argument('--reps', type=int, default=3)
    a = ap.parse_args()
    print('| compiler | longest static_assert run (default limits) | XDP parser TU | with a static_asserted run | run costs |')
    print('|---|---|---|---|---|')
    for cxx in a.compilers.split(','):
        n = longest(cxx)
        base = statistics.median(compiles(cxx, PARSER)[1] for _ in range(a.reps))
        runs = [compiles(cxx, PARSER, ['-DRUN']) for _ in range(a.reps)]
        if not all(ok for ok, _, _ in runs):
            print(f'| {cxx} | {5 * n + 3} instructions | {base:.2f} s | fails: {runs[0][2][:200]} | |')
            continue
        run = statistics.median(t for _, t, _ in runs)
        print(f'| {cxx} | {5 * n + 3:,} instructions | {base:.2f} s | {run:.2f} s | +{run - base:.2f} s |')


if __name__ == '__main__':
    main()
