// ctbpf's verifier model before the kernel, as a load_options::precheck: sys::verifier_precheck
// runs ctbpf::check() with the load's program and attach type. load() does this by default
// (load_options::verifier); this function is the same check for code that calls it directly.
#pragma once

#include "ctbpf/sys/load.hpp"
#include "ctbpf/verify.hpp"

#include <span>

namespace ctbpf::sys {

inline precheck_verdict verifier_precheck(std::span<const insn> insns, const load_options& o) {
    return detail::verify_for_load(insns, o);
}

} // namespace ctbpf::sys
