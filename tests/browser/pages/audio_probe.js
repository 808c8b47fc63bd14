// audio_probe.js: scenarios for audio_worklets_test.mjs, each on a fresh DonnaAudio, each
// returning plain numbers for the test to judge. Waits are for events (batches, playback
// reports), bounded by a generous timeout only so a broken build fails instead of hanging.
'use strict';

const PROBE_TIMEOUT_MS = 20000;

// Resolves when check() becomes true; check is re-run by whoever calls poke().
function waitFor(check) {
  let poke;
  const done = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('probe timed out')), PROBE_TIMEOUT_MS);
    poke = () => {
      if (check()) {
        clearTimeout(timer);
        resolve();
      }
    };
  });
  return { done, poke: () => poke() };
}

function tone(sampleRate, seconds, frequency) {
  const samples = new Float32Array(Math.round(sampleRate * seconds));
  for (let i = 0; i < samples.length; i++) samples[i] = 0.3 * Math.sin(2 * Math.PI * frequency * i / sampleRate);
  return samples;
}

window.probe = {
  // Captures until durationMs of real time have passed between the first and last batch.
  async capture(durationMs) {
    let first = null;
    let last = null;
    let batches = 0;
    let wrongSizes = 0;
    let sumSquares = 0;
    let sampleCount = 0;
    let peak = 0;
    const errors = [];
    let batchSize = 0;
    const wait = waitFor(() => first !== null && last - first >= durationMs);
    const audio = new DonnaAudio({
      onCapture(samples) {
        const now = performance.now();
        if (first === null) first = now;
        last = now;
        batches++;
        if (samples.length !== batchSize) wrongSizes++;
        for (let i = 0; i < samples.length; i++) {
          sumSquares += samples[i] * samples[i];
          peak = Math.max(peak, Math.abs(samples[i]));
        }
        sampleCount += samples.length;
        wait.poke();
      },
      onCaptureError(kind, message) { errors.push({ kind, message }); }
    });
    await audio.start();
    batchSize = audio.sampleRate / 50;
    const started = await audio.startCapture();
    const capturingAfterStart = audio.capturing;
    if (started) await wait.done;
    audio.stopCapture();
    const result = {
      started, capturingAfterStart, capturingAfterStop: audio.capturing, contextState: audio.context.state,
      sampleRate: audio.sampleRate, batchSize, batches, wrongSizes,
      // The first batch marks time zero, so the samples that count are those after it.
      capturedMs: (sampleCount - batchSize) / audio.sampleRate * 1000,
      elapsedMs: last - first,
      rms: Math.sqrt(sumSquares / Math.max(1, sampleCount)), peak, errors,
      stats: { capturedSamples: donnaStats.capturedSamples, captureBatches: donnaStats.captureBatches }
    };
    audio.close();
    return result;
  },

  // Plays a tone and waits until the worklet reports the queue ran dry.
  async playTone(seconds, frequency) {
    let reports = 0;
    let total = 0;
    const wait = waitFor(() => audio.queued === 0 && audio.played >= total);
    const audio = new DonnaAudio({ onPlayback() { reports++; wait.poke(); } });
    await audio.start();
    const samples = tone(audio.sampleRate, seconds, frequency);
    total = samples.length;
    audio.play(samples);
    const transferred = samples.length === 0; // the buffer went to the audio thread
    await wait.done;
    const result = { sampleRate: audio.sampleRate, contextState: audio.context.state, total,
                     played: audio.played, queued: audio.queued, reports, transferred,
                     statsPlayed: donnaStats.playedSamples };
    audio.close();
    return result;
  },

  // Starts 2 s of tone, flushes after ~0.2 s has played, then plays a short marker: the
  // marker alone must follow, proving the rest of the tone was dropped.
  async flushDuringPlayback() {
    let phase = 'tone';
    let total = 0;
    let marker = 0;
    let flushedAt = 0;
    const started = waitFor(() => audio.played >= audio.sampleRate * 0.2);
    const markerDone = waitFor(() => phase === 'marker' && audio.queued === 0 && audio.played >= flushedAt + marker);
    const audio = new DonnaAudio({
      onPlayback() {
        if (phase === 'tone') started.poke();
        else markerDone.poke();
      }
    });
    await audio.start();
    const samples = tone(audio.sampleRate, 2.0, 440);
    total = samples.length;
    audio.play(samples);
    await started.done;
    flushedAt = await audio.flush();
    const queuedAfterFlush = audio.queued;
    const playedAfterFlush = audio.played;
    const markerSamples = tone(audio.sampleRate, 0.1, 880);
    marker = markerSamples.length;
    phase = 'marker';
    audio.play(markerSamples);
    await markerDone.done;
    const result = { total, flushedAt, queuedAfterFlush, playedAfterFlush, marker, playedAfterMarker: audio.played };
    audio.close();
    return result;
  },

  // A remainder shorter than the 60 ms jitter buffer plays once drain() says no more is coming.
  async drainShortRemainder() {
    let total = 0;
    const wait = waitFor(() => audio.queued === 0 && audio.played >= total);
    const audio = new DonnaAudio({ onPlayback() { wait.poke(); } });
    await audio.start();
    const samples = tone(audio.sampleRate, 0.03, 440);
    total = samples.length;
    audio.play(samples);
    audio.drain();
    await wait.done;
    const result = { total, played: audio.played, queued: audio.queued };
    audio.close();
    return result;
  },

  // Asks for the microphone where the browser refuses it.
  async captureRefused() {
    const errors = [];
    const audio = new DonnaAudio({ onCaptureError(kind, message) { errors.push({ kind, message }); } });
    await audio.start();
    const started = await audio.startCapture();
    const result = { started, capturing: audio.capturing, errors, statsErrors: donnaStats.captureErrors.slice() };
    audio.close();
    return result;
  }
};
