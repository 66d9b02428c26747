// Errors: the rule names (errc), the verdict {rule, instruction index, source line, label},
// and the operand sentences that surface as compile errors (non-constexpr calls) or exceptions.
#pragma once

#include <cstdint>
#include <optional>
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
    // verifier (the kernel's checks; see ctbpf/verify.hpp)
    program_is_empty,
    program_is_too_large,
    program_type_needs_privileges,
    calls_need_privileges,
    call_to_invalid_destination,
    too_many_subprograms,
    jump_out_of_range,
    last_insn_is_not_an_exit_or_jmp,
    ld_abs_is_not_allowed_in_subprogs_without_btf,
    tail_call_is_not_allowed_in_subprogs_without_btf,
    ldx_uses_reserved_fields,
    invalid_ld_imm64,
    unrecognized_ld_imm64,
    unknown_opcode,
    back_edge,
    unreachable_insn,
    jump_into_the_middle_of_ld_imm64,
    alu_uses_reserved_fields,
    mov_uses_reserved_fields,
    neg_uses_reserved_fields,
    end_uses_reserved_fields,
    stx_uses_reserved_fields,
    st_uses_reserved_fields,
    call_uses_reserved_fields,
    ja_uses_reserved_fields,
    exit_uses_reserved_fields,
    jmp_uses_reserved_fields,
    ld_imm64_uses_reserved_fields,
    ld_abs_uses_reserved_fields,
    invalid_may_goto,
    addr_space_cast_needs_an_arena,
    invalid_atomic_opcode,
    invalid_atomic_operand_size,
    atomic_access_to_this_pointer_is_not_allowed,
    register_number_is_invalid,
    frame_pointer_is_read_only,
    register_read_before_write,
    invalid_stack_access,
    misaligned_stack_access,
    misaligned_context_access,
    partial_access_to_a_spilled_pointer,
    stack_pointer_spilled_into_the_callers_frame,
    div_by_zero,
    invalid_shift,
    invalid_func_id,
    helper_is_not_allowed,
    call_stack_is_too_deep,
    combined_stack_size_is_too_large,
    cannot_return_stack_pointer_to_the_caller,
    callback_needs_btf_func_info,
    ld_abs_is_not_allowed_for_this_program_type,
    ld_abs_needs_the_context_in_r6,
    modified_context_pointer,
    memory_access_through_a_scalar,
    pointer_arithmetic_is_prohibited,
    pointer_offset_is_out_of_range,
    pointer_leak,
    pointer_comparison_is_prohibited,
    return_value_is_not_a_known_value,
    return_value_is_out_of_range,
    infinite_loop_detected,
    pointer_may_be_null,
    invalid_memory_access,
    map_value_access_is_out_of_bounds,
    map_access_is_forbidden,
    packet_access_is_out_of_range,
    cannot_write_into_packet,
    helper_argument_has_the_wrong_type,
    helper_memory_argument_is_invalid,
    unreleased_reference,
    invalid_context_access,
    left_to_the_kernel,
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
    case errc::program_is_empty: return "program is empty";
    case errc::program_is_too_large: return "program is too large";
    case errc::program_type_needs_privileges: return "program type needs privileges";
    case errc::calls_need_privileges: return "bpf-to-bpf calls and kfuncs need privileges";
    case errc::call_to_invalid_destination: return "call to invalid destination";
    case errc::too_many_subprograms: return "too many subprograms";
    case errc::jump_out_of_range: return "jump out of range";
    case errc::last_insn_is_not_an_exit_or_jmp: return "last insn is not an exit or jmp";
    case errc::ld_abs_is_not_allowed_in_subprogs_without_btf: return "LD_ABS is not allowed in subprogs without BTF";
    case errc::tail_call_is_not_allowed_in_subprogs_without_btf: return "tail_call is not allowed in subprogs without BTF";
    case errc::ldx_uses_reserved_fields: return "BPF_LDX uses reserved fields";
    case errc::invalid_ld_imm64: return "invalid ld_imm64 pair";
    case errc::unrecognized_ld_imm64: return "unrecognized ld_imm64 form";
    case errc::unknown_opcode: return "unknown opcode";
    case errc::back_edge: return "back-edge (loops need privileges)";
    case errc::unreachable_insn: return "unreachable insn";
    case errc::jump_into_the_middle_of_ld_imm64: return "jump into the middle of ld_imm64";
    case errc::alu_uses_reserved_fields: return "BPF_ALU uses reserved fields";
    case errc::mov_uses_reserved_fields: return "BPF_MOV uses reserved fields";
    case errc::neg_uses_reserved_fields: return "BPF_NEG uses reserved fields";
    case errc::end_uses_reserved_fields: return "BPF_END uses reserved fields";
    case errc::stx_uses_reserved_fields: return "BPF_STX uses reserved fields";
    case errc::st_uses_reserved_fields: return "BPF_ST uses reserved fields";
    case errc::call_uses_reserved_fields: return "BPF_CALL uses reserved fields";
    case errc::ja_uses_reserved_fields: return "BPF_JA uses reserved fields";
    case errc::exit_uses_reserved_fields: return "BPF_EXIT uses reserved fields";
    case errc::jmp_uses_reserved_fields: return "BPF_JMP/JMP32 uses reserved fields";
    case errc::ld_imm64_uses_reserved_fields: return "BPF_LD_IMM64 uses reserved fields";
    case errc::ld_abs_uses_reserved_fields: return "BPF_LD_[ABS|IND] uses reserved fields";
    case errc::invalid_may_goto: return "invalid may_goto";
    case errc::addr_space_cast_needs_an_arena: return "addr_space_cast needs an arena (address spaces 1 and 0)";
    case errc::invalid_atomic_opcode: return "invalid atomic opcode";
    case errc::invalid_atomic_operand_size: return "invalid atomic operand size";
    case errc::atomic_access_to_this_pointer_is_not_allowed: return "atomic access to this pointer is not allowed";
    case errc::register_number_is_invalid: return "register number is invalid";
    case errc::frame_pointer_is_read_only: return "frame pointer is read only";
    case errc::register_read_before_write: return "register read before write";
    case errc::invalid_stack_access: return "invalid stack access";
    case errc::misaligned_stack_access: return "misaligned stack access";
    case errc::misaligned_context_access: return "misaligned context access";
    case errc::partial_access_to_a_spilled_pointer: return "partial access to a spilled pointer";
    case errc::stack_pointer_spilled_into_the_callers_frame: return "stack pointer spilled into the caller's frame";
    case errc::div_by_zero: return "div by zero";
    case errc::invalid_shift: return "invalid shift";
    case errc::invalid_func_id: return "invalid func id";
    case errc::helper_is_not_allowed: return "helper is not allowed";
    case errc::call_stack_is_too_deep: return "call stack is too deep";
    case errc::combined_stack_size_is_too_large: return "combined stack size is too large";
    case errc::cannot_return_stack_pointer_to_the_caller: return "cannot return stack pointer to the caller";
    case errc::callback_needs_btf_func_info: return "callback needs BTF func_info";
    case errc::ld_abs_is_not_allowed_for_this_program_type: return "LD_ABS is not allowed for this program type";
    case errc::ld_abs_needs_the_context_in_r6: return "LD_ABS needs the context in r6";
    case errc::modified_context_pointer: return "modified context pointer";
    case errc::memory_access_through_a_scalar: return "memory access through a scalar";
    case errc::pointer_arithmetic_is_prohibited: return "pointer arithmetic is prohibited";
    case errc::pointer_offset_is_out_of_range: return "pointer offset is out of range";
    case errc::pointer_leak: return "pointer leak";
    case errc::pointer_comparison_is_prohibited: return "pointer comparison is prohibited";
    case errc::return_value_is_not_a_known_value: return "return value is not a known value";
    case errc::return_value_is_out_of_range: return "return value is out of range";
    case errc::infinite_loop_detected: return "infinite loop detected";
    case errc::pointer_may_be_null: return "pointer may be null (check it against 0 first)";
    case errc::invalid_memory_access: return "invalid memory access through this pointer type";
    case errc::map_value_access_is_out_of_bounds: return "map value access is out of bounds";
    case errc::map_access_is_forbidden: return "map access is forbidden by the map flags";
    case errc::packet_access_is_out_of_range: return "packet access is outside the checked range";
    case errc::cannot_write_into_packet: return "this program type cannot write into the packet";
    case errc::helper_argument_has_the_wrong_type: return "helper argument has the wrong type";
    case errc::helper_memory_argument_is_invalid: return "helper memory argument is invalid";
    case errc::unreleased_reference: return "reference leak: an acquired reference is not released";
    case errc::invalid_context_access: return "invalid context access";
    case errc::left_to_the_kernel: return "left to the kernel (options::deferral_is_error)";
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

// The base of every exception ctbpf throws, with one set of accessors: the rule (errc::ok when
// none applies, e.g. a failed system call), the instruction index, source line and label, the
// errno (0 when none) and the message without the position (what() has both).
class exception : public std::runtime_error {
public:
    struct facts {
        errc rule = errc::ok;
        std::optional<std::uint32_t> insn{};
        std::uint32_t line = 0;
        std::string label{};
        int errnum = 0;
        std::string message{};
    };
    explicit exception(const std::string& what) : std::runtime_error(what) { f_.message = what; }
    exception(const std::string& what, facts f) : std::runtime_error(what), f_(std::move(f)) {}

    errc rule() const noexcept { return f_.rule; }
    std::optional<std::uint32_t> insn() const noexcept { return f_.insn; }
    std::uint32_t line() const noexcept { return f_.line; }
    std::string_view label() const noexcept { return f_.label; }
    int errnum() const noexcept { return f_.errnum; }
    std::string_view message() const noexcept { return f_.message; }

private:
    facts f_;
};

// Thrown by the run-time API when a program does not assemble (a label, a jump distance).
class assembly_error : public exception {
public:
    explicit assembly_error(const verdict& v)
        : exception(describe(v), {v.code, v.index, v.line, std::string(v.label), 0, std::string(to_string(v.code))}) {}
    static std::string describe(const verdict& v) {
        std::string s = "insn " + std::to_string(v.index) + ": " + std::string(to_string(v.code));
        if (!v.label.empty()) s += " '" + std::string(v.label) + "'";
        if (v.line != 0) s += " (line " + std::to_string(v.line) + ")";
        return s;
    }
};

// Thrown at run time when an operand given through an escape hatch (dyn(), reg64{n}) is invalid.
class operand_error : public exception {
public:
    using exception::exception;
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
