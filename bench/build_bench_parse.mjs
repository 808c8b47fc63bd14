// Reads what one bench/build_bench.sh run left (the CI log and each tree's .ninja_log) and
// prints one JSON record: CI wall time, each tree's build time and slowest translation
// units, ctest's time, its slowest tests and the clang_tidy test, and the rebuild times.
//   node bench/build_bench_parse.mjs RUN_DIR CI_LOG --label L --mode cold ... > record.json
import fs from "node:fs";
import os from "node:os";

const [dir, logFile, ...rest] = process.argv.slice(2);
const opt = {};
for (let i = 0; i < rest.length; i += 2) opt[rest[i].replace(/^--/, "")] = rest[i + 1];
const log = fs.readFileSync(logFile, "utf8");

// Ninja's log (v5): start, end (ms), mtime, output, hash; a later line for the same output
// replaces an earlier one.
function units(tree) {
  const file = `${dir}/ninja_${tree}.log`;
  if (!fs.existsSync(file)) return null;
  const byOutput = new Map();
  for (const line of fs.readFileSync(file, "utf8").split("\n")) {
    const [start, end, , output] = line.split("\t");
    if (!output || !/\.o(bj)?$/.test(output)) continue;
    byOutput.set(output, (Number(end) - Number(start)) / 1000);
  }
  // build/…/relay/CMakeFiles/donna_relay_core.dir/api/x.cpp.o -> relay/api/x.cpp
  const source = (o) => o.replace(/CMakeFiles\/[^/]+\.dir\//, "").replace(/\.o(bj)?$/, "")
                         .replace(/__\/__\//g, "").replace(/^(\.\.\/)+/, "");
  const all = [...byOutput].map(([o, s]) => ({ file: source(o), seconds: s }));
  all.sort((a, b) => b.seconds - a.seconds);
  return {
    units: all.length,
    compile_seconds_total: Math.round(all.reduce((t, u) => t + u.seconds, 0)),
    slowest: all.slice(0, 10),
  };
}

const trees = {};
for (const tree of ["wasm", "asan", "native"]) {
  const built = log.match(new RegExp(`== ${tree} built in (\\d+) s`));
  trees[tree] = { seconds: built ? Number(built[1]) : null, ...units(tree) };
}

const tests = [];
for (const m of log.matchAll(/Test\s+#\d+: (\S+) \.*\s*(?:\*+)?\s*(Passed|Failed|\S+)\s+([\d.]+) sec/g))
  tests.push({ name: m[1], result: m[2], seconds: Number(m[3]) });
tests.sort((a, b) => b.seconds - a.seconds);
const summary = log.match(/(\d+)% tests passed, (\d+) tests failed out of (\d+)/);
const total = log.match(/Total Test time \(real\) =\s+([\d.]+) sec/);
const tidy = tests.find((t) => t.name === "clang_tidy");
const setup = log.match(/== setup took (\d+) s/);

const record = {
  label: opt.label,
  mode: opt.mode,
  commit: opt.commit,
  date: new Date().toISOString().slice(0, 10),
  cores: os.cpus().length,
  ci_exit: Number(opt.status),
  ci_seconds: Number(opt.ci),
  trees,
  ctest: {
    seconds: total ? Number(total[1]) : null,
    tests: summary ? Number(summary[3]) : tests.length,
    failed: summary ? Number(summary[2]) : null,
    tidy_seconds: tidy ? tidy.seconds : null,
    slowest: tests.slice(0, 10),
  },
  rebuild: {
    cpp: { file: opt["touch-cpp"], seconds: Number(opt.cpp) },
    hpp: { file: opt["touch-hpp"], seconds: Number(opt.hpp), units: Number(opt["hpp-units"]) },
  },
  ccache: opt.ccache || null,
};
if (setup) record.setup_seconds = Number(setup[1]);
console.log(JSON.stringify(record, null, 2));
