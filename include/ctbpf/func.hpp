// Global (non-static) subprograms: `constexpr auto sum = ctbpf::global_func<"sum", "ctx", "scalar", "mem:16">;`
// is the label text "global:sum(ctx,scalar,mem:16)". Write `call(sum)` at the call sites and
// `label(sum)` before the subprogram's first instruction: program BTF (ctbpf/btf_writer.hpp, passed
// by sys::load) then gives the function global linkage and this prototype, and the kernel verifies
// it once, on its own, with these argument types instead of at each call site.
// Argument kinds (at most 5): "ctx" (the program's context, void * tagged arg:ctx), "scalar" (u64),
// "mem:N" (a pointer to N bytes that may be NULL: the function must check it), "mem_nonnull:N"
// (tagged arg:nonnull). A global function returns a scalar (int). Pure: no system calls.
#pragma once

#include "ctbpf/map_decl.hpp" // fixed_string

#include <array>
#include <cstddef>
#include <string_view>

namespace ctbpf {

inline constexpr std::string_view global_prefix = "global:";

// Whether `a` is an argument kind global_func accepts.
constexpr bool valid_global_arg(std::string_view a) {
    if (a == "ctx" || a == "scalar") return true;
    std::string_view n;
    if (a.substr(0, 4) == "mem:") n = a.substr(4);
    else if (a.substr(0, 12) == "mem_nonnull:") n = a.substr(12);
    else return false;
    if (n.empty() || n.size() > 9 || n == "0") return false;
    for (char c : n)
        if (c < '0' || c > '9') return false;
    return true;
}

namespace detail {
template <fixed_string Name, fixed_string... Args>
struct global_text {
    static_assert(sizeof...(Args) <= 5, "ctbpf: a global function takes at most 5 arguments (R1-R5)");
    static_assert((valid_global_arg(Args.view()) && ...),
                  "ctbpf: global_func argument kinds are ctx, scalar, mem:N and mem_nonnull:N");
    static constexpr std::size_t size = global_prefix.size() + Name.view().size() + 2 +
                                        (0 + ... + Args.view().size()) + (sizeof...(Args) > 0 ? sizeof...(Args) - 1 : 0);
    static constexpr std::array<char, size + 1> make() {
        std::array<char, size + 1> a{};
        std::size_t n = 0;
        for (char c : global_prefix) a[n++] = c;
        for (char c : Name.view()) a[n++] = c;
        a[n++] = '(';
        bool first = true;
        ((first ? void(first = false) : void(a[n++] = ',') , [&] {
             for (char c : Args.view()) a[n++] = c;
         }()),
         ...);
        a[n++] = ')';
        return a;
    }
    static constexpr std::array<char, size + 1> value = make();
};
} // namespace detail

// The label text of a global function `Name` taking `Args` (see the top of this file).
template <fixed_string Name, fixed_string... Args>
inline constexpr std::string_view global_func{detail::global_text<Name, Args...>::value.data(), detail::global_text<Name, Args...>::size};

static_assert(valid_global_arg("mem:16") && valid_global_arg("mem_nonnull:8") && !valid_global_arg("mem:") &&
              !valid_global_arg("mem:0") && !valid_global_arg("ptr"));

} // namespace ctbpf
