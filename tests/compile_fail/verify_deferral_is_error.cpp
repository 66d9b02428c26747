// Mistake (for a user who asked for certainty): options::deferral_is_error makes anything the
// verifier leaves to the kernel a compile error — here a context read of a BTF-typed program
// type (tracing), whose layout only the kernel knows.
// flags-clang: -ferror-limit=0
// expect: ctbpf::errc::left_to_the_kernel
// expect-gcc: Rule = ctbpf::errc::left_to_the_kernel; unsigned int InsnIndex = 0; unsigned int Line = @tracing_ctx@; text<...auto...> Label = ctbpf::text<1>{""}; text<...auto...> Message = ctbpf::text<43>{"left to the kernel: a context field access"}]
// expect-clang: program_rejected<ctbpf::errc::left_to_the_kernel, 0, @tracing_ctx@, 
// expect-clang19: program_rejected<ctbpf::errc::left_to_the_kernel, 0, @tracing_ctx@, text<1>{""}, text<43>{
#include <ctbpf.hpp>

using namespace ctbpf::syntax;

#ifndef CTBPF_TWIN
inline constexpr ctbpf::options certain{.type = ctbpf::prog_type::tracing, .deferral_is_error = true};
#else
inline constexpr ctbpf::options certain{.type = ctbpf::prog_type::tracing};
#endif

constexpr auto tracing_ctx = ctbpf::assemble<[] {
    return program{
        r0 = mem<u64>(r1 + 0), // @tracing_ctx
        r0 = 0,
        exit_(),
    };
}, certain>();

#ifdef CTBPF_TWIN
static_assert(tracing_ctx.size() == 3);
#endif
