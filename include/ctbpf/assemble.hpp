// Assembly: resolve the program's label and map references (hash tables), check distances, emit
// struct bpf_insn. One constexpr path serves assemble<F>() (std::array at compile time, a
// rejected program names rule, instruction index, line and label in the compiler output) and
// the run-time assemble(program) (std::vector, throws assembly_error).
#pragma once

#include <array>
#include <cstdint>
#include <initializer_list>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "ctbpf/diagnostics.hpp"
#include "ctbpf/map_decl.hpp"
#include "ctbpf/program.hpp"
#include "ctbpf/verify.hpp"

namespace ctbpf {


// Optional outputs of assembly besides the instructions.
struct emit_extras {
    std::string_view* map_names = nullptr; // [map count]
    std::size_t* map_count = nullptr;
    slot_info* slots = nullptr;            // [slot count]
};

namespace detail {

struct label_entry {
    std::string_view name;
    std::uint32_t slot; // a label's slot, a map's index
    std::uint32_t line;
    std::uint32_t hash; // the high half of the name's hash
};

// Open-addressing hash table of names (labels, maps), entries in the slots: linear time at
// compile time, no sort, one allocation.
class label_table {
public:
    // (an empty slot has a null name: string_view's default; the names added are never empty)
    constexpr explicit label_table(std::size_t names) : mask_(capacity_for(names) - 1), slots_(new label_entry[mask_ + 1]) {}
    label_table(const label_table&) = delete;
    label_table& operator=(const label_table&) = delete;
    constexpr ~label_table() { delete[] slots_; }

    // The entry named e.name: the earlier one (returned with `added` false) or e, added.
    constexpr const label_entry& insert(const label_entry& e, bool& added) {
        const std::uint64_t full = hash(e.name);
        label_entry& at = slots_[probe(e.name, full)];
        added = at.name.data() == nullptr;
        if (added) {
            at = e;
            at.hash = static_cast<std::uint32_t>(full >> 32);
            ++size_;
        }
        return at;
    }
    constexpr std::size_t size() const { return size_; }
    constexpr const label_entry* find(std::string_view name) const {
        const label_entry& at = slots_[probe(name, hash(name))];
        return at.name.data() == nullptr ? nullptr : &at;
    }

private:
    // the slot holding `name`, or the empty one where it would go
    constexpr std::size_t probe(std::string_view name, std::uint64_t full) const {
        const auto h32 = static_cast<std::uint32_t>(full >> 32);
        std::size_t h = static_cast<std::size_t>(full) & mask_;
        while (slots_[h].name.data() != nullptr && !(slots_[h].hash == h32 && same_name(slots_[h].name, name)))
            h = (h + 1) & mask_;
        return h;
    }
    // (a label and its uses often share the same characters: compare the pointers first)
    static constexpr bool same_name(std::string_view a, std::string_view b) {
        return a.size() == b.size() && ((!std::is_constant_evaluated() && a.data() == b.data()) || a == b);
    }
    static constexpr std::size_t capacity_for(std::size_t n) {
        std::size_t c = 16;
        while (c < 2 * n) c *= 2;
        return c;
    }
    // The low bits pick the slot, the high 32 bits are compared before the names. FNV-1a at
    // compile time; at run time 8 bytes per multiply (any hash will do: it never leaves emit()).
    static constexpr std::uint64_t hash(std::string_view s) {
        std::uint64_t h = 14695981039346656037ull;
        if (std::is_constant_evaluated()) {
            for (char c : s) h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ull;
            return h ^ (h >> 29);
        }
        const char* p = s.data();
        std::size_t n = s.size();
        h ^= n;
        for (; n >= 8; n -= 8, p += 8) {
            std::uint64_t w;
            __builtin_memcpy(&w, p, 8);
            h = (h ^ w) * 0x9e3779b97f4a7c15ull;
        }
        std::uint64_t w = 0; // the last 0-7 bytes: two overlapping 4-byte loads, or 3 bytes (the length is in h)
        if (n >= 4) {
            std::uint32_t a, b;
            __builtin_memcpy(&a, p, 4);
            __builtin_memcpy(&b, p + n - 4, 4);
            w = std::uint64_t{a} << 32 | b;
        } else if (n > 0) {
            w = std::uint64_t{static_cast<unsigned char>(p[0])} << 16 | std::uint64_t{static_cast<unsigned char>(p[n >> 1])} << 8 |
                static_cast<unsigned char>(p[n - 1]);
        }
        h = (h ^ w) * 0x9e3779b97f4a7c15ull;
        h = (h ^ (h >> 32)) * 0xd6e8feb86659fd93ull;
        return h ^ (h >> 32);
    }
    std::size_t mask_;
    label_entry* slots_;
    std::size_t size_ = 0;
};

// Keep the error at the lowest instruction index (the first the kernel would meet).
constexpr void note_error(check_result& best, check_result v) {
    if (best.ok() || v.index < best.index) best = v;
}

// Resolve the references of `p` and patch them into `out`, which holds a copy of p.code()
// (nullptr: check only). Maps named in the program get indices 0, 1, ... in order of first use;
// their names go to map_names[0..map count) when given. Returns the first error (lowest
// instruction index). Written with index loops and few calls: at compile time every statement
// counts against the compilers' constexpr step limits.
constexpr check_result emit(const program& p, insn* out, emit_extras extra = {}) {
    check_result best{};
    const std::span<const label_def> defs = p.labels();
    const std::span<const label_ref> refs = p.references();
    const auto total = static_cast<std::uint32_t>(p.slot_count());

    label_table labels(defs.size());
    const vfy::buffer<std::uint32_t> placed(p.label_handle_count()); // by handle index: slot + 1 (0: not placed)
    for (std::size_t i = 0; i < defs.size(); ++i) {
        const label_def& d = defs[i];
        if (d.id == reported_handle) { // (an operator's static_assert said what is wrong)
            note_error(best, {errc::mistake_reported_above, d.slot, d.line, {}});
            continue;
        }
        if (d.id != 0) { // (a handle this program did not make is not defined in it)
            if (d.id > placed.n) continue;
            std::uint32_t& at = placed.p[d.id - 1];
            if (at != 0) note_error(best, {errc::label_is_defined_twice, d.slot, d.line, {}});
            else at = d.slot + 1;
            continue;
        }
        if (d.name.empty()) { // (an empty name would read as an empty slot)
            note_error(best, {errc::label_name_is_empty, d.slot, d.line, {}});
            continue;
        }
        bool added = false;
        labels.insert({d.name, d.slot, d.line, 0}, added);
        if (!added) note_error(best, {errc::label_is_defined_twice, d.slot, d.line, d.name});
    }
    if (extra.slots) {
        const std::span<const std::uint32_t> lines = p.lines();
        for (std::size_t i = 0; i < lines.size(); ++i) extra.slots[i] = {lines[i], {}};
        for (std::size_t i = 0; i < defs.size(); ++i) // the first label of a slot names it
            if (defs[i].slot < total && extra.slots[defs[i].slot].label.empty()) extra.slots[defs[i].slot].label = defs[i].name;
    }

    label_table maps(p.map_reference_count());
    for (std::size_t i = 0; i < refs.size(); ++i) {
        const label_ref& r = refs[i];
        if (r.kind == item_kind::map_ref) {
            if (r.name.empty()) {
                note_error(best, {errc::map_name_is_empty, r.slot, r.line, {}});
                continue;
            }
            bool added = false;
            const label_entry& m = maps.insert({r.name, static_cast<std::uint32_t>(maps.size()), r.line, 0}, added);
            if (added && extra.map_names) extra.map_names[m.slot] = r.name;
            if (out) out[r.slot].imm = static_cast<std::int32_t>(m.slot);
            continue;
        }
        std::uint32_t target = 0; // slot + 1 (0: not defined)
        if (r.id != 0) {
            target = r.id <= placed.n ? placed.p[r.id - 1] : 0;
        } else if (!r.name.empty()) {
            const label_entry* e = labels.find(r.name);
            if (e) target = e->slot + 1;
        }
        if (target-- == 0) {
            note_error(best, {errc::label_is_not_defined, r.slot, r.line, r.name});
            continue;
        }
        if (target >= total) {
            note_error(best, {errc::jump_target_is_outside_the_program, r.slot, r.line, r.name});
            continue;
        }
        const std::int64_t rel = std::int64_t{target} - (std::int64_t{r.slot} + 1);
        if (r.kind == item_kind::jump) {
            if (rel < INT16_MIN || rel > INT16_MAX)
                note_error(best, {errc::jump_distance_does_not_fit_in_16_bits_use_gotol, r.slot, r.line, r.name});
            else if (out)
                out[r.slot].off = static_cast<std::int16_t>(rel);
        } else if (rel < INT32_MIN || rel > INT32_MAX) {
            note_error(best, {errc::jump_distance_does_not_fit_in_32_bits, r.slot, r.line, r.name});
        } else if (out) {
            out[r.slot].imm = static_cast<std::int32_t>(rel);
        }
    }
    if (extra.map_count) *extra.map_count = maps.size();
    if (!best.ok()) best.errnum = errno_of(best.code), best.msg.put(to_string(best.code));
    return best;
}

struct probe_result {
    check_result v;
    std::size_t slots;
    std::size_t maps;
};

constexpr probe_result probe_of(const program& p) {
    probe_result r{};
    r.v = emit(p, nullptr, {nullptr, &r.maps, nullptr});
    r.slots = p.slot_count();
    return r;
}
// A variable, so that the probe is its own constant evaluation (one step budget each) and runs once.
// (F() in the variable's initializer, in no function template: instantiating a function that
// builds F() would cost a whole evaluation of F more, on Clang in a local variable's initializer,
// on GCC in a call's argument; and after an operand error in F's body GCC then says nothing more)
template <auto F>
inline constexpr probe_result probe_v = probe_of(F());

// The map names and the source map of F, from one more evaluation of F shared by map_names<F>(),
// source_map<F>(), the declared shapes in assemble<F, O, Maps...>() and the lines in its errors.
template <auto F>
struct program_extras {
    std::array<std::string_view, probe_v<F>.maps> map_names{};
    std::array<slot_info, probe_v<F>.slots> slots{};
};
template <auto F>
constexpr program_extras<F> extras() {
    program_extras<F> e{};
    emit(F(), nullptr, {e.map_names.data(), nullptr, e.slots.data()});
    return e;
}
template <auto F>
inline constexpr program_extras<F> extras_v = extras<F>();

} // namespace detail

namespace detail {
// The instructions of F, the declared shapes of its maps and check()'s verdict on them: each its
// own constant evaluation (a program without declared maps costs what it did before them).
template <std::size_t N>
constexpr std::array<insn, N> emit_to_array(const program& p) {
    const insn* const code = p.code().data();
    std::array<insn, N> out;
    for (std::size_t i = 0; i < out.size(); ++i) out[i] = code[i];
    emit(p, out.data());
    return out;
}
template <auto F>
inline constexpr auto code_v = emit_to_array<probe_v<F>.slots>(F());

// The shapes of F's maps in index order, from the declarations Maps (map_type::unspec: not declared).
template <auto F, auto... Maps>
constexpr auto match_declared() {
    std::array<map_shape, probe_v<F>.maps> shapes{};
    match_shapes(extras_v<F>.map_names, decls_v<Maps...>, shapes.data());
    return shapes;
}
template <auto F, auto... Maps>
inline constexpr auto shapes_v = match_declared<F, Maps...>();

template <auto F, options O, auto... Maps>
constexpr check_result run_check() {
    if constexpr (sizeof...(Maps) == 0) return ctbpf::check(code_v<F>, O);
    else return ctbpf::check(code_v<F>, O, shapes_v<F, Maps...>);
}
template <auto F, options O, auto... Maps>
inline constexpr check_result check_v = run_check<F, O, Maps...>();

// The maps given to assemble<F, O, Maps...>(): declarations (or map_list), each name once.
template <auto... Maps>
inline constexpr bool all_declarations_v = (map_declarations<std::remove_cvref_t<decltype(Maps)>> && ...);
template <auto... Maps>
struct duplicate_decl_of {
    static constexpr std::string_view value = duplicate_decl(decls_v<Maps...>);
};
// map_is_declared_twice<text{"name"}>: the type assemble<F, O, Maps...>() returns when two declarations share a name.
template <auto... Maps>
using duplicate_t = map_is_declared_twice<text_of<duplicate_decl_of<Maps...>::value.size()>(duplicate_decl_of<Maps...>::value)>;
template <auto... Maps>
consteval bool maps_ok() {
    static_assert(all_declarations_v<Maps...>,
                  "ctbpf: assemble<F, options, maps...>(): the arguments after the options must be map declarations "
                  "(ctbpf::hash_map<\"name\", K, V>(n), ctbpf::array_map<\"name\", V>(n), ..., or ctbpf::map_list<...>)");
    if constexpr (sizeof...(Maps) == 0 || !all_declarations_v<Maps...>) return sizeof...(Maps) == 0;
    else return duplicate_decl_of<Maps...>::value.empty();
}

template <auto F, std::uint32_t Index>
constexpr slot_info slot_at() {
    return locate(extras_v<F>.slots, Index);
}

// The first rejection of F: the assembler's (its message: the rule's text) or check()'s.
struct rejection_info {
    errc rule = errc::ok;
    std::uint32_t index = 0, line = 0;
    std::string_view label{}, says{};
};
// Whether evaluating F was a constant expression: when it was not, the compiler has reported the
// operand mistake that stopped it, and nothing more is said.
template <auto F>
concept probe_is_constant = requires { typename std::integral_constant<std::size_t, probe_v<F>.slots>; };

template <auto F, options O, auto... Maps>
constexpr rejection_info rejection_of() {
    constexpr const check_result& v = probe_v<F>.v;
    if constexpr (!v.ok()) {
        return {v.code, v.index, v.line, v.label, to_string(v.code)};
    } else if constexpr (!O.verify) {
        return {};
    } else if constexpr (check_v<F, O, Maps...>.ok()) {
        return {};
    } else {
        constexpr const check_result& r = check_v<F, O, Maps...>;
        const slot_info where = slot_at<F, r.index>();
        return {r.code, r.index, where.line, where.label, r.message()};
    }
}
template <auto F, options O, auto... Maps>
inline constexpr rejection_info rejection_v = rejection_of<F, O, Maps...>();
template <const rejection_info& R>
using rejected_t = program_rejected<R.rule, R.index, R.line, text_of<R.label.size()>(R.label), text_of<R.says.size()>(R.says)>;

// What assemble<F, O, Maps...>() returns: the instructions, or (when F is rejected) a type whose
// instantiation at the caller's line is the compile error, its template arguments the rejection.
template <auto F, options O, auto... Maps>
constexpr bool assembles() {
    if constexpr (!maps_ok<Maps...>() || !probe_is_constant<F>) return false;
    else return rejection_v<F, O, Maps...>.rule == errc::ok;
}
template <auto F, options O, auto... Maps>
constexpr auto assembled_type() {
    if constexpr (!maps_ok<Maps...>()) {
        if constexpr (sizeof...(Maps) != 0 && all_declarations_v<Maps...>) return std::type_identity<duplicate_t<Maps...>>{};
        else return std::type_identity<std::array<insn, 0>>{};
    } else if constexpr (!probe_is_constant<F>) {
        return std::type_identity<std::array<insn, 0>>{};
    } else if constexpr (rejection_v<F, O, Maps...>.rule == errc::mistake_reported_above) {
        return std::type_identity<std::array<insn, 0>>{}; // (said once, by the operator)
    } else if constexpr (rejection_v<F, O, Maps...>.rule != errc::ok) {
        return std::type_identity<rejected_t<rejection_v<F, O, Maps...>>>{};
    } else {
        return std::type_identity<std::remove_cvref_t<decltype(code_v<F>)>>{};
    }
}
template <auto F, options O, auto... Maps>
using assembled_t = typename decltype(assembled_type<F, O, Maps...>())::type;
} // namespace detail

// Assemble at compile time: F is a lambda returning a program. Yields std::array<bpf_insn, N>.
// The program is checked with check(..., O) (root, no program type, Linux 6.18 by default); a
// rejected program fails to compile, naming the rule, instruction index, line, label and the
// kernel's message. assemble<F, ctbpf::unchecked>() builds it without the check.
// Maps...: the declarations of the maps the program refers to by name (ctbpf::hash_map<...>(n),
// ..., ctbpf::map_list<...>): check() then knows their shapes (map type, key and value sizes,
// max entries, flags), so a missing null check after bpf_map_lookup_elem, a map value access out
// of bounds or a wrong map argument does not compile. A map the program names but no declaration
// gives is left to the kernel; a declared map the program does not use is fine.
// The rejection is the return type (program_rejected<...>), completed at the caller's line: the
// error's context is its template arguments alone, not F and O.
template <auto F, options O = options{}, auto... Maps>
consteval detail::assembled_t<F, O, Maps...> assemble() {
    if constexpr (detail::assembles<F, O, Maps...>())
        return detail::code_v<F>;
    else
        return {};
}

// The verdict of check() on a compile-time program, with source lines (e.g. for static_assert);
// Maps...: map declarations, as for assemble<F, O, Maps...>().
template <auto F, options O = options{}, auto... Maps>
consteval check_result check() {
    if constexpr (!detail::maps_ok<Maps...>()) {
        if constexpr (sizeof...(Maps) != 0 && detail::all_declarations_v<Maps...>)
            (void)detail::duplicate_t<Maps...>{};
        return {};
    } else {
        check_result r = detail::check_v<F, O, Maps...>;
        if (!r.ok()) {
            const slot_info where = detail::slot_at<F, detail::check_v<F, O, Maps...>.index>();
            r.line = where.line;
            r.label = where.label;
        }
        return r;
    }
}

// The names of the maps a program refers to with map("name"), in index order (the order of
// first use): fd_array[i] must hold the fd of map_names<F>()[i] at load.
template <auto F>
consteval auto map_names() {
    return detail::extras_v<F>.map_names;
}

// The shapes check() is given for F's maps with the declarations Maps..., in index order
// (map_type::unspec where no declaration names the map).
template <auto F, auto... Maps>
consteval auto map_shapes() {
    return detail::shapes_v<F, Maps...>;
}

// Per instruction slot: the source line and the label naming it, for messages about a
// compile-time program (e.g. next to the kernel verifier's log).
template <auto F>
consteval auto source_map() {
    return detail::extras_v<F>.slots;
}

// Assemble at run time; returns the verdict and fills `out` (cleared first) and, when given,
// `maps` with the names of the maps the program refers to, in index order.
constexpr check_result try_assemble(const program& p, std::vector<insn>& out,
                               std::vector<std::string_view>* maps = nullptr,
                               std::vector<slot_info>* slots = nullptr) {
    out.assign(p.code().begin(), p.code().end());
    std::size_t count = 0;
    emit_extras extra{};
    if (maps) {
        maps->assign(p.map_reference_count(), std::string_view{});
        extra.map_names = maps->data();
        extra.map_count = &count;
    }
    if (slots) {
        slots->assign(p.slot_count(), slot_info{});
        extra.slots = slots->data();
    }
    check_result v = detail::emit(p, out.data(), extra);
    if (maps) maps->resize(count);
    return v;
}


namespace detail {
inline check_result check_located(std::span<const insn> code, std::span<const slot_info> slots, const options& o,
                                  std::span<const map_shape> shapes = {}) {
    check_result r = ctbpf::check(code, o, shapes);
    if (!r.ok()) {
        const slot_info where = locate(slots, r.index);
        r.line = where.line;
        r.label = where.label;
    }
    return r;
}
} // namespace detail

// Check a program at run time: assembles it and runs check(), with the source line and label of
// the offending instruction. An assembly error comes back as the verdict's rule and index.
inline check_result check(const program& p, const options& o = {}) {
    std::vector<insn> code;
    std::vector<slot_info> slots;
    const check_result v = try_assemble(p, code, nullptr, &slots);
    return v.ok() ? detail::check_located(code, slots, o) : v;
}

// Assemble and check at run time; throws assembly_error or verifier_error. o = ctbpf::unchecked:
// assemble only.
inline std::vector<insn> assemble(const program& p, const options& o) {
    std::vector<insn> out;
    std::vector<slot_info> slots;
    const check_result v = try_assemble(p, out, nullptr, o.verify ? &slots : nullptr);
    if (!v.ok()) throw assembly_error(v);
    if (o.verify) {
        const check_result r = detail::check_located(out, slots, o);
        if (!r.ok()) throw verifier_error(r);
    }
    return out;
}

// Assemble at run time, checked with the default options{} (root, no program type, Linux 6.18),
// as assemble<F>() is; throws assembly_error or verifier_error.
inline std::vector<insn> assemble(const program& p) { return assemble(p, options{}); }

// With run-time declarations of the maps the program refers to by name: map_decl objects convert
// (check(p, o, {counts, config})), or a span of named_map_shape (e.g. read from a configuration).
// Two declarations of one name throw ctbpf::exception. (Templates whose types depend on
// their parameter, so that a program that does not use them does not pay for their
// standard-library instantiations.)
namespace detail {
template <class Decl>
auto match_declared(std::span<const std::string_view> names, std::span<const Decl> decls) {
    const std::string_view twice = duplicate_decl(decls);
    if (!twice.empty()) throw exception("ctbpf: map '" + std::string(twice) + "' is declared twice");
    std::vector<decltype(Decl::shape)> shapes(names.size());
    match_shapes(names, decls, shapes.data());
    return shapes;
}
} // namespace detail

template <class Decl = named_map_shape>
check_result check(const program& p, const options& o, std::span<const std::type_identity_t<Decl>> maps) {
    std::vector<insn> code;
    std::vector<slot_info> slots;
    std::vector<std::string_view> names;
    const check_result v = try_assemble(p, code, &names, &slots);
    if (!v.ok()) return v; // (the assembly error, as above)
    return detail::check_located(code, slots, o, detail::match_declared(names, maps));
}
template <class Decl = named_map_shape>
check_result check(const program& p, const options& o, std::initializer_list<std::type_identity_t<Decl>> maps) {
    return check<Decl>(p, o, std::span<const Decl>(maps.begin(), maps.size()));
}

template <class Decl = named_map_shape>
std::vector<insn> assemble(const program& p, const options& o, std::span<const std::type_identity_t<Decl>> maps) {
    if (!o.verify) return assemble(p, o);
    std::vector<insn> out;
    std::vector<slot_info> slots;
    std::vector<std::string_view> names;
    const check_result v = try_assemble(p, out, &names, &slots);
    if (!v.ok()) throw assembly_error(v);
    const check_result r = detail::check_located(out, slots, o, detail::match_declared(names, maps));
    if (!r.ok()) throw verifier_error(r);
    return out;
}
template <class Decl = named_map_shape>
std::vector<insn> assemble(const program& p, const options& o, std::initializer_list<std::type_identity_t<Decl>> maps) {
    return assemble<Decl>(p, o, std::span<const Decl>(maps.begin(), maps.size()));
}

} // namespace ctbpf
