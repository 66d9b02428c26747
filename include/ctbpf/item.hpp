// An item of a program: one instruction (or an lddw pair), a label definition, or an
// instruction whose distance field is filled in from a label (by name or by handle) at assembly.
#pragma once

#include <cstdint>
#include <string_view>

#include "ctbpf/insn.hpp"

namespace ctbpf {

// false, for a static_assert that fires only when its template is instantiated
template <class...>
inline constexpr bool dependent_false = false;

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
    std::int32_t imm_hi = 0; // wide, map_ref: the second slot's imm; label, jumps, calls, func_addr: handle()
    item_kind kind = item_kind::insn;
    std::string_view name{};
    std::uint32_t line = 0;

    // A label handle's index + 1, used instead of `name` (0: by name). It lives in imm_hi, which
    // only wide and map_ref items use (func_addr's second slot is 0): items stay five fields.
    constexpr std::uint32_t handle() const {
        return kind == item_kind::wide || kind == item_kind::map_ref ? 0 : static_cast<std::uint32_t>(imm_hi);
    }

    constexpr int slots() const {
        return kind == item_kind::label ? 0 : kind == item_kind::wide || kind >= item_kind::func_addr ? 2 : 1;
    }
};

namespace detail {
inline constexpr std::uint32_t reported_handle = 0xffffffff; // a label handle no program makes
// What an operator returns after its static_assert has reported a mistake: a label with a handle
// the assembler knows, so that the program is not rejected a second time.
constexpr item reported_item() { return {insn{}, static_cast<std::int32_t>(reported_handle), item_kind::label, {}, 0}; }
} // namespace detail

class program;
// A label handle, made by program::new_label(): a label without a name, for generated code (no
// string to keep alive, no name to hash). Local to the program that made it: appending that
// program to another renumbers its handles, so a fragment appended twice has two sets of labels.
class label_id {
public:
    constexpr std::uint32_t index() const { return v_; }
    // Its value in items and label records: index + 1 (0 there means "by name").
    constexpr std::uint32_t key() const { return v_ + 1; }

private:
    friend class program;
    constexpr explicit label_id(std::uint32_t v) : v_(v) {}
    std::uint32_t v_;
};

// A source-located operand: the line of the expression that converted to it.
template <class T>
struct at {
    T v;
    std::uint32_t line;
    constexpr at(const T& x, std::uint32_t l = __builtin_LINE()) : v(x), line(l) {}
};

} // namespace ctbpf
