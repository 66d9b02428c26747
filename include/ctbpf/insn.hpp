// The instruction record (struct bpf_insn) and the opcode field constants of the eBPF ISA.
#pragma once

#include <cstdint>

#if defined(__has_include)
#if __has_include(<linux/bpf.h>)
#include <linux/bpf.h>
#define CTBPF_HAVE_LINUX_BPF_H 1
#endif
#endif

#ifndef CTBPF_HAVE_LINUX_BPF_H
// Layout-identical stand-in for Linux's struct bpf_insn on hosts without <linux/bpf.h>.
struct bpf_insn {
    std::uint8_t code;
    std::uint8_t dst_reg : 4;
    std::uint8_t src_reg : 4;
    std::int16_t off;
    std::int32_t imm;
};
#endif

static_assert(sizeof(bpf_insn) == 8, "struct bpf_insn must be 8 bytes");
static_assert(alignof(bpf_insn) == 4, "struct bpf_insn must be 4-byte aligned");

namespace ctbpf {

using insn = ::bpf_insn;

// Opcode field values (RFC 9669 and include/uapi/linux/bpf.h). Names are ours, values the ISA's.
namespace op {
// instruction classes (low 3 bits)
inline constexpr std::uint8_t ld = 0x00, ldx = 0x01, st = 0x02, stx = 0x03, alu = 0x04, jmp = 0x05,
                              jmp32 = 0x06, alu64 = 0x07;
// source bit of ALU/JMP
inline constexpr std::uint8_t k = 0x00, x = 0x08;
// ALU operation (high 4 bits)
inline constexpr std::uint8_t add = 0x00, sub = 0x10, mul = 0x20, div = 0x30, or_ = 0x40, and_ = 0x50,
                              lsh = 0x60, rsh = 0x70, neg = 0x80, mod = 0x90, xor_ = 0xa0, mov = 0xb0,
                              arsh = 0xc0, end = 0xd0;
// END (byte swap) direction with class ALU; with ALU64 the K bit means bswap
inline constexpr std::uint8_t to_le = 0x00, to_be = 0x08;
// jump operation (high 4 bits)
inline constexpr std::uint8_t ja = 0x00, jeq = 0x10, jgt = 0x20, jge = 0x30, jset = 0x40, jne = 0x50,
                              jsgt = 0x60, jsge = 0x70, call = 0x80, exit = 0x90, jlt = 0xa0, jle = 0xb0,
                              jslt = 0xc0, jsle = 0xd0, jcond = 0xe0;
// load/store size (bits 3-4)
inline constexpr std::uint8_t w = 0x00, h = 0x08, b = 0x10, dw = 0x18;
// load/store mode (high 3 bits)
inline constexpr std::uint8_t imm = 0x00, abs = 0x20, ind = 0x40, mem = 0x60, memsx = 0x80, atomic = 0xc0;

// atomic operations in imm
inline constexpr std::int32_t fetch = 0x01, xchg = 0xe0 | fetch, cmpxchg = 0xf0 | fetch;
inline constexpr std::int32_t load_acq = 0x100, store_rel = 0x110;

// ld_imm64 (lddw) src_reg forms
inline constexpr std::uint8_t pseudo_map_fd = 1, pseudo_map_value = 2, pseudo_btf_id = 3, pseudo_func = 4,
                              pseudo_map_idx = 5, pseudo_map_idx_value = 6;
// call src_reg forms
inline constexpr std::uint8_t pseudo_call = 1, pseudo_kfunc_call = 2;
// MOV X with off = 1 on ALU64
inline constexpr std::int16_t addr_space_cast = 1;

// field masks (for code that must not pay a function call per use: the constexpr verifier)
inline constexpr std::uint8_t class_mask = 0x07, src_mask = 0x08, op_mask = 0xf0, size_mask = 0x18, mode_mask = 0xe0;
constexpr std::uint8_t cls(std::uint8_t code) { return code & 0x07; }
constexpr std::uint8_t alu_op(std::uint8_t code) { return code & 0xf0; }
constexpr std::uint8_t src_bit(std::uint8_t code) { return code & 0x08; }
constexpr std::uint8_t size(std::uint8_t code) { return code & 0x18; }
constexpr std::uint8_t mode(std::uint8_t code) { return code & 0xe0; }
constexpr int size_bytes(std::uint8_t sz) { return sz == w ? 4 : sz == h ? 2 : sz == b ? 1 : 8; }
} // namespace op

// Build one raw instruction record.
constexpr insn make_insn(std::uint8_t code, std::uint8_t dst, std::uint8_t src, std::int16_t off,
                         std::int32_t imm) {
    return insn{code, static_cast<std::uint8_t>(dst & 0x0f), static_cast<std::uint8_t>(src & 0x0f), off, imm};
}

constexpr bool same_insn(const insn& a, const insn& b) {
    return a.code == b.code && a.dst_reg == b.dst_reg && a.src_reg == b.src_reg && a.off == b.off &&
           a.imm == b.imm;
}

} // namespace ctbpf
