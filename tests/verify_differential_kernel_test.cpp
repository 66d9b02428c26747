// A random differential of ctbpf::check() against the live kernel on realistic programs
// (tests/verify_fuzz_real.hpp: socket_filter, xdp, sched_cls and cgroup_skb programs that read
// context fields and packets, use real maps, loop and call, with one or two plausible mistakes in
// about half of them). Each program is loaded with BPF_PROG_LOAD (the verdict from the return value;
// for a rejection the log, level 1, gives the failing instruction and the message) as root and, for
// socket_filter and cgroup_skb, as an unprivileged user (the two runs go in parallel, in a forked
// child), and checked by ctbpf::check() with the same type, attach type and map shapes.
// Fails on any false accept (ctbpf ok with nothing deferred, the kernel rejects) and any extra
// reject (ctbpf rejects, the kernel accepts), and when the kernel accepts less than half of the
// programs (the generator would test little). Where both reject, the instruction index and the
// exact message are compared and counted; they fail the test above a threshold (see below).
// Disagreements are printed with the program, and shrunk (instructions dropped while the same
// disagreement stays) to a minimal program.
// CTBPF_DIFF_SEED (default: the time, printed), CTBPF_DIFF_COUNT (programs per privilege, default
// 100,000: 200,000 compared in about 20 s on 2 cores) and CTBPF_DIFF_SHOW (distinct disagreements
// shown per class, default 8) repeat or resize a run. Skips, saying why, only when BPF_PROG_LOAD
// fails with EPERM.
#include <ctbpf/disasm.hpp>
#include <ctbpf/verify.hpp>
#include <doctest/doctest.h>

#include "kernel_probe.hpp"
#include "verify_fuzz_real.hpp"

#include <algorithm>
#include <chrono>
#include <map>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace {

namespace vfr = verify_fuzz_real;

std::uint64_t env_or(const char* name, std::uint64_t fallback) {
    const char* v = std::getenv(name);
    return v && *v ? std::strtoull(v, nullptr, 0) : fallback;
}

// the highest possible CPU + 1 (the kernel's nr_cpu_ids), from "0-1" or "0,2-5"; 0: unreadable
std::uint32_t possible_cpus() {
    std::FILE* f = std::fopen("/sys/devices/system/cpu/possible", "r");
    if (!f) return 0;
    char buf[256]{};
    const bool got = std::fgets(buf, sizeof buf, f) != nullptr;
    std::fclose(f);
    if (!got) return 0;
    std::uint32_t last = 0, n = 0;
    bool digits = false;
    for (const char* c = buf; *c; ++c) {
        if (*c >= '0' && *c <= '9') n = n * 10 + static_cast<std::uint32_t>(*c - '0'), digits = true;
        else if (digits) last = n > last ? n : last, n = 0, digits = false;
    }
    if (digits) last = n > last ? n : last;
    return last + 1;
}

std::uint32_t kernel_type(ctbpf::prog_type t) { return static_cast<std::uint32_t>(t); }

// The kernel's verdict; for a rejection the message and the instruction the log names.
struct kverdict {
    int err = 0;
    std::string message;
    long index = -1; // the last "N: (" instruction line before the message; -1: none (an earlier pass)
    bool ok() const { return err == 0; }
};

class kloader {
public:
    kverdict load(const std::vector<bpf_insn>& prog, ctbpf::prog_type type, std::uint32_t attach) {
        kverdict v;
        v.err = raw(prog, type, attach, 0);
        if (v.err == 0) return v;
        // (a log that does not fit keeps its tail: the message and the instructions before it)
        raw(prog, type, attach, 1);
        parse(std::string_view(log_.data()), v);
        // (a message printed without its newline runs into the statistics line)
        if (const std::size_t st = v.message.find("processed "); st != std::string::npos && st > 0 &&
                                                                   v.message.find(" insns (limit ", st) != std::string::npos)
            v.message.resize(st);
        // the kernel names the instruction where it found the loop
        if (v.message.starts_with("infinite loop detected at insn "))
            v.index = std::strtol(v.message.c_str() + std::strlen("infinite loop detected at insn "), nullptr, 10);
        return v;
    }

private:
    static void parse(std::string_view log, kverdict& v) {
        v.message = kernel_probe::last_message(log);
        if (v.message.empty()) return;
        // the line that carries the message (its last occurrence), then the instruction before it
        std::size_t at = log.rfind(v.message);
        std::size_t pos = 0;
        while (pos < log.size() && pos < at) {
            std::size_t end = log.find('\n', pos);
            if (end == std::string_view::npos) end = log.size();
            const std::string_view line = log.substr(pos, end - pos);
            pos = end + 1;
            std::size_t i = 0;
            long n = 0;
            while (i < line.size() && line[i] >= '0' && line[i] <= '9') n = n * 10 + (line[i++] - '0');
            if (i > 0 && line.substr(i).starts_with(": (")) v.index = n;
        }
    }
    int raw(const std::vector<bpf_insn>& prog, ctbpf::prog_type type, std::uint32_t attach, int level) {
        static const char license[] = "GPL";
        union bpf_attr attr;
        std::memset(&attr, 0, sizeof attr);
        attr.prog_type = kernel_type(type);
        attr.insn_cnt = static_cast<std::uint32_t>(prog.size());
        attr.insns = reinterpret_cast<std::uintptr_t>(prog.data());
        attr.license = reinterpret_cast<std::uintptr_t>(license);
        attr.expected_attach_type = attach;
        if (level) {
            log_[0] = '\0';
            attr.log_level = static_cast<std::uint32_t>(level);
            attr.log_size = static_cast<std::uint32_t>(log_.size());
            attr.log_buf = reinterpret_cast<std::uintptr_t>(log_.data());
        }
        long fd = kernel_probe::sys_bpf(BPF_PROG_LOAD, &attr);
        for (int tries = 0; fd < 0 && errno == EAGAIN && tries < 5; ++tries) fd = kernel_probe::sys_bpf(BPF_PROG_LOAD, &attr);
        if (fd >= 0) {
            ::close(static_cast<int>(fd));
            return 0;
        }
        return errno;
    }
    std::vector<char> log_ = std::vector<char>(std::size_t{1} << 18);
};

// The maps every generated program may use, created once; their fds are patched into the programs.
// A prog array belongs to the program type (and attach type) that first used it: one for each.
struct type_attach {
    ctbpf::prog_type type;
    std::uint32_t attach;
};
constexpr type_attach types[] = {{ctbpf::prog_type::socket_filter, 0}, {ctbpf::prog_type::xdp, 0},
                                 {ctbpf::prog_type::sched_cls, 0}, {ctbpf::prog_type::cgroup_skb, 0},
                                 {ctbpf::prog_type::cgroup_skb, 1}};
struct real_maps {
    std::vector<int> fds;
    std::vector<ctbpf::map_shape> shapes;
    std::string error;
    real_maps() {
        std::vector<vfr::map_def> defs(std::begin(vfr::real_maps), std::end(vfr::real_maps));
        for (std::size_t t = 1; t < std::size(types); ++t) defs.push_back(vfr::real_maps[vfr::prog_array_slot]);
        for (const vfr::map_def& d : defs) {
            union bpf_attr a;
            std::memset(&a, 0, sizeof a);
            a.map_type = static_cast<std::uint32_t>(d.type);
            a.key_size = d.key;
            a.value_size = d.value;
            a.max_entries = d.max;
            const long fd = kernel_probe::sys_bpf(BPF_MAP_CREATE, &a);
            if (fd < 0) {
                error = std::string("BPF_MAP_CREATE of a ") + std::string(ctbpf::to_string(d.type)) + " map: " + std::strerror(errno);
                return;
            }
            fds.push_back(static_cast<int>(fd));
            shapes.push_back({d.type, d.key, d.value, d.max, 0, static_cast<std::int32_t>(fd)});
        }
    }
    ~real_maps() {
        for (int fd : fds) ::close(fd);
    }
    void patch(std::vector<bpf_insn>& p, ctbpf::prog_type type, std::uint32_t attach) const {
        std::size_t t = 0;
        while (t < std::size(types) && (types[t].type != type || types[t].attach != attach)) ++t;
        for (std::size_t i = 0; i + 1 < p.size(); ++i)
            if (p[i].code == 0x18 && p[i].src_reg == 1 && p[i].imm >= 0 && p[i].imm < vfr::map_slots) {
                const auto slot = static_cast<std::size_t>(p[i].imm);
                p[i].imm = fds[slot == vfr::prog_array_slot && t > 0 ? vfr::map_slots + t - 1 : slot];
                ++i;
            }
    }
};

ctbpf::kernel_profile measured_profile() {
    ctbpf::kernel_profile k{};
    // w5 = load_acquire((u32 *)(r1 + 1)) on the context: which check comes first on this build
    const std::vector<bpf_insn> la = {ctbpf::make_insn(0xc3, 5, 1, 1, 0x100), ctbpf::make_insn(0xb7, 0, 0, 0, 0),
                                      ctbpf::make_insn(0x95, 0, 0, 0, 0)};
    const kverdict r = kloader{}.load(la, ctbpf::prog_type::socket_filter, 0);
    k.atomic_load_type_first = r.message.starts_with("BPF_ATOMIC loads from R1 ctx");
    k.nr_cpu_ids = possible_cpus();
    return k;
}

// the disagreement classes
enum cls : int { agree, false_accept, deferred_reject, extra_reject, index_mismatch, message_mismatch, n_cls };
constexpr const char* cls_name[n_cls] = {"agree", "false accepts", "deferred accepts of kernel rejections",
                                         "extra rejects", "index mismatches", "message mismatches"};

struct one_result {
    cls c = agree;
    ctbpf::check_result r{};
    kverdict k{};
};

one_result compare(const vfr::program& p, kloader& kl, const std::vector<ctbpf::map_shape>& shapes,
                   const ctbpf::kernel_profile& prof, bool unpriv) {
    one_result o;
    o.r = ctbpf::check(p.insns,
                       {.priv = unpriv ? ctbpf::privilege::unprivileged : ctbpf::privilege::root,
                        .type = p.type,
                        .expected_attach_type = static_cast<ctbpf::attach_type>(p.attach),
                        .kernel = prof},
                       shapes);
    o.k = kl.load(p.insns, p.type, p.attach);
    if (o.r.ok() && o.k.ok()) o.c = agree;
    else if (o.r.ok()) o.c = o.r.complete() ? false_accept : deferred_reject;
    else if (o.k.ok()) o.c = extra_reject;
    else if (o.k.index >= 0 && static_cast<long>(o.r.index) != o.k.index) o.c = index_mismatch;
    else if (std::string(o.r.message()) != o.k.message || o.r.errnum != o.k.err) o.c = message_mismatch;
    else o.c = agree;
    return o;
}

// Drops instructions (fixing jumps and calls across them) while the program keeps the same
// disagreement class, the kernel's message and ctbpf's message.
vfr::program shrink(vfr::program p, cls want, const std::string& kmsg, const std::string& cmsg, kloader& kl,
                    const std::vector<ctbpf::map_shape>& shapes, const ctbpf::kernel_profile& prof, bool unpriv) {
    auto width = [](const bpf_insn& x) { return x.code == 0x18 ? 2 : 1; };
    auto drop = [&](const std::vector<bpf_insn>& in, std::size_t k) {
        const int n = width(in[k]);
        std::vector<bpf_insn> out;
        for (std::size_t i = 0; i < in.size(); ++i) {
            if (i >= k && i < k + static_cast<std::size_t>(n)) continue;
            bpf_insn x = in[i];
            const int cl = x.code & 7;
            const bool jmp = (cl == 5 || cl == 6) && x.code != 0x85 && x.code != 0x95;
            const bool pcall = x.code == 0x85 && x.src_reg == 1;
            if (jmp || pcall) {
                const long t = static_cast<long>(i) + 1 + (jmp ? x.off : x.imm);
                const long from = static_cast<long>(i), kk = static_cast<long>(k);
                const long nt = t > kk ? t - n : t, nf = from > kk ? from - n : from;
                if (jmp) x.off = static_cast<std::int16_t>(nt - nf - 1);
                else x.imm = static_cast<std::int32_t>(nt - nf - 1);
            }
            out.push_back(x);
            if (x.code == 0x18 && i + 1 < in.size()) out.push_back(in[++i]);
        }
        return out;
    };
    for (bool changed = true; changed;) {
        changed = false;
        for (std::size_t k = 0; k < p.insns.size();) {
            vfr::program q = p;
            q.insns = drop(p.insns, k);
            if (q.insns.empty()) break;
            const one_result o = compare(q, kl, shapes, prof, unpriv);
            if (o.c == want && o.k.message == kmsg && std::string(o.r.message()) == cmsg) {
                p = q;
                changed = true;
            } else {
                k += static_cast<std::size_t>(width(p.insns[k]));
            }
        }
    }
    return p;
}

// Message template: every number becomes '#'.
std::string normalise(std::string_view s) {
    std::string out;
    for (std::size_t i = 0; i < s.size();) {
        if (s[i] >= '0' && s[i] <= '9') {
            out += '#';
            while (i < s.size() && ((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f') || s[i] == 'x')) ++i;
        } else {
            out += s[i++];
        }
    }
    return out;
}

struct tally {
    long programs = 0, kernel_accepts = 0, deferred = 0, visits = 0, both_reject = 0, index_known = 0;
    long deep = 0; // kernel rejections past the first quarter of the program
    long mismatch_after_deferral = 0; // index or message mismatches where ctbpf had deferred something first
    long counts[n_cls]{};
    std::map<std::string, long> kernel_messages; // rejections by message template
    std::map<std::string, long> kinds;           // disagreements: "class | kernel's template | ctbpf's template"
    std::string examples;

    std::string serialise() const {
        std::ostringstream s;
        s << programs << ' ' << kernel_accepts << ' ' << deferred << ' ' << visits << ' ' << both_reject << ' '
          << index_known << ' ' << deep << ' ' << mismatch_after_deferral;
        for (long c : counts) s << ' ' << c;
        s << '\n';
        for (const auto& [m, n] : kernel_messages) s << "H " << n << ' ' << m << '\n';
        for (const auto& [m, n] : kinds) s << "D " << n << ' ' << m << '\n';
        s << "E\n" << examples;
        return s.str();
    }
    static tally parse(const std::string& text) {
        tally t;
        std::istringstream s(text);
        s >> t.programs >> t.kernel_accepts >> t.deferred >> t.visits >> t.both_reject >> t.index_known >> t.deep >> t.mismatch_after_deferral;
        for (long& c : t.counts) s >> c;
        std::string line;
        std::getline(s, line);
        while (std::getline(s, line) && line != "E") {
            std::istringstream f(line.substr(2));
            long n = 0;
            f >> n;
            std::string m;
            std::getline(f >> std::ws, m);
            (line[0] == 'D' ? t.kinds : t.kernel_messages)[m] += n;
        }
        while (std::getline(s, line)) t.examples += line + '\n';
        return t;
    }
};

std::string describe(const ctbpf::check_result& r) {
    if (r.ok()) return r.complete() ? "accepts" : "accepts, deferring " + std::string(ctbpf::to_string(r.deferred)) +
                                                      " at insn " + std::to_string(r.deferred_index);
    return "rejects at insn " + std::to_string(r.index) + ": " + std::string(r.message()) + " (errno " +
           std::to_string(r.errnum) +
           (r.complete() ? std::string(")")
                         : "; had deferred " + std::string(ctbpf::to_string(r.deferred)) + " at insn " +
                               std::to_string(r.deferred_index) + ")");
}
std::string describe(const kverdict& k) {
    if (k.ok()) return "accepts";
    return "rejects at insn " + (k.index >= 0 ? std::to_string(k.index) : std::string("?")) + ": " + k.message +
           " (errno " + std::to_string(k.err) + ")";
}

tally run(std::uint64_t seed, long count, bool unpriv, const real_maps& maps, const ctbpf::kernel_profile& prof,
          int shown_per_class) {
    tally t;
    vfr::generator gen(seed, unpriv);
    kloader kl;
    int shown[n_cls]{};
    for (long i = 0; i < count; ++i) {
        vfr::program p = gen.make();
        maps.patch(p.insns, p.type, p.attach);
        const one_result o = compare(p, kl, maps.shapes, prof, unpriv);
        ++t.programs;
        t.kernel_accepts += o.k.ok();
        t.deferred += o.r.ok() && !o.r.complete();
        t.visits += o.r.visits;
        if (!o.k.ok()) {
            ++t.kernel_messages[normalise(o.k.message)];
            t.deep += o.k.index >= 0 && 4 * o.k.index >= static_cast<long>(p.insns.size());
        }
        if (!o.r.ok() && !o.k.ok()) {
            ++t.both_reject;
            t.index_known += o.k.index >= 0;
        }
        ++t.counts[o.c];
        if (o.c == agree) continue;
        const bool after_deferral = !o.r.ok() && !o.r.complete(); // rejected, having left something to the kernel
        t.mismatch_after_deferral += after_deferral && (o.c == index_mismatch || o.c == message_mismatch);
        // the first program of each distinct disagreement is shown (up to shown_per_class per class)
        const std::string key = std::string(cls_name[o.c]) + " | kernel: " +
                                (o.k.ok() ? std::string("accepts") : normalise(o.k.message)) + " | ctbpf: " +
                                (o.r.ok() ? std::string(o.r.complete() ? "accepts" : "defers") : normalise(o.r.message())) +
                                (after_deferral ? " (after deferring " + std::string(ctbpf::to_string(o.r.deferred)) + ")" : "");
        const bool seen = t.kinds[key]++ > 0;
        const bool show = !seen && shown[o.c] < (o.c == deferred_reject ? 2 : shown_per_class);
        if (!show) continue;
        ++shown[o.c];
        const vfr::program m = shrink(p, o.c, o.k.message, std::string(o.r.message()), kl, maps.shapes, prof, unpriv);
        const one_result om = compare(m, kl, maps.shapes, prof, unpriv);
        std::ostringstream s;
        s << "--- " << cls_name[o.c] << " (" << (unpriv ? "unprivileged" : "root") << ", program " << i << ", "
          << ctbpf::to_string(p.type) << (p.attach ? " attach " + std::to_string(p.attach) : std::string())
          << ", mistakes: " << (p.mutations.empty() ? "none" : p.mutations) << ")\n"
          << "    kernel: " << describe(o.k) << "\n    ctbpf:  " << describe(o.r) << "\n"
          << ctbpf::disasm(p.insns) << "  shrunk to " << m.insns.size() << " insns: kernel " << describe(om.k)
          << "; ctbpf " << describe(om.r) << "\n"
          << ctbpf::disasm(m.insns);
        t.examples += s.str();
    }
    return t;
}

void add(tally& a, const tally& b) {
    a.programs += b.programs;
    a.kernel_accepts += b.kernel_accepts;
    a.deferred += b.deferred;
    a.visits += b.visits;
    a.both_reject += b.both_reject;
    a.deep += b.deep;
    a.mismatch_after_deferral += b.mismatch_after_deferral;
    for (const auto& [m, n] : b.kernel_messages) a.kernel_messages[m] += n;
    for (const auto& [m, n] : b.kinds) a.kinds[m] += n;
    a.index_known += b.index_known;
    for (int c = 0; c < n_cls; ++c) a.counts[c] += b.counts[c];
    a.examples += b.examples;
}

void print(const char* who, const tally& t, double seconds) {
    auto pct = [](long a, long b) { return b ? 100.0 * static_cast<double>(a) / static_cast<double>(b) : 0.0; };
    std::printf("  %-12s %7ld programs in %.1f s: kernel accepts %.1f%%, ctbpf deferred %.1f%%, %ld instructions "
                "simulated; both reject %ld (kernel names the instruction in %ld)\n",
                who, t.programs, seconds, pct(t.kernel_accepts, t.programs), pct(t.deferred, t.programs), t.visits,
                t.both_reject, t.index_known);
    std::printf("  %-12s kernel rejections past the first quarter of the program: %.1f%%\n", "",
                pct(t.deep, t.programs - t.kernel_accepts));
    std::printf("  %-12s", "");
    for (int c = 0; c < n_cls; ++c) std::printf(" %s %ld%s", cls_name[c], t.counts[c], c + 1 < n_cls ? "," : "");
    std::printf(" (index and message mismatches after ctbpf deferred something: %ld)\n", t.mismatch_after_deferral);
}

} // namespace

TEST_CASE("realistic random programs: ctbpf::check() against BPF_PROG_LOAD (verdict, instruction, message)") {
    std::string why;
    if (kernel_probe::may_skip("the differential run", why)) return;
    REQUIRE_MESSAGE(why.empty(), why);
    const real_maps maps;
    REQUIRE_MESSAGE(maps.error.empty(), maps.error);
    const ctbpf::kernel_profile prof = measured_profile();

    const std::uint64_t seed = env_or("CTBPF_DIFF_SEED", static_cast<std::uint64_t>(std::time(nullptr)));
    const long count = static_cast<long>(env_or("CTBPF_DIFF_COUNT", 100'000));
    const int shown = static_cast<int>(env_or("CTBPF_DIFF_SHOW", 8));
    std::printf("differential run (realistic programs): seed %llu, %ld programs per privilege "
                "(CTBPF_DIFF_SEED, CTBPF_DIFF_COUNT); nr_cpu_ids %u\n",
                static_cast<unsigned long long>(seed), count, prof.nr_cpu_ids);

    using clock = std::chrono::steady_clock;
    const auto t0 = clock::now();
    // the unprivileged run in a forked child, in parallel with the root run
    kernel_probe::unprivileged_window window;
    std::string un_out, un_why;
    bool un_ran = false;
    double un_seconds = 0;
    std::thread un_thread;
    if (window.ok()) {
        un_thread = std::thread([&] {
            const auto u0 = clock::now();
            un_ran = kernel_probe::run_unprivileged(
                [&] { return run(seed + 1, count, true, maps, prof, shown).serialise(); }, un_out, un_why);
            un_seconds = std::chrono::duration<double>(clock::now() - u0).count();
        });
    }
    const tally root = run(seed, count, false, maps, prof, shown);
    const double root_seconds = std::chrono::duration<double>(clock::now() - t0).count();
    if (un_thread.joinable()) un_thread.join();
    const double seconds = std::chrono::duration<double>(clock::now() - t0).count();

    tally all = root;
    print("root", root, root_seconds);
    if (!window.ok()) {
        REQUIRE_MESSAGE(window.may_skip(), "as root, yet " << window.reason());
        std::printf("SKIP: the unprivileged run, because %s\n", window.reason().c_str());
    } else {
        REQUIRE_MESSAGE(un_ran, un_why);
        const tally un = tally::parse(un_out);
        print("unprivileged", un, un_seconds);
        add(all, un);
    }
    print("total", all, seconds);
    {
        std::vector<std::pair<long, std::string>> top;
        for (const auto& [m, n] : all.kernel_messages) top.push_back({n, m});
        std::sort(top.rbegin(), top.rend());
        std::printf("the kernel's most frequent rejections:\n");
        for (std::size_t i = 0; i < top.size() && i < 15; ++i) std::printf("  %6ld  %s\n", top[i].first, top[i].second.c_str());
    }
    if (!all.kinds.empty()) {
        std::vector<std::pair<long, std::string>> top;
        for (const auto& [m, n] : all.kinds) top.push_back({n, m});
        std::sort(top.rbegin(), top.rend());
        std::printf("distinct disagreements (class | kernel | ctbpf, numbers as #):\n");
        for (std::size_t i = 0; i < top.size() && i < 60; ++i) std::printf("  %6ld  %s\n", top[i].first, top[i].second.c_str());
        if (top.size() > 60) std::printf("  ... and %zu more\n", top.size() - 60);
    }
    if (!all.examples.empty()) std::printf("disagreements (each shrunk to a minimal program):\n%s", all.examples.c_str());
    std::printf("kernel tests: differential: %ld programs compared\n", all.programs);

    CHECK(all.counts[false_accept] == 0);
    CHECK(all.counts[extra_reject] == 0);
    // the generator tests something only if most of its programs load
    CHECK(2 * all.kernel_accepts >= all.programs);
    // Index and message mismatches are counted and printed; they fail the run only above a share of
    // the programs both reject. Measured on 6.18 (seeds 7 and others, 200,000 programs): index
    // mismatches 1.6% (most after ctbpf deferred something on an earlier path), message mismatches
    // 10.8% (mostly two message bugs: the errno of "invalid read from stack R2 off=0 size=4" and
    // "off=-8" where the kernel prints "off -8+4" for uninitialised stack bytes). Thresholds: 3% and
    // 15%. Lower them as those are fixed.
    CHECK_MESSAGE(all.counts[index_mismatch] * 100 <= 3 * all.both_reject,
                  "index mismatches: " << all.counts[index_mismatch] << " of " << all.both_reject << " rejected by both");
    CHECK_MESSAGE(all.counts[message_mismatch] * 100 <= 15 * all.both_reject,
                  "message mismatches: " << all.counts[message_mismatch] << " of " << all.both_reject << " rejected by both");
    CHECK(all.programs == count * (window.ok() ? 2 : 1));
}
