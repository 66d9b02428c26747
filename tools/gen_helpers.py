#!/usr/bin/env python3
"""Generate include/ctbpf/helper_table.hpp from a Linux uapi <linux/bpf.h>.

The table gives every eBPF helper id the kernel header knows a C++ name
(`ctbpf::helper::map_lookup_elem`), the number of arguments it takes (what the
verifier checks before a call) and the C signature from the kernel's helper
documentation.

Two parts of the header are read:

* the helper mapper macro, `___BPF_FUNC_MAPPER(FN, ctx...)` with explicit ids
  (`FN(map_lookup_elem, 1, ##ctx)`, Linux 6.2 and later) or the older
  `__BPF_FUNC_MAPPER(FN)` with implicit sequential ids (`FN(map_lookup_elem)`);
* the helper description comment above it, whose signature lines look like
  ` * long bpf_map_update_elem(struct bpf_map *map, const void *key, const void *value, u64 flags)`.

Argument counts: `(void)` is 0 arguments; otherwise the named parameters are
counted. A variadic helper (only `bpf_trace_printk(const char *fmt, u32 fmt_size, ...)`)
counts its named parameters only (2): that is what the kernel verifier checks
(its proto types r1 and r2; r3..r5 are read only if the format string asks for
them). Its signature keeps the `...`, so a consumer can tell it is variadic.

The script fails (exit status 1, message on stderr) when the mapper is missing,
ids are not contiguous from 0, ids are mixed explicit/implicit, a helper has no
documented signature, a documented helper is not in the mapper, or a signature
has more than 5 arguments.

Usage:
  tools/gen_helpers.py BPF_H [--source LABEL] [-o OUT]
      write the table (default OUT: include/ctbpf/helper_table.hpp next to this script's repo)
  tools/gen_helpers.py BPF_H --check TABLE_HPP
      prefix check: every helper id BPF_H knows must be in TABLE_HPP with the same
      name and argument count (TABLE_HPP may know more, newer helpers). Signature
      text differences (types renamed or constified over kernel versions) are listed
      but do not fail the check.

Standard library only.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from dataclasses import dataclass

# C++ keywords and alternative tokens: an enumerator must not be spelled like one.
CXX_KEYWORDS = frozenset("""
alignas alignof and and_eq asm auto bitand bitor bool break case catch char char8_t char16_t
char32_t class compl concept const consteval constexpr constinit const_cast continue co_await
co_return co_yield decltype default delete do double dynamic_cast else enum explicit export
extern false float for friend goto if inline int long mutable namespace new noexcept not not_eq
nullptr operator or or_eq private protected public register reinterpret_cast requires return
short signed sizeof static static_assert static_cast struct switch template this thread_local
throw true try typedef typeid typename union unsigned using virtual void volatile wchar_t while
xor xor_eq
""".split())

# Object-like macros that common compilers or C/C++ standard headers define: a name spelled like
# one would be replaced by the preprocessor. (Function-like macros such as glibc's `major` do not
# matter: `helper::name` is never followed by `(`.) No kernel helper name collides with this set
# or with a keyword as of Linux 6.18; the rule is here for the helpers of any future header.
COMMON_MACROS = frozenset("""
linux unix i386 errno NULL EOF BUFSIZ stdin stdout stderr assert offsetof true false bool
TRUE FALSE DEBUG NDEBUG CHAR_BIT INT_MAX INT_MIN UINT_MAX LONG_MAX LONG_MIN ULONG_MAX
""".split())

MAX_HELPER_ARGS = 5  # r1..r5


class GenError(Exception):
    pass


@dataclass
class Helper:
    id: int
    name: str  # kernel name without the bpf_ prefix
    signature: str  # "" for unspec
    arg_count: int

    @property
    def cxx_name(self) -> str:
        return cxx_identifier(self.name)


def cxx_identifier(name: str) -> str:
    return name + "_" if name in CXX_KEYWORDS or name in COMMON_MACROS else name


def strip_c_comments(text: str) -> str:
    return re.sub(r"/\*.*?\*/", " ", text, flags=re.S)


def find_mapper(text: str) -> tuple[int, str, bool]:
    """Return (start offset, body, explicit_ids) of the helper mapper macro."""
    for pattern, explicit in ((r"^#define[ \t]+___BPF_FUNC_MAPPER\(FN,[ \t]*ctx\.\.\.\)", True),
                              (r"^#define[ \t]+__BPF_FUNC_MAPPER\(FN\)[ \t]*\\[ \t]*$", False)):
        m = re.search(pattern, text, flags=re.M)
        if not m:
            continue
        # The macro body: this line and every line continued by a trailing backslash.
        lines = []
        pos = m.start()
        while True:
            end = text.find("\n", pos)
            line = text[pos:] if end < 0 else text[pos:end]
            lines.append(line)
            if not line.rstrip().endswith("\\") or end < 0:
                break
            pos = end + 1
        body = "\n".join(ln.rstrip().removesuffix("\\") for ln in lines)
        return m.start(), body, explicit
    raise GenError("no helper mapper found (neither `#define ___BPF_FUNC_MAPPER(FN, ctx...)` "
                   "nor `#define __BPF_FUNC_MAPPER(FN) \\`)")


def parse_mapper(text: str) -> tuple[int, list[tuple[int, str]]]:
    start, body, explicit = find_mapper(text)
    body = strip_c_comments(body.split("\n", 1)[1] if "\n" in body else "")
    entries = re.findall(r"\bFN\(\s*(\w+)\s*(?:,\s*([^,)]+?)\s*)?(?:,\s*##\s*ctx\s*)?\)", body)
    if not entries:
        raise GenError("the helper mapper has no FN(...) entries")
    leftover = re.sub(r"\bFN\([^)]*\)", " ", body).replace(",", " ").strip()
    if leftover:
        raise GenError(f"unexpected text in the helper mapper: {leftover[:80]!r}")
    helpers: list[tuple[int, str]] = []
    has_ids = [bool(i) for _, i in entries]
    if any(has_ids) and not all(has_ids):
        raise GenError("the helper mapper mixes FN(name) and FN(name, id) entries")
    if explicit and not all(has_ids):
        raise GenError("___BPF_FUNC_MAPPER entries must carry explicit ids")
    for index, (name, id_text) in enumerate(entries):
        if id_text:
            if not re.fullmatch(r"\d+", id_text):
                raise GenError(f"helper {name}: id {id_text!r} is not a decimal number")
            hid = int(id_text)
        else:
            hid = index
        if hid != index:
            raise GenError(f"helper ids are not contiguous from 0: {name} has id {hid}, "
                           f"expected {index}")
        helpers.append((hid, name))
    names = [n for _, n in helpers]
    dups = sorted({n for n in names if names.count(n) > 1})
    if dups:
        raise GenError(f"helper names appear twice in the mapper: {', '.join(dups)}")
    if helpers[0][1] != "unspec":
        raise GenError(f"helper 0 is {helpers[0][1]!r}, expected 'unspec'")
    return start, helpers


SIGNATURE_LINE = re.compile(
    r"^ \* (?P<sig>(?:[A-Za-z_]\w*[ \t]+)+\**[ \t]*bpf_(?P<name>\w+)\((?P<args>[^()]*)\))[ \t]*$")


def parse_signatures(text: str, mapper_start: int) -> dict[str, str]:
    marker = text.find("Start of BPF helper function descriptions:")
    if marker < 0:
        raise GenError("no 'Start of BPF helper function descriptions:' comment found")
    if marker > mapper_start:
        raise GenError("the helper descriptions come after the helper mapper")
    sigs: dict[str, str] = {}
    for line in text[marker:mapper_start].splitlines():
        m = SIGNATURE_LINE.match(line)
        if m and m.group("name") not in sigs:
            # Some helpers are documented once per program type (bpf_get_socket_cookie,
            # bpf_sk_assign); the first description is the primary one.
            sigs[m.group("name")] = re.sub(r"\s+", " ", m.group("sig").strip())
    return sigs


def count_args(signature: str) -> int:
    args = signature[signature.index("(") + 1:signature.rindex(")")].strip()
    if args in ("", "void"):
        return 0
    params = [p.strip() for p in args.split(",")]
    if any(not p for p in params):
        raise GenError(f"empty parameter in {signature!r}")
    if params[-1] == "...":
        params = params[:-1]
    if "..." in params:
        raise GenError(f"'...' not last in {signature!r}")
    return len(params)


def parse_header(path: str) -> list[Helper]:
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            text = f.read()
    except OSError as e:
        raise GenError(f"cannot read {path}: {e.strerror}") from e
    mapper_start, mapper = parse_mapper(text)
    sigs = parse_signatures(text, mapper_start)
    known = {name for _, name in mapper}
    stray = sorted(n for n in sigs if n not in known)
    if stray:
        raise GenError("documented helpers missing from the mapper: " + ", ".join(stray))
    missing = [f"{hid}:{name}" for hid, name in mapper if name != "unspec" and name not in sigs]
    if missing:
        raise GenError("helpers without a documented signature: " + ", ".join(missing))
    helpers = []
    for hid, name in mapper:
        sig = "" if name == "unspec" else sigs[name]
        n = 0 if name == "unspec" else count_args(sig)
        if n > MAX_HELPER_ARGS:
            raise GenError(f"bpf_{name} takes {n} arguments, more than {MAX_HELPER_ARGS}")
        helpers.append(Helper(hid, name, sig, n))
    cxx = [h.cxx_name for h in helpers]
    if len(set(cxx)) != len(cxx):
        raise GenError("two helpers map to the same C++ enumerator")
    return helpers


def cxx_string(s: str) -> str:
    if any(c in s for c in '"\\') or not s.isprintable():
        raise GenError(f"unexpected character in {s!r}")
    return f'"{s}"'


def render(helpers: list[Helper], command: str, source: str) -> str:
    max_id = helpers[-1].id
    out = [
        "// GENERATED FILE - DO NOT EDIT. Edit tools/gen_helpers.py and regenerate instead.",
        f"// Generated by tools/gen_helpers.py from {source}, with",
        f"//   {command}",
        f"// where BPF_H is the path of that header.",
        "//",
        "// Every eBPF helper id the kernel header knows: helper::NAME (the kernel's name without",
        "// bpf_), its argument count (what the verifier checks before a call; a variadic helper",
        "// counts its named parameters: bpf_trace_printk is 2) and its documented C signature.",
        "#pragma once",
        "",
        "#include <cstdint>",
        "#include <string_view>",
        "",
        "namespace ctbpf {",
        "",
        "// The imm of `call` (BPF_JMP | BPF_CALL, src_reg 0): enum bpf_func_id without the BPF_FUNC_ prefix.",
        "enum class helper : std::int32_t {",
    ]
    out += [f"    {h.cxx_name} = {h.id}," for h in helpers]
    out += [
        "};",
        "",
        "struct helper_info {",
        "    std::string_view name;       // kernel name without bpf_",
        "    std::int8_t arg_count;       // r1..r(arg_count) are read by the helper",
        "    std::string_view signature;  // from the kernel's helper documentation",
        "};",
        "",
        f"inline constexpr std::int32_t helper_max_id = {max_id};",
        "",
        "inline constexpr helper_info helper_table[helper_max_id + 1] = {",
    ]
    out += [f"    {{{cxx_string(h.name)}, {h.arg_count}, {cxx_string(h.signature)}}},"
            for h in helpers]
    out += [
        "};",
        "",
        "// The table entry of helper id `id`, or nullptr when the id is out of range.",
        "constexpr const helper_info* find_helper(std::int32_t id) {",
        "    return id >= 0 && id <= helper_max_id ? &helper_table[id] : nullptr;",
        "}",
        "",
        "constexpr const helper_info* find_helper(helper h) { return find_helper(static_cast<std::int32_t>(h)); }",
        "",
        "}  // namespace ctbpf",
        "",
    ]
    return "\n".join(out)


TABLE_ENTRY = re.compile(r'^\s*\{"(\w+)", (-?\d+), "([^"]*)"\},\s*$')


def read_table(path: str) -> list[tuple[str, int, str]]:
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except OSError as e:
        raise GenError(f"cannot read {path}: {e.strerror}") from e
    start = text.find("helper_table[")
    if start < 0:
        raise GenError(f"{path}: no helper_table")
    rows = []
    for line in text[start:].splitlines()[1:]:
        if line.startswith("};"):
            break
        m = TABLE_ENTRY.match(line)
        if not m:
            raise GenError(f"{path}: unexpected table line {line!r}")
        rows.append((m.group(1), int(m.group(2)), m.group(3)))
    return rows


def check(helpers: list[Helper], table_path: str) -> int:
    table = read_table(table_path)
    problems, notes = [], []
    if len(table) < len(helpers):
        problems.append(f"{table_path} has {len(table)} helpers, the header {len(helpers)}")
    for h in helpers[:len(table)]:
        name, n, sig = table[h.id]
        if name != h.name:
            problems.append(f"id {h.id}: table says {name!r}, header says {h.name!r}")
        elif n != h.arg_count:
            problems.append(f"bpf_{h.name}: table says {n} arguments, header says {h.arg_count}")
        elif sig != h.signature:
            notes.append(f"  id {h.id}: header: {h.signature}\n  {' ' * len(str(h.id))}     table:  {sig}")
    for p in problems:
        print(f"gen_helpers --check: MISMATCH {p}", file=sys.stderr)
    print(f"gen_helpers --check: {len(helpers)} header helpers (ids 0..{helpers[-1].id}) against "
          f"{len(table)} table entries: {len(problems)} mismatches, {len(notes)} signature "
          f"text differences")
    for note in notes:
        print(note)
    return 1 if problems else 0


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("header", help="path of a Linux uapi linux/bpf.h")
    ap.add_argument("--source", help="what the header is, for the generated comment "
                    "(e.g. 'Linux 6.18 include/uapi/linux/bpf.h')")
    ap.add_argument("-o", "--output", help="where to write (default: include/ctbpf/helper_table.hpp)")
    ap.add_argument("--check", metavar="TABLE_HPP",
                    help="compare the header's helpers with an existing generated table instead")
    args = ap.parse_args(argv)
    try:
        helpers = parse_header(args.header)
        if args.check:
            return check(helpers, args.check)
        repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
        output = args.output or os.path.join(repo, "include", "ctbpf", "helper_table.hpp")
        source = args.source or args.header
        # The header's path on the generating machine means nothing to a reader: name it BPF_H.
        command = "python3 tools/gen_helpers.py BPF_H" + (
            f' --source "{args.source}"' if args.source else "") + (
            f" -o {args.output}" if args.output else "")
        text = render(helpers, command, source)
        with open(output, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
        print(f"gen_helpers: wrote {output}: {len(helpers)} helpers, ids 0..{helpers[-1].id}")
        return 0
    except GenError as e:
        print(f"gen_helpers: error: {e}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
