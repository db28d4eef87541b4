"""The domain model: what a valid data file is (pydantic models), and what validation hands on.

Field-level rules (types, required fields, known values, ranges) live here; reading files into
these models is ``load``; rules that span records (sums, hierarchy, references) are ``rules``.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Annotated, Any, Iterable, Literal, Mapping

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationInfo, field_validator, model_validator
from pydantic_core import PydanticCustomError

from .i18n import localised
from .settings import settings

KEY_PATTERN = r"^[a-z0-9][a-z0-9_-]{0,63}$"
SEGMENT_REF_PATTERN = r"^[a-z0-9_]+/[a-z0-9][a-z0-9_-]*$"
DATE_PATTERN = r"^(19|20)\d{2}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$"
URL_PATTERN = r"^https?://[^\s<>\"]+$"
Key = Annotated[str, StringConstraints(pattern=KEY_PATTERN)]
Text = Annotated[str, StringConstraints(min_length=1, max_length=4000, strip_whitespace=True)]
SegmentRef = Annotated[str, StringConstraints(pattern=SEGMENT_REF_PATTERN)]

# The files of the data folder: data/concepts.yaml, and one folder per market under data/markets.
MARKET_FILE = "market.yaml"
FIGURES_FILE = "figures.csv"
SHARES_FILE = "shares.csv"
CROSSTAB_FILE = "crosstab.csv"
INSIGHTS_FILE = "insights.yaml"
CONCEPTS_FILE = "concepts.yaml"
EVENTS_FILE = "events.yaml"


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Label(Strict):
    en: Text
    zh: Text | None = None
    zh_as_published: Text | None = None


#: Curated prose: plain English, or ``{en: ..., zh: ...}`` to give the Chinese view its own wording.
Prose = Text | Label


def english(value: "Prose | None") -> str | None:
    """The English of a prose field (plain text or a bilingual label)."""
    return value.en if isinstance(value, Label) else value


def chinese(value: "Prose | None") -> str | None:
    """The Chinese of a prose field, or its English where none is given."""
    return localised(value.zh, value.en) if isinstance(value, Label) else value


class Cagr(Strict):
    """A stated growth rate, with the period the source names, or none when it names none."""

    value_pct: float = Field(gt=-100, lt=1000)
    start_year: int | None = None
    end_year: int | None = None
    basis: Prose | None = None

    @model_validator(mode="after")
    def _period_forward(self) -> "Cagr":
        if (self.start_year is None) != (self.end_year is None):
            raise ValueError("give both start_year and end_year, or neither when the source names no period")
        if self.start_year is not None and self.end_year <= self.start_year:
            raise ValueError(f"end_year {self.end_year} must be after start_year {self.start_year}")
        return self

    @property
    def has_period(self) -> bool:
        return self.start_year is not None


def _partial_date(value: Any) -> Any:
    """A publication date as written: 2024, "2024-09" or 2024-09-30, kept at the precision stated."""
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value


#: A date at the precision a source states it: a year, a year and month, or a full date.
PartialDate = Annotated[str, StringConstraints(pattern=DATE_PATTERN)]
Url = Annotated[str, StringConstraints(pattern=URL_PATTERN, max_length=2000)]


class Source(Strict):
    """One publisher's report (or one edition of it), or an article, as the dashboard cites it."""

    id: Key
    primary: bool = False
    kind: Prose
    title: Label
    publisher: Text | None = None  # None where the source does not name its publisher
    report_code: Text | None = None
    document: Text | None = None
    date: PartialDate | None = None  # publication date, at the precision stated
    url: Url | None = None  # the page the figures were read from
    accessed: dt.date | None = None  # when that page was read
    edition_of: Key | None = None  # an earlier (or other) edition of the report with that source id
    scope: Prose | None = None  # what the figures cover, in our words
    notes: Prose | None = None  # what to watch for, in our words
    coverage: Prose | None = None
    cagr: Cagr | None = None

    _date = field_validator("date", mode="before")(_partial_date)

    @field_validator("date")
    @classmethod
    def _real_date(cls, value: str | None) -> str | None:
        if value and len(value) == 10:
            dt.date.fromisoformat(value)  # 2024-02-30 is refused
        return value


class Segment(Strict):
    key: Key
    label: Label
    concept: Key | None = None
    concept_note: Prose | None = None
    children: list["Segment"] = Field(default_factory=list)


class Dimension(Strict):
    key: Key
    label: Label
    source: Key | None = None  # defaults to the market's primary source
    segments: list[Segment] = Field(min_length=1)


class Claim(Strict):
    source: Key
    dimension: Key
    segment: Key
    claim: Literal["largest", "fastest_growing", "leading", "smallest", "slowest_growing"]
    text: Label


class MarketFile(Strict):
    """``market.yaml``: what a market is."""

    id: Key
    name: Label
    currency: Literal["USD"]
    unit: Literal["billion"]
    sources: list[Source] = Field(min_length=1)
    dimensions: list[Dimension] = Field(default_factory=list)
    claims: list[Claim] = Field(default_factory=list)


def _finite(v: Any) -> Any:
    """Runs before range checks, so 'nan' or 'inf' is called what it is, not 'out of range'."""
    try:
        number = float(v)
    except (TypeError, ValueError):
        return v  # not a number at all: the type check names it
    if not math.isfinite(number):
        raise ValueError("must be a finite number")
    return v


class FigureRow(Strict):
    """A row of ``figures.csv``: a market size a source reports."""

    source_id: Key
    year: int
    value: float = Field(ge=0)
    role: Text | None = None
    note: Text | None = None

    _fin = field_validator("value", mode="before")(_finite)


class ShareRow(Strict):
    """A row of ``shares.csv``: our estimated share of the whole market for one segment."""

    source_id: Key
    dimension: Key
    segment: Key
    year: int
    share_pct: float = Field(ge=0, le=100)
    rationale: Annotated[str, StringConstraints(min_length=3, max_length=500, strip_whitespace=True)]
    #: The same rationale in Chinese (the Chinese view falls back to English where it is missing).
    rationale_zh: Annotated[str, StringConstraints(min_length=2, max_length=500, strip_whitespace=True)] | None = None

    _fin = field_validator("share_pct", mode="before")(_finite)
    _zh = field_validator("rationale_zh", mode="before")(lambda v: v if isinstance(v, str) and v.strip() else None)


class CrosstabRow(Strict):
    """A row of ``crosstab.csv``: share of the whole market in one cell of two dimensions."""

    dimension_a: Key
    segment_a: Key
    dimension_b: Key
    segment_b: Key
    year: int
    share_pct: float = Field(ge=0, le=100)
    rationale: Annotated[str, StringConstraints(min_length=3, max_length=500, strip_whitespace=True)]
    #: The same rationale in Chinese (the Chinese view falls back to English where it is missing).
    rationale_zh: Annotated[str, StringConstraints(min_length=2, max_length=500, strip_whitespace=True)] | None = None

    _fin = field_validator("share_pct", mode="before")(_finite)
    _zh = field_validator("rationale_zh", mode="before")(lambda v: v if isinstance(v, str) and v.strip() else None)


class Insight(Strict):
    id: Key
    topic: Key
    title: Label
    text: Label
    regions: list[Key] = Field(default_factory=list)
    segments: list[SegmentRef] = Field(default_factory=list)
    source: Key

    @field_validator("topic")
    @classmethod
    def _known_topic(cls, value: str, info: ValidationInfo) -> str:
        # The one list of topics is config.yaml's; the loader passes its settings in the context.
        context = info.context or {}
        topics = context["insight_topics"] if "insight_topics" in context else settings().insight_topics
        if value not in topics:
            raise PydanticCustomError(
                "literal_error",
                "Input should be one of {expected} (config.yaml insight_topics)",
                {"expected": ", ".join(repr(t) for t in topics)},
            )
        return value


class InsightsFile(Strict):
    insights: list[Insight] = Field(default_factory=list)


class Concept(Strict):
    kind: Key
    en: Text
    zh: Text | None = None


class ConceptsFile(Strict):
    concepts: dict[Key, Concept]


class Event(Strict):
    """A dated event drawn on time charts: a policy change, a report edition, a publication."""

    id: Key
    date: PartialDate
    label: Label
    markets: Literal["all"] | list[Key] = "all"
    kind: Key
    sources: list[Key] = Field(default_factory=list)
    note: Prose | None = None
    _date = field_validator("date", mode="before")(_partial_date)

    @property
    def position(self) -> float:
        """Where on a year axis the event sits: the year, plus the month (and day) as a fraction."""
        parts = [int(p) for p in self.date.split("-")]
        year, month, day = (parts + [1, 1])[:3]
        return year + (month - 1) / 12 + (day - 1) / 365 if len(parts) > 1 else float(year)


class EventsFile(Strict):
    events: list[Event]


# -- the segment hierarchy ---------------------------------------------------------------------


@dataclass(frozen=True)
class SegmentNode:
    """A segment flattened out of its dimension's hierarchy."""

    key: str
    label: Label
    concept: str | None
    concept_note: Prose | None
    parent: str | None
    depth: int
    order: int
    children: tuple[str, ...]


def flatten_segments(dimension: Dimension) -> list[SegmentNode]:
    """Depth-first list of a dimension's segments, parents before their children."""
    out: list[SegmentNode] = []

    def walk(segments: Iterable[Segment], parent: str | None, depth: int) -> None:
        for seg in segments:
            out.append(
                SegmentNode(
                    seg.key,
                    seg.label,
                    seg.concept,
                    seg.concept_note,
                    parent,
                    depth,
                    len(out),
                    tuple(c.key for c in seg.children),
                )
            )
            walk(seg.children, seg.key, depth + 1)

    walk(dimension.segments, None, 0)
    return out


def ancestors(parent_of: Mapping[str, Any], key: str) -> list[str]:
    """The parents of ``key``, nearest first, up to its top-level segment (``[]`` for a top-level one).

    A parent that is not a string (None, or NaN out of a DataFrame) ends the chain, and so does
    a key seen before, so a malformed table cannot loop.
    """
    chain: list[str] = []
    parent = parent_of.get(key)
    while isinstance(parent, str) and parent != key and parent not in chain:
        chain.append(parent)
        parent = parent_of.get(parent)
    return chain


# -- what validation hands on ------------------------------------------------------------------

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the data, in plain words."""

    severity: Severity
    file: str
    location: str
    message: str
    market_id: str | None = None

    def __str__(self) -> str:
        where = f" [{self.location}]" if self.location else ""
        return f"{self.severity.upper()}: {self.file}{where}: {self.message}"


@dataclass
class MarketData:
    """One market's validated content."""

    spec: MarketFile
    folder: str
    figures: list[FigureRow] = field(default_factory=list)
    shares: list[ShareRow] = field(default_factory=list)
    crosstab: list[CrosstabRow] = field(default_factory=list)
    insights: list[Insight] = field(default_factory=list)
    #: Dimensions left out (key, the problem that did it); for the pages' banners, not compared as content.
    omitted: list[tuple[str, Problem | None]] = field(default_factory=list, compare=False, repr=False)

    @property
    def id(self) -> str:
        return self.spec.id

    @property
    def primary_source(self) -> Source:
        return next(s for s in self.spec.sources if s.primary)

    def dimension_source(self, dimension: Dimension) -> str:
        return dimension.source or self.primary_source.id

    def dimensions_of(self, source_id: str) -> dict[str, Dimension]:
        return {d.key: d for d in self.spec.dimensions if self.dimension_source(d) == source_id}


@dataclass(frozen=True)
class Omission:
    """A market, or one market's dimension, that validation left out, and the problem that did it.

    The pages that would have shown it name it (a banner linking to Data & sources), so nothing
    disappears without a word.
    """

    kind: Literal["market", "dimension"]
    folder: str
    market_id: str | None
    dimension: str | None
    file: str
    location: str
    message: str


@dataclass
class Catalog:
    """Everything that loaded, plus every problem found on the way, and what was left out because of them."""

    markets: list[MarketData]
    concepts: dict[str, Concept]
    problems: list[Problem]
    events: list[Event] = field(default_factory=list)
    omissions: list[Omission] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]
