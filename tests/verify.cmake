# The constexpr verifier: unit and golden tests (static_assert and run time), agreement with the
# live kernel (the probe table and a seeded random differential run; it skips, saying why, when
# this process cannot load programs) and the `ctbpf verify` CLI.
ctbpf_doctest(verify_test verify_test.cpp)
ctbpf_doctest(verify_kernel_test verify_kernel_test.cpp)
set_tests_properties(verify_kernel_test PROPERTIES LABELS kernel RESOURCE_LOCK ctbpf_kernel TIMEOUT 600)

if(TARGET ctbpf_cli)
  add_test(NAME cli_verify
           COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/cli_verify_test.sh $<TARGET_FILE:ctbpf_cli>)
  # the kernel's own verifier selftests with their recorded 6.18 verdicts (../shared/corpora/kselftest)
  find_package(Python3 COMPONENTS Interpreter)
  if(Python3_FOUND)
    add_test(NAME kselftest_compare
             COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/kselftest_compare.py $<TARGET_FILE:ctbpf_cli>)
    set_tests_properties(kselftest_compare PROPERTIES TIMEOUT 300)
  endif()
endif()

# Program-type context layouts (ctbpf/verify/context.hpp): compile-time checks, and the live kernel
# offset by offset (CTBPF_CTX_FULL=1: every encodable offset for tracepoint and syscall, ~30 s).
ctbpf_doctest(verify_context_test verify_context_test.cpp)
ctbpf_doctest(verify_context_kernel_test verify_context_kernel_test.cpp)
set_tests_properties(verify_context_kernel_test PROPERTIES LABELS kernel RESOURCE_LOCK ctbpf_kernel TIMEOUT 600)

# Helper prototypes (parsed from the kernel source) and availability (measured on the live kernel):
# tools/gen_helper_protos.py writes include/ctbpf/verify/helper_protos.hpp and helper_availability.hpp.
ctbpf_doctest(verify_helpers_proto_test verify_helpers_proto_test.cpp)
ctbpf_doctest(verify_helpers_kernel_test verify_helpers_kernel_test.cpp)
set_tests_properties(verify_helpers_kernel_test PROPERTIES LABELS kernel RESOURCE_LOCK ctbpf_kernel TIMEOUT 600)

# The compile-time budget: long walks assemble with default constexpr limits and defer.
ctbpf_doctest(verify_budget_test verify_budget_test.cpp)

# check() with map shapes, packets and contexts against the live kernel (real maps, fds patched in).
ctbpf_doctest(verify_maps_kernel_test verify_maps_kernel_test.cpp)
set_tests_properties(verify_maps_kernel_test PROPERTIES LABELS kernel RESOURCE_LOCK ctbpf_kernel TIMEOUT 600)

# The scalar value domain (tnum + bounds): static_asserts, a seeded random soundness run, and a
# differential against the live kernel's verifier log.
ctbpf_doctest(verify_value_test verify_value_test.cpp)
ctbpf_doctest(verify_value_kernel_test verify_value_kernel_test.cpp)
set_tests_properties(verify_value_kernel_test PROPERTIES LABELS kernel RESOURCE_LOCK ctbpf_kernel TIMEOUT 600)

# A random differential on realistic programs (tests/verify_fuzz_real.hpp: contexts, packets, real
# maps, loops, calls, with plausible mistakes): verdict, instruction and message against the kernel.
ctbpf_doctest(verify_differential_kernel_test verify_differential_kernel_test.cpp)
set_tests_properties(verify_differential_kernel_test PROPERTIES LABELS kernel RESOURCE_LOCK ctbpf_kernel TIMEOUT 900)

# The register value model (pointers with variable offsets, packet ranges, access checks, regsafe):
# static_asserts and seeded random checks, and a differential against the live kernel's verifier log.
ctbpf_doctest(verify_regvalue_test verify_regvalue_test.cpp)
ctbpf_doctest(verify_regvalue_kernel_test verify_regvalue_kernel_test.cpp)
set_tests_properties(verify_regvalue_kernel_test PROPERTIES LABELS kernel RESOURCE_LOCK ctbpf_kernel TIMEOUT 600)
