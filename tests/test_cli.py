"""The curators' command line, run as curators run it: ``python -m marketintel ...``."""

from __future__ import annotations

import subprocess
import sys

import duckdb
from data_helpers import ROOT, edit_row

from marketintel.__main__ import main


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "marketintel", *args], cwd=ROOT, capture_output=True, text=True, timeout=60
    )


def test_validate_strict_on_real_data_exits_0():
    result = run("validate", "--strict")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "4 market(s) loaded; 0 error(s), 0 warning(s)" in result.stdout


def test_validate_strict_on_broken_copy_exits_1_and_lists_the_problem(data_copy):
    line = edit_row(data_copy / "markets/iomt/figures.csv", {"year": "2026"}, value="lots")
    result = run("validate", "--strict", "--data", str(data_copy))
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"ERROR: markets/iomt/figures.csv [line {line}, column value]:" in result.stdout
    assert "4 market(s) loaded; 1 error(s), 0 warning(s)" in result.stdout


def test_warnings_fail_strict_but_not_plain_validate(data_copy, capsys):
    p = data_copy / "markets/telemedicine/market.yaml"
    p.write_text(p.read_text(encoding="utf-8").replace("value_pct: 18.24", "value_pct: 12.0"), encoding="utf-8")
    assert main(["validate", "--data", str(data_copy)]) == 0
    assert main(["validate", "--strict", "--data", str(data_copy)]) == 1
    out = capsys.readouterr().out
    assert "WARNING: markets/telemedicine/market.yaml [sources[0].cagr]" in out and "implies 18.2" in out


def test_build_out_writes_the_database(data_copy, tmp_path):
    out = tmp_path / "cli" / "markets.duckdb"
    result = run("build", "--data", str(data_copy), "--out", str(out), "--strict")
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"built {out}" in result.stdout
    con = duckdb.connect(str(out), read_only=True)
    try:
        assert con.execute("SELECT count(*) FROM markets").fetchone()[0] == 4
        assert con.execute("SELECT value FROM meta WHERE key = 'data_dir'").fetchone()[0] == str(data_copy)
    finally:
        con.close()


def test_build_strict_with_a_problem_still_writes_but_exits_1(data_copy, tmp_path):
    edit_row(data_copy / "markets/iomt/figures.csv", {"year": "2026"}, year="1800")
    out = tmp_path / "db.duckdb"
    assert main(["build", "--data", str(data_copy), "--out", str(out), "--strict"]) == 1
    assert out.exists()


def test_i18n_check_passes_when_every_message_is_translated():
    result = run("i18n", "check")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip().endswith("0 message(s) without a Chinese translation")


def test_history_lists_versions_and_records_an_edit_made_on_disk(data_copy, capsys):
    assert main(["history", "--data", str(data_copy)]) == 0
    assert "   1  " in capsys.readouterr().out
    edit_row(data_copy / "markets/iomt/figures.csv", {"year": "2026"}, value="1.80")
    assert main(["history", "--data", str(data_copy)]) == 0
    out = capsys.readouterr().out
    assert "   2  " in out and "unknown (edited on disk)  edited on disk: iomt: 1 figure(s) changed" in out
