// Errors: the rule names (errc), the verdict {rule, instruction index, source line, label},
// and the operand sentences that surface as compile errors (non-constexpr calls) or exceptions.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

namespace ctbpf {

// Why a program was rejected. Enumerators are sentences: they appear verbatim in compiler output.
enum class errc : int {
    ok = 0,
    // assembly (labels and distances)
    label_is_not_defined,
    label_is_defined_twice,
    jump_distance_does_not_fit_in_16_bits_use_gotol,
    jump_distance_does_not_fit_in_32_bits,
    jump_target_is_outside_the_program,
    label_name_is_empty,
    map_name_is_empty,
};

constexpr std::string_view to_string(errc e) {
    switch (e) {
    case errc::ok: return "ok";
    case errc::label_is_not_defined: return "label is not defined";
    case errc::label_is_defined_twice: return "label is defined twice";
    case errc::jump_distance_does_not_fit_in_16_bits_use_gotol:
        return "jump distance does not fit in 16 bits (use gotol)";
    case errc::jump_distance_does_not_fit_in_32_bits: return "jump distance does not fit in 32 bits";
    case errc::jump_target_is_outside_the_program: return "jump target is outside the program";
    case errc::label_name_is_empty: return "label name is empty";
    case errc::map_name_is_empty: return "map name is empty";
    }
    return "unknown error";
}

// The outcome of assembling (and, later, checking) a program.
struct verdict {
    errc code = errc::ok;
    std::uint32_t index = 0;    // instruction (slot) index, as the kernel counts
    std::uint32_t line = 0;     // source line of the offending item, 0 when unknown
    std::string_view label{};   // the label involved, when there is one
    constexpr bool ok() const { return code == errc::ok; }
    constexpr explicit operator bool() const { return ok(); }
};

// Thrown by the run-time API when a program is rejected.
class assembly_error : public std::runtime_error {
public:
    explicit assembly_error(const verdict& v)
        : std::runtime_error(describe(v)), verdict_(v), label_(v.label) {
        verdict_.label = label_;
    }
    const verdict& where() const noexcept { return verdict_; }
    static std::string describe(const verdict& v) {
        std::string s = "insn " + std::to_string(v.index) + ": " + std::string(to_string(v.code));
        if (!v.label.empty()) s += " '" + std::string(v.label) + "'";
        if (v.line != 0) s += " (line " + std::to_string(v.line) + ")";
        return s;
    }

private:
    verdict verdict_;
    std::string label_;
};

// Thrown at run time when an operand given through an escape hatch (dyn(), reg64{n}) is invalid.
class operand_error : public std::invalid_argument {
public:
    using std::invalid_argument::invalid_argument;
};

// Operand sentences. Called during constant evaluation they stop compilation and the compiler
// names the function; called at run time they throw operand_error with the same sentence.
namespace diag {
[[noreturn]] inline void raise(const char* s) { throw operand_error(s); }
[[noreturn]] inline void immediate_does_not_fit_in_signed_32_bits_use_imm64_for_wider_constants() {
    raise("immediate does not fit in signed 32 bits (use imm64() for wider constants)");
}
[[noreturn]] inline void immediate_does_not_fit_in_32_bits() { raise("immediate does not fit in 32 bits"); }
[[noreturn]] inline void immediate_does_not_fit_in_16_bits() { raise("immediate does not fit in 16 bits"); }
[[noreturn]] inline void immediate_does_not_fit_in_8_bits() { raise("immediate does not fit in 8 bits"); }
[[noreturn]] inline void shift_amount_must_be_0_to_63() { raise("shift amount must be 0 to 63"); }
[[noreturn]] inline void shift_amount_must_be_0_to_31() { raise("shift amount must be 0 to 31"); }
[[noreturn]] inline void offset_does_not_fit_in_signed_16_bits() {
    raise("offset does not fit in signed 16 bits");
}
[[noreturn]] inline void register_number_must_be_0_to_9() {
    raise("register number must be 0 to 9 (r10 is the read-only frame pointer)");
}
[[noreturn]] inline void negation_needs_the_same_register_on_both_sides() {
    raise("negation needs the same register on both sides (r1 = -r1)");
}
[[noreturn]] inline void byte_swap_needs_the_same_register_on_both_sides() {
    raise("byte swap needs the same register on both sides (r1 = be16(r1))");
}
[[noreturn]] inline void atomic_fetch_needs_the_same_register_on_both_sides() {
    raise("atomic fetch/xchg needs the same register on both sides (r2 = xchg(mem<u64>(r1 + 0), r2))");
}
[[noreturn]] inline void cmpxchg_compares_and_returns_r0() {
    raise("cmpxchg compares with and returns r0 (r0 = cmpxchg(mem<u64>(r1 + 0), r0, r2))");
}
[[noreturn]] inline void legacy_packet_loads_write_r0() {
    raise("legacy packet loads (skb<...>[...]) always write r0");
}
[[noreturn]] inline void sign_extension_takes_a_register_of_the_destination_width() {
    raise("sign extension takes a register of the destination width (r1 = s8(r2), w1 = s8(w2))");
}
[[noreturn]] inline void a_w_register_sign_extends_from_s8_or_s16_only() {
    raise("a w register sign-extends from s8 or s16 only");
}
[[noreturn]] inline void a_w_register_takes_u8_u16_and_u32_loads() {
    raise("a w register takes u8, u16 and u32 loads; load u64 into an r register");
}
[[noreturn]] inline void jump_distance_does_not_fit_in_16_bits_use_gotol() {
    raise("jump distance does not fit in 16 bits (use gotol)");
}
[[noreturn]] inline void operands_mix_register_widths() {
    raise("operands mix register widths (r registers are 64-bit, w registers 32-bit)");
}
[[noreturn]] inline void address_space_must_fit_in_16_bits() { raise("address space must fit in 16 bits"); }
} // namespace diag

} // namespace ctbpf
