// Typed bundles (Boost.Hana): a compile-time description of maps (each with its own key and value
// types), ring buffers, program arrays and programs, loaded in one call, giving typed handles by
// name: what libbpf's generated skeleton gives C users, without bpftool or clang.
//
//   constexpr auto spec = sys::bundle(sys::map_spec<"counts", std::uint32_t, std::uint64_t>(BPF_MAP_TYPE_ARRAY, 1),
//                                     sys::prog_spec<"count_getpid", count_getpid>(ctbpf::prog_type::tracepoint));
//   auto b = sys::load(spec).value();
//   b.map<"counts">().lookup(0);   // sys::map<std::uint32_t, std::uint64_t>&
//   b.prog<"count_getpid">();      // sys::prog&
//
// Checked at compile time: names are unique, and every map a program refers to with map("name")
// is in the bundle (the compiler names the program and the missing map, as name_is<...>).
//
// Maps may come from their declarations (ctbpf/map_decl.hpp), programs with their options: the
// bundle's programs are then checked at compile time with the declared shapes, and the maps are
// created with exactly those shapes.
//
//   inline constexpr auto counts = ctbpf::hash_map<"counts", std::uint32_t, std::uint64_t>(1024);
//   constexpr auto spec = sys::bundle(sys::map_spec<counts>(),
//                                     sys::prog_spec<"count", count, ctbpf::options{.type = ctbpf::prog_type::xdp}>());
#pragma once

#include "ctbpf/assemble.hpp"
#include "ctbpf/sys/declared.hpp"
#include "ctbpf/sys/error.hpp"
#include "ctbpf/sys/load.hpp"
#include "ctbpf/sys/map.hpp"
#include "ctbpf/sys/ringbuf.hpp"

#include <boost/hana/at_key.hpp>
#include <boost/hana/contains.hpp>
#include <boost/hana/for_each.hpp>
#include <boost/hana/map.hpp>
#include <boost/hana/pair.hpp>
#include <boost/hana/range.hpp>
#include <boost/hana/string.hpp>
#include <boost/hana/tuple.hpp>
#include <boost/hana/unpack.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace ctbpf::sys {

namespace hana = boost::hana;

// (fixed_string, a string literal as a template argument, comes from ctbpf/map_decl.hpp through
// ctbpf/sys/declared.hpp, as do name_is and detail::name_t.)

namespace detail {
template <fixed_string S, std::size_t... I>
constexpr auto to_hana_string(std::index_sequence<I...>) {
    return hana::string_c<S.data[I]...>;
}
template <fixed_string S>
struct fixed_name {
    static constexpr std::string_view value = S.view();
};
} // namespace detail

// The compile-time key of a name: a hana::string.
template <fixed_string S>
inline constexpr auto name_c = detail::to_hana_string<S>(std::make_index_sequence<S.view().size()>{});

// ---- what a bundle holds ----

template <fixed_string Name, class K, class V>
struct map_def {
    using handle = sys::map<K, V>;
    static constexpr std::string_view name = Name.view();
    static constexpr auto key = name_c<Name>;
    static constexpr bool is_prog = false;
    std::uint32_t type = 0;
    std::uint32_t max_entries = 0;
    std::uint32_t flags = 0;
    result<handle> create() const { return handle::create(type, max_entries, {.name = name, .flags = flags}); }
};

template <fixed_string Name>
struct ringbuf_def {
    using handle = ringbuf;
    static constexpr std::string_view name = Name.view();
    static constexpr auto key = name_c<Name>;
    static constexpr bool is_prog = false;
    std::uint32_t size = 0;
    result<handle> create() const { return ringbuf::create(size, {.name = name}); }
};

template <fixed_string Name>
struct prog_array_def {
    using handle = prog_array;
    static constexpr std::string_view name = Name.view();
    static constexpr auto key = name_c<Name>;
    static constexpr bool is_prog = false;
    std::uint32_t max_entries = 0;
    result<handle> create() const { return prog_array::create(max_entries, {.name = name}); }
};

// A map made from its declaration (ctbpf/map_decl.hpp): the bundle's programs are checked at
// compile time with its shape.
template <auto D>
struct declared_map_def {
    using handle = handle_t<D>;
    static constexpr std::string_view name = decltype(D)::name;
    static constexpr auto key = name_c<decltype(D)::fixed_name>;
    static constexpr bool is_prog = false;
    static constexpr auto decl = D;
    result<handle> create() const { return sys::create<D>(); }
};

// Program F checked with options O (the program type, when given as prog_spec<Name, F, O>()).
template <fixed_string Name, auto F, ctbpf::options O = ctbpf::options{}>
struct prog_def {
    using handle = prog;
    static constexpr std::string_view name = Name.view();
    static constexpr auto key = name_c<Name>;
    static constexpr bool is_prog = true;
    static constexpr auto maps = ctbpf::map_names<F>();
    ctbpf::kernel_enum<ctbpf::prog_type> type{};
    ctbpf::kernel_enum<ctbpf::attach_type> expected_attach_type{};
    std::string_view license = "GPL";
    std::uint32_t flags = 0;
    // The image, checked with the bundle's map declarations Decls (a ctbpf::map_list). With O's
    // program type (prog_spec<Name, F, O>()) the load's types are O's: no run-time check is compiled
    // in (load() refuses other types); without (prog_spec<Name, F>(type)) load() checks at run time.
    template <auto Decls>
    static program_image image() {
        constexpr bool empty = std::is_same_v<std::remove_cvref_t<decltype(Decls)>, ctbpf::map_list<>>;
        if constexpr (O.type != ctbpf::prog_type::unspecified) {
            if constexpr (empty) return detail::checked_image<F, O>();
            else return detail::checked_image<F, O, Decls>();
        } else {
            if constexpr (empty) return sys::image<F, O>();
            else return sys::image<F, O, Decls>();
        }
    }
    template <auto Decls = ctbpf::map_list<>{}>
    result<handle> load(std::span<const map_binding> bindings) const {
        load_options o;
        o.type = type;
        o.expected_attach_type = expected_attach_type;
        o.license = license;
        o.flags = flags;
        o.name = name;
        o.verifier = O; // checked again at load when the type differs from O's
        return sys::load(image<Decls>(), o, bindings);
    }
};

// A map with key K and value V (percpu<T> for per-CPU maps), e.g. BPF_MAP_TYPE_HASH.
template <fixed_string Name, class K, class V>
constexpr map_def<Name, K, V> map_spec(std::uint32_t type, std::uint32_t max_entries, std::uint32_t flags = 0) {
    return {type, max_entries, flags};
}
// The map declared by D (ctbpf::hash_map<"counts", K, V>(n), ...): created with D's shape, its
// handle is handle_t<D>, and the bundle's programs are checked at compile time with the shape.
template <auto D>
    requires ctbpf::map_declaration<std::remove_cvref_t<decltype(D)>>
constexpr declared_map_def<D> map_spec() {
    return {};
}
// A ring buffer of `size` bytes (a power of 2, a multiple of the page size).
template <fixed_string Name>
constexpr ringbuf_def<Name> ringbuf_spec(std::uint32_t size) {
    return {size};
}
// A program array for tail calls.
template <fixed_string Name>
constexpr prog_array_def<Name> prog_array_spec(std::uint32_t max_entries) {
    return {max_entries};
}
// The compile-time program F (a lambda returning a ctbpf::program) as program type `type`
// (ctbpf::prog_type::xdp or BPF_PROG_TYPE_XDP): checked at load with this type and attach type.
template <fixed_string Name, auto F>
constexpr prog_def<Name, F> prog_spec(ctbpf::kernel_enum<ctbpf::prog_type> type,
                                      ctbpf::kernel_enum<ctbpf::attach_type> expected_attach_type = {},
                                      std::string_view license = "GPL") {
    return {type, expected_attach_type, license, 0};
}
// The compile-time program F, checked at compile time with options O (its program type and
// expected attach type are O's) and the bundle's map declarations.
template <fixed_string Name, auto F, ctbpf::options O>
constexpr prog_def<Name, F, O> prog_spec(std::string_view license = "GPL") {
    return {O.type, O.expected_attach_type, license, 0};
}

// ---- compile-time checks, with the names in the compiler's output ----

// Instantiated when a program refers to a map the bundle lacks.
template <class Program, class MissingMap>
struct bundle_lacks_a_map_the_program_uses {
    static_assert(detail::always_false<Program>, "ctbpf: a program in the bundle refers to a map by name that the "
                                                 "bundle does not declare; see bundle_lacks_a_map_the_program_uses"
                                                 "<program, map> in this error's context");
    static constexpr bool value = true;
};
template <class Name>
struct bundle_declares_a_name_twice {
    static_assert(detail::always_false<Name>, "ctbpf: two entries of the bundle have the same name; see "
                                              "bundle_declares_a_name_twice<name> in this error's context");
    static constexpr bool value = true;
};
template <class Name>
struct bundle_has_no_entry_named {
    static_assert(detail::always_false<Name>, "ctbpf: the bundle has no map or program of this name; see "
                                              "bundle_has_no_entry_named<name> in this error's context");
    static constexpr bool value = true;
};

namespace detail {
template <class... Defs>
consteval std::string_view duplicate_name() {
    constexpr std::string_view names[] = {Defs::name...};
    for (std::size_t i = 0; i < sizeof...(Defs); ++i)
        for (std::size_t j = i + 1; j < sizeof...(Defs); ++j)
            if (names[i] == names[j]) return names[i];
    return {};
}
template <class... Defs>
struct duplicate_of {
    static constexpr std::string_view value = duplicate_name<Defs...>();
};
// The first map that program def P uses and the bundle does not declare (empty when none).
template <class P, class... Defs>
consteval std::string_view missing_map() {
    if constexpr (!P::is_prog) {
        return {};
    } else {
        constexpr std::string_view names[] = {Defs::name...};
        constexpr bool is_map[] = {!Defs::is_prog...};
        for (std::string_view m : P::maps) {
            bool found = false;
            for (std::size_t i = 0; i < sizeof...(Defs); ++i) found = found || (is_map[i] && names[i] == m);
            if (!found) return m;
        }
        return {};
    }
}
template <class P, class... Defs>
struct missing_of {
    static constexpr std::string_view value = missing_map<P, Defs...>();
};
template <class D>
struct name_of {
    static constexpr std::string_view value = D::name;
};
template <class P, class... Defs>
constexpr void check_prog_maps() {
    if constexpr (!missing_of<P, Defs...>::value.empty())
        (void)sizeof(bundle_lacks_a_map_the_program_uses<name_t<name_of<P>>, name_t<missing_of<P, Defs...>>>);
}

// The bundle's map declarations as one ctbpf::map_list.
template <auto... A, auto... B>
constexpr ctbpf::map_list<A..., B...> operator+(ctbpf::map_list<A...>, ctbpf::map_list<B...>) {
    return {};
}
template <class Def>
struct decls_of {
    using type = ctbpf::map_list<>;
};
template <auto D>
struct decls_of<declared_map_def<D>> {
    using type = ctbpf::map_list<D>;
};
template <class... Defs>
inline constexpr auto bundle_decls = (ctbpf::map_list<>{} + ... + typename decls_of<Defs>::type{});

// A program of the bundle, checked at compile time with the bundle's declarations.
template <class P, class... Defs>
constexpr void check_prog_image() {
    if constexpr (P::is_prog) (void)&P::template image<bundle_decls<Defs...>>;
}
} // namespace detail

// The description of a bundle: maps and programs, in the order they are created.
template <class... Defs>
struct bundle_spec {
    hana::tuple<Defs...> defs;
};

template <class... Defs>
constexpr bundle_spec<Defs...> bundle(Defs... defs) {
    if constexpr (!detail::duplicate_of<Defs...>::value.empty())
        (void)sizeof(bundle_declares_a_name_twice<detail::name_t<detail::duplicate_of<Defs...>>>);
    (detail::check_prog_maps<Defs, Defs...>(), ...);
    (detail::check_prog_image<Defs, Defs...>(), ...);
    return {hana::make_tuple(defs...)};
}

// A loaded bundle: every handle, typed, by name.
template <class... Defs>
class loaded_bundle {
public:
    using storage = decltype(hana::make_map(hana::make_pair(Defs::key, std::declval<typename Defs::handle>())...));
    explicit loaded_bundle(storage s) : handles_(std::move(s)) {}

    // The handle named N: sys::map<K, V>&, ringbuf&, prog_array& or prog&.
    template <fixed_string N>
    auto& get() {
        check<N>();
        return handles_[name_c<N>];
    }
    template <fixed_string N>
    const auto& get() const {
        check<N>();
        return handles_[name_c<N>];
    }
    template <fixed_string N>
    auto& map() {
        static_assert(!std::is_same_v<std::decay_t<decltype(get<N>())>, sys::prog>, "ctbpf: this name is a program; use prog<name>()");
        return get<N>();
    }
    template <fixed_string N>
    sys::prog& prog() {
        static_assert(std::is_same_v<std::decay_t<decltype(get<N>())>, sys::prog>, "ctbpf: this name is a map; use map<name>()");
        return get<N>();
    }
    // Calls f(name, handle) for every entry, in declaration order.
    template <class Fn>
    void for_each(Fn&& f) {
        (f(Defs::name, handles_[Defs::key]), ...);
    }

private:
    template <fixed_string N>
    static constexpr void check() {
        if constexpr (!decltype(hana::contains(std::declval<storage>(), name_c<N>))::value)
            (void)sizeof(bundle_has_no_entry_named<detail::name_t<detail::fixed_name<N>>>);
    }
    storage handles_;
};

// Creates every map of the bundle, then loads every program with the maps bound by name. On an
// error, whatever was created is closed again and the error names the entry.
template <class... Defs>
result<loaded_bundle<Defs...>> load(const bundle_spec<Defs...>& spec) {
    constexpr auto indices = hana::make_range(hana::size_c<0>, hana::size_c<sizeof...(Defs)>);
    hana::tuple<std::optional<typename Defs::handle>...> made;
    std::optional<error> failed;
    std::vector<map_binding> bindings;
    bindings.reserve(sizeof...(Defs));
    // Maps first, then programs (which need the maps' fds).
    hana::for_each(indices, [&](auto i) {
        const auto& d = spec.defs[i];
        using D = std::decay_t<decltype(d)>;
        if constexpr (!D::is_prog) {
            if (failed) return;
            auto h = d.create();
            if (!h) {
                failed = std::move(h).error();
                return;
            }
            made[i].emplace(std::move(h).value());
            bindings.emplace_back(D::name, made[i]->fd());
        }
    });
    hana::for_each(indices, [&](auto i) {
        const auto& d = spec.defs[i];
        using D = std::decay_t<decltype(d)>;
        if constexpr (D::is_prog) {
            if (failed) return;
            auto h = d.template load<detail::bundle_decls<Defs...>>(bindings);
            if (!h) {
                failed = std::move(h).error();
                return;
            }
            made[i].emplace(std::move(h).value());
        }
    });
    if (failed) {
        failed->message = "loading the bundle: " + failed->message;
        return std::move(*failed);
    }
    return hana::unpack(indices, [&](auto... i) {
        return loaded_bundle<Defs...>(hana::make_map(hana::make_pair(spec.defs[i].key, std::move(*made[i]))...));
    });
}

} // namespace ctbpf::sys
