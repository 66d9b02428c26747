// Mistake: programs whose shape the kernel rejects before simulating anything: no instructions, too
// many (bpf_prog_load), calls to nowhere or to too many subprograms (add_subprog), jumps out of
// their subprogram and subprograms that fall off their end (check_subprogs), LD_ABS and tail calls
// in subprograms without BTF (check_abnormal_return). One rejected program per rule, each its own
// error. Where the kernel logs nothing (the size limits) ctbpf's message starts "(no log)".
// Small limits in the kernel profile keep the size rules cheap.
// flags-clang: -ferror-limit=0
// expect: ctbpf: program rejected; the rule, instruction index, source line and label are the template arguments of program_rejected<...> in this error's context
// expect: program_rejected<ctbpf::errc::program_is_empty, 0, 0>
// expect: kernel_message<{{(no log)}}
// expect: program_rejected<ctbpf::errc::program_is_too_large, 4, @too_large@>
// expect: kernel_message<{{(no log)}}
// expect: program_rejected<ctbpf::errc::call_to_invalid_destination, 1, @nowhere@>
// expect: kernel_message<{{call to invalid destination}}>
// expect: program_rejected<ctbpf::errc::too_many_subprograms, 1, @third@>
// expect: kernel_message<{{too many subprograms}}>
// expect: program_rejected<ctbpf::errc::jump_out_of_range, 1, @across@>
// expect: kernel_message<{{jump out of range from insn 1 to 4}}>
// expect: program_rejected<ctbpf::errc::last_insn_is_not_an_exit_or_jmp, 1, @fallthrough@>
// expect: kernel_message<{{last insn is not an exit or jmp}}>
// expect: program_rejected<ctbpf::errc::ld_abs_is_not_allowed_in_subprogs_without_btf, 3, @ld_abs@, 'l', 'o', 'a', 'd'>
// expect: kernel_message<{{LD_ABS is not allowed in subprogs without BTF}}>
// expect: program_rejected<ctbpf::errc::tail_call_is_not_allowed_in_subprogs_without_btf, 5, @tail_call@, 'j', 'u', 'm', 'p'>
// expect: kernel_message<{{tail_call is not allowed in subprogs without BTF}}>
#include <ctbpf.hpp>

using namespace ctbpf::syntax;

// no instructions (E2BIG, no log; no instruction to name: index 0, line 0)
constexpr auto empty = ctbpf::assemble<[] {
    return program{
#ifdef CTBPF_TWIN
        r0 = 0,
        exit_(),
#endif
    };
}>();

// more instructions than the kernel takes (E2BIG, no log); the index is the first one past the
// limit (a limit of 4 here, 1,000,000 for root and 4096 unprivileged on Linux 6.18)
constexpr auto too_large = ctbpf::assemble<[] {
    return program{
        r0 = 1,
#ifndef CTBPF_TWIN
        r0 += 2,
        r0 *= 3,
        r0 -= 4,
#else
        r0 += 5,
#endif
        exit_(), // @too_large
    };
}, ctbpf::options{.kernel = {.max_insns = 4}}>();

// a bpf-to-bpf call by distance that leaves the program
constexpr auto call_nowhere = ctbpf::assemble<[] {
    return program{
        r0 = 0,
#ifndef CTBPF_TWIN
        ctbpf::fn::call_rel(5), // @nowhere
#else
        call("f"),
#endif
        exit_(),
    label("f"),
        r0 = 1,
        exit_(),
    };
}>();

// a third subprogram where the kernel takes two (BPF_MAX_SUBPROGS is 256 on Linux 6.18)
constexpr auto third_subprogram = ctbpf::assemble<[] {
    return program{
        call("f"),
#ifndef CTBPF_TWIN
        call("g"), // @third
#else
        call("f"),
#endif
        exit_(),
    label("f"),
        r0 = 1,
        exit_(),
#ifndef CTBPF_TWIN
    label("g"),
        r0 = 2,
        exit_(),
#endif
    };
}, ctbpf::options{.kernel = {.max_subprogs = 2}}>();

// a jump from the main program into a subprogram
constexpr auto jump_across = ctbpf::assemble<[] {
    return program{
        call("f"),
#ifndef CTBPF_TWIN
        if_(r0 == 0).goto_("f_out"), // @across
#else
        if_(r0 == 0).goto_("out"),
#endif
    label("out"),
        exit_(),
    label("f"),
        r0 = 0,
    label("f_out"),
        exit_(),
    };
}>();

// the main program falls through into its subprogram
constexpr auto fallthrough = ctbpf::assemble<[] {
    return program{
        call("f"),
#ifndef CTBPF_TWIN
        r0 += 1, // @fallthrough
#else
        r0 += 1,
        exit_(),
#endif
    label("f"),
        r0 = 1,
        exit_(),
    };
}>();

// a legacy packet load in a subprogram (allowed only with BTF func_info)
constexpr auto ld_abs_in_subprogram = ctbpf::assemble<[] {
    return program{
        r6 = r1,
#ifndef CTBPF_TWIN
        call("load"),
#else
        r0 = skb<u8>[12],
#endif
        exit_(),
#ifndef CTBPF_TWIN
    label("load"),
        r0 = skb<u8>[12], // @ld_abs
        exit_(),
#endif
    };
}>();

// a tail call in a subprogram (allowed only with BTF func_info)
constexpr auto tail_call_in_subprogram = ctbpf::assemble<[] {
    return program{
#ifndef CTBPF_TWIN
        call("jump"),
        exit_(),
    label("jump"),
#endif
        r2 = map("programs"),
        r3 = 0,
        call(helper::tail_call), // @tail_call
        r0 = 0,
        exit_(),
    };
}>();

#ifdef CTBPF_TWIN
static_assert(empty.size() == 2 && too_large.size() == 3 && call_nowhere.size() == 5);
static_assert(third_subprogram.size() == 5 && jump_across.size() == 5 && fallthrough.size() == 5);
static_assert(ld_abs_in_subprogram.size() == 3 && tail_call_in_subprogram.size() == 6);
#endif
