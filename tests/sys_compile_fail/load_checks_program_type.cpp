// Mistake: a cgroup_skb program returns 7; sys::load<F, O>() and a bundle's prog_spec<Name, F, O>()
// check F at compile time with O's program type, so neither compiles (the kernel refuses it too).
// expect: program_rejected<ctbpf::errc::return_value_is_out_of_range, 1, @load@
// expect: program_rejected<ctbpf::errc::return_value_is_out_of_range, 1, @bundle@
// expect-gcc: Message = ctbpf::text<77>{"At program exit the register R0 has smin=7 smax=7 should have been in [0, 1]"}
// flags-clang: -ferror-limit=0
#include <ctbpf.hpp>
#include <ctbpf/sys.hpp>
#include <ctbpf/sys/bundle.hpp>

namespace sys = ctbpf::sys;
using namespace ctbpf::syntax;

inline constexpr ctbpf::options cgroup_skb{.type = ctbpf::prog_type::cgroup_skb,
                                           .expected_attach_type = ctbpf::attach_type::cgroup_inet_ingress};

constexpr auto verdict_for_load = [] {
    return program{
#ifndef CTBPF_TWIN
        r0 = 7,
#else
        r0 = 1,
#endif
        exit_(), // @load
    };
};
constexpr auto verdict_for_bundle = [] {
    return program{
#ifndef CTBPF_TWIN
        r0 = 7,
#else
        r0 = 1,
#endif
        exit_(), // @bundle
    };
};

[[maybe_unused]] constexpr auto spec = sys::bundle(sys::prog_spec<"verdict", verdict_for_bundle, cgroup_skb>());

int main() {
    auto p = sys::load<verdict_for_load, cgroup_skb>({.name = "verdict"});
    return p ? 0 : 1;
}
