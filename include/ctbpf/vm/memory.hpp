// The interpreter's memory: owning arrays usable in constant evaluation, regions (stack frames, the
// context, the packet, map values, ring-buffer records) and pointers as (region, offset) pairs. A
// pointer's numeric value is base(region) + offset, so comparisons and arithmetic work on numbers
// while every access is checked against its region's bounds.
#pragma once

#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <span>
#include <string_view>
#include <type_traits>

namespace ctbpf::vm {

using u8 = std::uint8_t;
using u32 = std::uint32_t;
using u64 = std::uint64_t;
using s64 = std::int64_t;

// Byte copies and fills: loops in constant evaluation, memcpy/memset at run time.
template <class T>
constexpr void copy_n(T* to, const T* from, std::size_t n) {
    if (std::is_constant_evaluated()) {
        for (std::size_t i = 0; i < n; ++i) to[i] = from[i];
    } else if (n != 0) {
        std::memcpy(to, from, n * sizeof(T));
    }
}
constexpr void fill_n(std::uint8_t* to, std::size_t n, std::uint8_t v) {
    if (std::is_constant_evaluated()) {
        for (std::size_t i = 0; i < n; ++i) to[i] = v;
    } else if (n != 0) {
        std::memset(to, v, n);
    }
}

// A growable array of a trivially copyable T (new[]/delete[]: works in constant evaluation).
template <class T>
class list {
public:
    constexpr list() = default;
    constexpr list(std::initializer_list<T> v) { append(v.begin(), v.size()); }
    constexpr list(std::span<const T> v) { append(v.data(), v.size()); }
    constexpr list(const list& o) { append(o.p_, o.n_); }
    constexpr list(list&& o) noexcept : p_(o.p_), n_(o.n_), cap_(o.cap_) { o.p_ = nullptr, o.n_ = o.cap_ = 0; }
    constexpr list& operator=(list o) noexcept {
        T* p = p_;
        p_ = o.p_, o.p_ = p;
        const u32 n = n_, c = cap_;
        n_ = o.n_, cap_ = o.cap_, o.n_ = n, o.cap_ = c;
        return *this;
    }
    constexpr ~list() { delete[] p_; }

    constexpr void push_back(const T& v) {
        if (n_ == cap_) reserve(cap_ == 0 ? 16 : cap_ * 2);
        p_[n_++] = v;
    }
    constexpr void append(const T* v, std::size_t n) {
        reserve(n_ + static_cast<u32>(n));
        copy_n(p_ + n_, v, n);
        n_ += static_cast<u32>(n);
    }
    constexpr void resize(u32 n) { // new elements value-initialised
        reserve(n);
        for (u32 i = n_; i < n; ++i) p_[i] = T{};
        n_ = n;
    }
    constexpr void reserve(u32 c) {
        if (c <= cap_) return;
        T* q = new T[c]{};
        copy_n(q, p_, n_);
        delete[] p_;
        p_ = q, cap_ = c;
    }
    constexpr void clear() { n_ = 0; }
    constexpr void erase_front(u32 k) {
        for (u32 i = k; i < n_; ++i) p_[i - k] = p_[i];
        n_ -= k;
    }
    constexpr u32 size() const { return n_; }
    constexpr bool empty() const { return n_ == 0; }
    constexpr T* data() { return p_; }
    constexpr const T* data() const { return p_; }
    constexpr T& operator[](u32 i) { return p_[i]; }
    constexpr const T& operator[](u32 i) const { return p_[i]; }
    constexpr T* begin() { return p_; }
    constexpr T* end() { return p_ + n_; }
    constexpr const T* begin() const { return p_; }
    constexpr const T* end() const { return p_ + n_; }
    constexpr T& back() { return p_[n_ - 1]; }
    constexpr std::span<const T> span() const { return {p_, n_}; }
    constexpr operator std::span<const T>() const { return {p_, n_}; }
    friend constexpr bool operator==(const list& a, std::span<const T> b) {
        if (a.n_ != b.size()) return false;
        for (u32 i = 0; i < a.n_; ++i)
            if (!(a.p_[i] == b[i])) return false;
        return true;
    }
    friend constexpr bool operator==(const list& a, const list& b) { return a == b.span(); }

private:
    T* p_ = nullptr;
    u32 n_ = 0, cap_ = 0;
};

using bytes = list<u8>;

// Text (trace_printk output): chars with a string_view over them.
struct text : list<char> {
    using list<char>::list;
    constexpr std::string_view view() const { return {data(), size()}; }
    constexpr void add(std::string_view s) { append(s.data(), s.size()); }
    friend constexpr bool operator==(const text& a, std::string_view b) { return a.view() == b; }
};

// What a region holds.
enum class region_kind : u8 { none, stack, ctx, packet, map_value, map, ringbuf_record, kernel };

constexpr std::string_view to_string(region_kind k) {
    constexpr std::string_view names[] = {"nothing", "stack", "context", "packet", "map value", "map",
                                          "ring buffer record", "kernel memory"};
    return names[static_cast<u8>(k)];
}

// A region: `p` points at its bytes (stable while it lives), [lo, hi) the bytes that may be accessed
// (the packet: data_meta or data .. data_end; others 0 .. size). `owner`: a map's index, or a stack
// frame's number.
struct region {
    u8* p = nullptr;
    u32 lo = 0, hi = 0;
    region_kind kind = region_kind::none;
    bool writable = true;
    bool alive = true;
    u32 owner = 0;
    u32 element = 0; // a map value's element (array index / hash slot)
};

// Pointer values: base(region id) + offset; region ids start at 1 (0: a scalar).
inline constexpr u64 pointer_base = 0xffff'0000'0000'0000ull;
constexpr u64 base_of(u32 id) { return pointer_base + (static_cast<u64>(id) << 32); }

// Little-endian loads and stores of 1, 2, 4 or 8 bytes.
constexpr u64 load_le(const u8* p, u32 size) {
    u64 v = 0;
    for (u32 i = size; i-- > 0;) v = (v << 8) | p[i];
    return v;
}
constexpr void store_le(u8* p, u32 size, u64 v) {
    for (u32 i = 0; i < size; ++i, v >>= 8) p[i] = static_cast<u8>(v);
}
constexpr u64 load_be(const u8* p, u32 size) {
    u64 v = 0;
    for (u32 i = 0; i < size; ++i) v = (v << 8) | p[i];
    return v;
}

} // namespace ctbpf::vm
