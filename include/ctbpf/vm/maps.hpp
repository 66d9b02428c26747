// The interpreter's maps: array, per-CPU array (one CPU), prog array, hash, per-CPU hash, LRU hash
// (least recently used evicted when full), ring buffer and perf event array (records captured),
// with the kernel's update flags and error codes. Storage is stable: a value's bytes do not move
// while the map lives, so pointers into map values stay valid as in the kernel.
#pragma once

#include <array>
#include <bit>
#include <optional>

#include "ctbpf/verify/maps.hpp"
#include "ctbpf/vm/memory.hpp"

namespace ctbpf::vm {

// errno values the map helpers return (negated), as Linux defines them.
namespace err {
inline constexpr int noent = 2, e2big = 7, nomem = 12, fault = 14, exist = 17, inval = 22, nospc = 28,
                     again = 11, opnotsupp = 95, busy = 16;
}

// BPF_ANY, BPF_NOEXIST, BPF_EXIST
inline constexpr u64 update_any = 0, update_noexist = 1, update_exist = 2;
inline constexpr u32 map_no_prealloc = 1; // BPF_F_NO_PREALLOC

constexpr bool is_array_like(map_type t) {
    return t == map_type::array || t == map_type::percpu_array || t == map_type::prog_array ||
           t == map_type::perf_event_array;
}
constexpr bool is_hash_like(map_type t) {
    return t == map_type::hash || t == map_type::percpu_hash || t == map_type::lru_hash ||
           t == map_type::lru_percpu_hash;
}
constexpr bool is_lru(map_type t) { return t == map_type::lru_hash || t == map_type::lru_percpu_hash; }
// The map types the interpreter implements.
constexpr bool supported_map(map_type t) {
    return is_array_like(t) || is_hash_like(t) || t == map_type::ringbuf;
}

// A record written to a ring buffer or a perf event array.
struct record {
    u32 offset = 0, size = 0; // in the map's record bytes
};

class map_store {
public:
    std::string_view name{};
    map_shape shape{};

    constexpr map_store() = default;
    map_store(const map_store&) = delete;
    map_store& operator=(const map_store&) = delete;
    constexpr void init(std::string_view n, const map_shape& s) {
        name = n, shape = s;
        if (is_array_like(s.type) && s.type != map_type::perf_event_array) {
            values_ = new u8[static_cast<std::size_t>(s.max_entries) * s.value_size + 1]{};
            region_of_.resize(s.max_entries);
        }
    }
    constexpr ~map_store() {
        delete[] values_;
        for (auto& e : slots_) delete[] e.kv;
        for (u8* o : retired_) delete[] o;
    }

    // The value of `key` (nullptr: none), as bpf_map_lookup_elem sees it; *element: its element number.
    constexpr u8* lookup(const u8* key, u32* element = nullptr) {
        if (is_array_like(shape.type)) {
            const u32 i = static_cast<u32>(load_le(key, 4));
            if (i >= shape.max_entries || values_ == nullptr) return nullptr;
            if (element) *element = i;
            return values_ + static_cast<std::size_t>(i) * shape.value_size;
        }
        const u32 s = find(key);
        if (s == npos) return nullptr;
        if (is_lru(shape.type)) slots_[s].stamp = ++clock_;
        if (element) *element = s;
        return slots_[s].kv + shape.key_size;
    }
    // bpf_map_update_elem: 0 or a negative errno.
    constexpr int update(const u8* key, const u8* value, u64 flags) {
        constexpr u64 f_lock = 4; // BPF_F_LOCK: needs a spin lock in the value (not modelled)
        if ((flags & ~f_lock) > update_exist) return -err::inval;
        if (is_array_like(shape.type)) {
            const u32 i = static_cast<u32>(load_le(key, 4));
            if (i >= shape.max_entries) return -err::e2big;
            if ((flags & update_noexist) != 0) return -err::exist;
            if ((flags & f_lock) != 0 || values_ == nullptr) return -err::inval;
            u8* v = values_ + static_cast<std::size_t>(i) * shape.value_size;
            for (u32 k = 0; k < shape.value_size; ++k) v[k] = value[k];
            return 0;
        }
        if (!is_hash_like(shape.type) || (flags & f_lock) != 0) return -err::inval;
        u32 s = find(key);
        if (s != npos && flags == update_noexist) return -err::exist;
        if (s == npos && flags == update_exist) return -err::noent;
        if (s == npos) {
            if (count_ >= shape.max_entries) {
                if (!is_lru(shape.type)) return -err::e2big;
                evict();
            }
            s = free_slot();
            u8* kv = slots_[s].kv;
            for (u32 k = 0; k < shape.key_size; ++k) kv[k] = key[k];
            slots_[s].used = true;
            ++count_;
        } else if (shape.type == map_type::hash) {
            // An update of a present key writes a new element and retires the old one: a pointer from
            // an earlier lookup keeps the old value (a preallocated map reuses that element for the
            // next such update, as the kernel's per-CPU extra element; without preallocation it is freed)
            u8* fresh = nullptr;
            if ((shape.flags & map_no_prealloc) != 0) {
                fresh = new u8[shape.key_size + shape.value_size + 1]{};
                retired_.push_back(slots_[s].kv);
            } else {
                if (retired_.empty()) retired_.push_back(new u8[shape.key_size + shape.value_size + 1]{});
                fresh = retired_.back();
                retired_.back() = slots_[s].kv;
            }
            for (u32 k = 0; k < shape.key_size; ++k) fresh[k] = key[k];
            slots_[s].kv = fresh;
            slots_[s].region = 0; // (a new region: the old one keeps pointing at the retired element)
        }
        u8* v = slots_[s].kv + shape.key_size;
        for (u32 k = 0; k < shape.value_size; ++k) v[k] = value[k];
        slots_[s].stamp = ++clock_;
        return 0;
    }
    // bpf_map_delete_elem
    constexpr int erase(const u8* key) {
        if (is_array_like(shape.type)) return -err::inval;
        const u32 s = find(key);
        if (s == npos) return -err::noent;
        slots_[s].used = false;
        free_.push_back(s);
        --count_;
        return 0;
    }
    constexpr u32 count() const { return is_array_like(shape.type) ? shape.max_entries : count_; }
    // The element numbers of the present hash elements, in insertion-slot order, or the array's.
    template <class F>
    constexpr void each(F&& f) {
        if (is_array_like(shape.type)) {
            if (values_ == nullptr) return;
            for (u32 i = 0; i < shape.max_entries; ++i) {
                u8 key[4] = {static_cast<u8>(i), static_cast<u8>(i >> 8), static_cast<u8>(i >> 16), static_cast<u8>(i >> 24)};
                f(static_cast<const u8*>(key), values_ + static_cast<std::size_t>(i) * shape.value_size);
            }
            return;
        }
        for (auto& e : slots_)
            if (e.used) f(static_cast<const u8*>(e.kv), e.kv + shape.key_size);
    }
    // The region id recorded for element i (0: none yet).
    constexpr u32& region_of(u32 element) {
        if (is_array_like(shape.type)) return region_of_[element];
        return slots_[element].region;
    }

    // Ring buffers and perf event arrays: the records written (ring buffer: submitted; reserved
    // records take space until submitted or discarded, and submitted ones until consume()).
    constexpr int reserve_space(u32 size) {
        const u32 need = 8 + ((size + 7) & ~7u);
        if (shape.max_entries - used_ < need) return -err::again;
        used_ += need;
        return 0;
    }
    constexpr void release_space(u32 size) { used_ -= 8 + ((size + 7) & ~7u); }
    constexpr void add_record(const u8* p, u32 size) {
        records_.push_back({record_bytes_.size(), size});
        record_bytes_.append(p, size);
    }
    constexpr u32 record_count() const { return records_.size(); }
    constexpr std::span<const u8> record_at(u32 i) const {
        return {record_bytes_.data() + records_[i].offset, records_[i].size};
    }
    // Frees the ring buffer's space taken by the records read so far.
    constexpr void consume() {
        for (const record& r : records_) release_space(shape.type == map_type::ringbuf ? r.size : 0);
        if (shape.type != map_type::ringbuf) used_ = 0;
        records_.clear();
        record_bytes_.clear();
    }

private:
    static constexpr u32 npos = ~0u;
    struct slot {
        u8* kv = nullptr;
        bool used = false;
        u64 stamp = 0;
        u32 region = 0;
    };
    constexpr u32 find(const u8* key) const {
        for (u32 s = 0; s < slots_.size(); ++s) {
            if (!slots_[s].used) continue;
            const u8* k = slots_[s].kv;
            u32 i = 0;
            while (i < shape.key_size && k[i] == key[i]) ++i;
            if (i == shape.key_size) return s;
        }
        return npos;
    }
    constexpr u32 free_slot() { // the element freed last first, as the kernel's per-CPU free list
        if (!free_.empty()) {
            const u32 s = free_.back();
            free_.resize(free_.size() - 1);
            return s;
        }
        slots_.push_back({new u8[shape.key_size + shape.value_size + 1]{}, false, 0, 0});
        return slots_.size() - 1;
    }
    constexpr void evict() {
        u32 victim = npos;
        for (u32 s = 0; s < slots_.size(); ++s)
            if (slots_[s].used && (victim == npos || slots_[s].stamp < slots_[victim].stamp)) victim = s;
        if (victim != npos) slots_[victim].used = false, free_.push_back(victim), --count_;
    }
    u8* values_ = nullptr;      // array-like: max_entries values
    list<u32> region_of_{};     // array-like: region id of each element (0: none yet)
    list<slot> slots_{};        // hash-like: the elements
    u32 count_ = 0;             // hash-like: elements present
    u64 clock_ = 0;             // LRU stamps
    list<record> records_{};    // ring buffer / perf event array output
    bytes record_bytes_{};
    u32 used_ = 0;              // ring buffer bytes taken
    list<u8*> retired_{};       // hash: replaced elements (preallocated: the last is the spare)
    list<u32> free_{};          // hash: slots freed, the last freed last
};

// Typed access to a map's bytes (keys and values trivially copyable).
template <class T>
constexpr std::array<u8, sizeof(T)> to_bytes(const T& v) {
    return std::bit_cast<std::array<u8, sizeof(T)>>(v);
}
template <class T>
constexpr T from_bytes(const u8* p) {
    std::array<u8, sizeof(T)> a{};
    for (std::size_t i = 0; i < sizeof(T); ++i) a[i] = p[i];
    return std::bit_cast<T>(a);
}

} // namespace ctbpf::vm
