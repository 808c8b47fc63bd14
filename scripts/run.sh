#!/usr/bin/env bash
# Sets up, builds, and runs DONNA's main job: the relay serving the browser client on
# http://127.0.0.1:8080 (no API keys needed). Ctrl-C stops it.
#   DONNA_PORT=9000 scripts/run.sh      # other settings: see README.md
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
bash scripts/setup.sh
bash scripts/build.sh wasm native
# The relay reads .env itself (DONNA_ENV_FILE; values already in the environment win), so
# SIGHUP after editing it rotates keys. With no OpenAI key the relay runs the demo: a local
# simulated assistant (never used when OPENAI_API_KEY is set).
export DONNA_ENV_FILE="${DONNA_ENV_FILE:-$root/.env}"
export DONNA_DEMO="${DONNA_DEMO:-1}"
export DONNA_WEB_ROOT="${DONNA_WEB_ROOT:-$root/build/wasm/site}"
exec "$root/build/native/relay/donna-relay"
