// A loaded program (sys::prog, sys::prog_info): its fd, type and name, and what the kernel says of it.
// Apart from the loader (ctbpf/sys/load.hpp) so that the headers that only take a loaded program
// (maps, attach, test-run, tc) do not include the assembler and the compile-time verifier.
#pragma once

#include "ctbpf/sys/config.hpp" // CTBPF_SYS_INLINE, CTBPF_SYS_BODIES
#include "ctbpf/sys/bpf_syscall.hpp"
#include "ctbpf/sys/error.hpp"
#include "ctbpf/sys/fd.hpp"
#include "ctbpf/types.hpp" // kernel_enum<prog_type>

#include <array>
#include <cstdint>
#include <cstring>
#include <string>
#include <utility>

namespace ctbpf::sys {

struct prog_info {
    std::uint32_t id = 0;
    ctbpf::kernel_enum<ctbpf::prog_type> type{};
    std::array<std::uint8_t, 8> tag{};
    std::string name;
    std::uint32_t xlated_len = 0, jited_len = 0;
    std::uint32_t btf_id = 0;                    // the program's BTF (0: none)
    std::uint32_t nr_func_info = 0, nr_line_info = 0;
    std::string tag_hex() const {
        static constexpr char hex[] = "0123456789abcdef";
        std::string s;
        for (std::uint8_t b : tag) {
            s += hex[b >> 4];
            s += hex[b & 15];
        }
        return s;
    }
};

// A loaded program: owns its fd (the kernel frees the program when no fd, link or pin remains).
class prog {
public:
    prog() = default;
    prog(unique_fd fd, ctbpf::kernel_enum<ctbpf::prog_type> type, std::string name)
        : fd_(std::move(fd)), type_(type), name_(std::move(name)) {}

    int fd() const noexcept { return fd_.get(); }
    ctbpf::kernel_enum<ctbpf::prog_type> type() const noexcept { return type_; }
    const std::string& name() const noexcept { return name_; }
    explicit operator bool() const noexcept { return static_cast<bool>(fd_); }
    unique_fd& handle() noexcept { return fd_; }

    result<prog_info> info() const;
    // Opens the program with id `id` (needs CAP_SYS_ADMIN); ENOENT once the kernel has freed it.
    static result<prog> from_id(std::uint32_t id);
    // Adopts an fd (e.g. from a pin), reading the type and name from the kernel.
    static result<prog> from_fd(unique_fd fd);

private:
    unique_fd fd_;
    ctbpf::kernel_enum<ctbpf::prog_type> type_{};
    std::string name_;
};

#if CTBPF_SYS_BODIES
CTBPF_SYS_INLINE result<prog_info> prog::info() const {
    bpf_prog_info raw;
    if (detail::obj_info(fd_.get(), raw) < 0) return make_error(errno, "BPF_OBJ_GET_INFO_BY_FD (program)");
    prog_info i;
    i.id = raw.id;
    i.type = raw.type;
    std::memcpy(i.tag.data(), raw.tag, i.tag.size());
    i.name.assign(raw.name, strnlen(raw.name, sizeof raw.name));
    i.xlated_len = raw.xlated_prog_len;
    i.jited_len = raw.jited_prog_len;
    i.btf_id = raw.btf_id;
    i.nr_func_info = raw.nr_func_info;
    i.nr_line_info = raw.nr_line_info;
    return i;
}
CTBPF_SYS_INLINE result<prog> prog::from_id(std::uint32_t id) {
    detail::attr_get_id a;
    a.id = id;
    const int fd = detail::bpf(BPF_PROG_GET_FD_BY_ID, a);
    if (fd < 0)
        return make_error(errno, "BPF_PROG_GET_FD_BY_ID " + std::to_string(id), errno == ENOENT ? "no program has this id" : "");
    return from_fd(unique_fd(fd));
}
CTBPF_SYS_INLINE result<prog> prog::from_fd(unique_fd fd) {
    const std::string kind = fd_target(fd.get());
    if (!kind.empty() && kind != "anon_inode:bpf-prog")
        return make_error(EINVAL, "adopting fd " + std::to_string(fd.get()) + " as a program", "it is " + kind);
    prog p(std::move(fd), {}, {});
    result<prog_info> i = p.info();
    if (!i) return std::move(i).error();
    p.type_ = i->type;
    p.name_ = i->name;
    return p;
}
#endif

} // namespace ctbpf::sys
