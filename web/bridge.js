// bridge.js: wires the page's audio (window.DonnaAudio) and session tokens
// (window.DonnaSession) to the WASM client (wasm/platform/page_exports.hpp lists the calls
// both ways). The client calls window.donnaBridge.*; the bridge answers through Module._donna_*.
//
// Page options (URL parameters of index.html or /embed): persona=<name>,
// mode=push_to_talk|hands_free, mic=1 (turn the microphone on at start; it otherwise waits
// for the visitor's click), pacing=0 (draw at every display refresh; read by the module
// itself, wasm/platform/browser.cpp). The same options at run time: window.donna.setOption('mic', '0').
//
// What the client reports (link state, speech_started/stopped, barge_in, truncate, errors) is
// dispatched as a 'donna:event' CustomEvent on window and kept in window.donnaEvents, for host
// pages and tests.
(function () {
  'use strict';

  const params = new URLSearchParams(location.search);
  const maxEvents = 1000;
  const events = window.donnaEvents = [];
  const session = new window.DonnaSession();
  const stats = window.donnaStats || (window.donnaStats = {});
  stats.captureCpuMs = 0;
  stats.captureCalls = 0;
  let module = null;

  function call(name, ...args) {
    if (module) module.ccall(name, null, args.map(() => 'string'), args.map(String));
  }

  const audio = new window.DonnaAudio({
    // One copy of each 20 ms batch into WASM memory; the client does the rest.
    onCapture(samples) {
      if (!module) return;
      const started = performance.now();
      const at = module._donna_capture_buffer(samples.length);
      module.HEAPF32.set(samples, at >> 2);
      module._donna_on_capture(samples.length);
      // The main thread's cost per batch (resample, detect, encode, send): the benchmark reads it.
      stats.captureCpuMs += performance.now() - started;
      stats.captureCalls += 1;
    },
    onCaptureError(kind, message) {
      call('donna_on_microphone_failed', kind, message);
    },
    onPlayback(played, queued) {
      if (module) module._donna_on_playback(played, queued);
    }
  });

  function startMicrophone() {
    audio.start()
      .then(() => audio.startCapture())
      .then((ok) => { if (ok && module) module._donna_on_microphone_started(audio.sampleRate); })
      .catch((error) => call('donna_on_microphone_failed', error.code || 'failed',
                             error.message || 'The microphone could not be started.'));
  }

  window.donnaBridge = {
    moduleReady(m) {
      module = m;
      const persona = params.get('persona');
      if (persona) call('donna_set_option', 'persona', persona);
      const mode = params.get('mode');
      if (mode) call('donna_set_option', 'mode', mode);
      audio.start()
        .then(() => module._donna_on_audio_ready(audio.sampleRate))
        .catch((error) => console.error('DONNA audio:', error.message));
      module._donna_start();
      if (params.get('mic') === '1') call('donna_set_option', 'mic', '1');
    },
    requestSession(persona) {
      session.request(persona || null)
        .then((s) => call('donna_on_session', s.token, s.realtime_url, s.greeting || '',
                          s.persona || '', s.uplink || 'opus'))
        .catch((error) => call('donna_on_session_failed', error.code || 'network',
                               error.message || 'No DONNA session could be started.'));
    },
    startMicrophone,
    stopMicrophone() { audio.stopCapture(); },
    play(samples) { audio.play(samples); },
    drainPlayback() { audio.drain(); },
    flushPlayback() {
      audio.flush().then((played) => { if (module) module._donna_on_playback_flushed(played); });
    },
    notify(json) {
      let event;
      try { event = JSON.parse(json); } catch (error) { return; }
      event.at = performance.now();
      events.push(event);
      if (events.length > maxEvents) events.shift();
      window.dispatchEvent(new CustomEvent('donna:event', { detail: event }));
    }
  };
  // The host page's (and tests') handle on the client: the same options as the URL's.
  window.donna = {
    setOption(name, value) { call('donna_set_option', name, value); },
    events
  };
})();
