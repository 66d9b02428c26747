// Compiled to an object by the rodata test: a constexpr program must be constant data in
// .rodata, with no dynamic initializer (no builder code runs at start-up).
#include <ctbpf.hpp>

extern const std::array<bpf_insn, 3> ctbpf_probe_program;
constexpr std::array<bpf_insn, 3> ctbpf_probe_program = ctbpf::assemble<[] {
    using namespace ctbpf::syntax;
    return program{r0 = imm64(0x0123456789abcdef), exit_()};
}>();
