// Mistake: a register by number in the function layer (ctbpf::fn): registers are typed, so an
// integer never compiles (it was masked to 4 bits: stx(..., 17) stored r1, lock_add(..., 12) r12).
// expect-gcc: no matching function for call to 'stx<ctbpf::u64>(ctbpf::address, int)'
// expect-gcc: no matching function for call to 'lock_add<ctbpf::u64>(ctbpf::address, int)'
// expect-gcc: no matching function for call to 'ldx<ctbpf::u32>(int, ctbpf::address)'
// expect-gcc: no matching function for call to 'load_acquire<ctbpf::u64>(int, ctbpf::address)'
// expect-gcc: invalid initialization of reference of type 'const ctbpf::reg64&' from expression of type 'int'
// expect-clang: no matching function for call to 'stx'
// expect-clang: no matching function for call to 'lock_add'
// expect-clang: no matching function for call to 'ldx'
// expect-clang: no matching function for call to 'load_acquire'
// expect-clang: no matching function for call to 'ld_ind'
// expect: fn_register_number.cpp:@stx@:
// expect: fn_register_number.cpp:@lock@:
// expect: fn_register_number.cpp:@ldx@:
// expect: fn_register_number.cpp:@acquire@:
// expect: fn_register_number.cpp:@ind@:
#include <ctbpf.hpp>

using namespace ctbpf::syntax;
namespace fn = ctbpf::fn;

constexpr auto prog = ctbpf::assemble<[] {
    return program{
#ifndef CTBPF_TWIN
        fn::stx<u64>(r1 + 0, 17),         // @stx
        fn::lock_add<u64>(r1 + 0, 12),    // @lock
        fn::ldx<u32>(2, r1 + 4),          // @ldx
        fn::load_acquire<u64>(0, r1 + 0), // @acquire
        fn::ld_ind<u8>(1, 0),             // @ind
#else
        fn::stx<u64>(r1 + 0, r1),
        fn::lock_add<u64>(r1 + 0, r2),
        fn::ldx<u32>(w2, r1 + 4),
        fn::load_acquire<u64>(r0, r1 + 0),
        fn::ld_ind<u8>(r1, 0),
#endif
        exit_(),
    };
}, ctbpf::unchecked>();
#ifdef CTBPF_TWIN
static_assert(prog.size() == 6);
#endif
