// Mistake: sys:: handles that differ from the map's declaration: a key type (std::uint64_t for a
// map declared with std::uint32_t keys), a per-CPU map's value without sys::percpu<T>, a ring
// buffer bound where a hash map is declared, and a program loaded with a binding missing for a map
// it uses. The map the kernel gets must be the one the program was checked against.
// flags-clang: -ferror-limit=0
// expect: ctbpf: the key type of this sys::map<K, V> differs from the map's declaration; the map's name, the declared key type and the handle's key type are the template arguments of map_key_type_differs_from_its_declaration<...> in this error's context
// expect: map_key_type_differs_from_its_declaration<ctbpf::sys::name_is<
// expect-gcc: map_key_type_differs_from_its_declaration<ctbpf::sys::name_is<ctbpf::text<7>{"counts"}>
// expect-clang19: map_key_type_differs_from_its_declaration<ctbpf::sys::name_is<ctbpf::text<7>{"counts"}>
// expect-clang14: {99, 111, 117, 110, 116, 115, 0}}>
// expect: ctbpf: the value type of this sys::map<K, V> differs from the map's declaration (per-CPU maps take sys::percpu<T>)
// expect: map_value_type_differs_from_its_declaration<ctbpf::sys::name_is<
// expect-gcc: map_value_type_differs_from_its_declaration<ctbpf::sys::name_is<ctbpf::text<8>{"per_cpu"}>
// expect-clang19: map_value_type_differs_from_its_declaration<ctbpf::sys::name_is<ctbpf::text<8>{"per_cpu"}>
// expect-clang14: {112, 101, 114, 95, 99, 112, 117, 0}}>
// expect: ctbpf: this handle is not the kind the map's declaration makes (sys::handle_t<declaration>)
// expect: map_handle_differs_from_its_declaration<ctbpf::sys::name_is<
// expect-gcc: map_handle_differs_from_its_declaration<ctbpf::sys::name_is<ctbpf::text<7>{"counts"}>
// expect-clang19: map_handle_differs_from_its_declaration<ctbpf::sys::name_is<ctbpf::text<7>{"counts"}>
// expect-clang14: {99, 111, 117, 110, 116, 115, 0}}>
// expect: ctbpf: the program refers to a map by name that none of the sys::bind<declaration>(handle) arguments declares
// expect: program_refers_to_a_map_no_binding_declares<ctbpf::sys::name_is<
// expect-gcc: program_refers_to_a_map_no_binding_declares<ctbpf::sys::name_is<ctbpf::text<8>{"per_cpu"}>
// expect-clang19: program_refers_to_a_map_no_binding_declares<ctbpf::sys::name_is<ctbpf::text<8>{"per_cpu"}>
// expect-clang14: {112, 101, 114, 95, 99, 112, 117, 0}}>
#include <ctbpf.hpp>
#include <ctbpf/sys.hpp>

#include <cstdint>

namespace sys = ctbpf::sys;
using namespace ctbpf::syntax;

inline constexpr auto counts = ctbpf::hash_map<"counts", std::uint32_t, std::uint64_t>(1024);
inline constexpr auto per_cpu = ctbpf::percpu_array_map<"per_cpu", std::uint64_t>(1);
inline constexpr auto events = ctbpf::ringbuf_map<"events">(4096);
inline constexpr ctbpf::options xdp{.type = ctbpf::prog_type::xdp};

constexpr auto uses_both = [] {
    return program{
        r1 = map("counts"),
        r1 = map("per_cpu"),
        w0 = XDP_PASS,
        exit_(),
    };
};

#ifndef CTBPF_TWIN
using count_handle = sys::map<std::uint64_t, std::uint64_t>;
using per_cpu_handle = sys::map<std::uint32_t, std::uint64_t>;
#else
using count_handle = sys::map<std::uint32_t, std::uint64_t>;
using per_cpu_handle = sys::map<std::uint32_t, sys::percpu<std::uint64_t>>;
#endif

void key_type(const count_handle& m) {
    (void)sys::bind<counts>(m);
}
void percpu_value(const per_cpu_handle& m) {
    (void)sys::bind<per_cpu>(m);
}
void kind(const sys::ringbuf& r, const sys::handle_t<counts>& m) {
#ifndef CTBPF_TWIN
    (void)sys::bind<counts>(r);
    (void)m;
#else
    (void)sys::bind<events>(r);
    (void)sys::bind<counts>(m);
#endif
}
int unbound(const sys::handle_t<counts>& c, [[maybe_unused]] const sys::handle_t<per_cpu>& p) {
#ifndef CTBPF_TWIN
    auto prog = sys::load<uses_both, xdp>({}, sys::bind<counts>(c));
#else
    auto prog = sys::load<uses_both, xdp>({}, sys::bind<counts>(c), sys::bind<per_cpu>(p));
#endif
    return prog.ok() ? 0 : 1;
}
