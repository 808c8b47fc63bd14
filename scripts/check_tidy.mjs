// check_tidy.mjs: runs clang-tidy (.clang-tidy) over the project's own sources, each file
// once, through the compile databases of the native tree (shared/ relay/ bench/ tests/) and,
// when given, the WASM tree (wasm/, with Emscripten's target and sysroot, which Debian's
// clang-tidy does not infer from em++). Any finding fails; only the project's own files are
// reported.
//
// Files that compile with the same flags (one library or test program) are checked up to
// sixteen at a time, as one translation unit that includes them: most of clang-tidy's time
// goes into parsing and matching the system headers (Boost, GoogleTest, JSON), and a batch
// pays for them once (ten relay server tests: 90 s one by one, 23 s as one unit; every file
// of the project: 875 s one by one, 205 s eight to a batch, 166 s sixteen). The checks and the
// reporting are the same: a finding in any file of the batch, or in a project header, is
// reported at its own file and line; only the generated batch file's own lines (its
// #includes of .cpp files) are filtered out. Seeing more bodies at once, a check such as
// bugprone-exception-escape can only find more. The build compiles test sources this way
// too (cmake/donna_unity.cmake), and the unit files in the database are read back
// into their member sources. So the sources of one program must not clash when joined: a
// helper in an anonymous namespace needs a name no other file of the program uses.
//
// A batch that passed is remembered under a key made of everything its result depends on:
// the contents of its files and of every header they include (the build's own dependency
// records, `ninja -t deps`, list them), the compile command, the batch's members, .clang-tidy
// and clang-tidy's version. A later run, in this clone or another on the same machine, skips
// a batch whose key passed before. The cache only saves time: a run without it
// (DONNA_TIDY_CACHE=off, or a new machine) checks every file, and a finding is never
// remembered.
//
//   node scripts/check_tidy.mjs NATIVE_BUILD [WASM_BUILD]
//   DONNA_TIDY_CACHE=DIR   where passes are remembered (default ~/.cache/donna/clang-tidy)
//   DONNA_TIDY_JOBS=N      batches checked at once (default 2)
//   DONNA_TIDY_BATCH=N     files per batch at most (default 16; 1 checks each file alone)
//   DONNA_TIDY_FILES=RE    only the files whose path matches RE (a quick look at a few)
import { execFileSync, spawn } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");
const [nativeArg, wasmArg] = process.argv.slice(2);
const jobs = Number(process.env.DONNA_TIDY_JOBS || 2);
const cacheSetting = process.env.DONNA_TIDY_CACHE || path.join(os.homedir(), ".cache/donna/clang-tidy");
const cacheDir = cacheSetting === "off" ? null : cacheSetting;

function fail(message) {
  console.log(message);
  process.exit(1);
}

// Files in a compile database that belong to us under the given folders, each once, with
// the object file the build made of it (to find its recorded dependencies). A unity unit
// file (cmake/donna_unity.cmake) stands for the files it includes, which share
// its command and its object's dependency record.
const unityInclude = /^#include "(.+)"$/gm;
function ours(build, folders) {
  const dbFile = path.join(build, "compile_commands.json");
  if (!fs.existsSync(dbFile)) fail(`no ${dbFile}: configure and build that tree first (scripts/build.sh)`);
  const pattern = new RegExp(`^(${folders})/`);
  const seen = new Set();
  const files = [];
  const add = (abs, entry, object) => {
    const rel = path.relative(root, abs);
    if (rel.startsWith("..") || !pattern.test(rel) || seen.has(rel)) return;
    seen.add(rel);
    // The command with its own source and object taken out: equal for files compiled alike.
    const flags = entry.command.replace(/\s-o\s+\S+/, "").split(entry.file).join("<source>");
    files.push({ rel, build, directory: entry.directory, flags, object });
  };
  for (const entry of JSON.parse(fs.readFileSync(dbFile, "utf8"))) {
    const object = entry.command.match(/\s-o\s+(\S+)/);
    const obj = object ? object[1] : null;
    if (/\.unity\/unity_\d+\.cpp$/.test(entry.file)) {
      const text = fs.readFileSync(entry.file, "utf8");
      for (const m of text.matchAll(unityInclude)) add(path.resolve(path.dirname(entry.file), m[1]), entry, obj);
    } else {
      add(entry.file, entry, obj);
    }
  }
  return files;
}

// object file -> the files its compile read (ninja's deps log for the tree).
function recordedDeps(build) {
  const deps = new Map();
  let text = "";
  try {
    text = execFileSync("ninja", ["-C", build, "-t", "deps"], { maxBuffer: 1 << 30 }).toString();
  } catch {
    return deps; // not a ninja tree, or never built: every file is simply checked
  }
  let current = null;
  for (const line of text.split("\n")) {
    const head = line.match(/^(\S.*): #deps \d+, deps mtime \d+ \((\w+)\)/);
    if (head) {
      current = head[2] === "VALID" ? [] : null;
      if (current) deps.set(head[1], current);
    } else if (current && line.startsWith("    ")) {
      current.push(line.trim());
    }
  }
  return deps;
}

const contentHash = new Map();
function hashOf(file) {
  let h = contentHash.get(file);
  if (h === undefined) {
    try {
      h = crypto.createHash("sha256").update(fs.readFileSync(file)).digest("hex");
    } catch {
      h = "missing";
    }
    contentHash.set(file, h);
  }
  return h;
}

// Paths inside the clone are named relative to it, so a second clone finds the same keys.
const portable = (text) => text.split(root + "/").join("<root>/");

const native = path.resolve(nativeArg || path.join(root, "build/native"));
const files = ours(native, "shared|relay|bench|tests");
if (files.length === 0) fail(`no project sources found in ${native}/compile_commands.json`);
let wasm = null;
if (wasmArg) {
  wasm = path.resolve(wasmArg);
  const wasmFiles = ours(wasm, "wasm");
  if (wasmFiles.length === 0) fail(`no wasm/ sources found in ${wasm}/compile_commands.json`);
  files.push(...wasmFiles);
}

if (process.env.DONNA_TIDY_FILES) {
  const only = new RegExp(process.env.DONNA_TIDY_FILES);
  files.splice(0, files.length, ...files.filter((f) => only.test(f.rel)));
}

const depsByBuild = new Map([[native, recordedDeps(native)]]);
if (wasm) depsByBuild.set(wasm, recordedDeps(wasm));
const depsOf = (f) => (f.object && depsByBuild.get(f.build).get(f.object)) || [];

// Batches: files compiled alike, in path order, split evenly into batches of at most
// DONNA_TIDY_BATCH files. A program's own file (it defines main: a benchmark) is a batch of
// its own, since two programs compiled alike would define main twice in one unit.
const batchLimit = Math.max(1, Number(process.env.DONNA_TIDY_BATCH || 16));
const definesMain = (f) => {
  try {
    return /^int main\s*\(/m.test(fs.readFileSync(path.join(root, f.rel), "utf8"));
  } catch {
    return false;
  }
};
const groups = new Map();
for (const f of [...files].sort((a, b) => a.rel.localeCompare(b.rel))) {
  const k = f.build + "\0" + f.flags + (definesMain(f) ? "\0" + f.rel : "");
  if (!groups.has(k)) groups.set(k, []);
  groups.get(k).push(f);
}
const batches = [];
for (const members of groups.values()) {
  const count = Math.ceil(members.length / batchLimit);
  const size = Math.ceil(members.length / count);
  for (let i = 0; i < members.length; i += size) batches.push({ members: members.slice(i, i + size) });
}

const tidyVersion = execFileSync("clang-tidy", ["--version"]).toString();
const common = tidyVersion + fs.readFileSync(path.join(root, ".clang-tidy"), "utf8");
function keyOf(batch) {
  const h = crypto.createHash("sha256");
  h.update(common);
  const first = batch.members[0];
  h.update(portable(first.flags.split(first.build + "/").join("<build>/")));
  for (const f of batch.members) {
    const deps = depsOf(f);
    if (deps.length === 0) return null; // never built: no record of what it reads
    h.update(f.rel + "\0" + hashOf(path.join(root, f.rel)));
    for (const dep of deps) {
      const abs = path.isAbsolute(dep) ? dep : path.join(f.build, dep);
      h.update(portable(abs) + "\0" + hashOf(abs));
    }
  }
  return h.digest("hex");
}
for (const b of batches) b.key = cacheDir ? keyOf(b) : null;

const todo = batches.filter((b) => !(b.key && fs.existsSync(path.join(cacheDir, b.key))));
const checkedFiles = todo.reduce((n, b) => n + b.members.length, 0);

// Each batch is a file that includes its members, with a compile database of its own beside
// it holding the members' command; a batch of one is the file itself.
const unitDir = path.join(native, "tidy-batches");
fs.rmSync(unitDir, { recursive: true, force: true });
fs.mkdirSync(unitDir, { recursive: true });
const unitDb = [];
todo.forEach((b, i) => {
  const first = b.members[0];
  b.source = b.members.length === 1 ? path.join(root, first.rel) : path.join(unitDir, `batch_${i}.cpp`);
  if (b.members.length > 1)
    fs.writeFileSync(b.source, b.members.map((f) => `#include "${path.join(root, f.rel)}"\n`).join(""));
  unitDb.push({ directory: first.directory, file: b.source,
                command: first.flags.split("<source>").join(b.source) });
});
fs.writeFileSync(path.join(unitDir, "compile_commands.json"), JSON.stringify(unitDb, null, 1));

let sysroot = "/usr/share/emscripten/cache/sysroot";
if (process.env.EMSDK) sysroot = `${process.env.EMSDK}/upstream/emscripten/cache/sysroot`;
const headerFilter = `^${root.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}/(shared|relay|bench|tests|wasm)/`;
function argsFor(b) {
  // Reported: the members and the project's headers (the header filter narrows these to
  // ours), never the batch file's own #include lines.
  const lines = [...b.members.map((f) => ({ name: path.join(root, f.rel) })), { name: ".hpp" }];
  // The native database is GCC's: its GCC-only warning flags (-Wno-subobject-linkage) are
  // unknown to clang, which would report each as an error.
  const args = ["-p", unitDir, "--quiet", `--config-file=${path.join(root, ".clang-tidy")}`,
                `--header-filter=${headerFilter}`, `--line-filter=${JSON.stringify(lines)}`,
                "--extra-arg=-Wno-unknown-warning-option"];
  if (b.members[0].build === wasm)
    args.push("--extra-arg=--target=wasm32-unknown-emscripten", `--extra-arg=--sysroot=${sysroot}`,
              "--extra-arg=-D__EMSCRIPTEN__", "--extra-arg=-Xclang", "--extra-arg=-iwithsysroot/include/compat");
  args.push(b.source);
  return args;
}

// Heaviest first (the Beast and JSON heavy ones have the longest dependency lists), so the
// run does not end on one long batch with the other job idle.
const weight = (b) => b.members.reduce((n, f) => n + depsOf(f).length, 0);
todo.sort((a, b) => weight(b) - weight(a));

const findingPattern = /(warning|error): .*\[[a-z-.,]+\]$/m;
const reports = [];
let failures = 0;
function check(b) {
  return new Promise((resolve) => {
    const child = spawn("clang-tidy", argsFor(b), { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (out += d));
    child.on("close", (code) => {
      const clean = code === 0 && !findingPattern.test(out);
      const names = b.members.map((f) => f.rel).join(" ");
      if (clean) {
        if (b.key) {
          fs.mkdirSync(cacheDir, { recursive: true });
          fs.writeFileSync(path.join(cacheDir, b.key), names + "\n");
        }
      } else {
        failures++;
        reports.push(`== ${names}\n${out.trim()}`);
      }
      resolve();
    });
  });
}
let next = 0;
async function worker() {
  while (next < todo.length) await check(todo[next++]);
}
await Promise.all(Array.from({ length: Math.max(1, jobs) }, worker));

const tally = `${files.length} files in ${batches.length} batches (${checkedFiles} files in ${todo.length} batches checked, ` +
              `the rest unchanged since they passed)`;
if (failures) {
  console.log(reports.join("\n"));
  fail(`clang-tidy: findings in ${failures} of ${tally}; fix them (or, only with a reason, add NOLINT(check) with a comment saying why)`);
}
console.log(`clang-tidy: ${tally}, no findings`);
