"""Chart builders over the fixture data: what each description holds (no drawing needed)."""

from __future__ import annotations

import pytest

from marketintel import charts, queries


def test_growth_chart_marks_each_point_with_its_provenance(fx):
    spec = charts.growth_chart(queries.market_series(fx, ["alpha"]), "linear", "Alpha")
    (panel,) = spec.panels
    (alpha,) = panel.series
    assert alpha.x == (2025, 2026, 2027, 2028, 2029, 2030)
    assert alpha.y[0] == 10 and alpha.y[1] == 12 and alpha.y[-1] == 20
    assert alpha.provenance == ("reported", "reported", "derived", "derived", "derived", "reported")
    assert alpha.hover[0].splitlines() == ["Alpha Health", "2025: USD 10.00 bn", "reported · report A-1"]
    assert panel.y_axis.title == "Market size (USD bn)" and panel.x_axis.every_category
    assert spec.source_note == "Source: market report A-1."


@pytest.mark.parametrize(
    "scale, first, axis_scale, title",
    [
        ("linear", 10.0, "linear", "Market size (USD bn)"),
        ("log", 10.0, "log", "Market size (USD bn)"),
        ("indexed", 100.0, "linear", "Index (2025 = 100)"),
        ("nonsense", 10.0, "linear", "Market size (USD bn)"),
    ],
)
def test_growth_chart_scales(fx, scale, first, axis_scale, title):
    panel = charts.growth_chart(queries.market_series(fx), scale, "All").panels[0]
    alpha = next(s for s in panel.series if s.key == "alpha")
    assert alpha.y[0] == pytest.approx(first)
    assert (panel.y_axis.scale, panel.y_axis.title) == (axis_scale, title)
    if scale == "log":
        assert 10 in panel.y_axis.ticks and 200 in panel.y_axis.ticks and "100" in panel.y_axis.tick_labels


def test_chinese_chart_is_in_yi_usd(fx):
    spec = charts.growth_chart(queries.market_series(fx, ["alpha"]), "linear", "阿尔法", lang="zh")
    alpha = spec.panels[0].series[0]
    assert alpha.name == "阿尔法健康" and alpha.y[0] == 100
    assert "亿美元" in spec.panels[0].y_axis.title and "100.0亿美元" in alpha.hover[0]


def test_segment_area_is_share_times_size_and_estimated(fx):
    breakdown = queries.segment_breakdown(fx, "alpha", "component")
    spec = charts.segment_area_chart(breakdown, "Alpha by component", "", "A-1")
    hardware, software = spec.panels[0].series
    assert hardware.name == "Hardware (est.)" and hardware.estimate
    assert hardware.y[0] == pytest.approx(6.0) and software.y[0] == pytest.approx(4.0)
    assert hardware.y[-1] == pytest.approx(10.0)
    assert spec.panels[0].kind == "area_stacked"
    assert charts.segment_area_chart(breakdown, "t", "", "A-1", "bar").panels[0].kind == "column_stacked"
    assert "Segment splits are estimates" in spec.source_note


def test_a_filter_changes_what_the_chart_shows(fx):
    whole = charts.segment_area_chart(queries.segment_breakdown(fx, "alpha", "component"), "t", "", "A-1")
    emea = charts.segment_area_chart(
        queries.segment_breakdown(fx, "alpha", "component", {"region": ["emea"]}), "t", "", "A-1"
    )
    assert emea.panels[0].series[0].y[0] == pytest.approx(whole.panels[0].series[0].y[0] * 0.30)
    assert "independent" in emea.source_note and "independent" not in whole.source_note


def test_hierarchy_nodes_sum_to_their_parents(fx):
    tree = queries.segment_breakdown(fx, "alpha", "region", level=None)
    spec = charts.segment_hierarchy_chart(tree, 2025, "Alpha by region", "", "A-1")
    nodes = {n.id: n for n in spec.panels[0].nodes}
    assert nodes["__all__"].value == pytest.approx(10.0)
    assert nodes["us"].parent == "americas" and nodes["americas"].parent == "__all__"
    assert nodes["us"].value + nodes["rest_americas"].value == pytest.approx(nodes["americas"].value)
    assert nodes["emea"].label == "EMEA (est.)"


def test_region_bars_carry_value_labels(fx):
    regions = queries.segment_breakdown(fx, "alpha", "region")
    (series,) = charts.segment_bar_chart(regions, 2030, "Alpha by region", "", "A-1").panels[0].series
    assert series.x == ("Americas (est.)", "EMEA (est.)")
    assert series.labels == ("USD 12.00 bn · 60.0%", "USD 8.00 bn · 40.0%")


def test_growth_bars_label_each_bar(fx):
    spec = charts.growth_bars(queries.growth_summary(fx))
    cagr, growth = (p.series[0] for p in spec.panels)
    assert cagr.labels == ("14.87%", "14.87%")
    assert growth.y == pytest.approx((10.0, 100.0)) and growth.labels == ("+10.0", "+100.0")
    assert growth.provenance == ("derived", "derived") and cagr.provenance == ("reported", "reported")


def test_bubbles_are_named_and_sized_by_last_year(fx):
    (panel,) = charts.bubble_chart(queries.growth_summary(fx)).panels
    by_key = {s.key: s for s in panel.series}
    assert by_key["alpha"].labels == ("Alpha Health",) and by_key["beta"].sizes == (1.0,)
    assert by_key["alpha"].sizes == (pytest.approx(0.1),)
    assert panel.y_axis.range == (5.0, 20.0)


def test_source_timeline_has_a_line_per_source(fx):
    spec = charts.source_timeline(
        queries.source_series(fx, "alpha"), "Alpha sources", "#000000", consensus=queries.source_consensus(fx, "alpha")
    )
    (panel,) = spec.panels
    names = [s.name for s in panel.series]
    # A source without a publisher is named by its report code, else its title; the median follows.
    assert names == ["Report A-1", "Alpha news", "Median of the publishers"]
    assert panel.series[1].x == (2024, 2025, 2026, 2027, 2028)
    assert panel.y_axis.scale == "log" and panel.categories == list(range(2024, 2031))
    (band,) = panel.bands
    # Two sources overlap in 2025-2028 only: the band never extends beyond a source's own span.
    assert band.x == (2025, 2026, 2027, 2028)
    s1 = dict(zip(panel.series[0].x, panel.series[0].y))
    s2 = dict(zip(panel.series[1].x, panel.series[1].y))
    for year, low, high in zip(band.x, band.low, band.high):
        assert (low, high) == pytest.approx(tuple(sorted((s1[year], s2[year]))))


def test_growth_chart_can_carry_the_publishers_band(fx):
    consensus = queries.source_consensus(fx, "alpha")
    spec = charts.growth_chart(queries.market_series(fx, ["alpha"]), "linear", "Alpha", consensus=consensus)
    (panel,) = spec.panels
    assert len(panel.bands) == 1 and panel.series[-1].key == "consensus_median"
    assert panel.series[-1].provenance == ("derived",) * 4
    plain = charts.growth_chart(queries.market_series(fx, ["alpha"]), "linear", "Alpha")
    assert plain.panels[0].bands == () and len(plain.panels[0].series) == 1
    indexed = charts.growth_chart(queries.market_series(fx, ["alpha"]), "indexed", "Alpha", consensus=consensus)
    assert indexed.panels[0].bands == ()  # an index of the primary has no publishers' band


def test_concept_chart_groups_markets(fx):
    comp = queries.concept_comparison(fx, ["alpha", "beta"], ["hardware"])
    spec = charts.concept_chart(comp, 2025, "Hardware", ["A-1", "B-1"])
    assert [s.y for s in spec.panels[0].series] == [pytest.approx((6.0,)), pytest.approx((50.0,))]


def test_chart_table_is_the_plotted_numbers(fx):
    spec = charts.segment_area_chart(queries.segment_breakdown(fx, "alpha", "component"), "t", "", "A-1")
    table = charts.chart_table(spec)
    assert table["value"].sum() == pytest.approx(sum(sum(s.y) for s in spec.panels[0].series))
    assert set(table["provenance"]) == {"estimate"}


def test_chart_sheet_lays_a_time_chart_out_by_year_with_units_and_provenance(fx):
    spec = charts.growth_chart(queries.market_series(fx, ["alpha"]), "linear", "Alpha")
    sheet = charts.chart_sheet(spec)
    assert list(sheet.columns) == ["Year", "Alpha Health (USD bn)", "Alpha Health: provenance"]
    assert sheet["Year"].tolist() == [2025, 2026, 2027, 2028, 2029, 2030]
    assert sheet["Alpha Health (USD bn)"].tolist() == pytest.approx(list(spec.panels[0].series[0].y))
    assert sheet["Alpha Health: provenance"].tolist()[:3] == ["reported", "reported", "derived"]
    assert sheet.attrs["number_formats"]["Alpha Health (USD bn)"] == "#,##0.00"


def test_chart_sheet_in_chinese_is_in_yi_usd_with_chinese_headers(fx):
    spec = charts.growth_chart(queries.market_series(fx, ["alpha"]), "linear", "阿尔法", lang="zh")
    sheet = charts.chart_sheet(spec)
    assert sheet.columns[0] == "年份" and sheet.columns[1].endswith("(亿美元)")
    assert sheet.iloc[0, 1] == pytest.approx(100.0)  # USD 10 bn = 100亿美元


def test_chart_sheet_of_a_treemap_names_each_segment_and_its_parent(fx):
    frame = queries.segment_breakdown(fx, "alpha", "region", level=None)
    spec = charts.segment_hierarchy_chart(frame, 2030, "Alpha by region", "", "A-1")
    sheet = charts.chart_sheet(spec).set_index("Segment")
    assert sheet.loc["United States (est.)", "Part of"] == "Americas (est.)"
    total = sheet.loc["All segments (est.)", "Value (USD bn)"]
    tops = sheet[sheet["Part of"] == "All segments (est.)"]["Value (USD bn)"].sum()
    assert tops == pytest.approx(total)


@pytest.mark.parametrize(
    "make, lang, expected",
    [
        (
            lambda fx: charts.growth_chart(queries.market_series(fx), "linear", "All", lang="en"),
            "en",
            "Beta Care adds USD 100 bn by 2030; Alpha Health adds USD 10.00 bn by 2030",  # 100→200, 10→20,
        ),
        (lambda fx: charts.growth_chart(queries.market_series(fx), "indexed", "All"), "en", ""),
        (
            lambda fx: charts.segment_bar_chart(
                queries.segment_breakdown(fx, "alpha", "region"), 2030, "Alpha by region", "", "A-1"
            ),
            "en",
            "Americas (est.) is the largest: USD 12.00 bn, 60% of the total",  # 60% of USD 20 bn,
        ),
        (
            lambda fx: charts.growth_chart(queries.market_series(fx, ["alpha"]), "linear", "阿尔法", lang="zh"),
            "zh",
            "阿尔法健康到2030年增加100亿美元",
        ),
    ],
)
def test_takeaway_is_computed_from_the_charts_numbers(fx, make, lang, expected):
    assert charts.takeaway(make(fx)) == expected
