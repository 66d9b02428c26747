// Mistake: map rules that need the map's shape, which the program's map declarations give
// (assemble<F, options, maps...>()): a lookup's result used without a null check, a map value
// read past its declared size, a stack pointer where the map goes, a key shorter than the
// declared key. Without the declarations each of these compiles and only the kernel refuses it.
// flags-clang: -ferror-limit=0
// expect: ctbpf: program rejected; the rule, instruction index, source line, label and the kernel's message are program_rejected<...>'s template arguments
// expect-gcc: Rule = ctbpf::errc::pointer_may_be_null; unsigned int InsnIndex = 7; unsigned int Line = @null_check@; text<...auto...> Label = ctbpf::text<1>{""}; text<...auto...> Message = ctbpf::text<42>{"R0 invalid mem access \'map_value_or_null\'"}]
// expect-clang: program_rejected<ctbpf::errc::pointer_may_be_null, 7, @null_check@, 
// expect-clang19: program_rejected<ctbpf::errc::pointer_may_be_null, 7, @null_check@, text<1>{""}, text<42>{
// expect-gcc: Rule = ctbpf::errc::map_value_access_is_out_of_bounds; unsigned int InsnIndex = 7; unsigned int Line = @past_value@; text<...auto...> Label = ctbpf::text<1>{""}; text<...auto...> Message = ctbpf::text<52>{"R0 min value is outside of the allowed memory range"}]
// expect-clang: program_rejected<ctbpf::errc::map_value_access_is_out_of_bounds, 7, @past_value@, 
// expect-clang19: program_rejected<ctbpf::errc::map_value_access_is_out_of_bounds, 7, @past_value@, text<1>{""}, text<52>{
// expect-gcc: Rule = ctbpf::errc::helper_argument_has_the_wrong_type; unsigned int InsnIndex = 5; unsigned int Line = @stack_as_map@; text<...auto...> Label = ctbpf::text<1>{""}; text<...auto...> Message = ctbpf::text<28>{"R1 type=fp expected=map_ptr"}]
// expect-clang: program_rejected<ctbpf::errc::helper_argument_has_the_wrong_type, 5, @stack_as_map@, 
// expect-clang19: program_rejected<ctbpf::errc::helper_argument_has_the_wrong_type, 5, @stack_as_map@, text<1>{""}, text<28>{
// expect-gcc: Rule = ctbpf::errc::helper_memory_argument_is_invalid; unsigned int InsnIndex = 5; unsigned int Line = @short_key@; text<...auto...> Label = ctbpf::text<1>{""}; text<...auto...> Message = ctbpf::text<41>{"invalid read from stack R2 off=-2 size=4"}]
// expect-clang: program_rejected<ctbpf::errc::helper_memory_argument_is_invalid, 5, @short_key@, 
// expect-clang19: program_rejected<ctbpf::errc::helper_memory_argument_is_invalid, 5, @short_key@, text<1>{""}, text<41>{
#include <ctbpf.hpp>

#include <cstdint>

using namespace ctbpf::syntax;

inline constexpr auto counts = ctbpf::hash_map<"counts", std::uint32_t, std::uint64_t>(1024);
inline constexpr ctbpf::options xdp{.type = ctbpf::prog_type::xdp};

// bpf_map_lookup_elem returns NULL for a missing key: check before the access
constexpr auto null_check = ctbpf::assemble<[] {
    return program{
        mem<u32>(r10 - 4) = 0,
        r2 = r10,
        r2 += -4,
        r1 = map("counts"),
        call(helper::map_lookup_elem),
#ifdef CTBPF_TWIN
        if_(r0 == 0).goto_("out"),
#endif
        r1 = 1,
        lock(mem<u64>(r0 + 0)) += r1, // @null_check
    label("out"),
        w0 = XDP_PASS,
        exit_(),
    };
}, xdp, counts>();

// the value is 8 bytes: a u64 at offset 4 ends past it
constexpr auto past_value = ctbpf::assemble<[] {
    return program{
        mem<u32>(r10 - 4) = 0,
        r2 = r10,
        r2 += -4,
        r1 = map("counts"),
        call(helper::map_lookup_elem),
        if_(r0 == 0).goto_("out"),
#ifndef CTBPF_TWIN
        r0 = mem<u64>(r0 + 4), // @past_value
#else
        r0 = mem<u64>(r0 + 0),
#endif
    label("out"),
        w0 = XDP_PASS,
        exit_(),
    };
}, xdp, counts>();

// the first argument of bpf_map_lookup_elem is the map
constexpr auto stack_as_map = ctbpf::assemble<[] {
    return program{
        mem<u32>(r10 - 4) = 0,
        r2 = r10,
        r2 += -4,
#ifndef CTBPF_TWIN
        r1 = r10,
        r1 += -8,
        call(helper::map_lookup_elem), // @stack_as_map
#else
        r1 = map("counts"),
        call(helper::map_lookup_elem),
#endif
        w0 = XDP_PASS,
        exit_(),
    };
}, xdp, counts>();

// the key is 4 bytes: the helper reads 4 bytes at r2
constexpr auto short_key = ctbpf::assemble<[] {
    return program{
#ifndef CTBPF_TWIN
        mem<u16>(r10 - 2) = 0,
        r2 = r10,
        r2 += -2,
#else
        mem<u32>(r10 - 4) = 0,
        r2 = r10,
        r2 += -4,
#endif
        r1 = map("counts"),
        call(helper::map_lookup_elem), // @short_key
        w0 = XDP_PASS,
        exit_(),
    };
}, xdp, counts>();

#ifdef CTBPF_TWIN
static_assert(null_check.size() == 11 && past_value.size() == 10 && stack_as_map.size() == 8 && short_key.size() == 8);
#endif
