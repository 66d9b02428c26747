// Program BTF (ctbpf/btf_writer.hpp, passed by sys::load): the kernel accepts what needs it — a
// bpf_loop callback, global functions (verified on their own from their BTF prototype), a tail call
// in a subprogram — and BPF_OBJ_GET_INFO_BY_FD reports the func_info/line_info counts written.
// The blob parses back with ctbpf's reader and BPF_BTF_LOAD accepts it (the kernel is the oracle of
// its validity); malformed labels and blobs give clear errors.
#include "sys_test_util.hpp"

#include <ctbpf/btf.hpp>
#include <ctbpf/btf_writer.hpp>
#include <ctbpf/func.hpp>

#include <linux/bpf.h>

#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

using namespace sys_test;

namespace {

constexpr ctbpf::options with_btf{.type = ctbpf::prog_type::xdp, .program_btf = true};

// sum = 0; bpf_loop(10, cb, &sum, 0); return sum   — cb(i, ctx): *ctx += i + 1
constexpr auto loop_sum = [] {
    using namespace ctbpf::syntax;
    return program{
        r6 = 0,
        mem<u64>(r10 - 8) = r6,
        w1 = 10,
        r2 = func_addr("cb"),
        r3 = r10,
        r3 += -8,
        r4 = 0,
        call(helper::loop),
        r0 = mem<u64>(r10 - 8),
        exit_(),
    label("cb"),
        r3 = mem<u64>(r2 + 0),
        r3 += r1,
        r3 += 1,
        mem<u64>(r2 + 0) = r3,
        r0 = 0,
        exit_(),
    };
};
inline constexpr auto triple = ctbpf::global_func<"triple", "ctx", "scalar">;
inline constexpr auto load8 = ctbpf::global_func<"load8", "mem:8">;
// triple(ctx, 5) + load8(&42): 15 + 42
constexpr auto globals = [] {
    using namespace ctbpf::syntax;
    return program{
        r2 = 5,
        call(triple),
        r6 = r0,
        r1 = 42,
        mem<u64>(r10 - 8) = r1,
        r1 = r10,
        r1 += -8,
        call(load8),
        r0 += r6,
        exit_(),
    label(triple),
        r0 = r2,
        r0 *= 3,
        exit_(),
    label(load8),
        r0 = 0,
        if_(r1 == 0).goto_("null"),
        r0 = mem<u64>(r1 + 0),
    label("null"),
        exit_(),
    };
};
// A global function must check its nullable pointer: the kernel verifies it on its own and refuses.
inline constexpr auto deref = ctbpf::global_func<"deref", "mem:8">;
constexpr auto unchecked_deref = [] {
    using namespace ctbpf::syntax;
    return program{
        r1 = 0,
        mem<u64>(r10 - 8) = r1,
        r1 = r10,
        r1 += -8,
        call(deref),
        exit_(),
    label(deref),
        r0 = mem<u64>(r1 + 0),
        exit_(),
    };
};
// main calls sub, which tail-calls slot 0 of "jumps" and returns 7 when it is empty
constexpr auto tail_in_sub = [] {
    using namespace ctbpf::syntax;
    return program{
        call("sub"),
        exit_(),
    label("sub"),
        r2 = map("jumps"),
        r3 = 0,
        call(helper::tail_call),
        w0 = 7,
        exit_(),
    };
};
constexpr auto ret42 = [] {
    using namespace ctbpf::syntax;
    return program{w0 = 42, exit_()};
};

// The constexpr verifier: without program BTF a callback is refused as the kernel does; with it,
// the callback and the tail call in a subprogram are accepted (the callback is left to the kernel).
static_assert(ctbpf::check(ctbpf::assemble<loop_sum, ctbpf::unchecked>(), {.type = ctbpf::prog_type::xdp}).code ==
              ctbpf::errc::callback_needs_btf_func_info);
static_assert(ctbpf::check(ctbpf::assemble<loop_sum, ctbpf::unchecked>(), with_btf).ok());
static_assert(ctbpf::check(ctbpf::assemble<tail_in_sub, ctbpf::unchecked>(), {.type = ctbpf::prog_type::xdp}).code ==
              ctbpf::errc::tail_call_is_not_allowed_in_subprogs_without_btf);
static_assert(ctbpf::check(ctbpf::assemble<globals>(), with_btf).ok());

std::vector<unsigned char> packet() { return std::vector<unsigned char>(64, 0); }
std::uint32_t run(const sys::prog& p) {
    const auto pkt = packet();
    return sys::test_run(p, {.data = bytes(pkt.data(), pkt.size())}).value().retval;
}

} // namespace

TEST_CASE("program BTF: one FUNC per subprogram, line_info from the source map; it parses back") {
    const sys::program_image img = sys::image<globals, with_btf>();
    std::string why;
    auto b = ctbpf::btf::make_program_btf(img.insns, img.slots, "globals", "prog_btf_test.cpp", why);
    REQUIRE_MESSAGE(b.has_value(), why);
    REQUIRE(b->funcs.size() == 3);
    CHECK(b->funcs[0].insn_off == 0);
    CHECK(b->names == std::vector<std::string>{"globals", "triple", "load8"});
    CHECK(img.slots[b->funcs[1].insn_off].label == triple);
    CHECK(img.slots[b->funcs[2].insn_off].label == load8);
    std::string err;
    auto parsed = ctbpf::btf::blob::parse(b->blob, err);
    REQUIRE_MESSAGE(parsed.has_value(), err);
    const auto t = parsed->type_by_id(b->funcs[1].type_id);
    REQUIRE(t.has_value());
    CHECK(t->kind == ctbpf::btf::kind::func);
    CHECK(t->name == "triple");
    CHECK(t->vlen == 1); // global linkage
    const auto ps = parsed->params(t->size_or_type);
    REQUIRE(ps.size() == 2);
    CHECK(parsed->type_by_id(ps[0].type)->kind == ctbpf::btf::kind::ptr);
    CHECK(parsed->type_by_id(ps[1].type)->kind == ctbpf::btf::kind::int_);
    const auto l8 = parsed->params(parsed->type_by_id(b->funcs[2].type_id)->size_or_type);
    REQUIRE(l8.size() == 1);
    CHECK(parsed->resolve_size(parsed->type_by_id(l8[0].type)->size_or_type).value_or(0) == 8); // pointer to 8 bytes
    CHECK(parsed->find("arg:ctx", ctbpf::btf::kind::decl_tag).has_value());
    // line_info: the first record at 0, one at each subprogram, the lines of the source map
    REQUIRE(!b->lines.empty());
    CHECK(b->lines[0].insn_off == 0);
    CHECK((b->lines[0].line_col >> 10) == img.slots[0].line);
    for (const auto& f : b->funcs) {
        bool found = false;
        for (const auto& l : b->lines) found = found || l.insn_off == f.insn_off;
        CHECK(found);
    }
    CHECK(parsed->string_at(b->lines[0].file_name_off) == "prog_btf_test.cpp");
}

TEST_CASE("program BTF: BPF_BTF_LOAD accepts the blob; a damaged one is refused with the kernel's reason") {
    KERNEL_TEST();
    const sys::program_image img = sys::image<globals, with_btf>();
    std::string why;
    auto b = ctbpf::btf::make_program_btf(img.insns, img.slots, "globals", "x.cpp", why);
    REQUIRE(b.has_value());
    auto fd = sys::load_btf(b->blob);
    REQUIRE_MESSAGE(fd.ok(), (fd.ok() ? "" : fd.error().describe()));
    // a FUNC whose prototype id points past the last type
    ctbpf::btf::writer w;
    w.add_func("f", 99, ctbpf::btf::linkage::static_);
    auto bad = sys::load_btf(w.bytes());
    REQUIRE_FALSE(bad.ok());
    CHECK(bad.error().message.find("BPF_BTF_LOAD") == 0);
    CHECK_MESSAGE(!bad.error().kernel_message.empty(), bad.error().describe());
    std::vector<std::uint8_t> garbage(8, 0xff);
    CHECK_FALSE(sys::load_btf(garbage).ok());
}

TEST_CASE("bpf_loop with a callback summing into the caller's stack") {
    KERNEL_TEST();
    sys::load_report rep;
    auto p = sys::load(sys::image<loop_sum, with_btf>(), {.type = BPF_PROG_TYPE_XDP, .name = "loop_sum"}, {}, &rep);
    REQUIRE_MESSAGE(p.ok(), (p.ok() ? "" : p.error().describe()));
    CHECK(run(*p) == 55);
    const auto info = p->info().value();
    std::printf("bpf_loop: sum %u; written func_info %u, line_info %u; bpf_prog_info: btf_id %u, nr_func_info %u, nr_line_info %u\n",
                run(*p), rep.func_info_cnt, rep.line_info_cnt, info.btf_id, info.nr_func_info, info.nr_line_info);
    CHECK(info.btf_id != 0);
    CHECK(rep.func_info_cnt == 2);
    CHECK(info.nr_func_info == rep.func_info_cnt);
    CHECK(info.nr_line_info == rep.line_info_cnt);
    CHECK(rep.line_info_cnt >= 2);
    // without program BTF the kernel refuses the callback
    auto no = sys::load(sys::image<loop_sum, with_btf>(),
                        {.type = BPF_PROG_TYPE_XDP, .program_btf = sys::load_options::btf_mode::never});
    REQUIRE_FALSE(no.ok());
    CHECK_MESSAGE(no.error().describe().find("missing btf func_info") != std::string::npos, no.error().describe());
}

TEST_CASE("global functions: called from the main program, verified by the kernel on their own") {
    KERNEL_TEST();
    sys::load_report rep;
    auto p = sys::load(sys::image<globals, with_btf>(), {.type = BPF_PROG_TYPE_XDP, .name = "globals", .log_level = 2}, {}, &rep);
    REQUIRE_MESSAGE(p.ok(), (p.ok() ? "" : p.error().describe()));
    CHECK(run(*p) == 5 * 3 + 42);
    CHECK(rep.log.find("Validating triple() func#1") != std::string::npos);
    CHECK(rep.log.find("Validating load8() func#2") != std::string::npos);
    for (std::size_t at = rep.log.find("Validating"); at != std::string::npos; at = rep.log.find("Validating", at + 1))
        std::printf("kernel log: %s\n", rep.log.substr(at, rep.log.find('\n', at) - at).c_str());
    if (const std::size_t at = rep.log.find("; "); at != std::string::npos) // a line_info line of the log
        std::printf("kernel log: %s\n", rep.log.substr(at, rep.log.find('\n', at) - at).c_str());
    const auto info = p->info().value();
    CHECK(info.nr_func_info == 3);
    CHECK(info.nr_line_info == rep.line_info_cnt);
    // the kernel checks a global function once, with a nullable pointer: an unchecked load is refused
    auto bad = sys::load<unchecked_deref, ctbpf::unchecked>({.type = BPF_PROG_TYPE_XDP});
    REQUIRE_FALSE(bad.ok());
    CHECK_MESSAGE(bad.error().describe().find("mem_or_null") != std::string::npos, bad.error().describe());
}

TEST_CASE("a tail call from a subprogram") {
    KERNEL_TEST();
    auto jumps = sys::prog_array::create(1, {.name = "jumps"});
    REQUIRE(jumps.ok());
    auto p = sys::load(sys::image<tail_in_sub, with_btf>(), {.type = BPF_PROG_TYPE_XDP, .name = "tail_in_sub"}, {{"jumps", *jumps}});
    REQUIRE_MESSAGE(p.ok(), (p.ok() ? "" : p.error().describe()));
    auto target = sys::load<ret42>({.type = BPF_PROG_TYPE_XDP});
    REQUIRE(target.ok());
    CHECK(run(*p) == 7);
    REQUIRE(jumps->set(0, *target).ok());
    CHECK(run(*p) == 42);
    CHECK(p->info().value().nr_func_info == 2);
}

TEST_CASE("program BTF: a malformed global function label is refused before the kernel is asked") {
    using namespace ctbpf::syntax;
    const ctbpf::program bad{call("global:f(ptr)"), exit_(), label("global:f(ptr)"), r0 = 0, exit_()};
    auto p = sys::load(bad, {.type = BPF_PROG_TYPE_XDP});
    REQUIRE_FALSE(p.ok());
    CHECK_MESSAGE(p.error().message.find("unknown argument kind 'ptr'") != std::string::npos, p.error().message);
    CHECK(p.error().message.find("the kernel was not asked") != std::string::npos);
}
