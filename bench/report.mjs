// report.mjs: turns the native and WASM Google Benchmark JSON outputs into BENCHMARKS.md.
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';

const [nativeFile, wasmFile] = process.argv.slice(2);
const load = (f) => JSON.parse(readFileSync(f, 'utf8'));
const native = load(nativeFile);
const wasm = load(wasmFile);

// name -> {median, stddev} in microseconds (aggregates of 5 repetitions).
function table(run) {
  const rows = new Map();
  for (const b of run.benchmarks) {
    const name = b.run_name;
    const row = rows.get(name) ?? {};
    const us = b.real_time * ({ ns: 1e-3, us: 1, ms: 1e3 }[b.time_unit] ?? 1);
    if (b.aggregate_name === 'median') row.median = us;
    if (b.aggregate_name === 'stddev') row.stddev = us;
    rows.set(name, row);
  }
  return rows;
}
const n = table(native);
const w = table(wasm);
const fmt = (r) => (r?.median === undefined ? 'n/a' : `${r.median.toFixed(1)} ± ${(r.stddev ?? 0).toFixed(1)}`);
const pipeline = w.get('BM_FramePipeline')?.median;

const lines = [];
lines.push('# Benchmarks');
lines.push('');
lines.push('Written by `bench/run.sh` (do not edit by hand). Median ± standard deviation of 5');
lines.push('repetitions, microseconds per 20 ms frame of espeak-ng speech, after 1000 warm-up frames.');
lines.push(`Machine: ${cpus().length} x ${cpus()[0]?.model ?? 'unknown CPU'}; native g++ -O2, WASM em++ -O3 under node ${process.version}.`);
lines.push('');
lines.push('## Client send path per 20 ms frame');
lines.push('');
lines.push('Target: under 500 us per frame in WASM (2.5% of one core in real time).');
lines.push('');
lines.push('| benchmark | what | native (us) | WASM under node (us) |');
lines.push('|---|---|---|---|');
const what = {
  BM_FramePipeline: 'resample 48k->24k + PCM16 + turn detector + Opus encode (complexity 5)',
  BM_Resample48kTo24k: 'resampler alone, 960 in -> 480 out',
  BM_Pcm16: 'float -> PCM16, 480 samples',
  BM_TurnDetector: 'turn detector alone, 960 samples at 48 kHz',
  'BM_OpusEncode24k/5': 'Opus encode at 24 kHz, complexity 5 (chosen)',
  'BM_OpusEncode24k/9': "Opus encode at 24 kHz, complexity 9 (libopus's default, baseline)",
};
for (const name of new Set([...n.keys(), ...w.keys()])) {
  lines.push(`| ${name} | ${what[name] ?? ''} | ${fmt(n.get(name))} | ${fmt(w.get(name))} |`);
}
lines.push('');
if (pipeline !== undefined) {
  lines.push(`WASM pipeline: ${pipeline.toFixed(0)} us per frame = ${(pipeline / 200).toFixed(2)}% of one core in real time ` +
             `(${pipeline < 500 ? 'meets' : 'misses'} the 500 us target).`);
  lines.push('');
}
process.stdout.write(lines.join('\n'));
