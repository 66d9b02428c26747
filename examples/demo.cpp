// The main demo: an XDP program that passes IPv4 and drops everything else, written in ctbpf's
// LLVM-assembly spelling, assembled at compile time; prints its disassembly and bytes.
#include <ctbpf.hpp>
#include <ctbpf/disasm.hpp>

#include <cstdio>
#include <cstring>

constexpr auto xdp_ipv4_only = ctbpf::assemble<[] {
    using namespace ctbpf::syntax;
    return program{
        w0 = XDP_DROP,
        r2 = mem<u32>(r1 + 4),               // ctx->data_end
        r1 = mem<u32>(r1 + 0),               // ctx->data
        r3 = r1,
        r3 += 14,                            // + sizeof(struct ethhdr)
        if_(r3 > r2).goto_("out"),
        r1 = mem<u16>(r1 + 12),              // eth->h_proto
        if_(w1 != 0x0008).goto_("out"),      // htons(ETH_P_IP)
        w0 = XDP_PASS,
    label("out"),
        exit_(),
    };
}>();
static_assert(xdp_ipv4_only.size() == 10);

int main() {
    std::printf("xdp_ipv4_only: %zu instructions, assembled at compile time\n\n", xdp_ipv4_only.size());
    std::fputs(ctbpf::disasm(xdp_ipv4_only).c_str(), stdout);
    std::printf("\nbytes:\n");
    for (const bpf_insn& i : xdp_ipv4_only) {
        unsigned char b[sizeof i];
        std::memcpy(b, &i, sizeof i);
        for (unsigned char c : b) std::printf("%02x ", c);
        std::printf("\n");
    }
    return 0;
}
