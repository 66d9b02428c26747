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

// Instantiated when a checked run faults. Its template arguments are the fault, the instruction
// index, the source line and the label's characters, e.g.
//   program_faulted<ctbpf::vm::fault::out_of_bounds, 5, 42, 'p', 'a', 'r', 's', 'e'>
template <fault Kind, std::uint32_t InsnIndex, std::uint32_t Line, char... Label>
struct program_faulted {
    static_assert(Kind == fault::none,
                  "ctbpf: the program faulted when run at compile time; the fault, instruction index, source line "
                  "and label are the template arguments of program_faulted<...> in this error's context");
    static constexpr bool value = false;
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
    return {r.error, r.index, r.line, r.label, {r.retval, r.executed, r.redirected}};
}
template <auto F, auto In, auto... Maps>
inline constexpr where_t where_v = checked_run<F, In, Maps...>();
template <auto F, auto In, auto... Maps, std::size_t... L>
constexpr bool faulted(std::index_sequence<L...>) {
    constexpr const where_t& w = where_v<F, In, Maps...>;
    constexpr ctbpf::detail::label_text name(w.label);
    return program_faulted<w.kind, w.index, w.line, name.text[L]...>::value;
}
} // namespace detail

// Runs F at compile time on the input In() returns (In: a lambda, so that the input's spans may
// point at constexpr arrays) with the maps Maps...; a fault does not compile (program_faulted).
//   static_assert(ctbpf::vm::run<parser, [] { return ctbpf::vm::input{prog_type::xdp, frame}; }>().retval == XDP_PASS);
template <auto F, auto In, auto... Maps>
consteval outcome run() {
    constexpr const detail::where_t& w = detail::where_v<F, In, Maps...>;
    if constexpr (w.kind != fault::none) {
        (void)detail::faulted<F, In, Maps...>(std::make_index_sequence<ctbpf::detail::label_text(w.label).len>{});
        return {};
    } else {
        return w.out;
    }
}

} // namespace ctbpf::vm
