"""Exports: the deck's native charts hold the query layer's numbers; workbook and CSV are formula-safe."""

from __future__ import annotations

import io

import numpy as np
import openpyxl
import pandas as pd
import pytest
from pptx import Presentation
from pptx.util import Inches

from marketintel import charts, export, queries
from marketintel.render_pptx import DeckSlide, build_deck

FILTERS = {"region": ["asia_pacific"]}


def _slides(deck: bytes):
    return list(Presentation(io.BytesIO(deck)).slides)


def _texts(slide) -> list[str]:
    return [s.text_frame.text for s in slide.shapes if s.has_text_frame]


def _chart(slide):
    return next(s.chart for s in slide.shapes if s.has_chart)


@pytest.fixture(scope="module")
def figures(con):
    breakdown = queries.segment_breakdown(con, "connected-healthcare", "component", FILTERS)
    series = queries.market_series(con)
    summary = queries.growth_summary(con)
    tree = queries.segment_breakdown(con, "connected-healthcare", "component", FILTERS, level=None)
    return {
        "breakdown": breakdown,
        "series": series,
        "summary": summary,
        "area": charts.segment_area_chart(
            breakdown, "Connected Healthcare by component", "Region: Asia-Pacific", "1993166"
        ),
        "growth": charts.growth_chart(series, "log", "Market size 2025–2032"),
        "bars": charts.growth_bars(summary),
        "bubble": charts.bubble_chart(summary),
        "tree": charts.segment_hierarchy_chart(
            tree, 2032, "Component hierarchy, 2032", "Region: Asia-Pacific", "1993166"
        ),
    }


def test_deck_is_16_9_with_title_slide_and_one_slide_per_chart(figures):
    deck = build_deck(
        [
            DeckSlide.from_chart(figures["area"], "Region: Asia-Pacific"),
            DeckSlide.from_chart(figures["growth"], "All markets"),
        ]
    )
    prs = Presentation(io.BytesIO(deck))
    assert prs.slide_width == Inches(13.333) and prs.slide_height == Inches(7.5)
    slides = list(prs.slides)
    assert len(slides) == 3
    assert "Healthcare Technology Markets" in " ".join(_texts(slides[0]))


def test_stacked_area_slide_holds_the_segment_figures_and_names_source_and_estimate(figures):
    deck = build_deck([DeckSlide.from_chart(figures["area"], "Region: Asia-Pacific")])
    slide = _slides(deck)[1]
    chart = _chart(slide)
    assert chart.chart_type is not None and "AREA" in str(chart.chart_type)
    b = figures["breakdown"]
    categories = [str(c) for c in chart.plots[0].categories]
    assert categories == [str(y) for y in sorted(b["year"].unique())]
    for ser in chart.plots[0].series:
        seg = b[b["label_en"] + " (est.)" == ser.name].sort_values("year")
        assert len(seg) == len(categories)
        assert np.allclose(list(ser.values), seg["value"].to_numpy(), rtol=1e-9)
    texts = " ".join(_texts(slide))
    assert "Connected Healthcare by component" in texts and "Region: Asia-Pacific" in texts
    assert "Source: market report 1993166" in texts and "estimates" in texts


def test_line_slide_matches_market_series_and_keeps_log_axis(figures):
    deck = build_deck([DeckSlide.from_chart(figures["growth"])])
    chart = _chart(_slides(deck)[1])
    series = figures["series"]
    for ser in chart.plots[0].series:
        m = series[series["name_en"] == ser.name].sort_values("year")
        assert np.allclose(list(ser.values), m["value"].to_numpy())
    assert {s.name for s in chart.plots[0].series} == set(series["name_en"])
    assert b"logBase" in chart._chartSpace.xml.encode()


def test_two_panel_bars_become_two_native_charts(figures):
    deck = build_deck([DeckSlide.from_chart(figures["bars"])])
    slide = _slides(deck)[1]
    charts_ = [s.chart for s in slide.shapes if s.has_chart]
    assert len(charts_) == 2
    plot = charts_[0].plots[0]
    assert len(plot.series) == 1  # one bar per market, each in its market's colour
    cagr = dict(zip([str(c) for c in plot.categories], plot.series[0].values))
    summary = figures["summary"].set_index("name_en")
    assert len(cagr) == len(summary)
    for name, value in cagr.items():
        assert value == pytest.approx(summary.loc[name, "cagr_pct"])


def test_bubble_chart_is_native(figures):
    deck = build_deck([DeckSlide.from_chart(figures["bubble"])])
    chart = _chart(_slides(deck)[1])
    assert "BUBBLE" in str(chart.chart_type)


def test_treemap_without_chrome_becomes_a_native_table(figures, monkeypatch):
    monkeypatch.setattr(export, "chrome_path", lambda: None)
    deck = build_deck([DeckSlide.from_chart(figures["tree"])])
    slide = _slides(deck)[1]
    tables = [s.table for s in slide.shapes if s.has_table]
    assert tables and tables[0].cell(0, 0).text == "Segment"
    assert "estimates" in " ".join(_texts(slide))


def test_images_without_chrome_say_how_to_get_one(figures, monkeypatch):
    monkeypatch.setattr(export, "chrome_path", lambda: None)
    with pytest.raises(export.ExportUnavailable, match="apt-get install chromium"):
        export.chart_image(figures["growth"])


@pytest.mark.skipif(export.chrome_path() is None, reason="no Chrome/Chromium on this machine")
def test_png_is_slide_sized_and_svg_is_vector(figures):
    png = export.chart_image(figures["area"], "png")
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    assert (width, height) == (3200, 1800)
    svg = export.chart_image(figures["area"], "svg")
    assert b"<svg" in svg[:500] and b"Segment splits are estimates" in svg


def test_workbook_one_sheet_per_table_numbers_as_numbers_and_sources(con):
    breakdown = queries.segment_breakdown(con, "telemedicine", "region")
    hostile = pd.DataFrame(
        {"label": ['=HYPERLINK("http://x","y")', "+1", "-2", "@SUM(A1)", "fine"], "value": [1.5, 2.0, -3.0, 4.0, 5.0]}
    )
    wb = openpyxl.load_workbook(
        io.BytesIO(
            export.workbook_bytes({"Telemedicine by region": breakdown, "Hostile": hostile}, queries.sources(con))
        )
    )
    assert wb.sheetnames == ["Telemedicine by region", "Hostile", "Sources"]
    ws = wb["Telemedicine by region"]
    header = [c.value for c in ws[1]]
    values = [row[header.index("value")] for row in ws.iter_rows(min_row=2, values_only=True)]
    assert all(isinstance(v, float) for v in values)
    assert np.allclose(values, breakdown["value"])
    labels = [r[0] for r in wb["Hostile"].iter_rows(min_row=2, values_only=True)]
    assert labels[:4] == ['\'=HYPERLINK("http://x","y")', "'+1", "'-2", "'@SUM(A1)"] and labels[4] == "fine"
    assert [r[1] for r in wb["Hostile"].iter_rows(min_row=2, values_only=True)][2] == -3.0
    assert any(c.value == "report_code" for c in wb["Sources"][1])


def test_csv_neutralises_formulas_and_keeps_numbers():
    text = export.csv_bytes(pd.DataFrame({"a": ["=1+1", "ok"], "n": [-1.5, 2]})).decode("utf-8-sig")
    assert "'=1+1" in text and "-1.5" in text and "'-1.5" not in text


def test_chart_table_is_what_was_plotted(figures):
    df = charts.chart_table(figures["area"])
    b = figures["breakdown"]
    assert np.isclose(df["value"].sum(), b["value"].sum())


def test_the_workbooks_sources_sheet_lists_publisher_edition_url_and_read_date(con):
    for lang, headers in (
        ("en", ("publisher", "edition_of", "url", "accessed")),
        ("zh", ("发布方", "较早版本，对应", "读取的网页", "读取日期")),
    ):
        wb = openpyxl.load_workbook(io.BytesIO(export.workbook_bytes({}, queries.sources(con), lang)))
        sheet = wb.worksheets[-1]
        header = [c.value for c in sheet[1]]
        assert set(headers) <= set(header), header
        rows = [dict(zip(header, r)) for r in sheet.iter_rows(min_row=2, values_only=True)]
        gvr = next(r for r in rows if r[headers[0]] == "Grand View Research")
        assert gvr[headers[2]].startswith("https://www.grandviewresearch.com/")


def test_csv_heads_with_its_view_and_then_the_table():
    table = pd.DataFrame({"Year": [2025, 2026], "Telemedicine (USD bn)": [122.86, 144.42]})
    text = export.csv_bytes(table, "en", [("Market", "Telemedicine"), ("Region", "Asia-Pacific")]).decode("utf-8-sig")
    lines = text.splitlines()
    assert lines[:3] == ["Market,Telemedicine", "Region,Asia-Pacific", ""]
    assert lines[3] == "Year,Telemedicine (USD bn)" and lines[4] == "2025,122.86"


def test_workbook_starts_with_the_view_and_shows_numbers_rounded_but_keeps_them_whole():
    import openpyxl

    table = pd.DataFrame({"Year": [2027], "Telemedicine (USD bn)": [170.946211]})
    table.attrs["number_formats"] = {"Telemedicine (USD bn)": "#,##0.00"}
    book = openpyxl.load_workbook(
        io.BytesIO(export.workbook_bytes({"Market size": table}, None, "en", view=[("Region", "Asia-Pacific")]))
    )
    assert book.sheetnames == ["View", "Market size"]
    assert [c.value for c in book["View"][2]] == ["Region", "Asia-Pacific"]
    cell = book["Market size"]["B2"]
    assert cell.value == pytest.approx(170.946211) and cell.number_format == "#,##0.00"


def test_long_sheet_names_keep_their_distinct_ends():
    used: set[str] = set()
    a = export._sheet_name("Internet of Medical Things (IoMT): market size", used)
    b = export._sheet_name("Internet of Medical Things (IoMT) by component", used)
    assert a != b and len(a) <= 31 and len(b) <= 31 and b.endswith("by component")
