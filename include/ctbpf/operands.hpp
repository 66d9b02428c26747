// Operands: registers (reg64 r0-r9, reg32 w0-w9, the read-only frame pointer r10), range-checked
// immediates and offsets (consteval from literals, dyn() for run-time values), addresses, size tags.
#pragma once

#include <concepts>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include "ctbpf/diagnostics.hpp"
#include "ctbpf/insn.hpp"
#include "ctbpf/item.hpp"

namespace ctbpf {

template <class T>
concept integer_like = std::integral<T> || std::is_enum_v<T>;

// Escape hatch for values only known at run time: dyn(x) is range-checked where it is used
// (throws operand_error at run time, fails to compile in a constant expression).
struct runtime_int {
    std::int64_t value;
    bool is_unsigned_big = false; // an unsigned value above INT64_MAX
};
template <integer_like T>
constexpr runtime_int dyn(T v) {
    if constexpr (std::is_enum_v<T>) {
        return dyn(static_cast<std::underlying_type_t<T>>(v));
    } else if constexpr (std::is_same_v<T, bool>) {
        return {v ? 1 : 0};
    } else if constexpr (std::is_unsigned_v<T> && sizeof(T) >= sizeof(std::int64_t)) {
        return {static_cast<std::int64_t>(v), v > static_cast<T>(std::numeric_limits<std::int64_t>::max())};
    } else {
        return {static_cast<std::int64_t>(v)};
    }
}

namespace detail {
template <integer_like T>
constexpr auto as_integer(T v) {
    if constexpr (std::is_enum_v<T>)
        return as_integer(static_cast<std::underlying_type_t<T>>(v));
    else if constexpr (std::is_same_v<T, bool> || std::is_same_v<T, char> || std::is_same_v<T, wchar_t> ||
                       std::is_same_v<T, char8_t> || std::is_same_v<T, char16_t> || std::is_same_v<T, char32_t>)
        return static_cast<std::int64_t>(v); // 'A', true: std::cmp_* takes no character types
    else
        return v;
}
template <std::int64_t Lo, std::int64_t Hi, class T>
constexpr bool in_range(T v) {
    return std::cmp_greater_equal(v, Lo) && std::cmp_less_equal(v, Hi);
}
constexpr bool in_range_rt(runtime_int v, std::int64_t lo, std::int64_t hi) {
    return !v.is_unsigned_big && v.value >= lo && v.value <= hi;
}
} // namespace detail

// A range-checked immediate: Lo..Hi, stored as the 32-bit two's complement the instruction holds.
// Fail is the sentence called on a value out of range. A literal converts at compile time; a
// run-time value must be wrapped in dyn() (the type's name says so in compiler errors).
template <std::int64_t Lo, std::int64_t Hi, void (*Fail)()>
struct literal_or_dyn {
    std::int32_t value;
    std::uint32_t line;
    template <integer_like T>
    consteval literal_or_dyn(T v, std::uint32_t l = __builtin_LINE()) : value(0), line(l) {
        auto x = detail::as_integer(v);
        if (!detail::in_range<Lo, Hi>(x)) Fail();
        value = static_cast<std::int32_t>(static_cast<std::uint32_t>(static_cast<std::int64_t>(x)));
    }
    constexpr literal_or_dyn(runtime_int v, std::uint32_t l = __builtin_LINE()) : value(0), line(l) {
        if (!detail::in_range_rt(v, Lo, Hi)) Fail();
        value = static_cast<std::int32_t>(static_cast<std::uint32_t>(v.value));
    }
};

// Signed 32-bit immediate (sign-extended by ALU64, JMP, ST DW).
using imm32 = literal_or_dyn<INT32_MIN, INT32_MAX,
                          diag::immediate_does_not_fit_in_signed_32_bits_use_imm64_for_wider_constants>;
// 32-bit immediate, signed or unsigned spelling (ALU32, JMP32, ST W).
using uimm32 = literal_or_dyn<INT32_MIN, UINT32_MAX, diag::immediate_does_not_fit_in_32_bits>;
using uimm16 = literal_or_dyn<INT16_MIN, UINT16_MAX, diag::immediate_does_not_fit_in_16_bits>;
using uimm8 = literal_or_dyn<INT8_MIN, UINT8_MAX, diag::immediate_does_not_fit_in_8_bits>;
using shift64 = literal_or_dyn<0, 63, diag::shift_amount_must_be_0_to_63>;
using shift32 = literal_or_dyn<0, 31, diag::shift_amount_must_be_0_to_31>;

// A signed 16-bit offset (r1 + off) and its negated spelling (r10 - off).
using off16 = literal_or_dyn<INT16_MIN, INT16_MAX, diag::offset_does_not_fit_in_signed_16_bits>;
using neg_off16 = literal_or_dyn<-INT16_MAX, -static_cast<std::int64_t>(INT16_MIN),
                              diag::offset_does_not_fit_in_signed_16_bits>;

struct address;
struct reg32;
struct src64;
struct src32;
struct neg_expr;
struct swap_expr;
struct wide_value;
struct fetch_expr;
struct cmpxchg_expr;
struct acquire_expr;
struct skb_load;
struct cast_expr;
struct sext_expr;
template <class T>
struct mem_ref;

// 64-bit register r0-r9. reg64{n} takes a run-time number (checked); run-time registers must be
// const (assigning to a register emits an instruction, it never changes which register it is).
// The assignments are defined in ctbpf/syntax.hpp.
struct reg64 {
    std::uint8_t n;
    constexpr explicit reg64(int number) : n(static_cast<std::uint8_t>(number)) {
        if (number < 0 || number > 9) diag::register_number_must_be_0_to_9();
    }
    reg64(const reg64&) = default;
    reg64& operator=(const reg64&) = delete;

    constexpr item operator=(imm32 v) const;                // r0 = 5
    constexpr item operator=(src64 s) const;                // r0 = r1
    constexpr item operator=(at<neg_expr> e) const;         // r0 = -r0
    constexpr item operator=(const swap_expr& e) const;        // r0 = be16(r0)
    constexpr item operator=(const sext_expr& e) const;        // r0 = s8(r1)
    constexpr item operator=(const wide_value& e) const;       // r0 = imm64(...), map_fd(...)
    template <class T>
    constexpr item operator=(const mem_ref<T>& e) const;       // r0 = mem<u32>(r1 + 4)
    constexpr item operator=(const fetch_expr& e) const;       // r0 = atomic_fetch_add(mem<u64>(r1), r0)
    constexpr item operator=(const cmpxchg_expr& e) const;     // r0 = cmpxchg(mem<u64>(r1), r0, r2)
    constexpr item operator=(const acquire_expr& e) const;     // r0 = load_acquire(mem<u64>(r1))
    constexpr item operator=(at<skb_load> e) const;         // r0 = skb<u8>[12]
    constexpr item operator=(const cast_expr& e) const;        // r1 = addr_space_cast(r2, 0, 1)
    template <class T = void>
    constexpr item operator=(const reg32&) const {
        static_assert(dependent_false<T>,
                      "ctbpf: r = w mixes register widths; write w0 = w1 (32-bit move, zero-extends) "
                      "or r0 = r1 (64-bit move)");
        return detail::reported_item();
    }
    template <class T = void>
    constexpr item operator=(const address&) const {
        static_assert(dependent_false<T>,
                      "ctbpf: eBPF has no three-operand add; write r3 = r1 then r3 += 4 "
                      "(reg + offset is only an address inside mem<T>(...))");
        return detail::reported_item();
    }

protected:
    struct frame_tag {};
    constexpr explicit reg64(frame_tag) : n(10) {}
};

// 32-bit view of a register, w0-w9 (ALU32/JMP32 forms; writes zero the upper half).
struct reg32 {
    std::uint8_t n;
    constexpr explicit reg32(int number) : n(static_cast<std::uint8_t>(number)) {
        if (number < 0 || number > 9) diag::register_number_must_be_0_to_9();
    }
    reg32(const reg32&) = default;
    reg32& operator=(const reg32&) = delete;

    constexpr item operator=(uimm32 v) const;               // w0 = 5
    constexpr item operator=(src32 s) const;                // w0 = w1
    constexpr item operator=(at<neg_expr> e) const;         // w0 = -w0
    constexpr item operator=(const sext_expr& e) const;        // w0 = s8(w1)
    template <class T>
    constexpr item operator=(const mem_ref<T>& e) const;       // w0 = mem<u32>(r1 + 4)
    constexpr item operator=(const fetch_expr& e) const;       // w0 = atomic_fetch_add(mem<u32>(r1), w0)
    constexpr item operator=(const cmpxchg_expr& e) const;     // w0 = cmpxchg(mem<u32>(r1), w0, w2)
    constexpr item operator=(const acquire_expr& e) const;     // w0 = load_acquire(mem<u8>(r1))
    template <class T = void>
    constexpr item operator=(const reg64&) const {
        static_assert(dependent_false<T>,
                      "ctbpf: w = r mixes register widths; write w0 = w1 (32-bit move) or r0 = r1 "
                      "(64-bit move)");
        return detail::reported_item();
    }
};

// The frame pointer r10: readable like any reg64, never written.
struct frame_pointer : reg64 {
    constexpr frame_pointer() : reg64(frame_tag{}) {}
    template <class T>
    constexpr item operator=(T&&) const {
        static_assert(dependent_false<T>,
                      "ctbpf: r10 is the read-only frame pointer; copy it first (r1 = r10) and "
                      "change the copy");
        return detail::reported_item();
    }
};

// A register used as a source operand; records the source line of the expression.
struct src64 {
    std::uint8_t n;
    std::uint32_t line;
    constexpr src64(const reg64& r, std::uint32_t l = __builtin_LINE()) : n(r.n), line(l) {}
};
struct src32 {
    std::uint8_t n;
    std::uint32_t line;
    constexpr src32(const reg32& r, std::uint32_t l = __builtin_LINE()) : n(r.n), line(l) {}
};

// base register + signed 16-bit offset, as written inside mem<T>(...) and skb<T>[...].
struct address {
    std::uint8_t base;
    std::int16_t off;
    constexpr address(const reg64& r, std::int16_t o = 0) : base(r.n), off(o) {}
};
constexpr address operator+(const reg64& r, off16 o) { return {r, static_cast<std::int16_t>(o.value)}; }
constexpr address operator-(const reg64& r, neg_off16 o) {
    return {r, static_cast<std::int16_t>(-o.value)};
}

// Access sizes. s8/s16/s32 double as sign-extending casts: r1 = s8(r2) is LLVM's r1 = (s8)r2.
struct u8 { static constexpr std::uint8_t size = op::b; static constexpr bool sign = false; };
struct u16 { static constexpr std::uint8_t size = op::h; static constexpr bool sign = false; };
struct u32 { static constexpr std::uint8_t size = op::w; static constexpr bool sign = false; };
struct u64 { static constexpr std::uint8_t size = op::dw; static constexpr bool sign = false; };
// A sign-extending register move, r1 = s8(r2) (LLVM: r1 = (s8)r2).
struct sext_expr {
    std::uint8_t n;
    bool is32;
    std::int16_t bits;
    std::uint32_t line;
};
template <std::int16_t Bits>
struct sext : sext_expr {
    static constexpr bool sign = true;
    constexpr explicit sext(const reg64& r, std::uint32_t l = __builtin_LINE()) : sext_expr{r.n, false, Bits, l} {}
    constexpr explicit sext(const reg32& r, std::uint32_t l = __builtin_LINE()) : sext_expr{r.n, true, Bits, l} {}
};
struct s8 : sext<8> {
    static constexpr std::uint8_t size = op::b;
    using sext<8>::sext;
};
struct s16 : sext<16> {
    static constexpr std::uint8_t size = op::h;
    using sext<16>::sext;
};
struct s32 : sext<32> {
    static constexpr std::uint8_t size = op::w;
    using sext<32>::sext;
};

template <class T>
concept access_size = std::is_same_v<T, u8> || std::is_same_v<T, u16> || std::is_same_v<T, u32> ||
                      std::is_same_v<T, u64> || std::is_same_v<T, s8> || std::is_same_v<T, s16> ||
                      std::is_same_v<T, s32>;

// The store-immediate type for a size: u8 takes -128..255, u64 a signed 32-bit value, and so on.
template <class T>
using store_imm = std::conditional_t<
    std::is_same_v<T, u8>, uimm8,
    std::conditional_t<std::is_same_v<T, u16>, uimm16, std::conditional_t<std::is_same_v<T, u32>, uimm32, imm32>>>;

// A label or map name is kept as a string_view: one from a temporary std::string would dangle.
template <class S>
concept temporary_string = std::is_same_v<S, std::string> || std::is_same_v<S, const std::string>;
namespace detail {
template <class Name, class S>
constexpr void refuse_temporary_string() { // one error per Name type
    static_assert(dependent_false<Name, S>,
                  "ctbpf: a label or map name from a temporary std::string would dangle (the program "
                  "keeps a string_view of it); keep the string alive in a variable or use a string literal");
}
} // namespace detail

// A label name: string literals and string_views (a run-time name must outlive assembly).
struct label_name {
    std::string_view text;
    template <std::size_t N>
    constexpr label_name(const char (&s)[N]) : text(s, N - 1) {}
    constexpr label_name(std::string_view s) : text(s) {}
    label_name(const std::string& s) : text(s) {}
    template <temporary_string S>
    label_name(S&&) { detail::refuse_temporary_string<label_name, S>(); } // label(std::string("x")): refused
};

// A relative jump distance in instructions (goto +3), for code without labels.
using rel16 = literal_or_dyn<INT16_MIN, INT16_MAX, diag::jump_distance_does_not_fit_in_16_bits_use_gotol>;
using rel32 = literal_or_dyn<INT32_MIN, INT32_MAX, diag::immediate_does_not_fit_in_32_bits>;

// The register objects; the spelling names them through the references below.
namespace detail::regs {
inline constexpr reg64 r0{0}, r1{1}, r2{2}, r3{3}, r4{4}, r5{5}, r6{6}, r7{7}, r8{8}, r9{9};
inline constexpr frame_pointer r10{};
inline constexpr reg32 w0{0}, w1{1}, w2{2}, w3{3}, w4{4}, w5{5}, w6{6}, w7{7}, w8{8}, w9{9};
} // namespace detail::regs

// Registers for `using namespace ctbpf::syntax`: constant references, not objects. Clang keeps
// each use of a constexpr object in a list until the end of the full-expression and copies that
// list at every default argument (the source lines), O(N^2) in one braced list of N
// instructions; it never lists a reference usable in constant expressions.
namespace syntax {
inline constexpr const reg64 &r0 = detail::regs::r0, &r1 = detail::regs::r1, &r2 = detail::regs::r2,
                             &r3 = detail::regs::r3, &r4 = detail::regs::r4, &r5 = detail::regs::r5,
                             &r6 = detail::regs::r6, &r7 = detail::regs::r7, &r8 = detail::regs::r8,
                             &r9 = detail::regs::r9;
inline constexpr const frame_pointer& r10 = detail::regs::r10;
inline constexpr const reg32 &w0 = detail::regs::w0, &w1 = detail::regs::w1, &w2 = detail::regs::w2,
                             &w3 = detail::regs::w3, &w4 = detail::regs::w4, &w5 = detail::regs::w5,
                             &w6 = detail::regs::w6, &w7 = detail::regs::w7, &w8 = detail::regs::w8,
                             &w9 = detail::regs::w9;
using ctbpf::s16;
using ctbpf::s32;
using ctbpf::s8;
using ctbpf::u16;
using ctbpf::u32;
using ctbpf::u64;
using ctbpf::u8;
using ctbpf::dyn;
} // namespace syntax

} // namespace ctbpf
