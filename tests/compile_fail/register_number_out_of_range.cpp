// Mistake: a register by number outside r0-r9 in a constant expression.
// expect: register_number_must_be_0_to_9
// expect-gcc: call to non-'constexpr' function 'void ctbpf::diag::register_number_must_be_0_to_9()'
// expect-clang: non-constexpr function 'register_number_must_be_0_to_9' cannot be used in a constant expression
// expect: register_number_out_of_range.cpp:@bad@:
#include <ctbpf.hpp>

#ifndef CTBPF_TWIN
constexpr ctbpf::reg64 r12{12}; // @bad
#else
constexpr ctbpf::reg64 r12{9};
#endif
static_assert(r12.n != 0);
