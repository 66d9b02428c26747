#!/usr/bin/env python3
"""Generate the helper prototype and availability tables of the constexpr verifier.

Writes two headers:

* include/ctbpf/verify/helper_protos.hpp  (PARSED from a kernel source tree)
  - every `struct bpf_func_proto NAME = { ... }` of the tree: return type, the 5 argument types
    (base type + flag bits, mirroring enum bpf_arg_type / bpf_return_type / bpf_type_flag of
    include/linux/bpf.h), fixed argument sizes, gpl_only, pkt_access, might_sleep, .allowed,
    reference acquire (is_acquire_function() of kernel/bpf/verifier.c) and release (OBJ_RELEASE);
  - per program type and privilege, which proto a helper id maps to: the program type's
    `.get_func_proto` (struct bpf_verifier_ops, include/linux/bpf_types.h) evaluated over
    `switch (func_id)` statements, `default:`/trailing fallthrough to other *_func_proto
    functions (base / sk_base / tracing ...), `if (!bpf_token_capable(.., CAP_xxx)) return NULL;`
    gates and capable() checks in case bodies (root: all capabilities; unprivileged: none).
    Conditions that depend on the attach type, kernel config or lockdown are not evaluated: the
    entry is marked `conditional` and lists the first candidate proto.
* include/ctbpf/verify/helper_availability.hpp  (MEASURED on a live kernel)
  - from the measurement file that tests/verify_helpers_kernel_test.cpp writes with
    CTBPF_HELPER_PROBE_OUT=FILE (`call ID; exit` for every program type and helper id, as root
    and, for socket_filter and cgroup_skb, unprivileged).

The script prints how the parsed availability compares with the measured one.

Usage:
  tools/gen_helper_protos.py [KERNEL_TREE] [--availability MEASUREMENT] [--out-dir DIR]
  (KERNEL_TREE default /usr/src/linux-source-6.12; MEASUREMENT default
   tools/helper_availability.txt; DIR default include/ctbpf/verify of this repository)

Standard library only.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from dataclasses import dataclass, field

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class GenError(Exception):
    pass


# ---------------------------------------------------------------------------------------------
# Kernel names -> C++ names. Fixed lists so that the C++ API does not move with the kernel; a
# kernel name not listed here is an error (extend the list).

ARG_BASES = [  # (C++ enumerator, kernel ARG_ name)
    ("dontcare", "ARG_DONTCARE"),
    ("const_map_ptr", "ARG_CONST_MAP_PTR"),
    ("ptr_to_map_key", "ARG_PTR_TO_MAP_KEY"),
    ("ptr_to_map_value", "ARG_PTR_TO_MAP_VALUE"),
    ("ptr_to_mem", "ARG_PTR_TO_MEM"),
    ("ptr_to_arena", "ARG_PTR_TO_ARENA"),
    ("const_size", "ARG_CONST_SIZE"),
    ("const_size_or_zero", "ARG_CONST_SIZE_OR_ZERO"),
    ("ptr_to_ctx", "ARG_PTR_TO_CTX"),
    ("anything", "ARG_ANYTHING"),
    ("scalar", "ARG_SCALAR"),
    ("ptr_to_spin_lock", "ARG_PTR_TO_SPIN_LOCK"),
    ("ptr_to_sock_common", "ARG_PTR_TO_SOCK_COMMON"),
    ("ptr_to_socket", "ARG_PTR_TO_SOCKET"),
    ("ptr_to_btf_id", "ARG_PTR_TO_BTF_ID"),
    ("ptr_to_ringbuf_mem", "ARG_PTR_TO_RINGBUF_MEM"),
    ("const_alloc_size_or_zero", "ARG_CONST_ALLOC_SIZE_OR_ZERO"),
    ("ptr_to_btf_id_sock_common", "ARG_PTR_TO_BTF_ID_SOCK_COMMON"),
    ("ptr_to_percpu_btf_id", "ARG_PTR_TO_PERCPU_BTF_ID"),
    ("ptr_to_func", "ARG_PTR_TO_FUNC"),
    ("ptr_to_stack", "ARG_PTR_TO_STACK"),
    ("ptr_to_const_str", "ARG_PTR_TO_CONST_STR"),
    ("ptr_to_timer", "ARG_PTR_TO_TIMER"),
    ("kptr_xchg_dest", "ARG_KPTR_XCHG_DEST"),
    ("ptr_to_dynptr", "ARG_PTR_TO_DYNPTR"),
    # older kernels (before 6.12): no longer in enum bpf_arg_type of the default tree
    ("ptr_to_long", "ARG_PTR_TO_LONG"),
    ("ptr_to_int", "ARG_PTR_TO_INT"),
    ("ptr_to_kptr", "ARG_PTR_TO_KPTR"),
]
RET_BASES = [
    ("integer", "RET_INTEGER"),
    ("void_", "RET_VOID"),
    ("ptr_to_map_value", "RET_PTR_TO_MAP_VALUE"),
    ("ptr_to_socket", "RET_PTR_TO_SOCKET"),
    ("ptr_to_tcp_sock", "RET_PTR_TO_TCP_SOCK"),
    ("ptr_to_sock_common", "RET_PTR_TO_SOCK_COMMON"),
    ("ptr_to_mem", "RET_PTR_TO_MEM"),
    ("ptr_to_mem_or_btf_id", "RET_PTR_TO_MEM_OR_BTF_ID"),
    ("ptr_to_btf_id", "RET_PTR_TO_BTF_ID"),
]
TYPE_FLAGS = [  # bit order of the C++ flags (not the kernel's bit numbers)
    ("maybe_null", "PTR_MAYBE_NULL"),
    ("mem_rdonly", "MEM_RDONLY"),
    ("mem_ringbuf", "MEM_RINGBUF"),
    ("mem_user", "MEM_USER"),
    ("mem_percpu", "MEM_PERCPU"),
    ("obj_release", "OBJ_RELEASE"),
    ("ptr_untrusted", "PTR_UNTRUSTED"),
    ("mem_uninit", "MEM_UNINIT"),
    ("dynptr_local", "DYNPTR_TYPE_LOCAL"),
    ("dynptr_ringbuf", "DYNPTR_TYPE_RINGBUF"),
    ("mem_fixed_size", "MEM_FIXED_SIZE"),
    ("mem_alloc", "MEM_ALLOC"),
    ("ptr_trusted", "PTR_TRUSTED"),
    ("mem_rcu", "MEM_RCU"),
    ("non_own_ref", "NON_OWN_REF"),
    ("dynptr_skb", "DYNPTR_TYPE_SKB"),
    ("dynptr_xdp", "DYNPTR_TYPE_XDP"),
    ("mem_aligned", "MEM_ALIGNED"),
    ("mem_write", "MEM_WRITE"),
]
FLAG_BIT = {k: i for i, (_, k) in enumerate(TYPE_FLAGS)}
ARG_INDEX = {k: i for i, (_, k) in enumerate(ARG_BASES)}
RET_INDEX = {k: i for i, (_, k) in enumerate(RET_BASES)}

# ctbpf::prog_type enumerators (include/ctbpf/verify/options.hpp) <- BPF_PROG_TYPE_ names.
PROG_TYPES = [
    "unspecified", "socket_filter", "kprobe", "sched_cls", "sched_act", "tracepoint", "xdp", "perf_event",
    "cgroup_skb", "cgroup_sock", "lwt_in", "lwt_out", "lwt_xmit", "sock_ops", "sk_skb", "cgroup_device",
    "sk_msg", "raw_tracepoint", "cgroup_sock_addr", "lwt_seg6local", "lirc_mode2", "sk_reuseport",
    "flow_dissector", "cgroup_sysctl", "raw_tracepoint_writable", "cgroup_sockopt", "tracing", "struct_ops",
    "ext", "lsm", "sk_lookup", "syscall", "netfilter",
]

PROPS = [  # helper_proto::props bits
    ("gpl_only", "the program must have a GPL-compatible license"),
    ("pkt_access", "may access packet memory (direct packet pointers as memory arguments)"),
    ("might_sleep", "only sleepable programs may call it (else 'helper call might sleep in a non-sleepable prog')"),
    ("has_allowed", "has an .allowed() callback ('helper call is not allowed in probe' where it says no)"),
    ("allow_fastcall", "follows the bpf_fastcall contract"),
    ("acquires_ref", "the returned pointer carries a reference (is_acquire_function)"),
    ("acquires_ref_sockmap", "acquires a reference only for a sockmap/sockhash map (map_lookup_elem)"),
    ("ret_btf_id", "the return type names a BTF type (ret_btf_id): left to the kernel"),
    ("arg_btf_id", "an argument names a BTF type (argN_btf_id): left to the kernel"),
]

SIZEOF = {"u64": 8, "s64": 8, "long": 8, "u32": 4, "s32": 4, "int": 4, "struct iphdr": 20,
          "struct ipv6hdr": 40, "struct tcphdr": 20, "u16": 2, "u8": 1}


def strip_comments(text: str) -> str:
    text = re.sub(r"/\*.*?\*/", lambda m: " " + "\n" * m.group(0).count("\n"), text, flags=re.S)
    return re.sub(r"//[^\n]*", "", text)


def drop_preprocessor(text: str) -> str:
    out, cont = [], False
    for line in text.split("\n"):
        if cont or line.lstrip().startswith("#"):
            cont = line.rstrip().endswith("\\")
            out.append("")
            continue
        out.append(line)
    return "\n".join(out)


def read_c(path: str) -> str:
    with open(path, encoding="utf-8", errors="replace") as f:
        return drop_preprocessor(strip_comments(f.read()))


def match_brace(text: str, open_pos: int) -> int:
    """Index just past the brace/paren that closes text[open_pos]."""
    pairs = {"{": "}", "(": ")", "[": "]"}
    opener = text[open_pos]
    closer = pairs[opener]
    depth = 0
    i = open_pos
    while i < len(text):
        c = text[i]
        if c == '"' or c == "'":
            j = i + 1
            while j < len(text) and text[j] != c:
                j += 2 if text[j] == "\\" else 1
            i = j + 1
            continue
        if c == opener:
            depth += 1
        elif c == closer:
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    raise GenError(f"unbalanced {opener!r}")


# ---------------------------------------------------------------------------------------------
# include/linux/bpf.h: type flag, arg and return enums -> (base, flags)

def parse_enum(text: str, name: str) -> list[tuple[str, str]]:
    m = re.search(r"enum\s+" + name + r"\s*\{", text)
    if not m:
        raise GenError(f"enum {name} not found")
    body = text[m.end():match_brace(text, m.end() - 1) - 1]
    out = []
    for item in body.split(","):
        item = item.strip()
        if not item:
            continue
        k, _, v = item.partition("=")
        out.append((k.strip(), v.strip()))
    return out


def parse_type_enums(bpf_h: str):
    flags = {}
    for k, v in parse_enum(bpf_h, "bpf_type_flag"):
        if k.startswith("__"):
            continue
        if k not in FLAG_BIT:
            raise GenError(f"unknown type flag {k}: add it to TYPE_FLAGS")
        flags[k] = FLAG_BIT[k]

    def composite(enum_name, index):
        values = {}
        base_names = []
        for k, v in parse_enum(bpf_h, enum_name):
            if k.startswith("__"):
                continue
            if not v or re.fullmatch(r"\d+", v):
                if k not in index:
                    raise GenError(f"unknown {enum_name} base {k}: add it to the table")
                values[k] = (index[k], 0)
                base_names.append(k)
                continue
            base, fl = None, 0
            for part in [p.strip() for p in v.split("|")]:
                if part in flags:
                    fl |= 1 << flags[part]
                elif part in values:
                    b, f2 = values[part]
                    base = b
                    fl |= f2
                else:
                    raise GenError(f"{enum_name}: cannot evaluate {part!r} in {k}")
            values[k] = (base, fl)
        return values

    return flags, composite("bpf_arg_type", ARG_INDEX), composite("bpf_return_type", RET_INDEX)


# ---------------------------------------------------------------------------------------------
# struct bpf_func_proto definitions

@dataclass
class Proto:
    name: str
    file: str
    gpl_only: bool = False
    pkt_access: bool = False
    might_sleep: bool = False
    allowed: bool = False
    allow_fastcall: bool = False
    ret: tuple[int, int] = (0, 0)
    args: list = field(default_factory=lambda: [(0, 0)] * 5)
    arg_size: list = field(default_factory=lambda: [0] * 5)
    ret_btf_id: bool = False
    arg_btf_id: bool = False
    id: int = -1  # filled from the switches


def eval_type(expr: str, table: dict, flags: dict, what: str) -> tuple[int, int]:
    base, fl = None, 0
    for part in [p.strip().strip("()") for p in expr.split("|")]:
        if part in flags:
            fl |= 1 << flags[part]
        elif part in table:
            b, f2 = table[part]
            if b is not None:
                base = b
            fl |= f2
        else:
            raise GenError(f"{what}: unknown type {part!r}")
    return (base if base is not None else 0, fl)


def parse_protos(files: dict[str, str], flags, args, rets) -> dict[str, Proto]:
    protos: dict[str, Proto] = {}
    pat = re.compile(r"(?:static\s+)?(?:const\s+)?struct\s+bpf_func_proto\s+(\w+)\s*(?:__\w+\s*)*=\s*\{")
    for path, text in files.items():
        for m in pat.finditer(text):
            name = m.group(1)
            body = text[m.end():match_brace(text, m.end() - 1) - 1]
            p = Proto(name=name, file=path)
            for fm in re.finditer(r"\.(\w+(?:\[\d\])?)\s*=\s*([^,]+(?:\([^)]*\)[^,]*)?)", body):
                key, val = fm.group(1), " ".join(fm.group(2).split())
                if key in ("gpl_only", "pkt_access", "might_sleep", "allow_fastcall"):
                    setattr(p, key, val == "true")
                elif key == "allowed":
                    p.allowed = True
                elif key == "ret_type":
                    p.ret = eval_type(val, rets, flags, name)
                elif re.fullmatch(r"arg[1-5]_type", key):
                    p.args[int(key[3]) - 1] = eval_type(val, args, flags, name)
                elif re.fullmatch(r"arg[1-5]_size|arg_size\[\d\]", key):
                    i = int(key[3]) - 1 if key[3].isdigit() else int(key[9])
                    sm = re.fullmatch(r"sizeof\((.+)\)", val)
                    if not sm or sm.group(1).strip() not in SIZEOF:
                        raise GenError(f"{name}: cannot evaluate {key} = {val}")
                    p.arg_size[i] = SIZEOF[sm.group(1).strip()]
                elif key == "ret_btf_id":
                    p.ret_btf_id = True
                elif re.fullmatch(r"arg[1-5]_btf_id|arg_btf_id\[\d\]", key):
                    p.arg_btf_id = True
                elif key in ("func",):
                    pass
            if name in protos:
                raise GenError(f"proto {name} defined twice ({protos[name].file}, {path})")
            protos[name] = p
    return protos


# ---------------------------------------------------------------------------------------------
# *_func_proto(enum bpf_func_id func_id, const struct bpf_prog *prog) functions

@dataclass
class Outcome:
    """What a case body (or a top-level statement) does for one func id."""
    protos: list = field(default_factory=list)     # candidate proto names
    delegates: list = field(default_factory=list)  # functions asked with (func_id, prog)
    null: bool = False
    cond: bool = False
    brk: bool = False        # leaves the switch without returning
    caps: bool = False       # a capable() check in the body


def statements(body: str) -> list[str]:
    """Split a block into top-level statements (a switch/if with its block is one)."""
    out, i, n = [], 0, len(body)
    while i < n:
        while i < n and body[i] in " \t\n;":
            i += 1
        if i >= n:
            break
        start = i
        m = re.match(r"(switch|if|for|while)\s*\(", body[i:])
        if m:
            j = match_brace(body, i + m.end() - 1)
            while j < n and body[j] in " \t\n":
                j += 1
            if j < n and body[j] == "{":
                j = match_brace(body, j)
            else:
                k = j
                while k < n and body[k] != ";":
                    if body[k] in "({[":
                        k = match_brace(body, k)
                        continue
                    k += 1
                j = k + 1
            # else branch
            rest = body[j:].lstrip()
            if m.group(1) == "if" and rest.startswith("else"):
                j = body.index("else", j) + 4
                while j < n and body[j] in " \t\n":
                    j += 1
                if body[j] == "{":
                    j = match_brace(body, j)
                else:
                    j = body.index(";", j) + 1
            out.append(body[start:j].strip())
            i = j
            continue
        if body[i] == "{":
            j = match_brace(body, i)
            out.append(body[start:j].strip())
            i = j
            continue
        k = i
        while k < n and body[k] != ";":
            if body[k] in "({[":
                k = match_brace(body, k)
                continue
            k += 1
        out.append(body[start:k].strip())
        i = k + 1
    return out


CAP_RE = re.compile(r"\b(bpf_token_capable|bpf_capable|perfmon_capable|capable|ns_capable|bpf_token_capable)\s*\(")
CALL_FP_RE = re.compile(r"\b(\w+)\s*\(\s*func_id\s*,\s*prog\s*\)")


class FuncTable:
    def __init__(self, files: dict[str, str], protos: dict[str, Proto]):
        self.protos = protos
        self.aliases: dict[str, str] = {}  # function returning &proto (bpf_get_trace_printk_proto())
        self.funcs: dict[str, list] = {}   # name -> ops
        for text in files.values():
            for m in re.finditer(r"bpf_func_proto\s*\*\s*(\w+)\s*\(\s*void\s*\)\s*\{", text):
                body = text[m.end():match_brace(text, m.end() - 1) - 1]
                refs = [r for r in re.findall(r"&\s*(\w+)", body) if r in protos]
                if len(refs) == 1:
                    self.aliases[m.group(1)] = refs[0]
            for m in re.finditer(r"bpf_func_proto\s*\*\s*\n?\s*(\w+)\s*\(\s*enum\s+bpf_func_id\s+func_id\s*,"
                                 r"\s*const\s+struct\s+bpf_prog\s*\*\s*prog\s*\)\s*\{", text):
                body = text[m.end():match_brace(text, m.end() - 1) - 1]
                self.funcs[m.group(1)] = self.compile(body)

    def outcome(self, text: str) -> Outcome:
        o = Outcome()
        for r in re.findall(r"&\s*(\w+)", text):
            if r in self.protos and r not in o.protos:
                o.protos.append(r)
        for a, p in self.aliases.items():
            if re.search(r"\b" + a + r"\s*\(\s*\)", text) and p not in o.protos:
                o.protos.append(p)
        for d in CALL_FP_RE.findall(text):
            if d not in o.delegates:
                o.delegates.append(d)
        o.null = bool(re.search(r"\breturn\s+NULL\b|\?\s*NULL\b|:\s*NULL\b", text))
        o.cond = bool(re.search(r"\bif\s*\(|\?|\bswitch\s*\(", text))
        o.caps = bool(CAP_RE.search(text))
        o.brk = not re.search(r"\breturn\b", text)
        return o

    def compile(self, body: str) -> list:
        ops = []
        stmts = statements(body)
        i = 0
        while i < len(stmts):
            s = stmts[i]
            if s.startswith("switch"):
                m = re.match(r"switch\s*\(", s)
                ce = match_brace(s, m.end() - 1)
                subject = s[m.end():ce - 1].strip()
                block = s[s.index("{", ce) + 1:s.rindex("}")]
                if subject != "func_id":
                    ops.append(("opaque", self.outcome(s)))
                else:
                    ops.append(("switch",) + self.compile_switch(block))
            elif s.startswith("if"):
                m = re.match(r"if\s*\(", s)
                ce = match_brace(s, m.end() - 1)
                cond = s[m.end():ce - 1]
                then = s[ce:]
                if CAP_RE.search(cond) and re.search(r"return\s+NULL", then):
                    ops.append(("gate", cond.strip()))
                elif re.fullmatch(r"\s*\w+\s*", cond) and re.search(r"return\s+\w+", then):
                    pass  # if (func_proto) return func_proto; after a 'try' assignment
                else:
                    ops.append(("opaque", self.outcome(s)))
            elif s.startswith("return"):
                ops.append(("return", self.outcome(s)))
            else:
                am = re.match(r"(?:const\s+struct\s+bpf_func_proto\s*\*\s*)?\w+\s*=\s*(\w+)\s*\(\s*func_id\s*,\s*prog\s*\)\s*$", s)
                if am:
                    ops.append(("try", am.group(1)))
                # declarations and other statements: ignored
            i += 1
        return ops

    def compile_switch(self, block: str):
        # split into case groups: labels then body
        # labels at the block's own level only (a nested switch keeps its cases)
        parts, last, depth, i = [], 0, 0, 0
        label_re = re.compile(r"\b(case\s+\w+\s*:|default\s*:)")
        while i < len(block):
            c = block[i]
            if c in "{(":
                depth += 1
            elif c in "})":
                depth -= 1
            elif depth == 0 and c in "cd":
                m = label_re.match(block, i)
                if m and (i == 0 or not (block[i - 1].isalnum() or block[i - 1] == "_")):
                    parts.append(block[last:i])
                    parts.append(m.group(1))
                    i = last = m.end()
                    continue
            i += 1
        parts.append(block[last:])
        groups = []  # (labels, body)
        labels = []
        for part in parts[1:]:
            if re.fullmatch(r"case\s+\w+\s*:|default\s*:", part):
                labels.append(part.split()[1].rstrip(":") if part.startswith("case") else "default")
            else:
                if part.strip():
                    groups.append((labels, part))
                    labels = []
        if labels:
            groups.append((labels, ""))
        cases: dict[str, Outcome] = {}
        default = None
        pending: list[str] = []
        for labels, body in groups:
            pending += labels
            o = self.outcome(body)
            if o.brk and not re.search(r"\bbreak\b", body) and not o.protos and not o.delegates:
                continue  # falls through into the next group
            for lab in pending:
                if lab == "default":
                    default = o
                elif lab.startswith("BPF_FUNC_") and lab[9:] not in cases:
                    cases[lab[9:]] = o
            pending = []
        return cases, default

    def resolve(self, fn: str, hid: str, root: bool, depth: int = 0):
        """-> (protos, conditional) or None (no proto)."""
        if depth > 12 or fn not in self.funcs:
            return None
        pending = None  # `func = &proto; break;` in a case, returned by a later `return func;`
        for op in self.funcs[fn]:
            kind = op[0]
            if kind == "gate":
                if not root:
                    return None
            elif kind == "switch":
                cases, default = op[1], op[2]
                o = cases.get(hid, default)
                if o is None:
                    continue
                if o.brk:
                    if o.protos or o.delegates:
                        pending = self.apply(o, hid, root, depth)
                    continue
                return self.apply(o, hid, root, depth)
            elif kind == "try":
                r = self.resolve(op[1], hid, root, depth + 1)
                if r is not None:
                    return r
            elif kind == "return":
                o = op[1]
                if not o.protos and not o.delegates and not o.null:
                    return pending
                return self.apply(o, hid, root, depth)
            elif kind == "opaque":
                pass
        return None

    def apply(self, o: Outcome, hid: str, root: bool, depth: int):
        if o.caps and not root:
            return None
        protos = list(o.protos)
        cond = o.cond or (o.null and bool(protos or o.delegates))
        for d in o.delegates:
            r = self.resolve(d, hid, root, depth + 1)
            if r is not None:
                protos += [p for p in r[0] if p not in protos]
                cond = cond or r[1]
        if not protos:
            return None
        return protos, cond or len(protos) > 1


# ---------------------------------------------------------------------------------------------

def parse_helper_ids(uapi: str) -> list[str]:
    m = re.search(r"#define\s+___BPF_FUNC_MAPPER\(FN,\s*ctx\.\.\.\)(.*?)\n\s*\n", uapi, flags=re.S)
    if not m:
        raise GenError("no ___BPF_FUNC_MAPPER in include/uapi/linux/bpf.h")
    names = []
    for name, hid in re.findall(r"FN\((\w+),\s*(\d+)", m.group(1)):
        if int(hid) != len(names):
            raise GenError("helper ids not contiguous")
        names.append(name)
    return names


def parse_acquire(verifier: str) -> tuple[set, set]:
    m = re.search(r"static bool is_acquire_function\([^)]*\)\s*\{", verifier)
    if not m:
        raise GenError("is_acquire_function not found")
    body = verifier[m.end():match_brace(verifier, m.end() - 1) - 1]
    always, sockmap = set(), set()
    for st in statements(body):
        ids = set(re.findall(r"BPF_FUNC_(\w+)", st))
        if "map_type" in st:
            sockmap |= ids
        else:
            always |= ids
    return always, sockmap


def parse_prog_type_ops(tree: str, files: dict[str, str]) -> dict[str, str]:
    """prog type name (ctbpf spelling) -> its get_func_proto function."""
    types_h = read_c(os.path.join(tree, "include/linux/bpf_types.h"))
    ops = {}
    for text in files.values():
        for m in re.finditer(r"struct\s+bpf_verifier_ops\s+(\w+)_verifier_ops\s*=\s*\{", text):
            body = text[m.end():match_brace(text, m.end() - 1) - 1]
            g = re.search(r"\.get_func_proto\s*=\s*(\w+)", body)
            if g:
                ops[m.group(1)] = g.group(1)
    out = {}
    for t, name in re.findall(r"BPF_PROG_TYPE\(\s*BPF_PROG_TYPE_(\w+)\s*,\s*(\w+)\s*,", types_h):
        t = t.lower()
        if name in ops and t in PROG_TYPES:
            out[t] = ops[name]
    return out


# ---------------------------------------------------------------------------------------------
# the measurement (tests/verify_helpers_kernel_test.cpp, CTBPF_HELPER_PROBE_OUT)

def read_measurement(path: str):
    rows = {}  # (type, priv) -> {id: (verdict, message)}
    kernel, attach = "?", {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if line.startswith("# kernel "):
                kernel = line[len("# kernel "):].split(",")[0]
            if line.startswith("# attach "):
                t, a = line[len("# attach "):].split("\t")
                attach[t] = a
            if not line or line.startswith("#"):
                continue
            cols = line.split("\t")
            t, priv, hid, verdict = cols[0], cols[1], int(cols[2]), cols[3]
            msg = cols[4] if len(cols) > 4 else ""
            rows.setdefault((t, priv), {})[hid] = (verdict, msg)
    return kernel, attach, rows


def bitset_words(ids: set, n: int) -> list[int]:
    words = [0] * ((n + 63) // 64)
    for i in ids:
        words[i // 64] |= 1 << (i % 64)
    return words


def cxx_flags(fl: int) -> str:
    if fl == 0:
        return "0"
    return " | ".join("type_flag::" + TYPE_FLAGS[b][0] for b in range(len(TYPE_FLAGS)) if fl >> b & 1)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("tree", nargs="?", default="/usr/src/linux-source-6.12")
    ap.add_argument("--availability", default=os.path.join(REPO, "tools/helper_availability.txt"))
    ap.add_argument("--out-dir", default=os.path.join(REPO, "include/ctbpf/verify"))
    ap.add_argument("--source", default=None, help="label of the tree in the header (default: the Makefile version)")
    a = ap.parse_args()
    tree = a.tree
    try:
        mk = open(os.path.join(tree, "Makefile"), encoding="utf-8").read()
        ver = ".".join(re.search(rf"^{k} = (\d+)", mk, flags=re.M).group(1) for k in ("VERSION", "PATCHLEVEL", "SUBLEVEL"))
        label = a.source or f"Linux {ver} source tree"
        bpf_h = read_c(os.path.join(tree, "include/linux/bpf.h"))
        flags, argt, rett = parse_type_enums(bpf_h)
        with open(os.path.join(tree, "include/uapi/linux/bpf.h"), encoding="utf-8") as f:
            names = parse_helper_ids(f.read())
        files = {}
        for sub in ("kernel", "net", "drivers/media/rc", "security", "fs"):
            for root, _, fnames in os.walk(os.path.join(tree, sub)):
                for fn in fnames:
                    if fn.endswith(".c"):
                        p = os.path.join(root, fn)
                        with open(p, encoding="utf-8", errors="replace") as f:
                            raw = f.read()
                        if "bpf_func_proto" in raw or "bpf_verifier_ops" in raw:
                            files[os.path.relpath(p, tree)] = drop_preprocessor(strip_comments(raw))
        protos = parse_protos(files, flags, argt, rett)
        table = FuncTable(files, protos)
        type_fn = parse_prog_type_ops(tree, files)
        acq_always, acq_sockmap = parse_acquire(files["kernel/bpf/verifier.c"])
        n_ids = len(names)
        if n_ids > 256:
            raise GenError(f"{n_ids} helper ids: type_proto_entry::id is 8 bits, widen it")

        # per program type, privilege and id: candidate protos
        mapping = {}  # (type, root) -> {id: (protos, cond)}
        for t in PROG_TYPES:
            if t not in type_fn:
                continue
            for root in (True, False):
                row = {}
                for hid in range(1, n_ids):
                    r = table.resolve(type_fn[t], names[hid], root)
                    if r:
                        row[hid] = r
                mapping[(t, root)] = row
        # candidates in preference order: a proto that does not sleep first (a conditional such as
        # `prog->sleepable ? &x_sleepable_proto : &x_proto` names the sleeping one first; programs
        # are not sleepable unless loaded with BPF_F_SLEEPABLE)
        for row in mapping.values():
            for hid, (ps, cond) in list(row.items()):
                row[hid] = (sorted(ps, key=lambda n: protos[n].might_sleep), cond)
        # each proto's helper id: from the switch cases naming it
        for t_root, row in mapping.items():
            for hid, (ps, _) in row.items():
                for p in ps:
                    if protos[p].id == -1:
                        protos[p].id = hid
        used = [p for p in protos.values() if p.id >= 0]
        used.sort(key=lambda p: (p.id, p.name))
        index = {p.name: i for i, p in enumerate(used)}
        # the primary proto of an id: the one most program types map it to
        count = {}
        for (t, root), row in mapping.items():
            if root:
                for hid, (ps, _) in row.items():
                    count[(hid, ps[0])] = count.get((hid, ps[0]), 0) + 1
        primary = [0xFFFF] * n_ids
        for hid in range(n_ids):
            cands = [(c, p) for (h, p), c in count.items() if h == hid]
            if cands:
                cands.sort(key=lambda x: (-x[0], x[1]))
                primary[hid] = index[cands[0][1]]
            elif any(p.id == hid for p in used):
                primary[hid] = index[next(p.name for p in used if p.id == hid)]
    except (GenError, OSError) as e:
        print(f"gen_helper_protos.py: {e}", file=sys.stderr)
        return 1

    cmd = "python3 tools/gen_helper_protos.py " + (tree if tree else "")
    out = []
    w = out.append
    w("// GENERATED FILE - DO NOT EDIT. Edit tools/gen_helper_protos.py and regenerate instead.")
    w(f"// Generated by tools/gen_helper_protos.py from the {label} ({tree}), with")
    w(f"//   {cmd}")
    w("// PARSED from the kernel source: every struct bpf_func_proto (argument and return types mirror")
    w("// enum bpf_arg_type / bpf_return_type / bpf_type_flag of include/linux/bpf.h) and, per program type")
    w("// and privilege, which proto a helper id maps to (the type's .get_func_proto evaluated over its")
    w("// switch (func_id), fallthrough to base/sk_base/tracing protos and capability gates; root = every")
    w("// capability, unprivileged = none). Conditions on the attach type, kernel config or lockdown are not")
    w("// evaluated: such entries are marked conditional and name the first candidate. The live kernel may be")
    w("// newer than the source: availability measured on it is in helper_availability.hpp.")
    w("#pragma once")
    w("")
    w("#include <cstdint>")
    w("#include <string_view>")
    w("")
    w('#include "ctbpf/verify/options.hpp"')
    w("")
    w("namespace ctbpf::detail::vfy {")
    w("")
    w("// enum bpf_arg_type, base types (ARG_xxx without the prefix, lower case).")
    w("enum class arg_base : std::uint8_t {")
    for c, k in ARG_BASES:
        w(f"    {c}, // {k}")
    w("};")
    w("")
    w("// enum bpf_return_type, base types.")
    w("enum class ret_base : std::uint8_t {")
    for c, k in RET_BASES:
        w(f"    {c}, // {k}")
    w("};")
    w("")
    for enum, lst in (("arg_base", ARG_BASES), ("ret_base", RET_BASES)):
        w(f"constexpr std::string_view to_string({enum} v) {{")
        w("    switch (v) {")
        for c, k in lst:
            w(f'    case {enum}::{c}: return "{k}";')
        w("    }")
        w('    return "?";')
        w("}")
        w("")
    w("// enum bpf_type_flag as bits of helper_arg::flags / helper_proto::ret_flags (ctbpf's bit order).")
    w("namespace type_flag {")
    for i, (c, k) in enumerate(TYPE_FLAGS):
        w(f"inline constexpr std::uint32_t {c} = 1u << {i}; // {k}")
    w("} // namespace type_flag")
    w("")
    w("// helper_proto::props bits.")
    w("namespace proto_prop {")
    for i, (c, d) in enumerate(PROPS):
        w(f"inline constexpr std::uint16_t {c} = 1u << {i}; // {d}")
    w("} // namespace proto_prop")
    w("")
    w("// The kernel's composite return types (enum bpf_return_type's extended names), for the path walk.")
    w("enum class ret_kind : std::uint8_t {")
    w("    integer,               // RET_INTEGER: an unknown scalar")
    w("    void_,                 // RET_VOID")
    w("    map_value,             // RET_PTR_TO_MAP_VALUE (bpf_get_local_storage: never NULL)")
    w("    map_value_or_null,     // RET_PTR_TO_MAP_VALUE_OR_NULL")
    w("    socket_or_null,        // RET_PTR_TO_SOCKET_OR_NULL")
    w("    tcp_sock_or_null,      // RET_PTR_TO_TCP_SOCK_OR_NULL")
    w("    sock_common_or_null,   // RET_PTR_TO_SOCK_COMMON_OR_NULL")
    w("    ringbuf_mem_or_null,   // RET_PTR_TO_RINGBUF_MEM_OR_NULL: size = argument ret_size_arg")
    w("    mem_or_null,           // RET_PTR_TO_DYNPTR_MEM_OR_NULL (and other RET_PTR_TO_MEM | PTR_MAYBE_NULL): size = argument ret_size_arg")
    w("    mem,                   // RET_PTR_TO_MEM without PTR_MAYBE_NULL")
    w("    mem_or_btf_id,         // RET_PTR_TO_MEM_OR_BTF_ID (per_cpu_ptr, this_cpu_ptr): BTF, left to the kernel")
    w("    btf_id,                // RET_PTR_TO_BTF_ID, RET_PTR_TO_BTF_ID_TRUSTED: BTF, left to the kernel")
    w("    btf_id_or_null,        // RET_PTR_TO_BTF_ID_OR_NULL: BTF, left to the kernel")
    w("};")
    w("")
    w("constexpr ret_kind kind_of(ret_base b, std::uint32_t flags) {")
    w("    const bool null = (flags & type_flag::maybe_null) != 0;")
    w("    switch (b) {")
    w("    case ret_base::integer: return ret_kind::integer;")
    w("    case ret_base::void_: return ret_kind::void_;")
    w("    case ret_base::ptr_to_map_value: return null ? ret_kind::map_value_or_null : ret_kind::map_value;")
    w("    case ret_base::ptr_to_socket: return ret_kind::socket_or_null;")
    w("    case ret_base::ptr_to_tcp_sock: return ret_kind::tcp_sock_or_null;")
    w("    case ret_base::ptr_to_sock_common: return ret_kind::sock_common_or_null;")
    w("    case ret_base::ptr_to_mem:")
    w("        return (flags & type_flag::mem_ringbuf) != 0 ? ret_kind::ringbuf_mem_or_null")
    w("               : null                               ? ret_kind::mem_or_null")
    w("                                                    : ret_kind::mem;")
    w("    case ret_base::ptr_to_mem_or_btf_id: return ret_kind::mem_or_btf_id;")
    w("    case ret_base::ptr_to_btf_id: return null ? ret_kind::btf_id_or_null : ret_kind::btf_id;")
    w("    }")
    w("    return ret_kind::integer;")
    w("}")
    w("")
    w("struct helper_arg {")
    w("    arg_base base = arg_base::dontcare;")
    w("    std::uint32_t flags = 0;   // type_flag bits")
    w("    std::uint16_t size = 0;    // .argN_size / .arg_size[N] (with type_flag::mem_fixed_size), bytes")
    w("    constexpr bool has(std::uint32_t f) const { return (flags & f) == f; }")
    w("};")
    w("")
    w("struct helper_proto {")
    w("    std::string_view name;     // the kernel's variable (bpf_map_lookup_elem_proto)")
    w("    std::int16_t id;           // helper id (enum bpf_func_id)")
    w("    ret_base ret;")
    w("    std::uint32_t ret_flags;   // type_flag bits")
    w("    std::uint8_t ret_size_arg; // 1..5: the returned memory's size is that (constant) argument; 0: none")
    w("    std::uint8_t release_arg;  // 1..5: that argument has OBJ_RELEASE (releases a reference); 0: none")
    w("    std::uint16_t props;       // proto_prop bits")
    w("    helper_arg args[5];")
    w("    constexpr bool has(std::uint16_t p) const { return (props & p) == p; }")
    w("    constexpr ret_kind returns() const { return kind_of(ret, ret_flags); }")
    w("    constexpr std::uint32_t arg_count() const {")
    w("        std::uint32_t n = 0;")
    w("        for (std::uint32_t i = 0; i < 5; ++i)")
    w("            if (args[i].base != arg_base::dontcare) n = i + 1;")
    w("        return n;")
    w("    }")
    w("};")
    w("")
    w(f"inline constexpr std::int32_t helper_proto_ids = {n_ids}; // helper ids 0..{n_ids - 1} in the source tree")
    w("")
    w(f"// Every proto the switches reach, sorted by helper id ({len(used)} protos).")
    w("inline constexpr helper_proto helper_protos[] = {")
    for p in used:
        props = []
        if p.gpl_only: props.append("gpl_only")
        if p.pkt_access: props.append("pkt_access")
        if p.might_sleep: props.append("might_sleep")
        if p.allowed: props.append("has_allowed")
        if p.allow_fastcall: props.append("allow_fastcall")
        hname = names[p.id]
        if hname in acq_always:
            props.append("acquires_ref")
        if hname in acq_sockmap: props.append("acquires_ref_sockmap")
        if p.ret_btf_id: props.append("ret_btf_id")
        if p.arg_btf_id: props.append("arg_btf_id")
        size_arg = 0
        if p.ret[0] == RET_INDEX["RET_PTR_TO_MEM"]:
            for i, (b, _) in enumerate(p.args):
                if b == ARG_INDEX["ARG_CONST_ALLOC_SIZE_OR_ZERO"]:
                    size_arg = i + 1
        release = 0
        for i, (_, fl) in enumerate(p.args):
            if fl >> FLAG_BIT["OBJ_RELEASE"] & 1:
                release = i + 1
        args = []
        for i, (b, fl) in enumerate(p.args):
            if b == 0 and fl == 0:
                args.append("{}")
            else:
                with_size = f", {p.arg_size[i]}" if p.arg_size[i] else ""
                args.append(f"{{arg_base::{ARG_BASES[b][0]}, {cxx_flags(fl)}{with_size}}}")
        while args and args[-1] == "{}":
            args.pop()
        w(f'    {{"{p.name}", {p.id}, ret_base::{RET_BASES[p.ret[0]][0]}, {cxx_flags(p.ret[1])}, {size_arg}, {release}, '
          f'{" | ".join("proto_prop::" + x for x in props) if props else "0"}, {{{", ".join(args)}}}}},')
    w("};")
    w("")
    w("// The proto most program types map each id to (index into helper_protos; 0xffff: none).")
    w("inline constexpr std::uint16_t helper_primary_proto[helper_proto_ids] = {")
    for i in range(0, n_ids, 16):
        w("    " + ", ".join(str(x) for x in primary[i:i + 16]) + ",")
    w("};")
    w("")
    w("namespace type_proto_flag {")
    w("inline constexpr std::uint8_t root_only = 1;   // no proto unprivileged (a capability check)")
    w("inline constexpr std::uint8_t conditional = 2; // the switch has a condition here (attach type, config, ...)")
    w("} // namespace type_proto_flag")
    w("")
    w("// Per program type: every helper id with a proto (as root), sorted by (type, id).")
    w("struct type_proto_entry {")
    w("    std::uint8_t type;   // ctbpf::prog_type")
    w("    std::uint8_t id;")
    w("    std::uint16_t proto; // index into helper_protos")
    w("    std::uint8_t flags;  // type_proto_flag bits")
    w("};")
    entries = []
    for t in PROG_TYPES:
        if (t, True) not in mapping:
            continue
        root_row, unpriv_row = mapping[(t, True)], mapping[(t, False)]
        for hid in sorted(root_row):
            ps, cond = root_row[hid]
            fl = (0 if hid in unpriv_row else 1) | (2 if cond else 0)
            entries.append((PROG_TYPES.index(t), hid, index[ps[0]], fl))
    w(f"inline constexpr type_proto_entry type_protos[] = {{ // {len(entries)} entries")
    line = []
    for e in entries:
        line.append("{%d,%d,%d,%d}" % e)
        if len(line) == 12:
            w("    " + ",".join(line) + ",")
            line = []
    if line:
        w("    " + ",".join(line) + ",")
    w("};")
    w("")
    parsed_types = [t for t in PROG_TYPES if (t, True) in mapping]
    w("// Whether type_protos covers a program type (its .get_func_proto was found in the source).")
    w("constexpr bool type_protos_known(prog_type t) {")
    w("    switch (t) {")
    for t in parsed_types:
        w(f"    case prog_type::{t}:")
    w("        return true;")
    w("    default:")
    w("        return false;")
    w("    }")
    w("}")
    w("")
    w("// The proto a program type (and privilege) maps a helper id to in the parsed source, or nullptr.")
    w("// `flags` (optional) receives the type_proto_flag bits.")
    w("constexpr const helper_proto* proto_for(prog_type t, privilege p, std::int32_t id, std::uint8_t* flags = nullptr) {")
    w("    if (id <= 0 || id >= helper_proto_ids || id > 255) return nullptr;")
    w("    const auto ti = static_cast<std::uint32_t>(t);")
    w("    std::uint32_t lo = 0, hi = sizeof(type_protos) / sizeof(type_protos[0]);")
    w("    while (lo < hi) { // first entry >= (t, id)")
    w("        const std::uint32_t mid = (lo + hi) / 2;")
    w("        const type_proto_entry& e = type_protos[mid];")
    w("        if (e.type < ti || (e.type == ti && e.id < static_cast<std::uint32_t>(id))) lo = mid + 1;")
    w("        else hi = mid;")
    w("    }")
    w("    if (lo == sizeof(type_protos) / sizeof(type_protos[0])) return nullptr;")
    w("    const type_proto_entry& e = type_protos[lo];")
    w("    if (e.type != ti || e.id != static_cast<std::uint32_t>(id)) return nullptr;")
    w("    if (p == privilege::unprivileged && (e.flags & type_proto_flag::root_only) != 0) return nullptr;")
    w("    if (flags) *flags = e.flags;")
    w("    return &helper_protos[e.proto];")
    w("}")
    w("")
    w("// The primary proto of a helper id (whatever the program type), or nullptr.")
    w("constexpr const helper_proto* primary_proto(std::int32_t id) {")
    w("    if (id <= 0 || id >= helper_proto_ids || helper_primary_proto[id] == 0xffff) return nullptr;")
    w("    return &helper_protos[helper_primary_proto[id]];")
    w("}")
    w("")
    w("// Find a proto by the kernel's variable name (tests), or nullptr.")
    w("constexpr const helper_proto* proto_named(std::string_view name) {")
    w("    for (const helper_proto& p : helper_protos)")
    w("        if (p.name == name) return &p;")
    w("    return nullptr;")
    w("}")
    w("")
    w("} // namespace ctbpf::detail::vfy")
    with open(os.path.join(a.out_dir, "helper_protos.hpp"), "w", encoding="utf-8") as f:
        f.write("\n".join(out) + "\n")
    print(f"helper_protos.hpp: {len(used)} protos, {len(entries)} (type, id) entries, "
          f"{len(parsed_types)} program types parsed", file=sys.stderr)

    # ---------------------------------------------------------------- availability (measured)
    if not os.path.exists(a.availability):
        print(f"no measurement {a.availability}: helper_availability.hpp not written", file=sys.stderr)
        return 0
    kernel, attach, rows = read_measurement(a.availability)
    n_meas = 1 + max(h for r in rows.values() for h in r)
    words = (n_meas + 63) // 64
    out = []
    w = out.append
    w("// GENERATED FILE - DO NOT EDIT. Edit tools/gen_helper_protos.py and regenerate instead.")
    w(f"// Generated by tools/gen_helper_protos.py from {os.path.relpath(a.availability, REPO)}, with")
    w(f"//   python3 tools/gen_helper_protos.py [KERNEL_TREE] --availability {os.path.relpath(a.availability, REPO)}")
    w(f"// MEASURED on the live kernel {kernel}: BPF_PROG_LOAD of `call ID; exit` for each program type and")
    w("// helper id (tests/helper_probe.hpp; re-checked by tests/verify_helpers_kernel_test.cpp), as root and,")
    w("// for socket_filter and cgroup_skb, unprivileged. Attach types used: " +
      ", ".join(f"{t}={v}" for t, v in attach.items() if v != "-") + ".")
    w("#pragma once")
    w("")
    w("#include <cstdint>")
    w("")
    w('#include "ctbpf/verify/options.hpp"')
    w("")
    w("namespace ctbpf::detail::vfy {")
    w("")
    w("enum class availability : std::uint8_t { no, yes, unknown };")
    w("")
    w("// How the kernel says no.")
    w("enum class unavailable_message : std::uint8_t {")
    w("    none,              // available (or not measured)")
    w("    cannot_use_helper, // program of this type cannot use helper bpf_NAME#ID")
    w("    unknown_func,      // unknown func bpf_NAME#ID")
    w("    invalid_func,      // invalid func NAME#ID (id out of range)")
    w("};")
    w("")
    w("struct helper_availability {")
    w("    availability avail = availability::unknown;")
    w("    unavailable_message message = unavailable_message::none;")
    w("};")
    w("")
    w(f"inline constexpr std::int32_t helper_availability_ids = {n_meas}; // ids measured: 0..{n_meas - 1}")
    w("")
    w("struct helper_availability_row {")
    w("    std::uint8_t type;      // ctbpf::prog_type")
    w("    std::uint8_t privilege; // ctbpf::privilege")
    w(f"    std::uint64_t yes[{words}];          // bit id: available")
    w(f"    std::uint64_t unknown_func[{words}]; // bit id: 'unknown func' (else 'cannot use helper')")
    w(f"    std::uint64_t measured[{words}];     // bit id: the probe gave a verdict")
    w("};")
    w("")
    w("inline constexpr helper_availability_row helper_availability_rows[] = {")
    summary = []
    for (t, priv), r in sorted(rows.items(), key=lambda kv: (PROG_TYPES.index(kv[0][0]), kv[0][1] != "root")):
        yes = {h for h, (v, _) in r.items() if v == "yes"}
        unk = {h for h, (v, _) in r.items() if v == "unknown_func"}
        meas = {h for h, (v, _) in r.items() if v in ("yes", "cannot_use", "unknown_func")}
        f = lambda s: ", ".join(f"0x{x:x}ull" for x in bitset_words(s, n_meas))
        w(f"    {{{PROG_TYPES.index(t)}, {0 if priv == 'root' else 1}, {{{f(yes)}}}, {{{f(unk)}}}, {{{f(meas)}}}}}, // {t} {priv}: {len(yes)} available")
        summary.append((t, priv, yes, meas))
    w("};")
    w("")
    w("// Whether `t` (with privilege `p`) may call helper `id` on the measured kernel.")
    w("constexpr helper_availability helper_available(prog_type t, privilege p, std::int32_t id) {")
    w("    if (id < 0 || id >= helper_availability_ids) return {availability::no, unavailable_message::invalid_func};")
    w("    const auto u = static_cast<std::uint32_t>(id);")
    w("    for (const helper_availability_row& r : helper_availability_rows) {")
    w("        if (r.type != static_cast<std::uint8_t>(t) || r.privilege != static_cast<std::uint8_t>(p)) continue;")
    w("        const std::uint64_t bit = std::uint64_t{1} << (u % 64);")
    w("        if ((r.measured[u / 64] & bit) == 0) return {};")
    w("        if ((r.yes[u / 64] & bit) != 0) return {availability::yes, unavailable_message::none};")
    w("        return {availability::no, (r.unknown_func[u / 64] & bit) != 0 ? unavailable_message::unknown_func")
    w("                                                                      : unavailable_message::cannot_use_helper};")
    w("    }")
    w("    return {};")
    w("}")
    w("")
    w("} // namespace ctbpf::detail::vfy")
    with open(os.path.join(a.out_dir, "helper_availability.hpp"), "w", encoding="utf-8") as f:
        f.write("\n".join(out) + "\n")

    # parsed vs measured
    print("parsed (source) vs measured (live kernel) availability:", file=sys.stderr)
    total_agree = total = 0
    for t, priv, yes, meas in summary:
        key = (t, priv == "root")
        if key not in mapping:
            continue
        parsed = set(mapping[key]) & meas
        if priv != "root" and t not in ("socket_filter", "cgroup_skb"):
            continue
        agree = sum(1 for h in meas if (h in yes) == (h in mapping[key]))
        total += len(meas)
        total_agree += agree
        extra = sorted(h for h in parsed if h not in yes)
        missing = sorted(h for h in yes if h not in mapping[key])
        msg = f"  {t:18} {priv:12} {agree}/{len(meas)} agree"
        if extra:
            msg += "; parsed only: " + " ".join(names[h] if h < len(names) else str(h) for h in extra)
        if missing:
            msg += "; live only: " + " ".join(names[h] if h < len(names) else str(h) for h in missing)
        print(msg, file=sys.stderr)
    print(f"  total {total_agree}/{total}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
