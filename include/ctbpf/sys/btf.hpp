// BTF from the kernel (/sys/kernel/btf/vmlinux and modules) or a file, read with the pure parser of
// ctbpf/btf.hpp; fentry/fexit support (the BTF id of a kernel function, attaching tracing programs
// through BPF_LINK_CREATE); CO-RE field relocations resolved here, at load time, against the
// running kernel's BTF.
//
// Why CO-RE is resolved in user space and not passed as attr.core_relos: the kernel's in-kernel
// CO-RE needs the program's own BTF (the local types the relocations refer to, func_info, a BTF
// fd). A ctbpf program is a C++ expression with no BTF of its own; generating one for a few field
// offsets would be most of a BTF writer. libbpf resolves in user space too (the kernel path is for
// light skeletons). The shim reads the kernel's BTF, finds each field with libbpf's matching rules
// and patches the instruction before BPF_PROG_LOAD.
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

// The BTF id of the kernel function `name` (a FUNC in vmlinux BTF): load_options::attach_btf_id
// of an fentry/fexit program.
inline result<std::uint32_t> btf_function_id(std::string_view name, const btf_blob& btf) {
    if (auto id = btf->find(name, ctbpf::btf::kind::func)) return *id;
    return make_error(ENOENT, "finding kernel function '" + std::string(name) + "' in BTF",
                      "no FUNC of that name (static functions that were inlined have none; see /sys/kernel/tracing/available_filter_functions)");
}
inline result<std::uint32_t> btf_function_id(std::string_view name) {
    result<btf_blob> b = vmlinux_btf();
    if (!b) return std::move(b).error();
    return btf_function_id(name, *b);
}

// Load options of an fentry (or fexit, fmod_ret: pass BPF_TRACE_FEXIT / BPF_MODIFY_RETURN) program
// on kernel function `function`.
CTBPF_SYS_INLINE result<load_options> tracing_options(std::string_view function, std::uint32_t attach_type = BPF_TRACE_FENTRY)
#if CTBPF_SYS_BODIES
{
    result<std::uint32_t> id = btf_function_id(function);
    if (!id) return std::move(id).error();
    load_options o;
    o.type = BPF_PROG_TYPE_TRACING;
    o.expected_attach_type = attach_type;
    o.attach_btf_id = *id;
    return o;
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
    if (!id) return make_error(ENOENT, "finding raw tracepoint '" + std::string(name) + "' in BTF", "no typedef " + type + " in vmlinux BTF");
    load_options o;
    o.type = BPF_PROG_TYPE_TRACING;
    o.expected_attach_type = BPF_TRACE_RAW_TP;
    o.attach_btf_id = *id;
    return o;
}
#else
;
#endif

// Attaches a loaded tracing program (fentry, fexit, fmod_ret, tp_btf) to the target it was
// loaded for (attach_btf_id) with BPF_LINK_CREATE; the link detaches when destroyed.
CTBPF_SYS_INLINE result<link> attach_tracing(const prog& p, std::uint32_t attach_type = BPF_TRACE_FENTRY, std::string what = "tracing program")
#if CTBPF_SYS_BODIES
{
    detail::attr_link_create a;
    a.prog_fd = static_cast<std::uint32_t>(p.fd());
    a.target = 0;
    a.attach_type = attach_type;
    const int fd = detail::bpf(BPF_LINK_CREATE, a);
    if (fd < 0) {
        const int e = errno;
        std::string hint;
        if (e == EINVAL)
            hint = "the program must be loaded as tracing with expected_attach_type " + std::to_string(attach_type) +
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

// What a relocation writes into its instruction.
enum class core_kind : std::uint8_t {
    field_byte_offset, // ldx/st/stx: off = offset; alu/mov with an immediate or lddw: imm = offset
    field_exists,      // imm = 1 or 0
    field_byte_size,   // imm = the field's size
    type_size,         // imm = sizeof(type) (path empty)
};

// A relocation of the instruction at `label` (a label("...") in the program marks the next
// instruction). The instruction's off or imm is a placeholder that is overwritten.
struct core_relocation {
    std::string_view label;
    std::string_view type;
    std::vector<std::string_view> path{};
    core_kind kind = core_kind::field_byte_offset;
};

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
} // namespace detail

// The relocations a program carries in its labels (ctbpf/core.hpp): "core:TYPE.MEMBER[.MEMBER...][#TAG]"
// is a field byte offset relocation of the labelled instruction.
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

// Copies `img` and applies the relocations in its labels (core::add_offset, core::load,
// label(core::field<...>)) and then `relos` against `btf`: the copy to pass to load() (its image()).
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
        if (r.type.empty() || (r.path.empty() && r.kind != core_kind::type_size))
            return make_error(EINVAL, "CO-RE relocation at label '" + std::string(r.label) + "'",
                              "it names no type or no member (expected core:TYPE.MEMBER[.MEMBER...])");
        std::string p(1, '.');
        p += ctbpf::btf::join_path(r.path);
        const std::string what = "CO-RE relocation at label '" + std::string(r.label) + "' (" + std::string(r.type) + p + ")";
        const auto at = detail::slot_of_label(img.slots, r.label);
        if (!at || *at >= out.insns.size())
            return make_error(EINVAL, what, "the program has no label '" + std::string(r.label) + "' (relocations name the instruction by its label)");
        std::int64_t value = 0;
        switch (r.kind) {
        case core_kind::field_byte_offset: {
            result<std::uint32_t> off = core_field_offset(btf, r.type, r.path);
            if (!off) return make_error(off.error().errnum(), what, off.error().message);
            value = *off;
            break;
        }
        case core_kind::field_exists: {
            std::string why;
            value = ctbpf::btf::find_field(btf, r.type, r.path, why).has_value() ? 1 : 0;
            break;
        }
        case core_kind::field_byte_size: {
            std::string why;
            const auto f = ctbpf::btf::find_field(btf, r.type, r.path, why);
            if (!f) return make_error(ENOENT, what, why);
            value = static_cast<std::int64_t>(f->byte_size);
            break;
        }
        case core_kind::type_size: {
            result<std::uint32_t> s = core_type_size(btf, r.type);
            if (!s) return make_error(ENOENT, what, s.error().message);
            value = *s;
            break;
        }
        }
        insn& x = out.insns[*at];
        const std::uint8_t cls = x.code & 0x07;
        const bool mem = cls == op::ldx || cls == op::st || cls == op::stx;
        if (mem && r.kind == core_kind::field_byte_offset) {
            if (value > std::numeric_limits<std::int16_t>::max())
                return make_error(ERANGE, what, "offset " + std::to_string(value) + " does not fit an instruction's 16-bit offset; add it to the pointer first (r += imm)");
            x.off = static_cast<std::int16_t>(value);
        } else if ((cls == op::alu || cls == op::alu64) && (x.code & 0x08) == 0) {
            x.imm = static_cast<std::int32_t>(value);
        } else if (x.code == (op::ld | op::imm | op::dw) && x.src_reg == 0 && *at + 1 < out.insns.size()) {
            x.imm = static_cast<std::int32_t>(value);
            out.insns[*at + 1].imm = 0;
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
