#!/usr/bin/env bash
# One command from a fresh clone to a full test run: venv + dev requirements, Chromium for the
# browser tests (installed with apt when we are root and it is missing), then pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh requirements-dev.txt
if ! command -v chromium >/dev/null 2>&1 && [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "==> installing Debian's chromium and a CJK font for the browser tests"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null
  else
    echo "==> chromium not found and cannot be installed here: browser tests will be skipped"
  fi
fi
echo "==> running the test suite"
exec .venv/bin/python -m pytest "$@"
