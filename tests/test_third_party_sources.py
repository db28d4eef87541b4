"""Other publishers' figures (the shared third-party file) are in the data exactly as stated.

Each publisher entry of ``../shared/sources/third-party-figures.yaml`` (and the earlier edition it
lists) must be a non-primary source of its market, with every stated point, its CAGR and period,
its URL and its publication date at the precision stated. The seed report stays each market's
primary source.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml
from data_helpers import DATA

from marketintel.settings import resolve_path

#: The shared file the curated sources were taken from; ``MARKETINTEL_SOURCES_FILE`` overrides it.
SOURCES_FILE = resolve_path(
    os.environ.get("MARKETINTEL_SOURCES_FILE") or "../shared/sources/third-party-figures.yaml"
).resolve()


def require_sources_file() -> None:
    """Skip (with the reason) where the shared file is not beside the repo; in CI it must be."""
    if not SOURCES_FILE.is_file():
        message = f"third-party figures not found at {SOURCES_FILE} (set MARKETINTEL_SOURCES_FILE)"
        if os.environ.get("CI"):
            pytest.fail(message + "; CI must have it")
        pytest.skip(message)


def short_publisher(name: str) -> str:
    """The publisher as the data names it: the shared file's doubts in brackets go to the notes."""
    return name.split(" (", 1)[0].strip()


def stated_date(published) -> str | None:
    """The publication date at the precision the shared file states it (2023, 2024-09 or null)."""
    return None if published is None else str(published)


def expected_entries() -> list[dict]:
    """One record per stated source: each publisher entry, and each earlier edition on its own."""
    require_sources_file()
    shared = yaml.safe_load(SOURCES_FILE.read_text(encoding="utf-8"))
    assert isinstance(shared, dict) and shared, f"{SOURCES_FILE} holds no markets"
    out = []
    for market_id, entries in shared.items():
        for n, entry in enumerate(entries):
            current = {
                "market_id": market_id,
                "label": f"{market_id}[{n}] {entry['publisher']}",
                "publisher": short_publisher(entry["publisher"]),
                "report_code": None if entry.get("report_id") is None else str(entry["report_id"]),
                "date": stated_date(entry.get("published")),
                "url": entry.get("url"),
                "points": entry["points"],
                "cagr": entry["cagr"],
                "edition_of": None,
            }
            out.append(current)
            earlier = entry.get("earlier_edition")
            if earlier:
                out.append(
                    {
                        **current,
                        "label": current["label"] + " (earlier edition)",
                        "report_code": None if earlier.get("report_id") is None else str(earlier["report_id"]),
                        "date": stated_date(earlier.get("published")),
                        "url": earlier.get("url"),  # the shared file gives none: the data must give none either
                        "points": earlier["points"],
                        "cagr": earlier["cagr"],
                        "edition_of": current,  # resolved to a source id below
                    }
                )
    return out


def _rows(con, sql: str, params: list) -> list[dict]:
    cursor = con.execute(sql, params)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


def _matches(con, entry: dict) -> list[dict]:
    """Sources of the entry's market, by its publisher, whose figures are exactly the stated points."""
    found = []
    for src in _rows(
        con, "SELECT * FROM sources WHERE market_id = ? AND publisher = ?", [entry["market_id"], entry["publisher"]]
    ):
        figures = dict(
            con.execute(
                "SELECT year, value FROM source_figures WHERE market_id = ? AND source_id = ?",
                [entry["market_id"], src["source_id"]],
            ).fetchall()
        )
        stated = {int(year): float(value) for year, value in entry["points"].items()}
        if set(figures) == set(stated) and all(figures[y] == pytest.approx(v, abs=1e-9) for y, v in stated.items()):
            found.append(src)
    return found


def test_every_third_party_point_is_in_the_data_as_stated(con):
    entries = expected_entries()
    loaded = {m for (m,) in con.execute("SELECT market_id FROM markets").fetchall()}
    matched: dict[int, dict] = {}
    for entry in entries:
        assert entry["market_id"] in loaded, f"{entry['label']}: market not loaded"
        hits = _matches(con, entry)
        assert len(hits) == 1, (
            f"{entry['label']}: expected one source of {entry['market_id']} by {entry['publisher']!r} "
            f"with exactly the points {entry['points']}, found {[h['source_id'] for h in hits]}"
        )
        src = hits[0]
        matched[id(entry)] = src
        where = f"{entry['label']} ({src['source_id']})"
        assert src["is_primary"] is False, where
        assert src["cagr_pct"] == pytest.approx(float(entry["cagr"]["pct"]), abs=1e-9), where
        assert (src["cagr_start"], src["cagr_end"]) == (entry["cagr"]["from"], entry["cagr"]["to"]), where
        assert src["url"] == entry["url"], where
        assert src["date"] == entry["date"], where
        assert src["report_code"] == entry["report_code"], where
        assert src["accessed"] is not None, where
    for entry in entries:
        src = matched[id(entry)]
        want = matched[id(entry["edition_of"])]["source_id"] if entry["edition_of"] else None
        assert src["edition_of"] == want, f"{entry['label']} ({src['source_id']}): edition_of"
    # Every record found its own source: no two entries were satisfied by one.
    assert len({(s["market_id"], s["source_id"]) for s in matched.values()}) == len(entries)


def test_the_seed_report_stays_each_markets_primary_source(con):
    primaries = dict(con.execute("SELECT market_id, primary_source_id FROM markets").fetchall())
    folders = sorted(Path(DATA, "markets").glob("*/market.yaml"))
    assert folders
    for path in folders:
        spec = yaml.safe_load(path.read_text(encoding="utf-8"))
        seeds = [s for s in spec["sources"] if s.get("primary")]
        assert len(seeds) == 1, path
        assert seeds[0].get("document"), f"{path}: the primary source should be the seed report"
        assert primaries[spec["id"]] == seeds[0]["id"], path
        is_primary = dict(
            con.execute("SELECT source_id, is_primary FROM sources WHERE market_id = ?", [spec["id"]]).fetchall()
        )
        assert [s for s, p in is_primary.items() if p] == [seeds[0]["id"]], path
