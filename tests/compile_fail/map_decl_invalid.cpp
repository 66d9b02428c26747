// Mistake: map declarations BPF_MAP_CREATE would refuse (no room in a hash map, an array map with
// 8-byte keys, a ring buffer whose size is not a power of 2), and two declarations of one name
// given to a program. The declarations are consteval: the compiler names the rule.
// flags-clang: -ferror-limit=0
// expect: max_entries_must_not_be_0
// expect: array_map_keys_are_4_bytes
// expect: ring_buffer_size_must_be_a_power_of_2_and_at_least_4096
// expect: ctbpf: two map declarations have the same name, map_is_declared_twice<...>'s template argument
// expect-gcc: map_is_declared_twice<Name>::~map_is_declared_twice() [with text<...auto...> Name = ctbpf::text<7>{"counts"}]
// expect-clang: map_is_declared_twice<
// expect-clang19: map_is_declared_twice<text<7>{"counts"}>
#include <ctbpf.hpp>

#include <cstdint>

using namespace ctbpf::syntax;

#ifndef CTBPF_TWIN
inline constexpr auto counts = ctbpf::hash_map<"counts", std::uint32_t, std::uint64_t>(0);
inline constexpr auto wide = ctbpf::declare_map<"wide", std::uint64_t, std::uint64_t>(ctbpf::map_type::array, 16);
inline constexpr auto events = ctbpf::ringbuf_map<"events">(5000);
inline constexpr auto totals = ctbpf::array_map<"counts", std::uint64_t>(1);
#else
inline constexpr auto counts = ctbpf::hash_map<"counts", std::uint32_t, std::uint64_t>(1024);
inline constexpr auto wide = ctbpf::declare_map<"wide", std::uint64_t, std::uint64_t>(ctbpf::map_type::hash, 16);
inline constexpr auto events = ctbpf::ringbuf_map<"events">(4096);
inline constexpr auto totals = ctbpf::array_map<"totals", std::uint64_t>(1);
#endif

constexpr auto prog = ctbpf::assemble<[] {
    return program{
        r1 = map("counts"),
        r0 = 0,
        exit_(),
    };
}, ctbpf::options{}, ctbpf::hash_map<"counts", std::uint32_t, std::uint64_t>(8), totals>();

#ifdef CTBPF_TWIN
static_assert(prog.size() == 4 && wide.max_entries == 16 && events.max_entries == 4096 && counts.max_entries == 1024);
#endif
