// BPF_PROG_LOAD: program handles (sys::prog), load options, maps bound late through fd_array
// (BPF_PSEUDO_MAP_IDX, no copy of a constexpr program) or by copy-and-patch (BPF_PSEUDO_MAP_FD),
// and the verifier log: first attempt without one; on failure a retry with a buffer that grows
// on ENOSPC (to the kernel's log_true_size where reported). The verdict is the return value; the
// log only explains it, and the error names the offending instruction in LLVM syntax with its
// ctbpf label and source line.
#pragma once

#include "ctbpf/sys/config.hpp" // CTBPF_SYS_INLINE, CTBPF_SYS_BODIES

#include "ctbpf/assemble.hpp"
#include "ctbpf/sys/bpf_syscall.hpp"
#include "ctbpf/sys/error.hpp"
#include "ctbpf/sys/fd.hpp"
#include "ctbpf/sys/names.hpp"
#include "ctbpf/sys/prog.hpp" // sys::prog, sys::prog_info

#include <algorithm>
#include <array>
#include <concepts>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#if CTBPF_SYS_BODIES // (only the bodies: program BTF and the disassembly beside a rejection)
#include "ctbpf/btf_writer.hpp"
#include "ctbpf/disasm.hpp"
#endif

namespace ctbpf::sys {

// What the loader needs to know about a program: its instructions, the names of the maps its
// map("name") loads refer to (fd_array order), and per slot the source line and label.
struct load_options;
namespace detail {
CTBPF_SYS_INLINE check_result verify_for_load(std::span<const insn> insns, const load_options& o);
}

struct program_image {
    std::span<const insn> insns;
    std::span<const std::string_view> map_names{};
    std::span<const slot_info> slots{};
    const ctbpf::options* checked = nullptr; // the options image<F, O>() checked it with at compile time
    // The run-time check load() uses when `checked` does not cover the load's types; null in an
    // image that needs none (load<F, O>()), so that its file does not compile the run-time verifier.
    check_result (*verify)(std::span<const insn>, const load_options&) = &detail::verify_for_load;

    struct compile_time {};
    constexpr program_image(compile_time, std::span<const insn> i, std::span<const std::string_view> m,
                            std::span<const slot_info> s, const ctbpf::options* c)
        : insns(i), map_names(m), slots(s), checked(c), verify(nullptr) {}
    program_image() = default;
    program_image(std::span<const insn> i, std::span<const std::string_view> m = {},
                  std::span<const slot_info> s = {})
        : insns(i), map_names(m), slots(s) {}
    template <std::size_t N>
    program_image(const std::array<insn, N>& a) : insns(a) {}
    program_image(const std::vector<insn>& v) : insns(v.data(), v.size()) {} // ((pointer, size): cheaper to compile)
};

namespace detail {
template <auto F, ctbpf::options O = ctbpf::options{}, auto... Maps>
inline constexpr auto assembled_v = ctbpf::assemble<F, O, Maps...>();
template <ctbpf::options O>
inline constexpr ctbpf::options options_v = O;
template <auto F>
inline constexpr auto map_names_v = ctbpf::map_names<F>();
template <auto F>
inline constexpr auto source_map_v = ctbpf::source_map<F>();
template <class T>
inline constexpr bool is_insn_array_v = false;
template <std::size_t N>
inline constexpr bool is_insn_array_v<std::array<insn, N>> = true;
} // namespace detail

// The image of a compile-time program F (a lambda returning a ctbpf::program), checked at compile
// time with options O and the map declarations Maps... (as assemble<F, O, Maps...>()). The
// instructions, map names and source map are constants in static storage: loading them copies nothing.
namespace detail {
// image<F, O>() without the run-time check (for loads whose types are O's).
template <auto F, ctbpf::options O = ctbpf::options{}, auto... Maps>
program_image checked_image() {
    if constexpr (!is_insn_array_v<std::remove_cvref_t<decltype(assembled_v<F, O, Maps...>)>>) {
        (void)assembled_v<F, O, Maps...>; // a rejection: its type is the one error
        return program_image(program_image::compile_time{}, {}, {}, {}, nullptr);
    } else {
        return program_image(program_image::compile_time{}, assembled_v<F, O, Maps...>, map_names_v<F>, source_map_v<F>,
                             &options_v<O>);
    }
}
} // namespace detail
template <auto F, ctbpf::options O = ctbpf::options{}, auto... Maps>
program_image image() {
    program_image img = detail::checked_image<F, O, Maps...>();
    img.verify = &detail::verify_for_load;
    return img;
}

// A run-time program assembled together with its map names and source map.
struct assembled_program {
    std::vector<insn> insns;
    std::vector<std::string_view> map_names;
    std::vector<slot_info> slots;
    program_image image() const {
        return {{insns.data(), insns.size()}, {map_names.data(), map_names.size()}, {slots.data(), slots.size()}};
    }
};
// Assembles a run-time ctbpf::program; throws ctbpf::assembly_error when it is rejected.
CTBPF_SYS_INLINE assembled_program assemble_for_load(const ctbpf::program& p)
#if CTBPF_SYS_BODIES
{
    assembled_program a;
    const check_result v = try_assemble(p, a.insns, &a.map_names, &a.slots);
    if (!v.ok()) throw assembly_error(v);
    return a;
}
#else
;
#endif
// Assembles a run-time ctbpf::program and checks it with options `o` and the declarations of its
// maps (map_decl objects convert: assemble_for_load(p, o, {counts, config})); throws
// ctbpf::assembly_error or ctbpf::verifier_error when it is rejected.
template <class Decl = named_map_shape>
assembled_program assemble_for_load(const ctbpf::program& p, const ctbpf::options& o,
                                    std::span<const std::type_identity_t<Decl>> maps = {}) {
    assembled_program a = assemble_for_load(p);
    if (o.verify) {
        const check_result r = ctbpf::detail::check_located(a.insns, a.slots, o,
                                                            ctbpf::detail::match_declared(a.map_names, maps));
        if (!r.ok()) throw verifier_error(r);
    }
    return a;
}
template <class Decl = named_map_shape>
assembled_program assemble_for_load(const ctbpf::program& p, const ctbpf::options& o,
                                    std::initializer_list<std::type_identity_t<Decl>> maps) {
    return assemble_for_load<Decl>(p, o, std::span<const Decl>(maps.begin(), maps.size()));
}

// A map given to the loader by name: anything with fd() (sys::map, ringbuf, prog_array) or an fd.
struct map_binding {
    std::string_view name;
    int fd = -1;
    map_binding(std::string_view n, int f) : name(n), fd(f) {}
    template <class H>
        requires requires(const H& h) {
            { h.fd() } -> std::convertible_to<int>;
        }
    map_binding(std::string_view n, const H& h) : name(n), fd(h.fd()) {}
};

// How map("name") loads are bound to map fds.
enum class map_binding_mode : std::uint8_t {
    automatic, // fd_array (no copy); copy-and-patch when the kernel predates fd_array (E2BIG)
    fd_array,  // BPF_PSEUDO_MAP_IDX through attr.fd_array (Linux 5.14+)
    patch,     // copy the program, rewrite src 5/6 to BPF_PSEUDO_MAP_FD/VALUE with the fds
};

// A check run before bpf(BPF_PROG_LOAD) (load_options::precheck), with the verdict check()
// gives: a rejection (its rule, instruction, errno — 0: the rule's — and message) means the kernel
// is not asked. A policy of your own can say errc::refused_by_policy. sys::verifier_precheck
// (ctbpf/sys/precheck.hpp) is ctbpf::check() with the load's types.
using precheck_fn = check_result (*)(std::span<const insn>, const load_options&);

// Verification: by default load() runs ctbpf::check() with the load's program type and expected
// attach type (and verifier's privilege and kernel profile) before bpf(): a rejection is returned
// with the kernel's errno and message, and the kernel is not asked. An image<F, O>() checked at
// compile time with the same types is not checked again. `.verifier = ctbpf::unchecked` skips it.
struct load_options {
    ctbpf::kernel_enum<ctbpf::prog_type> type{};  // ctbpf::prog_type::xdp or BPF_PROG_TYPE_XDP (required)
    ctbpf::kernel_enum<ctbpf::attach_type> expected_attach_type{}; // ctbpf::attach_type:: or BPF_*
    std::string_view license = "GPL";
    std::string_view name{};                   // sanitized to [A-Za-z0-9_.], at most 15 characters
    std::uint32_t flags = 0;                   // BPF_F_* prog_flags
    std::uint32_t log_level = 0;               // 0: log only to explain a failure; else always log
    std::uint32_t log_size = 64 * 1024;        // the first log buffer (grows on ENOSPC)
    std::uint32_t attach_btf_id = 0;
    std::uint32_t attach_prog_fd = 0;          // or attach_btf_obj_fd
    std::uint32_t ifindex = 0;                 // offload / dev-bound target
    std::uint32_t kern_version = 0;
    map_binding_mode binding = map_binding_mode::automatic;
    std::span<const int> fd_array{};           // for map_idx(i) without names: fd_array[i]
    precheck_fn precheck = nullptr;            // another check before bpf(), after the verifier's
    ctbpf::options verifier{};                 // the check before bpf(); its type and attach type are
                                               // the load's; ctbpf::unchecked: no check
    // Program BTF (func_info, line_info; ctbpf/btf_writer.hpp): `automatic` generates and passes it
    // when the program has subprograms (calls, callbacks, global functions), `always` for every
    // program, `never` not at all.
    enum class btf_mode : std::uint8_t { automatic, always, never } program_btf = btf_mode::automatic;
    std::string_view source_file = "ctbpf";    // line_info's file name
};

// What a load did (optional out-parameter of load()).
struct load_report {
    int attempts = 0;             // bpf(BPF_PROG_LOAD) calls
    std::uint32_t log_size = 0;   // the last log buffer's size (0: no log was needed)
    bool insns_copied = false;    // true only for copy-and-patch
    std::string log;              // the verifier log of the last attempt that had one
    std::uint32_t func_info_cnt = 0, line_info_cnt = 0; // program BTF records passed (0: none)
};

// ---- the verifier log ----

struct verifier_log {
    std::vector<std::string> lines;
    std::vector<std::string> message;   // the lines that state the rejection
    std::optional<std::uint32_t> insn;  // the instruction the verifier stopped at
};

namespace detail {
// "12: (61) r1 = ..." -> 12
CTBPF_SYS_INLINE std::optional<std::uint32_t> insn_line_index(std::string_view l)
#if CTBPF_SYS_BODIES
{
    std::size_t i = 0;
    std::uint64_t n = 0;
    while (i < l.size() && l[i] >= '0' && l[i] <= '9' && i < 9) n = n * 10 + static_cast<std::uint64_t>(l[i++] - '0');
    if (i == 0 || l.substr(i, 3) != ": (" || l.size() < i + 6 || l[i + 5] != ')') return std::nullopt;
    return static_cast<std::uint32_t>(n);
}
#else
;
#endif
// The number after the last "insn " in a line ("jump out of range from insn 1 to 5" -> 1).
CTBPF_SYS_INLINE std::optional<std::uint32_t> insn_mention(std::string_view l)
#if CTBPF_SYS_BODIES
{
    std::size_t at = l.find("insn ");
    std::optional<std::uint32_t> r;
    while (at != std::string_view::npos) {
        std::size_t i = at + 5;
        std::uint64_t n = 0;
        std::size_t start = i;
        while (i < l.size() && l[i] >= '0' && l[i] <= '9' && i - start < 9) n = n * 10 + static_cast<std::uint64_t>(l[i++] - '0');
        if (i > start && !r) r = static_cast<std::uint32_t>(n);
        at = l.find("insn ", at + 5);
    }
    return r;
}
#else
;
#endif
// Messages the verifier prints at a prune point or before an instruction: they may follow the
// previous instruction's text on its line ("3: (75) if r0 s>= 0x0 goto pc-2 infinite loop ...").
inline std::size_t joined_message(std::string_view l) {
    for (std::string_view m : {"infinite loop detected", "BPF program is too large", "The sequence of "})
        if (std::size_t at = l.find(m); at != std::string_view::npos && at != 0) return at;
    return std::string_view::npos;
}
inline bool summary_line(std::string_view l) {
    return l.empty() || l.rfind("processed ", 0) == 0 || l.rfind("verification time", 0) == 0 ||
           l.rfind("stack depth", 0) == 0 || l.rfind("func#", 0) == 0;
}
} // namespace detail

CTBPF_SYS_INLINE verifier_log parse_verifier_log(std::string_view text)
#if CTBPF_SYS_BODIES
{
    verifier_log v;
    while (!text.empty()) {
        std::size_t nl = text.find('\n');
        std::string_view l = text.substr(0, nl);
        if (!l.empty() && l.back() == '\r') l.remove_suffix(1);
        const std::size_t joined = detail::joined_message(l);
        if (joined != std::string_view::npos && detail::insn_line_index(l)) { // split it in two
            v.lines.emplace_back(l.substr(0, joined - (l[joined - 1] == ' ' ? 1 : 0)));
            v.lines.emplace_back(l.substr(joined));
        } else if (!l.empty()) {
            v.lines.emplace_back(l);
        }
        if (nl == std::string_view::npos) break;
        text.remove_prefix(nl + 1);
    }
    std::size_t from = 0;
    for (std::size_t i = v.lines.size(); i-- > 0;) {
        if (auto n = detail::insn_line_index(v.lines[i])) {
            v.insn = n;
            from = i + 1;
            break;
        }
    }
    // "infinite loop detected at insn 2" after insn 3's text: the loop's instruction is meant
    if (from < v.lines.size() && v.lines[from].rfind("infinite loop detected", 0) == 0)
        if (auto n = detail::insn_mention(v.lines[from])) v.insn = n;
    for (std::size_t i = from; i < v.lines.size(); ++i)
        if (!detail::summary_line(v.lines[i])) v.message.push_back(v.lines[i]);
    if (v.message.size() > 12) v.message.erase(v.message.begin(), v.message.end() - 12);
    if (!v.insn)
        for (const std::string& l : v.message)
            if (auto n = detail::insn_mention(l)) v.insn = n;
    return v;
}
#else
;
#endif

// "insn 4: r1 = *(u32 *)(r1 + 0)   (label 'out', line 42)"
CTBPF_SYS_INLINE std::string annotate_insn(std::span<const insn> insns, std::span<const slot_info> slots, std::uint32_t index)
#if CTBPF_SYS_BODIES
{
    std::string s = "insn " + std::to_string(index) + ": ";
    if (index >= insns.size()) return s + "(past the end of the program)";
    const disasm_result d = disasm_one(insns, index);
    s += d.text.view();
    if (index < slots.size()) {
        std::string where;
        if (!slots[index].label.empty()) where = "label '" + std::string(slots[index].label) + "'";
        if (slots[index].line != 0) where += (where.empty() ? "" : ", ") + std::string("line ") + std::to_string(slots[index].line);
        if (!where.empty()) s += "   (" + where + ")";
    }
    return s;
}
#else
;
#endif

namespace detail {

inline std::string load_what(const load_options& o) {
    std::string s = "BPF_PROG_LOAD " + prog_type_name(o.type);
    if (!o.name.empty()) s += " '" + std::string(o.name) + "'";
    return s;
}

inline bool privileged() {
    return has_capability(cap_bpf).value_or(false) || has_capability(cap_sys_admin).value_or(false);
}
// Errors the verifier cannot explain: no log retry for these (nor for EPERM without privilege).
// (Not EFAULT nor E2BIG: the verifier returns them too, e.g. "The sequence of 8193 jumps is too complex.")
inline bool log_cannot_help(int e) {
    return e == EMFILE || e == ENFILE || e == ENOMEM || e == ENOSYS || e == EBADF ||
           (e == EPERM && !privileged());
}

// ctbpf::check() with the load's program and attach type: the default check before bpf().
CTBPF_SYS_INLINE check_result verify_for_load(std::span<const insn> insns, const load_options& o)
#if CTBPF_SYS_BODIES
{
    ctbpf::options v = o.verifier;
    v.type = o.type;
    v.expected_attach_type = o.expected_attach_type;
    v.program_btf = o.program_btf != load_options::btf_mode::never; // load() passes it when it matters
    return ctbpf::check(insns, v);
}
#else
;
#endif
// Whether load() runs the verifier on `img` (not when image<F, O>() checked it with these types).
inline bool needs_verify(const program_image& img, const load_options& o) {
    if (!o.verifier.verify) return false;
    const ctbpf::options* c = img.checked;
    return !(c && c->verify && c->type == o.type && c->expected_attach_type == o.expected_attach_type &&
             c->priv == o.verifier.priv);
}

CTBPF_SYS_INLINE int prog_load_call(attr_prog_load& a, load_report& rep)
#if CTBPF_SYS_BODIES
{
    int fd = -1;
    for (int tries = 0; tries < 5; ++tries) {
        ++rep.attempts;
        fd = bpf(BPF_PROG_LOAD, a);
        if (fd >= 0 || errno != EAGAIN) break;
    }
    return fd;
}
#else
;
#endif

} // namespace detail

// Loads a BTF blob (BPF_BTF_LOAD); a rejection carries the kernel's BTF log.
CTBPF_SYS_INLINE result<unique_fd> load_btf(std::span<const std::uint8_t> blob)
#if CTBPF_SYS_BODIES
{
    detail::attr_btf_load a;
    a.btf = detail::ptr(blob.data());
    a.btf_size = static_cast<std::uint32_t>(blob.size());
    int fd = detail::bpf(BPF_BTF_LOAD, a);
    if (fd >= 0) return unique_fd(fd);
    int err = errno;
    if (detail::log_cannot_help(err)) return make_error(err, "BPF_BTF_LOAD", err == EPERM ? detail::privilege_hint() : "");
    std::string log(64 * 1024, '\0');
    a.btf_log_buf = detail::ptr(log.data());
    a.btf_log_size = static_cast<std::uint32_t>(log.size());
    a.btf_log_level = 1;
    fd = detail::bpf(BPF_BTF_LOAD, a);
    if (fd >= 0) return unique_fd(fd);
    err = errno;
    log.resize(strnlen(log.data(), log.size()));
    error e = make_error(err, "BPF_BTF_LOAD", "the kernel rejected the BTF blob");
    e.log = parse_verifier_log(log).lines;
    if (!e.log.empty()) e.kernel_message.push_back(e.log.back());
    return e;
}
#else
;
#endif

// Loads `img`. Maps named in the program are looked up in `maps` by name.
CTBPF_SYS_INLINE result<prog> load(const program_image& img, const load_options& o, std::span<const map_binding> maps = {},
                         load_report* report = nullptr)
#if CTBPF_SYS_BODIES
{
    load_report local;
    load_report& rep = report ? *report : local;
    rep = {};
    const std::string what = detail::load_what(o);
    if (img.insns.empty()) return make_error(EINVAL, what, "the program has no instructions");
    if (o.type == BPF_PROG_TYPE_UNSPEC) return make_error(EINVAL, what, "load_options::type is not set");

    const bool verify = detail::needs_verify(img, o);
    if (verify && !img.verify)
        return make_error(EINVAL, what, "the program was checked at compile time with other types or privilege than this "
                                        "load's, and this image has no run-time check: load it with its ctbpf::options' types");
    for (const precheck_fn check : {verify ? img.verify : nullptr, o.precheck}) {
        if (!check) continue;
        const check_result v = check(img.insns, o);
        if (!v.ok()) {
            // ctbpf's own check: the image's (not &detail::verify_for_load: naming it here would compile the
            // run-time verifier into every header-only program that loads, checked at compile time or not)
            const bool ours = check == img.verify;
            error e = make_error(v.errnum != 0 ? v.errnum : errno_of(v.code), what,
                                 std::string(ours ? "ctbpf's verifier rejects the program" : "the precheck rejects the program") +
                                     " (" + std::string(to_string(v.code)) + "); the kernel was not asked" +
                                     (ours ? " (load_options::verifier = ctbpf::unchecked asks it)" : ""));
            if (!v.message().empty()) e.kernel_message.emplace_back(v.message());
            e.message_from = ours ? "ctbpf" : "precheck";
            e.insn = v.index;
            e.annotation = annotate_insn(img.insns, img.slots, v.index);
            return e;
        }
    }

    // lddw src 5/6 (BPF_PSEUDO_MAP_IDX[_VALUE]) index fd_array: each index needs a map, else the
    // kernel says only "fd_idx without fd_array is invalid".
    const std::size_t bound = !img.map_names.empty() ? img.map_names.size() : o.fd_array.size();
    for (std::size_t i = 0; i + 1 < img.insns.size(); ++i) {
        const insn& x = img.insns[i];
        if (x.code != (op::ld | op::imm | op::dw)) continue;
        if ((x.src_reg == op::pseudo_map_idx || x.src_reg == op::pseudo_map_idx_value) &&
            (x.imm < 0 || static_cast<std::size_t>(x.imm) >= bound)) {
            error e = make_error(
                EINVAL, what,
                "insn " + std::to_string(i) + " refers to map index " + std::to_string(x.imm) +
                    " (BPF_PSEUDO_MAP_IDX, an fd_array index) but " +
                    (bound == 0 ? std::string("no map names or fd_array were given")
                                : "only " + std::to_string(bound) + " map" + (bound == 1 ? "" : "s") + " were given") +
                    ": load a run-time program with sys::load(program, options, {{\"name\", map}}) (ctbpf::assemble() "
                    "and program_image(code) drop the map names), or set load_options::fd_array; the kernel was "
                    "not asked");
            e.insn = static_cast<std::uint32_t>(i);
            e.annotation = annotate_insn(img.insns, img.slots, static_cast<std::uint32_t>(i));
            return e;
        }
        ++i;
    }

    // fd_array: one fd per map name, in the program's index order.
    std::vector<int> fds;
    std::span<const int> fd_array = o.fd_array;
    if (!img.map_names.empty()) {
        fds.reserve(img.map_names.size());
        for (std::string_view name : img.map_names) {
            auto it = std::find_if(maps.begin(), maps.end(), [&](const map_binding& b) { return b.name == name; });
            if (it == maps.end())
                return make_error(EINVAL, what,
                                  "the program refers to map '" + std::string(name) +
                                      "' (fd_array index " + std::to_string(fds.size()) +
                                      ") but no map of that name was given");
            if (it->fd < 0) return make_error(EBADF, what, "map '" + std::string(name) + "' was given an invalid fd");
            fds.push_back(it->fd);
        }
        fd_array = fds;
    }

    const std::string license(o.license);
    detail::attr_prog_load a;
    a.prog_type = o.type.raw();
    a.insn_cnt = static_cast<std::uint32_t>(img.insns.size());
    a.insns = detail::ptr(img.insns.data());
    a.license = detail::ptr(license.c_str());
    a.kern_version = o.kern_version;
    a.prog_flags = o.flags;
    detail::copy_name(a.prog_name, o.name);
    a.prog_ifindex = o.ifindex;
    a.expected_attach_type = o.expected_attach_type.raw();
    a.attach_btf_id = o.attach_btf_id;
    a.attach_prog_fd = o.attach_prog_fd;

    // program BTF: func_info for each subprogram, line_info from the source map
    unique_fd btf_fd;
    std::optional<ctbpf::btf::program_btf> pbtf;
    if (o.program_btf == load_options::btf_mode::always ||
        (o.program_btf == load_options::btf_mode::automatic && ctbpf::btf::subprogram_starts(img.insns).size() > 1)) {
        std::string why;
        pbtf = ctbpf::btf::make_program_btf(img.insns, img.slots, o.name, o.source_file, why);
        if (!pbtf) return make_error(EINVAL, what, "program BTF: " + why + "; the kernel was not asked");
        result<unique_fd> b = load_btf(pbtf->blob);
        if (!b) {
            error e = std::move(b).error();
            e.message = what + ": loading its program BTF (func_info, line_info): " + e.message;
            return e;
        }
        btf_fd = std::move(*b);
        a.prog_btf_fd = static_cast<std::uint32_t>(btf_fd.get());
        a.func_info_rec_size = sizeof(ctbpf::btf::func_info);
        a.func_info = detail::ptr(pbtf->funcs.data());
        a.func_info_cnt = static_cast<std::uint32_t>(pbtf->funcs.size());
        a.line_info_rec_size = sizeof(ctbpf::btf::line_info);
        a.line_info = detail::ptr(pbtf->lines.data());
        a.line_info_cnt = static_cast<std::uint32_t>(pbtf->lines.size());
        rep.func_info_cnt = a.func_info_cnt;
        rep.line_info_cnt = a.line_info_cnt;
    }

    std::vector<insn> patched;
    auto use_patch = [&] {
        patched.assign(img.insns.begin(), img.insns.end());
        for (std::size_t i = 0; i + 1 < patched.size(); ++i) {
            insn& x = patched[i];
            if (x.code != (op::ld | op::imm | op::dw)) continue;
            if ((x.src_reg == op::pseudo_map_idx || x.src_reg == op::pseudo_map_idx_value) && x.imm >= 0 &&
                static_cast<std::size_t>(x.imm) < fd_array.size()) {
                x.src_reg = x.src_reg == op::pseudo_map_idx ? op::pseudo_map_fd : op::pseudo_map_value;
                x.imm = fd_array[static_cast<std::size_t>(x.imm)];
            }
            ++i;
        }
        a.insns = detail::ptr(patched.data());
        a.fd_array = 0;
        rep.insns_copied = true;
    };
    if (!fd_array.empty()) {
        if (o.binding == map_binding_mode::patch)
            use_patch();
        else
            a.fd_array = detail::ptr(fd_array.data());
    }

    std::string log;
    auto set_log = [&](std::uint32_t size) {
        size = std::clamp(size, k::log_min_size, k::log_max_size);
        log.assign(size, '\0');
        a.log_level = o.log_level != 0 ? o.log_level : 1;
        a.log_size = size;
        a.log_buf = detail::ptr(log.data());
        a.log_true_size = 0;
        rep.log_size = size;
    };
    if (o.log_level != 0) set_log(o.log_size);

    int fd = detail::prog_load_call(a, rep);
    int err = fd < 0 ? errno : 0;
    if (fd < 0 && err == E2BIG && a.fd_array != 0 && o.binding == map_binding_mode::automatic) {
        use_patch(); // a kernel before 5.14 does not know attr.fd_array
        fd = detail::prog_load_call(a, rep);
        err = fd < 0 ? errno : 0;
    }
    if (fd < 0 && a.log_level == 0 && !detail::log_cannot_help(err)) {
        set_log(o.log_size);
        fd = detail::prog_load_call(a, rep);
        err = fd < 0 ? errno : 0;
    }
    // ENOSPC with a log: the log was cut short. Grow it and ask again.
    while (fd < 0 && err == ENOSPC && a.log_level != 0 && a.log_size < k::log_max_size) {
        const std::uint32_t need = a.log_true_size > a.log_size ? a.log_true_size
                                   : a.log_size > k::log_max_size / 4 ? k::log_max_size
                                                                      : a.log_size * 4;
        set_log(need);
        fd = detail::prog_load_call(a, rep);
        err = fd < 0 ? errno : 0;
    }
    if (a.log_level != 0) {
        log.resize(strnlen(log.data(), log.size()));
        rep.log = log;
    }
    if (fd >= 0) return prog(unique_fd(fd), o.type, std::string(a.prog_name));

    std::string hint;
    if (err == EACCES || err == EINVAL) hint = "the verifier rejected the program";
    // E2BIG: the size check says nothing in the log; the verifier's limits (complexity, call
    // depth, and on some 6.18 builds the pending-branch limit) say why
    if (err == E2BIG) hint = log.empty() ? "the program is too large for this kernel"
                                         : "the verifier rejected the program (a size or complexity limit; see its message)";
    if (err == EFAULT && !log.empty()) hint = "the verifier rejected the program (see its message)";
    if (err == EPERM) {
        hint = detail::privilege_hint();
        if (detail::privileged()) hint = "the verifier or the kernel refused the program: " + hint;
    }
    error e = make_error(err, what, hint);
    if (!log.empty()) {
        verifier_log v = parse_verifier_log(log);
        e.log = std::move(v.lines);
        e.kernel_message = std::move(v.message);
        e.insn = v.insn;
        if (v.insn) e.annotation = annotate_insn(img.insns, img.slots, *v.insn);
    }
    return e;
}
#else
;
#endif

inline result<prog> load(const program_image& img, const load_options& o, std::initializer_list<map_binding> maps,
                         load_report* report = nullptr) {
    return load(img, o, std::span<const map_binding>(maps.begin(), maps.size()), report);
}

// Loads a run-time program: assembled with its map names and source map (as assemble_for_load),
// so map("name") loads bind to `maps` by name. An assembly error is returned, not thrown.
CTBPF_SYS_INLINE result<prog> load(const ctbpf::program& p, const load_options& o, std::span<const map_binding> maps = {},
                         load_report* report = nullptr)
#if CTBPF_SYS_BODIES
{
    assembled_program a;
    const check_result v = try_assemble(p, a.insns, &a.map_names, &a.slots);
    if (!v.ok()) return make_error(EINVAL, detail::load_what(o), "the program does not assemble: " + assembly_error::describe(v) +
                                                                  "; the kernel was not asked");
    return load(a.image(), o, maps, report);
}
#else
;
#endif
inline result<prog> load(const ctbpf::program& p, const load_options& o, std::initializer_list<map_binding> maps,
                         load_report* report = nullptr) {
    return load(p, o, std::span<const map_binding>(maps.begin(), maps.size()), report);
}

// Loads the compile-time program F, binding its map("name") loads to `maps` by name.
template <auto F>
result<prog> load(const load_options& o, std::initializer_list<map_binding> maps = {}, load_report* report = nullptr) {
    return load(image<F>(), o, std::span<const map_binding>(maps.begin(), maps.size()), report);
}
template <auto F>
result<prog> load(const load_options& o, std::span<const map_binding> maps, load_report* report = nullptr) {
    return load(image<F>(), o, maps, report);
}

} // namespace ctbpf::sys
