"""Chart builders: a DataFrame from ``queries`` in, a :class:`~marketintel.chart_spec.ChartSpec` out.

Builders never read files or the database and never draw: they decide what a chart shows
(series, each point's provenance, value labels, axes with units, the source line) in the
reader's language and unit. ``render_plotly`` and ``render_pptx`` draw the result. Adding a
chart type means a builder here and, if it needs a new panel kind, that kind in each renderer.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import numpy as np
import pandas as pd

from . import i18n
from .chart_spec import Axis, Band, Callout, ChartSpec, Event, Panel, Series, TreeNode
from .display import estimate_label, provenance_word, scenario_words, source_label, text_column
from .series import cagr_pct
from .settings import settings

SCALES = ("linear", "log", "indexed")
#: A scenario's markers say which it is, on screen and on a slide alike (PowerPoint has these three).
SCENARIO_MARKERS = {"bear": "x", "base": "diamond-open", "bull": "triangle-up-open"}
#: Every builder, by name: the one place to find a chart type.
BUILDERS: dict[str, object] = {}


def builder(fn):
    BUILDERS[fn.__name__] = fn
    return fn


def source_note(
    report_codes: Sequence[str | None],
    estimate: bool = False,
    basis: str | None = None,
    extra: str | None = None,
    lang: str = "en",
) -> str:
    """The line under a chart: which reports, and whether segment splits are estimates."""
    _ = i18n.text(lang)
    codes = sorted(c for c in set(report_codes) if isinstance(c, str) and c)
    if not codes:
        parts = [_("Source: see Data & sources")]
    else:
        parts = [
            _.plural(
                "Source: market report {codes}", "Source: market reports {codes}", len(codes), codes=", ".join(codes)
            )
        ]
    if estimate:
        split = _("Segment splits are estimates (our assumptions, not reported) applied to the primary source's size")
        if basis and "independence" in basis:
            split += _("; combined filters assume the dimensions are independent")
        elif basis and "cross-tab" in basis:
            split += _("; combined filters use the curated cross-tab")
        parts.append(split)
    if extra:
        parts.append(extra)
    return _.sentences(parts)


def _codes(df: pd.DataFrame) -> list:
    return df["report_code"].tolist() if "report_code" in df.columns else []


def _log_ticks(values: Sequence[float], lo_pad: float = 2.5, hi_pad: float = 2.5) -> tuple[tuple, tuple]:
    """Readable 1-2-5 ticks on a log axis (plotly's defaults abbreviate them to bare digits)."""
    values = [v for v in values if v and v > 0]
    if not values:
        return (), ()
    lo, hi = min(values), max(values)
    # Within one decade, 1-2-5 leaves two or three ticks; a finer ladder keeps the axis readable.
    steps = (1, 2, 5) if hi / lo >= 10 else (1, 1.5, 2, 3, 4, 5, 7)
    ticks = tuple(m * 10**e for e in range(-3, 7) for m in steps if lo / lo_pad <= m * 10**e <= hi * hi_pad)
    return ticks, tuple(f"{t:,.0f}" if t >= 1 else f"{t:g}" for t in ticks)


def _money_axis_title(_) -> str:
    return _.dynamic(settings().units.money_axis)


def consensus_layers(consensus: pd.DataFrame | None, lang: str) -> tuple[tuple[Band, ...], tuple[Series, ...]]:
    """The publishers' low–high band and their median, for the years two or more of them cover."""
    if consensus is None or consensus.empty:
        return (), ()
    _ = i18n.text(lang)
    k = _.money_factor
    c = consensus[consensus["n_sources"] >= 2].sort_values("year")
    if c.empty:
        return (), ()
    years = tuple(int(y) for y in c["year"])
    hover = tuple(
        "\n".join(
            [
                _("Publishers' range, {year}", year=int(r.year)),
                _(
                    "{low} to {high}, median {median}",
                    low=_.money(r.low),
                    high=_.money(r.high),
                    median=_.money(r.median),
                ),
                _.plural("{n} source", "{n} sources", int(r.n_sources))
                + (
                    " · " + _("some values derived between a source's own figures") if r.provenance == "derived" else ""
                ),
            ]
        )
        for r in c.itertuples()
    )
    color = settings().theme.consensus_color
    band = Band(
        _("Range of the publishers (up to {n})", n=int(c["n_sources"].max())),
        years,
        tuple(float(v) * k for v in c["low"]),
        tuple(float(v) * k for v in c["high"]),
        _("Lowest publisher"),
        _("Highest publisher"),
        color=color,
        hover=hover,
    )
    median = Series(
        _("Median of the publishers"),
        years,
        tuple(float(v) * k for v in c["median"]),
        ("derived",) * len(c),
        color=color,
        hover=hover,
        dash="dot",
        width=2,
        key="consensus_median",
    )
    return (band,), (median,)


@builder
def growth_chart(
    series: pd.DataFrame,
    scale: str = "linear",
    title: str = "Market size",
    subtitle: str | None = None,
    *,
    lang: str = "en",
    consensus: pd.DataFrame | None = None,
    scenarios: pd.DataFrame | None = None,
    events: pd.DataFrame | None = None,
    callout: bool = False,
) -> ChartSpec:
    """One line per market over its window; reported points as large markers, derived years between.

    ``scenarios`` (``queries.scenario_series`` of one or more markets) adds their bear / base / bull
    curves, ``events`` (``queries.events``) vertical markers, ``callout`` a CAGR arrow per market.

    ``scale``: ``linear``, ``log`` or ``indexed`` (first year = 100), because the markets
    differ by two orders of magnitude and a linear axis hides the small ones. ``consensus``
    (``queries.source_consensus`` of one market) adds the publishers' band and median behind it.
    """
    _ = i18n.text(lang)
    scale = scale if scale in SCALES else "linear"
    k = _.money_factor
    names = text_column(series, "name", lang) if not series.empty else pd.Series(dtype=object)
    out = []
    for mid, g in series.groupby("market_id", sort=False):
        g = g.sort_values("year")
        name = names[g.index[0]]
        values = g["index_value"] if scale == "indexed" else g["value"] * k
        hover = []
        for year, value, idx, prov, code in zip(
            g["year"], g["value"], g["index_value"], g["provenance"], g["report_code"]
        ):
            lines = [name, f"{int(year)}: {_.money(value)}"]
            if scale == "indexed":
                lines.append(_("Index {value}", value=f"{idx:.0f}"))
            lines.append(f"{provenance_word(prov, lang)} · " + _("report {code}", code=code))
            hover.append("\n".join(lines))
        out.append(
            Series(
                name,
                tuple(int(y) for y in g["year"]),
                tuple(float(v) for v in values),
                tuple(g["provenance"]),
                color=g["color"].iloc[0],
                hover=tuple(hover),
                key=str(mid),
            )
        )
    if scale == "indexed":
        y_title = (
            _("Index ({year} = 100)", year=int(series["year"].min()))
            if not series.empty
            else _.dynamic(settings().units.index_axis)
        )
        y_axis = Axis(y_title, number_format="0")
    elif scale == "log":
        shown = (series["value"] * k).tolist()
        if consensus is not None and not consensus.empty:
            shown += (consensus["low"] * k).tolist() + (consensus["high"] * k).tolist()
        ticks, labels = _log_ticks(shown)
        y_axis = Axis(_money_axis_title(_), "log", ticks=ticks, tick_labels=labels)
    else:
        y_axis = Axis(_money_axis_title(_))
    bands, medians = consensus_layers(consensus, lang) if scale != "indexed" else ((), ())
    first_values = series.sort_values("year").groupby("market_id")["value"].first().to_dict() if len(series) else {}
    extra = scenario_layers(
        scenarios,
        {s.key: s.name for s in out},
        {s.key: s.color for s in out},
        lang,
        first_values if scale == "indexed" else None,
    )
    years = sorted({int(y) for y in series["year"]}) if len(series) else []
    top = max([max(s.y) for s in out + list(extra) if s.y] or [0])
    callouts = tuple(c for s in out if (c := cagr_callout(s, scale, lang, top)) is not None) if callout else ()
    # Two markets' arrows can run close together: their labels sit at different points along them.
    stagger = (0.5, 0.82, 0.18, 0.66, 0.34)
    callouts = tuple(replace(c, label_at=stagger[i % len(stagger)]) for i, c in enumerate(callouts))
    panel = Panel(
        "line",
        tuple(out) + medians + extra,
        Axis(_("Year"), every_category=True),
        y_axis,
        bands=bands,
        events=event_marks(events, years, lang),
        callouts=callouts,
    )
    return ChartSpec(
        "growth_chart",
        title,
        subtitle or _("● reported figure   ○ derived year (geometric between reported figures)"),
        source_note(
            _codes(series),
            lang=lang,
            extra=" ".join(x for x in (_band_note(bands, consensus, lang), _scenario_note(scenarios, lang)) if x),
        ),
        (panel,),
        lang=lang,
        unit=_.money_unit,
    )


def _scenario_note(scenarios: pd.DataFrame | None, lang: str) -> str | None:
    """The source line's word on scenarios: what each one assumes (they are never figures)."""
    if scenarios is None or scenarios.empty:
        return None
    _ = i18n.text(lang)
    per_market = scenarios.drop_duplicates(["market_id", "scenario"])
    if per_market["market_id"].nunique() > 1:
        return _("Scenarios are assumptions, not forecasts (each one's rate and basis in its hover and the notes).")
    notes = [scenario_words(r, lang) for r in per_market.itertuples()]
    return _("Scenarios are assumptions, not forecasts: {notes}", notes=_.join_clauses(notes))


def _band_note(bands, consensus: pd.DataFrame | None, lang: str) -> str | None:
    """The source line's word on the band: whose figures it spans."""
    if not bands or consensus is None:
        return None
    _ = i18n.text(lang)
    return _(
        "Band: the range of {n} publishers' figures (each source on the Sources page)",
        n=int(consensus["n_sources"].max()),
    )


def event_marks(events: pd.DataFrame | None, years: Sequence[int], lang: str) -> tuple[Event, ...]:
    """``queries.events`` as markers, for the events inside the chart's years (a marker outside would
    stretch the axis)."""
    if events is None or events.empty or not len(years):
        return ()
    _ = i18n.text(lang)
    kinds = settings().event_kinds
    lo, hi = min(years), max(years)
    out = []
    for e in events.itertuples():
        if not lo <= float(e.position) <= hi:
            continue
        label = text_column(pd.DataFrame([e._asdict()]), "label", lang).iloc[0]
        kind = getattr(kinds.get(e.kind), lang, e.kind) if e.kind in kinds else e.kind
        note = text_column(pd.DataFrame([e._asdict()]), "note", lang).iloc[0]
        hover = "\n".join(x for x in (label, f"{kind} · {e.date}", note if isinstance(note, str) else "") if x)
        out.append(Event(float(e.position), label, e.kind, hover))
    return tuple(out)


def cagr_callout(series: Series, scale: str, lang: str, top: float | None = None) -> Callout | None:
    """A CAGR arrow over a growth line, from its first to its last year, a little above the curve."""
    pts = [(x, y) for x, y in zip(series.x, series.y) if y is not None and y > 0]
    if len(pts) < 2:
        return None
    (x0, y0), (x1, y1) = pts[0], pts[-1]
    rate = cagr_pct(y0, y1, int(x1) - int(x0))
    if np.isnan(rate):
        return None
    _ = i18n.text(lang)
    if scale == "log":
        lift0, lift1 = y0 * 1.35, y1 * 1.35
    else:
        pad = 0.04 * (top if top else max(y for _x, y in pts))
        lift0, lift1 = y0 + pad, y1 + pad
    label = _("CAGR {start}–{end}: {rate}%", start=int(x0), end=int(x1), rate=f"{rate:.1f}")
    return Callout(float(x0), float(lift0), float(x1), float(lift1), label)


def scenario_layers(
    scenarios: pd.DataFrame | None,
    names: dict,
    colors: dict,
    lang: str,
    index_base: dict | None = None,
    with_market: bool = True,
) -> tuple[Series, ...]:
    """Each market's scenario curves as series of provenance ``scenario``, named with their rate.

    ``index_base``: each market's first published value, to draw the curves on an indexed axis;
    ``with_market=False`` leaves the market out of the names (a chart of one market, titled with it)."""
    if scenarios is None or scenarios.empty:
        return ()
    _ = i18n.text(lang)
    k = _.money_factor
    short = {"bear": _("bear"), "base": _("base"), "bull": _("bull")}
    out = []
    for (mid, name), g in scenarios.groupby(["market_id", "scenario"], sort=False):
        g = g.sort_values("year")
        first = g.iloc[0]
        words = scenario_words(first, lang)
        values = (g["value"] / index_base[mid] * 100 if index_base and mid in index_base else g["value"] * k).astype(
            float
        )
        out.append(
            Series(
                _(
                    "{market} · {scenario} scenario, {rate}% a year",
                    market=names.get(mid, mid),
                    scenario=short.get(name, name),
                    rate=f"{first.cagr_pct:.1f}",
                )
                if with_market
                else _(
                    "{scenario} scenario, {rate}% a year", scenario=short.get(name, name), rate=f"{first.cagr_pct:.1f}"
                ),
                tuple(int(y) for y in g["year"]),
                tuple(values),
                ("scenario",) * len(g),
                color=colors.get(mid),
                marker=SCENARIO_MARKERS.get(name),
                hover=tuple(
                    f"{names.get(mid, mid)}\n{int(y)}: {_.money(v)}\n{words}" for y, v in zip(g["year"], g["value"])
                ),
                key=f"scenario:{mid}:{name}",
            )
        )
    return tuple(out)


@builder
def bubble_chart(summary: pd.DataFrame, title: str = "Size vs growth", *, lang: str = "en") -> ChartSpec:
    """x = first-year size (log), y = stated CAGR, bubble area = last-year size; each bubble named."""
    _ = i18n.text(lang)
    k = _.money_factor
    names = text_column(summary, "name", lang) if not summary.empty else pd.Series(dtype=object)
    max_last = summary["last_value"].max() if not summary.empty else 1
    out = []
    for row, name in zip(summary.itertuples(), names):
        period = f"{int(row.cagr_start)}–{int(row.cagr_end)}" if pd.notna(row.cagr_start) else ""
        hover = "\n".join(
            [
                name,
                f"{row.first_year}: {_.money(row.first_value)}",
                f"{row.last_year}: {_.money(row.last_value)}",
                _("CAGR {rate}% ({period}, reported)", rate=f"{row.cagr_pct:.2f}", period=period),
            ]
        )
        out.append(
            Series(
                name,
                (float(row.first_value * k),),
                (float(row.cagr_pct),),
                ("reported",),
                color=row.color,
                labels=(name,),
                hover=(hover,),
                sizes=(float(row.last_value / max_last),),
                key=row.market_id,
            )
        )
    subtitle, x_axis, y_axis = (
        "",
        Axis(_("Market size, base year ({unit}, log scale)", unit=_.money_unit), "log"),
        Axis(_("CAGR (%, stated)")),
    )
    if not summary.empty:
        subtitle = _(
            "x: {first} size; bubble area: {last} size",
            first=int(summary["first_year"].min()),
            last=int(summary["last_year"].max()),
        )
        lo, hi = summary["cagr_pct"].min(), summary["cagr_pct"].max()
        xmin, xmax = summary["first_value"].min() * k, summary["first_value"].max() * k
        ticks = tuple(m * 10**e for e in range(-2, 6) for m in (1, 2, 5) if xmin / 3 <= m * 10**e <= xmax * 15)
        # Room on the right for the labels, which sit beside their bubbles.
        x_axis = Axis(
            x_axis.title,
            "log",
            range=(float(np.log10(xmin) - 0.4), float(np.log10(xmax) + 1.1)),
            ticks=ticks,
            tick_labels=tuple(f"{t:,g}" for t in ticks),
        )
        # Whole fives, so a slide's axis (which ticks from its minimum) reads 15, 20, 25…
        y_axis = Axis(y_axis.title, range=(float(5 * np.floor((lo - 5) / 5)), float(5 * np.ceil((hi + 5) / 5))))
    panel = Panel("bubble", tuple(out), x_axis, y_axis)
    return ChartSpec(
        "bubble_chart",
        title,
        subtitle,
        source_note(_codes(summary), lang=lang),
        (panel,),
        lang=lang,
        legend=False,
        unit=_.money_unit,
    )


def _basis_words(basis: str, _) -> str:
    words = {"independence": _("independence"), "cross-tab": _("cross-tab"), "estimate": _("estimate")}
    return " + ".join(words.get(b, b) for b in str(basis).split(" + "))


def _segment_colors(frame: pd.DataFrame) -> dict[str, str]:
    """Each segment's colour, or the palette by position when the data's colours collide."""
    firsts = frame.drop_duplicates("segment")
    if firsts["color"].nunique() == len(firsts):
        return dict(zip(firsts["segment"], firsts["color"]))
    palette = settings().theme.segment_colors
    return {seg: palette[i % len(palette)] for i, seg in enumerate(firsts["segment"])}


def _estimate_chart(
    kind: str,
    title: str,
    subtitle: str | None,
    report_code: str | None,
    basis: str | None,
    panel: Panel,
    lang: str,
    legend: bool = True,
) -> ChartSpec:
    """A chart of segment estimates: its source line says they are estimates, and on what basis."""
    return ChartSpec(
        kind,
        title,
        subtitle or "",
        source_note([report_code], estimate=True, basis=basis, lang=lang),
        (panel,),
        lang=lang,
        legend=legend,
        unit=i18n.text(lang).money_unit,
    )


@builder
def segment_area_chart(
    breakdown: pd.DataFrame,
    title: str,
    subtitle: str | None,
    report_code: str | None,
    mode: str = "area",
    *,
    lang: str = "en",
    events: pd.DataFrame | None = None,
    callout: bool = False,
) -> ChartSpec:
    """Stacked estimated segment values over the years, hatched and marked (est.); ``events`` and a
    CAGR ``callout`` on the stack's total as on the growth chart."""
    _ = i18n.text(lang)
    k = _.money_factor
    labels = text_column(breakdown, "label", lang) if not breakdown.empty else pd.Series(dtype=object)
    colors = _segment_colors(breakdown) if not breakdown.empty else {}
    out = []
    for seg, g in breakdown.groupby("segment", sort=False):
        g = g.sort_values("year")
        name = estimate_label(labels[g.index[0]], lang)
        hover = tuple(
            "\n".join(
                [
                    name,
                    f"{int(y)}: {_.money(v)}",
                    _("{share}% of market · estimate ({basis})", share=f"{s:.1f}", basis=_basis_words(b, _)),
                ]
            )
            for y, v, s, b in zip(g["year"], g["value"], g["filtered_share_pct"], g["basis"])
        )
        out.append(
            Series(
                name,
                tuple(int(y) for y in g["year"]),
                tuple(float(v) for v in g["value"] * k),
                ("estimate",) * len(g),
                color=colors[seg],
                hover=hover,
                key=str(seg),
            )
        )
    basis = breakdown["basis"].iloc[0] if not breakdown.empty else None
    years = sorted({int(y) for y in breakdown["year"]}) if not breakdown.empty else []
    callouts = ()
    if callout and out:
        totals = breakdown.groupby("year")["value"].sum() * k
        total = Series(
            "total", tuple(int(y) for y in totals.index), tuple(float(v) for v in totals), ("estimate",) * len(totals)
        )
        callouts = tuple(c for c in [cagr_callout(total, "linear", lang)] if c is not None)
    panel = Panel(
        "column_stacked" if mode == "bar" else "area_stacked",
        tuple(out),
        Axis(_("Year"), every_category=True),
        Axis(_money_axis_title(_)),
        events=event_marks(events, years, lang),
        callouts=callouts,
    )
    return _estimate_chart("segment_area_chart", title, subtitle, report_code, basis, panel, lang)


@builder
def segment_hierarchy_chart(
    breakdown: pd.DataFrame, year: int, title: str, subtitle: str | None, report_code: str | None, *, lang: str = "en"
) -> ChartSpec:
    """Treemap of a dimension's hierarchy in one year (every node; values are estimates)."""
    _ = i18n.text(lang)
    k = _.money_factor
    g = breakdown[breakdown["year"] == year]
    present = set(g["segment"])
    top = g[g["depth"] == 0]
    root = "__all__"
    labels = text_column(g, "label", lang) if not g.empty else pd.Series(dtype=object)
    nodes = [
        TreeNode(
            root,
            _("All segments (est.)"),
            "",
            float(top["value"].sum() * k),
            settings().theme.treemap_root_color,
            float(top["filtered_share_pct"].sum()),
        )
    ]
    for row, label in zip(g.itertuples(), labels):
        nodes.append(
            TreeNode(
                str(row.segment),
                estimate_label(label, lang),
                row.parent if isinstance(row.parent, str) and row.parent in present else root,
                float(row.value * k),
                row.color,
                float(row.filtered_share_pct),
            )
        )
    text = tuple(f"{n.label}\n{_.money(n.value / k)}\n{n.share_pct:.1f}%" for n in nodes)
    basis = g["basis"].iloc[0] if not g.empty else None
    panel = Panel("treemap", nodes=tuple(nodes), node_text=text)
    return _estimate_chart("segment_hierarchy_chart", title, subtitle, report_code, basis, panel, lang, legend=False)


@builder
def segment_bar_chart(
    breakdown: pd.DataFrame, year: int, title: str, subtitle: str | None, report_code: str | None, *, lang: str = "en"
) -> ChartSpec:
    """Horizontal bars of estimated segment values in one year (the regional view), first at the top."""
    _ = i18n.text(lang)
    k = _.money_factor
    g = breakdown[breakdown["year"] == year]
    labels = [estimate_label(lbl, lang) for lbl in text_column(g, "label", lang)] if not g.empty else []
    values = tuple(float(v) for v in g["value"] * k)
    series = Series(
        _("{year} size ({unit})", year=year, unit=_.money_unit),
        tuple(labels),
        values,
        ("estimate",) * len(g),
        point_colors=tuple(g["color"]),
        labels=tuple(f"{_.money(v)} · {s:.1f}%" for v, s in zip(g["value"], g["filtered_share_pct"])),
        hover=tuple(f"{lbl}\n{_.money(v)} · " + _("estimate") for lbl, v in zip(labels, g["value"])),
        key="regions",
        in_legend=False,
    )
    basis = g["basis"].iloc[0] if not g.empty else None
    x_range = (0.0, float(max(values) * 1.35)) if values else None
    panel = Panel(
        "bar_horizontal",
        (series,),
        Axis(""),
        Axis(_("{year} size ({unit})", year=year, unit=_.money_unit), range=x_range),
    )
    return _estimate_chart("segment_bar_chart", title, subtitle, report_code, basis, panel, lang, legend=False)


@builder
def growth_bars(summary: pd.DataFrame, title: str = "Growth compared", *, lang: str = "en") -> ChartSpec:
    """Two panels: stated CAGR and absolute growth first→last year, one bar per market, labelled."""
    _ = i18n.text(lang)
    k = _.money_factor
    names = tuple(text_column(summary, "name", lang)) if not summary.empty else ()
    colors = tuple(summary["color"]) if not summary.empty else ()
    rows = list(summary.itertuples())
    # A primary source may state no CAGR (valid data): its bar is the rate its own figures imply, marked so.
    stated = [pd.notna(r.cagr_pct) for r in rows]
    rates = tuple(
        float(r.cagr_pct) if s else float(r.implied_cagr_pct) if pd.notna(r.implied_cagr_pct) else 0.0
        for r, s in zip(rows, stated)
    )
    cagr = Series(
        _("CAGR (%, stated)"),
        names,
        rates,
        tuple("reported" if s else "derived" for s in stated),
        point_colors=colors,
        labels=tuple(f"{v:.2f}%" if s else _("{rate}% (implied)", rate=f"{v:.2f}") for v, s in zip(rates, stated)),
        hover=tuple(
            f"{n}\n"
            + (
                _(
                    "CAGR {rate}% ({period}, reported)",
                    rate=f"{r.cagr_pct:.2f}",
                    period=f"{int(r.cagr_start)}–{int(r.cagr_end)}",
                )
                if s
                else _(
                    "No CAGR stated; {rate}% is implied by the reported figures {period}",
                    rate=f"{r.implied_cagr_pct:.2f}",
                    period=f"{int(r.first_year)}–{int(r.last_year)}",
                )
            )
            for n, r, s in zip(names, rows, stated)
        ),
        key="cagr",
        in_legend=False,
    )
    # Bar labels one decimal shorter than the language's money format: +843.7 / +8,437.
    short = int(_.money_format.decimals) - 1
    growth = Series(
        _("Absolute growth ({unit})", unit=_.money_unit),
        names,
        tuple(float(r.abs_growth * k) for r in rows),
        ("derived",) * len(rows),
        point_colors=colors,
        labels=tuple("+" + _.money_number(r.abs_growth, short) for r in rows),
        hover=tuple(
            f"{n}\n{r.first_year}→{r.last_year}: +{_.money(r.abs_growth)} " + _("(from reported figures)")
            for n, r in zip(names, rows)
        ),
        key="abs_growth",
        in_legend=False,
    )
    top_cagr = float(max(rates) * 1.25) if rates and max(rates) > 0 else 1.0
    top_growth = float(summary["abs_growth"].max() * k * 1.2) if not summary.empty else 1.0
    panels = (
        Panel(
            "column_clustered",
            (cagr,),
            Axis(""),
            Axis(_.dynamic(settings().units.cagr_axis), range=(0, top_cagr)),
            title=_("CAGR (%, stated)"),
        ),
        Panel(
            "column_clustered",
            (growth,),
            Axis(""),
            Axis(_("Growth ({unit})", unit=_.money_unit), range=(0, top_growth)),
            title=_("Absolute growth ({unit})", unit=_.money_unit),
        ),
    )
    sub = ""
    if not summary.empty:
        sub = _(
            "Absolute growth {first}→{last}, from reported figures",
            first=int(summary["first_year"].min()),
            last=int(summary["last_year"].max()),
        )
    return ChartSpec(
        "growth_bars",
        title,
        sub,
        source_note(_codes(summary), lang=lang),
        panels,
        lang=lang,
        legend=False,
        unit=_.money_unit,
    )


@builder
def concept_chart(
    comparison: pd.DataFrame,
    year: int,
    title: str,
    report_codes: Sequence[str],
    measure: str = "value",
    *,
    lang: str = "en",
) -> ChartSpec:
    """Estimated size (``measure='value'``) or share of its market (``'share'``) of each
    cross-market concept in each market, grouped bars for one year."""
    _ = i18n.text(lang)
    k = _.money_factor
    g = comparison[comparison["year"] == year]
    share = measure == "share"
    out = []
    if not g.empty:
        g = g.assign(
            _name=text_column(g, "name", lang),
            _concept=text_column(g, "concept_label", lang),
            _segments=text_column(g, "segments", lang),
        )
    for mid, m in g.groupby("market_id", sort=False):
        name = estimate_label(m["_name"].iloc[0], lang)
        values = m["share_pct"] if share else m["value"] * k
        hover = tuple(
            "\n".join(
                [
                    f"{name} · {c}",
                    (_("{share}% of market", share=f"{s:,.2f}") if share else _.money(v)) + " · " + _("estimate"),
                    _("segments: {names}", names=segs),
                ]
            )
            for c, s, v, segs in zip(m["_concept"], m["share_pct"], m["value"], m["_segments"])
        )
        out.append(
            Series(
                name,
                tuple(m["_concept"]),
                tuple(float(v) for v in values),
                ("estimate",) * len(m),
                color=m["color"].iloc[0],
                hover=hover,
                key=str(mid),
            )
        )
    y_title = (
        _("Share of its market in {year} (%)", year=year)
        if share
        else _("{year} size ({unit})", year=year, unit=_.money_unit)
    )
    panel = Panel("column_clustered", tuple(out), Axis(""), Axis(y_title))
    return ChartSpec(
        "concept_chart",
        title,
        _("{year}; each market's segments mapped to a shared concept", year=year),
        source_note(report_codes, estimate=True, lang=lang),
        (panel,),
        lang=lang,
        unit=_.money_unit,
    )


@builder
def source_timeline(
    series: pd.DataFrame,
    title: str,
    market_color: str,
    *,
    lang: str = "en",
    scale: str = "log",
    consensus: pd.DataFrame | None = None,
    events: pd.DataFrame | None = None,
) -> ChartSpec:
    """Each source's reported points and derived curve for one market on one timeline, with the
    publishers' band and median (``consensus``); log by default, because publishers differ by up to 200x."""
    _ = i18n.text(lang)
    k = _.money_factor
    theme = settings().theme
    others = iter(theme.source_colors * 4)
    out = []
    for sid, g in series.groupby("source_id", sort=False):
        g = g.sort_values("year")
        first = g.iloc[0]
        label = source_label(first, lang)
        current = bool(first.get("current", True))
        hover = tuple(
            f"{label}\n{int(y)}: {_.money(v)} · {provenance_word(p, lang)}"
            for y, v, p in zip(g["year"], g["value"], g["provenance"])
        )
        out.append(
            Series(
                label,
                tuple(int(y) for y in g["year"]),
                tuple(float(v) for v in g["value"] * k),
                tuple(g["provenance"]),
                color=market_color if first["is_primary"] else next(others),
                hover=hover,
                dash=None if current else theme.marks.superseded_dash,
                width=theme.marks.line_width if first["is_primary"] else 2,
                key=str(sid),
            )
        )
    y_axis = Axis(_money_axis_title(_))
    if scale == "log":
        shown = (series["value"] * k).tolist()
        ticks, labels = _log_ticks(shown)
        y_axis = Axis(_money_axis_title(_) + " · " + _("log scale"), "log", ticks=ticks, tick_labels=labels)
    bands, medians = consensus_layers(consensus, lang)
    years = sorted({int(y) for y in series["year"]}) if len(series) else []
    panel = Panel(
        "line",
        tuple(out) + medians,
        Axis(_("Year"), every_category=True),
        y_axis,
        bands=bands,
        events=event_marks(events, years, lang),
    )
    return ChartSpec(
        "source_timeline",
        title,
        _("● reported   ○ derived (between a source's own figures, never beyond them)"),
        source_note(_codes(series), lang=lang, extra=_band_note(bands, consensus, lang)),
        (panel,),
        lang=lang,
        unit=_.money_unit,
    )


def chart_table(spec: ChartSpec) -> pd.DataFrame:
    """A chart's plotted numbers in long form (panel, series, category, value, provenance): its CSV."""
    rows = []
    for p in spec.panels:
        if p.kind == "treemap":
            rows += [
                dict(panel=p.title, series=spec.title, category=n.label, value=n.value, provenance=n.provenance)
                for n in p.nodes
            ]
            continue
        for s in p.series:
            rows += [
                dict(panel=p.title, series=s.name, category=x, value=y, provenance=pr)
                for x, y, pr in zip(s.x, s.y, s.provenance)
            ]
    return pd.DataFrame(rows, columns=["panel", "series", "category", "value", "provenance"])


def _value_header(spec: ChartSpec, panel: Panel, name: str) -> str:
    """A column header that carries its unit: the series name, with the value axis's unit if it lacks one."""
    axis = panel.y_axis.title
    if spec.unit and spec.unit in name or "%" in name:
        return name
    if spec.unit and spec.unit in axis:
        return f"{name} ({spec.unit})"
    return f"{name} ({axis})" if axis else name


def chart_sheet(spec: ChartSpec) -> pd.DataFrame:
    """A chart's numbers laid out as a reader expects them: one row per category (year, segment,
    market), a column per series with its unit, and each figure's provenance beside the values.

    Headers are in the chart's language; values keep full precision, and ``attrs["number_formats"]``
    gives each value column the format a spreadsheet should show it with.
    """
    _ = i18n.text(spec.lang)
    formats: dict[str, str] = {}
    prov_header = _("{series}: provenance")
    if all(p.kind == "treemap" for p in spec.panels):
        rows = []
        for p in spec.panels:
            labels = {n.id: n.label for n in p.nodes}
            for n in p.nodes:
                rows.append(
                    {
                        _("Segment"): n.label,
                        _("Part of"): labels.get(n.parent, ""),
                        _("Value ({unit})", unit=spec.unit): n.value,
                        _("Share of the filtered market (%)"): n.share_pct,
                        _("Provenance"): provenance_word(n.provenance, spec.lang),
                    }
                )
        out = pd.DataFrame(rows)
        formats = {_("Value ({unit})", unit=spec.unit): "#,##0.00", _("Share of the filtered market (%)"): "0.0"}
        out.attrs["number_formats"] = formats
        return out
    if all(p.kind == "bubble" for p in spec.panels):
        rows = []
        for p in spec.panels:
            for s in p.series:
                for x, y, pr in zip(s.x, s.y, s.provenance):
                    rows.append(
                        {
                            _("Market"): s.name,
                            p.x_axis.title: x,
                            p.y_axis.title: y,
                            _("Provenance"): provenance_word(pr, spec.lang),
                        }
                    )
                    formats.update({p.x_axis.title: p.x_axis.number_format, p.y_axis.title: "0.00"})
        out = pd.DataFrame(rows)
        out.attrs["number_formats"] = formats
        return out
    first = spec.panels[0]
    category = first.x_axis.title or (_("Segment") if first.kind == "bar_horizontal" else _("Category"))
    columns: dict[str, dict] = {}
    provenance: dict[str, dict] = {}
    order: list = []
    for p in spec.panels:
        for x in p.categories:
            if x not in order:
                order.append(x)
        for b in p.bands:
            for name, values in ((b.low_name, b.low), (b.high_name, b.high)):
                header = _value_header(spec, p, name)
                columns[header] = dict(zip(b.x, values))
                formats[header] = p.y_axis.number_format
        for s in p.series:
            header = _value_header(spec, p, s.name)
            columns[header] = dict(zip(s.x, s.y))
            formats[header] = p.y_axis.number_format
            provenance[prov_header.format(series=s.name)] = {
                x: provenance_word(pr, spec.lang) for x, pr in zip(s.x, s.provenance)
            }
    out = pd.DataFrame({category: order})
    for header, values in {**columns, **provenance}.items():
        out[header] = [values.get(x) for x in order]
    out.attrs["number_formats"] = formats
    return out


def takeaway(spec: ChartSpec) -> str:
    """A one-line takeaway computed from the chart's numbers, for a slide title ("Telemedicine adds
    USD 274 bn by 2032; IoMT adds 6.6 bn"); "" where the chart has none to give."""
    _ = i18n.text(spec.lang)
    fmt = settings().money_format[spec.lang]

    def money(value: float) -> str:
        return fmt.pattern.format(value=f"{value:,.{fmt.decimals if abs(value) < 100 else 0}f}")

    panel = spec.panels[0]
    if panel.kind == "treemap":
        tops = [n for n in panel.nodes if n.parent and n.parent == panel.nodes[0].id]
        if not tops:
            return ""
        top = max(tops, key=lambda n: n.value)
        return _(
            "{name} is the largest segment: {amount}, {share}% of the slice",
            name=top.label,
            amount=money(top.value),
            share=f"{100 * top.value / panel.nodes[0].value:.0f}" if panel.nodes[0].value else "0",
        )
    # Published figures only: a scenario or the publishers' median is never the takeaway.
    series = [s for s in panel.series if s.key != "consensus_median" and s.y and not s.scenario]
    if not series:
        return ""
    money_chart = bool(spec.unit) and spec.unit in panel.y_axis.title
    if panel.kind == "line" and panel.x_axis.every_category and money_chart:
        ranked = sorted(series, key=lambda s: -(s.y[-1] - s.y[0]))[:3]
        parts = [
            _("{name} adds {amount} by {year}", name=s.name, amount=money(s.y[-1] - s.y[0]), year=s.x[-1])
            for s in ranked
        ]
        return _.join_clauses(parts)
    if panel.kind in ("area_stacked", "column_stacked"):
        last = max(s.x[-1] for s in series)
        total = sum(s.y[-1] for s in series if s.x[-1] == last)
        top = max(series, key=lambda s: s.y[-1])
        if total <= 0:
            return ""
        return _(
            "{name} is the largest segment in {year}: {amount}, {share}% of the slice",
            name=top.name,
            year=last,
            amount=money(top.y[-1]),
            share=f"{100 * top.y[-1] / total:.0f}",
        )
    if panel.kind == "bar_horizontal" and money_chart:
        s = series[0]
        total = sum(v for v in s.y if v)
        i = max(range(len(s.y)), key=lambda j: s.y[j] or 0)
        return _(
            "{name} is the largest: {amount}, {share}% of the total",
            name=s.x[i],
            amount=money(s.y[i]),
            share=f"{100 * s.y[i] / total:.0f}" if total else "0",
        )
    if panel.kind == "column_clustered" and "%" in panel.y_axis.title and len(series) == 1:
        s = series[0]
        i = max(range(len(s.y)), key=lambda j: s.y[j] or 0)
        return _("{name} grows fastest: {rate}% a year", name=s.x[i], rate=f"{s.y[i]:.1f}")
    return ""


@builder
def scenario_chart(
    published: pd.DataFrame,
    scenarios: pd.DataFrame,
    title: str,
    subtitle: str,
    name: str,
    color: str,
    report_code: str | None,
    *,
    lang: str = "en",
    events: pd.DataFrame | None = None,
    callout: bool = False,
) -> ChartSpec:
    """The published curve of a market or of the Explorer's filtered slice (``queries.slice_summary``)
    with its bear / base / bull scenarios beside it (``queries.scenario_series``), never added into it."""
    _ = i18n.text(lang)
    k = _.money_factor
    g = published.sort_values("year")
    estimate = bool(len(g)) and (g["provenance"] == "estimate").all()
    # Short legend names (the title names the market), so a 1280-wide screen keeps room for the plot.
    line_name = _("Published slice (est.)") if estimate else _("Published (primary source)")
    curve = Series(
        line_name,
        tuple(int(y) for y in g["year"]),
        tuple(float(v) for v in g["value"] * k),
        tuple(g["provenance"]),
        color=color,
        hover=tuple(
            f"{line_name}\n{int(y)}: {_.money(v)} · {provenance_word(p, lang)}"
            for y, v, p in zip(g["year"], g["value"], g["provenance"])
        ),
        key="published",
    )
    mid = scenarios["market_id"].iloc[0] if len(scenarios) else ""
    extra = scenario_layers(scenarios, {mid: name}, {mid: color}, lang, with_market=False)
    years = [int(y) for y in g["year"]]
    top = max([max(s.y) for s in (curve, *extra) if s.y] or [0])
    callouts = tuple(c for c in [cagr_callout(curve, "linear", lang, top)] if c) if callout else ()
    panel = Panel(
        "line",
        (curve, *extra),
        Axis(_("Year"), every_category=True),
        Axis(_money_axis_title(_), range=(0.0, float(top * 1.2)) if top else None),
        events=event_marks(events, years, lang),
        callouts=callouts,
    )
    return ChartSpec(
        "scenario_chart",
        title,
        subtitle,
        source_note(
            [report_code],
            estimate=estimate,
            basis=g["basis"].iloc[0] if estimate else None,
            extra=_scenario_note(scenarios, lang),
            lang=lang,
        ),
        (panel,),
        lang=lang,
        unit=_.money_unit,
    )


@builder
def sizing_chart(
    steps: pd.DataFrame, year: int, title: str, subtitle: str, color: str, report_code: str | None, *, lang: str = "en"
) -> ChartSpec:
    """Opportunity sizing as bars: the whole market → the slice the filters leave → the user's share of it.

    ``steps``: one row per step (``key``, ``value``, ``share_of_previous_pct``, ``share_of_market_pct``,
    ``provenance``), from ``scenarios.opportunity_sizing``."""
    _ = i18n.text(lang)
    k = _.money_factor
    names = {
        "market": _("Whole market"),
        "addressable": _("Addressable: your filters"),
        "obtainable": _("Obtainable: your share"),
    }
    rows = list(steps.itertuples())
    cats = tuple(names.get(r.key, r.key) for r in rows)
    labels = tuple(_.money(r.value) + ("" if r.key == "market" else f" · {r.share_of_previous_pct:.1f}%") for r in rows)
    series = Series(
        _("{year} size ({unit})", year=year, unit=_.money_unit),
        cats,
        tuple(float(r.value * k) for r in rows),
        tuple(r.provenance for r in rows),
        point_colors=(color,) * len(rows),
        labels=labels,
        hover=tuple(
            f"{c}\n{_.money(r.value)} · "
            + _("{share}% of the market", share=f"{r.share_of_market_pct:.1f}")
            + f"\n{provenance_word(r.provenance, lang)}"
            for c, r in zip(cats, rows)
        ),
        key="sizing",
        in_legend=False,
    )
    top = float(max((r.value for r in rows), default=1) * k * 1.2)
    panel = Panel(
        "column_clustered",
        (series,),
        Axis(""),
        Axis(_("{year} size ({unit})", year=year, unit=_.money_unit), range=(0, top)),
    )
    return ChartSpec(
        "sizing_chart",
        title,
        subtitle,
        source_note(
            [report_code],
            estimate=any(r.provenance == "estimate" for r in rows),
            extra=_("The obtainable share is your assumption, not a figure from a source"),
            lang=lang,
        ),
        (panel,),
        lang=lang,
        legend=False,
        unit=_.money_unit,
    )


@builder
def scenario_grid(
    series: pd.DataFrame,
    scenarios: pd.DataFrame,
    title: str,
    subtitle: str,
    *,
    lang: str = "en",
    events: pd.DataFrame | None = None,
) -> ChartSpec:
    """Markets side by side, one panel each: the published curve (``queries.market_series``) and its
    bear / base / bull scenarios (``queries.scenario_series`` of each market), each panel on its own axis."""
    _ = i18n.text(lang)
    k = _.money_factor
    names = text_column(series, "name", lang) if not series.empty else pd.Series(dtype=object)
    short = {"bear": _("bear"), "base": _("base"), "bull": _("bull")}
    panels = []
    for i, (mid, g) in enumerate(series.groupby("market_id", sort=False)):
        g = g.sort_values("year")
        name = names[g.index[0]]
        color = g["color"].iloc[0]
        published = Series(
            _("Published (primary source)"),
            tuple(int(y) for y in g["year"]),
            tuple(float(v) for v in g["value"] * k),
            tuple(g["provenance"]),
            color=color,
            hover=tuple(
                f"{name}\n{int(y)}: {_.money(v)} · {provenance_word(p, lang)}"
                for y, v, p in zip(g["year"], g["value"], g["provenance"])
            ),
            key=f"{mid}:published",
            in_legend=i == 0,
        )
        layers = []
        for s in scenario_layers(scenarios[scenarios["market_id"] == mid], {mid: name}, {mid: color}, lang):
            which = s.key.rsplit(":", 1)[-1]
            layers.append(
                Series(
                    _("{scenario} scenario", scenario=short[which]),
                    s.x,
                    s.y,
                    s.provenance,
                    color=s.color,
                    marker=s.marker,
                    hover=s.hover,
                    key=s.key,
                    in_legend=i == 0,
                )
            )
        top = max([max(x.y) for x in (published, *layers) if x.y] or [0])
        own = scenarios[scenarios["market_id"] == mid].drop_duplicates("scenario").set_index("scenario")["cagr_pct"]
        glyphs = {"bear": "×", "base": "◇", "bull": "△"}  # the markers' shapes, as the subtitle explains
        rates = "  ".join(f"{glyphs[n]} {own[n]:.1f}%" for n in SCENARIO_MARKERS if n in own.index)
        mine = None
        if events is not None and not events.empty:
            concerns = [bool(a) or mid in str(m).split(",") for a, m in zip(events["all_markets"], events["markets"])]
            mine = events[concerns]
        panels.append(
            Panel(
                "line",
                (published, *layers),
                Axis(""),
                Axis(_money_axis_title(_) if i == 0 else "", range=(0.0, float(top * 1.15)) if top else None),
                title=f"{name}\n{rates}",
                events=event_marks(mine, [int(y) for y in g["year"]], lang),
            )
        )
    return ChartSpec(
        "scenario_grid",
        title,
        subtitle,
        source_note(_codes(series), lang=lang, extra=_scenario_note(scenarios, lang)),
        tuple(panels),
        lang=lang,
        legend=False,  # one legend would colour every market as the first; the subtitle says which line is which
        unit=_.money_unit,
    )
