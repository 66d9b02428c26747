#!/usr/bin/env python3
"""Writes include/ctbpf/ctx_fields.hpp: the named fields of every program type's context struct
(xdp_md, __sk_buff, bpf_sock_ops, ...), offsets and sizes measured by the C compiler on the
kernel's own uapi header (offsetof/sizeof of a probe program), not parsed by hand. The header also
carries static_asserts of each offset against the build's <linux/bpf.h> for the fields that header
has, so every Linux build re-checks them.

usage: gen_ctx_fields.py KERNEL_TREE [OUT]   (e.g. /usr/src/linux-source-6.12)"""
import os, re, subprocess, sys, tempfile

STRUCTS = ['xdp_md', '__sk_buff', 'bpf_sock_ops', 'sk_msg_md', 'bpf_sock_addr', 'bpf_sock', 'bpf_sk_lookup',
           'sk_reuseport_md', 'bpf_sysctl', 'bpf_sockopt', 'bpf_cgroup_dev_ctx', 'bpf_flow_keys',
           'bpf_raw_tracepoint_args', 'bpf_tcp_sock', 'bpf_nf_ctx']


def members(text, struct):
    """Member names (with array length) of `struct NAME {...};`, anonymous unions and structs flattened."""
    m = re.search(r'^struct %s \{\n(.*?)^\};' % re.escape(struct), text, re.S | re.M)
    if not m:
        return None
    body = re.sub(r'/\*.*?\*/', '', m.group(1), flags=re.S)
    out = []
    for line in body.split('\n'):
        line = line.strip()
        p = re.match(r'__bpf_md_ptr\((.*),\s*(\w+)\);', line)
        if p:
            out.append((p.group(2), 0))
            continue
        p = re.match(r'(?:const\s+)?(?:__u8|__u16|__u32|__u64|__s32|__s64|__be16|__be32|__s8|__s16|__u128)\s+(\w+)(?:\[(\d+)\])?\s*(?::\s*\d+)?;', line)
        if p:
            # a flexible array (bpf_raw_tracepoint_args::args[0]) takes MAX_BPF_FUNC_ARGS (12) indexes
            out.append((p.group(1), (int(p.group(2)) or 12) if p.group(2) is not None else 0))
    return out


def main():
    if len(sys.argv) < 2:
        print(__doc__)
        return 2
    tree = sys.argv[1]
    out_path = sys.argv[2] if len(sys.argv) > 2 else os.path.join(os.path.dirname(__file__), '..', 'include', 'ctbpf', 'ctx_fields.hpp')
    uapi = os.path.join(tree, 'include', 'uapi')
    text = open(os.path.join(uapi, 'linux', 'bpf.h')).read()
    fields = {s: members(text, s) for s in STRUCTS}
    fields = {s: f for s, f in fields.items() if f}
    # measure offsets and element sizes with the compiler on the kernel tree's header
    probe = ['#include <linux/bpf.h>', '#include <stddef.h>', '#include <stdio.h>', 'int main(void) {']
    for s, f in fields.items():
        for name, n in f:
            elem = f'((struct {s} *)0)->{name}' + ('[0]' if n else '')
            probe.append(f'  printf("{s} {name} {n} %zu %zu\\n", offsetof(struct {s}, {name}), sizeof({elem}));')
    probe.append('  return 0;\n}')
    with tempfile.TemporaryDirectory() as d:
        # the tree's bpf.h alone (its other uapi headers need `make headers_install`): the system's
        # <linux/types.h> and <linux/bpf_common.h> serve it
        os.makedirs(os.path.join(d, 'linux'))
        open(os.path.join(d, 'linux', 'bpf.h'), 'w').write(text)
        c = os.path.join(d, 'probe.c')
        open(c, 'w').write('\n'.join(probe))
        exe = os.path.join(d, 'probe')
        subprocess.run(['gcc', '-I', d, c, '-o', exe], check=True)
        rows = [l.split() for l in subprocess.run([exe], capture_output=True, text=True, check=True).stdout.splitlines()]
    # which fields the build machine's <linux/bpf.h> has (static_asserts only for those)
    have = set()
    with tempfile.TemporaryDirectory() as d:
        for s, name, n, off, size in rows:
            c = os.path.join(d, 'h.c')
            open(c, 'w').write(f'#include <linux/bpf.h>\n#include <stddef.h>\nint x = offsetof(struct {s}, {name});\n')
            if subprocess.run(['gcc', '-c', c, '-o', os.path.join(d, 'h.o')], capture_output=True).returncode == 0:
                have.add((s, name))
    size_type = {'1': 'u8', '2': 'u16', '4': 'u32', '8': 'u64'}
    L = ['// GENERATED FILE - DO NOT EDIT. Edit tools/gen_ctx_fields.py and regenerate instead:',
         f'//   python3 tools/gen_ctx_fields.py KERNEL_TREE   (this file: {os.path.basename(tree.rstrip("/"))})',
         '// The fields of each program type\'s context struct, offsets and sizes measured with offsetof/sizeof',
         '// on the kernel\'s uapi <linux/bpf.h>:  r2 = ctx::xdp_md::data_end(r1);  ctx::sk_buff::mark(r1) = w3;',
         '// ctx::sk_buff::cb(r1, 2) (array members take an index). Which program type may read or write a',
         '// field is the verifier\'s to say (assemble<F, options{.type = ...}>() checks it).',
         '#pragma once', '', '#include <cstddef>', '#include <cstdint>', '#include <type_traits>', '', '#include "ctbpf/syntax.hpp"', '',
         'namespace ctbpf::ctx {', '',
         'template <class T>',
         'inline constexpr int access_bytes = std::is_same_v<T, u8> ? 1 : std::is_same_v<T, u16> ? 2 : std::is_same_v<T, u32> ? 4 : 8;',
         '',
         '// A field of size T at `off`; count > 0: an array of count elements.',
         'template <access_size T, int Count = 0>',
         'struct field {',
         '    std::int16_t off;',
         '    // the field of the context r points to: r2 = ctx::xdp_md::data(r1), ctx::sk_buff::mark(r1) = w2',
         '    constexpr mem_ref<T> operator()(const reg64& r, std::uint32_t line = __builtin_LINE()) const',
         '        requires(Count == 0)',
         '    { return {address(r, off), line}; }',
         '    // element i of an array field: ctx::sk_buff::cb(r1, 2)',
         '    constexpr mem_ref<T> operator()(const reg64& r, int i, std::uint32_t line = __builtin_LINE()) const',
         '        requires(Count > 0)',
         '    {',
         '        if (i < 0 || i >= Count) diag::raise("ctbpf: context array index out of range");',
         '        return {address(r, static_cast<std::int16_t>(off + i * access_bytes<T>)), line};',
         '    }',
         '};', '']
    by_struct = {}
    for s, name, n, off, size in rows:
        by_struct.setdefault(s, []).append((name, int(n), int(off), size))
    for s, f in by_struct.items():
        ns = s.lstrip('_')
        L.append(f'// struct {s}')
        L.append(f'namespace {ns} {{')
        for name, n, off, size in f:
            t = size_type[size]
            L.append(f'inline constexpr field<{t}{", " + str(n) if n else ""}> {name}{{{off}}};')
        L.append(f'}} // namespace {ns}')
        L.append('')
    L.append('} // namespace ctbpf::ctx')
    L.append('')
    L.append('#if defined(CTBPF_HAVE_LINUX_BPF_H)')
    L.append('// the offsets against the build\'s own uapi header (fields it has)')
    for s, name, n, off, size in rows:
        if (s, name) in have:
            L.append(f'static_assert(offsetof(::{s}, {name}) == {off});')
    L.append('#endif')
    open(out_path, 'w').write('\n'.join(L) + '\n')
    print(f'{out_path}: {len(rows)} fields of {len(by_struct)} structs; {len(have)} checked against <linux/bpf.h>')
    return 0


if __name__ == '__main__':
    sys.exit(main())
