// The generated helper tables against the live kernel (BPF_PROG_LOAD):
// 1. availability: every (program type, helper id) of tests/helper_probe.hpp re-probed with
//    `call ID; exit`, as root and (socket_filter, cgroup_skb) unprivileged, and compared with
//    helper_available() (include/ctbpf/verify/helper_availability.hpp), including the kernel's exact
//    message for unavailable helpers;
// 2. prototypes (include/ctbpf/verify/helper_protos.hpp, parsed from the kernel source): for each
//    available (type, helper) whose proto the table names unconditionally, the kernel's message for
//    a call with wrong argument types is predicted from the proto and compared:
//    (a) entry state (R1 = ctx, R2..R5 uninitialised): the first argument that a ctx pointer or an
//        uninitialised register does not satisfy ("R1 type=ctx expected=...", "R2 !read_ok");
//    (b) R1..R5 = 0 (scalars): the first non-nullable pointer argument ("R3 type=scalar expected=...").
// Prints per type: probed, agreeing. CTBPF_HELPER_PROBE_OUT=FILE writes the measurement that
// tools/gen_helper_protos.py --availability FILE turns into helper_availability.hpp.
// Skips, saying why, when this process cannot load programs.
#include <ctbpf/helper_table.hpp>
#include <ctbpf/verify/helper_availability.hpp>
#include <ctbpf/verify/helper_protos.hpp>
#include <doctest/doctest.h>

#include "helper_probe.hpp"

#include <sys/utsname.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <optional>
#include <string>

namespace {

using namespace ctbpf::detail::vfy;

constexpr std::int32_t max_id = ctbpf::helper_max_id;

ctbpf::prog_type to_prog_type(const char* name) {
    const std::optional<ctbpf::prog_type> t = ctbpf::parse<ctbpf::prog_type>(name);
    REQUIRE(t);
    return *t;
}

std::string expected_unavailable(std::int32_t id, unavailable_message m) {
    const std::string name = "bpf_" + std::string(ctbpf::helper_table[id].name) + "#" + std::to_string(id);
    return m == unavailable_message::unknown_func ? "unknown func " + name
                                                  : "program of this type cannot use helper " + name;
}

struct tally {
    int probed = 0, agree = 0;
};

// What the kernel says first about the arguments, predicted from the proto; nullopt: not predicted.
// `prefix`: the message must start with it; `exact`: ... or equal it; an empty prefix with
// `no_arg_error`: no argument message at all.
struct prediction {
    std::string text;
    bool exact = false;
    bool no_arg_error = false;
    arg_base base = arg_base::dontcare; // the argument the message is about (prefix predictions)
};

bool is_pointer_arg(arg_base b) {
    switch (b) {
    case arg_base::dontcare:
    case arg_base::anything:
    case arg_base::scalar:
    case arg_base::const_size:
    case arg_base::const_size_or_zero:
    case arg_base::const_alloc_size_or_zero:
        return false;
    default:
        return true;
    }
}

std::optional<prediction> pre_args(const helper_proto& p, ctbpf::prog_type t) {
    if (p.has(proto_prop::might_sleep) && t != ctbpf::prog_type::syscall)
        return prediction{"helper call might sleep in a non-sleepable prog", true};
    return std::nullopt;
}

// (a) R1 = ctx, R2..R5 uninitialised.
std::optional<prediction> predict_entry(const helper_proto& p, ctbpf::prog_type t, bool& skip) {
    skip = false;
    if (auto pre = pre_args(p, t)) return pre;
    if (p.has(proto_prop::has_allowed)) {
        skip = true;
        return std::nullopt;
    }
    for (int i = 0; i < 5; ++i) {
        const helper_arg& a = p.args[i];
        if (a.base == arg_base::dontcare) break;
        const std::string r = "R" + std::to_string(i + 1);
        if (i > 0) return prediction{r + " !read_ok", true};
        if (a.base == arg_base::ptr_to_ctx || a.base == arg_base::anything) continue;
        if (!is_pointer_arg(a.base)) {
            skip = true; // a pointer as a size or scalar: message not modelled here
            return std::nullopt;
        }
        if (a.base == arg_base::const_map_ptr) return prediction{r + " type=ctx expected=map_ptr", true};
        return prediction{r + " type=ctx expected=", false, false, a.base};
    }
    return prediction{"", false, true};
}

// (b) R1..R5 = 0.
std::optional<prediction> predict_scalar(const helper_proto& p, ctbpf::prog_type t, bool& skip) {
    skip = false;
    if (auto pre = pre_args(p, t)) return pre;
    if (p.has(proto_prop::has_allowed)) {
        skip = true;
        return std::nullopt;
    }
    for (int i = 0; i < 5; ++i) {
        const helper_arg& a = p.args[i];
        if (a.base == arg_base::dontcare) break;
        const std::string r = "R" + std::to_string(i + 1);
        if (a.base == arg_base::const_size || a.base == arg_base::const_alloc_size_or_zero ||
            a.base == arg_base::const_size_or_zero) {
            // a zero size after a NULL pointer, or a zero size where one is required: messages about
            // sizes and memory, not modelled here
            skip = true;
            return std::nullopt;
        }
        if (!is_pointer_arg(a.base)) continue;
        if (a.has(type_flag::maybe_null)) continue; // NULL is accepted
        if (a.base == arg_base::const_map_ptr) return prediction{r + " type=scalar expected=map_ptr", true};
        if (a.base == arg_base::ptr_to_ctx) return prediction{r + " type=scalar expected=ctx", true};
        return prediction{r + " type=scalar expected=", false, false, a.base};
    }
    return prediction{"", false, true};
}

bool matches(const prediction& p, const std::string& msg) {
    if (p.no_arg_error)
        return msg.find(" type=") == std::string::npos && msg.find("!read_ok") == std::string::npos &&
               msg.find("might sleep") == std::string::npos;
    return p.exact ? msg == p.text : msg.starts_with(p.text);
}

} // namespace

TEST_CASE("helper availability and prototypes against the live kernel") {
    std::string why;
    if (kernel_probe::may_skip("helper availability and prototypes against the kernel", why)) return;
    REQUIRE_MESSAGE(why.empty(), why);
    const auto t0 = std::chrono::steady_clock::now();
    const helper_probe::table root = helper_probe::probe_root(max_id);
    const auto t1 = std::chrono::steady_clock::now();
    std::string unpriv_why;
    bool unpriv_may_skip = false;
    const helper_probe::table unpriv = helper_probe::probe_unprivileged(max_id, unpriv_why, unpriv_may_skip);
    const auto t2 = std::chrono::steady_clock::now();
    MESSAGE("probed in " << std::chrono::duration<double>(t1 - t0).count() << " s (root), "
                         << std::chrono::duration<double>(t2 - t1).count() << " s (unprivileged)");
    if (!unpriv_why.empty()) {
        REQUIRE_MESSAGE(unpriv_may_skip, "the unprivileged probe could not run: " << unpriv_why);
        std::printf("SKIP: the unprivileged probe, because %s\n", unpriv_why.c_str());
    }

    if (const char* out = std::getenv("CTBPF_HELPER_PROBE_OUT"); out && *out) {
        utsname u{};
        ::uname(&u);
        std::ofstream f(out);
        f << helper_probe::format_measurement(root, unpriv, max_id, u.release);
        MESSAGE("measurement written to " << out);
    }

    // ---- 1. availability
    const auto& types = helper_probe::probed_types();
    int total = 0, total_agree = 0;
    auto compare_row = [&](const helper_probe::probed_type& pt, ctbpf::privilege priv,
                           const std::vector<helper_probe::cell>& row) {
        const ctbpf::prog_type t = to_prog_type(pt.name);
        tally c;
        std::string diffs;
        for (std::int32_t id = 0; id <= max_id; ++id) {
            const helper_probe::cell& k = row[static_cast<std::size_t>(id)];
            const helper_availability a = helper_available(t, priv, id);
            bool ok = false;
            switch (k.v) {
            case helper_probe::verdict::available: ok = a.avail == availability::yes; break;
            case helper_probe::verdict::cannot_use:
            case helper_probe::verdict::unknown_func:
                ok = a.avail == availability::no && k.message == expected_unavailable(id, a.message);
                break;
            case helper_probe::verdict::load_failed: ok = a.avail == availability::unknown; break;
            }
            ++c.probed;
            if (ok) ++c.agree;
            else diffs += " " + std::to_string(id) + "(" + helper_probe::to_string(k.v) + ": " + k.message + ")";
        }
        const std::string line = std::string(pt.name) + (priv == ctbpf::privilege::root ? " root" : " unprivileged") + ": probed " +
                std::to_string(c.probed) + ", agreeing " + std::to_string(c.agree) +
                (diffs.empty() ? std::string() : "; differ:" + diffs);
        MESSAGE(line);
        const std::string stale = std::string(pt.name) + ": the measured table is stale (regenerate it)";
        CHECK_MESSAGE(c.agree == c.probed, stale);
        total += c.probed;
        total_agree += c.agree;
    };
    for (std::size_t i = 0; i < types.size(); ++i) compare_row(types[i], ctbpf::privilege::root, root[i]);
    std::size_t u = 0;
    for (const auto& pt : types) {
        if (!pt.unprivileged) continue;
        if (u < unpriv.size()) compare_row(pt, ctbpf::privilege::unprivileged, unpriv[u]);
        ++u;
    }
    MESSAGE("availability: " << total_agree << " of " << total << " agree");

    // ---- 2. prototypes
    auto l = std::make_unique<helper_probe::flag_loader>();
    std::vector<bpf_insn> zeros;
    for (std::uint8_t r = 1; r <= 5; ++r) zeros.push_back(ctbpf::make_insn(0xb7, r, 0, 0, 0));
    int checked = 0, agreed = 0, skipped = 0, fallback = 0;
    std::map<std::string, int> per_type_checked, per_type_agreed;
    std::string diffs;
    // the kernel's list of accepted register types, per argument base type: one list per base type
    // (else the table classifies some argument differently from the kernel)
    std::map<int, std::map<std::string, std::string>> expected_lists; // base -> list -> first proto
    auto record = [&](const prediction& pr, const std::string& msg, std::string_view proto) {
        if (pr.exact || pr.no_arg_error || pr.base == arg_base::dontcare) return;
        const std::size_t at = msg.find("expected=");
        if (at == std::string::npos) return;
        expected_lists[static_cast<int>(pr.base)].emplace(msg.substr(at + 9), std::string(proto));
    };
    for (std::size_t i = 0; i < types.size(); ++i) {
        const ctbpf::prog_type t = to_prog_type(types[i].name);
        for (std::int32_t id = 1; id <= max_id; ++id) {
            const helper_probe::cell& k = root[i][static_cast<std::size_t>(id)];
            if (k.v != helper_probe::verdict::available) continue;
            std::uint8_t fl = 0;
            const helper_proto* p = proto_for(t, ctbpf::privilege::root, id, &fl);
            if (p == nullptr) { // available on the live kernel, not in the parsed switches (newer kernel)
                p = primary_proto(id);
                if (p == nullptr) {
                    ++skipped;
                    continue;
                }
                ++fallback;
            } else if (fl & type_proto_flag::conditional) {
                ++skipped;
                continue;
            }
            bool skip_a = false, skip_b = false;
            const auto pa = predict_entry(*p, t, skip_a);
            if (pa) {
                ++checked;
                ++per_type_checked[types[i].name];
                if (matches(*pa, k.message)) {
                    record(*pa, k.message, p->name);
                    ++agreed;
                    ++per_type_agreed[types[i].name];
                } else {
                    diffs += std::string("\n  ") + types[i].name + " " + std::string(p->name) + " (entry): kernel '" +
                             k.message + "', predicted '" + (pa->no_arg_error ? "<no argument error>" : pa->text) + "'";
                }
            } else {
                ++skipped;
            }
            const auto pb = predict_scalar(*p, t, skip_b);
            if (pb) {
                const kernel_probe::load_result r = helper_probe::load_call(*l, types[i], zeros, id);
                ++checked;
                ++per_type_checked[types[i].name];
                if (matches(*pb, r.message)) {
                    record(*pb, r.message, p->name);
                    ++agreed;
                    ++per_type_agreed[types[i].name];
                } else {
                    diffs += std::string("\n  ") + types[i].name + " " + std::string(p->name) + " (R1..R5 = 0): kernel '" +
                             r.message + "', predicted '" + (pb->no_arg_error ? "<no argument error>" : pb->text) + "'";
                }
            } else {
                ++skipped;
            }
        }
    }
    std::string per_type;
    for (const auto& [name, n] : per_type_checked)
        per_type += " " + name + " " + std::to_string(per_type_agreed[name]) + "/" + std::to_string(n) + ";";
    MESSAGE("prototypes: " << checked << " argument checks, " << agreed << " agree, " << skipped
                           << " not predicted (conditional proto, .allowed, size arguments); " << fallback
                           << " checks used the primary proto (helper not in the type's 6.12 switch)\n per type:"
                           << per_type << diffs);
    std::string lists;
    int inconsistent = 0;
    for (const auto& [base, m] : expected_lists) {
        lists += "\n  " + std::string(to_string(static_cast<arg_base>(base))) + ":";
        for (const auto& [text, proto] : m) lists += " [" + text + "] (e.g. " + proto + ")";
        if (m.size() != 1) ++inconsistent;
    }
    MESSAGE("accepted register types per argument base type:" << lists);
    CHECK_MESSAGE(inconsistent == 0, "an argument base type with several kernel type lists");
    CHECK(checked == agreed);
    CHECK(checked > 1000);
}
