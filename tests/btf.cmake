# BTF (ctbpf/btf.hpp, ctbpf/sys/btf.hpp): the reader on hand-made and damaged blobs (built with
# AddressSanitizer and UBSan where the compiler has them: a malformed blob must give an error,
# never an out-of-bounds read); `ctbpf btf struct`; libbpf as the oracle for offsets and sizes
# (only when libbpf-dev is installed: scripts/deps.sh installs it; it is a test oracle, never a
# dependency of ctbpf); fentry/fexit programs on the running kernel.
if(NOT CMAKE_SYSTEM_NAME STREQUAL "Linux")
  return()
endif()
ctbpf_doctest(btf_test ${CMAKE_CURRENT_SOURCE_DIR}/btf_test.cpp)
include(CheckCXXSourceCompiles)
set(CMAKE_REQUIRED_FLAGS "-fsanitize=address,undefined")
set(CMAKE_REQUIRED_LINK_OPTIONS "-fsanitize=address,undefined")
check_cxx_source_compiles("int main() { return 0; }" CTBPF_HAVE_ASAN_UBSAN)
unset(CMAKE_REQUIRED_FLAGS)
unset(CMAKE_REQUIRED_LINK_OPTIONS)
if(CTBPF_HAVE_ASAN_UBSAN)
  target_compile_options(btf_test PRIVATE -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
  target_link_options(btf_test PRIVATE -fsanitize=address,undefined)
endif()
set_tests_properties(btf_test PROPERTIES TIMEOUT 300)

if(TARGET ctbpf_cli)
  add_test(NAME cli_btf COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/cli_btf_test.sh $<TARGET_FILE:ctbpf_cli>)
  set_tests_properties(cli_btf PROPERTIES TIMEOUT 120 SKIP_REGULAR_EXPRESSION "^SKIP:")
endif()

# libbpf as the oracle (libbpf-dev; pkg-config file libbpf.pc)
find_package(PkgConfig QUIET)
if(PkgConfig_FOUND)
  pkg_check_modules(CTBPF_LIBBPF QUIET IMPORTED_TARGET libbpf)
endif()
if(CTBPF_LIBBPF_FOUND)
  ctbpf_doctest(btf_libbpf_test ${CMAKE_CURRENT_SOURCE_DIR}/btf_libbpf_test.cpp)
  target_link_libraries(btf_libbpf_test PRIVATE PkgConfig::CTBPF_LIBBPF)
  set_tests_properties(btf_libbpf_test PROPERTIES LABELS kernel TIMEOUT 300)
  # CO-RE relocations against libbpf's on the same BTF: clang-19 compiles the oracle program at test time
  find_program(CTBPF_CLANG19 NAMES clang-19)
  if(CTBPF_CLANG19)
    ctbpf_doctest(core_libbpf_test ${CMAKE_CURRENT_SOURCE_DIR}/core_libbpf_test.cpp)
    target_link_libraries(core_libbpf_test PRIVATE PkgConfig::CTBPF_LIBBPF)
    target_compile_definitions(core_libbpf_test PRIVATE CTBPF_CLANG19="${CTBPF_CLANG19}")
    set_tests_properties(core_libbpf_test PROPERTIES LABELS kernel RESOURCE_LOCK ctbpf_kernel TIMEOUT 300
                         SKIP_REGULAR_EXPRESSION "^SKIP:")
  else()
    message(STATUS "clang-19 not found: core_libbpf_test (libbpf's CO-RE relocations as the oracle) is not built")
  endif()
else()
  message(STATUS "libbpf-dev not found: btf_libbpf_test (libbpf as the BTF oracle) is not built")
endif()

# fentry/fexit on the running kernel
ctbpf_doctest(sys_tracing_test ${CMAKE_CURRENT_SOURCE_DIR}/sys_tracing_test.cpp)
set_tests_properties(sys_tracing_test PROPERTIES LABELS kernel RESOURCE_LOCK ctbpf_kernel TIMEOUT 120
                     SKIP_REGULAR_EXPRESSION "kernel tests: 0 ran, [1-9]")
