// Maps made from their declarations (ctbpf/map_decl.hpp), and programs loaded with them: the map
// the kernel gets is the one the verifier reasoned about at compile time.
//
//   inline constexpr auto counts = ctbpf::hash_map<"counts", std::uint32_t, std::uint64_t>(1024);
//   inline constexpr ctbpf::options xdp{.type = ctbpf::prog_type::xdp};
//
//   auto m = sys::create<counts>().value();                  // sys::map<std::uint32_t, std::uint64_t>
//   auto p = sys::load<count, xdp>({.name = "count"}, sys::bind<counts>(m)).value();
//
// sys::load<F, O>(load_options, sys::bind<D>(handle)...) assembles F checked with O and the
// declarations D... (assemble<F, O, D...>()), takes the program type from O when load_options
// leaves it unset, and binds each declared map to the program's map("name") by the declaration's
// name. A handle whose key or value type differs from the declaration (sys::bind<counts>(a
// sys::map<std::uint64_t, std::uint64_t>)) does not compile, and neither does a program that
// names a map none of the bindings declares; the compiler names the map as name_is<...>.
// Bundles (ctbpf/sys/bundle.hpp) take declarations too: sys::map_spec<counts>().
#pragma once

#include "ctbpf/assemble.hpp"
#include "ctbpf/map_decl.hpp"
#include "ctbpf/sys/error.hpp"
#include "ctbpf/sys/load.hpp"
#include "ctbpf/sys/map.hpp"
#include "ctbpf/sys/ringbuf.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

namespace ctbpf::sys {

using ctbpf::fixed_string;

// A name in a template argument, e.g. name_is<ctbpf::text<7>{"counts"}> (g++ 12 and clang++ 19
// print the text; clang++ 14 its bytes).
template <ctbpf::text Name>
struct name_is {};

namespace detail {
// Src::value is a constexpr std::string_view.
template <class Src>
using name_t = name_is<ctbpf::detail::text_of<Src::value.size()>(Src::value)>;
template <class T>
inline constexpr bool always_false = false;
template <auto D>
struct decl_name {
    static constexpr std::string_view value = decltype(D)::name;
};
template <auto D>
using decl_name_t = name_t<decl_name<D>>;
} // namespace detail

// ---- the handle a declaration makes ----

namespace detail {
template <class T>
struct type_is {
    using type = T;
};
template <auto D>
constexpr auto handle_of() {
    using decl = std::remove_cvref_t<decltype(D)>;
    using K = typename decl::key_type;
    using V = typename decl::value_type;
    if constexpr (D.type == map_type::ringbuf) return type_is<ringbuf>{};
    else if constexpr (D.type == map_type::prog_array) return type_is<prog_array>{};
    else if constexpr (std::is_void_v<K> || std::is_void_v<V>) return type_is<raw_map>{};
    else if constexpr (D.is_percpu()) return type_is<map<K, percpu<V>>>{};
    else return type_is<map<K, V>>{};
}
} // namespace detail

// The sys:: handle of declared map D: sys::map<K, V>, sys::map<K, sys::percpu<V>> (per-CPU maps),
// sys::ringbuf, sys::prog_array, or sys::raw_map (maps without keys or values: queue, stack, ...).
template <auto D>
    requires ctbpf::map_declaration<std::remove_cvref_t<decltype(D)>>
using handle_t = typename decltype(detail::handle_of<D>())::type;

// ---- compile-time checks of handles against declarations, naming the map ----

// Instantiated when a sys::map<K, V> is used for a declared map whose key type is not K.
template <class MapName, class DeclaredKey, class HandleKey>
struct map_key_type_differs_from_its_declaration {
    static_assert(detail::always_false<MapName>,
                  "ctbpf: the key type of this sys::map<K, V> differs from the map's declaration; the map's name, the "
                  "declared key type and the handle's key type are the template arguments of "
                  "map_key_type_differs_from_its_declaration<...> in this error's context");
    static constexpr bool value = false;
};
// Instantiated when a sys::map<K, V> is used for a declared map whose value type is not V (a
// per-CPU map declared with value T takes sys::map<K, sys::percpu<T>>).
template <class MapName, class DeclaredValue, class HandleValue>
struct map_value_type_differs_from_its_declaration {
    static_assert(detail::always_false<MapName>,
                  "ctbpf: the value type of this sys::map<K, V> differs from the map's declaration (per-CPU maps "
                  "take sys::percpu<T>); the map's name, the declared value type and the handle's value type are "
                  "the template arguments of map_value_type_differs_from_its_declaration<...> in this error's context");
    static constexpr bool value = false;
};
// Instantiated when a handle of another kind (a ring buffer for a hash map, ...) is used for a declared map.
template <class MapName, class DeclaredHandle, class Handle>
struct map_handle_differs_from_its_declaration {
    static_assert(detail::always_false<MapName>,
                  "ctbpf: this handle is not the kind the map's declaration makes (sys::handle_t<declaration>); the "
                  "map's name, the declaration's handle type and this handle's type are the template arguments of "
                  "map_handle_differs_from_its_declaration<...> in this error's context");
    static constexpr bool value = false;
};
// Instantiated when sys::load<F, O>(..., sys::bind<D>(h)...) is given no binding for a map the
// program refers to by name.
template <class MapName>
struct program_refers_to_a_map_no_binding_declares {
    static_assert(detail::always_false<MapName>,
                  "ctbpf: the program refers to a map by name that none of the sys::bind<declaration>(handle) "
                  "arguments declares; the map's name is the template argument of "
                  "program_refers_to_a_map_no_binding_declares<...> in this error's context");
    static constexpr bool value = false;
};

namespace detail {
// Declared type D matches a handle's type T: the same type, or for opaque<N> any type of N bytes.
template <class D, class T>
inline constexpr bool type_matches_v = std::is_same_v<D, T>;
template <std::size_t N, class T>
inline constexpr bool type_matches_v<opaque<N>, T> = sizeof(T) == N;

template <class T>
struct percpu_element {
    using type = void;
    static constexpr bool is_percpu = false;
};
template <class T>
struct percpu_element<percpu<T>> {
    using type = T;
    static constexpr bool is_percpu = true;
};

template <auto D, class H>
struct handle_check {
    static constexpr bool value = std::is_same_v<H, handle_t<D>>;
};
template <auto D, class K, class V>
struct handle_check<D, map<K, V>> {
    using decl = std::remove_cvref_t<decltype(D)>;
    using declared = handle_t<D>;
    static constexpr bool is_map = !std::is_same_v<declared, ringbuf> && !std::is_same_v<declared, prog_array> &&
                                   !std::is_same_v<declared, raw_map>;
    static constexpr bool key_ok = type_matches_v<typename decl::key_type, K>;
    static constexpr bool value_ok =
        D.is_percpu() ? percpu_element<V>::is_percpu &&
                            type_matches_v<typename decl::value_type, typename percpu_element<V>::type>
                      : !percpu_element<V>::is_percpu && type_matches_v<typename decl::value_type, V>;
    static constexpr bool value = is_map && key_ok && value_ok;
};

// Fails to compile, naming the map, when handle type H does not fit declaration D.
template <auto D, class H>
constexpr bool check_handle() {
    using check = handle_check<D, H>;
    if constexpr (check::value) {
        return true;
    } else if constexpr (requires { check::is_map; }) {
        if constexpr (!check::is_map)
            return map_handle_differs_from_its_declaration<decl_name_t<D>, handle_t<D>, H>::value;
        else if constexpr (!check::key_ok)
            return map_key_type_differs_from_its_declaration<decl_name_t<D>, typename decltype(D)::key_type,
                                                             typename H::key_type>::value;
        else
            return map_value_type_differs_from_its_declaration<decl_name_t<D>, typename decltype(D)::value_type,
                                                               typename H::value_type>::value;
    } else {
        return map_handle_differs_from_its_declaration<decl_name_t<D>, handle_t<D>, H>::value;
    }
}

template <auto D>
map_options decl_options(map_options o) {
    if (o.name.empty()) o.name = decltype(D)::name;
    o.flags = D.flags; // what the verifier was told
    return o;
}
} // namespace detail

// ---- creating and adopting declared maps ----

// Creates declared map D: its map type, key and value sizes, max entries and flags; its name
// unless `o` names it. `o` gives the rest (numa_node, inner_map_fd, BTF ids, ...).
template <auto D>
    requires ctbpf::map_declaration<std::remove_cvref_t<decltype(D)>>
result<handle_t<D>> create(const map_options& o = {}) {
    using H = handle_t<D>;
    const map_options mo = detail::decl_options<D>(o);
    if constexpr (std::is_same_v<H, ringbuf>) return ringbuf::create(D.max_entries, mo);
    else if constexpr (std::is_same_v<H, prog_array>) return prog_array::create(D.max_entries, mo);
    else if constexpr (std::is_same_v<H, raw_map>)
        return raw_map::create(static_cast<std::uint32_t>(D.type), D.key_size, D.value_size, D.max_entries, mo);
    else return H::create(static_cast<std::uint32_t>(D.type), D.max_entries, mo);
}

// Adopts an existing map (e.g. opened from a pin) as declared map D: EINVAL unless the kernel's
// map has D's type, key and value sizes, max entries and flags.
template <auto D>
    requires ctbpf::map_declaration<std::remove_cvref_t<decltype(D)>>
result<handle_t<D>> adopt(raw_map m) {
    using H = handle_t<D>;
    result<map_info> i = m.info();
    if (!i) return std::move(i).error();
    if (i->type != static_cast<std::uint32_t>(D.type) || i->key_size != D.key_size || i->value_size != D.value_size ||
        i->max_entries != D.max_entries || i->flags != D.flags)
        return make_error(EINVAL, m.what("adopting as declared map '" + std::string(decltype(D)::name) + "'"),
                          "the kernel's map is " + map_type_name(i->type) + ", key " + std::to_string(i->key_size) +
                              " bytes, value " + std::to_string(i->value_size) + " bytes, " +
                              std::to_string(i->max_entries) + " entries, flags " + std::to_string(i->flags) +
                              "; the declaration says " + std::string(ctbpf::to_string(D.type)) + ", " +
                              std::to_string(D.key_size) + ", " + std::to_string(D.value_size) + ", " +
                              std::to_string(D.max_entries) + ", " + std::to_string(D.flags));
    if constexpr (std::is_same_v<H, raw_map>) return m;
    else return H::adopt(std::move(m));
}

// ---- binding declared maps to a program ----

// A map given to the loader for declaration D (by D's name). Made by sys::bind<D>(handle).
template <auto D>
struct declared_binding : map_binding {
    explicit declared_binding(int fd) : map_binding(decltype(D)::name, fd) {}
};

// Binds `h` to the program's map("name") of declaration D; h must be the handle D makes
// (handle_t<D>): another kind, key type or value type does not compile.
template <auto D, class H>
    requires ctbpf::map_declaration<std::remove_cvref_t<decltype(D)>>
declared_binding<D> bind(const H& h) {
    (void)detail::check_handle<D, H>(); // (a mismatch fails to compile there, naming the map)
    return declared_binding<D>(h.fd());
}

namespace detail {
// The first map F refers to that none of D... declares (empty when none).
template <auto F, auto... D>
consteval std::string_view unbound_map() {
    constexpr auto names = ctbpf::map_names<F>();
    constexpr std::string_view declared[] = {std::string_view{}, decltype(D)::name...};
    for (std::string_view n : names) {
        bool found = false;
        for (std::string_view d : declared) found = found || d == n;
        if (!found) return n;
    }
    return {};
}
template <auto F, auto... D>
struct unbound_of {
    static constexpr std::string_view value = unbound_map<F, D...>();
};
} // namespace detail

namespace detail {
// load_options' program type, attach type and verifier privilege default to O's (the compile-time
// check's); another program type is an error.
CTBPF_SYS_INLINE result<void> take_types(load_options& o, const ctbpf::options& O)
#if CTBPF_SYS_BODIES
{
    if (o.type == ctbpf::prog_type::unspecified) o.type = O.type;
    if (o.expected_attach_type.raw() == 0) o.expected_attach_type = O.expected_attach_type;
    if (o.verifier.priv == ctbpf::options{}.priv) o.verifier.priv = O.priv;
    if (O.type != ctbpf::prog_type::unspecified && o.type != O.type)
        return make_error(EINVAL, "BPF_PROG_LOAD " + prog_type_name(o.type),
                          "the program was checked as " + std::string(ctbpf::to_string(O.type)) +
                              " (its ctbpf::options) but load_options::type says " + prog_type_name(o.type));
    return {};
}
#else
;
#endif
template <auto F, ctbpf::options O, auto... D>
result<prog> load_declared(load_options o, std::span<const map_binding> bindings) {
    if (result<void> t = take_types(o, O); !t) return std::move(t).error();
    if constexpr (O.type != ctbpf::prog_type::unspecified) // the load's types are O's: no run-time check
        return sys::load(detail::checked_image<F, O, D...>(), o, bindings); // (load() refuses other attach types)
    else
        return sys::load(image<F, O, D...>(), o, bindings);
}
} // namespace detail

// Loads the compile-time program F, checked at compile time with options O and the declarations
// of the bound maps (assemble<F, O, D...>()), binding each map("name") to the handle of the
// declaration of that name; every map F names must be bound. load_options::type,
// expected_attach_type and verifier.priv default to O's (a different type is an error: F was
// checked as O.type).
//   sys::load<count, xdp>({.name = "count"}, sys::bind<counts>(m), sys::bind<config>(c))
template <auto F, ctbpf::options O = ctbpf::options{}, auto D0, auto... D>
result<prog> load(const load_options& o, const declared_binding<D0>& first, const declared_binding<D>&... more) {
    if constexpr (!detail::unbound_of<F, D0, D...>::value.empty())
        (void)program_refers_to_a_map_no_binding_declares<detail::name_t<detail::unbound_of<F, D0, D...>>>::value;
    const std::array<map_binding, 1 + sizeof...(D)> bindings{first, more...};
    return detail::load_declared<F, O, D0, D...>(o, bindings);
}
// Loads the compile-time program F (without maps, or with maps bound by name in `maps`), checked
// at compile time with options O; load_options::type, expected_attach_type and verifier.priv
// default to O's.
template <auto F, ctbpf::options O>
result<prog> load(const load_options& o, std::span<const map_binding> maps = {}) {
    return detail::load_declared<F, O>(o, maps); // (maps bound by name only: their shapes are not checked)
}
template <auto F, ctbpf::options O>
result<prog> load(const load_options& o, std::initializer_list<map_binding> maps) {
    return load<F, O>(o, std::span<const map_binding>(maps.begin(), maps.size()));
}

} // namespace ctbpf::sys
