// ctbpf's verifier model before the kernel, as a load_options::precheck: sys::verifier_precheck
// runs ctbpf::check() with the load's program and attach type and returns its check_result.
// load() does this by default (load_options::verifier); this is the same check for code that
// calls it directly (its rejections are reported as ctbpf's, message_from "ctbpf").
#pragma once

#include "ctbpf/sys/load.hpp"
#include "ctbpf/verify.hpp"

#include <span>

namespace ctbpf::sys {

inline constexpr precheck_fn verifier_precheck = &detail::verify_for_load;

} // namespace ctbpf::sys
