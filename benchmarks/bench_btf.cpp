// Loading and indexing the running kernel's BTF (/sys/kernel/btf/vmlinux) with ctbpf
// (sys::read_btf: read, validate, build the name index) against libbpf's btf__load_vmlinux_btf,
// and lookups by name and kind (ctbpf's hashed index against libbpf's btf__find_by_name_kind) of
// 256 struct names spread over the blob, in the same run. Before timing, both must give the same id
// for every name. libbpf is linked into this benchmark only, when libbpf-dev is installed
// (CTBPF_BENCH_LIBBPF); without it only ctbpf's side runs.
#include <ctbpf/btf.hpp>
#include <ctbpf/sys/btf.hpp>

#include <benchmark/benchmark.h>

#if CTBPF_BENCH_LIBBPF
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#endif

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

namespace sys = ctbpf::sys;
namespace cb = ctbpf::btf;

namespace {

// 256 struct names, every n-th named struct in id order.
const std::vector<std::string>& names() {
    static const std::vector<std::string> v = [] {
        std::vector<std::string> all, out;
        const sys::btf_blob b = sys::read_btf(sys::vmlinux_btf_path).value();
        for (std::uint32_t id = b->start_id(); id < b->end_id(); ++id) {
            const auto t = b->type_by_id(id);
            if (t->kind == cb::kind::struct_ && !t->name.empty()) all.emplace_back(t->name);
        }
        const std::size_t step = all.size() / 256 ? all.size() / 256 : 1;
        for (std::size_t i = 0; i < all.size() && out.size() < 256; i += step) out.push_back(all[i]);
        return out;
    }();
    return v;
}

void BM_ctbpf_load_vmlinux(benchmark::State& state) {
    std::size_t types = 0;
    for (auto _ : state) {
        auto b = sys::read_btf(sys::vmlinux_btf_path);
        if (!b) {
            state.SkipWithError(b.error().describe().c_str());
            return;
        }
        types = (*b)->size();
        benchmark::DoNotOptimize(b);
    }
    state.counters["types"] = static_cast<double>(types);
}
BENCHMARK(BM_ctbpf_load_vmlinux)->Unit(benchmark::kMillisecond);

void BM_ctbpf_find_by_name_kind(benchmark::State& state) {
    const sys::btf_blob b = sys::read_btf(sys::vmlinux_btf_path).value();
    const std::vector<std::string>& n = names();
    for (auto _ : state)
        for (const std::string& s : n) benchmark::DoNotOptimize(b->find(s, cb::kind::struct_));
    state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(n.size()));
}
BENCHMARK(BM_ctbpf_find_by_name_kind);

#if CTBPF_BENCH_LIBBPF
void BM_libbpf_load_vmlinux(benchmark::State& state) {
    std::size_t types = 0;
    for (auto _ : state) {
        struct btf* b = btf__load_vmlinux_btf();
        if (!b) {
            state.SkipWithError("btf__load_vmlinux_btf failed");
            return;
        }
        types = btf__type_cnt(b) - 1;
        btf__free(b);
    }
    state.counters["types"] = static_cast<double>(types);
}
BENCHMARK(BM_libbpf_load_vmlinux)->Unit(benchmark::kMillisecond);

void BM_libbpf_find_by_name_kind(benchmark::State& state) {
    struct btf* b = btf__load_vmlinux_btf();
    const sys::btf_blob mine = sys::read_btf(sys::vmlinux_btf_path).value();
    const std::vector<std::string>& n = names();
    for (const std::string& s : n) // the same answer from both, or no timing
        if (btf__find_by_name_kind(b, s.c_str(), BTF_KIND_STRUCT) != static_cast<std::int32_t>(*mine->find(s, cb::kind::struct_))) {
            state.SkipWithError(("libbpf and ctbpf disagree on the id of struct " + s).c_str());
            btf__free(b);
            return;
        }
    for (auto _ : state)
        for (const std::string& s : n) benchmark::DoNotOptimize(btf__find_by_name_kind(b, s.c_str(), BTF_KIND_STRUCT));
    state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(n.size()));
    btf__free(b);
}
BENCHMARK(BM_libbpf_find_by_name_kind)->Unit(benchmark::kMillisecond);
#endif

} // namespace

int main(int argc, char** argv) {
    benchmark::Initialize(&argc, argv);
    if (auto b = sys::read_btf(sys::vmlinux_btf_path); !b) {
        std::printf("SKIP: bench_btf needs the kernel's BTF: %s\n", b.error().describe().c_str());
        return 0;
    }
#if !CTBPF_BENCH_LIBBPF
    std::printf("libbpf-dev was not found at configure time: only ctbpf's side runs\n");
#endif
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
