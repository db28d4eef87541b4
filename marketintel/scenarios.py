"""Scenarios and opportunity sizing: pure arithmetic on a published curve, never mixed into it.

A scenario is a growth rate applied from a start year to the value the primary source gives
for that year (reported or derived). Bear and bull default to the lowest and highest growth
among the publishers where at least ``min_sources`` have a usable span, else to the primary's
CAGR minus / plus a spread from config; the user may set either by hand. Base is the primary
source itself. Scenario values carry their own provenance, ``scenario``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

SCENARIOS = ("bear", "base", "bull")


@dataclass(frozen=True)
class PublisherRate:
    """One publisher's growth over its own reported span (``queries.source_findings``' own CAGR)."""

    source_id: str
    label: str
    cagr_pct: float
    start: int
    end: int


@dataclass(frozen=True)
class Scenario:
    """One scenario: a growth rate from a start year, and where the rate comes from.

    ``basis``: ``primary`` (base: the primary source), ``publishers`` (the lowest or highest
    publisher), ``spread`` (the primary's CAGR minus or plus the configured spread), ``user``.
    ``source`` names the publisher a ``publishers`` rate comes from.
    """

    name: str
    cagr_pct: float
    start_year: int
    basis: str
    source: str = ""
    period: tuple[int, int] | None = None  # the publisher's span the rate was measured over
    shift_pp: float = 0.0  # for a slice: how much faster (+) or slower it grows than the market


def usable_rates(rates: Sequence[PublisherRate], window: tuple[int, int], min_span: int) -> list[PublisherRate]:
    """Rates measured over at least ``min_span`` years that overlap the primary's ``window``."""
    lo, hi = window
    return [
        r
        for r in rates
        if r.cagr_pct is not None
        and not math.isnan(r.cagr_pct)
        and r.end - r.start >= min_span
        and r.start < hi
        and r.end > lo
    ]


def default_scenarios(
    primary_cagr: float,
    window: tuple[int, int],
    rates: Sequence[PublisherRate],
    spread_pp: float,
    min_sources: int = 3,
    min_span: int = 3,
    shift_pp: float = 0.0,
) -> dict[str, Scenario]:
    """Bear, base and bull before the user changes anything (see the module docstring).

    ``shift_pp`` is for a filtered slice: its own growth minus the market's. Base is then the slice's
    own growth, and bear and bull the publishers' (or the spread's) rates moved by the same amount."""
    first = window[0]
    base = Scenario("base", primary_cagr + shift_pp, first, "primary", shift_pp=shift_pp)
    usable = usable_rates(rates, window, min_span)
    if len(usable) >= min_sources:
        low = min(usable, key=lambda r: r.cagr_pct)
        high = max(usable, key=lambda r: r.cagr_pct)
        return {
            "bear": Scenario(
                "bear", low.cagr_pct + shift_pp, first, "publishers", low.label, (low.start, low.end), shift_pp
            ),
            "base": base,
            "bull": Scenario(
                "bull", high.cagr_pct + shift_pp, first, "publishers", high.label, (high.start, high.end), shift_pp
            ),
        }
    return {
        "bear": Scenario("bear", primary_cagr + shift_pp - spread_pp, first, "spread", shift_pp=shift_pp),
        "base": base,
        "bull": Scenario("bull", primary_cagr + shift_pp + spread_pp, first, "spread", shift_pp=shift_pp),
    }


def with_user_values(
    defaults: Mapping[str, Scenario],
    user_cagr: Mapping[str, float | None],
    user_start: Mapping[str, int | None],
    window: tuple[int, int],
) -> dict[str, Scenario]:
    """The defaults with the user's own rates and start years, base included (a start outside the window is clamped
    into it, and a start on the last year moves back one, so a scenario always spans a year)."""
    lo, hi = window
    out = dict(defaults)
    for name, s in defaults.items():
        rate, start = user_cagr.get(name), user_start.get(name)
        if rate is None and start is None:
            continue
        start = s.start_year if start is None else min(max(int(start), lo), hi - 1)
        if rate is None:
            out[name] = Scenario(name, s.cagr_pct, start, s.basis, s.source, s.period, s.shift_pp)
        else:
            out[name] = Scenario(name, float(rate), start, "user")
    return out


def scenario_curve(published: Mapping[int, float], scenario: Scenario) -> list[tuple[int, float]]:
    """Yearly values of a scenario: the published value at its start year, grown at its rate to the
    published curve's last year. Empty when the start year has no published value."""
    if scenario.start_year not in published:
        return []
    start_value = published[scenario.start_year]
    last = max(published)
    factor = 1 + scenario.cagr_pct / 100
    return [(y, start_value * factor ** (y - scenario.start_year)) for y in range(scenario.start_year, last + 1)]


@dataclass(frozen=True)
class SizingStep:
    """One step of an opportunity sizing: its value, its share of the step before and of the market."""

    key: str  # "market", "addressable", "obtainable"
    value: float
    share_of_previous_pct: float
    share_of_market_pct: float
    provenance: str  # reported / derived for the market, estimate for the slice, scenario for the user's share


def opportunity_sizing(
    market_value: float, market_provenance: str, slice_value: float, slice_estimate: bool, obtainable_pct: float
) -> list[SizingStep]:
    """Whole market → the slice the filters leave (addressable) → the user's share of it (obtainable)."""
    obtainable = slice_value * obtainable_pct / 100
    share = (lambda v: v / market_value * 100) if market_value else (lambda v: math.nan)
    return [
        SizingStep("market", market_value, 100.0, 100.0, market_provenance),
        SizingStep(
            "addressable",
            slice_value,
            share(slice_value),
            share(slice_value),
            "estimate" if slice_estimate else market_provenance,
        ),
        SizingStep("obtainable", obtainable, obtainable_pct, share(obtainable), "scenario"),
    ]
