// A BTF reader (the BPF Type Format: vmlinux, kernel modules, any blob). Pure: it parses bytes
// it is given and makes no system calls (ctbpf/sys/btf.hpp reads /sys/kernel/btf/*). Every byte
// is validated when the blob is parsed — header, section bounds, string offsets, the records after
// each type, type ids referred to — so that lookups afterwards never read out of bounds; malformed
// input is an error naming the offset, never undefined behaviour.
//
// Not constexpr: vmlinux has ~150,000 types and the name index is a hash table built at parse
// time (a few ms); programs relocate against the running kernel's BTF, which only exists at run time.
#pragma once

#include "ctbpf/sys/config.hpp" // CTBPF_SYS_INLINE, CTBPF_SYS_BODIES: compiled in ctbpf::sys under CTBPF_SYS_COMPILED

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ctbpf::btf {

enum class kind : std::uint8_t {
    unknown = 0, int_ = 1, ptr = 2, array = 3, struct_ = 4, union_ = 5, enum_ = 6, fwd = 7, typedef_ = 8,
    volatile_ = 9, const_ = 10, restrict_ = 11, func = 12, func_proto = 13, var = 14, datasec = 15, float_ = 16,
    decl_tag = 17, type_tag = 18, enum64 = 19,
};
inline constexpr std::uint8_t max_kind = 19;

constexpr std::string_view kind_name(kind k) {
    constexpr std::string_view names[] = {"unknown", "int", "ptr", "array", "struct", "union", "enum",
                                          "fwd", "typedef", "volatile", "const", "restrict", "func",
                                          "func_proto", "var", "datasec", "float", "decl_tag", "type_tag", "enum64"};
    const auto i = static_cast<std::uint8_t>(k);
    return i <= max_kind ? names[i] : std::string_view("?");
}

inline constexpr std::uint16_t magic = 0xeB9F;

// One type record. `size_or_type` is the size (int, struct, union, enum, float, datasec) or the
// referred type (ptr, typedef, modifiers, func, var, decl_tag, type_tag).
struct type {
    std::uint32_t id = 0;
    btf::kind kind = kind::unknown;
    std::string_view name;
    std::uint16_t vlen = 0;
    bool kind_flag = false;
    std::uint32_t size_or_type = 0;

    bool is_composite() const noexcept { return kind == kind::struct_ || kind == kind::union_; }
    bool is_modifier() const noexcept {
        return kind == kind::volatile_ || kind == kind::const_ || kind == kind::restrict_ || kind == kind::type_tag;
    }
};

struct member {
    std::string_view name;
    std::uint32_t type = 0;
    std::uint32_t bit_offset = 0;
    std::uint32_t bitfield_size = 0; // 0: not a bitfield (kind_flag structs and unions only)
};
struct enumerator {
    std::string_view name;
    std::int64_t value = 0; // ENUM64 values as the bits of a u64 when the enum is unsigned
    bool is_signed = false;
};
struct param {
    std::string_view name;
    std::uint32_t type = 0; // 0 as the last parameter: variadic
};
struct array_info {
    std::uint32_t type = 0, index_type = 0, nelems = 0;
};
struct int_info {
    std::uint8_t encoding = 0; // BTF_INT_SIGNED 1, CHAR 2, BOOL 4
    std::uint8_t offset = 0, bits = 0;
};

// The name without a "___flavour" suffix: "task_struct___v2" -> "task_struct".
// libbpf's bpf_core_essential_name_len: the last "X___Y" where X and Y are not underscores.
constexpr std::string_view essential_name(std::string_view n) {
    if (n.size() < 5) return n;
    for (std::size_t i = n.size() - 4; i-- > 0;)
        if (n[i] != '_' && n[i + 1] == '_' && n[i + 2] == '_' && n[i + 3] == '_' && n[i + 4] != '_') return n.substr(0, i + 1);
    return n;
}
static_assert(essential_name("task_struct___v2") == "task_struct");
static_assert(essential_name("a____b") == "a____b" && essential_name("x___") == "x___" && essential_name("ab") == "ab");

// A parsed BTF blob (owns its bytes). Split BTF (a module's) refers to the types and strings of
// its base (vmlinux): type ids continue after the base's.
class blob {
public:
    // Parses `bytes`; on malformed input returns nullopt and sets `error` (with the byte offset).
    static std::optional<blob> parse(std::vector<std::uint8_t> bytes, std::string& error,
                                     std::shared_ptr<const blob> base = nullptr);

    // Type ids valid in this blob: 1 .. end_id() - 1 (0 is void); with a base, its ids come first.
    std::uint32_t end_id() const noexcept { return start_id() + static_cast<std::uint32_t>(offsets_.size()); }
    std::uint32_t start_id() const noexcept { return base_ ? base_->end_id() : 1; }
    const blob* base() const noexcept { return base_.get(); }

    // The type with id `id`; nullopt when out of range (id 0 is void: kind unknown, no name).
    std::optional<btf::type> type_by_id(std::uint32_t id) const;
    std::string_view name_of(std::uint32_t id) const {
        const auto t = type_by_id(id);
        return t ? t->name : std::string_view();
    }
    // A string by offset (base strings first); empty when out of range.
    std::string_view string_at(std::uint32_t off) const {
        if (base_) {
            const std::uint32_t below = base_->total_str_len();
            if (off < below) return base_->string_at(off);
            off -= below;
        }
        if (off >= str_len_) return {};
        const char* s = reinterpret_cast<const char*>(data_.data() + str_start_ + off);
        return std::string_view(s, ::strnlen(s, str_len_ - off)); // validated: NUL-terminated
    }

    // All ids named `name` (any kind), lowest first, base types included.
    std::vector<std::uint32_t> find_all(std::string_view name) const { return lookup(name, false); }
    // All ids whose name without a "___flavour" suffix is `essential` (CO-RE candidates).
    std::vector<std::uint32_t> find_essential(std::string_view essential) const { return lookup(essential, true); }
    // The first type named `name` of kind `k` (as btf__find_by_name_kind); nullopt when none.
    std::optional<std::uint32_t> find(std::string_view name, btf::kind k) const;
    // A struct, else a union, named `name`.
    std::optional<std::uint32_t> find_composite(std::string_view name) const;

    // The members of a struct or union (empty for other kinds).
    std::vector<member> members(std::uint32_t id) const;
    std::vector<enumerator> enumerators(std::uint32_t id) const;
    // The parameters of a FUNC_PROTO (for a FUNC: of its prototype).
    std::vector<param> params(std::uint32_t id) const;
    std::optional<array_info> array(std::uint32_t id) const;
    std::optional<int_info> integer(std::uint32_t id) const;

    // Follows const/volatile/restrict/type_tag (and typedefs when `typedefs`) to the first other type.
    std::uint32_t skip_modifiers(std::uint32_t id, bool typedefs = true) const;

    // The size of type `id` in bytes, as btf__resolve_size: through typedefs, modifiers, vars and
    // arrays (elements times element size); pointers are 8 bytes. nullopt for void, functions,
    // forward declarations, chains deeper than 32, or a size above 2^32 - 1.
    std::optional<std::uint64_t> resolve_size(std::uint32_t id) const;

    // The number of types in this blob (not counting void or the base's).
    std::size_t size() const noexcept { return offsets_.size(); }

private:
    static constexpr std::uint32_t none = 0xffffffffu;
    blob() = default;

    std::uint32_t u32(std::size_t at) const noexcept {
        std::uint32_t v;
        std::memcpy(&v, data_.data() + at, 4);
        return v;
    }
    const blob* owner(std::uint32_t id) const noexcept {
        if (id == 0) return nullptr;
        if (id < start_id()) return base_ ? base_->owner(id) : nullptr;
        return id < end_id() ? this : nullptr;
    }
    btf::type decode(std::uint32_t id, bool with_name = true) const;
    // The index hashes essential names, so a name and its flavours share a chain.
    std::vector<std::uint32_t> lookup(std::string_view name, bool essential) const;
    static std::uint64_t hash(std::string_view s) noexcept { // FNV-1a
        std::uint64_t h = 1469598103934665603ull;
        for (char c : s) h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ull;
        return h;
    }
    void index();

    bool validate(std::string& error);
    std::uint32_t total_str_len() const noexcept { return (base_ ? base_->total_str_len() : 0) + str_len_; }

    std::vector<std::uint8_t> data_;
    std::shared_ptr<const blob> base_;
    std::vector<std::size_t> offsets_; // byte offset of each type record (index: id - start_id())
    std::size_t str_start_ = 0;
    std::uint32_t str_len_ = 0;
    std::vector<std::uint32_t> buckets_, next_; // name hash -> index chain
};

#if CTBPF_SYS_BODIES
CTBPF_SYS_INLINE std::optional<blob> blob::parse(std::vector<std::uint8_t> bytes, std::string& error,
                                                 std::shared_ptr<const blob> base) {
    blob b;
    b.data_ = std::move(bytes);
    b.base_ = std::move(base);
    if (!b.validate(error)) return std::nullopt;
    b.index();
    return b;
}
CTBPF_SYS_INLINE std::optional<btf::type> blob::type_by_id(std::uint32_t id) const {
    if (id == 0) return btf::type{};
    if (id < start_id()) return base_ ? base_->type_by_id(id) : std::nullopt;
    if (id >= end_id()) return std::nullopt;
    return decode(id);
}
CTBPF_SYS_INLINE std::optional<std::uint32_t> blob::find(std::string_view name, btf::kind k) const {
    for (std::uint32_t id : find_all(name))
        if (type_by_id(id)->kind == k) return id;
    return std::nullopt;
}
CTBPF_SYS_INLINE std::optional<std::uint32_t> blob::find_composite(std::string_view name) const {
    if (auto id = find(name, kind::struct_)) return id;
    return find(name, kind::union_);
}
CTBPF_SYS_INLINE std::vector<member> blob::members(std::uint32_t id) const {
    std::vector<member> out;
    const blob* b = owner(id);
    const auto t = type_by_id(id);
    if (!b || !t || !t->is_composite()) return out;
    const std::size_t at = b->offsets_[id - b->start_id()] + 12;
    out.reserve(t->vlen);
    for (std::uint32_t i = 0; i < t->vlen; ++i) {
        const std::size_t p = at + 12 * i;
        member m;
        m.name = b->string_at(b->u32(p));
        m.type = b->u32(p + 4);
        const std::uint32_t off = b->u32(p + 8);
        m.bit_offset = t->kind_flag ? (off & 0xffffff) : off;
        m.bitfield_size = t->kind_flag ? (off >> 24) : 0;
        out.push_back(m);
    }
    return out;
}
CTBPF_SYS_INLINE std::vector<enumerator> blob::enumerators(std::uint32_t id) const {
    std::vector<enumerator> out;
    const blob* b = owner(id);
    const auto t = type_by_id(id);
    if (!b || !t || (t->kind != kind::enum_ && t->kind != kind::enum64)) return out;
    const std::size_t at = b->offsets_[id - b->start_id()] + 12;
    const std::size_t rec = t->kind == kind::enum_ ? 8 : 12;
    for (std::uint32_t i = 0; i < t->vlen; ++i) {
        const std::size_t p = at + rec * i;
        enumerator e;
        e.name = b->string_at(b->u32(p));
        e.is_signed = t->kind_flag;
        if (t->kind == kind::enum_) {
            const std::uint32_t v = b->u32(p + 4);
            e.value = t->kind_flag ? static_cast<std::int64_t>(static_cast<std::int32_t>(v)) : static_cast<std::int64_t>(v);
        } else {
            const std::uint64_t v = b->u32(p + 4) | (static_cast<std::uint64_t>(b->u32(p + 8)) << 32);
            e.value = static_cast<std::int64_t>(v);
        }
        out.push_back(e);
    }
    return out;
}
CTBPF_SYS_INLINE std::vector<param> blob::params(std::uint32_t id) const {
    std::vector<param> out;
    auto t = type_by_id(id);
    if (t && t->kind == kind::func) {
        id = t->size_or_type;
        t = type_by_id(id);
    }
    const blob* b = owner(id);
    if (!b || !t || t->kind != kind::func_proto) return out;
    const std::size_t at = b->offsets_[id - b->start_id()] + 12;
    for (std::uint32_t i = 0; i < t->vlen; ++i)
        out.push_back({b->string_at(b->u32(at + 8 * i)), b->u32(at + 8 * i + 4)});
    return out;
}
CTBPF_SYS_INLINE std::optional<array_info> blob::array(std::uint32_t id) const {
    const blob* b = owner(id);
    const auto t = type_by_id(id);
    if (!b || !t || t->kind != kind::array) return std::nullopt;
    const std::size_t at = b->offsets_[id - b->start_id()] + 12;
    return array_info{b->u32(at), b->u32(at + 4), b->u32(at + 8)};
}
CTBPF_SYS_INLINE std::optional<int_info> blob::integer(std::uint32_t id) const {
    const blob* b = owner(id);
    const auto t = type_by_id(id);
    if (!b || !t || t->kind != kind::int_) return std::nullopt;
    const std::uint32_t v = b->u32(b->offsets_[id - b->start_id()] + 12);
    return int_info{static_cast<std::uint8_t>((v >> 24) & 0x0f), static_cast<std::uint8_t>((v >> 16) & 0xff),
                    static_cast<std::uint8_t>(v & 0xff)};
}
CTBPF_SYS_INLINE std::uint32_t blob::skip_modifiers(std::uint32_t id, bool typedefs) const {
    for (int depth = 0; depth < 64; ++depth) { // the chain is acyclic only if well formed
        const auto t = type_by_id(id);
        if (!t || !(t->is_modifier() || (typedefs && t->kind == kind::typedef_))) return id;
        id = t->size_or_type;
    }
    return id;
}
CTBPF_SYS_INLINE std::optional<std::uint64_t> blob::resolve_size(std::uint32_t id) const {
    std::uint64_t nelems = 1;
    for (int depth = 0; depth < 32; ++depth) {
        const auto t = type_by_id(id);
        if (!t) return std::nullopt;
        std::uint64_t size = 0;
        switch (t->kind) {
        case kind::int_: case kind::struct_: case kind::union_: case kind::enum_: case kind::enum64:
        case kind::datasec: case kind::float_: size = t->size_or_type; break;
        case kind::ptr: size = 8; break;
        case kind::typedef_: case kind::volatile_: case kind::const_: case kind::restrict_: case kind::var:
        case kind::decl_tag: case kind::type_tag: id = t->size_or_type; continue;
        case kind::array: {
            const array_info a = *array(id);
            if (nelems && a.nelems > 0xffffffffull / nelems) return std::nullopt;
            nelems *= a.nelems;
            id = a.type;
            continue;
        }
        default: return std::nullopt;
        }
        if (nelems && size > 0xffffffffull / nelems) return std::nullopt;
        return nelems * size;
    }
    return std::nullopt;
}
CTBPF_SYS_INLINE btf::type blob::decode(std::uint32_t id, bool with_name) const {
    const std::size_t at = offsets_[id - start_id()];
    const std::uint32_t info = u32(at + 4);
    btf::type t;
    t.id = id;
    if (with_name) t.name = string_at(u32(at));
    t.vlen = static_cast<std::uint16_t>(info & 0xffff);
    t.kind = static_cast<btf::kind>((info >> 24) & 0x1f);
    t.kind_flag = (info >> 31) != 0;
    t.size_or_type = u32(at + 8);
    return t;
}
CTBPF_SYS_INLINE std::vector<std::uint32_t> blob::lookup(std::string_view name, bool essential) const {
    std::vector<std::uint32_t> out;
    if (base_) out = base_->lookup(name, essential);
    if (name.empty() || buckets_.empty()) return out;
    std::vector<std::uint32_t> mine;
    for (std::uint32_t i = buckets_[hash(essential_name(name)) & (buckets_.size() - 1)]; i != none; i = next_[i]) {
        const std::string_view n = name_of(start_id() + i);
        if (essential ? essential_name(n) == name : n == name) mine.push_back(start_id() + i);
    }
    out.insert(out.end(), mine.rbegin(), mine.rend());
    return out;
}
CTBPF_SYS_INLINE void blob::index() {
    std::size_t n = 16;
    while (n < offsets_.size() * 2) n *= 2;
    buckets_.assign(n, none);
    next_.assign(offsets_.size(), none);
    for (std::uint32_t i = 0; i < offsets_.size(); ++i) {
        const std::string_view name = string_at(u32(offsets_[i]));
        if (name.empty()) continue;
        std::uint32_t& head = buckets_[hash(essential_name(name)) & (n - 1)];
        next_[i] = head; // newest first; find_all reverses
        head = i;
    }
}
CTBPF_SYS_INLINE bool blob::validate(std::string& error) {
    auto fail = [&](std::string m) {
        error = std::move(m);
        return false;
    };
    const std::size_t n = data_.size();
    if (n < 24) return fail("truncated header: " + std::to_string(n) + " bytes, a BTF header has at least 24");
    std::uint16_t m;
    std::memcpy(&m, data_.data(), 2);
    if (m == 0x9FEB) return fail("big-endian BTF (magic 0x9feb byte-swapped) is not supported");
    if (m != magic) {
        char buf[64];
        std::snprintf(buf, sizeof buf, "bad magic 0x%04x (BTF starts with 0xeb9f)", m);
        return fail(buf);
    }
    if (data_[2] != 1) return fail("unsupported BTF version " + std::to_string(data_[2]) + " (expected 1)");
    const std::uint32_t hdr_len = u32(4), type_off = u32(8), type_len = u32(12), str_off = u32(16), str_len = u32(20);
    if (hdr_len < 24 || hdr_len > n) return fail("header length " + std::to_string(hdr_len) + " is outside the blob of " + std::to_string(n) + " bytes");
    for (std::size_t i = 24; i < hdr_len; ++i)
        if (data_[i] != 0) return fail("unknown non-zero header field at byte " + std::to_string(i));
    const std::uint64_t body = n - hdr_len;
    if (type_off % 4 != 0) return fail("type section offset " + std::to_string(type_off) + " is not 4-byte aligned");
    if (std::uint64_t(type_off) + type_len > body)
        return fail("truncated type section: it ends at byte " + std::to_string(hdr_len + std::uint64_t(type_off) + type_len) +
                    " of a " + std::to_string(n) + "-byte blob");
    if (std::uint64_t(str_off) + str_len > body)
        return fail("truncated string section: it ends at byte " + std::to_string(hdr_len + std::uint64_t(str_off) + str_len) +
                    " of a " + std::to_string(n) + "-byte blob");
    if (type_off < std::uint64_t(str_off) + str_len && str_off < std::uint64_t(type_off) + type_len)
        return fail("the type and string sections overlap");
    const std::size_t types = hdr_len + type_off, strings = hdr_len + str_off;
    if (str_len == 0 && !base_) return fail("empty string section (it must start with the empty string)");
    if (str_len > 0 && data_[strings + str_len - 1] != 0) return fail("the string section does not end with NUL");
    if (!base_ && data_[strings] != 0) return fail("the string section does not start with the empty string");
    str_start_ = strings;
    str_len_ = str_len;
    const std::uint32_t base_strs = base_ ? base_->total_str_len() : 0;

    // pass 1: record boundaries
    offsets_.reserve(type_len / 16);
    std::size_t p = types;
    const std::size_t end = types + type_len;
    while (p < end) {
        if (end - p < 12) return fail("truncated type record at byte " + std::to_string(p));
        const std::uint32_t info = u32(p + 4);
        const std::uint8_t k = (info >> 24) & 0x1f;
        const std::uint32_t vlen = info & 0xffff;
        const auto where = [&] { return "type " + std::to_string(start_id() + offsets_.size()) + " at byte " + std::to_string(p); };
        if (k == 0 || k > max_kind) return fail(where() + ": unknown kind " + std::to_string(k));
        if (u32(p) >= base_strs + str_len) return fail(where() + ": name offset " + std::to_string(u32(p)) + " is outside the string section");
        std::size_t extra = 0;
        switch (static_cast<btf::kind>(k)) {
        case kind::int_: extra = 4; break;
        case kind::array: extra = 12; break;
        case kind::struct_: case kind::union_: extra = 12ull * vlen; break;
        case kind::enum_: extra = 8ull * vlen; break;
        case kind::enum64: extra = 12ull * vlen; break;
        case kind::func_proto: extra = 8ull * vlen; break;
        case kind::var: extra = 4; break;
        case kind::datasec: extra = 12ull * vlen; break;
        case kind::decl_tag: extra = 4; break;
        default: break;
        }
        if (end - p - 12 < extra) return fail(where() + ": truncated (" + std::string(kind_name(static_cast<btf::kind>(k))) + " needs " + std::to_string(extra) + " more bytes)");
        offsets_.push_back(p);
        p += 12 + extra;
    }
    // pass 2: references
    const std::uint32_t last = end_id();
    for (std::uint32_t i = 0; i < offsets_.size(); ++i) {
        const std::size_t at = offsets_[i];
        const btf::type t = decode(start_id() + i, false);
        const auto where = [&] { return "type " + std::to_string(t.id) + " (" + std::string(kind_name(t.kind)) + ")"; };
        auto ref = [&](std::uint32_t id, const char* what) {
            if (id < last) return true;
            return fail(where() + ": " + what + " refers to type " + std::to_string(id) + ", but the last type id is " + std::to_string(last - 1));
        };
        auto str = [&](std::uint32_t off) {
            if (off < base_strs + str_len) return true;
            return fail(where() + ": a name offset " + std::to_string(off) + " is outside the string section");
        };
        switch (t.kind) {
        case kind::ptr: case kind::typedef_: case kind::volatile_: case kind::const_: case kind::restrict_:
        case kind::func: case kind::var: case kind::decl_tag: case kind::type_tag:
            if (!ref(t.size_or_type, "it")) return false;
            break;
        case kind::func_proto:
            if (!ref(t.size_or_type, "the return type")) return false;
            for (std::uint32_t j = 0; j < t.vlen; ++j)
                if (!str(u32(at + 12 + 8 * j)) || !ref(u32(at + 16 + 8 * j), "a parameter")) return false;
            break;
        case kind::array:
            if (!ref(u32(at + 12), "the element type") || !ref(u32(at + 16), "the index type")) return false;
            break;
        case kind::struct_: case kind::union_:
            for (std::uint32_t j = 0; j < t.vlen; ++j)
                if (!str(u32(at + 12 + 12 * j)) || !ref(u32(at + 16 + 12 * j), "a member")) return false;
            break;
        case kind::enum_:
            for (std::uint32_t j = 0; j < t.vlen; ++j)
                if (!str(u32(at + 12 + 8 * j))) return false;
            break;
        case kind::enum64:
            for (std::uint32_t j = 0; j < t.vlen; ++j)
                if (!str(u32(at + 12 + 12 * j))) return false;
            break;
        case kind::datasec:
            for (std::uint32_t j = 0; j < t.vlen; ++j)
                if (!ref(u32(at + 12 + 12 * j), "a variable")) return false;
            break;
        default: break;
        }
    }
    return true;
}
#endif

// ---- CO-RE field relocations (libbpf's rules, tools/lib/bpf/relo_core.c) ----


// "a.b.c"
CTBPF_SYS_INLINE std::string join_path(std::span<const std::string_view> path)
#if CTBPF_SYS_BODIES
{
    std::string p;
    for (std::string_view s : path) {
        if (!p.empty()) p += '.';
        p.append(s);
    }
    return p;
}
#else
;
#endif

struct field_info {
    std::uint32_t type_id = 0;      // the candidate struct/union it was found in
    std::uint32_t bit_offset = 0;   // from the start of that type
    std::uint32_t bitfield_size = 0;
    std::uint32_t member_type = 0;  // the field's type id
    std::uint64_t byte_size = 0;    // the field type's size
};

// Finds `path` (member names; anonymous structs and unions are searched through) in the struct or
// union `type_name`, as libbpf matches a field access: the candidates are all structs and unions
// whose essential name equals type_name's; each must either lack the field or agree on its
// offset (else the relocation is ambiguous). The path cannot cross a pointer. Returns nullopt
// and sets `error` (naming the type and member) when no candidate has the field.
CTBPF_SYS_INLINE std::optional<field_info> find_field(const blob& b, std::string_view type_name,
                                                      std::span<const std::string_view> path, std::string& error)
#if CTBPF_SYS_BODIES
{
    const std::string_view ess = essential_name(type_name);
    std::vector<std::uint32_t> cands;
    // candidates: structs and unions whose essential name is the same (libbpf also requires the
    // local kind; a ctbpf program has no local BTF, so either kind is a candidate)
    for (std::uint32_t id : b.find_essential(ess))
        if (b.type_by_id(id)->is_composite()) cands.push_back(id);
    if (cands.empty()) {
        error = "no struct or union named '" + std::string(ess) + "' in the target BTF";
        return std::nullopt;
    }
    if (path.empty()) {
        error = "an empty field path for '" + std::string(type_name) + "'";
        return std::nullopt;
    }
    // depth-first search for one member name through anonymous members
    // (a malformed blob can nest anonymous members in itself or fan out exponentially: the depth
    // is limited as libbpf's BPF_CORE_SPEC_MAX_LEN, and the members visited by a budget)
    struct finder {
        const blob& b;
        mutable std::size_t budget = std::size_t(1) << 20;
        std::optional<field_info> search(std::uint32_t id, std::string_view name, std::uint32_t base, int depth) const {
            if (depth > 64 || budget == 0) return std::nullopt;
            const std::uint32_t sid = b.skip_modifiers(id);
            const auto t = b.type_by_id(sid);
            if (!t || !t->is_composite()) return std::nullopt;
            for (const member& m : b.members(sid)) {
                if (budget == 0) return std::nullopt;
                --budget;
                if (m.name.empty()) {
                    if (auto r = search(m.type, name, base + m.bit_offset, depth + 1)) return r;
                } else if (m.name == name) {
                    field_info f;
                    f.type_id = sid;
                    f.bit_offset = base + m.bit_offset;
                    f.bitfield_size = m.bitfield_size;
                    f.member_type = m.type;
                    f.byte_size = b.resolve_size(m.type).value_or(0);
                    return f;
                }
            }
            return std::nullopt;
        }
    };
    const finder fd{b};
    std::optional<field_info> chosen;
    std::string why;
    for (std::uint32_t cand : cands) {
        std::uint32_t cur = cand;
        std::uint32_t base = 0;
        std::optional<field_info> f;
        std::string in = std::string(b.name_of(cand));
        bool ok = true;
        for (std::size_t i = 0; i < path.size(); ++i) {
            const std::uint32_t sid = b.skip_modifiers(cur);
            const auto t = b.type_by_id(sid);
            if (!t || !t->is_composite()) {
                const bool ptr = t && t->kind == kind::ptr;
                why.assign(1, '\'');
                why.append(i > 0 ? path[i - 1] : std::string_view()).append("' in ").append(in).append(" is ");
                why.append(ptr ? "a pointer: a field path cannot go through a pointer (read the pointer, then relocate against the pointed-to type)"
                               : "not a struct or union");
                ok = false;
                break;
            }
            f = fd.search(sid, path[i], base, 0);
            if (!f) {
                why = std::string(t->kind == kind::union_ ? "union " : "struct ") + std::string(t->name.empty() ? "(anonymous)" : t->name) +
                      " has no member '" + std::string(path[i]) + "'";
                ok = false;
                break;
            }
            in = std::string(kind_name(t->kind)) + " " + std::string(t->name);
            base = f->bit_offset;
            cur = f->member_type;
        }
        if (!ok) continue;
        f->type_id = cand;
        if (chosen && chosen->bit_offset != f->bit_offset) {
            error = "ambiguous: types " + std::to_string(chosen->type_id) + " and " + std::to_string(cand) + " named '" +
                    std::string(ess) + "' place the field at different offsets";
            return std::nullopt;
        }
        if (!chosen) chosen = f;
    }
    if (!chosen && fd.budget == 0) {
        error = "the struct or union '" + std::string(ess) + "' nests anonymous members too deeply or too often (malformed BTF?)";
        return std::nullopt;
    }
    if (!chosen) {
        std::string p;
        p = ctbpf::btf::join_path(path);
        error = "field " + std::string(type_name) + "." + p + " does not exist in the target BTF: " + why;
    }
    return chosen;
}
#else
;
#endif

} // namespace ctbpf::btf
