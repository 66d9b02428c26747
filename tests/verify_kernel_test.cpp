// ctbpf::check() against the live kernel (BPF_PROG_LOAD; the verdict from the return value, the
// log only for the message): the probe table, then a seeded random differential run of at least
// 100,000 programs (structural, straight-line, branchy), as root and as an unprivileged user.
// Structural and straight-line programs: verdict, errno and message template must agree (numbers
// normalised); branchy programs: ctbpf must never accept what the kernel rejects, and the rate of
// its extra rejections is printed. Skips, saying why, when this process cannot load programs.
// CTBPF_FUZZ_SEED and CTBPF_FUZZ_COUNT (programs per class and privilege) override the defaults.
#include <ctbpf/verify.hpp>
#include <ctbpf/disasm.hpp>
#include <doctest/doctest.h>

#include "kernel_probe.hpp"
#include "verify_cases.hpp"
#include "verify_fuzz.hpp"

#include <cctype>
#include <cstdio>
#include <ctime>
#include <cstdlib>
#include <sstream>
#include <string>
#include <vector>

namespace {

// Message template: every number becomes '#'.
std::string normalise(std::string_view s) {
    std::string out;
    for (std::size_t i = 0; i < s.size();) {
        const bool neg = s[i] == '-' && i + 1 < s.size() && std::isdigit(static_cast<unsigned char>(s[i + 1]));
        if (std::isdigit(static_cast<unsigned char>(s[i])) || neg) {
            out += '#';
            i += neg ? 2 : 1;
            while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
        } else {
            out += s[i++];
        }
    }
    return out;
}

std::uint64_t env_or(const char* name, std::uint64_t fallback) {
    const char* v = std::getenv(name);
    return v && *v ? std::strtoull(v, nullptr, 0) : fallback;
}

struct kernel_state {
    int err; // of a trivial BPF_PROG_LOAD (0: it loads)
    std::string why_not; // "" when BPF_PROG_LOAD works
    ctbpf::kernel_profile profile{}; // with what this kernel build does where 6.18.44 builds differ
    std::string variant; // which of them this one is, said in the log
    kernel_state() : err(kernel_probe::trivial_load_errno()), why_not(kernel_probe::cannot_load_reason(err)) {
        if (!why_not.empty()) return;
        // w5 = load_acquire((u32 *)(r1 + 1)); r0 = 0; exit — on the context, misaligned
        const std::vector<bpf_insn> la = {verify_cases::I(0xc3, 5, 1, 1, 0x100), verify_cases::mov(0, 0),
                                          verify_cases::exit_()};
        const kernel_probe::load_result r = kernel_probe::loader{}.load(la, BPF_PROG_TYPE_SOCKET_FILTER);
        profile.atomic_load_type_first = r.message.starts_with("BPF_ATOMIC loads from R1 ctx");
        variant = std::string("load-acquire checks the pointer type ") +
                  (profile.atomic_load_type_first ? "first" : "after the access") + " ('" + r.message + "')";
        if (!profile.atomic_load_type_first && !r.message.starts_with("misaligned context access"))
            variant += " — neither known variant";
        profile.nr_cpu_ids = possible_cpus();
        variant += "; nr_cpu_ids " + std::to_string(profile.nr_cpu_ids);
    }
    // True (saying why) when this process lacks the privilege to load programs; root never skips.
    bool skip(const char* what) const {
        if (!kernel_probe::lacks_privilege(err)) return false;
        std::printf("SKIP: %s, because %s\n", what, why_not.c_str());
        return true;
    }
    // the highest possible CPU + 1, from "0-1" or "0,2-5" (0: unreadable)
    static std::uint32_t possible_cpus() {
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
};
const kernel_state& kernel() {
    static const kernel_state k;
    return k;
}

// Counts of one differential run, serialised to cross the unprivileged child's pipe.
struct tally {
    long programs = 0, agree = 0, disagree = 0, false_accept = 0, extra_reject = 0, message_differs = 0;
    long left_to_kernel = 0, both_reject = 0;
    std::string examples;

    std::string serialise() const {
        std::ostringstream s;
        s << programs << ' ' << agree << ' ' << disagree << ' ' << false_accept << ' ' << extra_reject << ' '
          << message_differs << ' ' << left_to_kernel << ' ' << both_reject << '\n'
          << examples;
        return s.str();
    }
    static tally parse(const std::string& text) {
        tally t;
        std::istringstream s(text);
        s >> t.programs >> t.agree >> t.disagree >> t.false_accept >> t.extra_reject >> t.message_differs >>
            t.left_to_kernel >> t.both_reject;
        std::getline(s, t.examples);
        std::string line;
        while (std::getline(s, line)) t.examples += line + '\n';
        return t;
    }
};

const char* class_name(verify_fuzz::kind k) {
    return k == verify_fuzz::kind::structural ? "structural" : k == verify_fuzz::kind::straight ? "straight-line" : "branchy";
}

// Generates `count` programs of one class and compares check() with BPF_PROG_LOAD.
tally differential(verify_fuzz::kind k, long count, std::uint64_t seed, bool unprivileged) {
    tally t;
    verify_fuzz::generator gen(seed);
    kernel_probe::loader load;
    const ctbpf::options o{.priv = unprivileged ? ctbpf::privilege::unprivileged : ctbpf::privilege::root,
                           .type = ctbpf::prog_type::socket_filter,
                           .kernel = kernel().profile};
    const bool exact = k != verify_fuzz::kind::branchy;
    int shown = 0;
    for (long i = 0; i < count; ++i) {
        const std::vector<bpf_insn> p = gen.make(k);
        const ctbpf::check_result r = ctbpf::check(p, o);
        const kernel_probe::load_result kr = load.load(p, BPF_PROG_TYPE_SOCKET_FILTER);
        ++t.programs;
        if (r.ok() && !r.complete()) { // accepted, with something left to the kernel
            ++t.left_to_kernel;
            continue;
        }
        bool bad = false;
        if (r.ok() && kr.ok()) {
            ++t.agree;
        } else if (r.ok()) { // never allowed
            ++t.false_accept;
            bad = true;
        } else if (kr.ok()) {
            ++t.extra_reject;
            bad = exact;
        } else {
            ++t.both_reject;
            // a rejection that the model decided alone must be the kernel's
            if (r.complete() && (r.errnum != kr.err || normalise(r.message()) != normalise(kr.message))) {
                ++t.message_differs;
                bad = exact;
            } else {
                ++t.agree;
            }
        }
        if (bad) ++t.disagree;
        // every disagreement up to 5, and on branchy programs the first 2 extra rejections (allowed)
        const bool extra = !exact && !r.ok() && kr.ok();
        if ((bad && shown < 5) || (extra && shown < 2)) {
            ++shown;
            t.examples += std::string(bad ? "--- " : "--- (allowed) ") + class_name(k) +
                          (unprivileged ? " unprivileged" : " root") +
                          ": ctbpf " + (r.ok() ? "accepts" : "rejects: insn " + std::to_string(r.index) + ": " +
                                                                 std::string(r.message())) +
                          "; kernel " + (kr.ok() ? "accepts" : std::string(std::strerror(kr.err)) + ": " + kr.message) +
                          "\n" + ctbpf::disasm(p);
        }
    }
    return t;
}

} // namespace

TEST_CASE("the probe table against the live kernel") {
    if (kernel().skip("probe table against the kernel")) return;
    REQUIRE_MESSAGE(kernel().why_not.empty(), kernel().why_not);
    std::printf("kernel variant: %s\n", kernel().variant.c_str());
    CHECK(kernel().variant.find("neither") == std::string::npos);
    const std::vector<verify_cases::golden> table = verify_cases::probe_table();
    kernel_probe::loader load;
    long root = 0, unpriv = 0, disagreements = 0;
    auto compare = [&](const verify_cases::golden& c, const kernel_probe::load_result& kr, bool un) {
        const int want = un ? c.unpriv_errno : c.root_errno;
        const std::string& msg = un ? c.unpriv_message : c.root_message;
        const ctbpf::check_result r =
            ctbpf::check(c.prog, {.priv = un ? ctbpf::privilege::unprivileged : ctbpf::privilege::root,
                                  .type = c.type,
                                  .expected_attach_type = static_cast<ctbpf::attach_type>(c.attach),
                                  .kernel = kernel().profile});
        INFO(c.name << (un ? " (unprivileged)" : " (root)") << ": kernel " << kr.err << " '" << kr.message << "', ctbpf "
                    << r.errnum << " '" << std::string(r.message()) << "'");
        // the kernel still says what the table says (or what another 6.18.44 build is known to say)
        bool same = kr.err == want || (!un && c.other_build_errno != 0 && kr.err == c.other_build_errno);
        if (c.kernel_only) {
            same = same && r.ok();
        } else {
            same = same && r.errnum == kr.err;
            if (kr.err != 0 && !kr.message.empty()) same = same && normalise(r.message()) == normalise(kr.message);
            if (!msg.empty()) same = same && normalise(msg) == normalise(kr.message);
        }
        CHECK(same);
        disagreements += !same;
    };
    for (const verify_cases::golden& c : table) {
        if (c.root_errno < 0) continue;
        compare(c, load.load(c.prog, static_cast<std::uint32_t>(c.type), c.attach), false);
        ++root;
    }
    kernel_probe::unprivileged_window window;
    if (!window.ok()) {
        REQUIRE_MESSAGE(window.may_skip(), "as root, yet " << window.reason());
        std::printf("SKIP: unprivileged probe cases, because %s\n", window.reason().c_str());
    } else {
        std::string out, why;
        const bool ran = kernel_probe::run_unprivileged(
            [&] {
                std::string s;
                kernel_probe::loader l;
                for (const verify_cases::golden& c : table) {
                    if (c.unpriv_errno < 0) continue;
                    const auto kr = l.load(c.prog, static_cast<std::uint32_t>(c.type), c.attach);
                    s += std::to_string(kr.err) + ' ' + kr.message + '\n';
                }
                return s;
            },
            out, why);
        REQUIRE_MESSAGE(ran, why);
        std::istringstream lines(out);
        for (const verify_cases::golden& c : table) {
            if (c.unpriv_errno < 0) continue;
            std::string line;
            REQUIRE(std::getline(lines, line));
            kernel_probe::load_result kr;
            const std::size_t sp = line.find(' ');
            kr.err = std::stoi(line.substr(0, sp));
            kr.message = line.substr(sp + 1);
            compare(c, kr, true);
            ++unpriv;
        }
    }
    std::printf("kernel comparisons (probe table): %ld ran (root %ld, unpriv %ld), %ld disagreements\n", root + unpriv,
                root, unpriv, disagreements);
}

TEST_CASE("helpers without arguments: where they may be called, and what get_smp_processor_id returns") {
    if (kernel().skip("helper availability against the kernel")) return;
    REQUIRE_MESSAGE(kernel().why_not.empty(), kernel().why_not);
    using verify_cases::I;
    const std::pair<ctbpf::prog_type, std::uint32_t> types[] = {
        {ctbpf::prog_type::socket_filter, BPF_PROG_TYPE_SOCKET_FILTER}, {ctbpf::prog_type::sched_cls, BPF_PROG_TYPE_SCHED_CLS},
        {ctbpf::prog_type::sched_act, BPF_PROG_TYPE_SCHED_ACT}, {ctbpf::prog_type::xdp, BPF_PROG_TYPE_XDP},
        {ctbpf::prog_type::cgroup_skb, BPF_PROG_TYPE_CGROUP_SKB}};
    // ctbpf's verdict where it has one (rejected, or accepted with nothing left to the kernel) is the kernel's
    auto same = [](const ctbpf::check_result& r, const kernel_probe::load_result& kr) {
        if (!r.ok()) return r.errnum == kr.err && std::string(r.message()) == kr.message;
        return !r.complete() || kr.ok();
    };
    long compared = 0, decided = 0;
    std::string unpriv_programs;
    for (int id = 1; id <= ctbpf::helper_max_id; ++id) {
        if (ctbpf::helper_table[id].arg_count != 0) continue;
        const std::vector<bpf_insn> p = {I(0x85, 0, 0, 0, id), verify_cases::mov(0, 0), verify_cases::exit_()};
        for (const auto& tt : types) { // (no structured binding: Clang 14 cannot capture one in INFO)
            const ctbpf::prog_type type = tt.first;
            const std::uint32_t kernel_type = tt.second;
            const ctbpf::check_result r = ctbpf::check(p, {.type = type, .kernel = kernel().profile});
            const kernel_probe::load_result kr = kernel_probe::loader{}.load(p, kernel_type);
            INFO("helper " << id << " as root, type " << ctbpf::to_string(type) << ": kernel " << kr.err << " '" << kr.message << "'");
            CHECK(same(r, kr));
            ++compared;
            decided += !r.ok() || r.complete();
        }
    }
    kernel_probe::unprivileged_window window;
    if (!window.ok()) {
        REQUIRE_MESSAGE(window.may_skip(), "as root, yet " << window.reason());
        std::printf("SKIP: unprivileged helper availability, because %s\n", window.reason().c_str());
    } else {
        std::string out, why;
        REQUIRE(kernel_probe::run_unprivileged(
            [] {
                std::string s;
                for (int id = 1; id <= ctbpf::helper_max_id; ++id) {
                    if (ctbpf::helper_table[id].arg_count != 0) continue;
                    const std::vector<bpf_insn> p = {I(0x85, 0, 0, 0, id), verify_cases::mov(0, 0), verify_cases::exit_()};
                    for (std::uint32_t t : {BPF_PROG_TYPE_SOCKET_FILTER, BPF_PROG_TYPE_CGROUP_SKB}) {
                        const auto kr = kernel_probe::loader{}.load(p, t);
                        s += std::to_string(id) + ' ' + std::to_string(t) + ' ' + std::to_string(kr.err) + ' ' + kr.message + '\n';
                    }
                }
                return s;
            },
            out, why));
        std::istringstream lines(out);
        std::string line;
        while (std::getline(lines, line)) {
            std::istringstream f(line);
            int id = 0;
            std::uint32_t t = 0;
            kernel_probe::load_result kr;
            f >> id >> t >> kr.err;
            std::getline(f >> std::ws, kr.message);
            const std::vector<bpf_insn> p = {I(0x85, 0, 0, 0, id), verify_cases::mov(0, 0), verify_cases::exit_()};
            const ctbpf::check_result r = ctbpf::check(
                p, {.priv = ctbpf::privilege::unprivileged,
                    .type = t == BPF_PROG_TYPE_SOCKET_FILTER ? ctbpf::prog_type::socket_filter : ctbpf::prog_type::cgroup_skb,
                    .kernel = kernel().profile});
            INFO("helper " << id << " unprivileged, type " << t << ": kernel " << kr.err << " '" << kr.message << "'");
            CHECK(same(r, kr));
            ++compared;
            decided += !r.ok() || r.complete();
        }
    }
    // get_smp_processor_id() < nr_cpu_ids: "if r0 < N goto +1; r0 = r3" reads r3 only when N < nr_cpu_ids
    const std::uint32_t n = kernel().profile.nr_cpu_ids;
    REQUIRE(n >= 1);
    for (std::uint32_t bound : {n, n - 1}) {
        if (bound == 0) continue;
        const std::vector<bpf_insn> p = {I(0x85, 0, 0, 0, 8), I(0xa5, 0, 0, 1, static_cast<int>(bound)), verify_cases::movx(0, 3),
                                         verify_cases::mov(0, 0), verify_cases::exit_()};
        const ctbpf::check_result r = ctbpf::check(p, {.type = ctbpf::prog_type::socket_filter, .kernel = kernel().profile});
        const kernel_probe::load_result kr = kernel_probe::loader{}.load(p, BPF_PROG_TYPE_SOCKET_FILTER);
        INFO("if r0 < " << bound << " with nr_cpu_ids " << n << ": kernel " << kr.err << " '" << kr.message << "'");
        CHECK(r.complete());
        CHECK(r.ok() == kr.ok());
        CHECK(same(r, kr));
        compared += 1;
        decided += 1;
    }
    std::printf("kernel comparisons (helpers without arguments): %ld ran, ctbpf decided %ld\n", compared, decided);
}

TEST_CASE("random programs: ctbpf::check() against BPF_PROG_LOAD") {
    if (kernel().skip("differential run against the kernel")) return;
    REQUIRE_MESSAGE(kernel().why_not.empty(), kernel().why_not);
    // a new seed every run (printed; CTBPF_FUZZ_SEED=N repeats a run)
    const std::uint64_t seed = env_or("CTBPF_FUZZ_SEED", static_cast<std::uint64_t>(std::time(nullptr)));
    const long count = static_cast<long>(env_or("CTBPF_FUZZ_COUNT", 17'000));
    std::printf("differential run: seed %llu, %ld programs per class and privilege "
                "(CTBPF_FUZZ_SEED, CTBPF_FUZZ_COUNT)\n",
                static_cast<unsigned long long>(seed), count);
    const verify_fuzz::kind kinds[] = {verify_fuzz::kind::structural, verify_fuzz::kind::straight,
                                       verify_fuzz::kind::branchy};
    long root_n = 0, unpriv_n = 0, total_bad = 0, programs = 0;

    auto report = [&](verify_fuzz::kind k, bool un, const tally& t) {
        const bool exact = k != verify_fuzz::kind::branchy;
        std::printf("  %-13s %-12s %6ld programs: %6ld agree, %ld disagree (ctbpf accepts/kernel rejects %ld, "
                    "extra rejections %ld = %.3f%%, message differs %ld), %ld left to the kernel\n",
                    class_name(k), un ? "unprivileged" : "root", t.programs, t.agree, t.disagree, t.false_accept,
                    t.extra_reject, t.programs ? 100.0 * static_cast<double>(t.extra_reject) / static_cast<double>(t.programs) : 0.0,
                    t.message_differs, t.left_to_kernel);
        if (!t.examples.empty()) std::printf("%s", t.examples.c_str());
        INFO(class_name(k) << (un ? " unprivileged" : " root"));
        CHECK(t.false_accept == 0);
        if (exact) CHECK(t.disagree == 0);
        total_bad += t.false_accept + (exact ? t.disagree : 0);
        programs += t.programs;
        (un ? unpriv_n : root_n) += t.programs;
    };

    for (verify_fuzz::kind k : kinds)
        report(k, false, differential(k, count, seed + static_cast<std::uint64_t>(k), false));

    kernel_probe::unprivileged_window window;
    if (!window.ok()) {
        REQUIRE_MESSAGE(window.may_skip(), "as root, yet " << window.reason());
        std::printf("SKIP: the unprivileged differential run, because %s\n", window.reason().c_str());
    } else {
        for (verify_fuzz::kind k : kinds) {
            std::string out, why;
            const bool ran = kernel_probe::run_unprivileged(
                [&] { return differential(k, count, seed + 100 + static_cast<std::uint64_t>(k), true).serialise(); },
                out, why);
            REQUIRE_MESSAGE(ran, why);
            report(k, true, tally::parse(out));
        }
    }
    std::printf("kernel comparisons: %ld ran (root %ld, unpriv %ld), %ld disagreements\n", programs, root_n, unpriv_n,
                total_bad);
    CHECK(programs == count * (window.ok() ? 6 : 3));
}
