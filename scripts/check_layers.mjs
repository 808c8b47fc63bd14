// check_layers.mjs: fails on an #include that points up the project's layers
// (docs/architecture.md, "Layers"). Every quoted include of shared/, wasm/ and relay/ is
// resolved to the folder it names, and a file may include only its own folder or one of a
// lower layer. What counts: `#include "folder/file.hpp"` lines; a relay/ path wins over a
// shared/ one of the same name (relay/audio is not shared/audio), as the include paths do.
//
//   node scripts/check_layers.mjs [ROOT]      exit 0: no include points up; 1: each named
//
// The order, lowest first. A folder's layer is its index; relay/main.cpp is the top.
import fs from "node:fs";
import path from "node:path";

const layers = [
  // shared/: the code the browser and the relay both run.
  ["shared/core", "shared/protocol", "shared/audio", "shared/turn"],
  // wasm/: the browser client, on shared/ only.
  ["wasm"],
  // relay/, bottom up: transport and vocabulary...
  ["relay/net", "relay/log", "relay/metrics", "relay/http", "relay/config", "relay/auth"],
  ["relay/upstream", "relay/persona", "relay/audio"],
  // ...the external services' wire formats (relay/providers/<service>/)...
  ["relay/providers"],
  // ...live settings, storage and the demo voice...
  ["relay/settings", "relay/store", "relay/demo"],
  // ...the features...
  ["relay/models", "relay/policy", "relay/jobs", "relay/telephony"],
  // ...the senders of what DONNA promised (the outbox's email and text messages)...
  ["relay/outbox"],
  ["relay/chat"],
  ["relay/voice"],
  // ...the business's Google account (connection, tokens; later its mail and Drive)...
  ["relay/google"],
  // ...the phone line and texts (events from Telnyx, conversations by text)...
  ["relay/phone"],
  // ...the server (transport: it knows the settings, the metrics and the session registry)...
  ["relay/server"],
  // ...the realtime sessions (their leases are the server's session registry's)...
  ["relay/realtime"],
  // ...the endpoints, the composition root that builds everything, and the process.
  ["relay/api"],
  ["relay/app"],
  ["relay/main.cpp"],
];

const root = path.resolve(process.argv[2] || path.join(path.dirname(new URL(import.meta.url).pathname), ".."));
const levelOf = new Map();
layers.forEach((names, level) => names.forEach((name) => levelOf.set(name, level)));

// The layer entry a file belongs to: relay/main.cpp, relay/<folder>, shared/<folder>, wasm.
function unitOf(rel) {
  if (rel === "relay/main.cpp") return rel;
  const parts = rel.split("/");
  if (parts[0] === "wasm") return "wasm";
  return parts.length > 2 ? `${parts[0]}/${parts[1]}` : null;
}

// The layer entry an include names, resolved as the compiler would for this file's tree.
function targetOf(include, fromTop) {
  const first = include.split("/")[0];
  const candidates = fromTop === "relay" ? ["relay", "shared"] : fromTop === "wasm" ? ["wasm", "shared"] : ["shared"];
  for (const top of candidates) {
    if (fs.existsSync(path.join(root, top, include))) return top === "wasm" ? "wasm" : `${top}/${first}`;
  }
  return null; // a system header spelled with quotes, or a file beside the includer
}

function* sources(dir) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* sources(full);
    else if (/\.(cpp|hpp|h)$/.test(entry.name)) yield full;
  }
}

const findings = [];
let files = 0;
for (const top of ["shared", "wasm", "relay"]) {
  const dir = path.join(root, top);
  if (!fs.existsSync(dir)) continue;
  for (const file of sources(dir)) {
    const rel = path.relative(root, file).split(path.sep).join("/");
    const unit = unitOf(rel);
    if (!unit || !levelOf.has(unit)) {
      findings.push(`${rel}: its folder is in no layer: add it to scripts/check_layers.mjs and docs/architecture.md`);
      continue;
    }
    ++files;
    const lines = fs.readFileSync(file, "utf8").split("\n");
    lines.forEach((line, i) => {
      const m = /^\s*#\s*include\s+"([^"]+)"/.exec(line);
      if (!m) return;
      const target = targetOf(m[1], top);
      if (!target || target === unit) return;
      if (!levelOf.has(target)) {
        findings.push(`${rel}:${i + 1}: includes "${m[1]}" from ${target}, which is in no layer`);
        return;
      }
      if (levelOf.get(target) > levelOf.get(unit))
        findings.push(`${rel}:${i + 1}: includes "${m[1]}": ${unit} may not include ${target}, a higher layer`);
    });
  }
}

if (findings.length) {
  console.log(findings.join("\n"));
  console.log(`layers: ${findings.length} include(s) pointing up in ${files} files (the order: scripts/check_layers.mjs)`);
  process.exit(1);
}
console.log(`layers: ${files} files, every include points down or sideways within its folder`);
