"""The screen renderer: descriptions in, Plotly figures out; data text inert, estimates hatched, bands filled."""

from __future__ import annotations

from marketintel import render_plotly
from marketintel.chart_spec import Axis, Band, ChartSpec, Panel, Series
from marketintel.settings import settings


def _spec(*panels: Panel, title: str = "T", note: str = "Source: x.") -> ChartSpec:
    return ChartSpec("test", title, "sub", note, tuple(panels), unit="USD bn")


def test_data_text_is_escaped_everywhere():
    hostile = '<a href="javascript:alert(1)">x</a>'
    s = Series(hostile, (2025,), (1.0,), ("reported",), color="#000000", hover=(hostile + "\nline",))
    fig = render_plotly.figure(_spec(Panel("line", (s,), Axis("Year"), Axis(hostile)), title=hostile, note=hostile))
    text = str(fig.to_plotly_json())
    assert "<a href" not in text and "&lt;a href" in text


def test_estimates_are_hatched_and_dashed_and_reported_lines_are_not():
    est = Series("Hardware (est.)", (2025, 2026), (1.0, 2.0), ("estimate", "estimate"), color="#112233")
    rep = Series("Market", (2025, 2026), (1.0, 2.0), ("reported", "derived"), color="#445566")
    area = render_plotly.figure(_spec(Panel("area_stacked", (est,))))
    assert area.data[0].fillpattern.shape == settings().theme.hatch.shape
    assert area.data[0].line.dash == settings().theme.marks.estimate_dash
    bars = render_plotly.figure(_spec(Panel("column_stacked", (est,))))
    assert bars.data[0].marker.pattern.shape == settings().theme.hatch.shape and bars.layout.barmode == "stack"
    line = render_plotly.figure(_spec(Panel("line", (rep,))))
    assert line.data[0].line.dash == "solid"
    assert list(line.data[0].marker.symbol) == ["circle", "circle-open"]


def test_a_band_is_a_filled_range_behind_the_series():
    band = Band("Range", (2025, 2026), (1.0, 2.0), (3.0, 4.0), "Low", "High", color="#6B7280")
    s = Series("Market", (2025, 2026), (2.0, 3.0), ("reported", "reported"), color="#000000")
    fig = render_plotly.figure(_spec(Panel("line", (s,), bands=(band,))))
    low, high, series = fig.data
    assert (low.meta["band"], high.meta["band"]) == ("low", "high")
    assert list(low.y) == [1.0, 2.0] and list(high.y) == [3.0, 4.0] and high.fill == "tonexty"
    assert high.fillcolor.startswith("#6B7280") and len(high.fillcolor) == 9  # the theme colour with an alpha
    assert not low.showlegend and high.name == "Range" and series.name == "Market"


def test_bare_leaves_out_the_heading_and_source_line_for_a_slide():
    s = Series("Market", (2025,), (1.0,), ("reported",))
    full = render_plotly.figure(_spec(Panel("line", (s,))))
    bare = render_plotly.figure(_spec(Panel("line", (s,))), bare=True)
    assert "Source: x." in str(full.layout.annotations) and "Source: x." not in str(bare.layout.annotations)
    assert not bare.layout.title.text


def test_long_labels_wrap_by_width_and_chinese_by_character():
    assert render_plotly.wrap_label("Internet of Medical Things (IoMT)") == "Internet of<br>Medical Things<br>(IoMT)"
    assert "<br>" in render_plotly.wrap_label("医疗保健领域的元宇宙市场规模")
    assert not render_plotly.wrap_label("医疗保健领域的元宇宙，市场").split("<br>")[-1].startswith("，")
