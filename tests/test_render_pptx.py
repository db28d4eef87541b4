"""The deck and the screen draw one description: same series, values, value labels and markers."""

from __future__ import annotations

import io

import pytest
from pptx import Presentation
from pptx.enum.chart import XL_MARKER_STYLE
from pptx.enum.dml import MSO_FILL_TYPE, MSO_LINE_DASH_STYLE
from pptx.oxml.ns import qn

from marketintel import charts, queries, render_plotly
from marketintel.render_pptx import DeckSlide, build_deck
from marketintel.settings import settings

FILTERS = {"region": ["asia_pacific"]}


def _specs(con):
    breakdown = queries.segment_breakdown(con, "connected-healthcare", "component", FILTERS)
    regions = queries.segment_breakdown(con, "telemedicine", "region")
    summary = queries.growth_summary(con)
    return {
        "growth_chart": charts.growth_chart(queries.market_series(con), "log", "Market size"),
        "bubble_chart": charts.bubble_chart(summary),
        "segment_area_chart": charts.segment_area_chart(breakdown, "By component", "Asia-Pacific", "1993166"),
        "segment_area_chart:bars": charts.segment_area_chart(
            breakdown, "By component", "Asia-Pacific", "1993166", "bar"
        ),
        "segment_bar_chart": charts.segment_bar_chart(regions, 2030, "By region, 2030", "", "2011682"),
        "growth_bars": charts.growth_bars(summary),
        "concept_chart": charts.concept_chart(
            queries.concept_comparison(con, ["telemedicine", "iomt"], ["hospitals"]), 2030, "Hospitals", ["2011682"]
        ),
        "source_timeline": charts.source_timeline(
            queries.source_series(con, "metaverse-healthcare"), "Sources", "#CC79A7"
        ),
        "growth_chart:scenarios": charts.growth_chart(
            queries.market_series(con, ["telemedicine"]),
            "linear",
            "Telemedicine",
            scenarios=queries.scenario_series(con, "telemedicine", {}, {"bull": 24.0}),
            events=queries.events(con, ["telemedicine"]),
            callout=True,
        ),
        "scenario_chart": charts.scenario_chart(
            queries.slice_summary(con, "telemedicine", FILTERS),
            queries.scenario_series(con, "telemedicine", FILTERS),
            "Scenarios",
            "Asia-Pacific",
            "Telemedicine",
            "#009E73",
            "2011682",
            events=queries.events(con, ["telemedicine"]),
            callout=True,
        ),
        "scenario_grid": charts.scenario_grid(
            queries.market_series(con, ["telemedicine", "iomt"]),
            queries.scenario_series_of(con, ["telemedicine", "iomt"]),
            "Scenarios compared",
            "",
            events=queries.events(con, ["telemedicine", "iomt"]),
        ),
        "sizing_chart": charts.sizing_chart(
            queries.opportunity_steps(con, "telemedicine", FILTERS, 2030, 10.0),
            2030,
            "Sizing",
            "",
            "#009E73",
            "2011682",
        ),
    }


@pytest.fixture(scope="module")
def specs(con):
    return _specs(con)


def _native_charts(spec):
    deck = Presentation(io.BytesIO(build_deck([DeckSlide.from_chart(spec)])))
    return [s.chart for s in deck.slides[1].shapes if s.has_chart]


def _plain(text) -> str:
    return "" if text is None else str(text).replace("<br>", " ").replace("&amp;", "&")


def test_every_builder_is_covered(specs):
    assert set(charts.BUILDERS) - {"segment_hierarchy_chart"} <= {k.split(":")[0] for k in specs}


@pytest.mark.parametrize(
    "kind",
    [
        "growth_chart",
        "bubble_chart",
        "segment_area_chart",
        "segment_area_chart:bars",
        "segment_bar_chart",
        "growth_bars",
        "concept_chart",
        "source_timeline",
        "growth_chart:scenarios",
        "scenario_chart",
        "scenario_grid",
        "sizing_chart",
    ],
)
def test_the_deck_holds_the_screens_series_values_and_labels(specs, kind):
    spec = specs[kind]
    fig = render_plotly.figure(spec)
    natives = _native_charts(spec)
    assert len(natives) == len(spec.panels)
    traces = list(fig.data)
    for chart in natives:
        categories = [str(c) for c in chart.plots[0].categories] if kind != "bubble_chart" else None
        for ser in chart.plots[0].series:
            trace = traces.pop(0)
            band = (trace.meta or {}).get("band")
            if band == "high":  # a band's legend names the range; its slide series names its edge
                assert trace.name == _plain(spec.panels[0].bands[0].name)
            else:
                assert ser.name == _plain(trace.name)
            horizontal = trace.orientation == "h"
            screen_x = list(trace.y if horizontal else trace.x)
            screen_values = list(trace.x if horizontal else trace.y)
            if categories is None:
                assert list(ser.values) == pytest.approx(screen_values)
                positions = list(range(len(screen_values)))
            else:
                # A series spanning fewer years than the chart has blanks on the slide elsewhere.
                positions = [categories.index(_plain(x)) for x in screen_x]
                slide = list(ser.values)
                assert [slide[i] for i in positions] == pytest.approx(screen_values)
                assert all(v is None for i, v in enumerate(slide) if i not in positions)
            if trace.text is not None:  # value labels on screen are value labels on the slide
                slide_labels = [ser.points[i].data_label.text_frame.text for i in positions]
                assert slide_labels == [_plain(t) for t in trace.text]
    assert not traces


def test_the_publishers_band_reaches_the_deck_as_native_series_equal_to_the_query(con):
    consensus = queries.source_consensus(con, "iomt")
    spec = charts.source_timeline(queries.source_series(con, "iomt"), "IoMT", "#D55E00", consensus=consensus)
    chart = _native_charts(spec)[0]
    by_name = {ser.name: ser for ser in chart.plots[0].series}
    categories = [int(str(c)) for c in chart.plots[0].categories]
    both = consensus[consensus["n_sources"] >= 2].set_index("year")
    for name, column in (
        ("Lowest publisher", "low"),
        ("Highest publisher", "high"),
        ("Median of the publishers", "median"),
    ):
        values = dict(zip(categories, by_name[name].values))
        assert [values[y] for y in both.index] == pytest.approx(list(both[column]))
    assert {"Report 1997137", "Fortune Business Insights", "Grand View Research"} <= set(by_name)


@pytest.mark.parametrize("kind", ["growth_chart", "source_timeline"])
def test_reported_points_are_large_and_filled_and_derived_small_and_hollow_on_both(specs, kind):
    spec = specs[kind]
    fig = render_plotly.figure(spec)
    marks = settings().theme.marks
    chart = _native_charts(spec)[0]
    panel = spec.panels[0]
    skip = 2 * len(panel.bands)  # each band is two series before the others, on the slide and on screen
    categories = panel.categories
    for ser, trace, s in zip(list(chart.plots[0].series)[skip:], fig.data[skip:], panel.series):
        for i, prov in enumerate(s.provenance):
            screen_size, screen_symbol = trace.marker.size[i], trace.marker.symbol[i]
            point = ser.points[categories.index(s.x[i])].marker
            if prov == "reported":
                assert (screen_size, screen_symbol) == (marks.reported.size, "circle")
                assert point.format.fill.fore_color.rgb == ser.format.line.color.rgb
            else:
                assert (screen_size, screen_symbol) == (marks.derived.size, "circle-open")
                assert str(point.format.fill.fore_color.rgb) == settings().theme.background.lstrip("#")
            assert point.style == XL_MARKER_STYLE.CIRCLE
        sizes = {p: ser.points[categories.index(x)].marker.size for x, p in zip(s.x, s.provenance)}
        if {"reported", "derived"} <= set(sizes):
            assert sizes["reported"] > sizes["derived"]


def test_estimates_are_hatched_on_the_slide_and_reported_bars_solid(specs):
    area = _native_charts(specs["segment_area_chart:bars"])[0]
    assert all(ser.format.fill.type == 2 for ser in area.plots[0].series)  # MSO_FILL.PATTERNED
    cagr = _native_charts(specs["growth_bars"])[0].plots[0].series[0]
    assert all(cagr.points[i].format.fill.type == 1 for i in range(len(list(cagr.values))))  # MSO_FILL.SOLID


def test_bubbles_are_named_on_the_slide_as_on_screen(specs):
    spec = specs["bubble_chart"]
    fig = render_plotly.figure(spec)
    chart = _native_charts(spec)[0]
    names = [ser.points[0].data_label.text_frame.text for ser in chart.plots[0].series]
    assert names == [_plain(t.text[0]) for t in fig.data]


def test_horizontal_bars_read_top_down_on_both(specs):
    spec = specs["segment_bar_chart"]
    fig = render_plotly.figure(spec)
    assert fig.layout.yaxis.autorange == "reversed"
    chart = _native_charts(spec)[0]
    assert chart.category_axis.reverse_order is True
    assert chart.value_axis._element.find(qn("c:crosses")).get("val") == "max"  # value axis at the bottom
    assert [str(c) for c in chart.plots[0].categories] == [_plain(y) for y in fig.data[0].y]


def test_a_log_axis_is_log_on_both(specs):
    fig = render_plotly.figure(specs["growth_chart"])
    assert fig.layout.yaxis.type == "log"
    chart = _native_charts(specs["growth_chart"])[0]
    assert b"logBase" in chart._chartSpace.xml.encode()


def test_a_slide_carries_its_speaker_notes_and_a_clickable_link_back_to_its_view(con):
    spec = _specs(con)["segment_area_chart"].with_view("view", "http://host:8501/explorer?market=x&region=asia_pacific")
    notes = "What this slide shows\nRegion: Asia-Pacific"
    prs = Presentation(io.BytesIO(build_deck([DeckSlide.from_chart(spec, "Filters: Asia-Pacific", notes)])))
    slide = list(prs.slides)[1]
    assert slide.notes_slide.notes_text_frame.text == notes
    links = [
        (r.text, r.hyperlink.address)
        for s in slide.shapes
        if s.has_text_frame
        for p in s.text_frame.paragraphs
        for r in p.runs
        if r.hyperlink.address
    ]
    assert links == [("Open this view in the dashboard", "http://host:8501/explorer?market=x&region=asia_pacific")]


def test_a_chinese_slide_links_in_chinese_inside_an_english_deck(con):
    breakdown = queries.segment_breakdown(con, "telemedicine", "component")
    spec = charts.segment_area_chart(breakdown, "按组件", "", "2011682", lang="zh").with_view("v", "http://h/explorer")
    prs = Presentation(io.BytesIO(build_deck([DeckSlide.from_chart(spec)], lang="en")))
    text = " ".join(s.text_frame.text for s in list(prs.slides)[1].shapes if s.has_text_frame)
    assert "在仪表板中打开此视图" in text and "Open this view" not in text


def test_without_a_view_a_slide_has_no_link_and_no_notes(con):
    prs = Presentation(io.BytesIO(build_deck([DeckSlide.from_chart(_specs(con)["growth_bars"])])))
    slide = list(prs.slides)[1]
    assert not slide.has_notes_slide or slide.notes_slide.notes_text_frame.text == ""
    assert not any(
        r.hyperlink.address for s in slide.shapes if s.has_text_frame for p in s.text_frame.paragraphs for r in p.runs
    )


def _shapes(spec):
    deck = Presentation(io.BytesIO(build_deck([DeckSlide.from_chart(spec)])))
    return list(deck.slides[1].shapes)


def test_scenarios_reach_the_deck_dotted_lighter_and_named_with_their_rate(specs):
    chart = _native_charts(specs["growth_chart:scenarios"])[0]
    by_name = {s.name: s for s in chart.plots[0].series}
    bull = by_name["Telemedicine · bull scenario, 24.0% a year"]
    assert bull.format.line.dash_style == MSO_LINE_DASH_STYLE.ROUND_DOT
    published = by_name["Telemedicine"]
    assert bull.format.line.color.rgb != published.format.line.color.rgb  # lighter than the published curve
    assert list(bull.values)[-1] == pytest.approx(122.86 * 1.24**7)  # from 2025's reported value, 24% a year


def test_event_markers_and_the_cagr_arrow_are_shapes_on_the_right_years(specs):
    shapes = _shapes(specs["growth_chart:scenarios"])
    frame = next(s for s in shapes if s.has_chart)
    marker = next(s for s in shapes if s.name == "Event marker: 2025 US tariff changes")
    label = next(s for s in shapes if s.name == "Event: 2025 US tariff changes")
    assert label.text_frame.text == "2025 US tariff changes"
    arrow = next(s for s in shapes if s.name.startswith("CAGR arrow: CAGR 2025–2032: 18.3%"))
    # The plot area is pinned (render_pptx._PLOT); 2025 is the first of eight categories, its middle
    # at 1/16 of the plot's width; 2032 the last, at 15/16.
    from marketintel.render_pptx import _PLOT

    left, width = frame.left + frame.width * _PLOT["x"], frame.width * _PLOT["w"]
    assert marker.begin_x == pytest.approx(left + width / 16, abs=2000)
    assert arrow.begin_x == pytest.approx(left + width / 16, abs=2000)
    assert arrow.end_x == pytest.approx(left + width * 15 / 16, abs=2000)
    assert arrow.end_y < arrow.begin_y  # rising


def test_the_sizing_slide_hatches_the_estimate_and_lightens_the_users_share(specs):
    chart = _native_charts(specs["sizing_chart"])[0]
    (ser,) = chart.plots[0].series
    fills = [ser.points[i].format.fill for i in range(3)]
    assert fills[1].type == MSO_FILL_TYPE.PATTERNED and fills[0].type == MSO_FILL_TYPE.SOLID
    assert fills[2].fore_color.rgb != fills[0].fore_color.rgb
    labels = [ser.points[i].data_label.text_frame.text for i in range(3)]
    assert labels[0] == "USD 283.50 bn" and labels[2].endswith("· 10.0%")
