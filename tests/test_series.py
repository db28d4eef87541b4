"""Interpolation and growth arithmetic, alone and as the database applies it to the real data."""

from __future__ import annotations

import math

import pytest

from marketintel import queries
from marketintel.series import cagr_pct, geometric_series, linear_shares


def test_cagr_pct():
    assert cagr_pct(100, 200, 1) == pytest.approx(100)
    assert cagr_pct(100, 121, 2) == pytest.approx(10)
    assert math.isnan(cagr_pct(0, 10, 3))
    assert math.isnan(cagr_pct(10, 20, 0))


def test_geometric_series_passes_through_anchors_unchanged():
    anchors = {2025: 6.59, 2026: 8.27, 2032: 33.49}
    out = geometric_series(anchors)
    assert [y for y, _, _ in out] == list(range(2025, 2033))
    for year, value, is_anchor in out:
        assert is_anchor == (year in anchors)
        if is_anchor:
            assert value == anchors[year]  # exactly, not recomputed
    values = dict((y, v) for y, v, _ in out)
    ratios = [values[y + 1] / values[y] for y in range(2026, 2032)]
    assert max(ratios) - min(ratios) < 1e-12


def test_geometric_series_single_and_empty():
    assert geometric_series({2030: 5.0}) == [(2030, 5.0, True)]
    assert geometric_series({}) == []


def test_linear_shares_hold_flat_outside_and_interpolate_inside():
    out = {y: (s, a) for y, s, a in linear_shares({2024: 20.0, 2030: 26.0}, 2023, 2031)}
    assert out[2023] == (20.0, False)
    assert out[2024] == (20.0, True)
    assert out[2027] == (pytest.approx(23.0), False)
    assert out[2030] == (26.0, True)
    assert out[2031] == (26.0, False)


def test_linear_shares_keep_sums():
    a = linear_shares({2025: 60.0, 2032: 40.0}, 2025, 2032)
    b = linear_shares({2025: 40.0, 2032: 60.0}, 2025, 2032)
    for (_, x, _), (_, y, _) in zip(a, b):
        assert x + y == pytest.approx(100.0)


def test_market_series_passes_through_every_reported_point(con):
    series = queries.market_series(con)
    reported = queries.headline_figures(con)
    for mid, g in series.groupby("market_id"):
        pts = reported[reported["market_id"] == mid].set_index("year")["value"].to_dict()
        assert list(g["year"]) == list(range(min(pts), max(pts) + 1))
        for year, value, prov in zip(g["year"], g["value"], g["provenance"]):
            if year in pts:
                assert prov == "reported"
                assert value == pts[year]
            else:
                assert prov == "derived"


def test_derived_years_are_geometric_between_anchors(con):
    series = queries.market_series(con)
    for mid, g in series.groupby("market_id"):
        values = dict(zip(g["year"], g["value"]))
        anchors = sorted(g.loc[g["provenance"] == "reported", "year"])
        for a, b in zip(anchors, anchors[1:]):
            expected_ratio = (values[b] / values[a]) ** (1 / (b - a))
            for y in range(a, b):
                assert values[y + 1] / values[y] == pytest.approx(expected_ratio, rel=1e-12), (mid, y)


def test_index_value_starts_at_100(con):
    series = queries.market_series(con)
    firsts = series.groupby("market_id")["index_value"].first()
    assert (firsts == 100).all()
