// Mistake: a reference acquired and never given back. A ring buffer record reserved with
// bpf_ringbuf_reserve must be submitted or discarded on every path to exit.
// flags-clang: -ferror-limit=0
// expect: ctbpf::errc::unreleased_reference
// expect-gcc: Rule = ctbpf::errc::unreleased_reference; unsigned int InsnIndex = 9; unsigned int Line = @leak@; text<...auto...> Label = ctbpf::text<4>{"out"}; text<...auto...> Message = ctbpf::text<63>{"BPF_EXIT instruction in main prog would lead to reference leak"}]
// expect-clang: program_rejected<ctbpf::errc::unreleased_reference, 9, @leak@, 
// expect-clang19: program_rejected<ctbpf::errc::unreleased_reference, 9, @leak@, text<4>{"out"}, text<63>{
#include <ctbpf.hpp>

using namespace ctbpf::syntax;

inline constexpr auto events = ctbpf::ringbuf_map<"events">(4096);
inline constexpr ctbpf::options xdp{.type = ctbpf::prog_type::xdp};

constexpr auto leak = ctbpf::assemble<[] {
    return program{
        r1 = map("events"),
        r2 = 16,
        r3 = 0,
        call(helper::ringbuf_reserve),
        if_(r0 == 0).goto_("out"),
        r1 = 7,
        mem<u64>(r0 + 0) = r1,
#ifdef CTBPF_TWIN
        r1 = r0,
        r2 = 0,
        call(helper::ringbuf_submit),
#endif
    label("out"),
        w0 = 2,
        exit_(), // @leak
    };
}, xdp, events>();

#ifdef CTBPF_TWIN
static_assert(leak.size() == 13);
#endif
