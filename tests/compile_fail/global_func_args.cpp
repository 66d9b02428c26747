// Mistake: a global function declared with an argument kind program BTF cannot express ("ptr"),
// and one with six arguments (R1-R5 only).
// expect: ctbpf: global_func argument kinds are ctx, scalar, mem:N and mem_nonnull:N
// expect: ctbpf: a global function takes at most 5 arguments (R1-R5)
#include <ctbpf.hpp>

#ifndef CTBPF_TWIN
inline constexpr auto bad_kind = ctbpf::global_func<"f", "ctx", "ptr">;
inline constexpr auto too_many = ctbpf::global_func<"g", "scalar", "scalar", "scalar", "scalar", "scalar", "scalar">;
#else
inline constexpr auto bad_kind = ctbpf::global_func<"f", "ctx", "mem:8">;
inline constexpr auto too_many = ctbpf::global_func<"g", "scalar", "scalar", "scalar", "scalar", "scalar">;
static_assert(bad_kind == "global:f(ctx,mem:8)");
static_assert(too_many == "global:g(scalar,scalar,scalar,scalar,scalar)");
#endif
int main() { return static_cast<int>(bad_kind.size() + too_many.size()) == 0; }
