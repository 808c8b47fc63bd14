# donna_flags.cmake: compiler flags for DONNA's own targets (never for third-party code).

option(DONNA_WERROR "Treat warnings in DONNA's own code as errors" ON)

# Warnings for code we write. Third-party targets never call this, so their warnings stay
# theirs; library headers come in as SYSTEM includes and are not warned about either.
function(donna_warnings target)
  target_compile_options(${target} PRIVATE
    -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wsign-conversion
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
  # A sanitizer report needs file:line in its stack, not variables for a debugger: line
  # tables alone compile a quarter faster than full -g (fake_realtime_server.cpp under
  # clang: 22.3 s -> 17.0 s).
  if(CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    string(REPLACE "-g" "-gline-tables-only" CMAKE_CXX_FLAGS_DEBUG "${CMAKE_CXX_FLAGS_DEBUG}")
  endif()
endif()

if(EMSCRIPTEN)
  # Hot paths (JSON, audio) are 3-6x faster at -O3 than -Os for about 2% more size.
  string(REPLACE "-O2" "-O3" CMAKE_CXX_FLAGS_RELWITHDEBINFO "${CMAKE_CXX_FLAGS_RELWITHDEBINFO}")
endif()
