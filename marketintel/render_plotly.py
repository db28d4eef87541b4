"""The screen renderer: a :class:`ChartSpec` drawn as a Plotly figure (and, through kaleido, PNG/SVG).

It reads only the description and the theme. Data text is HTML-escaped here, because Plotly
renders a subset of HTML (links included) in labels.
"""

from __future__ import annotations

import html
import math

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from . import i18n
from .chart_spec import ChartSpec, Panel, Series
from .settings import Theme, settings

#: Legend / category labels wider than this (in columns; a CJK character counts two) are wrapped.
WRAP_COLUMNS = 16
_CJK_PUNCTUATION = set("，。、；：！？）」』》〉】")


def esc(text) -> str:
    """Data text made inert for Plotly."""
    return html.escape("" if text is None else str(text), quote=False)


def _wide(ch: str) -> bool:
    return ord(ch) >= 0x2E80  # CJK scripts and full-width forms take two columns


def wrap_label(label: str, width: int = WRAP_COLUMNS) -> str:
    """Break a long label onto lines of about ``width`` columns (a CJK character counts two).

    English breaks between words; Chinese, which has no spaces, between characters, never
    putting closing punctuation at the start of a line.
    """
    lines: list[str] = []
    line, used = "", 0
    for word in label.split(" "):
        tokens, buf = [], ""
        for ch in word:
            if _wide(ch):
                if buf:
                    tokens.append(buf)
                    buf = ""
                tokens.append(ch)
            else:
                buf += ch
        if buf:
            tokens.append(buf)
        for t_i, tok in enumerate(tokens):
            space = 1 if (t_i == 0 and line) else 0
            size = sum(2 if _wide(c) else 1 for c in tok)
            if line and used + space + size > width and tok not in _CJK_PUNCTUATION:
                lines.append(line)
                line, used, space = "", 0, 0
            line += " " * space + tok
            used += space + size
    lines.append(line)
    return "<br>".join(lines)


def _hover(text: str) -> str:
    """Hover text: the first line bold, the rest below it."""
    first, _, rest = text.partition("\n")
    return f"<b>{esc(first)}</b>" + ("<br>" + esc(rest).replace("\n", "<br>") if rest else "")


def _hatch(theme: Theme) -> dict:
    h = theme.hatch
    return dict(shape=h.shape, fgcolor=h.color, size=h.size, fillmode="overlay")


def _marker_style(series: Series, theme: Theme) -> dict:
    marks = theme.marks
    by = {"reported": marks.reported, "derived": marks.derived, "scenario": marks.scenario}
    picks = [by.get(p, marks.derived) for p in series.provenance]
    symbols = [series.marker or m.symbol for m in picks]
    return dict(
        size=[m.size + (2 if series.marker else 0) for m in picks],
        symbol=symbols,
        color=series.color,
        line=dict(width=1.5),
    )


def _category(x, wrap: bool) -> str:
    return wrap_label(esc(x)) if wrap and isinstance(x, str) else (esc(x) if isinstance(x, str) else x)


def _traces(panel: Panel, theme: Theme) -> list:
    traces = []
    hatch = _hatch(theme)
    wrap = panel.kind in ("column_clustered", "column_stacked")
    for s in panel.series:
        common = dict(
            name=esc(s.name),
            showlegend=s.in_legend,
            hovertext=[_hover(h) for h in s.hover] if s.hover else None,
            hovertemplate="%{hovertext}<extra></extra>" if s.hover else None,
            meta={"key": s.key, "provenance": sorted(set(s.provenance))},
        )
        if panel.kind == "line":
            marks = theme.marks
            if s.scenario:  # an assumption: dotted, lighter, thinner, its name and rate at its end
                dash, width, opacity = s.dash or marks.scenario_dash, s.width or 2, marks.scenario_opacity
            else:
                dash, width, opacity = s.dash or (marks.estimate_dash if s.estimate else "solid"), None, 1
            text = (
                dict(
                    text=[esc(t) if t else "" for t in s.labels],
                    textposition="middle right",
                    textfont=dict(color=s.color, size=theme.font_size - 2),
                    cliponaxis=False,
                )
                if s.labels
                else {}
            )
            traces.append(
                go.Scatter(
                    x=list(s.x),
                    y=list(s.y),
                    mode="lines+markers+text" if s.labels else "lines+markers",
                    line=dict(color=s.color, width=width or s.width or marks.line_width, dash=dash),
                    marker=_marker_style(s, theme),
                    opacity=opacity,
                    **text,
                    **common,
                )
            )
        elif panel.kind == "area_stacked":
            traces.append(
                go.Scatter(
                    x=list(s.x),
                    y=list(s.y),
                    mode="lines",
                    stackgroup="one",
                    line=dict(color=s.color, width=1.5, dash=theme.marks.estimate_dash if s.estimate else "solid"),
                    fillcolor=s.color,
                    fillpattern=hatch if s.estimate else None,
                    **common,
                )
            )
        elif panel.kind == "bubble":
            marks = theme.marks
            size = [max(marks.bubble_min, marks.bubble_max * v**0.5) for v in (s.sizes or [1.0])]
            traces.append(
                go.Scatter(
                    x=list(s.x),
                    y=list(s.y),
                    mode="markers+text" if s.labels else "markers",
                    text=[esc(t) for t in s.labels] if s.labels else None,
                    textposition="middle right",
                    cliponaxis=False,
                    marker=dict(size=size, color=s.color, opacity=0.8, line=dict(color=theme.outline_color, width=1)),
                    **common,
                )
            )
        else:  # bars: columns, stacked columns, horizontal bars
            horizontal = panel.kind == "bar_horizontal"
            cats = [_category(x, wrap) for x in s.x]
            color = list(s.point_colors) if s.point_colors else s.color
            marker = dict(color=color, pattern=hatch if s.estimate else None)
            if not s.estimate and {"estimate", "scenario"} & set(s.provenance):
                # Mixed provenance (the sizing steps): hatch each estimate, lighten each scenario point.
                marker["pattern"] = dict(hatch, shape=[hatch["shape"] if p == "estimate" else "" for p in s.provenance])
                marker["opacity"] = [theme.marks.scenario_opacity * 0.6 if p == "scenario" else 1 for p in s.provenance]
            text = dict(text=[esc(t) for t in s.labels], textposition="outside", cliponaxis=False) if s.labels else {}
            if horizontal:
                traces.append(go.Bar(y=cats, x=list(s.y), orientation="h", marker=marker, **text, **common))
            else:
                traces.append(go.Bar(x=cats, y=list(s.y), marker=marker, **text, **common))
    return traces


def _with_opacity(color: str, opacity: float) -> str:
    """A theme colour (#RRGGBB) with an alpha channel (#RRGGBBAA), which plotly.js reads."""
    return f"{color[:7]}{round(opacity * 255):02X}"


def _band_traces(panel: Panel, theme: Theme) -> list:
    """Each band as its low edge (no legend) and its high edge filled down to it, behind the series."""
    traces = []
    for band in panel.bands:
        color = band.color or theme.consensus_color
        hover = (
            dict(hovertext=[_hover(h) for h in band.hover], hovertemplate="%{hovertext}<extra></extra>")
            if band.hover
            else dict(hoverinfo="skip")
        )
        traces.append(
            go.Scatter(
                x=list(band.x),
                y=list(band.low),
                mode="lines",
                name=esc(band.low_name),
                line=dict(width=0, color=color),
                showlegend=False,
                hoverinfo="skip",
                meta={"band": "low"},
            )
        )
        traces.append(
            go.Scatter(
                x=list(band.x),
                y=list(band.high),
                mode="lines",
                name=esc(band.name),
                line=dict(width=0, color=color),
                fill="tonexty",
                fillcolor=_with_opacity(color, theme.band_opacity),
                legendgroup="band",
                showlegend=True,
                legendrank=2000,
                meta={"band": "high", "label": band.name},
                **hover,
            )
        )
    return traces


def _treemap(panel: Panel, theme: Theme) -> go.Treemap:
    nodes = panel.nodes
    return go.Treemap(
        ids=[n.id for n in nodes],
        labels=[esc(n.label) for n in nodes],
        parents=[n.parent for n in nodes],
        values=[n.value for n in nodes],
        branchvalues="total",
        marker=dict(colors=[n.color for n in nodes], line=dict(color=theme.outline_color, width=2)),
        text=[esc(t).replace("\n", "<br>") for t in panel.node_text],
        texttemplate="%{text}",
        hovertext=[_hover(t) for t in panel.node_text],
        hovertemplate="%{hovertext}<extra></extra>",
        tiling=dict(pad=3),
    )


def _axis_names(n: int) -> tuple[str, str]:
    return ("x", "y") if n == 1 else (f"x{n}", f"y{n}")


def _events(fig: go.Figure, panel: Panel, theme: Theme, n: int) -> None:
    """Each event as a dotted vertical line over the plot, its short label at the top (staggered
    when two are close), and its hover text on an invisible point at the top of the line."""
    if not panel.events:
        return
    xref, yref = _axis_names(n)
    last_x, level = None, 0
    for e in sorted(panel.events, key=lambda e: e.x):
        level = level + 1 if last_x is not None and e.x - last_x < 1.6 and level < 2 else 0
        last_x = e.x
        fig.add_shape(
            type="line",
            x0=e.x,
            x1=e.x,
            xref=xref,
            y0=0,
            y1=1,
            yref=f"{yref} domain",
            line=dict(color=theme.event_color, width=1.5, dash="dot"),
            layer="below",
        )
        fig.add_annotation(
            x=e.x,
            xref=xref,
            y=1,
            yref=f"{yref} domain",
            yshift=-4 - 15 * level,
            text=esc(e.label),
            hovertext=_hover(e.hover) if e.hover else None,
            showarrow=False,
            xanchor="left",
            yanchor="top",
            xshift=3,
            font=dict(size=theme.font_size - 3, color=theme.note_color),
            bgcolor=_with_opacity(theme.background, 0.8),
        )


def _callouts(fig: go.Figure, panel: Panel, theme: Theme, n: int) -> None:
    """A CAGR arrow: a line with an arrowhead from the first to the last year, the rate in a box on it."""
    if not panel.callouts:
        return
    xref, yref = _axis_names(n)
    log = panel.y_axis.scale == "log"
    pos = (lambda v: math.log10(v)) if log else (lambda v: v)  # plotly places annotations on log axes in log10
    for c in panel.callouts:
        fig.add_annotation(
            x=c.x1,
            y=pos(c.y1),
            ax=c.x0,
            ay=pos(c.y0),
            xref=xref,
            yref=yref,
            axref=xref,
            ayref=yref,
            text="",
            showarrow=True,
            arrowhead=2,
            arrowsize=1.2,
            arrowwidth=1.6,
            arrowcolor=theme.callout_color,
        )
        t = c.label_at
        fig.add_annotation(
            x=c.x0 + (c.x1 - c.x0) * t,
            y=pos(c.y0) + (pos(c.y1) - pos(c.y0)) * t,
            xref=xref,
            yref=yref,
            text=f"<b>{esc(c.label)}</b>",
            showarrow=False,
            yshift=12,
            font=dict(size=theme.font_size - 1, color=theme.callout_color),
            bgcolor=theme.background,
            bordercolor=theme.callout_color,
            borderwidth=1,
            borderpad=3,
        )


def _axis(
    fig: go.Figure, axis, which: str, theme: Theme, row=None, col=None, categorical_years=None, value: bool = False
) -> None:
    update = fig.update_xaxes if which == "x" else fig.update_yaxes
    opts = dict(
        title_text=esc(axis.title) if axis.title else None,
        gridcolor=theme.grid_color,
        zeroline=False,
        automargin=True,
        ticks="",
        linecolor=theme.axis_color,
    )
    if which == "x":
        opts["showline"] = True
    if axis.scale == "log":
        opts["type"] = "log"
    elif value:
        opts["tickformat"] = ","  # 10,000 rather than plotly's 10k, in both languages
    if axis.range is not None:
        opts["range"] = list(axis.range)
    if axis.ticks:
        opts["tickvals"], opts["ticktext"] = list(axis.ticks), list(axis.tick_labels or [])
    elif axis.every_category and categorical_years:
        opts["tickmode"], opts["tickvals"], opts["ticktext"] = (
            "array",
            categorical_years,
            [str(y) for y in categorical_years],
        )
    update(row=row, col=col, **opts)


def figure(spec: ChartSpec, theme: Theme | None = None, bare: bool = False) -> go.Figure:
    """The chart as a Plotly figure; ``bare`` leaves out the heading and source line (a slide has them)."""
    theme = theme or settings().theme
    panels = spec.panels
    if len(panels) > 1:
        fig = make_subplots(
            rows=1,
            cols=len(panels),
            horizontal_spacing=0.16 if len(panels) < 3 else 0.07,
            subplot_titles=[esc(p.title).replace("\n", "<br>") for p in panels],
        )
        for title in fig.layout.annotations:  # the panels' titles, a size below the chart's own
            title.font = dict(size=theme.font_size - 1)
    else:
        fig = go.Figure()
    for i, panel in enumerate(panels):
        row, col = (1, i + 1) if len(panels) > 1 else (None, None)
        if panel.kind == "treemap":
            fig.add_trace(_treemap(panel, theme))
            continue
        for trace in [*_band_traces(panel, theme), *_traces(panel, theme)]:
            fig.add_trace(trace, row=row, col=col)
        horizontal = panel.kind == "bar_horizontal"
        years = [int(x) for x in panel.categories] if panel.x_axis.every_category else None
        # A horizontal bar chart's value axis is x; its categories read from the top down.
        _axis(fig, panel.y_axis, "x" if horizontal else "y", theme, row, col, value=True)
        _axis(fig, panel.x_axis, "y" if horizontal else "x", theme, row, col, years)
        if horizontal:
            fig.update_yaxes(autorange="reversed", row=row, col=col)
        if panel.kind in ("column_clustered", "column_stacked") and any(s.labels for s in panel.series):
            fig.update_yaxes(rangemode="tozero", row=row, col=col)
        _events(fig, panel, theme, i + 1)
        _callouts(fig, panel, theme, i + 1)
    kinds = {p.kind for p in panels}
    subtitle = spec.subtitle
    heading = f"<b>{esc(spec.title)}</b>" + (
        f"<br><span style='font-size:13px;color:{theme.subtitle_color}'>{esc(subtitle)}</span>" if subtitle else ""
    )
    footnote = wrap_label(esc(spec.source_note), 150) if spec.source_note else ""
    if spec.link:  # exports carry the link back to their view; the screen is the view
        _ = i18n.text(spec.lang)
        label = _("Open this view in the dashboard")
        link = html.escape(spec.link, quote=True)
        footnote += ("<br>" if footnote else "") + f'<a href="{link}">{esc(label)}: {esc(spec.link)}</a>'
    lines = footnote.count("<br>") + 1 if footnote else 0
    # Room under the axis for every footnote line (a two-line source was cut off on the region chart).
    margin = dict(l=70, r=30, t=90 if subtitle else 70, b=92 + 16 * lines)
    if kinds == {"treemap"}:
        margin.update(l=10, r=10)
    fig.update_layout(
        # No named template: validating one costs ~8 ms per figure; the styling is all set here.
        template=None,
        colorway=theme.segment_colors,
        title=dict(text=heading, x=0.01, xanchor="left", y=0.97, yanchor="top", font=dict(size=theme.title_size)),
        font=dict(family=theme.font_family, size=theme.font_size, color=theme.text_color),
        paper_bgcolor=theme.background,
        plot_bgcolor=theme.background,
        height=theme.height,
        margin=margin,
        showlegend=spec.legend,
        legend=dict(orientation="v", x=1.02, xanchor="left", y=1, yanchor="top", font=dict(size=theme.font_size - 1)),
        hoverlabel=dict(font=dict(family=theme.font_family)),
        separators=".,",
    )
    if "column_stacked" in kinds:
        fig.update_layout(barmode="stack")
    elif "column_clustered" in kinds and any(len(p.series) > 1 for p in panels):
        fig.update_layout(barmode="group")
    if "bar_horizontal" in kinds:
        fig.update_layout(bargap=0.35)
    if any(p.kind == "column_clustered" for p in panels):
        fig.update_xaxes(tickangle=0)
    if footnote:
        fig.add_annotation(
            text=footnote,
            xref="paper",
            yref="paper",
            x=0,
            y=0,
            yshift=-78,
            xanchor="left",
            yanchor="top",
            showarrow=False,
            align="left",
            font=dict(size=11, color=theme.note_color),
        )
    # Escaped like every other text the figure carries to the browser.
    fig.layout.meta = {
        "source_note": esc(spec.source_note),
        "title": esc(spec.title),
        "subtitle": esc(spec.subtitle),
        "lang": spec.lang,
        "kind": spec.kind,
    }
    if bare:
        fig.update_layout(title_text="", margin=dict(t=10, b=10, l=10, r=10))
        fig.layout.annotations = [a for a in fig.layout.annotations if a.yref != "paper" or a.y >= 1]
    return fig
