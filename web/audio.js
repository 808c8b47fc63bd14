// audio.js: window.DonnaAudio, the browser's microphone and speaker for the DONNA client.
// One AudioContext carries both directions; the per-sample work happens in two
// AudioWorklets (capture-worklet.js, playback-worklet.js) on the audio thread, so the main
// thread (and the WASM client on it) only sees 20 ms microphone batches and hands over
// whole reply chunks. The contract is in the project's client contract (DonnaAudio).
(function () {
  'use strict';

  // Worklet modules are resolved against this script's own URL, not the page's, so the
  // client works from any page path (/, /embed?site=..., a sub-folder).
  const scriptUrl = (document.currentScript && document.currentScript.src) || document.baseURI;
  const CAPTURE_MODULE = new URL('capture-worklet.js', scriptUrl).href;
  const PLAYBACK_MODULE = new URL('playback-worklet.js', scriptUrl).href;

  // Counters for tests and benchmarks, shared by every DonnaAudio on the page.
  const stats = window.donnaStats || (window.donnaStats = {});
  stats.capturedSamples = stats.capturedSamples || 0;
  stats.captureBatches = stats.captureBatches || 0;
  stats.playedSamples = stats.playedSamples || 0;
  stats.captureErrors = stats.captureErrors || [];

  const MESSAGES = {
    denied: 'Microphone access was denied. Allow the microphone for this site ' +
            '(the icon in the address bar) and try again.',
    no_device: 'No microphone was found. Connect one and try again.',
    ended: 'The microphone stopped: it was unplugged, turned off, or taken by another app.',
    unsupported: 'This browser cannot record from a microphone here.',
    insecure: 'The microphone is only available on pages served over HTTPS.',
    failed: 'The microphone could not be started'
  };

  function noop() {}

  class DonnaAudio {
    constructor(handlers) {
      handlers = handlers || {};
      this.onCapture = handlers.onCapture || noop;
      this.onCaptureError = handlers.onCaptureError || noop;
      this.onPlayback = handlers.onPlayback || noop;
      this.context = null;
      this.sampleRate = 0;
      this.played = 0;
      this.queued = 0;
      this.capturing = false;
      this._starting = null;       // the one start() promise, so start() is idempotent
      this._playbackNode = null;
      this._captureNode = null;
      this._source = null;
      this._stream = null;
      this._captureGeneration = 0; // bumped by stopCapture() to cancel a pending startCapture()
      this._flushWaiters = [];     // resolve functions, in the order the flushes were sent
      this._closed = false;
    }

    start() {
      if (!this._starting) this._starting = this._start();
      return this._starting;
    }

    async _start() {
      const Context = window.AudioContext || window.webkitAudioContext;
      if (!Context || typeof AudioWorkletNode !== 'function') {
        const error = new Error('This browser has no AudioWorklet, which DONNA needs for sound.');
        error.code = 'unsupported';
        throw error;
      }
      const context = new Context({ latencyHint: 'interactive' });
      this.context = context;
      this.sampleRate = context.sampleRate;
      stats.sampleRate = context.sampleRate;
      // Without a user gesture the context may stay suspended and resume() may not settle
      // until there is one, so it is not awaited; the first click or key resumes it.
      this._resume();
      if (context.state !== 'running') {
        const resumeOnGesture = () => {
          this._resume();
          if (context.state === 'running' || context.state === 'closed') {
            window.removeEventListener('pointerdown', resumeOnGesture, true);
            window.removeEventListener('keydown', resumeOnGesture, true);
          }
        };
        window.addEventListener('pointerdown', resumeOnGesture, true);
        window.addEventListener('keydown', resumeOnGesture, true);
      }
      await Promise.all([
        context.audioWorklet.addModule(CAPTURE_MODULE),
        context.audioWorklet.addModule(PLAYBACK_MODULE)
      ]);
      const playback = new AudioWorkletNode(context, 'donna-playback', {
        numberOfInputs: 0,
        numberOfOutputs: 1,
        outputChannelCount: [1] // mono; the destination up-mixes it to every speaker
      });
      playback.port.onmessage = (event) => this._onPlaybackMessage(event.data);
      playback.connect(context.destination);
      this._playbackNode = playback;
    }

    _resume() {
      if (this.context && this.context.state === 'suspended') this.context.resume().catch(noop);
    }

    _onPlaybackMessage(message) {
      this.played = message.played;
      this.queued = message.queued;
      stats.playedSamples = message.played;
      if (message.flushed) {
        const resolve = this._flushWaiters.shift();
        if (resolve) resolve(message.played);
      }
      this.onPlayback(message.played, message.queued);
    }

    async startCapture() {
      if (this.capturing) return true;
      const generation = ++this._captureGeneration;
      const devices = navigator.mediaDevices;
      if (!devices || typeof devices.getUserMedia !== 'function') {
        // Browsers hide mediaDevices entirely on http:// pages other than localhost.
        return this._captureFailed('unsupported', window.isSecureContext ? MESSAGES.unsupported : MESSAGES.insecure);
      }
      try {
        await this.start();
      } catch (error) {
        if (error.code === 'unsupported') return this._captureFailed('unsupported', error.message);
        return this._captureFailed('failed', 'The sound system could not be started: ' + error.message);
      }
      if (generation !== this._captureGeneration) return false;
      this._resume();
      let stream;
      try {
        stream = await devices.getUserMedia({
          audio: { channelCount: 1, echoCancellation: true, noiseSuppression: true, autoGainControl: true }
        });
      } catch (error) {
        if (generation !== this._captureGeneration) return false;
        return this._captureFailed(...describeCaptureError(error));
      }
      if (generation !== this._captureGeneration || this._closed) {
        // stopCapture() or close() came while the browser was asking: give the microphone back.
        stream.getTracks().forEach((track) => track.stop());
        return false;
      }
      const context = this.context;
      const source = context.createMediaStreamSource(stream);
      const node = new AudioWorkletNode(context, 'donna-capture', {
        numberOfInputs: 1,
        numberOfOutputs: 0,
        // A stereo device is down-mixed to one channel before the worklet sees it.
        channelCount: 1,
        channelCountMode: 'explicit',
        channelInterpretation: 'speakers',
        processorOptions: { batchSize: Math.round(context.sampleRate / 50) }
      });
      // Named: bench/client_bench.mjs finds this handler's CPU time in Chromium's trace by it.
      const onCaptureBatch = (event) => {
        if (node !== this._captureNode) return; // a batch still in flight from a stopped capture
        const samples = event.data;
        stats.capturedSamples += samples.length;
        stats.captureBatches += 1;
        this.onCapture(samples);
      };
      node.port.onmessage = onCaptureBatch;
      source.connect(node);
      stream.getAudioTracks().forEach((track) => {
        track.addEventListener('ended', () => {
          if (this._stream !== stream) return;
          this.stopCapture();
          this._captureFailed('ended', MESSAGES.ended);
        });
      });
      this._stream = stream;
      this._source = source;
      this._captureNode = node;
      this.capturing = true;
      return true;
    }

    _captureFailed(kind, message) {
      stats.captureErrors.push(kind);
      this.onCaptureError(kind, message);
      return false;
    }

    stopCapture() {
      this._captureGeneration++;
      if (this._stream) this._stream.getTracks().forEach((track) => track.stop());
      if (this._source) this._source.disconnect();
      if (this._captureNode) {
        this._captureNode.port.postMessage('stop');
        this._captureNode.disconnect();
      }
      this._stream = null;
      this._source = null;
      this._captureNode = null;
      this.capturing = false;
    }

    // Appends mono samples at this.sampleRate to the playback queue. The array's buffer is
    // transferred to the audio thread, so the caller's array is empty afterwards. A view on
    // part of a larger buffer (such as the WASM heap) is copied once instead, because
    // transferring would take the whole buffer away from its owner.
    play(samples) {
      if (!this._playbackNode || !samples || samples.length === 0) return;
      const whole = samples.byteOffset === 0 && samples.byteLength === samples.buffer.byteLength &&
                    samples.buffer instanceof ArrayBuffer;
      let chunk = whole ? samples : samples.slice();
      try {
        this._playbackNode.port.postMessage({ type: 'push', samples: chunk }, [chunk.buffer]);
      } catch (error) {
        // A buffer that cannot be transferred (e.g. WebAssembly.Memory's): copy it.
        chunk = samples.slice();
        this._playbackNode.port.postMessage({ type: 'push', samples: chunk }, [chunk.buffer]);
      }
      this._resume();
    }

    // Says no more audio is coming for now, so a short remainder (under the 60 ms jitter
    // buffer) plays at once instead of waiting for more.
    drain() {
      if (this._playbackNode) this._playbackNode.port.postMessage({ type: 'drain' });
    }

    // Drops everything queued at once (barge-in). Resolves with the total samples actually
    // played when the audio thread dropped the queue.
    flush() {
      if (!this._playbackNode || this._closed) return Promise.resolve(this.played);
      return new Promise((resolve) => {
        this._flushWaiters.push(resolve);
        this._playbackNode.port.postMessage({ type: 'flush' });
      });
    }

    close() {
      if (this._closed) return;
      this._closed = true;
      this.stopCapture();
      // Pending flushes will get no answer from a closed context.
      this._flushWaiters.splice(0).forEach((resolve) => resolve(this.played));
      if (this._playbackNode) this._playbackNode.disconnect();
      this._playbackNode = null;
      if (this.context) this.context.close().catch(noop);
    }
  }

  // Maps a getUserMedia rejection to the contract's kinds and a sentence for the visitor.
  function describeCaptureError(error) {
    const name = error && error.name;
    if (name === 'NotAllowedError' || name === 'SecurityError' || name === 'PermissionDeniedError') {
      return ['denied', MESSAGES.denied];
    }
    if (name === 'NotFoundError' || name === 'OverconstrainedError' || name === 'DevicesNotFoundError') {
      return ['no_device', MESSAGES.no_device];
    }
    const detail = error && error.message ? ': ' + error.message : '';
    return ['failed', MESSAGES.failed + detail + '.'];
  }

  window.DonnaAudio = DonnaAudio;
})();
