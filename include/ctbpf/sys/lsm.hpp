// BPF LSM programs: whether "bpf" is among the kernel's active LSMs (securityfs's lsm file,
// mounted privately for the look-up when it is not mounted), and the load options of a program
// on an LSM hook (BPF_PROG_TYPE_LSM, BPF_LSM_MAC, the BTF id of bpf_lsm_HOOK). It attaches with
// attach_tracing(p, BPF_LSM_MAC).
#pragma once

#include "ctbpf/sys/config.hpp" // CTBPF_SYS_INLINE, CTBPF_SYS_BODIES

#include "ctbpf/sys/attach.hpp"
#include "ctbpf/sys/btf.hpp"
#include "ctbpf/sys/error.hpp"
#include "ctbpf/sys/load.hpp"

#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

namespace ctbpf::sys {

// The names in a comma-separated LSM list ("lockdown,capability,landlock,bpf").
CTBPF_SYS_INLINE std::vector<std::string> parse_lsm_list(std::string_view list)
#if CTBPF_SYS_BODIES
{
    std::vector<std::string> out;
    while (!list.empty()) {
        const std::size_t c = list.find(',');
        std::string_view n = list.substr(0, c);
        while (!n.empty() && (n.back() == '\n' || n.back() == ' ')) n.remove_suffix(1);
        if (!n.empty()) out.emplace_back(n);
        if (c == std::string_view::npos) break;
        list.remove_prefix(c + 1);
    }
    return out;
}
#else
;
#endif

// The active LSMs, in the kernel's order (securityfs: /sys/kernel/security/lsm).
CTBPF_SYS_INLINE result<std::vector<std::string>> active_lsms()
#if CTBPF_SYS_BODIES
{
    const std::string path = "/sys/kernel/security/lsm";
    if (detail::exists(path)) {
        result<std::string> t = detail::read_file(path);
        if (!t) return std::move(t).error();
        return parse_lsm_list(*t);
    }
    return detail::with_private_mount<std::vector<std::string>>(
        "securityfs", "reading the active LSMs",
        "securityfs is not mounted at /sys/kernel/security and this process may not mount it "
        "(as root: mount -t securityfs securityfs /sys/kernel/security)",
        [](const std::string& dir) -> result<std::vector<std::string>> {
            result<std::string> t = detail::read_file(dir + "/lsm");
            if (!t) return std::move(t).error();
            return parse_lsm_list(*t);
        });
}
#else
;
#endif

// Succeeds when "bpf" is among `lsms`; otherwise the error names the active ones and the fix.
CTBPF_SYS_INLINE result<void> require_bpf_lsm(const std::vector<std::string>& lsms)
#if CTBPF_SYS_BODIES
{
    for (const std::string& l : lsms)
        if (l == "bpf") return {};
    std::string list;
    for (const std::string& l : lsms) list += (list.empty() ? "" : ",") + l;
    return make_error(EOPNOTSUPP, "BPF LSM",
                      "\"bpf\" is not among the active LSMs (" + (list.empty() ? std::string("none") : list) +
                          "): the kernel needs CONFIG_BPF_LSM and \"bpf\" in its lsm= boot parameter (e.g. lsm=" +
                          (list.empty() ? std::string("bpf") : list + ",bpf") + ")");
}
#else
;
#endif
inline result<void> require_bpf_lsm() {
    result<std::vector<std::string>> l = active_lsms();
    if (!l) return std::move(l).error();
    return require_bpf_lsm(*l);
}

// Load options of an LSM program on `hook` (e.g. "file_open"): checks that the BPF LSM is active.
CTBPF_SYS_INLINE result<load_options> lsm_options(std::string_view hook)
#if CTBPF_SYS_BODIES
{
    if (result<void> r = require_bpf_lsm(); !r) return std::move(r).error();
    return btf_attach_options(ctbpf::prog_type::lsm, ctbpf::attach_type::lsm_mac, btf_function_id("bpf_lsm_" + std::string(hook)));
}
#else
;
#endif

} // namespace ctbpf::sys
