# donna_flags.cmake: compiler flags for DONNA's own targets (never for third-party code).

option(DONNA_WERROR "Treat warnings in DONNA's own code as errors" ON)

# Warnings for code we write. Third-party targets never call this, so their warnings stay
# theirs; library headers come in as SYSTEM includes and are not warned about either.
# The sanitizer tree's clang also checks for reserved names (a leading underscore and a
# capital, or two underscores): the compiler does it as it parses, where clang-tidy's
# bugprone-reserved-identifier cost an eighth of the tidy run matching every declaration.
# Not under em++: EM_JS declares __em_js__<name> functions in our own files.
set(DONNA_CLANG_WARNINGS "")
if(CMAKE_CXX_COMPILER_ID STREQUAL "Clang" AND NOT EMSCRIPTEN)
  set(DONNA_CLANG_WARNINGS -Wreserved-identifier)
endif()
function(donna_warnings target)
  target_compile_options(${target} PRIVATE
    -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wsign-conversion ${DONNA_CLANG_WARNINGS}
    $<$<BOOL:${DONNA_WERROR}>:-Werror>)
endfunction()

# shared/ and the WASM client never throw: em++ turns every throw into an abort, so the
# same rule holds natively and the code cannot come to depend on catching.
function(donna_no_exceptions target)
  target_compile_options(${target} PRIVATE -fno-exceptions)
endfunction()

if(DONNA_SANITIZE)
  # Whole tree, so that containers and callbacks crossing into libraries are checked too.
  add_compile_options(-fsanitize=address,undefined -fno-sanitize-recover=all
                      -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined -fno-sanitize-recover=all)
endif()

# Debug information as line tables only: a sanitizer report, a crash's backtrace and a
# profiler need functions and file:line, not variables and types, and line tables compile
# a quarter faster than full -g (relay/server/http_session.cpp under g++ -O2: 12.9 s -> 9.6 s;
# tests/fakes/fake_realtime_server.cpp under clang's ASan: 22.3 s -> 17.0 s). Turn it off
# to step through code with variables in a debugger.
option(DONNA_LINE_TABLES_ONLY "Debug information as line tables only (faster builds)" ON)
if(DONNA_LINE_TABLES_ONLY AND NOT EMSCRIPTEN)
  if(CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    set(line_tables "-gline-tables-only")
  else()
    set(line_tables "-g1")
  endif()
  foreach(config DEBUG RELWITHDEBINFO)
    string(REGEX REPLACE "(^| )-g( |$)" "\\1${line_tables}\\2" CMAKE_CXX_FLAGS_${config}
           "${CMAKE_CXX_FLAGS_${config}}")
    string(REGEX REPLACE "(^| )-g( |$)" "\\1${line_tables}\\2" CMAKE_C_FLAGS_${config}
           "${CMAKE_C_FLAGS_${config}}")
  endforeach()
endif()

if(EMSCRIPTEN)
  # Hot paths (JSON, audio) are 3-6x faster at -O3 than -Os for about 2% more size.
  string(REPLACE "-O2" "-O3" CMAKE_CXX_FLAGS_RELWITHDEBINFO "${CMAKE_CXX_FLAGS_RELWITHDEBINFO}")
endif()
