// The compile-time walk's budget: programs whose walk is long (loops that never repeat a state,
// nested loops, loops through helper calls, null checks and subprograms) assemble at compile time
// with the compilers' default limits; where the walk ends early the verdict is "left to the
// kernel" (exploration budget), never a constexpr step-limit error. Run time: the same programs
// with the full budget, and how far the compile-time walk got.
#include <ctbpf.hpp>
#include <doctest/doctest.h>

#include <cstdio>

namespace {

using namespace ctbpf::syntax;

// r0 grows forever: no state repeats, the kernel gives up after a million instructions
constexpr auto grows = [] {
    return program{
        r0 = 0,
    label("L"),
        r0 += 1,
        goto_("L"),
    };
};

// 1000 x 1000 iterations
constexpr auto nested = [] {
    return program{
        r6 = 0,
    label("outer"),
        r7 = 0,
    label("inner"),
        r7 += 1,
        if_(r7 < 1000).goto_("inner"),
        r6 += 1,
        if_(r6 < 1000).goto_("outer"),
        r0 = 0,
        exit_(),
    };
};

// a helper call, a map lookup and a null check in every round
constexpr auto lookups = [] {
    return program{
        r6 = 0,
    label("top"),
        mem<u32>(r10 - 4) = w6,
        r2 = r10,
        r2 += -4,
        r1 = map("m"),
        call(helper::map_lookup_elem),
        if_(r0 == 0).goto_("next"),
        r1 = mem<u64>(r0 + 0),
    label("next"),
        call(helper::get_prandom_u32),
        r6 += 1,
        if_(r6 < 100000).goto_("top"),
        r0 = 0,
        exit_(),
    };
};

// a subprogram called in a loop
constexpr auto calls = [] {
    return program{
        r6 = 0,
    label("top"),
        r1 = r6,
        call("f"),
        r6 += 1,
        if_(r6 < 100000).goto_("top"),
        r0 = 0,
        exit_(),
    label("f"),
        r0 = r1,
        r0 += 1,
        exit_(),
    };
};

// scalars the model knows as the kernel does (tnum and bounds): ALU, copies linked by id, spills,
// 32-bit and signed comparisons that fork with refined values on both sides, in every round
constexpr auto scalars = [] {
    return program{
        call(helper::get_prandom_u32),
        r6 = r0,
        r6 &= 0xffff,
        r7 = 0,
    label("top"),
        r8 = r6,
        r6 += 3,
        r6 *= 5,
        r6 ^= r7,
        r6 >>= 1,
        w6 += 0,
        mem<u64>(r10 - 8) = r8,
        if_(r8 > 1000).goto_("skip"),
        r6 += r8,
    label("skip"),
        if_(s(w6) < 7).goto_("low"),
        r6 |= 0x10,
    label("low"),
        if_(r6 < r8).goto_("next"),
        r6 -= r8,
    label("next"),
        r7 += 1,
        if_(r7 < 100000).goto_("top"),
        r0 = 0,
        exit_(),
    };
};

constexpr auto grows_v = ctbpf::assemble<grows>();
constexpr auto scalars_v = ctbpf::assemble<scalars>();
constexpr auto nested_v = ctbpf::assemble<nested>();
constexpr auto lookups_v = ctbpf::assemble<lookups>();
constexpr auto calls_v = ctbpf::assemble<calls>();
static_assert(grows_v.size() == 3 && nested_v.size() == 8 && lookups_v.size() == 14 && calls_v.size() == 10);

// the compile-time verdicts: accepted, with what was left to the kernel
template <auto F>
constexpr ctbpf::check_result at_compile_time() {
    const auto code = ctbpf::assemble<F, ctbpf::unchecked>();
    return ctbpf::check(code);
}
constexpr auto grows_r = at_compile_time<grows>();
constexpr auto nested_r = at_compile_time<nested>();
constexpr auto scalars_r = at_compile_time<scalars>();
static_assert(scalars_r.ok() && !scalars_r.complete());
static_assert(grows_r.ok() && grows_r.deferred == ctbpf::deferral::exploration_budget && grows_r.walk_stopped);
static_assert(nested_r.ok() && !nested_r.complete());

} // namespace

TEST_CASE("the compile-time budget ends long walks with a deferral; run time walks further") {
    const auto report = [](const char* name, const auto& code, const ctbpf::check_result& ct) {
        const ctbpf::check_result rt = ctbpf::check(code);
        std::printf("  %-8s compile time: %u instructions simulated (%s); run time: %u (%s)\n", name, ct.visits,
                    std::string(ctbpf::to_string(ct.deferred)).c_str(), rt.visits,
                    std::string(ctbpf::to_string(rt.deferred)).c_str());
        CHECK(rt.ok());
        CHECK(rt.visits >= ct.visits);
    };
    std::puts("compile-time budget (default constexpr limits of every compiler in CI):");
    report("grows", grows_v, grows_r);
    report("nested", nested_v, nested_r);
    report("scalars", scalars_v, scalars_r);
    CHECK(grows_r.visits > 1000);
}
