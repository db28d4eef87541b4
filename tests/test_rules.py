"""Every cross-record rule, on small models built in code: tables of (input, expected problems).

Each table holds good cases (no problem, everything kept) and bad ones (the exact problem, and
what the rule keeps). The settings are written out here, so tuning config.yaml cannot move them.
"""

from __future__ import annotations

import pytest

from marketintel import rules
from marketintel.schema import (
    Concept,
    CrosstabRow,
    FigureRow,
    Insight,
    MarketData,
    MarketFile,
    Problem,
    ShareRow,
    ancestors,
)
from marketintel.settings import DimensionLabel, ValidationSettings, settings

SETTINGS = settings().model_copy(
    update={
        "validation": ValidationSettings(
            share_sum_tolerance_pct=0.5,
            cagr_tolerance_pp=0.1,
            max_file_bytes=1000,
            max_yaml_aliases=10,
            min_year=2000,
            max_year=2050,
            max_market_size_usd_bn=20000,
        ),
        "dimensions": {k: DimensionLabel(en=k, zh=k) for k in ("component", "application", "region")},
    }
)
FILE = "markets/m/some.file"


def P(severity: str, location: str, message: str) -> Problem:
    """A problem as the rules file it: under FILE, for market 'm'."""
    return Problem(severity, FILE, location, message, "m")


# -- building models ---------------------------------------------------------------------------


def seg(key: str, *children: dict, zh: str | None = "中", concept: str | None = None) -> dict:
    label = {"en": key.title(), **({"zh": zh} if zh else {})}
    return {"key": key, "label": label, "children": list(children), **({"concept": concept} if concept else {})}


def dim(key: str, *segments: dict, source: str | None = None) -> dict:
    return {
        "key": key,
        "label": {"en": key, "zh": key},
        "segments": list(segments),
        **({"source": source} if source else {}),
    }


REGION = dim("region", seg("americas"), seg("emea"))
COMPONENT = dim("component", seg("hardware", seg("devices"), seg("sensors")), seg("software"))
REP = {"id": "rep", "primary": True, "kind": "report", "title": {"en": "Report"}}
ART = {"id": "art", "kind": "article", "title": {"en": "Article"}}


def spec(dimensions=(REGION, COMPONENT), sources=(REP, ART), claims=()) -> MarketFile:
    return MarketFile.model_validate(
        {
            "id": "m",
            "name": {"en": "M"},
            "currency": "USD",
            "unit": "billion",
            "sources": list(sources),
            "dimensions": list(dimensions),
            "claims": list(claims),
        }
    )


def fig(source: str, year: int, value: float) -> FigureRow:
    return FigureRow(source_id=source, year=year, value=value)


def share(dimension: str, segment: str, pct: float, year: int = 2025, source: str = "rep") -> ShareRow:
    return ShareRow(
        source_id=source, dimension=dimension, segment=segment, year=year, share_pct=pct, rationale="because"
    )


#: A complete, consistent set of 2025 shares for REGION and COMPONENT.
GOOD_SHARES = [
    share("region", "americas", 60),
    share("region", "emea", 40),
    share("component", "hardware", 70),
    share("component", "devices", 30),
    share("component", "sensors", 40),
    share("component", "software", 30),
]


def market(
    the_spec: MarketFile | None = None, figures=(fig("rep", 2025, 10.0), fig("rep", 2030, 20.0)), shares=(), insights=()
) -> MarketData:
    return MarketData(
        spec=the_spec or spec(), folder="m-folder", figures=list(figures), shares=list(shares), insights=list(insights)
    )


def lined(rows: list) -> list[tuple[int, object]]:
    """Rows as the loader hands them on: numbered from line 2 (line 1 is the header)."""
    return list(enumerate(rows, start=2))


# -- market.yaml -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "sources,expected",
    [
        ([REP, ART], []),
        ([REP], []),
        (
            [REP, {**ART, "id": "rep"}],
            [P("error", "sources", "source id(s) rep used more than once; ids must be unique")],
        ),
        (
            [{**REP, "primary": False}, ART],
            [P("error", "sources", "exactly one source must have primary: true, found 0")],
        ),
        (
            [REP, {**ART, "primary": True}],
            [P("error", "sources", "exactly one source must have primary: true, found 2")],
        ),
        # duplicate ids are reported first, alone
        (
            [{**REP, "primary": False}, {**ART, "id": "rep"}],
            [P("error", "sources", "source id(s) rep used more than once; ids must be unique")],
        ),
    ],
    ids=["two", "one", "duplicate-id", "no-primary", "two-primaries", "duplicate-before-primary"],
)
def test_source_problems(sources, expected):
    assert rules.source_problems(spec(sources=sources), FILE) == expected


VR = {"vr": Concept(kind="technology", en="Virtual reality")}


@pytest.mark.parametrize(
    "dimensions,concepts,kept,expected",
    [
        ([REGION, COMPONENT], {}, ["region", "component"], []),
        (
            [REGION, dim("weather", seg("sun"))],
            {},
            ["region"],
            [
                P(
                    "error",
                    "dimensions[1] (weather).key",
                    "unknown dimension 'weather'; expected one of component, application, region",
                )
            ],
        ),
        (
            [{**COMPONENT, "source": "zzz"}],
            {},
            [],
            [P("error", "dimensions[0] (component).source", "names source 'zzz', which is not in sources (rep, art)")],
        ),
        (
            [REGION, REGION],
            {},
            ["region"],
            [P("error", "dimensions[1] (region)", "dimension 'region' is defined twice for source 'rep'")],
        ),
        # naming the primary source explicitly is the same dimension as leaving it out
        (
            [REGION, {**REGION, "source": "rep"}],
            {},
            ["region"],
            [P("error", "dimensions[1] (region)", "dimension 'region' is defined twice for source 'rep'")],
        ),
        ([REGION, {**REGION, "source": "art"}], {}, ["region", "region"], []),
        (
            [dim("component", seg("hardware", seg("software")), seg("software"))],
            {},
            [],
            [
                P(
                    "error",
                    "dimensions[0] (component).segments",
                    "segment key(s) software appear more than once in this dimension",
                )
            ],
        ),
        (
            [dim("region", seg("americas", zh=None), seg("emea"))],
            {},
            ["region"],
            [P("warning", "dimensions[0] (region).segments.americas.label.zh", "has no Chinese label")],
        ),
        (
            [dim("region", seg("americas"), seg("emea", concept="telepresence"))],
            VR,
            ["region"],
            [
                P(
                    "warning",
                    "dimensions[0] (region).segments.emea.concept",
                    "unknown concept 'telepresence'; add it to concepts.yaml or fix the key",
                )
            ],
        ),
        ([dim("region", seg("americas", concept="vr"), seg("emea"))], VR, ["region"], []),
        # without a concepts file, concepts are not checked
        ([dim("region", seg("americas", concept="telepresence"), seg("emea"))], {}, ["region"], []),
    ],
    ids=[
        "good",
        "unknown-key",
        "unknown-source",
        "twice",
        "twice-explicit-primary",
        "same-key-other-source",
        "duplicate-segment-key",
        "no-chinese-label",
        "unknown-concept",
        "known-concept",
        "no-concepts-file",
    ],
)
def test_check_dimensions(dimensions, concepts, kept, expected):
    got_kept, problems = rules.check_dimensions(spec(dimensions=dimensions), concepts, SETTINGS, FILE)
    assert [d.key for d in got_kept] == kept
    assert problems == expected


def claim(source="rep", dimension="region", segment="americas") -> dict:
    return {"source": source, "dimension": dimension, "segment": segment, "claim": "largest", "text": {"en": "Biggest"}}


@pytest.mark.parametrize(
    "claims,expected",
    [
        ([], []),
        ([claim(), claim(dimension="component", segment="devices")], []),
        ([claim(segment="mars")], [P("warning", "claims[0]", "refers to rep/region/mars, which is not defined")]),
        (
            [claim(), claim(dimension="weather")],
            [P("warning", "claims[1]", "refers to rep/weather/americas, which is not defined")],
        ),
        # the article defines no dimensions, so nothing it claims can be found
        ([claim(source="art")], [P("warning", "claims[0]", "refers to art/region/americas, which is not defined")]),
    ],
    ids=["none", "good", "unknown-segment", "unknown-dimension", "source-without-dimensions"],
)
def test_claim_problems(claims, expected):
    assert rules.claim_problems(market(spec(claims=claims)), FILE) == expected


# -- figures.csv -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "rows,kept,expected",
    [
        ([fig("rep", 2025, 10), fig("art", 2025, 11)], [0, 1], []),
        (
            [fig("zzz", 2025, 10)],
            [],
            [P("error", "line 2, column source_id", "unknown source 'zzz'; expected one of rep, art")],
        ),
        (
            [fig("rep", 1999, 10), fig("rep", 2000, 10), fig("rep", 2050, 10), fig("rep", 2051, 10)],
            [1, 2],
            [
                P("error", "line 2, column year", "year 1999 is outside 2000-2050"),
                P("error", "line 5, column year", "year 2051 is outside 2000-2050"),
            ],
        ),
        (
            [fig("rep", 2025, 0)],
            [],
            [
                P(
                    "error",
                    "line 2, column value",
                    "0.0 USD bn is not a plausible market size (expected more than 0 and at most 20000.0)",
                )
            ],
        ),
        (
            [fig("rep", 2025, 20000), fig("rep", 2026, 20000.5)],
            [0],
            [
                P(
                    "error",
                    "line 3, column value",
                    "20000.5 USD bn is not a plausible market size (expected more than 0 and at most 20000.0)",
                )
            ],
        ),
        (
            [fig("rep", 2025, 10), fig("rep", 2025, 12)],
            [0],
            [P("error", "line 3", "a second figure for rep in 2025; keep one")],
        ),
        # a refused row does not count as the first of its year
        (
            [fig("rep", 2025, 0), fig("rep", 2025, 12)],
            [1],
            [
                P(
                    "error",
                    "line 2, column value",
                    "0.0 USD bn is not a plausible market size (expected more than 0 and at most 20000.0)",
                )
            ],
        ),
    ],
    ids=["good", "unknown-source", "years-window", "zero", "too-large", "duplicate", "refused-row-is-no-duplicate"],
)
def test_check_figures(rows, kept, expected):
    got_kept, problems = rules.check_figures(spec(), lined(rows), SETTINGS, FILE)
    assert got_kept == [rows[i] for i in kept]
    assert problems == expected


def with_cagr(value_pct: float, start: int = 2025, end: int = 2027, on: dict = REP) -> list[dict]:
    sourced = {**on, "cagr": {"value_pct": value_pct, "start_year": start, "end_year": end}}
    return [sourced if s is on else s for s in (REP, ART)]


@pytest.mark.parametrize(
    "sources,figures,expected",
    [
        ([REP, ART], [fig("rep", 2025, 10)], []),
        # 10 -> 20 over two years is 41.42 % a year
        (with_cagr(41.42), [fig("rep", 2025, 10), fig("rep", 2027, 20)], []),
        (with_cagr(41.5), [fig("rep", 2025, 10), fig("rep", 2027, 20)], []),
        (
            with_cagr(30.0),
            [fig("rep", 2025, 10), fig("rep", 2027, 20)],
            [
                P(
                    "warning",
                    "sources[0].cagr",
                    "stated CAGR 30.0% does not reconcile with the figures: 10.0 (2025) to 20.0 (2027) "
                    "implies 41.42% (tolerance 0.1 pp)",
                )
            ],
        ),
        (
            with_cagr(41.42),
            [fig("rep", 2025, 10)],
            [
                P(
                    "warning",
                    "sources[0].cagr",
                    "CAGR 41.42% over 2025-2027 cannot be checked: figures.csv lacks a figure for 2027",
                )
            ],
        ),
        # another publisher's rate is shown beside the rate its figures imply (consensus), not a data problem
        (with_cagr(12.0, on=ART), [fig("rep", 2025, 10), fig("rep", 2027, 20)], []),
        (
            [{**REP, "cagr": {"value_pct": 41.42}}, ART],
            [fig("rep", 2025, 10), fig("rep", 2027, 20)],
            [
                P(
                    "warning",
                    "sources[0].cagr",
                    "the primary source's CAGR needs its period (start_year and end_year): the headline growth "
                    "rate is shown with it",
                )
            ],
        ),
    ],
    ids=[
        "no-cagr",
        "reconciles",
        "within-tolerance",
        "contradicts",
        "end-missing",
        "secondary-not-checked",
        "primary-without-period",
    ],
)
def test_cagr_problems(sources, figures, expected):
    assert rules.cagr_problems(spec(sources=sources), figures, SETTINGS, FILE) == expected


@pytest.mark.parametrize(
    "figures,expected",
    [
        ([fig("rep", 2025, 10)], []),
        (
            [fig("art", 2025, 10)],
            [P("error", "", "no usable figure for the primary source 'rep'; market 'm' is not loaded")],
        ),
        ([], [P("error", "", "no usable figure for the primary source 'rep'; market 'm' is not loaded")]),
    ],
    ids=["primary", "secondary-only", "none"],
)
def test_primary_figure_problems(figures, expected):
    assert rules.primary_figure_problems(market(figures=figures), FILE) == expected


# -- shares.csv ------------------------------------------------------------------------------

WITH_ARTICLE_DIMENSION = spec(dimensions=(REGION, COMPONENT, dim("application", seg("care"), source="art")))


@pytest.mark.parametrize(
    "the_spec,rows,kept,expected",
    [
        (None, GOOD_SHARES, list(range(6)), []),
        (
            None,
            [share("region", "americas", 60, source="art")],
            [],
            [P("error", "line 2, column source_id", "source 'art' has no dimensions in market.yaml")],
        ),
        (
            None,
            [share("weather", "sun", 60)],
            [],
            [
                P(
                    "error",
                    "line 2, column dimension",
                    "unknown dimension 'weather' for source rep; expected one of region, component",
                )
            ],
        ),
        (
            None,
            [share("region", "mars", 60)],
            [],
            [P("error", "line 2, column segment", "unknown segment 'mars' in dimension 'region'")],
        ),
        (
            None,
            [
                share("region", "americas", 60, year=2024),
                share("region", "americas", 60, year=2030),
                share("region", "americas", 60, year=2031),
            ],
            [1],
            [
                P("error", "line 2, column year", "year 2024 is outside the source's forecast window 2025-2030"),
                P("error", "line 4, column year", "year 2031 is outside the source's forecast window 2025-2030"),
            ],
        ),
        (
            WITH_ARTICLE_DIMENSION,
            [share("application", "care", 100, source="art")],
            [],
            [P("error", "line 2, column year", "year 2025 is outside the source's forecast window (no figures)")],
        ),
        (
            None,
            [share("region", "americas", 60), share("region", "americas", 50)],
            [0],
            [P("error", "line 3", "a second share for region/americas in 2025; keep one")],
        ),
    ],
    ids=[
        "good",
        "source-without-dimensions",
        "unknown-dimension",
        "unknown-segment",
        "outside-window",
        "source-without-figures",
        "duplicate",
    ],
)
def test_check_share_rows(the_spec, rows, kept, expected):
    got_kept, problems = rules.check_share_rows(market(the_spec), lined(rows), FILE)
    assert got_kept == [(i + 2, rows[i]) for i in kept]
    assert problems == expected


def replace(rows: list[ShareRow], segment: str, pct: float) -> list[ShareRow]:
    return [r.model_copy(update={"share_pct": pct}) if r.segment == segment else r for r in rows]


NOT_LOADED = "shares for '{}' were not loaded because of the errors above"


@pytest.mark.parametrize(
    "rows,kept_dimensions,expected",
    [
        (GOOD_SHARES, ["region", "component"], []),
        (replace(GOOD_SHARES, "americas", 60.4), ["region", "component"], []),
        (
            [r for r in GOOD_SHARES if r.segment != "emea"],
            ["component"],
            [
                P(
                    "error",
                    "dimension region, year 2025",
                    "no share for segment(s) emea; every segment needs one in each year given",
                ),
                P("warning", "dimension region", NOT_LOADED.format("region")),
            ],
        ),
        (
            replace(GOOD_SHARES, "americas", 50),
            ["component"],
            [
                P("error", "dimension region, year 2025", "top-level shares sum to 90.0%, expected 100% (± 0.5)"),
                P("warning", "dimension region", NOT_LOADED.format("region")),
            ],
        ),
        (
            replace(GOOD_SHARES, "americas", 90),
            ["component"],
            [
                P("error", "dimension region, year 2025", "top-level shares sum to 130.0%, expected 100% (± 0.5)"),
                P("warning", "dimension region", NOT_LOADED.format("region")),
            ],
        ),
        # children of 'hardware' (70) sum to 30 + 30; the top level still makes 100
        (
            replace(GOOD_SHARES, "sensors", 30),
            ["region"],
            [
                P(
                    "error",
                    "dimension component, year 2025, segment hardware",
                    "children (devices, sensors) sum to 60.0%, but 'hardware' is 70.0% (± 0.5)",
                ),
                P("warning", "dimension component", NOT_LOADED.format("component")),
            ],
        ),
        # a later year that adds up does not save the dimension
        (
            GOOD_SHARES + [share("region", "americas", 60, 2030), share("region", "emea", 30, 2030)],
            ["component"],
            [
                P("error", "dimension region, year 2030", "top-level shares sum to 90.0%, expected 100% (± 0.5)"),
                P("warning", "dimension region", NOT_LOADED.format("region")),
            ],
        ),
    ],
    ids=["good", "within-tolerance", "missing-segment", "sum-90", "sum-130", "children-vs-parent", "one-bad-year"],
)
def test_check_share_sums(rows, kept_dimensions, expected):
    kept, problems = rules.check_share_sums(market(), rows, SETTINGS, FILE)
    assert kept == [r for r in rows if r.dimension in kept_dimensions]
    assert problems == expected


# -- crosstab.csv ----------------------------------------------------------------------------


def cell(
    a: str, b: str, pct: float, year: int = 2025, dimension_a: str = "region", dimension_b: str = "component"
) -> CrosstabRow:
    return CrosstabRow(
        dimension_a=dimension_a,
        segment_a=a,
        dimension_b=dimension_b,
        segment_b=b,
        year=year,
        share_pct=pct,
        rationale="because",
    )


#: region (americas 60, emea 40) x component (hardware 70, software 30), consistent with GOOD_SHARES.
GOOD_CELLS = [
    cell("americas", "hardware", 42),
    cell("americas", "software", 18),
    cell("emea", "hardware", 28),
    cell("emea", "software", 12),
]


@pytest.mark.parametrize(
    "rows,kept,expected",
    [
        (GOOD_CELLS, [0, 1, 2, 3], []),
        (
            [cell("americas", "hardware", 42, dimension_a="weather")],
            [],
            [P("error", "line 2, column dimension_a", "unknown dimension 'weather'")],
        ),
        (
            [cell("americas", "devices", 42)],
            [],
            [P("error", "line 2, column segment_b", "'devices' is not a top-level segment of 'component'")],
        ),
        (
            [cell("americas", "hardware", 42, year=2030)],
            [],
            [P("error", "line 2, column year", "no share in shares.csv for region/americas in 2030 to reconcile with")],
        ),
    ],
    ids=["good", "unknown-dimension", "child-segment", "no-share-that-year"],
)
def test_check_crosstab_rows(rows, kept, expected):
    got_kept, problems = rules.check_crosstab_rows(market(shares=GOOD_SHARES), lined(rows), FILE)
    assert got_kept == [rows[i] for i in kept]
    assert problems == expected


@pytest.mark.parametrize(
    "rows,kept,expected",
    [
        (GOOD_CELLS, GOOD_CELLS, []),
        (
            [cell("americas", "hardware", 42.3)] + GOOD_CELLS[1:],
            [cell("americas", "hardware", 42.3)] + GOOD_CELLS[1:],
            [],
        ),
        (
            [cell("americas", "hardware", 32)] + GOOD_CELLS[1:],
            [],
            [
                P(
                    "error",
                    "region x component, year 2025, region=americas",
                    "cells sum to 50.0%, but shares.csv gives region/americas 60.0% (± 0.5)",
                ),
                P(
                    "error",
                    "region x component, year 2025, component=hardware",
                    "cells sum to 60.0%, but shares.csv gives component/hardware 70.0% (± 0.5)",
                ),
            ],
        ),
        # a missing cell counts as zero
        (
            GOOD_CELLS[:3],
            [],
            [
                P(
                    "error",
                    "region x component, year 2025, region=emea",
                    "cells sum to 28.0%, but shares.csv gives region/emea 40.0% (± 0.5)",
                ),
                P(
                    "error",
                    "region x component, year 2025, component=software",
                    "cells sum to 18.0%, but shares.csv gives component/software 30.0% (± 0.5)",
                ),
            ],
        ),
    ],
    ids=["good", "within-tolerance", "off-marginals", "missing-cell"],
)
def test_check_crosstab_sums(rows, kept, expected):
    got_kept, problems = rules.check_crosstab_sums(market(shares=GOOD_SHARES), rows, SETTINGS, FILE)
    assert got_kept == kept
    assert problems == expected


# -- insights.yaml ---------------------------------------------------------------------------


def insight(id: str = "i1", source: str = "rep", regions=("americas",), segments=("component/devices",)) -> Insight:
    return Insight.model_validate(
        {
            "id": id,
            "topic": "trend",
            "title": {"en": "T"},
            "text": {"en": "Text"},
            "source": source,
            "regions": list(regions),
            "segments": list(segments),
        },
        context={"insight_topics": {"trend": "Trend"}},
    )


@pytest.mark.parametrize(
    "items,kept,expected",
    [
        ([(0, insight()), (1, insight("i2", regions=(), segments=()))], ["i1", "i2"], []),
        # an article's insight may tag the primary source's dimensions
        ([(0, insight(source="art"))], ["i1"], []),
        (
            [(0, insight(source="zzz"))],
            [],
            [P("error", "insights[0] (i1).source", "unknown source 'zzz'; expected one of art, rep")],
        ),
        (
            [(3, insight(regions=("americas", "mars")))],
            [],
            [P("error", "insights[3] (i1).regions", "unknown region(s) mars; expected from americas, emea")],
        ),
        (
            [(0, insight(segments=("component/wheels", "weather/sun", "region/emea")))],
            [],
            [
                P(
                    "error",
                    "insights[0] (i1).segments",
                    "unknown segment(s) component/wheels, weather/sun; write them as dimension/segment keys from market.yaml",
                )
            ],
        ),
    ],
    ids=["good", "secondary-source", "unknown-source", "unknown-region", "unknown-segments"],
)
def test_check_insights(items, kept, expected):
    got_kept, problems = rules.check_insights(market(), items, FILE)
    assert [i.id for i in got_kept] == kept
    assert problems == expected


def test_check_insights_without_a_region_dimension():
    got_kept, problems = rules.check_insights(market(spec(dimensions=[COMPONENT])), [(0, insight())], FILE)
    assert got_kept == []
    assert problems == [P("error", "insights[0] (i1).regions", "unknown region(s) americas; expected from ")]


# -- across markets --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "taken,expected",
    [
        ({}, []),
        ({"other": "other"}, []),
        ({"m": "first"}, [P("error", "id", "market id 'm' is already used by markets/first; ids must be unique")]),
    ],
    ids=["first", "other-ids", "taken"],
)
def test_market_id_problems(taken, expected):
    assert rules.market_id_problems(market(), taken, FILE) == expected


@pytest.mark.parametrize(
    "ids,taken,kept,expected",
    [
        (["i1", "i2"], {}, ["i1", "i2"], []),
        (
            ["i1", "i2"],
            {"i1": "first"},
            ["i2"],
            [P("error", "id i1", "insight id 'i1' is already used in markets/first")],
        ),
        (["i1", "i1"], {}, ["i1"], [P("error", "id i1", "insight id 'i1' is already used in markets/m-folder")]),
    ],
    ids=["unique", "taken-by-another-market", "twice-in-this-market"],
)
def test_check_insight_ids(ids, taken, kept, expected):
    before = dict(taken)
    got_kept, problems = rules.check_insight_ids(market(insights=[insight(i) for i in ids]), taken, FILE)
    assert [i.id for i in got_kept] == kept
    assert problems == expected
    assert taken == before  # the rule reads what was taken; the caller records what it accepts


# -- the segment hierarchy -------------------------------------------------------------------


@pytest.mark.parametrize(
    "parent_of,key,expected",
    [
        ({"a": None}, "a", []),
        ({"a": None, "b": "a", "c": "b"}, "c", ["b", "a"]),
        ({"a": None, "b": "a"}, "unknown", []),
        ({"a": float("nan"), "b": "a"}, "b", ["a"]),  # a DataFrame's missing parent
        ({"b": "a"}, "b", ["a"]),  # a parent not listed itself ends the chain after it
        ({"a": "b", "b": "a"}, "a", ["b"]),  # a loop stops instead of hanging
        ({"a": "a"}, "a", []),
    ],
    ids=["top-level", "grandchild", "unknown-key", "nan-parent", "unlisted-parent", "loop", "own-parent"],
)
def test_ancestors(parent_of, key, expected):
    assert ancestors(parent_of, key) == expected


def said(en: str, zh: str | None = None) -> Insight:
    return Insight.model_validate(
        {"id": "n1", "topic": "trend", "title": {"en": "T"}, "text": {"en": en, "zh": zh}, "source": "rep"}
    )


@pytest.mark.parametrize(
    "text_en, text_zh, quoted",
    [
        # figures of the market (10 in 2025, 20 in 2030) and its stated CAGR (14.87%)
        ("From USD 10 billion in 2025 to USD 20.00 bn in 2030, 14.87% a year.", "从100亿美元增至200.0亿美元。", None),
        ("A stale figure: USD 12.5 billion.", None, ("en", "USD 12.5 billion")),
        ("Growth of 15.2% a year.", None, ("en", "15.2%")),
        # 亿美元 are tenths of a billion: 120亿美元 is USD 12 bn, which is no figure here
        ("Fine: USD 10 billion.", "规模为120亿美元。", ("zh", "120亿美元")),
        # years, counts and technology names are not quoted figures
        ("By 2030, 5G and 4 in 5 hospitals.", None, None),
        # a curated share estimate may be quoted (shares.csv holds 35% for the Americas)
        ("The Americas hold 35% of the market.", None, None),
    ],
    ids=["matches", "stale-size", "stale-rate", "stale-zh", "not-figures", "share"],
)
def test_insight_number_problems(text_en, text_zh, quoted):
    cagr = {**REP, "cagr": {"value_pct": 14.87, "start_year": 2025, "end_year": 2030}}
    the_market = market(
        spec(sources=(cagr, ART)), shares=[share("region", "americas", 35.0)], insights=[said(text_en, text_zh)]
    )
    problems = rules.insight_number_problems(the_market, FILE)
    if quoted is None:
        assert problems == []
    else:
        (p,) = problems
        assert p.severity == "warning" and p.location == f"insights[0] (n1).text.{quoted[0]}"
        assert p.message.startswith(f"quotes {quoted[1]}, which matches no figure")
