// Verifier internals: the errno the kernel returns for each rule, and the words the kernel's
// messages are made of (operator spellings, register type names).
#pragma once

#include <cerrno>
#include <cstdint>
#include <string_view>

#include "ctbpf/diagnostics.hpp"

namespace ctbpf::detail::vfy {

// BPF_PROG_LOAD's errno for a rule (Linux values).
constexpr int rule_errno(errc e) {
    switch (e) {
    case errc::ok: return 0;
    case errc::program_is_empty:
    case errc::program_is_too_large:
    case errc::too_many_subprograms:
    case errc::call_stack_is_too_deep: return E2BIG;
    case errc::program_type_needs_privileges:
    case errc::calls_need_privileges: return EPERM;
    case errc::atomic_access_to_this_pointer_is_not_allowed:
    case errc::frame_pointer_is_read_only:
    case errc::register_read_before_write:
    case errc::invalid_stack_access:
    case errc::misaligned_stack_access:
    case errc::misaligned_context_access:
    case errc::partial_access_to_a_spilled_pointer:
    case errc::combined_stack_size_is_too_large:
    case errc::modified_context_pointer:
    case errc::memory_access_through_a_scalar:
    case errc::pointer_arithmetic_is_prohibited:
    case errc::pointer_leak:
    case errc::pointer_comparison_is_prohibited:
    case errc::pointer_may_be_null:
    case errc::invalid_memory_access:
    case errc::map_value_access_is_out_of_bounds:
    case errc::map_access_is_forbidden:
    case errc::packet_access_is_out_of_range:
    case errc::cannot_write_into_packet:
    case errc::helper_argument_has_the_wrong_type:
    case errc::helper_memory_argument_is_invalid:
    case errc::invalid_context_access:
        return EACCES;
    default: return EINVAL;
    }
}

// bpf_alu_string[]: the operator of ALU opcode (code >> 4).
inline constexpr std::string_view alu_op_text[16] = {"+=", "-=", "*=", "/=", "|=", "&=", "<<=", ">>=",
                                                     "neg", "%=", "^=", "=", "s>>=", "endian", "?", "?"};

// Helper return kinds, from the documented C signature: 0 scalar, 1 pointer, 2 void.
inline constexpr std::uint8_t ret_scalar = 0, ret_pointer = 1, ret_void = 2;

} // namespace ctbpf::detail::vfy
