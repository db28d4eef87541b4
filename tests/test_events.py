"""Dated events: the curated file as the sources state them, and every way a curator can get it wrong."""

from __future__ import annotations

import shutil

import pytest
from data_helpers import DATA

from marketintel import queries
from marketintel.validate import validate_data_dir


def test_the_curated_events_are_the_sources_facts(con):
    ev = queries.events(con).set_index("event_id")
    assert list(ev.index) == [
        "precedence-metaverse-2022",
        "precedence-metaverse-2024",
        "us-tariffs-2025",
        "metaverse-article-2026",
    ]
    tariffs = ev.loc["us-tariffs-2025"]
    assert tariffs["date"] == "2025" and tariffs["position"] == 2025.0 and bool(tariffs["all_markets"])
    assert set(tariffs["sources"].split(",")) == {"r2006494", "r1993166", "r2011682", "r1997137"}
    assert ev.loc["metaverse-article-2026", "date"] == "2026-01-11"  # the article's own date
    assert ev.loc["precedence-metaverse-2022", "position"] == pytest.approx(2022 + 7 / 12)  # August
    # Only what concerns a market: telemedicine gets the tariffs and none of the metaverse editions.
    assert list(queries.events(con, ["telemedicine"])["event_id"]) == ["us-tariffs-2025"]


def _copy(tmp_path, events_text: str):
    root = tmp_path / "data"
    shutil.copytree(DATA, root)
    (root / "events.yaml").write_text(events_text, encoding="utf-8")
    return root


GOOD = """
  - id: ok
    date: "2025-04"
    label: {en: "Fine", zh: "好"}
    markets: all
    kind: policy
"""


@pytest.mark.parametrize(
    "entry, where, words",
    [
        (
            "  - {id: a, date: '2025', label: {en: A}, markets: [mars], kind: policy}",
            "events[1] (a)",
            "unknown market mars",
        ),
        ("  - {id: b, date: '2025', label: {en: B}, kind: rumour}", "events[1] (b)", "kind 'rumour' is not one of"),
        (
            "  - {id: c, date: '2025', label: {en: C}, kind: policy, sources: [nope]}",
            "events[1] (c)",
            "unknown source nope",
        ),
        ("  - {id: ok, date: '2025', label: {en: D}, kind: policy}", "events[1] (ok)", "used twice"),
    ],
)
def test_a_bad_event_is_named_and_dropped_and_the_rest_still_load(tmp_path, entry, where, words):
    catalog = validate_data_dir(_copy(tmp_path, "events:\n" + GOOD + entry + "\n"))
    problems = [p for p in catalog.problems if p.file == "events.yaml"]
    assert [p.location for p in problems] == [where] and words in problems[0].message, problems
    assert [e.id for e in catalog.events] == ["ok"]
    assert len(catalog.markets) == 4  # nothing else lost


def test_a_malformed_date_or_a_broken_file_names_the_file_and_keeps_the_markets(tmp_path):
    catalog = validate_data_dir(
        _copy(tmp_path, "events:\n  - {id: x, date: '2025-13', label: {en: X}, kind: policy}\n")
    )
    problems = [p for p in catalog.problems if p.file == "events.yaml"]
    assert problems and "date" in problems[0].location and catalog.events == []
    catalog = validate_data_dir(_copy(tmp_path / "b", "events: [\n"))
    assert any(p.file == "events.yaml" for p in catalog.problems) and len(catalog.markets) == 4
