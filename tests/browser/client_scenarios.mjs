// client_scenarios.mjs: the DONNA client in Debian's Chromium (playwright-core), against a real
// relay that tests/browser/browser_client_test.cpp started in front of the fake OpenAI
// Realtime server. One scenario per run; it prints one JSON line for the C++ test, which
// checks what reached the fake upstream. Exits 1 (with the reason) when a page-side check
// fails or times out.
//
//   node client_scenarios.mjs <scenario>     environment: DONNA_RELAY_URL, DONNA_WAV,
//                                            DONNA_ARTIFACTS, DONNA_HOST_PORT, DONNA_SITE
// Scenarios: draws, speech, typed_chat, playback, barge_in, mic_denied, mic_missing, reconnect,
// widget, widget_refused, embed_framing_refused. Without DONNA_WAV there is no fake microphone.
import { chromium } from 'playwright-core';
import { createServer } from 'node:http';
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodePng, describeImage } from './png_image.mjs';

const scenario = process.argv[2];
const relay = process.env.DONNA_RELAY_URL;
const wav = process.env.DONNA_WAV;
const artifacts = process.env.DONNA_ARTIFACTS || tmpdir();
const site = process.env.DONNA_SITE || 'demo';
const STEP_TIMEOUT = 20000;

function fail(message) {
  console.log(JSON.stringify({ ok: false, scenario, error: message }));
  process.exit(1);
}

// Chromium's flags: the fake microphone plays `wav` in real time; no background traffic.
function launchOptions({ fakeMicrophone = true, grantMicrophone = true } = {}) {
  if (!wav) fakeMicrophone = false;
  const args = ['--no-sandbox', '--disable-background-networking', '--disable-component-update',
                '--disable-sync', '--no-first-run', '--autoplay-policy=no-user-gesture-required',
                '--use-angle=swiftshader', '--enable-unsafe-swiftshader'];
  if (fakeMicrophone) args.push('--use-fake-device-for-media-stream', `--use-file-for-fake-audio-capture=${wav}`);
  args.push(grantMicrophone ? '--use-fake-ui-for-media-stream' : '--deny-permission-prompts');
  return { executablePath: '/usr/bin/chromium', args };
}

// The client's reports (window.donnaEvents) in a page or frame, polled until one has every
// field of `fields` (plain data: the pages' CSP forbids evaluating strings).
async function waitForEvent(target, fields, timeout = STEP_TIMEOUT) {
  const handle = await target.waitForFunction(
    (wanted) => (window.donnaEvents || []).find(
      (e) => Object.keys(wanted).every((k) => e[k] === wanted[k])) || null,
    fields, { timeout, polling: 50 });
  return handle.jsonValue();
}

const connected = { type: 'link', state: 'connected' };
const audioReady = { type: 'audio' };
let lastPage = null; // for the diagnosis printed when a step fails

// Opens the full-page client, recording what crosses its WebSocket.
async function openClient(browser, query = '', viewport = { width: 380, height: 600 }) {
  const page = await browser.newPage({ viewport });
  lastPage = page;
  const frames = { sent: [], received: [], binarySent: 0, binaryReceived: 0 };
  page.on('websocket', (ws) => {
    ws.on('framesent', (f) => { if (typeof f.payload === 'string') frames.sent.push(f.payload); else frames.binarySent++; });
    ws.on('framereceived', (f) => { if (typeof f.payload === 'string') frames.received.push(f.payload); else frames.binaryReceived++; });
  });
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  const started = Date.now();
  await page.goto(`${relay}/index.html${query}`);
  await page.waitForFunction(() => document.body.dataset.donnaReady === '1', null, { timeout: STEP_TIMEOUT });
  const firstFrameMs = await page.evaluate(() => window.donnaFirstFrameMs || performance.now());
  return { page, frames, errors, firstFrameMs, loadMs: Date.now() - started };
}

function receivedTypes(frames) {
  return frames.received.map((f) => { try { return JSON.parse(f); } catch { return {}; } });
}

// Dear ImGui 1.86 samples key state once per frame, so a key pressed and released between
// two frames (a synthetic press under a slow software renderer) would go unseen: hold Enter
// as long as a person does.
async function typeMessage(page, text) {
  await page.keyboard.type(text, { delay: 20 });
  await page.keyboard.down('Enter');
  await page.waitForTimeout(150);
  await page.keyboard.up('Enter');
}

async function stats(page) {
  return page.evaluate(() => ({ ...window.donnaStats, rate: window.donnaStats.sampleRate }));
}

async function sampleRate(target) {
  const event = await waitForEvent(target, { type: 'microphone', state: 'on' });
  return event.rate;
}

const scenarios = {
  // The app draws its UI: screenshots at widget and page size, checked for drawn content.
  async draws(browser) {
    const shots = {};
    for (const [name, viewport] of [['widget', { width: 380, height: 600 }], ['page', { width: 1024, height: 700 }]]) {
      const { page } = await openClient(browser, '', viewport);
      await waitForEvent(page, connected);
      await page.waitForTimeout(300); // a few frames with the connected state
      const file = join(artifacts, `client-${name}.png`);
      const png = await page.screenshot({ path: file });
      shots[name] = { file, ...describeImage(decodePng(png)) };
      await page.close();
    }
    return { shots };
  },

  // Microphone on for exactly the WAV's length once connected, then off.
  async speech(browser) {
    const { page } = await openClient(browser);
    await waitForEvent(page, connected);
    const wavSeconds = Number(process.env.DONNA_WAV_SECONDS);
    await page.evaluate(() => window.donna.setOption('mic', '1'));
    const rate = await sampleRate(page);
    const startCount = await page.evaluate(() => window.donnaStats.capturedSamples || 0);
    await page.waitForFunction(
      ([start, needed]) => (window.donnaStats.capturedSamples || 0) - start >= needed,
      [startCount, Math.round(wavSeconds * rate)], { timeout: STEP_TIMEOUT, polling: 10 });
    await page.evaluate(() => window.donna.setOption('mic', '0'));
    await page.waitForTimeout(500); // the last frames reach the fake
    const events = await page.evaluate(() => window.donnaEvents.filter((e) => e.type === 'speech_started' || e.type === 'speech_stopped'));
    return { rate, events };
  },

  // A message typed on the keyboard reaches the fake; DONNA's answer comes back.
  async typed_chat(browser) {
    const { page, frames } = await openClient(browser);
    await waitForEvent(page, connected);
    await typeMessage(page, 'What are your opening hours?');
    const deadline = Date.now() + STEP_TIMEOUT;
    let done = null;
    while (!done && Date.now() < deadline) {
      done = receivedTypes(frames).find((e) => e.type === 'response.output_audio_transcript.done');
      if (!done) await page.waitForTimeout(50);
    }
    if (!done) fail('no response.output_audio_transcript.done reached the page');
    await page.screenshot({ path: join(artifacts, 'client-chat.png') });
    return { transcript: done.transcript };
  },

  // DONNA's audio (the fake's scripted deltas, as Opus frames) plays to the end in the worklet.
  async playback(browser) {
    const { page, frames } = await openClient(browser);
    await waitForEvent(page, connected);
    await waitForEvent(page, audioReady);
    const rate = await page.evaluate(() => new Promise((resolve) => {
      const wait = () => (window.donnaStats.sampleRate ? resolve(window.donnaStats.sampleRate) : setTimeout(wait, 20));
      wait();
    }));
    await typeMessage(page, 'Say something');
    // Played until the count stops growing for half a second.
    let last = -1, stable = 0;
    const deadline = Date.now() + STEP_TIMEOUT;
    while (stable < 10 && Date.now() < deadline) {
      const played = await page.evaluate(() => window.donnaStats.playedSamples || 0);
      stable = played > 0 && played === last ? stable + 1 : 0;
      last = played;
      await page.waitForTimeout(50);
    }
    return { rate, played: last, binaryReceived: frames.binaryReceived,
             events: await page.evaluate(() => window.donnaEvents), state: await page.evaluate(() => window.donnaStats) };
  },

  // The visitor talks over DONNA: playback stops and a truncate goes upstream.
  async barge_in(browser) {
    const { page, frames } = await openClient(browser);
    await waitForEvent(page, connected);
    await waitForEvent(page, audioReady);
    await typeMessage(page, 'Tell me a long story');
    await page.waitForFunction(() => (window.donnaStats.playedSamples || 0) > 12000, null, { timeout: STEP_TIMEOUT });
    await page.evaluate(() => window.donna.setOption('mic', '1'));
    const bargeIn = await waitForEvent(page, { type: 'barge_in' });
    const truncate = await waitForEvent(page, { type: 'truncate' });
    const playedAtCut = await page.evaluate(() => window.donnaStats.playedSamples);
    await page.waitForTimeout(500);
    const playedAfter = await page.evaluate(() => window.donnaStats.playedSamples);
    const rate = await page.evaluate(() => window.donnaStats.sampleRate);
    const errors = receivedTypes(frames).filter((e) => e.type === 'error');
    return { bargeIn, truncate, playedAtCut, playedAfter, rate, errors };
  },

  // Microphone permission refused: a clear message, and typing still works.
  async mic_denied(browser) {
    const { page } = await openClient(browser, '?mic=1');
    await waitForEvent(page, connected);
    const failure = await waitForEvent(page, { type: 'microphone', state: 'failed' });
    await typeMessage(page, 'Typing without a microphone');
    await page.waitForTimeout(500);
    await page.screenshot({ path: join(artifacts, 'client-mic-denied.png') });
    return { failure };
  },

  // No microphone at all (no fake device): a clear message, and typing still works.
  async mic_missing(browser) {
    const { page } = await openClient(browser, '?mic=1');
    await waitForEvent(page, connected);
    const failure = await waitForEvent(page, { type: 'microphone', state: 'failed' });
    await typeMessage(page, 'Typing without any microphone');
    await page.waitForTimeout(500);
    return { failure };
  },

  // The upstream drops the session (the C++ side closes it): the client says it is
  // reconnecting, comes back with a new token, and the chat works on the new session.
  async reconnect(browser) {
    const { page } = await openClient(browser);
    await waitForEvent(page, connected);
    const retry = await waitForEvent(page, { type: 'link', state: 'waiting_to_retry' });
    await page.waitForFunction(() => {
      const links = window.donnaEvents.filter((e) => e.type === 'link');
      return links.length > 0 && links[links.length - 1].state === 'connected';
    }, null, { timeout: STEP_TIMEOUT, polling: 50 });
    await typeMessage(page, 'Still there?');
    await page.waitForTimeout(500);
    const states = await page.evaluate(() => window.donnaEvents.filter((e) => e.type === 'link').map((e) => e.state));
    return { retry, states };
  },

  // The embed on a customer's page (another origin): launcher, iframe from the relay, a chat.
  async widget(browser) {
    const { page, host, relayRequests } = await openHost(browser);
    const launcher = page.locator('[data-donna-launcher]');
    await launcher.waitFor({ state: 'visible', timeout: STEP_TIMEOUT });
    await page.waitForTimeout(500); // anything the script would do on its own, it does now
    const beforeClick = [...relayRequests];
    await launcher.click();
    const frame = await waitForFrame(page, '/embed');
    await waitForEvent(frame, connected);
    // A click on the client's message line (the bottom row of the frame) gives it the keys.
    const box = await page.locator('iframe').boundingBox();
    await page.mouse.click(box.x + box.width / 3, box.y + box.height - 17);
    await typeMessage(page, 'Hello from the widget');
    await page.waitForTimeout(1000);
    await page.screenshot({ path: join(artifacts, 'widget-open.png') });
    host.close();
    return { hostOrigin: hostOrigin(), frameUrl: frame.url(), beforeClick };
  },

  // The embed on a site whose origin is not in the allowlist: a visible refusal.
  async widget_refused(browser) {
    const { page, host } = await openHost(browser);
    await page.locator('[data-donna-launcher]').click();
    const message = page.locator('[data-donna-message]');
    await message.waitFor({ state: 'visible', timeout: STEP_TIMEOUT });
    // "Connecting..." first, then the outcome.
    let text = await message.innerText();
    const deadline = Date.now() + STEP_TIMEOUT;
    while (text.startsWith('Connecting') && Date.now() < deadline) {
      await page.waitForTimeout(50);
      text = await message.innerText();
    }
    await page.screenshot({ path: join(artifacts, 'widget-refused.png') });
    host.close();
    return { hostOrigin: hostOrigin(), message: text };
  },

  // A page on another origin framing /embed directly: the browser refuses (frame-ancestors).
  async embed_framing_refused(browser) {
    const { page, host } = await openHost(browser, `<iframe id="f" src="${relay}/embed?site=${site}"></iframe>`);
    await page.waitForTimeout(1500);
    const frame = page.frames().find((f) => f !== page.mainFrame());
    const loaded = frame ? await frame.evaluate(() => !!document.getElementById('canvas')).catch(() => false) : false;
    host.close();
    return { frameUrl: frame ? frame.url() : null, loaded };
  }
};

function hostOrigin() {
  return `http://127.0.0.1:${process.env.DONNA_HOST_PORT}`;
}

// A customer's page on its own origin (127.0.0.1:DONNA_HOST_PORT) with the embed snippet.
async function openHost(browser, body) {
  const snippet = body || `<script src="${relay}/donna-widget.js" data-site="${site}" data-persona="receptionist" data-color="#1f6feb" data-greeting="Questions? Ask DONNA." async></script>`;
  // The customer's own CSS hides every button, div and iframe it can reach: the widget's shadow
  // root must keep it working anyway.
  const hostile = '<style>div,button,iframe{display:none !important} *{font-size:40px !important}</style>';
  const html = `<!doctype html><html><head><meta charset="utf-8"><title>Acme</title>${hostile}</head><body><h1>Acme Dental</h1><p>Our opening hours are on this page.</p>${snippet}</body></html>`;
  const host = createServer((request, response) => {
    response.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    response.end(html);
  });
  await new Promise((done) => host.listen(Number(process.env.DONNA_HOST_PORT), '127.0.0.1', done));
  const page = await browser.newPage({ viewport: { width: 1024, height: 768 } });
  const relayRequests = []; // every request the page makes to the relay, in order
  page.on('request', (r) => { if (r.url().startsWith(relay)) relayRequests.push(new URL(r.url()).pathname); });
  await page.goto(hostOrigin() + '/');
  return { page, host, relayRequests };
}

async function waitForFrame(page, pathPart) {
  const deadline = Date.now() + STEP_TIMEOUT;
  while (Date.now() < deadline) {
    const frame = page.frames().find((f) => f.url().includes(pathPart));
    if (frame) {
      await frame.waitForFunction(() => document.body && document.body.dataset.donnaReady === '1', null, { timeout: STEP_TIMEOUT });
      return frame;
    }
    await page.waitForTimeout(50);
  }
  fail(`no frame loaded ${pathPart}`);
}

if (!scenarios[scenario]) fail(`unknown scenario '${scenario}'`);
mkdirSync(artifacts, { recursive: true });
// playwright-core gives every launch a fresh temporary profile: no state carried between tests.
const browser = await chromium.launch(launchOptions({ grantMicrophone: scenario !== 'mic_denied' }))
  .catch((e) => fail(`Chromium did not start: ${e.message}`));
try {
  const result = await scenarios[scenario](browser);
  console.log(JSON.stringify({ ok: true, scenario, ...result }));
} catch (e) {
  const state = lastPage ? await lastPage.evaluate(() => ({ stats: window.donnaStats, events: window.donnaEvents }))
    .catch(() => null) : null;
  fail(e.message.split('\n')[0] + (state ? ' | page state: ' + JSON.stringify(state).slice(0, 3000) : ''));
} finally {
  await browser.close();
}
