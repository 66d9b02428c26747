// Mistake: calls the kernel's verifier rejects: a helper id past the last one (Linux 6.18: 211),
// helper 0, bpf-to-bpf calls without CAP_BPF, recursion (past 8 frames), a subprogram returning a
// pointer to its own stack, and a callback address without BTF func_info. One rejected program
// per rule, each its own error.
// flags-clang: -ferror-limit=0
// expect: ctbpf: program rejected; the rule, instruction index, source line, label and the kernel's message are program_rejected<...>'s template arguments
// expect-gcc: Rule = ctbpf::errc::invalid_func_id; unsigned int InsnIndex = 0; unsigned int Line = @unknown_helper@; text<...auto...> Label = ctbpf::text<1>{""}; text<...auto...> Message = ctbpf::text<25>{"invalid func unknown#212"}]
// expect-clang: program_rejected<ctbpf::errc::invalid_func_id, 0, @unknown_helper@, 
// expect-clang19: program_rejected<ctbpf::errc::invalid_func_id, 0, @unknown_helper@, text<1>{""}, text<25>{
// expect-gcc: Rule = ctbpf::errc::helper_is_not_allowed; unsigned int InsnIndex = 0; unsigned int Line = @helper0@; text<...auto...> Label = ctbpf::text<1>{""}; text<...auto...> Message = ctbpf::text<52>{"program of this type cannot use helper bpf_unspec#0"}]
// expect-clang: program_rejected<ctbpf::errc::helper_is_not_allowed, 0, @helper0@, 
// expect-clang19: program_rejected<ctbpf::errc::helper_is_not_allowed, 0, @helper0@, text<1>{""}, text<52>{
// expect-gcc: Rule = ctbpf::errc::calls_need_privileges; unsigned int InsnIndex = 0; unsigned int Line = @unprivileged_call@; text<...auto...> Label = ctbpf::text<1>{""}; text<...auto...> Message = ctbpf::text<88>{"loading/calling other bpf or kernel functions are allowed for CAP_BPF and CAP_SYS_ADMIN"}]
// expect-clang: program_rejected<ctbpf::errc::calls_need_privileges, 0, @unprivileged_call@, 
// expect-clang19: program_rejected<ctbpf::errc::calls_need_privileges, 0, @unprivileged_call@, text<1>{""}, text<88>{
// expect-gcc: Rule = ctbpf::errc::call_stack_is_too_deep; unsigned int InsnIndex = 2; unsigned int Line = @recursion@; text<...auto...> Label = ctbpf::text<2>{"f"}; text<...auto...> Message = ctbpf::text<39>{"the call stack of 9 frames is too deep"}]
// expect-clang: program_rejected<ctbpf::errc::call_stack_is_too_deep, 2, @recursion@, 
// expect-clang19: program_rejected<ctbpf::errc::call_stack_is_too_deep, 2, @recursion@, text<2>{"f"}, text<39>{
// expect-gcc: Rule = ctbpf::errc::cannot_return_stack_pointer_to_the_caller; unsigned int InsnIndex = 3; unsigned int Line = @return_stack@; text<...auto...> Label = ctbpf::text<2>{"f"}; text<...auto...> Message = ctbpf::text<42>{"cannot return stack pointer to the caller"}]
// expect-clang: program_rejected<ctbpf::errc::cannot_return_stack_pointer_to_the_caller, 3, @return_stack@, 
// expect-clang19: program_rejected<ctbpf::errc::cannot_return_stack_pointer_to_the_caller, 3, @return_stack@, text<2>{"f"}, text<42>{
// expect-gcc: Rule = ctbpf::errc::callback_needs_btf_func_info; unsigned int InsnIndex = 0; unsigned int Line = @callback@; text<...auto...> Label = ctbpf::text<1>{""}; text<...auto...> Message = ctbpf::text<22>{"missing btf func_info"}]
// expect-clang: program_rejected<ctbpf::errc::callback_needs_btf_func_info, 0, @callback@, 
// expect-clang19: program_rejected<ctbpf::errc::callback_needs_btf_func_info, 0, @callback@, text<1>{""}, text<22>{
#include <ctbpf.hpp>

using namespace ctbpf::syntax;

// helper ids end at 211 on Linux 6.18 (__BPF_FUNC_MAX_ID is 212)
constexpr auto unknown_helper = ctbpf::assemble<[] {
    return program{
#ifndef CTBPF_TWIN
        call(helper{212}), // @unknown_helper
#else
        call(helper::get_prandom_u32),
#endif
        exit_(),
    };
}>();

// helper 0 (bpf_unspec) is no helper
constexpr auto helper_zero = ctbpf::assemble<[] {
    return program{
#ifndef CTBPF_TWIN
        call(helper::unspec), // @helper0
#else
        call(helper::ktime_get_ns),
#endif
        exit_(),
    };
}>();

// bpf-to-bpf calls need CAP_BPF (the twin inlines f)
constexpr auto unprivileged_call = ctbpf::assemble<[] {
    return program{
#ifndef CTBPF_TWIN
        call("f"), // @unprivileged_call
        exit_(),
    label("f"),
#endif
        r0 = 0,
        exit_(),
    };
}, ctbpf::options{.priv = ctbpf::privilege::unprivileged, .type = ctbpf::prog_type::socket_filter}>();

// f calls itself: the kernel gives up at 9 frames (MAX_CALL_FRAMES is 8)
constexpr auto recursion = ctbpf::assemble<[] {
    return program{
        call("f"),
        exit_(),
    label("f"),
#ifndef CTBPF_TWIN
        call("f"), // @recursion
#else
        r0 = 0,
#endif
        exit_(),
    };
}>();

// f returns a pointer into its own stack frame, which is gone after the exit
constexpr auto return_stack_pointer = ctbpf::assemble<[] {
    return program{
        call("f"),
        exit_(),
    label("f"),
#ifndef CTBPF_TWIN
        r0 = r10,
#else
        r0 = 0,
#endif
        exit_(), // @return_stack
    };
}>();

// a callback's address (for bpf_loop, bpf_for_each_map_elem, ...) needs BTF func_info, which
// ctbpf does not produce: call the function directly instead
constexpr auto callback_address = ctbpf::assemble<[] {
    return program{
#ifndef CTBPF_TWIN
        r1 = func_addr("cb"), // @callback
#else
        call("cb"),
#endif
        r0 = 0,
        exit_(),
    label("cb"),
        r0 = 0,
        exit_(),
    };
}>();

#ifdef CTBPF_TWIN
static_assert(unknown_helper.size() == 2 && helper_zero.size() == 2 && unprivileged_call.size() == 2);
static_assert(recursion.size() == 4 && return_stack_pointer.size() == 4 && callback_address.size() == 5);
#endif
