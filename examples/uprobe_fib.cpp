// A uprobe and a uretprobe on a function of this program: fib(n), computed recursively. The uprobe
// counts the calls per argument (pt_regs->di) in a hash map, the uretprobe sums the return values
// (pt_regs->ax) in an array; both are kprobe-type programs checked at compile time with their maps'
// declarations, attached by symbol name (the offset comes from this binary's ELF symbol table).
// The counts are compared with the calls the program made. Needs root (CAP_BPF + CAP_PERFMON).
#include <ctbpf.hpp>
#include <ctbpf/sys.hpp>

#include <asm/ptrace.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>

namespace sys = ctbpf::sys;

static std::uint64_t calls_made[32]; // user space's own count, per argument

extern "C" __attribute__((noinline)) int fib(int n);
static int (*volatile fib_call)(int) = fib; // the compiler may not turn the recursion into a loop

extern "C" __attribute__((noinline)) int fib(int n) {
    ++calls_made[n];
    return n < 2 ? n : fib_call(n - 1) + fib_call(n - 2);
}

inline constexpr auto calls = ctbpf::hash_map<"calls", std::uint32_t, std::uint64_t>(32); // argument -> calls
struct totals {
    std::uint64_t returns, sum;
};
inline constexpr auto returns = ctbpf::array_map<"returns", totals>(1); // [0]: returns and the sum of their values
inline constexpr ctbpf::options kprobe{.type = ctbpf::prog_type::kprobe};

constexpr std::int16_t arg0 = offsetof(struct pt_regs, rdi); // x86-64: the first argument
constexpr std::int16_t retval = offsetof(struct pt_regs, rax); // the return value

constexpr auto on_call = [] {
    using namespace ctbpf::syntax;
    return program{
        w2 = mem<u32>(r1 + arg0),
        mem<u32>(r10 - 4) = w2,            // key: the argument
        r1 = map("calls"),
        r2 = r10,
        r2 += -4,
        call(helper::map_lookup_elem),
        if_(r0 == 0).goto_("first"),
        r1 = 1,
        lock(mem<u64>(r0 + 0)) += r1,      // calls[n] += 1
        goto_("out"),
    label("first"),
        mem<u64>(r10 - 16) = 1,
        r1 = map("calls"),
        r2 = r10,
        r2 += -4,
        r3 = r10,
        r3 += -16,
        r4 = BPF_NOEXIST,
        call(helper::map_update_elem),     // calls[n] = 1
    label("out"),
        r0 = 0,
        exit_(),
    };
};

constexpr auto on_return = [] {
    using namespace ctbpf::syntax;
    return program{
        r2 = mem<u64>(r1 + retval),
        r6 = map_value("returns", 0),
        r1 = 1,
        lock(mem<u64>(r6 + 0)) += r1,      // returns[0].returns += 1
        lock(mem<u64>(r6 + 8)) += r2,      // returns[0].sum += the return value
        r0 = 0,
        exit_(),
    };
};

int main() try {
    auto calls_map = sys::create<calls>();
    if (!calls_map && calls_map.error().is(std::errc::operation_not_permitted)) {
        std::printf("skipped: %s\n", calls_map.error().message.c_str()); // not root: nothing to show
        return 0;
    }
    auto returns_map = sys::create<returns>().value();
    sys::prog entry = sys::load<on_call, kprobe>({.name = "fib_entry"}, sys::bind<calls>(*calls_map)).value();
    sys::prog exit = sys::load<on_return, kprobe>({.name = "fib_return"}, sys::bind<returns>(returns_map)).value();

    char self[4096] = {};
    if (::readlink("/proc/self/exe", self, sizeof self - 1) <= 0) return 1;
    const sys::elf_symbol sym = sys::elf_find_symbol(self, "fib").value();
    std::printf("fib is at file offset %#llx of %s\n", static_cast<unsigned long long>(sym.file_offset), self);

    int result = 0;
    std::uint64_t made[32] = {};
    {
        sys::link up = sys::attach_uprobe(entry, self, "fib", {.pid = ::getpid()}).value();
        sys::link ret = sys::attach_uprobe(exit, self, "fib", {.retprobe = true, .pid = ::getpid()}).value();
        result = fib(12);
        for (int n = 0; n < 32; ++n) made[n] = calls_made[n];
    } // detached
    fib(5); // not seen

    bool same = true;
    std::uint64_t total = 0, want_sum = 0;
    std::printf("fib(12) = %d\n  n  calls seen by the uprobe\n", result);
    for (std::uint32_t n = 0; n <= 12; ++n) {
        const auto found = calls_map->lookup(n);
        const std::uint64_t seen = found ? *found : 0;
        std::printf("%3u  %llu\n", n, static_cast<unsigned long long>(seen));
        same = same && seen == made[n];
        total += seen;
        want_sum += made[n] * static_cast<std::uint64_t>(fib(static_cast<int>(n))); // fib(n) is what those calls returned
    }
    const auto [returned, sum] = returns_map.lookup(0).value();
    std::printf("uretprobe: %llu returns, their values sum to %llu\n", static_cast<unsigned long long>(returned),
                static_cast<unsigned long long>(sum));
    const bool ok = same && returned == total && sum == want_sum;
    std::printf("%s\n", ok ? "the same as the calls this program made" : "MISMATCH with the calls this program made");
    return ok ? 0 : 1;
} catch (const sys::bpf_error& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 1;
}
