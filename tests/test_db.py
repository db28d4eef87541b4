"""The DuckDB build: headline figures equal the documents, shares add up, rebuild on change."""

from __future__ import annotations

import os
import re

import pytest
from data_helpers import DATA, MARKETS, SEEDS, edit_row, require_seeds

from marketintel import queries
from marketintel.db import (
    KEEP_OLD_VERSIONS_S,
    build_database,
    catalog_frames,
    connect_read_only,
    data_fingerprint,
    ensure_database,
    stored_fingerprint,
    versioned_path,
)
from marketintel.tables import TABLES, columns
from marketintel.validate import validate_data_dir

# The documents' numbers, written out (USD bn; CAGR % over 2025-2032).
DOCUMENTED = {
    "metaverse-healthcare": ({2025: 6.59, 2026: 8.27, 2032: 33.49}, 26.12),
    "connected-healthcare": ({2025: 145.08, 2026: 190.47, 2032: 988.79}, 31.54),
    "telemedicine": ({2025: 122.86, 2026: 144.42, 2032: 397.21}, 18.24),
    "iomt": ({2025: 1.35, 2026: 1.74, 2032: 7.95}, 28.76),
}

_ROW = re.compile(r"^\|\s*(?:Base|Estimated|Forecast) Year \[(\d{4})\]\s*\|\s*USD ([\d.,]+) billion\s*\|", re.M)
_CAGR = re.compile(r"^\|\s*CAGR \(%\)\s*\|\s*([\d.]+)%\s*\|", re.M)


def parse_key_statistics(text: str) -> tuple[dict[int, float], float]:
    """The English 'KEY MARKET STATISTICS' table of a report summary."""
    start = text.index("| KEY MARKET STATISTICS |")
    table = text[start : start + 400]
    figures = {int(y): float(v.replace(",", "")) for y, v in _ROW.findall(table)}
    (cagr,) = _CAGR.findall(table)
    return figures, float(cagr)


def test_seed_documents_say_what_the_brief_says():
    require_seeds()
    seen = {}
    for path in sorted(SEEDS.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        if "| KEY MARKET STATISTICS |" in text:
            seen[path.name] = parse_key_statistics(text)
    assert len(seen) == 4
    assert sorted(seen.values(), key=lambda t: t[1]) == sorted(DOCUMENTED.values(), key=lambda t: t[1])


def test_headline_figures_equal_the_documents_to_the_cent(con):
    require_seeds()
    docs = dict(con.execute("SELECT market_id, document FROM sources WHERE is_primary").fetchall())
    assert set(docs) == set(MARKETS)
    head = queries.headline_figures(con)
    markets = queries.market_list(con).set_index("market_id")
    for mid, document in docs.items():
        parsed, parsed_cagr = parse_key_statistics((SEEDS / document).read_text(encoding="utf-8"))
        expected, expected_cagr = DOCUMENTED[mid]
        assert parsed == expected and parsed_cagr == expected_cagr, f"{document} no longer matches the brief"
        got = head[head["market_id"] == mid]
        assert set(got["provenance"]) == {"reported"}
        assert {int(y): round(float(v), 2) for y, v in zip(got["year"], got["value"])} == parsed
        row = markets.loc[mid]
        assert round(float(row["cagr_pct"]), 2) == parsed_cagr
        assert (int(row["cagr_start"]), int(row["cagr_end"])) == (2025, 2032)
        assert (int(row["first_year"]), int(row["last_year"])) == (2025, 2032)


def test_source_figures_table_holds_exactly_the_twelve_values(con):
    """The primary sources' figures: exactly the twelve the seed reports state (other publishers'
    figures are checked against the shared file in test_third_party_sources.py)."""
    rows = con.execute("""
        SELECT f.market_id, f.year, f.value FROM source_figures f
        JOIN markets m ON m.market_id = f.market_id AND m.primary_source_id = f.source_id
        ORDER BY f.market_id, f.year""").fetchall()
    expected = sorted((mid, y, v) for mid, (pts, _) in DOCUMENTED.items() for y, v in pts.items())
    assert [(mid, y, round(v, 2)) for mid, y, v in rows] == expected


# -- shares ------------------------------------------------------------------------------------


def test_top_level_shares_sum_to_100_every_year(con):
    bad = con.execute("""
        SELECT s.market_id, s.dimension, s.year, sum(s.share_pct) AS total
        FROM segment_shares s JOIN segments g USING (market_id, source_id, dimension, segment)
        WHERE g.parent IS NULL
        GROUP BY ALL HAVING abs(sum(s.share_pct) - 100) > 0.01""").fetchall()
    assert bad == []
    n = con.execute("SELECT count(DISTINCT (market_id, dimension, year)) FROM segment_shares").fetchone()[0]
    with_shares = con.execute("SELECT count(*) FROM dimensions WHERE has_shares").fetchone()[0]
    assert with_shares == 6 + 7 + 4 + 8  # every report dimension of the four markets has estimated shares
    assert n == with_shares * 8  # ... for every year 2025-2032


def test_children_sum_to_their_parent_every_year(con):
    bad = con.execute("""
        SELECT p.market_id, p.dimension, p.segment, p.year, p.share_pct, sum(c.share_pct) AS kids
        FROM segment_shares p
        JOIN segments g ON g.market_id = p.market_id AND g.source_id = p.source_id
             AND g.dimension = p.dimension AND g.parent = p.segment
        JOIN segment_shares c ON c.market_id = p.market_id AND c.source_id = p.source_id
             AND c.dimension = p.dimension AND c.segment = g.segment AND c.year = p.year
        GROUP BY ALL HAVING abs(sum(c.share_pct) - p.share_pct) > 0.01""").fetchall()
    assert bad == []
    parents = con.execute("""SELECT count(DISTINCT (market_id, dimension, parent)) FROM segments
                             WHERE parent IS NOT NULL""").fetchone()[0]
    assert parents >= 8  # the hierarchies are really there


def test_every_share_has_a_rationale(con):
    assert con.execute("SELECT count(*) FROM segment_shares WHERE coalesce(rationale, '') = ''").fetchone()[0] == 0


def test_segment_figures_are_estimates_equal_to_share_times_market_size(con):
    rows = con.execute("""
        SELECT sf.share_pct, sf.value, sf.provenance, ms.value
        FROM segment_figures sf JOIN market_series ms USING (market_id, source_id, year)""").fetchall()
    assert len(rows) == 960
    for share, value, provenance, size in rows:
        assert provenance == "estimate"
        assert value == pytest.approx(share / 100 * size, rel=1e-12)


def test_crosstab_cells_reconcile_with_marginals(con):
    bad = con.execute("""
        SELECT c.dimension_a, c.segment_a, c.year
        FROM crosstab_shares c JOIN segment_shares s ON s.market_id = c.market_id AND s.source_id = c.source_id
             AND s.dimension = c.dimension_a AND s.segment = c.segment_a AND s.year = c.year
        GROUP BY c.dimension_a, c.segment_a, c.year, s.share_pct
        HAVING abs(sum(c.share_pct) - s.share_pct) > 0.01""").fetchall()
    assert bad == []


def test_build_writes_every_table_and_no_problems(real_build, con):
    _, catalog = real_build
    tables = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
    assert {
        "markets",
        "sources",
        "source_figures",
        "market_series",
        "segments",
        "segment_shares",
        "crosstab_shares",
        "insights",
        "concepts",
        "problems",
        "meta",
        "segment_figures",
        "primary_series",
    } <= tables
    assert con.execute("SELECT count(*) FROM problems").fetchone()[0] == 0 == len(catalog.problems)


def test_tables_are_created_from_their_row_definitions(con):
    duck = {int: "INTEGER", float: "DOUBLE", bool: "BOOLEAN", str: "VARCHAR"}
    for name, row_type in TABLES.items():
        described = [(c, t) for c, t, *_ in con.execute(f'DESCRIBE "{name}"').fetchall()]
        assert described == [(c, duck.get(k, "DATE")) for c, k in columns(row_type)], name
    assert dict(columns(TABLES["sources"]))["accessed"].__name__ == "date"


def test_frames_have_the_declared_columns_even_when_empty(tmp_path):
    (tmp_path / "markets").mkdir()
    frames = catalog_frames(validate_data_dir(tmp_path))
    assert list(frames) == list(TABLES)
    for name, frame in frames.items():
        assert list(frame.columns) == [c for c, _ in columns(TABLES[name])]
        assert frame.empty


def test_problems_table_holds_what_validation_found(data_copy, tmp_path):
    edit_row(data_copy / "markets/iomt/figures.csv", {"year": "2026"}, year="1800")
    target, catalog = build_database(data_copy, tmp_path / "db.duckdb")
    con = connect_read_only(target)
    try:
        report = queries.validation_report(con)
    finally:
        con.close()
    assert len(report) == len(catalog.problems) == 1
    assert report.iloc[0]["file"] == "markets/iomt/figures.csv"


# -- rebuild -----------------------------------------------------------------------------------


def _built_at(path):
    con = connect_read_only(path)
    try:
        return con.execute("SELECT value FROM meta WHERE key = 'built_at'").fetchone()[0]
    finally:
        con.close()


def _value(path, market, year):
    con = connect_read_only(path)
    try:
        return con.execute(
            "SELECT value FROM source_figures WHERE market_id = ? AND year = ?", [market, year]
        ).fetchone()[0]
    finally:
        con.close()


def test_ensure_database_rebuilds_only_when_data_changes(data_copy, tmp_path):
    target = tmp_path / "db.duckdb"
    path, fp1 = ensure_database(data_copy, target)
    assert path == versioned_path(target, fp1) and stored_fingerprint(path) == fp1
    first = _built_at(path)

    assert ensure_database(data_copy, target) == (path, fp1)
    assert _built_at(path) == first, "rebuilt although nothing changed"

    figures = data_copy / "markets/iomt/figures.csv"
    figures.write_text(figures.read_text(encoding="utf-8").replace("2026,1.74,", "2026,1.75,"), encoding="utf-8")
    st = figures.stat()
    os.utime(figures, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))  # a later save
    path2, fp2 = ensure_database(data_copy, target)
    assert fp2 != fp1 and path2 != path and stored_fingerprint(path2) == fp2
    assert _value(path2, "iomt", 2026) == 1.75
    # The old version stays a while (another server may just have found it), then goes.
    assert path.exists()
    old_time = path.stat().st_mtime - KEEP_OLD_VERSIONS_S - 1
    os.utime(path, (old_time, old_time))
    figures.write_text(figures.read_text(encoding="utf-8").replace("2026,1.75,", "2026,1.77,"), encoding="utf-8")
    os.utime(figures, ns=(st.st_atime_ns, st.st_mtime_ns + 2_000_000_000))
    ensure_database(data_copy, target)
    assert not path.exists(), "the old version is cleaned up"


def test_a_running_reader_sees_the_new_data_after_a_rebuild(data_copy, tmp_path):
    """DuckDB reuses an open database per path inside a process: each version needs its own file."""
    target = tmp_path / "db.duckdb"
    path, _ = ensure_database(data_copy, target)
    old = connect_read_only(path)
    figures = data_copy / "markets/iomt/figures.csv"
    figures.write_text(figures.read_text(encoding="utf-8").replace("2026,1.74,", "2026,1.76,"), encoding="utf-8")
    st = figures.stat()
    os.utime(figures, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))
    path2, _ = ensure_database(data_copy, target)
    new = connect_read_only(path2)
    try:
        assert (
            new.execute("SELECT value FROM source_figures WHERE market_id = 'iomt' AND year = 2026").fetchone()[0]
            == 1.76
        )
    finally:
        old.close()
        new.close()


def test_touching_a_file_changes_the_fingerprint(data_copy):
    before = data_fingerprint(data_copy)
    assert data_fingerprint(data_copy) == before
    p = data_copy / "markets/telemedicine/insights.yaml"
    st = p.stat()
    os.utime(p, ns=(st.st_atime_ns, st.st_mtime_ns + 5_000_000_000))
    assert data_fingerprint(data_copy) != before


def test_adding_a_file_changes_the_fingerprint(data_copy):
    before = data_fingerprint(data_copy)
    (data_copy / "markets/iomt/crosstab.csv").write_text("x\n")
    assert data_fingerprint(data_copy) != before


def test_unreadable_database_is_rebuilt(data_copy, tmp_path):
    target = tmp_path / "db.duckdb"
    bad = versioned_path(target, data_fingerprint(data_copy))
    bad.write_bytes(b"not a database")
    assert stored_fingerprint(bad) is None
    path, fp = ensure_database(data_copy, target)
    assert path == bad and stored_fingerprint(path) == fp


def test_build_leaves_no_temporary_files(data_copy, tmp_path):
    out = tmp_path / "out"
    build_database(data_copy, out / "db.duckdb")
    assert sorted(p.name for p in out.iterdir()) == ["db.duckdb"]


def test_real_data_is_not_built_into_the_repository(real_build):
    assert DATA.parent not in real_build[0].parents
