# The generated helper table (include/ctbpf/helper_table.hpp, written by tools/gen_helpers.py).
ctbpf_doctest(helpers_test helpers_test.cpp)

# Re-running the generator on this system's <linux/bpf.h> must give, for every helper id that
# header knows, the same name and argument count as the committed table (a prefix check: the
# committed table is from a newer kernel and may know more helpers).
find_package(Python3 COMPONENTS Interpreter)
find_file(CTBPF_SYSTEM_LINUX_BPF_H NAMES linux/bpf.h DOC "a Linux uapi bpf.h for the helper table check")
if(Python3_Interpreter_FOUND AND CTBPF_SYSTEM_LINUX_BPF_H)
  add_test(NAME helpers_generator_check
           COMMAND ${Python3_EXECUTABLE} ${PROJECT_SOURCE_DIR}/tools/gen_helpers.py
                   ${CTBPF_SYSTEM_LINUX_BPF_H}
                   --check ${PROJECT_SOURCE_DIR}/include/ctbpf/helper_table.hpp)
else()
  message(STATUS "ctbpf: no python3 or no linux/bpf.h: helpers_generator_check is not registered")
endif()
