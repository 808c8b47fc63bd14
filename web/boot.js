// boot.js: starts the DONNA client. Checks for WebAssembly and WebGL2, shows a readable
// message (not a blank page) when either is missing or the client fails, and otherwise
// loads the client's scripts in order: audio.js (DonnaAudio), session.js (DonnaSession),
// bridge.js (wires them to the WASM module), then donna.js with the Module object
// Emscripten reads (our canvas).
// Plain ES5 on purpose: it must run far enough in old browsers to explain what is missing.
// The scripts it loads use ES2017, which every browser with WebAssembly and WebGL2 has.
(function () {
  'use strict';
  var canvas = document.getElementById('canvas');

  function showFailure(reason) {
    document.getElementById('donna-failure-reason').textContent = reason;
    document.getElementById('donna-failure').hidden = false;
    canvas.hidden = true;
    document.body.dataset.donnaFailed = '1';
  }
  // Called by the client itself too (wasm/platform/browser.cpp).
  window.donnaShowFailure = showFailure;

  if (typeof WebAssembly !== 'object' || typeof WebAssembly.instantiate !== 'function') {
    showFailure('This browser has no WebAssembly.');
    return;
  }
  // Only the API's presence: creating a throw-away context to probe costs hundreds of
  // milliseconds with a software renderer, before the client creates its own. A device whose
  // WebGL2 is present but unusable is reported by the client itself when its context fails.
  if (typeof WebGL2RenderingContext !== 'function') {
    showFailure('This browser or device has no WebGL2.');
    return;
  }

  canvas.addEventListener('webglcontextlost', function (event) {
    event.preventDefault();
    showFailure('The graphics context was lost. Reload the page to start again.');
  });
  canvas.addEventListener('contextmenu', function (event) { event.preventDefault(); });

  window.Module = {
    canvas: canvas,
    onAbort: function (what) {
      showFailure('The client stopped with an error: ' + what);
    }
  };
  // async = false: the browser fetches all four at once but runs them in this order, so
  // each finds the globals of the ones before it.
  var scripts = ['audio.js', 'session.js', 'bridge.js', 'donna.js'];
  for (var i = 0; i < scripts.length; i++) {
    var script = document.createElement('script');
    script.src = scripts[i];
    script.async = false;
    script.onerror = failedToLoad(scripts[i]);
    document.body.appendChild(script);
  }
  function failedToLoad(name) {
    return function () { showFailure(name + ' could not be loaded from the server.'); };
  }
})();
