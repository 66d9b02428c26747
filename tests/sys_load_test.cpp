// Kernel tests of loading: success, failure with the verifier log and the offending instruction,
// log growth from a tiny buffer, maps bound through fd_array (no copy) and by copy-and-patch,
// the precheck hook, and BPF_PROG_TEST_RUN (XDP verdicts, data out, repeat, duration).
#include "sys_test_util.hpp"
#include "verify_cases.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstddef>
#include <cstring>
#include <string>
#include <vector>

namespace sys = ctbpf::sys;
using sys_test::bytes;

namespace {

constexpr auto ret42 = [] {
    using namespace ctbpf::syntax;
    return program{r0 = 42, exit_()};
};

// Programs the kernel rejects are assembled at run time: assemble<F>() may refuse them at compile
// time once ctbpf::check() runs there.

// Reads r2, which is not initialized at entry: the verifier says "R2 !read_ok" at insn 1.
sys::assembled_program reads_r2() {
    using namespace ctbpf::syntax;
    return sys::assemble_for_load(program{r0 = 1, label("load"), r1 = mem<u32>(r2 + 0), exit_()});
}
constexpr std::uint32_t reads_r2_line = __LINE__ - 2;

// Valid, but long enough that its level-2 log does not fit in 128 bytes.
constexpr auto long_valid = [] {
    using namespace ctbpf::syntax;
    return program{
        r0 = 0, r1 = 1, r2 = 2, r3 = 3, r4 = 4, r5 = 5, r0 += r1, r0 += r2, r0 += r3, r0 += r4, r0 += r5,
        exit_(),
    };
};

// Many instructions, then an error: the log at level 1 is several hundred bytes.
sys::assembled_program long_invalid() {
    using namespace ctbpf::syntax;
    return sys::assemble_for_load(program{
        r0 = 0, r1 = 1, r2 = 2, r3 = 3, r4 = 4, r5 = 5, r0 += r1, r0 += r2, r0 += r3, r0 += r4, r0 += r5,
        r0 += r6, // r6 is not initialized
        exit_(),
    });
}

// check_cfg rejects it before walking: "unreachable insn 2".
sys::assembled_program unreachable() {
    using namespace ctbpf::syntax;
    return sys::assemble_for_load(program{r0 = 0, exit_(), label("dead"), r0 = 1, exit_()});
}

// Adds 1 to counts[0] through a direct value address (lddw src=6), returns XDP_PASS.
using sys_test::count_runs;

// Looks up key 0 of "counts" through bpf_map_lookup_elem (lddw src=5), adds 10.
constexpr auto add_ten = [] {
    using namespace ctbpf::syntax;
    return program{
        mem<u32>(r10 - 4) = 0,
        r2 = r10,
        r2 += -4,
        r1 = map("counts"),
        call(helper::map_lookup_elem),
        if_(r0 == 0).goto_("out"),
        r1 = 10,
        lock(mem<u64>(r0 + 0)) += r1,
    label("out"),
        w0 = XDP_PASS,
        exit_(),
    };
};

constexpr auto xdp_ipv4_only = sys_test::xdp_ipv4_only;

// XDP: writes 0xff into the first byte of the packet and returns XDP_TX.
constexpr auto xdp_mark = [] {
    using namespace ctbpf::syntax;
    return program{
        w0 = XDP_ABORTED,
        r2 = mem<u32>(r1 + 4),
        r1 = mem<u32>(r1 + 0),
        r3 = r1,
        r3 += 1,
        if_(r3 > r2).goto_("out"),
        mem<u8>(r1 + 0) = 0xff,
        w0 = XDP_TX,
    label("out"),
        exit_(),
    };
};

// tc: returns skb->mark and writes 99 into skb->cb[0] (struct __sk_buff offsets 8 and 48).
constexpr auto tc_mark = [] {
    using namespace ctbpf::syntax;
    return program{
        w0 = mem<u32>(r1 + 8),
        w2 = 99,
        mem<u32>(r1 + 48) = w2,
        exit_(),
    };
};

std::array<unsigned char, 64> packet(std::uint16_t ethertype_be) {
    std::array<unsigned char, 64> p{};
    std::memcpy(p.data() + 12, &ethertype_be, 2);
    return p;
}

} // namespace

TEST_CASE("a valid program loads: fd, id, tag, sanitized name, no log needed") {
    KERNEL_TEST();
    sys::load_report rep;
    auto p = sys::load<ret42>({.type = BPF_PROG_TYPE_SOCKET_FILTER, .name = "ret-42!"}, {}, &rep);
    REQUIRE(p.ok());
    CHECK(p->fd() >= 0);
    CHECK(p->type() == BPF_PROG_TYPE_SOCKET_FILTER);
    CHECK(rep.attempts == 1);
    CHECK(rep.log_size == 0);
    CHECK_FALSE(rep.insns_copied);
    auto info = p->info();
    REQUIRE(info.ok());
    CHECK(info->id > 0);
    CHECK(info->name == "ret_42_");
    CHECK(info->tag_hex().size() == 16);
    CHECK(info->tag_hex() != "0000000000000000");
}

TEST_CASE("a rejected program: errno, the kernel's message, the instruction with its label and line") {
    KERNEL_TEST();
    sys::load_report rep;
    const auto prog = reads_r2();
    auto p = sys::load(prog.image(), {.type = BPF_PROG_TYPE_XDP, .name = "reads_r2", .verifier = ctbpf::unchecked}, {}, &rep);
    REQUIRE_FALSE(p.ok());
    const sys::error& e = p.error();
    CHECK(e.is(std::errc::permission_denied));
    CHECK(e.message.find("BPF_PROG_LOAD xdp 'reads_r2'") == 0);
    CHECK(e.message.find("(EACCES)") != std::string::npos);
    CHECK(e.message.find("the verifier rejected the program") != std::string::npos);
    CHECK(rep.attempts == 2); // without a log, then with one
    REQUIRE(e.insn.has_value());
    CHECK(*e.insn == 1);
    REQUIRE_FALSE(e.kernel_message.empty());
    CHECK(e.kernel_message.front() == "R2 !read_ok");
    CHECK(e.annotation == "insn 1: r1 = *(u32 *)(r2 + 0)   (label 'load', line " + std::to_string(reads_r2_line) + ")");
    CHECK(std::any_of(e.log.begin(), e.log.end(), [](const std::string& l) { return l.rfind("processed ", 0) == 0; }));
    const std::string text = e.describe();
    CHECK(text.find("kernel: R2 !read_ok") != std::string::npos);
    CHECK(text.find("at insn 1: r1 = *(u32 *)(r2 + 0)") != std::string::npos);
    // value() throws bpf_error carrying the same text and errno.
    try {
        (void)sys::load(prog.image(), {.type = BPF_PROG_TYPE_XDP, .verifier = ctbpf::unchecked}).value();
        FAIL("value() did not throw");
    } catch (const sys::bpf_error& x) {
        CHECK(x.code() == std::errc::permission_denied);
        CHECK(x.errnum() == EACCES); // the ctbpf::exception accessors
        CHECK(x.insn() == 1u);
        CHECK(x.error().kernel_message == std::vector<std::string>{"R2 !read_ok"});
        CHECK(std::string(x.what()).find("kernel: R2 !read_ok") != std::string::npos);
    }
}

TEST_CASE("the log grows from a tiny buffer to the size the kernel reports") {
    KERNEL_TEST();
    sys::load_report rep;
    const auto prog = long_invalid();
    auto p = sys::load(prog.image(), {.type = BPF_PROG_TYPE_XDP, .log_size = 16, .verifier = ctbpf::unchecked}, {}, &rep); // clamped to 128
    REQUIRE_FALSE(p.ok());
    CHECK(p.error().is(std::errc::permission_denied)); // the verdict, not ENOSPC
    // no log, then 128 bytes (ENOSPC, log_true_size reported), then the true size
    CHECK(rep.attempts == 3);
    CHECK(rep.log_size > 128);
    CHECK(rep.log.size() + 1 == rep.log_size); // the kernel's true size counts the NUL
    CHECK(p.error().kernel_message.front() == "R6 !read_ok");
    CHECK(p.error().insn == 11u);
    CHECK(p.error().log.back().rfind("processed ", 0) == 0);
}

TEST_CASE("with a log requested, a valid program whose log overflows still loads: the verdict is the return value") {
    KERNEL_TEST();
    sys::load_report rep;
    auto p = sys::load<long_valid>({.type = BPF_PROG_TYPE_XDP, .log_level = 2, .log_size = 128}, {}, &rep);
    REQUIRE(p.ok());
    CHECK(rep.attempts == 2); // ENOSPC with 128 bytes, then success
    CHECK(rep.log.find("processed") != std::string::npos);
}

TEST_CASE("errors found before the walk name their instruction too") {
    KERNEL_TEST();
    const auto prog = unreachable();
    auto p = sys::load(prog.image(), {.type = BPF_PROG_TYPE_XDP, .verifier = ctbpf::unchecked});
    REQUIRE_FALSE(p.ok());
    REQUIRE(p.error().insn.has_value());
    CHECK(*p.error().insn == 2);
    CHECK(p.error().annotation.find("insn 2: r0 = 1   (label 'dead', line ") == 0);
}

TEST_CASE("an infinite loop: the message printed after an instruction's text, and the loop's instruction") {
    KERNEL_TEST();
    // loop: r0 = get_prandom_u32(); if r0 s>= 0 goto loop — the kernel repeats the loop state exactly
    using namespace ctbpf::syntax;
    const auto img = sys::assemble_for_load(program{
        r7 = imm64(0x100000001), label("loop"), call(ctbpf::helper::get_prandom_u32), if_(s(r0) >= 0).goto_("loop"),
        label("inner"), r9 = 3, if_(r0 == 0).goto_("inner"), r9 = 1, r0 = 0, exit_()});
    auto p = sys::load(img.image(), {.type = BPF_PROG_TYPE_SOCKET_FILTER, .verifier = ctbpf::unchecked});
    REQUIRE_FALSE(p.ok());
    REQUIRE_FALSE(p.error().kernel_message.empty());
    CHECK(p.error().kernel_message.front() == "infinite loop detected at insn 2");
    REQUIRE(p.error().insn.has_value());
    CHECK(*p.error().insn == 2);
    CHECK(p.error().annotation.find("insn 2: call 7   (label 'loop', line ") == 0);
}

TEST_CASE("E2BIG or EFAULT from the verifier gets the log too (more than 8,192 pending branches)") {
    KERNEL_TEST();
    const std::vector<bpf_insn> code = verify_cases::pending_branches(8193);
    sys::load_report rep;
    auto p = sys::load(sys::program_image{code}, {.type = BPF_PROG_TYPE_SOCKET_FILTER, .verifier = ctbpf::unchecked}, {}, &rep);
    REQUIRE_FALSE(p.ok());
    // E2BIG on 6.18.44-fc-v1252, EFAULT on an earlier 6.18.44 build
    CHECK((p.error().is(std::errc::argument_list_too_long) || p.error().is(std::errc::bad_address)));
    CHECK(rep.attempts >= 2); // retried with a log
    CHECK(p.error().kernel_message == std::vector<std::string>{"The sequence of 8193 jumps is too complex."});
    CHECK(p.error().message.find("the verifier rejected the program") != std::string::npos);
    REQUIRE(p.error().insn.has_value());
    CHECK(*p.error().insn == 3 * 8192 + 1);
}

TEST_CASE("maps by name: fd_array without a copy, copy-and-patch, a missing map") {
    KERNEL_TEST();
    auto counts = sys::map<std::uint32_t, std::uint64_t>::create(BPF_MAP_TYPE_ARRAY, 1, {.name = "counts"});
    REQUIRE(counts.ok());
    const auto pkt = packet(0x0008);

    sys::load_report rep;
    auto direct = sys::load<count_runs>({.type = BPF_PROG_TYPE_XDP}, {{"counts", *counts}}, &rep);
    REQUIRE(direct.ok());
    CHECK_FALSE(rep.insns_copied);
    REQUIRE(sys::test_run(*direct, {.data = bytes(pkt.data(), pkt.size()), .repeat = 5}).ok());
    CHECK(counts->lookup(0).value() == 5);

    auto patched = sys::load<add_ten>({.type = BPF_PROG_TYPE_XDP, .binding = sys::map_binding_mode::patch},
                                      {{"counts", *counts}}, &rep);
    REQUIRE(patched.ok());
    CHECK(rep.insns_copied);
    REQUIRE(sys::test_run(*patched, {.data = bytes(pkt.data(), pkt.size())}).ok());
    CHECK(counts->lookup(0).value() == 15);

    auto fd_array = sys::load<add_ten>({.type = BPF_PROG_TYPE_XDP, .binding = sys::map_binding_mode::fd_array},
                                       {{"counts", counts->fd()}}, &rep);
    REQUIRE(fd_array.ok());
    CHECK_FALSE(rep.insns_copied);

    auto missing = sys::load<add_ten>({.type = BPF_PROG_TYPE_XDP}, {{"other", *counts}}, &rep);
    REQUIRE_FALSE(missing.ok());
    CHECK(rep.attempts == 0);
    CHECK(missing.error().message.find("refers to map 'counts' (fd_array index 0) but no map of that name was given") !=
          std::string::npos);

    // The image of a compile-time program points into static storage: nothing is copied.
    const sys::program_image img = sys::image<count_runs>();
    CHECK(img.insns.data() == sys::detail::assembled_v<count_runs>.data());
    CHECK(img.map_names.size() == 1);
    CHECK(img.map_names[0] == "counts");
}

TEST_CASE("a run-time program with its source map") {
    KERNEL_TEST();
    using namespace ctbpf::syntax;
    ctbpf::program prog{r0 = 0};
    for (int i = 0; i < 3; ++i) prog += r0 += 1;
    prog += label("bad");
    prog += r0 += r7;
    prog += exit_();
    const sys::assembled_program a = sys::assemble_for_load(prog);
    auto p = sys::load(a.image(), {.type = BPF_PROG_TYPE_SOCKET_FILTER, .verifier = ctbpf::unchecked});
    REQUIRE_FALSE(p.ok());
    CHECK(p.error().insn == 4u);
    CHECK(p.error().annotation.find("insn 4: r0 += r7   (label 'bad', line ") == 0);
}

TEST_CASE("the precheck hook refuses before bpf() is called") {
    KERNEL_TEST();
    sys::load_report rep;
    sys::load_options o{.type = BPF_PROG_TYPE_XDP};
    o.precheck = [](std::span<const ctbpf::insn> insns, const sys::load_options&) {
        ctbpf::check_result r{.code = ctbpf::errc::refused_by_policy, .index = static_cast<std::uint32_t>(insns.size() - 1)};
        r.errnum = EACCES;
        r.msg.put("no exits allowed today");
        return r;
    };
    auto p = sys::load<ret42>(o, {}, &rep);
    REQUIRE_FALSE(p.ok());
    CHECK(rep.attempts == 0);
    CHECK(p.error().is(std::errc::permission_denied));
    CHECK(p.error().message.find("the precheck rejects the program (refused by a policy (load_options::precheck)); "
                                 "the kernel was not asked") != std::string::npos);
    CHECK(p.error().kernel_message == std::vector<std::string>{"no exits allowed today"});
    CHECK(p.error().message_from == "precheck");
    CHECK(p.error().annotation.find("insn 1: exit") == 0);
}

TEST_CASE("ctbpf::check() as the precheck: the kernel's errno and message, without the kernel") {
    const auto prog = reads_r2();
    sys::load_report rep;
    auto p = sys::load(prog.image(), {.type = BPF_PROG_TYPE_XDP, .precheck = sys::verifier_precheck}, {}, &rep);
    REQUIRE_FALSE(p.ok());
    CHECK(rep.attempts == 0);
    CHECK(p.error().is(std::errc::permission_denied));
    CHECK(p.error().kernel_message == std::vector<std::string>{"R2 !read_ok"});
    CHECK(p.error().describe().find("\n  ctbpf: R2 !read_ok\n") != std::string::npos); // not the kernel's log
    // the precheck's verdict is check()'s, with the load's program type
    const ctbpf::check_result v = sys::verifier_precheck(prog.insns, {.type = BPF_PROG_TYPE_XDP});
    CHECK(v.code == ctbpf::errc::register_read_before_write);
    CHECK(v.index == 1);
    CHECK(v.errnum == EACCES);
    CHECK(v.message() == "R2 !read_ok");
    CHECK(p.error().annotation.find("insn 1: r1 = *(u32 *)(r2 + 0)   (label 'load'") == 0);
    // A program the model accepts goes on to the kernel.
    if (sys_test::kernel().usable) {
        CHECK(sys::load<ret42>({.type = BPF_PROG_TYPE_XDP, .precheck = sys::verifier_precheck}).ok());
    }
}

constexpr auto returns_7 = [] {
    using namespace ctbpf::syntax;
    return program{r0 = 7, exit_()};
};
constexpr auto returns_1 = [] {
    using namespace ctbpf::syntax;
    return program{r0 = 1, exit_()};
};
constexpr ctbpf::options cgroup_skb{.type = ctbpf::prog_type::cgroup_skb};

TEST_CASE("sys::load<F>(options) checks with the load's program type: a cgroup_skb program returning 7") {
    sys::load_report rep;
    // F was checked at compile time without a type; load() checks it again with cgroup_skb
    auto p = sys::load<returns_7>({.type = BPF_PROG_TYPE_CGROUP_SKB}, {}, &rep);
    REQUIRE_FALSE(p.ok());
    CHECK(rep.attempts == 0);
    CHECK(p.error().message_from == "ctbpf");
    CHECK(p.error().message.find("(load_options::verifier = ctbpf::unchecked asks it)") != std::string::npos);
    CHECK(p.error().kernel_message ==
          std::vector<std::string>{"At program exit the register R0 has smin=7 smax=7 should have been in [0, 1]"});
    // the same through the run-time program and through sys::load<F, O> with O's type given at run time
    CHECK_FALSE(sys::load(ctbpf::program(returns_7()), {.type = ctbpf::prog_type::cgroup_skb}).ok());
    // an image<F, O>() checked at compile time with the load's type is not checked again
    const sys::program_image img = sys::image<returns_1, cgroup_skb>();
    REQUIRE(img.checked != nullptr);
    CHECK(img.checked->type == ctbpf::prog_type::cgroup_skb);
    // the kernel, asked (unchecked), refuses it with the message ctbpf gave
    KERNEL_TEST();
    auto k = sys::load<returns_7>({.type = ctbpf::prog_type::cgroup_skb, .verifier = ctbpf::unchecked}, {}, &rep);
    REQUIRE_FALSE(k.ok());
    CHECK(rep.attempts > 0);
    CHECK(k.error().message_from == "kernel");
    CHECK(std::find(k.error().kernel_message.begin(), k.error().kernel_message.end(), p.error().kernel_message[0]) !=
          k.error().kernel_message.end());
    CHECK(sys::load(img, {.type = ctbpf::prog_type::cgroup_skb}).ok());
}

TEST_CASE("a run-time program with named maps loads in one call; an image without the names is refused") {
    KERNEL_TEST();
    auto counts = sys::map<std::uint32_t, std::uint64_t>::create(BPF_MAP_TYPE_ARRAY, 1, {.name = "counts"});
    REQUIRE(counts.ok());
    const auto pkt = packet(0x0008);
    using namespace ctbpf::syntax;
    const program p{r1 = map("counts"), r2 = r10, r2 += -4, mem<u32>(r10 - 4) = 0, call(helper::map_lookup_elem),
                    if_(r0 == 0).goto_("out"), r1 = 7, lock(mem<u64>(r0 + 0)) += r1, label("out"), w0 = XDP_PASS,
                    exit_()};
    auto loaded = sys::load(p, {.type = BPF_PROG_TYPE_XDP}, {{"counts", *counts}});
    REQUIRE_MESSAGE(loaded.ok(), (loaded.ok() ? "" : loaded.error().describe()));
    REQUIRE(sys::test_run(*loaded, {.data = bytes(pkt.data(), pkt.size())}).ok());
    CHECK(counts->lookup(0).value() == 7);

    // ctbpf::assemble() keeps only the instructions: the map index is unbound, said before bpf()
    const std::vector<ctbpf::insn> code = ctbpf::assemble(p);
    sys::load_report rep;
    auto lost = sys::load(sys::program_image(code), {.type = BPF_PROG_TYPE_XDP}, {}, &rep);
    REQUIRE_FALSE(lost.ok());
    CHECK(rep.attempts == 0);
    CHECK(lost.error().is(std::errc::invalid_argument));
    CHECK(lost.error().message.find("insn 0 refers to map index 0 (BPF_PSEUDO_MAP_IDX, an fd_array index) but no map "
                                    "names or fd_array were given: load a run-time program with sys::load(program") !=
          std::string::npos);
    REQUIRE(lost.error().insn.has_value());
    CHECK(*lost.error().insn == 0);
    // with load_options::fd_array the same image loads
    const int fds[] = {counts->fd()};
    auto by_index = sys::load(sys::program_image(code), {.type = BPF_PROG_TYPE_XDP, .fd_array = fds});
    REQUIRE_MESSAGE(by_index.ok(), (by_index.ok() ? "" : by_index.error().describe()));

    auto unbound = sys::load(p, {.type = BPF_PROG_TYPE_XDP});
    REQUIRE_FALSE(unbound.ok());
    CHECK(unbound.error().message.find("refers to map 'counts' (fd_array index 0) but no map of that name was given") !=
          std::string::npos);
    auto bad = sys::load(program{if_(r1 > r2).goto_("nowhere"), exit_()}, {.type = BPF_PROG_TYPE_XDP});
    REQUIRE_FALSE(bad.ok());
    CHECK(bad.error().message.find("the program does not assemble: insn 0:") != std::string::npos);
}

TEST_CASE("usage errors need no kernel") {
    auto p = sys::load(sys::program_image{}, {.type = BPF_PROG_TYPE_XDP});
    REQUIRE_FALSE(p.ok());
    CHECK(p.error().message.find("no instructions") != std::string::npos);
    auto q = sys::load<ret42>({});
    REQUIRE_FALSE(q.ok());
    CHECK(q.error().message.find("load_options::type is not set") != std::string::npos);
}

TEST_CASE("test-run: XDP verdicts, data out, repeat and duration") {
    KERNEL_TEST();
    auto filter = sys::load<xdp_ipv4_only>({.type = BPF_PROG_TYPE_XDP});
    REQUIRE(filter.ok());
    const auto ipv4 = packet(0x0008), ipv6 = packet(0xdd86);
    auto r4 = sys::test_run(*filter, {.data = bytes(ipv4.data(), ipv4.size()), .repeat = 100});
    REQUIRE(r4.ok());
    CHECK(r4->retval == XDP_PASS);
    CHECK(r4->data.size() == ipv4.size());
    CHECK(std::memcmp(r4->data.data(), ipv4.data(), ipv4.size()) == 0);
    CHECK(r4->duration.count() > 0);
    auto r6 = sys::test_run(*filter, {.data = bytes(ipv6.data(), ipv6.size())});
    REQUIRE(r6.ok());
    CHECK(r6->retval == XDP_DROP);

    auto mark = sys::load<xdp_mark>({.type = BPF_PROG_TYPE_XDP});
    REQUIRE(mark.ok());
    auto rm = sys::test_run(*mark, {.data = bytes(ipv4.data(), ipv4.size())});
    REQUIRE(rm.ok());
    CHECK(rm->retval == XDP_TX);
    REQUIRE(rm->data.size() == ipv4.size());
    CHECK(rm->data[0] == std::byte{0xff});
    CHECK(rm->data[1] == std::byte{0});

    auto small = sys::test_run(*mark, {.data = bytes(ipv4.data(), ipv4.size()), .data_out_size = 8});
    REQUIRE_FALSE(small.ok());
    CHECK(small.error().is(std::errc::no_space_on_device));
    CHECK(small.error().message.find("raise data_out_size") != std::string::npos);

    auto too_short = sys::test_run(*filter, {.data = bytes(ipv4.data(), 4)});
    REQUIRE_FALSE(too_short.ok());
    CHECK(too_short.error().is(std::errc::invalid_argument));
}

TEST_CASE("test-run with a context in and out (struct __sk_buff)") {
    KERNEL_TEST();
    static_assert(offsetof(__sk_buff, mark) == 8 && offsetof(__sk_buff, cb) == 48);
    auto p = sys::load<tc_mark>({.type = BPF_PROG_TYPE_SCHED_CLS});
    REQUIRE(p.ok());
    const auto pkt = packet(0x0008);
    __sk_buff in{};
    in.mark = 7;
    auto r = sys::test_run(*p, {.data = bytes(pkt.data(), pkt.size()), .ctx = bytes(&in, sizeof in)});
    REQUIRE_MESSAGE(r.ok(), (r.ok() ? "" : r.error().message));
    CHECK(r->retval == 7);
    REQUIRE(r->ctx.size() == sizeof(__sk_buff));
    __sk_buff out{};
    std::memcpy(&out, r->ctx.data(), sizeof out);
    CHECK(out.cb[0] == 99);
    CHECK(out.mark == 7);
}
