// The constexpr verifier: check() rejects what the Linux verifier rejects, with the kernel's rule,
// instruction index, errno and message, running the kernel's passes in the kernel's order so that
// the first error is the kernel's. Usable in constant evaluation (assemble<F>() runs it) and at
// run time on any std::span<const bpf_insn>. What needs kernel objects (map and BTF fds, helper
// prototypes per program type, context layouts) or the kernel's value ranges is left to the
// kernel, and check_result::deferred says what was.
#pragma once

#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>

#include "ctbpf/diagnostics.hpp"
#include "ctbpf/insn.hpp"
#include "ctbpf/verify/do_check.hpp"
#include "ctbpf/verify/maps.hpp"
#include "ctbpf/verify/options.hpp"

namespace ctbpf {

// Checks a program the way BPF_PROG_LOAD would, with the given privilege, program type and kernel.
// `maps`: the shapes of the maps the program refers to (index i: fd_array[i], BPF_PSEUDO_MAP_IDX;
// or by map_shape::fd); a map whose shape is not given is left to the kernel.
constexpr check_result check(std::span<const insn> prog, const options& o = {}, std::span<const map_shape> maps = {}) {
    check_result r{};
    if (prog.size() > 0xffffffffu) {
        r.code = errc::program_is_too_large;
        r.errnum = detail::vfy::rule_errno(r.code);
        return r;
    }
    detail::vfy::explorer v(prog.data(), static_cast<std::uint32_t>(prog.size()), o, r, maps.data(),
                            static_cast<std::uint32_t>(maps.size()));
    (void)(v.size_limits() && v.add_subprogs() && v.check_subprogs() && v.pseudo_ldimm64() && v.cfg() &&
           v.do_check() && (v.stopped() || v.max_stack_depth()));
    if (o.deferral_is_error && r.ok() && r.deferred != deferral::none) { // certainty asked for
        r.code = errc::left_to_the_kernel;
        r.index = r.deferred_index;
        r.errnum = 0;
        r.msg.put("left to the kernel: ").put(to_string(r.deferred));
    }
    return r;
}

// Thrown by the run-time assemble(program, options) (and assemble_for_load) when check() rejects
// the program: rule(), insn(), line(), label(), errnum() and message() are the verdict's.
class verifier_error : public exception {
public:
    explicit verifier_error(const check_result& r)
        : exception(describe(r), {r.code, r.index, r.line, std::string(r.label), r.errnum, std::string(r.message())}) {}
    // "insn 3: R2 !read_ok (register read before write, line 12, label 'out')"
    static std::string describe(const check_result& r) {
        std::string s = "insn " + std::to_string(r.index) + ": " + std::string(r.message()) + " (" +
                        std::string(to_string(r.code));
        if (r.line != 0) s += ", line " + std::to_string(r.line);
        if (!r.label.empty()) s += ", label '" + std::string(r.label) + "'";
        return s + ")";
    }
};

} // namespace ctbpf
