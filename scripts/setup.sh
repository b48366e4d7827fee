#!/usr/bin/env bash
# Sets up a clone on Debian or Ubuntu, as root or as a user with sudo: installs the system packages
# Vigil needs (skipping those already there), then its npm dependencies.
#
#   bash scripts/setup.sh                everything the tests need (the README's test command and CI)
#   bash scripts/setup.sh --build-tools  only what `npm ci` needs (the demo and the bot itself)
set -euo pipefail
cd "$(dirname "$0")/.."

case "${1:-}" in
  '') with_test_tools=1 ;;
  --build-tools) with_test_tools=0 ;;
  *)
    echo "usage: bash scripts/setup.sh [--build-tools]" >&2
    exit 2
    ;;
esac

if ! command -v node >/dev/null 2>&1 \
  || ! node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 20 || (a === 20 && b >= 19) ? 0 : 1)'; then
  echo "setup: Vigil needs Node.js 20.19 or newer with npm (https://nodejs.org/en/download); install it first" >&2
  exit 1
fi

missing=()
# better-sqlite3 has no prebuilt binary for every platform: node-gyp then compiles it with g++, make
# and python3, during `npm ci`.
{ command -v g++ && command -v make; } >/dev/null 2>&1 || missing+=(build-essential)
command -v python3 >/dev/null 2>&1 || missing+=(python3)
# The incident chart's text (title, axes, deploy labels) is DejaVu Sans, read from this package's
# files (src/charts/render-incident-chart.ts); without it the demo's chart has no labels.
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || missing+=(fonts-dejavu-core)
if [ "$with_test_tools" -eq 1 ]; then
  # Integration tests run a real Prometheus (promtool backfills its history) and a real
  # Alertmanager (remediation creates silences in it).
  { command -v prometheus && command -v promtool; } >/dev/null 2>&1 || missing+=(prometheus)
  command -v prometheus-alertmanager >/dev/null 2>&1 || missing+=(prometheus-alertmanager)
  # The backend auth tests make a throwaway CA and server certificate with the openssl CLI.
  command -v openssl >/dev/null 2>&1 || missing+=(openssl)
fi

# Root needs no sudo (and a container often has none); anyone else does.
as_root() {
  if [ "$(id -u)" -eq 0 ]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    echo "setup: installing ${missing[*]} needs root: run this script as root, or install sudo" >&2
    exit 1
  fi
}

if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
if [ "$with_test_tools" -eq 1 ]; then
  # sed, not head: head would exit early and, under pipefail, fail the script on SIGPIPE.
  prometheus --version 2>&1 | sed -n 1p
  prometheus-alertmanager --version 2>&1 | sed -n 1p
fi

npm ci --no-audit --no-fund
# Fail here, with a clear message, if npm held back or botched the native build.
node -e "new (require('better-sqlite3'))(':memory:').prepare('select 1').get(); console.log('better-sqlite3 native module OK')"
