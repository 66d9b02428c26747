// libbpf as the oracle for ctbpf's CO-RE relocations on the running kernel's BTF: the test writes a
// BPF C program with clang's CO-RE builtins (__builtin_preserve_field_info, _type_info, _enum_value,
// __builtin_btf_type_id) for fields, bitfields, types and enumerators of vmlinux, compiles it with
// clang-19, lets libbpf relocate and load it (bpf_object__load), reads the relocated instructions
// back (bpf_program__insns) and compares each value with what sys::core_relocate writes into a
// ctbpf program carrying the same relocations as labels. libbpf and clang are test-only oracles.
#include <ctbpf.hpp>
#include <ctbpf/core.hpp>
#include <ctbpf/sys/btf.hpp>

#include <doctest/doctest.h>

#include <bpf/libbpf.h>

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <deque>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <vector>

#ifndef CTBPF_CLANG19
#error "CTBPF_CLANG19 (the path of clang-19) must be defined"
#endif

namespace cb = ctbpf::btf;

namespace {

// One relocated value: the C expression that asks clang/libbpf, and the ctbpf label that asks ctbpf.
struct item {
    std::string c;     // e.g. __builtin_preserve_field_info(((struct task_struct___l *)0)->pid, 0)
    std::string label; // e.g. core:offset@task_struct.pid
    bool load = false; // the ctbpf side is an ldx (bitfield_load): compare off and size
    int kind = 0;      // libbpf's relocation kind (for the report)
};

int libbpf_quiet(enum libbpf_print_level level, const char* fmt, va_list ap) {
    if (level == LIBBPF_WARN) return std::vfprintf(stderr, fmt, ap);
    return 0;
}

struct generated {
    std::string source;
    std::vector<item> items;
    std::size_t fields = 0, bitfields = 0, types = 0, enums = 0, missing = 0;
};

bool plain_name(std::string_view n) { return !n.empty() && n.find("___") == std::string_view::npos; }

generated generate(const cb::blob& b) {
    generated g;
    std::string decls;
    std::string body;
    auto add = [&](std::string c, std::string label, int kind, bool load = false) {
        body += "\tout[" + std::to_string(g.items.size()) + "] = " + c + ";\n";
        g.items.push_back({std::move(c), std::move(label), load, kind});
    };
    std::size_t structs = 0;
    for (std::uint32_t id = 1; id < b.end_id() && (g.fields < 350 || g.bitfields < 150 || g.types < 150); ++id) {
        const auto t = b.type_by_id(id);
        if (!t->is_composite() || !plain_name(t->name)) continue;
        std::size_t same = 0;
        for (std::uint32_t o : b.find_essential(t->name)) same += b.type_by_id(o)->is_composite() ? 1 : 0;
        if (same != 1) continue;
        const char* kw = t->kind == cb::kind::union_ ? "union" : "struct";
        const std::string local = std::string(kw) + " " + std::string(t->name) + "___l";
        std::string members;
        std::vector<std::pair<std::string_view, bool>> chosen;
        std::set<std::string_view> pointers; // clang has no FIELD_SIGNED for a pointer
        for (const cb::member& m : b.members(id)) {
            if (m.name.empty()) continue;
            const auto mt = b.type_by_id(b.skip_modifiers(m.type));
            if (!mt) continue;
            if (m.bitfield_size != 0) {
                if (g.bitfields >= 150 || mt->kind != cb::kind::int_) continue;
                members += std::string("\t") + (m.bitfield_size > 32 ? "unsigned long long " : "unsigned int ") + std::string(m.name) +
                           " : " + std::to_string(m.bitfield_size) + ";\n";
                chosen.emplace_back(m.name, true);
            } else if (g.fields < 350 && (mt->kind == cb::kind::int_ || mt->kind == cb::kind::ptr)) {
                members += std::string("\t") + (mt->kind == cb::kind::ptr ? "void *" : "long long ") + std::string(m.name) + ";\n";
                if (mt->kind == cb::kind::ptr) pointers.insert(m.name);
                chosen.emplace_back(m.name, false);
            } else {
                continue;
            }
            (chosen.back().second ? g.bitfields : g.fields) += 1;
        }
        if (chosen.empty() && g.types >= 150) continue;
        const bool with_missing = structs % 10 == 0;
        if (with_missing) members += "\tint ctbpf_missing_member;\n";
        decls += local + " {\n" + members + "} __attribute__((preserve_access_index));\n";
        const std::string acc = "((" + local + " *)0)->";
        const std::string tname(t->name);
        for (const auto& [name, bitfield] : chosen) {
            const std::string n(name), path = tname + "." + n;
            if (bitfield)
                add("__builtin_preserve_field_info(" + acc + n + ", 0)", "core:bitfield_load@" + path, 0, true);
            else
                add("__builtin_preserve_field_info(" + acc + n + ", 0)", "core:offset@" + path, 0);
            add("__builtin_preserve_field_info(" + acc + n + ", 1)", "core:size@" + path, 1);
            add("__builtin_preserve_field_info(" + acc + n + ", 2)", "core:exists@" + path, 2);
            if (!pointers.count(name)) add("__builtin_preserve_field_info(" + acc + n + ", 3)", "core:signed@" + path, 3);
            add("__builtin_preserve_field_info(" + acc + n + ", 4)", "core:lshift@" + path, 4);
            add("__builtin_preserve_field_info(" + acc + n + ", 5)", "core:rshift@" + path, 5);
        }
        if (with_missing) {
            add("__builtin_preserve_field_info(" + acc + "ctbpf_missing_member, 2)", "core:exists@" + tname + ".ctbpf_missing_member", 2);
            ++g.missing;
        }
        if (g.types < 150) {
            add("__builtin_preserve_type_info(*(" + local + " *)0, 1)", "core:type_size@" + std::string(kw) + " " + tname, 9);
            add("__builtin_preserve_type_info(*(" + local + " *)0, 0)", "core:type_exists@" + std::string(kw) + " " + tname, 8);
            add("__builtin_btf_type_id(*(" + local + " *)0, 1)", "core:type_id@" + std::string(kw) + " " + tname, 7);
            ++g.types;
        }
        ++structs;
    }
    // types that do not exist
    for (int i = 0; i < 5; ++i) {
        const std::string n = "ctbpf_no_such_struct" + std::to_string(i);
        decls += "struct " + n + "___l { int x; };\n";
        add("__builtin_preserve_type_info(*(struct " + n + "___l *)0, 0)", "core:type_exists@struct " + n, 8);
        add("__builtin_btf_type_id(*(struct " + n + "___l *)0, 1)", "core:type_id@struct " + n, 7);
        ++g.missing;
    }
    // enumerators of named enums (32 and 64-bit), the first three of each, flavoured locally
    std::size_t enums = 0;
    for (std::uint32_t id = 1; id < b.end_id() && g.enums < 250; ++id) {
        const auto t = b.type_by_id(id);
        if ((t->kind != cb::kind::enum_ && t->kind != cb::kind::enum64) || !plain_name(t->name) || t->vlen == 0) continue;
        std::size_t same = 0;
        for (std::uint32_t o : b.find_essential(t->name))
            same += b.type_by_id(o)->kind == cb::kind::enum_ || b.type_by_id(o)->kind == cb::kind::enum64 ? 1 : 0;
        if (same != 1) continue;
        const std::string tname(t->name);
        std::string list;
        std::vector<std::string> names;
        for (const cb::enumerator& e : b.enumerators(id)) {
            if (names.size() == 3 || !plain_name(e.name)) break;
            names.emplace_back(e.name);
            list += (list.empty() ? "" : ", ") + names.back() + "___l";
        }
        if (names.empty()) continue;
        const bool with_missing = enums % 20 == 0;
        if (with_missing) list += ", CTBPF_MISSING_" + std::to_string(enums) + "___l";
        decls += "enum " + tname + "___l { " + list + " };\n";
        for (const std::string& n : names) {
            add("__builtin_preserve_enum_value(*(typeof(enum " + tname + "___l) *)" + n + "___l, 1)", "core:enum_value@enum " + tname + "." + n, 11);
            add("__builtin_preserve_enum_value(*(typeof(enum " + tname + "___l) *)" + n + "___l, 0)", "core:enum_exists@enum " + tname + "." + n, 10);
            ++g.enums;
        }
        if (with_missing) {
            const std::string n = "CTBPF_MISSING_" + std::to_string(enums);
            add("__builtin_preserve_enum_value(*(typeof(enum " + tname + "___l) *)" + n + "___l, 0)", "core:enum_exists@enum " + tname + "." + n, 10);
            ++g.missing;
        }
        ++enums;
    }
    // (the stores' offsets from `out` stay within an instruction's 16-bit offset: 4096 u64s)
    g.source = "typedef unsigned long long u64;\n" + decls + "u64 out[" + std::to_string(g.items.size()) +
               "];\n__attribute__((section(\"socket\"), used)) int core_oracle(void *ctx)\n{\n" + body +
               "\treturn 0;\n}\nchar LICENSE[] __attribute__((section(\"license\"), used)) = \"GPL\";\n";
    return g;
}

// The value libbpf left for each out[i]: stores *(u64 *)(rB + off) = rS, rB the address of `out`
// (an lddw of the .bss map value), rS last set by a mov or lddw of an immediate.
struct oracle_value {
    bool found = false;
    std::uint64_t value = 0;
    bool poisoned = false;
};
std::vector<oracle_value> read_back(const bpf_insn* x, std::size_t n, std::size_t items) {
    std::vector<oracle_value> out(items);
    std::int64_t base[11];
    bool is_base[11] = {};
    std::int64_t val[11];
    bool known[11] = {};
    for (std::size_t i = 0; i < n; ++i) {
        const bpf_insn& a = x[i];
        if (a.code == 0x18 && i + 1 < n) {
            const std::uint64_t v = static_cast<std::uint32_t>(a.imm) | std::uint64_t{static_cast<std::uint32_t>(x[i + 1].imm)} << 32;
            is_base[a.dst_reg] = a.src_reg == 2;
            base[a.dst_reg] = x[i + 1].imm;
            known[a.dst_reg] = a.src_reg == 0;
            val[a.dst_reg] = static_cast<std::int64_t>(v);
            ++i;
            continue;
        }
        if (a.code == 0xb7 || a.code == 0xb4) { // mov64 / mov32 imm
            known[a.dst_reg] = true;
            is_base[a.dst_reg] = false;
            val[a.dst_reg] = a.code == 0xb7 ? std::int64_t{a.imm} : std::int64_t{static_cast<std::uint32_t>(a.imm)};
            continue;
        }
        if (a.code == 0x7b && is_base[a.dst_reg]) { // *(u64 *)(rB + off) = rS
            const std::int64_t at = base[a.dst_reg] + a.off;
            if (at % 8 == 0 && at >= 0 && static_cast<std::size_t>(at / 8) < items && known[a.src_reg])
                out[static_cast<std::size_t>(at / 8)] = {true, static_cast<std::uint64_t>(val[a.src_reg]), false};
            continue;
        }
        if ((a.code & 7) == 4 || (a.code & 7) == 7 || (a.code & 7) == 1) { // other ALU or loads: the register is unknown
            known[a.dst_reg] = false;
            is_base[a.dst_reg] = false;
        }
    }
    return out;
}

} // namespace

TEST_CASE("CO-RE relocations equal libbpf's on the running kernel's BTF (fields, bitfields, types, enums)") {
    auto btf = ctbpf::sys::vmlinux_btf();
    if (!btf) {
        std::printf("SKIP: no vmlinux BTF: %s\n", btf.error().describe().c_str());
        return;
    }
    if (::geteuid() != 0) {
        std::printf("SKIP: libbpf must load the oracle program (needs root)\n");
        return;
    }
    const generated g = generate(**btf);
    MESSAGE("items: " << g.items.size() << " (fields " << g.fields << ", bitfields " << g.bitfields << ", types " << g.types
                      << ", enumerators " << g.enums << ", missing " << g.missing << ")");
    CHECK(g.fields + g.bitfields >= 300);
    CHECK(g.bitfields >= 50);
    CHECK(g.types >= 150);
    CHECK(g.enums >= 100);

    char dir[] = "/tmp/ctbpf_core_oracle.XXXXXX";
    REQUIRE(::mkdtemp(dir) != nullptr);
    const std::string c = std::string(dir) + "/oracle.c", o = std::string(dir) + "/oracle.o";
    std::ofstream(c) << g.source;
    const std::string cmd = std::string(CTBPF_CLANG19) + " -target bpf -O2 -g -c " + c + " -o " + o + " 2>" + dir + "/clang.log";
    const int rc = std::system(cmd.c_str());
    if (rc != 0) {
        std::ifstream log(std::string(dir) + "/clang.log");
        std::string l, all;
        for (int k = 0; k < 20 && std::getline(log, l); ++k) all += l + "\n";
        FAIL("clang-19 could not compile the oracle program:\n" << all);
    }
    libbpf_set_print(libbpf_quiet);
    bpf_object* obj = bpf_object__open_file(o.c_str(), nullptr);
    REQUIRE_MESSAGE(libbpf_get_error(obj) == 0, "libbpf cannot open " << o);
    const int err = bpf_object__load(obj);
    REQUIRE_MESSAGE(err == 0, "libbpf cannot load the oracle program: " << err);
    bpf_program* prog = bpf_object__find_program_by_name(obj, "core_oracle");
    REQUIRE(prog != nullptr);
    const std::vector<oracle_value> want = read_back(bpf_program__insns(prog), bpf_program__insn_cnt(prog), g.items.size());

    // ctbpf: one instruction per item, labelled with its relocation
    using namespace ctbpf::syntax;
    ctbpf::program p;
    for (const item& it : g.items) {
        p += label(it.label);
        if (it.load) p += (r1 = mem<u64>(r2 + 0));
        else if (it.kind == 7 || it.kind == 11) p += (r1 = imm64(0));
        else p += (r1 = 0);
    }
    p += exit_();
    ctbpf::sys::assembled_program a;
    REQUIRE(ctbpf::try_assemble(p, a.insns, &a.map_names, &a.slots).ok());
    auto r = ctbpf::sys::core_relocate(a.image(), **btf);
    REQUIRE_MESSAGE(r, (r ? "" : r.error().describe()));

    std::size_t compared = 0, unread = 0, differ = 0;
    std::map<int, std::size_t> per_kind;
    std::size_t at = 0;
    for (std::size_t i = 0; i < g.items.size(); ++i) {
        const item& it = g.items[i];
        const bpf_insn& x = r->insns[at];
        at += x.code == 0x18 ? 2 : 1;
        if (!want[i].found) {
            ++unread;
            continue;
        }
        std::uint64_t mine = 0;
        if (it.load) {
            mine = static_cast<std::uint64_t>(x.off); // bitfield_load: libbpf's BYTE_OFFSET (its size: below)
        } else if (x.code == 0x18) {
            mine = static_cast<std::uint32_t>(x.imm) | std::uint64_t{static_cast<std::uint32_t>(r->insns[at - 1].imm)} << 32;
        } else {
            mine = static_cast<std::uint64_t>(static_cast<std::int64_t>(x.imm));
        }
        std::uint64_t theirs = want[i].value;
        if (x.code != 0x18 && !it.load) theirs = static_cast<std::uint64_t>(static_cast<std::int64_t>(static_cast<std::int32_t>(theirs)));
        ++compared;
        ++per_kind[it.kind];
        if (mine != theirs) {
            ++differ;
            if (differ <= 20) FAIL_CHECK(it.label << ": ctbpf " << mine << ", libbpf " << theirs << "   (" << it.c << ")");
        }
    }
    // the bitfield loads' sizes equal libbpf's FIELD_BYTE_SIZE of the same field
    std::size_t at2 = 0, sizes = 0;
    for (std::size_t i = 0; i < g.items.size(); ++i) {
        const bpf_insn& x = r->insns[at2];
        at2 += x.code == 0x18 ? 2 : 1;
        if (!g.items[i].load || i + 1 >= g.items.size() || !want[i + 1].found) continue;
        const std::uint64_t size = (x.code & 0x18) == 0x18 ? 8 : (x.code & 0x18) == 0x10 ? 1 : (x.code & 0x18) == 0x08 ? 2 : 4;
        CHECK_MESSAGE(size == want[i + 1].value, g.items[i].label);
        ++sizes;
    }
    std::string kinds;
    for (auto [k, n] : per_kind) kinds += " kind" + std::to_string(k) + "=" + std::to_string(n);
    std::printf("core_libbpf_test: %zu relocations compared with libbpf's (%zu unread), %zu differ;%s; %zu bitfield load sizes\n",
                compared, unread, differ, kinds.c_str(), sizes);
    CHECK(differ == 0);
    CHECK(unread == 0);
    CHECK(g.items.size() < 4096);
    bpf_object__close(obj);
    std::remove(c.c_str());
    std::remove(o.c_str());
    std::remove((std::string(dir) + "/clang.log").c_str());
    ::rmdir(dir);
}
