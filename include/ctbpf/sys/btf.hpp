// BTF from the kernel (/sys/kernel/btf/vmlinux and modules) or a file, read with the pure parser of
// ctbpf/btf.hpp; fentry/fexit support (the BTF id of a kernel function, attaching tracing programs
// through BPF_LINK_CREATE); CO-RE field relocations resolved here, at load time, against the
// running kernel's BTF.
//
// Why CO-RE is resolved in user space and not passed as attr.core_relos: the kernel's in-kernel
// CO-RE resolves each relocation against a *local* type in the program's BTF (libbpf's light
// skeletons carry the compiler's types). A ctbpf program names a type and member path, with no
// local type to describe them; the program BTF that sys::load writes (ctbpf/btf_writer.hpp) holds
// functions only. Resolving here, as libbpf does, also lets a missing field fail with the type and
// member named before anything is loaded. Kinds: libbpf's field, type and enum relocations.
#pragma once

#include "ctbpf/sys/config.hpp" // CTBPF_SYS_INLINE, CTBPF_SYS_BODIES

#include "ctbpf/btf.hpp"
#include "ctbpf/core.hpp"
#include "ctbpf/sys/attach.hpp"
#include "ctbpf/sys/bpf_syscall.hpp"
#include "ctbpf/sys/error.hpp"
#include "ctbpf/sys/fd.hpp"
#include "ctbpf/sys/load.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <initializer_list>
#include <limits>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace ctbpf::sys {

using btf_blob = std::shared_ptr<const ctbpf::btf::blob>;

inline constexpr const char* vmlinux_btf_path = "/sys/kernel/btf/vmlinux";

// Reads and parses the BTF file at `path` (split BTF when `base` is given, as for a module).
CTBPF_SYS_INLINE result<btf_blob> read_btf(const std::string& path, btf_blob base = nullptr)
#if CTBPF_SYS_BODIES
{
    unique_fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) {
        const int e = errno;
        return make_error(e, "opening BTF " + path,
                          e == ENOENT && path.rfind("/sys/kernel/btf/", 0) == 0
                              ? "this kernel exposes no BTF there (needs CONFIG_DEBUG_INFO_BTF" +
                                    std::string(base ? "_MODULES and the module loaded)" : ")")
                              : "");
    }
    std::vector<std::uint8_t> bytes;
    struct stat st{};
    std::size_t have = 0;
    bytes.resize(::fstat(fd.get(), &st) == 0 && st.st_size > 0 ? static_cast<std::size_t>(st.st_size) + 1 : 1 << 16);
    for (;;) { // read into the buffer; grow it when the file is longer than it said
        if (have == bytes.size()) bytes.resize(bytes.size() * 2);
        const ssize_t n = ::read(fd.get(), bytes.data() + have, bytes.size() - have);
        if (n < 0) {
            if (errno == EINTR) continue;
            return make_error(errno, "reading BTF " + path);
        }
        if (n == 0) break;
        have += static_cast<std::size_t>(n);
    }
    bytes.resize(have);
    std::string why;
    auto b = ctbpf::btf::blob::parse(std::move(bytes), why, std::move(base));
    if (!b) return make_error(EINVAL, "parsing BTF " + path, "malformed BTF: " + why);
    return btf_blob(std::make_shared<const ctbpf::btf::blob>(std::move(*b)));
}
#else
;
#endif

// The running kernel's BTF, read once per process (later calls share it).
CTBPF_SYS_INLINE result<btf_blob> vmlinux_btf()
#if CTBPF_SYS_BODIES
{
    static std::mutex m;
    static btf_blob cached;
    std::lock_guard<std::mutex> lock(m);
    if (cached) return cached;
    result<btf_blob> r = read_btf(vmlinux_btf_path);
    if (r) cached = *r;
    return r;
}
#else
;
#endif

// A module's BTF (/sys/kernel/btf/NAME), split on the kernel's.
inline result<btf_blob> module_btf(std::string_view module) {
    result<btf_blob> base = vmlinux_btf();
    if (!base) return std::move(base).error();
    return read_btf("/sys/kernel/btf/" + std::string(module), *base);
}

// ---- fentry / fexit ----

namespace detail {
// "; did you mean X, Y or Z?" among the names of kind `k` in `btf` that start with `prefix`
// (compared and shown without it); "" when none is near.
inline std::string btf_suggestions(const btf_blob& btf, std::string_view want, ctbpf::btf::kind k, std::string_view prefix = {}) {
    std::vector<std::string> names;
    for (std::uint32_t id = btf->start_id(); id < btf->end_id(); ++id) {
        const auto t = btf->type_by_id(id);
        if (!t || t->kind != k || t->name.size() <= prefix.size() || t->name.substr(0, prefix.size()) != prefix) continue;
        names.emplace_back(t->name.substr(prefix.size()));
    }
    const std::vector<std::string> near = nearest(want, names);
    if (near.empty()) return {};
    std::string s = "; did you mean ";
    for (std::size_t i = 0; i < near.size(); ++i) s += (i == 0 ? "" : i + 1 == near.size() ? " or " : ", ") + near[i];
    return s + "?";
}
} // namespace detail

// The BTF id of the kernel function `name` (a FUNC in vmlinux BTF): load_options::attach_btf_id
// of an fentry/fexit program. Not found: the error names the nearest functions.
inline result<std::uint32_t> btf_function_id(std::string_view name, const btf_blob& btf, std::string_view where = "BTF") {
    if (auto id = btf->find(name, ctbpf::btf::kind::func)) return *id;
    return make_error(ENOENT, "finding kernel function '" + std::string(name) + "' in " + std::string(where),
                      "no function named '" + std::string(name) + "' in " + std::string(where) +
                          " (static functions that were inlined have none; see /sys/kernel/tracing/available_filter_functions)" +
                          detail::btf_suggestions(btf, name, ctbpf::btf::kind::func));
}
inline result<std::uint32_t> btf_function_id(std::string_view name) {
    result<btf_blob> b = vmlinux_btf();
    if (!b) return std::move(b).error();
    return btf_function_id(name, *b, "vmlinux BTF");
}

// Load options of a program attached through BTF (tracing, iterators, LSM): its program type,
// expected attach type and attach_btf_id `id` (an error in `id` is returned as it is).
inline result<load_options> btf_attach_options(ctbpf::kernel_enum<ctbpf::prog_type> type,
                                               ctbpf::kernel_enum<ctbpf::attach_type> attach, result<std::uint32_t> id) {
    if (!id) return std::move(id).error();
    load_options o;
    o.type = type;
    o.expected_attach_type = attach;
    o.attach_btf_id = *id;
    return o;
}

// Load options of an fentry (or fexit, fmod_ret: pass BPF_TRACE_FEXIT / BPF_MODIFY_RETURN) program
// on kernel function `function`.
CTBPF_SYS_INLINE result<load_options> tracing_options(std::string_view function,
                                           ctbpf::kernel_enum<ctbpf::attach_type> attach_type = ctbpf::attach_type::trace_fentry)
#if CTBPF_SYS_BODIES
{
    return btf_attach_options(ctbpf::prog_type::tracing, attach_type, btf_function_id(function));
}
#else
;
#endif

// Load options of a tp_btf program (BPF_PROG_TYPE_TRACING, BPF_TRACE_RAW_TP) on the raw tracepoint
// `name` (e.g. "sys_enter"): attach_btf_id is the typedef btf_trace_NAME. Its context is the
// tracepoint's arguments as u64s, pointers typed by BTF (loads through them are checked by the kernel).
CTBPF_SYS_INLINE result<load_options> tp_btf_options(std::string_view name)
#if CTBPF_SYS_BODIES
{
    result<btf_blob> b = vmlinux_btf();
    if (!b) return std::move(b).error();
    const std::string type = "btf_trace_" + std::string(name);
    const auto id = (*b)->find(type, ctbpf::btf::kind::typedef_);
    if (!id)
        return make_error(ENOENT, "finding raw tracepoint '" + std::string(name) + "' in BTF",
                          "no typedef " + type + " in vmlinux BTF" + detail::btf_suggestions(*b, name, ctbpf::btf::kind::typedef_, "btf_trace_"));
    return btf_attach_options(ctbpf::prog_type::tracing, ctbpf::attach_type::trace_raw_tp, *id);
}
#else
;
#endif

// Attaches a loaded tracing program (fentry, fexit, fmod_ret, tp_btf) to the target it was
// loaded for (attach_btf_id) with BPF_LINK_CREATE; the link detaches when destroyed.
CTBPF_SYS_INLINE result<link> attach_tracing(const prog& p,
                                   ctbpf::kernel_enum<ctbpf::attach_type> attach_type = ctbpf::attach_type::trace_fentry,
                                   std::string what = "tracing program")
#if CTBPF_SYS_BODIES
{
    detail::attr_link_create a;
    a.prog_fd = static_cast<std::uint32_t>(p.fd());
    a.target = 0;
    a.attach_type = attach_type.raw();
    const int fd = detail::bpf(BPF_LINK_CREATE, a);
    if (fd < 0) {
        const int e = errno;
        std::string hint;
        if (e == EINVAL)
            hint = "the program must be loaded as tracing with expected_attach_type " + attach_type_name(attach_type) +
                   " and an attach_btf_id (loaded as " + prog_type_name(p.type()) + ")";
        if (e == EBUSY) hint = "this program is attached already (a tracing program attaches once; load it again)";
        if (e == 524 || e == EOPNOTSUPP) hint = "this kernel or architecture has no BPF trampolines (fentry/fexit)";
        return make_error(e, "BPF_LINK_CREATE " + what, hint);
    }
    return link(unique_fd(fd), link::kind::bpf_link, std::move(what));
}
#else
;
#endif

// ---- CO-RE ----

// The byte offset of the field `path` in struct/union `type` of `btf` (libbpf's rules: a
// "___flavour" suffix is ignored, anonymous members are searched through, all candidates must agree).
// An error names the type and the member that is missing; bitfields are refused (a byte offset
// does not locate them).
CTBPF_SYS_INLINE result<std::uint32_t> core_field_offset(const ctbpf::btf::blob& btf, std::string_view type,
                                               std::span<const std::string_view> path)
#if CTBPF_SYS_BODIES
{
    std::string why;
    const auto f = ctbpf::btf::find_field(btf, type, path, why);
    std::string p;
    p = ctbpf::btf::join_path(path);
    const std::string what = "CO-RE field offset " + std::string(type) + "." + p;
    if (!f) return make_error(ENOENT, what, why);
    if (f->bitfield_size != 0 || f->bit_offset % 8 != 0)
        return make_error(EINVAL, what, "it is a bitfield (" + std::to_string(f->bitfield_size) + " bits at bit " +
                                            std::to_string(f->bit_offset) + "): a byte offset cannot address it");
    return f->bit_offset / 8;
}
#else
;
#endif
inline result<std::uint32_t> core_field_offset(const ctbpf::btf::blob& btf, std::string_view type,
                                               std::initializer_list<std::string_view> path) {
    return core_field_offset(btf, type, std::span<const std::string_view>(path.begin(), path.size()));
}
// Whether the field exists (libbpf's bpf_core_field_exists).
inline bool core_field_exists(const ctbpf::btf::blob& btf, std::string_view type, std::initializer_list<std::string_view> path) {
    std::string why;
    return ctbpf::btf::find_field(btf, type, std::span<const std::string_view>(path.begin(), path.size()), why).has_value();
}
// The size of struct/union `type` (libbpf's bpf_core_type_size); ENOENT when there is none.
CTBPF_SYS_INLINE result<std::uint32_t> core_type_size(const ctbpf::btf::blob& btf, std::string_view type)
#if CTBPF_SYS_BODIES
{
    const std::string_view ess = ctbpf::btf::essential_name(type);
    for (std::uint32_t id : btf.find_essential(ess))
        if (btf.type_by_id(id)->is_composite()) return static_cast<std::uint32_t>(*btf.resolve_size(id));
    return make_error(ENOENT, "CO-RE type size of " + std::string(type), "no struct or union named '" + std::string(ess) + "' in the target BTF");
}
#else
;
#endif

// What a relocation writes into its instruction (libbpf's enum bpf_core_relo_kind, resolved here).
enum class core_kind : std::uint8_t {
    field_byte_offset, // ldx/st/stx: off = offset; alu/mov with an immediate or lddw: imm = offset
    field_exists,      // imm = 1 or 0
    field_byte_size,   // imm = the field's size (a bitfield: the size of the load that holds it)
    field_signed,      // imm = 1 when the field is a signed integer or a signed enum
    field_lshift_u64,  // imm = the left shift that puts the field's top bit at bit 63 of a u64 load
    field_rshift_u64,  // imm = 64 - the field's width (on rsh/arsh: the opcode follows the sign)
    bitfield_load,     // ldx: off = the byte offset, size = the byte size of the enclosing load
    type_exists,       // imm = 1 or 0
    type_size,         // imm = sizeof(type) (path empty)
    type_id,           // imm = the type's id in the target BTF (0 when missing)
    enum_exists,       // imm = 1 or 0 (path: the enumerator)
    enum_value,        // imm (lddw: 64 bits) = the enumerator's value
};

// The label spelling of each kind: "core:KIND@TYPE.PATH" (ctbpf/core.hpp).
inline constexpr std::pair<std::string_view, core_kind> core_kind_names[] = {
    {"offset", core_kind::field_byte_offset}, {"exists", core_kind::field_exists},
    {"size", core_kind::field_byte_size},     {"signed", core_kind::field_signed},
    {"lshift", core_kind::field_lshift_u64},  {"rshift", core_kind::field_rshift_u64},
    {"bitfield_load", core_kind::bitfield_load}, {"type_exists", core_kind::type_exists},
    {"type_size", core_kind::type_size},      {"type_id", core_kind::type_id},
    {"enum_exists", core_kind::enum_exists},  {"enum_value", core_kind::enum_value},
};

// A relocation of the instruction at `label` (a label("...") in the program marks the next
// instruction). The instruction's off or imm is a placeholder that is overwritten. `type` may
// carry a kind: "struct X", "union X", "enum X", "typedef X" (without one: a struct or union).
// `guarded`: a missing field or enumerator poisons the instruction as libbpf does (call 0xbad2310,
// refused by the verifier only if reached: guard it with an existence check); unguarded, a
// missing one is an error naming the type and member.
struct core_relocation {
    std::string_view label;
    std::string_view type;
    std::vector<std::string_view> path{};
    core_kind kind = core_kind::field_byte_offset;
    bool guarded = false;
    bool bitfield_ok = false; // field_byte_offset of a bitfield: the enclosing load's offset (libbpf's
                              // BYTE_OFFSET, as "core:offset@..." labels ask); false: refused
};

// libbpf's poison instruction: "invalid func unknown#195896080" if the verifier reaches it.
inline constexpr std::int32_t core_poison_imm = 0xbad2310;

namespace detail {
CTBPF_SYS_INLINE std::optional<std::size_t> slot_of_label(std::span<const slot_info> slots, std::string_view label)
#if CTBPF_SYS_BODIES
{
    if (label.empty()) return std::nullopt;
    for (std::size_t i = 0; i < slots.size(); ++i)
        if (slots[i].label == label) return i;
    return std::nullopt;
}
#else
;
#endif
inline bool type_relo(core_kind k) {
    return k == core_kind::type_exists || k == core_kind::type_size || k == core_kind::type_id;
}
inline bool enum_relo(core_kind k) { return k == core_kind::enum_exists || k == core_kind::enum_value; }
// "struct task_struct" -> (struct, "task_struct"); no prefix: any composite (kind::unknown)
CTBPF_SYS_INLINE std::pair<ctbpf::btf::kind, std::string_view> split_kind(std::string_view t)
#if CTBPF_SYS_BODIES
{
    using ctbpf::btf::kind;
    for (auto [p, k] : {std::pair{std::string_view("struct "), kind::struct_}, std::pair{std::string_view("union "), kind::union_},
                        std::pair{std::string_view("enum "), kind::enum_}, std::pair{std::string_view("typedef "), kind::typedef_}})
        if (t.substr(0, p.size()) == p) return {k, t.substr(p.size())};
    return {kind::unknown, t};
}
#else
;
#endif
// The candidates of a type relocation: same essential name, same kind (enum and enum64 alike).
CTBPF_SYS_INLINE std::vector<std::uint32_t> core_candidates(const ctbpf::btf::blob& btf, std::string_view type, bool is_enum)
#if CTBPF_SYS_BODIES
{
    using ctbpf::btf::kind;
    auto [want, name] = split_kind(type);
    if (is_enum && want == kind::unknown) want = kind::enum_; // enum relocations: "pid_type" is "enum pid_type"
    std::vector<std::uint32_t> out;
    for (std::uint32_t id : btf.find_essential(ctbpf::btf::essential_name(name))) {
        const auto t = btf.type_by_id(id);
        const bool ok = want == kind::unknown ? t->is_composite()
                        : want == kind::enum_ ? (t->kind == kind::enum_ || t->kind == kind::enum64)
                                              : t->kind == want;
        if (ok) out.push_back(id);
    }
    return out;
}
#else
;
#endif
} // namespace detail

// The value of a field relocation (libbpf's bpf_core_calc_field_relo) for field `f` of `btf`.
CTBPF_SYS_INLINE result<std::int64_t> core_field_value(const ctbpf::btf::blob& btf, const ctbpf::btf::field_info& f, core_kind k,
                                             const std::string& what, bool bitfield_ok = true)
#if CTBPF_SYS_BODIES
{
    using ctbpf::btf::kind;
    if (k == core_kind::field_exists) return 1;
    const std::uint32_t mt_id = btf.skip_modifiers(f.member_type);
    const auto mt = btf.type_by_id(mt_id);
    if (!mt) return make_error(EINVAL, what, "the field's type id " + std::to_string(f.member_type) + " is out of range");
    const bool bitfield = f.bitfield_size != 0;
    std::uint32_t byte_sz = 0, byte_off = 0, bit_sz = f.bitfield_size;
    const std::uint32_t bit_off = f.bit_offset;
    if (bitfield) {
        byte_sz = mt->size_or_type;
        if (byte_sz == 0) return make_error(EINVAL, what, "a bitfield of a type without a size");
        byte_off = bit_off / 8 / byte_sz * byte_sz;
        while (bit_off + bit_sz - byte_off * 8 > byte_sz * 8) {
            if (byte_sz >= 8) return make_error(E2BIG, what, "the bitfield cannot be read with one 64-bit load");
            byte_sz *= 2;
            byte_off = bit_off / 8 / byte_sz * byte_sz;
        }
    } else {
        const auto sz = btf.resolve_size(mt_id);
        if (!sz) return make_error(EINVAL, what, "the field's size cannot be resolved");
        byte_sz = static_cast<std::uint32_t>(*sz);
        byte_off = bit_off / 8;
        bit_sz = byte_sz * 8;
    }
    switch (k) {
    case core_kind::field_byte_offset:
        if (!bitfield_ok && (bitfield || bit_off % 8 != 0))
            return make_error(EINVAL, what, "it is a bitfield (" + std::to_string(f.bitfield_size) + " bits at bit " +
                                                std::to_string(bit_off) + "): a byte offset cannot address it (use core::load_bitfield)");
        return byte_off;
    case core_kind::bitfield_load: return std::int64_t{byte_off} << 8 | byte_sz; // both, unpacked by the patcher
    case core_kind::field_byte_size: return byte_sz;
    case core_kind::field_signed: {
        if (mt->kind == kind::enum_ || mt->kind == kind::enum64) return mt->kind_flag ? 1 : 0;
        const auto i = btf.integer(mt_id);
        return i && (i->encoding & 1) ? 1 : 0;
    }
    case core_kind::field_lshift_u64: return 64 - (bit_off + bit_sz - byte_off * 8);
    case core_kind::field_rshift_u64: return 64 - bit_sz;
    default: return make_error(EINVAL, what, "not a field relocation");
    }
}
#else
;
#endif

// The value of a type or enum relocation (libbpf's bpf_core_calc_type_relo / _enumval_relo);
// nullopt inside: missing (0 for the existence kinds).
CTBPF_SYS_INLINE result<std::optional<std::int64_t>> core_type_value(const ctbpf::btf::blob& btf, std::string_view type,
                                                            std::span<const std::string_view> path, core_kind k,
                                                            const std::string& what)
#if CTBPF_SYS_BODIES
{
    using ctbpf::btf::kind;
    const std::vector<std::uint32_t> cands = detail::core_candidates(btf, type, detail::enum_relo(k));
    std::optional<std::int64_t> value;
    for (std::uint32_t id : cands) {
        std::optional<std::int64_t> v;
        if (detail::type_relo(k)) {
            if (k == core_kind::type_exists) v = 1;
            if (k == core_kind::type_id) v = id;
            if (k == core_kind::type_size) {
                const auto sz = btf.resolve_size(id);
                if (!sz) return make_error(EINVAL, what, "the size of type " + std::to_string(id) + " cannot be resolved");
                v = static_cast<std::int64_t>(*sz);
            }
        } else {
            if (path.size() != 1) return make_error(EINVAL, what, "an enum relocation names one enumerator");
            const std::string_view want = ctbpf::btf::essential_name(path[0]);
            const bool is32 = btf.type_by_id(id)->kind == kind::enum_;
            for (const ctbpf::btf::enumerator& e : btf.enumerators(id))
                if (ctbpf::btf::essential_name(e.name) == want) {
                    // libbpf reads a 32-bit enumerator as s32 (sign-extended)
                    v = k == core_kind::enum_exists ? 1
                        : is32 ? static_cast<std::int64_t>(static_cast<std::int32_t>(static_cast<std::uint32_t>(e.value)))
                               : e.value;
                    break;
                }
        }
        if (!v) continue;
        if (value && *value != *v)
            return make_error(EINVAL, what, "ambiguous: the candidates named '" + std::string(detail::split_kind(type).second) +
                                                "' give " + std::to_string(*value) + " and " + std::to_string(*v));
        value = v;
    }
    if (!value && (k == core_kind::type_exists || k == core_kind::enum_exists || k == core_kind::type_id)) value = 0;
    return value;
}
#else
;
#endif

// The relocations a program carries in its labels (ctbpf/core.hpp): "core:TYPE.MEMBER[.MEMBER...][#TAG]"
// is a field byte offset; "core:KIND@TYPE[.PATH][#TAG]" any kind of core_kind_names, "?KIND" guarded.
CTBPF_SYS_INLINE std::vector<core_relocation> core_relocations_of(const program_image& img)
#if CTBPF_SYS_BODIES
{
    std::vector<core_relocation> out;
    for (const slot_info& s : img.slots) {
        if (s.label.substr(0, ctbpf::core::label_prefix.size()) != ctbpf::core::label_prefix) continue;
        std::string_view text = s.label.substr(ctbpf::core::label_prefix.size());
        text = text.substr(0, text.find('#'));
        core_relocation r;
        r.label = s.label;
        if (const std::size_t at = text.find('@'); at != std::string_view::npos) {
            std::string_view k = text.substr(0, at);
            if (!k.empty() && k[0] == '?') {
                r.guarded = true;
                k.remove_prefix(1);
            }
            r.type = {}; // an unknown kind: left without a type, reported by core_relocate
            for (auto [name, kind] : core_kind_names)
                if (name == k) {
                    r.kind = kind;
                    r.type = "?";
                    r.bitfield_ok = true;
                }
            text = text.substr(at + 1);
            if (r.type.empty()) {
                r.path.push_back(k);
                out.push_back(std::move(r));
                continue;
            }
        }
        const std::size_t dot = text.find('.');
        r.type = text.substr(0, dot);
        while (dot != std::string_view::npos && !text.empty()) {
            text = text.substr(text.find('.') + 1);
            r.path.push_back(text.substr(0, text.find('.')));
            if (text.find('.') == std::string_view::npos) break;
        }
        out.push_back(std::move(r));
    }
    return out;
}
#else
;
#endif

// Copies `img` and applies the relocations in its labels (ctbpf/core.hpp) and then `relos`
// against `btf`: the copy to pass to load() (its image()).
CTBPF_SYS_INLINE result<assembled_program> core_relocate(const program_image& img, std::span<const core_relocation> explicit_relos,
                                               const ctbpf::btf::blob& btf)
#if CTBPF_SYS_BODIES
{
    assembled_program out;
    out.insns.assign(img.insns.begin(), img.insns.end());
    out.map_names.assign(img.map_names.begin(), img.map_names.end());
    out.slots.assign(img.slots.begin(), img.slots.end());
    std::vector<core_relocation> relos = core_relocations_of(img);
    relos.insert(relos.end(), explicit_relos.begin(), explicit_relos.end());
    for (const core_relocation& r : relos) {
        if (r.type.empty() && !r.path.empty())
            return make_error(EINVAL, "CO-RE relocation at label '" + std::string(r.label) + "'",
                              "unknown relocation kind '" + std::string(r.path[0]) + "' (offset, exists, size, signed, lshift, rshift, "
                              "bitfield_load, type_exists, type_size, type_id, enum_exists, enum_value)");
        const bool needs_path = !detail::type_relo(r.kind);
        if (r.type.empty() || (r.path.empty() && needs_path))
            return make_error(EINVAL, "CO-RE relocation at label '" + std::string(r.label) + "'",
                              "it names no type or no member (expected core:TYPE.MEMBER[.MEMBER...])");
        std::string p; // (not "." + join_path(): g++ 12 -O3 warns of an overlapping memcpy in operator+, a false positive)
        if (!r.path.empty()) p.append(".").append(ctbpf::btf::join_path(r.path));
        const std::string what = "CO-RE relocation at label '" + std::string(r.label) + "' (" + std::string(r.type) + p + ")";
        const auto at = detail::slot_of_label(img.slots, r.label);
        if (!at || *at >= out.insns.size())
            return make_error(EINVAL, what, "the program has no label '" + std::string(r.label) + "' (relocations name the instruction by its label)");
        std::optional<std::int64_t> value;
        bool is_signed = false;
        if (detail::type_relo(r.kind) || detail::enum_relo(r.kind)) {
            result<std::optional<std::int64_t>> v = core_type_value(btf, r.type, r.path, r.kind, what);
            if (!v) return std::move(v).error();
            value = *v;
            if (!value && !r.guarded)
                return make_error(ENOENT, what, "enumerator " + std::string(r.type) + "::" + std::string(r.path[0]) +
                                                    " does not exist in the target BTF (guard it: core::enum_exists, and a ?enum_value label)");
        } else {
            std::string why;
            const std::string_view tname = detail::split_kind(r.type).second;
            const auto f = ctbpf::btf::find_field(btf, tname, r.path, why);
            if (f) {
                result<std::int64_t> v = core_field_value(btf, *f, r.kind, what, r.bitfield_ok);
                if (!v) return std::move(v).error();
                value = *v;
                if (r.kind == core_kind::field_rshift_u64) is_signed = *core_field_value(btf, *f, core_kind::field_signed, what) != 0;
            } else if (r.kind == core_kind::field_exists) {
                value = 0;
            } else if (!r.guarded || why.rfind("ambiguous", 0) == 0) { // guarded: missing type or field -> poison
                return make_error(ENOENT, what, why);
            }
        }
        insn& x = out.insns[*at];
        const std::uint8_t cls = x.code & 0x07;
        const bool lddw = x.code == (op::ld | op::imm | op::dw) && x.src_reg == 0 && *at + 1 < out.insns.size();
        if (!value) { // libbpf's bpf_core_poison_insn (both halves of an lddw)
            const insn poison{static_cast<std::uint8_t>(op::jmp | op::call), 0, 0, 0, core_poison_imm};
            if (lddw) out.insns[*at + 1] = poison;
            x = poison;
            continue;
        }
        const bool mem = cls == op::ldx || cls == op::st || cls == op::stx;
        if (r.kind == core_kind::bitfield_load) {
            if (cls != op::ldx)
                return make_error(EINVAL, what, "a bitfield_load relocation patches a load (ldx), not " +
                                                    annotate_insn(out.insns, out.slots, static_cast<std::uint32_t>(*at)));
            const std::int64_t off = *value >> 8, sz = *value & 0xff;
            if (off > std::numeric_limits<std::int16_t>::max())
                return make_error(ERANGE, what, "offset " + std::to_string(off) + " does not fit an instruction's 16-bit offset");
            x.off = static_cast<std::int16_t>(off);
            x.code = static_cast<std::uint8_t>((x.code & ~0x18) | (sz == 1 ? 0x10 : sz == 2 ? 0x08 : sz == 4 ? 0x00 : 0x18));
        } else if (mem && r.kind == core_kind::field_byte_offset) {
            if (*value > std::numeric_limits<std::int16_t>::max())
                return make_error(ERANGE, what, "offset " + std::to_string(*value) + " does not fit an instruction's 16-bit offset; add it to the pointer first (r += imm)");
            x.off = static_cast<std::int16_t>(*value);
        } else if ((cls == op::alu || cls == op::alu64) && (x.code & 0x08) == 0) {
            x.imm = static_cast<std::int32_t>(*value);
            const std::uint8_t alu_op = x.code & 0xf0;
            if (r.kind == core_kind::field_rshift_u64 && (alu_op == 0x70 || alu_op == 0xc0)) // rsh / arsh by the field's sign
                x.code = static_cast<std::uint8_t>((x.code & 0x0f) | (is_signed ? 0xc0 : 0x70));
        } else if (lddw) {
            x.imm = static_cast<std::int32_t>(static_cast<std::uint32_t>(static_cast<std::uint64_t>(*value)));
            out.insns[*at + 1].imm = static_cast<std::int32_t>(static_cast<std::uint32_t>(static_cast<std::uint64_t>(*value) >> 32));
        } else {
            return make_error(EINVAL, what, "the labelled instruction (" + annotate_insn(out.insns, out.slots, static_cast<std::uint32_t>(*at)) +
                                                ") has no offset or immediate to relocate: use a load/store, or mov/add with an immediate");
        }
    }
    return out;
}
#else
;
#endif
inline result<assembled_program> core_relocate(const program_image& img, std::initializer_list<core_relocation> relos,
                                               const ctbpf::btf::blob& btf) {
    return core_relocate(img, std::span<const core_relocation>(relos.begin(), relos.size()), btf);
}
inline result<assembled_program> core_relocate(const program_image& img, const ctbpf::btf::blob& btf) {
    return core_relocate(img, std::span<const core_relocation>(), btf);
}

} // namespace ctbpf::sys
