// Core DSL tests: labels and distances, compile-time vs run-time assembly through the same
// path, assembly errors with index/line/label, run-time escape hatches, maps by name.
// Expected jump distances follow the ISA rule target = pc + 1 + off (isa.md §8).
#include <ctbpf.hpp>
#include <doctest/doctest.h>

#include <cerrno>
#include <string>
#include <type_traits>
#include <vector>

using namespace ctbpf::syntax;
using ctbpf::errc;

namespace {

constexpr auto with_labels = [] {
    return program{
        r0 = 0,                           // 0
    label("top"),
        r0 += 1,                          // 1
        if_(r0 < 10).goto_("top"),        // 2: back to 1 -> off = 1 - 3 = -2
        r1 = imm64(0x1122334455667788),   // 3, 4
        if_(s(w0) >= -1).goto_("end"),    // 5: to 8 -> off = 8 - 6 = 2
        call("sub"),                      // 6: to 9 -> imm = 9 - 7 = 2
        gotol("end"),                     // 7: to 8 -> imm = 0
    label("end"),
        exit_(),                          // 8
    label("sub"),
        r2 = func_addr("sub"),            // 9, 10: to 9 -> imm = 9 - 10 = -1
        may_goto("sub"),                  // 11: to 9 -> off = -3
        exit_(),                          // 12
    };
};
constexpr auto p = ctbpf::assemble<with_labels, ctbpf::unchecked>();
static_assert(p.size() == 13);
static_assert(p[2].code == 0xa5 && p[2].off == -2 && p[2].imm == 10);
static_assert(p[3].code == 0x18 && p[3].imm == 0x55667788 && p[4].code == 0 && p[4].imm == 0x11223344);
static_assert(p[5].code == 0x76 && p[5].off == 2 && p[5].imm == -1);
static_assert(p[6].code == 0x85 && p[6].src_reg == 1 && p[6].imm == 2);
static_assert(p[7].code == 0x06 && p[7].imm == 0 && p[7].off == 0);
static_assert(p[9].code == 0x18 && p[9].src_reg == 4 && p[9].imm == -1);
// The spelling's registers are constant references to the register objects (Clang would track
// every use of an object through a braced list: quadratic compile time), of the register types.
static_assert(std::is_same_v<decltype(r3), const ctbpf::reg64&> && std::is_same_v<decltype(w3), const ctbpf::reg32&> &&
              std::is_same_v<decltype(r10), const ctbpf::frame_pointer&>);
static_assert(&r3 == &ctbpf::detail::regs::r3 && r3.n == 3 && w9.n == 9 && r10.n == 10);
static_assert(p[11].code == 0xe5 && p[11].off == -3);

bool same(const bpf_insn& a, const bpf_insn& b) { return ctbpf::same_insn(a, b); }

ctbpf::check_result assemble_error(const ctbpf::program& prog) {
    std::vector<bpf_insn> out;
    return ctbpf::try_assemble(prog, out);
}

} // namespace

TEST_CASE("run-time assembly gives the compile-time bytes") {
    const std::vector<bpf_insn> rt = ctbpf::assemble(with_labels(), ctbpf::unchecked);
    REQUIRE(rt.size() == p.size());
    for (std::size_t i = 0; i < p.size(); ++i) CHECK(same(rt[i], p[i]));
}

TEST_CASE("assembly errors name the rule, the instruction index, the line and the label") {
    const unsigned undefined_line = __LINE__ + 3;
    ctbpf::check_result v = assemble_error(program{
        r0 = 0,
        if_(r0 == 0).goto_("nowhere"),
        exit_(),
    });
    CHECK(v.code == errc::label_is_not_defined);
    CHECK(v.index == 1);
    CHECK(v.line == undefined_line);
    CHECK(v.label == "nowhere");

    v = assemble_error(program{label("a"), r0 = 0, label("a"), exit_()});
    CHECK(v.code == errc::label_is_defined_twice);
    CHECK(v.index == 1);

    v = assemble_error(program{r0 = 0, goto_("end"), exit_(), label("end")});
    CHECK(v.code == errc::jump_target_is_outside_the_program);

    v = assemble_error(program{r0 = map(""), exit_()});
    CHECK(v.code == errc::map_name_is_empty);
}

TEST_CASE("a 16-bit jump distance never truncates; gotol reaches further") {
    for (int distance : {32767, 32768}) {
        ctbpf::program prog{goto_("far")};
        for (int i = 0; i < distance; ++i) prog += (r0 = 0);
        prog += {label("far"), exit_()};
        std::vector<bpf_insn> out;
        ctbpf::check_result v = ctbpf::try_assemble(prog, out);
        if (distance == 32767) {
            REQUIRE(v.ok());
            CHECK(out[0].off == 32767);
        } else {
            CHECK(v.code == errc::jump_distance_does_not_fit_in_16_bits_use_gotol);
            CHECK(v.index == 0);
        }
    }
    ctbpf::program prog{gotol("far")};
    for (int i = 0; i < 40000; ++i) prog += (r0 = 0);
    prog += {label("far"), exit_()};
    const auto out = ctbpf::assemble(prog, ctbpf::unchecked);
    CHECK(out[0].imm == 40000);
    CHECK_THROWS_AS(ctbpf::assemble(program{goto_("x")}), ctbpf::assembly_error);
    try { // every ctbpf exception is a ctbpf::exception, with the same accessors
        (void)ctbpf::assemble(program{r0 = 0, goto_("x"), exit_()});
        FAIL("no exception");
    } catch (const ctbpf::exception& e) {
        CHECK(e.rule() == ctbpf::errc::label_is_not_defined);
        CHECK(e.insn() == 1u);
        CHECK(e.label() == "x");
        CHECK(e.errnum() == EINVAL); // the rule's errno (ctbpf::errno_of), as for the verifier's rules
    }
}

TEST_CASE("run-time operands go through dyn() and reg64{n}, checked") {
    const int n = 3;
    const std::int64_t big = 1LL << 40;
    const ctbpf::reg64 r{n};
    const auto out = ctbpf::assemble(program{r = dyn(n * 100), r += dyn(-n), exit_()}, ctbpf::unchecked);
    CHECK(out[0].code == 0xb7);
    CHECK(out[0].dst_reg == 3);
    CHECK(out[0].imm == 300);
    CHECK(out[1].imm == -3);
    CHECK_THROWS_AS((void)(r = dyn(big)), ctbpf::operand_error);
    CHECK_THROWS_AS((void)ctbpf::reg64{n * 4}, ctbpf::operand_error);
    CHECK_THROWS_AS((void)(w1 <<= dyn(n * 11)), ctbpf::operand_error);
    CHECK_THROWS_AS((void)(w1 <<= dyn(n * 11)), ctbpf::exception);
    CHECK_THROWS_WITH((void)(r = dyn(big)), doctest::Contains("does not fit in signed 32 bits"));
    // w registers take the unsigned 32-bit spelling: 0xffffffff is imm -1
    CHECK(ctbpf::assemble(program{w0 = 0xffffffff, exit_()})[0].imm == -1);
}

TEST_CASE("maps by name get fd_array indices in order of first use") {
    constexpr auto f = [] {
        return program{r1 = map("counts"), r2 = map_value("config", 16), r3 = map("counts"), r0 = 0, exit_()};
    };
    constexpr auto prog = ctbpf::assemble<f>();
    constexpr auto names = ctbpf::map_names<f>();
    static_assert(names.size() == 2 && names[0] == "counts" && names[1] == "config");
    static_assert(prog[0].src_reg == 5 && prog[0].imm == 0);                          // BPF_PSEUDO_MAP_IDX
    static_assert(prog[2].src_reg == 6 && prog[2].imm == 1 && prog[3].imm == 16);     // ..._IDX_VALUE
    static_assert(prog[4].imm == 0);
    std::vector<bpf_insn> out;
    std::vector<std::string_view> maps;
    REQUIRE(ctbpf::try_assemble(f(), out, &maps).ok());
    CHECK(maps == std::vector<std::string_view>{"counts", "config"});
}

TEST_CASE("source_map gives the line and the label of each slot") {
    constexpr unsigned first = __LINE__ + 2;
    constexpr auto f = [] {
        return program{r0 = 0,
                       label("l"), r1 = imm64(1),
                       exit_()};
    };
    constexpr auto sm = ctbpf::source_map<f>();
    static_assert(sm.size() == 4);
    static_assert(sm[0].line == first && sm[1].line == first + 1 && sm[2].line == first + 1 && sm[3].line == first + 2);
    static_assert(sm[1].label == "l" && sm[0].label.empty() && sm[2].label.empty());
    CHECK(sm[3].line == first + 2);
}

TEST_CASE("programs compose: fragments append, + concatenates") {
    const ctbpf::program prologue{r6 = r1, r0 = 0};
    const ctbpf::program epilogue{label("out"), exit_()};
    const ctbpf::program body{if_(r6 == 0).goto_("out"), r0 = 1};
    const auto out = ctbpf::assemble(prologue + body + epilogue);
    REQUIRE(out.size() == 5);
    CHECK(out[2].off == 1);
}

TEST_CASE("a program appended to itself doubles (labels, map references and lddw slots too)") {
    ctbpf::program p{r1 = map("m"), if_(r1 == 0).goto_("end"), r0 = imm64(0x100000000), label("end"), exit_()};
    ctbpf::program q;
    q.reserve(2); // appending into spare room, without reallocation, is the other case
    q += {label("top"), r0 = 0};
    p += p;
    q += q;
    std::vector<bpf_insn> code;
    std::vector<std::string_view> maps;
    CHECK(ctbpf::try_assemble(p, code, &maps).code == ctbpf::errc::label_is_defined_twice);
    CHECK(ctbpf::try_assemble(q, code).code == ctbpf::errc::label_is_defined_twice);
    ctbpf::program r{r1 = map("m"), r0 = imm64(7)};
    r += r;
    REQUIRE(ctbpf::try_assemble(r, code, &maps).ok());
    REQUIRE(code.size() == 8);
    CHECK(maps == std::vector<std::string_view>{"m"});
    CHECK((code[0].imm == 0 && code[4].imm == 0 && code[6].imm == 7 && code[7].imm == 0));
}

// the same at compile time
constexpr auto self_appended = [] {
    ctbpf::program p{r1 = imm64(5), exit_()};
    p += p;
    return p;
};
static_assert(ctbpf::assemble<self_appended, ctbpf::unchecked>().size() == 6);
static_assert(ctbpf::assemble<self_appended, ctbpf::unchecked>()[3].imm == 5);

// One item at a time (`p += item`, the path a generator's loop takes) gives the bytes and the lines
// of the same program written as one braced list, at run time and at compile time.
constexpr auto item_by_item = [] {
    ctbpf::program q;
    q += (r0 = 0);
    q += label("top");
    q += (r0 += 1);
    q += if_(r0 < 10).goto_("top");
    q += (r1 = imm64(0x1122334455667788));
    q += if_(s(w0) >= -1).goto_("end");
    q += call("sub");
    q += gotol("end");
    q += label("end");
    q += exit_();
    q += label("sub");
    q += (r2 = func_addr("sub"));
    q += may_goto("sub");
    q += exit_();
    return q;
};
constexpr auto item_by_item_code = ctbpf::assemble<item_by_item, ctbpf::unchecked>();
static_assert(item_by_item_code.size() == p.size());
static_assert(item_by_item_code[2].off == -2 && item_by_item_code[9].imm == -1 && item_by_item_code[11].off == -3);

TEST_CASE("one item at a time gives the bytes of the braced list") {
    std::vector<bpf_insn> code;
    std::vector<ctbpf::slot_info> lines;
    REQUIRE(ctbpf::try_assemble(item_by_item(), code, nullptr, &lines).ok());
    REQUIRE(code.size() == p.size());
    for (std::size_t i = 0; i < p.size(); ++i) CHECK(same(code[i], p[i]));
    CHECK(lines[0].line == lines[1].line - 2); // q += (r0 = 0) and q += (r0 += 1), two lines apart

    // run-time immediates: the caller stores the instruction's fields separately
    volatile int k = -7;
    ctbpf::program q;
    for (int i = 0; i < 100; ++i) {
        q += (r0 = dyn(i * k));
        q += (w2 ^= dyn(k));
        q += (mem<u32>(r10 - 4) = dyn(i));
    }
    q += exit_();
    REQUIRE(ctbpf::try_assemble(q, code).ok());
    REQUIRE(code.size() == 301);
    for (int i = 0; i < 100; ++i) {
        const auto at = static_cast<std::size_t>(3 * i);
        CHECK(same(code[at], ctbpf::make_insn(0xb7, 0, 0, 0, i * -7)));
        CHECK(same(code[at + 1], ctbpf::make_insn(0xa4, 2, 0, 0, -7)));
        CHECK(same(code[at + 2], ctbpf::make_insn(0x62, 10, 0, -4, i)));
    }
}

// Label handles (program::new_label()): the same program as with_labels, without names.
constexpr auto with_handles = [] {
    ctbpf::program q;
    const label_id top = q.new_label(), end = q.new_label(), sub = q.new_label();
    q += {
        r0 = 0,
    label(top),
        r0 += 1,
        if_(r0 < 10).goto_(top),
        r1 = imm64(0x1122334455667788),
        if_(s(w0) >= -1).goto_(end),
        call(sub),
        gotol(end),
    label(end),
        exit_(),
    label(sub),
        r2 = func_addr(sub),
        may_goto(sub),
        exit_(),
    };
    return q;
};
constexpr auto handles_code = ctbpf::assemble<with_handles, ctbpf::unchecked>();
constexpr bool same_code(std::span<const bpf_insn> a, std::span<const bpf_insn> b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (!ctbpf::same_insn(a[i], b[i])) return false;
    return true;
}
static_assert(same_code(handles_code, p));

TEST_CASE("label handles: no names, local to their program, renumbered when appended") {
    CHECK(same_code(ctbpf::assemble(with_handles(), ctbpf::unchecked), p));

    // a fragment with a local loop, appended twice: each copy jumps within itself
    ctbpf::program loop;
    const label_id again = loop.new_label();
    loop += {label(again), r1 += 1, if_(r1 < 5).goto_(again)};
    ctbpf::program q{r1 = 0};
    const label_id out = q.new_label();
    q += loop;
    q += loop;
    q += {goto_(out), r0 = 1, label(out), exit_()};
    CHECK(q.label_handle_count() == 3);
    const auto code = ctbpf::assemble(q, ctbpf::unchecked);
    REQUIRE(code.size() == 8);
    CHECK(code[2].off == -2); // slot 2 -> 1 (target = pc + 1 + off)
    CHECK(code[4].off == -2); // slot 4 -> 3
    CHECK(code[5].off == 1);  // slot 5 -> 7

    // handles and names together; a slot named by a handle has no label in the source map
    ctbpf::program m;
    const label_id h = m.new_label();
    m += {if_(r1 == 0).goto_("named"), goto_(h), label("named"), r0 = 0, label(h), exit_()};
    std::vector<bpf_insn> out_code;
    std::vector<ctbpf::slot_info> slots;
    REQUIRE(ctbpf::try_assemble(m, out_code, nullptr, &slots).ok());
    CHECK((out_code[0].off == 1 && out_code[1].off == 1));
    CHECK((slots[2].label == "named" && slots[3].label.empty()));
}

TEST_CASE("label handles: an unplaced or twice-placed handle names the index and the line") {
    ctbpf::program q;
    const label_id nowhere = q.new_label();
    const unsigned jump_line = __LINE__ + 1;
    q += {r0 = 0, goto_(nowhere), exit_()};
    ctbpf::check_result v = assemble_error(q);
    CHECK(v.code == errc::label_is_not_defined);
    CHECK(v.index == 1);
    CHECK(v.line == jump_line);
    CHECK(v.label.empty());

    ctbpf::program twice;
    const label_id l = twice.new_label();
    twice += {label(l), r0 = 0, label(l), exit_()};
    v = assemble_error(twice);
    CHECK(v.code == errc::label_is_defined_twice);
    CHECK(v.index == 1);
}
