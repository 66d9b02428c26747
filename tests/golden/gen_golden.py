#!/usr/bin/env python3
"""Generate tests/golden/golden_cases.inc from tests/golden/cases.txt.

cases.txt holds one case per line (blank lines and lines starting with '#' are ignored):

    <ctbpf DSL> ;; <LLVM assembly>
    <ctbpf DSL> ;; bytes: <hex bytes> ;; <source of the bytes>

The DSL is the list of items of one ctbpf::program{...}. The LLVM text may hold several
instructions separated by ';'. Every LLVM text goes to ONE run of

    llvm-mc-19 -triple bpfel -mcpu=v4 -show-encoding

and the encodings it prints become the expected bytes of the row. The second form is for
encodings llvm-mc 19 cannot write (load-acquire, store-release, pseudo calls, ...): the bytes
are written by hand from shared/reference/isa.md and the source says which table.

Usage:
    gen_golden.py [--llvm-mc PATH] [--cases FILE] [--out FILE]   write the .inc
    gen_golden.py --check [...]                                   regenerate in memory, compare
                                                                  with the committed .inc, exit 1
                                                                  on any difference
Any llvm-mc error, any unexpected output and any mismatch in the number of encodings is fatal.
"""

import argparse
import difflib
import os
import re
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
LLVM_ARGS = ["-triple", "bpfel", "-mcpu=v4", "-show-encoding"]
VERSION_PREFIX = "// llvm-mc version: "
ENCODING = re.compile(r"#\s*encoding:\s*\[([^\]]*)\]")


def fail(msg):
    sys.stderr.write("gen_golden.py: error: " + msg + "\n")
    sys.exit(2)


class Case:
    def __init__(self, line, dsl, llvm=None, hand=None, source=None):
        self.line = line        # line number in cases.txt (the row id)
        self.dsl = dsl
        self.llvm = llvm        # list of LLVM instructions, or None
        self.hand = hand        # list of bytes, or None
        self.source = source
        self.bytes = None


def parse_cases(path):
    cases = []
    with open(path, encoding="utf-8") as f:
        for n, raw in enumerate(f, 1):
            text = raw.strip()
            if not text or text.startswith("#"):
                continue
            fields = [x.strip() for x in text.split(";;")]
            where = "%s:%d" % (path, n)
            if not fields[0]:
                fail(where + ": empty DSL expression")
            if len(fields) == 2 and not fields[1].startswith("bytes:"):
                insns = [x.strip() for x in fields[1].split(";")]
                if any(not x for x in insns):
                    fail(where + ": empty LLVM instruction")
                cases.append(Case(n, fields[0], llvm=insns))
            elif len(fields) == 3 and fields[1].startswith("bytes:"):
                tokens = fields[1][len("bytes:"):].split()
                try:
                    data = [int(t, 16) for t in tokens]
                except ValueError:
                    fail(where + ": bytes must be hex pairs")
                if any(len(t) != 2 for t in tokens) or not data or len(data) % 8:
                    fail(where + ": bytes must be a non-empty multiple of 8 hex pairs")
                if not fields[2]:
                    fail(where + ": hand-written bytes need a source")
                cases.append(Case(n, fields[0], hand=data, source=fields[2]))
            else:
                fail(where + ": expected '<DSL> ;; <LLVM>' or '<DSL> ;; bytes: .. ;; <source>'")
    if not cases:
        fail(path + ": no cases")
    return cases


def find_llvm_mc(given):
    if given:
        if not (os.path.isfile(given) and os.access(given, os.X_OK)):
            fail("llvm-mc not found at %r (install llvm-19)" % given)
        return given
    for cand in ("llvm-mc-19", "/usr/lib/llvm-19/bin/llvm-mc"):
        path = shutil.which(cand)
        if path:
            return path
    fail("llvm-mc-19 not found (install Debian/Ubuntu llvm-19 or pass --llvm-mc)")


def llvm_version(llvm_mc):
    out = subprocess.run([llvm_mc, "--version"], capture_output=True, text=True, check=False).stdout
    m = re.search(r"^\s*(.*LLVM version (\d+)\.\S+)", out, re.M)
    if not m:
        fail("cannot read the version of %s" % llvm_mc)
    if m.group(2) != "19":
        fail("%s is LLVM %s; the golden encodings come from llvm-mc 19" % (llvm_mc, m.group(2)))
    return m.group(1).strip()


def encode(llvm_mc, cases, cases_path):
    lines, owner = [], []
    for c in cases:
        for insn in c.llvm or []:
            lines.append(insn)
            owner.append(c)
    proc = subprocess.run([llvm_mc] + LLVM_ARGS, input="\n".join(lines) + "\n",
                          capture_output=True, text=True, check=False)
    if proc.returncode != 0 or proc.stderr.strip():
        msgs = []
        for m in re.finditer(r"<stdin>:(\d+):(\d+): (error|warning): (.*)", proc.stderr):
            i = int(m.group(1)) - 1
            where = "%s:%d" % (cases_path, owner[i].line) if 0 <= i < len(owner) else "?"
            msgs.append("%s: llvm-mc %s: %s\n    %s" % (where, m.group(3), m.group(4), lines[i] if 0 <= i < len(lines) else ""))
        fail("llvm-mc rejected the input (exit %d):\n%s" % (proc.returncode, "\n".join(msgs) or proc.stderr))
    encodings = []
    for out in proc.stdout.splitlines():
        m = ENCODING.search(out)
        if not m:
            if out.strip() and out.strip() != ".text":
                fail("unexpected llvm-mc output line: %r" % out)
            continue
        items = [x.strip() for x in m.group(1).split(",")]
        if not all(re.fullmatch(r"0x[0-9a-f]{2}", x) for x in items):
            fail("encoding with fixups or odd bytes: %r" % out)
        data = [int(x, 16) for x in items]
        if len(data) not in (8, 16):
            fail("encoding of %d bytes: %r" % (len(data), out))
        encodings.append(data)
    if len(encodings) != len(lines):
        fail("llvm-mc printed %d encodings for %d instructions" % (len(encodings), len(lines)))
    for c in cases:
        if c.llvm is not None:
            c.bytes = []
    for c, data in zip(owner, encodings):
        c.bytes.extend(data)
    for c in cases:
        if c.hand is not None:
            c.bytes = c.hand


def c_string(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def render(cases, version, llvm_mc_name):
    n_llvm = sum(1 for c in cases if c.llvm is not None)
    n_hand = len(cases) - n_llvm
    out = [
        "// GENERATED FILE: do not edit. Edit tests/golden/cases.txt, then run",
        "//   python3 tests/golden/gen_golden.py [--llvm-mc llvm-mc-19]",
        "// The bytes of the LLVM rows are the output of",
        "//   %s %s" % (llvm_mc_name, " ".join(LLVM_ARGS)),
        "// run once over every LLVM text of cases.txt; the other rows are hand-written from the ISA",
        "// tables (shared/reference/isa.md) where llvm-mc 19 has no syntax, and say so.",
        VERSION_PREFIX + version,
        "// Rows: %d (%d from llvm-mc, %d hand-written)." % (len(cases), n_llvm, n_hand),
        "// CTBPF_GOLDEN(id = line in cases.txt, (ctbpf DSL), \"LLVM text\", \"origin\", bytes...)",
    ]
    for c in cases:
        if c.llvm is not None:
            text, origin = " ; ".join(c.llvm), "llvm-mc"
        else:
            text, origin = c.source, "hand-written"
        data = ", ".join("0x%02x" % b for b in c.bytes)
        out.append("CTBPF_GOLDEN(%d, (%s), %s, %s, %s)" % (c.line, c.dsl, c_string(text), c_string(origin), data))
    return "\n".join(out) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--llvm-mc", help="llvm-mc 19 executable (default: llvm-mc-19 from PATH)")
    ap.add_argument("--cases", default=os.path.join(HERE, "cases.txt"))
    ap.add_argument("--out", default=os.path.join(HERE, "golden_cases.inc"))
    ap.add_argument("--check", action="store_true",
                    help="compare the regenerated file with --out instead of writing it")
    args = ap.parse_args()

    llvm_mc = find_llvm_mc(args.llvm_mc)
    version = llvm_version(llvm_mc)
    cases = parse_cases(args.cases)
    encode(llvm_mc, cases, args.cases)
    text = render(cases, version, "llvm-mc-19")

    if not args.check:
        with open(args.out, "w", encoding="utf-8") as f:
            f.write(text)
        print("wrote %s: %d rows" % (args.out, len(cases)))
        return 0

    try:
        with open(args.out, encoding="utf-8") as f:
            committed = f.read()
    except OSError as e:
        fail("cannot read %s: %s" % (args.out, e))

    def body(s):  # the llvm-mc patch version may differ between machines; everything else may not
        return [l for l in s.splitlines() if not l.startswith(VERSION_PREFIX)]

    old_version = [l for l in committed.splitlines() if l.startswith(VERSION_PREFIX)]
    if old_version and old_version[0] != VERSION_PREFIX + version:
        print("note: committed file is from %s, this is %s" % (old_version[0][len(VERSION_PREFIX):], version))
    if body(committed) != body(text):
        sys.stdout.writelines(difflib.unified_diff(
            committed.splitlines(True), text.splitlines(True), args.out + " (committed)",
            args.out + " (regenerated from llvm-mc)"))
        print("FAIL: %s is not the output of gen_golden.py on %s" % (args.out, args.cases))
        return 1
    print("ok: %s matches llvm-mc (%s), %d rows" % (args.out, version, len(cases)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
