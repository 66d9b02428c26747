// Errors: the rule names (errc), the one verdict (check_result: rule, instruction index, source
// line, label, errno, the kernel's message), the exception base, and the operand sentences that surface as compile errors (non-constexpr calls) or exceptions.
#pragma once

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>

namespace ctbpf {

// Why a program was rejected: one row per rule, X(name, text, errno), the single source of the
// enumerators (sentences: they appear verbatim in compiler output), their texts and the errno
// BPF_PROG_LOAD returns for them (Linux values; rules the kernel does not have say EINVAL).
#define CTBPF_ERRC_TABLE(X) \
    X(ok, "ok", 0) \
    /* assembly (labels and distances) */ \
    X(label_is_not_defined, "label is not defined", EINVAL) \
    X(label_is_defined_twice, "label is defined twice", EINVAL) \
    X(jump_distance_does_not_fit_in_16_bits_use_gotol, "jump distance does not fit in 16 bits (use gotol)", EINVAL) \
    X(jump_distance_does_not_fit_in_32_bits, "jump distance does not fit in 32 bits", EINVAL) \
    X(jump_target_is_outside_the_program, "jump target is outside the program", EINVAL) \
    X(label_name_is_empty, "label name is empty", EINVAL) \
    X(map_name_is_empty, "map name is empty", EINVAL) \
    X(mistake_reported_above, "an operand mistake the compiler reported", EINVAL) \
    /* verifier (the kernel's checks; see ctbpf/verify.hpp) */ \
    X(program_is_empty, "program is empty", E2BIG) \
    X(program_is_too_large, "program is too large", E2BIG) \
    X(program_type_needs_privileges, "program type needs privileges", EPERM) \
    X(calls_need_privileges, "bpf-to-bpf calls and kfuncs need privileges", EPERM) \
    X(call_to_invalid_destination, "call to invalid destination", EINVAL) \
    X(too_many_subprograms, "too many subprograms", E2BIG) \
    X(jump_out_of_range, "jump out of range", EINVAL) \
    X(last_insn_is_not_an_exit_or_jmp, "last insn is not an exit or jmp", EINVAL) \
    X(ld_abs_is_not_allowed_in_subprogs_without_btf, "LD_ABS is not allowed in subprogs without BTF", EINVAL) \
    X(tail_call_is_not_allowed_in_subprogs_without_btf, "tail_call is not allowed in subprogs without BTF", EINVAL) \
    X(ldx_uses_reserved_fields, "BPF_LDX uses reserved fields", EINVAL) \
    X(invalid_ld_imm64, "invalid ld_imm64 pair", EINVAL) \
    X(unrecognized_ld_imm64, "unrecognized ld_imm64 form", EINVAL) \
    X(unknown_opcode, "unknown opcode", EINVAL) \
    X(back_edge, "back-edge (loops need privileges)", EINVAL) \
    X(unreachable_insn, "unreachable insn", EINVAL) \
    X(jump_into_the_middle_of_ld_imm64, "jump into the middle of ld_imm64", EINVAL) \
    X(alu_uses_reserved_fields, "BPF_ALU uses reserved fields", EINVAL) \
    X(mov_uses_reserved_fields, "BPF_MOV uses reserved fields", EINVAL) \
    X(neg_uses_reserved_fields, "BPF_NEG uses reserved fields", EINVAL) \
    X(end_uses_reserved_fields, "BPF_END uses reserved fields", EINVAL) \
    X(stx_uses_reserved_fields, "BPF_STX uses reserved fields", EINVAL) \
    X(st_uses_reserved_fields, "BPF_ST uses reserved fields", EINVAL) \
    X(call_uses_reserved_fields, "BPF_CALL uses reserved fields", EINVAL) \
    X(ja_uses_reserved_fields, "BPF_JA uses reserved fields", EINVAL) \
    X(exit_uses_reserved_fields, "BPF_EXIT uses reserved fields", EINVAL) \
    X(jmp_uses_reserved_fields, "BPF_JMP/JMP32 uses reserved fields", EINVAL) \
    X(ld_imm64_uses_reserved_fields, "BPF_LD_IMM64 uses reserved fields", EINVAL) \
    X(ld_abs_uses_reserved_fields, "BPF_LD_[ABS|IND] uses reserved fields", EINVAL) \
    X(invalid_may_goto, "invalid may_goto", EINVAL) \
    X(addr_space_cast_needs_an_arena, "addr_space_cast needs an arena (address spaces 1 and 0)", EINVAL) \
    X(invalid_atomic_opcode, "invalid atomic opcode", EINVAL) \
    X(invalid_atomic_operand_size, "invalid atomic operand size", EINVAL) \
    X(atomic_access_to_this_pointer_is_not_allowed, "atomic access to this pointer is not allowed", EACCES) \
    X(register_number_is_invalid, "register number is invalid", EINVAL) \
    X(frame_pointer_is_read_only, "frame pointer is read only", EACCES) \
    X(register_read_before_write, "register read before write", EACCES) \
    X(invalid_stack_access, "invalid stack access", EACCES) \
    X(misaligned_stack_access, "misaligned stack access", EACCES) \
    X(misaligned_context_access, "misaligned context access", EACCES) \
    X(partial_access_to_a_spilled_pointer, "partial access to a spilled pointer", EACCES) \
    X(stack_pointer_spilled_into_the_callers_frame, "stack pointer spilled into the caller's frame", EINVAL) \
    X(div_by_zero, "div by zero", EINVAL) \
    X(invalid_shift, "invalid shift", EINVAL) \
    X(invalid_func_id, "invalid func id", EINVAL) \
    X(helper_is_not_allowed, "helper is not allowed", EINVAL) \
    X(call_stack_is_too_deep, "call stack is too deep", E2BIG) \
    X(combined_stack_size_is_too_large, "combined stack size is too large", EACCES) \
    X(cannot_return_stack_pointer_to_the_caller, "cannot return stack pointer to the caller", EINVAL) \
    X(callback_needs_btf_func_info, "callback needs BTF func_info", EINVAL) \
    X(ld_abs_is_not_allowed_for_this_program_type, "LD_ABS is not allowed for this program type", EINVAL) \
    X(ld_abs_needs_the_context_in_r6, "LD_ABS needs the context in r6", EINVAL) \
    X(modified_context_pointer, "modified context pointer", EACCES) \
    X(memory_access_through_a_scalar, "memory access through a scalar", EACCES) \
    X(pointer_arithmetic_is_prohibited, "pointer arithmetic is prohibited", EACCES) \
    X(pointer_offset_is_out_of_range, "pointer offset is out of range", EINVAL) \
    X(pointer_leak, "pointer leak", EACCES) \
    X(pointer_comparison_is_prohibited, "pointer comparison is prohibited", EACCES) \
    X(return_value_is_not_a_known_value, "return value is not a known value", EINVAL) \
    X(return_value_is_out_of_range, "return value is out of range", EINVAL) \
    X(infinite_loop_detected, "infinite loop detected", EINVAL) \
    X(pointer_may_be_null, "pointer may be null (check it against 0 first)", EACCES) \
    X(invalid_memory_access, "invalid memory access through this pointer type", EACCES) \
    X(map_value_access_is_out_of_bounds, "map value access is out of bounds", EACCES) \
    X(map_access_is_forbidden, "map access is forbidden by the map flags", EACCES) \
    X(packet_access_is_out_of_range, "packet access is outside the checked range", EACCES) \
    X(cannot_write_into_packet, "this program type cannot write into the packet", EACCES) \
    X(helper_argument_has_the_wrong_type, "helper argument has the wrong type", EACCES) \
    X(helper_memory_argument_is_invalid, "helper memory argument is invalid", EACCES) \
    X(unreleased_reference, "reference leak: an acquired reference is not released", EINVAL) \
    X(invalid_context_access, "invalid context access", EACCES) \
    X(left_to_the_kernel, "left to the kernel (options::deferral_is_error)", EINVAL) \
    /* the disassembler's (with unknown_opcode and invalid_ld_imm64 above) */ \
    X(index_out_of_range, "instruction index past the end of the program", EINVAL) \
    /* a load_options::precheck of the caller's own */ \
    X(refused_by_policy, "refused by a policy (load_options::precheck)", EPERM)

enum class errc : int {
#define CTBPF_ERRC_ENUMERATOR(name, text, err) name,
    CTBPF_ERRC_TABLE(CTBPF_ERRC_ENUMERATOR)
#undef CTBPF_ERRC_ENUMERATOR
};

namespace detail {
struct errc_row {
    std::string_view name, text;
    int err;
};
inline constexpr errc_row errc_rows[] = {
#define CTBPF_ERRC_ROW(name, text, err) {#name, text, err},
    CTBPF_ERRC_TABLE(CTBPF_ERRC_ROW)
#undef CTBPF_ERRC_ROW
};
constexpr const errc_row* row_of(errc e) {
    const auto i = static_cast<std::size_t>(e);
    return i < std::size(errc_rows) ? &errc_rows[i] : nullptr;
}
} // namespace detail

// The rule's text ("register read before write").
constexpr std::string_view to_string(errc e) {
    const detail::errc_row* r = detail::row_of(e);
    return r ? r->text : "unknown error";
}
// The enumerator's name ("register_read_before_write").
constexpr std::string_view name_of(errc e) {
    const detail::errc_row* r = detail::row_of(e);
    return r ? r->name : "unknown";
}
// BPF_PROG_LOAD's errno for the rule (0 for ok).
constexpr int errno_of(errc e) {
    const detail::errc_row* r = detail::row_of(e);
    return r ? r->err : EINVAL;
}

// errc as a std::error_code: std::error_code ec = errc::div_by_zero; ec.message() is the rule's text.
class errc_category_t final : public std::error_category {
public:
    const char* name() const noexcept override { return "ctbpf"; }
    std::string message(int v) const override { return std::string(to_string(static_cast<errc>(v))); }
    std::error_condition default_error_condition(int v) const noexcept override {
        const int e = errno_of(static_cast<errc>(v));
        return e == 0 ? std::error_condition{} : std::error_condition(e, std::generic_category());
    }
};
inline const std::error_category& errc_category() noexcept {
    static const errc_category_t c;
    return c;
}
inline std::error_code make_error_code(errc e) noexcept { return {static_cast<int>(e), errc_category()}; }

// A text carried in a template argument, for compile errors: g++ 12 and clang++ 19 print it as a
// string literal (ctbpf::text<12>{"R2 !read_ok"}); data() and size() make it a C++26 static_assert
// message (clang++ 19 -std=c++2c).
template <std::size_t N>
struct text {
    char chars[N]{};
    constexpr std::size_t size() const { return N - 1; }
    constexpr const char* data() const { return chars; }
    constexpr std::string_view view() const { return {chars, N - 1}; }
};

#if defined(__cpp_static_assert) && __cpp_static_assert >= 202306L
#define CTBPF_STATIC_ASSERT_TEXT 1 // static_assert(cond, text) takes a computed message
#else
#define CTBPF_STATIC_ASSERT_TEXT 0
#endif

namespace detail {
// (Every element is written, the terminator too: clang 19 prints a char array as a string literal
// only when all its elements were stored, not left to the array's zero filler.)
template <std::size_t N>
constexpr text<N + 1> text_of(std::string_view s) {
    text<N + 1> t{};
    for (std::size_t i = 0; i <= N; ++i) t.chars[i] = i < s.size() ? s[i] : '\0';
    return t;
}
// Appends text and numbers to out (nullptr: only counts), for messages built at compile time.
struct writer {
    char* out = nullptr;
    std::size_t n = 0;
    constexpr writer& put(std::string_view s) {
        for (char c : s) {
            if (out) out[n] = c;
            ++n;
        }
        return *this;
    }
    constexpr writer& put(std::uint64_t v) {
        char d[20]{};
        int k = 0;
        do d[k++] = static_cast<char>('0' + v % 10); while ((v /= 10) != 0);
        while (k > 0) put(std::string_view(&d[--k], 1));
        return *this;
    }
};
// "ctbpf: <what>: <rule> at insn <i>, line <l>, label '<label>': <says>" (line and label when known).
constexpr void describe(writer& w, std::string_view what, std::string_view rule, std::uint32_t insn,
                        std::uint32_t line, std::string_view label, std::string_view says) {
    w.put("ctbpf: ").put(what).put(": ").put(rule).put(" at insn ").put(std::uint64_t{insn});
    if (line != 0) w.put(", line ").put(std::uint64_t{line});
    if (!label.empty()) w.put(", label '").put(label).put("'");
    if (!says.empty()) w.put(": ").put(says);
}
template <auto Describe>
constexpr std::size_t described_size() {
    writer w{};
    Describe(w);
    return w.n;
}
// The text Describe writes, as a text<N> (a C++26 static_assert message).
template <auto Describe>
constexpr text<described_size<Describe>() + 1> described() {
    text<described_size<Describe>() + 1> t{};
    writer w{t.chars};
    Describe(w);
    t.chars[w.n] = '\0'; // (stored, as in text_of)
    return t;
}
template <errc Rule>
inline constexpr bool rule_is_ok = Rule == errc::ok;
// The condition of a rejection's static_assert without a computed message: Clang prints it with
// its arguments on the error's first line ("due to requirement 'detail::accepted<rule, insn,
// line, label, message>'"), GCC in the note below it.
template <errc Rule, std::uint32_t InsnIndex, std::uint32_t Line, text Label, text Message>
inline constexpr bool accepted = Rule == errc::ok;
} // namespace detail

// What assemble<F>() returns for a rejected program; its template arguments are the rule, the
// instruction index, the source line, the label and the kernel's message (for the assembler's
// own rules, the rule's text), e.g.
//   program_rejected<ctbpf::errc::register_read_before_write, 1, 12, ctbpf::text<4>{"sum"}, ctbpf::text<12>{"R2 !read_ok"}>
template <errc Rule, std::uint32_t InsnIndex, std::uint32_t Line, text Label, text Message>
struct program_rejected {
    // The error is in the destructor: instantiated where the caller's variable is, so that its
    // context holds only these template arguments (not the program's lambda and options).
    constexpr ~program_rejected() {
#if CTBPF_STATIC_ASSERT_TEXT
        static_assert(detail::rule_is_ok<Rule>, detail::described<[](detail::writer& w) {
                          detail::describe(w, "program rejected", name_of(Rule), InsnIndex, Line, Label.view(),
                                           Message.view());
                      }>());
#else
        static_assert(detail::accepted<Rule, InsnIndex, Line, Label, Message>,
                      "ctbpf: program rejected; the rule, instruction index, source line, label and the kernel's "
                      "message are program_rejected<...>'s template arguments");
#endif
    }
};

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

namespace detail {
// A number's text, for the fixed-size message and instruction texts (no allocation, constexpr).
struct digit_text {
    char text[21]{};  // '-' and 20 digits
    int size = 0;
    constexpr std::string_view view() const { return {text + 21 - size, static_cast<std::size_t>(size)}; }
};
// v in base 10 or 16, at least min_digits digits (zeros in front)
constexpr digit_text digits_of(std::uint64_t v, unsigned base = 10, int min_digits = 1) {
    digit_text t;
    do {
        t.text[20 - t.size++] = "0123456789abcdef"[v % base];
        v /= base;
    } while ((v != 0 || t.size < min_digits) && t.size < 20);
    return t;
}
constexpr digit_text digits_of_int(std::int64_t v) {
    if (v >= 0) return digits_of(static_cast<std::uint64_t>(v));
    digit_text t = digits_of(~static_cast<std::uint64_t>(v) + 1);
    t.text[20 - t.size++] = '-';
    return t;
}
} // namespace detail

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
    constexpr verifier_message& put_digits(std::uint64_t v, unsigned base, int min_digits = 1) {
        return put(detail::digits_of(v, base, min_digits).view());
    }
    constexpr verifier_message& put_uint(std::uint64_t v) { return put_digits(v, 10); }
    constexpr verifier_message& put_int(std::int64_t v) { return put(detail::digits_of_int(v).view()); }
    // a constant tnum as the kernel prints it: decimal up to U16_MAX, else %#llx
    constexpr verifier_message& put_tnum(std::int64_t v) {
        const auto u = static_cast<std::uint64_t>(v);
        return u <= 0xffff ? put_uint(u) : put("0x").put_hex64(u);
    }
    constexpr verifier_message& put_hex64(std::uint64_t v) { return put_digits(v, 16); }
    // printf("%02x") of an unsigned int
    constexpr verifier_message& put_hex(std::uint32_t v) { return put_digits(v, 16, 2); }
};

// The one verdict of assembling, checking and loading a program (assemble, check(), the load's
// verifier and load_options::precheck). ok(): nothing rejects the program. A rejection has the
// rule, the instruction index, the source line and label (programs built with ctbpf), the errno
// BPF_PROG_LOAD returns and the kernel's message (the rule's text for the assembler's own rules).
struct check_result {
    errc code = errc::ok;          // the rule
    std::uint32_t index = 0;       // instruction index, as the kernel counts
    std::uint32_t line = 0;        // source line of the instruction (programs built with ctbpf)
    std::string_view label{};      // the nearest label at or before the instruction
    int errnum = 0;                // the errno BPF_PROG_LOAD returns (EINVAL, EACCES, E2BIG, EPERM)
    verifier_message msg{};        // the kernel's log message ("" when the kernel logs nothing)
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

// The base of every exception ctbpf throws, with one set of accessors: the rule (errc::ok when
// none applies, e.g. a failed system call), the instruction index, source line and label, the
// errno (0 when none) and the message without the position (what() has both).
class exception : public std::runtime_error {
public:
    struct facts {
        errc rule = errc::ok;
        std::optional<std::uint32_t> insn{};
        std::uint32_t line = 0;
        std::string label{};
        int errnum = 0;
        std::string message{};
    };
    explicit exception(const std::string& what) : std::runtime_error(what) { f_.message = what; }
    exception(const std::string& what, facts f) : std::runtime_error(what), f_(std::move(f)) {}

    errc rule() const noexcept { return f_.rule; }
    std::optional<std::uint32_t> insn() const noexcept { return f_.insn; }
    std::uint32_t line() const noexcept { return f_.line; }
    std::string_view label() const noexcept { return f_.label; }
    int errnum() const noexcept { return f_.errnum; }
    std::string_view message() const noexcept { return f_.message; }

private:
    facts f_;
};

// Thrown by the run-time API when a program does not assemble (a label, a jump distance).
class assembly_error : public exception {
public:
    explicit assembly_error(const check_result& v)
        : exception(describe(v), {v.code, v.index, v.line, std::string(v.label), v.errnum, std::string(to_string(v.code))}) {}
    static std::string describe(const check_result& v) {
        std::string s = "insn " + std::to_string(v.index) + ": " + std::string(to_string(v.code));
        if (!v.label.empty()) s += " '" + std::string(v.label) + "'";
        if (v.line != 0) s += " (line " + std::to_string(v.line) + ")";
        return s;
    }
};

// Thrown at run time when an operand given through an escape hatch (dyn(), reg64{n}) is invalid.
class operand_error : public exception {
public:
    using exception::exception;
};

// Operand sentences. Called during constant evaluation they stop compilation and the compiler
// names the function; called at run time they throw operand_error with the same sentence.
namespace diag {
[[noreturn]] inline void raise(const char* s) { throw operand_error(s); }
[[noreturn]] inline void immediate_does_not_fit_in_signed_32_bits_use_imm64_for_wider_constants() {
    raise("immediate does not fit in signed 32 bits (use imm64() for wider constants)");
}
[[noreturn]] inline void immediate_does_not_fit_in_32_bits() { raise("immediate does not fit in 32 bits"); }
[[noreturn]] inline void immediate_does_not_fit_in_16_bits() { raise("immediate does not fit in 16 bits"); }
[[noreturn]] inline void immediate_does_not_fit_in_8_bits() { raise("immediate does not fit in 8 bits"); }
[[noreturn]] inline void shift_amount_must_be_0_to_63() { raise("shift amount must be 0 to 63"); }
[[noreturn]] inline void shift_amount_must_be_0_to_31() { raise("shift amount must be 0 to 31"); }
[[noreturn]] inline void offset_does_not_fit_in_signed_16_bits() {
    raise("offset does not fit in signed 16 bits");
}
[[noreturn]] inline void register_number_must_be_0_to_9() {
    raise("register number must be 0 to 9 (r10 is the read-only frame pointer)");
}
[[noreturn]] inline void negation_needs_the_same_register_on_both_sides() {
    raise("negation needs the same register on both sides (r1 = -r1)");
}
[[noreturn]] inline void byte_swap_needs_the_same_register_on_both_sides() {
    raise("byte swap needs the same register on both sides (r1 = be16(r1))");
}
[[noreturn]] inline void atomic_fetch_needs_the_same_register_on_both_sides() {
    raise("atomic fetch/xchg needs the same register on both sides (r2 = xchg(mem<u64>(r1 + 0), r2))");
}
[[noreturn]] inline void cmpxchg_compares_and_returns_r0() {
    raise("cmpxchg compares with and returns r0 (r0 = cmpxchg(mem<u64>(r1 + 0), r0, r2))");
}
[[noreturn]] inline void legacy_packet_loads_write_r0() {
    raise("legacy packet loads (skb<...>[...]) always write r0");
}
[[noreturn]] inline void sign_extension_takes_a_register_of_the_destination_width() {
    raise("sign extension takes a register of the destination width (r1 = s8(r2), w1 = s8(w2))");
}
[[noreturn]] inline void a_w_register_sign_extends_from_s8_or_s16_only() {
    raise("a w register sign-extends from s8 or s16 only");
}
[[noreturn]] inline void a_w_register_takes_u8_u16_and_u32_loads() {
    raise("a w register takes u8, u16 and u32 loads; load u64 into an r register");
}
[[noreturn]] inline void jump_distance_does_not_fit_in_16_bits_use_gotol() {
    raise("jump distance does not fit in 16 bits (use gotol)");
}
[[noreturn]] inline void operands_mix_register_widths() {
    raise("operands mix register widths (r registers are 64-bit, w registers 32-bit)");
}
[[noreturn]] inline void address_space_must_fit_in_16_bits() { raise("address space must fit in 16 bits"); }
} // namespace diag

} // namespace ctbpf

template <>
struct std::is_error_code_enum<ctbpf::errc> : std::true_type {};
