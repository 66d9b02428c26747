// The interpreter (ctbpf::vm): run a program with the kernel's semantics in a constant expression or
// at run time. run(code, input) for any bytecode; run<F>(input) for a compile-time program with its
// source lines and map names; run<F, In, Maps...>() in a constant expression turns a fault into a
// compile error naming the fault, the instruction index, the source line and the label.
#pragma once

#include "ctbpf/assemble.hpp"
#include "ctbpf/vm/helpers.hpp"
#include "ctbpf/vm/machine.hpp"
#include "ctbpf/vm/run.hpp"

namespace ctbpf::vm {

// A compile-time program's source lines and map names (F: the lambda given to ctbpf::assemble).
template <auto F>
constexpr program_info info_of() {
    return {ctbpf::detail::extras_v<F>.slots, ctbpf::detail::extras_v<F>.map_names};
}
// The instructions of F (unchecked: the interpreter runs what it is given).
template <auto F>
inline constexpr const auto& code_of = ctbpf::detail::code_v<F>;

// Runs F on a fresh machine with the maps Maps... (declarations, as for assemble<F, O, Maps...>()).
template <auto F, auto... Maps>
constexpr result run(const input& in) {
    if constexpr (sizeof...(Maps) == 0) {
        machine m;
        return m.run(code_of<F>, in, info_of<F>());
    } else {
        machine m(ctbpf::detail::decls_v<Maps...>);
        return m.run(code_of<F>, in, info_of<F>());
    }
}
// Runs F on machine m (its maps, programs, helpers and environment).
template <auto F>
constexpr result run(machine& m, const input& in) {
    return m.run(code_of<F>, in, info_of<F>());
}

// What a checked run gives back (a constant: no packet or text, see run<F>(input) for those).
struct outcome {
    u64 retval = 0;
    u64 executed = 0;
    bool redirected = false;
};

namespace detail {
template <fault Kind>
inline constexpr bool no_fault = Kind == fault::none;
} // namespace detail

// What run<F, In, Maps...>() returns when the run faults; its template arguments are the fault, the
// instruction index, the source line and the label, e.g.
//   program_faulted<ctbpf::vm::fault::out_of_bounds, 3, 42, ctbpf::text<6>{"parse"}>
template <fault Kind, std::uint32_t InsnIndex, std::uint32_t Line, ctbpf::text Label>
struct program_faulted {
    u64 retval = 0, executed = 0; // outcome's members, so that run<...>().retval adds no second error
    bool redirected = false;
    constexpr ~program_faulted() { // instantiated at the caller's line (see ctbpf::program_rejected)
#if CTBPF_STATIC_ASSERT_TEXT
        static_assert(detail::no_fault<Kind>, ctbpf::detail::described<[](ctbpf::detail::writer& w) {
                          ctbpf::detail::describe(w, "the program faulted when run at compile time", to_string(Kind),
                                                  InsnIndex, Line, Label.view(), {});
                      }>());
#else
        static_assert(detail::no_fault<Kind>,
                      "ctbpf: the program faulted when run at compile time; the fault, instruction index, source line "
                      "and label are program_faulted<...>'s template arguments");
#endif
    }
};

namespace detail {
struct where_t {
    fault kind = fault::none;
    std::uint32_t index = 0, line = 0;
    std::string_view label{};
    outcome out{};
};
template <auto F, auto In, auto... Maps>
constexpr where_t checked_run() {
    const result r = run<F, Maps...>(In());
    return {r.fault, r.index, r.line, r.label, {r.retval, r.executed, r.redirected}};
}
template <auto F, auto In, auto... Maps>
inline constexpr where_t where_v = checked_run<F, In, Maps...>();
template <const where_t& W>
using faulted_t = std::conditional_t<W.kind == fault::none, outcome,
                                     program_faulted<W.kind, W.index, W.line, ctbpf::detail::text_of<W.label.size()>(W.label)>>;
} // namespace detail

// Runs F at compile time on the input In() returns (In: a lambda, so that the input's spans may
// point at constexpr arrays) with the maps Maps...; a fault does not compile (program_faulted).
//   static_assert(ctbpf::vm::run<parser, [] { return ctbpf::vm::input{prog_type::xdp, frame}; }>().retval == XDP_PASS);
template <auto F, auto In, auto... Maps>
consteval detail::faulted_t<detail::where_v<F, In, Maps...>> run() {
    if constexpr (detail::where_v<F, In, Maps...>.kind == fault::none) return detail::where_v<F, In, Maps...>.out;
    else return {};
}

} // namespace ctbpf::vm
