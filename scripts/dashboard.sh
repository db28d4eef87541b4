#!/usr/bin/env bash
# One command from a fresh clone to a running dashboard: venv + requirements, data build, server.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh requirements.txt
echo "==> validating data/ and building the database"
.venv/bin/python -m marketintel build
echo "==> serving the dashboard on http://localhost:${PORT:-8501}"
# streamlit run app.py, its first page run's work done while the first browser loads (scripts/serve.py).
exec .venv/bin/python scripts/serve.py --server.port "${PORT:-8501}" "$@"
