# donna_testing.cmake: how DONNA's tests are declared, identically in every tree.
include(GoogleTest)

option(DONNA_UNITY_TESTS "Compile test sources a few to a translation unit (donna_unity.cmake)" ON)

# Every test name carries its tree, so one ctest run over three trees keeps them apart.
if(EMSCRIPTEN)
  set(DONNA_TREE_SUFFIX ".wasm")
elseif(DONNA_SANITIZE)
  set(DONNA_TREE_SUFFIX ".asan")
else()
  set(DONNA_TREE_SUFFIX "")
endif()

set(DONNA_SANITIZER_ENV
    "ASAN_OPTIONS=halt_on_error=1:detect_leaks=1:abort_on_error=0:detect_stack_use_after_return=1"
    "UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1"
    "LSAN_OPTIONS=report_objects=1")

# Link options for programs that node runs (tests, benchmarks), never the browser app:
# real files and cwd (NODERAWFS), synchronous start-up (node 20 cannot fetch file URLs),
# and main's return value as the process exit code (EXIT_RUNTIME).
set(DONNA_NODE_PROGRAM_LINK_OPTIONS
    -sNODERAWFS=1 -sWASM_ASYNC_COMPILATION=0 -sEXIT_RUNTIME=1 -sALLOW_MEMORY_GROWTH=1
    "SHELL:--pre-js ${CMAKE_CURRENT_LIST_DIR}/node_env_pre.js")

function(donna_node_program target)
  if(EMSCRIPTEN)
    target_link_options(${target} PRIVATE ${DONNA_NODE_PROGRAM_LINK_OPTIONS})
    set_property(TARGET ${target} APPEND PROPERTY LINK_DEPENDS
                 "${CMAKE_CURRENT_FUNCTION_LIST_DIR}/node_env_pre.js")
  endif()
endfunction()

# Test code (test bodies, the fakes, the harness; never the code under test) at -O1 in the
# optimised native tree: GoogleTest's macros and the fakes' Beast code cost a third less to
# compile than at -O2, and -O1 still runs the flow analysis behind -Wmaybe-uninitialized.
function(donna_test_code target)
  if(CMAKE_BUILD_TYPE STREQUAL "RelWithDebInfo" AND NOT EMSCRIPTEN)
    target_compile_options(${target} PRIVATE -O1)
  endif()
endfunction()

# donna_add_gtest(<name> SOURCES ... LIBRARIES ... [FIXTURES ...] [PROPERTIES ...]
#                 [NATIVE_ONLY gtest-pattern...])
# One executable per library per tree (a WASM test link costs seconds), tests discovered
# by gtest so ctest lists each TEST by name with the tree suffix. NATIVE_ONLY names tests
# the sanitizer tree leaves out: ones whose subject is wall-clock time or another process
# (a 45 s stream, a relay killed mid-burst), which run the same code the sanitizers already
# watch in-process, and would cost CI a core for a minute each under ASan.
function(donna_add_gtest name)
  cmake_parse_arguments(arg "" "" "SOURCES;LIBRARIES;FIXTURES;PROPERTIES;NATIVE_ONLY" ${ARGN})
  add_executable(${name} ${arg_SOURCES})
  target_link_libraries(${name} PRIVATE ${arg_LIBRARIES} GTest::gtest_main)
  # Test sources compiled a few to a unit (cmake/donna_unity.cmake says why).
  if(DONNA_UNITY_TESTS)
    donna_unity(${name})
  endif()
  donna_warnings(${name})
  donna_test_code(${name})
  donna_node_program(${name})
  set(fixtures "")
  foreach(f IN LISTS arg_FIXTURES)
    list(APPEND fixtures "${f}${DONNA_TREE_SUFFIX}")
  endforeach()
  set(props TIMEOUT 300)
  if(fixtures)
    list(APPEND props FIXTURES_REQUIRED "${fixtures}")
  endif()
  if(DONNA_SANITIZE)
    list(APPEND props ENVIRONMENT "${DONNA_SANITIZER_ENV}")
  endif()
  list(APPEND props ${arg_PROPERTIES})
  set(filter "")
  if(DONNA_SANITIZE AND arg_NATIVE_ONLY)
    list(JOIN arg_NATIVE_ONLY ":" left_out)
    set(filter TEST_FILTER "-${left_out}")
  endif()
  gtest_discover_tests(${name}
    TEST_SUFFIX "${DONNA_TREE_SUFFIX}"
    ${filter}
    DISCOVERY_TIMEOUT 120
    PROPERTIES ${props})
endfunction()

# Makes this tree's ctest also run the tests of the trees listed (paths to their build
# folders), so the one summary counts every tree. A tree not built yet is skipped with a
# note rather than failing the configure.
function(donna_include_other_trees trees)
  set(file "${CMAKE_BINARY_DIR}/donna_other_trees.cmake")
  set(text "# generated: tests of the other build trees\n")
  foreach(tree IN LISTS trees)
    get_filename_component(tree "${tree}" ABSOLUTE BASE_DIR "${CMAKE_BINARY_DIR}")
    string(APPEND text "if(EXISTS \"${tree}/CTestTestfile.cmake\")\n  subdirs(\"${tree}\")\nelse()\n  message(WARNING \"tree ${tree} is not built; its tests are not in this run\")\nendif()\n")
  endforeach()
  file(WRITE "${file}" "${text}")
  set_property(DIRECTORY "${CMAKE_SOURCE_DIR}" APPEND PROPERTY TEST_INCLUDE_FILES "${file}")
endfunction()
