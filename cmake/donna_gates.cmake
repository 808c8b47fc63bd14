# donna_gates.cmake: the quality gates that run as tests in the native tree's ctest, next to
# the unit tests (the wasm and asan trees compile the same sources and do not repeat them).
#   format_check  every C++ file formatted by .clang-format   (scripts/check_format.sh)
#   layering_check  no #include pointing up the layers        (scripts/check_layers.mjs)
#   clang_tidy    no clang-tidy finding in shared/ relay/ bench/ tests/ wasm/   (scripts/check_tidy.sh;
#                 files that passed unchanged before are skipped: see scripts/check_tidy.mjs)
# Warnings (-Werror in every tree) and sanitizers (the asan tree) need no test of their own:
# a warning fails the build, a sanitizer report fails the test that triggered it.
if(EMSCRIPTEN OR DONNA_SANITIZE)
  return()
endif()
add_test(NAME format_check COMMAND bash "${PROJECT_SOURCE_DIR}/scripts/check_format.sh")
# Includes point down the layers (docs/architecture.md), and the check itself catches a plant.
add_test(NAME layering_check COMMAND node "${PROJECT_SOURCE_DIR}/scripts/check_layers.mjs")
add_test(NAME layering_check_fails_on_a_planted_upward_include
         COMMAND node "${PROJECT_SOURCE_DIR}/tests/layers/check_layers_test.mjs")
# wasm/ is checked through the WASM tree's compile database when this run includes it.
set(wasm_tree "")
foreach(tree IN LISTS DONNA_INCLUDE_TREES)
  if(tree MATCHES "wasm/?$")
    set(wasm_tree "${tree}")
  endif()
endforeach()
add_test(NAME clang_tidy
         COMMAND bash "${PROJECT_SOURCE_DIR}/scripts/check_tidy.sh" "${PROJECT_BINARY_DIR}" ${wasm_tree})
# Started first (the highest COST), so the other tests run beside it instead of after it.
set_tests_properties(clang_tidy PROPERTIES TIMEOUT 2700 COST 1000000)
