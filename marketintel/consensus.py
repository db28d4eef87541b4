"""What the publishers say together: consensus per year, outliers, and stated vs implied growth.

Pure functions of each source's yearly points (reported figures, and derived years strictly
inside the source's own reported span, never extrapolated). An earlier edition of a report is
not a second publisher: callers leave superseded editions out (``SourcePoints.current``).
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field

from .series import cagr_pct


@dataclass(frozen=True)
class SourcePoints:
    """One source's yearly values: ``points[year] = (value, provenance)``, provenance reported or derived."""

    source_id: str
    points: dict[int, tuple[float, str]]
    is_primary: bool = False
    cagr_pct: float | None = None
    cagr_start: int | None = None
    cagr_end: int | None = None
    current: bool = True  # False for an earlier edition of a report that has a later one

    @property
    def reported_years(self) -> list[int]:
        return sorted(y for y, (_, p) in self.points.items() if p == "reported")


@dataclass(frozen=True)
class ConsensusYear:
    """One year across publishers: how many state or imply a value, the median and the range."""

    year: int
    n_sources: int
    n_reported: int
    median: float
    low: float
    high: float
    low_source: str
    high_source: str
    sources: tuple[str, ...] = field(default=())

    @property
    def single(self) -> bool:
        return self.n_sources == 1


@dataclass(frozen=True)
class OutlierFinding:
    """One source against the median of the others in the years they share (on a log scale).

    ``ratio`` is the source's value over the others' median in ``year`` (the year quoted);
    ``typical_ratio`` the same, as the median over every comparable year. ``flagged`` when the
    typical ratio is more than ``factor`` away, either way. No comparable year: ``year`` is None.
    """

    source_id: str
    year: int | None
    value: float | None
    provenance: str | None
    others_median: float | None
    n_others: int
    ratio: float | None
    typical_ratio: float | None
    n_years: int
    flagged: bool


@dataclass(frozen=True)
class GrowthComparison:
    """A source's stated CAGR beside the one its own figures imply, and over a period common to all."""

    source_id: str
    stated_pct: float | None
    stated_start: int | None
    stated_end: int | None
    implied_pct: float | None  # over the stated period, where the source's own points cover it
    implied_note: str  # "", "period not stated", "figures do not cover the period", "no CAGR stated"
    own_start: int | None  # first and last reported year
    own_end: int | None
    own_pct: float | None  # implied over its own first to last reported year
    differs: bool  # stated and implied differ by more than the tolerance
    common_pct: float | None = None  # implied over the common period (see ``common_period``)


def consensus_by_year(sources: Sequence[SourcePoints]) -> list[ConsensusYear]:
    """Per year, from current sources: number of sources, median, low and high (and who is low and high)."""
    years: dict[int, list[tuple[str, float, str]]] = {}
    for s in sources:
        if not s.current:
            continue
        for year, (value, prov) in s.points.items():
            years.setdefault(year, []).append((s.source_id, value, prov))
    out = []
    for year in sorted(years):
        rows = sorted(years[year], key=lambda r: r[1])
        values = [v for _, v, _ in rows]
        out.append(
            ConsensusYear(
                year=year,
                n_sources=len(rows),
                n_reported=sum(p == "reported" for _, _, p in rows),
                median=float(statistics.median(values)),
                low=values[0],
                high=values[-1],
                low_source=rows[0][0],
                high_source=rows[-1][0],
                sources=tuple(sid for sid, _, _ in rows),
            )
        )
    return out


def outliers(sources: Sequence[SourcePoints], factor: float, min_others: int = 2) -> list[OutlierFinding]:
    """Each current source against the median of the *other* current sources, year by year.

    A year counts when at least ``min_others`` others have a value in it. The log ratios' median
    over those years is the source's typical distance, which one odd year cannot swing; it is
    flagged beyond ``factor`` (either way). The year quoted is the source's first reported year
    that counts, else its first year that counts.
    """
    current = [s for s in sources if s.current]
    findings = []
    limit = math.log(factor)
    for s in current:
        comparable: list[tuple[int, float, str, float, int]] = []
        for year in sorted(s.points):
            others = [o.points[year][0] for o in current if o is not s and year in o.points]
            if len(others) < min_others:
                continue
            value, prov = s.points[year]
            comparable.append((year, value, prov, float(statistics.median(others)), len(others)))
        usable = [c for c in comparable if c[1] > 0 and c[3] > 0]
        if not usable:
            findings.append(OutlierFinding(s.source_id, None, None, None, None, 0, None, None, 0, False))
            continue
        logs = [math.log(v / m) for _, v, _, m, _ in usable]
        typical = statistics.median(logs)
        quoted = next((c for c in usable if c[2] == "reported"), usable[0])
        year, value, prov, med, n = quoted
        findings.append(
            OutlierFinding(
                s.source_id,
                year,
                value,
                prov,
                med,
                n,
                value / med,
                math.exp(typical),
                len(usable),
                abs(typical) > limit,
            )
        )
    return findings


def common_period(sources: Sequence[SourcePoints]) -> tuple[int, int] | None:
    """The years every current source with a span covers (latest first year to earliest last year)."""
    spans = [(min(s.points), max(s.points)) for s in sources if s.current and len(s.points) >= 2]
    if len(spans) < 2:
        return None
    start, end = max(a for a, _ in spans), min(b for _, b in spans)
    return (start, end) if end > start else None


def _implied(s: SourcePoints, start: int, end: int) -> float | None:
    if start in s.points and end in s.points and end > start:
        rate = cagr_pct(s.points[start][0], s.points[end][0], end - start)
        return None if math.isnan(rate) else rate
    return None


def growth_comparison(sources: Sequence[SourcePoints], tolerance_pp: float) -> list[GrowthComparison]:
    """Stated vs implied CAGR for every source, and each current source's rate over the common period."""
    common = common_period(sources)
    out = []
    for s in sources:
        reported = s.reported_years
        own_start, own_end = (reported[0], reported[-1]) if len(reported) >= 2 else (None, None)
        own = _implied(s, own_start, own_end) if own_start is not None else None
        if s.cagr_pct is None:
            implied, note = None, "no CAGR stated"
        elif s.cagr_start is None:
            implied, note = None, "period not stated"
        else:
            implied = _implied(s, s.cagr_start, s.cagr_end)
            note = "" if implied is not None else "figures do not cover the period"
        differs = implied is not None and abs(implied - s.cagr_pct) > tolerance_pp
        common_pct = _implied(s, *common) if common and s.current else None
        out.append(
            GrowthComparison(
                s.source_id,
                s.cagr_pct,
                s.cagr_start,
                s.cagr_end,
                implied,
                note,
                own_start,
                own_end,
                own,
                differs,
                common_pct,
            )
        )
    return out
