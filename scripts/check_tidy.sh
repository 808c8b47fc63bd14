#!/usr/bin/env bash
# Runs clang-tidy (.clang-tidy) over the project's sources through the compile databases of
# the native tree (shared/ relay/ bench/ tests/) and, when given, the WASM tree (wasm/, with
# Emscripten's target and sysroot, which Debian's clang-tidy does not infer from em++).
# Any finding fails. Two files at a time.
#   scripts/check_tidy.sh [native-build-dir] [wasm-build-dir]
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
build="${1:-$root/build/native}"
wasm_build="${2:-}"
if [ ! -f "$build/compile_commands.json" ]; then
  echo "no $build/compile_commands.json: configure the tree first (cmake --preset native)"
  exit 1
fi
# Files in a compile database that belong to us under the given folders.
ours() {
  node -e '
    const db = require(process.argv[1]);
    const root = process.argv[2] + "/";
    const ours = new RegExp("^(" + process.argv[3] + ")/");
    const seen = new Set();
    for (const e of db) {
      const f = e.file.startsWith(root) ? e.file.slice(root.length) : null;
      if (f && ours.test(f) && !seen.has(f)) { seen.add(f); console.log(f); }
    }' "$1/compile_commands.json" "$root" "$2"
}
build="$(cd "$build" && pwd)"
mapfile -t files < <(ours "$build" 'shared|relay|bench|tests')
if [ ${#files[@]} -eq 0 ]; then
  echo "no project sources found in $build/compile_commands.json"
  exit 1
fi
wasm_files=()
if [ -n "$wasm_build" ]; then
  if [ ! -f "$wasm_build/compile_commands.json" ]; then
    echo "no $wasm_build/compile_commands.json: build the wasm tree first (scripts/build.sh wasm)"
    exit 1
  fi
  wasm_build="$(cd "$wasm_build" && pwd)"
  mapfile -t wasm_files < <(ours "$wasm_build" 'wasm')
  if [ ${#wasm_files[@]} -eq 0 ]; then
    echo "no wasm/ sources found in $wasm_build/compile_commands.json"
    exit 1
  fi
fi
sysroot=/usr/share/emscripten/cache/sysroot
[ -n "${EMSDK:-}" ] && sysroot="$EMSDK/upstream/emscripten/cache/sysroot"
log="$(mktemp)"
printf '%s\n' "${files[@]}" | xargs -P2 -n1 clang-tidy -p "$build" --quiet >"$log" 2>&1
status=$?
if [ ${#wasm_files[@]} -gt 0 ]; then
  printf '%s\n' "${wasm_files[@]}" | xargs -P2 -n1 clang-tidy -p "$wasm_build" --quiet \
    --extra-arg=--target=wasm32-unknown-emscripten --extra-arg=--sysroot="$sysroot" \
    --extra-arg=-D__EMSCRIPTEN__ --extra-arg=-Xclang --extra-arg=-iwithsysroot/include/compat \
    >>"$log" 2>&1 || status=$?
fi
files+=("${wasm_files[@]}")
findings=$(grep -cE '(warning|error): .*\[[a-z-]+' "$log" || true)
if [ "$status" -ne 0 ] || [ "$findings" -ne 0 ]; then
  grep -E -A3 '(warning|error): ' "$log"
  echo "clang-tidy: $findings finding(s) in ${#files[@]} files; fix them (or, only with a reason, add NOLINT(check) with a comment saying why)"
  rm -f "$log"
  exit 1
fi
rm -f "$log"
echo "clang-tidy: ${#files[@]} files, no findings"
