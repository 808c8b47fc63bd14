// client_bench.mjs: the browser client's own figures, measured in Debian's Chromium
// (playwright-core) against a relay this script starts in demo mode on a free port:
//   - bundle size: raw and gzip -9 bytes of every file the client page loads, and of the widget;
//   - time from navigation to the first drawn frame (window.donnaFirstFrameMs), cold (a new
//     browser context per run) and warm (reloads in one context);
//   - main-thread time in the WASM capture path per 20 ms batch while the fake microphone plays
//     speech: wall time (window.donnaStats, measured in web/bridge.js) and CPU time (the batch
//     handler's thread time in Chromium's trace), plus Chromium's and the relay's whole
//     process CPU over the same window for context.
//
//   node bench/client_bench.mjs <out.json>    environment: DONNA_BENCH_AUDIO (speech WAV, 48 kHz)
// bench/run.sh runs it and bench/report.mjs renders the JSON into BENCHMARKS.md.
import { chromium } from 'playwright-core';
import { spawn, execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync, readdirSync, existsSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cpus, loadavg } from 'node:os';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const site = join(root, 'build/wasm/site');
const relayBinary = join(root, 'build/native/relay/donna-relay');
const outFile = process.argv[2];
const wav = process.env.DONNA_BENCH_AUDIO;
// The test suite's smoke run shortens both (DONNA_BENCH_RUNS=1 DONNA_BENCH_LISTEN_SECONDS=2).
const RUNS = Number(process.env.DONNA_BENCH_RUNS || 5);
const LISTEN_SECONDS = Number(process.env.DONNA_BENCH_LISTEN_SECONDS || 10);
const STEP_TIMEOUT = 30000;
const VIEWPORT = { width: 1024, height: 700 };

if (!outFile || !wav) {
  console.error('usage: DONNA_BENCH_AUDIO=<speech wav at 48 kHz> node bench/client_bench.mjs <out.json>');
  process.exit(2);
}

// --- bundle size ---------------------------------------------------------------------------
// What index.html pulls in (boot.js loads the four scripts, audio.js the two worklets).
const pageFiles = ['index.html', 'donna.css', 'boot.js', 'audio.js', 'session.js', 'bridge.js',
                   'donna.js', 'donna.wasm', 'capture-worklet.js', 'playback-worklet.js'];
// What a host page adds on top when it embeds the client (the relay serves index.html itself
// at /embed for the iframe).
const widgetFiles = ['donna-widget.js'];

function sizes(names) {
  const files = names.map((name) => {
    const bytes = readFileSync(join(site, name));
    return { file: name, raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
  });
  const total = files.reduce((t, f) => ({ raw: t.raw + f.raw, gzip: t.gzip + f.gzip }), { raw: 0, gzip: 0 });
  return { files, total };
}

// --- processes' CPU time from /proc ----------------------------------------------------------
const ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;

// pid -> {ppid, cpuSeconds (utime + stime)} for every process now running.
function processTable() {
  const table = new Map();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat;
    try { stat = readFileSync(`/proc/${entry}/stat`, 'utf8'); } catch { continue; } // gone meanwhile
    // The command name may hold spaces and parentheses: the fields start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    table.set(Number(entry), { ppid: Number(fields[1]),
                               cpuSeconds: (Number(fields[11]) + Number(fields[12])) / ticksPerSecond });
  }
  return table;
}

// CPU seconds used so far by `pid` and all its descendants.
function treeCpuSeconds(pid) {
  const table = processTable();
  const children = new Map();
  for (const [child, { ppid }] of table) {
    if (!children.has(ppid)) children.set(ppid, []);
    children.get(ppid).push(child);
  }
  let total = 0;
  const pending = [pid];
  while (pending.length) {
    const next = pending.pop();
    total += table.get(next)?.cpuSeconds ?? 0;
    pending.push(...(children.get(next) ?? []));
  }
  return total;
}

// Playwright's Browser does not expose its process: Chromium is this script's child that is
// not the relay.
function chromiumPid(relayPid) {
  const children = [...processTable()].filter(([pid, p]) => p.ppid === process.pid && pid !== relayPid);
  if (children.length !== 1) throw new Error(`expected one Chromium child process, found ${children.length}`);
  return children[0][0];
}

// --- relay -------------------------------------------------------------------------------------
// Demo mode (no OpenAI key, no .env) on a free port; pinned to core 0 when taskset exists.
async function startRelay() {
  const pinned = existsSync('/usr/bin/taskset');
  const command = pinned ? '/usr/bin/taskset' : relayBinary;
  const args = pinned ? ['-c', '0', relayBinary] : [];
  const relay = spawn(command, args, {
    cwd: root,
    env: { ...process.env, DONNA_PORT: '0', DONNA_DEMO: '1', DONNA_WEB_ROOT: site,
           DONNA_ENV_FILE: '/nonexistent', OPENAI_API_KEY: '' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise((resolvePort, reject) => {
    let seen = '';
    relay.stdout.on('data', (chunk) => {
      seen += chunk;
      const match = /listening on port (\d+)/.exec(seen);
      if (match) resolvePort(Number(match[1]));
    });
    relay.on('exit', (code) => reject(new Error(`donna-relay exited (${code}) before listening:\n${seen}`)));
  });
  relay.stdout.resume(); // keep draining its log
  return { relay, port, pinned };
}

// --- measurements in the page ------------------------------------------------------------------
async function waitReady(page) {
  await page.waitForFunction(() => document.body.dataset.donnaReady === '1', null, { timeout: STEP_TIMEOUT });
  return page.evaluate(() => window.donnaFirstFrameMs);
}

function summary(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return { median, min: sorted[0], max: sorted[sorted.length - 1], runs: values };
}

// Median, 95th percentile and maximum (Chromium rounds performance.now() to 0.1 ms or finer).
function percentiles(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  return { count: sorted.length, median: at(0.5), p95: at(0.95), max: sorted[sorted.length - 1] };
}

// Cold: every run in a new context (empty HTTP cache, no compiled-code cache).
// Warm: one context, the page loaded once and then reloaded (cache revalidated by ETag).
async function firstFrame(browser, url) {
  const cold = [];
  for (let i = 0; i < RUNS; i++) {
    const context = await browser.newContext({ viewport: VIEWPORT });
    const page = await context.newPage();
    await page.goto(url);
    cold.push(await waitReady(page));
    await context.close();
  }
  const warm = [];
  const context = await browser.newContext({ viewport: VIEWPORT });
  const page = await context.newPage();
  await page.goto(url);
  await waitReady(page);
  for (let i = 0; i < RUNS; i++) {
    await page.reload();
    warm.push(await waitReady(page));
  }
  await context.close();
  return { cold: summary(cold), warm: summary(warm) };
}

// The fake microphone plays the speech WAV (looped); LISTEN_SECONDS of it are measured once
// the microphone is on. Counters are read at both ends of the window, so start-up is excluded.
// pacing=0 is the baseline: the UI drawn at every display refresh, as before the frame pacer.
async function captureCpu(browser, url, browserPid, relayPid, pacing = true) {
  const context = await browser.newContext({ viewport: VIEWPORT });
  const page = await context.newPage();
  await page.goto(`${url}?mic=1${pacing ? '' : '&pacing=0'}`);
  await waitReady(page);
  const micOn = await page.waitForFunction(
    () => (window.donnaEvents || []).find((e) => e.type === 'microphone' && e.state === 'on') || null,
    null, { timeout: STEP_TIMEOUT, polling: 50 });
  const rate = (await micOn.jsonValue()).rate;
  await page.waitForTimeout(1000); // let the first batches and the session settle
  // Each batch's own time as well (the bridge keeps only the sum): the median shows the cost
  // of the code, the mean includes batches that waited while the renderer held the core.
  await page.evaluate(() => {
    const module = window.Module;
    const onCapture = module._donna_on_capture;
    const batches = window.donnaBenchBatchMs = [];
    module._donna_on_capture = (count) => {
      const started = performance.now();
      onCapture(count);
      batches.push(performance.now() - started);
    };
  });
  const read = () => page.evaluate(() => ({ cpuMs: window.donnaStats.captureCpuMs,
                                            calls: window.donnaStats.captureCalls,
                                            framesDrawn: window.donnaStats.framesDrawn || 0,
                                            framesSkipped: window.donnaStats.framesSkipped || 0,
                                            at: performance.now() }));
  // Chromium's trace records each capture batch's handler with its thread time (tdur: CPU
  // time of the main thread, from the kernel's per-thread clock), which preemption does not
  // inflate the way it does the wall time above.
  await browser.startTracing(page, { categories: ['devtools.timeline'] });
  const before = await read();
  const chromiumBefore = treeCpuSeconds(browserPid);
  const relayBefore = treeCpuSeconds(relayPid);
  const wallStarted = process.hrtime.bigint();
  await page.waitForTimeout(LISTEN_SECONDS * 1000);
  const after = await read();
  const chromiumAfter = treeCpuSeconds(browserPid);
  const relayAfter = treeCpuSeconds(relayPid);
  const wallSeconds = Number(process.hrtime.bigint() - wallStarted) / 1e9;
  const handlerCpu = captureHandlerCpu(JSON.parse((await browser.stopTracing()).toString()));
  const batchMs = await page.evaluate(() => window.donnaBenchBatchMs.slice());
  const events = await page.evaluate(() => window.donnaEvents.map((e) => e.type + (e.state ? `:${e.state}` : '')));
  await context.close();

  const cpuMs = after.cpuMs - before.cpuMs;
  const calls = after.calls - before.calls;
  const pageWallMs = after.at - before.at;
  return {
    sampleRate: rate,
    wallMs: pageWallMs,
    batches: calls,
    captureCpuMs: cpuMs,
    msPerBatch: calls ? cpuMs / calls : null,
    batchMs: percentiles(batchMs),
    capturePercentOfCore: (cpuMs / pageWallMs) * 100,
    // The handler around the bridge's call (audio.js onCaptureBatch), by thread time.
    cpuTimeBatches: handlerCpu.count,
    cpuTimeMsPerBatch: handlerCpu.cpuMs / handlerCpu.count,
    cpuTimeWallMsPerBatch: handlerCpu.wallMs / handlerCpu.count,
    cpuTimePercentOfCore: (handlerCpu.cpuMs / handlerCpu.spanMs) * 100,
    framesDrawnPerSecond: ((after.framesDrawn - before.framesDrawn) / pageWallMs) * 1000,
    refreshesPerSecond: ((after.framesDrawn + after.framesSkipped - before.framesDrawn - before.framesSkipped) / pageWallMs) * 1000,
    chromiumPercentOfCore: ((chromiumAfter - chromiumBefore) / wallSeconds) * 100,
    relayPercentOfCore: ((relayAfter - relayBefore) / wallSeconds) * 100,
    eventTypes: [...new Set(events)],
  };
}

// Sums the main thread's CPU time (tdur) and wall time (dur) of every capture batch handler
// (web/audio.js onCaptureBatch) in a devtools.timeline trace, over the span the trace covers.
function captureHandlerCpu(trace) {
  const events = trace.traceEvents || trace;
  const calls = events.filter((e) => e.ph === 'X' && e.name === 'FunctionCall' &&
    e.args?.data?.functionName === 'onCaptureBatch' && /\/audio\.js$/.test(e.args.data.url || ''));
  if (calls.length === 0) throw new Error('the trace holds no capture batch (audio.js onCaptureBatch)');
  if (calls.some((e) => e.tdur === undefined)) throw new Error('the trace has no thread times (tdur)');
  let first = Infinity;
  let last = -Infinity;
  for (const e of events) {
    if (!(e.ts > 0)) continue;
    first = Math.min(first, e.ts);
    last = Math.max(last, e.ts + (e.dur || 0));
  }
  return {
    count: calls.length,
    cpuMs: calls.reduce((sum, e) => sum + e.tdur, 0) / 1000,
    wallMs: calls.reduce((sum, e) => sum + e.dur, 0) / 1000,
    spanMs: (last - first) / 1000,
  };
}

// --- run ---------------------------------------------------------------------------------------
const loadBefore = loadavg()[0]; // other work on the machine competes with Chromium's threads
const bundle = { page: sizes(pageFiles), widget: sizes(widgetFiles) };
const { relay, port, pinned } = await startRelay();
const url = `http://127.0.0.1:${port}/index.html`;
let browser;
try {
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update',
           '--disable-sync', '--no-first-run', '--autoplay-policy=no-user-gesture-required',
           '--use-angle=swiftshader', '--enable-unsafe-swiftshader',
           '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream',
           `--use-file-for-fake-audio-capture=${wav}`],
  });
  const browserPid = chromiumPid(relay.pid);
  const frames = await firstFrame(browser, url);
  const unpaced = await captureCpu(browser, url, browserPid, relay.pid, false);
  const capture = await captureCpu(browser, url, browserPid, relay.pid);
  const result = {
    machine: `${cpus().length} x ${cpus()[0]?.model ?? 'unknown CPU'}`,
    chromium: browser.version(),
    relayPinnedToCore0: pinned,
    loadAverage1mBefore: loadBefore,
    viewport: VIEWPORT,
    bundle,
    firstFrameMs: frames,
    capture: { listenSeconds: LISTEN_SECONDS, ...capture },
    captureUnpaced: { listenSeconds: LISTEN_SECONDS, ...unpaced },
    targets: { bundleGzipBytes: 600000, firstFrameMs: 500, capturePercentOfCore: 3 },
  };
  writeFileSync(outFile, JSON.stringify(result, null, 2) + '\n');
  console.log(JSON.stringify({ bundleGzip: bundle.page.total.gzip, firstFrame: { cold: frames.cold.median, warm: frames.warm.median },
                               capture: { msPerBatch: capture.msPerBatch, percent: capture.capturePercentOfCore,
                                          cpuMsPerBatch: capture.cpuTimeMsPerBatch, cpuPercent: capture.cpuTimePercentOfCore,
                                          chromium: capture.chromiumPercentOfCore } }));
} finally {
  if (browser) await browser.close();
  relay.kill('SIGTERM');
}
