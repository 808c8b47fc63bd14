# donna_ccache.cmake: compiles through ccache when it is installed (scripts/setup.sh installs
# it), in every tree; without it the build is the same, only slower to repeat.
#
# The cache lives outside the clone (ccache's default, ~/.cache/ccache, capped at ccache's
# default 5 GB; CCACHE_DIR moves it), so a second clone on the same machine, a CI run after a
# local build, and every rebuild reuse objects. Clones live in different folders: paths under
# the source folder are hashed relative to it (base_dir) and the working directory is left
# out of the hash (hash_dir), so an object compiled in one clone serves another. The price:
# an object's debug info may name the folder of the clone that first compiled it.
option(DONNA_CCACHE "Compile through ccache when it is installed" ON)
find_program(DONNA_CCACHE_PROGRAM ccache)
if(DONNA_CCACHE AND DONNA_CCACHE_PROGRAM)
  set(launcher "${CMAKE_COMMAND}" -E env
      "CCACHE_BASEDIR=${PROJECT_SOURCE_DIR}" CCACHE_NOHASHDIR=1
      # __DATE__/__TIME__ and header timestamps do not make a hit a miss (nothing of ours
      # uses the first, and clones check files out at different times).
      "CCACHE_SLOPPINESS=time_macros,include_file_mtime,include_file_ctime"
      "${DONNA_CCACHE_PROGRAM}")
  set(CMAKE_C_COMPILER_LAUNCHER ${launcher})
  set(CMAKE_CXX_COMPILER_LAUNCHER ${launcher})
  message(STATUS "ccache: ${DONNA_CCACHE_PROGRAM}")
endif()
