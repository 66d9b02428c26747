# Installs ctbpf into a temporary prefix and builds a consumer project with find_package(ctbpf).
set(ctbpf_install_dir ${CMAKE_BINARY_DIR}/install-test)
add_test(NAME install_and_find_package
  COMMAND ${CMAKE_COMMAND}
    -DBUILD_DIR=${CMAKE_BINARY_DIR} -DPREFIX=${ctbpf_install_dir}/prefix
    -DCONSUMER_SRC=${CMAKE_CURRENT_SOURCE_DIR}/install_consumer
    -DCONSUMER_BUILD=${ctbpf_install_dir}/consumer -DCXX=${CMAKE_CXX_COMPILER}
    -P ${CMAKE_CURRENT_SOURCE_DIR}/install_consumer/run_install_test.cmake)
