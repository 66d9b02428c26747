# The constexpr verifier: unit and golden tests (static_assert and run time), agreement with the
# live kernel (the probe table and a seeded random differential run; it skips, saying why, when
# this process cannot load programs) and the `ctbpf verify` CLI.
ctbpf_doctest(verify_test verify_test.cpp)
ctbpf_doctest(verify_kernel_test verify_kernel_test.cpp)
set_tests_properties(verify_kernel_test PROPERTIES LABELS kernel RESOURCE_LOCK ctbpf_kernel TIMEOUT 600)

if(TARGET ctbpf_cli)
  add_test(NAME cli_verify
           COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/cli_verify_test.sh $<TARGET_FILE:ctbpf_cli>)
endif()
