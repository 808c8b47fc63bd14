// audio_worklets_test.mjs: the browser audio layer (web/audio.js and its two worklets) in
// real Chromium with Chromium's fake microphone playing a speech WAV in real time.
//
//   node tests/browser/audio_worklets_test.mjs [--wav speech.wav] [--chromium /usr/bin/chromium]
//
// Without --wav it makes one with espeak-ng and sox. Prints one JSON summary; exits 0 when
// every check holds, 1 when one fails, 77 (CTest's skip code) when Chromium is missing.
// Checks:
//   capture   20 ms batches of exactly sampleRate/50 samples; over ~3 s the captured
//             duration is within 10% of the real time that passed; the speech is audible
//   tone      1.0 s of 440 Hz: played equals the sample count once the queue runs dry
//   flush     flushing mid-tone reports played < total and empties the queue (a marker
//             played afterwards is all that follows)
//   drain     a 30 ms remainder, under the 60 ms jitter buffer, plays after drain()
//   denied    with the permission refused, onCaptureError('denied', <sentence>)
import { chromium } from 'playwright-core';
import { createServer } from 'node:http';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '..', '..');
const webRoot = join(repo, 'web');
const pagesRoot = join(here, 'pages');

const CAPTURE_MS = 3000;
const CAPTURE_TOLERANCE = 0.10;
// espeak speech through Chromium's processing (AGC, noise suppression) is far above this;
// a dead or all-zero capture is far below.
const RMS_FLOOR = 0.005;

function option(name, fallback) {
  const index = process.argv.indexOf(name);
  return index > 0 && index + 1 < process.argv.length ? process.argv[index + 1] : fallback;
}

const chromiumPath = option('--chromium', '/usr/bin/chromium');
if (!existsSync(chromiumPath)) {
  console.log(JSON.stringify({ skipped: `no Chromium at ${chromiumPath}` }));
  process.exit(77);
}

let scratch = null;
function speechWav() {
  const given = option('--wav', null);
  if (given) return resolve(given);
  scratch = mkdtempSync(join(tmpdir(), 'donna-audio-test-'));
  const raw = join(scratch, 'speech_raw.wav');
  const wav = join(scratch, 'speech_48000.wav');
  execFileSync('espeak-ng', ['-w', raw, 'hello there this is a test of the donna microphone']);
  execFileSync('sox', ['-D', raw, '-r', '48000', '-c', '1', '-b', '16', wav]);
  return wav;
}

const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8',
                '.css': 'text/css; charset=utf-8', '.wasm': 'application/wasm' };

// Serves web/ at / and the test pages at /test/, from 127.0.0.1 on a free port.
function serve() {
  const server = createServer((request, response) => {
    const path = decodeURIComponent(new URL(request.url, 'http://x').pathname);
    const [root, rest] = path.startsWith('/test/') ? [pagesRoot, path.slice(6)] : [webRoot, path.slice(1)];
    const file = normalize(join(root, rest || 'index.html'));
    if (!file.startsWith(root + sep) || !existsSync(file) || !statSync(file).isFile()) {
      response.writeHead(404, { 'Content-Type': 'text/plain' });
      response.end('not found');
      return;
    }
    response.writeHead(200, { 'Content-Type': TYPES[extname(file)] || 'application/octet-stream',
                              'Cache-Control': 'no-store' });
    response.end(readFileSync(file));
  });
  return new Promise((done) => server.listen(0, '127.0.0.1', () => done(server)));
}

const COMMON_FLAGS = ['--no-sandbox', '--disable-background-networking', '--disable-component-update',
                      '--disable-sync', '--no-first-run', '--autoplay-policy=no-user-gesture-required'];

// Opens the probe page in a fresh context and runs one scenario in it.
async function runProbe(browser, origin, scenario, ...args) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const pageErrors = [];
  page.on('pageerror', (error) => pageErrors.push(String(error)));
  page.on('console', (entry) => { if (entry.type() === 'error') pageErrors.push(entry.text()); });
  try {
    await page.goto(`${origin}/test/audio_probe.html`);
    await page.waitForFunction(() => window.probe && window.DonnaAudio);
    const result = await page.evaluate(([name, values]) => window.probe[name](...values), [scenario, args]);
    return { ...result, pageErrors };
  } finally {
    await context.close();
  }
}

const checks = [];
function check(name, ok, detail) {
  checks.push({ name, ok: Boolean(ok), ...detail });
}

async function main() {
  const wav = speechWav();
  const server = await serve();
  const origin = `http://127.0.0.1:${server.address().port}`;
  const summary = { wav, origin };
  let micBrowser = null;
  let deniedBrowser = null;
  try {
    micBrowser = await chromium.launch({
      executablePath: chromiumPath,
      args: [...COMMON_FLAGS, '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream',
             `--use-file-for-fake-audio-capture=${wav}`]
    });

    const capture = await runProbe(micBrowser, origin, 'capture', CAPTURE_MS);
    const drift = Math.abs(capture.capturedMs - capture.elapsedMs) / capture.elapsedMs;
    check('capture', capture.started && capture.capturingAfterStart && !capture.capturingAfterStop &&
                     capture.wrongSizes === 0 && capture.batches > 100 &&
                     capture.batchSize === Math.round(capture.sampleRate / 50) &&
                     drift <= CAPTURE_TOLERANCE && capture.rms > RMS_FLOOR &&
                     capture.stats.captureBatches === capture.batches &&
                     capture.stats.capturedSamples === capture.batches * capture.batchSize &&
                     capture.errors.length === 0 && capture.pageErrors.length === 0,
          { ...capture, drift: Number(drift.toFixed(4)), rmsFloor: RMS_FLOOR });

    const toneResult = await runProbe(micBrowser, origin, 'playTone', 1.0, 440);
    check('tone', toneResult.played === toneResult.total && toneResult.queued === 0 &&
                  toneResult.total === toneResult.sampleRate && toneResult.transferred &&
                  toneResult.statsPlayed === toneResult.total && toneResult.pageErrors.length === 0,
          toneResult);

    const flush = await runProbe(micBrowser, origin, 'flushDuringPlayback');
    check('flush', flush.flushedAt > 0 && flush.flushedAt < flush.total && flush.queuedAfterFlush === 0 &&
                   flush.playedAfterFlush === flush.flushedAt &&
                   flush.playedAfterMarker === flush.flushedAt + flush.marker && flush.pageErrors.length === 0,
          flush);

    const drain = await runProbe(micBrowser, origin, 'drainShortRemainder');
    check('drain', drain.played === drain.total && drain.queued === 0 && drain.pageErrors.length === 0, drain);

    // No --use-fake-ui-for-media-stream: the permission prompt is refused, as when a
    // visitor clicks "Block".
    deniedBrowser = await chromium.launch({
      executablePath: chromiumPath,
      args: [...COMMON_FLAGS, '--use-fake-device-for-media-stream', '--deny-permission-prompts']
    });
    const denied = await runProbe(deniedBrowser, origin, 'captureRefused');
    const error = denied.errors[0] || {};
    check('denied', !denied.started && !denied.capturing && denied.errors.length === 1 &&
                    error.kind === 'denied' && typeof error.message === 'string' && error.message.length > 20 &&
                    denied.statsErrors.join() === 'denied' && denied.pageErrors.length === 0,
          denied);
  } catch (error) {
    check('run', false, { error: String(error && error.stack || error) });
  } finally {
    if (micBrowser) await micBrowser.close();
    if (deniedBrowser) await deniedBrowser.close();
    server.close();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  }
  summary.passed = checks.every((entry) => entry.ok);
  summary.checks = checks;
  console.log(JSON.stringify(summary, null, 2));
  process.exit(summary.passed ? 0 : 1);
}

main();
