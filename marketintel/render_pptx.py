"""The slide renderer: chart descriptions drawn as native, editable PowerPoint charts in a 16:9 deck.

It reads only the :class:`ChartSpec` and the theme, never a drawn figure: value labels,
reported/derived markers, hatched estimates and bubble names come from the same description
the screen is drawn from. A treemap, which PowerPoint cannot draw, goes in as the screen
renderer's image when a Chrome is available, and as a native table of its nodes otherwise.
"""

from __future__ import annotations

import datetime as dt
import io
import math
from dataclasses import dataclass

from pptx import Presentation
from pptx.chart.data import BubbleChartData, CategoryChartData
from pptx.dml.color import RGBColor
from pptx.enum.chart import XL_CHART_TYPE, XL_LABEL_POSITION, XL_LEGEND_POSITION, XL_MARKER_STYLE
from pptx.enum.dml import MSO_LINE_DASH_STYLE, MSO_PATTERN_TYPE
from pptx.enum.shapes import MSO_CONNECTOR
from pptx.enum.text import PP_ALIGN
from pptx.oxml.ns import qn
from pptx.oxml.xmlchemy import OxmlElement
from pptx.util import Inches, Pt

from . import i18n
from .chart_spec import ChartSpec, Panel, Series
from .settings import ROOT, Settings, settings

SLIDE_W, SLIDE_H = Inches(13.333), Inches(7.5)
_KINDS = {
    "line": XL_CHART_TYPE.LINE_MARKERS,
    "area_stacked": XL_CHART_TYPE.AREA_STACKED,
    "column_stacked": XL_CHART_TYPE.COLUMN_STACKED,
    "column_clustered": XL_CHART_TYPE.COLUMN_CLUSTERED,
    "bar_horizontal": XL_CHART_TYPE.BAR_CLUSTERED,
    "bubble": XL_CHART_TYPE.BUBBLE,
}
_MARKERS = {
    "circle": XL_MARKER_STYLE.CIRCLE,
    "circle-open": XL_MARKER_STYLE.CIRCLE,
    "square": XL_MARKER_STYLE.SQUARE,
    "diamond": XL_MARKER_STYLE.DIAMOND,
    "diamond-open": XL_MARKER_STYLE.DIAMOND,
    "triangle-up": XL_MARKER_STYLE.TRIANGLE,
    "triangle-up-open": XL_MARKER_STYLE.TRIANGLE,
    "x": XL_MARKER_STYLE.X,
}
#: Where a chart with event markers or a CAGR arrow puts its plot area, as fractions of the chart:
#: fixed, so the shapes drawn over it land on the right years and values.
_PLOT = {"x": 0.085, "y": 0.06, "w": 0.58, "h": 0.76}
_DASHES = {
    "dash": MSO_LINE_DASH_STYLE.DASH,
    "dot": MSO_LINE_DASH_STYLE.ROUND_DOT,
    "dashdot": MSO_LINE_DASH_STYLE.DASH_DOT,
    "longdash": MSO_LINE_DASH_STYLE.LONG_DASH,
}
# Plotly marker sizes are in pixels across; PowerPoint's are points (2–72).
_MARKER_SCALE = 0.75


@dataclass(frozen=True)
class DeckSlide:
    """What one slide shows: the chart's description plus the heading a reader needs."""

    spec: ChartSpec
    title: str
    subtitle: str
    notes: str = ""  # speaker notes: the view, the sources, the provenance
    link: str = ""  # the footnote's link back to the view

    @classmethod
    def from_chart(cls, spec: ChartSpec, subtitle: str = "", notes: str = "") -> "DeckSlide":
        return cls(spec, spec.title, subtitle or spec.subtitle, notes, spec.link)


def _nice_ceiling(value: float) -> float:
    """The next round number at or above ``value`` (1, 2, 2.5 or 5 times a power of ten)."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    return next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= value)


def _rgb(color: str | None) -> RGBColor | None:
    if isinstance(color, str) and color.startswith("#") and len(color) == 7:
        return RGBColor.from_string(color[1:].upper())
    return None


def _tint(color: RGBColor, amount: float) -> RGBColor:
    """The colour mixed with white (for the background of a hatched estimate)."""
    return RGBColor(*(int(c + (255 - c) * amount) for c in (color[0], color[1], color[2])))


class _Writer:
    """Draws slides with one configuration's fonts and theme."""

    def __init__(self, cfg: Settings):
        self.cfg, self.theme = cfg, cfg.theme
        self.font = cfg.export.pptx_font

    def east_asian_font(self, rpr) -> None:
        """Name the configured CJK font for East Asian text (PowerPoint picks it for Chinese runs)."""
        name = self.cfg.export.pptx_font_east_asian
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

    def textbox(
        self, slide, left, top, width, height, text: str, size: int, bold: bool = False, color: str | None = None
    ):
        box = slide.shapes.add_textbox(left, top, width, height)
        tf = box.text_frame
        tf.word_wrap = True
        tf.text = text
        for p in tf.paragraphs:
            p.font.size, p.font.bold, p.font.name = Pt(size), bold, self.font
            p.font.color.rgb = _rgb(color or self.theme.text_color)
            for run in p.runs:
                self.east_asian_font(run._r.get_or_add_rPr())
        return box

    def link(self, box, text: str, url: str) -> None:
        """A clickable run after the text in ``box`` (PowerPoint opens it on click in a show, Ctrl+click when editing)."""
        para = box.text_frame.paragraphs[-1]
        sep = para.add_run()
        sep.text = " · "
        run = para.add_run()
        run.text = text
        run.hyperlink.address = url
        for r in (sep, run):
            r.font.size, r.font.name = Pt(11), self.font
            self.east_asian_font(r._r.get_or_add_rPr())
        sep.font.color.rgb = _rgb(self.theme.note_color)
        run.font.color.rgb = _rgb(self.cfg.theme.link_color)
        run.font.underline = True

    # -- fills and marks ---------------------------------------------------------------

    def fill(self, fill, color: RGBColor, estimate: bool) -> None:
        """A solid fill, or for an estimate the colour striped over a lighter tint of itself."""
        if estimate:
            fill.patterned()
            fill.pattern = getattr(MSO_PATTERN_TYPE, self.theme.hatch.pptx_pattern)
            fill.fore_color.rgb = color
            fill.back_color.rgb = _tint(color, self.theme.hatch.tint)
        else:
            fill.solid()
            fill.fore_color.rgb = color

    def line_marks(self, ser, s: Series, positions: list[int]) -> None:
        """Reported points large and filled, derived years small and hollow, as on screen.

        ``positions``: each point's index among the chart's categories (a series may span fewer years).
        """
        marks = self.theme.marks
        color = _rgb(s.color)
        if color and s.scenario:  # lighter, as on screen (a slide has no line opacity to set)
            color = _tint(color, 1 - marks.scenario_opacity)
        ser.smooth = False
        if color:
            ser.format.line.color.rgb = color
        ser.format.line.width = Pt(s.width or (2 if s.scenario else marks.line_width))
        dash = s.dash if s.dash and s.dash != "solid" else None
        dash = dash or (marks.scenario_dash if s.scenario else marks.estimate_dash if s.estimate else None)
        if dash in _DASHES:
            ser.format.line.dash_style = _DASHES[dash]
        by = {"reported": marks.reported, "derived": marks.derived, "scenario": marks.scenario}
        for j, prov in zip(positions, s.provenance):
            mark = by.get(prov, marks.derived)
            symbol = s.marker or mark.symbol
            marker = ser.points[j].marker
            marker.style = _MARKERS.get(symbol, XL_MARKER_STYLE.CIRCLE)
            marker.size = max(2, min(72, round((mark.size + (2 if s.marker else 0)) * _MARKER_SCALE)))
            if color:
                marker.format.line.color.rgb = color
                if symbol.endswith("-open") or symbol == "x":
                    marker.format.fill.solid()
                    marker.format.fill.fore_color.rgb = _rgb(self.theme.background)
                else:
                    marker.format.fill.solid()
                    marker.format.fill.fore_color.rgb = color

    def value_labels(self, ser, s: Series, position, positions: list[int] | None = None) -> None:
        for j, text in zip(positions or range(len(s.labels or ())), s.labels or ()):
            if not text:
                continue
            label = ser.points[j].data_label
            label.has_text_frame = True
            label.text_frame.text = text
            label.position = position
            label.font.size = Pt(11)
            for p in label.text_frame.paragraphs:
                for run in p.runs:
                    self.east_asian_font(run._r.get_or_add_rPr())

    # -- charts ------------------------------------------------------------------------

    def chart(self, slide, panel: Panel, left, top, width, height, legend: bool = True) -> None:
        if panel.kind == "bubble":
            min_area = (self.theme.marks.bubble_min / self.theme.marks.bubble_max) ** 2
            data = BubbleChartData()
            for s in panel.series:
                ser = data.add_series(s.name, number_format="0.00")
                for x, y, size in zip(s.x, s.y, s.sizes or [1.0] * len(s.y)):
                    # The screen draws no bubble narrower than bubble_min; nor does the slide.
                    ser.add_data_point(x, y, max(size, min_area))
        else:
            data = CategoryChartData(number_format=panel.y_axis.number_format)
            data.categories = [str(c) for c in panel.categories]
            for band in panel.bands:  # a band is two native series, low and high, behind the others
                for name, values in ((band.low_name, band.low), (band.high_name, band.high)):
                    lookup = dict(zip(band.x, values))
                    data.add_series(name, [lookup.get(c) for c in panel.categories])
            for s in panel.series:
                lookup = dict(zip(s.x, s.y))
                data.add_series(s.name, [lookup.get(c) for c in panel.categories])
        chart = slide.shapes.add_chart(_KINDS[panel.kind], left, top, width, height, data).chart
        chart.font.name, chart.font.size = self.font, Pt(12)
        self.east_asian_font(chart.font._rPr)
        chart.has_title = bool(panel.title)
        if panel.title:
            chart.chart_title.text_frame.text = panel.title
            chart.chart_title.text_frame.paragraphs[0].font.size = Pt(13)
        chart.has_legend = legend and len([s for s in panel.series if s.in_legend]) + 2 * len(panel.bands) > 1
        if chart.has_legend:
            chart.legend.position = XL_LEGEND_POSITION.RIGHT
            chart.legend.include_in_layout = False
            chart.legend.font.size = Pt(11)
        drawn = list(chart.plots[0].series)
        for band in panel.bands:
            for ser in drawn[:2]:
                self.band_line(ser, band)
            drawn = drawn[2:]
        for ser, s in zip(drawn, panel.series):
            self.series(ser, s, panel)
        if panel.kind == "column_clustered" and len(panel.series) > 1:
            chart.plots[0].gap_width = 80
        self.axes(chart, panel)
        if (panel.events or panel.callouts) and panel.kind in ("line", "area_stacked") and panel.x_axis.every_category:
            self.marks_over(slide, chart, panel, left, top, width, height)

    # -- shapes over a chart: event markers and CAGR arrows ------------------------------

    def marks_over(self, slide, chart, panel: Panel, left, top, width, height) -> None:
        """Event markers and CAGR arrows as shapes over the plot area. A native chart has no
        annotations, so the plot area gets a fixed layout and the value axis a fixed range, and
        each shape is placed from the years and values it marks."""
        plot_area = chart._chartSpace.find(qn("c:chart")).find(qn("c:plotArea"))
        layout = plot_area.find(qn("c:layout"))
        if layout is None:
            layout = OxmlElement("c:layout")
            plot_area.insert(0, layout)
        for child in list(layout):
            layout.remove(child)
        manual = OxmlElement("c:manualLayout")
        for tag, val in (("layoutTarget", "inner"), ("xMode", "edge"), ("yMode", "edge")):
            el = OxmlElement(f"c:{tag}")
            el.set("val", val)
            manual.append(el)
        for key in ("x", "y", "w", "h"):
            el = OxmlElement(f"c:{key}")
            el.set("val", str(_PLOT[key]))
            manual.append(el)
        layout.append(manual)

        log = panel.y_axis.scale == "log"
        values = [v for s in panel.series for v in s.y if v is not None]
        if panel.kind == "area_stacked":
            totals: dict = {}
            for s in panel.series:
                for x, v in zip(s.x, s.y):
                    totals[x] = totals.get(x, 0) + (v or 0)
            values = list(totals.values())
        values += [v for b in panel.bands for v in (*b.low, *b.high)]
        values += [v for c in panel.callouts for v in (c.y0, c.y1)]
        values = [v for v in values if v is not None and (v > 0 or not log)]
        if not values:
            return
        if log:
            lo, hi = 10 ** math.floor(math.log10(min(values))), 10 ** math.ceil(math.log10(max(values)))
        else:
            lo, hi = panel.y_axis.range or (0.0, _nice_ceiling(max(values) * 1.05))
        chart.value_axis.minimum_scale, chart.value_axis.maximum_scale = lo, hi
        cats = [float(c) for c in panel.categories]
        between = panel.kind == "line"  # a line's points sit mid-category; an area's on the edges
        cross = chart.value_axis._element.find(qn("c:crossBetween"))
        if cross is not None:
            cross.set("val", "between" if between else "midCat")

        px, py = left + int(width * _PLOT["x"]), top + int(height * _PLOT["y"])
        pw, ph = int(width * _PLOT["w"]), int(height * _PLOT["h"])

        def x_at(year: float) -> int:
            i = year - cats[0]
            n = len(cats)
            return px + int(pw * ((i + 0.5) / n if between else i / max(n - 1, 1)))

        def y_at(value: float) -> int:
            if log:
                frac = (math.log10(value) - math.log10(lo)) / (math.log10(hi) - math.log10(lo))
            else:
                frac = (value - lo) / (hi - lo)
            return py + int(ph * (1 - min(max(frac, 0), 1)))

        theme = self.theme
        last, level = None, 0
        for e in sorted(panel.events, key=lambda e: e.x):
            level = level + 1 if last is not None and e.x - last < 1.6 and level < 2 else 0
            last = e.x
            x = x_at(e.x)
            line = slide.shapes.add_connector(MSO_CONNECTOR.STRAIGHT, x, py, x, py + ph)
            line.line.color.rgb = _rgb(theme.event_color)
            line.line.width = Pt(1.25)
            line.line.dash_style = MSO_LINE_DASH_STYLE.ROUND_DOT
            label = self.textbox(
                slide, x + Pt(3), py + Pt(2 + 13 * level), Inches(2.4), Pt(14), e.label, 9, color=theme.note_color
            )
            label.text_frame.margin_left = label.text_frame.margin_right = 0
            label.text_frame.margin_top = label.text_frame.margin_bottom = 0
            label.name = f"Event: {e.label}"
            line.name = f"Event marker: {e.label}"
        for c in panel.callouts:
            x0, y0, x1, y1 = x_at(c.x0), y_at(c.y0), x_at(c.x1), y_at(c.y1)
            arrow = slide.shapes.add_connector(MSO_CONNECTOR.STRAIGHT, x0, y0, x1, y1)
            arrow.line.color.rgb = _rgb(theme.callout_color)
            arrow.line.width = Pt(1.5)
            tail = OxmlElement("a:tailEnd")
            tail.set("type", "triangle")
            arrow.line._get_or_add_ln().append(tail)
            arrow.name = f"CAGR arrow: {c.label}"
            box_w, box_h = Inches(2.3), Pt(20)
            mid_x, mid_y = x0 + int((x1 - x0) * c.label_at), y0 + int((y1 - y0) * c.label_at)
            box = self.textbox(
                slide,
                mid_x - box_w // 2,
                mid_y - box_h - Pt(4),
                box_w,
                box_h,
                c.label,
                11,
                bold=True,
                color=theme.callout_color,
            )
            box.text_frame.word_wrap = False
            box.text_frame.paragraphs[0].alignment = PP_ALIGN.CENTER
            box.fill.solid()
            box.fill.fore_color.rgb = _rgb(theme.background)
            box.line.color.rgb = _rgb(theme.callout_color)
            box.line.width = Pt(0.75)
            box.name = f"CAGR label: {c.label}"

    def band_line(self, ser, band) -> None:
        """One edge of a band: a thin dashed line without markers."""
        ser.smooth = False
        ser.marker.style = XL_MARKER_STYLE.NONE
        ser.format.line.width = Pt(1.25)
        ser.format.line.dash_style = MSO_LINE_DASH_STYLE.DASH
        if _rgb(band.color):
            ser.format.line.color.rgb = _rgb(band.color)

    def series(self, ser, s: Series, panel: Panel) -> None:
        color = _rgb(s.color)
        index = {c: i for i, c in enumerate(panel.categories)}
        positions = [index[x] for x in s.x] if panel.kind != "bubble" else list(range(len(s.x)))
        if panel.kind == "line":
            self.line_marks(ser, s, positions)
        elif panel.kind == "bubble":
            if color:
                self.fill(ser.format.fill, color, s.estimate)
            self.value_labels(ser, s, XL_LABEL_POSITION.RIGHT)
            return
        elif s.point_colors:
            lookup = dict(zip(s.x, s.point_colors))
            provenance = dict(zip(s.x, s.provenance))
            for j, c in enumerate(panel.categories):
                pc = _rgb(lookup.get(c))
                if pc:
                    if provenance.get(c) == "scenario":  # the user's assumption: lighter, as on screen
                        pc = _tint(pc, 1 - self.theme.marks.scenario_opacity * 0.6)
                    self.fill(ser.points[j].format.fill, pc, s.estimate or provenance.get(c) == "estimate")
        elif color:
            self.fill(ser.format.fill, color, s.estimate)
        if s.labels:
            self.value_labels(
                ser, s, XL_LABEL_POSITION.OUTSIDE_END if panel.kind != "line" else XL_LABEL_POSITION.ABOVE, positions
            )

    def axes(self, chart, panel: Panel) -> None:
        value_axis, category_axis = chart.value_axis, chart.category_axis
        for axis, spec in ((value_axis, panel.y_axis), (category_axis, panel.x_axis)):
            if spec.title:
                axis.has_title = True
                axis.axis_title.text_frame.text = spec.title
                axis.axis_title.text_frame.paragraphs[0].font.size = Pt(12)
            if spec.scale == "log":
                scaling = axis._element.find(qn("c:scaling"))
                log = OxmlElement("c:logBase")
                log.set("val", "10")
                scaling.insert(0, log)
        value_axis.has_major_gridlines = True
        value_axis.major_gridlines.format.line.color.rgb = _rgb(self.theme.grid_color)
        if panel.y_axis.range is not None and panel.y_axis.scale == "linear":
            value_axis.minimum_scale, value_axis.maximum_scale = panel.y_axis.range
        if panel.kind == "bar_horizontal":
            category_axis.reverse_order = True  # the first category at the top, as on screen
            # ...and the value axis still at the bottom: it crosses the categories at the last one.
            # (python-pptx sets crossing points only on a value axis, for the other axis.)
            value_axis._element.find(qn("c:crosses")).set("val", "max")

    def table(self, slide, panel: Panel, lang: str, left, top, width, height) -> None:
        _ = i18n.text(lang)
        nodes = panel.nodes[:18]
        table = slide.shapes.add_table(len(nodes) + 1, 3, left, top, width, height).table
        for j, head in enumerate((_("Segment"), _("{unit} (est.)", unit=_.money_unit), _("Share (%)"))):
            table.cell(0, j).text = head
        for i, n in enumerate(nodes, start=1):
            table.cell(i, 0).text = n.label
            table.cell(i, 1).text = f"{n.value:,.2f}"
            table.cell(i, 2).text = f"{n.share_pct:.1f}"


def _view_link_label(lang: str) -> str:
    _ = i18n.text(lang)
    return _("Open this view in the dashboard")


def build_deck(
    slides: list[DeckSlide],
    title: str | None = None,
    subtitle: str | None = None,
    lang: str = "en",
    config: Settings | None = None,
) -> bytes:
    """A 16:9 .pptx: a title slide, then one slide per chart with native, editable charts.

    The cover follows ``lang``; each chart slide carries the language its chart was drawn in.
    """
    from . import export  # images come from the screen renderer through kaleido

    cfg = config or settings()
    w = _Writer(cfg)
    _ = i18n.text(lang)
    today = dt.date.today()
    date_text = f"{today.year}年{today.month}月{today.day}日" if _.lang == "zh" else f"{today:%d %B %Y}"
    template = cfg.export.pptx_template
    prs = Presentation(str(ROOT / template)) if template else Presentation()
    if not template:
        prs.slide_width, prs.slide_height = SLIDE_W, SLIDE_H
    blank = prs.slide_layouts[6] if len(prs.slide_layouts) > 6 else prs.slide_layouts[-1]
    width = prs.slide_width
    theme = cfg.theme

    cover = prs.slides.add_slide(blank)
    w.textbox(
        cover,
        Inches(0.8),
        Inches(2.4),
        width - Inches(1.6),
        Inches(1.2),
        title or _.dynamic(cfg.export.deck_title),
        40,
        bold=True,
    )
    w.textbox(
        cover,
        Inches(0.8),
        Inches(3.6),
        width - Inches(1.6),
        Inches(1.0),
        subtitle or _("Market intelligence · {date}", date=date_text),
        20,
        color=theme.subtitle_color,
    )
    w.textbox(
        cover,
        Inches(0.8),
        Inches(6.4),
        width - Inches(1.6),
        Inches(0.6),
        _(
            "Reported = stated in a source · Derived = computed from reported figures · "
            "Estimate = our assumption (segment splits). Each slide names its source."
        ),
        12,
        color=theme.note_color,
    )

    for item in slides:
        spec = item.spec
        slide = prs.slides.add_slide(blank)
        w.textbox(slide, Inches(0.5), Inches(0.3), width - Inches(1.0), Inches(0.7), item.title, 28, bold=True)
        w.textbox(
            slide,
            Inches(0.5),
            Inches(0.95),
            width - Inches(1.0),
            Inches(0.5),
            item.subtitle,
            14,
            color=theme.subtitle_color,
        )
        foot = w.textbox(
            slide,
            Inches(0.5),
            Inches(6.8),
            width - Inches(1.0),
            Inches(0.6),
            spec.source_note,
            11 if len(spec.source_note) < 260 else 9,  # a long line (scenarios' bases) still fits the slide
            color=theme.note_color,
        )
        if item.link:
            w.link(foot, _view_link_label(spec.lang), item.link)  # the slide's language, not the deck's
        if item.notes:
            slide.notes_slide.notes_text_frame.text = item.notes
        top, height = Inches(1.5), Inches(5.25)
        if spec.native:
            pw = (width - Inches(1.0)) / len(spec.panels)
            for i, panel in enumerate(spec.panels):
                w.chart(slide, panel, Inches(0.5) + int(pw * i), top, int(pw), height, spec.legend)
            continue
        try:
            # Without the title and source line (the slide has them) the picture fills the space.
            png = export.chart_image(spec, "png", bare=True)
            slide.shapes.add_picture(io.BytesIO(png), Inches(0.5), top, width=width - Inches(1.0), height=height)
        except export.ExportUnavailable:
            w.table(slide, spec.panels[0], spec.lang, Inches(0.5), top, width - Inches(1.0), height)
    buf = io.BytesIO()
    prs.save(buf)
    return buf.getvalue()
