# Compile-fail cases: tests/compile_fail/<case>.cpp, one mistake per translation unit with the
# expected compiler message and a compiling twin (format: tests/compile_fail/run_case.sh).
# Each case is its own CTest test, compile_fail.<case>, run with this build's C++ compiler.
find_program(CTBPF_BASH NAMES bash)
if(NOT CTBPF_BASH)
  message(WARNING "ctbpf: bash not found: the compile_fail.* tests are not registered")
  return()
endif()
file(GLOB ctbpf_compile_fail_cases CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/compile_fail/*.cpp)
list(SORT ctbpf_compile_fail_cases)
foreach(case_file IN LISTS ctbpf_compile_fail_cases)
  get_filename_component(case_name ${case_file} NAME_WE)
  add_test(NAME compile_fail.${case_name}
           COMMAND ${CTBPF_BASH} ${CMAKE_CURRENT_SOURCE_DIR}/compile_fail/run_case.sh
                   ${CMAKE_CXX_COMPILER} ${CMAKE_CXX_COMPILER_ID} ${PROJECT_SOURCE_DIR}/include ${case_file})
  set_tests_properties(compile_fail.${case_name} PROPERTIES LABELS compile_fail TIMEOUT 600)
endforeach()
