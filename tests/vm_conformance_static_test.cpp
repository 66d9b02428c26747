// The bpf_conformance corpus at compile time: every program (generated from the corpus at build
// time by vm_conformance_gen) runs in a constant expression and gives the corpus's r0.
#include <cstdio>
#include <span>

#include "ctbpf/vm.hpp"

namespace {
constexpr bool returns(std::span<const ctbpf::insn> code, std::span<const std::uint8_t> mem, std::uint64_t expected) {
    const std::uint64_t args[1] = {mem.size()};
    ctbpf::vm::input in{};
    in.ctx = mem;
    in.args = args;
    const ctbpf::vm::result r = ctbpf::vm::run(code, in);
    return r.ok() && r.retval == expected;
}
constexpr bool faults(std::span<const ctbpf::insn> code) {
    return ctbpf::vm::run(code, ctbpf::vm::input{}).fault == ctbpf::vm::fault::bad_instruction;
}
} // namespace

#include "vm_conformance_cases.hpp"

int main() {
    std::printf("bpf_conformance at compile time: %d programs checked by static_assert\n", CONFORMANCE_CASE_COUNT);
    return 0;
}
