#!/usr/bin/env bash
# Sets up, builds every tree (native, wasm, asan) and runs every test in ONE ctest run,
# whose summary is the last thing printed.
#   scripts/test.sh                 # everything (what CI runs)
#   ctest --preset native           # afterwards: one tree alone (also: wasm, asan)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
bash scripts/setup.sh
bash scripts/build.sh
exec ctest --preset all
