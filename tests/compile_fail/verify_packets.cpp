// Mistake: packet and context rules: a packet is read only inside the range checked against
// data_end, a context field exists for the program type, only some program types write into
// the packet, and the packet end is no pointer to move. One rejected program per rule.
// flags-clang: -ferror-limit=0
// expect: ctbpf: program rejected; the rule, instruction index, source line, label and the kernel's message are program_rejected<...>'s template arguments
// expect-gcc: Rule = ctbpf::errc::packet_access_is_out_of_range; unsigned int InsnIndex = 2; unsigned int Line = @unchecked@; text<...auto...> Label = ctbpf::text<1>{""}; text<...auto...> Message = ctbpf::text<35>{"R2 offset is outside of the packet"}]
// expect-clang: program_rejected<ctbpf::errc::packet_access_is_out_of_range, 2, @unchecked@, 
// expect-clang19: program_rejected<ctbpf::errc::packet_access_is_out_of_range, 2, @unchecked@, text<1>{""}, text<35>{
// expect-gcc: Rule = ctbpf::errc::packet_access_is_out_of_range; unsigned int InsnIndex = 6; unsigned int Line = @past_check@; text<...auto...> Label = ctbpf::text<1>{""}; text<...auto...> Message = ctbpf::text<35>{"R2 offset is outside of the packet"}]
// expect-clang: program_rejected<ctbpf::errc::packet_access_is_out_of_range, 6, @past_check@, 
// expect-clang19: program_rejected<ctbpf::errc::packet_access_is_out_of_range, 6, @past_check@, text<1>{""}, text<35>{
// expect-gcc: Rule = ctbpf::errc::invalid_context_access; unsigned int InsnIndex = 0; unsigned int Line = @no_field@; text<...auto...> Label = ctbpf::text<1>{""}; text<...auto...> Message = ctbpf::text<41>{"invalid bpf_context access off=24 size=4"}]
// expect-clang: program_rejected<ctbpf::errc::invalid_context_access, 0, @no_field@, 
// expect-clang19: program_rejected<ctbpf::errc::invalid_context_access, 0, @no_field@, text<1>{""}, text<41>{
// expect-gcc: Rule = ctbpf::errc::cannot_write_into_packet; unsigned int InsnIndex = 6; unsigned int Line = @write@; text<...auto...> Label = ctbpf::text<1>{""}; text<...auto...> Message = ctbpf::text<25>{"cannot write into packet"}]
// expect-clang: program_rejected<ctbpf::errc::cannot_write_into_packet, 6, @write@, 
// expect-clang19: program_rejected<ctbpf::errc::cannot_write_into_packet, 6, @write@, text<1>{""}, text<25>{
// expect-gcc: Rule = ctbpf::errc::pointer_arithmetic_is_prohibited; unsigned int InsnIndex = 1; unsigned int Line = @end_math@; text<...auto...> Label = ctbpf::text<1>{""}; text<...auto...> Message = ctbpf::text<44>{"R3 pointer arithmetic on pkt_end prohibited"}]
// expect-clang: program_rejected<ctbpf::errc::pointer_arithmetic_is_prohibited, 1, @end_math@, 
// expect-clang19: program_rejected<ctbpf::errc::pointer_arithmetic_is_prohibited, 1, @end_math@, text<1>{""}, text<44>{
#include <ctbpf.hpp>

using namespace ctbpf::syntax;

inline constexpr ctbpf::options xdp{.type = ctbpf::prog_type::xdp};
inline constexpr ctbpf::options cgroup_skb{.type = ctbpf::prog_type::cgroup_skb};

// reading the packet needs a check against data_end first
constexpr auto unchecked = ctbpf::assemble<[] {
    return program{
        r2 = mem<u32>(r1 + 0), // ctx->data
        r3 = mem<u32>(r1 + 4), // ctx->data_end
#ifndef CTBPF_TWIN
        r0 = mem<u8>(r2 + 0), // @unchecked
#else
        r4 = r2,
        r4 += 1,
        if_(r4 > r3).goto_("out"),
        r0 = mem<u8>(r2 + 0),
    label("out"),
#endif
        r0 = 2,
        exit_(),
    };
}, xdp>();

// the check covers 14 bytes: the ethertype is at 12, not 14
constexpr auto past_check = ctbpf::assemble<[] {
    return program{
        r2 = mem<u32>(r1 + 0),
        r3 = mem<u32>(r1 + 4),
        r4 = r2,
        r4 += 14,
        w0 = 2,
        if_(r4 > r3).goto_("out"),
#ifndef CTBPF_TWIN
        r0 = mem<u16>(r2 + 14), // @past_check
#else
        r0 = mem<u16>(r2 + 12),
#endif
        w0 = 2,
    label("out"),
        exit_(),
    };
}, xdp>();

// struct xdp_md has 6 fields of 4 bytes
constexpr auto no_field = ctbpf::assemble<[] {
    return program{
#ifndef CTBPF_TWIN
        w0 = mem<u32>(r1 + 24), // @no_field
#else
        w0 = mem<u32>(r1 + 16), // rx_queue_index
#endif
        w0 = 2,
        exit_(),
    };
}, xdp>();

// cgroup_skb programs read the packet but do not write it
constexpr auto write = ctbpf::assemble<[] {
    return program{
        r2 = mem<u32>(r1 + 76), // __sk_buff data
        r3 = mem<u32>(r1 + 80), // __sk_buff data_end
        r4 = r2,
        r4 += 1,
        if_(r4 > r3).goto_("out"),
        r5 = 0,
#ifndef CTBPF_TWIN
        mem<u8>(r2 + 0) = r5, // @write
#else
        r5 = mem<u8>(r2 + 0),
#endif
    label("out"),
        r0 = 1,
        exit_(),
    };
}, cgroup_skb>();

// data_end only compares
constexpr auto end_math = ctbpf::assemble<[] {
    return program{
        r3 = mem<u32>(r1 + 4),
#ifndef CTBPF_TWIN
        r3 += -1, // @end_math
#else
        r2 = mem<u32>(r1 + 0),
#endif
        r0 = 2,
        exit_(),
    };
}, xdp>();


#ifdef CTBPF_TWIN
static_assert(unchecked.size() == 8 && past_check.size() == 9 && no_field.size() == 3);
static_assert(write.size() == 9 && end_math.size() == 4);
#endif
