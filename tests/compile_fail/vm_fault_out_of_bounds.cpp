// Mistake: a program run at compile time (ctbpf::vm::run<F, In>()) reads past the end of the
// packet it is given: the run faults and the compiler names the fault, the instruction index,
// the source line and the label.
// expect: ctbpf: the program faulted when run at compile time; the fault, instruction index, source line and label are program_faulted<...>'s template arguments
// expect-gcc: [with ctbpf::vm::fault Kind = ctbpf::vm::fault::out_of_bounds; unsigned int InsnIndex = 3; unsigned int Line = @read@; text<...auto...> Label = ctbpf::text<6>{"parse"}]
// expect-clang: program_faulted<ctbpf::vm::fault::out_of_bounds, 3, @read@,
// expect-clang19: program_faulted<ctbpf::vm::fault::out_of_bounds, 3, @read@, ctbpf::text<6>{"parse"}>
#include <array>
#include <ctbpf.hpp>
#include <ctbpf/vm.hpp>

using namespace ctbpf::syntax;

constexpr auto parser = [] {
    return program{
        r2 = mem<u32>(r1 + 0), // ctx->data
        r3 = mem<u32>(r1 + 4), // ctx->data_end
    label("parse"),
        w0 = 1, // XDP_DROP
#ifndef CTBPF_TWIN
        r0 = mem<u32>(r2 + 60), // @read
#else
        r0 = mem<u32>(r2 + 20),
#endif
        exit_(),
    };
};
constexpr std::array<std::uint8_t, 60> frame{};
static_assert(ctbpf::vm::run<parser, [] { return ctbpf::vm::input{ctbpf::prog_type::xdp, frame}; }>().retval == 0);

int main() {}
