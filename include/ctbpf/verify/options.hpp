// Verifier options (privilege, program type, kernel profile, dead-branch policy); the verdict
// check() returns is ctbpf::check_result (ctbpf/diagnostics.hpp). Program types and their names
// follow the kernel (bpftool spelling).
#pragma once

#include <cstdint>
#include <string_view>

#include "ctbpf/diagnostics.hpp"
#include "ctbpf/helper_table.hpp"
#include "ctbpf/opcodes.hpp"
#include "ctbpf/types.hpp"

namespace ctbpf {

// Who loads the program: root (CAP_BPF + CAP_PERFMON) or an unprivileged user
// (kernel.unprivileged_bpf_disabled = 0).
enum class privilege : std::uint8_t { root, unprivileged };

// Dead branches: `kernel` folds branches on known constants and, like the kernel, checks only the
// instructions reached with real values; `lint` checks every instruction on every path.
enum class dead_branch_policy : std::uint8_t { kernel, lint };

// The numbers that change between kernel versions. Defaults: Linux 6.18, x86-64, JIT on.
struct kernel_profile {
    std::int32_t helper_max_id = ctbpf::helper_max_id;   // valid helper ids: 0 ..= this
    std::uint64_t opcodes[4] = {detail::opcode_bitmap[0], detail::opcode_bitmap[1], detail::opcode_bitmap[2],
                                detail::opcode_bitmap[3]}; // accepted opcode bytes (bit per byte)
    std::uint32_t max_insns = 1'000'000;           // privileged program size limit
    std::uint32_t max_insns_unprivileged = 4096;   // BPF_MAXINSNS
    std::int32_t max_stack = 512;                  // MAX_BPF_STACK
    std::uint32_t max_call_frames = 8;             // MAX_CALL_FRAMES
    std::uint32_t max_subprogs = 256;              // BPF_MAX_SUBPROGS
    std::uint32_t max_pending_branches = 8192;     // BPF_COMPLEXITY_LIMIT_JMP_SEQ: branches left to explore
    bool jit = true;                               // stack depth rounded to 16 (JIT) or 32 bytes
    bool private_stack = true; // tracing programs run subprograms of >= 64 bytes on a private stack
    // load-acquire checks the pointer type before the access (so from ctx: "BPF_ATOMIC loads from
    // R1 ctx is not allowed" even when misaligned). Builds of 6.18.44 differ: measured true on
    // 6.18.44-fc-v1252, false (the access first: "misaligned context access") on an earlier build.
    bool atomic_load_type_first = true;
    // bpf_get_smp_processor_id() returns less than this (the kernel's nr_cpu_ids: the highest
    // possible CPU + 1, /sys/devices/system/cpu/possible); 0: not known (any value)
    std::uint32_t nr_cpu_ids = 0;
};
inline constexpr kernel_profile linux_6_18{};

struct options {
    privilege priv = privilege::root;
    prog_type type = prog_type::unspecified;
    attach_type expected_attach_type{}; // return ranges of cgroup programs, context fields
    // (plain enums, not kernel_enum: clang 19 miscompiles reads of a kernel_enum member of a
    // template parameter object, and options are template arguments)
    dead_branch_policy policy = dead_branch_policy::kernel;
    kernel_profile kernel{};
    std::uint32_t max_visits = 0;    // path-exploration budget (instructions simulated, plus state comparisons
                                     // and forks); 0: automatic (about 800,000 constexpr steps at compile time)
    bool verify = true;              // false (spelled ctbpf::unchecked): no check() at any entry point
    bool program_btf = false;        // loaded with program BTF (func_info; sys::load passes it when the program
                                     // has subprograms): callbacks (BPF_PSEUDO_FUNC), tail calls and LD_ABS in
                                     // subprograms are allowed; callbacks and global functions are left to the kernel
    bool deferral_is_error = false;  // true: anything left to the kernel rejects the program
                                     // (errc::left_to_the_kernel, at the first deferred instruction)
};

// The one opt-out of verification: assemble<F, ctbpf::unchecked>(), assemble(p, ctbpf::unchecked),
// load_options{.verifier = ctbpf::unchecked}, bundles' prog_spec<Name, F, ctbpf::unchecked>, and
// the CLI's --unchecked build or load a deliberately invalid program (e.g. to test the kernel).
inline constexpr options unchecked{.verify = false};

} // namespace ctbpf
