// Verifier options (privilege, program type, kernel profile, dead-branch policy) and the verdict
// check() returns: the rule, the instruction index, the kernel's errno and message, and what the
// model left to the kernel. Program types and their names follow the kernel (bpftool spelling).
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

// What the model could not decide and left to the kernel (the verdict is then "not rejected").
enum class deferral : std::uint8_t {
    none,
    exploration_budget,   // too many paths or iterations to simulate
    complexity,           // more pending branches than the kernel keeps (BPF_COMPLEXITY_LIMIT_JMP_SEQ)
    undecided_loop,       // a loop whose termination depends on values the model does not track
    context_access,       // program-type context layout (which fields, which sizes)
    kernel_object,        // maps, BTF, kfuncs, arenas
    unknown_pointer,      // a value whose pointer type only the kernel knows (ctx field, packet, map value)
    value_range,          // needs the kernel's value ranges (variable offsets, unknown return value)
    helper_arguments,     // argument types from the helper's prototype
    helper_availability,  // which helpers this program type (and privilege) may call
};

constexpr std::string_view to_string(deferral d) {
    switch (d) {
    case deferral::none: return "nothing";
    case deferral::exploration_budget: return "exploration budget exhausted";
    case deferral::complexity: return "the kernel's limit of pending branches (8192 in Linux 6.18)";
    case deferral::undecided_loop: return "a loop whose termination depends on untracked values";
    case deferral::context_access: return "a context field access";
    case deferral::kernel_object: return "maps, BTF, kfuncs or arenas";
    case deferral::unknown_pointer: return "a value whose type only the kernel knows";
    case deferral::value_range: return "value ranges";
    case deferral::helper_arguments: return "helper argument types";
    case deferral::helper_availability: return "helper availability for this program type";
    }
    return "?";
}

// The kernel's message, filled in as the kernel prints it (fixed size: usable at compile time).
struct verifier_message {
    static constexpr std::uint32_t capacity = 160;
    char text[capacity]{};
    std::uint32_t size = 0;

    constexpr std::string_view view() const { return {text, size}; }
    constexpr verifier_message& put(std::string_view s) {
        for (char c : s)
            if (size < capacity - 1) text[size++] = c;
        return *this;
    }
    constexpr verifier_message& put_uint(std::uint64_t v) {
        char d[20]{};
        int k = 0;
        do {
            d[k++] = static_cast<char>('0' + v % 10);
            v /= 10;
        } while (v != 0);
        while (k > 0)
            if (size < capacity - 1) text[size++] = d[--k];
            else --k;
        return *this;
    }
    constexpr verifier_message& put_int(std::int64_t v) {
        if (v < 0) {
            put("-");
            return put_uint(~static_cast<std::uint64_t>(v) + 1);
        }
        return put_uint(static_cast<std::uint64_t>(v));
    }
    // a constant tnum as the kernel prints it: decimal up to U16_MAX, else %#llx
    constexpr verifier_message& put_tnum(std::int64_t v) {
        const auto u = static_cast<std::uint64_t>(v);
        return u <= 0xffff ? put_uint(u) : put("0x").put_hex64(u);
    }
    constexpr verifier_message& put_hex64(std::uint64_t v) {
        char d[16]{};
        int k = 0;
        do {
            d[k++] = "0123456789abcdef"[v & 15];
            v >>= 4;
        } while (v != 0);
        while (k > 0)
            if (size < capacity - 1) text[size++] = d[--k];
            else --k;
        return *this;
    }
    // printf("%02x") of an unsigned int
    constexpr verifier_message& put_hex(std::uint32_t v) {
        char d[8]{};
        int k = 0;
        do {
            d[k++] = "0123456789abcdef"[v & 15];
            v >>= 4;
        } while (v != 0);
        if (k == 1) d[k++] = '0';
        while (k > 0)
            if (size < capacity - 1) text[size++] = d[--k];
            else --k;
        return *this;
    }
};

// The verdict. ok(): the kernel would not reject the program for anything the model checks.
struct check_result {
    errc code = errc::ok;          // the rule
    std::uint32_t index = 0;       // instruction index, as the kernel counts
    int errnum = 0;                // the errno BPF_PROG_LOAD returns (EINVAL, EACCES, E2BIG, EPERM)
    verifier_message msg{};        // the kernel's log message ("" when the kernel logs nothing)
    std::uint32_t line = 0;        // source line of the instruction (programs built with ctbpf)
    std::string_view label{};      // the nearest label at or before the instruction
    deferral deferred = deferral::none; // the first thing left to the kernel, if any
    std::uint32_t deferred_index = 0;
    std::uint32_t visits = 0;      // instructions simulated by the path exploration
    bool walk_stopped = false;     // the path walk ended early (budget, or the kernel's pending-branch
                                   // limit), whatever was deferred first

    constexpr bool ok() const { return code == errc::ok; }
    constexpr explicit operator bool() const { return ok(); }
    constexpr std::string_view message() const { return msg.view(); }
    // ok() and nothing left to the kernel: the model's verdict is final.
    constexpr bool complete() const { return deferred == deferral::none; }
};

} // namespace ctbpf
