// Run-time generation: building and assembling a 4,096-instruction program with labels through
// the DSL versus filling a raw struct bpf_insn array with filter.h-style initializers, with the
// same run-time operands, in the same run.
#include <ctbpf.hpp>

#include <benchmark/benchmark.h>

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace {

constexpr int n_insns = 4096;
constexpr int block = 8; // instructions per loop block; one label and one backward jump each

// filter.h-style initializers (the kernel's BPF_ALU64_IMM & co. are macros of this shape).
constexpr bpf_insn raw_insn(std::uint8_t code, std::uint8_t dst, std::uint8_t src, std::int16_t off,
                            std::int32_t imm) {
    return bpf_insn{code, dst, src, off, imm};
}
#define RAW_ALU64_IMM(OP, DST, IMM) raw_insn(0x07 | (OP), DST, 0, 0, IMM)
#define RAW_ALU64_REG(OP, DST, SRC) raw_insn(0x0f | (OP), DST, SRC, 0, 0)
#define RAW_LDX_MEM_W(DST, SRC, OFF) raw_insn(0x61, DST, SRC, OFF, 0)
#define RAW_STX_MEM_DW(DST, SRC, OFF) raw_insn(0x7b, DST, SRC, OFF, 0)
#define RAW_JMP_REG(OP, DST, SRC, OFF) raw_insn(0x0d | (OP), DST, SRC, OFF, 0)
#define RAW_EXIT() raw_insn(0x95, 0, 0, 0, 0)

void raw_fill(benchmark::State& state) {
    std::vector<bpf_insn> out(n_insns);
    volatile int seed = 3;
    for (auto _ : state) {
        const int k = seed;
        for (int i = 0; i + block <= n_insns - block; i += block) {
            bpf_insn* p = out.data() + i;
            p[0] = RAW_ALU64_IMM(0xb0, 0, i + k);        // r0 = i
            p[1] = RAW_ALU64_REG(0x00, 1, 2);            // r1 += r2
            p[2] = RAW_LDX_MEM_W(3, 1, 4);               // r3 = *(u32 *)(r1 + 4)
            p[3] = RAW_STX_MEM_DW(10, 1, -8);            // *(u64 *)(r10 - 8) = r1
            p[4] = RAW_JMP_REG(0x20, 1, 2, -5);          // if r1 > r2 goto <block start>
            p[5] = RAW_ALU64_IMM(0x60, 4, 3);            // r4 <<= 3
            p[6] = RAW_ALU64_REG(0xc0, 5, 6);            // r5 s>>= r6
            p[7] = raw_insn(0xa4, 2, 0, 0, k);           // w2 ^= k
        }
        for (int i = n_insns - block; i < n_insns - 1; ++i) out[static_cast<std::size_t>(i)] = RAW_ALU64_IMM(0xb0, 0, k);
        out[n_insns - 1] = RAW_EXIT();
        benchmark::DoNotOptimize(out.data());
        benchmark::ClobberMemory();
    }
    state.SetItemsProcessed(state.iterations() * n_insns);
}
BENCHMARK(raw_fill);

std::vector<std::string> make_labels() {
    std::vector<std::string> names;
    for (int i = 0; i < n_insns; i += block) {
        std::string name = std::to_string(i); // not "L" + ...: GCC 12 -Wrestrict false positive at -O2
        names.push_back(name.insert(0, 1, 'L'));
    }
    return names;
}

// The same program through the DSL: one braced list per block (`p += {...}`, the items built in
// an array, then appended) or one `p += item` per instruction, as a generator's loop writes it;
// labels by name (std::string, as a generator makes them) or by handle (program::new_label()).
enum class spelling { braced_lists, one_per_item };
enum class labels_by { name, handle };

template <spelling S, labels_by L>
void dsl(benchmark::State& state) {
    using namespace ctbpf::syntax;
    const std::vector<std::string> names = make_labels();
    std::vector<bpf_insn> out;
    volatile int seed = 3;
    ctbpf::program p;
    for (auto _ : state) {
        const int k = seed;
        p.clear(); // keeps the storage, as `out` is kept for raw_fill
        p.reserve(n_insns + n_insns / block);
        for (int i = 0, b = 0; i + block <= n_insns - block; i += block, ++b) {
            const auto l = [&] {
                if constexpr (L == labels_by::name) return ctbpf::label_name(names[static_cast<std::size_t>(b)]);
                else return p.new_label();
            }();
            if constexpr (S == spelling::braced_lists) {
                p += {label(l),
                      r0 = dyn(i + k),
                      r1 += r2,
                      r3 = mem<u32>(r1 + 4),
                      mem<u64>(r10 - 8) = r1,
                      if_(r1 > r2).goto_(l),
                      r4 <<= 3,
                      s(r5) >>= r6,
                      w2 ^= dyn(k)};
            } else {
                p += label(l);
                p += (r0 = dyn(i + k));
                p += (r1 += r2);
                p += (r3 = mem<u32>(r1 + 4));
                p += (mem<u64>(r10 - 8) = r1);
                p += if_(r1 > r2).goto_(l);
                p += (r4 <<= 3);
                p += (s(r5) >>= r6);
                p += (w2 ^= dyn(k));
            }
        }
        for (int i = n_insns - block; i < n_insns - 1; ++i) p += (r0 = dyn(k));
        p += exit_();
        const ctbpf::check_result v = ctbpf::try_assemble(p, out);
        if (!v.ok() || out.size() != n_insns) state.SkipWithError("assembly failed");
        benchmark::DoNotOptimize(out.data());
        benchmark::ClobberMemory();
    }
    state.SetItemsProcessed(state.iterations() * n_insns);
}
void dsl_assemble(benchmark::State& state) { dsl<spelling::braced_lists, labels_by::name>(state); }
void dsl_assemble_each(benchmark::State& state) { dsl<spelling::one_per_item, labels_by::name>(state); }
void dsl_assemble_handles(benchmark::State& state) { dsl<spelling::braced_lists, labels_by::handle>(state); }
void dsl_assemble_each_handles(benchmark::State& state) { dsl<spelling::one_per_item, labels_by::handle>(state); }
BENCHMARK(dsl_assemble);
BENCHMARK(dsl_assemble_each);
BENCHMARK(dsl_assemble_handles);
BENCHMARK(dsl_assemble_each_handles);

} // namespace

BENCHMARK_MAIN();
