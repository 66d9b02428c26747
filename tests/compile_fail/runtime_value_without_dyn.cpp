// Mistake: a run-time value used as an immediate without the dyn() escape hatch.
// expect: runtime_value_without_dyn.cpp:@bad@:
// expect: 'x'
// expect: not a constant expression
// expect-gcc: error: 'x' is not a constant expression
// expect-clang: function parameter 'x' with unknown value cannot be used in a constant expression
// expect-clang: call to consteval function 'ctbpf::literal_or_dyn<
// expect-clang: >::literal_or_dyn<int>' is not a constant expression
#include <ctbpf.hpp>

using namespace ctbpf::syntax;

ctbpf::program return_value(int x) {
#ifndef CTBPF_TWIN
    return program{r0 = x, exit_()}; // @bad
#else
    return program{r0 = dyn(x), exit_()};
#endif
}
