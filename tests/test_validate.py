"""Every validation rule, each with a real data folder broken in exactly one place.

Each case checks that the problem names the file (relative to data/), the place in it and
what is wrong, and that the markets the break does not concern still load.
"""

from __future__ import annotations

import math
import os
import shutil
import time
from pathlib import Path

import pytest
import yaml
from data_helpers import DATA, MARKETS, edit_row, find_problem, read_csv, replace_in, write_csv

from marketintel import validate as v
from marketintel.db import build_database, connect_read_only
from marketintel.validate import validate_data_dir


def m(root: Path, market: str, name: str) -> Path:
    return root / "markets" / market / name


# -- mutations: each breaks one thing and returns values for the expected location ----------


def malformed_yaml(root):
    replace_in(m(root, "iomt", "market.yaml"), "currency: USD", "currency: [USD")


def comments_only_yaml(root):
    m(root, "iomt", "market.yaml").write_text("# to be written\n", encoding="utf-8")


def non_utf8(root):
    p = m(root, "telemedicine", "shares.csv")
    p.write_bytes(p.read_bytes().replace(b"Assumption", "Assumption caf\u00e9".encode("latin-1"), 1))


def empty_file(root):
    m(root, "connected-healthcare", "crosstab.csv").write_text("", encoding="utf-8")


def missing_column(root):
    p = m(root, "iomt", "figures.csv")
    header, rows = read_csv(p)
    write_csv(p, [h for h in header if h != "value"], [{k: v for k, v in r.items() if k != "value"} for r in rows])


def text_in_number(root):
    return {"line": edit_row(m(root, "telemedicine", "figures.csv"), {"year": "2026"}, value="lots")}


def negative_value(root):
    return {"line": edit_row(m(root, "metaverse-healthcare", "figures.csv"), {"year": "2026"}, value="-8.27")}


def absurd_value(root):
    return {"line": edit_row(m(root, "connected-healthcare", "figures.csv"), {"year": "2032"}, value="1e9")}


def shares_sum_90(root):
    # device_type 2025 is implantable 18 + stationary 42 + wearables 40 = 100
    edit_row(
        m(root, "iomt", "shares.csv"),
        {"dimension": "device_type", "segment": "wearables", "year": "2025"},
        share_pct="30.0",
    )


def shares_sum_130(root):
    edit_row(
        m(root, "iomt", "shares.csv"),
        {"dimension": "device_type", "segment": "wearables", "year": "2025"},
        share_pct="70.0",
    )


def children_exceed_parent(root):
    # devices 38 = diagnostic 8 + monitoring 12 + therapeutic 6 + wearable 12
    edit_row(
        m(root, "connected-healthcare", "shares.csv"),
        {"dimension": "component", "segment": "wearable_devices", "year": "2025"},
        share_pct="20.0",
    )


def unknown_dimension_market(root):
    replace_in(m(root, "telemedicine", "market.yaml"), "  - key: modality\n", "  - key: mood\n")


def unknown_dimension_shares(root):
    return {
        "line": edit_row(
            m(root, "iomt", "shares.csv"),
            {"dimension": "deployment", "segment": "cloud", "year": "2025"},
            dimension="weather",
        )
    }


def duplicate_source_id(root):
    replace_in(m(root, "metaverse-healthcare", "market.yaml"), "  - id: art-2026-01-11", "  - id: r2006494")


def duplicate_market_id(root):
    shutil.copytree(root / "markets" / "iomt", root / "markets" / "iomt-copy")


def duplicate_insight_id(root):
    replace_in(m(root, "telemedicine", "insights.yaml"), "id: telemedicine-growth-outlook", "id: iomt-growth-outlook")


def shares_year_2040(root):
    return {
        "line": edit_row(
            m(root, "iomt", "shares.csv"), {"dimension": "deployment", "segment": "cloud", "year": "2032"}, year="2040"
        )
    }


def figures_year_1800(root):
    return {"line": edit_row(m(root, "iomt", "figures.csv"), {"year": "2026"}, year="1800")}


def cagr_contradicts(root):
    replace_in(m(root, "connected-healthcare", "market.yaml"), "value_pct: 31.54", "value_pct: 25.0")
    return {"implied": f"{((988.79 / 145.08) ** (1 / 7) - 1) * 100:.2f}%"}


def unknown_segment_shares(root):
    return {
        "line": edit_row(
            m(root, "telemedicine", "shares.csv"),
            {"dimension": "modality", "segment": "real_time", "year": "2025"},
            segment="quantum",
        )
    }


def unknown_region_insight(root):
    p = m(root, "telemedicine", "insights.yaml")
    text = p.read_text(encoding="utf-8")
    start = text.index("id: telemedicine-americas-regional")
    at = text.index("regions: [americas]", start)
    p.write_text(text[:at] + "regions: [atlantis]" + text[at + len("regions: [americas]") :], encoding="utf-8")


def oversized_file(root):
    p = m(root, "iomt", "insights.yaml")
    p.write_text(p.read_text(encoding="utf-8") + "# " + "x" * 6_000_000 + "\n", encoding="utf-8")


def symlink_outside(root):
    outside = root.parent / "outside.yaml"
    p = m(root, "iomt", "insights.yaml")
    shutil.copy(p, outside)
    p.unlink()
    os.symlink(outside, p)


def no_primary_source(root):
    replace_in(m(root, "connected-healthcare", "market.yaml"), "primary: true", "primary: false")


def insight_missing_text(root):
    p = m(root, "iomt", "insights.yaml")
    data = yaml.safe_load(p.read_text(encoding="utf-8"))
    del data["insights"][0]["text"]
    p.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


IOMT, CH, TM, MV = "iomt", "connected-healthcare", "telemedicine", "metaverse-healthcare"

# (mutation, file, severity, text in location, text in message, markets that must NOT load)
CASES = [
    (malformed_yaml, "markets/iomt/market.yaml", "error", "", "is not valid YAML at line", {IOMT}),
    (comments_only_yaml, "markets/iomt/market.yaml", "error", "", "holds no data", {IOMT}),
    (
        non_utf8,
        "markets/telemedicine/shares.csv",
        "error",
        "",
        "is saved as Windows-1252 (or Latin-1), not UTF-8: line 2",
        set(),
    ),
    (empty_file, "markets/connected-healthcare/crosstab.csv", "error", "", "is empty", set()),
    (missing_column, "markets/iomt/figures.csv", "error", "", "missing column(s) value", {IOMT}),
    (text_in_number, "markets/telemedicine/figures.csv", "error", "line {line}, column value", "valid number", set()),
    (
        negative_value,
        "markets/metaverse-healthcare/figures.csv",
        "error",
        "line {line}, column value",
        "greater than or equal to 0",
        set(),
    ),
    (
        absurd_value,
        "markets/connected-healthcare/figures.csv",
        "error",
        "line {line}, column value",
        "not a plausible market size",
        set(),
    ),
    (
        shares_sum_90,
        "markets/iomt/shares.csv",
        "error",
        "dimension device_type, year 2025",
        "top-level shares sum to 90.0%",
        set(),
    ),
    (
        shares_sum_130,
        "markets/iomt/shares.csv",
        "error",
        "dimension device_type, year 2025",
        "top-level shares sum to 130.0%",
        set(),
    ),
    (
        children_exceed_parent,
        "markets/connected-healthcare/shares.csv",
        "error",
        "dimension component, year 2025, segment devices",
        "sum to 46.0%, but 'devices' is 38.0%",
        set(),
    ),
    (
        unknown_dimension_market,
        "markets/telemedicine/market.yaml",
        "error",
        "(mood).key",
        "unknown dimension 'mood'",
        set(),
    ),
    (
        unknown_dimension_shares,
        "markets/iomt/shares.csv",
        "error",
        "line {line}, column dimension",
        "unknown dimension 'weather'",
        set(),
    ),
    (
        duplicate_source_id,
        "markets/metaverse-healthcare/market.yaml",
        "error",
        "sources",
        "r2006494 used more than once",
        {MV},
    ),
    (duplicate_market_id, "markets/iomt-copy/market.yaml", "error", "id", "already used by markets/iomt", set()),
    (
        duplicate_insight_id,
        "markets/telemedicine/insights.yaml",
        "error",
        "id iomt-growth-outlook",
        "already used in markets/iomt",
        set(),
    ),
    (
        shares_year_2040,
        "markets/iomt/shares.csv",
        "error",
        "line {line}, column year",
        "year 2040 is outside the source's forecast window 2025-2032",
        set(),
    ),
    (figures_year_1800, "markets/iomt/figures.csv", "error", "line {line}, column year", "year 1800 is outside", set()),
    (
        cagr_contradicts,
        "markets/connected-healthcare/market.yaml",
        "warning",
        "sources[0].cagr",
        "implies {implied}",
        set(),
    ),
    (
        unknown_segment_shares,
        "markets/telemedicine/shares.csv",
        "error",
        "line {line}, column segment",
        "unknown segment 'quantum'",
        set(),
    ),
    (
        unknown_region_insight,
        "markets/telemedicine/insights.yaml",
        "error",
        "(telemedicine-americas-regional).regions",
        "unknown region(s) atlantis",
        set(),
    ),
    (oversized_file, "markets/iomt/insights.yaml", "error", "", "the limit is 5,000,000", set()),
    (symlink_outside, "markets/iomt/insights.yaml", "error", "", "outside the data folder", set()),
    (
        no_primary_source,
        "markets/connected-healthcare/market.yaml",
        "error",
        "sources",
        "exactly one source must have primary: true, found 0",
        {CH},
    ),
    (
        insight_missing_text,
        "markets/iomt/insights.yaml",
        "error",
        "insights[0] (iomt-growth-outlook).text",
        "is required but missing; add it",
        set(),
    ),
]


@pytest.mark.parametrize("mutate,file,severity,location,message,lost", CASES, ids=[c[0].__name__ for c in CASES])
def test_each_rule_names_file_place_and_issue(data_copy, mutate, file, severity, location, message, lost):
    fmt = mutate(data_copy) or {}
    catalog = validate_data_dir(data_copy)
    problem = find_problem(catalog, file, location.format(**fmt), message.format(**fmt), severity)
    assert str(problem).startswith(f"{severity.upper()}: {file}")
    loaded = {mk.id for mk in catalog.markets}
    assert loaded == set(MARKETS) - lost, f"expected only {lost or 'nothing'} to be dropped"


def test_real_data_has_no_problems():
    catalog = validate_data_dir(DATA)
    assert [str(p) for p in catalog.problems] == []
    assert sorted(mk.id for mk in catalog.markets) == sorted(MARKETS)


def test_file_level_problems_have_no_location_but_a_line_for_yaml_syntax(data_copy):
    malformed_yaml(data_copy)
    p = find_problem(validate_data_dir(data_copy), "markets/iomt/market.yaml", message="is not valid YAML")
    assert "line " in p.message and "column " in p.message


# -- YAML alias bombs ---------------------------------------------------------------------------


def _bomb_as_segments(root: Path, anchors: list[str], top: str) -> None:
    """Anchors at the top of iomt/market.yaml; device_type's segments point at the top one."""
    p = m(root, "iomt", "market.yaml")
    text = "\n".join(anchors) + "\n" + p.read_text(encoding="utf-8")
    old = "    label: {en: Device type, zh: 设备类型}\n    segments:\n"
    assert old in text
    p.write_text(
        text.replace(old, f"    label: {{en: Device type, zh: 设备类型}}\n    segments: [*{top}]\n    unused:\n"),
        encoding="utf-8",
    )


def doubling_lists(levels: int) -> list[str]:
    """a: &a [x, x]; b: &b [*a, *a]; ... as in the classic billion-laughs file."""
    return ["l0: &l0 [x, x]"] + [f"l{i}: &l{i} [*l{i - 1}, *l{i - 1}]" for i in range(1, levels)]


def doubling_segments(levels: int, width: int = 2) -> list[str]:
    lines = ["s0: &s0 {key: leaf, label: {en: Leaf}}"]
    for i in range(1, levels):
        kids = ", ".join([f"*s{i - 1}"] * width)
        lines.append(f"s{i}: &s{i} {{key: k{i}, label: {{en: K}}, children: [{kids}]}}")
    return lines


@pytest.mark.parametrize(
    "anchors,top,message",
    [
        # the brief's shape: 12 levels of [*a, *a]; small enough to read, refused by the schema (unknown keys)
        (doubling_lists(12), None, "is not a known key here"),
        # 30 levels of doubling: 58 aliases (under the alias limit) but 2**30 nodes once expanded
        (doubling_segments(30), "s29", "alias bomb"),
        # 8 levels of ten: 70 aliases expanding to 10**8 segments -- used to hang the validator
        (doubling_segments(9, width=10), "s8", "alias bomb"),
        # more aliases than validation.max_yaml_aliases
        (doubling_segments(12, width=10), "s11", "more than 100 YAML aliases"),
    ],
    ids=["brief-12-levels", "deep-doubling", "wide-under-alias-limit", "over-alias-limit"],
)
def test_alias_bomb_refused_fast(data_copy, anchors, top, message):
    if top is None:
        p = m(data_copy, "iomt", "market.yaml")
        p.write_text(p.read_text(encoding="utf-8") + "\n".join(anchors) + "\n", encoding="utf-8")
    else:
        _bomb_as_segments(data_copy, anchors, top)
    start = time.perf_counter()
    catalog = validate_data_dir(data_copy)
    assert time.perf_counter() - start < 3
    find_problem(catalog, "markets/iomt/market.yaml", message=message)
    assert {mk.id for mk in catalog.markets} == set(MARKETS) - {IOMT}


def test_self_referencing_alias_refused(data_copy):
    p = m(data_copy, "iomt", "insights.yaml")
    p.write_text("loop: &loop [*loop]\n" + p.read_text(encoding="utf-8"), encoding="utf-8")
    catalog = validate_data_dir(data_copy)
    find_problem(catalog, "markets/iomt/insights.yaml", message="refers to itself")


def test_deeply_nested_yaml_is_a_problem_not_a_crash(data_copy):
    m(data_copy, "iomt", "insights.yaml").write_text("insights: " + "[" * 50_000 + "]" * 50_000 + "\n")
    catalog = validate_data_dir(data_copy)
    find_problem(catalog, "markets/iomt/insights.yaml", message="too deeply")
    assert len(catalog.markets) == 4


# -- what a problem drops, and what it does not ---------------------------------------------------


def test_broken_shares_dimension_drops_only_that_dimension(data_copy, tmp_path):
    shares_sum_90(data_copy)
    target, catalog = build_database(data_copy, tmp_path / "db.duckdb")
    find_problem(catalog, "markets/iomt/shares.csv", "dimension device_type", "were not loaded", "warning")
    con = connect_read_only(target)
    try:
        with_shares = {
            r[0]
            for r in con.execute("SELECT DISTINCT dimension FROM segment_shares WHERE market_id = 'iomt'").fetchall()
        }
        flags = dict(con.execute("SELECT dimension, has_shares FROM dimensions WHERE market_id = 'iomt'").fetchall())
    finally:
        con.close()
    assert "device_type" not in with_shares
    assert with_shares == {"component", "connectivity", "application", "end_user", "deployment", "region"}
    assert flags["device_type"] is False and flags["component"] is True


def test_bad_insight_drops_only_that_insight(data_copy):
    unknown_region_insight(data_copy)
    catalog = validate_data_dir(data_copy)
    tm = next(mk for mk in catalog.markets if mk.id == TM)
    ids = [i.id for i in tm.insights]
    assert "telemedicine-americas-regional" not in ids
    assert len(ids) == 15 and "telemedicine-europe-regional" in ids


def test_bad_figure_row_drops_only_that_row(data_copy):
    text_in_number(data_copy)
    catalog = validate_data_dir(data_copy)
    tm = next(mk for mk in catalog.markets if mk.id == TM)
    assert sorted(f.year for f in tm.figures if f.source_id == tm.primary_source.id) == [2025, 2032]


def test_duplicate_market_keeps_the_first_folder(data_copy):
    duplicate_market_id(data_copy)
    catalog = validate_data_dir(data_copy)
    assert [mk.folder for mk in catalog.markets if mk.id == IOMT] == ["iomt"]


def test_cagr_warning_does_not_drop_anything(data_copy):
    cagr_contradicts(data_copy)
    catalog = validate_data_dir(data_copy)
    cagr = [w for w in catalog.warnings if w.location == "sources[0].cagr"]
    assert catalog.errors == [] and len(cagr) == 1
    # The growth-outlook insight still quotes 31.54%: it is named, in English and in Chinese.
    prose = [w for w in catalog.warnings if w not in cagr]
    assert [w.location for w in prose] == [
        "insights[0] (connected-healthcare-growth-outlook).text.en",
        "insights[0] (connected-healthcare-growth-outlook).text.zh",
    ]
    assert all("31.54%" in w.message for w in prose)
    assert len(catalog.markets) == 4


def test_implied_cagr_of_the_real_figures_matches_the_documents():
    # the documents' own numbers reconcile within the 0.1 pp tolerance
    for first, last, stated in [
        (6.59, 33.49, 26.12),
        (145.08, 988.79, 31.54),
        (122.86, 397.21, 18.24),
        (1.35, 7.95, 28.76),
    ]:
        implied = ((last / first) ** (1 / 7) - 1) * 100
        assert math.isclose(implied, stated, abs_tol=0.1)


def test_flatten_segments_parents_before_children():
    catalog = validate_data_dir(DATA)
    ch = next(mk for mk in catalog.markets if mk.id == CH)
    comp = next(d for d in ch.spec.dimensions if d.key == "component")
    nodes = v.flatten_segments(comp)
    pos = {n.key: n.order for n in nodes}
    for n in nodes:
        if n.parent:
            assert pos[n.parent] < pos[n.key]
    assert {n.key: n.depth for n in nodes}["diagnostic_devices"] == 2
