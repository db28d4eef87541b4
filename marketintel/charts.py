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

from . import i18n
from .i18n import N_
from .settings import settings

SCALES = ("linear", "log", "indexed")


def _cfg():
    return settings()


def esc(text) -> str:
    """Data text made inert for Plotly, which renders a subset of HTML (links included) in labels."""
    return html.escape("" if text is None else str(text), quote=False)


def est(label: str, lang: str = "en") -> str:
    """A legend or hover label marked as an estimate (escaped: labels come from data files)."""
    return f"{esc(label)}{i18n.text(lang)(_cfg().provenance.estimate_suffix)}"


def source_note(report_codes: Sequence[str | None], estimate: bool = False, basis: str | None = None,
                extra: str | None = None, lang: str = "en") -> str:
    """The line under a chart: which reports, and whether segment splits are estimates."""
    _ = i18n.text(lang)
    codes = sorted(c for c in set(report_codes) if isinstance(c, str) and c)
    if not codes:
        parts = [_("Source: see Data & sources")]
    else:
        parts = [_.plural("Source: market report {codes}", "Source: market reports {codes}", len(codes),
                          codes=", ".join(codes))]
    if estimate:
        split = _("Segment splits are estimates (our assumptions, not reported)")
        if basis and "independence" in basis:
            split += _("; combined filters assume the dimensions are independent")
        elif basis and "cross-tab" in basis:
            split += _("; combined filters use the curated cross-tab")
        parts.append(split)
    if extra:
        parts.append(extra)
    return _.sentences(parts)


def _prov(value: str, lang: str) -> str:
    """A provenance value (reported / derived / estimate) in words of ``lang``."""
    prov = getattr(_cfg().provenance, value, None) if value in ("reported", "derived", "estimate") else None
    if not prov:
        return value
    label = i18n.text(lang)(prov.label)
    return label.lower() if lang == "en" else label


def _layout(fig: go.Figure, title: str, subtitle: str | None, note: str, y_title: str,
            x_title: str | None = N_("Year"), legend: bool = True, lang: str = "en") -> go.Figure:
    cfg = _cfg().theme
    heading = f"<b>{esc(title)}</b>" + (f"<br><span style='font-size:13px;color:#4B5563'>{esc(subtitle)}</span>"
                                         if subtitle else "")
    fig.update_layout(
        # No named template: validating one costs ~8 ms per figure; the styling is all set here.
        template=None,
        colorway=_cfg().theme.segment_colors,
        title=dict(text=heading, x=0.01, xanchor="left", y=0.97, yanchor="top", font=dict(size=cfg.title_size)),
        font=dict(family=cfg.font_family, size=cfg.font_size, color=cfg.text_color),
        paper_bgcolor=cfg.background, plot_bgcolor=cfg.background,
        height=cfg.height, margin=dict(l=70, r=30, t=90 if subtitle else 70, b=110),
        showlegend=legend,
        legend=dict(orientation="v", x=1.02, xanchor="left", y=1, yanchor="top", bgcolor="rgba(255,255,255,0)",
                    font=dict(size=cfg.font_size - 1)),
        hoverlabel=dict(font=dict(family=cfg.font_family)),
        separators=".,",
    )
    _ = i18n.text(lang)
    fig.update_xaxes(title_text=_(x_title) if x_title else x_title, gridcolor=cfg.grid_color, showline=True, linecolor="#9CA3AF",
                     automargin=True, ticks="", zeroline=False)
    fig.update_yaxes(title_text=y_title, gridcolor=cfg.grid_color, zeroline=False, automargin=True, ticks="",
                     linecolor="#9CA3AF")
    fig.add_annotation(text=wrap_label(esc(note), 150), xref="paper", yref="paper", x=0, y=0, yshift=-78, xanchor="left", yanchor="top",
                       showarrow=False, align="left", font=dict(size=11, color="#6B7280"))
    fig.layout.meta = {"source_note": note, "title": title, "subtitle": subtitle or "", "lang": lang}
    return fig


_CJK_PUNCTUATION = set("，。、；：！？）」』》〉】")


def _wide(ch: str) -> bool:
    return ord(ch) >= 0x2E80  # CJK scripts and full-width forms take two columns


def wrap_label(label: str, width: int = 16) -> str:
    """Break a long label onto lines of about ``width`` columns (a CJK character counts two).

    English breaks between words; Chinese, which has no spaces, between characters, never
    putting closing punctuation at the start of a line.
    """
    lines: list[str] = []
    line, used = "", 0
    for w_i, word in enumerate(label.split(" ")):
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


def _names(df: pd.DataFrame, base: str, lang: str) -> pd.Series:
    """Data text of column ``base`` in ``lang`` (``name`` -> ``name_zh``), English where missing."""
    en = f"{base}_en" if f"{base}_en" in df.columns else base
    zh = f"{base}_zh"
    if lang == "en" or zh not in df.columns:
        return df[en]
    return df[zh].where(df[zh].notna() & (df[zh].astype(str).str.strip() != ""), df[en])


def _hatch() -> dict:
    return dict(shape="/", fgcolor="rgba(255,255,255,0.55)", size=8, fillmode="overlay")


def growth_chart(series: pd.DataFrame, scale: str = "linear", title: str = "Market size",
                 subtitle: str | None = None, *, lang: str = "en") -> go.Figure:
    """One line per market over its window; reported points as large markers, derived years between.

    ``scale``: ``linear``, ``log`` or ``indexed`` (first year = 100), because the markets
    differ by two orders of magnitude and a linear axis hides the small ones.
    """
    _ = i18n.text(lang)
    units = _cfg().units
    scale = scale if scale in SCALES else "linear"
    k = _.money_factor
    fig = go.Figure()
    names = _names(series, "name", lang)
    for mid, g in series.groupby("market_id", sort=False):
        g = g.sort_values("year")
        reported = g["provenance"].eq("reported")
        y = g["index_value"] if scale == "indexed" else g["value"] * k
        fig.add_trace(go.Scatter(
            x=g["year"], y=y, name=esc(names[g.index[0]]), mode="lines+markers",
            line=dict(color=g["color"].iloc[0], width=3),
            marker=dict(size=[11 if r else 5 for r in reported], color=g["color"].iloc[0],
                        symbol=["circle" if r else "circle-open" for r in reported], line=dict(width=1.5)),
            customdata=list(zip([_prov(v, lang) for v in g["provenance"]], g["value"] * k,
                                [esc(c) for c in g["report_code"]])),
            hovertemplate=("<b>%{fullData.name}</b><br>%{x}: " + _.money_hover("customdata[1]")
                           + ("<br>" + _("Index {value}", value="%{y:.0f}") if scale == "indexed" else "")
                           + "<br>%{customdata[0]} · " + _("report {code}", code="%{customdata[2]}")
                           + "<extra></extra>"),
            meta={"market_id": mid, "provenance": sorted(set(g["provenance"]))},
        ))
    y_title = _.dynamic(units.index_axis) if scale == "indexed" else _.dynamic(units.money_axis)
    if scale == "indexed" and not series.empty:
        y_title = _("Index ({year} = 100)", year=int(series["year"].min()))
    _layout(fig, title, subtitle or _("● reported figure   ○ derived year (geometric between reported figures)"),
            source_note(series.get("report_code", pd.Series(dtype=str)).tolist(), lang=lang), y_title, lang=lang)
    if scale == "log":
        _log_ticks(fig, series["value"] * k)
    _year_axis(fig, series["year"] if not series.empty else [])
    return fig


def bubble_chart(summary: pd.DataFrame, title: str = "Size vs growth", *, lang: str = "en") -> go.Figure:
    """x = first-year size (log), y = stated CAGR, bubble area = last-year size."""
    _ = i18n.text(lang)
    k = _.money_factor
    fig = go.Figure()
    max_last = summary["last_value"].max() if not summary.empty else 1
    names = _names(summary, "name", lang) if not summary.empty else pd.Series(dtype=str)
    for row, name in zip(summary.itertuples(), names):
        period = f"{int(row.cagr_start)}–{int(row.cagr_end)}" if pd.notna(row.cagr_start) else ""
        fig.add_trace(go.Scatter(
            x=[row.first_value * k], y=[row.cagr_pct], name=esc(name), mode="markers+text",
            text=[esc(name)], textposition="middle right", cliponaxis=False,
            marker=dict(size=[max(14, 70 * (row.last_value / max_last) ** 0.5)], color=row.color, opacity=0.8,
                        line=dict(color="white", width=1)),
            customdata=[[row.first_year, row.last_year, row.last_value * k, period]],
            hovertemplate=("<b>%{fullData.name}</b><br>%{customdata[0]}: " + _.money_hover("x") + "<br>"
                           "%{customdata[1]}: " + _.money_hover("customdata[2]") + "<br>"
                           + _("CAGR {rate}% ({period}, reported)", rate="%{y:.2f}", period="%{customdata[3]}")
                           + "<extra></extra>"),
        ))
    years = ""
    if not summary.empty:
        years = _("x: {first} size; bubble area: {last} size", first=int(summary["first_year"].min()),
                  last=int(summary["last_year"].max()))
    _layout(fig, title, years, source_note(summary.get("report_code", pd.Series(dtype=str)).tolist(), lang=lang),
            _("CAGR (%, stated)"), _("Market size, base year ({unit}, log scale)", unit=_.money_unit),
            legend=False, lang=lang)
    if not summary.empty:
        lo, hi = summary["cagr_pct"].min(), summary["cagr_pct"].max()
        fig.update_yaxes(range=[lo - 5, hi + 5])
        xmin, xmax = summary["first_value"].min() * k, summary["first_value"].max() * k
        # Room on the right for the labels, which sit beside their bubbles.
        fig.update_xaxes(type="log", range=[np.log10(xmin) - 0.4, np.log10(xmax) + 1.1])
        ticks = [m * 10 ** e for e in range(-2, 6) for m in (1, 2, 5) if xmin / 3 <= m * 10 ** e <= xmax * 15]
        fig.update_xaxes(tickvals=ticks, ticktext=[f"{t:,g}" for t in ticks])
    return fig


def segment_area_chart(breakdown: pd.DataFrame, title: str, subtitle: str | None, report_code: str | None,
                       mode: str = "area", *, lang: str = "en") -> go.Figure:
    """Stacked estimated segment values over the years, hatched and marked (est.)."""
    _ = i18n.text(lang)
    k = _.money_factor
    fig = go.Figure()
    firsts = breakdown.drop_duplicates("segment")
    distinct = firsts["color"].nunique() == len(firsts)
    palette = _cfg().theme.segment_colors
    labels = _names(breakdown, "label", lang) if not breakdown.empty else pd.Series(dtype=str)
    basis_words = {"independence": _("independence"), "cross-tab": _("cross-tab"), "estimate": _("estimate")}
    for i, (seg, g) in enumerate(breakdown.groupby("segment", sort=False)):
        g = g.sort_values("year")
        name = est(labels[g.index[0]], lang)
        color = g["color"].iloc[0] if distinct else palette[i % len(palette)]
        bases = [" + ".join(basis_words.get(b, b) for b in str(v).split(" + ")) for v in g["basis"]]
        common = dict(x=g["year"], y=g["value"] * k, name=name, customdata=list(zip(g["filtered_share_pct"], bases)),
                      hovertemplate=("<b>%{fullData.name}</b><br>%{x}: " + _.money_hover("y") + "<br>"
                                     + _("{share}% of market · estimate ({basis})", share="%{customdata[0]:.1f}",
                                         basis="%{customdata[1]}") + "<extra></extra>"),
                      meta={"segment": seg, "provenance": "estimate"})
        if mode == "bar":
            fig.add_trace(go.Bar(marker=dict(color=color, pattern=_hatch()), **common))
        else:
            fig.add_trace(go.Scatter(mode="lines", stackgroup="one", line=dict(color=color, width=1.5, dash="dash"),
                                     fillcolor=color, fillpattern=_hatch(), **common))
    if mode == "bar":
        fig.update_layout(barmode="stack")
    basis = breakdown["basis"].iloc[0] if not breakdown.empty else None
    _layout(fig, title, subtitle, source_note([report_code], estimate=True, basis=basis, lang=lang),
            _.dynamic(_cfg().units.money_axis), lang=lang)
    _year_axis(fig, breakdown["year"] if not breakdown.empty else [])
    return fig


def segment_hierarchy_chart(breakdown: pd.DataFrame, year: int, title: str, subtitle: str | None,
                            report_code: str | None, *, lang: str = "en") -> go.Figure:
    """Treemap of a dimension's hierarchy in one year (every node, values are estimates)."""
    _ = i18n.text(lang)
    k = _.money_factor
    g = breakdown[breakdown["year"] == year]
    present = set(g["segment"])
    top = g[g["depth"] == 0]
    root = "__all__"
    labels = _names(g, "label", lang) if not g.empty else pd.Series(dtype=str)
    fig = go.Figure(go.Treemap(
        ids=[root, *g["segment"]],
        labels=[_("All segments (est.)"), *[est(lbl, lang) for lbl in labels]],
        parents=["", *[p if isinstance(p, str) and p in present else root for p in g["parent"]]],
        values=[top["value"].sum() * k, *(g["value"] * k)], branchvalues="total",
        marker=dict(colors=["#F3F4F6", *g["color"]], line=dict(color="white", width=2)),
        customdata=[top["filtered_share_pct"].sum(), *g["filtered_share_pct"]],
        texttemplate="%{label}<br>" + _.money_hover("value") + "<br>%{customdata:.1f}%",
        hovertemplate=("<b>%{label}</b><br>" + _.money_hover("value") + " · "
                       + _("{share}% of market", share="%{customdata:.1f}") + "<br>" + _("estimate")
                       + "<extra></extra>"),
        tiling=dict(pad=3),
    ))
    basis = g["basis"].iloc[0] if not g.empty else None
    _layout(fig, title, subtitle, source_note([report_code], estimate=True, basis=basis, lang=lang), "", None,
            legend=False, lang=lang)
    fig.update_layout(margin=dict(l=10, r=10, t=90 if subtitle else 70, b=110))
    return fig


def segment_bar_chart(breakdown: pd.DataFrame, year: int, title: str, subtitle: str | None,
                      report_code: str | None, *, lang: str = "en") -> go.Figure:
    """Horizontal bars of estimated segment values in one year (used for the regional view)."""
    _ = i18n.text(lang)
    k = _.money_factor
    g = breakdown[breakdown["year"] == year].iloc[::-1]
    labels = _names(g, "label", lang) if not g.empty else pd.Series(dtype=str)
    fig = go.Figure()
    for row, label in zip(g.itertuples(), labels):  # one trace per bar: each keeps its own colour and hatching
        fig.add_trace(go.Bar(
            y=[est(label, lang)], x=[row.value * k], orientation="h", name=est(label, lang), showlegend=False,
            marker=dict(color=row.color, pattern=_hatch()),
            text=[f"{_.money(row.value)} · {row.filtered_share_pct:.1f}%"], textposition="outside",
            cliponaxis=False, customdata=[row.segment],
            hovertemplate="<b>%{y}</b><br>" + _.money_hover("x") + " · " + _("estimate") + "<extra></extra>",
            meta={"segment": row.segment, "provenance": "estimate"}))
    fig.update_layout(bargap=0.35)
    if not g.empty:
        fig.update_xaxes(range=[0, g["value"].max() * k * 1.35])
    basis = g["basis"].iloc[0] if not g.empty else None
    _layout(fig, title, subtitle, source_note([report_code], estimate=True, basis=basis, lang=lang), "",
            _("{year} size ({unit})", year=year, unit=_.money_unit), legend=False, lang=lang)
    return fig


def growth_bars(summary: pd.DataFrame, title: str = "Growth compared", *, lang: str = "en") -> go.Figure:
    """Two panels: stated CAGR and absolute growth first→last year, one bar per market."""
    _ = i18n.text(lang)
    k = _.money_factor
    fig = make_subplots(rows=1, cols=2, horizontal_spacing=0.16, subplot_titles=(
        _("CAGR (%, stated)"), _("Absolute growth ({unit})", unit=_.money_unit)))
    names = _names(summary, "name", lang) if not summary.empty else pd.Series(dtype=str)
    for row, name in zip(summary.itertuples(), names):
        label = wrap_label(esc(name))
        period = f"{int(row.cagr_start)}–{int(row.cagr_end)}"
        fig.add_trace(go.Bar(x=[label], y=[row.cagr_pct], marker_color=row.color, name=esc(name),
                             text=[f"{row.cagr_pct:.2f}%"], textposition="outside", showlegend=False,
                             hovertemplate=(f"<b>{esc(name)}</b><br>"
                                            + _("CAGR {rate}% ({period}, reported)", rate="%{y:.2f}", period=period)
                                            + "<extra></extra>")),
                      row=1, col=1)
        fig.add_trace(go.Bar(x=[label], y=[row.abs_growth * k], marker_color=row.color, name=esc(name),
                             # Bar labels one decimal shorter than the language's money format: +843.7 / +8,437.
                             text=["+" + _.money_number(row.abs_growth, int(_.money_format.decimals) - 1)],
                             textposition="outside", showlegend=False,
                             hovertemplate=(f"<b>{esc(name)}</b><br>{row.first_year}→{row.last_year}: +"
                                            + _.money_hover("y") + " " + _("(from reported figures)")
                                            + "<extra></extra>")),
                      row=1, col=2)
    sub = ""
    if not summary.empty:
        sub = _("Absolute growth {first}→{last}, from reported figures", first=int(summary["first_year"].min()),
                last=int(summary["last_year"].max()))
    _layout(fig, title, sub, source_note(summary.get("report_code", pd.Series(dtype=str)).tolist(), lang=lang), "",
            None, legend=False, lang=lang)
    fig.update_yaxes(title_text=_.dynamic(_cfg().units.cagr_axis), row=1, col=1, rangemode="tozero")
    fig.update_yaxes(title_text=_("Growth ({unit})", unit=_.money_unit), row=1, col=2, rangemode="tozero")
    fig.update_yaxes(range=[0, summary["cagr_pct"].max() * 1.25 if not summary.empty else 1], row=1, col=1)
    fig.update_yaxes(range=[0, summary["abs_growth"].max() * k * 1.2 if not summary.empty else 1], row=1, col=2)
    fig.update_xaxes(tickangle=0)
    return fig


def concept_chart(comparison: pd.DataFrame, year: int, title: str, report_codes: Sequence[str],
                  measure: str = "value", *, lang: str = "en") -> go.Figure:
    """Estimated size (``measure='value'``) or share of its market (``'share'``) of each
    cross-market concept in each market, grouped bars for one year."""
    _ = i18n.text(lang)
    k = _.money_factor
    g = comparison[comparison["year"] == year]
    share = measure == "share"
    fig = go.Figure()
    if not g.empty:
        g = g.assign(_name=_names(g, "name", lang), _concept=_names(g, "concept_label", lang),
                     _segments=_names(g, "segments", lang))
    for mid, m in g.groupby("market_id", sort=False):
        fig.add_trace(go.Bar(
            x=[wrap_label(esc(c)) for c in m["_concept"]], y=m["share_pct"] if share else m["value"] * k,
            name=est(m["_name"].iloc[0], lang), marker_color=m["color"].iloc[0], marker_pattern=_hatch(),
            customdata=list(zip(m["share_pct"], [esc(x) for x in m["_segments"]])),
            hovertemplate=("<b>%{fullData.name}</b> · %{x}<br>"
                           + (_("{share}% of market", share="%{y:,.2f}") if share else _.money_hover("y"))
                           + " · " + _("estimate") + "<br>" + _("segments: {names}", names="%{customdata[1]}")
                           + "<extra></extra>"),
            meta={"market_id": mid, "provenance": "estimate"}))
    fig.update_layout(barmode="group")
    _layout(fig, title, _("{year}; each market's segments mapped to a shared concept", year=year),
            source_note(report_codes, estimate=True, lang=lang),
            _("Share of its market in {year} (%)", year=year) if share
            else _("{year} size ({unit})", year=year, unit=_.money_unit), None, lang=lang)
    return fig


def source_timeline(series: pd.DataFrame, title: str, market_color: str, *, lang: str = "en") -> go.Figure:
    """Each source's reported points and derived curve for one market on one timeline."""
    _ = i18n.text(lang)
    k = _.money_factor
    dashes = ["solid", "dot", "dashdot", "longdash"]
    fig = go.Figure()
    for i, (sid, g) in enumerate(series.groupby("source_id", sort=False)):
        g = g.sort_values("year")
        reported = g["provenance"].eq("reported")
        code = g["report_code"].iloc[0]
        label = esc(_("Report {code}", code=code) if isinstance(code, str) else sid)
        fig.add_trace(go.Scatter(
            x=g["year"], y=g["value"] * k, name=label, mode="lines+markers",
            line=dict(color=market_color, dash=dashes[i % len(dashes)], width=3 if i == 0 else 2),
            marker=dict(size=[11 if r else 4 for r in reported], symbol=["circle" if r else "circle-open" for r in reported]),
            customdata=[_prov(v, lang) for v in g["provenance"]],
            hovertemplate="<b>%{fullData.name}</b><br>%{x}: " + _.money_hover("y") + " · %{customdata}<extra></extra>"))
    _layout(fig, title, _("● reported   ○ derived"), source_note(series["report_code"].tolist(), lang=lang),
            _.dynamic(_cfg().units.money_axis), lang=lang)
    _year_axis(fig, series["year"] if not series.empty else [])
    return fig
