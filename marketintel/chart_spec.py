"""The chart description: what a chart shows, independent of who draws it.

Builders in ``charts`` return a :class:`ChartSpec`; ``render_plotly`` draws it on screen (and
as PNG/SVG), ``render_pptx`` as a native PowerPoint chart. Both read only this description,
so what one shows the other shows. All text here is plain (never HTML or Markdown): each
renderer makes it safe for its own medium. Numbers are already in the reader's unit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

#: ``scenario``: a what-if curve (bear, base, bull); drawn apart and never added into the others.
Provenance = Literal["reported", "derived", "estimate", "scenario"]
PanelKind = Literal["line", "area_stacked", "column_stacked", "column_clustered", "bar_horizontal", "bubble", "treemap"]
#: Panel kinds PowerPoint can draw as native, editable charts (a treemap is not one of them).
NATIVE_KINDS = frozenset({"line", "area_stacked", "column_stacked", "column_clustered", "bar_horizontal", "bubble"})


@dataclass(frozen=True)
class Axis:
    """One axis: its title (with the unit), scale, and any fixed range or ticks."""

    title: str = ""
    scale: Literal["linear", "log"] = "linear"
    range: tuple[float, float] | None = None
    ticks: tuple[float, ...] | None = None
    tick_labels: tuple[str, ...] | None = None
    every_category: bool = False  # a tick for every category (years)
    number_format: str = "#,##0.00"  # how a slide's native chart writes the values


@dataclass(frozen=True)
class Series:
    """One series: a value per category (or per x for bubbles), with each point's provenance.

    ``labels`` are value labels drawn beside the points; ``hover`` the text a pointer shows,
    one entry per point, lines separated by newlines.
    """

    name: str
    x: tuple
    y: tuple[float | None, ...]
    provenance: tuple[Provenance, ...]
    color: str | None = None
    point_colors: tuple[str, ...] | None = None
    labels: tuple[str | None, ...] | None = None
    hover: tuple[str, ...] | None = None
    sizes: tuple[float, ...] | None = None  # bubbles: area relative to the largest (0–1]
    dash: str | None = None  # a line style other than the provenance's own
    marker: str | None = None  # a marker symbol other than the provenance's own (a scenario's)
    width: float | None = None
    key: str = ""
    in_legend: bool = True

    @property
    def estimate(self) -> bool:
        """Every point is an estimate (hatched and dashed wherever it is drawn)."""
        return bool(self.provenance) and all(p == "estimate" for p in self.provenance)

    @property
    def scenario(self) -> bool:
        """A scenario curve (dotted, lighter and without published-figure markers wherever it is drawn)."""
        return bool(self.provenance) and all(p == "scenario" for p in self.provenance)


@dataclass(frozen=True)
class Event:
    """A dated event on a time axis: a vertical marker at ``x`` (year plus fraction) with a short label."""

    x: float
    label: str
    kind: str = ""
    hover: str = ""


@dataclass(frozen=True)
class Callout:
    """A labelled arrow from (x0, y0) to (x1, y1) in data units (a CAGR arrow from the first to the last year)."""

    x0: float
    y0: float
    x1: float
    y1: float
    label: str
    label_at: float = 0.5  # where along the arrow its label sits (several arrows stagger theirs)


@dataclass(frozen=True)
class Band:
    """A low–high range over the categories (e.g. what the publishers say), drawn behind the series.

    On screen a shaded area; on a slide two native line series (low and high), so its numbers stay editable.
    """

    name: str
    x: tuple
    low: tuple[float, ...]
    high: tuple[float, ...]
    low_name: str
    high_name: str
    color: str | None = None
    hover: tuple[str, ...] | None = None


@dataclass(frozen=True)
class TreeNode:
    """One node of a hierarchy chart; ``parent`` is another node's ``id``, or "" for the root."""

    id: str
    label: str
    parent: str
    value: float
    color: str
    share_pct: float
    provenance: Provenance = "estimate"


@dataclass(frozen=True)
class Panel:
    """One plot area: a native chart on a slide, one subplot on screen."""

    kind: PanelKind
    series: tuple[Series, ...] = ()
    x_axis: Axis = field(default_factory=Axis)
    y_axis: Axis = field(default_factory=Axis)
    title: str = ""
    nodes: tuple[TreeNode, ...] = ()
    node_text: tuple[str, ...] = ()  # treemap: the text drawn in each node, as on screen
    bands: tuple[Band, ...] = ()  # ranges drawn behind the series
    events: tuple[Event, ...] = ()  # vertical markers on a time axis
    callouts: tuple[Callout, ...] = ()  # labelled arrows (CAGR)

    @property
    def categories(self) -> list:
        """The categories in order of first appearance across the series."""
        seen: dict = {}
        for xs in [b.x for b in self.bands] + [s.x for s in self.series]:
            for x in xs:
                seen.setdefault(x, None)
        return sorted(seen) if self.x_axis.every_category else list(seen)


@dataclass(frozen=True)
class ChartSpec:
    """A whole chart: heading, panels, legend, the source line and the view it came from."""

    kind: str  # the builder that made it, e.g. "growth_chart"
    title: str
    subtitle: str
    source_note: str
    panels: tuple[Panel, ...]
    lang: str = "en"
    legend: bool = True
    unit: str = ""
    view: str = ""  # the filters and choices in force, in the reader's words
    link: str = ""  # the URL that reopens the view (exports show it; the screen is already there)

    @property
    def native(self) -> bool:
        """Every panel can be a native PowerPoint chart."""
        return all(p.kind in NATIVE_KINDS for p in self.panels)

    def with_view(self, view: str, link: str = "", subtitle: str | None = None) -> "ChartSpec":
        """The same chart, naming the view it was drawn for (and its link, and the subtitle that names it)."""
        from dataclasses import replace

        return replace(self, view=view, link=link, subtitle=self.subtitle if subtitle is None else subtitle)
