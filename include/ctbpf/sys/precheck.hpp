// ctbpf's verifier model before the kernel: load_options::precheck = sys::verifier_precheck runs
// ctbpf::check() (ctbpf/verify.hpp) with the load's program and attach type, and a rejection is
// reported with the kernel's errno and message without calling bpf() (useful where bpf() is not
// permitted, or to fail fast). What the model leaves to the kernel is left to the kernel.
#pragma once

#include "ctbpf/sys/config.hpp" // CTBPF_SYS_INLINE, CTBPF_SYS_BODIES

#include "ctbpf/sys/load.hpp"
#include "ctbpf/verify.hpp"

#include <span>
#include <string>

namespace ctbpf::sys {

CTBPF_SYS_INLINE precheck_verdict verifier_precheck(std::span<const insn> insns, const load_options& o)
#if CTBPF_SYS_BODIES
{
    ctbpf::options v;
    v.type = static_cast<ctbpf::prog_type>(o.type);
    v.attach_type = o.expected_attach_type;
    const ctbpf::check_result r = ctbpf::check(insns, v);
    if (r.ok()) return {};
    precheck_verdict p;
    p.ok = false;
    p.index = r.index;
    p.error = r.error != 0 ? r.error : EINVAL;
    p.rule = std::string(ctbpf::to_string(r.code));
    p.message = std::string(r.message());
    p.source = "ctbpf";
    return p;
}
#else
;
#endif

} // namespace ctbpf::sys
