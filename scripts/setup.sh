#!/usr/bin/env bash
# Installs everything DONNA needs on a Debian 12 machine, as root. Idempotent: when every
# package is already there it only checks (about a second) and exits.
#
# What it does:
#   1. apt packages (toolchains, libraries, test tools), installed only when missing;
#   2. deb-src enabled from the machine's own apt sources (no archive host written here);
#   3. the source packages the WASM build compiles (imgui, opus, googletest, benchmark),
#      unpacked into third_party/src/ (git-ignored);
#   4. npm packages from the committed package-lock.json.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export DEBIAN_FRONTEND=noninteractive

packages=(
  # toolchains and build
  g++ cmake ninja-build dpkg-dev emscripten clang-format clang-tidy
  # the sanitizer tree's compiler and its ASan/UBSan runtime (CMakePresets.json, asan)
  clang libclang-rt-14-dev
  # compiler cache (cmake/donna_ccache.cmake): rebuilds and a second clone reuse objects
  ccache
  # native libraries
  libboost1.81-dev libboost-url1.81-dev libssl-dev libsodium-dev libsqlite3-dev
  nlohmann-json3-dev libopus-dev libgtest-dev libbenchmark-dev zlib1g-dev
  # the relay's demo mode speaks with espeak-ng's library
  libespeak-ng-dev
  # the outbox's email goes out over SMTP with libcurl (STARTTLS, implicit TLS, AUTH)
  libcurl4-openssl-dev
  # a phone call's audio: G.711 (mu-law, A-law) and G.722 from spandsp (relay/audio/phone_codec)
  libspandsp-dev
  # email as it is written: MIME, charsets, RFC 2047 headers, from GMime (Gmail's raw messages,
  # relay/providers/google/gmail_message)
  libgmime-3.0-dev
  # business hours in the business's own time zone: the zone files (relay/config/business_hours)
  tzdata
  # test audio and browser
  espeak-ng sox chromium
  # the SMTP tests' real mail server on loopback (STARTTLS, AUTH)
  python3-aiosmtpd
  # fallback node when none is on PATH (nodejs from Debian)
)
command -v node >/dev/null 2>&1 || packages+=(nodejs)
command -v npm  >/dev/null 2>&1 || packages+=(npm)

sudo_() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

# deb-src: the first stanza of the machine's own deb822 sources, as deb-src.
src_list=/etc/apt/sources.list.d/donna-deb-src.sources
updated=0
if [ ! -f "$src_list" ]; then
  if [ -f /etc/apt/sources.list.d/debian.sources ]; then
    awk 'BEGIN{RS=""; ORS="\n\n"} NR==1' /etc/apt/sources.list.d/debian.sources \
      | sed 's/^Types:.*/Types: deb-src/' | sudo_ tee "$src_list" >/dev/null
  elif [ -f /etc/apt/sources.list ]; then
    grep -E '^deb ' /etc/apt/sources.list | head -1 | sed 's/^deb /deb-src /' \
      | sudo_ tee /etc/apt/sources.list.d/donna-deb-src.list >/dev/null
    src_list=/etc/apt/sources.list.d/donna-deb-src.list
  fi
  sudo_ apt-get update -qq
  updated=1
fi

if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  [ $updated -eq 1 ] || sudo_ apt-get update -qq
  sudo_ apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Third-party sources for the WASM tree, from Debian's source packages.
tp="$root/third_party/src"
mkdir -p "$tp"
need_src=()
[ -f "$tp/imgui/imgui.cpp" ] || need_src+=(imgui)
[ -f "$tp/opus/celt_sources.mk" ] || need_src+=(opus)
[ -f "$tp/benchmark/src/benchmark.cc" ] || need_src+=(benchmark)
if [ ${#need_src[@]} -gt 0 ]; then
  dl="$root/third_party/download"
  rm -rf "$dl"; mkdir -p "$dl"
  (cd "$dl" && apt-get source --download-only -qq "${need_src[@]}" 2>&1 | grep -v 'unsandboxed' || true)
  for p in "${need_src[@]}"; do
    dsc=$(ls "$dl"/${p}_*.dsc | head -1)
    rm -rf "$tp/$p"
    dpkg-source -x --skip-patches "$dsc" "$tp/$p" >/dev/null 2>&1
    rm -f "$tp"/${p}_*.orig.tar.*
  done
  rm -rf "$dl"
fi

# npm packages (browser tests), exactly as locked.
if [ -f "$root/package-lock.json" ]; then
  if [ ! -d "$root/node_modules" ] || [ "$root/package-lock.json" -nt "$root/node_modules/.package-lock.json" ]; then
    (cd "$root" && npm ci --no-audit --no-fund --loglevel=error)
  fi
fi
echo "setup: ok"
