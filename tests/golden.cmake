# Golden encodings: tests/golden/cases.txt -> gen_golden.py (llvm-mc-19) -> golden_cases.inc,
# checked at compile time and at run time by golden_test.cpp.
ctbpf_doctest(golden_test ${CMAKE_CURRENT_SOURCE_DIR}/golden_test.cpp)

# The committed .inc must be exactly what llvm-mc-19 gives for cases.txt. CI installs llvm-19:
# without llvm-mc-19 or python3 the test is still registered and fails, saying what is missing.
find_package(Python3 COMPONENTS Interpreter)
find_program(CTBPF_LLVM_MC NAMES llvm-mc-19)
if(NOT CTBPF_LLVM_MC)
  find_program(CTBPF_LLVM_MC NAMES llvm-mc PATHS /usr/lib/llvm-19/bin NO_DEFAULT_PATH)
endif()
set(ctbpf_golden_gen ${CMAKE_CURRENT_SOURCE_DIR}/golden/gen_golden.py)
if(NOT Python3_Interpreter_FOUND)
  message(WARNING "ctbpf: python3 not found: golden_generated_by_llvm will fail")
  add_test(NAME golden_generated_by_llvm
           COMMAND ${CMAKE_COMMAND} -E echo "golden_generated_by_llvm: python3 not found")
  set_tests_properties(golden_generated_by_llvm PROPERTIES WILL_FAIL TRUE)
elseif(NOT CTBPF_LLVM_MC)
  message(WARNING "ctbpf: llvm-mc-19 not found (install llvm-19): golden_generated_by_llvm will fail")
  # gen_golden.py without --llvm-mc searches PATH itself and fails with "llvm-mc-19 not found".
  add_test(NAME golden_generated_by_llvm COMMAND ${Python3_EXECUTABLE} ${ctbpf_golden_gen} --check)
else()
  add_test(NAME golden_generated_by_llvm
           COMMAND ${Python3_EXECUTABLE} ${ctbpf_golden_gen} --llvm-mc ${CTBPF_LLVM_MC} --check)
endif()
