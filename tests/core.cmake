# Core DSL tests, and the check that constexpr programs are .rodata data.
ctbpf_doctest(core_test core_test.cpp)
add_library(rodata_probe OBJECT rodata_probe.cpp)
target_link_libraries(rodata_probe PRIVATE ctbpf::ctbpf ctbpf_warnings)
add_test(NAME rodata_constexpr_program
  COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/rodata_test.sh $<TARGET_OBJECTS:rodata_probe>)
