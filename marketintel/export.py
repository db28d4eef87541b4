"""Exporters: figures and data out as PNG/SVG, PowerPoint (native, editable charts), Excel and CSV.

A deck is rebuilt from each chart's own figure: the numbers on a slide are the numbers that
were plotted. What PowerPoint cannot draw natively (treemaps) goes in as an image when a
Chrome is available, and as a native table of the same numbers when it is not.
"""

from __future__ import annotations

import datetime as dt
import html
import io
import json
import os
import re
import shutil
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
from pptx import Presentation
from pptx.chart.data import BubbleChartData, CategoryChartData
from pptx.dml.color import RGBColor
from pptx.enum.chart import XL_CHART_TYPE, XL_LEGEND_POSITION
from pptx.enum.dml import MSO_LINE_DASH_STYLE, MSO_PATTERN_TYPE
from pptx.oxml.ns import qn
from pptx.oxml.xmlchemy import OxmlElement
from pptx.util import Inches, Pt

from . import i18n
from .i18n import N_
from .settings import ROOT, Settings, settings


class ExportUnavailable(RuntimeError):
    """An export that needs something this machine lacks (a Chrome for images)."""


# -- static images (kaleido) ----------------------------------------------------------------

_IMAGE_LOCK = threading.Lock()
_SERVER_STARTED = False
CHROME_CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")


def chrome_path() -> str | None:
    """The Chrome/Chromium kaleido will use: ``BROWSER_PATH`` if set, else one found on PATH."""
    env = os.environ.get("BROWSER_PATH")
    if env and Path(env).exists():
        return env
    for name in CHROME_CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return None


def figure_image(fig: go.Figure, fmt: str = "png") -> bytes:
    """The figure as PNG (slide-size 16:9, high resolution) or SVG, rendered server-side."""
    global _SERVER_STARTED
    if fmt not in ("png", "svg"):
        raise ValueError(f"unsupported image format {fmt!r}")
    path = chrome_path()
    if path is None:
        raise ExportUnavailable("No Chrome or Chromium found, so images cannot be rendered here. Install one "
                                "(Debian: apt-get install chromium) or set BROWSER_PATH. PowerPoint, Excel and CSV "
                                "exports work without it.")
    os.environ["BROWSER_PATH"] = path
    cfg = settings().image
    with _IMAGE_LOCK:  # one kaleido server for the process; calls are serialised
        if not _SERVER_STARTED:
            import atexit

            import kaleido
            kaleido.start_sync_server(silence_warnings=True)
            atexit.register(kaleido.stop_sync_server, silence_warnings=True)
            _SERVER_STARTED = True
        return pio.to_image(fig, format=fmt, width=cfg.width, height=cfg.height,
                            scale=cfg.scale if fmt == "png" else 1)


# -- text safety for spreadsheets -----------------------------------------------------------

def neutralise_formulas(df: pd.DataFrame) -> pd.DataFrame:
    """Prefix text cells that a spreadsheet would run as a formula with an apostrophe."""
    prefixes = tuple(settings().export.formula_prefixes)
    out = df.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(lambda v: "'" + v if isinstance(v, str) and v.startswith(prefixes) else v)
    return out


def _flatten(df: pd.DataFrame) -> pd.DataFrame:
    """Lists and arrays as '; '-joined text, so every cell is a plain value."""
    out = df.copy()
    for col in out.columns:
        if out[col].map(lambda v: isinstance(v, (list, tuple, np.ndarray))).any():
            out[col] = out[col].map(lambda v: "; ".join(map(str, v)) if isinstance(v, (list, tuple, np.ndarray)) else v)
    return out


#: Column headers for Chinese exports (English exports keep the column names, which are the
#: data dictionary's). Money columns are in USD bn in the data and scaled to the language's unit.
COLUMN_LABELS: dict[str, str] = {
    "market_id": N_("Market id"), "market": N_("Market"), "name_en": N_("Market (English)"),
    "name_zh": N_("Market (Chinese)"), "source_id": N_("Source id"), "source_title": N_("Source"),
    "source_title_zh": N_("Source (Chinese)"), "title_en": N_("Title (English)"), "title_zh": N_("Title (Chinese)"),
    "text_en": N_("Text (English)"), "text_zh": N_("Text (Chinese)"), "label_en": N_("Label (English)"),
    "label_zh": N_("Label (Chinese)"), "display_label": N_("Segment"), "display_label_zh": N_("Segment (Chinese)"),
    "report_code": N_("Report code"), "year": N_("Year"), "value": N_("Value ({unit})"),
    "market_value": N_("Market size ({unit})"), "first_value": N_("First-year size ({unit})"),
    "last_value": N_("Last-year size ({unit})"), "abs_growth": N_("Absolute growth ({unit})"),
    "value_first": N_("First-year value ({unit})"), "value_last": N_("Last-year value ({unit})"),
    "low": N_("Lowest ({unit})"), "high": N_("Highest ({unit})"), "provenance": N_("Provenance"),
    "share_pct": N_("Share (%)"), "filtered_share_pct": N_("Share of market after filters (%)"),
    "share_first": N_("First-year share (%)"), "share_last": N_("Last-year share (%)"),
    "cagr_pct": N_("CAGR (%)"), "implied_cagr_pct": N_("Implied CAGR (%)"), "cagr_start": N_("CAGR from"),
    "cagr_end": N_("CAGR to"), "cagr_basis": N_("CAGR period basis"), "first_year": N_("First year"),
    "last_year": N_("Last year"), "growth_multiple": N_("Growth multiple"), "index_value": N_("Index"),
    "segment": N_("Segment id"), "dimension": N_("Dimension id"), "dimension_label": N_("Dimension"),
    "dimension_label_zh": N_("Dimension (Chinese)"), "segments": N_("Segments"), "segments_zh": N_("Segments (Chinese)"),
    "concept": N_("Concept id"), "concept_label": N_("Concept"), "concept_label_zh": N_("Concept (Chinese)"),
    "rationale": N_("Rationale (English)"), "rationale_zh": N_("Rationale (Chinese)"), "basis": N_("Combination basis"),
    "kind": N_("Kind"), "document": N_("Document"), "date": N_("Date"), "is_primary": N_("Primary source"),
    "coverage": N_("Coverage"), "n_figures": N_("Figures stated"), "topic": N_("Topic"), "relevance": N_("Relevance"),
    "regions": N_("Regions"), "region_labels": N_("Regions (English)"), "region_labels_zh": N_("Regions (Chinese)"),
    "severity": N_("Severity"), "file": N_("File"), "location": N_("Where"), "message": N_("Problem"),
    "color": N_("Colour"), "role": N_("Role"), "note": N_("Note"), "parent": N_("Parent segment id"),
    "depth": N_("Depth"), "n_sources": N_("Sources"), "spread_pct": N_("Spread (%)"), "outlier": N_("Outlier source"),
    "claim": N_("Claim"), "insight_id": N_("Insight id"), "sort_order": N_("Sort order"),
}
MONEY_COLUMNS = frozenset({"value", "market_value", "first_value", "last_value", "abs_growth", "value_first",
                           "value_last", "low", "high"})


def money_in_language(df: pd.DataFrame, lang: str = "en") -> pd.DataFrame:
    """The table with its money columns (USD bn in the data) in ``lang``'s unit (亿美元 in Chinese)."""
    factor = i18n.text(lang).money_factor
    if factor == 1:
        return df
    out = df.copy()
    for col in out.columns:
        if col in MONEY_COLUMNS and pd.api.types.is_numeric_dtype(out[col]):
            out[col] = (out[col] * factor).round(6)
    return out


def localise_table(df: pd.DataFrame, lang: str = "en") -> pd.DataFrame:
    """A table for a reader of ``lang``: Chinese gets translated headers and money in 亿美元."""
    if lang == i18n.DEFAULT_LANGUAGE:
        return df
    _ = i18n.text(lang)
    out = money_in_language(df, lang)
    return out.rename(columns={c: _(COLUMN_LABELS[c], unit=_.money_unit) for c in out.columns
                               if isinstance(c, str) and c in COLUMN_LABELS})


def csv_bytes(df: pd.DataFrame, lang: str = "en") -> bytes:
    """A table as UTF-8 CSV (with BOM, so Excel reads the encoding), formula-safe."""
    return neutralise_formulas(_flatten(localise_table(df, lang))).to_csv(index=False).encode("utf-8-sig")


def _sheet_name(name: str, used: set[str]) -> str:
    base = "".join("_" if c in '[]:*?/\\' else c for c in name)[:31] or "Sheet"
    candidate, i = base, 2
    while candidate.lower() in used:
        suffix = f" ({i})"
        candidate, i = base[: 31 - len(suffix)] + suffix, i + 1
    used.add(candidate.lower())
    return candidate


def workbook_bytes(tables: dict[str, pd.DataFrame], sources: pd.DataFrame | None = None, lang: str = "en") -> bytes:
    """One Excel workbook: a sheet per table (numbers stay numbers) plus a Sources sheet.

    Sheet names are the (already translated) table titles; headers and units follow ``lang``.
    """
    buf = io.BytesIO()
    used: set[str] = set()
    _ = i18n.text(lang)
    with pd.ExcelWriter(buf, engine="openpyxl") as xl:
        for name, df in tables.items():
            neutralise_formulas(_flatten(localise_table(df, lang))).to_excel(
                xl, sheet_name=_sheet_name(name, used), index=False)
        if sources is not None:
            neutralise_formulas(_flatten(localise_table(sources, lang))).to_excel(
                xl, sheet_name=_sheet_name(_("Sources"), used), index=False)
    return buf.getvalue()


# -- figure -> chart data -------------------------------------------------------------------

@dataclass
class Series:
    name: str
    values: list[float | None]
    color: str | None = None
    estimate: bool = False
    dash: str | None = None
    point_colors: list[str | None] | None = None   # one colour per category (one bar per market)
    sizes: list[float] | None = None   # bubble charts
    xs: list[float] | None = None      # bubble charts


@dataclass
class Panel:
    """One native chart: its type, categories and series, as they were plotted."""

    kind: str   # line, area_stacked, column_stacked, column_clustered, bar_clustered, bubble
    categories: list[str]
    series: list[Series] = field(default_factory=list)
    y_title: str = ""
    x_title: str = ""
    title: str = ""
    log_y: bool = False
    log_x: bool = False


def _arr(values: Any) -> list:
    """A Plotly array (list or typed ``{dtype, bdata}``) as a Python list."""
    if values is None:
        return []
    if isinstance(values, dict) and "bdata" in values:
        import base64
        return np.frombuffer(base64.b64decode(values["bdata"]), dtype=np.dtype(values["dtype"])).tolist()
    return list(np.asarray(values, dtype=object).tolist()) if not isinstance(values, list) else values


_CJK_BREAK = re.compile(r"(?<=[\u2e80-\uffff])<br>(?=[\u2e80-\uffff])")


def _text(s: Any) -> str:
    """Plotly label text as plain text: our markup removed, escaped data text restored."""
    if s is None:
        return ""
    # A break wrap_label put inside Chinese text joins without a space; between words, with one.
    text = _CJK_BREAK.sub("", str(s))
    return html.unescape(text.replace("<br>", " ").replace("<b>", "").replace("</b>", ""))


def _axis_title(layout: dict, axis: str) -> str:
    return _text(((layout.get(axis) or {}).get("title") or {}).get("text"))


def figure_panels(fig: go.Figure) -> list[Panel] | None:
    """The figure's data as native-chart panels, or None when PowerPoint cannot draw it natively."""
    spec = json.loads(fig.to_json())
    data, layout = spec["data"], spec["layout"]
    if not data or any(t.get("type") not in ("scatter", "bar") for t in data):
        return None
    raw_suffix = settings().provenance.estimate_suffix
    suffixes = tuple({i18n.text(lang)(raw_suffix).strip() for lang in i18n.LANGUAGES})
    groups: dict[str, list[dict]] = {}
    for t in data:
        groups.setdefault(t.get("xaxis", "x"), []).append(t)
    titles = [_text(a.get("text")) for a in layout.get("annotations", []) if a.get("yref") == "paper" and a.get("y", 0) >= 1]
    panels = []
    for i, (xaxis, traces) in enumerate(groups.items()):
        suffix = xaxis[1:]
        ylay, xlay = f"yaxis{suffix}", f"xaxis{suffix}"
        first = traces[0]
        if first["type"] == "scatter" and all(t.get("mode") in ("markers", "markers+text") for t in traces):
            panel = Panel("bubble", [], x_title=_axis_title(layout, xlay), y_title=_axis_title(layout, ylay),
                          log_x=(layout.get(xlay) or {}).get("type") == "log")
            for t in traces:
                sizes = _arr((t.get("marker") or {}).get("size"))
                panel.series.append(Series(_text(t.get("name")), [float(v) for v in _arr(t["y"])],
                                           (t.get("marker") or {}).get("color"), xs=[float(v) for v in _arr(t["x"])],
                                           sizes=[float(s) ** 2 for s in sizes] or [1.0]))
            panels.append(panel)
            continue
        horizontal = first["type"] == "bar" and first.get("orientation") == "h"
        cat_key, val_key = ("y", "x") if horizontal else ("x", "y")
        categories: list[str] = []
        for t in traces:
            for c in _arr(t.get(cat_key)):
                label = _text(c)
                if label not in categories:
                    categories.append(label)
        if first["type"] == "scatter":
            kind = "area_stacked" if any(t.get("stackgroup") for t in traces) else "line"
        elif horizontal:
            kind = "bar_clustered"
        else:
            kind = "column_stacked" if layout.get("barmode") == "stack" else "column_clustered"
        panel = Panel(kind, categories, y_title=_axis_title(layout, ylay if not horizontal else xlay),
                      x_title=_axis_title(layout, xlay if not horizontal else ylay),
                      title=titles[i] if len(groups) > 1 and i < len(titles) else "",
                      log_y=(layout.get(ylay) or {}).get("type") == "log")
        for t in traces:
            lookup = {_text(c): v for c, v in zip(_arr(t.get(cat_key)), _arr(t.get(val_key)))}
            name = _text(t.get("name")) or panel.title or "Value"
            marker_color = (t.get("marker") or {}).get("color")
            color = (t.get("line") or {}).get("color") or (marker_color if isinstance(marker_color, str) else None)
            series = Series(name, [None if lookup.get(c) is None else float(lookup[c]) for c in categories], color,
                            estimate=name.strip().endswith(suffixes) or (t.get("meta") or {}).get("provenance") == "estimate",
                            dash=(t.get("line") or {}).get("dash"))
            if isinstance(marker_color, list):  # a colour per bar (e.g. one per region)
                series.color = None
                by_cat = dict(zip((_text(c) for c in _arr(t.get(cat_key))), marker_color))
                series.point_colors = [by_cat.get(c) for c in categories]
            panel.series.append(series)
        one_each = [[j for j, v in enumerate(s.values) if v is not None] for s in panel.series]
        if len(panel.series) > 1 and all(len(idx) == 1 for idx in one_each) \
                and len({idx[0] for idx in one_each}) == len(one_each):
            # One trace per category (a bar per market): one series with a colour per bar reads better.
            merged = Series(panel.title or panel.y_title or "Value", [None] * len(categories),
                            estimate=all(s.estimate for s in panel.series), point_colors=[None] * len(categories))
            for s, idx in zip(panel.series, one_each):
                merged.values[idx[0]] = s.values[idx[0]]
                merged.point_colors[idx[0]] = s.color
            panel.series = [merged]
        if horizontal:  # Plotly draws the first category at the bottom; PowerPoint at the top
            panel.categories = panel.categories[::-1]
            for s in panel.series:
                s.values = s.values[::-1]
                if s.point_colors:
                    s.point_colors = s.point_colors[::-1]
        panels.append(panel)
    return panels


# -- PowerPoint ------------------------------------------------------------------------------

SLIDE_W, SLIDE_H = Inches(13.333), Inches(7.5)
_KINDS = {
    "line": XL_CHART_TYPE.LINE_MARKERS, "area_stacked": XL_CHART_TYPE.AREA_STACKED,
    "column_stacked": XL_CHART_TYPE.COLUMN_STACKED, "column_clustered": XL_CHART_TYPE.COLUMN_CLUSTERED,
    "bar_clustered": XL_CHART_TYPE.BAR_CLUSTERED, "bubble": XL_CHART_TYPE.BUBBLE,
}


@dataclass
class DeckSlide:
    """What one slide shows: the chart's figure plus the context a reader needs."""

    title: str
    subtitle: str
    figure_json: str
    source_note: str = ""

    @classmethod
    def from_figure(cls, fig: go.Figure, subtitle: str = "") -> "DeckSlide":
        meta = fig.layout.meta if isinstance(fig.layout.meta, dict) else {}
        return cls(title=meta.get("title") or _text(fig.layout.title.text), subtitle=subtitle or meta.get("subtitle", ""),
                   figure_json=fig.to_json(), source_note=meta.get("source_note", ""))

    def figure(self) -> go.Figure:
        return pio.from_json(self.figure_json)


def _rgb(color: str | None) -> RGBColor | None:
    if isinstance(color, str) and color.startswith("#") and len(color) == 7:
        return RGBColor.from_string(color[1:].upper())
    return None


def _tint(color: RGBColor, amount: float = 0.45) -> RGBColor:
    """The colour mixed with white (for the background of a hatched estimate)."""
    r, g, b = color[0], color[1], color[2]
    return RGBColor(*(int(c + (255 - c) * amount) for c in (r, g, b)))


def _east_asian_font(rpr) -> None:
    """Name the configured CJK font for East Asian text (PowerPoint picks it for Chinese runs)."""
    name = settings().export.pptx_font_east_asian
    if not name or rpr is None:
        return
    ea = rpr.find(qn("a:ea"))
    if ea is None:
        ea = OxmlElement("a:ea")
        latin = rpr.find(qn("a:latin"))
        if latin is not None:
            latin.addnext(ea)
        else:
            rpr.append(ea)
    ea.set("typeface", name)


def _textbox(slide, left, top, width, height, text: str, size: int, bold: bool = False, color: str = "#1F2937"):
    font_name = settings().export.pptx_font
    box = slide.shapes.add_textbox(left, top, width, height)
    tf = box.text_frame
    tf.word_wrap = True
    tf.text = text
    for p in tf.paragraphs:
        p.font.size, p.font.bold, p.font.name = Pt(size), bold, font_name
        p.font.color.rgb = _rgb(color)
        for run in p.runs:
            _east_asian_font(run._r.get_or_add_rPr())
    return box


def _log_axis(axis) -> None:
    scaling = axis._element.find(qn("c:scaling"))
    log = OxmlElement("c:logBase")
    log.set("val", "10")
    scaling.insert(0, log)


def _add_native_chart(slide, panel: Panel, left, top, width, height) -> None:
    font_name = settings().export.pptx_font
    if panel.kind == "bubble":
        data = BubbleChartData()
        for s in panel.series:
            ser = data.add_series(s.name, number_format="0.00")
            for x, y, size in zip(s.xs or [], s.values, s.sizes or [1.0] * len(s.values)):
                ser.add_data_point(x, y, size)
    else:
        data = CategoryChartData(number_format="#,##0.00")
        data.categories = panel.categories
        for s in panel.series:
            data.add_series(s.name, s.values)
    chart = slide.shapes.add_chart(_KINDS[panel.kind], left, top, width, height, data).chart
    chart.font.name, chart.font.size = font_name, Pt(12)
    _east_asian_font(chart.font._rPr)
    chart.has_title = bool(panel.title)
    if panel.title:
        chart.chart_title.text_frame.text = panel.title
        chart.chart_title.text_frame.paragraphs[0].font.size = Pt(13)
    chart.has_legend = len(panel.series) > 1
    if chart.has_legend:
        chart.legend.position = XL_LEGEND_POSITION.RIGHT
        chart.legend.include_in_layout = False
        chart.legend.font.size = Pt(11)
    for ser, s in zip(chart.plots[0].series, panel.series):
        color = _rgb(s.color)
        if panel.kind == "line":
            ser.smooth = False
            if color:
                ser.format.line.color.rgb = color
                ser.marker.format.fill.solid()
                ser.marker.format.fill.fore_color.rgb = color
            ser.format.line.width = Pt(2.5)
            if s.estimate or s.dash == "dash":
                ser.format.line.dash_style = MSO_LINE_DASH_STYLE.DASH
        elif s.point_colors:
            for j, pc in enumerate(s.point_colors):
                if _rgb(pc):
                    point_fill = ser.points[j].format.fill
                    if s.estimate:
                        point_fill.patterned()
                        point_fill.pattern = MSO_PATTERN_TYPE.DARK_UPWARD_DIAGONAL
                        point_fill.fore_color.rgb = _rgb(pc)
                        point_fill.back_color.rgb = _tint(_rgb(pc))
                    else:
                        point_fill.solid()
                        point_fill.fore_color.rgb = _rgb(pc)
        elif color:
            fill = ser.format.fill
            if s.estimate:  # hatched, like on screen: the colour striped over a lighter tint of itself
                fill.patterned()
                fill.pattern = MSO_PATTERN_TYPE.DARK_UPWARD_DIAGONAL
                fill.fore_color.rgb = color
                fill.back_color.rgb = _tint(color)
            else:
                fill.solid()
                fill.fore_color.rgb = color
    value_axis = chart.value_axis
    if panel.y_title:
        value_axis.has_title = True
        value_axis.axis_title.text_frame.text = panel.y_title
        value_axis.axis_title.text_frame.paragraphs[0].font.size = Pt(12)
    value_axis.has_major_gridlines = True
    value_axis.major_gridlines.format.line.color.rgb = RGBColor(0xE5, 0xE7, 0xEB)
    if panel.log_y:
        _log_axis(value_axis)
    category_axis = chart.category_axis
    if panel.x_title:
        category_axis.has_title = True
        category_axis.axis_title.text_frame.text = panel.x_title
        category_axis.axis_title.text_frame.paragraphs[0].font.size = Pt(12)
    if panel.log_x:
        _log_axis(category_axis)


def _add_table(slide, panel_df: pd.DataFrame, left, top, width, height) -> None:
    rows, cols = min(len(panel_df), 18) + 1, len(panel_df.columns)
    table = slide.shapes.add_table(rows, cols, left, top, width, height).table
    for j, col in enumerate(panel_df.columns):
        table.cell(0, j).text = str(col)
    for i, (_, row) in enumerate(panel_df.head(rows - 1).iterrows(), start=1):
        for j, v in enumerate(row):
            table.cell(i, j).text = f"{v:,.2f}" if isinstance(v, float) else str(v)


def _treemap_table(fig: go.Figure, lang: str = "en") -> pd.DataFrame:
    _ = i18n.text(lang)
    t = fig.data[0]
    return pd.DataFrame({_("Segment"): [_text(v) for v in t.labels],
                         _("{unit} (est.)", unit=_.money_unit): [float(v) for v in t.values]})


def build_deck(slides: list[DeckSlide], title: str | None = None, subtitle: str | None = None,
               lang: str = "en", config: Settings | None = None) -> bytes:
    """A 16:9 .pptx: a title slide, then one slide per chart with native, editable charts.

    The cover follows ``lang``; each chart slide carries the language its chart was drawn in.
    """
    cfg = config or settings()
    _ = i18n.text(lang)
    today = dt.date.today()
    date_text = (f"{today.year}年{today.month}月{today.day}日" if _.lang == "zh" else f"{today:%d %B %Y}")
    template = cfg.export.pptx_template
    prs = Presentation(str(ROOT / template)) if template else Presentation()
    if not template:
        prs.slide_width, prs.slide_height = SLIDE_W, SLIDE_H
    blank = prs.slide_layouts[6] if len(prs.slide_layouts) > 6 else prs.slide_layouts[-1]
    width = prs.slide_width

    cover = prs.slides.add_slide(blank)
    _textbox(cover, Inches(0.8), Inches(2.4), width - Inches(1.6), Inches(1.2),
             title or _.dynamic(cfg.export.deck_title), 40, bold=True)
    _textbox(cover, Inches(0.8), Inches(3.6), width - Inches(1.6), Inches(1.0),
             subtitle or _("Market intelligence · {date}", date=date_text), 20, color="#4B5563")
    _textbox(cover, Inches(0.8), Inches(6.4), width - Inches(1.6), Inches(0.6),
             _("Reported = stated in a source · Derived = computed from reported figures · "
               "Estimate = our assumption (segment splits). Each slide names its source."), 12, color="#6B7280")

    for item in slides:
        slide = prs.slides.add_slide(blank)
        _textbox(slide, Inches(0.5), Inches(0.3), width - Inches(1.0), Inches(0.7), item.title, 28, bold=True)
        _textbox(slide, Inches(0.5), Inches(0.95), width - Inches(1.0), Inches(0.5), item.subtitle, 14, color="#4B5563")
        _textbox(slide, Inches(0.5), Inches(6.85), width - Inches(1.0), Inches(0.5), item.source_note, 11, color="#6B7280")
        fig = item.figure()
        top, height = Inches(1.5), Inches(5.25)
        panels = figure_panels(fig)
        if panels:
            w = (width - Inches(1.0)) / len(panels)
            for i, panel in enumerate(panels):
                _add_native_chart(slide, panel, Inches(0.5) + int(w * i), top, int(w), height)
            continue
        try:
            # Without the title and source line (the slide has them) the picture fills the space.
            picture = go.Figure(fig)
            picture.update_layout(title_text="", margin=dict(t=10, b=10, l=10, r=10))
            picture.layout.annotations = []
            png = figure_image(picture, "png")
            slide.shapes.add_picture(io.BytesIO(png), Inches(0.5), top, width=width - Inches(1.0), height=height)
        except ExportUnavailable:
            meta = fig.layout.meta if isinstance(fig.layout.meta, dict) else {}
            _add_table(slide, _treemap_table(fig, meta.get("lang", lang)), Inches(0.5), top, width - Inches(1.0),
                       height)
    buf = io.BytesIO()
    prs.save(buf)
    return buf.getvalue()


def figure_data(fig: go.Figure) -> pd.DataFrame:
    """A figure's plotted numbers in long form (series, category, value) — what a chart's CSV holds."""
    panels = figure_panels(fig)
    rows = []
    if panels is None:
        t = fig.data[0]
        return pd.DataFrame({"series": "treemap", "category": list(t.labels), "value": [float(v) for v in t.values]})
    for p in panels:
        for s in p.series:
            if p.kind == "bubble":
                rows += [dict(panel=p.title, series=s.name, category=x, value=y) for x, y in zip(s.xs or [], s.values)]
            else:
                rows += [dict(panel=p.title, series=s.name, category=c, value=v) for c, v in zip(p.categories, s.values)]
    return pd.DataFrame(rows)
