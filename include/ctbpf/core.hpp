// CO-RE field offsets in ctbpf programs: `core::add_offset<"task_struct", "tgid">(r3)` is
// `r3 += offsetof(struct task_struct, tgid)` and `core::load<u32, "task_struct", "tgid">(r2, r3)`
// is `r2 = *(u32 *)(r3 + offsetof(...))`, with the offset taken from the running kernel's BTF at
// load time, not from headers at build time. The relocation travels with the constexpr program as
// the label of the instruction ("core:task_struct.tgid", in the source map); sys::core_relocate
// (ctbpf/sys/btf.hpp) finds these labels, resolves them with libbpf's matching rules and patches a
// copy of the instructions before BPF_PROG_LOAD. The placeholder assembled here is 0, so the
// program also assembles, verifies and disassembles without BTF.
//
// The other relocations (libbpf's kinds) are labels "core:KIND@TYPE[.PATH]" made by core::relo<KIND,
// TYPE, PATH...>: field existence, size, signedness and shifts, bitfield reads (load_bitfield: the
// enclosing load's offset and size, then << and >> as libbpf's BPF_CORE_READ_BITFIELD), type
// existence, size and id, enumerator existence and value. TYPE may say its kind ("enum pid_type",
// "typedef pid_t"; without one: a struct or union). "?KIND" is guarded: a missing field or
// enumerator turns the instruction into libbpf's poison call (0xbad2310), which the kernel refuses
// only if reached; unguarded, a missing field is a load-time error naming the type and member.
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

namespace detail {
template <fixed_string Kind, fixed_string Type, fixed_string... Path>
struct relo_text {
    static constexpr std::size_t size = label_prefix.size() + Kind.view().size() + 1 + Type.view().size() +
                                        (0 + ... + (1 + Path.view().size()));
    static constexpr std::array<char, size + 1> make() {
        std::array<char, size + 1> a{};
        std::size_t n = 0;
        for (char c : label_prefix) a[n++] = c;
        for (char c : Kind.view()) a[n++] = c;
        a[n++] = '@';
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

// The label of a relocation of kind Kind (offset, exists, size, signed, lshift, rshift,
// bitfield_load, type_exists, type_size, type_id, enum_exists, enum_value; "?" before it: guarded).
template <fixed_string Kind, fixed_string Type, fixed_string... Path>
inline constexpr std::string_view relo{detail::relo_text<Kind, Type, Path...>::value.data(), detail::relo_text<Kind, Type, Path...>::size};

// dst = 1 if the field exists in the running kernel, else 0 (bpf_core_field_exists).
template <fixed_string Type, fixed_string... Path>
constexpr program field_exists(const reg64& dst, std::uint32_t line = __builtin_LINE()) {
    return program{label(relo<"exists", Type, Path...>, line), dst = 0};
}
// dst = the field's size in bytes (bpf_core_field_size).
template <fixed_string Type, fixed_string... Path>
constexpr program field_size(const reg64& dst, std::uint32_t line = __builtin_LINE()) {
    return program{label(relo<"size", Type, Path...>, line), dst = 0};
}
// dst = *(T *)(src + offsetof(...)), poisoned when the field is missing: guard it with field_exists.
template <access_size T, fixed_string Type, fixed_string... Path>
constexpr program load_guarded(const reg64& dst, const reg64& src, std::uint32_t line = __builtin_LINE()) {
    return program{label(relo<"?offset", Type, Path...>, line), dst = syntax::mem<T>(src + 0, line)};
}
// dst = the bitfield (or integer field) Path of the Type at src, sign- or zero-extended: a load of
// the enclosing bytes, then dst <<= lshift, dst >>= rshift (arsh when the field is signed).
template <fixed_string Type, fixed_string... Path>
constexpr program load_bitfield(const reg64& dst, const reg64& src, std::uint32_t line = __builtin_LINE()) {
    static_assert(sizeof...(Path) > 0, "ctbpf: core::load_bitfield needs a member path");
    return program{label(relo<"bitfield_load", Type, Path...>, line), dst = syntax::mem<u64>(src + 0, line),
                   label(relo<"lshift", Type, Path...>, line), dst <<= 0,
                   label(relo<"rshift", Type, Path...>, line), dst >>= 0};
}
// dst = the bitfield (or integer field) Path of the Type at the kernel address in src, read with
// bpf_probe_read_kernel into fp-8 (libbpf's BPF_CORE_READ_BITFIELD_PROBED): clobbers r0-r5 and fp-8.
template <fixed_string Type, fixed_string... Path>
constexpr program probe_read_bitfield(const reg64& dst, const reg64& src, std::uint32_t line = __builtin_LINE()) {
    static_assert(sizeof...(Path) > 0, "ctbpf: core::probe_read_bitfield needs a member path");
    using namespace syntax;
    return program{r3 = src,
                   label(relo<"offset", Type, Path...>, line), r3 += 0,
                   r1 = 0,
                   mem<u64>(r10 - 8, line) = r1,
                   r1 = r10,
                   r1 += -8,
                   label(relo<"size", Type, Path...>, line), r2 = 0,
                   call(helper::probe_read_kernel, line),
                   dst = mem<u64>(r10 - 8, line),
                   label(relo<"lshift", Type, Path...>, line), dst <<= 0,
                   label(relo<"rshift", Type, Path...>, line), dst >>= 0};
}
// dst = sizeof(Type) (bpf_core_type_size); Type may be "struct X", "union X", "enum X", "typedef X".
template <fixed_string Type>
constexpr program type_size(const reg64& dst, std::uint32_t line = __builtin_LINE()) {
    return program{label(relo<"type_size", Type>, line), dst = 0};
}
// dst = 1 if the type exists in the running kernel, else 0 (bpf_core_type_exists).
template <fixed_string Type>
constexpr program type_exists(const reg64& dst, std::uint32_t line = __builtin_LINE()) {
    return program{label(relo<"type_exists", Type>, line), dst = 0};
}
// dst = the type's id in the running kernel's BTF, 0 when missing (bpf_core_type_id_kernel).
template <fixed_string Type>
constexpr program type_id(const reg64& dst, std::uint32_t line = __builtin_LINE()) {
    return program{label(relo<"type_id", Type>, line), dst = 0};
}
// dst = 1 if enum Enum has the enumerator Value, else 0 (bpf_core_enum_value_exists).
template <fixed_string Enum, fixed_string Value>
constexpr program enum_exists(const reg64& dst, std::uint32_t line = __builtin_LINE()) {
    return program{label(relo<"enum_exists", Enum, Value>, line), dst = 0};
}
// dst = the value of enumerator Value of enum Enum (64 bits; bpf_core_enum_value). Unguarded: an
// error when missing; core::relo<"?enum_value", ...> on an lddw poisons instead.
template <fixed_string Enum, fixed_string Value>
constexpr program enum_value(const reg64& dst, std::uint32_t line = __builtin_LINE()) {
    return program{label(relo<"enum_value", Enum, Value>, line), dst = syntax::imm64(0, line)};
}

} // namespace ctbpf::core
