// The generated helper table (include/ctbpf/helper_table.hpp, from Linux 6.18's uapi bpf.h by
// tools/gen_helpers.py): an oracle test against this system's <linux/bpf.h>, plus the table's
// own invariants. The table is included first so that it is also checked to stand alone.
#include <ctbpf/helper_table.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#if defined(__has_include)
#if __has_include(<linux/bpf.h>)
#include <linux/bpf.h>
#endif
#endif

#include <doctest/doctest.h>

namespace {

using ctbpf::find_helper;
using ctbpf::helper;
using ctbpf::helper_info;
using ctbpf::helper_max_id;
using ctbpf::helper_table;

constexpr int id(helper h) { return static_cast<int>(h); }

// ---------------------------------------------------------------------------------------------
// Compile-time checks of the table itself.

static_assert(helper_max_id == 211, "Linux 6.18 knows helper ids 0..211");
static_assert(sizeof(helper_table) / sizeof(helper_table[0]) == helper_max_id + 1);
static_assert(id(helper::unspec) == 0);
static_assert(id(helper::map_lookup_elem) == 1);
static_assert(id(helper::trace_printk) == 6);
static_assert(id(helper::tail_call) == 12);
static_assert(id(helper::user_ringbuf_drain) == 209);  // the last helper Linux 6.1 knows
static_assert(id(helper::cgrp_storage_get) == 210);
static_assert(id(helper::cgrp_storage_delete) == 211);  // the last helper of all: the list is frozen

// Argument counts, as the bpf-helpers(7) man page documents them.
static_assert(find_helper(helper::map_lookup_elem)->arg_count == 2);
static_assert(find_helper(helper::map_update_elem)->arg_count == 4);
static_assert(find_helper(helper::ktime_get_ns)->arg_count == 0);
static_assert(find_helper(helper::tail_call)->arg_count == 3);
// long bpf_trace_printk(const char *fmt, u32 fmt_size, ...): a variadic helper counts its named
// parameters, which are what the kernel verifier checks (r3..r5 are optional).
static_assert(find_helper(helper::trace_printk)->arg_count == 2);
static_assert(find_helper(helper::perf_event_output)->arg_count == 5);
static_assert(find_helper(helper::get_prandom_u32)->arg_count == 0);
static_assert(find_helper(helper::cgrp_storage_delete)->arg_count == 2);
static_assert(find_helper(helper::unspec)->arg_count == 0);
static_assert(find_helper(helper::unspec)->signature.empty());

static_assert(find_helper(-1) == nullptr);
static_assert(find_helper(helper_max_id + 1) == nullptr);
static_assert(find_helper(0) == &helper_table[0]);
static_assert(find_helper(helper_max_id)->name == "cgrp_storage_delete");

// Every entry: a name, a signature naming bpf_<name>( (except unspec), 0..5 arguments, and the
// argument count agreeing with the commas of the signature. Names are unique.
constexpr bool entry_ok(std::size_t i) {
    const helper_info& h = helper_table[i];
    if (h.name.empty() || h.arg_count < 0 || h.arg_count > 5) return false;
    if (i == 0) return h.name == "unspec" && h.signature.empty() && h.arg_count == 0;
    const std::string_view sig = h.signature;
    const std::size_t open = sig.find('(');
    if (open == std::string_view::npos || sig.back() != ')') return false;
    // "... bpf_<name>(" directly before the parenthesis
    const std::size_t name_at = open - h.name.size();
    if (open < h.name.size() + 4 || sig.substr(name_at, h.name.size()) != h.name ||
        sig.substr(name_at - 4, 4) != "bpf_")
        return false;
    const std::string_view args = sig.substr(open + 1, sig.size() - open - 2);
    int params = 0;
    if (args != "void") {
        params = 1;
        for (char c : args) params += c == ',';
        if (args.size() >= 3 && args.substr(args.size() - 3) == "...") --params;  // variadic
    }
    return params == h.arg_count;
}

constexpr bool all_entries_ok() {
    for (std::size_t i = 0; i <= static_cast<std::size_t>(helper_max_id); ++i) {
        if (!entry_ok(i)) return false;
        for (std::size_t j = 0; j < i; ++j)
            if (helper_table[j].name == helper_table[i].name) return false;
    }
    return true;
}
static_assert(all_entries_ok());

// ---------------------------------------------------------------------------------------------
// The oracle: every helper this system's <linux/bpf.h> knows has the same id and name here.

#if defined(__BPF_FUNC_MAPPER)
#define CTBPF_TEST_HAVE_SYSTEM_HELPERS 1

struct system_helper {
    std::string_view name;  // stringized FN argument
    int kernel_id;          // BPF_FUNC_<name> from <linux/bpf.h>
    int ctbpf_id;           // ctbpf::helper::<name>
};

// Old headers (Linux < 6.2) define __BPF_FUNC_MAPPER(FN) as FN(name), FN(name), ...; newer ones
// keep it as a compatibility macro with the same shape. Either way FN sees the bare name.
#define CTBPF_SYSTEM_HELPER(name) system_helper{#name, BPF_FUNC_##name, static_cast<int>(ctbpf::helper::name)}
constexpr system_helper system_helpers[] = {__BPF_FUNC_MAPPER(CTBPF_SYSTEM_HELPER)};
#undef CTBPF_SYSTEM_HELPER

constexpr std::size_t system_helper_count = sizeof(system_helpers) / sizeof(system_helpers[0]);
static_assert(system_helper_count == static_cast<std::size_t>(__BPF_FUNC_MAX_ID));
static_assert(system_helper_count <= static_cast<std::size_t>(helper_max_id) + 1,
              "this system's <linux/bpf.h> knows helpers newer than the generated table");

constexpr bool system_helpers_match() {
    for (std::size_t i = 0; i < system_helper_count; ++i) {
        const system_helper& s = system_helpers[i];
        if (s.kernel_id != static_cast<int>(i) || s.ctbpf_id != s.kernel_id) return false;
        if (helper_table[s.kernel_id].name != s.name) return false;
    }
    return true;
}
static_assert(system_helpers_match());
#endif

}  // namespace

TEST_CASE("helper enumerators equal the system's BPF_FUNC_* ids and the table names") {
#if defined(CTBPF_TEST_HAVE_SYSTEM_HELPERS)
    REQUIRE(system_helper_count >= 2);
    for (const system_helper& s : system_helpers) {
        CAPTURE(std::string(s.name));
        CHECK(s.ctbpf_id == s.kernel_id);
        REQUIRE(find_helper(s.kernel_id) != nullptr);
        CHECK(find_helper(s.kernel_id)->name == s.name);
    }
    MESSAGE("checked " << system_helper_count << " helpers of this system's <linux/bpf.h> (ids 0.."
                       << system_helper_count - 1 << ")");
#else
    MESSAGE("no <linux/bpf.h> with __BPF_FUNC_MAPPER here: the oracle part is skipped");
#endif
    CHECK(id(helper::map_lookup_elem) == 1);
#if defined(CTBPF_TEST_HAVE_SYSTEM_HELPERS)
    CHECK(id(helper::map_lookup_elem) == BPF_FUNC_map_lookup_elem);
    CHECK(id(helper::tail_call) == BPF_FUNC_tail_call);
    CHECK(id(helper::trace_printk) == BPF_FUNC_trace_printk);
#endif
}

TEST_CASE("helper table: ids 0..211 are contiguous, named and counted") {
    CHECK(helper_max_id == 211);
    for (int i = 0; i <= helper_max_id; ++i) {
        CAPTURE(i);
        const helper_info* h = find_helper(i);
        REQUIRE(h != nullptr);
        CHECK(h == &helper_table[i]);
        CHECK(!h->name.empty());
        CHECK(h->arg_count >= 0);
        CHECK(h->arg_count <= 5);
        CHECK(h->signature.empty() == (i == 0));
    }
    CHECK(find_helper(-1) == nullptr);
    CHECK(find_helper(helper_max_id + 1) == nullptr);
    CHECK(find_helper(INT32_MIN) == nullptr);
    CHECK(find_helper(INT32_MAX) == nullptr);
}

TEST_CASE("helper argument counts of well-known helpers") {
    struct expected {
        helper h;
        std::string_view name;
        int args;
    };
    constexpr expected known[] = {
        {helper::map_lookup_elem, "map_lookup_elem", 2},
        {helper::map_update_elem, "map_update_elem", 4},
        {helper::map_delete_elem, "map_delete_elem", 2},
        {helper::ktime_get_ns, "ktime_get_ns", 0},
        {helper::trace_printk, "trace_printk", 2},  // named parameters of a variadic helper
        {helper::tail_call, "tail_call", 3},
        {helper::get_current_pid_tgid, "get_current_pid_tgid", 0},
        {helper::perf_event_output, "perf_event_output", 5},
        {helper::ringbuf_output, "ringbuf_output", 4},
        {helper::redirect_map, "redirect_map", 3},
    };
    for (const expected& e : known) {
        CAPTURE(std::string(e.name));
        const helper_info* h = find_helper(e.h);
        REQUIRE(h != nullptr);
        CHECK(h->name == e.name);
        CHECK(h->arg_count == e.args);
    }
    CHECK(find_helper(helper::trace_printk)->signature ==
          "long bpf_trace_printk(const char *fmt, u32 fmt_size, ...)");
    CHECK(find_helper(helper::map_lookup_elem)->signature ==
          "void *bpf_map_lookup_elem(struct bpf_map *map, const void *key)");
}
