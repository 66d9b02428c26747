// A program, built the same way at compile time (inside assemble<...>) and at run time: items
// (instructions, lddw pairs, labels, label references) are laid out as they are appended, into
// the instruction slots with their source lines, the label definitions and the references
// still to resolve (jumps, calls, func_addr, map names). Assembly then only resolves the
// references: no pass over the items. Plain growable arrays: at compile time every evaluation
// step counts against the compilers' constexpr limits, and this costs fewer steps than std::vector.
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <span>
#include <string_view>
#include <type_traits>

#include "ctbpf/item.hpp"

namespace ctbpf {

// Where an instruction slot came from: its source line and the label that names it (if any).
struct slot_info {
    std::uint32_t line = 0;
    std::string_view label{};
};
// The source line of slot `index` and the nearest label at or before it.
constexpr slot_info locate(std::span<const slot_info> slots, std::uint32_t index) {
    if (slots.empty()) return {};
    if (index >= slots.size()) index = static_cast<std::uint32_t>(slots.size() - 1);
    slot_info where = slots[index];
    for (std::uint32_t i = index + 1; i-- > 0 && where.label.empty();) where.label = slots[i].label;
    return where;
}

// A label definition: `name` (or the handle `id`) names instruction slot `slot`.
struct label_def {
    std::string_view name;
    std::uint32_t slot;
    std::uint32_t line;
    std::uint32_t id; // a label handle's index + 1 (0: by name)
};
// A reference to a name in slot `slot`: a jump, call or func_addr to a label, or a map by name.
struct label_ref {
    std::string_view name;
    std::uint32_t slot;
    std::uint32_t line;
    item_kind kind;
    std::uint32_t id; // a label handle's index + 1 (0: by name)
};

namespace detail {
// A growable array of a trivially copyable T. Elements past size() are never read.
template <class T>
class grow_array {
public:
    constexpr grow_array() = default;
    constexpr grow_array(const grow_array& o) { append(o.data_, o.size_); }
    constexpr grow_array(grow_array&& o) noexcept : data_(o.data_), size_(o.size_), cap_(o.cap_) {
        o.data_ = nullptr;
        o.size_ = o.cap_ = 0;
    }
    grow_array& operator=(const grow_array&) = delete;
    grow_array& operator=(grow_array&&) = delete;
    constexpr ~grow_array() { delete[] data_; }

    constexpr T* data() const { return data_; }
    constexpr std::size_t size() const { return size_; }
    constexpr void clear() { size_ = 0; }
    constexpr void reserve(std::size_t n) {
        if (n <= cap_) return;
        T* d = new T[n];
        for (std::size_t i = 0; i < size_; ++i) d[i] = data_[i];
        delete[] data_;
        data_ = d;
        cap_ = n;
    }
    constexpr bool has_room(std::size_t n) const { return size_ + n <= cap_; }
    // room for n more elements
    constexpr void make_room(std::size_t n) {
        if (size_ + n > cap_) reserve(size_ + n > 2 * cap_ ? size_ + n : 2 * cap_);
    }
    constexpr void push_unchecked(const T& v) { data_[size_++] = v; }
    // the next n elements (within the room made) were written
    constexpr void grow_by(std::size_t n) { size_ += n; }
    // the elements up to n (within the room made) were written
    constexpr void set_size(std::size_t n) { size_ = n; }
    constexpr void append(const T* src, std::size_t n) {
        make_room(n);
        for (std::size_t i = 0; i < n; ++i) data_[size_ + i] = src[i];
        size_ += n;
    }
    constexpr void swap(grow_array& o) noexcept {
        T* d = data_;
        data_ = o.data_;
        o.data_ = d;
        std::size_t t = size_;
        size_ = o.size_;
        o.size_ = t;
        t = cap_;
        cap_ = o.cap_;
        o.cap_ = t;
    }

private:
    T* data_ = nullptr;
    std::size_t size_ = 0;
    std::size_t cap_ = 0;
};
} // namespace detail

class program {
public:
    constexpr program() = default;
    constexpr program(std::initializer_list<item> items) { append(items.begin(), items.size()); }
    // Any other list is a mistake, said here. (After an element's own error, GCC picks this one
    // too, for the element it dropped, and so adds no "no matching function" for the list.)
    template <class T = void>
    constexpr explicit program(...) {
        static_assert(dependent_false<T>, "ctbpf: program{...} takes instructions (r0 = 0, exit_(), ...) and labels "
                                         "(label(\"out\")); append programs with += or +");
        *this += detail::reported_item(); // (said once: the assembler skips the rest)
    }
    constexpr program(const program&) = default;
    constexpr program(program&&) noexcept = default;
    constexpr program& operator=(program o) noexcept {
        swap(o);
        return *this;
    }
    constexpr ~program() = default;

    // Append one item, a list of items or another program (fragments, subprograms).
    constexpr program& operator+=(const item& i) { // (inline paths for the common kinds)
        const auto slot = static_cast<std::uint32_t>(code_.size());
        if (i.kind == item_kind::insn || i.kind == item_kind::label || i.kind == item_kind::jump) {
            if (!code_.has_room(1) || !lines_.has_room(1) || !defs_.has_room(1) || !refs_.has_room(1)) make_room_for_one();
            if (i.kind == item_kind::label) {
                defs_.push_unchecked(def_of(i, slot));
            } else {
                push_one(i);
                if (i.kind == item_kind::jump) refs_.push_unchecked(ref_of(i, slot));
            }
        } else {
            append_one(i);
        }
        return *this;
    }
    constexpr program& operator+=(std::initializer_list<item> items) {
        append(items.begin(), items.size());
        return *this;
    }
    constexpr program& operator+=(const program& other) {
        if (&other == this) { // p += p
            const program copy(other);
            return *this += copy;
        }
        const auto base = static_cast<std::uint32_t>(code_.size());
        const std::size_t slots = other.code_.size(), defs = other.defs_.size(), refs = other.refs_.size();
        code_.make_room(slots); // all the room first: an allocation failure changes nothing
        lines_.make_room(slots);
        defs_.make_room(defs);
        refs_.make_room(refs);
        code_.append(other.code_.data(), slots);
        lines_.append(other.lines_.data(), slots);
        const std::uint32_t ids = ids_; // the other program's handles come after this one's
        for (std::size_t i = 0; i < defs; ++i) {
            label_def d = other.defs_.data()[i];
            d.slot += base;
            d.id += d.id != 0 ? ids : 0;
            defs_.push_unchecked(d);
        }
        for (std::size_t i = 0; i < refs; ++i) {
            label_ref r = other.refs_.data()[i];
            r.slot += base;
            r.id += r.id != 0 ? ids : 0;
            refs_.push_unchecked(r);
        }
        map_refs_ += other.map_refs_;
        ids_ += other.ids_;
        return *this;
    }
    friend constexpr program operator+(program a, const program& b) {
        a += b;
        return a;
    }

    // Number of instruction slots (an lddw counts two, a label none).
    constexpr std::size_t slot_count() const { return code_.size(); }
    // The instructions with references unresolved (distances and map indices 0).
    constexpr std::span<const insn> code() const { return {code_.data(), code_.size()}; }
    // The source line of each slot.
    constexpr std::span<const std::uint32_t> lines() const { return {lines_.data(), lines_.size()}; }
    // Label definitions and references, in program order.
    constexpr std::span<const label_def> labels() const { return {defs_.data(), defs_.size()}; }
    constexpr std::span<const label_ref> references() const { return {refs_.data(), refs_.size()}; }
    // Number of map("name") references.
    constexpr std::size_t map_reference_count() const { return map_refs_; }

    // A new label handle, local to this program: label(l) places it, goto_(l), if_(...).goto_(l),
    // gotol(l), may_goto(l), call(l) and func_addr(l) refer to it.
    constexpr label_id new_label() { return label_id{ids_++}; }
    // Number of label handles made (by new_label() and by appended programs).
    constexpr std::uint32_t label_handle_count() const { return ids_; }

    // Room for n instruction slots.
    constexpr void reserve(std::size_t n) {
        code_.reserve(n);
        lines_.reserve(n);
    }
    // Remove every item, keeping the storage (generators that build many programs reuse one).
    constexpr void clear() {
        code_.clear();
        lines_.clear();
        defs_.clear();
        refs_.clear();
        map_refs_ = 0;
        ids_ = 0;
    }
    constexpr void swap(program& o) noexcept {
        code_.swap(o.code_);
        lines_.swap(o.lines_);
        defs_.swap(o.defs_);
        refs_.swap(o.refs_);
        const std::size_t t = map_refs_;
        map_refs_ = o.map_refs_;
        o.map_refs_ = t;
        const std::uint32_t h = ids_;
        ids_ = o.ids_;
        o.ids_ = h;
    }

private:
    // An instruction as two 4-byte moves: an item's instruction is often stored as its first word
    // and its immediate, and one 8-byte load of two 4-byte stores stalls store forwarding.
    static void copy_halves(insn* to, const insn* from) {
        std::uint32_t w[2];
        __builtin_memcpy(w, from, 4);
        __builtin_memcpy(w + 1, reinterpret_cast<const char*>(from) + 4, 4);
        __builtin_memcpy(static_cast<void*>(to), w, 8);
    }
    // (out of line: the inline paths stay small, and the item's address does not escape them)
    [[gnu::noinline]] constexpr void append_one(const item& i) { append(&i, 1); }
    [[gnu::noinline]] constexpr void make_room_for_one() {
        code_.make_room(1);
        lines_.make_room(1);
        defs_.make_room(1);
        refs_.make_room(1);
    }
    // One instruction slot, within the room made. (Every load of the arrays' fields before the
    // store through insn*: byte-typed, it may alias them, and a load after it would be a reload.)
    constexpr void push_one(const item& i) {
        const std::size_t n = code_.size(), m = lines_.size();
        insn* const c = code_.data() + n;
        std::uint32_t* const l = lines_.data() + m;
        if (std::is_constant_evaluated()) *c = i.ins;
        else copy_halves(c, &i.ins);
        *l = i.line;
        code_.set_size(n + 1);
        lines_.set_size(m + 1);
    }
    // The label definition and the reference an item at `slot` makes. (Names copied as pointer
    // and size: one 16-byte load of the caller's two 8-byte stores would stall store forwarding.)
    static constexpr label_def def_of(const item& it, std::uint32_t slot) {
        return {std::string_view(it.name.data(), it.name.size()), slot, it.line, it.handle()};
    }
    static constexpr label_ref ref_of(const item& it, std::uint32_t slot) {
        return {std::string_view(it.name.data(), it.name.size()), slot, it.line, it.kind, it.handle()};
    }
    // (local cursors: a write through insn*, whose fields are char-typed, would otherwise make
    // the compiler reload every size after each instruction)
    [[gnu::always_inline]] constexpr void append(const item* src, std::size_t n) {
        if (!code_.has_room(2 * n) || !lines_.has_room(2 * n)) { // count exactly: reserve(n) suffices
            std::size_t slots = 0;
            for (std::size_t i = 0; i < n; ++i) slots += static_cast<std::size_t>(src[i].slots());
            code_.make_room(slots);
            lines_.make_room(slots);
        }
        defs_.make_room(n);
        refs_.make_room(n);
        insn* const code0 = code_.data() + code_.size();
        insn* c = code0;
        std::uint32_t* l = lines_.data() + lines_.size();
        label_def* d = defs_.data() + defs_.size();
        label_ref* r = refs_.data() + refs_.size();
        const auto base = static_cast<std::uint32_t>(code_.size());
        std::size_t maps = 0;
        for (std::size_t i = 0; i < n; ++i) {
            const item& it = src[i];
            if (it.kind == item_kind::insn) { // the common case first
                if (std::is_constant_evaluated()) *c = it.ins;
                else __builtin_memcpy(static_cast<void*>(c), &it.ins, sizeof(insn)); // one 8-byte move, not field by field
                ++c;
                *l++ = it.line;
                continue;
            }
            const auto slot = base + static_cast<std::uint32_t>(c - code0);
            if (it.kind == item_kind::label) {
                *d++ = def_of(it, slot);
                continue;
            }
            *c++ = it.ins;
            *l++ = it.line;
            if (it.kind == item_kind::wide || it.kind >= item_kind::func_addr) {
                *c++ = make_insn(0, 0, 0, 0, it.kind == item_kind::func_addr ? 0 : it.imm_hi);
                *l++ = it.line;
            }
            if (it.kind != item_kind::wide) {
                *r++ = ref_of(it, slot);
                maps += it.kind == item_kind::map_ref;
            }
        }
        const auto added = static_cast<std::size_t>(c - code0);
        code_.grow_by(added);
        lines_.grow_by(added);
        defs_.grow_by(static_cast<std::size_t>(d - (defs_.data() + defs_.size())));
        refs_.grow_by(static_cast<std::size_t>(r - (refs_.data() + refs_.size())));
        map_refs_ += maps;
    }

    detail::grow_array<insn> code_;
    detail::grow_array<std::uint32_t> lines_;
    detail::grow_array<label_def> defs_;
    detail::grow_array<label_ref> refs_;
    std::size_t map_refs_ = 0;
    std::uint32_t ids_ = 0; // label handles made
};

} // namespace ctbpf
