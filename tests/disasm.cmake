# Disassembler: unit tests, the llvm-mc round trip and the `ctbpf disasm` CLI.
ctbpf_doctest(disasm_test ${CMAKE_CURRENT_SOURCE_DIR}/disasm_test.cpp)

# Round trip through llvm-mc-19; CI installs llvm-19, so a missing llvm-mc fails the test.
find_program(CTBPF_LLVM_MC NAMES llvm-mc-19)
if(NOT CTBPF_LLVM_MC)
  find_program(CTBPF_LLVM_MC NAMES llvm-mc PATHS /usr/lib/llvm-19/bin NO_DEFAULT_PATH)
endif()
add_executable(roundtrip_llvm ${CMAKE_CURRENT_SOURCE_DIR}/roundtrip_llvm.cpp)
target_link_libraries(roundtrip_llvm PRIVATE ctbpf::ctbpf ctbpf_warnings)
if(CTBPF_LLVM_MC)
  add_test(NAME roundtrip_llvm COMMAND roundtrip_llvm --llvm-mc ${CTBPF_LLVM_MC} --count 100000)
else()
  add_test(NAME roundtrip_llvm COMMAND roundtrip_llvm --count 100000) # fails: "llvm-mc-19 not found"
endif()

if(TARGET ctbpf_cli)
  add_test(NAME cli_disasm
           COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/cli_disasm_test.sh $<TARGET_FILE:ctbpf_cli>)
endif()
