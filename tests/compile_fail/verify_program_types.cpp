// Mistake: rules that depend on the program type: which types an unprivileged user may load
// (bpf_prog_load), the return values of cgroup programs (check_return_code), and legacy packet
// loads (LD_ABS/LD_IND: socket filters and tc programs only, with the context in r6). One
// rejected program per rule, each its own error. Where the kernel logs nothing (the program type
// check) ctbpf's message starts "(no log)".
// flags-clang: -ferror-limit=0
// expect: ctbpf: program rejected; the rule, instruction index, source line, label and the kernel's message are program_rejected<...>'s template arguments
// expect-gcc: Rule = ctbpf::errc::program_type_needs_privileges; unsigned int InsnIndex = 0; unsigned int Line = @xdp_user@; text<...auto...> Label = ctbpf::text<1>{""}; text<...auto...> Message = ctbpf::text<
// expect-clang: program_rejected<ctbpf::errc::program_type_needs_privileges, 0, @xdp_user@, 
// expect-clang19: program_rejected<ctbpf::errc::program_type_needs_privileges, 0, @xdp_user@
// expect-gcc: {"(no log)
// expect-gcc: Rule = ctbpf::errc::return_value_is_out_of_range; unsigned int InsnIndex = 1; unsigned int Line = @ret2@; text<...auto...> Label = ctbpf::text<1>{""}; text<...auto...> Message = ctbpf::text<77>{"At program exit the register R0 has smin=2 smax=2 should have been in [0, 1]"}]
// expect-clang: program_rejected<ctbpf::errc::return_value_is_out_of_range, 1, @ret2@, 
// expect-clang19: program_rejected<ctbpf::errc::return_value_is_out_of_range, 1, @ret2@, text<1>{""}, text<77>{
// expect-gcc: Rule = ctbpf::errc::return_value_is_not_a_known_value; unsigned int InsnIndex = 1; unsigned int Line = @ret_fp@; text<...auto...> Label = ctbpf::text<1>{""}; text<...auto...> Message = ctbpf::text<58>{"At program exit the register R0 is not a known value (fp)"}]
// expect-clang: program_rejected<ctbpf::errc::return_value_is_not_a_known_value, 1, @ret_fp@, 
// expect-clang19: program_rejected<ctbpf::errc::return_value_is_not_a_known_value, 1, @ret_fp@, text<1>{""}, text<58>{
// expect-gcc: Rule = ctbpf::errc::ld_abs_is_not_allowed_for_this_program_type; unsigned int InsnIndex = 1; unsigned int Line = @xdp_ld_abs@; text<...auto...> Label = ctbpf::text<1>{""}; text<...auto...> Message = ctbpf::text<64>{"BPF_LD_[ABS|IND] instructions not allowed for this program type"}]
// expect-clang: program_rejected<ctbpf::errc::ld_abs_is_not_allowed_for_this_program_type, 1, @xdp_ld_abs@, 
// expect-clang19: program_rejected<ctbpf::errc::ld_abs_is_not_allowed_for_this_program_type, 1, @xdp_ld_abs@, text<1>{""}, text<64>{
// expect-gcc: Rule = ctbpf::errc::ld_abs_needs_the_context_in_r6; unsigned int InsnIndex = 1; unsigned int Line = @r6@; text<...auto...> Label = ctbpf::text<1>{""}; text<...auto...> Message = ctbpf::text<51>{"at the time of BPF_LD_ABS|IND R6 != pointer to skb"}]
// expect-clang: program_rejected<ctbpf::errc::ld_abs_needs_the_context_in_r6, 1, @r6@, 
// expect-clang19: program_rejected<ctbpf::errc::ld_abs_needs_the_context_in_r6, 1, @r6@, text<1>{""}, text<51>{
#include <ctbpf.hpp>

using namespace ctbpf::syntax;

// unprivileged users load socket filters and cgroup skb programs only (EPERM, no log)
constexpr auto xdp_unprivileged = ctbpf::assemble<[] {
    return program{
        r0 = 2, // @xdp_user
        exit_(),
    };
}, ctbpf::options{.priv = ctbpf::privilege::unprivileged,
#ifndef CTBPF_TWIN
                  .type = ctbpf::prog_type::xdp}>();
#else
                  .type = ctbpf::prog_type::socket_filter}>();
#endif

// a cgroup skb program returns 0 (drop) or 1 (allow); 0 to 3 on egress (attach type 1)
constexpr auto cgroup_returns_2 = ctbpf::assemble<[] {
    return program{
#ifndef CTBPF_TWIN
        r0 = 2,
#else
        r0 = 1,
#endif
        exit_(), // @ret2
    };
}, ctbpf::options{.type = ctbpf::prog_type::cgroup_skb}>();

// ... and no pointer
constexpr auto cgroup_returns_pointer = ctbpf::assemble<[] {
    return program{
#ifndef CTBPF_TWIN
        r0 = r10,
#else
        r0 = 0,
#endif
        exit_(), // @ret_fp
    };
}, ctbpf::options{.type = ctbpf::prog_type::cgroup_skb}>();

// XDP has no legacy packet loads: read the packet between ctx->data and ctx->data_end
constexpr auto xdp_ld_abs = ctbpf::assemble<[] {
    return program{
#ifndef CTBPF_TWIN
        r6 = r1,
        r0 = skb<u8>[12], // @xdp_ld_abs
#else
        r0 = 0,
        r2 = mem<u32>(r1 + 0),
        r3 = mem<u32>(r1 + 4),
        r4 = r2,
        r4 += 13,
        if_(r4 > r3).goto_("out"),
        r0 = mem<u8>(r2 + 12),
    label("out"),
#endif
        exit_(),
    };
}, ctbpf::options{.type = ctbpf::prog_type::xdp}>();

// LD_ABS reads the packet of the context in r6 (r6 = r1)
constexpr auto ld_abs_r6 = ctbpf::assemble<[] {
    return program{
#ifndef CTBPF_TWIN
        r6 = r10,
#else
        r6 = r1,
#endif
        r0 = skb<u16>[12], // @r6
        exit_(),
    };
}, ctbpf::options{.type = ctbpf::prog_type::socket_filter}>();

#ifdef CTBPF_TWIN
static_assert(xdp_unprivileged.size() == 2 && cgroup_returns_2.size() == 2 && cgroup_returns_pointer.size() == 2);
static_assert(xdp_ld_abs.size() == 8 && ld_abs_r6.size() == 3);
#endif
