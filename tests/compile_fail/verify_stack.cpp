// Mistake: stack accesses the kernel's verifier rejects: outside the 512 bytes below r10,
// misaligned (the stack is always strict), a partial read of a spilled pointer, a pointer to a
// callee's stack stored in its caller's frame, and call chains whose frames add up to more than
// 512 bytes (check_max_stack_depth). One rejected program per rule, each its own error.
// flags-clang: -ferror-limit=0
// expect: ctbpf: program rejected; the rule, instruction index, source line, label and the kernel's message are program_rejected<...>'s template arguments
// expect-gcc: Rule = ctbpf::errc::invalid_stack_access; unsigned int InsnIndex = 0; unsigned int Line = @above@; text<...auto...> Label = ctbpf::text<1>{""}; text<...auto...> Message = ctbpf::text<40>{"invalid write to stack R10 off=8 size=8"}]
// expect-clang: program_rejected<ctbpf::errc::invalid_stack_access, 0, @above@, 
// expect-clang19: program_rejected<ctbpf::errc::invalid_stack_access, 0, @above@, text<1>{""}, text<40>{
// expect-gcc: Rule = ctbpf::errc::misaligned_stack_access; unsigned int InsnIndex = 1; unsigned int Line = @misaligned@; text<...auto...> Label = ctbpf::text<1>{""}; text<...auto...> Message = ctbpf::text<43>{"misaligned stack access off 0+0+-12 size 8"}]
// expect-clang: program_rejected<ctbpf::errc::misaligned_stack_access, 1, @misaligned@, 
// expect-clang19: program_rejected<ctbpf::errc::misaligned_stack_access, 1, @misaligned@, text<1>{""}, text<43>{
// expect-gcc: Rule = ctbpf::errc::partial_access_to_a_spilled_pointer; unsigned int InsnIndex = 1; unsigned int Line = @fill@; text<...auto...> Label = ctbpf::text<1>{""}; text<...auto...> Message = ctbpf::text<30>{"invalid size of register fill"}]
// expect-clang: program_rejected<ctbpf::errc::partial_access_to_a_spilled_pointer, 1, @fill@, 
// expect-clang19: program_rejected<ctbpf::errc::partial_access_to_a_spilled_pointer, 1, @fill@, text<1>{""}, text<30>{
// expect-gcc: Rule = ctbpf::errc::stack_pointer_spilled_into_the_callers_frame; unsigned int InsnIndex = 6; unsigned int Line = @spill@; text<...auto...> Label = ctbpf::text<2>{"f"}; text<...auto...> Message = ctbpf::text<62>{"cannot spill pointers to stack into stack frame of the caller"}]
// expect-clang: program_rejected<ctbpf::errc::stack_pointer_spilled_into_the_callers_frame, 6, @spill@, 
// expect-clang19: program_rejected<ctbpf::errc::stack_pointer_spilled_into_the_callers_frame, 6, @spill@, text<2>{"f"}, text<62>{
// expect-gcc: Rule = ctbpf::errc::combined_stack_size_is_too_large; unsigned int InsnIndex = 1; unsigned int Line = @combined@; text<...auto...> Label = ctbpf::text<1>{""}; text<...auto...> Message = ctbpf::text<50>{"combined stack size of 2 calls is 1024. Too large"}]
// expect-clang: program_rejected<ctbpf::errc::combined_stack_size_is_too_large, 1, @combined@, 
// expect-clang19: program_rejected<ctbpf::errc::combined_stack_size_is_too_large, 1, @combined@, text<1>{""}, text<50>{
#include <ctbpf.hpp>

using namespace ctbpf::syntax;

// the stack is the 512 bytes below r10: r10 + 8 is above it
constexpr auto above_the_stack = ctbpf::assemble<[] {
    return program{
#ifndef CTBPF_TWIN
        mem<u64>(r10 + 8) = 1, // @above
#else
        mem<u64>(r10 - 8) = 1,
#endif
        r0 = 0,
        exit_(),
    };
}>();

// 8-byte accesses to the stack must be 8-byte aligned
constexpr auto misaligned = ctbpf::assemble<[] {
    return program{
        r1 = 7,
#ifndef CTBPF_TWIN
        mem<u64>(r10 - 12) = r1, // @misaligned
#else
        mem<u64>(r10 - 16) = r1,
#endif
        r0 = 0,
        exit_(),
    };
}>();

// a spilled pointer is read back whole (8 bytes) or not at all
constexpr auto partial_fill = ctbpf::assemble<[] {
    return program{
        mem<u64>(r10 - 8) = r1,
#ifndef CTBPF_TWIN
        r2 = mem<u32>(r10 - 8), // @fill
#else
        r2 = mem<u64>(r10 - 8),
#endif
        r0 = 0,
        exit_(),
    };
}>();

// f stores a pointer to its own stack into its caller's frame, where it would outlive f
constexpr auto spill_into_caller = ctbpf::assemble<[] {
    return program{
        r1 = r10,
        r1 += -8,
        call("f"),
        r0 = 0,
        exit_(),
    label("f"),
#ifndef CTBPF_TWIN
        r2 = r10,
#else
        r2 = 7,
#endif
        mem<u64>(r1 + 0) = r2, // @spill
        r0 = 0,
        exit_(),
    };
}>();

// main and f each use 512 bytes: 1024 on the call chain
constexpr auto combined_stack = ctbpf::assemble<[] {
    return program{
#ifndef CTBPF_TWIN
        mem<u64>(r10 - 512) = 0,
#else
        mem<u64>(r10 - 256) = 0,
#endif
        call("f"), // @combined
        exit_(),
    label("f"),
#ifndef CTBPF_TWIN
        mem<u64>(r10 - 512) = 0,
#else
        mem<u64>(r10 - 256) = 0,
#endif
        r0 = 0,
        exit_(),
    };
}>();

#ifdef CTBPF_TWIN
static_assert(above_the_stack.size() == 3 && misaligned.size() == 4 && partial_fill.size() == 4);
static_assert(spill_into_caller.size() == 9 && combined_stack.size() == 6);
#endif
