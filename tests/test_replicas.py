"""Two server processes on one data folder, as two replicas behind a proxy would be.

Each replica runs the app's own data path (``marketintel.ui.data.query``: the fingerprint refresh,
the build, the cached read-only connection) in a loop. A market added through the upload appears in
both within seconds; the data is edited over and over so both rebuild at the same time, and neither
ever meets DuckDB's file lock, a missing file or a half-written database.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from marketintel.access import LOCAL_USER
from marketintel.upload import install_market, stage_upload

ROOT = Path(__file__).resolve().parent.parent
APPEARS_WITHIN_S = 6.0

REPLICA = textwrap.dedent(
    """
    import json, sys, time, traceback, logging
    from pathlib import Path
    logging.disable(logging.WARNING)  # Streamlit's bare-mode warnings
    from marketintel import queries
    from marketintel.ui import data

    out, stop, deadline = sys.argv[1], Path(sys.argv[2]), time.time() + 60
    with open(out, "w") as fh:
        while not stop.exists() and time.time() < deadline:
            try:
                ids = sorted(data.query(queries.market_list)["market_id"])
                fh.write(json.dumps({"t": time.time(), "markets": ids}) + "\\n")
            except Exception as exc:
                fh.write(json.dumps({"t": time.time(), "error": repr(exc), "trace": traceback.format_exc()}) + "\\n")
            fh.flush()
            time.sleep(0.05)
    """
)


def _records(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def test_two_replicas_see_each_others_changes_and_never_collide(data_copy, tmp_path):
    env = {
        **os.environ,
        "MARKETINTEL_DATA_DIR": str(data_copy),
        "MARKETINTEL_DATABASE": str(tmp_path / "build" / "markets.duckdb"),  # one build folder for both
        "MARKETINTEL_HISTORY_DIR": str(tmp_path / "history"),
        "PYTHONPATH": str(ROOT),
    }
    stop = tmp_path / "stop"
    outs = [tmp_path / f"replica{i}.jsonl" for i in range(2)]
    procs = [subprocess.Popen([sys.executable, "-c", REPLICA, str(out), str(stop)], cwd=ROOT, env=env) for out in outs]
    try:
        # Both start cold at once: the first build of the same data version is raced.
        deadline = time.time() + 15
        while not all(out.exists() and any("markets" in r for r in _records(out)) for out in outs):
            assert time.time() < deadline, [_records(o) for o in outs if o.exists()]
            time.sleep(0.2)
        # Edits on disk while both are reading: each edit is a new data version both rebuild at the same time.
        figures = data_copy / "markets" / "iomt" / "figures.csv"
        original = figures.read_text(encoding="utf-8")
        for i in range(4):
            figures.write_text(original.replace("7.95", f"7.9{i}"), encoding="utf-8")
            time.sleep(0.6)
        figures.write_text(original, encoding="utf-8")
        # A market added through the upload (as one replica's curator would).
        files = {p.name: p.read_bytes() for p in (data_copy / "markets" / "iomt").iterdir()}
        files["market.yaml"] = files["market.yaml"].replace(b"id: iomt", b"id: added-by-replica", 1)
        files["insights.yaml"] = files["insights.yaml"].replace(b"id: iomt-", b"id: added-by-replica-")
        staged = stage_upload(list(files.items()), data_copy)
        assert staged.ok, staged.problems
        install_market(staged, data_copy, LOCAL_USER, tmp_path / "history")
        added_at = time.time()
        while time.time() < added_at + APPEARS_WITHIN_S + 2 and not all(
            any("added-by-replica" in r.get("markets", []) for r in _records(out)) for out in outs
        ):
            time.sleep(0.2)
        time.sleep(0.5)  # a few more reads of the new version
        stop.touch()
        for proc in procs:
            proc.wait(timeout=60)
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
    for out in outs:
        records = _records(out)
        errors = [r for r in records if "error" in r]
        assert not errors, errors[0]["trace"]
        seen = [r["t"] for r in records if "added-by-replica" in r.get("markets", []) and r["t"] >= added_at]
        assert seen, f"{out.name} never saw the new market"
        print(f"{out.name}: the new market appeared {seen[0] - added_at:.2f} s after it was saved")
        assert seen[0] - added_at < APPEARS_WITHIN_S, f"{out.name} saw it after {seen[0] - added_at:.1f} s"
        assert len(records) > 20
    # Only whole database files were ever left behind (no temporary files).
    assert not list((tmp_path / "build").glob("*.tmp"))
