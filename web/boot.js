// boot.js: starts the DONNA client. Checks for WebAssembly and WebGL2, shows a readable
// message (not a blank page) when either is missing or the client fails, and otherwise
// loads donna.js with the Module object Emscripten reads (our canvas).
// Plain ES5 on purpose: it must run far enough in old browsers to explain what is missing.
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
  var probe = document.createElement('canvas');
  var gl = null;
  try { gl = probe.getContext('webgl2'); } catch (e) { gl = null; }
  if (!gl) {
    showFailure('This browser or device has no WebGL2.');
    return;
  }
  var lose = gl.getExtension('WEBGL_lose_context');
  if (lose) lose.loseContext(); // free the probe's context at once

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
  var script = document.createElement('script');
  script.src = 'donna.js';
  script.onerror = function () { showFailure('donna.js could not be loaded from the server.'); };
  document.body.appendChild(script);
})();
