// A program generated at run time: an XDP filter passing the frames whose first byte is in a
// list known only at run time, built one item per += with label handles (no label strings),
// assembled and checked by ctbpf, then loaded and test-run on the kernel (when bpf() is allowed).
#include <ctbpf.hpp>
#include <ctbpf/disasm.hpp>
#include <ctbpf/sys.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <vector>

ctbpf::program allow_first_bytes(const std::vector<std::uint8_t>& allowed) {
    using namespace ctbpf::syntax;
    ctbpf::program p;
    const label_id pass = p.new_label(), out = p.new_label();
    p += (w0 = XDP_DROP);
    p += (r2 = mem<u32>(r1 + 4)); // ctx->data_end
    p += (r1 = mem<u32>(r1 + 0)); // ctx->data
    p += (r3 = r1);
    p += (r3 += 1);
    p += if_(r3 > r2).goto_(out);
    p += (w1 = mem<u8>(r1 + 0));
    for (std::uint8_t b : allowed) p += if_(w1 == dyn(b)).goto_(pass);
    p += goto_(out);
    p += label(pass);
    p += (w0 = XDP_PASS);
    p += label(out);
    p += exit_();
    return p;
}

int main() {
    const std::vector<std::uint8_t> allowed{0x45, 0x60}; // IPv4 and IPv6 version nibbles, say
    const ctbpf::program p = allow_first_bytes(allowed);
    const std::vector<bpf_insn> code = ctbpf::assemble(p, {.type = ctbpf::prog_type::xdp}); // throws if rejected
    std::printf("generated: %zu instructions, checked as XDP\n\n", code.size());
    std::fputs(ctbpf::disasm(code).c_str(), stdout);

    namespace sys = ctbpf::sys;
    auto prog = sys::load(sys::program_image(code), {.type = BPF_PROG_TYPE_XDP, .name = "gen_filter"});
    if (!prog) {
        std::printf("\nnot loaded (%s): nothing to test-run\n", prog.error().describe().c_str());
        return prog.error().is(std::errc::operation_not_permitted) ? 0 : 1;
    }
    int wrong = 0;
    for (unsigned first : {0x45u, 0x60u, 0x11u}) {
        std::array<std::byte, 64> frame{};
        frame[0] = std::byte{static_cast<unsigned char>(first)};
        const std::uint32_t want = first == 0x11 ? XDP_DROP : XDP_PASS;
        const std::uint32_t got = sys::test_run(*prog, {.data = frame}).value().retval;
        std::printf("test-run, first byte 0x%02x: %s\n", first, got == XDP_PASS ? "XDP_PASS" : got == XDP_DROP ? "XDP_DROP" : "other");
        wrong += got != want;
    }
    return wrong == 0 ? 0 : 1;
}
