"""Consensus, outliers and stated-vs-implied growth: pure functions, tables of cases."""

from __future__ import annotations

import math

import pytest

from marketintel.consensus import SourcePoints, common_period, consensus_by_year, growth_comparison, outliers
from marketintel.series import geometric_series


def src(sid: str, anchors: dict[int, float], primary: bool = False, cagr=None, current: bool = True) -> SourcePoints:
    """A source from its reported anchors, with derived years between them (as the database holds them)."""
    points = {y: (v, "reported" if anchor else "derived") for y, v, anchor in geometric_series(anchors)}
    start, end, pct = (None, None, None)
    if cagr is not None:
        pct, start, end = cagr if len(cagr) == 3 else (cagr[0], None, None)
    return SourcePoints(sid, points, primary, pct, start, end, current)


# The IoMT case from the shared file: the seed report 35-200x below four other publishers.
IOMT = [
    src("seed", {2025: 1.35, 2026: 1.74, 2032: 7.95}, primary=True),
    src("fbi", {2023: 47.32, 2024: 60.03, 2032: 814.28}),
    src("ri", {2023: 152.2, 2032: 732.4}),
    src("gvr", {2024: 230.69}),
    src("virtue", {2024: 60.10, 2030: 137.49}),
]


@pytest.mark.parametrize(
    "sources, year, expected",
    [
        # two sources in one year: median is their mean
        ([src("a", {2025: 10, 2030: 20}), src("b", {2025: 30, 2030: 40})], 2025, (2, 2, 20.0, 10.0, 30.0)),
        # a derived year counts, and says so (n_reported)
        ([src("a", {2025: 10, 2027: 40}), src("b", {2026: 30})], 2026, (2, 1, 25.0, 20.0, 30.0)),
        # never extrapolated: b starts in 2026, so 2025 has one source
        ([src("a", {2025: 10, 2027: 40}), src("b", {2026: 30, 2027: 35})], 2025, (1, 1, 10.0, 10.0, 10.0)),
        # an earlier edition is not a second publisher
        ([src("a", {2025: 10}), src("a-old", {2025: 50}, current=False)], 2025, (1, 1, 10.0, 10.0, 10.0)),
        (IOMT, 2024, (4, 3, pytest.approx(120.58, abs=0.1), 60.03, 230.69)),
    ],
)
def test_consensus_by_year(sources, year, expected):
    row = next(r for r in consensus_by_year(sources) if r.year == year)
    assert (row.n_sources, row.n_reported, row.median, row.low, row.high) == expected
    assert row.single == (expected[0] == 1)


def test_consensus_names_who_is_low_and_high():
    row = next(r for r in consensus_by_year(IOMT) if r.year == 2025)
    assert (row.low_source, row.high_source) == ("seed", "ri") and row.n_sources == 4


def _flags(findings) -> dict[str, bool]:
    return {f.source_id: f.flagged for f in findings}


@pytest.mark.parametrize(
    "sources, factor, expected",
    [
        # two sources: no one has two others to be compared with, so no outlier is named
        ([src("a", {2025: 10, 2030: 20}), src("b", {2025: 1000, 2030: 2000})], 5, {"a": False, "b": False}),
        # the primary as the outlier, 60x below three others
        (IOMT, 5, {"seed": True, "fbi": False, "ri": False, "gvr": False, "virtue": False}),
        # no outlier: everyone within 2x
        ([src("a", {2025: 10}), src("b", {2025: 15}), src("c", {2025: 20})], 5, {"a": False, "b": False, "c": False}),
        # about 2x from the others is not an outlier at 5x, but is at 1.7x (and c, 1.6x from p and b, is not)
        (
            [src("p", {2025: 145}, primary=True), src("b", {2025: 87.5}), src("c", {2025: 71.5})],
            5,
            {"p": False, "b": False, "c": False},
        ),
        (
            [src("p", {2025: 145}, primary=True), src("b", {2025: 87.5}), src("c", {2025: 71.5})],
            1.7,
            {"p": True, "b": False, "c": False},
        ),
        # a source with one year is compared in that year only
        (
            [
                src("one", {2024: 500}),
                src("b", {2024: 50, 2026: 60}),
                src("c", {2024: 40, 2026: 70}),
                src("d", {2024: 60, 2026: 65}),
            ],
            5,
            {"one": True, "b": False, "c": False, "d": False},
        ),
    ],
)
def test_outliers(sources, factor, expected):
    assert _flags(outliers(sources, factor)) == expected


def test_the_outlier_statement_quotes_its_first_reported_year():
    seed = next(f for f in outliers(IOMT, 5) if f.source_id == "seed")
    assert (seed.year, seed.value, seed.provenance, seed.n_others) == (2025, 1.35, "reported", 3)
    assert seed.others_median == pytest.approx(83.2, abs=0.2)
    assert 1 / seed.ratio == pytest.approx(61.6, abs=0.5)
    assert seed.typical_ratio < 1 / 20


def test_a_ratio_is_shown_even_when_not_flagged():
    p = outliers([src("p", {2025: 145}, primary=True), src("b", {2025: 87.5}), src("c", {2025: 71.5})], 5)[0]
    assert not p.flagged and p.ratio == pytest.approx(145 / 79.5)


def test_no_comparable_year_says_so():
    lone = outliers([src("a", {2020: 1, 2021: 2}), src("b", {2030: 5}), src("c", {2030: 6})], 5)[0]
    assert lone.year is None and lone.n_others == 0 and not lone.flagged


@pytest.mark.parametrize(
    "source, implied, note, differs",
    [
        # stated and implied agree
        (src("a", {2025: 10, 2030: 20}, cagr=(14.87, 2025, 2030)), 14.87, "", False),
        # the page's own figures and rate disagree (Precedence telemedicine: 17.16% stated, ~17.8% implied)
        (src("p", {2022: 60.8, 2030: 225}, cagr=(17.16, 2022, 2030)), 17.77, "", True),
        # a period starting inside the span uses the derived year (Kings Research: 2022 figure, 2023-2030 rate)
        (src("k", {2022: 93.21, 2030: 275.67}, cagr=(18.6, 2023, 2030)), 14.51, "", True),
        # a CAGR with no period is shown as such, never guessed
        (src("n", {2025: 10, 2030: 20}, cagr=(14.0,)), None, "period not stated", False),
        # a period the figures do not reach (Grand View: one 2024 figure, a 2025-2030 rate)
        (src("g", {2024: 230.69}, cagr=(18.2, 2025, 2030)), None, "figures do not cover the period", False),
        (src("x", {2024: 1, 2025: 2}), None, "no CAGR stated", False),
    ],
)
def test_growth_comparison(source, implied, note, differs):
    (row,) = growth_comparison([source], tolerance_pp=0.5)
    assert row.implied_note == note and row.differs == differs
    assert (row.implied_pct is None) == (implied is None)
    if implied is not None:
        assert row.implied_pct == pytest.approx(implied, abs=0.01)


@pytest.mark.parametrize(
    "sources, period",
    [
        ([src("a", {2023: 1, 2030: 2}), src("b", {2025: 1, 2032: 2})], (2025, 2030)),
        # spans that do not overlap: no common period
        ([src("a", {2020: 1, 2022: 2}), src("b", {2025: 1, 2032: 2})], None),
        # a one-year source has no span, so it does not narrow the period
        ([src("a", {2023: 1, 2030: 2}), src("b", {2025: 1, 2032: 2}), src("c", {2024: 5})], (2025, 2030)),
        ([src("a", {2023: 1, 2030: 2})], None),
    ],
)
def test_common_period(sources, period):
    assert common_period(sources) == period


def test_growth_over_the_common_period():
    rows = growth_comparison([src("a", {2023: 10, 2030: 40}), src("b", {2025: 100, 2032: 200})], 0.5)
    a, b = rows
    assert a.common_pct == pytest.approx((40 / 10) ** (1 / 7) * 100 - 100, abs=1e-6)
    assert b.common_pct == pytest.approx((2 ** (5 / 7)) ** (1 / 5) * 100 - 100, abs=1e-6)
    assert not math.isnan(a.own_pct)
