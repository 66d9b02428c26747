// Mistake: a helper name with a typo: call(helper::map_lookup_elm). GCC's error is the only one.
// Clang corrects the name ("did you mean 'map_lookup_elem'?") and goes on with the corrected
// program, which check() then rejects here (R1 is the context, not a map): two errors.
// expect-gcc: 'map_lookup_elm' is not a member of 'ctbpf::helper'; did you mean 'map_lookup_elem'?
// expect-clang: no member named 'map_lookup_elm' in 'ctbpf::helper'; did you mean 'map_lookup_elem'?
// expect: helper_name_typo.cpp:@bad@:
// errors-gcc: 1
// errors-clang: 2
#include <ctbpf.hpp>

using namespace ctbpf::syntax;

constexpr auto prog = ctbpf::assemble<[] {
    return program{
        r0 = 0,
#ifndef CTBPF_TWIN
        call(helper::map_lookup_elm), // @bad
#else
        call(helper::get_prandom_u32),
#endif
        exit_(),
    };
}>();
#ifdef CTBPF_TWIN
static_assert(prog.size() == 3);
#endif
