// Copies node's environment into Emscripten's, so getenv() works in node-run tests and
// benchmarks (Emscripten otherwise starts programs with an empty environment).
Module['preRun'] = Module['preRun'] || [];
Module['preRun'].push(function () {
  if (typeof process !== 'undefined' && process.env) {
    for (var key in process.env) ENV[key] = process.env[key];
  }
});
