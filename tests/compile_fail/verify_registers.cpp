// Mistake: register and ALU rules the kernel's verifier enforces on every instruction it
// simulates: a register number past r10, a write to the frame pointer, a read of a register
// never written, division by the constant 0 and a shift by the width or more. One rejected
// program per rule, each its own error. The typed DSL refuses r11, writes to r10 and shifts
// out of range, so those mistakes are raw records (ctbpf::raw(ctbpf::make_insn(...))).
// flags-clang: -ferror-limit=0
// expect: ctbpf: program rejected; the rule, instruction index, source line, label and the kernel's message are program_rejected<...>'s template arguments
// expect-gcc: Rule = ctbpf::errc::register_number_is_invalid; unsigned int InsnIndex = 0; unsigned int Line = @r11@; text<...auto...> Label = ctbpf::text<1>{""}; text<...auto...> Message = ctbpf::text<15>{"R11 is invalid"}]
// expect-clang: program_rejected<ctbpf::errc::register_number_is_invalid, 0, @r11@, 
// expect-clang19: program_rejected<ctbpf::errc::register_number_is_invalid, 0, @r11@, text<1>{""}, text<15>{
// expect-gcc: Rule = ctbpf::errc::frame_pointer_is_read_only; unsigned int InsnIndex = 0; unsigned int Line = @r10@; text<...auto...> Label = ctbpf::text<1>{""}; text<...auto...> Message = ctbpf::text<27>{"frame pointer is read only"}]
// expect-clang: program_rejected<ctbpf::errc::frame_pointer_is_read_only, 0, @r10@, 
// expect-clang19: program_rejected<ctbpf::errc::frame_pointer_is_read_only, 0, @r10@, text<1>{""}, text<27>{
// expect-gcc: Rule = ctbpf::errc::register_read_before_write; unsigned int InsnIndex = 1; unsigned int Line = @uninit@; text<...auto...> Label = ctbpf::text<4>{"sum"}; text<...auto...> Message = ctbpf::text<12>{"R2 !read_ok"}]
// expect-clang: program_rejected<ctbpf::errc::register_read_before_write, 1, @uninit@, 
// expect-clang19: program_rejected<ctbpf::errc::register_read_before_write, 1, @uninit@, text<4>{
// expect-gcc: Rule = ctbpf::errc::div_by_zero; unsigned int InsnIndex = 1; unsigned int Line = @div0@; text<...auto...> Label = ctbpf::text<1>{""}; text<...auto...> Message = ctbpf::text<12>{"div by zero"}]
// expect-clang: program_rejected<ctbpf::errc::div_by_zero, 1, @div0@, 
// expect-clang19: program_rejected<ctbpf::errc::div_by_zero, 1, @div0@, text<1>{""}, text<12>{
// expect-gcc: Rule = ctbpf::errc::invalid_shift; unsigned int InsnIndex = 1; unsigned int Line = @shift@; text<...auto...> Label = ctbpf::text<1>{""}; text<...auto...> Message = ctbpf::text<17>{"invalid shift 64"}]
// expect-clang: program_rejected<ctbpf::errc::invalid_shift, 1, @shift@, 
// expect-clang19: program_rejected<ctbpf::errc::invalid_shift, 1, @shift@, text<1>{""}, text<17>{
#include <ctbpf.hpp>

using namespace ctbpf::syntax;
using ctbpf::make_insn;
using ctbpf::raw;

// there are eleven registers, r0-r10
constexpr auto r11_dst = ctbpf::assemble<[] {
    return program{
#ifndef CTBPF_TWIN
        raw(make_insn(0xb7, 11, 0, 0, 0)), // @r11
#else
        r0 = 0,
#endif
        exit_(),
    };
}>();

// r10 is read only: move a copy of it (r10 += -16)
constexpr auto r10_write = ctbpf::assemble<[] {
    return program{
#ifndef CTBPF_TWIN
        raw(make_insn(0x07, 10, 0, 0, -16)), // @r10
#else
        r1 = r10,
        r1 += -16,
#endif
        mem<u64>(r10 - 16) = 0,
        r0 = 0,
        exit_(),
    };
}>();

// r2 is read before anything was written to it
constexpr auto uninitialized = ctbpf::assemble<[] {
    return program{
#ifdef CTBPF_TWIN
        r2 = 2,
#endif
        r0 = 1,
    label("sum"),
        r0 += r2, // @uninit
        exit_(),
    };
}>();

// division by the constant 0 (division by a register that holds 0 is defined: the result is 0)
constexpr auto divide_by_zero = ctbpf::assemble<[] {
    return program{
        r0 = 100,
#ifndef CTBPF_TWIN
        r0 /= 0, // @div0
#else
        r0 /= 10,
#endif
        exit_(),
    };
}>();

// a 64-bit shift by 64 (r0 <<= 64)
constexpr auto shift_too_far = ctbpf::assemble<[] {
    return program{
        r0 = 1,
#ifndef CTBPF_TWIN
        raw(make_insn(0x67, 0, 0, 0, 64)), // @shift
#else
        r0 <<= 63,
#endif
        exit_(),
    };
}>();

#ifdef CTBPF_TWIN
static_assert(r11_dst.size() == 2 && r10_write.size() == 5 && uninitialized.size() == 4);
static_assert(divide_by_zero.size() == 3 && shift_too_far.size() == 3);
#endif
