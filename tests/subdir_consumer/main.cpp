// Consumer of ctbpf through add_subdirectory: assembles a program at compile time.
#include <ctbpf.hpp>

constexpr auto prog = ctbpf::assemble<[] {
    using namespace ctbpf::syntax;
    return program{
        r0 = 3,
        exit_(),
    };
}>();
static_assert(prog.size() == 2 && prog[0].code == 0xb7 && prog[0].imm == 3 && prog[1].code == 0x95);

int main() { return prog[0].imm == 3 ? 0 : 1; }
