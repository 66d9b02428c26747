// The main demo: an XDP program that passes IPv4 and drops everything else, written in ctbpf's
// LLVM-assembly spelling, assembled at compile time; prints its disassembly and bytes, then
// runs it in ctbpf's interpreter at compile time (static_assert: IPv4 passes, IPv6 drops), then
// loads it into the kernel and test-runs it on the same frames (when bpf() is allowed).
// Then a broken variant: ctbpf's verifier names the rule, instruction, line and label, and the
// kernel, asked too, says the same.
#include <ctbpf.hpp>
#include <ctbpf/ctx_fields.hpp>
#include <ctbpf/disasm.hpp>
#include <ctbpf/net.hpp>
#include <ctbpf/sys.hpp>
#include <ctbpf/vm.hpp>

#include <array>
#include <cstddef>
#include <cstdio>
#include <cstring>

// The program without its first instruction (w0 = XDP_DROP), to show composition and, below,
// what the verifier says when that instruction is missing.
constexpr ctbpf::program xdp_body() {
    using namespace ctbpf::syntax;
    namespace ctx = ctbpf::ctx; // the context's fields by name (ctbpf/ctx_fields.hpp)
    namespace net = ctbpf::net; // packet header fields (ctbpf/net.hpp)
    return program{
        r2 = ctx::xdp_md::data_end(r1),      // r2 = *(u32 *)(r1 + 4)
        r1 = ctx::xdp_md::data(r1),          // r1 = *(u32 *)(r1 + 0)
        r3 = r1,
        r3 += net::eth::size,                // + sizeof(struct ethhdr)
        if_(r3 > r2).goto_("out"),
        r1 = net::eth::proto(r1),            // r1 = *(u16 *)(r1 + 12)
        if_(w1 != net::to_be16(net::eth::p_ip)).goto_("out"),
        w0 = XDP_PASS,
    label("out"),
        exit_(),
    };
}
constexpr auto xdp_source = [] {
    using namespace ctbpf::syntax;
    return program{w0 = XDP_DROP} + xdp_body();
};
// checked at compile time as an XDP program (return value in XDP's range, ...)
constexpr auto xdp_ipv4_only = ctbpf::assemble<xdp_source, ctbpf::options{.type = ctbpf::prog_type::xdp}>();
static_assert(xdp_ipv4_only.size() == 10);

// Ethernet frames of 64 bytes with the EtherType 0x0800 (IPv4) or 0x86dd (IPv6).
template <std::uint8_t Hi, std::uint8_t Lo>
constexpr std::array<std::uint8_t, 64> frame_v = [] {
    std::array<std::uint8_t, 64> f{};
    f[12] = Hi, f[13] = Lo;
    return f;
}();
// run by ctbpf's interpreter at compile time: a fault (an out-of-bounds read, ...) would not compile
static_assert(ctbpf::vm::run<xdp_source, [] { return ctbpf::vm::input{ctbpf::prog_type::xdp, frame_v<0x08, 0x00>}; }>()
                  .retval == XDP_PASS);
static_assert(ctbpf::vm::run<xdp_source, [] { return ctbpf::vm::input{ctbpf::prog_type::xdp, frame_v<0x86, 0xdd>}; }>()
                  .retval == XDP_DROP);

int main() {
    std::printf("xdp_ipv4_only: %zu instructions, assembled at compile time\n\n", xdp_ipv4_only.size());
    std::fputs(ctbpf::disasm(xdp_ipv4_only).c_str(), stdout);
    std::printf("\nrun in the interpreter at compile time: IPv4 -> XDP_PASS, IPv6 -> XDP_DROP (static_assert)\n");
    const ctbpf::vm::result ran = ctbpf::vm::run<xdp_source>({.type = ctbpf::prog_type::xdp, .packet = frame_v<0x08, 0x00>});
    std::printf("and at run time: retval %llu after %llu instructions\n", static_cast<unsigned long long>(ran.retval),
                static_cast<unsigned long long>(ran.executed));
    std::printf("\nbytes:\n");
    for (const bpf_insn& i : xdp_ipv4_only) {
        unsigned char b[sizeof i];
        std::memcpy(b, &i, sizeof i);
        for (unsigned char c : b) std::printf("%02x ", c);
        std::printf("\n");
    }

    namespace sys = ctbpf::sys;
    auto prog = sys::load<xdp_source>({.type = BPF_PROG_TYPE_XDP, .name = "xdp_ipv4_only"});
    if (!prog) {
        std::printf("\nnot loaded: %s\n", prog.error().describe().c_str());
    } else {
        std::printf("\nloaded into the kernel as program id %u\n", prog->info().value().id);
        for (unsigned char proto_hi : {0x08, 0x86}) { // 0x0800 IPv4, 0x86dd IPv6
            std::array<std::byte, 64> frame{};
            frame[12] = std::byte{proto_hi};
            frame[13] = proto_hi == 0x08 ? std::byte{0x00} : std::byte{0xdd};
            const sys::test_run_result r = sys::test_run(*prog, {.data = frame, .repeat = 1000}).value();
            std::printf("test-run on an %s frame: %s (%lld ns per run)\n", proto_hi == 0x08 ? "IPv4" : "IPv6",
                        r.retval == XDP_PASS ? "XDP_PASS" : r.retval == XDP_DROP ? "XDP_DROP" : "other",
                        static_cast<long long>(r.duration.count()));
        }
    }

    // The same program without its first instruction: on the early exit w0 is never set.
    // (Checked at run time here; as assemble<F>() it would not compile.)
    const ctbpf::program broken = xdp_body();
    const ctbpf::check_result verdict = ctbpf::check(broken, {.type = ctbpf::prog_type::xdp});
    std::printf("\nwithout 'w0 = XDP_DROP', ctbpf::check() says: %s\n", ctbpf::verifier_error::describe(verdict).c_str());
    const sys::assembled_program code = sys::assemble_for_load(broken);
    auto refused = sys::load(code.image(), {.type = BPF_PROG_TYPE_XDP});
    if (!refused) std::printf("asked too, the kernel says: %s\n", refused.error().describe().c_str());
    return 0;
}
