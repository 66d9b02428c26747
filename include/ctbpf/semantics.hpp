// What each ALU and jump instruction computes on concrete values, as Linux 6.18 runs it (after the
// verifier's rewrites): one definition shared by the interpreter and the verifier's constant folding.
#pragma once

#include <cstdint>

#include "ctbpf/insn.hpp"

namespace ctbpf::sem {

using u64 = std::uint64_t;
using s64 = std::int64_t;
using u32 = std::uint32_t;
using s32 = std::int32_t;

constexpr u64 bswap16(u64 v) { return ((v & 0xff) << 8) | ((v >> 8) & 0xff); }
constexpr u64 bswap32(u64 v) { return (bswap16(v) << 16) | bswap16(v >> 16); }
constexpr u64 bswap64(u64 v) { return (bswap32(v) << 32) | bswap32(v >> 32); }

constexpr u64 sext(u64 v, int bits) { // sign-extend the low `bits` of v to 64 bits
    const u64 m = u64{1} << (bits - 1);
    v &= (m << 1) - 1;
    return (v ^ m) - m;
}

// `dst op= src` for the ALU operation Op (BPF_OP: add .. arsh, neg, mov, div, mod; not end), `off`
// the instruction's offset (1: signed div/mod; 8/16/32: movsx). alu64: ALU64; alu32: ALU (the result
// zero-extended). src is the register's value or the immediate as the kernel widens it (sign-extended
// to 64 bits). Division by zero gives 0, modulo by zero leaves dst (zero-extended for ALU); INT_MIN /
// -1 gives INT_MIN and INT_MIN % -1 gives 0 (the kernel's rewrites of sdiv/smod by -1).
namespace detail {
// One specialization per operation, each body one expression (in constant evaluation a switch or an
// if-constexpr chain costs steps by the position of the case).
template <std::uint8_t Op>
struct alu_op;
#define CTBPF_SEM_OP(OP, E64, E32)                                                                     \
    template <>                                                                                       \
    struct alu_op<OP> {                                                                               \
        static constexpr u64 run64([[maybe_unused]] u64 dst, [[maybe_unused]] u64 src,                \
                                   [[maybe_unused]] std::int16_t off) { return E64; }                  \
        static constexpr u64 run32([[maybe_unused]] u32 d, [[maybe_unused]] u32 s,                    \
                                   [[maybe_unused]] std::int16_t off) { return E32; }                  \
    };
CTBPF_SEM_OP(op::add, dst + src, u32(d + s))
CTBPF_SEM_OP(op::sub, dst - src, u32(d - s))
CTBPF_SEM_OP(op::mul, dst * src, u32(d * s))
CTBPF_SEM_OP(op::or_, dst | src, d | s)
CTBPF_SEM_OP(op::and_, dst & src, d & s)
CTBPF_SEM_OP(op::xor_, dst ^ src, d ^ s)
CTBPF_SEM_OP(op::lsh, dst << (src & 63), u32(d << (s & 31)))
CTBPF_SEM_OP(op::rsh, dst >> (src & 63), d >> (s & 31))
CTBPF_SEM_OP(op::arsh, static_cast<u64>(static_cast<s64>(dst) >> (src & 63)), static_cast<u32>(static_cast<s32>(d) >> (s & 31)))
CTBPF_SEM_OP(op::neg, u64{0} - dst, u32(0u - d))
CTBPF_SEM_OP(op::mov, off == 8 || off == 16 || off == 32 ? sext(src, off) : src,
             off == 8 || off == 16 ? static_cast<u32>(sext(s, off)) : s)
CTBPF_SEM_OP(op::div,
             src == 0 ? 0 : off != 1 ? dst / src : src == ~u64{0} ? u64{0} - dst
                                                  : static_cast<u64>(static_cast<s64>(dst) / static_cast<s64>(src)),
             s == 0 ? 0 : off != 1 ? d / s : s == ~u32{0} ? u32(0u - d)
                                              : static_cast<u32>(static_cast<s32>(d) / static_cast<s32>(s)))
CTBPF_SEM_OP(op::mod,
             src == 0 ? dst : off != 1 ? dst % src : src == ~u64{0} ? 0
                                                    : static_cast<u64>(static_cast<s64>(dst) % static_cast<s64>(src)),
             s == 0 ? d : off != 1 ? d % s : s == ~u32{0} ? 0
                                              : static_cast<u32>(static_cast<s32>(d) % static_cast<s32>(s)))
#undef CTBPF_SEM_OP
} // namespace detail

// `dst op= src` for the ALU operation Op (BPF_OP: add .. arsh, neg, mov, div, mod; not end), `off`
// the instruction's offset (1: signed div/mod; 8/16/32: movsx). alu64: ALU64; alu32: ALU (the result
// zero-extended). src is the register's value or the immediate as the kernel widens it (sign-extended
// to 64 bits). Division by zero gives 0, modulo by zero leaves dst (zero-extended for ALU); INT_MIN /
// -1 gives INT_MIN and INT_MIN % -1 gives 0 (the kernel's rewrites of sdiv/smod by -1).
template <std::uint8_t Op>
constexpr u64 alu64(u64 dst, u64 src, std::int16_t off) {
    return detail::alu_op<Op>::run64(dst, src, off);
}
template <std::uint8_t Op>
constexpr u64 alu32(u64 dst, u64 src, std::int16_t off) {
    return detail::alu_op<Op>::run32(static_cast<u32>(dst), static_cast<u32>(src), off);
}
// END: byte swap (to_be with ALU, or ALU64's bswap: swap = true) or truncation (to_le) to `width`
// bits (16, 32, 64), on a little-endian host.
constexpr u64 end(u64 dst, std::int32_t width, bool swap) {
    if (swap) return width == 16 ? bswap16(dst) : width == 32 ? bswap32(dst) : bswap64(dst);
    return width == 16 ? dst & 0xffff : width == 32 ? dst & 0xffffffff : dst;
}

// The same for an operation known only at run time (op: BPF_OP; is64: ALU64 class). For END, src is
// the width and to_be the source bit (ALU) / bswap (ALU64: pass true).
constexpr u64 alu(std::uint8_t op, bool is64, std::int16_t off, u64 dst, u64 src, bool to_be = false) {
#define CTBPF_SEM_ALU(OP) \
    case OP: return is64 ? alu64<OP>(dst, src, off) : alu32<OP>(dst, src, off);
    switch (op) {
        CTBPF_SEM_ALU(op::add) CTBPF_SEM_ALU(op::sub) CTBPF_SEM_ALU(op::mul) CTBPF_SEM_ALU(op::div)
        CTBPF_SEM_ALU(op::or_) CTBPF_SEM_ALU(op::and_) CTBPF_SEM_ALU(op::lsh) CTBPF_SEM_ALU(op::rsh)
        CTBPF_SEM_ALU(op::neg) CTBPF_SEM_ALU(op::mod) CTBPF_SEM_ALU(op::xor_) CTBPF_SEM_ALU(op::mov)
        CTBPF_SEM_ALU(op::arsh)
    case op::end: return end(dst, static_cast<std::int32_t>(src), is64 || to_be);
    default: return is64 ? dst : static_cast<u32>(dst);
    }
#undef CTBPF_SEM_ALU
}

// Is the jump `if a Op b` taken (Op: BPF_OP of a conditional jump)? taken64: JMP; taken32: JMP32
// (the low halves compared).
namespace detail {
template <std::uint8_t Op>
struct jmp_op;
#define CTBPF_SEM_JMP(OP, E)                                                                           \
    template <>                                                                                       \
    struct jmp_op<OP> {                                                                               \
        static constexpr bool run64(u64 a, u64 b) { return E; }                                       \
        static constexpr bool run32(u64 a, u64 b) {                                                   \
            return run64(Signed ? static_cast<u64>(static_cast<s64>(static_cast<s32>(static_cast<u32>(a)))) \
                                : static_cast<u32>(a),                                                \
                         Signed ? static_cast<u64>(static_cast<s64>(static_cast<s32>(static_cast<u32>(b)))) \
                                : static_cast<u32>(b));                                               \
        }                                                                                             \
        static constexpr bool Signed = OP == op::jsgt || OP == op::jsge || OP == op::jslt || OP == op::jsle; \
    };
CTBPF_SEM_JMP(op::jeq, a == b)
CTBPF_SEM_JMP(op::jne, a != b)
CTBPF_SEM_JMP(op::jgt, a > b)
CTBPF_SEM_JMP(op::jge, a >= b)
CTBPF_SEM_JMP(op::jlt, a < b)
CTBPF_SEM_JMP(op::jle, a <= b)
CTBPF_SEM_JMP(op::jset, (a & b) != 0)
CTBPF_SEM_JMP(op::jsgt, static_cast<s64>(a) > static_cast<s64>(b))
CTBPF_SEM_JMP(op::jsge, static_cast<s64>(a) >= static_cast<s64>(b))
CTBPF_SEM_JMP(op::jslt, static_cast<s64>(a) < static_cast<s64>(b))
CTBPF_SEM_JMP(op::jsle, static_cast<s64>(a) <= static_cast<s64>(b))
#undef CTBPF_SEM_JMP
} // namespace detail

// Is the jump `if a Op b` taken (Op: BPF_OP of a conditional jump)? taken64: JMP; taken32: JMP32
// (the low halves compared).
template <std::uint8_t Op>
constexpr bool taken64(u64 a, u64 b) {
    return detail::jmp_op<Op>::run64(a, b);
}
template <std::uint8_t Op>
constexpr bool taken32(u64 a, u64 b) {
    return detail::jmp_op<Op>::run32(a, b);
}
constexpr bool jump_taken(std::uint8_t op, bool is32, u64 a, u64 b) {
#define CTBPF_SEM_JMP(OP) \
    case OP: return is32 ? taken32<OP>(a, b) : taken64<OP>(a, b);
    switch (op) {
        CTBPF_SEM_JMP(op::jeq) CTBPF_SEM_JMP(op::jne) CTBPF_SEM_JMP(op::jgt) CTBPF_SEM_JMP(op::jge)
        CTBPF_SEM_JMP(op::jlt) CTBPF_SEM_JMP(op::jle) CTBPF_SEM_JMP(op::jset) CTBPF_SEM_JMP(op::jsgt)
        CTBPF_SEM_JMP(op::jsge) CTBPF_SEM_JMP(op::jslt) CTBPF_SEM_JMP(op::jsle)
    default: return false;
    }
#undef CTBPF_SEM_JMP
}

} // namespace ctbpf::sem
