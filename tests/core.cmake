# Core DSL tests, the check that constexpr programs are .rodata data, and the floor benchmark's sources.
ctbpf_doctest(core_test core_test.cpp)
add_library(rodata_probe OBJECT rodata_probe.cpp)
target_link_libraries(rodata_probe PRIVATE ctbpf::ctbpf ctbpf_warnings)
add_test(NAME rodata_constexpr_program
  COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/rodata_test.sh $<TARGET_OBJECTS:rodata_probe>)
# The compile-time floor benchmark's sources (benchmarks/floor/min_dsl.hpp and ctbpf) still build
# and give the program's size, on this compiler: a small N, one repetition, no timing asserted.
find_package(Python3 COMPONENTS Interpreter)
if(Python3_Interpreter_FOUND)
  add_test(NAME compile_floor_sources_build
    COMMAND ${Python3_EXECUTABLE} ${PROJECT_SOURCE_DIR}/benchmarks/compile_floor.py --n 64 --reps 1 --cxx ${CMAKE_CXX_COMPILER})
endif()

# Map declarations (ctbpf/map_decl.hpp): the declared shapes check() sees at compile time and at
# run time (a lookup without a null check, a value read out of bounds, a wrong map argument).
ctbpf_doctest(map_decl_test map_decl_test.cpp)

# Named context fields (generated from the kernel's uapi header) and packet header fields.
ctbpf_doctest(fields_test fields_test.cpp)

# One vocabulary (ctbpf/types.hpp): prog_type and attach_type against the kernel's uapi enums
# (linux/bpf.h read as the oracle), the CLI's aliases, raw constants in load options, the one
# verification default.
ctbpf_doctest(vocab_test vocab_test.cpp)
