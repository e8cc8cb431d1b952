# alertbot_library(NAME DIR [DEPS ...]): one static library per source folder, built from every
# .cpp in that folder and its subfolders. Globbing (with CONFIGURE_DEPENDS) keeps the folder's
# file list in one place: the folder itself.
function(alertbot_library name dir)
  cmake_parse_arguments(ARG "" "" "DEPS" ${ARGN})
  file(GLOB_RECURSE srcs CONFIGURE_DEPENDS "${dir}/*.cpp")
  # main.cpp and *_main.cpp are executables' entry points, not library code.
  list(FILTER srcs EXCLUDE REGEX "(^|/|_)main\\.cpp$")
  if(NOT srcs)
    # A folder with headers only so far (settings structs): an interface library.
    add_library(${name} INTERFACE)
    target_link_libraries(${name} INTERFACE alertbot_options ${ARG_DEPS})
    return()
  endif()
  add_library(${name} STATIC ${srcs})
  target_link_libraries(${name} PUBLIC alertbot_options ${ARG_DEPS} PRIVATE alertbot_warnings)
endfunction()

# alertbot_test(NAME DIR [TIMEOUT SECONDS] [DEPS ...]): one GoogleTest executable per tests/unit/<folder>, made of
# every *_test.cpp there; each test case is registered with CTest.
function(alertbot_test name dir)
  cmake_parse_arguments(ARG "" "TIMEOUT" "DEPS" ${ARGN})
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 120)
  endif()
  file(GLOB_RECURSE srcs CONFIGURE_DEPENDS "${dir}/*_test.cpp")
  if(NOT srcs)
    return()
  endif()
  add_executable(${name} ${srcs})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} alertbot_test_support GTest::gmock GTest::gtest_main alertbot_warnings)
  gtest_discover_tests(${name} DISCOVERY_TIMEOUT 60 PROPERTIES TIMEOUT ${ARG_TIMEOUT})
endfunction()
