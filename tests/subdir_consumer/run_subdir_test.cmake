# cmake -P script: configure a parent project that add_subdirectory()s ctbpf (with ctbpf's tool
# switched on, so that ctbpf's own warning flags appear), build and run its program, then check
# that no ctbpf compile command has -Werror and that `cmake --install` installs no ctbpf file.
file(REMOVE_RECURSE ${PARENT_BUILD} ${PREFIX})
foreach(step
    "${CMAKE_COMMAND};-S;${PARENT_SRC};-B;${PARENT_BUILD};-DCTBPF_SOURCE_DIR=${CTBPF_SOURCE_DIR};-DCMAKE_CXX_COMPILER=${CXX};-DCTBPF_BUILD_TOOLS=ON;-DCMAKE_EXPORT_COMPILE_COMMANDS=ON"
    "${CMAKE_COMMAND};--build;${PARENT_BUILD};--target;consumer"
    "${PARENT_BUILD}/consumer"
    "${CMAKE_COMMAND};--install;${PARENT_BUILD};--prefix;${PREFIX}")
  execute_process(COMMAND ${step} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "subdirectory test step failed (${rc}): ${step}\n${out}\n${err}")
  endif()
endforeach()
file(READ ${PARENT_BUILD}/compile_commands.json commands)
if(NOT commands MATCHES "tools/ctbpf.cpp" OR NOT commands MATCHES "-Wall")
  message(FATAL_ERROR "compile_commands.json lacks ctbpf's tool or its warning flags:\n${commands}")
endif()
if(commands MATCHES "-Werror")
  message(FATAL_ERROR "ctbpf forces -Werror on its parent project's build:\n${commands}")
endif()
if(NOT EXISTS ${PREFIX}/bin/consumer)
  message(FATAL_ERROR "the parent's own install rule did not run")
endif()
file(GLOB_RECURSE installed RELATIVE ${PREFIX} ${PREFIX}/*)
list(REMOVE_ITEM installed bin/consumer)
if(installed)
  message(FATAL_ERROR "ctbpf installed files into its parent's prefix: ${installed}")
endif()
message(STATUS "subdirectory test: parent built and ran, no -Werror, nothing of ctbpf installed")
