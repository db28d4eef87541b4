"""marketintel.warmup: the first page run's work done ahead, without building anything or missing an import."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

from data_helpers import FIXTURE_DATA

from marketintel import warmup
from marketintel.db import data_fingerprint, versioned_path

REPO = Path(__file__).resolve().parent.parent


def _page_imports() -> set[str]:
    """Every module app.py and pages/*.py import at their top level."""
    found = set()
    for script in [REPO / "app.py", *sorted((REPO / "pages").glob("*.py"))]:
        for node in ast.parse(script.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.Import):
                found |= {a.name for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module:
                found.add(node.module)
                # ``from marketintel import charts`` imports the module marketintel.charts
                found |= {f"{node.module}.{a.name}" for a in node.names if node.module == "marketintel"}
    return found


def _in_fresh_interpreter(code: str, env: dict[str, str]) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=REPO,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_warming_imports_every_module_the_pages_import():
    wanted = sorted(m for m in _page_imports() if m.split(".")[0] in {"marketintel", "pandas"})
    code = (
        "import json, sys\nfrom marketintel import warmup\nbefore = 'pandas' in sys.modules\n"
        "done = warmup.warm_imports()\n"
        f"print(json.dumps({{'before': before, 'done': done, 'missing': [m for m in {wanted!r} "
        "if m not in sys.modules]}))"
    )
    got = _in_fresh_interpreter(code, {})
    assert got["before"] is False, (
        "importing marketintel.warmup must not import pandas: the launcher imports it before the server starts"
    )
    assert got["done"] == list(warmup.WARM_MODULES)
    assert got["missing"] == [], f"pages import modules the warm-up leaves to the first reader: {got['missing']}"


def test_warming_the_first_run_draws_from_a_built_database_and_never_builds_one(tmp_path):
    target = tmp_path / "markets.duckdb"
    env = {"MARKETINTEL_DATA_DIR": str(FIXTURE_DATA), "MARKETINTEL_DATABASE": str(target)}
    code = "import json\nfrom marketintel import warmup\nprint(json.dumps({'drawn': warmup.warm_first_run()}))"
    assert _in_fresh_interpreter(code, env) == {"drawn": False}
    assert list(tmp_path.iterdir()) == [], "the warm-up built a database: that is the page's job, under its lock"

    built = versioned_path(target, data_fingerprint(FIXTURE_DATA))
    subprocess.run(
        [sys.executable, "-m", "marketintel", "build", "--data", str(FIXTURE_DATA), "--out", str(built)],
        cwd=REPO,
        check=True,
        capture_output=True,
    )
    assert _in_fresh_interpreter(code, env) == {"drawn": True}
