# emsdk.cmake: CMake toolchain file for DONNA's WebAssembly tree.
#
# Finds Emscripten (an EMSDK environment if set, else Debian's /usr/share/emscripten),
# works around Debian 3.1.6's need for NODE_PATH at every link, and makes ctest run the
# WASM test binaries under node exactly as it runs native ones.
#   cmake -S . -B build/wasm -G Ninja -DCMAKE_TOOLCHAIN_FILE=emsdk.cmake
# (never emcmake: it injects a node flag that node 20 rejects).

if(DEFINED ENV{EMSDK} AND EXISTS "$ENV{EMSDK}/upstream/emscripten/cmake/Modules/Platform/Emscripten.cmake")
  set(DONNA_EMSCRIPTEN_ROOT "$ENV{EMSDK}/upstream/emscripten")
elseif(EXISTS "/usr/share/emscripten/cmake/Modules/Platform/Emscripten.cmake")
  set(DONNA_EMSCRIPTEN_ROOT "/usr/share/emscripten")
else()
  message(FATAL_ERROR "emsdk.cmake: Emscripten not found: set EMSDK or install Debian's emscripten package (scripts/setup.sh does).")
endif()

# Debian's emcc runs its JS optimiser with node and needs Debian's node modules (acorn).
# The toolchain's own environment lasts only while CMake configures, so every link goes
# through `cmake -E env` instead.
if(EXISTS "/usr/share/nodejs")
  set(DONNA_NODE_PATH "/usr/share/nodejs")
  set(ENV{NODE_PATH} "${DONNA_NODE_PATH}")
  set(CMAKE_C_LINKER_LAUNCHER "${CMAKE_COMMAND};-E;env;NODE_PATH=${DONNA_NODE_PATH}")
  set(CMAKE_CXX_LINKER_LAUNCHER "${CMAKE_COMMAND};-E;env;NODE_PATH=${DONNA_NODE_PATH}")
endif()

# Set before the platform module, which only sets it when undefined (and then to a node
# flag node 20 rejects when coming from emcmake).
find_program(DONNA_NODE_EXECUTABLE NAMES node nodejs REQUIRED)
set(CMAKE_CROSSCOMPILING_EMULATOR "${DONNA_NODE_EXECUTABLE}" CACHE FILEPATH "Runs WASM tests under node" FORCE)

include("${DONNA_EMSCRIPTEN_ROOT}/cmake/Modules/Platform/Emscripten.cmake")
