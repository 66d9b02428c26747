// One vocabulary: ctbpf::prog_type and ctbpf::attach_type against the kernel's uapi enums (read
// from linux/bpf.h, the oracle: every name and value both ways), the aliases the CLI accepts,
// kernel_enum taking the raw constants, bpftool's attach-type names (from the bpftool binary and,
// when the kernel tree is unpacked, its source: the oracle), the one verification default and the
// one verdict type (check_result) of the assembler, check(), the disassembler and the load's precheck.
#include <doctest/doctest.h>

#include <ctbpf.hpp>
#include <ctbpf/disasm.hpp>
#include <ctbpf/sys/load.hpp>
#include <ctbpf/sys/names.hpp>

#include <linux/bpf.h>

#include <cctype>
#include <cerrno>
#include <cstdio>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

namespace {

using ctbpf::attach_type;
using ctbpf::prog_type;

// The enumerators of `enum NAME {...}` in a uapi header, with their values (implicit or = N).
std::vector<std::pair<std::string, std::uint32_t>> uapi_enum(const std::string& text, const std::string& name) {
    std::vector<std::pair<std::string, std::uint32_t>> out;
    const std::size_t at = text.find("enum " + name + " {");
    if (at == std::string::npos) return out;
    const std::size_t end = text.find("};", at);
    std::string body = text.substr(at, end - at);
    body = body.substr(body.find('{') + 1);
    std::string clean; // without comments
    for (std::size_t i = 0; i < body.size(); ++i) {
        if (body.compare(i, 2, "/*") == 0) {
            i = body.find("*/", i) + 1;
            continue;
        }
        clean += body[i];
    }
    std::stringstream ss(clean);
    std::string item;
    std::uint32_t next = 0;
    while (std::getline(ss, item, ',')) {
        std::string n, v;
        const std::size_t eq = item.find('=');
        for (char c : item.substr(0, eq))
            if (std::isalnum(static_cast<unsigned char>(c)) || c == '_') n += c;
        if (n.empty()) continue;
        if (eq != std::string::npos) {
            for (char c : item.substr(eq + 1))
                if (std::isdigit(static_cast<unsigned char>(c))) v += c;
            next = static_cast<std::uint32_t>(std::stoul(v));
        }
        if (n.rfind("__MAX", 0) != 0) out.emplace_back(n, next);
        ++next;
    }
    return out;
}

std::string lower(std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

std::string read(const char* path) {
    std::ifstream f(path);
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
}

// Every enumerator of the header's enum: to_string is its bpftool name (the kernel's name,
// lower case, without the prefix), and parse takes that name, the constant and its other cases.
template <class E>
int round_trips(const std::string& text, const std::string& enum_name, const std::string& prefix) {
    const auto values = uapi_enum(text, enum_name);
    for (const auto& entry : values) {
        const std::string& name = entry.first; // (not a structured binding: INFO captures it)
        const std::uint32_t value = entry.second;
        INFO(enum_name << ": " << name << " = " << value);
        REQUIRE(name.rfind(prefix, 0) == 0);
        const std::string bpftool = lower(name.substr(prefix.size()));
        CHECK(ctbpf::to_string(static_cast<E>(value)) == bpftool);
        CHECK(ctbpf::parse<E>(bpftool) == static_cast<E>(value));
        CHECK(ctbpf::parse<E>(name) == static_cast<E>(value));
        CHECK(ctbpf::parse<E>(lower(name)) == static_cast<E>(value));
        CHECK(ctbpf::parse<E>(name.substr(prefix.size())) == static_cast<E>(value));
    }
    return static_cast<int>(values.size());
}

// What `cmd` prints on stdout ("" when it cannot run).
std::string output_of(const std::string& cmd) {
    std::string out;
    FILE* p = popen((cmd + " 2>&1").c_str(), "r");
    if (!p) return out;
    char buf[4096];
    for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, p)) > 0;) out.append(buf, n);
    pclose(p);
    return out;
}

// The names of `ATTACH_TYPE := { a | b | ... }` in a bpftool help text.
std::vector<std::string> help_attach_types(const std::string& help) {
    std::vector<std::string> out;
    const std::size_t at = help.find("ATTACH_TYPE := {");
    if (at == std::string::npos) return out;
    const std::string body = help.substr(at + 16, help.find('}', at) - at - 16);
    static const std::regex word("[a-z0-9_]+");
    for (auto it = std::sregex_iterator(body.begin(), body.end(), word); it != std::sregex_iterator(); ++it)
        out.push_back(it->str());
    return out;
}

} // namespace

TEST_CASE("prog_type and attach_type: every name of the kernel's uapi enums, both ways") {
    // /usr/include (the build's uapi headers); the kernel source tree's when unpacked (newer)
    int checked = 0;
    for (const char* path : {"/usr/include/linux/bpf.h", "/usr/src/linux-source-6.12/include/uapi/linux/bpf.h"}) {
        const std::string text = read(path);
        if (text.empty()) {
            MESSAGE("not read: " << path);
            continue;
        }
        INFO(path);
        const int p = round_trips<prog_type>(text, "bpf_prog_type", "BPF_PROG_TYPE_");
        const int a = round_trips<attach_type>(text, "bpf_attach_type", "BPF_");
        CHECK(p >= 32);
        CHECK(a >= 44);
        checked += p + a;
    }
    CHECK(checked > 0);
    // the last values ctbpf knows (Linux 6.18), past the table: "unknown", parse refuses
    CHECK(ctbpf::to_string(prog_type::netfilter) == "netfilter");
    CHECK(ctbpf::to_string(attach_type::trace_uprobe_session) == "trace_uprobe_session");
    CHECK(ctbpf::to_string(static_cast<prog_type>(33)) == "unknown");
    CHECK(ctbpf::to_string(static_cast<attach_type>(58)) == "unknown");
    CHECK_FALSE(ctbpf::parse<prog_type>("unknown"));
    CHECK_FALSE(ctbpf::parse<attach_type>("BPF_PROG_TYPE_XDP"));
    CHECK_FALSE(ctbpf::parse<prog_type>(""));
}

TEST_CASE("the enum values are the kernel's constants") {
    static_assert(static_cast<std::uint32_t>(prog_type::syscall) == BPF_PROG_TYPE_SYSCALL);
    static_assert(static_cast<std::uint32_t>(prog_type::cgroup_skb) == BPF_PROG_TYPE_CGROUP_SKB);
    static_assert(static_cast<std::uint32_t>(attach_type::lsm_cgroup) == BPF_LSM_CGROUP);
    static_assert(static_cast<std::uint32_t>(attach_type::cgroup_inet_egress) == BPF_CGROUP_INET_EGRESS);
    CHECK(ctbpf::sys::prog_type_name(BPF_PROG_TYPE_XDP) == "xdp");
    CHECK(ctbpf::sys::prog_type_name(40u) == "prog type 40");
    CHECK(ctbpf::sys::attach_type_name(BPF_TRACE_FENTRY) == "trace_fentry");
}

TEST_CASE("the aliases the CLI accepts, any case, '-' for '_'") {
    CHECK(ctbpf::parse<prog_type>("unspecified") == prog_type::unspecified);
    CHECK(ctbpf::parse<prog_type>("unspec") == prog_type::unspecified);
    CHECK(ctbpf::parse<prog_type>("socket") == prog_type::socket_filter);
    CHECK(ctbpf::parse<prog_type>("socket-filter") == prog_type::socket_filter);
    CHECK(ctbpf::parse<prog_type>("tc") == prog_type::sched_cls);
    CHECK(ctbpf::parse<prog_type>("classifier") == prog_type::sched_cls);
    CHECK(ctbpf::parse<prog_type>("action") == prog_type::sched_act);
    CHECK(ctbpf::parse<prog_type>("XDP") == prog_type::xdp);
    CHECK(ctbpf::parse<prog_type>("Bpf_Prog_Type_Cgroup_Skb") == prog_type::cgroup_skb);
    CHECK(ctbpf::parse<attach_type>("egress") == attach_type::cgroup_inet_egress);
    CHECK(ctbpf::parse<attach_type>("connect4") == attach_type::cgroup_inet4_connect);
    CHECK(ctbpf::parse<attach_type>("iter") == attach_type::trace_iter);
    CHECK(ctbpf::parse<attach_type>("tcx-ingress") == attach_type::tcx_ingress);
    CHECK(ctbpf::parse<attach_type>("tcx/ingress") == attach_type::tcx_ingress);
    CHECK(ctbpf::parse<attach_type>("mod_ret") == attach_type::modify_return);
    CHECK(ctbpf::parse<attach_type>("msg_verdict") == attach_type::sk_msg_verdict);
    CHECK_FALSE(ctbpf::parse<attach_type>("ingres")); // (bpftool takes prefixes of its old names; ctbpf does not)
    static_assert(ctbpf::parse<prog_type>("BPF_PROG_TYPE_XDP") == prog_type::xdp); // usable at compile time
}

TEST_CASE("kernel_enum: load options take the typed enums and the kernel's raw constants alike") {
    const ctbpf::sys::load_options typed{.type = prog_type::cgroup_skb, .expected_attach_type = attach_type::cgroup_inet_egress};
    const ctbpf::sys::load_options raw{.type = BPF_PROG_TYPE_CGROUP_SKB, .expected_attach_type = BPF_CGROUP_INET_EGRESS};
    CHECK(typed.type == raw.type);
    CHECK(typed.expected_attach_type == raw.expected_attach_type);
    CHECK(raw.type == prog_type::cgroup_skb);
    CHECK(raw.type == BPF_PROG_TYPE_CGROUP_SKB);
    CHECK(raw.type != prog_type::xdp);
    CHECK(raw.type.raw() == 8);
    CHECK(static_cast<std::uint32_t>(raw.expected_attach_type) == 1);
    ctbpf::sys::load_options n;
    n.type = 6; // a number
    CHECK(n.type == prog_type::xdp);
}

TEST_CASE("one verification default: assemble(program) checks as assemble<F>() does; ctbpf::unchecked opts out") {
    using namespace ctbpf::syntax;
    const ctbpf::program reads_r2{r0 = r2, exit_()};
    CHECK_THROWS_AS(ctbpf::assemble(reads_r2), ctbpf::verifier_error);
    CHECK_THROWS_AS(ctbpf::assemble(reads_r2, ctbpf::options{}), ctbpf::verifier_error);
    CHECK(ctbpf::assemble(reads_r2, ctbpf::unchecked).size() == 2);
    // a cgroup_skb program returning 7: fine without a type, rejected with it (the load's type)
    const ctbpf::program ret7{r0 = 7, exit_()};
    CHECK(ctbpf::assemble(ret7).size() == 2);
    CHECK_THROWS_WITH(ctbpf::assemble(ret7, {.type = prog_type::cgroup_skb}),
                      doctest::Contains("should have been in [0, 1]"));
}

TEST_CASE("attach_type: every attach-type name the bpftool binary prints parses back to it") {
    std::string bpftool; // (root's PATH has /usr/sbin; ctest's may not)
    for (const char* b : {"bpftool", "/usr/sbin/bpftool"})
        if (bpftool.empty() && output_of(std::string(b) + " version").rfind("bpftool v", 0) == 0) bpftool = b;
    if (bpftool.empty()) {
        std::printf("SKIP: bpftool is not installed (scripts/deps.sh installs it)\n");
        return;
    }
    std::vector<std::string> names;
    std::stringstream builtins(output_of(bpftool + " feature list_builtins attach_types"));
    for (std::string n; builtins >> n;) names.push_back(n); // libbpf's table, by value
    const std::size_t libbpf_count = names.size();
    for (const char* cmd : {" cgroup help", " prog help"})
        for (std::string& n : help_attach_types(output_of(bpftool + cmd))) names.push_back(std::move(n));
    MESSAGE(names.size() << " names (" << libbpf_count << " from list_builtins)");
    CHECK(libbpf_count >= 44);
    CHECK(names.size() >= libbpf_count + 20);
    for (std::size_t i = 0; i < names.size(); ++i) {
        const std::string& n = names[i];
        INFO(n);
        const auto t = ctbpf::parse<attach_type>(n);
        REQUIRE(t.has_value());
        CHECK(ctbpf::to_string(*t) == n);
        if (i < libbpf_count) CHECK(static_cast<std::size_t>(*t) == i); // list_builtins prints them in value order
    }
}

TEST_CASE("attach_type: bpftool's traditional and location names (its source, when the kernel tree is unpacked)") {
    // bpftool's tables: `case BPF_X: return "name";` (common.c bpf_attach_type_input_str) and
    // `[BPF_X] = "name",` (prog.c attach_type_strings, net.c attach_loc_strings)
    const char* dir = "/usr/src/linux-source-6.12/tools/bpf/bpftool/";
    static const std::regex row(R"re((?:case\s+|\[)(BPF_[A-Z0-9_]+)\]?\s*[:=]\s*(?:return\s+)?"([a-z0-9_/]+)")re");
    int checked = 0;
    for (const char* file : {"common.c", "prog.c", "net.c"}) {
        const std::string text = read((std::string(dir) + file).c_str());
        if (text.empty()) {
            MESSAGE("not read: " << dir << file);
            continue;
        }
        for (auto it = std::sregex_iterator(text.begin(), text.end(), row); it != std::sregex_iterator(); ++it) {
            const std::string constant = (*it)[1], name = (*it)[2];
            const auto want = ctbpf::parse<attach_type>(constant);
            if (!want) continue; // (a BPF_ constant of another enum)
            INFO(file << ": " << constant << " = \"" << name << "\"");
            CHECK(ctbpf::parse<attach_type>(name) == want);
            ++checked;
        }
    }
    MESSAGE(checked << " names from bpftool's source");
    if (checked == 0) return; // (the tree is not unpacked; the aliases below still hold)
    CHECK(checked >= 29 + 4 + 4);
}

TEST_CASE("one verdict: assembling, checking, disassembling and the load's precheck all say check_result's way") {
    using namespace ctbpf::syntax;
    // an assembly error: the rule, where, the rule's errno and (as the message) its text
    std::vector<ctbpf::insn> out;
    const ctbpf::check_result a = ctbpf::try_assemble(ctbpf::program{r0 = 0, goto_("nowhere"), exit_()}, out);
    CHECK_FALSE(a);
    CHECK(a.code == ctbpf::errc::label_is_not_defined);
    CHECK(a.index == 1);
    CHECK(a.label == "nowhere");
    CHECK(a.errnum == EINVAL);
    CHECK(a.message() == "label is not defined");
    // check(program) returns it as it is (not ok with errno 0, as before)
    const ctbpf::check_result c = ctbpf::check(ctbpf::program{r0 = 0, goto_("nowhere"), exit_()});
    CHECK(c.code == a.code);
    CHECK(c.errnum == EINVAL);
    CHECK(c.message() == a.message());
    // the disassembler names a bad byte or lddw with check()'s rule for it
    for (const std::vector<ctbpf::insn>& bad : {std::vector<ctbpf::insn>{ctbpf::make_insn(0x8d, 0, 0, 0, 0), ctbpf::make_insn(0x95, 0, 0, 0, 0)},
                                                std::vector<ctbpf::insn>{ctbpf::make_insn(0x18, 1, 0, 0, 0), ctbpf::make_insn(0x95, 0, 0, 0, 0)}}) {
        const ctbpf::disasm_result d = ctbpf::disasm_one(bad, 0);
        const ctbpf::check_result k = ctbpf::check(bad);
        CHECK_FALSE(d);
        CHECK(d.code == k.code);
        CHECK(ctbpf::disasm_program(bad).verdict.code == k.code);
    }
    CHECK(ctbpf::disasm_one(std::vector<ctbpf::insn>{}, 0).code == ctbpf::errc::index_out_of_range);
    CHECK(ctbpf::disasm_one(std::vector<ctbpf::insn>{ctbpf::make_insn(0x95, 0, 0, 0, 0)}, 0).message().empty());
    // the errc table is a std::error_code enumeration for the new rules too
    const std::error_code ec = ctbpf::errc::refused_by_policy;
    CHECK(ec.message() == "refused by a policy (load_options::precheck)");
    CHECK(ec == std::errc::operation_not_permitted);
}
