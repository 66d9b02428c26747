// Names of program, attach and map types (as bpftool spells them) for messages; parsing: ctbpf::parse<E>().
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "ctbpf/sys/config.hpp" // CTBPF_SYS_INLINE, CTBPF_SYS_BODIES
#include "ctbpf/types.hpp"
#include "ctbpf/verify/maps.hpp"

namespace ctbpf::sys {

// "xdp"; "prog type 40" past the table (names: ctbpf/types.hpp).
CTBPF_SYS_INLINE std::string prog_type_name(kernel_enum<prog_type> t)
#if CTBPF_SYS_BODIES
{
    const std::string_view n = to_string(t);
    return n != "unknown" ? std::string(n) : "prog type " + std::to_string(t.raw());
}
#else
;
#endif
// "cgroup_inet_egress"; "attach type 90" past the table.
CTBPF_SYS_INLINE std::string attach_type_name(kernel_enum<attach_type> t)
#if CTBPF_SYS_BODIES
{
    const std::string_view n = to_string(t);
    return n != "unknown" ? std::string(n) : "attach type " + std::to_string(t.raw());
}
#else
;
#endif
// "hash"; "map type 40" past the table (names: ctbpf/verify/maps.hpp).
CTBPF_SYS_INLINE std::string map_type_name(std::uint32_t t)
#if CTBPF_SYS_BODIES
{
    const std::string_view n = to_string(static_cast<map_type>(t));
    return n != "unknown" ? std::string(n) : "map type " + std::to_string(t);
}
#else
;
#endif

} // namespace ctbpf::sys
