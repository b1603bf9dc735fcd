#!/usr/bin/env bash
# The whole test suite, with all of its set-up: a virtualenv in .venv, the Python package with its
# test extras, the W3C reference implementation (node, for interop tests) and Chromium (browser tests).
# Usage: bash scripts/test.sh [pytest args...]
set -euo pipefail
cd "$(dirname "$0")/.."

PY="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e '.[test]'

if command -v npm >/dev/null 2>&1 && [ -f interop/package-lock.json ]; then
  npm ci --prefix interop --no-audit --no-fund --loglevel=error
fi

# Debian packages the tests drive: Chromium (browser tests), poppler-utils and zbar-tools (the PDF
# certificate is read back as text and its QR code decoded), fonts-dejavu-core (certificate fonts).
missing=""
[ -x /usr/bin/chromium ] || missing="$missing chromium chromium-driver"
command -v pdftotext >/dev/null 2>&1 || missing="$missing poppler-utils"
command -v zbarimg >/dev/null 2>&1 || missing="$missing zbar-tools"
[ -d /usr/share/fonts/truetype/dejavu ] || missing="$missing fonts-dejavu-core"
if [ -n "$missing" ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing) >/dev/null \
    || echo "warning: could not install$missing; the tests that need them will be skipped"
fi

exec .venv/bin/python -m pytest "$@"
