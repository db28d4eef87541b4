"""Uploads: validated in full before anything is written; a valid market appears, an invalid one changes nothing."""

from __future__ import annotations

import hashlib
import io
import time
import zipfile
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from marketintel.access import LOCAL_USER
from marketintel.upload import install_market, stage_upload
from marketintel.validate import validate_data_dir

REPO = Path(__file__).resolve().parent.parent
IOMT = REPO / "data" / "markets" / "iomt"


def tree_hash(root: Path) -> str:
    h = hashlib.sha256()
    for p in sorted(root.rglob("*")):
        if p.is_file():
            h.update(p.relative_to(root).as_posix().encode() + p.read_bytes())
    return h.hexdigest()


def new_market_files(market_id: str = "uploaded-market") -> dict[str, bytes]:
    files = {p.name: p.read_bytes() for p in IOMT.iterdir() if p.is_file()}
    files["market.yaml"] = files["market.yaml"].replace(b"id: iomt", f"id: {market_id}".encode(), 1)
    files["insights.yaml"] = files["insights.yaml"].replace(b"id: iomt-", f"id: {market_id}-".encode())
    return files


def as_zip(files: dict[str, bytes], extra: dict[str, bytes] | None = None) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, content in {**files, **(extra or {})}.items():
            z.writestr(name, content)
    return buf.getvalue()


def test_valid_upload_is_installed_atomically(data_copy):
    staged = stage_upload(list(new_market_files().items()), data_copy)
    assert staged.ok, staged.problems
    before = tree_hash(data_copy)
    assert tree_hash(data_copy) == before  # staging wrote nothing
    folder = install_market(staged, data_copy, LOCAL_USER, data_copy.parent / "history")
    assert folder == data_copy / "markets" / "uploaded-market"
    assert not [p for p in (data_copy / "markets").iterdir() if p.name.startswith(".")]
    assert "uploaded-market" in {m.id for m in validate_data_dir(data_copy).markets}


def test_zip_upload_with_a_top_folder(data_copy):
    files = {f"mine/{k}": v for k, v in new_market_files("zipped").items()}
    staged = stage_upload([("mine.zip", as_zip(files))], data_copy)
    assert staged.ok, staged.problems


@pytest.mark.parametrize(
    "mutate, expect",
    [
        (lambda f: f.update({"shares.csv": f["shares.csv"].replace(b",30.0,", b",90.0,", 1)}), "sum to"),
        (lambda f: f.pop("market.yaml"), "market.yaml"),
        (lambda f: f.update({"figures.csv": b"source_id,year\nr1997137,2025\n"}), "missing column"),
        (lambda f: f.update({"evil.py": b"import os"}), "not a market file"),
        (lambda f: f.update({"insights.yaml": b"insights:\n  - id: x-<script>\n"}), "insights"),
    ],
)
def test_invalid_upload_changes_nothing_and_lists_problems(data_copy, mutate, expect):
    files = new_market_files()
    mutate(files)
    before = tree_hash(data_copy)
    staged = stage_upload(list(files.items()), data_copy)
    assert not staged.ok
    assert any(expect in f"{p.file} {p.location} {p.message}" for p in staged.problems), staged.problems
    with pytest.raises(ValueError):
        install_market(staged, data_copy, LOCAL_USER, data_copy.parent / "history")
    assert tree_hash(data_copy) == before


@pytest.mark.parametrize("name", ["../escape.csv", "/abs/market.yaml", "a/b/c/market.yaml"])
def test_zip_with_unsafe_paths_is_refused(data_copy, name):
    before = tree_hash(data_copy)
    staged = stage_upload([("bad.zip", as_zip(new_market_files(), {name: b"x"}))], data_copy)
    assert not staged.ok and any("unsafe" in p.message for p in staged.problems)
    assert tree_hash(data_copy) == before


@pytest.mark.parametrize(
    "market_yaml",
    [
        # ten aliases per level over eight levels: 10**8 nodes once expanded (as validating it would)
        "\n".join(["s0: &s0 [x]"] + [f"s{i}: &s{i} [{', '.join([f'*s{i - 1}'] * 10)}]" for i in range(1, 9)])
        + "\nid: bomb\n",
        "loop: &loop [*loop]\nid: loop\n",
        "[" * 50_000 + "]" * 50_000 + "\n",
    ],
    ids=["alias-bomb", "self-alias", "deep-nesting"],
)
def test_hostile_market_yaml_is_refused_fast(data_copy, market_yaml):
    files = new_market_files()
    files["market.yaml"] = market_yaml.encode()
    start = time.perf_counter()
    staged = stage_upload(list(files.items()), data_copy)
    assert time.perf_counter() - start < 10
    assert not staged.ok and staged.market_id is None
    assert any(p.file.endswith("/market.yaml") and "refused" in p.message for p in staged.problems), staged.problems


def test_not_a_zip_and_oversized_files_are_refused(data_copy):
    staged = stage_upload([("x.zip", b"not a zip")], data_copy)
    assert any("not a readable zip" in p.message for p in staged.problems)
    files = new_market_files()
    files["figures.csv"] = b"x" * 6_000_000
    staged = stage_upload(list(files.items()), data_copy)
    assert any("limit" in p.message for p in staged.problems)


def test_upload_page_saves_a_valid_market_and_it_appears(tmp_path, monkeypatch, data_copy):
    monkeypatch.setenv("MARKETINTEL_DATA_DIR", str(data_copy))
    monkeypatch.setenv("MARKETINTEL_DATABASE", str(tmp_path / "db.duckdb"))
    at = AppTest.from_file(REPO / "app.py", default_timeout=90)
    at.run()
    at.switch_page("pages/data.py").run()
    assert not at.exception
    # AppTest has no file-upload driver; the page's logic is the two functions it calls.
    staged = stage_upload(list(new_market_files("page-upload").items()), data_copy)
    install_market(staged, data_copy, LOCAL_USER, data_copy.parent / "history")
    at.switch_page("pages/explorer.py")
    at.query_params["market"] = "page-upload"
    at.run()
    assert not at.exception
    assert at.title[0].value.replace("\\", "") == "Internet of Medical Things (IoMT)", [w.value for w in at.warning]
    assert not at.warning or "could not use" not in " ".join(w.value for w in at.warning)
