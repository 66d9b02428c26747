# Installs ctbpf into a temporary prefix and builds a consumer project with find_package(ctbpf);
# a parent project adds ctbpf with add_subdirectory.
set(ctbpf_install_dir ${CMAKE_BINARY_DIR}/install-test)
add_test(NAME install_and_find_package
  COMMAND ${CMAKE_COMMAND}
    -DBUILD_DIR=${CMAKE_BINARY_DIR} -DPREFIX=${ctbpf_install_dir}/prefix
    -DCONSUMER_SRC=${CMAKE_CURRENT_SOURCE_DIR}/install_consumer
    -DCONSUMER_BUILD=${ctbpf_install_dir}/consumer -DCXX=${CMAKE_CXX_COMPILER}
    -P ${CMAKE_CURRENT_SOURCE_DIR}/install_consumer/run_install_test.cmake)

# A parent project that add_subdirectory()s ctbpf: no -Werror forced, no ctbpf install rules.
set(ctbpf_subdir_dir ${CMAKE_BINARY_DIR}/subdir-test)
add_test(NAME add_subdirectory_consumer
  COMMAND ${CMAKE_COMMAND}
    -DCTBPF_SOURCE_DIR=${PROJECT_SOURCE_DIR} -DPARENT_SRC=${CMAKE_CURRENT_SOURCE_DIR}/subdir_consumer
    -DPARENT_BUILD=${ctbpf_subdir_dir}/build -DPREFIX=${ctbpf_subdir_dir}/prefix -DCXX=${CMAKE_CXX_COMPILER}
    -P ${CMAKE_CURRENT_SOURCE_DIR}/subdir_consumer/run_subdir_test.cmake)
