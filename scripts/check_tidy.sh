#!/usr/bin/env bash
# Runs clang-tidy (.clang-tidy) over the project's native sources through the compile
# database of a build tree (default build/native); any finding fails. Two files at a time.
#   scripts/check_tidy.sh [build-dir]
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
build="${1:-$root/build/native}"
if [ ! -f "$build/compile_commands.json" ]; then
  echo "no $build/compile_commands.json: configure the tree first (cmake --preset native)"
  exit 1
fi
# Files in the compile database that belong to us (not third_party/, not generated).
mapfile -t files < <(node -e '
  const db = require(process.argv[1]);
  const root = process.argv[2] + "/";
  const ours = /^(shared|relay|bench|tests)\//;
  const seen = new Set();
  for (const e of db) {
    const f = e.file.startsWith(root) ? e.file.slice(root.length) : null;
    if (f && ours.test(f) && !seen.has(f)) { seen.add(f); console.log(f); }
  }' "$build/compile_commands.json" "$root")
log="$(mktemp)"
printf '%s\n' "${files[@]}" | xargs -P2 -n1 clang-tidy -p "$build" --quiet >"$log" 2>&1
status=$?
findings=$(grep -cE '(warning|error): .*\[[a-z-]+' "$log" || true)
if [ "$status" -ne 0 ] || [ "$findings" -ne 0 ]; then
  grep -E -A3 '(warning|error): ' "$log"
  echo "clang-tidy: $findings finding(s) in ${#files[@]} files; fix them (or, only with a reason, add NOLINT(check) with a comment saying why)"
  rm -f "$log"
  exit 1
fi
rm -f "$log"
echo "clang-tidy: ${#files[@]} files, no findings"
