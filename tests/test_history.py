"""Curators, the history and new editions: who may change data, every version kept, rollback exact."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from marketintel import history, reading, upload
from marketintel.access import LOCAL_USER, NotACurator, User, is_curator, user_from_claims
from marketintel.history import data_tree_hash, rollback, sync_disk_edits, versions
from marketintel.settings import settings
from marketintel.upload import install_market, stage_upload
from marketintel.validate import validate_data_dir

TELE = ("markets", "telemedicine")
CURATOR = User("curator@example.com", "curator@example.com", groups=("market-intel-curators",))
VIEWER = User("viewer@example.com", "viewer@example.com")


def market_files(data: Path, market: str = "telemedicine") -> dict[str, bytes]:
    folder = data / "markets" / market
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}


# -- who may change the data ----------------------------------------------------------------


def test_roles_from_config_and_claims():
    team = settings().team
    assert is_curator(LOCAL_USER)
    assert not is_curator(VIEWER)
    assert is_curator(user_from_claims({"sub": "x", "email": "a@b.c", team.group_claim: team.curator_groups[:1]}))
    listed = settings().model_copy(update={"team": team.model_copy(update={"curator_emails": ["Lead@Example.com"]})})
    assert is_curator(User("lead@example.com", "lead@example.com"), listed)
    assert not is_curator(None)


def test_a_viewer_is_refused_by_the_server_whatever_the_page_showed(data_copy, history_root):
    files = market_files(data_copy, "iomt")
    files["market.yaml"] = files["market.yaml"].replace(b"id: iomt", b"id: viewer-market", 1)
    files["insights.yaml"] = files["insights.yaml"].replace(b"id: iomt-", b"id: viewer-market-")
    staged = stage_upload(list(files.items()), data_copy)
    assert staged.ok, staged.problems
    before = data_tree_hash(data_copy)
    with pytest.raises(NotACurator):
        install_market(staged, data_copy, VIEWER, history_root)
    with pytest.raises(NotACurator):
        rollback(data_copy, history_root, 1, VIEWER)
    assert data_tree_hash(data_copy) == before
    assert versions(history_root) == []


# -- an upload against the whole data set ---------------------------------------------------


def test_a_copy_of_telemedicine_under_another_id_is_refused_and_names_what_it_would_take(data_copy):
    """The copy sorts before telemedicine, so saved it would take all 16 of its insight ids."""
    files = market_files(data_copy)
    files["market.yaml"] = files["market.yaml"].replace(b"id: telemedicine", b"id: remote-care", 1)
    staged = stage_upload(list(files.items()), data_copy)
    assert not staged.ok
    taken = [p for p in staged.problems if "insight id(s) from market 'telemedicine'" in p.message]
    assert taken and "16 insight id(s)" in taken[0].message, staged.problems
    assert len(validate_data_dir(data_copy).markets[-1].insights) == 16  # nothing was written


def test_an_upload_with_two_problems_lists_both(data_copy):
    files = market_files(data_copy, "iomt")
    files["market.yaml"] = (
        files["market.yaml"].replace(b"id: iomt", b"id: two-problems", 1).replace(b"currency: USD", b"currency: EUR")
    )
    files["insights.yaml"] = files["insights.yaml"].replace(b"id: iomt-", b"id: two-problems-")
    shares = files["shares.csv"].decode()
    line = next(ln for ln in shares.splitlines() if ",region," in ln and ",2025," in ln)
    value = line.split(",")[4]
    files["shares.csv"] = shares.replace(line, line.replace(f",{value},", f",{float(value) - 3:.1f},", 1)).encode()
    staged = stage_upload(list(files.items()), data_copy)
    messages = [f"{p.file} {p.location} {p.message}" for p in staged.problems if p.severity == "error"]
    assert any("currency" in m and "USD" in m for m in messages), messages
    assert any("shares.csv" in m and "sum to 97.0%" in m for m in messages), messages


def test_the_uploaded_market_yaml_is_read_by_the_bounded_reader(data_copy, monkeypatch):
    seen = []
    real = reading.decode_text

    def spy(raw: bytes) -> str:
        seen.append(len(raw))
        return real(raw)

    monkeypatch.setattr(upload, "decode_text", spy)
    files = market_files(data_copy, "iomt")
    files["market.yaml"] = "id: caf\u00e9\n".encode("cp1252")
    staged = stage_upload(list(files.items()), data_copy)
    assert seen, "the upload's market.yaml bypassed reading.decode_text"
    assert any("Windows-1252" in p.message for p in staged.problems), staged.problems


# -- a new edition: diff, apply, roll back ---------------------------------------------------


def new_edition(data: Path) -> dict[str, bytes]:
    """Telemedicine's primary source revised: a new 2032 figure and CAGR, one segment more."""
    files = market_files(data)
    files["figures.csv"] = files["figures.csv"].replace(b"r2011682,2032,397.21", b"r2011682,2032,410.00", 1)
    files["market.yaml"] = files["market.yaml"].replace(b"value_pct: 18.24", b"value_pct: 18.77", 1)
    return {"market.yaml": files["market.yaml"], "figures.csv": files["figures.csv"]}


def test_a_new_edition_shows_its_difference_applies_and_rolls_back_exactly(data_copy, history_root):
    before = data_tree_hash(data_copy)
    staged = stage_upload(list(new_edition(data_copy).items()), data_copy)
    assert staged.replaces == "telemedicine", staged.problems
    changed = {(c.what, c.key): (c.before, c.after) for c in staged.changes}
    assert changed[("figure", "r2011682 2032")] == ("397.21", "410")
    assert changed[("cagr", "r2011682")][1].startswith("18.77%")
    assert staged.ok, staged.problems

    install_market(staged, data_copy, CURATOR, history_root)
    after = data_tree_hash(data_copy)
    assert after != before
    kept = versions(history_root)
    assert [v.author for v in kept] == ["unknown (edited on disk)", CURATOR.identity]
    assert kept[0].tree_hash == before and kept[1].tree_hash == after
    assert kept[1].files["changed"] == ["markets/telemedicine/figures.csv", "markets/telemedicine/market.yaml"]
    assert "figure(s) changed" in kept[1].summary
    # Everything else of the market (shares, insights) was kept from the folder as it was.
    assert len(next(m for m in validate_data_dir(data_copy).markets if m.id == "telemedicine").insights) == 16

    restored = rollback(data_copy, history_root, kept[0].number, CURATOR)
    assert data_tree_hash(data_copy) == before
    assert restored.action == "rolled back to version 1" and restored.author == CURATOR.identity
    assert [v.number for v in versions(history_root)] == [1, 2, 3]
    # Rolling forward again is a rollback too: nothing was lost.
    rollback(data_copy, history_root, 2, CURATOR)
    assert data_tree_hash(data_copy) == after


def test_applying_a_stale_upload_is_refused(data_copy, history_root):
    staged = stage_upload(list(new_edition(data_copy).items()), data_copy)
    (data_copy / "markets" / "iomt" / "figures.csv").write_bytes(
        (data_copy / "markets" / "iomt" / "figures.csv").read_bytes() + b"\n"
    )
    with pytest.raises(upload.StaleUpload):
        install_market(staged, data_copy, CURATOR, history_root)


def test_disk_edits_become_versions_by_an_unknown_author(data_copy, history_root):
    first = sync_disk_edits(data_copy, history_root)
    assert first is not None and first.action == "first version kept"
    assert sync_disk_edits(data_copy, history_root) is None  # nothing changed
    figures = data_copy / "markets" / "iomt" / "figures.csv"
    figures.write_text(figures.read_text(encoding="utf-8").replace("7.95", "8.05"), encoding="utf-8")
    edit = sync_disk_edits(data_copy, history_root)
    assert edit is not None and edit.author == history.UNKNOWN_AUTHOR and edit.action == "edited on disk"
    assert edit.files["changed"] == ["markets/iomt/figures.csv"]
    assert any(c["what"] == "figure" and c["after"] == "8.05" for c in edit.changes), edit.changes
    record = json.loads((history_root / "versions" / f"{edit.number:06d}.json").read_text(encoding="utf-8"))
    assert record["author"] == history.UNKNOWN_AUTHOR
