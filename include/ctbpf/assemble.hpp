// Assembly: lay out slots, resolve labels (sorted table, binary search), check distances, emit
// struct bpf_insn. One constexpr path serves assemble<F>() (std::array at compile time, a
// rejected program names rule, instruction index, line and label in the compiler output) and
// the run-time assemble(program) (std::vector, throws assembly_error).
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "ctbpf/diagnostics.hpp"
#include "ctbpf/program.hpp"

namespace ctbpf {

namespace detail {

struct label_entry {
    std::string_view name;
    std::uint32_t slot;
    std::uint32_t item;
    std::uint32_t line;
};

constexpr bool label_less(const label_entry& a, const label_entry& b) {
    return a.name < b.name || (a.name == b.name && a.item < b.item);
}

// Keep the error at the lowest instruction index (the first the kernel would meet).
constexpr void note_error(verdict& best, verdict v) {
    if (best.ok() || v.index < best.index) best = v;
}

// Lay out and emit `items`, calling sink(insn) for every slot in order. Returns the first error.
template <class Sink>
constexpr verdict emit(std::span<const item> items, Sink&& sink) {
    verdict best{};
    std::vector<label_entry> labels;
    std::uint32_t slot = 0;
    for (std::uint32_t i = 0; i < items.size(); ++i) {
        const item& it = items[i];
        if (it.kind == item_kind::label) {
            if (it.name.empty()) note_error(best, {errc::label_name_is_empty, slot, it.line, {}});
            labels.push_back({it.name, slot, i, it.line});
        } else {
            slot += static_cast<std::uint32_t>(it.slots());
        }
    }
    const std::uint32_t total = slot;
    std::sort(labels.begin(), labels.end(), label_less);
    for (std::size_t k = 1; k < labels.size(); ++k)
        if (labels[k].name == labels[k - 1].name)
            note_error(best, {errc::label_is_defined_twice, labels[k].slot, labels[k].line, labels[k].name});

    slot = 0;
    for (const item& it : items) {
        if (it.kind == item_kind::label) continue;
        insn out = it.ins;
        if (it.kind != item_kind::insn && it.kind != item_kind::wide) {
            auto pos = std::lower_bound(labels.begin(), labels.end(), it.name,
                                        [](const label_entry& e, std::string_view n) { return e.name < n; });
            if (pos == labels.end() || pos->name != it.name) {
                note_error(best, {errc::label_is_not_defined, slot, it.line, it.name});
            } else if (pos->slot >= total) {
                note_error(best, {errc::jump_target_is_outside_the_program, slot, it.line, it.name});
            } else {
                const std::int64_t rel = std::int64_t{pos->slot} - (std::int64_t{slot} + 1);
                if (it.kind == item_kind::jump) {
                    if (rel < INT16_MIN || rel > INT16_MAX)
                        note_error(best, {errc::jump_distance_does_not_fit_in_16_bits_use_gotol, slot, it.line,
                                          it.name});
                    else
                        out.off = static_cast<std::int16_t>(rel);
                } else if (rel < INT32_MIN || rel > INT32_MAX) {
                    note_error(best, {errc::jump_distance_does_not_fit_in_32_bits, slot, it.line, it.name});
                } else {
                    out.imm = static_cast<std::int32_t>(rel);
                }
            }
        }
        sink(out);
        if (it.slots() == 2) sink(make_insn(0, 0, 0, 0, it.imm_hi));
        slot += static_cast<std::uint32_t>(it.slots());
    }
    return best;
}

struct probe_result {
    verdict v;
    std::size_t slots;
};

template <auto F>
constexpr probe_result probe() {
    const program p = F();
    return {emit(p.items(), [](const insn&) {}), p.slot_count()};
}

// A label name carried into a template argument so that it shows in the compiler's output.
template <std::size_t N>
struct label_text {
    char text[N]{};
    constexpr label_text(std::string_view s) {
        for (std::size_t i = 0; i + 1 < N && i < s.size(); ++i) text[i] = s[i];
    }
};

} // namespace detail

// Instantiated when assemble<F>() rejects a program: the template arguments are the rule, the
// instruction index, the source line and the label.
template <errc Rule, std::uint32_t InsnIndex, std::uint32_t Line, detail::label_text<48> Label>
struct program_rejected {
    static_assert(Rule == errc::ok, "ctbpf: program rejected; see program_rejected<rule, instruction index, "
                                    "source line, label> above");
    static constexpr bool value = false;
};

// Assemble at compile time: F is a lambda returning a program. Yields std::array<bpf_insn, N>.
template <auto F>
consteval auto assemble() {
    constexpr detail::probe_result info = detail::probe<F>();
    if constexpr (!info.v.ok()) {
        constexpr bool rejected =
            program_rejected<info.v.code, info.v.index, info.v.line, detail::label_text<48>(info.v.label)>::value;
        static_assert(rejected);
        return std::array<insn, 0>{};
    } else {
        std::array<insn, info.slots> out{};
        std::size_t k = 0;
        detail::emit(F().items(), [&](const insn& i) { out[k++] = i; });
        return out;
    }
}

// Assemble at run time; returns the verdict and fills `out` (cleared first).
constexpr verdict try_assemble(const program& p, std::vector<insn>& out) {
    out.clear();
    out.reserve(p.slot_count());
    return detail::emit(p.items(), [&](const insn& i) { out.push_back(i); });
}

// Assemble at run time; throws assembly_error when the program is rejected.
inline std::vector<insn> assemble(const program& p) {
    std::vector<insn> out;
    verdict v = try_assemble(p, out);
    if (!v.ok()) throw assembly_error(v);
    return out;
}

} // namespace ctbpf
