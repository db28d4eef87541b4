"""The holes found trying the dashboard with valid-but-unusual and hostile data (issue 15), one test each.

Each test failed before its fix: a traceback on a valid market, data text rendered as Markdown,
another source's region tree mixed into the primary's, database connections never closed.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from marketintel import queries

REPO = Path(__file__).resolve().parent.parent
TELEMEDICINE = Path("markets") / "telemedicine"


def run_page(page: str, **params: str) -> AppTest:
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=60)
    for k, v in params.items():
        at.query_params[k] = v
    at.run()
    if page != "overview":
        at.switch_page(f"pages/{page}.py")
        at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.fixture
def own_data(tmp_path, monkeypatch):
    """A private copy of data/ that the app reads (and a private database)."""
    data = tmp_path / "data"
    shutil.copytree(REPO / "data", data)
    monkeypatch.setenv("MARKETINTEL_DATA_DIR", str(data))
    monkeypatch.setenv("MARKETINTEL_DATABASE", str(tmp_path / "db" / "markets.duckdb"))
    return data


def _drop_primary_cagr(market_yaml: Path) -> None:
    """Remove the primary source's ``cagr:`` block (a primary may state none)."""
    lines, out, skipping = market_yaml.read_text(encoding="utf-8").split("\n"), [], False
    for line in lines:
        if line.startswith("    cagr:") and not out[-1].startswith("    cagr"):
            skipping = "primary: true" in "\n".join(out[-12:])
            if skipping:
                continue
        if skipping and line.startswith("      "):
            continue
        skipping = False
        out.append(line)
    market_yaml.write_text("\n".join(out), encoding="utf-8")


def test_explorer_market_without_shares_csv_shows_its_curve_and_says_so(own_data):
    (own_data / TELEMEDICINE / "shares.csv").unlink()  # optional per data/README.md
    at = run_page("explorer", market="telemedicine")
    assert [t.value for t in at.title] == ["Telemedicine"]
    assert any("has no segment shares" in i.value for i in at.info)


def test_explorer_market_whose_shares_csv_is_not_utf8_does_not_crash(own_data):
    shares = own_data / TELEMEDICINE / "shares.csv"
    shares.write_bytes(shares.read_bytes().replace(b"Assumption", "Assumption \u2013".encode("cp1252"), 1))
    at = run_page("explorer", market="telemedicine")
    assert [t.value for t in at.title] == ["Telemedicine"]


def test_compare_primary_without_cagr_shows_the_implied_rate(own_data):
    market_yaml = own_data / TELEMEDICINE / "market.yaml"
    _drop_primary_cagr(market_yaml)
    assert "value_pct: 18.24" not in market_yaml.read_text(encoding="utf-8")
    at = run_page("compare", markets="telemedicine,iomt")
    specs = [el.proto.spec for el in at.get("plotly_chart")]
    assert any("implied" in s for s in specs)


def test_a_markdown_link_in_a_market_name_stays_literal(own_data):
    market_yaml = own_data / TELEMEDICINE / "market.yaml"
    text = market_yaml.read_text(encoding="utf-8")
    market_yaml.write_text(text.replace("en: Telemedicine", 'en: "[Telemedicine](https://evil.example)"', 1), "utf-8")
    at = run_page("explorer", market="telemedicine")
    # Escaped: Streamlit shows the brackets and parentheses, draws no link.
    assert [t.value for t in at.title] == [r"\[Telemedicine\]\(https\:\/\/evil\.example\)".replace(r"\/", "/")]
    shown = [e.value for e in (*at.title, *at.caption, *at.markdown, *at.info)]
    assert not [s for s in shown if re.search(r"(?<!\\)\[Telemedicine(?<!\\)\]\(", s)], shown
    at = run_page("sources", market="telemedicine")
    assert all(r"\[" in t.value for t in at.title)


def test_insight_filters_use_the_primary_sources_region_tree_only(con):
    # south_korea is a region of the metaverse market's second source (an article), not of its primary report.
    found = queries.insights(con, "metaverse-healthcare", None, {"region": ["south_korea"]})
    assert not (found["relevance"] > 0).any(), found[["insight_id", "regions", "relevance"]]


def test_connections_of_replaced_data_versions_are_closed(real_build, tmp_path):
    from marketintel.ui import data

    data._connection.clear()
    paths = []
    for i in range(4):
        p = tmp_path / f"v{i}.duckdb"
        shutil.copy(real_build[0], p)
        paths.append(p)
    cons = [data._connection(str(p), f"fp{i}") for i, p in enumerate(paths)]
    open_ = []
    for c in cons:
        try:
            c.execute("SELECT 1").fetchone()
            open_.append(True)
        except duckdb.Error:
            open_.append(False)
    assert open_ == [False, False, True, True]
    data._connection.clear()
