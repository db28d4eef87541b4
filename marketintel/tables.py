"""The DuckDB tables, declared once: one frozen dataclass per row type, its fields the columns in order.

``db`` builds each table's rows as these objects and creates the table from the same class: a
field's annotation gives the column's type (``str`` VARCHAR, ``int`` INTEGER, ``float`` DOUBLE,
``bool`` BOOLEAN, ``date`` DATE; ``X | None`` is the same type, nullable). ``queries`` reads
these tables by column name, so a change here is a change to the database's layout.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import types
import typing
from dataclasses import dataclass
from functools import cache

row = dataclass(frozen=True, slots=True)


@row
class MarketRow:
    market_id: str
    name_en: str
    name_zh: str
    currency: str
    unit: str
    primary_source_id: str
    color: str
    sort_order: int


@row
class SourceRow:
    market_id: str
    source_id: str
    is_primary: bool
    kind_en: str
    kind_zh: str
    title_en: str
    title_zh: str
    publisher: str | None
    report_code: str | None
    document: str | None
    date: str | None  # publication date at the precision stated: 2024, 2024-09 or 2024-09-30
    url: str | None
    accessed: dt.date | None
    edition_of: str | None
    scope_en: str | None
    scope_zh: str | None
    notes_en: str | None
    notes_zh: str | None
    coverage_en: str | None
    coverage_zh: str | None
    cagr_pct: float | None
    cagr_start: int | None
    cagr_end: int | None
    cagr_basis_en: str | None
    cagr_basis_zh: str | None
    first_year: int | None
    last_year: int | None
    n_figures: int


@row
class SourceFigureRow:
    """A figure exactly as its source reports it."""

    market_id: str
    source_id: str
    year: int
    value: float
    role: str | None
    note: str | None


@row
class MarketSeriesRow:
    """One year of a source's series: reported, or derived between reported years."""

    market_id: str
    source_id: str
    year: int
    value: float
    provenance: str


@row
class DimensionRow:
    market_id: str
    source_id: str
    dimension: str
    label_en: str
    label_zh: str
    sort_order: int
    has_shares: bool


@row
class SegmentRow:
    market_id: str
    source_id: str
    dimension: str
    segment: str
    label_en: str
    label_zh: str
    parent: str | None
    depth: int
    sort_order: int
    concept: str | None
    concept_note: str | None
    concept_note_zh: str | None
    is_leaf: bool
    color: str


@row
class SegmentShareRow:
    """One year of a segment's estimated share of the whole market."""

    market_id: str
    source_id: str
    dimension: str
    segment: str
    year: int
    share_pct: float
    is_anchor: bool
    rationale: str
    rationale_zh: str


@row
class CrosstabShareRow:
    market_id: str
    source_id: str
    dimension_a: str
    segment_a: str
    dimension_b: str
    segment_b: str
    year: int
    share_pct: float
    is_anchor: bool
    rationale: str
    rationale_zh: str


@row
class InsightRow:
    market_id: str
    insight_id: str
    topic: str
    title_en: str
    title_zh: str
    text_en: str
    text_zh: str
    source_id: str
    sort_order: int


@row
class InsightRegionRow:
    market_id: str
    insight_id: str
    region: str


@row
class InsightSegmentRow:
    market_id: str
    insight_id: str
    dimension: str
    segment: str


@row
class ClaimRow:
    market_id: str
    source_id: str
    dimension: str
    segment: str
    claim: str
    text_en: str
    text_zh: str


@row
class ConceptRow:
    concept: str
    kind: str
    label_en: str
    label_zh: str


@row
class ProblemRow:
    severity: str
    file: str
    location: str
    message: str
    market_id: str | None


@row
class EventRow:
    event_id: str
    date: str
    position: float  # on a year axis: the year plus the month as a fraction
    label_en: str
    label_zh: str
    kind: str
    all_markets: bool
    markets: str  # the market ids it concerns, comma-separated ("" when all)
    sources: str
    note_en: str | None
    note_zh: str | None


@row
class OmissionRow:
    """A market or dimension validation left out: the pages that would show it name it, with the reason."""

    kind: str  # market | dimension
    folder: str
    market_id: str | None
    dimension: str | None
    file: str
    location: str
    message: str


#: Every table, by name, in the order the build creates them.
TABLES: dict[str, type] = {
    "markets": MarketRow,
    "sources": SourceRow,
    "source_figures": SourceFigureRow,
    "market_series": MarketSeriesRow,
    "dimensions": DimensionRow,
    "segments": SegmentRow,
    "segment_shares": SegmentShareRow,
    "crosstab_shares": CrosstabShareRow,
    "insights": InsightRow,
    "insight_regions": InsightRegionRow,
    "insight_segments": InsightSegmentRow,
    "claims": ClaimRow,
    "concepts": ConceptRow,
    "problems": ProblemRow,
    "events": EventRow,
    "omissions": OmissionRow,
}


@cache
def columns(row_type: type) -> tuple[tuple[str, type], ...]:
    """A row type's columns in order, as ``(name, value type)`` with ``| None`` taken off."""
    hints = typing.get_type_hints(row_type)
    out = []
    for f in dataclasses.fields(row_type):
        kind = hints[f.name]
        if isinstance(kind, types.UnionType):
            (kind,) = [k for k in typing.get_args(kind) if k is not type(None)]
        out.append((f.name, kind))
    return tuple(out)


def values(record: object) -> tuple:
    """A row's values in column order (flat: fields hold plain values, so no deep copy is needed)."""
    return tuple(getattr(record, name) for name, _ in columns(type(record)))
