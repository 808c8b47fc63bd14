#!/usr/bin/env bash
# Runs the benchmarks natively and as WASM under node, in one go, then the browser client's
# (bundle size, first frame, capture CPU in Chromium against a demo relay), then the relay's
# chat path against the fake OpenAI API, then the outbox's SMTP client against a real SMTP
# server on loopback, then Telnyx webhooks (verified and stored, processed, fanned out), then
# the phone bridge's work per 20 ms frame, then concurrent calls on one relay core, and writes the figures into BENCHMARKS.md. Build first (scripts/build.sh native wasm).
#   bench/run.sh            # about a minute and a half
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
chat="$root/build/native/bench/chat_relay_bench"
smtp="$root/build/native/bench/smtp_bench"
webhook="$root/build/native/bench/webhook_bench"
phone="$root/build/native/bench/phone_bridge_bench"
calls="$root/build/native/bench/phone_calls_bench"
for f in "$native" "$wasm" "$chat" "$smtp" "$webhook" "$phone" "$calls" "$root/build/native/relay/donna-relay" "$root/build/wasm/site/donna.wasm"; do
  [ -f "$f" ] || { echo "missing $f: run scripts/build.sh native wasm first" >&2; exit 1; }
done
args=(--benchmark_min_time=1 --benchmark_repetitions=5 --benchmark_report_aggregates_only=true)
"$native" "${args[@]}" --benchmark_out="$out/native.json" --benchmark_out_format=json
node "$wasm" "${args[@]}" --benchmark_out="$out/wasm.json" --benchmark_out_format=json
node bench/client_bench.mjs "$out/client.json"
"$chat" "$out/chat.json" 50 50 5
"$smtp" "$out/smtp.json" 200 3
"$webhook" "$out/webhook.json" 5000 8
"$phone" "${args[@]}" --benchmark_out="$out/phone.json" --benchmark_out_format=json
"$calls" "$out/calls.json" 5 25 50 100 150 200
node bench/report.mjs "$out/native.json" "$out/wasm.json" "$out/client.json" "$out/chat.json" "$out/smtp.json" "$out/webhook.json" "$out/phone.json" "$out/calls.json" > BENCHMARKS.md
cat BENCHMARKS.md
