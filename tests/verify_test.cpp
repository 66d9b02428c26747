// ctbpf::check(): the probe table's verdicts and messages (Linux 6.18.44, tests/verify_cases.hpp),
// the same rules in static_asserts, the options (privilege, program type, dead-branch policy,
// kernel profile, budget), the integration with assemble<F>() (source lines and labels) and the
// run-time API. No kernel needed: tests/verify_kernel_test.cpp compares with the live kernel.
#include <ctbpf.hpp>
#include <doctest/doctest.h>

#include "verify_cases.hpp"
#include "verify_fuzz.hpp"

#include <cerrno>
#include <string>
#include <system_error>
#include <vector>

using ctbpf::errc;
using ctbpf::make_insn;
using verify_cases::I;

namespace {

constexpr ctbpf::options unpriv{.priv = ctbpf::privilege::unprivileged};
constexpr ctbpf::options lint{.policy = ctbpf::dead_branch_policy::lint};

template <std::size_t N>
constexpr ctbpf::check_result check_raw(const bpf_insn (&p)[N], const ctbpf::options& o = {}) {
    return ctbpf::check(p, o);
}
constexpr bool says(const ctbpf::check_result& r, errc e, std::string_view msg) {
    return r.code == e && r.message() == msg;
}

// ---- the rules at compile time (one per pass of the kernel) ----
constexpr bpf_insn div0[] = {make_insn(0xb7, 0, 0, 0, 1), make_insn(0x37, 0, 0, 0, 0), make_insn(0x95, 0, 0, 0, 0)};
static_assert(says(check_raw(div0), errc::div_by_zero, "div by zero") && check_raw(div0).index == 1 &&
              check_raw(div0).errnum == EINVAL);
constexpr bpf_insn oor[] = {make_insn(0x05, 0, 0, 5, 0), make_insn(0xb7, 0, 0, 0, 0), make_insn(0x95, 0, 0, 0, 0)};
static_assert(says(check_raw(oor), errc::jump_out_of_range, "jump out of range from insn 0 to 6"));
constexpr bpf_insn unknown[] = {make_insn(0x8d, 0, 0, 0, 0), make_insn(0xb7, 0, 0, 0, 0), make_insn(0x95, 0, 0, 0, 0)};
static_assert(says(check_raw(unknown), errc::unknown_opcode, "unknown opcode 8d"));
constexpr bpf_insn uninit[] = {make_insn(0xbf, 0, 1, 0, 0), make_insn(0xbf, 0, 2, 0, 0), make_insn(0x95, 0, 0, 0, 0)};
static_assert(says(check_raw(uninit), errc::register_read_before_write, "R2 !read_ok") && check_raw(uninit).index == 1 &&
              check_raw(uninit).errnum == EACCES);
constexpr bpf_insn helper212[] = {make_insn(0x85, 0, 0, 0, 212), make_insn(0x95, 0, 0, 0, 0)};
static_assert(says(check_raw(helper212), errc::invalid_func_id, "invalid func unknown#212"));
constexpr bpf_insn stack8[] = {make_insn(0x7a, 10, 0, 8, 1), make_insn(0xb7, 0, 0, 0, 0), make_insn(0x95, 0, 0, 0, 0)};
static_assert(says(check_raw(stack8), errc::invalid_stack_access, "invalid write to stack R10 off=8 size=8"));
constexpr bpf_insn loop[] = {make_insn(0xb7, 0, 0, 0, 0), make_insn(0x07, 0, 0, 0, 1), make_insn(0xa5, 0, 0, -2, 10),
                             make_insn(0x95, 0, 0, 0, 0)};
// pointers with variable offsets, in constant evaluation (the probe table's var_* rows: Linux
// 6.18.44's messages): a stack write past the frame, a variable context access, a packet read
// inside and just past the range a comparison with data_end verified
constexpr bpf_insn var_stack_past[] = {make_insn(0x85, 0, 0, 0, 7),    make_insn(0xbf, 3, 0, 0, 0),
                                       make_insn(0x57, 3, 0, 0, 8),    make_insn(0x0f, 3, 10, 0, 0),
                                       make_insn(0x07, 3, 0, 0, -8),   make_insn(0x7a, 3, 0, 0, 1),
                                       make_insn(0xb7, 0, 0, 0, 0),    make_insn(0x95, 0, 0, 0, 0)};
static_assert(says(check_raw(var_stack_past), errc::invalid_stack_access,
                   "invalid variable-offset write to stack R3 var_off=(0x0; 0x8) off=-8 size=8") &&
              check_raw(var_stack_past).index == 5 && check_raw(var_stack_past).errnum == EINVAL);
constexpr bpf_insn var_ctx[] = {make_insn(0xbf, 6, 1, 0, 0), make_insn(0x85, 0, 0, 0, 7), make_insn(0xbf, 3, 0, 0, 0),
                                make_insn(0x57, 3, 0, 0, 4), make_insn(0x0f, 6, 3, 0, 0), make_insn(0x61, 0, 6, 0, 0),
                                make_insn(0x95, 0, 0, 0, 0)};
static_assert(says(check_raw(var_ctx), errc::modified_context_pointer, "variable ctx access var_off=(0x0; 0x4) disallowed"));
constexpr bpf_insn var_pkt_in[] = {
    make_insn(0xbf, 6, 1, 0, 0), make_insn(0x85, 0, 0, 0, 7),  make_insn(0xbf, 4, 0, 0, 0),  make_insn(0x57, 4, 0, 0, 255),
    make_insn(0x61, 2, 6, 0, 0), make_insn(0x61, 3, 6, 4, 0),  make_insn(0x0f, 2, 4, 0, 0),  make_insn(0xbf, 5, 2, 0, 0),
    make_insn(0x07, 5, 0, 0, 8), make_insn(0x2d, 5, 3, 2, 0),  make_insn(0x71, 0, 2, 7, 0),  make_insn(0x05, 0, 0, 0, 0),
    make_insn(0xb7, 0, 0, 0, 0), make_insn(0x95, 0, 0, 0, 0)};
constexpr bpf_insn var_pkt_past[] = {
    make_insn(0xbf, 6, 1, 0, 0), make_insn(0x85, 0, 0, 0, 7),  make_insn(0xbf, 4, 0, 0, 0),  make_insn(0x57, 4, 0, 0, 255),
    make_insn(0x61, 2, 6, 0, 0), make_insn(0x61, 3, 6, 4, 0),  make_insn(0x0f, 2, 4, 0, 0),  make_insn(0xbf, 5, 2, 0, 0),
    make_insn(0x07, 5, 0, 0, 8), make_insn(0x2d, 5, 3, 2, 0),  make_insn(0x71, 0, 2, 8, 0),  make_insn(0x05, 0, 0, 0, 0),
    make_insn(0xb7, 0, 0, 0, 0), make_insn(0x95, 0, 0, 0, 0)};
constexpr ctbpf::options xdp{.type = ctbpf::prog_type::xdp};
static_assert(check_raw(var_pkt_in, xdp).ok() && check_raw(var_pkt_in, xdp).complete());
static_assert(says(check_raw(var_pkt_past, xdp), errc::packet_access_is_out_of_range, "R2 offset is outside of the packet") &&
              check_raw(var_pkt_past, xdp).index == 10);
static_assert(check_raw(loop).ok() && check_raw(loop).complete()); // a bounded loop, unrolled
static_assert(says(check_raw(loop, unpriv), errc::back_edge, "back-edge from insn 2 to 1"));
// a branch on a constant: the dead side is not checked (kernel mode), or is (lint mode)
constexpr bpf_insn dead[] = {make_insn(0xb7, 0, 0, 0, 0), make_insn(0x15, 0, 0, 1, 0), make_insn(0x37, 0, 0, 0, 0),
                             make_insn(0x95, 0, 0, 0, 0)};
static_assert(check_raw(dead).ok() && says(check_raw(dead, lint), errc::div_by_zero, "div by zero"));

// ---- assemble<F>() runs the check; check<F>() gives the verdict with source lines ----
constexpr auto xdp_ipv4_only = [] {
    using namespace ctbpf::syntax;
    return program{
        w0 = 1,                       // XDP_DROP
        r2 = mem<u32>(r1 + 4),        // ctx->data_end
        r1 = mem<u32>(r1 + 0),        // ctx->data
        r3 = r1,
        r3 += 14,
        if_(r3 > r2).goto_("out"),
        r1 = mem<u16>(r1 + 12),
        if_(w1 != 0x0008).goto_("out"),
        w0 = 2,                       // XDP_PASS
    label("out"),
        exit_(),
    };
};
constexpr auto xdp_prog = ctbpf::assemble<xdp_ipv4_only, ctbpf::options{.type = ctbpf::prog_type::xdp}>();
static_assert(xdp_prog.size() == 10);
// ctx fields and packet pointers are the kernel's business: accepted, and said so
static_assert(ctbpf::check<xdp_ipv4_only>().ok() && ctbpf::check<xdp_ipv4_only>().deferred == ctbpf::deferral::context_access);

constexpr unsigned bad_line = __LINE__ + 6;
constexpr auto reads_r2 = [] {
    using namespace ctbpf::syntax;
    return program{
        r0 = 0,
    label("work"),
        r1 = r2,
        exit_(),
    };
};
static_assert(ctbpf::check<reads_r2>().code == errc::register_read_before_write);
static_assert(ctbpf::check<reads_r2>().index == 1 && ctbpf::check<reads_r2>().line == bad_line);
static_assert(ctbpf::check<reads_r2>().label == "work" && ctbpf::check<reads_r2>().message() == "R2 !read_ok");
// the opt-out builds it anyway
static_assert(ctbpf::assemble<reads_r2, ctbpf::unchecked>().size() == 3);

} // namespace

TEST_CASE("the probe table: verdict, errno and the kernel's message (Linux 6.18.44)") {
    int rows = 0;
    for (const verify_cases::golden& c : verify_cases::probe_table()) {
        for (int mode = 0; mode < 2; ++mode) {
            const int want = mode == 0 ? c.root_errno : c.unpriv_errno;
            if (want < 0) continue;
            const std::string& msg = mode == 0 ? c.root_message : c.unpriv_message;
            const ctbpf::options o{.priv = mode == 0 ? ctbpf::privilege::root : ctbpf::privilege::unprivileged,
                                   .type = c.type,
                                   .expected_attach_type = static_cast<ctbpf::attach_type>(c.attach)};
            const ctbpf::check_result r = ctbpf::check(c.prog, o);
            INFO(c.name << (mode == 0 ? " (root)" : " (unprivileged)") << ": " << ctbpf::to_string(r.code) << " '"
                        << std::string(r.message()) << "' at insn " << r.index);
            ++rows;
            if (c.kernel_only) { // left to the kernel: never rejected, and said so where the kernel rejects
                CHECK(r.ok());
                if (want != 0) CHECK_FALSE(r.complete());
                continue;
            }
            CHECK(r.errnum == want);
            if (want != 0 && !msg.empty()) CHECK(std::string(r.message()) == msg);
            if (want == 0) CHECK(r.ok());
        }
    }
    CHECK(rows > 190);
}

// errc as a std::error_code: the message is the rule's text and the error condition the errno
// the kernel returned for the probe (the golden table), both from the one table of rules; a
// few paths return another errno for their rule (check_result::error), as the kernel does.
static_assert(std::is_error_code_enum_v<ctbpf::errc>);
static_assert(ctbpf::name_of(ctbpf::errc::div_by_zero) == "div_by_zero" && ctbpf::to_string(ctbpf::errc::div_by_zero) == "div by zero");
TEST_CASE("errc is a std::error_code enumeration; its errno is the kernel's for the probe table") {
    int rejected = 0, other_errno = 0;
    for (const verify_cases::golden& c : verify_cases::probe_table()) {
        if (c.kernel_only || c.root_errno <= 0) continue;
        const ctbpf::check_result r = ctbpf::check(c.prog, {.type = c.type, .expected_attach_type = static_cast<ctbpf::attach_type>(c.attach)});
        if (r.ok()) continue;
        const std::error_code ec = r.code;
        INFO(c.name << ": " << ec.message());
        if (r.errnum != ctbpf::errno_of(r.code)) { // a path where the kernel returns another errno for the rule
            CHECK(r.errnum == c.root_errno);      // (check_result::errnum has it)
            ++other_errno;
            continue;
        }
        CHECK(std::string(ec.category().name()) == "ctbpf");
        CHECK(ec.message() == std::string(ctbpf::to_string(r.code)));
        CHECK((ec.default_error_condition() == std::error_condition(c.root_errno, std::generic_category())));
        ++rejected;
    }
    CHECK(rejected > 60);
    CHECK(other_errno * 10 < rejected); // the table's errno is the rule's usual one
    const std::error_code ok = ctbpf::errc::ok;
    CHECK_FALSE(static_cast<bool>(ok));
    CHECK((std::error_code(ctbpf::errc::pointer_leak) == std::errc::permission_denied));
}

TEST_CASE("privilege: the unprivileged limits") {
    std::vector<bpf_insn> big(4096, I(0xb7, 0, 0, 0, 0));
    big.push_back(I(0x95, 0, 0, 0, 0));
    CHECK(ctbpf::check(big).ok());
    const auto r = ctbpf::check(big, unpriv);
    CHECK(r.code == errc::program_is_too_large);
    CHECK(r.errnum == E2BIG);
    // only socket filters and cgroup skb programs for unprivileged users
    const bpf_insn ret0[] = {I(0xb7, 0, 0, 0, 0), I(0x95, 0, 0, 0, 0)};
    CHECK(ctbpf::check(ret0, {.priv = ctbpf::privilege::unprivileged, .type = ctbpf::prog_type::xdp}).errnum == EPERM);
    CHECK(ctbpf::check(ret0, {.priv = ctbpf::privilege::unprivileged, .type = ctbpf::prog_type::cgroup_skb}).ok());
    // pointer arithmetic out of the stack, unprivileged only
    const bpf_insn fp0[] = {I(0xbf, 1, 10, 0, 0), I(0x07, 1, 0, 0, 0), I(0xb7, 0, 0, 0, 0), I(0x95, 0, 0, 0, 0)};
    CHECK(ctbpf::check(fp0).ok());
    CHECK(std::string(ctbpf::check(fp0, unpriv).message()) ==
          "R1 stack pointer arithmetic goes out of range, prohibited for !root; off=0");
}

TEST_CASE("program types: return ranges and legacy packet loads") {
    const bpf_insn ret2[] = {I(0xb7, 0, 0, 0, 2), I(0x95, 0, 0, 0, 0)};
    CHECK(ctbpf::check(ret2).ok()); // no program type: no range
    CHECK(ctbpf::check(ret2, {.type = ctbpf::prog_type::socket_filter}).ok());
    const auto skb = ctbpf::check(ret2, {.type = ctbpf::prog_type::cgroup_skb});
    CHECK(std::string(skb.message()) == "At program exit the register R0 has smin=2 smax=2 should have been in [0, 1]");
    CHECK(ctbpf::check(ret2, {.type = ctbpf::prog_type::cgroup_skb, .expected_attach_type = ctbpf::attach_type::cgroup_inet_egress}).ok()); // egress: [0, 3]
    CHECK(ctbpf::check(ret2, {.type = ctbpf::prog_type::cgroup_sock_addr, .expected_attach_type = ctbpf::attach_type::cgroup_udp4_recvmsg}).code ==
          errc::return_value_is_out_of_range); // recvmsg: [1, 1]
    const bpf_insn ldabs[] = {I(0xbf, 6, 1, 0, 0), I(0x30, 0, 0, 0, 12), I(0x95, 0, 0, 0, 0)};
    CHECK(ctbpf::check(ldabs, {.type = ctbpf::prog_type::sched_cls}).ok());
    CHECK(ctbpf::check(ldabs, {.type = ctbpf::prog_type::xdp}).code == errc::ld_abs_is_not_allowed_for_this_program_type);
    CHECK(ctbpf::parse<ctbpf::prog_type>("raw_tracepoint") == ctbpf::prog_type::raw_tracepoint);
    CHECK(ctbpf::to_string(ctbpf::prog_type::sched_cls) == "sched_cls");
    CHECK_FALSE(ctbpf::parse<ctbpf::prog_type>("sockets"));
}

TEST_CASE("kernel profile: helper ids and the opcode table are parameters") {
    const bpf_insn call211[] = {I(0x85, 0, 0, 0, 211), I(0xb7, 0, 0, 0, 0), I(0x95, 0, 0, 0, 0)};
    CHECK(ctbpf::check(call211).code != errc::invalid_func_id);
    ctbpf::options older{};
    older.kernel.helper_max_id = 200;
    CHECK(std::string(ctbpf::check(call211, older).message()) == "invalid func unknown#211");
    ctbpf::options no_gotol{};
    no_gotol.kernel.opcodes[0] &= ~(std::uint64_t{1} << 0x06);
    const bpf_insn gotol[] = {I(0x06, 0, 0, 0, 0), I(0xb7, 0, 0, 0, 0), I(0x95, 0, 0, 0, 0)};
    CHECK(ctbpf::check(gotol).ok());
    CHECK(std::string(ctbpf::check(gotol, no_gotol).message()) == "unknown opcode 06");
}

TEST_CASE("kernel profile: where builds of 6.18.44 differ, load-acquire from the context") {
    // w5 = load_acquire((u32 *)(r1 + 1)); r0 = 0; exit — the messages the two builds print
    const bpf_insn la[] = {I(0xc3, 5, 1, 1, 0x100), I(0xb7, 0, 0, 0, 0), I(0x95, 0, 0, 0, 0)};
    CHECK(std::string(ctbpf::check(la).message()) == "BPF_ATOMIC loads from R1 ctx is not allowed");
    ctbpf::options access_first{};
    access_first.kernel.atomic_load_type_first = false;
    CHECK(std::string(ctbpf::check(la, access_first).message()) == "misaligned context access off 0+0+1 size 4");
    // store-release checks the access first on both
    const bpf_insn sr[] = {I(0xb4, 2, 0, 0, 0), I(0xc3, 1, 2, 1, 0x110), I(0xb7, 0, 0, 0, 0), I(0x95, 0, 0, 0, 0)};
    CHECK(std::string(ctbpf::check(sr).message()) == "misaligned context access off 0+0+1 size 4");
}

TEST_CASE("helpers without arguments: where they may be called, get_smp_processor_id's range") {
    // (the kernel's answers; tests/verify_kernel_test.cpp asks it again)
    const bpf_insn task[] = {I(0x85, 0, 0, 0, 35), I(0xb7, 0, 0, 0, 0), I(0x95, 0, 0, 0, 0)};
    CHECK(ctbpf::check(task, {.type = ctbpf::prog_type::socket_filter}).ok());
    CHECK(ctbpf::check(task, {.type = ctbpf::prog_type::socket_filter}).complete());
    const auto un = ctbpf::check(task, {.priv = ctbpf::privilege::unprivileged, .type = ctbpf::prog_type::socket_filter});
    CHECK(un.code == errc::helper_is_not_allowed);
    CHECK(un.errnum == EINVAL);
    CHECK(std::string(un.message()) == "program of this type cannot use helper bpf_get_current_task#35");
    // measured for 25 program types (verify/helper_availability.hpp); others are left to the kernel
    CHECK(ctbpf::check(task, {.type = ctbpf::prog_type::tracepoint}).complete());
    CHECK(ctbpf::check(task, {.type = ctbpf::prog_type::lsm}).deferred == ctbpf::deferral::helper_availability);
    const bpf_insn retval[] = {I(0x85, 0, 0, 0, 186), I(0xb7, 0, 0, 0, 0), I(0x95, 0, 0, 0, 0)};
    const auto rv = ctbpf::check(retval, {.type = ctbpf::prog_type::socket_filter});
    CHECK(std::string(rv.message()) == "program of this type cannot use helper bpf_get_retval#186");
    // r0 = get_smp_processor_id(); if r0 < 2 goto +1; r0 = r3 — dead when there are at most 2 CPUs
    const bpf_insn cpu[] = {I(0x85, 0, 0, 0, 8), I(0xa5, 0, 0, 1, 2), I(0xbf, 0, 3, 0, 0), I(0xb7, 0, 0, 0, 0),
                            I(0x95, 0, 0, 0, 0)};
    CHECK(std::string(ctbpf::check(cpu).message()) == "R3 !read_ok"); // nr_cpu_ids not known
    ctbpf::options two{};
    two.kernel.nr_cpu_ids = 2;
    CHECK(ctbpf::check(cpu, two).ok());
    CHECK(ctbpf::check(cpu, two).complete());
    two.kernel.nr_cpu_ids = 3;
    CHECK(std::string(ctbpf::check(cpu, two).message()) == "R3 !read_ok");
}

TEST_CASE("dead branches: kernel mode follows the values, lint mode checks every instruction") {
    for (const verify_cases::golden& c : verify_cases::probe_table()) {
        if (c.name.rfind("dead_branch_", 0) != 0) continue;
        INFO(c.name);
        CHECK(ctbpf::check(c.prog).ok());
        CHECK_FALSE(ctbpf::check(c.prog, lint).ok());
    }
    // lint mode terminates on loops (constants widened at the loop head)
    CHECK(ctbpf::check(loop, lint).ok());
}

TEST_CASE("what is left to the kernel is said, and the budget gives up gracefully") {
    // 2^31 iterations: more than any budget; the kernel says "BPF program is too large"
    const bpf_insn long_loop[] = {I(0xb7, 0, 0, 0, 0), I(0x07, 0, 0, 0, 1), I(0xa5, 0, 0, -2, 0x7fffffff),
                                  I(0x95, 0, 0, 0, 0)};
    const auto r = ctbpf::check(long_loop, {.max_visits = 10000});
    CHECK(r.ok());
    CHECK(r.deferred == ctbpf::deferral::exploration_budget);
    CHECK(r.walk_stopped);
    // the same after a context load was deferred first: the stop is still said
    const bpf_insn ctx_then_loop[] = {I(0x61, 2, 1, 0, 0), I(0xb7, 0, 0, 0, 0), I(0x07, 0, 0, 0, 1),
                                      I(0xa5, 0, 0, -2, 0x7fffffff), I(0x95, 0, 0, 0, 0)};
    const auto r2 = ctbpf::check(ctx_then_loop, {.max_visits = 10000});
    CHECK(r2.ok());
    CHECK(r2.deferred == ctbpf::deferral::context_access);
    CHECK(r2.walk_stopped);
    CHECK(ctbpf::check(long_loop).walk_stopped); // the automatic budget stops it too
    // a map reference: the fd is looked up by the kernel
    const bpf_insn map[] = {I(0x18, 1, 5, 0, 0), I(0, 0, 0, 0, 0), I(0xb7, 0, 0, 0, 0), I(0x95, 0, 0, 0, 0)};
    CHECK(ctbpf::check(map).ok());
    CHECK(ctbpf::check(map).deferred == ctbpf::deferral::kernel_object);
    CHECK_FALSE(ctbpf::check(map).walk_stopped);
    CHECK(ctbpf::to_string(ctbpf::deferral::kernel_object) == "maps, BTF, kfuncs or arenas");
    // an infinite loop with no way out is the kernel's error too
    const bpf_insn spin[] = {I(0xb7, 0, 0, 0, 0), I(0x05, 0, 0, -1, 0)};
    CHECK(std::string(ctbpf::check(spin).message()) == "infinite loop detected at insn 1");
}

TEST_CASE("run time: check(program) with lines and labels, assemble(program, options) throws") {
    const unsigned line = __LINE__ + 3;
    using namespace ctbpf::syntax;
    const ctbpf::program p{r0 = 0, label("l"),
                           r0 /= 0,
                           exit_()};
    const auto r = ctbpf::check(p);
    CHECK(r.code == errc::div_by_zero);
    CHECK(r.index == 1);
    CHECK(r.line == line);
    CHECK(r.label == "l");
    CHECK_THROWS_AS(ctbpf::assemble(p), ctbpf::verifier_error); // checked by default, as assemble<F>()
    CHECK_THROWS_AS(ctbpf::assemble(p, ctbpf::options{}), ctbpf::verifier_error);
    try {
        (void)ctbpf::assemble(p);
        FAIL("assemble(program) did not throw");
    } catch (const ctbpf::exception& e) { // the one base, the one set of accessors
        CHECK(e.rule() == errc::div_by_zero);
        CHECK(e.insn() == 1u);
        CHECK(e.line() == line);
        CHECK(e.label() == "l");
        CHECK(e.errnum() == EINVAL);
        CHECK(e.message() == "div by zero");
    }
    const std::string want = "insn 1: div by zero (div by zero, line " + std::to_string(line) + ", label 'l')";
    CHECK_THROWS_WITH(ctbpf::assemble(p, ctbpf::options{}), doctest::Contains(want.c_str()));
    CHECK(ctbpf::assemble(p, ctbpf::unchecked).size() == 3);
    // an assembly error comes back as a verdict too
    CHECK(ctbpf::check(program{goto_("nowhere")}).code == errc::label_is_not_defined);
}

TEST_CASE("random programs never crash the checker, and lint mode is at least as strict") {
    verify_fuzz::generator gen(2024);
    int rejected = 0;
    for (int i = 0; i < 3000; ++i) {
        const auto k = static_cast<verify_fuzz::kind>(i % 3);
        const std::vector<bpf_insn> p = gen.make(k);
        const auto r = ctbpf::check(p);
        const auto l = ctbpf::check(p, lint);
        const auto u = ctbpf::check(p, unpriv);
        rejected += !r.ok();
        if (!r.ok()) CHECK(!l.ok()); // lint never accepts what kernel mode rejects
        // a verdict's errno is 0 exactly when it accepts; a rejection names an instruction of the program
        CHECK(r.ok() == (r.errnum == 0));
        CHECK(u.ok() == (u.errnum == 0));
        if (!r.ok()) CHECK(r.index < p.size());
        if (!u.ok()) CHECK(u.index < p.size());
    }
    CHECK(rejected > 300);
}

TEST_CASE("options::deferral_is_error: anything left to the kernel is a rejection") {
    // r0 = *(u32 *)(r1 + 0) in a tracing program: its context is BTF-typed, left to the kernel
    const bpf_insn p[] = {I(0x61, 0, 1, 0, 0), I(0x95, 0, 0, 0, 0)};
    const auto lax = ctbpf::check(p, {.type = ctbpf::prog_type::tracing});
    CHECK(lax.ok());
    CHECK(lax.deferred == ctbpf::deferral::context_access);
    constexpr ctbpf::options strict{.type = ctbpf::prog_type::tracing, .deferral_is_error = true};
    const auto r = ctbpf::check(p, strict);
    CHECK(r.code == errc::left_to_the_kernel);
    CHECK(r.index == 0);
    CHECK(std::string(r.message()) == "left to the kernel: a context field access");
    // a program the model decides completely is unaffected
    const bpf_insn ok[] = {I(0xb7, 0, 0, 0, 0), I(0x95, 0, 0, 0, 0)};
    CHECK(ctbpf::check(ok, strict).ok());
}
