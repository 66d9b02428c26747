// An item of a program: one instruction (or an lddw pair), a label definition, or an
// instruction whose distance field is filled in from a label when the program is assembled.
#pragma once

#include <cstdint>
#include <string_view>

#include "ctbpf/insn.hpp"

namespace ctbpf {

enum class item_kind : std::uint8_t {
    insn,        // one slot, complete
    wide,        // lddw: two slots, imm_hi is the second slot's imm
    label,       // defines `name` at the next instruction; no slot
    jump,        // one slot; off = distance to `name` (16 bits)
    jump_long,   // one slot; imm = distance to `name` (gotol, 32 bits)
    call_label,  // one slot; imm = distance to `name` (bpf-to-bpf call)
    func_addr,   // lddw src=4: two slots; imm = distance to `name`
    map_ref,     // lddw src=5/6: two slots; imm = index of map `name` in the program's map list
};

struct item {
    insn ins{};
    std::int32_t imm_hi = 0;
    item_kind kind = item_kind::insn;
    std::string_view name{};
    std::uint32_t line = 0;

    constexpr int slots() const {
        return kind == item_kind::label ? 0 : kind == item_kind::wide || kind >= item_kind::func_addr ? 2 : 1;
    }
};

// A source-located operand: the line of the expression that converted to it.
template <class T>
struct at {
    T v;
    std::uint32_t line;
    constexpr at(const T& x, std::uint32_t l = __builtin_LINE()) : v(x), line(l) {}
};

} // namespace ctbpf
