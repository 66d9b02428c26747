// Maps: raw_map (untyped: fd, sizes, every BPF_MAP_* command), map<K, V> (typed: lookup, update
// with BPF_ANY/BPF_NOEXIST/BPF_EXIST, delete, get-next-key iteration, lookup-and-delete, batch
// operations, freeze; map<K, percpu<T>> for per-CPU values) and prog_array (tail calls).
#pragma once

#include "ctbpf/sys/config.hpp" // CTBPF_SYS_INLINE, CTBPF_SYS_BODIES

#include "ctbpf/sys/bpf_syscall.hpp"
#include "ctbpf/sys/error.hpp"
#include "ctbpf/sys/fd.hpp"
#include "ctbpf/sys/prog.hpp"
#include "ctbpf/sys/names.hpp"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace ctbpf::sys {

// The flags of BPF_MAP_UPDATE_ELEM.
enum class update_flag : std::uint64_t {
    any = BPF_ANY,         // create or replace
    noexist = BPF_NOEXIST, // create only
    exist = BPF_EXIST,     // replace only
    lock = BPF_F_LOCK,     // with a bpf_spin_lock in the value
};

struct map_options {
    std::string_view name{};       // sanitized to [A-Za-z0-9_.], at most 15 characters
    std::uint32_t flags = 0;       // BPF_F_* map_flags
    std::uint32_t inner_map_fd = 0;
    std::uint32_t numa_node = 0;
    std::uint64_t map_extra = 0;
    std::uint32_t ifindex = 0;
    std::uint32_t btf_fd = 0, btf_key_type_id = 0, btf_value_type_id = 0;
};

struct map_info {
    std::uint32_t id = 0, type = 0, key_size = 0, value_size = 0, max_entries = 0, flags = 0;
    std::string name;
};

// The number of possible CPUs (/sys/devices/system/cpu/possible): per-CPU values have one slot each.
CTBPF_SYS_INLINE std::uint32_t possible_cpus()
#if CTBPF_SYS_BODIES
{
    static const std::uint32_t n = [] {
        std::FILE* f = std::fopen("/sys/devices/system/cpu/possible", "re");
        if (!f) return 1u;
        char buf[256] = {};
        const std::size_t len = std::fread(buf, 1, sizeof buf - 1, f);
        std::fclose(f);
        unsigned max = 0;
        for (std::size_t i = 0; i < len;) { // "0-3,5,7-8"
            unsigned a = 0, b = 0;
            while (i < len && (buf[i] < '0' || buf[i] > '9')) ++i;
            if (i >= len) break;
            while (i < len && buf[i] >= '0' && buf[i] <= '9') a = a * 10 + static_cast<unsigned>(buf[i++] - '0');
            b = a;
            if (i < len && buf[i] == '-') {
                b = 0;
                ++i;
                while (i < len && buf[i] >= '0' && buf[i] <= '9') b = b * 10 + static_cast<unsigned>(buf[i++] - '0');
            }
            max = std::max(max, b);
        }
        return max + 1;
    }();
    return n;
}
#else
;
#endif

// An untyped map: the fd and the sizes the kernel was given.
class raw_map {
public:
    raw_map() = default;

    static result<raw_map> create(std::uint32_t type, std::uint32_t key_size, std::uint32_t value_size,
                                  std::uint32_t max_entries, const map_options& o = {});

    // Adopts an fd (e.g. from a pin), reading the type and sizes from the kernel.
    static result<raw_map> from_fd(unique_fd fd);

    // Opens the map with id `id` (needs CAP_SYS_ADMIN); ENOENT once the kernel has freed it.
    static result<raw_map> from_id(std::uint32_t id, std::uint32_t open_flags = 0);

    int fd() const noexcept { return fd_.get(); }
    explicit operator bool() const noexcept { return static_cast<bool>(fd_); }
    std::uint32_t type() const noexcept { return type_; }
    std::uint32_t key_size() const noexcept { return key_size_; }
    std::uint32_t value_size() const noexcept { return value_size_; }
    std::uint32_t max_entries() const noexcept { return max_entries_; }
    const std::string& name() const noexcept { return name_; }
    unique_fd& handle() noexcept { return fd_; }
    bool is_percpu() const noexcept {
        return type_ == BPF_MAP_TYPE_PERCPU_HASH || type_ == BPF_MAP_TYPE_PERCPU_ARRAY ||
               type_ == BPF_MAP_TYPE_LRU_PERCPU_HASH || type_ == BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE;
    }
    bool is_array() const noexcept {
        return type_ == BPF_MAP_TYPE_ARRAY || type_ == BPF_MAP_TYPE_PERCPU_ARRAY || type_ == BPF_MAP_TYPE_PROG_ARRAY ||
               type_ == BPF_MAP_TYPE_PERF_EVENT_ARRAY || type_ == BPF_MAP_TYPE_CGROUP_ARRAY ||
               type_ == BPF_MAP_TYPE_ARRAY_OF_MAPS;
    }
    // Bytes of one value as user space sees it (per-CPU maps: one 8-byte aligned slot per CPU).
    std::size_t user_value_size() const noexcept {
        return is_percpu() ? ((value_size_ + 7u) & ~std::size_t{7}) * possible_cpus() : value_size_;
    }

    // value = map[key]; ENOENT when there is no such key.
    result<void> lookup(const void* key, void* value, std::uint64_t flags = 0) const {
        return elem(BPF_MAP_LOOKUP_ELEM, key, value, flags);
    }
    // map[key] = value, with BPF_ANY, BPF_NOEXIST or BPF_EXIST (| BPF_F_LOCK).
    result<void> update(const void* key, const void* value, std::uint64_t flags = BPF_ANY) const {
        return elem(BPF_MAP_UPDATE_ELEM, key, const_cast<void*>(value), flags);
    }
    result<void> erase(const void* key) const { return elem(BPF_MAP_DELETE_ELEM, key, nullptr, 0); }
    // Hash maps: lookup then delete, atomically; queue and stack maps: pop (key nullptr).
    result<void> lookup_and_delete(const void* key, void* value, std::uint64_t flags = 0) const {
        return elem(BPF_MAP_LOOKUP_AND_DELETE_ELEM, key, value, flags);
    }
    // Queue and stack maps: push (key nullptr) and peek.
    result<void> push(const void* value, std::uint64_t flags = BPF_ANY) const { return update(nullptr, value, flags); }
    result<void> peek(void* value) const { return lookup(nullptr, value); }
    // The key after `key` (nullptr: the first key). false at the end.
    result<bool> next_key(const void* key, void* next) const;
    // Makes the map read-only for user space (programs may still write it).
    result<void> freeze() const;

    // One BPF_MAP_*_BATCH call. `count` in: room in keys/values; out: elements processed.
    // Returns true when the whole map has been walked (lookup batches; the kernel's ENOENT).
    result<bool> batch(int cmd, const void* in_batch, void* out_batch, void* keys, void* values, std::uint32_t& count,
                       std::uint64_t elem_flags = 0) const;

    result<map_info> info() const;

    // "BPF_MAP_UPDATE_ELEM array 'counts'"
    std::string what(std::string_view cmd) const;

private:
    std::string elem_hint(int cmd, int e, std::uint64_t flags) const;
    result<void> elem(int cmd, const void* key, void* value, std::uint64_t flags) const;

    unique_fd fd_;
    std::uint32_t type_ = 0, key_size_ = 0, value_size_ = 0, max_entries_ = 0;
    std::string name_;
};

#if CTBPF_SYS_BODIES
CTBPF_SYS_INLINE result<raw_map> raw_map::create(std::uint32_t type, std::uint32_t key_size, std::uint32_t value_size,
                                                 std::uint32_t max_entries, const map_options& o) {
    detail::attr_map_create a;
    a.map_type = type;
    a.key_size = key_size;
    a.value_size = value_size;
    a.max_entries = max_entries;
    a.map_flags = o.flags;
    a.inner_map_fd = o.inner_map_fd;
    a.numa_node = o.numa_node;
    detail::copy_name(a.map_name, o.name);
    a.map_ifindex = o.ifindex;
    a.btf_fd = o.btf_fd;
    a.btf_key_type_id = o.btf_key_type_id;
    a.btf_value_type_id = o.btf_value_type_id;
    a.map_extra = o.map_extra;
    const int fd = detail::bpf(BPF_MAP_CREATE, a);
    raw_map m;
    m.type_ = type;
    m.key_size_ = key_size;
    m.value_size_ = value_size;
    m.max_entries_ = max_entries;
    m.name_ = a.map_name;
    if (fd < 0) {
        const int e = errno;
        std::string hint;
        if (e == EINVAL)
            hint = "the kernel refused these attributes (key " + std::to_string(key_size) + " bytes, value " +
                   std::to_string(value_size) + " bytes, " + std::to_string(max_entries) +
                   " entries, flags " + std::to_string(o.flags) +
                   "): array maps need 4-byte keys, ring buffers a power-of-2 multiple of the page size "
                   "and no key or value, and max_entries must not be 0";
        if (e == E2BIG) hint = "the key or value is too large for this map type";
        return make_error(e, m.what("BPF_MAP_CREATE"), hint);
    }
    m.fd_.reset(fd);
    return m;
}
CTBPF_SYS_INLINE result<raw_map> raw_map::from_fd(unique_fd fd) {
    const std::string kind = fd_target(fd.get());
    if (!kind.empty() && kind != "anon_inode:bpf-map")
        return make_error(EINVAL, "adopting fd " + std::to_string(fd.get()) + " as a map", "it is " + kind);
    raw_map m;
    m.fd_ = std::move(fd);
    result<map_info> i = m.info();
    if (!i) return std::move(i).error();
    m.type_ = i->type;
    m.key_size_ = i->key_size;
    m.value_size_ = i->value_size;
    m.max_entries_ = i->max_entries;
    m.name_ = i->name;
    return m;
}
CTBPF_SYS_INLINE result<raw_map> raw_map::from_id(std::uint32_t id, std::uint32_t open_flags) {
    detail::attr_get_id a;
    a.id = id;
    a.open_flags = open_flags;
    const int fd = detail::bpf(BPF_MAP_GET_FD_BY_ID, a);
    if (fd < 0)
        return make_error(errno, "BPF_MAP_GET_FD_BY_ID " + std::to_string(id), errno == ENOENT ? "no map has this id" : "");
    return from_fd(unique_fd(fd));
}
CTBPF_SYS_INLINE result<bool> raw_map::next_key(const void* key, void* next) const {
    detail::attr_map_elem a;
    a.map_fd = static_cast<std::uint32_t>(fd_.get());
    a.key = detail::ptr(key);
    a.value = detail::ptr(next);
    if (detail::bpf(BPF_MAP_GET_NEXT_KEY, a) == 0) return true;
    if (errno == ENOENT) return false;
    return make_error(errno, what("BPF_MAP_GET_NEXT_KEY"));
}
CTBPF_SYS_INLINE result<void> raw_map::freeze() const {
    detail::attr_fd a;
    a.fd = static_cast<std::uint32_t>(fd_.get());
    if (detail::bpf(BPF_MAP_FREEZE, a) == 0) return {};
    const int e = errno;
    return make_error(e, what("BPF_MAP_FREEZE"),
                      e == EBUSY   ? "the map is mmapped writable or already frozen"
                      : e == EPERM ? "the map is frozen already, or this fd is read-only"
                                   : "");
}
CTBPF_SYS_INLINE result<bool> raw_map::batch(int cmd, const void* in_batch, void* out_batch, void* keys, void* values, std::uint32_t& count,
                                             std::uint64_t elem_flags) const {
    detail::attr_map_batch a;
    a.in_batch = detail::ptr(in_batch);
    a.out_batch = detail::ptr(out_batch);
    a.keys = detail::ptr(keys);
    a.values = detail::ptr(values);
    a.count = count;
    a.map_fd = static_cast<std::uint32_t>(fd_.get());
    a.elem_flags = elem_flags;
    const int r = detail::bpf(cmd, a);
    count = a.count;
    if (r == 0) return false;
    if (errno == ENOENT && (cmd == BPF_MAP_LOOKUP_BATCH || cmd == BPF_MAP_LOOKUP_AND_DELETE_BATCH)) return true;
    return make_error(errno, what(command_name(cmd)), elem_hint(cmd, errno, elem_flags));
}
CTBPF_SYS_INLINE result<map_info> raw_map::info() const {
    bpf_map_info raw;
    if (detail::obj_info(fd_.get(), raw) < 0) return make_error(errno, what("BPF_OBJ_GET_INFO_BY_FD"));
    map_info i;
    i.id = raw.id;
    i.type = raw.type;
    i.key_size = raw.key_size;
    i.value_size = raw.value_size;
    i.max_entries = raw.max_entries;
    i.flags = raw.map_flags;
    i.name.assign(raw.name, strnlen(raw.name, sizeof raw.name));
    return i;
}
CTBPF_SYS_INLINE std::string raw_map::what(std::string_view cmd) const {
    std::string s = std::string(cmd) + " " + map_type_name(type_);
    if (!name_.empty()) s += " '" + name_ + "'";
    return s;
}
CTBPF_SYS_INLINE std::string raw_map::elem_hint(int cmd, int e, std::uint64_t flags) const {
    const bool update = cmd == BPF_MAP_UPDATE_ELEM || cmd == BPF_MAP_UPDATE_BATCH;
    const std::uint64_t mode = flags & 3;
    if (update && e == EEXIST && mode == BPF_NOEXIST)
        return is_array() ? "BPF_NOEXIST is refused: every key of an array map always exists"
                          : "BPF_NOEXIST: the key exists";
    if (update && e == ENOENT && mode == BPF_EXIST) return "BPF_EXIST: there is no such key";
    if (update && e == E2BIG)
        return is_array() ? "the index is outside the array (max_entries " + std::to_string(max_entries_) + ")"
                          : "the map is full (max_entries " + std::to_string(max_entries_) + ")";
    if (e == ENOENT) return "there is no such key";
    if (e == EPERM && (update || cmd == BPF_MAP_DELETE_ELEM))
        return "the map is frozen or read-only for user space (BPF_F_RDONLY), or this process lacks privilege";
    if (e == EINVAL && cmd == BPF_MAP_DELETE_ELEM && is_array()) return "elements of array maps cannot be deleted";
    if ((e == EINVAL || e == 524 || e == EOPNOTSUPP) &&
        (cmd == BPF_MAP_LOOKUP_AND_DELETE_ELEM || cmd == BPF_MAP_LOOKUP_AND_DELETE_BATCH))
        return "lookup-and-delete is for hash, queue and stack maps";
    if (e == EINVAL && cmd == BPF_MAP_UPDATE_BATCH && (flags & 3) != 0)
        return "batch updates take only BPF_ANY or BPF_F_LOCK";
    if (e == EINVAL && (flags & ~std::uint64_t{7}) != 0) return "flags not valid for this map or command";
    return {};
}
CTBPF_SYS_INLINE result<void> raw_map::elem(int cmd, const void* key, void* value, std::uint64_t flags) const {
    detail::attr_map_elem a;
    a.map_fd = static_cast<std::uint32_t>(fd_.get());
    a.key = detail::ptr(key);
    a.value = detail::ptr(value);
    a.flags = flags;
    if (detail::bpf(cmd, a) == 0) return {};
    const int e = errno;
    return make_error(e, what(command_name(cmd)), elem_hint(cmd, e, flags));
}
#endif

// map<K, percpu<T>>: a per-CPU map whose values are std::vector<T>, one per possible CPU.
template <class T>
struct percpu {
    using element_type = T;
};

namespace detail {
template <class V>
struct value_traits {
    static_assert(std::is_trivially_copyable_v<V>, "ctbpf: map values must be trivially copyable");
    using user_type = V;
    static constexpr std::uint32_t kernel_size = sizeof(V);
    static constexpr bool percpu = false;
    static std::size_t bytes() { return sizeof(V); }
    static void to_bytes(const V& v, unsigned char* out) { std::memcpy(out, &v, sizeof v); }
    static V from_bytes(const unsigned char* in) {
        V v;
        std::memcpy(&v, in, sizeof v);
        return v;
    }
};
template <class T>
struct value_traits<percpu<T>> {
    static_assert(std::is_trivially_copyable_v<T>, "ctbpf: map values must be trivially copyable");
    using user_type = std::vector<T>;
    static constexpr std::uint32_t kernel_size = sizeof(T);
    static constexpr bool percpu = true;
    static constexpr std::size_t stride = (sizeof(T) + 7) & ~std::size_t{7};
    static std::size_t bytes() { return stride * possible_cpus(); }
    static void to_bytes(const std::vector<T>& v, unsigned char* out) {
        std::memset(out, 0, bytes());
        for (std::size_t c = 0; c < v.size() && c < possible_cpus(); ++c) std::memcpy(out + c * stride, &v[c], sizeof(T));
    }
    static std::vector<T> from_bytes(const unsigned char* in) {
        std::vector<T> v(possible_cpus());
        for (std::size_t c = 0; c < v.size(); ++c) std::memcpy(&v[c], in + c * stride, sizeof(T));
        return v;
    }
};
} // namespace detail

// A typed map. K and V are trivially copyable; their sizes are the map's key and value sizes.
template <class K, class V>
class map {
    static_assert(std::is_trivially_copyable_v<K>, "ctbpf: map keys must be trivially copyable");
    using traits = detail::value_traits<V>;

public:
    using key_type = K;
    using value_type = typename traits::user_type;
    using entry = std::pair<K, value_type>;

    map() = default;
    explicit map(raw_map m) : m_(std::move(m)) {}

    static result<map> create(std::uint32_t type, std::uint32_t max_entries, const map_options& o = {}) {
        result<raw_map> m = raw_map::create(type, sizeof(K), traits::kernel_size, max_entries, o);
        if (!m) return std::move(m).error();
        if (m->is_percpu() != traits::percpu)
            return make_error(EINVAL, m->what("BPF_MAP_CREATE"),
                              traits::percpu ? "map<K, percpu<T>> needs a per-CPU map type"
                                             : "a per-CPU map type needs map<K, percpu<T>>");
        return map(std::move(m).value());
    }
    // Checks that an existing map (e.g. opened from a pin) has this key and value size.
    static result<map> adopt(raw_map m) {
        if (m.key_size() != sizeof(K) || m.value_size() != traits::kernel_size || m.is_percpu() != traits::percpu)
            return make_error(EINVAL, m.what("map<K, V>"),
                              "the map has " + std::to_string(m.key_size()) + "-byte keys and " +
                                  std::to_string(m.value_size()) + "-byte values; map<K, V> expects " +
                                  std::to_string(sizeof(K)) + " and " + std::to_string(traits::kernel_size));
        return map(std::move(m));
    }

    int fd() const noexcept { return m_.fd(); }
    explicit operator bool() const noexcept { return static_cast<bool>(m_); }
    const raw_map& raw() const noexcept { return m_; }
    raw_map& raw() noexcept { return m_; }
    std::uint32_t max_entries() const noexcept { return m_.max_entries(); }

    // The value at `key`; the error is ENOENT (error().not_found()) when there is none.
    result<value_type> lookup(const K& key) const {
        std::vector<unsigned char> buf(traits::bytes());
        result<void> r = m_.lookup(&key, buf.data());
        if (!r) return std::move(r).error();
        return traits::from_bytes(buf.data());
    }
    result<void> update(const K& key, const value_type& value, update_flag f = update_flag::any) const {
        if constexpr (traits::percpu) {
            std::vector<unsigned char> buf(traits::bytes());
            traits::to_bytes(value, buf.data());
            return m_.update(&key, buf.data(), static_cast<std::uint64_t>(f));
        } else {
            return m_.update(&key, &value, static_cast<std::uint64_t>(f));
        }
    }
    result<void> erase(const K& key) const { return m_.erase(&key); }
    result<value_type> lookup_and_delete(const K& key) const {
        std::vector<unsigned char> buf(traits::bytes());
        result<void> r = m_.lookup_and_delete(&key, buf.data());
        if (!r) return std::move(r).error();
        return traits::from_bytes(buf.data());
    }
    // The key after `prev` (nullptr: the first); nullopt at the end.
    result<std::optional<K>> next_key(const K* prev = nullptr) const {
        K next{};
        result<bool> r = m_.next_key(prev, &next);
        if (!r) return std::move(r).error();
        return *r ? std::optional<K>(next) : std::nullopt;
    }
    // Every key, by BPF_MAP_GET_NEXT_KEY.
    result<std::vector<K>> keys() const {
        std::vector<K> out;
        std::optional<K> k;
        for (;;) {
            result<std::optional<K>> n = next_key(k ? &*k : nullptr);
            if (!n) return std::move(n).error();
            if (!*n) return out;
            out.push_back(**n);
            k = *n;
            if (out.size() > std::size_t{m_.max_entries()} * 4 + 16) return out; // a hash map churning under us
        }
    }
    // Every key and value, by BPF_MAP_GET_NEXT_KEY and BPF_MAP_LOOKUP_ELEM (keys deleted meanwhile are skipped).
    result<std::vector<entry>> entries() const {
        result<std::vector<K>> ks = keys();
        if (!ks) return std::move(ks).error();
        std::vector<entry> out;
        for (const K& key : *ks) {
            result<value_type> v = lookup(key);
            if (v) out.emplace_back(key, std::move(v).value());
            else if (!v.error().not_found()) return std::move(v).error();
        }
        return out;
    }

    // BPF_MAP_UPDATE_BATCH: keys[i] = values[i]; returns how many were written. The kernel takes
    // update_flag::any or update_flag::lock here, not noexist/exist.
    result<std::size_t> update_batch(std::span<const K> keys, std::span<const value_type> values,
                                     update_flag f = update_flag::any) const {
        if (keys.size() != values.size())
            return make_error(EINVAL, m_.what("BPF_MAP_UPDATE_BATCH"), "keys and values differ in number");
        std::uint32_t count = static_cast<std::uint32_t>(keys.size());
        if constexpr (traits::percpu) {
            std::vector<unsigned char> vals(traits::bytes() * values.size());
            for (std::size_t i = 0; i < values.size(); ++i) traits::to_bytes(values[i], vals.data() + i * traits::bytes());
            result<bool> r = m_.batch(BPF_MAP_UPDATE_BATCH, nullptr, nullptr, const_cast<K*>(keys.data()), vals.data(),
                                      count, static_cast<std::uint64_t>(f));
            if (!r) return std::move(r).error();
        } else {
            result<bool> r = m_.batch(BPF_MAP_UPDATE_BATCH, nullptr, nullptr, const_cast<K*>(keys.data()),
                                      const_cast<value_type*>(values.data()), count, static_cast<std::uint64_t>(f));
            if (!r) return std::move(r).error();
        }
        return std::size_t{count};
    }
    // BPF_MAP_DELETE_BATCH; returns how many were deleted.
    result<std::size_t> delete_batch(std::span<const K> keys) const {
        std::uint32_t count = static_cast<std::uint32_t>(keys.size());
        result<bool> r = m_.batch(BPF_MAP_DELETE_BATCH, nullptr, nullptr, const_cast<K*>(keys.data()), nullptr, count);
        if (!r) return std::move(r).error();
        return std::size_t{count};
    }
    // BPF_MAP_LOOKUP_BATCH over the whole map, `chunk` elements per call.
    result<std::vector<entry>> lookup_batch(std::uint32_t chunk = 64) const { return dump(BPF_MAP_LOOKUP_BATCH, chunk); }
    // BPF_MAP_LOOKUP_AND_DELETE_BATCH over the whole map (hash maps).
    result<std::vector<entry>> lookup_and_delete_batch(std::uint32_t chunk = 64) const {
        return dump(BPF_MAP_LOOKUP_AND_DELETE_BATCH, chunk);
    }
    result<void> freeze() const { return m_.freeze(); }
    result<map_info> info() const { return m_.info(); }

private:
    result<std::vector<entry>> dump(int cmd, std::uint32_t chunk) const {
        std::vector<entry> out;
        alignas(8) unsigned char token_in[std::max<std::size_t>(sizeof(K), 8)] = {};
        alignas(8) unsigned char token_out[sizeof token_in] = {};
        bool first = true;
        chunk = std::max<std::uint32_t>(chunk, 1);
        for (;;) {
            std::vector<K> keys(chunk);
            std::vector<unsigned char> vals(traits::bytes() * chunk);
            std::uint32_t count = chunk;
            result<bool> r = m_.batch(cmd, first ? nullptr : token_in, token_out, keys.data(), vals.data(), count);
            if (!r && r.error().is(std::errc::no_space_on_device) && count == 0 && chunk < (1u << 20)) {
                chunk *= 2; // a hash bucket holds more elements than fit
                continue;
            }
            if (!r) return std::move(r).error();
            for (std::uint32_t i = 0; i < count; ++i)
                out.emplace_back(keys[i], traits::from_bytes(vals.data() + std::size_t{i} * traits::bytes()));
            if (*r) return out;
            std::memcpy(token_in, token_out, sizeof token_in);
            first = false;
        }
    }

    raw_map m_;
};

// A program array for tail calls: slot i holds a program (bpf_tail_call(ctx, map, i) jumps to it).
// The kernel empties it when the last user-space reference (fd or pin) to it goes away.
class prog_array {
public:
    prog_array() = default;
    static result<prog_array> create(std::uint32_t max_entries, const map_options& o = {}) {
        result<raw_map> m = raw_map::create(BPF_MAP_TYPE_PROG_ARRAY, 4, 4, max_entries, o);
        if (!m) return std::move(m).error();
        prog_array p;
        p.m_ = std::move(m).value();
        return p;
    }
    static result<prog_array> adopt(raw_map m) {
        if (m.type() != BPF_MAP_TYPE_PROG_ARRAY) return make_error(EINVAL, m.what("prog_array"), "not a program array");
        prog_array p;
        p.m_ = std::move(m);
        return p;
    }
    int fd() const noexcept { return m_.fd(); }
    const raw_map& raw() const noexcept { return m_; }
    result<void> set(std::uint32_t index, const prog& p) const {
        const std::uint32_t v = static_cast<std::uint32_t>(p.fd());
        return m_.update(&index, &v, BPF_ANY);
    }
    result<void> erase(std::uint32_t index) const { return m_.erase(&index); }
    // The id of the program in slot `index` (ENOENT when empty).
    result<std::uint32_t> prog_id(std::uint32_t index) const {
        std::uint32_t id = 0;
        result<void> r = m_.lookup(&index, &id);
        if (!r) return std::move(r).error();
        return id;
    }

private:
    raw_map m_;
};

} // namespace ctbpf::sys
