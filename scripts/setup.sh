#!/usr/bin/env bash
# Shared set-up: a virtual environment in .venv with the pinned requirements.
# Usage: scripts/setup.sh [requirements file]   (re-running is cheap: pip skips what is installed)
set -euo pipefail
cd "$(dirname "$0")/.."
req="${1:-requirements.txt}"
python="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  echo "==> creating .venv with $($python --version)"
  "$python" -m venv .venv
fi
stamp=".venv/.installed-$(basename "$req")-$(cat requirements*.txt | sha256sum | cut -c1-12)"
if [ ! -f "$stamp" ]; then
  echo "==> installing $req"
  .venv/bin/pip install --quiet --disable-pip-version-check -r "$req"
  touch "$stamp"
fi
