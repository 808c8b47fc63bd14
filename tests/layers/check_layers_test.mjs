// The layering check (scripts/check_layers.mjs) fails on an include that points up: a copy of
// relay/ and shared/ with one planted include from storage up to the server must fail, naming
// the file, the line and both folders; the same copy without the plant passes.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "../..");
const script = path.join(root, "scripts/check_layers.mjs");
const copy = fs.mkdtempSync(path.join(os.tmpdir(), "donna-layers-"));

function run() {
  try {
    return { code: 0, output: execFileSync("node", [script, copy], { encoding: "utf8" }) };
  } catch (e) {
    return { code: e.status, output: String(e.stdout) };
  }
}

function fail(message) {
  console.error(`FAIL: ${message}`);
  fs.rmSync(copy, { recursive: true, force: true });
  process.exit(1);
}

try {
  for (const top of ["shared", "wasm", "relay"])
    fs.cpSync(path.join(root, top), path.join(copy, top), { recursive: true });

  const clean = run();
  if (clean.code !== 0) fail(`the unplanted copy should pass:\n${clean.output}`);

  const planted = path.join(copy, "relay/store/database.cpp");
  fs.appendFileSync(planted, '\n#include "app/services.hpp"\n');
  const lines = fs.readFileSync(planted, "utf8").split("\n").length - 1;
  const dirty = run();
  if (dirty.code !== 1) fail(`the planted include should fail the check (exit ${dirty.code}):\n${dirty.output}`);
  const expected = `relay/store/database.cpp:${lines}: includes "app/services.hpp": relay/store may not include relay/app, a higher layer`;
  if (!dirty.output.includes(expected)) fail(`expected "${expected}" in:\n${dirty.output}`);
  console.log("ok: the clean copy passes; the planted include fails, named with its line");
} finally {
  fs.rmSync(copy, { recursive: true, force: true });
}
