#!/usr/bin/env bash
# Sets up, builds, and runs DONNA's main job: the relay serving the browser client on
# http://127.0.0.1:8080 (no API keys needed). Ctrl-C stops it.
#   DONNA_PORT=9000 scripts/run.sh      # other settings: see README.md
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
bash scripts/setup.sh
bash scripts/build.sh wasm native
# A .env beside the project sets variables not already in the environment.
if [ -f .env ]; then
  while IFS='=' read -r key value; do
    case "$key" in ''|\#*) continue ;; esac
    [ -n "${!key+x}" ] || export "$key=$value"
  done < .env
fi
export DONNA_WEB_ROOT="${DONNA_WEB_ROOT:-$root/build/wasm/site}"
exec "$root/build/native/relay/donna-relay"
