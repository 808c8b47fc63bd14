#!/usr/bin/env bash
# Fails when any of the project's C++ files is not formatted by .clang-format, naming each
# file and the command that fixes it. Third-party code (third_party/, build/) is never checked.
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  mapfile -t files < <(git ls-files --cached --others --exclude-standard -- '*.cpp' '*.hpp' | while read -r f; do [ -f "$f" ] && echo "$f"; done)
else
  mapfile -t files < <(find shared relay wasm tests bench -name '*.cpp' -o -name '*.hpp')
fi
# One clang-format process for all files (one per file cost 10 s of process start-ups); its
# diagnostics name each file that differs.
report="$(clang-format --dry-run --Werror "${files[@]}" 2>&1)"
status=$?
mapfile -t bad < <(printf '%s\n' "$report" \
  | sed -nE 's/^([^:]+):[0-9]+:[0-9]+: (error|warning): code should be clang-formatted.*/\1/p' | sort -u)
if [ "$status" -ne 0 ] && [ ${#bad[@]} -eq 0 ]; then
  printf '%s\n' "$report"
  echo "clang-format failed"
  exit 1
fi
if [ ${#bad[@]} -gt 0 ]; then
  echo "Not formatted by .clang-format (${#bad[@]} file(s)):"
  printf '  %s\n' "${bad[@]}"
  echo "Fix with:"
  echo "  clang-format -i ${bad[*]}"
  exit 1
fi
echo "format: ${#files[@]} files checked, all formatted"
