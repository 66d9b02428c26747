// Names of program, attach and map types (as bpftool spells them) for messages; parsing: ctbpf::parse<E>().
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "ctbpf/types.hpp"
#include "ctbpf/verify/maps.hpp"

namespace ctbpf::sys {

// "xdp"; "prog type 40" past the table (names: ctbpf/types.hpp).
inline std::string prog_type_name(kernel_enum<prog_type> t) {
    const std::string_view n = to_string(t);
    return n != "unknown" ? std::string(n) : "prog type " + std::to_string(t.raw());
}
// "cgroup_inet_egress"; "attach type 90" past the table.
inline std::string attach_type_name(kernel_enum<attach_type> t) {
    const std::string_view n = to_string(t);
    return n != "unknown" ? std::string(n) : "attach type " + std::to_string(t.raw());
}
inline std::string map_type_name(std::uint32_t t) { // (the names: ctbpf/verify/maps.hpp)
    const std::string_view n = to_string(static_cast<map_type>(t));
    return n != "unknown" ? std::string(n) : "map type " + std::to_string(t);
}

} // namespace ctbpf::sys
