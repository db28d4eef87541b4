"""Chart builders: a DataFrame from ``queries`` in, a Plotly figure out.

Builders never read files or the database. Every figure carries its title, axis units,
legend, estimate markings and a source line, so it stands alone when pasted on a slide.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from .settings import load_settings

SCALES = ("linear", "log", "indexed")


def _cfg() -> dict:
    return load_settings()


def esc(text) -> str:
    """Data text made inert for Plotly, which renders a subset of HTML (links included) in labels."""
    return html.escape("" if text is None else str(text), quote=False)


def est(label: str) -> str:
    """A legend or hover label marked as an estimate (escaped: labels come from data files)."""
    return f"{esc(label)}{_cfg()['provenance']['estimate_suffix']}"


def source_note(report_codes: Sequence[str | None], estimate: bool = False, basis: str | None = None,
                extra: str | None = None) -> str:
    """The line under a chart: which reports, and whether segment splits are estimates."""
    codes = sorted(c for c in set(report_codes) if isinstance(c, str) and c)
    text = ("Source: market report" + ("s " if len(codes) > 1 else " ") + ", ".join(codes)) if codes else "Source: see Data & sources"
    if estimate:
        text += ". Segment splits are estimates (our assumptions, not reported)"
        if basis and "independence" in basis:
            text += "; combined filters assume the dimensions are independent"
        elif basis and "cross-tab" in basis:
            text += "; combined filters use the curated cross-tab"
    if extra:
        text += f". {extra}"
    return text + "."


def _layout(fig: go.Figure, title: str, subtitle: str | None, note: str, y_title: str,
            x_title: str | None = "Year", legend: bool = True) -> go.Figure:
    cfg = _cfg()["chart"]
    heading = f"<b>{esc(title)}</b>" + (f"<br><span style='font-size:13px;color:#4B5563'>{esc(subtitle)}</span>"
                                         if subtitle else "")
    fig.update_layout(
        # No named template: validating one costs ~8 ms per figure; the styling is all set here.
        template=None,
        colorway=_cfg()["segment_colors"],
        title=dict(text=heading, x=0.01, xanchor="left", y=0.97, yanchor="top", font=dict(size=cfg["title_size"])),
        font=dict(family=cfg["font_family"], size=cfg["font_size"], color=cfg["text_color"]),
        paper_bgcolor=cfg["background"], plot_bgcolor=cfg["background"],
        height=cfg["height"], margin=dict(l=70, r=30, t=90 if subtitle else 70, b=110),
        showlegend=legend,
        legend=dict(orientation="v", x=1.02, xanchor="left", y=1, yanchor="top", bgcolor="rgba(255,255,255,0)",
                    font=dict(size=cfg["font_size"] - 1)),
        hoverlabel=dict(font=dict(family=cfg["font_family"])),
        separators=".,",
    )
    fig.update_xaxes(title_text=x_title, gridcolor=cfg["grid_color"], showline=True, linecolor="#9CA3AF",
                     automargin=True, ticks="", zeroline=False)
    fig.update_yaxes(title_text=y_title, gridcolor=cfg["grid_color"], zeroline=False, automargin=True, ticks="",
                     linecolor="#9CA3AF")
    fig.add_annotation(text=wrap_label(esc(note), 150), xref="paper", yref="paper", x=0, y=0, yshift=-78, xanchor="left", yanchor="top",
                       showarrow=False, align="left", font=dict(size=11, color="#6B7280"))
    fig.layout.meta = {"source_note": note, "title": title, "subtitle": subtitle or ""}
    return fig


def wrap_label(label: str, width: int = 16) -> str:
    """Break a long category label onto lines of about ``width`` characters (for axis ticks)."""
    words, lines, line = label.split(), [], ""
    for w in words:
        if line and len(line) + 1 + len(w) > width:
            lines.append(line)
            line = w
        else:
            line = f"{line} {w}".strip()
    lines.append(line)
    return "<br>".join(lines)


def _log_ticks(fig: go.Figure, values: pd.Series) -> None:
    """Readable 1-2-5 ticks on a log axis (plotly's defaults abbreviate them to bare digits)."""
    values = values[values > 0]
    if values.empty:
        return
    lo, hi = values.min(), values.max()
    ticks = [m * 10 ** e for e in range(-3, 7) for m in (1, 2, 5) if lo / 2.5 <= m * 10 ** e <= hi * 2.5]
    fig.update_yaxes(type="log", tickvals=ticks, ticktext=[f"{t:,.0f}" if t >= 1 else f"{t:g}" for t in ticks])


def _year_axis(fig: go.Figure, years: Sequence[int]) -> None:
    years = sorted(set(int(y) for y in years))
    if years:
        fig.update_xaxes(tickmode="array", tickvals=years, ticktext=[str(y) for y in years])


def growth_chart(series: pd.DataFrame, scale: str = "linear", title: str = "Market size",
                 subtitle: str | None = None) -> go.Figure:
    """One line per market over its window; reported points as large markers, derived years between.

    ``scale``: ``linear``, ``log`` or ``indexed`` (first year = 100), because the markets
    differ by two orders of magnitude and a linear axis hides the small ones.
    """
    units = _cfg()["units"]
    scale = scale if scale in SCALES else "linear"
    ycol = "index_value" if scale == "indexed" else "value"
    fig = go.Figure()
    for mid, g in series.groupby("market_id", sort=False):
        g = g.sort_values("year")
        reported = g["provenance"].eq("reported")
        fig.add_trace(go.Scatter(
            x=g["year"], y=g[ycol], name=esc(g["name_en"].iloc[0]), mode="lines+markers",
            line=dict(color=g["color"].iloc[0], width=3),
            marker=dict(size=[11 if r else 5 for r in reported], color=g["color"].iloc[0],
                        symbol=["circle" if r else "circle-open" for r in reported], line=dict(width=1.5)),
            customdata=list(zip(g["provenance"], g["value"], [esc(c) for c in g["report_code"]])),
            hovertemplate=("<b>%{fullData.name}</b><br>%{x}: USD %{customdata[1]:,.2f} bn"
                           + ("<br>Index %{y:.0f}" if scale == "indexed" else "")
                           + "<br>%{customdata[0]} · report %{customdata[2]}<extra></extra>"),
            meta={"market_id": mid, "provenance": sorted(set(g["provenance"]))},
        ))
    y_title = units["index_axis"] if scale == "indexed" else units["money_axis"]
    if scale == "indexed" and not series.empty:
        y_title = f"Index ({int(series['year'].min())} = 100)"
    _layout(fig, title, subtitle or "● reported figure   ○ derived year (geometric between reported figures)",
            source_note(series.get("report_code", pd.Series(dtype=str)).tolist()), y_title)
    if scale == "log":
        _log_ticks(fig, series["value"])
    _year_axis(fig, series["year"] if not series.empty else [])
    return fig


def bubble_chart(summary: pd.DataFrame, title: str = "Size vs growth") -> go.Figure:
    """x = first-year size (log), y = stated CAGR, bubble area = last-year size."""
    fig = go.Figure()
    max_last = summary["last_value"].max() if not summary.empty else 1
    for row in summary.itertuples():
        period = f"{int(row.cagr_start)}–{int(row.cagr_end)}" if pd.notna(row.cagr_start) else ""
        fig.add_trace(go.Scatter(
            x=[row.first_value], y=[row.cagr_pct], name=esc(row.name_en), mode="markers+text",
            text=[esc(row.name_en)], textposition="middle right", cliponaxis=False,
            marker=dict(size=[max(14, 70 * (row.last_value / max_last) ** 0.5)], color=row.color, opacity=0.8,
                        line=dict(color="white", width=1)),
            customdata=[[row.first_year, row.last_year, row.last_value, period]],
            hovertemplate=("<b>%{fullData.name}</b><br>%{customdata[0]}: USD %{x:,.2f} bn<br>"
                           "%{customdata[1]}: USD %{customdata[2]:,.2f} bn<br>CAGR %{y:.2f}% (%{customdata[3]}, reported)<extra></extra>"),
        ))
    years = ""
    if not summary.empty:
        years = f"x: {int(summary['first_year'].min())} size; bubble area: {int(summary['last_year'].max())} size"
    _layout(fig, title, years, source_note(summary.get("report_code", pd.Series(dtype=str)).tolist()),
            _cfg()["units"]["cagr_axis"] + " (stated)", f"Market size, base year ({_cfg()['units']['money_short']}, log scale)",
            legend=False)
    if not summary.empty:
        lo, hi = summary["cagr_pct"].min(), summary["cagr_pct"].max()
        fig.update_yaxes(range=[lo - 5, hi + 5])
        xmin, xmax = summary["first_value"].min(), summary["first_value"].max()
        # Room on the right for the labels, which sit beside their bubbles.
        fig.update_xaxes(type="log", range=[np.log10(xmin) - 0.4, np.log10(xmax) + 1.1])
        ticks = [t for t in (0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000)
                 if xmin / 3 <= t <= xmax * 15]
        fig.update_xaxes(tickvals=ticks, ticktext=[f"{t:,g}" for t in ticks])
    return fig


def segment_area_chart(breakdown: pd.DataFrame, title: str, subtitle: str | None, report_code: str | None,
                       mode: str = "area") -> go.Figure:
    """Stacked estimated segment values over the years, hatched and marked (est.)."""
    fig = go.Figure()
    firsts = breakdown.drop_duplicates("segment")
    distinct = firsts["color"].nunique() == len(firsts)
    palette = _cfg()["segment_colors"]
    for i, (seg, g) in enumerate(breakdown.groupby("segment", sort=False)):
        g = g.sort_values("year")
        name = est(g["label_en"].iloc[0])
        color = g["color"].iloc[0] if distinct else palette[i % len(palette)]
        common = dict(x=g["year"], y=g["value"], name=name, customdata=list(zip(g["filtered_share_pct"], g["basis"])),
                      hovertemplate=("<b>%{fullData.name}</b><br>%{x}: USD %{y:,.2f} bn"
                                     "<br>%{customdata[0]:.1f}% of market · estimate (%{customdata[1]})<extra></extra>"),
                      meta={"segment": seg, "provenance": "estimate"})
        if mode == "bar":
            fig.add_trace(go.Bar(marker=dict(color=color, pattern=dict(shape="/", fgcolor="rgba(255,255,255,0.55)", size=8, fillmode="overlay")),
                                 **common))
        else:
            fig.add_trace(go.Scatter(mode="lines", stackgroup="one", line=dict(color=color, width=1.5, dash="dash"),
                                     fillcolor=color, fillpattern=dict(shape="/", fgcolor="rgba(255,255,255,0.55)", size=8, fillmode="overlay"),
                                     **common))
    if mode == "bar":
        fig.update_layout(barmode="stack")
    basis = breakdown["basis"].iloc[0] if not breakdown.empty else None
    _layout(fig, title, subtitle, source_note([report_code], estimate=True, basis=basis), _cfg()["units"]["money_axis"])
    _year_axis(fig, breakdown["year"] if not breakdown.empty else [])
    return fig


def segment_hierarchy_chart(breakdown: pd.DataFrame, year: int, title: str, subtitle: str | None,
                            report_code: str | None) -> go.Figure:
    """Treemap of a dimension's hierarchy in one year (every node, values are estimates)."""
    g = breakdown[breakdown["year"] == year]
    present = set(g["segment"])
    top = g[g["depth"] == 0]
    root = "__all__"
    fig = go.Figure(go.Treemap(
        ids=[root, *g["segment"]],
        labels=["All segments (est.)", *[est(lbl) for lbl in g["label_en"]]],
        parents=["", *[p if isinstance(p, str) and p in present else root for p in g["parent"]]],
        values=[top["value"].sum(), *g["value"]], branchvalues="total",
        marker=dict(colors=["#F3F4F6", *g["color"]], line=dict(color="white", width=2)),
        customdata=[top["filtered_share_pct"].sum(), *g["filtered_share_pct"]],
        texttemplate="%{label}<br>USD %{value:,.2f} bn<br>%{customdata:.1f}%",
        hovertemplate="<b>%{label}</b><br>USD %{value:,.2f} bn · %{customdata:.1f}% of market<br>estimate<extra></extra>",
        tiling=dict(pad=3),
    ))
    basis = g["basis"].iloc[0] if not g.empty else None
    _layout(fig, title, subtitle, source_note([report_code], estimate=True, basis=basis), "", None, legend=False)
    fig.update_layout(margin=dict(l=10, r=10, t=90 if subtitle else 70, b=110))
    return fig


def segment_bar_chart(breakdown: pd.DataFrame, year: int, title: str, subtitle: str | None,
                      report_code: str | None) -> go.Figure:
    """Horizontal bars of estimated segment values in one year (used for the regional view)."""
    g = breakdown[breakdown["year"] == year].iloc[::-1]
    fig = go.Figure()
    for row in g.itertuples():  # one trace per bar: each keeps its own colour and hatching
        fig.add_trace(go.Bar(
            y=[est(row.label_en)], x=[row.value], orientation="h", name=est(row.label_en), showlegend=False,
            marker=dict(color=row.color, pattern=dict(shape="/", fgcolor="rgba(255,255,255,0.55)", size=8, fillmode="overlay")),
            text=[f"USD {row.value:,.2f} bn · {row.filtered_share_pct:.1f}%"], textposition="outside",
            cliponaxis=False, customdata=[row.segment],
            hovertemplate="<b>%{y}</b><br>USD %{x:,.2f} bn · estimate<extra></extra>",
            meta={"segment": row.segment, "provenance": "estimate"}))
    fig.update_layout(bargap=0.35)
    if not g.empty:
        fig.update_xaxes(range=[0, g["value"].max() * 1.35])
    basis = g["basis"].iloc[0] if not g.empty else None
    _layout(fig, title, subtitle, source_note([report_code], estimate=True, basis=basis), "",
            f"{year} size ({_cfg()['units']['money_short']})", legend=False)
    return fig


def growth_bars(summary: pd.DataFrame, title: str = "Growth compared") -> go.Figure:
    """Two panels: stated CAGR and absolute growth first→last year, one bar per market."""
    fig = make_subplots(rows=1, cols=2, horizontal_spacing=0.16, subplot_titles=(
        "CAGR (%, stated)", f"Absolute growth ({_cfg()['units']['money_short']})"))
    for row in summary.itertuples():
        fig.add_trace(go.Bar(x=[wrap_label(esc(row.name_en))], y=[row.cagr_pct], marker_color=row.color, name=esc(row.name_en),
                             text=[f"{row.cagr_pct:.2f}%"], textposition="outside", showlegend=False,
                             hovertemplate=f"<b>{esc(row.name_en)}</b><br>CAGR %{{y:.2f}}% ({int(row.cagr_start)}–{int(row.cagr_end)}, reported)<extra></extra>"),
                      row=1, col=1)
        fig.add_trace(go.Bar(x=[wrap_label(esc(row.name_en))], y=[row.abs_growth], marker_color=row.color, name=esc(row.name_en),
                             text=[f"+{row.abs_growth:,.1f}"], textposition="outside", showlegend=False,
                             hovertemplate=(f"<b>{esc(row.name_en)}</b><br>{row.first_year}→{row.last_year}: "
                                            f"+USD %{{y:,.2f}} bn (from reported figures)<extra></extra>")),
                      row=1, col=2)
    sub = ""
    if not summary.empty:
        sub = f"Absolute growth {int(summary['first_year'].min())}→{int(summary['last_year'].max())}, from reported figures"
    _layout(fig, title, sub, source_note(summary.get("report_code", pd.Series(dtype=str)).tolist()), "", None, legend=False)
    fig.update_yaxes(title_text="CAGR (%)", row=1, col=1, rangemode="tozero")
    fig.update_yaxes(title_text=f"Growth ({_cfg()['units']['money_short']})", row=1, col=2, rangemode="tozero")
    fig.update_yaxes(range=[0, summary["cagr_pct"].max() * 1.25 if not summary.empty else 1], row=1, col=1)
    fig.update_yaxes(range=[0, summary["abs_growth"].max() * 1.2 if not summary.empty else 1], row=1, col=2)
    fig.update_xaxes(tickangle=0)
    return fig


def concept_chart(comparison: pd.DataFrame, year: int, title: str, report_codes: Sequence[str],
                  measure: str = "value") -> go.Figure:
    """Estimated size (``measure='value'``) or share of its market (``'share'``) of each
    cross-market concept in each market, grouped bars for one year."""
    g = comparison[comparison["year"] == year]
    ycol = "share_pct" if measure == "share" else "value"
    fig = go.Figure()
    for mid, m in g.groupby("market_id", sort=False):
        fig.add_trace(go.Bar(
            x=[wrap_label(esc(c)) for c in m["concept_label"]], y=m[ycol], name=est(m["name_en"].iloc[0]), marker_color=m["color"].iloc[0],
            marker_pattern=dict(shape="/", fgcolor="rgba(255,255,255,0.55)", size=8, fillmode="overlay"),
            customdata=list(zip(m["share_pct"], [esc(x) for x in m["segments"]])),
            hovertemplate=("<b>%{fullData.name}</b> · %{x}<br>%{y:,.2f}"
                           + ("% of market" if ycol == "share_pct" else " USD bn")
                           + " · estimate<br>segments: %{customdata[1]}<extra></extra>"),
            meta={"market_id": mid, "provenance": "estimate"}))
    fig.update_layout(barmode="group")
    _layout(fig, title, f"{year}; each market's segments mapped to a shared concept", source_note(report_codes, estimate=True),
            f"Share of its market in {year} (%)" if ycol == "share_pct" else f"{year} size ({_cfg()['units']['money_short']})",
            None)
    return fig


def source_timeline(series: pd.DataFrame, title: str, market_color: str) -> go.Figure:
    """Each source's reported points and derived curve for one market on one timeline."""
    dashes = ["solid", "dot", "dashdot", "longdash"]
    fig = go.Figure()
    for i, (sid, g) in enumerate(series.groupby("source_id", sort=False)):
        g = g.sort_values("year")
        reported = g["provenance"].eq("reported")
        label = esc(f"Report {g['report_code'].iloc[0]}" if isinstance(g["report_code"].iloc[0], str) else sid)
        fig.add_trace(go.Scatter(
            x=g["year"], y=g["value"], name=label, mode="lines+markers",
            line=dict(color=market_color, dash=dashes[i % len(dashes)], width=3 if i == 0 else 2),
            marker=dict(size=[11 if r else 4 for r in reported], symbol=["circle" if r else "circle-open" for r in reported]),
            customdata=g["provenance"],
            hovertemplate="<b>%{fullData.name}</b><br>%{x}: USD %{y:,.2f} bn · %{customdata}<extra></extra>"))
    _layout(fig, title, "● reported   ○ derived", source_note(series["report_code"].tolist()), _cfg()["units"]["money_axis"])
    _year_axis(fig, series["year"] if not series.empty else [])
    return fig
