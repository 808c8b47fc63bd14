#!/usr/bin/env bash
# Measures how long DONNA takes to build and test, the way CI sees it: `CI=true bash .ci/run`
# in a fresh clone of one commit (with ../shared beside it, as CI has), with a compiler cache
# of the benchmark's own (never the developer's ~/.cache/ccache), then the time to rebuild
# the native tree after touching one relay .cpp and one widely included relay header.
# Writes one JSON record; bench/report.mjs puts the records under "Build" in BENCHMARKS.md.
#
#   bench/build_bench.sh LABEL COMMIT OUT.json [cold|warm]
#     cold (default)  empties the benchmark's compiler cache first
#     warm            keeps it: run right after a cold run of the same commit
#
# The clang-tidy test's cache of passes is the benchmark's own too, emptied with the compiler
# cache. A cold run of today's main takes up to an hour on 2 cores: run it on a quiet machine.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
label="$1" commit="$2" out="$3" mode="${4:-cold}"
work="${DONNA_BUILD_BENCH_DIR:-/tmp/donna-build-bench}"
cache="$work/ccache"
tidy_cache="$work/tidy-cache"
clone="$work/$label/donna"
shared_src="$(cd "$root/../shared" && pwd)"

mkdir -p "$work"
[ "$mode" = cold ] && rm -rf "$cache" "$tidy_cache"
mkdir -p "$cache" "$tidy_cache"
rm -rf "$work/$label"
mkdir -p "$work/$label"
ln -s "$shared_src" "$work/$label/shared"
git clone -q "$root" "$clone"
git -C "$clone" checkout -q "$commit"

# Files whose edit is timed afterwards: a leaf relay source and a header most of the relay
# includes. The same two for every commit measured.
touch_cpp="relay/api/messages_endpoint.cpp"
touch_hpp="relay/config/config.hpp"

log="$work/$label/ci.log"
echo "build_bench: $label ($mode cache) at $(git -C "$clone" rev-parse --short HEAD), log in $log"
seconds_since() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }'; }
start=$EPOCHREALTIME
status=0
(cd "$clone" && CI=true CCACHE_DIR="$cache" DONNA_TIDY_CACHE="$tidy_cache" bash .ci/run) >"$log" 2>&1 </dev/null || status=$?
ci_seconds=$(seconds_since "$start")
echo "build_bench: CI exit $status in ${ci_seconds} s"
# Each tree's compile times as CI left them (the rebuilds below append to the native one).
for tree in wasm asan native; do
  cp "$clone/build/$tree/.ninja_log" "$work/$label/ninja_$tree.log" 2>/dev/null || true
done

# Rebuild after an edit: the compiler cache is off here, since an edited file misses it anyway
# and a touched one would hit it and hide the compile being measured.
rebuild() { # FILE LOGNAME -> seconds
  touch "$clone/$1"
  local s
  s=$EPOCHREALTIME
  (cd "$clone" && CCACHE_DISABLE=1 cmake --build build/native -j2) >"$work/$label/$2" 2>&1
  seconds_since "$s"
}
cpp_seconds=$(rebuild "$touch_cpp" rebuild_cpp.log)
hpp_seconds=$(rebuild "$touch_hpp" rebuild_hpp.log)
hpp_units=$(grep -c 'Building CXX' "$work/$label/rebuild_hpp.log" || true)

ccache_stats=""
command -v ccache >/dev/null 2>&1 && ccache_stats=$(CCACHE_DIR="$cache" ccache -s 2>/dev/null || true)

node "$root/bench/build_bench_parse.mjs" "$work/$label" "$log" >"$out.tmp" \
  --label "$label" --mode "$mode" --commit "$(git -C "$clone" rev-parse --short HEAD)" \
  --status "$status" --ci "$ci_seconds" --touch-cpp "$touch_cpp" --cpp "$cpp_seconds" \
  --touch-hpp "$touch_hpp" --hpp "$hpp_seconds" --hpp-units "$hpp_units" \
  --ccache "$ccache_stats"
mv "$out.tmp" "$out"
echo "build_bench: wrote $out"
