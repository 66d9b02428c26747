# Runtime shim (include/ctbpf/sys/): kernel tests (each prints "kernel tests: N ran, M skipped";
# they skip, saying why, when this process cannot use bpf(), and never skip as root), compile-fail
# cases of typed bundles, and the `ctbpf load` / `ctbpf run` CLI.
if(NOT CMAKE_SYSTEM_NAME STREQUAL "Linux")
  return()
endif()
find_package(Boost 1.74 CONFIG QUIET) # Boost.Hana, for typed bundles
foreach(t sys_load_test sys_map_test sys_attach_test sys_bundle_test sys_fd_test sys_tc_test sys_perf_buffer_test
          sys_test_run_test sys_prog_btf_test sys_core_test sys_probe_test)
  ctbpf_doctest(${t} ${CMAKE_CURRENT_SOURCE_DIR}/${t}.cpp)
  if(TARGET Boost::headers)
    target_link_libraries(${t} PRIVATE Boost::headers)
  endif()
  # They share tracefs, cgroups, rlimits and timing: one at a time. All skipped -> CTest "Skipped".
  set_tests_properties(${t} PROPERTIES LABELS kernel RESOURCE_LOCK ctbpf_kernel TIMEOUT 120
                       SKIP_REGULAR_EXPRESSION "kernel tests: 0 ran, [1-9]")
endforeach()

# Compile-fail cases of typed bundles, run like tests/compile_fail/ (same runner and format).
set(ctbpf_case_runner ${CMAKE_CURRENT_SOURCE_DIR}/compile_fail/run_case.sh)
find_program(CTBPF_SYS_BASH NAMES bash)
if(CTBPF_SYS_BASH AND EXISTS ${ctbpf_case_runner})
  file(GLOB ctbpf_sys_cases CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/sys_compile_fail/*.cpp)
  foreach(case_file IN LISTS ctbpf_sys_cases)
    get_filename_component(case_name ${case_file} NAME_WE)
    add_test(NAME compile_fail.sys_${case_name}
             COMMAND ${CTBPF_SYS_BASH} ${ctbpf_case_runner} ${CMAKE_CXX_COMPILER} ${CMAKE_CXX_COMPILER_ID}
                     ${PROJECT_SOURCE_DIR}/include ${case_file})
    set_tests_properties(compile_fail.sys_${case_name} PROPERTIES LABELS compile_fail TIMEOUT 600)
  endforeach()
endif()

if(TARGET ctbpf_cli)
  add_test(NAME cli_load COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/cli_load_test.sh $<TARGET_FILE:ctbpf_cli>)
  set_tests_properties(cli_load PROPERTIES LABELS kernel RESOURCE_LOCK ctbpf_kernel TIMEOUT 120
                       SKIP_REGULAR_EXPRESSION "^SKIP:")
endif()

# Maps made from their declarations (ctbpf/sys/declared.hpp): created with the declared shape,
# bound with sys::bind<decl>(handle), a program checked with them loaded, run and read back.
ctbpf_doctest(sys_declared_test ${CMAKE_CURRENT_SOURCE_DIR}/sys_declared_test.cpp)
if(TARGET Boost::headers)
  target_link_libraries(sys_declared_test PRIVATE Boost::headers)
endif()
set_tests_properties(sys_declared_test PROPERTIES LABELS kernel RESOURCE_LOCK ctbpf_kernel TIMEOUT 120
                     SKIP_REGULAR_EXPRESSION "kernel tests: 0 ran, [1-9]")

# The build-cost benchmark's program (benchmarks/count_getpid/, build_cost.py) runs as a test:
# header-only, with the compiled shim (ctbpf::sys), and with both it and a precompiled header. Three
# kernel suites are also built against ctbpf::sys: what the headers only declare under
# CTBPF_SYS_COMPILED must be what the library defines.
set(ctbpf_count_getpid ${PROJECT_SOURCE_DIR}/benchmarks/count_getpid/count_getpid_ctbpf.cpp)
add_executable(count_getpid_ctbpf ${ctbpf_count_getpid})
target_link_libraries(count_getpid_ctbpf PRIVATE ctbpf::ctbpf ctbpf_warnings)
set(ctbpf_count_getpid_tests count_getpid_ctbpf)
if(TARGET ctbpf_sys)
  add_executable(count_getpid_ctbpf_compiled ${ctbpf_count_getpid})
  target_link_libraries(count_getpid_ctbpf_compiled PRIVATE ctbpf::sys ctbpf_warnings)
  # and with a precompiled header, as the README advises (CMake's target_precompile_headers)
  add_executable(count_getpid_ctbpf_pch ${ctbpf_count_getpid})
  target_link_libraries(count_getpid_ctbpf_pch PRIVATE ctbpf::sys ctbpf_warnings)
  target_precompile_headers(count_getpid_ctbpf_pch PRIVATE <ctbpf.hpp> <ctbpf/sys.hpp>)
  list(APPEND ctbpf_count_getpid_tests count_getpid_ctbpf_compiled count_getpid_ctbpf_pch)
  foreach(t sys_load_test sys_attach_test sys_probe_test)
    ctbpf_doctest(${t}_compiled ${CMAKE_CURRENT_SOURCE_DIR}/${t}.cpp)
    target_link_libraries(${t}_compiled PRIVATE ctbpf::sys)
    set_tests_properties(${t}_compiled PROPERTIES LABELS kernel RESOURCE_LOCK ctbpf_kernel TIMEOUT 120
                         SKIP_REGULAR_EXPRESSION "kernel tests: 0 ran, [1-9]")
  endforeach()
endif()
# A program checked at compile time does not carry the run-time verifier, header-only included
# (taking its address anywhere in load() once put 230 KB of it in every such program).
add_test(NAME count_getpid_ctbpf_without_runtime_verifier
         COMMAND sh -c "n=$(nm -C \"$1\" | grep -cE 'verify_for_load|ctbpf::detail::vfy::'); echo \"run-time verifier symbols: $n\"; test \"$n\" -eq 0"
                 sh $<TARGET_FILE:count_getpid_ctbpf>)
foreach(t IN LISTS ctbpf_count_getpid_tests)
  add_test(NAME ${t} COMMAND ${t})
  set_tests_properties(${t} PROPERTIES LABELS kernel RESOURCE_LOCK ctbpf_kernel TIMEOUT 120
                       SKIP_REGULAR_EXPRESSION "^SKIP:")
endforeach()
