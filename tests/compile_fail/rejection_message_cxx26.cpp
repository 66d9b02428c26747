// Mistake: r2 is read before it is written. Clang 19 with -std=c++2c takes a computed
// static_assert message, so the error line itself states the rule, the instruction, the source
// line, the label and the kernel's message; elsewhere they are program_rejected's template
// arguments. Either way the rejection is the only error (no second, follow-on error).
// flags-clang19: -std=c++2c
// expect: ctbpf::errc::register_read_before_write
// expect-clang19: error: static assertion failed due to requirement 'detail::rule_is_ok<ctbpf::errc::register_read_before_write>': ctbpf: program rejected: register_read_before_write at insn 1, line @uninit@, label 'sum': R2 !read_ok
// expect-clang: 1 error generated.
// expect-gcc: Line = @uninit@; text<...auto...> Label = ctbpf::text<4>{"sum"}; text<...auto...> Message = ctbpf::text<12>{"R2 !read_ok"}]
#include <ctbpf.hpp>

using namespace ctbpf::syntax;

constexpr auto uninitialized = ctbpf::assemble<[] {
    return program{
#ifdef CTBPF_TWIN
        r2 = 2,
#endif
        r0 = 1,
    label("sum"),
        r0 += r2, // @uninit
        exit_(),
    };
}>();

#ifdef CTBPF_TWIN
static_assert(uninitialized.size() == 4);
#endif
