# The interpreter (ctbpf/vm.hpp): the bpf_conformance corpus (../shared/corpora/bpf_conformance,
# read at test time, never copied) at run time and, through a header generated from it at build
# time, at compile time; unit tests; the kernel differential (BPF_PROG_TEST_RUN); the CLI's --vm.
set(CTBPF_CONFORMANCE_DIR "${CMAKE_CURRENT_SOURCE_DIR}/../../shared/corpora/bpf_conformance/tests"
    CACHE PATH "bpf_conformance tests directory")
if(EXISTS "${CTBPF_CONFORMANCE_DIR}")
  # the corpus reader and assembler (tests/ubpf_asm.hpp), checked against llvm-mc-19
  add_executable(ubpf_asm_test ${CMAKE_CURRENT_SOURCE_DIR}/ubpf_asm_test.cpp)
  target_link_libraries(ubpf_asm_test PRIVATE ctbpf::ctbpf ctbpf_warnings)
  add_test(NAME ubpf_asm_test COMMAND ubpf_asm_test ${CTBPF_CONFORMANCE_DIR} ${CTBPF_LLVM_MC})

  add_executable(vm_conformance_test ${CMAKE_CURRENT_SOURCE_DIR}/vm_conformance_test.cpp)
  target_link_libraries(vm_conformance_test PRIVATE ctbpf::ctbpf ctbpf_warnings)
  add_test(NAME vm_conformance_test COMMAND vm_conformance_test ${CTBPF_CONFORMANCE_DIR})

  add_executable(vm_conformance_gen ${CMAKE_CURRENT_SOURCE_DIR}/vm_conformance_gen.cpp)
  target_link_libraries(vm_conformance_gen PRIVATE ctbpf::ctbpf ctbpf_warnings)
  file(GLOB ctbpf_conformance_files CONFIGURE_DEPENDS ${CTBPF_CONFORMANCE_DIR}/*.data)
  add_custom_command(OUTPUT ${CMAKE_CURRENT_BINARY_DIR}/generated/vm_conformance_cases.hpp
                     COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_CURRENT_BINARY_DIR}/generated
                     COMMAND vm_conformance_gen ${CTBPF_CONFORMANCE_DIR} ${CMAKE_CURRENT_BINARY_DIR}/generated/vm_conformance_cases.hpp
                     DEPENDS vm_conformance_gen ${ctbpf_conformance_files}
                     COMMENT "bpf_conformance corpus -> static_asserts")
  add_executable(vm_conformance_static_test ${CMAKE_CURRENT_SOURCE_DIR}/vm_conformance_static_test.cpp
                 ${CMAKE_CURRENT_BINARY_DIR}/generated/vm_conformance_cases.hpp)
  target_include_directories(vm_conformance_static_test PRIVATE ${CMAKE_CURRENT_BINARY_DIR}/generated)
  target_link_libraries(vm_conformance_static_test PRIVATE ctbpf::ctbpf ctbpf_warnings)
  add_test(NAME vm_conformance_static_test COMMAND vm_conformance_static_test)
else()
  add_test(NAME vm_conformance_test COMMAND ${CMAKE_COMMAND} -E echo
           "SKIP: the bpf_conformance corpus is not at ${CTBPF_CONFORMANCE_DIR} (it comes with the shared/ folder beside the clone)")
endif()

ctbpf_doctest(vm_test vm_test.cpp)

if(TARGET ctbpf_cli)
  add_test(NAME cli_vm COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/cli_vm_test.sh $<TARGET_FILE:ctbpf_cli>)
  set_tests_properties(cli_vm PROPERTIES LABELS kernel RESOURCE_LOCK ctbpf_kernel TIMEOUT 120)
endif()

# Random programs run by BPF_PROG_TEST_RUN and by the interpreter (tests/vm_fuzz.hpp), and hand-written
# kernel-vs-interpreter checks (tail calls, metadata, __sk_buff fields, trace_printk, map errors).
ctbpf_doctest(vm_differential_kernel_test ${CMAKE_CURRENT_SOURCE_DIR}/vm_differential_kernel_test.cpp)
set_tests_properties(vm_differential_kernel_test PROPERTIES LABELS kernel RESOURCE_LOCK ctbpf_kernel TIMEOUT 900)
ctbpf_doctest(vm_kernel_test ${CMAKE_CURRENT_SOURCE_DIR}/vm_kernel_test.cpp)
set_tests_properties(vm_kernel_test PROPERTIES LABELS kernel RESOURCE_LOCK ctbpf_kernel TIMEOUT 900)
