// Map declarations (ctbpf/map_decl.hpp): their shapes, and check() seeing them through
// assemble<F, O, maps...>() / check<F, O, maps...>() at compile time and through
// check(program, options, maps) / assemble(program, options, maps) at run time: a lookup without
// a null check, a map value read out of bounds, a stack pointer given as the map are rejected
// with the kernel's messages; undeclared maps stay left to the kernel.
#include <ctbpf.hpp>
#include <doctest/doctest.h>

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

using namespace ctbpf::syntax;
using ctbpf::errc;
using ctbpf::map_type;

namespace {

struct flow {
    std::uint32_t saddr, daddr;
    std::uint16_t sport, dport;
};

inline constexpr auto counts = ctbpf::hash_map<"counts", std::uint32_t, std::uint64_t>(1024);
inline constexpr auto flows = ctbpf::lru_hash_map<"flows", flow, std::uint64_t>(4096, 0);
inline constexpr auto config = ctbpf::array_map<"config", std::uint64_t>(4, ctbpf::map_rdonly_prog);
inline constexpr auto per_cpu = ctbpf::percpu_array_map<"per_cpu", std::uint32_t>(2);
inline constexpr auto events = ctbpf::ringbuf_map<"events">(1u << 16);
inline constexpr auto jumps = ctbpf::prog_array_map<"jumps">(8);
inline constexpr auto raw = ctbpf::declare_map<"raw", ctbpf::opaque<6>, ctbpf::opaque<20>>(map_type::hash, 16);
inline constexpr auto queue = ctbpf::declare_map<"queue", void, std::uint64_t>(map_type::queue, 64);

// The shapes BPF_MAP_CREATE gets.
static_assert(counts.shape().type == map_type::hash && counts.shape().key_size == 4 && counts.shape().value_size == 8 &&
              counts.shape().max_entries == 1024 && counts.shape().flags == 0 && counts.shape().fd == -1);
static_assert(decltype(counts)::name == "counts");
static_assert(flows.shape().type == map_type::lru_hash && flows.shape().key_size == sizeof(flow));
static_assert(config.shape().type == map_type::array && config.shape().key_size == 4 &&
              config.shape().flags == ctbpf::map_rdonly_prog);
static_assert(per_cpu.is_percpu() && per_cpu.shape().value_size == 4);
static_assert(events.shape().type == map_type::ringbuf && events.shape().key_size == 0 &&
              events.shape().value_size == 0 && events.shape().max_entries == 65536);
static_assert(jumps.shape().type == map_type::prog_array && jumps.shape().key_size == 4 && jumps.shape().value_size == 4);
static_assert(raw.shape().key_size == 6 && raw.shape().value_size == 20);
static_assert(queue.shape().key_size == 0 && queue.shape().value_size == 8);
static_assert(static_cast<ctbpf::named_map_shape>(counts).name == "counts");

// lookup counts[key 0] and add 1 to the value, with or without the null check
constexpr auto count_checked = [] {
    return program{
        mem<u32>(r10 - 4) = 0,
        r2 = r10,
        r2 += -4,
        r1 = map("counts"),
        call(helper::map_lookup_elem),
        if_(r0 == 0).goto_("out"),
        r1 = 1,
        lock(mem<u64>(r0 + 0)) += r1,
    label("out"),
        r0 = 0,
        exit_(),
    };
};
constexpr unsigned unchecked_line = __LINE__ + 9;
constexpr auto count_unchecked = [] {
    return program{
        mem<u32>(r10 - 4) = 0,
        r2 = r10,
        r2 += -4,
        r1 = map("counts"),
        call(helper::map_lookup_elem),
        r1 = 1,
        lock(mem<u64>(r0 + 0)) += r1,
        r0 = 0,
        exit_(),
    };
};

// Declared: the missing null check is the kernel's rejection, at compile time.
constexpr ctbpf::check_result unchecked_verdict = ctbpf::check<count_unchecked, ctbpf::options{}, counts>();
static_assert(unchecked_verdict.code == errc::pointer_may_be_null);
static_assert(unchecked_verdict.message() == "R0 invalid mem access 'map_value_or_null'");
static_assert(unchecked_verdict.index == 7 && unchecked_verdict.line == unchecked_line);
// Undeclared: left to the kernel, as before.
static_assert(ctbpf::check<count_unchecked>().ok());
static_assert(ctbpf::check<count_unchecked>().deferred == ctbpf::deferral::kernel_object);
// With the null check it assembles, with other declared maps the program does not use.
constexpr auto checked_code = ctbpf::assemble<count_checked, ctbpf::options{}, config, counts, events, flows>();
static_assert(checked_code.size() == 11);
static_assert(ctbpf::check<count_checked, ctbpf::options{}, counts>().ok());
// The bytes do not depend on the declarations.
static_assert(ctbpf::same_insn(checked_code[3], ctbpf::assemble<count_checked, ctbpf::unchecked>()[3]));

// A map_list gives several declarations at once (and may be mixed with single ones).
inline constexpr ctbpf::map_list<counts, config> shared_maps{};
static_assert(ctbpf::check<count_unchecked, ctbpf::options{}, shared_maps>().code == errc::pointer_may_be_null);
static_assert(ctbpf::check<count_unchecked, ctbpf::options{}, events, shared_maps>().code == errc::pointer_may_be_null);

// read 8 bytes at offset 4 of an 8-byte value
constexpr auto read_past_value = [] {
    return program{
        mem<u32>(r10 - 4) = 0,
        r2 = r10,
        r2 += -4,
        r1 = map("counts"),
        call(helper::map_lookup_elem),
        if_(r0 == 0).goto_("out"),
        r0 = mem<u64>(r0 + 4),
    label("out"),
        r0 = 0,
        exit_(),
    };
};
constexpr ctbpf::check_result past_verdict = ctbpf::check<read_past_value, ctbpf::options{}, counts>();
static_assert(past_verdict.code == errc::map_value_access_is_out_of_bounds && past_verdict.index == 7);
static_assert(past_verdict.message() == "R0 min value is outside of the allowed memory range");
static_assert(past_verdict.label == "");
static_assert(ctbpf::check<read_past_value>().ok());

// a stack pointer where the map goes
constexpr auto stack_as_map = [] {
    return program{
        mem<u32>(r10 - 4) = 0,
        r2 = r10,
        r2 += -4,
        r1 = r10,
        r1 += -8,
        call(helper::map_lookup_elem),
        r0 = 0,
        exit_(),
    };
};
static_assert(ctbpf::check<stack_as_map, ctbpf::options{}, counts>().code == errc::helper_argument_has_the_wrong_type);
static_assert(ctbpf::check<stack_as_map, ctbpf::options{}, counts>().message() == "R1 type=fp expected=map_ptr");

// a 2-byte key for a map of 4-byte keys
constexpr auto short_key = [] {
    return program{
        mem<u16>(r10 - 2) = 0,
        r2 = r10,
        r2 += -2,
        r1 = map("counts"),
        call(helper::map_lookup_elem),
        r0 = 0,
        exit_(),
    };
};
static_assert(ctbpf::check<short_key, ctbpf::options{}, counts>().code == errc::helper_memory_argument_is_invalid);
static_assert(ctbpf::check<short_key, ctbpf::options{}, counts>().message() == "invalid read from stack R2 off=-2 size=4");
static_assert(ctbpf::check<short_key>().ok());

// The shapes check() is given, in the program's map index order (first use).
constexpr auto two_maps = [] {
    return program{
        r1 = map("flows"),
        r1 = map("counts"),
        r1 = map("nobody_declared"),
        r0 = 0,
        exit_(),
    };
};
static_assert(ctbpf::map_names<two_maps>().size() == 3 && ctbpf::map_names<two_maps>()[0] == "flows");
constexpr auto two_shapes = ctbpf::map_shapes<two_maps, counts, flows>();
static_assert(two_shapes[0].type == map_type::lru_hash && two_shapes[1].type == map_type::hash);
static_assert(two_shapes[2].type == map_type::unspec); // left to the kernel
static_assert(ctbpf::check<two_maps, ctbpf::options{}, counts, flows>().ok());

// Program-type options and declarations together.
inline constexpr ctbpf::options xdp{.type = ctbpf::prog_type::xdp};
constexpr auto xdp_count = [] {
    return program{
        mem<u32>(r10 - 4) = 0,
        r2 = r10,
        r2 += -4,
        r1 = map("counts"),
        call(helper::map_lookup_elem),
        w1 = XDP_PASS,
        if_(r0 == 0).goto_("out"),
        w1 = mem<u32>(r0 + 0),
    label("out"),
        w0 = w1,
        exit_(),
    };
};
static_assert(ctbpf::assemble<xdp_count, xdp, counts>().size() == 11);

} // namespace

TEST_CASE("compile-time verdicts with declared maps") {
    CHECK(unchecked_verdict.code == errc::pointer_may_be_null);
    CHECK(unchecked_verdict.message() == "R0 invalid mem access 'map_value_or_null'");
    CHECK(past_verdict.code == errc::map_value_access_is_out_of_bounds);
}

TEST_CASE("run-time check and assemble take declarations by name") {
    const ctbpf::program unchecked = count_unchecked();
    ctbpf::check_result r = ctbpf::check(unchecked, {}, {counts, config});
    CHECK(r.code == errc::pointer_may_be_null);
    CHECK(r.index == 7);
    CHECK(r.line == unchecked_line);
    CHECK(r.message() == "R0 invalid mem access 'map_value_or_null'");
    CHECK(ctbpf::check(unchecked, {}).ok());                                  // undeclared: deferred
    CHECK(ctbpf::check(unchecked, {}, {config}).ok());                        // another map declared only
    CHECK(ctbpf::check(count_checked(), {}, {counts}).ok());
    CHECK(ctbpf::check(read_past_value(), {}, {counts}).code == errc::map_value_access_is_out_of_bounds);

    // the same verdict as at compile time
    CHECK(ctbpf::check(stack_as_map(), {}, {counts}).message() == "R1 type=fp expected=map_ptr");

    // a span of run-time declarations (e.g. read from a configuration)
    std::vector<ctbpf::named_map_shape> decls{counts, flows};
    decls.push_back({"extra", {map_type::array, 4, 16, 1, 0, -1}});
    CHECK(ctbpf::check(unchecked, {}, decls).code == errc::pointer_may_be_null);

    CHECK_THROWS_AS(ctbpf::assemble(unchecked, {}, {counts}), ctbpf::verifier_error);
    CHECK(ctbpf::assemble(unchecked, {}).size() == 10);
    CHECK(ctbpf::assemble(unchecked, ctbpf::unchecked, {counts}).size() == 10);
    const std::vector<bpf_insn> code = ctbpf::assemble(count_checked(), {}, {counts});
    REQUIRE(code.size() == checked_code.size());
    for (std::size_t i = 0; i < code.size(); ++i) CHECK(ctbpf::same_insn(code[i], checked_code[i]));

    try {
        (void)ctbpf::assemble(unchecked, {}, {counts});
    } catch (const ctbpf::verifier_error& e) {
        CHECK(std::string(e.what()).find("insn 7: R0 invalid mem access 'map_value_or_null'") == 0);
    }
}

TEST_CASE("two run-time declarations of one name are an error") {
    const ctbpf::named_map_shape twice[] = {counts, {"counts", {map_type::array, 4, 8, 1, 0, -1}}};
    CHECK_THROWS_AS(ctbpf::check(count_checked(), {}, twice), ctbpf::exception);
}
