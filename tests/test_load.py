"""Loading: files into models, each parse or shape problem named by file, place and message."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from marketintel import load
from marketintel.schema import FigureRow, MarketFile, Problem
from marketintel.settings import settings

SETTINGS = settings()
HEADER = "source_id,year,value,role,note\n"


def market_dir(tmp_path: Path, **files: str) -> Path:
    folder = tmp_path / "markets" / "m"
    folder.mkdir(parents=True)
    for name, text in files.items():
        (folder / name.replace("_", ".")).write_text(text, encoding="utf-8")
    return folder


def E(file: str, location: str, message: str, market_id: str | None = "m") -> Problem:
    return Problem("error", f"markets/m/{file}", location, message, market_id)


@pytest.mark.parametrize(
    "body,kept,expected",
    [
        ("rep,2025,10.0,,\n", [(2, FigureRow(source_id="rep", year=2025, value=10.0))], []),
        (
            "rep,2025,10.0,base,\nrep,2026,11,,,extra\n",
            [(2, FigureRow(source_id="rep", year=2025, value=10.0, role="base"))],
            [E("figures.csv", "line 3", "has more values than the header has columns")],
        ),
        (
            "rep,2025,10.0,,a\x00b\n",
            [],
            [
                E(
                    "figures.csv",
                    "line 2, column note",
                    "contains a NUL byte; remove it (spreadsheets and exports cannot hold it)",
                )
            ],
        ),
        (
            "rep,2025,10.0,\x07,\n",
            [],
            [
                E(
                    "figures.csv",
                    "line 2, column role",
                    "contains a control character (0x07); remove it (spreadsheets and exports cannot hold it)",
                )
            ],
        ),
        (
            "rep,2025,lots,,\n",
            [],
            [
                E(
                    "figures.csv",
                    "line 2, column value",
                    "Input should be a valid number, unable to parse string as a number (found 'lots')",
                )
            ],
        ),
        (
            "rep,2025,nan,,\n",
            [],
            [E("figures.csv", "line 2, column value", "Value error, must be a finite number (found 'nan')")],
        ),
        (
            ",2025,1,,\n",
            [],
            [E("figures.csv", "line 2, column source_id", "Input should be a valid string (found None)")],
        ),
    ],
    ids=["good", "extra-values", "nul", "control-character", "text-in-number", "nan", "empty-required"],
)
def test_read_rows(tmp_path, body, kept, expected):
    folder = market_dir(tmp_path, figures_csv=HEADER + body)
    rows, problems = load.load_figures(folder, tmp_path, SETTINGS, "m")
    assert rows == kept
    assert problems == expected


@pytest.mark.parametrize(
    "files,expected",
    [
        ({}, [E("figures.csv", "", "file is missing; every market needs its reported sizes")]),
        (
            {"figures_csv": "source_id,year\nrep,2025\n"},
            [
                E(
                    "figures.csv",
                    "",
                    "file is missing column(s) value; expected columns source_id, year, value, found source_id, year",
                )
            ],
        ),
        ({"figures_csv": ""}, [E("figures.csv", "", "file is empty")]),
    ],
    ids=["missing", "missing-column", "empty"],
)
def test_load_figures_file_problems(tmp_path, files, expected):
    rows, problems = load.load_figures(market_dir(tmp_path, **files), tmp_path, SETTINGS, "m")
    assert rows == (None if not files else [])
    assert problems == expected


def test_optional_files_may_be_missing(tmp_path):
    folder = market_dir(tmp_path)
    assert load.load_shares(folder, tmp_path, SETTINGS, "m") == ([], [])
    assert load.load_crosstab(folder, tmp_path, SETTINGS, "m") == ([], [])
    assert load.load_insights(folder, tmp_path, SETTINGS, "m") == ([], [])
    assert load.load_concepts(tmp_path, SETTINGS) == ({}, [])


MARKET = """id: m
name: {en: M}
currency: USD
unit: billion
sources:
  - {id: rep, primary: true, kind: report, title: {en: Report}}
"""


@pytest.mark.parametrize(
    "text,loaded,expected",
    [
        (MARKET, True, []),
        (None, False, [E("market.yaml", "", "file is missing; every market folder needs market.yaml", None)]),
        ("# nothing yet\n", False, [E("market.yaml", "", "file holds no data (only comments or blank lines)")]),
        ("- a\n- b\n", False, [E("market.yaml", "", "expected a mapping of keys (id, name, sources...), found list")]),
        (
            MARKET.replace("id: m\n", "id: other\n").replace("title: {en: Report}", "title: {en: ''}"),
            False,
            [E("market.yaml", "sources[0].title.en", "String should have at least 1 character (found '')", "other")],
        ),
        (
            MARKET.replace("unit: billion", "unit: million"),
            False,
            [
                E(
                    "market.yaml",
                    "unit",
                    "Input should be 'billion' (found 'million'): figures are in billions; convert them "
                    "(e.g. 6,590 million is 6.59) and write unit: billion",
                )
            ],
        ),
    ],
    ids=["good", "missing", "comments-only", "not-a-mapping", "nested-location-and-id", "unknown-value"],
)
def test_load_market_file(tmp_path, text, loaded, expected):
    folder = market_dir(tmp_path, **({} if text is None else {"market_yaml": text}))
    spec, problems = load.load_market_file(folder, tmp_path, SETTINGS)
    assert isinstance(spec, MarketFile) is loaded
    assert problems == expected


INSIGHT = "{id: i1, topic: trend, title: {en: T}, text: {en: X}, source: rep}"


@pytest.mark.parametrize(
    "text,kept,expected",
    [
        (f"insights:\n  - {INSIGHT}\n  - {INSIGHT.replace('i1', 'i2')}\n", [0, 1], []),
        ("notes: []\n", [], [E("insights.yaml", "insights", "expected a top-level key 'insights' holding a list")]),
        (
            f"insights:\n  - {INSIGHT.replace('trend', 'gossip')}\n  - {INSIGHT.replace('i1', 'i2')}\n",
            [1],
            [
                E(
                    "insights.yaml",
                    "insights[0] (i1).topic",
                    "Input should be one of 'trend' (config.yaml insight_topics) (found 'gossip')",
                )
            ],
        ),
        (
            "insights:\n  - {topic: trend}\n",
            [],
            [
                E("insights.yaml", f"insights[0].{field}", "is required but missing; add it")
                for field in ("id", "title", "text", "source")
            ],
        ),
    ],
    ids=["good", "no-insights-key", "unknown-topic", "no-id"],
)
def test_load_insights(tmp_path, text, kept, expected):
    only_trend = SETTINGS.model_copy(update={"insight_topics": {"trend": "Trend"}})
    items, problems = load.load_insights(market_dir(tmp_path, insights_yaml=text), tmp_path, only_trend, "m")
    assert [i for i, _ in items] == kept
    assert problems == expected


def test_market_folders_skips_hidden_ones_and_reports_a_missing_folder(tmp_path):
    assert load.market_folders(tmp_path) == (
        [],
        [Problem("error", "markets", "", "folder is missing; put one folder per market in data/markets")],
    )
    for name in ("b", "a", ".upload-x"):
        (tmp_path / "markets" / name).mkdir(parents=True)
    (tmp_path / "markets" / "file.txt").write_text("x")
    assert load.market_folders(tmp_path) == ([tmp_path / "markets" / "a", tmp_path / "markets" / "b"], [])


@pytest.mark.parametrize(
    "data,prefix,expected",
    [
        ({"sources": [{"title": {}}]}, "", ["sources[0].title.en"]),
        ({"sources": [{"title": {}}]}, "insights[2] (x)", ["insights[2] (x).sources[0].title.en"]),
    ],
    ids=["nested", "prefixed"],
)
def test_pydantic_problem_locations(data, prefix, expected):
    from pydantic import BaseModel

    class Title(BaseModel):
        en: str

    class Source(BaseModel):
        title: Title

    class Doc(BaseModel):
        sources: list[Source]

    with pytest.raises(ValidationError) as caught:
        Doc.model_validate(data)
    assert [p.location for p in load.pydantic_problems(caught.value, "f", None, prefix)] == expected
