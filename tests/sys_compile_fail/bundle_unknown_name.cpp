// Mistake: asking a loaded bundle for a name it does not have.
// expect: the bundle has no map or program of this name
// expect: bundle_has_no_entry_named
// expect-gcc: name_is<ctbpf::text<6>{"count"}>
// expect-clang19: name_is<ctbpf::text<6>{"count"}>
// expect-clang14: {99, 111, 117, 110, 116, 0}}>
#include <ctbpf.hpp>
#include <ctbpf/sys.hpp>
#include <ctbpf/sys/bundle.hpp>

#include <cstdint>

namespace sys = ctbpf::sys;

[[maybe_unused]] constexpr auto spec = sys::bundle(sys::map_spec<"counts", std::uint32_t, std::uint64_t>(BPF_MAP_TYPE_ARRAY, 1));

std::uint64_t first(decltype(sys::load(spec).value())& b) {
#ifndef CTBPF_TWIN
    return b.map<"count">().lookup(0).value();
#else
    return b.map<"counts">().lookup(0).value();
#endif
}
