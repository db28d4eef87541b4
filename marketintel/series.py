"""Pure arithmetic on figures: interpolation between anchors and growth rates."""

from __future__ import annotations

import math
from typing import Mapping


def cagr_pct(start_value: float, end_value: float, years: int) -> float:
    """Compound annual growth rate in percent; NaN when it is undefined."""
    if start_value <= 0 or end_value < 0 or years <= 0:
        return math.nan
    return ((end_value / start_value) ** (1 / years) - 1) * 100


def geometric_series(anchors: Mapping[int, float]) -> list[tuple[int, float, bool]]:
    """Yearly values from the first to the last anchor year as ``(year, value, is_anchor)``.

    Between two anchors the value grows at the constant rate that joins them, so the curve
    passes exactly through every anchor (anchors are returned unchanged, not recomputed).
    """
    years = sorted(anchors)
    out: list[tuple[int, float, bool]] = []
    for a, b in zip(years, years[1:]):
        out.append((a, anchors[a], True))
        va, vb = anchors[a], anchors[b]
        for y in range(a + 1, b):
            t = (y - a) / (b - a)
            value = va * (vb / va) ** t if va > 0 and vb > 0 else va + (vb - va) * t
            out.append((y, value, False))
    if years:
        out.append((years[-1], anchors[years[-1]], True))
    return out


def linear_shares(anchors: Mapping[int, float], first_year: int, last_year: int) -> list[tuple[int, float, bool]]:
    """Yearly shares over ``first_year..last_year`` as ``(year, share, is_anchor)``.

    Linear between anchor years, which keeps every year's shares summing as the anchors do;
    held flat before the first and after the last anchor.
    """
    years = sorted(anchors)
    out = []
    for y in range(first_year, last_year + 1):
        if y in anchors:
            out.append((y, anchors[y], True))
            continue
        before = [a for a in years if a < y]
        after = [a for a in years if a > y]
        if not before:
            value = anchors[after[0]]
        elif not after:
            value = anchors[before[-1]]
        else:
            a, b = before[-1], after[0]
            value = anchors[a] + (anchors[b] - anchors[a]) * (y - a) / (b - a)
        out.append((y, value, False))
    return out
