// ctbpf::check() at run time on programs of the kernel's maximum size (1,000,000 instructions,
// root) and of the unprivileged maximum (4,096): straight-line code (ALU, stack spills and fills,
// helper calls) and code with a branch on an unknown value every 16 instructions. The
// counters say whether the check was complete (nothing left to the kernel) and how many
// instructions the path walk simulated. Target (issue 3): under 100 ms for 1,000,000. The
// exploration budget (4,000,000 work units + 2 per instruction at run time) bounds the worst case.
#include <ctbpf.hpp>

#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstdio>
#include <vector>

namespace {

using ctbpf::make_insn;

enum class shape { straight, early_exit, joins, joins_constants };

// r6 = r1; r7 = a random byte + 1 (or the constant 1); blocks of 16 instructions; r0 = 0; exit.
// Branchy shapes start each block with r0 = get_prandom_u32() and a branch on it:
//  - early_exit: if r0 > 7 the program returns (a bounds check); the check goes on with one
//    path, as the kernel does;
//  - joins: the branch skips the block's first store and both paths meet again. Explored
//    fall-through first, each branch leaves a state to come back to, and the kernel refuses
//    more than 8,192 of them ("The sequence of 8193 jumps is too complex."), so this shape is
//    measured below that (100,000 instructions, 6,250 branches);
//  - joins_constants: as joins with r7 starting as a constant, so every path holds different
//    spilled constants, which check() compares exactly (the kernel compares imprecise spilled
//    scalars loosely): the paths multiply until the exploration budget stops the walk and the
//    rest is left to the kernel.
std::vector<bpf_insn> make_program(std::uint32_t size, shape s) {
    std::vector<bpf_insn> p;
    p.reserve(size);
    p.push_back(make_insn(0xbf, 6, 1, 0, 0));            // r6 = r1
    if (s == shape::joins_constants) {
        p.push_back(make_insn(0xb7, 7, 0, 0, 1));        // r7 = 1
    } else {
        p.push_back(make_insn(0x85, 0, 0, 0, 7));        // call get_prandom_u32
        p.push_back(make_insn(0xbf, 7, 0, 0, 0));        // r7 = r0
        p.push_back(make_insn(0x57, 7, 0, 0, 255));      // r7 &= 255
        p.push_back(make_insn(0x07, 7, 0, 0, 1));        // r7 += 1
    }
    p.push_back(make_insn(0x7b, 10, 7, -8, 0));          // *(u64 *)(r10 - 8) = r7
    while (p.size() + 16 + 2 <= size) {
        if (s == shape::early_exit) {
            p.push_back(make_insn(0x85, 0, 0, 0, 7));    // call get_prandom_u32
            p.push_back(make_insn(0xa5, 0, 0, 2, 8));    // if r0 < 8 goto +2
            p.push_back(make_insn(0xb7, 0, 0, 0, 0));    // r0 = 0
            p.push_back(make_insn(0x95, 0, 0, 0, 0));    // exit
        } else if (s != shape::straight) {
            p.push_back(make_insn(0x85, 0, 0, 0, 7));    // call get_prandom_u32
            p.push_back(make_insn(0x25, 0, 0, 1, 7));    // if r0 > 7 goto +1
        } else {
            p.push_back(make_insn(0xb7, 0, 0, 0, 7));    // r0 = 7
            p.push_back(make_insn(0x07, 0, 0, 0, 1));    // r0 += 1
        }
        p.push_back(make_insn(0x7b, 10, 7, -8, 0));      // *(u64 *)(r10 - 8) = r7
        p.push_back(make_insn(0x79, 2, 10, -8, 0));      // r2 = *(u64 *)(r10 - 8)
        p.push_back(make_insn(0x0f, 2, 7, 0, 0));        // r2 += r7
        p.push_back(make_insn(0x63, 10, 2, -16, 0));     // *(u32 *)(r10 - 16) = w2
        p.push_back(make_insn(0x27, 2, 0, 0, 3));        // r2 *= 3
        p.push_back(make_insn(0x77, 2, 0, 0, 1));        // r2 >>= 1
        p.push_back(make_insn(0xbf, 3, 10, 0, 0));       // r3 = r10
        p.push_back(make_insn(0x07, 3, 0, 0, -16));      // r3 += -16
        p.push_back(make_insn(0x61, 4, 3, 0, 0));        // w4 = *(u32 *)(r3 + 0)
        p.push_back(make_insn(0xac, 4, 2, 0, 0));        // w4 ^= w2
        p.push_back(make_insn(0x57, 4, 0, 0, 255));      // r4 &= 255
        p.push_back(make_insn(0x3f, 2, 7, 0, 0));        // r2 /= r7
        if (s != shape::early_exit) {
            p.push_back(make_insn(0xbf, 7, 4, 0, 0));    // r7 = r4
            p.push_back(make_insn(0x07, 7, 0, 0, 1));    // r7 += 1
        }
    }
    while (p.size() + 2 < size) p.push_back(make_insn(0xb7, 0, 0, 0, 0));
    p.push_back(make_insn(0xb7, 0, 0, 0, 0));            // r0 = 0
    p.push_back(make_insn(0x95, 0, 0, 0, 0));            // exit
    return p;
}

void check_program(benchmark::State& state, shape s) {
    const auto size = static_cast<std::uint32_t>(state.range(0));
    const std::vector<bpf_insn> prog = make_program(size, s);
    ctbpf::check_result r{};
    for (auto _ : state) {
        r = ctbpf::check(prog);
        benchmark::DoNotOptimize(r);
    }
    if (!r.ok()) {
        state.SkipWithError("the benchmark program was rejected");
        return;
    }
    state.counters["insns"] = static_cast<double>(prog.size());
    state.counters["complete"] = r.complete() ? 1 : 0;
    state.counters["visits"] = static_cast<double>(r.visits);
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(prog.size()));
}

void check_straight(benchmark::State& state) { check_program(state, shape::straight); }
void check_early_exit(benchmark::State& state) { check_program(state, shape::early_exit); }
void check_joins(benchmark::State& state) { check_program(state, shape::joins); }
void check_joins_constants(benchmark::State& state) { check_program(state, shape::joins_constants); }

BENCHMARK(check_straight)->Arg(4096)->Arg(1'000'000)->Unit(benchmark::kMillisecond);
BENCHMARK(check_early_exit)->Arg(4096)->Arg(1'000'000)->Unit(benchmark::kMillisecond);
BENCHMARK(check_joins)->Arg(4096)->Arg(100'000)->Unit(benchmark::kMillisecond);
BENCHMARK(check_joins_constants)->Arg(4096)->Unit(benchmark::kMillisecond);

} // namespace

BENCHMARK_MAIN();
