// check_tidy.mjs: runs clang-tidy (.clang-tidy) over the project's own sources, each file
// once, through the compile databases of the native tree (shared/ relay/ bench/ tests/) and,
// when given, the WASM tree (wasm/, with Emscripten's target and sysroot, which Debian's
// clang-tidy does not infer from em++). Any finding fails; only the project's own headers
// are reported. scripts/check_tidy.sh is the entry point.
//
// A file that passed is remembered under a key made of everything its result depends on:
// the contents of the file and of every header it includes (the build's own dependency
// records, `ninja -t deps`, list them), its compile command, .clang-tidy and clang-tidy's
// version. A later run, in this clone or another on the same machine, skips a file whose key
// passed before. The cache only saves time: a run without it (DONNA_TIDY_CACHE=off, or a
// new machine) checks every file, and a finding is never remembered.
//
//   node scripts/check_tidy.mjs NATIVE_BUILD [WASM_BUILD]
//   DONNA_TIDY_CACHE=DIR   where passes are remembered (default ~/.cache/donna/clang-tidy)
//   DONNA_TIDY_JOBS=N      files checked at once (default 2)
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
// the object file the build made of it (to find its recorded dependencies).
function ours(build, folders) {
  const dbFile = path.join(build, "compile_commands.json");
  if (!fs.existsSync(dbFile)) fail(`no ${dbFile}: configure and build that tree first (scripts/build.sh)`);
  const pattern = new RegExp(`^(${folders})/`);
  const seen = new Set();
  const files = [];
  for (const entry of JSON.parse(fs.readFileSync(dbFile, "utf8"))) {
    const rel = path.relative(root, entry.file);
    if (rel.startsWith("..") || !pattern.test(rel) || seen.has(rel)) continue;
    seen.add(rel);
    const object = entry.command.match(/\s-o\s+(\S+)/);
    files.push({ rel, build, command: entry.command, object: object ? object[1] : null });
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

function keyOf(file, deps, common) {
  const objectDeps = file.object ? deps.get(file.object) : null;
  if (!objectDeps || objectDeps.length === 0) return null;
  const h = crypto.createHash("sha256");
  h.update(common);
  h.update(portable(file.command.split(file.build + "/").join("<build>/")));
  h.update(file.rel + "\0" + hashOf(path.join(root, file.rel)));
  for (const dep of objectDeps) {
    const abs = path.isAbsolute(dep) ? dep : path.join(file.build, dep);
    h.update(portable(abs) + "\0" + hashOf(abs));
  }
  return h.digest("hex");
}

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

const tidyVersion = execFileSync("clang-tidy", ["--version"]).toString();
const common = tidyVersion + fs.readFileSync(path.join(root, ".clang-tidy"), "utf8");
const depsByBuild = new Map([[native, recordedDeps(native)]]);
if (wasm) depsByBuild.set(wasm, recordedDeps(wasm));
for (const f of files) f.key = cacheDir ? keyOf(f, depsByBuild.get(f.build), common) : null;

const todo = files.filter((f) => !(f.key && fs.existsSync(path.join(cacheDir, f.key))));
const skipped = files.length - todo.length;

let sysroot = "/usr/share/emscripten/cache/sysroot";
if (process.env.EMSDK) sysroot = `${process.env.EMSDK}/upstream/emscripten/cache/sysroot`;
const headerFilter = `^${root.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}/(shared|relay|bench|tests|wasm)/`;
function argsFor(f) {
  const args = ["-p", f.build, "--quiet", `--header-filter=${headerFilter}`];
  if (f.build === wasm)
    args.push("--extra-arg=--target=wasm32-unknown-emscripten", `--extra-arg=--sysroot=${sysroot}`,
              "--extra-arg=-D__EMSCRIPTEN__", "--extra-arg=-Xclang", "--extra-arg=-iwithsysroot/include/compat");
  args.push(path.join(root, f.rel));
  return args;
}

// Slowest first (they are the Beast and JSON heavy ones: largest dependency lists), so the
// run does not end on one long file with the other job idle.
todo.sort((a, b) => (depsByBuild.get(b.build).get(b.object) || []).length -
                    (depsByBuild.get(a.build).get(a.object) || []).length);

const findingPattern = /(warning|error): .*\[[a-z-.,]+\]$/m;
const reports = [];
let failures = 0;
function check(f) {
  return new Promise((resolve) => {
    const child = spawn("clang-tidy", argsFor(f), { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (out += d));
    child.on("close", (code) => {
      const clean = code === 0 && !findingPattern.test(out);
      if (clean) {
        if (f.key) {
          fs.mkdirSync(cacheDir, { recursive: true });
          fs.writeFileSync(path.join(cacheDir, f.key), f.rel + "\n");
        }
      } else {
        failures++;
        reports.push(`== ${f.rel}\n${out.trim()}`);
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

const tally = `${files.length} files (${todo.length} checked, ${skipped} unchanged since they passed)`;
if (failures) {
  console.log(reports.join("\n"));
  fail(`clang-tidy: findings in ${failures} of ${tally}; fix them (or, only with a reason, add NOLINT(check) with a comment saying why)`);
}
console.log(`clang-tidy: ${tally}, no findings`);
