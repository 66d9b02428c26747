// The probe cases of shared/reference/kernel-verifier.md §9.1 as programs, with the verdicts and
// messages Linux 6.18.44 gave (errno 0 = accepted). `kernel_only` cases are decided by what ctbpf
// leaves to the kernel (map fds, helper availability and arguments, context layout, packet
// bounds, value ranges, complexity): check() must not reject them and, where the kernel rejects,
// must say it deferred.
#pragma once

#include <ctbpf/insn.hpp>
#include <ctbpf/verify/options.hpp>

#include <cerrno>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace verify_cases {

struct golden {
    std::string name;
    std::vector<bpf_insn> prog;
    ctbpf::prog_type type = ctbpf::prog_type::socket_filter;
    std::uint32_t attach = 0;
    int root_errno = 0;          // 0: accepted
    std::string root_message;    // the kernel's message, exact
    int unpriv_errno = -1;       // -1: not probed unprivileged
    std::string unpriv_message;
    bool kernel_only = false;
    int other_build_errno = 0;   // another build of 6.18.44 returns this instead (0: none known)

    golden(std::string n, std::vector<bpf_insn> p, ctbpf::prog_type t, std::uint32_t a, int re, std::string rm,
           int ue = -1, std::string um = {}, bool ko = false)
        : name(std::move(n)), prog(std::move(p)), type(t), attach(a), root_errno(re), root_message(std::move(rm)),
          unpriv_errno(ue), unpriv_message(std::move(um)), kernel_only(ko) {}
};

inline bpf_insn I(int code, int dst, int src, int off, int imm) {
    return ctbpf::make_insn(static_cast<std::uint8_t>(code), static_cast<std::uint8_t>(dst),
                            static_cast<std::uint8_t>(src), static_cast<std::int16_t>(off), imm);
}
inline bpf_insn mov(int dst, int imm) { return I(0xb7, dst, 0, 0, imm); }
inline bpf_insn movx(int dst, int src) { return I(0xbf, dst, src, 0, 0); }
inline bpf_insn exit_() { return I(0x95, 0, 0, 0, 0); }
inline bpf_insn call(int id) { return I(0x85, 0, 0, 0, id); }
inline bpf_insn pcall(int rel) { return I(0x85, 0, 1, 0, rel); }

inline std::vector<bpf_insn> movs_then_exit(std::size_t movs) {
    std::vector<bpf_insn> p(movs, mov(0, 0));
    p.push_back(exit_());
    return p;
}

// main calls f1, f1 calls f2, ... f(depth-1) returns 0: `depth` frames
inline std::vector<bpf_insn> call_chain(int depth) {
    std::vector<bpf_insn> p;
    for (int f = 0; f + 1 < depth; ++f) {
        p.push_back(pcall(1)); // the next function starts 2 insns later
        p.push_back(exit_());
    }
    p.push_back(mov(0, 0));
    p.push_back(exit_());
    return p;
}

// `branches` times: r0 = get_prandom_u32(); if r0 > 7 goto +1; r1 = 1 — then r0 = 0; exit.
// Explored fall-through first, every branch leaves a state to come back to.
inline std::vector<bpf_insn> pending_branches(int branches) {
    std::vector<bpf_insn> p;
    for (int i = 0; i < branches; ++i) {
        p.push_back(call(7));
        p.push_back(I(0x25, 0, 0, 1, 7));
        p.push_back(mov(1, 1));
    }
    p.push_back(mov(0, 0));
    p.push_back(exit_());
    return p;
}

inline std::vector<golden> probe_table() {
    using ctbpf::prog_type;
    const int OK = 0;
    std::vector<golden> t = {
        {"ok_min", {mov(0, 0), exit_()}, prog_type::socket_filter, 0, OK, "", OK, ""},
        {"ok_stack", {I(0x7a, 10, 0, -8, 1), I(0x79, 0, 10, -8, 0), exit_()}, prog_type::socket_filter, 0, OK, "", OK, ""},
        {"size_empty", {}, prog_type::socket_filter, 0, E2BIG, "", -1, ""},
        {"size_4096", movs_then_exit(4095), prog_type::socket_filter, 0, OK, "", OK, ""},
        {"size_4097", movs_then_exit(4096), prog_type::socket_filter, 0, OK, "", E2BIG, ""},
        {"size_1M", movs_then_exit(999'999), prog_type::socket_filter, 0, OK, "", -1, ""},
        {"size_1M+1", movs_then_exit(1'000'000), prog_type::socket_filter, 0, E2BIG, "", -1, ""},
        // BPF_COMPLEXITY_LIMIT_JMP_SEQ: E2BIG on 6.18.44-fc-v1252 (and in the reference), EFAULT
        // on an earlier 6.18.44 build. Left to the kernel: it may decide branches with value
        // ranges ctbpf does not track.
        {"pending_8192", pending_branches(8192), prog_type::socket_filter, 0, OK, "", -1, ""},
        {"pending_8193", pending_branches(8193), prog_type::socket_filter, 0, E2BIG,
         "The sequence of 8193 jumps is too complex.", -1, "", true},
        {"jmp_oob_fwd", {I(0x05, 0, 0, 5, 0), mov(0, 0), exit_()}, prog_type::socket_filter, 0, EINVAL, "jump out of range from insn 0 to 6"},
        {"jmp_oob_back", {I(0x05, 0, 0, -3, 0), mov(0, 0), exit_()}, prog_type::socket_filter, 0, EINVAL, "jump out of range from insn 0 to -2"},
        {"jcond_oob", {mov(0, 0), I(0x15, 0, 0, 7, 0), exit_()}, prog_type::socket_filter, 0, EINVAL, "jump out of range from insn 1 to 9"},
        {"jmp_to_len", {mov(0, 0), I(0x05, 0, 0, 1, 0), exit_()}, prog_type::socket_filter, 0, EINVAL, "jump out of range from insn 1 to 3"},
        {"gotol_oob", {I(0x06, 0, 0, 0, 100), mov(0, 0), exit_()}, prog_type::socket_filter, 0, EINVAL, "jump out of range from insn 0 to 101"},
        {"last_not_exit", {mov(0, 0)}, prog_type::socket_filter, 0, EINVAL, "last insn is not an exit or jmp"},
        {"last_is_jcond", {mov(0, 0), I(0x15, 0, 0, -2, 0)}, prog_type::socket_filter, 0, EINVAL, "last insn is not an exit or jmp"},
        {"last_is_call", {mov(0, 0), call(7)}, prog_type::socket_filter, 0, EINVAL, "last insn is not an exit or jmp"},
        {"unreachable", {mov(0, 0), exit_(), mov(0, 0), exit_()}, prog_type::socket_filter, 0, EINVAL, "unreachable insn 2", EINVAL, "unreachable insn 2"},
        {"unreachable_ja", {mov(0, 0), I(0x05, 0, 0, 1, 0), mov(0, 0), exit_()}, prog_type::socket_filter, 0, EINVAL, "unreachable insn 2"},
        {"ldimm64_mid", {mov(0, 0), I(0x15, 0, 0, 1, 0), I(0x18, 1, 0, 0, 1), I(0, 0, 0, 0, 0), exit_()}, prog_type::socket_filter, 0, EINVAL, "jump into the middle of ldimm64 insn 2"},
        {"backedge_loop", {mov(0, 0), I(0x07, 0, 0, 0, 1), I(0xa5, 0, 0, -2, 10), exit_()}, prog_type::socket_filter, 0, OK, "", EINVAL, "back-edge from insn 2 to 1"},
        {"inf_loop", {mov(0, 0), I(0x05, 0, 0, -1, 0)}, prog_type::socket_filter, 0, EINVAL, "infinite loop detected at insn 1", EINVAL, "back-edge from insn 1 to 1"},
        {"inf_loop_exit_after", {mov(0, 0), I(0x05, 0, 0, -1, 0), exit_()}, prog_type::socket_filter, 0, EINVAL, "unreachable insn 2"},
        {"complexity", {mov(0, 0), I(0x07, 0, 0, 0, 1), I(0xa5, 0, 0, -2, 0x7fffffff), exit_()}, prog_type::socket_filter, 0, E2BIG, "BPF program is too large. Processed 1000001 insn", -1, "", true},
        {"ldimm64_trunc", {mov(0, 0), I(0x18, 0, 0, 0, 1)}, prog_type::socket_filter, 0, EINVAL, "last insn is not an exit or jmp"},
        {"ldimm64_bad2nd", {I(0x18, 0, 0, 0, 1), I(0x04, 0, 0, 0, 0), exit_()}, prog_type::socket_filter, 0, EINVAL, "invalid bpf_ld_imm64 insn"},
        {"ldimm64_2nd_reg", {I(0x18, 0, 0, 0, 1), I(0, 1, 0, 0, 0), exit_()}, prog_type::socket_filter, 0, EINVAL, "invalid bpf_ld_imm64 insn"},
        {"ldimm64_badsrc", {I(0x18, 0, 7, 0, 1), I(0, 0, 0, 0, 0), exit_()}, prog_type::socket_filter, 0, EINVAL, "unrecognized bpf_ld_imm64 insn"},
        {"ldimm64_badfd", {I(0x18, 1, 1, 0, 12345), I(0, 0, 0, 0, 0), mov(0, 0), exit_()}, prog_type::socket_filter, 0, EBADF, "fd 12345 is not pointing to valid bpf_map", -1, "", true},
        {"ldimm64_mapfd_hi", {I(0x18, 1, 1, 0, 12345), I(0, 0, 0, 0, 1), mov(0, 0), exit_()}, prog_type::socket_filter, 0, EINVAL, "unrecognized bpf_ld_imm64 insn"},
        {"ldimm64_off", {I(0x18, 0, 0, 1, 1), I(0, 0, 0, 0, 0), exit_()}, prog_type::socket_filter, 0, EINVAL, "BPF_LD_IMM64 uses reserved fields"},
        {"op_00", {I(0x00, 0, 0, 0, 0), mov(0, 0), exit_()}, prog_type::socket_filter, 0, EINVAL, "unknown opcode 00"},
        {"op_ff", {I(0xff, 0, 0, 0, 0), mov(0, 0), exit_()}, prog_type::socket_filter, 0, EINVAL, "unknown opcode ff"},
        {"op_alu_e0", {I(0xe7, 0, 0, 0, 0), mov(0, 0), exit_()}, prog_type::socket_filter, 0, EINVAL, "unknown opcode e7"},
        {"op_end64_be", {I(0xdf, 0, 0, 0, 16), mov(0, 0), exit_()}, prog_type::socket_filter, 0, EINVAL, "unknown opcode df"},
        {"op_ldx_memsx_dw", {I(0x99, 0, 1, 0, 0), mov(0, 0), exit_()}, prog_type::socket_filter, 0, EINVAL, "unknown opcode 99"},
        {"op_ld_mem", {I(0x60, 0, 0, 0, 0), mov(0, 0), exit_()}, prog_type::socket_filter, 0, EINVAL, "unknown opcode 60"},
        {"op_jmp32_call", {I(0x86, 0, 0, 0, 7), mov(0, 0), exit_()}, prog_type::socket_filter, 0, EINVAL, "unknown opcode 86"},
        {"op_jmp32_exit", {mov(0, 0), I(0x96, 0, 0, 0, 0)}, prog_type::socket_filter, 0, EINVAL, "last insn is not an exit or jmp"},
        {"op_jmp32_exit_mid", {mov(0, 0), I(0x96, 0, 0, 0, 0), exit_()}, prog_type::socket_filter, 0, EINVAL, "unknown opcode 96"},
        {"op_st_atomic", {I(0xda, 10, 0, -8, 0), mov(0, 0), exit_()}, prog_type::socket_filter, 0, EINVAL, "unknown opcode da"},
        {"op_jcond_x", {I(0xed, 0, 0, 0, 0), mov(0, 0), exit_()}, prog_type::socket_filter, 0, EINVAL, "unknown opcode ed"},
        {"ldx_reserved", {I(0x61, 0, 1, 0, 1), exit_()}, prog_type::socket_filter, 0, EINVAL, "BPF_LDX uses reserved fields"},
        {"stx_reserved", {I(0x63, 10, 1, -8, 1), mov(0, 0), exit_()}, prog_type::socket_filter, 0, EINVAL, "BPF_STX uses reserved fields"},
        {"st_reserved", {I(0x62, 10, 1, -8, 0), mov(0, 0), exit_()}, prog_type::socket_filter, 0, EINVAL, "BPF_ST uses reserved fields"},
        {"alu_reserved_k", {mov(0, 0), I(0x07, 0, 1, 0, 1), exit_()}, prog_type::socket_filter, 0, EINVAL, "BPF_ALU uses reserved fields"},
        {"alu_reserved_x", {mov(0, 0), I(0x0f, 0, 1, 0, 1), exit_()}, prog_type::socket_filter, 0, EINVAL, "BPF_ALU uses reserved fields"},
        {"alu_off1_add", {mov(0, 0), I(0x07, 0, 0, 1, 1), exit_()}, prog_type::socket_filter, 0, EINVAL, "BPF_ALU uses reserved fields"},
        {"mov_reserved", {I(0xb7, 0, 0, 1, 0), exit_()}, prog_type::socket_filter, 0, EINVAL, "BPF_MOV uses reserved fields"},
        {"movsx_bad_off", {I(0xbf, 0, 1, 24, 0), exit_()}, prog_type::socket_filter, 0, EINVAL, "BPF_MOV uses reserved fields"},
        {"neg_reserved", {mov(0, 0), I(0x87, 0, 0, 0, 1), exit_()}, prog_type::socket_filter, 0, EINVAL, "BPF_NEG uses reserved fields"},
        {"end_bad_imm", {mov(0, 0), I(0xd4, 0, 0, 0, 8), exit_()}, prog_type::socket_filter, 0, EINVAL, "BPF_END uses reserved fields"},
        {"end_ok_16", {mov(0, 0), I(0xd4, 0, 0, 0, 16), exit_()}, prog_type::socket_filter, 0, OK, ""},
        {"ja_reserved", {I(0x05, 0, 0, 0, 1), mov(0, 0), exit_()}, prog_type::socket_filter, 0, EINVAL, "BPF_JA uses reserved fields"},
        {"exit_reserved", {mov(0, 0), I(0x95, 1, 0, 0, 0)}, prog_type::socket_filter, 0, EINVAL, "BPF_EXIT uses reserved fields"},
        {"call_reserved", {I(0x85, 0, 0, 1, 7), mov(0, 0), exit_()}, prog_type::socket_filter, 0, EINVAL, "BPF_CALL uses reserved fields"},
        {"call_bad_src", {I(0x85, 0, 3, 0, 7), mov(0, 0), exit_()}, prog_type::socket_filter, 0, EINVAL, "BPF_CALL uses reserved fields"},
        {"jmp_reserved_k", {mov(0, 0), I(0x15, 0, 1, 0, 0), exit_()}, prog_type::socket_filter, 0, EINVAL, "BPF_JMP/JMP32 uses reserved fields"},
        {"jmp_reserved_x", {mov(0, 0), I(0x1d, 0, 1, 0, 1), exit_()}, prog_type::socket_filter, 0, EINVAL, "BPF_JMP/JMP32 uses reserved fields"},
        {"may_goto_bad", {I(0xe5, 0, 0, 0, 1), mov(0, 0), exit_()}, prog_type::socket_filter, 0, EINVAL, "invalid may_goto imm 1"},
        {"div0_k", {mov(0, 1), I(0x37, 0, 0, 0, 0), exit_()}, prog_type::socket_filter, 0, EINVAL, "div by zero", EINVAL, "div by zero"},
        {"mod0_k32", {I(0xb4, 0, 0, 0, 1), I(0x94, 0, 0, 0, 0), exit_()}, prog_type::socket_filter, 0, EINVAL, "div by zero"},
        {"div0_x_ok", {mov(0, 1), mov(1, 0), I(0x3f, 0, 1, 0, 0), exit_()}, prog_type::socket_filter, 0, OK, ""},
        {"shift64", {mov(0, 1), I(0x67, 0, 0, 0, 64), exit_()}, prog_type::socket_filter, 0, EINVAL, "invalid shift 64"},
        {"shift32", {I(0xb4, 0, 0, 0, 1), I(0x64, 0, 0, 0, 32), exit_()}, prog_type::socket_filter, 0, EINVAL, "invalid shift 32"},
        {"shift_neg", {mov(0, 1), I(0xc7, 0, 0, 0, -1), exit_()}, prog_type::socket_filter, 0, EINVAL, "invalid shift -1"},
        {"shift_x_ok", {mov(0, 1), mov(1, 100), I(0x6f, 0, 1, 0, 0), exit_()}, prog_type::socket_filter, 0, OK, ""},
        {"fp_write", {mov(10, 0), mov(0, 0), exit_()}, prog_type::socket_filter, 0, EACCES, "frame pointer is read only"},
        {"fp_write_ldx", {I(0x79, 10, 1, 0, 0), mov(0, 0), exit_()}, prog_type::socket_filter, 0, EACCES, "frame pointer is read only"},
        {"reg_11_dst", {mov(11, 0), exit_()}, prog_type::socket_filter, 0, EINVAL, "R11 is invalid"},
        {"reg_15_src", {movx(0, 15), exit_()}, prog_type::socket_filter, 0, EINVAL, "R15 is invalid"},
        {"uninit_r2", {movx(0, 2), exit_()}, prog_type::socket_filter, 0, EACCES, "R2 !read_ok", EACCES, "R2 !read_ok"},
        {"uninit_dst_alu", {I(0x07, 3, 0, 0, 1), mov(0, 0), exit_()}, prog_type::socket_filter, 0, EACCES, "R3 !read_ok"},
        {"r0_exit", {exit_()}, prog_type::socket_filter, 0, EACCES, "R0 !read_ok"},
        {"r0_exit_branch", {I(0x61, 2, 1, 0, 0), I(0x15, 2, 0, 1, 0), mov(0, 0), exit_()}, prog_type::socket_filter, 0, EACCES, "R0 !read_ok"},
        {"clobber_r1", {call(7), movx(0, 1), exit_()}, prog_type::socket_filter, 0, EACCES, "R1 !read_ok"},
        {"clobber_r5", {mov(5, 1), call(7), movx(0, 5), exit_()}, prog_type::socket_filter, 0, EACCES, "R5 !read_ok"},
        {"r6_survives", {mov(6, 1), call(7), movx(0, 6), exit_()}, prog_type::socket_filter, 0, OK, ""},
        {"r0_after_void", {call(7), exit_()}, prog_type::socket_filter, 0, OK, ""},
        {"helper_big", {call(999999), mov(0, 0), exit_()}, prog_type::socket_filter, 0, EINVAL, "invalid func unknown#999999"},
        {"helper_neg", {call(-1), mov(0, 0), exit_()}, prog_type::socket_filter, 0, EINVAL, "invalid func unknown#-1"},
        {"helper_0", {call(0), mov(0, 0), exit_()}, prog_type::socket_filter, 0, EINVAL, "program of this type cannot use helper bpf_unspec#0"},
        {"helper_wrongtype", {mov(2, 0), call(44), mov(0, 0), exit_()}, prog_type::socket_filter, 0, EINVAL, "program of this type cannot use helper bpf_xdp_adjust_head#44", EINVAL, "program of this type cannot use helper bpf_xdp_adjust_head#44"},
        {"helper_argcheck", {mov(1, 0), mov(2, 0), call(1), mov(0, 0), exit_()}, prog_type::socket_filter, 0, EACCES, "R1 type=scalar expected=map_ptr"},
        {"stk_w_pos", {I(0x7a, 10, 0, 8, 1), mov(0, 0), exit_()}, prog_type::socket_filter, 0, EACCES, "invalid write to stack R10 off=8 size=8", EACCES, "invalid write to stack R10 off=8 size=8"},
        {"stk_w_0", {I(0x7a, 10, 0, 0, 1), mov(0, 0), exit_()}, prog_type::socket_filter, 0, EACCES, "invalid write to stack R10 off=0 size=8"},
        {"stk_w_m4_sz8", {I(0x7a, 10, 0, -4, 1), mov(0, 0), exit_()}, prog_type::socket_filter, 0, EACCES, "misaligned stack access off 0+0+-4 size 8"},
        {"stk_w_low", {I(0x7a, 10, 0, -520, 1), mov(0, 0), exit_()}, prog_type::socket_filter, 0, EACCES, "invalid write to stack R10 off=-520 size=8"},
        {"stk_w_512", {I(0x7a, 10, 0, -512, 1), mov(0, 0), exit_()}, prog_type::socket_filter, 0, OK, ""},
        {"stk_via_reg", {movx(1, 10), I(0x07, 1, 0, 0, -600), I(0x7a, 1, 0, 0, 1), mov(0, 0), exit_()}, prog_type::socket_filter, 0, EACCES, "invalid write to stack R1 off=-600 size=8"},
        {"stk_r_uninit", {I(0x79, 0, 10, -8, 0), exit_()}, prog_type::socket_filter, 0, OK, "", EACCES, "invalid read from stack R10 off=-8 size=8"},
        {"stk_r_partial", {I(0x62, 10, 0, -8, 1), I(0x79, 0, 10, -8, 0), exit_()}, prog_type::socket_filter, 0, OK, "", EACCES, "invalid read from stack off -8+4 size 8"},
        {"stk_r_pos", {I(0x79, 0, 10, 0, 0), exit_()}, prog_type::socket_filter, 0, EACCES, "invalid read from stack R10 off=0 size=8"},
        {"stk_misalign", {I(0x7a, 10, 0, -12, 1), mov(0, 0), exit_()}, prog_type::socket_filter, 0, EACCES, "misaligned stack access off 0+0+-12 size 8"},
        {"stk_misalign_w", {I(0x62, 10, 0, -6, 1), mov(0, 0), exit_()}, prog_type::socket_filter, 0, EACCES, "misaligned stack access off 0+0+-6 size 4"},
        {"stk_var_off", {call(7), movx(3, 0), I(0x57, 3, 0, 0, 8), I(0x0f, 3, 10, 0, 0), I(0x07, 3, 0, 0, -16), I(0x7a, 3, 0, 0, 1), mov(0, 0), exit_()}, prog_type::socket_filter, 0, OK, "", EACCES, "R3 variable stack access prohibited for !root, var_off=(0x0; 0x8) off=-16", true},
        {"stk_spill_ptr_partial", {I(0x7b, 10, 1, -8, 0), I(0x61, 0, 10, -8, 0), exit_()}, prog_type::socket_filter, 0, EACCES, "invalid size of register fill", EACCES, "invalid size of register fill"},
        {"deref_scalar", {mov(0, 0), I(0x79, 0, 0, 0, 0), exit_()}, prog_type::socket_filter, 0, EACCES, "R0 invalid mem access 'scalar'"},
        {"ctx_bad_off", {I(0x61, 0, 1, 1, 0), exit_()}, prog_type::socket_filter, 0, EACCES, "invalid bpf_context access off=1 size=4"},
        {"ctx_modified", {I(0x07, 1, 0, 0, 4), I(0x61, 0, 1, 0, 0), exit_()}, prog_type::socket_filter, 0, EACCES, "dereference of modified ctx ptr R1 off=4 disallowed"},
        {"ptr_mul", {movx(0, 10), I(0x27, 0, 0, 0, 2), exit_()}, prog_type::socket_filter, 0, EACCES, "R0 pointer arithmetic with *= operator prohibited", EACCES, "R0 pointer arithmetic with *= operator prohibited"},
        {"ret_ptr", {movx(0, 10), exit_()}, prog_type::socket_filter, 0, OK, "", EACCES, "R0 leaks addr as return value"},
        {"ptr_cmp", {mov(0, 0), I(0x15, 1, 0, 0, 5), exit_()}, prog_type::socket_filter, 0, OK, "", EACCES, "R1 pointer comparison prohibited"},
        {"leak_ptr_stack", {I(0x7b, 10, 1, -8, 0), mov(0, 0), exit_()}, prog_type::socket_filter, 0, OK, "", OK, ""},
        {"ldabs_no_r6", {I(0x30, 0, 0, 0, 12), exit_()}, prog_type::socket_filter, 0, EACCES, "R6 !read_ok", EACCES, "R6 !read_ok"},
        {"ldabs_r6_scalar", {mov(6, 0), I(0x30, 0, 0, 0, 12), exit_()}, prog_type::socket_filter, 0, EINVAL, "at the time of BPF_LD_ABS|IND R6 != pointer to skb"},
        {"ldabs_ok", {movx(6, 1), I(0x30, 0, 0, 0, 12), exit_()}, prog_type::socket_filter, 0, OK, "", OK, ""},
        {"ldabs_dw", {movx(6, 1), I(0x38, 0, 0, 0, 12), exit_()}, prog_type::socket_filter, 0, EINVAL, "unknown opcode 38"},
        {"ldabs_dst", {movx(6, 1), I(0x30, 1, 0, 0, 12), exit_()}, prog_type::socket_filter, 0, EINVAL, "BPF_LD_[ABS|IND] uses reserved fields"},
        {"ldabs_src", {movx(6, 1), I(0x30, 0, 2, 0, 12), exit_()}, prog_type::socket_filter, 0, EINVAL, "BPF_LD_[ABS|IND] uses reserved fields"},
        {"ldind_uninit", {movx(6, 1), I(0x40, 0, 2, 0, 0), exit_()}, prog_type::socket_filter, 0, EACCES, "R2 !read_ok"},
        {"ldabs_clobber", {movx(6, 1), I(0x30, 0, 0, 0, 12), movx(0, 1), exit_()}, prog_type::socket_filter, 0, EACCES, "R1 !read_ok"},
        {"ldabs_xdp", {movx(6, 1), I(0x30, 0, 0, 0, 12), exit_()}, prog_type::xdp, 0, EINVAL, "BPF_LD_[ABS|IND] instructions not allowed for this program type"},
        {"atomic_ok", {I(0x7a, 10, 0, -8, 0), mov(1, 1), I(0xdb, 10, 1, -8, 0), mov(0, 0), exit_()}, prog_type::socket_filter, 0, OK, ""},
        {"atomic_b", {I(0x7a, 10, 0, -8, 0), mov(1, 1), I(0xd3, 10, 1, -8, 0), mov(0, 0), exit_()}, prog_type::socket_filter, 0, EINVAL, "invalid atomic operand size"},
        {"atomic_h", {I(0x7a, 10, 0, -8, 0), mov(1, 1), I(0xcb, 10, 1, -8, 0), mov(0, 0), exit_()}, prog_type::socket_filter, 0, EINVAL, "invalid atomic operand size"},
        {"atomic_badop", {I(0x7a, 10, 0, -8, 0), mov(1, 1), I(0xdb, 10, 1, -8, 2), mov(0, 0), exit_()}, prog_type::socket_filter, 0, EINVAL, "BPF_ATOMIC uses invalid atomic opcode 02"},
        {"atomic_sub", {I(0x7a, 10, 0, -8, 0), mov(1, 1), I(0xdb, 10, 1, -8, 0x10), mov(0, 0), exit_()}, prog_type::socket_filter, 0, EINVAL, "BPF_ATOMIC uses invalid atomic opcode 10"},
        {"atomic_ctx", {mov(2, 1), I(0xdb, 1, 2, 0, 0), mov(0, 0), exit_()}, prog_type::socket_filter, 0, EACCES, "BPF_ATOMIC stores into R1 ctx is not allowed"},
        {"cmpxchg_r0", {I(0x7a, 10, 0, -8, 0), mov(1, 1), I(0xdb, 10, 1, -8, 0xf1), mov(0, 0), exit_()}, prog_type::socket_filter, 0, EACCES, "R0 !read_ok"},
        {"atomic_uninit_src", {I(0x7a, 10, 0, -8, 0), I(0xdb, 10, 3, -8, 0), mov(0, 0), exit_()}, prog_type::socket_filter, 0, EACCES, "R3 !read_ok"},
        {"load_acq_b", {I(0x72, 10, 0, -1, 5), I(0xd3, 0, 10, -1, 0x100), exit_()}, prog_type::socket_filter, 0, OK, ""},
        {"store_rel_dw", {mov(1, 5), I(0xdb, 10, 1, -8, 0x110), mov(0, 0), exit_()}, prog_type::socket_filter, 0, OK, ""},
        {"atomic_fp_dst", {I(0x7a, 10, 0, -8, 0), I(0xdb, 10, 10, -8, 1), mov(0, 0), exit_()}, prog_type::socket_filter, 0, EACCES, "frame pointer is read only"},
        {"pcall_ok", {pcall(1), exit_(), mov(0, 0), exit_()}, prog_type::socket_filter, 0, OK, "", EPERM, "loading/calling other bpf or kernel functions are allowed for CAP_BPF and CAP_SYS_ADMIN"},
        {"pcall_bad_dst", {pcall(10), exit_()}, prog_type::socket_filter, 0, EINVAL, "call to invalid destination"},
        {"pcall_bad_dst_neg", {pcall(-5), exit_()}, prog_type::socket_filter, 0, EINVAL, "call to invalid destination"},
        {"subprog_fallthrough", {pcall(1), mov(0, 0), mov(0, 0), exit_()}, prog_type::socket_filter, 0, EINVAL, "last insn is not an exit or jmp"},
        {"subprog_jump_across", {pcall(2), I(0x05, 0, 0, 1, 0), exit_(), mov(0, 0), exit_()}, prog_type::socket_filter, 0, EINVAL, "jump out of range from insn 1 to 3"},
        {"subprog_r6", {pcall(1), exit_(), movx(0, 6), exit_()}, prog_type::socket_filter, 0, EACCES, "R6 !read_ok"},
        {"subprog_r0", {pcall(1), exit_(), mov(1, 0), exit_()}, prog_type::socket_filter, 0, EACCES, "R0 !read_ok"},
        {"subprog_recursion", {pcall(1), exit_(), pcall(-1), exit_()}, prog_type::socket_filter, 0, E2BIG, "the call stack of 9 frames is too deep"},
        {"call_depth_9", call_chain(9), prog_type::socket_filter, 0, E2BIG, "the call stack of 9 frames is too deep"},
        {"call_depth_8", call_chain(8), prog_type::socket_filter, 0, OK, ""},
        {"subprog_stack", {I(0x7a, 10, 0, -512, 0), pcall(1), exit_(), I(0x7a, 10, 0, -512, 0), mov(0, 0), exit_()}, prog_type::socket_filter, 0, EACCES, "combined stack size of 2 calls is 1024. Too large"},
        {"subprog_ret_ptr", {pcall(1), exit_(), movx(0, 10), exit_()}, prog_type::socket_filter, 0, EINVAL, "cannot return stack pointer to the caller"},
        {"cgskb_ret2", {mov(0, 2), exit_()}, prog_type::cgroup_skb, 0, EINVAL, "At program exit the register R0 has smin=2 smax=2 should have been in [0, 1]", EINVAL, "At program exit the register R0 has smin=2 smax=2 should have been in [0, 1]"},
        // check_helper_mem_access(): a NULL buffer (ARG_PTR_TO_MEM_OR_NULL) of a nonzero size (bpf_csum_diff)
        {"helper_null_buf_size8", {mov(1, 0), mov(2, 8), mov(3, 0), mov(4, 0), mov(5, 0), call(28), exit_()}, prog_type::sched_cls, 0, EACCES, "R1 type=scalar expected=fp"},
        {"cgskb_ret_unk", {I(0x61, 0, 1, 0, 0), exit_()}, prog_type::cgroup_skb, 0, EINVAL, "At program exit the register R0 has smin=0 smax=4294967295 should have been in [0, 1]"},
        {"cgskb_ret_masked", {I(0x61, 0, 1, 0, 0), I(0x57, 0, 0, 0, 1), exit_()}, prog_type::cgroup_skb, 0, OK, ""},
        {"cgskb_ret_ptr", {movx(0, 10), exit_()}, prog_type::cgroup_skb, 0, EINVAL, "At program exit the register R0 is not a known value (fp)"},
        {"cgskb_egress_ret3", {mov(0, 3), exit_()}, prog_type::cgroup_skb, 1, OK, ""},
        {"cgsock_ret_neg", {mov(0, -1), exit_()}, prog_type::cgroup_sock, 0, EINVAL, "At program exit the register R0 has smin=-1 smax=-1 should have been in [0, 1]"},
        {"xdp_ret_99", {mov(0, 99), exit_()}, prog_type::xdp, 0, OK, ""},
        {"sf_ret_any", {mov(0, -1), exit_()}, prog_type::socket_filter, 0, OK, ""},
        {"gotol_reserved", {I(0x06, 0, 0, 1, 0), mov(0, 0), exit_()}, prog_type::socket_filter, 0, EINVAL, "BPF_JA uses reserved fields"},
        {"gotol_ok", {I(0x06, 0, 0, 0, 0), mov(0, 0), exit_()}, prog_type::socket_filter, 0, OK, ""},
        {"bswap16_ok", {mov(0, 1), I(0xd7, 0, 0, 0, 16), exit_()}, prog_type::socket_filter, 0, OK, ""},
        {"sdiv_ok", {mov(0, 9), I(0x37, 0, 0, 1, 3), exit_()}, prog_type::socket_filter, 0, OK, ""},
        {"sdiv_zero", {mov(0, 9), I(0x37, 0, 0, 1, 0), exit_()}, prog_type::socket_filter, 0, EINVAL, "div by zero"},
        {"movsx32_off32", {I(0xbc, 0, 1, 32, 0), exit_()}, prog_type::socket_filter, 0, EINVAL, "BPF_MOV uses reserved fields"},
        {"movsx64_ok", {mov(1, 5), I(0xbf, 0, 1, 32, 0), exit_()}, prog_type::socket_filter, 0, OK, ""},
        {"ldsx_w_ok", {I(0x7a, 10, 0, -8, 5), I(0x81, 0, 10, -8, 0), exit_()}, prog_type::socket_filter, 0, OK, ""},
        {"xdp_ctx_oob", {I(0x61, 0, 1, 100, 0), exit_()}, prog_type::xdp, 0, EACCES, "invalid bpf_context access off=100 size=4"},
        {"xdp_pkt_nocheck", {I(0x61, 2, 1, 0, 0), I(0x71, 0, 2, 0, 0), exit_()}, prog_type::xdp, 0, EACCES, "R2 offset is outside of the packet"},
        {"order_oor_vs_opcode", {mov(0, 0), I(0xff, 0, 0, 0, 0), I(0x05, 0, 0, 10, 0), exit_()}, prog_type::socket_filter, 0, EINVAL, "jump out of range from insn 2 to 13"},
        {"order_opcode_vs_unreach", {mov(0, 0), exit_(), I(0xff, 0, 0, 0, 0), exit_()}, prog_type::socket_filter, 0, EINVAL, "unknown opcode ff"},
        {"order_div0_vs_unreach", {mov(0, 1), I(0x37, 0, 0, 0, 0), exit_(), mov(0, 0), exit_()}, prog_type::socket_filter, 0, EINVAL, "unreachable insn 3"},
        {"order_fallthrough_first", {I(0x61, 2, 1, 0, 0), I(0x15, 2, 0, 2, 0), movx(0, 3), exit_(), movx(0, 4), exit_()}, prog_type::socket_filter, 0, EACCES, "R3 !read_ok"},
        {"dead_branch_uninit", {mov(0, 0), I(0x15, 0, 0, 1, 0), movx(0, 5), exit_()}, prog_type::socket_filter, 0, OK, "", OK, ""},
        {"dead_branch_div0", {mov(0, 0), I(0x15, 0, 0, 1, 0), I(0x37, 0, 0, 0, 0), exit_()}, prog_type::socket_filter, 0, OK, "", OK, ""},
        {"dead_branch_reserved", {mov(0, 0), I(0x15, 0, 0, 1, 0), I(0x62, 10, 1, -8, 0), exit_()}, prog_type::socket_filter, 0, OK, "", OK, ""},
        {"dead_branch_helper", {mov(0, 0), I(0x15, 0, 0, 1, 0), call(999999), exit_()}, prog_type::socket_filter, 0, OK, "", OK, ""},
        {"dead_branch_stack", {mov(0, 0), I(0x15, 0, 0, 1, 0), I(0x7a, 10, 0, 8, 1), exit_()}, prog_type::socket_filter, 0, OK, "", OK, ""},
        {"join_uninit", {I(0x61, 2, 1, 0, 0), I(0x15, 2, 0, 1, 0), mov(3, 1), movx(0, 3), exit_()}, prog_type::socket_filter, 0, EACCES, "R3 !read_ok"},
        {"var_stack_read_unpriv", {I(0x7a, 10, 0, -16, 0), I(0x7a, 10, 0, -8, 0), call(7), movx(3, 0), I(0x57, 3, 0, 0, 8), I(0x0f, 3, 10, 0, 0), I(0x79, 0, 3, -16, 0), exit_()}, prog_type::socket_filter, 0, OK, "", EACCES, "R3 has unknown scalar with mixed signed bounds, pointer arithmetic with it prohibited for !root", true},
        // pointers with variable offsets (root; r3 = bpf_get_prandom_u32() masked): stack reads and
        // writes within the frame, past it, unbounded, misaligned; the context; a packet range
        {"var_stack_read", {call(7), movx(3, 0), I(0x57, 3, 0, 0, 8), I(0x0f, 3, 10, 0, 0), I(0x07, 3, 0, 0, -16), I(0x79, 0, 3, 0, 0), exit_()}, prog_type::socket_filter, 0, OK, ""},
        {"var_stack_write_then_const", {I(0x7a, 10, 0, -8, 5), call(7), movx(3, 0), I(0x57, 3, 0, 0, 8), I(0x0f, 3, 10, 0, 0), I(0x07, 3, 0, 0, -16), I(0x7a, 3, 0, 0, 1), I(0x79, 0, 10, -8, 0), exit_()}, prog_type::socket_filter, 0, OK, ""},
        {"var_stack_write_past", {call(7), movx(3, 0), I(0x57, 3, 0, 0, 8), I(0x0f, 3, 10, 0, 0), I(0x07, 3, 0, 0, -8), I(0x7a, 3, 0, 0, 1), mov(0, 0), exit_()}, prog_type::socket_filter, 0, EINVAL, "invalid variable-offset write to stack R3 var_off=(0x0; 0x8) off=-8 size=8"},
        {"var_stack_unbounded", {call(7), movx(3, 0), I(0x77, 3, 0, 0, 1), I(0x57, 3, 0, 0, -8), I(0x0f, 3, 10, 0, 0), I(0x7a, 3, 0, -8, 1), mov(0, 0), exit_()}, prog_type::socket_filter, 0, EACCES, "invalid unbounded variable-offset write to stack R3"},
        {"var_stack_misaligned", {call(7), movx(3, 0), I(0x57, 3, 0, 0, 4), I(0x0f, 3, 10, 0, 0), I(0x07, 3, 0, 0, -16), I(0x7a, 3, 0, 0, 1), mov(0, 0), exit_()}, prog_type::socket_filter, 0, EACCES, "misaligned stack access off (0x0; 0x4)+-16+0 size 8"},
        {"var_scalar_minus_fp", {call(7), movx(3, 0), I(0x57, 3, 0, 0, 4), I(0x1f, 3, 10, 0, 0), mov(0, 0), exit_()}, prog_type::socket_filter, 0, EACCES, "R3 tried to subtract pointer from scalar"},
        {"var_ctx", {movx(6, 1), call(7), movx(3, 0), I(0x57, 3, 0, 0, 4), I(0x0f, 6, 3, 0, 0), I(0x61, 0, 6, 0, 0), exit_()}, prog_type::socket_filter, 0, EACCES, "variable ctx access var_off=(0x0; 0x4) disallowed"},
        // a helper writing to the stack (bpf_get_current_comm: "write to"), at fixed and variable offsets
        {"helper_write_past_frame", {movx(1, 10), I(0x07, 1, 0, 0, -48), mov(2, 58), call(16), mov(0, 0), exit_()}, prog_type::kprobe, 0, EINVAL, "invalid write to stack R1 off=-48 size=58"},
        {"helper_write_below_stack", {movx(1, 10), I(0x07, 1, 0, 0, -520), mov(2, 16), call(16), mov(0, 0), exit_()}, prog_type::kprobe, 0, EACCES, "invalid write to stack R1 off=-520 size=16"},
        {"helper_write_var", {call(7), movx(1, 0), I(0x57, 1, 0, 0, 8), I(0x0f, 1, 10, 0, 0), I(0x07, 1, 0, 0, -24), mov(2, 16), call(16), mov(0, 0), exit_()}, prog_type::kprobe, 0, OK, ""},
        {"helper_write_var_past", {call(7), movx(1, 0), I(0x57, 1, 0, 0, 8), I(0x0f, 1, 10, 0, 0), I(0x07, 1, 0, 0, -16), mov(2, 16), call(16), mov(0, 0), exit_()}, prog_type::kprobe, 0, EINVAL, "invalid variable-offset write to stack R1 var_off=(0x0; 0x8) off=-16 size=16"},
        // bpf_probe_read_kernel in a tracepoint (its proto conditional on lockdown only): a fixed
        // destination past the frame, zero bytes at an unbounded variable offset, a variable one inside
        {"probe_read_past_frame", {movx(1, 10), I(0x07, 1, 0, 0, -48), mov(2, 58), mov(3, 0), call(113), mov(0, 0), exit_()}, prog_type::tracepoint, 0, EINVAL, "invalid write to stack R1 off=-48 size=58"},
        {"probe_read_var_zero", {call(7), movx(1, 0), I(0x57, 1, 0, 0, 63), I(0x07, 1, 0, 0, -16), I(0x0f, 1, 10, 0, 0), mov(2, 0), mov(3, 0), call(113), mov(0, 0), exit_()}, prog_type::tracepoint, 0, EINVAL, "invalid variable-offset write to stack R1 var_off=(0x0; 0xffffffffffffffff) off=0 size=0"},
        {"probe_read_var", {call(7), movx(1, 0), I(0x57, 1, 0, 0, 8), I(0x0f, 1, 10, 0, 0), I(0x07, 1, 0, 0, -24), mov(2, 16), mov(3, 0), call(113), mov(0, 0), exit_()}, prog_type::tracepoint, 0, OK, ""},
        // a pointer moved as 32 bits or sign-extended (root): an unknown scalar, zero-extended by the
        // 32-bit move (so >> 32 is 0), unbounded by the sign extension
        {"mov32_of_fp", {I(0xbc, 1, 10, 0, 0), I(0x77, 1, 0, 0, 32), movx(3, 10), I(0x0f, 3, 1, 0, 0), I(0x7a, 3, 0, -8, 0), mov(0, 0), exit_()}, prog_type::socket_filter, 0, OK, ""},
        {"movsx_of_fp", {I(0xbf, 1, 10, 16, 0), movx(3, 10), I(0x0f, 3, 1, 0, 0), I(0x7a, 3, 0, -8, 0), mov(0, 0), exit_()}, prog_type::socket_filter, 0, EINVAL, "math between fp pointer and register with unbounded min value is not allowed"},
        {"var_pkt_in_range", {movx(6, 1), call(7), movx(4, 0), I(0x57, 4, 0, 0, 255), I(0x61, 2, 6, 0, 0), I(0x61, 3, 6, 4, 0), I(0x0f, 2, 4, 0, 0), movx(5, 2), I(0x07, 5, 0, 0, 8), I(0x2d, 5, 3, 2, 0), I(0x71, 0, 2, 7, 0), I(0x05, 0, 0, 0, 0), mov(0, 0), exit_()}, prog_type::xdp, 0, OK, ""},
        {"var_pkt_past_range", {movx(6, 1), call(7), movx(4, 0), I(0x57, 4, 0, 0, 255), I(0x61, 2, 6, 0, 0), I(0x61, 3, 6, 4, 0), I(0x0f, 2, 4, 0, 0), movx(5, 2), I(0x07, 5, 0, 0, 8), I(0x2d, 5, 3, 2, 0), I(0x71, 0, 2, 8, 0), I(0x05, 0, 0, 0, 0), mov(0, 0), exit_()}, prog_type::xdp, 0, EACCES, "R2 offset is outside of the packet"},
        {"subprog_ret_ctx", {pcall(1), exit_(), movx(0, 1), exit_()}, prog_type::socket_filter, 0, OK, ""},
        {"subprog_ldabs", {movx(6, 1), pcall(1), exit_(), I(0x30, 0, 0, 0, 12), exit_()}, prog_type::socket_filter, 0, EINVAL, "LD_ABS is not allowed in subprogs without BTF"},
        {"subprog_uncalled", {mov(0, 0), exit_(), mov(0, 0), exit_()}, prog_type::socket_filter, 0, EINVAL, "unreachable insn 2"},
        {"ja_last_loop", {mov(0, 0), I(0x05, 0, 0, -1, 0)}, prog_type::socket_filter, 0, EINVAL, "infinite loop detected at insn 1"},
        // found by the differential run (seed 137): past "if r0 <= 0" r0 is nonzero, so "r0 s> 0"
        // (r0 a u32) is always taken: the loop repeats before the pushed r0 == 0 path is explored
        {"loop_after_le0", {I(0x61, 0, 10, -8, 0), I(0xb5, 0, 0, 0, 0), I(0x65, 0, 0, -2, 0), movx(6, 3), I(0x30, 0, 0, 0, 0), mov(0, 0), exit_()}, prog_type::socket_filter, 0, EINVAL, "infinite loop detected at insn 1"},
        // found by the differential run (seed 220): unknown * 0 is the constant 0 (the kernel's
        // bounds), so the branch is always taken and the read of the clobbered R1 is dead
        {"mul_zero_dead", {movx(6, 1), I(0x30, 0, 0, 0, 0), I(0x27, 0, 0, 0, 0), I(0xb5, 0, 0, 1, 0), movx(6, 1), mov(0, 0), exit_()}, prog_type::socket_filter, 0, OK, "", OK, ""},
        // bounds from branches (the kernel's reg_set_min_max()): past "if r0 > 10" r0 <= 10, so
        // "if r0 > 20" is never taken and the read of r3 is dead
        {"umax_from_branch", {call(7), I(0x25, 0, 0, 4, 10), I(0x25, 0, 0, 2, 20), mov(0, 0), exit_(), movx(0, 3), mov(0, 1), exit_()}, prog_type::socket_filter, 0, OK, "", OK, ""},
        // found by the differential run (seed 340): past "if r0 s< 0" r0 s>= 0, so "if r0 s>= 0"
        // is always taken and the ld_abs with a scalar R6 is dead (ctbpf used to reject there).
        // The loop back to insn 0 repeats the kernel's state exactly; the model's state repeats
        // too, but across a branch it cannot tell an exact repeat, so it leaves the loop to the kernel
        {"signed_bounds_loop", {call(7), mov(1, 2), I(0xc5, 0, 0, -3, 0), I(0x75, 0, 0, 5, 0), movx(6, 1), I(0x30, 0, 0, 0, 0), I(0x18, 6, 0, 0, 1), I(0, 0, 0, 0, 1), mov(3, 2), mov(0, 0), mov(0, 0), exit_()}, prog_type::socket_filter, 0, EINVAL, "infinite loop detected at insn 0", -1, "", true},
        // found by the differential run (seed 519): "w0 = w0" gives r0 a new id on every round,
        // so the kernel never sees the loop state repeat (it runs out of instructions)
        {"loop_fresh_ids", {mov(8, 3), I(0x61, 0, 10, -8, 0), I(0xbc, 0, 0, 0, 0), I(0x75, 0, 0, -3, 0), mov(0, 0), exit_()}, prog_type::socket_filter, 0, E2BIG, "BPF program is too large. Processed 1000001 insn", -1, "", true},
        // r0 -= 1 on a u8: the model's bound is gone after one round, the kernel's signed bounds
        // move on every round, so its state never repeats (it runs out of instructions)
        {"loop_sub_bounds", {I(0x71, 0, 10, -8, 0), I(0x17, 0, 0, 0, 1), I(0x05, 0, 0, -2, 0)}, prog_type::socket_filter, 0, E2BIG, "BPF program is too large. Processed 1000001 insn", -1, "", true},
        // r1 counts, nothing reads its value: equal for pruning on every round, but no exact
        // repeat, so the kernel does not call it an infinite loop (it runs out of instructions)
        {"loop_imprecise_counter", {mov(1, 0), I(0x07, 1, 0, 0, 1), I(0x05, 0, 0, -2, 0)}, prog_type::socket_filter, 0, E2BIG, "BPF program is too large. Processed 1000001 insn", -1, "", true},
    };
    for (golden& c : t)
        if (c.name == "pending_8193") c.other_build_errno = EFAULT;
    return t;
}

} // namespace verify_cases
