"""Scenario arithmetic and defaults, opportunity sizing: pure functions, parameter tables."""

from __future__ import annotations

import math

import pytest

from marketintel.scenarios import (
    PublisherRate,
    Scenario,
    default_scenarios,
    opportunity_sizing,
    scenario_curve,
    usable_rates,
    with_user_values,
)

WINDOW = (2025, 2032)


def rate(sid, pct, start=2024, end=2030):
    return PublisherRate(sid, sid.upper(), pct, start, end)


@pytest.mark.parametrize(
    "rates, bear, bull, basis",
    [
        # Three or more usable publishers: their lowest and highest growth.
        ([rate("a", 10.0), rate("b", 20.0), rate("c", 15.0)], 10.0, 20.0, "publishers"),
        ([rate("a", 10.0), rate("b", 20.0), rate("c", 15.0), rate("d", 31.5)], 10.0, 31.5, "publishers"),
        # Fewer than three: the primary's CAGR minus / plus the spread.
        ([rate("a", 10.0), rate("b", 20.0)], 13.0, 23.0, "spread"),
        ([], 13.0, 23.0, "spread"),
        # A span too short, or outside the primary's window, does not count.
        ([rate("a", 10.0), rate("b", 20.0), rate("c", 15.0, 2025, 2026)], 13.0, 23.0, "spread"),
        ([rate("a", 10.0), rate("b", 20.0), rate("c", 15.0, 2010, 2015)], 13.0, 23.0, "spread"),
        ([rate("a", 10.0), rate("b", 20.0), rate("c", math.nan)], 13.0, 23.0, "spread"),
    ],
)
def test_bear_and_bull_defaults(rates, bear, bull, basis):
    s = default_scenarios(18.0, WINDOW, rates, spread_pp=5.0)
    assert s["bear"].cagr_pct == pytest.approx(bear) and s["bull"].cagr_pct == pytest.approx(bull)
    assert s["bear"].basis == s["bull"].basis == basis
    assert s["base"] == Scenario("base", 18.0, 2025, "primary")
    assert s["bear"].start_year == s["bull"].start_year == 2025
    if basis == "publishers":
        assert s["bear"].source == "A" and s["bear"].period == (2024, 2030)


def test_usable_rates_need_a_span_overlapping_the_window():
    rates = [rate("a", 1, 2024, 2030), rate("b", 2, 2020, 2022), rate("c", 3, 2026, 2028), rate("d", 4, 2030, 2032)]
    assert [r.source_id for r in usable_rates(rates, WINDOW, 3)] == ["a"]
    assert [r.source_id for r in usable_rates(rates, WINDOW, 2)] == ["a", "c", "d"]


@pytest.mark.parametrize(
    "user_cagr, user_start, bull, bull_start, bull_basis",
    [
        ({}, {}, 23.0, 2025, "spread"),  # nothing set: the defaults
        ({"bull": 24.0}, {}, 24.0, 2025, "user"),  # a user rate
        ({"bull": 24.0}, {"bull": 2028}, 24.0, 2028, "user"),  # a start year inside the span
        ({}, {"bull": 2028}, 23.0, 2028, "spread"),  # only the start moved: the rate keeps its basis
        ({"bull": 24.0}, {"bull": 2040}, 24.0, 2031, "user"),  # clamped: a scenario spans at least a year
        ({"bull": 24.0}, {"bull": 1990}, 24.0, 2025, "user"),
    ],
)
def test_user_values_replace_the_defaults(user_cagr, user_start, bull, bull_start, bull_basis):
    s = with_user_values(default_scenarios(18.0, WINDOW, [], 5.0), user_cagr, user_start, WINDOW)
    assert (s["bull"].cagr_pct, s["bull"].start_year, s["bull"].basis) == (bull, bull_start, bull_basis)
    assert s["bear"].cagr_pct == 13.0 and s["base"].basis == "primary"


def test_the_base_scenario_can_be_set_by_hand_too():
    s = with_user_values(default_scenarios(18.0, WINDOW, [], 5.0), {"base": 16.5}, {}, WINDOW)
    assert (s["base"].cagr_pct, s["base"].basis) == (16.5, "user")


@pytest.mark.parametrize(
    "start, pct, expected",
    [
        (2025, 10.0, [(2025, 100.0), (2026, 110.0), (2027, 121.0)]),
        (2026, 0.0, [(2026, 120.0), (2027, 120.0)]),  # from the published value in its start year
        (2026, -50.0, [(2026, 120.0), (2027, 60.0)]),
        (2024, 10.0, []),  # no published value that year: no curve
    ],
)
def test_a_scenario_grows_from_the_published_value_in_its_start_year(start, pct, expected):
    published = {2025: 100.0, 2026: 120.0, 2027: 150.0}
    curve = scenario_curve(published, Scenario("bull", pct, start, "user"))
    assert [y for y, _ in curve] == [y for y, _ in expected]
    assert [v for _, v in curve] == pytest.approx([v for _, v in expected])


@pytest.mark.parametrize(
    "market, slice_value, estimate, pct, addressable_share, obtainable, obtainable_share",
    [
        (283.5, 43.67, True, 10.0, 15.404, 4.367, 1.5404),
        (100.0, 100.0, False, 25.0, 100.0, 25.0, 25.0),  # unfiltered: the slice is the market
        (100.0, 40.0, True, 0.0, 40.0, 0.0, 0.0),
    ],
)
def test_opportunity_sizing_steps(market, slice_value, estimate, pct, addressable_share, obtainable, obtainable_share):
    m, a, o = opportunity_sizing(market, "derived", slice_value, estimate, pct)
    assert (m.key, a.key, o.key) == ("market", "addressable", "obtainable")
    assert m.value == market and m.share_of_market_pct == 100 and m.provenance == "derived"
    assert a.value == slice_value and a.share_of_market_pct == pytest.approx(addressable_share, rel=1e-3)
    assert a.provenance == ("estimate" if estimate else "derived")
    assert o.value == pytest.approx(obtainable) and o.share_of_previous_pct == pct
    assert o.share_of_market_pct == pytest.approx(obtainable_share, rel=1e-3) and o.provenance == "scenario"


@pytest.mark.parametrize("shift", [3.4, -2.0])
def test_a_slice_moves_every_default_by_its_own_pace(shift):
    rates = [rate("a", 10.0), rate("b", 20.0), rate("c", 15.0)]
    s = default_scenarios(18.0, WINDOW, rates, 5.0, shift_pp=shift)
    assert [s[n].cagr_pct for n in ("bear", "base", "bull")] == pytest.approx([10 + shift, 18 + shift, 20 + shift])
    assert all(s[n].shift_pp == shift for n in s)
    fewer = default_scenarios(18.0, WINDOW, [], 5.0, shift_pp=shift)
    assert [fewer[n].cagr_pct for n in ("bear", "base", "bull")] == pytest.approx([13 + shift, 18 + shift, 23 + shift])
