# cmake -P script: install the build tree into PREFIX, configure/build/run the consumer project.
file(REMOVE_RECURSE ${PREFIX} ${CONSUMER_BUILD})
foreach(step
    "${CMAKE_COMMAND};--install;${BUILD_DIR};--prefix;${PREFIX}"
    "${CMAKE_COMMAND};-S;${CONSUMER_SRC};-B;${CONSUMER_BUILD};-DCMAKE_PREFIX_PATH=${PREFIX};-DCMAKE_CXX_COMPILER=${CXX}"
    "${CMAKE_COMMAND};--build;${CONSUMER_BUILD}"
    "${CONSUMER_BUILD}/consumer")
  execute_process(COMMAND ${step} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "install test step failed (${rc}): ${step}\n${out}\n${err}")
  endif()
endforeach()
if(CMAKE_HOST_SYSTEM_NAME STREQUAL "Linux") # the installed ctbpf::sys (the compiled shim)
  execute_process(COMMAND ${CONSUMER_BUILD}/consumer_sys RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "consumer_sys (linked with the installed ctbpf::sys) failed (${rc})")
  endif()
endif()
if(NOT EXISTS ${PREFIX}/include/ctbpf.hpp OR NOT EXISTS ${PREFIX}/share/cmake/ctbpf/ctbpf-config.cmake)
  message(FATAL_ERROR "install tree is missing ctbpf.hpp or the package config")
endif()
message(STATUS "install test: consumer built and ran against ${PREFIX}")
