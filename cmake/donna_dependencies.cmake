# donna_dependencies.cmake: every third-party dependency behind one target name, the same
# in every tree:
#   donna::json       nlohmann/json (header-only)
#   donna::opus       libopus 1.3.1
#   donna::benchmark  Google Benchmark
#   GTest::gtest_main GoogleTest
#   donna::imgui      Dear ImGui 1.86 + its GLFW backend (WASM tree only)
#   donna::boost donna::ssl donna::sodium donna::zlib donna::espeak donna::sqlite donna::curl
#   donna::spandsp donna::gmime
#   (native only)
# Natively these are Debian's -dev packages. In the WASM tree find_package sees none of
# them, so they are compiled here from Debian's source packages, unpacked by
# scripts/setup.sh into third_party/src (git-ignored), with our compiler flags.

set(DONNA_THIRD_PARTY_SRC "${CMAKE_SOURCE_DIR}/third_party/src" CACHE PATH
    "Unpacked Debian source packages for the WASM build (scripts/setup.sh fills it)")

add_library(donna_json INTERFACE)
add_library(donna::json ALIAS donna_json)
add_library(donna_opus INTERFACE)
add_library(donna::opus ALIAS donna_opus)
add_library(donna_benchmark INTERFACE)
add_library(donna::benchmark ALIAS donna_benchmark)

if(NOT EMSCRIPTEN)
  find_package(PkgConfig REQUIRED)
  find_package(nlohmann_json 3.10 REQUIRED)
  find_package(GTest REQUIRED)
  find_package(benchmark REQUIRED)
  find_package(Boost 1.81 REQUIRED COMPONENTS url)
  find_package(ZLIB REQUIRED)
  find_package(OpenSSL 3 REQUIRED)
  find_package(Threads REQUIRED)
  pkg_check_modules(OPUS REQUIRED IMPORTED_TARGET opus)
  pkg_check_modules(SODIUM REQUIRED IMPORTED_TARGET libsodium)
  pkg_check_modules(ESPEAK REQUIRED IMPORTED_TARGET espeak-ng)
  pkg_check_modules(SQLITE REQUIRED IMPORTED_TARGET sqlite3)
  pkg_check_modules(CURL REQUIRED IMPORTED_TARGET libcurl)
  pkg_check_modules(SPANDSP REQUIRED IMPORTED_TARGET spandsp)
  pkg_check_modules(GMIME REQUIRED IMPORTED_TARGET gmime-3.0)
  target_link_libraries(donna_json INTERFACE nlohmann_json::nlohmann_json)
  target_link_libraries(donna_opus INTERFACE PkgConfig::OPUS)
  target_link_libraries(donna_benchmark INTERFACE benchmark::benchmark)

  add_library(donna_ssl INTERFACE)
  add_library(donna::ssl ALIAS donna_ssl)
  target_link_libraries(donna_ssl INTERFACE OpenSSL::SSL OpenSSL::Crypto)
  # Asio (its SSL part included) and Beast are compiled once, in relay/net/boost_compiled.cpp,
  # rather than inline in every file that includes them: the definitions below must reach
  # every translation unit that includes either library, so they travel with donna::boost.
  add_library(donna_boost_compiled STATIC "${PROJECT_SOURCE_DIR}/relay/net/boost_compiled.cpp")
  target_compile_definitions(donna_boost_compiled PUBLIC
    BOOST_ASIO_SEPARATE_COMPILATION BOOST_BEAST_SEPARATE_COMPILATION)
  target_link_libraries(donna_boost_compiled PUBLIC
    Boost::headers Boost::url Threads::Threads OpenSSL::SSL OpenSSL::Crypto)
  add_library(donna_boost INTERFACE)
  add_library(donna::boost ALIAS donna_boost)
  target_link_libraries(donna_boost INTERFACE donna_boost_compiled)
  add_library(donna_sodium INTERFACE)
  add_library(donna::sodium ALIAS donna_sodium)
  target_link_libraries(donna_sodium INTERFACE PkgConfig::SODIUM)
  add_library(donna_zlib INTERFACE)
  add_library(donna::zlib ALIAS donna_zlib)
  target_link_libraries(donna_zlib INTERFACE ZLIB::ZLIB)
  add_library(donna_espeak INTERFACE)
  add_library(donna::espeak ALIAS donna_espeak)
  target_link_libraries(donna_espeak INTERFACE PkgConfig::ESPEAK)
  add_library(donna_sqlite INTERFACE)
  add_library(donna::sqlite ALIAS donna_sqlite)
  target_link_libraries(donna_sqlite INTERFACE PkgConfig::SQLITE)
  # libcurl (OpenSSL flavour): the outbox's SMTP sender (relay/providers/smtp).
  add_library(donna_curl INTERFACE)
  add_library(donna::curl ALIAS donna_curl)
  target_link_libraries(donna_curl INTERFACE PkgConfig::CURL)
  # spandsp: the telephone codecs of a phone call's media (G.711 mu-law and A-law, G.722),
  # in relay/audio/phone_codec.
  add_library(donna_spandsp INTERFACE)
  add_library(donna::spandsp ALIAS donna_spandsp)
  target_link_libraries(donna_spandsp INTERFACE PkgConfig::SPANDSP)
  # GMime: email as it is written (MIME nesting, transfer encodings, charsets, RFC 2047
  # headers), for the Gmail messages the relay reads (relay/providers/google/gmail_message).
  add_library(donna_gmime INTERFACE)
  add_library(donna::gmime ALIAS donna_gmime)
  target_link_libraries(donna_gmime INTERFACE PkgConfig::GMIME)
  return()
endif()

# ---------------------------------------------------------------- WASM tree
foreach(pkg imgui opus benchmark)
  if(NOT EXISTS "${DONNA_THIRD_PARTY_SRC}/${pkg}")
    message(FATAL_ERROR "${DONNA_THIRD_PARTY_SRC}/${pkg} is missing: run scripts/setup.sh (it unpacks Debian's source packages there).")
  endif()
endforeach()
set(tp "${DONNA_THIRD_PARTY_SRC}")

# nlohmann/json: header-only, reached through a folder holding only a symlink, because
# adding /usr/include itself would shadow Emscripten's libc headers.
set(json_dir "${CMAKE_BINARY_DIR}/third_party/json_include")
file(MAKE_DIRECTORY "${json_dir}")
file(CREATE_LINK /usr/include/nlohmann "${json_dir}/nlohmann" SYMBOLIC)
target_include_directories(donna_json SYSTEM INTERFACE "${json_dir}")

# GoogleTest from /usr/src/googletest (libgtest-dev ships its source).
set(gtest_disable_pthreads ON CACHE BOOL "" FORCE)
set(BUILD_GMOCK OFF CACHE BOOL "" FORCE)
set(INSTALL_GTEST OFF CACHE BOOL "" FORCE)
add_subdirectory(/usr/src/googletest "${CMAKE_BINARY_DIR}/third_party/googletest" EXCLUDE_FROM_ALL)

# libopus 1.3.1, float build, from the source lists its own automake files use (its
# release CMake build is broken: no opus_buildtype.cmake).
function(donna_read_mk_list file var out)
  file(READ "${file}" text)
  string(REGEX MATCH "${var} = \\\\\n([^\n]+\\\\\n)*[^\n]+" block "${text}")
  string(REGEX REPLACE "^${var} = " "" block "${block}")
  string(REPLACE "\\\n" ";" block "${block}")
  set(files "")
  foreach(f IN LISTS block)
    string(STRIP "${f}" f)
    if(f)
      list(APPEND files "${tp}/opus/${f}")
    endif()
  endforeach()
  set(${out} "${files}" PARENT_SCOPE)
endfunction()
donna_read_mk_list("${tp}/opus/celt_sources.mk" CELT_SOURCES celt)
donna_read_mk_list("${tp}/opus/silk_sources.mk" SILK_SOURCES silk)
donna_read_mk_list("${tp}/opus/silk_sources.mk" SILK_SOURCES_FLOAT silk_float)
donna_read_mk_list("${tp}/opus/opus_sources.mk" OPUS_SOURCES opus_core)
donna_read_mk_list("${tp}/opus/opus_sources.mk" OPUS_SOURCES_FLOAT opus_float)
add_library(opus_wasm STATIC ${celt} ${silk} ${silk_float} ${opus_core} ${opus_float})
target_compile_definitions(opus_wasm PRIVATE OPUS_BUILD USE_ALLOCA HAVE_LRINT HAVE_LRINTF)
target_include_directories(opus_wasm
  PRIVATE "${tp}/opus" "${tp}/opus/celt" "${tp}/opus/silk" "${tp}/opus/silk/float"
  PUBLIC "${tp}/opus/include")
target_compile_options(opus_wasm PRIVATE -O3 -w)
target_link_libraries(donna_opus INTERFACE opus_wasm)
# Code includes <opus.h> in both trees (pkg-config gives /usr/include/opus natively).

# Google Benchmark 1.7.1 sources compiled directly (its own CMake configure takes 38 s).
file(GLOB benchmark_sources "${tp}/benchmark/src/*.cc")
list(FILTER benchmark_sources EXCLUDE REGEX "benchmark_main\\.cc$")
add_library(benchmark_wasm STATIC EXCLUDE_FROM_ALL ${benchmark_sources})
target_compile_definitions(benchmark_wasm
  PUBLIC BENCHMARK_STATIC_DEFINE PRIVATE HAVE_STD_REGEX HAVE_STEADY_CLOCK)
target_include_directories(benchmark_wasm SYSTEM PUBLIC "${tp}/benchmark/include")
target_compile_options(benchmark_wasm PRIVATE -w)
target_link_libraries(donna_benchmark INTERFACE benchmark_wasm)

# Dear ImGui 1.86 core + its GLFW backend on Emscripten's built-in GLFW. The renderer is the
# client's own (wasm/platform/imgui_renderer: no GL state read back per frame).
add_library(imgui_wasm STATIC EXCLUDE_FROM_ALL
  "${tp}/imgui/imgui.cpp" "${tp}/imgui/imgui_draw.cpp" "${tp}/imgui/imgui_tables.cpp"
  "${tp}/imgui/imgui_widgets.cpp"
  "${tp}/imgui/backends/imgui_impl_glfw.cpp")
target_include_directories(imgui_wasm SYSTEM PUBLIC "${tp}/imgui" "${tp}/imgui/backends")
target_compile_definitions(imgui_wasm PUBLIC IMGUI_DISABLE_FILE_FUNCTIONS)
target_compile_options(imgui_wasm PRIVATE -w)
target_link_options(imgui_wasm INTERFACE -sUSE_GLFW=3 -sMIN_WEBGL_VERSION=2 -sMAX_WEBGL_VERSION=2)
add_library(donna::imgui ALIAS imgui_wasm)
