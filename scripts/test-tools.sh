#!/usr/bin/env bash
# Installs the non-Python tools the browser and validator tests use, when they are missing:
# Debian's chromium (apt-get, root only) and the Nu HTML checker (npm vnu-jar, pinned).
# Missing tools make those tests skip locally with a reason; under CI=true they fail instead.
set -uo pipefail
cd "$(dirname "$0")/.."
if ! command -v chromium >/dev/null 2>&1 && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing chromium (Debian) for the browser tests..."
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
    || echo "could not install chromium; browser tests will skip (or fail under CI)"
fi
if [ -f package.json ] && command -v npm >/dev/null 2>&1 && [ ! -d node_modules ]; then
  echo "installing pinned npm tools (package-lock.json)..."
  npm ci --silent --no-audit --no-fund >/dev/null || echo "npm ci failed; validator tests will skip (or fail under CI)"
fi
exit 0
