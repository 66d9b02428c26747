// A program: an ordered list of items (instructions, lddw pairs, labels, label references),
// built the same way at compile time (inside assemble<...>) and at run time.
#pragma once

#include <cstddef>
#include <initializer_list>
#include <span>
#include <vector>

#include "ctbpf/item.hpp"

namespace ctbpf {

class program {
public:
    constexpr program() = default;
    constexpr program(std::initializer_list<item> items) : items_(items) {}

    // Append one item, a list of items or another program (fragments, subprograms).
    constexpr program& operator+=(const item& i) {
        items_.push_back(i);
        return *this;
    }
    constexpr program& operator+=(std::initializer_list<item> items) {
        items_.insert(items_.end(), items.begin(), items.end());
        return *this;
    }
    constexpr program& operator+=(const program& other) {
        items_.insert(items_.end(), other.items_.begin(), other.items_.end());
        return *this;
    }
    friend constexpr program operator+(program a, const program& b) {
        a += b;
        return a;
    }

    constexpr std::span<const item> items() const { return {items_.data(), items_.size()}; }
    // Number of instruction slots (an lddw counts two, a label none).
    constexpr std::size_t slot_count() const {
        std::size_t n = 0;
        for (const item& i : items_) n += static_cast<std::size_t>(i.slots());
        return n;
    }
    constexpr void reserve(std::size_t n) { items_.reserve(n); }

private:
    std::vector<item> items_;
};

} // namespace ctbpf
