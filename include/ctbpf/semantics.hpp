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

// `dst op= src` for the ALU operation `op` (BPF_OP: add .. end), `off` the instruction's offset
// (1: signed div/mod; 8/16/32: movsx) and is64 its class (ALU64). src is the register's value or the
// immediate as the kernel widens it (sign-extended to 64 bits). For END, src is the width (16/32/64)
// and `to_be` the source bit (ALU) / bswap (ALU64: pass true). The result of a 32-bit operation is
// zero-extended. Division by zero gives 0, modulo by zero leaves dst (zero-extended for ALU); INT_MIN
// / -1 gives INT_MIN and INT_MIN % -1 gives 0 (the kernel's rewrites of sdiv/smod by -1).
constexpr u64 alu(std::uint8_t op, bool is64, std::int16_t off, u64 dst, u64 src, bool to_be = false) {
    if (is64) {
        switch (op) {
        case op::add: return dst + src;
        case op::sub: return dst - src;
        case op::mul: return dst * src;
        case op::or_: return dst | src;
        case op::and_: return dst & src;
        case op::xor_: return dst ^ src;
        case op::lsh: return dst << (src & 63);
        case op::rsh: return dst >> (src & 63);
        case op::arsh: return static_cast<u64>(static_cast<s64>(dst) >> (src & 63));
        case op::neg: return u64{0} - dst;
        case op::mov: return off == 8 || off == 16 || off == 32 ? sext(src, off) : src;
        case op::div:
            if (src == 0) return 0;
            if (off == 1) return src == ~u64{0} ? u64{0} - dst : static_cast<u64>(static_cast<s64>(dst) / static_cast<s64>(src));
            return dst / src;
        case op::mod:
            if (src == 0) return dst;
            if (off == 1) return src == ~u64{0} ? 0 : static_cast<u64>(static_cast<s64>(dst) % static_cast<s64>(src));
            return dst % src;
        case op::end:
            return src == 16 ? bswap16(dst) : src == 32 ? bswap32(dst) : bswap64(dst);
        default: return dst;
        }
    }
    const u32 d = static_cast<u32>(dst), s = static_cast<u32>(src);
    switch (op) {
    case op::add: return u32(d + s);
    case op::sub: return u32(d - s);
    case op::mul: return u32(d * s);
    case op::or_: return d | s;
    case op::and_: return d & s;
    case op::xor_: return d ^ s;
    case op::lsh: return u32(d << (s & 31));
    case op::rsh: return d >> (s & 31);
    case op::arsh: return static_cast<u32>(static_cast<s32>(d) >> (s & 31));
    case op::neg: return u32(0u - d);
    case op::mov: return off == 8 || off == 16 ? static_cast<u32>(sext(s, off)) : s;
    case op::div:
        if (s == 0) return 0;
        if (off == 1) return s == ~u32{0} ? u32(0u - d) : static_cast<u32>(static_cast<s32>(d) / static_cast<s32>(s));
        return d / s;
    case op::mod:
        if (s == 0) return d;
        if (off == 1) return s == ~u32{0} ? 0 : static_cast<u32>(static_cast<s32>(d) % static_cast<s32>(s));
        return d % s;
    case op::end:
        if (to_be) return src == 16 ? bswap16(dst) : src == 32 ? bswap32(dst) : bswap64(dst);
        return src == 16 ? dst & 0xffff : src == 32 ? dst & 0xffffffff : dst; // to_le on a little-endian host
    default: return d;
    }
}

// Is the jump `if a op b` taken (op: BPF_OP of a conditional jump; is32: JMP32, low halves compared)?
constexpr bool jump_taken(std::uint8_t op, bool is32, u64 a, u64 b) {
    if (is32) {
        a = static_cast<u32>(a), b = static_cast<u32>(b);
        const s64 sa = static_cast<s32>(static_cast<u32>(a)), sb = static_cast<s32>(static_cast<u32>(b));
        switch (op) {
        case op::jsgt: return sa > sb;
        case op::jsge: return sa >= sb;
        case op::jslt: return sa < sb;
        case op::jsle: return sa <= sb;
        default: break;
        }
    } else {
        const s64 sa = static_cast<s64>(a), sb = static_cast<s64>(b);
        switch (op) {
        case op::jsgt: return sa > sb;
        case op::jsge: return sa >= sb;
        case op::jslt: return sa < sb;
        case op::jsle: return sa <= sb;
        default: break;
        }
    }
    switch (op) {
    case op::jeq: return a == b;
    case op::jne: return a != b;
    case op::jgt: return a > b;
    case op::jge: return a >= b;
    case op::jlt: return a < b;
    case op::jle: return a <= b;
    case op::jset: return (a & b) != 0;
    default: return false;
    }
}

} // namespace ctbpf::sem
