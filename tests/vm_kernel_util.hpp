// Raw bpf(2) calls for the interpreter's kernel tests (vm_differential_kernel_test.cpp,
// vm_kernel_test.cpp): maps, BPF_PROG_LOAD of raw instructions, BPF_PROG_TEST_RUN, and a few
// instruction builders.
#pragma once

#include <ctbpf/insn.hpp>
#include <ctbpf/program.hpp>

#include "kernel_probe.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace vm_kernel_util {

using bytes_t = std::vector<std::uint8_t>;

inline long bpf(int cmd, union bpf_attr& a) { return kernel_probe::sys_bpf(cmd, &a); }

inline int map_create(std::uint32_t type, std::uint32_t key, std::uint32_t value, std::uint32_t max) {
    union bpf_attr a;
    std::memset(&a, 0, sizeof a);
    a.map_type = type, a.key_size = key, a.value_size = value, a.max_entries = max;
    return static_cast<int>(bpf(BPF_MAP_CREATE, a));
}
inline int map_op(int cmd, int fd, const void* key, void* value, std::uint64_t flags = 0) {
    union bpf_attr a;
    std::memset(&a, 0, sizeof a);
    a.map_fd = static_cast<std::uint32_t>(fd);
    a.key = reinterpret_cast<std::uintptr_t>(key);
    a.value = reinterpret_cast<std::uintptr_t>(value);
    a.flags = flags;
    return bpf(cmd, a) < 0 ? errno : 0;
}
inline int next_key(int fd, const void* key, void* next) {
    union bpf_attr a;
    std::memset(&a, 0, sizeof a);
    a.map_fd = static_cast<std::uint32_t>(fd);
    a.key = reinterpret_cast<std::uintptr_t>(key);
    a.next_key = reinterpret_cast<std::uintptr_t>(next);
    return bpf(BPF_MAP_GET_NEXT_KEY, a) < 0 ? errno : 0;
}

// The kernel's verdict on a program: an fd or the errno (and, when asked, the log's last message).
inline int load(const std::vector<ctbpf::insn>& p, ctbpf::prog_type type, std::string* why) {
    static char log[1 << 20];
    static const char license[] = "GPL";
    union bpf_attr a;
    std::memset(&a, 0, sizeof a);
    a.prog_type = static_cast<std::uint32_t>(type);
    a.insn_cnt = static_cast<std::uint32_t>(p.size());
    a.insns = reinterpret_cast<std::uintptr_t>(p.data());
    a.license = reinterpret_cast<std::uintptr_t>(license);
    if (why) {
        log[0] = 0;
        a.log_level = 1, a.log_size = sizeof log, a.log_buf = reinterpret_cast<std::uintptr_t>(log);
    }
    long fd = bpf(BPF_PROG_LOAD, a);
    for (int tries = 0; fd < 0 && errno == EAGAIN && tries < 5; ++tries) fd = bpf(BPF_PROG_LOAD, a);
    if (fd < 0 && why) *why = kernel_probe::last_message(log);
    return fd < 0 ? -errno : static_cast<int>(fd);
}

struct kernel_out {
    int err = 0;
    std::uint32_t retval = 0;
    bytes_t data, ctx;
};
inline kernel_out test_run(int fd, const bytes_t& data, const bytes_t& ctx) {
    kernel_out k;
    k.data.resize(data.size() + 4096);
    k.ctx.resize(ctx.size());
    union bpf_attr a;
    std::memset(&a, 0, sizeof a);
    a.test.prog_fd = static_cast<std::uint32_t>(fd);
    a.test.data_in = reinterpret_cast<std::uintptr_t>(data.data());
    a.test.data_size_in = static_cast<std::uint32_t>(data.size());
    a.test.data_out = reinterpret_cast<std::uintptr_t>(k.data.data());
    a.test.data_size_out = static_cast<std::uint32_t>(k.data.size());
    if (!ctx.empty()) {
        a.test.ctx_in = reinterpret_cast<std::uintptr_t>(ctx.data());
        a.test.ctx_size_in = static_cast<std::uint32_t>(ctx.size());
        a.test.ctx_out = reinterpret_cast<std::uintptr_t>(k.ctx.data());
        a.test.ctx_size_out = static_cast<std::uint32_t>(k.ctx.size());
    }
    a.test.repeat = 1;
    if (bpf(BPF_PROG_TEST_RUN, a) < 0) {
        k.err = errno;
        return k;
    }
    k.retval = a.test.retval;
    k.data.resize(a.test.data_size_out);
    k.ctx.resize(ctx.empty() ? 0 : a.test.ctx_size_out);
    return k;
}


// Instruction builders (raw encodings; see ctbpf/insn.hpp).
namespace as {
using ctbpf::insn;
using ctbpf::make_insn;
namespace op = ctbpf::op;
inline insn mov(std::uint8_t d, std::int32_t imm) { return make_insn(op::alu64 | op::mov, d, 0, 0, imm); }
inline insn movr(std::uint8_t d, std::uint8_t s) { return make_insn(op::alu64 | op::mov | op::x, d, s, 0, 0); }
inline insn alu(std::uint8_t o, std::uint8_t d, std::int32_t imm) { return make_insn(static_cast<std::uint8_t>(op::alu64 | o), d, 0, 0, imm); }
inline insn alur(std::uint8_t o, std::uint8_t d, std::uint8_t s) { return make_insn(static_cast<std::uint8_t>(op::alu64 | o | op::x), d, s, 0, 0); }
inline insn ldx(std::uint8_t sz, std::uint8_t d, std::uint8_t s, std::int16_t off) { return make_insn(static_cast<std::uint8_t>(op::ldx | op::mem | sz), d, s, off, 0); }
inline insn stx(std::uint8_t sz, std::uint8_t d, std::uint8_t s, std::int16_t off) { return make_insn(static_cast<std::uint8_t>(op::stx | op::mem | sz), d, s, off, 0); }
inline insn st(std::uint8_t sz, std::uint8_t d, std::int16_t off, std::int32_t imm) { return make_insn(static_cast<std::uint8_t>(op::st | op::mem | sz), d, 0, off, imm); }
inline insn jmp(std::uint8_t o, std::uint8_t d, std::int32_t imm, std::int16_t off) { return make_insn(static_cast<std::uint8_t>(op::jmp | o), d, 0, off, imm); }
inline insn jmpr(std::uint8_t o, std::uint8_t d, std::uint8_t s, std::int16_t off) { return make_insn(static_cast<std::uint8_t>(op::jmp | o | op::x), d, s, off, 0); }
inline insn call(ctbpf::helper h) { return make_insn(op::jmp | op::call, 0, 0, 0, static_cast<std::int32_t>(h)); }
inline insn exit() { return make_insn(op::jmp | op::exit, 0, 0, 0, 0); }
inline void lddw(std::vector<insn>& p, std::uint8_t d, std::uint64_t v, std::uint8_t src = 0) {
    p.push_back(make_insn(op::ld | op::imm | op::dw, d, src, 0, static_cast<std::int32_t>(v)));
    p.push_back(make_insn(0, 0, 0, 0, static_cast<std::int32_t>(v >> 32)));
}
inline void map(std::vector<insn>& p, std::uint8_t d, int fd) { // lddw src=1: the map's fd
    lddw(p, d, static_cast<std::uint32_t>(fd), op::pseudo_map_fd);
}
} // namespace as

} // namespace vm_kernel_util
