#!/usr/bin/env python3
"""The kernel's own verifier selftests (shared/corpora/kselftest: 2,121 unique programs with Linux
6.18's verdicts) through `ctbpf verify`, with the corpus's driver (tools/kstest.py compare, map
shapes passed as --map). Prints the driver's summary and fails when ctbpf accepts, without a
deferral, a program the kernel rejects (except programs whose load flags `ctbpf verify` cannot be
told, listed), or when agreement falls below the floors measured when this test was written.

usage: kselftest_compare.py CTBPF [CORPUS]   (CORPUS default: <source>/../shared/corpora/kselftest)"""
import json, os, subprocess, sys, tempfile

# measured 2026-12-07 (root and unprivileged, unique programs; exact scalars in the walk); raise them as the verifier improves
FLOORS = {'root': {'agree': 2076, 'extra': 0}, 'unpriv': {'agree': 844, 'extra': 0}}


def main():
    ctbpf = sys.argv[1]
    here = os.path.dirname(os.path.abspath(__file__))
    corpus = sys.argv[2] if len(sys.argv) > 2 else os.path.join(here, '..', '..', 'shared', 'corpora', 'kselftest')
    driver = os.path.join(corpus, 'tools', 'kstest.py')
    if not os.path.exists(driver):
        print(f'SKIP: the kselftest corpus is not at {corpus} (it comes with the shared/ folder beside the clone)')
        return 0
    out = tempfile.mkdtemp(prefix='ctbpf-kst.')
    r = subprocess.run([sys.executable, driver, 'compare', ctbpf], env=dict(os.environ, KST_OUT=out),
                       capture_output=True, text=True)
    sys.stdout.write(r.stdout[-4000:])
    if r.returncode != 0:
        sys.stderr.write(r.stderr[-4000:])
        print('FAIL: kstest.py compare failed')
        return 1
    manifest = {}
    with open(os.path.join(corpus, 'manifest.jsonl')) as f:
        for line in f:
            m = json.loads(line)
            manifest[m['id']] = m
    rows = [json.loads(l) for l in open(os.path.join(out, 'compare.jsonl'))]
    failed = False
    for mode in ('root', 'unpriv'):
        uniq = [x for x in rows if x['mode'] == mode and not manifest[x['id']].get('dup_of')]
        agree = sum(x['cat'].startswith('agree') for x in uniq)
        extra = sum(x['cat'] == 'extra_reject' for x in uniq)
        rejects = sum(x['kernel'] == 'REJECT' for x in uniq)
        deferred = sum(x['cat'] == 'false_accept_deferred' for x in uniq)
        false_acc = [x for x in uniq if x['cat'] == 'false_accept']
        explained = [x for x in false_acc if any(c.startswith('prog_flags') for c in manifest[x['id']].get('caveats', []))]
        print(f'kselftest {mode}: {len(uniq)} unique programs, ctbpf agrees with the kernel on {agree} '
              f'({100.0 * agree / len(uniq):.1f}%); kernel rejections left to the kernel: {deferred} of {rejects}; '
              f'extra rejections {extra}; false accepts {len(false_acc)} ({len(explained)} need load flags ctbpf verify is not given)')
        for x in false_acc:
            if x not in explained:
                print(f'  false accept: {x["id"]}: kernel insn {x["kinsn"]}: {x["kmsg"]}')
                failed = True
        if agree < FLOORS[mode]['agree'] or extra > FLOORS[mode]['extra']:
            print(f'  below the floor: agree >= {FLOORS[mode]["agree"]}, extra rejections <= {FLOORS[mode]["extra"]}')
            failed = True
    print('kernel tests: kselftest corpus compared (recorded Linux 6.18 verdicts)')
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
