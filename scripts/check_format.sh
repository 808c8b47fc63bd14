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
bad=()
for f in "${files[@]}"; do
  if ! clang-format --dry-run --Werror "$f" >/dev/null 2>&1; then
    bad+=("$f")
  fi
done
if [ ${#bad[@]} -gt 0 ]; then
  echo "Not formatted by .clang-format (${#bad[@]} file(s)):"
  printf '  %s\n' "${bad[@]}"
  echo "Fix with:"
  echo "  clang-format -i ${bad[*]}"
  exit 1
fi
echo "format: ${#files[@]} files checked, all formatted"
