// Mistake: two entries of a bundle share the name "counts".
// expect: two entries of the bundle have the same name
// expect: bundle_declares_a_name_twice
// expect-gcc: name_is<ctbpf::text<7>{"counts"}>
// expect-clang19: name_is<ctbpf::text<7>{"counts"}>
// expect-clang14: {99, 111, 117, 110, 116, 115, 0}}>
#include <ctbpf.hpp>
#include <ctbpf/sys.hpp>
#include <ctbpf/sys/bundle.hpp>

#include <cstdint>

namespace sys = ctbpf::sys;

[[maybe_unused]] constexpr auto spec = sys::bundle(sys::map_spec<"counts", std::uint32_t, std::uint64_t>(BPF_MAP_TYPE_ARRAY, 1),
#ifndef CTBPF_TWIN
                                  sys::map_spec<"counts", std::uint64_t, std::uint64_t>(BPF_MAP_TYPE_HASH, 8));
#else
                                  sys::map_spec<"totals", std::uint64_t, std::uint64_t>(BPF_MAP_TYPE_HASH, 8));
#endif
