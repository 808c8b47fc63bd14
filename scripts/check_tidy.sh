#!/usr/bin/env bash
# Runs clang-tidy (.clang-tidy) over the project's sources through the compile databases of
# the native tree (shared/ relay/ bench/ tests/) and, when given, the WASM tree (wasm/). Any
# finding fails. Files that passed unchanged before are skipped (their key covers every
# header they include, the flags, .clang-tidy and clang-tidy itself): see check_tidy.mjs.
#   scripts/check_tidy.sh [native-build-dir] [wasm-build-dir]
#   DONNA_TIDY_CACHE=off scripts/check_tidy.sh    # check every file
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
exec node "$root/scripts/check_tidy.mjs" "$@"
