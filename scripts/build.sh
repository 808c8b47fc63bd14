#!/usr/bin/env bash
# Configures and builds DONNA's build trees (default: all three) with their presets.
#   scripts/build.sh            native + wasm + asan
#   scripts/build.sh native     one tree
# The native tree's ctest (ctest --preset all) then runs every tree's tests at once.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
trees=("$@")
[ ${#trees[@]} -gt 0 ] || trees=(wasm asan native)
for tree in "${trees[@]}"; do
  echo "== build tree: $tree"
  start=$SECONDS
  cmake --preset "$tree" >/dev/null
  cmake --build --preset "$tree"
  echo "== $tree built in $((SECONDS - start)) s"
done
