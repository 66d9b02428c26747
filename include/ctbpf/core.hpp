// CO-RE field offsets in ctbpf programs: `core::add_offset<"task_struct", "tgid">(r3)` is
// `r3 += offsetof(struct task_struct, tgid)` and `core::load<u32, "task_struct", "tgid">(r2, r3)`
// is `r2 = *(u32 *)(r3 + offsetof(...))`, with the offset taken from the running kernel's BTF at
// load time, not from headers at build time. The relocation travels with the constexpr program as
// the label of the instruction ("core:task_struct.tgid", in the source map); sys::core_relocate
// (ctbpf/sys/btf.hpp) finds these labels, resolves them with libbpf's matching rules and patches a
// copy of the instructions before BPF_PROG_LOAD. The placeholder assembled here is 0, so the
// program also assembles, verifies and disassembles without BTF.
//
// One label per instruction and per name: to relocate the same field twice in one program, label
// the second instruction yourself, e.g. label("core:task_struct.tgid#2") (what follows '#' is ignored).
// Pure: no system calls.
#pragma once

#include "ctbpf/map_decl.hpp" // fixed_string
#include "ctbpf/program.hpp"
#include "ctbpf/syntax.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace ctbpf::core {

inline constexpr std::string_view label_prefix = "core:";

namespace detail {
template <fixed_string Type, fixed_string... Path>
struct label_text {
    static constexpr std::size_t size = label_prefix.size() + Type.view().size() + (0 + ... + (1 + Path.view().size()));
    static constexpr std::array<char, size + 1> make() {
        std::array<char, size + 1> a{};
        std::size_t n = 0;
        for (char c : label_prefix) a[n++] = c;
        for (char c : Type.view()) a[n++] = c;
        ((a[n++] = '.', [&] {
             for (char c : Path.view()) a[n++] = c;
         }()),
         ...);
        return a;
    }
    static constexpr std::array<char, size + 1> value = make();
};
} // namespace detail

// The label that marks the next instruction as a CO-RE field-offset relocation:
// label(core::field<"task_struct", "tgid">) names it "core:task_struct.tgid".
template <fixed_string Type, fixed_string... Path>
inline constexpr std::string_view field{detail::label_text<Type, Path...>::value.data(), detail::label_text<Type, Path...>::size};

// dst += offsetof(Type, Path...) (an ALU64 add of an immediate relocated at load time).
template <fixed_string Type, fixed_string... Path>
constexpr program add_offset(const reg64& dst, std::uint32_t line = __builtin_LINE()) {
    static_assert(sizeof...(Path) > 0, "ctbpf: core::add_offset needs a member path");
    return program{label(field<Type, Path...>, line), dst += 0};
}
// dst = *(T *)(src + offsetof(Type, Path...)) (the load's offset relocated at load time).
template <access_size T, fixed_string Type, fixed_string... Path>
constexpr program load(const reg64& dst, const reg64& src, std::uint32_t line = __builtin_LINE()) {
    static_assert(sizeof...(Path) > 0, "ctbpf: core::load needs a member path");
    return program{label(field<Type, Path...>, line), dst = syntax::mem<T>(src + 0, line)};
}

} // namespace ctbpf::core
