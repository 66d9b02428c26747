// ctbpf's verifier model before the kernel, as a load_options::precheck: sys::verifier_precheck
// runs ctbpf::check() with the load's program and attach type and returns its check_result.
// load() does this by default (load_options::verifier); this is the same check for code that
// calls it directly (as load_options::precheck its rejections are reported as the precheck's,
// message_from "precheck", unless the image's own run-time check said so first).
#pragma once

#include "ctbpf/sys/load.hpp"
#include "ctbpf/verify.hpp"

#include <span>

namespace ctbpf::sys {

inline constexpr precheck_fn verifier_precheck = &detail::verify_for_load;

} // namespace ctbpf::sys
