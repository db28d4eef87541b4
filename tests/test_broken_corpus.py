"""The broken-market corpus (tests/broken_markets/): real files, each a market broken in one place.

Every case is copied beside the four real markets and validated: the problem must name the file,
place and issue the manifest (``cases.yaml``) gives, the broken market must load or not as the
manifest says, and the real markets must come through untouched. Then everything is broken at
once: the strict CLI, the app's pages, and the data folder's bytes (validation never writes).
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from data_helpers import DATA, MARKETS, ROOT

from marketintel.db import build_database
from marketintel.validate import validate_data_dir

CORPUS = Path(__file__).resolve().parent / "broken_markets"
CASES: list[dict] = yaml.safe_load((CORPUS / "cases.yaml").read_text(encoding="utf-8"))["cases"]
#: Cases the validator is expected to catch today (an ``xfail`` case documents a known gap).
CAUGHT = [c for c in CASES if not c.get("xfail")]
BIG_FILE_BYTES = 50_000_000
#: A containment bound, not a speed target (speed is bench/'s job): a hostile file (an alias bomb, deep
#: nesting) must not hang validation. Generous, because CI machines are shared and noisy.
SECONDS_PER_CASE = 30.0


# -- building data folders ------------------------------------------------------------------


def _big_figures(folder: Path, outside: Path) -> None:
    """A ~50 MB figures.csv: a valid header and rows, just far too many of them."""
    row = b"src1,2025,10.0,base year," + b"x" * 70 + b"\n"
    with open(folder / "figures.csv", "wb") as fh:
        fh.write(b"source_id,year,value,role,note\n")
        block = row * 10_000
        for _ in range(BIG_FILE_BYTES // len(block) + 1):
            fh.write(block)


def _symlink_outside(folder: Path, outside: Path) -> None:
    """market.yaml becomes a link to a (valid) file outside the data folder."""
    target = outside / folder.name / "market.yaml"
    target.parent.mkdir(parents=True)
    shutil.move(folder / "outside-market.yaml", target)
    os.symlink(target, folder / "market.yaml")


GENERATORS = {"big_figures": _big_figures, "symlink_outside": _symlink_outside}


def install(case: dict, data: Path, outside: Path) -> Path:
    """Copy a case folder into ``data/markets`` and finish it if its files are made at run time."""
    folder = data / "markets" / case["folder"]
    shutil.copytree(CORPUS / case["folder"], folder)
    if case.get("generated"):
        GENERATORS[case["generated"]](folder, outside)
    return folder


def data_with(tmp: Path, cases: list[dict]) -> Path:
    """A copy of the real data folder with the given cases added under markets/."""
    data = tmp / "data"
    shutil.copytree(DATA, data)
    for case in cases:
        install(case, data, tmp / "outside")
    return data


def tree_hash(root: Path) -> dict[str, str]:
    """Every entry under ``root``: a file's bytes and mtime, a link's target, a folder's name."""
    out = {}
    for p in sorted(root.rglob("*")):
        rel = p.relative_to(root).as_posix()
        st = p.lstat()
        if p.is_symlink():
            out[rel] = f"link -> {os.readlink(p)}"
        elif p.is_dir():
            out[rel] = "dir"
        else:
            out[rel] = f"{hashlib.sha256(p.read_bytes()).hexdigest()} {st.st_size} {st.st_mtime_ns} {st.st_mode:o}"
    return out


def matches(problem, case: dict) -> bool:
    return (
        problem.severity == case["severity"]
        and problem.file == case["file"]
        and case["location"] in problem.location
        and case["message"] in problem.message
    )


@pytest.fixture(scope="module")
def real_catalog():
    return {m.id: m for m in validate_data_dir(DATA).markets}


@pytest.fixture(scope="module")
def all_broken(tmp_path_factory):
    """One data folder holding every case at once, with its hashes taken before anything reads it."""
    data = data_with(tmp_path_factory.mktemp("all_broken"), CASES)
    return data, tree_hash(data)


# -- the manifest itself --------------------------------------------------------------------


def test_manifest_lists_every_case_folder_once():
    folders = sorted(p.name for p in CORPUS.iterdir() if p.is_dir() and not p.name.startswith(("_", ".")))
    assert sorted(c["folder"] for c in CASES) == folders
    assert len(CASES) >= 32
    for c in CASES:
        assert c["id"] == f"broken-{c['folder']}"
        assert c["file"].startswith(f"markets/{c['folder']}/")
        assert c["severity"] in ("error", "warning")
        assert c.get("generated") in (None, *GENERATORS)


# -- one case at a time ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "case",
    [
        pytest.param(
            c, id=c["folder"], marks=[pytest.mark.xfail(strict=True, reason=c["xfail"])] if c.get("xfail") else []
        )
        for c in CASES
    ],
)
def test_case_is_reported_and_contained(case, tmp_path, real_catalog):
    start = time.perf_counter()
    data = data_with(tmp_path, [case])
    catalog = validate_data_dir(data)
    elapsed = time.perf_counter() - start
    listing = "\n".join(str(p) for p in catalog.problems) or "(no problems)"

    assert any(matches(p, case) for p in catalog.problems), (
        f"expected {case['severity']} on {case['file']} [{case['location']}] ~ {case['message']!r}; found:\n{listing}"
    )
    # The defect is reported against the case's own folder and nothing else.
    assert all(p.file.startswith(f"markets/{case['folder']}/") for p in catalog.problems), listing

    loaded = {m.id: m for m in catalog.markets}
    for real in MARKETS:
        assert loaded.get(real) == real_catalog[real], f"real market {real} changed or was dropped"
    broken = loaded.get(case["id"])
    assert (broken is not None) == case["loads"], listing
    assert set(loaded) == set(MARKETS) | ({case["id"]} if case["loads"] else set())
    if broken is not None:
        assert [(f.year, f.value) for f in broken.figures] == [(2025, 10.0), (2032, 20.0)]
        assert sorted({s.dimension for s in broken.shares}) == sorted(case["share_dimensions"])
        assert len(broken.insights) == case["insights"]
    assert elapsed < SECONDS_PER_CASE, f"{case['folder']} took {elapsed:.1f} s"


# -- everything broken at once --------------------------------------------------------------


def test_strict_cli_fails_and_names_every_case(all_broken):
    data, before = all_broken
    result = subprocess.run(
        [sys.executable, "-m", "marketintel", "validate", "--strict", "--data", str(data)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1, result.stdout + result.stderr
    out = result.stdout
    missing = [c["folder"] for c in CAUGHT if f"markets/{c['folder']}/" not in out]
    assert not missing, f"not named in the output: {missing}\n{out}"
    loads = sum(c["loads"] for c in CASES)
    assert f"{len(MARKETS) + loads} market(s) loaded;" in out
    assert tree_hash(data) == before


def test_validation_and_build_never_write_into_the_data_folder(all_broken, tmp_path):
    data, before = all_broken
    catalog = validate_data_dir(data)
    assert {c["id"] for c in CASES if c["loads"]} | set(MARKETS) == {m.id for m in catalog.markets}
    build_database(data, tmp_path / "db" / "markets.duckdb")
    assert tree_hash(data) == before


def test_app_pages_with_every_case_broken_at_once(all_broken, tmp_path, monkeypatch):
    from streamlit.testing.v1 import AppTest

    data, before = all_broken
    monkeypatch.setenv("MARKETINTEL_DATA_DIR", str(data))
    monkeypatch.setenv("MARKETINTEL_DATABASE", str(tmp_path / "db.duckdb"))

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    captions = " ".join(c.value for c in at.caption).replace("\\", "")
    shown = {m.value for m in at.metric} | set(re.findall(r"[0-9][0-9.,]*", captions))
    assert {"145.08", "988.79"} <= shown  # the largest markets get cards (overview_max_markets)
    # Every market that loaded is in the all-markets table under the cards; refused ones are not.
    everything = next(df.value for df in at.dataframe if df.value.index.name == "Market")
    names = set(everything.index)
    assert {
        "Connected Healthcare",
        "Internet of Medical Things (IoMT)",
        "Telemedicine",
        "Metaverse in Healthcare",
    } <= names
    assert "Broken case 17-cagr-contradiction" in names
    assert "Broken case 01-malformed-yaml" not in names

    at.switch_page("pages/data.py").run()
    assert not at.exception, [e.value for e in at.exception]
    reports = [df.value for df in at.dataframe if {"severity", "file", "location", "message"} <= set(df.value.columns)]
    assert len(reports) == 1, "expected one validation report table"
    report = reports[0]
    missing = [
        c["folder"]
        for c in CAUGHT
        if not (
            (report["severity"] == c["severity"])
            & (report["file"] == c["file"])
            & report["location"].str.contains(c["location"], regex=False)
            & report["message"].str.contains(c["message"], regex=False)
        ).any()
    ]
    assert not missing, f"cases without their problem in the validation report: {missing}"
    assert not report["file"].str.startswith(tuple(f"markets/{m}/" for m in MARKETS)).any()
    assert any("error(s)" in e.value for e in at.error)

    # A market that loads with only part of its shares (region's were refused) still explores.
    at.query_params["market"] = "broken-08-shares-sum-90"
    at.switch_page("pages/explorer.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert [t.value.replace("\\", "") for t in at.title] == ["Broken case 08-shares-sum-90"]

    assert tree_hash(data) == before
