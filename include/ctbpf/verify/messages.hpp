// Verifier internals: the errno the kernel returns for each rule, and the words the kernel's
// messages are made of (operator spellings, register type names).
#pragma once

#include <cerrno>
#include <cstdint>
#include <string_view>

#include "ctbpf/diagnostics.hpp"

namespace ctbpf::detail::vfy {

// BPF_PROG_LOAD's errno for a rule: the table's (ctbpf::errno_of).
constexpr int rule_errno(errc e) { return errno_of(e); }

// bpf_alu_string[]: the operator of ALU opcode (code >> 4).
inline constexpr std::string_view alu_op_text[16] = {"+=", "-=", "*=", "/=", "|=", "&=", "<<=", ">>=",
                                                     "neg", "%=", "^=", "=", "s>>=", "endian", "?", "?"};

// Helper return kinds, from the documented C signature: 0 scalar, 1 pointer, 2 void.
inline constexpr std::uint8_t ret_scalar = 0, ret_pointer = 1, ret_void = 2;

} // namespace ctbpf::detail::vfy
