// Consumer of an installed ctbpf: assembles a program at compile time and checks its bytes.
#include <ctbpf.hpp>

constexpr auto prog = ctbpf::assemble<[] {
    using namespace ctbpf::syntax;
    return program{
        r0 = 2,
        exit_(),
    };
}>();
// r0 = 2 is b7 00 00 00 02 00 00 00; exit is 95 (isa.md §5)
static_assert(prog.size() == 2 && prog[0].code == 0xb7 && prog[0].imm == 2 && prog[1].code == 0x95);

int main() { return prog[0].imm == 2 ? 0 : 1; }
