// Mistake: a program of the bundle uses map("events"), which the bundle does not declare.
// expect: a program in the bundle refers to a map by name that the bundle does not declare
// expect: bundle_lacks_a_map_the_program_uses
// expect-gcc: name_is<ctbpf::text<5>{"emit"}>
// expect-clang19: name_is<ctbpf::text<5>{"emit"}>
// expect-clang14: {101, 109, 105, 116, 0}}>
// expect-gcc: name_is<ctbpf::text<7>{"events"}>
// expect-clang19: name_is<ctbpf::text<7>{"events"}>
// expect-clang14: {101, 118, 101, 110, 116, 115, 0}}>
#include <ctbpf.hpp>
#include <ctbpf/sys.hpp>
#include <ctbpf/sys/bundle.hpp>

#include <cstdint>

namespace sys = ctbpf::sys;

constexpr auto emit = [] {
    using namespace ctbpf::syntax;
    return program{r1 = map("events"), r0 = 0, exit_()};
};

[[maybe_unused]] constexpr auto spec = sys::bundle(sys::map_spec<"counts", std::uint32_t, std::uint64_t>(BPF_MAP_TYPE_ARRAY, 1),
#ifdef CTBPF_TWIN
                                  sys::ringbuf_spec<"events">(4096),
#endif
                                  sys::prog_spec<"emit", emit>(BPF_PROG_TYPE_XDP));
