// libbpf as the oracle for ctbpf's BTF reader on the running kernel's vmlinux BTF: type count,
// name lookups (btf__find_by_name_kind), every member's bit offset and bitfield size
// (btf_members, btf_member_bit_offset, btf_member_bitfield_size), sizes (btf__resolve_size), and
// CO-RE field paths — member paths walked with libbpf, through anonymous structs/unions and into
// nested structs — against ctbpf::btf::find_field / sys::core_field_offset.
// libbpf is linked into this test only (libbpf-dev); ctbpf does not depend on it.
#include <ctbpf/btf.hpp>
#include <ctbpf/sys/btf.hpp>

#include <doctest/doctest.h>

#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include <chrono>
#include <cstdio>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace cb = ctbpf::btf;

namespace {

struct oracle_path {
    std::uint32_t root = 0; // libbpf type id of the root struct
    std::vector<std::string> names;
    std::uint32_t bit_offset = 0;
    std::uint32_t bitfield_size = 0;
    std::uint32_t member_type = 0;
};

const btf_type* skip_mods_typedefs(const struct btf* b, std::uint32_t id, std::uint32_t* out) {
    const btf_type* t = btf__type_by_id(b, id);
    while (t && (btf_is_mod(t) || btf_is_typedef(t))) {
        id = t->type;
        t = btf__type_by_id(b, id);
    }
    if (out) *out = id;
    return t;
}

// All member paths of `id` from libbpf's view: named members (their paths), anonymous composites
// flattened, named composites descended into up to `depth` more levels.
void collect(const struct btf* b, std::uint32_t root, std::uint32_t id, std::uint32_t base, std::vector<std::string>& prefix,
             int depth, std::vector<oracle_path>& out) {
    const btf_type* t = btf__type_by_id(b, id);
    const btf_member* m = btf_members(t);
    for (int i = 0; i < btf_vlen(t); ++i, ++m) {
        const std::uint32_t off = base + btf_member_bit_offset(t, static_cast<std::uint32_t>(i));
        const char* name = btf__name_by_offset(b, m->name_off);
        std::uint32_t sub_id = 0;
        const btf_type* sub = skip_mods_typedefs(b, m->type, &sub_id);
        if (!name || !*name) {
            if (sub && btf_is_composite(sub)) collect(b, root, sub_id, off, prefix, depth, out);
            continue;
        }
        prefix.push_back(name);
        out.push_back({root, prefix, off, btf_member_bitfield_size(t, static_cast<std::uint32_t>(i)), m->type});
        if (depth > 0 && sub && btf_is_composite(sub)) collect(b, root, sub_id, off, prefix, depth - 1, out);
        prefix.pop_back();
    }
}

} // namespace

TEST_CASE("vmlinux BTF: ctbpf's reader equals libbpf's") {
    struct btf* lb = btf__load_vmlinux_btf();
    if (!lb) {
        MESSAGE("SKIP: libbpf cannot load vmlinux BTF");
        std::printf("SKIP: libbpf cannot load vmlinux BTF\n");
        return;
    }
    auto mine_r = ctbpf::sys::read_btf(ctbpf::sys::vmlinux_btf_path);
    REQUIRE_MESSAGE(mine_r, (mine_r ? std::string() : mine_r.error().describe()));
    const cb::blob& mine = **mine_r;
    CHECK(btf__type_cnt(lb) == mine.end_id());

    // names of structs and unions, and how many composites carry each name
    std::map<std::string, int> composite_names;
    const std::uint32_t n = btf__type_cnt(lb);
    for (std::uint32_t id = 1; id < n; ++id) {
        const btf_type* t = btf__type_by_id(lb, id);
        if (btf_is_composite(t) && t->name_off) composite_names[btf__name_by_offset(lb, t->name_off)]++;
    }

    std::size_t types_checked = 0, members_checked = 0, sizes_checked = 0, lookups_checked = 0;
    // every type: kind, name, size; every member of every struct/union
    for (std::uint32_t id = 1; id < n; ++id) {
        const btf_type* t = btf__type_by_id(lb, id);
        const auto my = mine.type_by_id(id);
        REQUIRE(my);
        CHECK(static_cast<unsigned>(my->kind) == btf_kind(t));
        CHECK(my->name == std::string_view(btf__name_by_offset(lb, t->name_off)));
        const long long s = btf__resolve_size(lb, id);
        const auto ms = mine.resolve_size(id);
        if (s >= 0) {
            CHECK_MESSAGE(ms == static_cast<std::uint64_t>(s), "type " << id);
        } else {
            CHECK_MESSAGE(!ms, "type " << id << ": libbpf says no size");
        }
        ++sizes_checked;
        ++types_checked;
        if (!btf_is_composite(t)) continue;
        const auto members = mine.members(id);
        REQUIRE(members.size() == btf_vlen(t));
        const btf_member* m = btf_members(t);
        for (std::uint32_t i = 0; i < btf_vlen(t); ++i, ++m) {
            CHECK(members[i].bit_offset == btf_member_bit_offset(t, i));
            CHECK(members[i].bitfield_size == btf_member_bitfield_size(t, i));
            CHECK(members[i].type == m->type);
            CHECK(members[i].name == std::string_view(btf__name_by_offset(lb, m->name_off)));
            ++members_checked;
        }
    }
    // lookups by name and kind
    for (const auto& entry : composite_names) {
        const std::string& name = entry.first;
        for (cb::kind k : {cb::kind::struct_, cb::kind::union_}) {
            const int want = btf__find_by_name_kind(lb, name.c_str(), static_cast<std::uint32_t>(k));
            const auto got = mine.find(name, k);
            if (want > 0) {
                CHECK_MESSAGE(got == static_cast<std::uint32_t>(want), name);
            } else {
                CHECK_MESSAGE(!got, name);
            }
            ++lookups_checked;
        }
    }
    for (const char* f : {"do_sys_openat2", "schedule", "vfs_read", "__x64_sys_getpid"}) {
        const int want = btf__find_by_name_kind(lb, f, BTF_KIND_FUNC);
        const auto got = ctbpf::sys::btf_function_id(f, *mine_r);
        if (want > 0) {
            CHECK(got.value() == static_cast<std::uint32_t>(want));
        } else {
            CHECK(!got);
        }
        ++lookups_checked;
    }

    // CO-RE field paths: libbpf walks the members; ctbpf finds each path by name
    std::vector<oracle_path> paths;
    for (const auto& entry : composite_names) {
        const std::string& name = entry.first;
        const int count = entry.second;
        if (count != 1 || name.find("___") != std::string::npos) continue; // one candidate: no ambiguity
        int id = btf__find_by_name_kind(lb, name.c_str(), BTF_KIND_STRUCT);
        if (id <= 0) id = btf__find_by_name_kind(lb, name.c_str(), BTF_KIND_UNION);
        if (id <= 0) continue;
        std::vector<std::string> prefix;
        collect(lb, static_cast<std::uint32_t>(id), static_cast<std::uint32_t>(id), 0, prefix, 2, paths);
    }
    std::size_t paths_checked = 0, through_anonymous = 0, nested = 0, offsets_checked = 0, field_sizes_checked = 0;
    for (const oracle_path& p : paths) {
        // a nested name that also exists higher up could be found on another path: libbpf would
        // need the explicit path too; these are still unique within their own level
        std::vector<std::string_view> path(p.names.begin(), p.names.end());
        const std::string root = btf__name_by_offset(lb, btf__type_by_id(lb, p.root)->name_off);
        std::string why;
        const auto f = cb::find_field(mine, root, path, why);
        REQUIRE_MESSAGE(f, root << ": " << why);
        CHECK_MESSAGE(f->bit_offset == p.bit_offset, root << " path of " << p.names.size());
        CHECK(f->bitfield_size == p.bitfield_size);
        CHECK(f->member_type == p.member_type);
        const long long sz = btf__resolve_size(lb, p.member_type);
        if (sz >= 0) {
            CHECK(f->byte_size == static_cast<std::uint64_t>(sz));
            ++field_sizes_checked;
        }
        if (p.bitfield_size == 0 && p.bit_offset % 8 == 0) {
            CHECK(ctbpf::sys::core_field_offset(mine, root, path).value() == p.bit_offset / 8);
            ++offsets_checked;
        }
        ++paths_checked;
        if (p.names.size() > 1) ++nested;
        // through an anonymous member: the parent (root or previous named member) does not list it directly
        {
            const std::uint32_t parent = p.names.size() == 1 ? p.root : 0;
            if (parent) {
                bool direct = false;
                for (const cb::member& m : mine.members(parent))
                    if (m.name == p.names[0]) direct = true;
                if (!direct) ++through_anonymous;
            }
        }
    }
    std::printf("btf vs libbpf: %zu types (kind, name, btf__resolve_size), %zu members (bit offset, bitfield size, "
                "type), %zu lookups by name and kind\n",
                types_checked, members_checked, lookups_checked);
    std::printf("btf vs libbpf: %zu member paths (%zu nested, %zu top-level through anonymous structs/unions), "
                "%zu CO-RE byte offsets, %zu field sizes\n",
                paths_checked, nested, through_anonymous, offsets_checked, field_sizes_checked);
    (void)sizes_checked;
    // how long reading and indexing vmlinux BTF takes, ctbpf and libbpf (best of 3; no limit asserted)
    using clk = std::chrono::steady_clock;
    double ours = 1e9, theirs = 1e9;
    for (int i = 0; i < 3; ++i) {
        auto t0 = clk::now();
        auto r = ctbpf::sys::read_btf(ctbpf::sys::vmlinux_btf_path);
        auto t1 = clk::now();
        struct btf* again = btf__load_vmlinux_btf();
        auto t2 = clk::now();
        CHECK(r.ok());
        // libbpf indexes names lazily, at the first lookup: include one
        CHECK(btf__find_by_name_kind(again, "task_struct", BTF_KIND_STRUCT) > 0);
        auto t3 = clk::now();
        btf__free(again);
        ours = std::min(ours, std::chrono::duration<double, std::milli>(t1 - t0).count());
        theirs = std::min(theirs, std::chrono::duration<double, std::milli>((t2 - t0) - (t1 - t0) + (t3 - t2)).count());
    }
    // lookups by name and kind: 1000 of the last struct's name (libbpf 1.1 scans the types)
    const std::string last_name = composite_names.rbegin()->first;
    auto t0 = clk::now();
    int hits = 0;
    for (int i = 0; i < 1000; ++i) hits += btf__find_by_name_kind(lb, last_name.c_str(), BTF_KIND_STRUCT) > 0;
    auto t1 = clk::now();
    for (int i = 0; i < 1000; ++i) hits += mine.find(last_name, cb::kind::struct_).has_value();
    auto t2 = clk::now();
    std::printf("reading and indexing vmlinux BTF: ctbpf %.1f ms, libbpf %.1f ms (load + first name lookup); 1000 lookups "
                "by name and kind: ctbpf %.3f ms, libbpf %.1f ms\n",
                ours, theirs, std::chrono::duration<double, std::milli>(t2 - t1).count(),
                std::chrono::duration<double, std::milli>(t1 - t0).count());
    (void)hits;
    CHECK(paths_checked >= 1000);
    CHECK(through_anonymous >= 100);
    btf__free(lb);
}
