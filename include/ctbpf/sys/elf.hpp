// A small ELF64 symbol reader for uprobes: a function symbol of .symtab or .dynsym and its file
// offset (st_value mapped through the PT_LOAD program headers, else through its section header),
// which is what the uprobe PMU takes. Bounds-checked against the file's size; clear errors for a
// non-ELF or 32-bit or big-endian file, a stripped file, a missing or undefined symbol.
#pragma once

#include "ctbpf/sys/config.hpp" // CTBPF_SYS_INLINE, CTBPF_SYS_BODIES

#include "ctbpf/sys/attach.hpp" // detail::nearest (suggestions)
#include "ctbpf/sys/error.hpp"

#include <elf.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ctbpf::sys {

struct elf_symbol {
    std::string name;
    std::uint64_t value = 0;       // st_value: the virtual address
    std::uint64_t size = 0;        // st_size
    std::uint64_t file_offset = 0; // where the code is in the file: the uprobe offset
    unsigned char type = 0, bind = 0;
    bool dynamic = false;          // found in .dynsym (else .symtab)
};

namespace detail {
inline std::string hex(std::uint64_t v) {
    char b[24];
    std::snprintf(b, sizeof b, "0x%llx", static_cast<unsigned long long>(v));
    return b;
}
// A T at byte `off` of `b`, or nullopt when it does not fit.
template <class T>
std::optional<T> elf_at(const std::string& b, std::uint64_t off) {
    if (off > b.size() || b.size() - off < sizeof(T)) return std::nullopt;
    T t;
    std::memcpy(&t, b.data() + off, sizeof t);
    return t;
}
} // namespace detail

// The function (or ifunc, or object) symbol `name` of the ELF64 file at `path`, with its file
// offset. Looks in .symtab first, then .dynsym; undefined (imported) symbols do not count.
CTBPF_SYS_INLINE result<elf_symbol> elf_find_symbol(const std::string& path, std::string_view name)
#if CTBPF_SYS_BODIES
{
    const std::string what = "finding symbol '" + std::string(name) + "' in " + path;
    result<std::string> file = detail::read_file(path);
    if (!file) return std::move(file).error();
    const std::string& b = *file;
    const auto eh = detail::elf_at<Elf64_Ehdr>(b, 0);
    if (!eh || std::memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0) return make_error(ENOEXEC, what, "not an ELF file");
    if (eh->e_ident[EI_CLASS] != ELFCLASS64) return make_error(ENOEXEC, what, "not a 64-bit ELF file");
    if (eh->e_ident[EI_DATA] != ELFDATA2LSB) return make_error(ENOEXEC, what, "not a little-endian ELF file");
    if (eh->e_shentsize != sizeof(Elf64_Shdr) || eh->e_shnum == 0)
        return make_error(ENOEXEC, what, "the ELF file has no section headers (a stripped or broken file has no symbols to find)");
    std::vector<Elf64_Shdr> sh;
    for (std::uint64_t i = 0; i < eh->e_shnum; ++i) {
        const auto s = detail::elf_at<Elf64_Shdr>(b, eh->e_shoff + i * sizeof(Elf64_Shdr));
        if (!s) return make_error(ENOEXEC, what, "section header " + std::to_string(i) + " is past the end of the file");
        sh.push_back(*s);
    }
    std::vector<Elf64_Phdr> ph;
    if (eh->e_phentsize == sizeof(Elf64_Phdr))
        for (std::uint64_t i = 0; i < eh->e_phnum; ++i)
            if (const auto p = detail::elf_at<Elf64_Phdr>(b, eh->e_phoff + i * sizeof(Elf64_Phdr))) ph.push_back(*p);

    // st_value to a file offset: through the PT_LOAD segment that holds it, else its section
    auto to_offset = [&](const Elf64_Sym& s) -> std::optional<std::uint64_t> {
        for (const Elf64_Phdr& p : ph)
            if (p.p_type == PT_LOAD && s.st_value >= p.p_vaddr && s.st_value - p.p_vaddr < p.p_filesz)
                return s.st_value - p.p_vaddr + p.p_offset;
        if (s.st_shndx < sh.size() && sh[s.st_shndx].sh_type != SHT_NOBITS && s.st_value >= sh[s.st_shndx].sh_addr)
            return s.st_value - sh[s.st_shndx].sh_addr + sh[s.st_shndx].sh_offset;
        return std::nullopt;
    };

    bool have_symtab = false, have_dynsym = false, undefined = false;
    std::vector<std::string> names; // defined functions, for suggestions
    for (const Elf64_Word kind : {Elf64_Word{SHT_SYMTAB}, Elf64_Word{SHT_DYNSYM}}) {
        for (const Elf64_Shdr& s : sh) {
            if (s.sh_type != kind || s.sh_entsize != sizeof(Elf64_Sym) || s.sh_link >= sh.size()) continue;
            (kind == SHT_SYMTAB ? have_symtab : have_dynsym) = true;
            const Elf64_Shdr& strtab = sh[s.sh_link];
            if (strtab.sh_offset > b.size() || b.size() - strtab.sh_offset < strtab.sh_size) continue;
            const char* strings = b.data() + strtab.sh_offset;
            for (std::uint64_t i = 0; i < s.sh_size / sizeof(Elf64_Sym); ++i) {
                const auto sym = detail::elf_at<Elf64_Sym>(b, s.sh_offset + i * sizeof(Elf64_Sym));
                if (!sym || sym->st_name >= strtab.sh_size) break;
                const std::string_view n(strings + sym->st_name, ::strnlen(strings + sym->st_name, strtab.sh_size - sym->st_name));
                const unsigned char type = ELF64_ST_TYPE(sym->st_info);
                if (type != STT_FUNC && type != STT_GNU_IFUNC && type != STT_OBJECT) continue;
                if (n != name) {
                    if (type != STT_OBJECT && sym->st_shndx != SHN_UNDEF && names.size() < 100000) names.emplace_back(n);
                    continue;
                }
                if (sym->st_shndx == SHN_UNDEF) {
                    undefined = true;
                    continue;
                }
                const auto off = to_offset(*sym);
                if (!off) return make_error(ENOEXEC, what, "its address " + detail::hex(sym->st_value) + " is in no loadable segment or section of the file");
                return elf_symbol{std::string(n), sym->st_value, sym->st_size, *off, type,
                                  static_cast<unsigned char>(ELF64_ST_BIND(sym->st_info)), kind == SHT_DYNSYM};
            }
        }
    }
    if (!have_symtab && !have_dynsym) return make_error(ENOENT, what, "the file has no .symtab and no .dynsym (stripped)");
    std::string hint = undefined ? "it is undefined here (imported from a shared library: attach to the library that defines it)"
                                 : "no such function symbol";
    if (!have_symtab) hint += "; the file has no .symtab (stripped), only .dynsym";
    std::sort(names.begin(), names.end());
    names.erase(std::unique(names.begin(), names.end()), names.end()); // .symtab and .dynsym repeat names
    std::vector<std::string> near = detail::nearest(name, names);
    for (std::size_t i = 0; i < near.size(); ++i) hint += (i == 0 ? "; did you mean " : ", ") + near[i];
    if (!near.empty()) hint += "?";
    return make_error(ENOENT, what, hint);
}
#else
;
#endif

// The uprobe offset of function `name` in the ELF64 file at `path`.
inline result<std::uint64_t> elf_symbol_offset(const std::string& path, std::string_view name) {
    result<elf_symbol> s = elf_find_symbol(path, name);
    if (!s) return std::move(s).error();
    return s->file_offset;
}

} // namespace ctbpf::sys
