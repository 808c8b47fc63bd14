# donna_unity.cmake: compiles a target's sources a few to a translation unit (a unity build).
#
# Each test file parses GoogleTest, JSON, Asio and the harness again; four of them in one unit
# share that work and compile in a third of the time (10 relay server tests under ASan: 66 s
# one by one, 17 s as one unit), while four keep every unit under 30 s in the optimised tree.
#
# CMake's own UNITY_BUILD writes absolute paths into its unit files, so a second clone of the
# project (CI's next run, another checkout) preprocesses different text and misses every
# object in the compiler cache. These units include their sources by paths relative to the
# unit, which are the same in every clone.
#
# The sources of one target then share a namespace: a helper in an anonymous namespace needs
# a name no other file of the target uses (or one home in tests/support/ when two need it).

set(DONNA_UNITY_BATCH 4 CACHE STRING "Sources per unity translation unit")

# donna_unity(<target>): replaces the target's C++ sources by unit files that include them,
# DONNA_UNITY_BATCH at a time, written next to the target's build files (rewritten only when
# their text changes, so an unchanged unit is not recompiled).
function(donna_unity target)
  get_target_property(sources ${target} SOURCES)
  get_target_property(source_dir ${target} SOURCE_DIR)
  get_target_property(binary_dir ${target} BINARY_DIR)
  set(unit_dir "${binary_dir}/${target}.unity")
  set(kept "")
  set(batch "")
  set(units "")
  foreach(src IN LISTS sources)
    if(NOT src MATCHES "\\.(cpp|cc|cxx)$")
      list(APPEND kept "${src}")
      continue()
    endif()
    get_filename_component(abs "${src}" ABSOLUTE BASE_DIR "${source_dir}")
    list(APPEND batch "${abs}")
    list(LENGTH batch n)
    if(n EQUAL DONNA_UNITY_BATCH)
      list(APPEND units "${batch}")
      list(APPEND units "|")
      set(batch "")
    endif()
  endforeach()
  if(batch)
    list(APPEND units "${batch}")
    list(APPEND units "|")
  endif()
  set(index 0)
  set(text "")
  set(unit_files "")
  foreach(item IN LISTS units)
    if(item STREQUAL "|")
      set(unit "${unit_dir}/unity_${index}.cpp")
      file(CONFIGURE OUTPUT "${unit}" CONTENT "${text}")
      list(APPEND unit_files "${unit}")
      math(EXPR index "${index} + 1")
      set(text "")
    else()
      file(RELATIVE_PATH rel "${unit_dir}" "${item}")
      string(APPEND text "#include \"${rel}\"\n")
    endif()
  endforeach()
  set_property(TARGET ${target} PROPERTY SOURCES ${kept} ${unit_files})
  # GCC takes an included .cpp for a header: a class of one source that holds a member of an
  # anonymous-namespace type would be warned about as if every file saw it (each source
  # still has its own anonymous namespace, and no other file sees that class).
  target_compile_options(${target} PRIVATE $<$<CXX_COMPILER_ID:GNU>:-Wno-subobject-linkage>)
endfunction()
