// Mistake: label and map names from temporary std::strings; the program keeps string_views of
// them, which would dangle (goto_ and if_(...).goto_ take a jump_target, gotol a long_jump_target,
// label, call and map a label_name: one error for each).
// expect: ctbpf: a label or map name from a temporary std::string would dangle
// expect: keep the string alive in a variable or use a string literal
// expect: label_name_temporary_string.cpp:@goto@:
// expect: label_name_temporary_string.cpp:@gotol@:
// expect: label_name_temporary_string.cpp:@map@:
#include <ctbpf.hpp>

#include <string>

using namespace ctbpf::syntax;

std::string name(const char* s) { return s; }

#ifndef CTBPF_TWIN
ctbpf::program make() {
    return program{
        if_(r1 > 0).goto_(name("out")), // @goto
        gotol(name("out")),             // @gotol
        r1 = map(name("counts")),       // @map
        label(name("out")),
        call(name("f")),
        exit_(),
    };
}
#else
ctbpf::program make() {
    const std::string out = name("out"), counts = name("counts"), f = name("f");
    return program{
        if_(r1 > 0).goto_(out),
        gotol(out),
        r1 = map(counts),
        label(out),
        call(f),
        r1 = map_value("config", 0),
        goto_("out"),
        exit_(),
    };
}
#endif
