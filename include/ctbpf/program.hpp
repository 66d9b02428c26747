// A program: an ordered list of items (instructions, lddw pairs, labels, label references),
// built the same way at compile time (inside assemble<...>) and at run time. The storage is a
// plain growable array: at compile time every evaluation step counts against the compilers'
// constexpr limits, and this costs fewer steps than std::vector.
#pragma once

#include <cstddef>
#include <initializer_list>
#include <span>

#include "ctbpf/item.hpp"

namespace ctbpf {

class program {
public:
    constexpr program() = default;
    constexpr program(std::initializer_list<item> items) { append(items.begin(), items.size()); }
    constexpr program(const program& o) { append(o.data_, o.size_); }
    constexpr program(program&& o) noexcept : data_(o.data_), size_(o.size_), cap_(o.cap_), slots_(o.slots_) {
        o.data_ = nullptr;
        o.size_ = o.cap_ = o.slots_ = 0;
    }
    constexpr program& operator=(program o) noexcept {
        swap(o);
        return *this;
    }
    constexpr ~program() { delete[] data_; }

    // Append one item, a list of items or another program (fragments, subprograms).
    constexpr program& operator+=(const item& i) {
        append(&i, 1);
        return *this;
    }
    constexpr program& operator+=(std::initializer_list<item> items) {
        append(items.begin(), items.size());
        return *this;
    }
    constexpr program& operator+=(const program& other) {
        append(other.data_, other.size_);
        return *this;
    }
    friend constexpr program operator+(program a, const program& b) {
        a += b;
        return a;
    }

    constexpr std::span<const item> items() const { return {data_, size_}; }
    // Number of instruction slots (an lddw counts two, a label none).
    constexpr std::size_t slot_count() const { return slots_; }
    constexpr void reserve(std::size_t n) {
        if (n > cap_) grow(n);
    }
    // Remove every item, keeping the storage (generators that build many programs reuse one).
    constexpr void clear() { size_ = slots_ = 0; }
    constexpr void swap(program& o) noexcept {
        item* d = data_;
        data_ = o.data_;
        o.data_ = d;
        std::size_t t = size_;
        size_ = o.size_;
        o.size_ = t;
        t = cap_;
        cap_ = o.cap_;
        o.cap_ = t;
        t = slots_;
        slots_ = o.slots_;
        o.slots_ = t;
    }

private:
    constexpr void grow(std::size_t n) {
        item* d = new item[n];
        for (std::size_t i = 0; i < size_; ++i) d[i] = data_[i];
        delete[] data_;
        data_ = d;
        cap_ = n;
    }
    constexpr void append(const item* src, std::size_t n) {
        if (size_ + n > cap_) grow(size_ + n > 2 * cap_ ? size_ + n : 2 * cap_);
        item* dst = data_ + size_;
        for (std::size_t i = 0; i < n; ++i) dst[i] = src[i];
        for (std::size_t i = 0; i < n; ++i) slots_ += static_cast<std::size_t>(src[i].slots());
        size_ += n;
    }

    item* data_ = nullptr;
    std::size_t size_ = 0;
    std::size_t cap_ = 0;
    std::size_t slots_ = 0;
};

} // namespace ctbpf
