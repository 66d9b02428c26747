// Mistake: pointer rules the kernel's verifier enforces: the context pointer is dereferenced only
// unmodified and never with atomics or misaligned atomics, scalars are no pointers, pointers
// take only + and - of small constants, and unprivileged programs may neither return nor compare
// pointers. One rejected program per rule, each its own error.
// flags-clang: -ferror-limit=0
// expect: ctbpf: program rejected; the rule, instruction index, source line, label and the kernel's message are program_rejected<...>'s template arguments
// expect-gcc: Rule = ctbpf::errc::modified_context_pointer; unsigned int InsnIndex = 1; unsigned int Line = @modified_ctx@; text<...auto...> Label = ctbpf::text<1>{""}; text<...auto...> Message = ctbpf::text<52>{"dereference of modified ctx ptr R1 off=4 disallowed"}]
// expect-clang: program_rejected<ctbpf::errc::modified_context_pointer, 1, @modified_ctx@, 
// expect-clang19: program_rejected<ctbpf::errc::modified_context_pointer, 1, @modified_ctx@, text<1>{""}, text<52>{
// expect-gcc: Rule = ctbpf::errc::memory_access_through_a_scalar; unsigned int InsnIndex = 1; unsigned int Line = @scalar@; text<...auto...> Label = ctbpf::text<1>{""}; text<...auto...> Message = ctbpf::text<31>{"R2 invalid mem access \'scalar\'"}]
// expect-clang: program_rejected<ctbpf::errc::memory_access_through_a_scalar, 1, @scalar@, 
// expect-clang19: program_rejected<ctbpf::errc::memory_access_through_a_scalar, 1, @scalar@, text<1>{""}, text<31>{
// expect-gcc: Rule = ctbpf::errc::pointer_arithmetic_is_prohibited; unsigned int InsnIndex = 1; unsigned int Line = @multiply@; text<...auto...> Label = ctbpf::text<1>{""}; text<...auto...> Message = ctbpf::text<50>{"R2 pointer arithmetic with *= operator prohibited"}]
// expect-clang: program_rejected<ctbpf::errc::pointer_arithmetic_is_prohibited, 1, @multiply@, 
// expect-clang19: program_rejected<ctbpf::errc::pointer_arithmetic_is_prohibited, 1, @multiply@, text<1>{""}, text<50>{
// expect-gcc: Rule = ctbpf::errc::pointer_offset_is_out_of_range; unsigned int InsnIndex = 1; unsigned int Line = @far@; text<...auto...> Label = ctbpf::text<1>{""}; text<...auto...> Message = ctbpf::text<53>{"math between fp pointer and 536870912 is not allowed"}]
// expect-clang: program_rejected<ctbpf::errc::pointer_offset_is_out_of_range, 1, @far@, 
// expect-clang19: program_rejected<ctbpf::errc::pointer_offset_is_out_of_range, 1, @far@, text<1>{""}, text<53>{
// expect-gcc: Rule = ctbpf::errc::pointer_leak; unsigned int InsnIndex = 1; unsigned int Line = @leak@; text<...auto...> Label = ctbpf::text<1>{""}; text<...auto...> Message = ctbpf::text<30>{"R0 leaks addr as return value"}]
// expect-clang: program_rejected<ctbpf::errc::pointer_leak, 1, @leak@, 
// expect-clang19: program_rejected<ctbpf::errc::pointer_leak, 1, @leak@, text<1>{""}, text<30>{
// expect-gcc: Rule = ctbpf::errc::pointer_comparison_is_prohibited; unsigned int InsnIndex = 1; unsigned int Line = @compare@; text<...auto...> Label = ctbpf::text<1>{""}; text<...auto...> Message = ctbpf::text<33>{"R1 pointer comparison prohibited"}]
// expect-clang: program_rejected<ctbpf::errc::pointer_comparison_is_prohibited, 1, @compare@, 
// expect-clang19: program_rejected<ctbpf::errc::pointer_comparison_is_prohibited, 1, @compare@, text<1>{""}, text<33>{
// expect-gcc: Rule = ctbpf::errc::atomic_access_to_this_pointer_is_not_allowed; unsigned int InsnIndex = 1; unsigned int Line = @atomic_ctx@; text<...auto...> Label = ctbpf::text<1>{""}; text<...auto...> Message = ctbpf::text<45>{"BPF_ATOMIC stores into R1 ctx is not allowed"}]
// expect-clang: program_rejected<ctbpf::errc::atomic_access_to_this_pointer_is_not_allowed, 1, @atomic_ctx@, 
// expect-clang19: program_rejected<ctbpf::errc::atomic_access_to_this_pointer_is_not_allowed, 1, @atomic_ctx@, text<1>{""}, text<45>{
// expect-gcc: Rule = ctbpf::errc::misaligned_context_access; unsigned int InsnIndex = 1; unsigned int Line = @release_ctx@; text<...auto...> Label = ctbpf::text<1>{""}; text<...auto...> Message = ctbpf::text<43>{"misaligned context access off 0+0+1 size 4"}]
// expect-clang: program_rejected<ctbpf::errc::misaligned_context_access, 1, @release_ctx@, 
// expect-clang19: program_rejected<ctbpf::errc::misaligned_context_access, 1, @release_ctx@, text<1>{""}, text<43>{
#include <ctbpf.hpp>

using namespace ctbpf::syntax;

// the context is read at ctx + constant offset, through r1 itself
constexpr auto modified_ctx = ctbpf::assemble<[] {
    return program{
#ifndef CTBPF_TWIN
        r1 += 4,
        w0 = mem<u32>(r1 + 0), // @modified_ctx
#else
        w0 = mem<u32>(r1 + 4),
#endif
        exit_(),
    };
}>();

// a number is no address
constexpr auto through_a_scalar = ctbpf::assemble<[] {
    return program{
#ifndef CTBPF_TWIN
        r2 = 0,
#else
        r2 = r10,
#endif
        r0 = mem<u64>(r2 - 8), // @scalar
        exit_(),
    };
}>();

// pointers only move by + and -
constexpr auto multiply_pointer = ctbpf::assemble<[] {
    return program{
        r2 = r10,
#ifndef CTBPF_TWIN
        r2 *= 2, // @multiply
#else
        r2 += -16,
#endif
        r0 = 0,
        exit_(),
    };
}>();

// a pointer moves by less than 2^29
constexpr auto far_pointer = ctbpf::assemble<[] {
    return program{
        r2 = r10,
#ifndef CTBPF_TWIN
        r2 += 0x20000000, // @far
#else
        r2 += -0x200,
#endif
        r0 = 0,
        exit_(),
    };
}>();

// an unprivileged program returns no address
constexpr auto leak = ctbpf::assemble<[] {
    return program{
#ifndef CTBPF_TWIN
        r0 = r10,
#else
        r0 = 0,
#endif
        exit_(), // @leak
    };
}, ctbpf::options{.priv = ctbpf::privilege::unprivileged, .type = ctbpf::prog_type::socket_filter}>();

// an unprivileged program compares no pointers (here the context pointer with 5)
constexpr auto compare_pointer = ctbpf::assemble<[] {
    return program{
        r0 = 0,
#ifndef CTBPF_TWIN
        if_(r1 == 5).goto_("out"), // @compare
#else
        if_(r0 == 5).goto_("out"),
#endif
        r0 = 1,
    label("out"),
        exit_(),
    };
}, ctbpf::options{.priv = ctbpf::privilege::unprivileged, .type = ctbpf::prog_type::socket_filter}>();

// no atomic read-modify-write on the context
constexpr auto atomic_on_ctx = ctbpf::assemble<[] {
    return program{
        r2 = 1,
#ifndef CTBPF_TWIN
        lock(mem<u64>(r1 + 0)) += r2, // @atomic_ctx
#else
        lock(mem<u64>(r10 - 8)) += r2,
#endif
        r0 = 0,
        exit_(),
    };
}>();

// atomics are always checked for alignment, also on the context (a 4-byte store-release at ctx + 1)
constexpr auto misaligned_ctx = ctbpf::assemble<[] {
    return program{
        w2 = 0,
#ifndef CTBPF_TWIN
        store_release(mem<u32>(r1 + 1), w2), // @release_ctx
#else
        store_release(mem<u32>(r10 - 4), w2),
#endif
        r0 = 0,
        exit_(),
    };
}>();

#ifdef CTBPF_TWIN
static_assert(modified_ctx.size() == 2 && through_a_scalar.size() == 3 && multiply_pointer.size() == 4);
static_assert(far_pointer.size() == 4 && leak.size() == 2 && compare_pointer.size() == 4);
static_assert(atomic_on_ctx.size() == 4 && misaligned_ctx.size() == 4);
#endif
