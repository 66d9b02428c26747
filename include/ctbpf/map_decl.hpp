// Map declarations: a map's name, type, key and value types, max entries and flags, known at
// compile time. A program's map("counts") / map_value("counts", off) refers to the declaration
// named "counts": assemble<F, O, counts, ...>() checks the program with the declared shapes (a
// missing null check after bpf_map_lookup_elem, a map value read out of bounds, a wrong map
// argument to a helper do not compile), and sys:: creates the maps from the same declarations
// (sys::create<counts>(), sys::map_spec<counts>() in bundles, sys::bind<counts>(handle) at load,
// where a handle of other key or value types does not compile): the map the kernel gets is the
// one the verifier reasoned about.
//
//   inline constexpr auto counts = ctbpf::hash_map<"counts", std::uint32_t, std::uint64_t>(1024);
//   constexpr auto code = ctbpf::assemble<count, ctbpf::options{.type = ctbpf::prog_type::xdp}, counts>();
//
// A map the program names but nobody declared is left to the kernel (check() defers it); a
// declared map the program never names is fine. No Boost.Hana here: this is on the path of
// every compile-time assembly.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <type_traits>

#include "ctbpf/diagnostics.hpp"
#include "ctbpf/verify/maps.hpp"

namespace ctbpf {

// A string literal as a template argument: hash_map<"counts", ...>, sys::map_spec<"counts", ...>.
template <std::size_t N>
struct fixed_string {
    char data[N]{};
    constexpr fixed_string(const char (&s)[N]) {
        for (std::size_t i = 0; i < N; ++i) data[i] = s[i];
    }
    constexpr std::string_view view() const { return {data, N - 1}; }
};

// A key or value of N bytes whose C++ type the declaration leaves open: a sys::map<K, V> handle
// of any K (or V) of that size matches it.
template <std::size_t N>
struct opaque {
    static_assert(N > 0, "ctbpf: opaque<N> needs N > 0; declare a map without keys (ring buffer, queue, stack, "
                         "bloom filter) with void as its key type");
    unsigned char bytes[N];
};

// A declared map without its types, for run-time use: assemble(program, options, maps) and
// check(program, options, maps) match a program's map names against these.
struct named_map_shape {
    std::string_view name;
    map_shape shape;
};

// Map declaration sentences: called during constant evaluation (the factories below are
// consteval) they stop compilation and the compiler names the function.
namespace diag {
[[noreturn]] inline void map_name_is_empty() { raise("map name is empty"); }
[[noreturn]] inline void max_entries_must_not_be_0() { raise("max_entries must not be 0 for this map type"); }
[[noreturn]] inline void array_map_keys_are_4_bytes() {
    raise("array maps (array, percpu_array, prog_array, perf_event_array, cgroup_array, array_of_maps) have 4-byte keys");
}
[[noreturn]] inline void map_values_must_not_be_empty() { raise("map values must not be empty (void) for this map type"); }
[[noreturn]] inline void map_keys_must_not_be_empty() { raise("map keys must not be empty (void) for this map type"); }
[[noreturn]] inline void this_map_type_has_no_keys_declare_void() {
    raise("this map type has no keys (ring buffer, queue, stack, bloom filter): declare the key type void");
}
[[noreturn]] inline void ring_buffer_size_must_be_a_power_of_2_and_at_least_4096() {
    raise("ring buffer size must be a power of 2 and a multiple of the page size (at least 4096)");
}
[[noreturn]] inline void ring_buffers_have_no_keys_or_values_declare_void() {
    raise("ring buffers have no keys or values: declare both void");
}
} // namespace diag

namespace detail {
template <class T>
inline constexpr std::uint32_t decl_size_v = static_cast<std::uint32_t>(sizeof(T));
template <>
inline constexpr std::uint32_t decl_size_v<void> = 0;
template <class T>
inline constexpr bool decl_type_ok_v = std::is_void_v<T> || std::is_trivially_copyable_v<T>;

constexpr bool is_array_kind(map_type t) {
    return t == map_type::array || t == map_type::percpu_array || t == map_type::prog_array ||
           t == map_type::perf_event_array || t == map_type::cgroup_array || t == map_type::array_of_maps;
}
constexpr bool is_hash_kind(map_type t) {
    return t == map_type::hash || t == map_type::percpu_hash || t == map_type::lru_hash ||
           t == map_type::lru_percpu_hash || t == map_type::hash_of_maps || t == map_type::lpm_trie;
}
constexpr bool is_keyless_kind(map_type t) {
    return t == map_type::queue || t == map_type::stack || t == map_type::bloom_filter || t == map_type::ringbuf ||
           t == map_type::user_ringbuf;
}
// What BPF_MAP_CREATE refuses for every kernel, whatever its configuration (a subset: the rest
// is the kernel's to say at run time).
constexpr void validate_decl(std::string_view name, map_type t, std::uint32_t key, std::uint32_t value,
                             std::uint32_t max_entries) {
    if (name.empty()) diag::map_name_is_empty();
    if (t == map_type::ringbuf || t == map_type::user_ringbuf) {
        if (key != 0 || value != 0) diag::ring_buffers_have_no_keys_or_values_declare_void();
        if (max_entries < 4096 || (max_entries & (max_entries - 1)) != 0)
            diag::ring_buffer_size_must_be_a_power_of_2_and_at_least_4096();
        return;
    }
    if (is_keyless_kind(t) && key != 0) diag::this_map_type_has_no_keys_declare_void();
    if (is_array_kind(t) && key != 4) diag::array_map_keys_are_4_bytes();
    if (is_hash_kind(t) && key == 0) diag::map_keys_must_not_be_empty();
    if ((is_array_kind(t) || is_hash_kind(t) || is_keyless_kind(t)) && value == 0) diag::map_values_must_not_be_empty();
    if ((is_array_kind(t) || is_hash_kind(t) || is_keyless_kind(t)) && max_entries == 0) diag::max_entries_must_not_be_0();
}
} // namespace detail

// A map declared at compile time: name, key type K and value type V (void: none, opaque<N>: N
// bytes of any type; per-CPU maps: the per-CPU element type), map type, max entries, flags. A
// structural type: declarations are template arguments (assemble<F, O, counts>()).
template <fixed_string Name, class K, class V>
struct map_decl {
    static_assert(detail::decl_type_ok_v<K>, "ctbpf: map keys must be trivially copyable (or void: no key)");
    static_assert(detail::decl_type_ok_v<V>, "ctbpf: map values must be trivially copyable (or void: no value)");
    using key_type = K;
    using value_type = V;
    static constexpr bool is_map_declaration = true;
    static constexpr std::string_view name = Name.view();
    static constexpr auto fixed_name = Name;
    static constexpr std::uint32_t key_size = detail::decl_size_v<K>;
    static constexpr std::uint32_t value_size = detail::decl_size_v<V>;

    map_type type = map_type::unspec;
    std::uint32_t max_entries = 0;
    std::uint32_t flags = 0; // BPF_F_* map_flags (e.g. BPF_F_NO_PREALLOC, map_rdonly_prog)

    // What the verifier reasons about (BPF_MAP_CREATE's attributes).
    constexpr map_shape shape() const { return {type, key_size, value_size, max_entries, flags, -1}; }
    constexpr operator named_map_shape() const { return {name, shape()}; }
    constexpr bool is_percpu() const {
        return type == map_type::percpu_hash || type == map_type::percpu_array || type == map_type::lru_percpu_hash ||
               type == map_type::percpu_cgroup_storage;
    }
};

// A map of any type, e.g. declare_map<"q", void, std::uint64_t>(map_type::queue, 64).
template <fixed_string Name, class K, class V>
consteval map_decl<Name, K, V> declare_map(map_type type, std::uint32_t max_entries, std::uint32_t flags = 0) {
    detail::validate_decl(Name.view(), type, detail::decl_size_v<K>, detail::decl_size_v<V>, max_entries);
    return {type, max_entries, flags};
}
// BPF_MAP_TYPE_HASH: K -> V, at most max_entries elements.
template <fixed_string Name, class K, class V>
consteval map_decl<Name, K, V> hash_map(std::uint32_t max_entries, std::uint32_t flags = 0) {
    return declare_map<Name, K, V>(map_type::hash, max_entries, flags);
}
// BPF_MAP_TYPE_LRU_HASH: a hash map that evicts the least recently used element when full.
template <fixed_string Name, class K, class V>
consteval map_decl<Name, K, V> lru_hash_map(std::uint32_t max_entries, std::uint32_t flags = 0) {
    return declare_map<Name, K, V>(map_type::lru_hash, max_entries, flags);
}
// BPF_MAP_TYPE_PERCPU_HASH: one V per possible CPU (sys:: handle: sys::map<K, sys::percpu<V>>).
template <fixed_string Name, class K, class V>
consteval map_decl<Name, K, V> percpu_hash_map(std::uint32_t max_entries, std::uint32_t flags = 0) {
    return declare_map<Name, K, V>(map_type::percpu_hash, max_entries, flags);
}
// BPF_MAP_TYPE_LRU_PERCPU_HASH.
template <fixed_string Name, class K, class V>
consteval map_decl<Name, K, V> lru_percpu_hash_map(std::uint32_t max_entries, std::uint32_t flags = 0) {
    return declare_map<Name, K, V>(map_type::lru_percpu_hash, max_entries, flags);
}
// BPF_MAP_TYPE_ARRAY: std::uint32_t index -> V, every index < max_entries exists (zeroed).
template <fixed_string Name, class V>
consteval map_decl<Name, std::uint32_t, V> array_map(std::uint32_t max_entries, std::uint32_t flags = 0) {
    return declare_map<Name, std::uint32_t, V>(map_type::array, max_entries, flags);
}
// BPF_MAP_TYPE_PERCPU_ARRAY (sys:: handle: sys::map<std::uint32_t, sys::percpu<V>>).
template <fixed_string Name, class V>
consteval map_decl<Name, std::uint32_t, V> percpu_array_map(std::uint32_t max_entries, std::uint32_t flags = 0) {
    return declare_map<Name, std::uint32_t, V>(map_type::percpu_array, max_entries, flags);
}
// BPF_MAP_TYPE_RINGBUF of `size` bytes (a power of 2, a multiple of the page size); sys::ringbuf.
template <fixed_string Name>
consteval map_decl<Name, void, void> ringbuf_map(std::uint32_t size) {
    return declare_map<Name, void, void>(map_type::ringbuf, size, 0);
}
// BPF_MAP_TYPE_PROG_ARRAY for bpf_tail_call(); sys::prog_array.
template <fixed_string Name>
consteval map_decl<Name, std::uint32_t, std::uint32_t> prog_array_map(std::uint32_t max_entries) {
    return declare_map<Name, std::uint32_t, std::uint32_t>(map_type::prog_array, max_entries, 0);
}

// Several declarations as one template argument, for programs that share their maps:
//   inline constexpr ctbpf::map_list<counts, config> maps{};
//   ctbpf::assemble<F, O, maps>();
template <auto... Decls>
struct map_list {
    static constexpr bool is_map_list = true;
};

template <class T>
concept map_declaration = requires { requires T::is_map_declaration; };
template <class T>
concept map_declarations = map_declaration<T> || requires { requires T::is_map_list; };

// Instantiated when two declarations given to one program (or bundle) have the same name, its
// template argument: map_is_declared_twice<ctbpf::text<7>{"counts"}>.
template <text Name>
struct map_is_declared_twice {
    constexpr ~map_is_declared_twice() { // instantiated at the caller's line (see program_rejected)
#if CTBPF_STATIC_ASSERT_TEXT
        static_assert(Name.size() == 0, detail::described<[](detail::writer& w) {
                          w.put("ctbpf: two map declarations have the same name: ").put(Name.view());
                      }>());
#else
        static_assert(Name.size() == 0, "ctbpf: two map declarations have the same name, map_is_declared_twice<...>'s "
                                        "template argument");
#endif
    }
};

namespace detail {
template <class T>
inline constexpr bool is_map_list_v = false;
template <auto... D>
inline constexpr bool is_map_list_v<map_list<D...>> = true;

template <auto D>
constexpr std::size_t decl_count() {
    if constexpr (is_map_list_v<std::remove_cvref_t<decltype(D)>>)
        return []<auto... E>(map_list<E...>) { return (std::size_t{0} + ... + decl_count<E>()); }(D);
    else
        return 1;
}
template <auto D>
constexpr void put_decls(named_map_shape*& out) {
    if constexpr (is_map_list_v<std::remove_cvref_t<decltype(D)>>)
        []<auto... E>(map_list<E...>, named_map_shape*& o) { (put_decls<E>(o), ...); }(D, out);
    else
        *out++ = named_map_shape(D);
}
// The declarations in Maps (map_list flattened), in order.
template <auto... Maps>
consteval auto flatten_decls() {
    std::array<named_map_shape, (std::size_t{0} + ... + decl_count<Maps>())> out{};
    named_map_shape* p = out.data();
    (put_decls<Maps>(p), ...);
    return out;
}
template <auto... Maps>
inline constexpr auto decls_v = flatten_decls<Maps...>();

// The name declared twice in `decls` (empty when none).
constexpr std::string_view duplicate_decl(std::span<const named_map_shape> decls) {
    for (std::size_t i = 0; i < decls.size(); ++i)
        for (std::size_t j = i + 1; j < decls.size(); ++j)
            if (decls[i].name == decls[j].name) return decls[i].name;
    return {};
}

// shapes[i]: the declared shape of names[i] (map_type::unspec, left to the kernel, when undeclared).
constexpr void match_shapes(std::span<const std::string_view> names, std::span<const named_map_shape> decls,
                            map_shape* shapes) {
    for (std::size_t i = 0; i < names.size(); ++i) {
        shapes[i] = map_shape{};
        for (const named_map_shape& d : decls)
            if (d.name == names[i]) {
                shapes[i] = d.shape;
                break;
            }
    }
}
} // namespace detail

} // namespace ctbpf
