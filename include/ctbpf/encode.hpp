// The function layer: one factory per instruction, each returning a program item.
// The operators in ctbpf/syntax.hpp are spelled on top of these; code generators can call them.
#pragma once

#include <cstdint>

#include "ctbpf/helper_table.hpp"
#include "ctbpf/insn.hpp"
#include "ctbpf/item.hpp"
#include "ctbpf/operands.hpp"

namespace ctbpf {

// Where a jump goes: a label, or a distance in instructions (LLVM: goto +3).
struct jump_target {
    std::string_view name{};
    std::int32_t rel = 0;
    std::uint32_t id = 0; // a label handle's index + 1
    constexpr jump_target(label_name l) : name(l.text) {}
    constexpr jump_target(label_id l) : id(l.key()) {}
    constexpr jump_target(rel16 r) : rel(r.value) {}
    template <integer_like T>
    consteval jump_target(T v) : rel(rel16(v).value) {}
    constexpr jump_target(runtime_int v) : rel(rel16(v).value) {}
    template <std::size_t N>
    constexpr jump_target(const char (&s)[N]) : name(s, N - 1) {}
    jump_target(const std::string& s) : name(s) {}
    template <temporary_string S>
    jump_target(S&&) { detail::refuse_temporary_string<jump_target, S>(); } // goto_(std::string("x")): refused
};
struct long_jump_target {
    std::string_view name{};
    std::int32_t rel = 0;
    std::uint32_t id = 0; // a label handle's index + 1
    constexpr long_jump_target(label_name l) : name(l.text) {}
    constexpr long_jump_target(label_id l) : id(l.key()) {}
    constexpr long_jump_target(rel32 r) : rel(r.value) {}
    template <integer_like T>
    consteval long_jump_target(T v) : rel(rel32(v).value) {}
    constexpr long_jump_target(runtime_int v) : rel(rel32(v).value) {}
    template <std::size_t N>
    constexpr long_jump_target(const char (&s)[N]) : name(s, N - 1) {}
    long_jump_target(const std::string& s) : name(s) {}
    template <temporary_string S>
    long_jump_target(S&&) { detail::refuse_temporary_string<long_jump_target, S>(); } // gotol(std::string("x")): refused
};

// A kfunc: kernel function by BTF id; module = index into fd_array of the module's BTF (0: vmlinux).
struct kfunc {
    std::int32_t btf_id;
    std::int16_t module = 0;
};

// The factories live in ctbpf::fn so that argument-dependent lookup on registers never mixes
// them with the operator spelling's builders (syntax::be16 returns an expression, fn::be16 an item).
namespace fn {}

namespace detail {
constexpr item one(std::uint8_t code, std::uint8_t dst, std::uint8_t src, std::int16_t off,
                   std::int32_t imm, std::uint32_t line) {
    return item{make_insn(code, dst, src, off, imm), 0, item_kind::insn, {}, line};
}
constexpr item alu_k(std::uint8_t cls, std::uint8_t opc, std::uint8_t dst, std::int32_t imm,
                     std::uint32_t line, std::int16_t off = 0) {
    return one(static_cast<std::uint8_t>(cls | op::k | opc), dst, 0, off, imm, line);
}
constexpr item alu_x(std::uint8_t cls, std::uint8_t opc, std::uint8_t dst, std::uint8_t src,
                     std::uint32_t line, std::int16_t off = 0) {
    return one(static_cast<std::uint8_t>(cls | op::x | opc), dst, src, off, 0, line);
}
constexpr item jmp(std::uint8_t code, std::uint8_t dst, std::uint8_t src, std::int32_t imm,
                   jump_target t, std::uint32_t line) {
    return item{make_insn(code, dst, src, static_cast<std::int16_t>(t.rel), imm), static_cast<std::int32_t>(t.id),
                t.name.empty() && t.id == 0 ? item_kind::insn : item_kind::jump, t.name, line};
}
constexpr item wide(std::uint8_t dst, std::uint8_t src, std::int32_t lo, std::int32_t hi,
                    std::uint32_t line) {
    return item{make_insn(op::ld | op::imm | op::dw, dst, src, 0, lo), hi, item_kind::wide, {}, line};
}
template <class T>
constexpr std::uint8_t mem_code(std::uint8_t cls, std::uint8_t mode) {
    return static_cast<std::uint8_t>(cls | mode | T::size);
}
} // namespace detail

namespace fn {

// ---- ALU: 64-bit forms on reg64 (class ALU64), 32-bit forms on reg32 (class ALU) ----
#define CTBPF_ALU_FACTORY(NAME, OPC, OFF)                                                              \
    constexpr item NAME(const reg64& d, imm32 v, std::uint32_t line = __builtin_LINE()) {             \
        return detail::alu_k(op::alu64, OPC, d.n, v.value, line, OFF);                                \
    }                                                                                                  \
    constexpr item NAME(const reg64& d, src64 s, std::uint32_t line = __builtin_LINE()) {             \
        return detail::alu_x(op::alu64, OPC, d.n, s.n, line, OFF);                                    \
    }                                                                                                  \
    constexpr item NAME(const reg32& d, uimm32 v, std::uint32_t line = __builtin_LINE()) {            \
        return detail::alu_k(op::alu, OPC, d.n, v.value, line, OFF);                                  \
    }                                                                                                  \
    constexpr item NAME(const reg32& d, src32 s, std::uint32_t line = __builtin_LINE()) {             \
        return detail::alu_x(op::alu, OPC, d.n, s.n, line, OFF);                                      \
    }
CTBPF_ALU_FACTORY(add, op::add, 0)   // r0 += 1 / r0 += r1 / w0 += 1 / w0 += w1: 0x07 0x0f 0x04 0x0c
CTBPF_ALU_FACTORY(sub, op::sub, 0)   // r0 -= 1: 0x17 0x1f 0x14 0x1c
CTBPF_ALU_FACTORY(mul, op::mul, 0)   // r0 *= 1: 0x27 0x2f 0x24 0x2c
CTBPF_ALU_FACTORY(div, op::div, 0)   // r0 /= 1: 0x37 0x3f 0x34 0x3c
CTBPF_ALU_FACTORY(sdiv, op::div, 1)  // r0 s/= 1: 0x37 0x3f 0x34 0x3c, off=1
CTBPF_ALU_FACTORY(or_, op::or_, 0)   // r0 |= 1: 0x47 0x4f 0x44 0x4c
CTBPF_ALU_FACTORY(and_, op::and_, 0) // r0 &= 1: 0x57 0x5f 0x54 0x5c
CTBPF_ALU_FACTORY(mod, op::mod, 0)   // r0 %= 1: 0x97 0x9f 0x94 0x9c
CTBPF_ALU_FACTORY(smod, op::mod, 1)  // r0 s%= 1: 0x97 0x9f 0x94 0x9c, off=1
CTBPF_ALU_FACTORY(xor_, op::xor_, 0) // r0 ^= 1: 0xa7 0xaf 0xa4 0xac
CTBPF_ALU_FACTORY(mov, op::mov, 0)   // r0 = 1 / r0 = r1 / w0 = 1 / w0 = w1: 0xb7 0xbf 0xb4 0xbc
#undef CTBPF_ALU_FACTORY

#define CTBPF_SHIFT_FACTORY(NAME, OPC)                                                                 \
    constexpr item NAME(const reg64& d, shift64 v, std::uint32_t line = __builtin_LINE()) {           \
        return detail::alu_k(op::alu64, OPC, d.n, v.value, line);                                     \
    }                                                                                                  \
    constexpr item NAME(const reg64& d, src64 s, std::uint32_t line = __builtin_LINE()) {             \
        return detail::alu_x(op::alu64, OPC, d.n, s.n, line);                                         \
    }                                                                                                  \
    constexpr item NAME(const reg32& d, shift32 v, std::uint32_t line = __builtin_LINE()) {           \
        return detail::alu_k(op::alu, OPC, d.n, v.value, line);                                       \
    }                                                                                                  \
    constexpr item NAME(const reg32& d, src32 s, std::uint32_t line = __builtin_LINE()) {             \
        return detail::alu_x(op::alu, OPC, d.n, s.n, line);                                           \
    }
CTBPF_SHIFT_FACTORY(lsh, op::lsh)   // r0 <<= 1: 0x67 0x6f 0x64 0x6c
CTBPF_SHIFT_FACTORY(rsh, op::rsh)   // r0 >>= 1: 0x77 0x7f 0x74 0x7c
CTBPF_SHIFT_FACTORY(arsh, op::arsh) // r0 s>>= 1: 0xc7 0xcf 0xc4 0xcc
#undef CTBPF_SHIFT_FACTORY

// r0 = -r0: 0x87
constexpr item neg(const reg64& d, std::uint32_t line = __builtin_LINE()) {
    return detail::alu_k(op::alu64, op::neg, d.n, 0, line);
}
// w0 = -w0: 0x84
constexpr item neg(const reg32& d, std::uint32_t line = __builtin_LINE()) {
    return detail::alu_k(op::alu, op::neg, d.n, 0, line);
}
// r1 = (s8)r2, (s16), (s32): 0xbf off=8/16/32
constexpr item movsx(const reg64& d, src64 s, std::int16_t bits, std::uint32_t line = __builtin_LINE()) {
    return detail::alu_x(op::alu64, op::mov, d.n, s.n, line, bits);
}
// w1 = (s8)w2, (s16): 0xbc off=8/16
constexpr item movsx(const reg32& d, src32 s, std::int16_t bits, std::uint32_t line = __builtin_LINE()) {
    return detail::alu_x(op::alu, op::mov, d.n, s.n, line, bits);
}
// r1 = addr_space_cast(r2, dst_as, src_as): 0xbf off=1 imm=dst_as<<16|src_as
constexpr item addr_space_cast(const reg64& d, src64 s, std::uint16_t dst_as, std::uint16_t src_as,
                               std::uint32_t line = __builtin_LINE()) {
    return detail::one(op::alu64 | op::x | op::mov, d.n, s.n, op::addr_space_cast,
                       static_cast<std::int32_t>((std::uint32_t{dst_as} << 16) | src_as), line);
}

#define CTBPF_SWAP_FACTORY(NAME, CODE, BITS)                                                           \
    constexpr item NAME(const reg64& d, std::uint32_t line = __builtin_LINE()) {                      \
        return detail::one(CODE, d.n, 0, 0, BITS, line);                                               \
    }
CTBPF_SWAP_FACTORY(le16, op::alu | op::end | op::to_le, 16)   // r0 = le16 r0: 0xd4 imm=16
CTBPF_SWAP_FACTORY(le32, op::alu | op::end | op::to_le, 32)   // r0 = le32 r0: 0xd4 imm=32
CTBPF_SWAP_FACTORY(le64, op::alu | op::end | op::to_le, 64)   // r0 = le64 r0: 0xd4 imm=64
CTBPF_SWAP_FACTORY(be16, op::alu | op::end | op::to_be, 16)   // r0 = be16 r0: 0xdc imm=16
CTBPF_SWAP_FACTORY(be32, op::alu | op::end | op::to_be, 32)   // r0 = be32 r0: 0xdc imm=32
CTBPF_SWAP_FACTORY(be64, op::alu | op::end | op::to_be, 64)   // r0 = be64 r0: 0xdc imm=64
CTBPF_SWAP_FACTORY(bswap16, op::alu64 | op::end, 16)          // r0 = bswap16 r0: 0xd7 imm=16
CTBPF_SWAP_FACTORY(bswap32, op::alu64 | op::end, 32)          // r0 = bswap32 r0: 0xd7 imm=32
CTBPF_SWAP_FACTORY(bswap64, op::alu64 | op::end, 64)          // r0 = bswap64 r0: 0xd7 imm=64
#undef CTBPF_SWAP_FACTORY

// ---- 64-bit immediate loads (lddw, 0x18, two slots) ----
// r1 = 0x1122334455667788 ll: 0x18 src=0
constexpr item ld_imm64(const reg64& d, std::uint64_t v, std::uint32_t line = __builtin_LINE()) {
    return detail::wide(d.n, 0, static_cast<std::int32_t>(static_cast<std::uint32_t>(v)),
                        static_cast<std::int32_t>(static_cast<std::uint32_t>(v >> 32)), line);
}
// r1 = map[fd] (BPF_PSEUDO_MAP_FD): 0x18 src=1
constexpr item ld_map_fd(const reg64& d, std::int32_t fd, std::uint32_t line = __builtin_LINE()) {
    return detail::wide(d.n, op::pseudo_map_fd, fd, 0, line);
}
// r1 = map_value[fd] + off (BPF_PSEUDO_MAP_VALUE): 0x18 src=2
constexpr item ld_map_value(const reg64& d, std::int32_t fd, std::int32_t off,
                            std::uint32_t line = __builtin_LINE()) {
    return detail::wide(d.n, op::pseudo_map_value, fd, off, line);
}
// r1 = &ksym (BPF_PSEUDO_BTF_ID, VAR btf id; module BTF fd in the second slot): 0x18 src=3
constexpr item ld_btf_id(const reg64& d, std::int32_t btf_id, std::int32_t module_fd = 0,
                         std::uint32_t line = __builtin_LINE()) {
    return detail::wide(d.n, op::pseudo_btf_id, btf_id, module_fd, line);
}
// r1 = &subprog (BPF_PSEUDO_FUNC, a callback address): 0x18 src=4
constexpr item ld_func(const reg64& d, label_name target, std::uint32_t line = __builtin_LINE()) {
    item it = detail::wide(d.n, op::pseudo_func, 0, 0, line);
    it.kind = item_kind::func_addr;
    it.name = target.text;
    return it;
}
// r1 = &subprog, by label handle: 0x18 src=4
constexpr item ld_func(const reg64& d, label_id target, std::uint32_t line = __builtin_LINE()) {
    item it = detail::wide(d.n, op::pseudo_func, 0, 0, line);
    it.kind = item_kind::func_addr;
    it.imm_hi = static_cast<std::int32_t>(target.key());
    return it;
}
// r1 = map("counts") (BPF_PSEUDO_MAP_IDX, index assigned at assembly): 0x18 src=5
constexpr item ld_map(const reg64& d, label_name map, std::uint32_t line = __builtin_LINE()) {
    item it = detail::wide(d.n, op::pseudo_map_idx, 0, 0, line);
    it.kind = item_kind::map_ref;
    it.name = map.text;
    return it;
}
// r1 = map_value("config", off) (BPF_PSEUDO_MAP_IDX_VALUE, index assigned at assembly): 0x18 src=6
constexpr item ld_map_value(const reg64& d, label_name map, std::int32_t off, std::uint32_t line = __builtin_LINE()) {
    item it = detail::wide(d.n, op::pseudo_map_idx_value, 0, off, line);
    it.kind = item_kind::map_ref;
    it.name = map.text;
    return it;
}
// r1 = map[fd_array[idx]] (BPF_PSEUDO_MAP_IDX): 0x18 src=5
constexpr item ld_map_idx(const reg64& d, std::int32_t idx, std::uint32_t line = __builtin_LINE()) {
    return detail::wide(d.n, op::pseudo_map_idx, idx, 0, line);
}
// r1 = map_value[fd_array[idx]] + off (BPF_PSEUDO_MAP_IDX_VALUE): 0x18 src=6
constexpr item ld_map_idx_value(const reg64& d, std::int32_t idx, std::int32_t off,
                                std::uint32_t line = __builtin_LINE()) {
    return detail::wide(d.n, op::pseudo_map_idx_value, idx, off, line);
}

// ---- Loads and stores ----
// Registers are typed (reg64 r0-r9 / reg32 w0-w9), never numbers: a w register takes u8, u16 and
// u32 accesses, an r register any size.
template <class T>
concept w_size = access_size<T> && !T::sign && !std::is_same_v<T, u64>;

// r0 = *(u8|u16|u32|u64 *)(r1 + off): 0x71 0x69 0x61 0x79; r0 = *(s8|s16|s32 *)(r1 + off): 0x91 0x89 0x81
template <access_size T>
constexpr item ldx(const reg64& d, address a, std::uint32_t line = __builtin_LINE()) {
    return detail::one(detail::mem_code<T>(op::ldx, T::sign ? op::memsx : op::mem), d.n, a.base, a.off, 0, line);
}
// w0 = *(u8|u16|u32 *)(r1 + off): 0x71 0x69 0x61
template <w_size T>
constexpr item ldx(const reg32& d, address a, std::uint32_t line = __builtin_LINE()) {
    return detail::one(detail::mem_code<T>(op::ldx, op::mem), d.n, a.base, a.off, 0, line);
}
// *(u8|u16|u32|u64 *)(r1 + off) = imm: 0x72 0x6a 0x62 0x7a
template <access_size T>
    requires(!T::sign)
constexpr item st(address a, store_imm<T> v, std::uint32_t line = __builtin_LINE()) {
    return detail::one(detail::mem_code<T>(op::st, op::mem), a.base, 0, a.off, v.value, line);
}
// *(u8|u16|u32|u64 *)(r1 + off) = r2: 0x73 0x6b 0x63 0x7b
template <access_size T>
    requires(!T::sign)
constexpr item stx(address a, src64 s, std::uint32_t line = __builtin_LINE()) {
    return detail::one(detail::mem_code<T>(op::stx, op::mem), a.base, s.n, a.off, 0, line);
}
// *(u8|u16|u32 *)(r1 + off) = w2: 0x73 0x6b 0x63
template <w_size T>
constexpr item stx(address a, src32 s, std::uint32_t line = __builtin_LINE()) {
    return detail::one(detail::mem_code<T>(op::stx, op::mem), a.base, s.n, a.off, 0, line);
}

// Atomic read-modify-write: lock *(u32|u64 *)(r1 + off) op= r2, fetch forms, xchg, cmpxchg,
// and (Linux) load-acquire / store-release of any size: 0xc3 (W) 0xdb (DW) 0xcb (H) 0xd3 (B).
// The source is an r register (any size) or a w register (not u64).
template <access_size T>
constexpr item atomic(std::int32_t aop, address a, src64 s, std::uint32_t line = __builtin_LINE()) {
    return detail::one(detail::mem_code<T>(op::stx, op::atomic), a.base, s.n, a.off, aop, line);
}
template <w_size T>
constexpr item atomic(std::int32_t aop, address a, src32 s, std::uint32_t line = __builtin_LINE()) {
    return detail::one(detail::mem_code<T>(op::stx, op::atomic), a.base, s.n, a.off, aop, line);
}
#define CTBPF_ATOMIC_FACTORY(NAME, AOP)                                                                \
    template <access_size T>                                                                           \
    constexpr item NAME(address a, src64 s, std::uint32_t line = __builtin_LINE()) {                  \
        return atomic<T>(AOP, a, s, line);                                                             \
    }                                                                                                  \
    template <w_size T>                                                                                \
    constexpr item NAME(address a, src32 s, std::uint32_t line = __builtin_LINE()) {                  \
        return atomic<T>(AOP, a, s, line);                                                             \
    }
CTBPF_ATOMIC_FACTORY(lock_add, op::add)                  // lock *(u64 *)(r1 + off) += r2: 0xdb imm=0x00
CTBPF_ATOMIC_FACTORY(lock_or, op::or_)                   // lock *(u64 *)(r1 + off) |= r2: 0xdb imm=0x40
CTBPF_ATOMIC_FACTORY(lock_and, op::and_)                 // lock *(u64 *)(r1 + off) &= r2: 0xdb imm=0x50
CTBPF_ATOMIC_FACTORY(lock_xor, op::xor_)                 // lock *(u64 *)(r1 + off) ^= r2: 0xdb imm=0xa0
CTBPF_ATOMIC_FACTORY(fetch_add, op::add | op::fetch)     // r2 = atomic_fetch_add((u64 *)(r1 + off), r2): 0xdb imm=0x01
CTBPF_ATOMIC_FACTORY(fetch_or, op::or_ | op::fetch)      // r2 = atomic_fetch_or((u64 *)(r1 + off), r2): 0xdb imm=0x41
CTBPF_ATOMIC_FACTORY(fetch_and, op::and_ | op::fetch)    // r2 = atomic_fetch_and((u64 *)(r1 + off), r2): 0xdb imm=0x51
CTBPF_ATOMIC_FACTORY(fetch_xor, op::xor_ | op::fetch)    // r2 = atomic_fetch_xor((u64 *)(r1 + off), r2): 0xdb imm=0xa1
CTBPF_ATOMIC_FACTORY(xchg, op::xchg)                     // r2 = xchg_64(r1 + off, r2): 0xdb imm=0xe1
CTBPF_ATOMIC_FACTORY(cmpxchg, op::cmpxchg)               // r0 = cmpxchg_64(r1 + off, r0, r2): 0xdb imm=0xf1
CTBPF_ATOMIC_FACTORY(store_release, op::store_rel)       // store_release((u64 *)(r1 + off), r2): 0xdb 0xc3 0xcb 0xd3 imm=0x110
#undef CTBPF_ATOMIC_FACTORY
// r0 = load_acquire((u64 *)(r1 + off)): 0xdb 0xc3 0xcb 0xd3 imm=0x100 (dst in dst_reg, base in src_reg)
template <access_size T>
constexpr item load_acquire(const reg64& d, address a, std::uint32_t line = __builtin_LINE()) {
    return detail::one(detail::mem_code<T>(op::stx, op::atomic), d.n, a.base, a.off, op::load_acq, line);
}
// w0 = load_acquire((u8|u16|u32 *)(r1 + off)): 0xd3 0xcb 0xc3 imm=0x100
template <w_size T>
constexpr item load_acquire(const reg32& d, address a, std::uint32_t line = __builtin_LINE()) {
    return detail::one(detail::mem_code<T>(op::stx, op::atomic), d.n, a.base, a.off, op::load_acq, line);
}

// Legacy packet loads (socket filters): r0 = *(u8|u16|u32 *)skb[imm]: 0x30 0x28 0x20
template <access_size T>
constexpr item ld_abs(std::int32_t imm, std::uint32_t line = __builtin_LINE()) {
    return detail::one(detail::mem_code<T>(op::ld, op::abs), 0, 0, 0, imm, line);
}
// r0 = *(u8|u16|u32 *)skb[r1 + imm]: 0x50 0x48 0x40
template <access_size T>
constexpr item ld_ind(const reg64& src, std::int32_t imm, std::uint32_t line = __builtin_LINE()) {
    return detail::one(detail::mem_code<T>(op::ld, op::ind), 0, src.n, 0, imm, line);
}

// ---- Jumps ----
#define CTBPF_JUMP_FACTORY(NAME, OPC)                                                                  \
    constexpr item NAME(const reg64& d, imm32 v, jump_target t, std::uint32_t line = __builtin_LINE()) { \
        return detail::jmp(op::jmp | op::k | OPC, d.n, 0, v.value, t, line);                          \
    }                                                                                                  \
    constexpr item NAME(const reg64& d, src64 s, jump_target t, std::uint32_t line = __builtin_LINE()) { \
        return detail::jmp(op::jmp | op::x | OPC, d.n, s.n, 0, t, line);                              \
    }                                                                                                  \
    constexpr item NAME(const reg32& d, uimm32 v, jump_target t, std::uint32_t line = __builtin_LINE()) { \
        return detail::jmp(op::jmp32 | op::k | OPC, d.n, 0, v.value, t, line);                        \
    }                                                                                                  \
    constexpr item NAME(const reg32& d, src32 s, jump_target t, std::uint32_t line = __builtin_LINE()) { \
        return detail::jmp(op::jmp32 | op::x | OPC, d.n, s.n, 0, t, line);                            \
    }
CTBPF_JUMP_FACTORY(jeq, op::jeq)   // if r1 == 1 goto L / r1 == r2 / w1 == 1 / w1 == w2: 0x15 0x1d 0x16 0x1e
CTBPF_JUMP_FACTORY(jne, op::jne)   // if r1 != 1 goto L: 0x55 0x5d 0x56 0x5e
CTBPF_JUMP_FACTORY(jgt, op::jgt)   // if r1 > 1 goto L: 0x25 0x2d 0x26 0x2e
CTBPF_JUMP_FACTORY(jge, op::jge)   // if r1 >= 1 goto L: 0x35 0x3d 0x36 0x3e
CTBPF_JUMP_FACTORY(jlt, op::jlt)   // if r1 < 1 goto L: 0xa5 0xad 0xa6 0xae
CTBPF_JUMP_FACTORY(jle, op::jle)   // if r1 <= 1 goto L: 0xb5 0xbd 0xb6 0xbe
CTBPF_JUMP_FACTORY(jsgt, op::jsgt) // if r1 s> 1 goto L: 0x65 0x6d 0x66 0x6e
CTBPF_JUMP_FACTORY(jsge, op::jsge) // if r1 s>= 1 goto L: 0x75 0x7d 0x76 0x7e
CTBPF_JUMP_FACTORY(jslt, op::jslt) // if r1 s< 1 goto L: 0xc5 0xcd 0xc6 0xce
CTBPF_JUMP_FACTORY(jsle, op::jsle) // if r1 s<= 1 goto L: 0xd5 0xdd 0xd6 0xde
CTBPF_JUMP_FACTORY(jset, op::jset) // if r1 & 1 goto L: 0x45 0x4d 0x46 0x4e
#undef CTBPF_JUMP_FACTORY

// goto L / goto +off: 0x05
constexpr item ja(jump_target t, std::uint32_t line = __builtin_LINE()) {
    return detail::jmp(op::jmp | op::ja, 0, 0, 0, t, line);
}
// gotol L / gotol +imm (32-bit distance in imm): 0x06
constexpr item gotol(long_jump_target t, std::uint32_t line = __builtin_LINE()) {
    item it = detail::one(op::jmp32 | op::ja, 0, 0, 0, t.rel, line);
    if (!t.name.empty() || t.id != 0) {
        it.kind = item_kind::jump_long;
        it.name = t.name;
        it.imm_hi = static_cast<std::int32_t>(t.id);
    }
    return it;
}
// may_goto L (Linux bounded-loop escape, BPF_JCOND src=0): 0xe5
constexpr item may_goto(jump_target t, std::uint32_t line = __builtin_LINE()) {
    return detail::jmp(op::jmp | op::jcond, 0, 0, 0, t, line);
}
// call 1 (helper by id): 0x85 src=0
constexpr item call(helper h, std::uint32_t line = __builtin_LINE()) {
    return detail::one(op::jmp | op::call, 0, 0, 0, static_cast<std::int32_t>(h), line);
}
// call L (bpf-to-bpf, BPF_PSEUDO_CALL; imm = distance): 0x85 src=1
constexpr item call(label_name target, std::uint32_t line = __builtin_LINE()) {
    item it = detail::one(op::jmp | op::call, 0, op::pseudo_call, 0, 0, line);
    it.kind = item_kind::call_label;
    it.name = target.text;
    return it;
}
// call L, by label handle: 0x85 src=1
constexpr item call(label_id target, std::uint32_t line = __builtin_LINE()) {
    item it = detail::one(op::jmp | op::call, 0, op::pseudo_call, 0, 0, line);
    it.kind = item_kind::call_label;
    it.imm_hi = static_cast<std::int32_t>(target.key());
    return it;
}
// call kfunc by BTF id (BPF_PSEUDO_KFUNC_CALL; off = fd_array index of a module BTF): 0x85 src=2
constexpr item call(kfunc f, std::uint32_t line = __builtin_LINE()) {
    return detail::one(op::jmp | op::call, 0, op::pseudo_kfunc_call, f.module, f.btf_id, line);
}
// call +rel (bpf-to-bpf by distance): 0x85 src=1
constexpr item call_rel(rel32 r, std::uint32_t line = __builtin_LINE()) {
    return detail::one(op::jmp | op::call, 0, op::pseudo_call, 0, r.value, line);
}
// exit: 0x95
constexpr item exit_(std::uint32_t line = __builtin_LINE()) {
    return detail::one(op::jmp | op::exit, 0, 0, 0, 0, line);
}

} // namespace fn

// A label: names the next instruction.
constexpr item label(label_name name, std::uint32_t line = __builtin_LINE()) {
    item it;
    it.kind = item_kind::label;
    it.name = name.text;
    it.line = line;
    return it;
}
// A label by handle (program::new_label()): names the next instruction.
constexpr item label(label_id l, std::uint32_t line = __builtin_LINE()) {
    item it;
    it.kind = item_kind::label;
    it.imm_hi = static_cast<std::int32_t>(l.key());
    it.line = line;
    return it;
}

// A raw instruction (e.g. to build deliberately invalid programs for tests).
constexpr item raw(insn i, std::uint32_t line = __builtin_LINE()) {
    item it;
    it.ins = i;
    it.line = line;
    return it;
}

} // namespace ctbpf
