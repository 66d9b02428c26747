// The BTF reader (ctbpf/btf.hpp) on malformed input: blobs written here (a tiny BTF writer) and the
// running kernel's vmlinux BTF, truncated and corrupted. Every damaged blob must be refused with an
// error or, if it still parses, be walked (every type, member, size, name lookup) without reading
// out of bounds — this test is built with AddressSanitizer and UBSan where the compiler has them.
// Plus the reader on hand-made blobs whose layout the test states (split BTF, bitfields, enum64,
// modifiers, resolve_size) and CO-RE matching rules (flavours, anonymous members, ambiguity).
#include <ctbpf.hpp>
#include <ctbpf/btf.hpp>
#include <ctbpf/core.hpp>
#include <ctbpf/sys/btf.hpp>

#include <doctest/doctest.h>

#include <cstdint>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

namespace btf = ctbpf::btf;

namespace {

// A minimal BTF writer: types appended in order (ids from `first_id`), strings deduplicated.
struct writer {
    std::vector<std::uint32_t> types; // little-endian words
    std::string strings = std::string(1, '\0');
    std::uint32_t next_id = 1;
    std::uint32_t str_base = 0; // split BTF: the base's string length

    std::uint32_t str(const std::string& s) {
        if (s.empty()) return 0;
        const std::size_t at = strings.find(s + '\0');
        if (at != std::string::npos) return str_base + static_cast<std::uint32_t>(at);
        const auto off = static_cast<std::uint32_t>(strings.size());
        strings += s;
        strings += '\0';
        return str_base + off;
    }
    std::uint32_t head(const std::string& name, btf::kind k, std::uint32_t vlen, bool kflag, std::uint32_t size_or_type) {
        types.push_back(str(name));
        types.push_back((vlen & 0xffff) | (static_cast<std::uint32_t>(k) << 24) | (kflag ? 1u << 31 : 0));
        types.push_back(size_or_type);
        return next_id++;
    }
    std::uint32_t int_(const std::string& name, std::uint32_t bytes, bool is_signed = false) {
        const std::uint32_t id = head(name, btf::kind::int_, 0, false, bytes);
        types.push_back((is_signed ? 1u << 24 : 0) | (bytes * 8));
        return id;
    }
    std::uint32_t ref(btf::kind k, std::uint32_t to, const std::string& name = {}) { return head(name, k, 0, false, to); }
    struct m { std::string name; std::uint32_t type, bit_offset, bits = 0; };
    std::uint32_t composite(btf::kind k, const std::string& name, std::uint32_t size, const std::vector<m>& ms, bool kflag = false) {
        const std::uint32_t id = head(name, k, static_cast<std::uint32_t>(ms.size()), kflag, size);
        for (const m& x : ms) {
            types.push_back(str(x.name));
            types.push_back(x.type);
            types.push_back(kflag ? (x.bits << 24) | x.bit_offset : x.bit_offset);
        }
        return id;
    }
    std::uint32_t array(std::uint32_t elem, std::uint32_t index, std::uint32_t n) {
        const std::uint32_t id = head("", btf::kind::array, 0, false, 0);
        types.push_back(elem);
        types.push_back(index);
        types.push_back(n);
        return id;
    }
    std::uint32_t enum64(const std::string& name, std::vector<std::pair<std::string, std::uint64_t>> vs) {
        const std::uint32_t id = head(name, btf::kind::enum64, static_cast<std::uint32_t>(vs.size()), false, 8);
        for (auto& [n, v] : vs) {
            types.push_back(str(n));
            types.push_back(static_cast<std::uint32_t>(v));
            types.push_back(static_cast<std::uint32_t>(v >> 32));
        }
        return id;
    }
    std::uint32_t enum32(const std::string& name, std::vector<std::pair<std::string, std::int32_t>> vs) {
        const std::uint32_t id = head(name, btf::kind::enum_, static_cast<std::uint32_t>(vs.size()), true, 4);
        for (auto& [n, v] : vs) {
            types.push_back(str(n));
            types.push_back(static_cast<std::uint32_t>(v));
        }
        return id;
    }
    std::uint32_t proto(std::uint32_t ret, std::vector<std::pair<std::string, std::uint32_t>> ps) {
        const std::uint32_t id = head("", btf::kind::func_proto, static_cast<std::uint32_t>(ps.size()), false, ret);
        for (auto& [n, t] : ps) {
            types.push_back(str(n));
            types.push_back(t);
        }
        return id;
    }
    std::vector<std::uint8_t> bytes() const {
        std::vector<std::uint8_t> b(24);
        const std::uint32_t tl = static_cast<std::uint32_t>(types.size() * 4), sl = static_cast<std::uint32_t>(strings.size());
        const std::uint32_t hdr[6] = {0x0001eB9Fu /* magic, version 1, flags 0 */, 24, 0, tl, tl, sl};
        std::memcpy(b.data(), hdr, 24);
        b.resize(24 + tl + sl);
        std::memcpy(b.data() + 24, types.data(), tl);
        std::memcpy(b.data() + 24 + tl, strings.data(), sl);
        return b;
    }
};

// A base blob with one of each construct the reader decodes.
std::vector<std::uint8_t> sample_base() {
    writer w;
    const std::uint32_t u32 = w.int_("unsigned int", 4);               // 1
    const std::uint32_t u64 = w.int_("long long unsigned int", 8);     // 2
    const std::uint32_t cu32 = w.ref(btf::kind::const_, u32);          // 3
    const std::uint32_t td = w.ref(btf::kind::typedef_, cu32, "u32_t"); // 4
    const std::uint32_t vol = w.ref(btf::kind::volatile_, td);         // 5
    const std::uint32_t arr = w.array(u64, u32, 3);                    // 6: u64[3]
    const std::uint32_t inner = w.composite(btf::kind::union_, "", 8, {{"a", u64, 0}, {"b", u32, 0}}); // 7
    const std::uint32_t s = w.composite(btf::kind::struct_, "thing", 48,
                                        {{"x", vol, 0}, {"flags", u32, 32, 3}, {"more", u32, 35, 5}, {"", inner, 64}, {"arr", arr, 128},
                                         {"self", 0, 320}},
                                        true); // 8
    (void)s;
    w.types[w.types.size() - 2] = 0; // "self" refers to void (id 0): allowed
    const std::uint32_t ptr = w.ref(btf::kind::ptr, 8);                // 9
    w.composite(btf::kind::struct_, "thing___v2", 16, {{"y", u32, 64}, {"x", u32, 32}}); // 10
    w.composite(btf::kind::struct_, "holder", 16, {{"t", ptr, 0}, {"n", w.int_("int", 4, true), 64}}); // 11, 12 int
    w.enum64("big", {{"BIG_A", 1}, {"BIG_B", 0xfffffffffull}});       // 13
    w.enum32("small", {{"SMALL_NEG", -5}, {"SMALL_ONE", 1}});          // 14
    const std::uint32_t fp = w.proto(u64, {{"p", ptr}, {"n", u32}});  // 15
    w.ref(btf::kind::func, fp, "do_thing");                           // 16
    w.ref(btf::kind::type_tag, ptr, "user");                          // 17
    return w.bytes();
}

std::optional<btf::blob> parse(std::vector<std::uint8_t> b, std::string& err, std::shared_ptr<const btf::blob> base = nullptr) {
    return btf::blob::parse(std::move(b), err, std::move(base));
}

// Touches everything a user can reach from a blob that parsed; returns a checksum (so nothing is
// optimized away).
std::uint64_t walk(const btf::blob& b, std::uint32_t from, std::uint32_t to) {
    std::uint64_t sum = 0;
    for (std::uint32_t id = from; id < to; ++id) {
        const auto t = b.type_by_id(id);
        REQUIRE(t.has_value());
        sum += t->name.size() + b.skip_modifiers(id) + b.resolve_size(id).value_or(7);
        for (const btf::member& m : b.members(id)) sum += m.name.size() + m.bit_offset + b.resolve_size(m.type).value_or(1);
        for (const btf::enumerator& e : b.enumerators(id)) sum += e.name.size() + static_cast<std::uint64_t>(e.value);
        for (const btf::param& p : b.params(id)) sum += p.name.size() + p.type;
        if (auto a = b.array(id)) sum += a->nelems;
        if (auto i = b.integer(id)) sum += i->bits;
        if (!t->name.empty()) sum += b.find_all(t->name).size();
    }
    sum += b.type_by_id(to).has_value() ? 1 : 0; // out of range: nullopt, no read
    return sum;
}

std::vector<std::uint8_t> read_vmlinux() {
    std::vector<std::uint8_t> v;
    if (std::FILE* f = std::fopen(ctbpf::sys::vmlinux_btf_path, "rb")) {
        std::uint8_t buf[65536];
        std::size_t n;
        while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) v.insert(v.end(), buf, buf + n);
        std::fclose(f);
    }
    return v;
}

} // namespace

TEST_CASE("hand-made BTF: members, bitfields, anonymous unions, modifiers, sizes, enums, protos") {
    std::string err;
    auto b = parse(sample_base(), err);
    REQUIRE_MESSAGE(b, err);
    CHECK(b->end_id() == 18);
    const auto thing = b->find("thing", btf::kind::struct_);
    REQUIRE(thing);
    CHECK(*thing == 8);
    const auto ms = b->members(8);
    REQUIRE(ms.size() == 6);
    CHECK(ms[1].name == "flags");
    CHECK(ms[1].bit_offset == 32);
    CHECK(ms[1].bitfield_size == 3);
    CHECK(ms[2].bit_offset == 35);
    CHECK(ms[2].bitfield_size == 5);
    CHECK(b->skip_modifiers(5) == 1);        // volatile -> typedef -> const -> unsigned int
    CHECK(b->skip_modifiers(5, false) == 4); // stops at the typedef
    CHECK(b->resolve_size(5) == 4);
    CHECK(b->resolve_size(6) == 24);         // u64[3]
    CHECK(b->resolve_size(9) == 8);          // pointer
    CHECK(b->resolve_size(17) == 8);         // type_tag -> pointer
    CHECK(!b->resolve_size(16));             // a function has no size
    CHECK(!b->resolve_size(0));              // void
    CHECK(!b->type_by_id(18));
    const auto e = b->enumerators(13);
    REQUIRE(e.size() == 2);
    CHECK(static_cast<std::uint64_t>(e[1].value) == 0xfffffffffull);
    const auto e32 = b->enumerators(14);
    REQUIRE(e32.size() == 2);
    CHECK(e32[0].value == -5);
    const auto ps = b->params(16); // through the FUNC
    REQUIRE(ps.size() == 2);
    CHECK(ps[0].name == "p");
    CHECK(ps[1].type == 1);
    CHECK(b->find("do_thing", btf::kind::func) == 16u);
    CHECK(b->find_all("thing").size() == 1);
    CHECK(b->find_essential("thing").size() == 2); // thing and thing___v2
}

TEST_CASE("CO-RE matching: anonymous members, flavours, ambiguity, pointers, missing fields") {
    std::string err;
    auto b = parse(sample_base(), err);
    REQUIRE(b);
    std::string why;
    const std::string_view a[] = {"a"};
    // "a" is in the anonymous union at bit 64 of thing; thing___v2 has no "a": not a conflict
    auto f = btf::find_field(*b, "thing", a, why);
    REQUIRE_MESSAGE(f, why);
    CHECK(f->bit_offset == 64);
    CHECK(f->type_id == 8);
    // "x": thing has it at 0, thing___v2 at 32 -> ambiguous (libbpf refuses too)
    const std::string_view x[] = {"x"};
    CHECK(!btf::find_field(*b, "thing___mine", x, why));
    CHECK(why.find("ambiguous") != std::string::npos);
    // "y" only in the flavoured target type
    const std::string_view y[] = {"y"};
    f = btf::find_field(*b, "thing", y, why);
    REQUIRE_MESSAGE(f, why);
    CHECK(f->bit_offset == 64);
    CHECK(f->type_id == 10);
    // through a pointer: refused with a reason
    const std::string_view tn[] = {"t", "a"};
    CHECK(!btf::find_field(*b, "holder", tn, why));
    CHECK(why.find("pointer") != std::string::npos);
    // missing: names type and member
    const std::string_view nope[] = {"nope"};
    CHECK(!btf::find_field(*b, "holder", nope, why));
    CHECK(why.find("holder") != std::string::npos);
    CHECK(why.find("'nope'") != std::string::npos);
    CHECK(ctbpf::sys::core_field_offset(*b, "holder", {"n"}).value() == 8);
    CHECK(ctbpf::sys::core_type_size(*b, "holder").value() == 16);
    CHECK(!ctbpf::sys::core_field_offset(*b, "thing", {"flags"})); // a bitfield has no byte offset
}

namespace {
constexpr auto relocated = [] {
    using namespace ctbpf::syntax;
    namespace core = ctbpf::core;
    return program{
        r6 = r1,
    label("size"),
        r0 = 0,
    label("exists"),
        r2 = 7,
    label("missing"),
        w3 = 7,
    label("bytes"),
        r4 = 0,
    } + core::load<u64, "holder", "n">(r5, r6) + core::add_offset<"thing___local", "arr">(r6) + program{exit_()};
};
} // namespace

TEST_CASE("core_relocate: the kinds, the relocations a program carries, and the instructions patched") {
    std::string err;
    auto b = parse(sample_base(), err);
    REQUIRE(b);
    const ctbpf::sys::program_image img = ctbpf::sys::image<relocated, ctbpf::unchecked>();
    const auto carried = ctbpf::sys::core_relocations_of(img);
    REQUIRE(carried.size() == 2);
    CHECK(carried[0].type == "holder");
    CHECK(carried[1].type == "thing___local");
    REQUIRE(carried[1].path.size() == 1);
    CHECK(carried[1].path[0] == "arr");
    using ctbpf::sys::core_kind;
    auto r = ctbpf::sys::core_relocate(img,
                                       {{.label = "size", .type = "holder", .kind = core_kind::type_size},
                                        {.label = "exists", .type = "holder", .path = {"n"}, .kind = core_kind::field_exists},
                                        {.label = "missing", .type = "holder", .path = {"nope"}, .kind = core_kind::field_exists},
                                        {.label = "bytes", .type = "thing", .path = {"arr"}, .kind = core_kind::field_byte_size}},
                                       *b);
    REQUIRE_MESSAGE(r, (r ? "" : r.error().describe()));
    const std::vector<ctbpf::insn>& x = r->insns;
    REQUIRE(x.size() == 8);
    CHECK(x[1].imm == 16); // sizeof(holder), as the writer made it
    CHECK(x[2].imm == 1);  // holder.n exists
    CHECK(x[3].imm == 0);  // holder.nope does not
    CHECK(x[4].imm == 24); // thing.arr: u64[3]
    CHECK(x[5].off == 8);  // r5 = *(u64 *)(r6 + offsetof(holder, n))
    CHECK(x[6].imm == 16); // r6 += offsetof(thing, arr): bit 128 (the flavour is ignored)
    CHECK(img.insns[5].off == 0); // the constexpr image is not touched
    // an empty or unknown label is an error that says so
    const ctbpf::sys::core_relocation unlabelled{.label = "", .type = "holder", .path = {"n"}};
    auto none = ctbpf::sys::core_relocate(img, {unlabelled}, *b);
    REQUIRE(!none);
    CHECK(none.error().message.find("has no label") != std::string::npos);
}

namespace {
// every relocation kind, written with core.hpp's factories (values worked out by hand below)
constexpr auto kinds = [] {
    using namespace ctbpf::syntax;
    namespace core = ctbpf::core;
    return core::load_bitfield<"thing", "more">(r2, r1) + core::load_bitfield<"holder", "n">(r3, r1) +
           core::enum_value<"small", "SMALL_NEG">(r4) + core::enum_value<"enum big", "BIG_B">(r5) +
           core::type_id<"struct holder">(r6) + core::type_exists<"struct nope">(r7) + core::type_size<"enum small">(r8) +
           core::field_exists<"thing", "flags">(r9) + core::enum_exists<"small", "SMALL_TWO">(r9) +
           core::load_guarded<u32, "holder", "nope">(r0, r1) + program{label(core::relo<"signed", "holder", "n">), r0 = 0, exit_()};
};
constexpr auto unknown_kind = [] {
    using namespace ctbpf::syntax;
    return program{label("core:bogus@holder.n"), r0 = 0, exit_()};
};
constexpr auto missing_enum = [] {
    using namespace ctbpf::syntax;
    return ctbpf::core::enum_value<"small", "SMALL_TWO">(ctbpf::syntax::r0) + program{exit_()};
};
} // namespace

TEST_CASE("core_relocate: bitfields (libbpf's offsets and shifts), enums, type ids, poison, errors") {
    std::string err;
    auto b = parse(sample_base(), err);
    REQUIRE(b);
    // assembled at run time: GCC 12's -fsanitize=undefined (this test's build) refuses, in constant
    // evaluation, the assembler's label table comparing these labels' static storage with nullptr
    const auto assembled = [](const ctbpf::program& p) {
        ctbpf::sys::assembled_program a;
        REQUIRE(ctbpf::try_assemble(p, a.insns, &a.map_names, &a.slots).ok());
        return a;
    };
    const ctbpf::sys::assembled_program img = assembled(kinds());
    auto r = ctbpf::sys::core_relocate(img.image(), *b);
    REQUIRE_MESSAGE(r, (r ? "" : r.error().describe()));
    const std::vector<ctbpf::insn>& x = r->insns;
    REQUIRE(x.size() == 18);
    // thing.more: u32 bitfield, 5 bits at bit 35 -> the u32 at byte 4, << 64-(35+5-32) = 56, >> 64-5 = 59 (unsigned)
    CHECK((x[0].code == 0x61 && x[0].off == 4));
    CHECK((x[1].code == 0x67 && x[1].imm == 56));
    CHECK((x[2].code == 0x77 && x[2].imm == 59));
    // holder.n: a signed int at byte 8 -> << 32, arithmetic >> 32
    CHECK((x[3].code == 0x61 && x[3].off == 8));
    CHECK((x[4].code == 0x67 && x[4].imm == 32));
    CHECK((x[5].code == 0xc7 && x[5].imm == 32));
    // SMALL_NEG = -5 (64 bits, sign-extended as libbpf does), BIG_B = 0xfffffffff
    CHECK((x[6].imm == -5 && x[7].imm == -1));
    CHECK((x[8].imm == -1 && x[9].imm == 0xf));
    CHECK(x[10].imm == static_cast<std::int32_t>(b->find("holder", btf::kind::struct_).value())); // struct holder's id
    CHECK(x[11].imm == 0);  // no struct nope
    CHECK(x[12].imm == 4);  // sizeof(enum small)
    CHECK(x[13].imm == 1);  // thing.flags exists
    CHECK(x[14].imm == 0);  // SMALL_TWO does not
    CHECK((x[15].code == 0x85 && x[15].imm == ctbpf::sys::core_poison_imm)); // guarded holder.nope: poisoned
    CHECK(x[16].imm == 1);  // holder.n is signed
    const ctbpf::sys::assembled_program img2 = assembled(unknown_kind());
    auto bad = ctbpf::sys::core_relocate(img2.image(), *b);
    REQUIRE(!bad);
    CHECK(bad.error().message.find("unknown relocation kind 'bogus'") != std::string::npos);
    const ctbpf::sys::assembled_program img3 = assembled(missing_enum());
    auto missing = ctbpf::sys::core_relocate(img3.image(), *b);
    REQUIRE(!missing);
    CHECK(missing.error().message.find("small::SMALL_TWO does not exist") != std::string::npos);
}

TEST_CASE("split BTF: ids and strings continue after the base") {
    std::string err;
    auto base_blob = parse(sample_base(), err);
    REQUIRE(base_blob);
    auto base = std::make_shared<const btf::blob>(std::move(*base_blob));
    writer w;
    w.next_id = base->end_id();
    w.strings.clear();
    w.str_base = 0;
    // split strings: offsets continue after the base's string section
    const std::vector<std::uint8_t> bb = sample_base();
    std::uint32_t base_str_len;
    std::memcpy(&base_str_len, bb.data() + 20, 4);
    w.str_base = base_str_len;
    const std::uint32_t s = w.composite(btf::kind::struct_, "mod_thing", 16, {{"t", 8, 0}, {"u", 1, 96}});
    w.ref(btf::kind::ptr, s);
    auto m = parse(w.bytes(), err, base);
    REQUIRE_MESSAGE(m, err);
    CHECK(m->start_id() == 18);
    CHECK(m->find("mod_thing", btf::kind::struct_) == 18u);
    CHECK(m->find("thing", btf::kind::struct_) == 8u); // from the base
    CHECK(m->resolve_size(19) == 8);
    const auto ms = m->members(18);
    REQUIRE(ms.size() == 2);
    CHECK(ms[0].name == "t");
    CHECK(m->resolve_size(ms[0].type) == 48);
    CHECK(walk(*m, 1, m->end_id()) > 0);
}

TEST_CASE("malformed blobs are refused with a reason") {
    const std::vector<std::uint8_t> good = sample_base();
    auto refuse = [&](std::vector<std::uint8_t> b, const std::string& says) {
        std::string err;
        CHECK_MESSAGE(!parse(std::move(b), err), says);
        CHECK_MESSAGE(err.find(says) != std::string::npos, err);
    };
    auto put = [](std::vector<std::uint8_t> b, std::size_t at, std::uint32_t v) {
        std::memcpy(b.data() + at, &v, 4);
        return b;
    };
    refuse({}, "truncated header");
    refuse(std::vector<std::uint8_t>(good.begin(), good.begin() + 23), "truncated header");
    auto bad_magic = good;
    bad_magic[0] = 0x7f;
    refuse(bad_magic, "bad magic");
    auto swapped = good;
    std::swap(swapped[0], swapped[1]);
    refuse(swapped, "big-endian");
    auto ver = good;
    ver[2] = 2;
    refuse(ver, "version");
    refuse(put(good, 4, 0xffffffffu), "header length");
    refuse(put(good, 12, 0xfffffff0u), "truncated type section");      // type_len
    refuse(put(good, 20, 0xfffffff0u), "truncated string section");    // str_len
    refuse(put(good, 16, 0xfffffffcu), "truncated string section");    // str_off
    refuse(std::vector<std::uint8_t>(good.begin(), good.end() - 1), "truncated string section");
    auto nonul = good;
    nonul.back() = 'x';
    refuse(nonul, "does not end with NUL");
    refuse(put(good, 24 + 4, 31u << 24), "unknown kind 31");               // first type's info
    refuse(put(good, 24, 0x7fffffffu), "outside the string section");     // first type's name
    // type 3 (const) refers to type 1: make it refer past the end
    refuse(put(good, 24 + 16 * 2 + 8, 0xffffffffu), "refers to type 4294967295");
    // type_len cut inside a record
    std::uint32_t tl;
    std::memcpy(&tl, good.data() + 12, 4);
    refuse(put(good, 12, tl - 4), "truncated");
}

TEST_CASE("self-nesting and fanning-out anonymous members end with an error, quickly") {
    writer w;
    const std::uint32_t u32 = w.int_("unsigned int", 4); // 1
    // 2: struct loop { anonymous loop; anonymous loop; ... } (16 anonymous members of itself)
    std::vector<writer::m> ms(16, writer::m{"", 2, 0});
    w.composite(btf::kind::struct_, "loop", 4, ms);
    w.composite(btf::kind::struct_, "fine", 4, {{"v", u32, 0}});
    std::string err;
    auto b = parse(w.bytes(), err);
    REQUIRE_MESSAGE(b, err); // well formed as far as the format goes
    std::string why;
    const std::string_view v[] = {"v"};
    CHECK(!btf::find_field(*b, "loop", v, why));
    CHECK(why.find("too deeply or too often") != std::string::npos);
    CHECK(btf::find_field(*b, "fine", v, why));
}

TEST_CASE("mutation fuzzing a hand-made blob: errors or a safe walk, never a crash") {
    const std::vector<std::uint8_t> good = sample_base();
    std::mt19937 rng(12345);
    int refused = 0, parsed = 0;
    for (int i = 0; i < 20000; ++i) {
        std::vector<std::uint8_t> b = good;
        const int flips = 1 + static_cast<int>(rng() % 4);
        for (int f = 0; f < flips; ++f) {
            const std::size_t at = rng() % b.size();
            switch (rng() % 4) {
            case 0: b[at] = static_cast<std::uint8_t>(rng()); break;
            case 1: b[at] ^= static_cast<std::uint8_t>(1u << (rng() % 8)); break;
            case 2: b[at] = 0xff; break;
            default: b.resize(at); break; // truncate
            }
            if (b.empty()) break;
        }
        std::string err;
        auto p = parse(b, err);
        if (!p) {
            CHECK(!err.empty());
            ++refused;
            continue;
        }
        ++parsed;
        (void)walk(*p, 1, p->end_id());
        std::string why;
        const std::string_view path[] = {"a"};
        (void)btf::find_field(*p, "thing", path, why);
    }
    MESSAGE("hand-made blob mutations: " << refused << " refused, " << parsed << " parsed and walked");
    std::printf("btf fuzz (hand-made): %d refused, %d parsed and walked\n", refused, parsed);
    CHECK(refused > 1000);
    CHECK(parsed > 100);
}

TEST_CASE("vmlinux BTF truncated and corrupted: errors, not crashes") {
    const std::vector<std::uint8_t> v = read_vmlinux();
    if (v.empty()) {
        MESSAGE("SKIP: cannot read " << ctbpf::sys::vmlinux_btf_path);
        return;
    }
    std::string err;
    auto whole = parse(v, err);
    REQUIRE_MESSAGE(whole, err);
    CHECK(whole->size() > 10000);
    // every truncation is refused (the header's section lengths no longer fit)
    int truncations = 0;
    for (std::size_t cut : {std::size_t(0), std::size_t(1), std::size_t(23), std::size_t(24), std::size_t(100), v.size() / 7,
                            v.size() / 3, v.size() / 2, v.size() - 4096, v.size() - 1}) {
        std::string e;
        CHECK(!parse(std::vector<std::uint8_t>(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(cut)), e));
        CHECK(!e.empty());
        ++truncations;
    }
    // random corruptions of the type section; a blob that still parses is walked around the damage
    std::uint32_t hdr_len, type_off, type_len;
    std::memcpy(&hdr_len, v.data() + 4, 4);
    std::memcpy(&type_off, v.data() + 8, 4);
    std::memcpy(&type_len, v.data() + 12, 4);
    std::mt19937 rng(777);
    int refused = 0, parsed = 0;
    for (int i = 0; i < 60; ++i) {
        std::vector<std::uint8_t> b = v;
        const std::size_t at = hdr_len + type_off + rng() % type_len;
        b[at] = static_cast<std::uint8_t>(rng() | 0x80);
        b[at + 1 < b.size() ? at + 1 : at] = 0xff;
        std::string e;
        auto p = parse(std::move(b), e);
        if (!p) {
            ++refused;
            CHECK(!e.empty());
            continue;
        }
        ++parsed;
        const std::uint32_t mid = static_cast<std::uint32_t>(1 + rng() % (p->end_id() - 1));
        (void)walk(*p, mid > 2000 ? mid - 2000 : 1, std::min(p->end_id(), mid + 2000));
    }
    std::printf("btf fuzz (vmlinux): %d truncations refused; %d corruptions refused, %d parsed and walked\n", truncations,
                refused, parsed);
    CHECK(refused + parsed == 60);
}
