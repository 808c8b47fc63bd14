#!/usr/bin/env bash
# Runs the benchmarks natively and as WASM under node, in one go, and writes the figures
# side by side into BENCHMARKS.md. Build first (scripts/build.sh native wasm).
#   bench/run.sh            # about a minute
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
audio="$root/build/bench-audio"
bash tests/fixtures/make_test_audio.sh "$audio" >/dev/null
export DONNA_BENCH_AUDIO="$audio/speech_48000.wav"
out="$root/build/bench-results"
mkdir -p "$out"
native="$root/build/native/bench/frame_pipeline_bench"
wasm="$root/build/wasm/bench/frame_pipeline_bench.js"
for f in "$native" "$wasm"; do
  [ -f "$f" ] || { echo "missing $f: run scripts/build.sh native wasm first" >&2; exit 1; }
done
args=(--benchmark_min_time=1 --benchmark_repetitions=5 --benchmark_report_aggregates_only=true)
"$native" "${args[@]}" --benchmark_out="$out/native.json" --benchmark_out_format=json
node "$wasm" "${args[@]}" --benchmark_out="$out/wasm.json" --benchmark_out_format=json
node bench/report.mjs "$out/native.json" "$out/wasm.json" > BENCHMARKS.md
cat BENCHMARKS.md
