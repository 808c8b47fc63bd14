// report.mjs: turns the native and WASM Google Benchmark JSON outputs into BENCHMARKS.md, and
// the browser client's figures (bench/client_bench.mjs) into its own section when given.
// The relay's chat benchmark (bench/chat_relay_bench.cpp) gets a section of its own too, and
// the build's timings (bench/build_bench.sh records, kept in bench/build-results/) the last.
//   node bench/report.mjs native.json wasm.json [client.json] [chat.json] [smtp.json] [webhook.json] [phone.json]
//   node bench/report.mjs --build-section BENCHMARKS.md   # renews only "Build" in that file
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';

if (process.argv[2] === '--build-section') {
  const file = process.argv[3];
  const text = readFileSync(file, 'utf8');
  const at = text.indexOf('\n## Build\n');
  const kept = (at < 0 ? text : text.slice(0, at)).replace(/\n+$/, '\n');
  writeFileSync(file, kept + buildSection(new URL('./build-results/', import.meta.url).pathname).join('\n'));
  process.exit(0);
}

const [nativeFile, wasmFile, clientFile, chatFile, smtpFile, webhookFile, phoneFile, callsFile] = process.argv.slice(2);
// Google Benchmark writes NaN (not JSON) for a counter's coefficient of variation when its mean
// is 0, as the passed-through baseline's delay_ms is.
const load = (f) => JSON.parse(readFileSync(f, 'utf8').replace(/\bNaN\b/g, 'null'));
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
const pipeline = w.get('BM_CapturePipeline/48000')?.median;

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
  'BM_CapturePipeline/48000': "the client's capture path (wasm/client/capture_pipeline) at 48 kHz: resample to 24k + turn detector + 40 ms Opus packets + frame header",
  'BM_CapturePipeline/44100': 'the same at 44.1 kHz (the rate of Chromium\'s fake microphone in the browser benchmark)',
  BM_FramePipeline: 'baseline: the stages hand-assembled with 20 ms Opus packets: resample 48k->24k + PCM16 + turn detector + Opus encode (complexity 5)',
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
  lines.push(`WASM capture path (the client's, at 48 kHz): ${pipeline.toFixed(0)} us per 20 ms = ${(pipeline / 200).toFixed(2)}% of one core in real time ` +
             `(${pipeline < 500 ? 'meets' : 'misses'} the 500 us target).`);
  lines.push('');
}
if (clientFile) lines.push(...clientSection(load(clientFile)));
if (chatFile) lines.push(...chatSection(load(chatFile)));
if (smtpFile) lines.push(...smtpSection(load(smtpFile)));
if (webhookFile) lines.push(...webhookSection(load(webhookFile)));
if (phoneFile) lines.push(...phoneSection(load(phoneFile)));
if (callsFile) lines.push(...callsSection(load(callsFile), phoneFile ? load(phoneFile) : null));
lines.push(...buildSection(new URL('./build-results/', import.meta.url).pathname));
process.stdout.write(lines.join('\n'));

// The "Browser client (Chromium)" section: bundle size, first frame, capture CPU, one verdict each.
function clientSection(c) {
  const kb = (bytes) => `${(bytes / 1000).toFixed(1)} KB`;
  const ms = (v) => `${v.toFixed(0)} ms`;
  const meets = (ok) => (ok ? 'meets' : 'misses');
  const t = c.targets;
  const page = c.bundle.page;
  const widget = c.bundle.widget;
  const cold = c.firstFrameMs.cold;
  const warm = c.firstFrameMs.warm;
  const cap = c.capture;
  const out = [];
  out.push('## Browser client (Chromium)');
  out.push('');
  out.push(`Written by \`bench/client_bench.mjs\`: Chromium ${c.chromium} (playwright-core, SwiftShader WebGL, ` +
           `${c.viewport.width}x${c.viewport.height}) against \`donna-relay\` in demo mode on loopback` +
           `${c.relayPinnedToCore0 ? ' (relay pinned to core 0)' : ''}; ` +
           `1-minute load average before the run: ${c.loadAverage1mBefore.toFixed(2)}.`);
  out.push('');
  out.push('### Bundle size');
  out.push('');
  out.push(`Target: the whole client page under ${kb(t.bundleGzipBytes)} gzip (1 KB = 1000 bytes; gzip -9).`);
  out.push('');
  out.push('| file | raw (bytes) | gzip -9 (bytes) |');
  out.push('|---|---|---|');
  for (const f of page.files) out.push(`| ${f.file} | ${f.raw} | ${f.gzip} |`);
  out.push(`| **client page total** | **${page.total.raw}** | **${page.total.gzip}** |`);
  for (const f of widget.files) out.push(`| ${f.file} (widget: loaded by the host page) | ${f.raw} | ${f.gzip} |`);
  out.push(`| widget total | ${widget.total.raw} | ${widget.total.gzip} |`);
  out.push('');
  out.push(`Bundle: ${kb(page.total.gzip)} gzip for the client page ` +
           `(${meets(page.total.gzip < t.bundleGzipBytes)} the ${kb(t.bundleGzipBytes)} target).`);
  out.push('');
  out.push('### Navigation to first drawn frame');
  out.push('');
  out.push(`\`window.donnaFirstFrameMs\` (performance.now() at the first frame, so since navigation start), ` +
           `${cold.runs.length} runs each. Cold: a new browser context per run (empty cache). ` +
           'Warm: reloads in one context (files revalidated by ETag). ' +
           `Target: under ${t.firstFrameMs} ms on loopback.`);
  out.push('');
  out.push('| load | median | min - max |');
  out.push('|---|---|---|');
  out.push(`| cold | ${ms(cold.median)} | ${ms(cold.min)} - ${ms(cold.max)} |`);
  out.push(`| warm | ${ms(warm.median)} | ${ms(warm.min)} - ${ms(warm.max)} |`);
  out.push('');
  out.push(`First frame: cold median ${ms(cold.median)} (${meets(cold.median < t.firstFrameMs)} the ${t.firstFrameMs} ms target), ` +
           `warm median ${ms(warm.median)} (${meets(warm.median < t.firstFrameMs)} it).`);
  out.push('');
  out.push('### CPU while listening');
  out.push('');
  out.push(`The fake microphone plays espeak-ng speech (looped) at ${cap.sampleRate} Hz; ${cap.listenSeconds} s measured ` +
           'once the microphone is on. Capture path: the main thread\'s work per 20 ms batch (copy into WASM, ' +
           'resample, turn detector, Opus encode of 40 ms packets, WebSocket send), measured two ways. ' +
           'CPU time: the thread time (tdur) Chromium\'s trace records for each batch\'s handler ' +
           '(`web/audio.js` onCaptureBatch), from the kernel\'s per-thread clock, so time the thread ' +
           'waited while other threads held the cores is not counted; the target is judged on it. ' +
           'Wall time: performance.now() around `web/bridge.js` onCapture, which does include such waits ' +
           '(on this 2-core machine the software renderer keeps both cores busy). Chromium total: utime + stime of all its processes ' +
           'from /proc, which includes SwiftShader software rendering of the UI (drawn at the frame pacer\'s listening rate, ' +
           '`wasm/client/frame_pacer.hpp`, of the display\'s refreshes). ' +
           `Target: capture path under ${t.capturePercentOfCore}% of one core.`);
  out.push('');
  // The baseline (pacing=0: the UI drawn at every refresh) beside the paced client, same run.
  const base = c.captureUnpaced;
  const cols = base ? [base, cap] : [cap];
  const row = (name, f) => out.push(`| ${name} | ${cols.map(f).join(' | ')} |`);
  out.push(base ? '| measure | every refresh drawn (baseline, pacing=0) | paced (the client as shipped) |'
                : '| measure | value |');
  out.push(base ? '|---|---|---|' : '|---|---|');
  row('batches measured', (x) => `${x.batches} in ${(x.wallMs / 1000).toFixed(1)} s`);
  if (cap.cpuTimeMsPerBatch !== undefined) {
    row('capture path per batch, CPU time (mean)', (x) => `${x.cpuTimeMsPerBatch.toFixed(3)} ms`);
    row('**capture path, % of one core (CPU time)**', (x) => `**${x.cpuTimePercentOfCore.toFixed(2)}%**`);
  }
  row('capture path per batch, wall time (mean)', (x) => `${x.msPerBatch.toFixed(2)} ms`);
  if (cap.batchMs) {
    row('capture path per batch, wall time median / 95th percentile / max', (x) => x.batchMs
      ? `${x.batchMs.median.toFixed(2)} / ${x.batchMs.p95.toFixed(2)} / ${x.batchMs.max.toFixed(2)} ms` : 'n/a');
  }
  row('capture path, % of one core (wall time)', (x) => `${x.capturePercentOfCore.toFixed(2)}%`);
  row('Chromium, all processes (incl. software rendering), % of one core', (x) => `${x.chromiumPercentOfCore.toFixed(0)}%`);
  row('relay, % of one core', (x) => `${x.relayPercentOfCore.toFixed(2)}%`);
  if (cap.framesDrawnPerSecond !== undefined) {
    row('UI frames drawn per second / display refreshes per second', (x) =>
      `${x.framesDrawnPerSecond.toFixed(1)} / ${x.refreshesPerSecond.toFixed(1)}`);
  }
  out.push('');
  if (cap.cpuTimePercentOfCore !== undefined) {
    out.push(`Capture CPU: ${cap.cpuTimePercentOfCore.toFixed(2)}% of one core by CPU time ` +
             `(${meets(cap.cpuTimePercentOfCore < t.capturePercentOfCore)} the ${t.capturePercentOfCore}% target); ` +
             `${cap.capturePercentOfCore.toFixed(2)}% by wall time, preemption included` +
             (base ? `. Baseline without the frame pacer: ${base.cpuTimePercentOfCore.toFixed(2)}% by CPU time, ` +
                     `${base.capturePercentOfCore.toFixed(2)}% by wall time.` : '.'));
  } else {
    out.push(`Capture CPU: ${cap.capturePercentOfCore.toFixed(2)}% of one core by wall time ` +
             `(${meets(cap.capturePercentOfCore < t.capturePercentOfCore)} the ${t.capturePercentOfCore}% target).`);
  }
  out.push('');
  return out;
}

// The "Relay chat path" section: time to first token and per-token overhead, relayed vs
// direct to the fake upstream, and TLS handshakes per 100 requests with the relay's pool.
function chatSection(c) {
  const ms = (v) => `${v.toFixed(2)} ms`;
  const us = (v) => `${v.toFixed(0)} us`;
  const out = [];
  out.push('');
  out.push('## Relay chat path (POST /v1/chat)');
  out.push('');
  out.push('Written by `bench/chat_relay_bench`: the fake OpenAI API on loopback streams a reply of ' +
           `${c.words} words, one per SSE chunk, ${c.chunk_interval_ms} ms apart (a model's pace); ` +
           `${c.turns} turns one after another on one keep-alive connection, moderation off. ` +
           'Baseline: the same client reading the fake\'s /v1/chat/completions stream directly. ' +
           'Word latency: from the fake handing the chunk to its socket (it records when) to the ' +
           'client reading it.');
  out.push('');
  out.push('| measure | direct to the fake (baseline) | through the relay | relay adds |');
  out.push('|---|---|---|---|');
  const f = (a, b, fmt) => `| ${fmt(a.median)} (p90 ${fmt(a.p90)}) | ${fmt(b.median)} (p90 ${fmt(b.p90)}) | ${fmt(b.median - a.median)} |`;
  out.push(`| time to first word (median) ${f(c.direct_first_word_ms, c.relayed_first_word_ms, ms)}`);
  out.push(`| latency per streamed word (median) ${f(c.direct_word_latency_us, c.relayed_word_latency_us, us)}`);
  out.push('');
  out.push(`Relay overhead per streamed token: ${us(c.relay_overhead_per_token_us)} (median word latency, relayed minus direct).`);
  out.push('');
  const t = c.tls;
  out.push(`Connection reuse over HTTPS: ${t.requests} chat turns through the relay made ` +
           `${t.relay_handshakes} TLS handshake(s) on ${t.relay_connections} connection(s) with the upstream; ` +
           `${t.requests} requests that each open their own connection (the baseline, measured the same way) made ` +
           `${t.direct_new_connection_handshakes}.`);
  out.push('');
  return out;
}

// The "Outbox email (SMTP)" section: mails per second over one kept-alive connection (what
// the relay does) against a new connection per mail.
function smtpSection(s) {
  const out = [];
  out.push('');
  out.push('## Outbox email (SMTP)');
  out.push('');
  out.push('Written by `bench/smtp_bench`: the relay\'s SMTP client (`relay/providers/smtp/smtp_client`, ' +
           'what the outbox\'s email sender uses) hands ' + `${s.mails} mails, one after another, to a real ` +
           'SMTP server on loopback (Debian\'s aiosmtpd with STARTTLS on the test CA and AUTH); ' +
           `median of ${s.rounds} rounds, the two ways alternating which goes first.`);
  out.push('');
  out.push('| way | mails per second | connections the server saw |');
  out.push('|---|---|---|');
  out.push(`| one kept-alive connection (the relay's) | ${s.kept_alive.mails_per_second.toFixed(0)} | ${s.kept_alive.connections} |`);
  out.push(`| a new connection per mail (baseline) | ${s.new_connection_each.mails_per_second.toFixed(0)} | ${s.new_connection_each.connections} |`);
  out.push('');
  out.push(`The relay keeps the connection: ${(s.kept_alive.mails_per_second / s.new_connection_each.mails_per_second).toFixed(1)}x ` +
           'the mails per second, because each new connection pays for TCP, EHLO, STARTTLS, a TLS handshake, ' +
           'a second EHLO and AUTH before the first MAIL FROM; a kept connection starts at MAIL FROM. ' +
           'A server that closes an idle connection costs nothing but the reconnect libcurl makes by itself.');
  out.push('');
  return out;
}

// The "Telnyx webhooks" section: verified and stored per second over HTTP on one relay
// thread against the transport alone, each step's cost, processing and fanout.
function webhookSection(w) {
  const n = (v) => Math.round(v).toLocaleString('en-US');
  const us = (perSecond) => (1e6 / perSecond).toFixed(0);
  const out = [];
  out.push('');
  out.push('## Telnyx webhooks');
  out.push('');
  out.push('Written by `bench/webhook_bench`: signed `call.initiated` events (Ed25519, as Telnyx signs) ' +
           `posted to \`POST /v1/webhooks/telnyx\` over ${w.connections} keep-alive connections driven by one ` +
           'client thread (asynchronous: the load takes one core, the relay the other), the relay on ' +
           `${w.relay_threads} I/O thread, SQLite on a file in ${w.journal} mode with synchronous=${w.synchronous} ` +
           '(a stored event survives the relay being killed; a power cut may lose the last commits). Each ' +
           `HTTP figure is the median of 3 rounds of ${n(w.events)} events, alternating with the baseline.`);
  out.push('');
  out.push('| over HTTP, one relay thread | per second | per event |');
  out.push('|---|---|---|');
  out.push(`| verified and stored (signature, envelope, event and its job committed; processing held back) | ${n(w.http.verified_stored_per_second)} | ${us(w.http.verified_stored_per_second)} µs |`);
  out.push(`| baseline: the same connections, \`GET /healthz\` (no verification, no storage) | ${n(w.http.healthz_per_second)} | ${us(w.http.healthz_per_second)} µs |`);
  out.push(`| verified and stored while each event is also processed (its call recorded) | ${n(w.http.stored_while_processing_per_second)} | ${us(w.http.stored_while_processing_per_second)} µs |`);
  out.push(`| processed (the \`webhook.telnyx\` jobs done), from the first request | ${n(w.http.processed_per_second)} | ${us(w.http.processed_per_second)} µs |`);
  out.push('');
  out.push('| one step alone, one thread, no HTTP | per second | per event |');
  out.push('|---|---|---|');
  out.push(`| Ed25519 verification (libsodium) | ${n(w.steps.verify_per_second)} | ${us(w.steps.verify_per_second)} µs |`);
  out.push(`| the envelope (JSON) | ${n(w.steps.parse_per_second)} | ${us(w.steps.parse_per_second)} µs |`);
  out.push(`| the durable store, one transaction per event (event and job) | ${n(w.steps.store_per_second)} | ${us(w.steps.store_per_second)} µs |`);
  out.push(`| all three | ${n(w.steps.all_per_second)} | ${us(w.steps.all_per_second)} µs |`);
  out.push('');
  out.push(`Fanout: ${n(w.fanout.events)} events stored through the route and each delivered, signed ` +
           '(HMAC-SHA256), to one endpoint on loopback that checks every signature: ' +
           `${n(w.fanout.deliveries_per_second)} deliveries per second from the first request to the last delivery.`);
  out.push('');
  out.push('Over HTTP a burst is stored in batches (every request read while a commit runs joins the next ' +
           'one: `relay/api/webhook_intake`), so the store costs less per event there than one transaction ' +
           'per event does alone. Processing (a job claimed, the event read, the call recorded, the job ' +
           'settled: three more transactions) shares the one thread during a burst; the 2xx never waits for it.');
  out.push('');
  return out;
}

// The "Phone bridge" section: the bridge's CPU per 20 ms frame each way, per codec, against
// G.711 passed straight through, and its added delay.
function phoneSection(run) {
  const rows = table(run);
  const delay = new Map();
  for (const b of run.benchmarks)
    if (b.aggregate_name === 'median' && b.delay_ms !== undefined) delay.set(b.run_name, b.delay_ms);
  const codecs = [['0', 'PCMU 8 kHz'], ['1', 'L16 16 kHz'], ['2', 'G.722 (16 kHz)']];
  const out = [];
  out.push('');
  out.push('## Phone bridge');
  out.push('');
  out.push('Written by `bench/phone_bridge_bench`: what `relay/realtime/phone_call_session` does for each ' +
           '20 ms media frame of espeak-ng speech, per direction and codec. Caller to session: the media ' +
           "payload's base64 decoded, the codec decoded, resampled to 24 kHz, PCM16, base64, the " +
           "`input_audio_buffer.append`. Session to caller: a 20 ms delta's base64 decoded, resampled to " +
           "the call's rate, framed, encoded, base64, the Telnyx `media` frame. The baseline is G.711 passed " +
           'straight through (`DONNA_PHONE_AUDIO=g711`, a session in `audio/pcmu`: the same bridge, base64 in, ' +
           'the bytes passed on, framed, base64 out). Median ± standard ' +
           'deviation of 5 repetitions, one thread; the added delay is the resampler\'s filter delay (the ' +
           '20 ms of framing and the network come on top, the same for both).');
  out.push('');
  out.push('| codec | caller to session (µs) | session to caller (µs) | added delay in + out (ms) |');
  out.push('|---|---|---|---|');
  for (const [arg, name] of codecs) {
    const inName = `BM_PhoneCallerToSession/${arg}`;
    const outName = `BM_PhoneSessionToCaller/${arg}`;
    const d = (delay.get(inName) ?? 0) + (delay.get(outName) ?? 0);
    out.push(`| ${name} | ${fmt(rows.get(inName))} | ${fmt(rows.get(outName))} | ${d.toFixed(2)} |`);
  }
  out.push(`| baseline: G.711 straight through | ${fmt(rows.get('BM_G711PassThroughCallerToSession'))} | ` +
           `${fmt(rows.get('BM_G711PassThroughSessionToCaller'))} | 0 |`);
  out.push('');
  const worst = Math.max(...codecs.map(([a]) =>
    (rows.get(`BM_PhoneCallerToSession/${a}`)?.median ?? 0) + (rows.get(`BM_PhoneSessionToCaller/${a}`)?.median ?? 0)));
  if (worst > 0)
    out.push(`At the costliest codec a call's audio takes ${worst.toFixed(1)} µs of CPU per 20 ms both ways: ` +
             `${(worst / 200).toFixed(3)}% of one core, about ${Math.floor(20000 / worst)} calls' conversion on one core ` +
             '(the concurrent calls below measure the whole of a call).');
  out.push('');
  return out;
}

// The "Concurrent calls" section: N calls on one relay core, the pacing error of DONNA's
// frames, the relay's CPU and memory, with each call's audio converted to 24 kHz and, side by
// side from the same run, with G.711 passed straight through; and phone_bridge_bench's PCMU
// conversion cost per frame, the part of a call's CPU that passing G.711 through saves.
function callsSection(run, bridge) {
  const rows = bridge ? table(bridge) : new Map();
  const conversion = (rows.get('BM_PhoneCallerToSession/0')?.median ?? NaN) +
                     (rows.get('BM_PhoneSessionToCaller/0')?.median ?? NaN); // µs per 20 ms
  const passthrough = (rows.get('BM_G711PassThroughCallerToSession')?.median ?? NaN) +
                      (rows.get('BM_G711PassThroughSessionToCaller')?.median ?? NaN);
  const convert = run.modes?.convert?.steps ?? run.steps ?? [];
  const g711 = run.modes?.g711?.steps ?? [];
  const out = [];
  out.push('');
  out.push('## Concurrent calls on one core');
  out.push('');
  out.push('Written by `bench/phone_calls_bench`: a donna-relay process on ONE I/O thread, pinned to core 0 ' +
           '(`taskset`), answers N calls from the Telnyx fake (PCMU, 8 kHz); the fake Realtime upstream ' +
           "streams DONNA's audio into every session (100 ms deltas, a second ahead); the load generator, " +
           "pinned to core 1, plays Telnyx's side of every stream on one thread (the caller's 20 ms frames " +
           "every 20 ms, marks echoed) and times each of DONNA's media frames. Pacing error: |gap between " +
           `two consecutive frames of a call - 20 ms|, over every call, for ${run.seconds} s per step. ` +
           'Relay CPU: its process (every thread) on its core over the same window. Each step runs twice in ' +
           'the same run: **convert** (`DONNA_PHONE_AUDIO=convert`, the default: the session hears and speaks ' +
           '24 kHz PCM16) and **G.711** (`DONNA_PHONE_AUDIO=g711`: the session takes and gives PCMU, the bytes ' +
           'pass straight through, the baseline).');
  out.push('');
  out.push('| calls | frames (of expected), convert / G.711 | pacing error p50 / p99 / max (ms), convert | ' +
           'same, G.711 | relay CPU (% of its core), convert / G.711 | CPU per call (% of a core), convert / G.711 | ' +
           'relay RSS (MiB), convert / G.711 |');
  out.push('|---|---|---|---|---|---|---|');
  const pacing = (st) => st ? `${st.pacing_error_p50_ms.toFixed(2)} / ${st.pacing_error_p99_ms.toFixed(2)} / ` +
                               `${st.pacing_error_max_ms.toFixed(2)}` : 'n/a';
  const pair = (a, b, f) => `${a ? f(a) : 'n/a'} / ${b ? f(b) : 'n/a'}`;
  for (const st of convert) {
    const g = g711.find((x) => x.calls === st.calls);
    out.push(`| ${st.calls} | ${pair(st, g, (x) => `${x.frames} (${Math.round(x.expected_frames)})`)} | ` +
             `${pacing(st)} | ${pacing(g)} | ${pair(st, g, (x) => x.relay_cpu_percent.toFixed(1))} | ` +
             `${pair(st, g, (x) => (x.relay_cpu_percent / x.calls).toFixed(3))} | ` +
             `${pair(st, g, (x) => (x.relay_rss_kib / 1024).toFixed(1))} |`);
  }
  out.push('');
  if (Number.isFinite(conversion) && Number.isFinite(passthrough))
    out.push(`The conversion alone, from phone_bridge_bench in the same run: ${conversion.toFixed(1)} µs of CPU per ` +
             `20 ms both ways for PCMU against ${passthrough.toFixed(1)} µs passed through, ` +
             `${((conversion - passthrough) / 200).toFixed(3)}% of a core per call. The measured difference per call ` +
             'above is larger: a converted call also carries six times the bytes to and from the upstream ' +
             '(48 bytes a millisecond against 8, through base64, JSON and the WebSocket).');
  out.push('');
  return out;
}

// Before/after build timings, one column per bench/build_bench.sh record present.
function buildSection(dir) {
  const runs = [
    ['before', 'before: cold'],
    ['after-cold', 'after: cold'],
    ['after-warm', 'after: warm'],
  ].filter(([f]) => existsSync(`${dir}${f}.json`))
   .map(([f, title]) => ({ title, r: JSON.parse(readFileSync(`${dir}${f}.json`, 'utf8')) }));
  if (runs.length === 0) return [];
  const out = [];
  const s = (v) => (v === null || v === undefined || Number.isNaN(v) ? 'n/a' : `${Math.round(v)} s`);
  const mmss = (v) => (v ? `${Math.floor(v / 60)} min ${String(Math.round(v % 60)).padStart(2, '0')} s` : 'n/a');
  out.push('');
  out.push('## Build');
  out.push('');
  out.push('Written from `bench/build_bench.sh` records (bench/build-results/): each is `CI=true bash .ci/run` ' +
           'in a fresh clone of the commit named, on this machine (2 cores), with a compiler cache of the ' +
           "benchmark's own: emptied first for a cold run, kept from the cold run for a warm one. " +
           'Tree times are `scripts/build.sh`\'s, two jobs at once; translation-unit times come from each ' +
           "tree's `.ninja_log` (two compiles share the two cores, as in CI). The rebuilds are timed after the " +
           'run, in the same clone, with the compiler cache off.');
  out.push('');
  out.push('Targets: cold CI at most 20 min, warm at most 8 min, no translation unit over 30 s, one relay `.cpp` rebuilt in at most 20 s.');
  out.push('');
  out.push(`| measure | ${runs.map((x) => `${x.title} (${x.r.commit}, ${x.r.date})`).join(' | ')} |`);
  out.push(`|---|${runs.map(() => '---').join('|')}|`);
  const row = (name, f) => out.push(`| ${name} | ${runs.map((x) => f(x.r)).join(' | ')} |`);
  row('CI wall time (`bash .ci/run`)', (r) => `${mmss(r.ci_seconds)}${r.ci_exit ? ` (exit ${r.ci_exit})` : ''}`);
  for (const tree of ['wasm', 'asan', 'native'])
    row(`${tree} tree build`, (r) => s(r.trees[tree]?.seconds));
  for (const tree of ['wasm', 'asan', 'native'])
    row(`${tree}: all translation units, summed`, (r) =>
      r.trees[tree]?.units ? `${r.trees[tree].compile_seconds_total} s (${r.trees[tree].units} units)` : 'n/a');
  for (const tree of ['wasm', 'asan', 'native'])
    row(`${tree}: slowest translation unit`, (r) => {
      const u = r.trees[tree]?.slowest?.[0];
      // A unity unit is named with its program's folder ("fakes_tests.unity/unity_0.cpp").
      return u ? `${u.seconds.toFixed(1)} s (${u.file.split('/').slice(u.file.includes('.unity/') ? -2 : -1).join('/')})` : 'n/a';
    });
  row('ctest (all trees, one run)', (r) => `${s(r.ctest.seconds)}, ${r.ctest.tests} tests, ${r.ctest.failed ?? '?'} failed`);
  row('clang_tidy test', (r) => s(r.ctest.tidy_seconds));
  row('rebuild after touching one relay .cpp', (r) => `${r.rebuild.cpp.seconds.toFixed(1)} s (${r.rebuild.cpp.file})`);
  row('rebuild after touching a widely included header', (r) =>
    `${r.rebuild.hpp.seconds.toFixed(1)} s (${r.rebuild.hpp.file}, ${r.rebuild.hpp.units} files)`);
  for (const tree of ['wasm', 'asan', 'native']) {
    out.push('');
    out.push(`### Slowest translation units: ${tree} tree`);
    out.push('');
    out.push(`| rank | ${runs.map((x) => x.title).join(' | ')} |`);
    out.push(`|---|${runs.map(() => '---').join('|')}|`);
    for (let i = 0; i < 10; i++)
      out.push(`| ${i + 1} | ${runs.map((x) => {
        const u = x.r.trees[tree]?.slowest?.[i];
        return u ? `${u.file} ${u.seconds.toFixed(1)} s` : '';
      }).join(' | ')} |`);
  }
  out.push('');
  out.push('### Slowest tests');
  out.push('');
  out.push(`| rank | ${runs.map((x) => x.title).join(' | ')} |`);
  out.push(`|---|${runs.map(() => '---').join('|')}|`);
  for (let i = 0; i < 10; i++)
    out.push(`| ${i + 1} | ${runs.map((x) => {
      const t = x.r.ctest.slowest?.[i];
      return t ? `${t.name} ${t.seconds.toFixed(1)} s` : '';
    }).join(' | ')} |`);
  out.push('');
  return out;
}
