"""Page logic through Streamlit's AppTest: default and non-default filters, bad URLs."""

from __future__ import annotations

import base64
import json
import re
import shutil
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from marketintel.ui import widget_key

TIMEOUT = 60
REPO = Path(__file__).resolve().parent.parent
APP = REPO / "app.py"


def run_page(page: str, **params: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    for k, v in params.items():
        at.query_params[k] = v
    at.run()
    if page != "overview":
        at.switch_page(f"pages/{page}.py")
        at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def figures(at: AppTest) -> list[dict]:
    """Every Plotly figure on the page as its JSON spec."""
    return [json.loads(el.proto.spec) for el in at.get("plotly_chart")]


def figure_titled(at: AppTest, fragment: str) -> dict:
    for fig in figures(at):
        if fragment in fig["layout"]["title"]["text"]:
            return fig
    raise AssertionError(f"no chart titled with {fragment!r}: {[f['layout']['title']['text'] for f in figures(at)]}")


def values(arr) -> list[float]:
    """A Plotly JSON array: a list, or a typed array ``{"dtype", "bdata"}`` as Plotly 6+ sends numbers."""
    if isinstance(arr, dict) and "bdata" in arr:
        return np.frombuffer(base64.b64decode(arr["bdata"]), dtype=np.dtype(arr["dtype"])).tolist()
    return [v for v in arr if v is not None]


def total_of_trace_values(fig: dict) -> float:
    return sum(sum(values(tr["y"])) for tr in fig["data"] if "y" in tr)


def warnings_text(at: AppTest) -> str:
    """Warning texts with Markdown escapes removed."""
    return " ".join(w.value for w in at.warning).replace("\\", "")


# -- Overview -----------------------------------------------------------------------------


def test_overview_cards_show_the_reported_figures():
    """Each card: the base year as its large figure, the other reported figures and the CAGR in a line."""
    at = run_page("overview")
    metrics = {m.value for m in at.metric}
    assert {"145.08", "6.59", "122.86", "1.35"} <= metrics
    captions = " ".join(c.value for c in at.caption).replace("\\", "")
    shown = metrics | set(re.findall(r"[0-9][0-9.,]*%?", captions))
    labels = {m.label for m in at.metric} | {captions}
    for v in (
        "145.08",
        "190.47",
        "988.79",
        "6.59",
        "8.27",
        "33.49",
        "122.86",
        "144.42",
        "397.21",
        "1.35",
        "1.74",
        "7.95",
    ):
        assert v in shown
    assert {"31.54%", "26.12%", "18.24%", "28.76%"} <= shown
    assert "CAGR 2025–2032" in captions and any(label.startswith("2025 base year") for label in labels)
    # Provenance on hover.
    assert all(m.proto.help.startswith("Reported") for m in at.metric)


def test_overview_iomt_card_names_the_other_publishers_and_the_outlier():
    at = run_page("overview")
    captions = " ".join(c.value for c in at.caption).replace("\\", "")
    assert "Other publishers: USD 60–231 bn · 4 publishers · 2023–2024" in captions
    warnings = [w.value.replace("\\", "") for w in at.warning]
    assert warnings == [
        "Report 1997137 (2025: USD 1.35 bn) is about 60× below the median of 3 other publishers for 2025 (USD 83 bn)."
    ]


def test_overview_scale_switch_changes_the_axis():
    log = figure_titled(run_page("overview", scale="log"), "Market size")
    linear = figure_titled(run_page("overview", scale="linear"), "Market size")
    indexed = figure_titled(run_page("overview", scale="indexed"), "Market size")
    assert log["layout"]["yaxis"]["type"] == "log"
    assert linear["layout"]["yaxis"].get("type") in (None, "linear", "-")
    assert all(values(tr["y"])[0] == pytest.approx(100) for tr in indexed["data"])
    assert "USD bn" in linear["layout"]["yaxis"]["title"]["text"]


def test_overview_bad_scale_falls_back_with_a_message():
    at = run_page("overview", scale="<script>alert(1)</script>")
    assert "could not use" in warnings_text(at)
    assert figure_titled(at, "Market size")["layout"]["yaxis"]["type"] == "log"


# -- Market explorer ----------------------------------------------------------------------


def test_explorer_region_filter_shrinks_the_segment_chart():
    plain = figure_titled(run_page("explorer", market="connected-healthcare", dim="component"), "by component")
    apac = figure_titled(
        run_page("explorer", market="connected-healthcare", dim="component", region="asia_pacific"), "by component"
    )
    assert 0 < total_of_trace_values(apac) < total_of_trace_values(plain)
    assert all("(est.)" in tr["name"] for tr in apac["data"])
    assert "Filters: Asia-Pacific" in apac["layout"]["title"]["text"]
    assert "cross-tab" in apac["layout"]["meta"]["source_note"]


def test_explorer_filter_widget_changes_chart_and_url():
    at = run_page("explorer", market="telemedicine", dim="component")
    before = total_of_trace_values(figure_titled(at, "by component"))
    at.multiselect(key=widget_key("region", "en")).set_value(["asia_pacific"]).run()
    assert not at.exception
    after_fig = figure_titled(at, "by component")
    assert total_of_trace_values(after_fig) < before
    assert "independent" in after_fig["layout"]["meta"]["source_note"]
    assert at.query_params["region"] == ["asia_pacific"] or at.query_params["region"] == "asia_pacific"


def test_explorer_short_filter_is_pills_and_a_pill_filters_the_chart_and_the_url():
    at = run_page("explorer", market="connected-healthcare", dim="component")
    before = total_of_trace_values(figure_titled(at, "by component"))
    region = at.button_group(key=widget_key("region", "en"))
    assert [o.content for o in region.proto.options] == ["Americas", "Europe, Middle East & Africa", "Asia\\-Pacific"]
    region.set_value(["asia_pacific"]).run()
    assert not at.exception
    after = figure_titled(at, "by component")
    assert 0 < total_of_trace_values(after) < before
    assert "Filters: Asia-Pacific" in after["layout"]["title"]["text"]
    assert at.query_params["region"] in (["asia_pacific"], "asia_pacific")
    # The nested component list stays a drop-down.
    assert at.multiselect(key=widget_key("component", "en")).value == []


def test_explorer_draws_only_the_open_tab_and_its_workbook_keeps_every_table():
    charts_tab = run_page("explorer", market="iomt", region="asia_pacific")
    titles = [f["layout"]["title"]["text"] for f in figures(charts_tab)]
    assert len(titles) == 4 and not charts_tab.dataframe, titles
    assert "matches your filters" not in " ".join(m.value for m in charts_tab.markdown)
    # Hidden tabs are not drawn, but the page's workbook has their tables.
    tables = charts_tab.session_state["_page_tables"]
    assert {"Share table", "Insights"} <= set(tables), list(tables)

    table_tab = run_page("explorer", market="iomt", region="asia_pacific", tab="table")
    assert [f["layout"]["title"]["text"] for f in figures(table_tab)] == titles[:1]  # the growth curve only
    (shown,) = table_tab.dataframe
    in_book = table_tab.session_state["_page_tables"]["Share table"]
    assert list(shown.value["segment_label"]) == list(in_book["Segment (est.)"])
    assert "What the slice rests on" in " ".join(m.value for m in table_tab.markdown)

    bogus = run_page("explorer", market="iomt", tab="nope")
    assert "'nope' is not a valid section" in warnings_text(bogus)
    assert len(figures(bogus)) == 4


def test_explorer_asia_pacific_brings_up_its_notes():
    at = run_page("explorer", market="iomt", region="asia_pacific", tab="insights")
    text = " ".join(m.value for m in at.markdown)
    assert "Tariff impact" in text and "Regional dynamics" in text and "Competitive landscape" in text
    assert "matches your filters" in text


def test_explorer_market_specific_dimension_is_offered():
    at = run_page("explorer", market="telemedicine", dim="specialty")
    fig = figure_titled(at, "by specialty")
    assert len(fig["data"]) == 11


def test_explorer_unknown_market_and_segment_show_message_and_valid_view():
    at = run_page("explorer", market="x' OR 1=1 --", region="mars", dim="nope")
    msg = warnings_text(at)
    assert "not a valid market" in msg and "mars" in msg
    assert at.title[0].value == "Connected Healthcare"
    assert figures(at)


def test_explorer_filter_on_the_breakdown_dimension_keeps_only_that_segment():
    at = run_page("explorer", market="connected-healthcare", dim="component")
    at.multiselect(key=widget_key("component", "en")).set_value(["hardware"]).run()
    assert not at.exception
    fig = figure_titled(at, "by component")
    assert [tr["name"] for tr in fig["data"]] == ["Hardware (est.)"]


def test_explorer_filter_matching_nothing_says_so(tmp_path, monkeypatch):
    data = tmp_path / "data"
    shutil.copytree(REPO / "data", data)
    shares = data / "markets" / "telemedicine" / "shares.csv"
    text = shares.read_text(encoding="utf-8")
    # Give clinics a 0% share, so "end user = clinics" honestly matches nothing.
    for year, clinics, hospitals, new_hospitals in (("2025", "26.0", "52.0", "78.0"), ("2032", "24.0", "46.0", "70.0")):
        text = text.replace(f"end_user,clinics,{year},{clinics}", f"end_user,clinics,{year},0.0")
        text = text.replace(f"end_user,hospitals,{year},{hospitals}", f"end_user,hospitals,{year},{new_hospitals}")
    shares.write_text(text, encoding="utf-8")
    monkeypatch.setenv("MARKETINTEL_DATA_DIR", str(data))
    monkeypatch.setenv("MARKETINTEL_DATABASE", str(tmp_path / "db.duckdb"))
    at = run_page("explorer", market="telemedicine", dim="component", end_user="clinics")
    assert any("No segment matches these filters" in w.value for w in at.warning)
    assert not any("by component" in f["layout"]["title"]["text"] for f in figures(at))


def test_explorer_long_url_values_are_ignored():
    at = run_page("explorer", market="iomt", region="a" * 10_000)
    assert "10,000-character" in warnings_text(at)


# -- Compare ------------------------------------------------------------------------------


def test_compare_two_markets_overlaid():
    at = run_page("compare", markets="iomt,telemedicine", scale="log")
    fig = figure_titled(at, "Market size compared")
    assert [tr["name"] for tr in fig["data"]] == ["Internet of Medical Things (IoMT)", "Telemedicine"]
    concepts = figure_titled(at, "Comparable segments")
    assert {tr["name"] for tr in concepts["data"]} == {
        "Internet of Medical Things (IoMT) (est.)",
        "Telemedicine (est.)",
    }


def test_sources_side_by_side_for_metaverse():
    """Moved from the Compare page to the Sources page, which Compare links to."""
    at = run_page("sources", market="metaverse-healthcare")
    text = " ".join(w.value for w in at.warning) + " ".join(m.value for m in at.markdown)
    assert "states no market size" in text
    assert "Medical training is the largest application" in text
    fig = figure_titled(at, "each source")
    assert fig["data"]


def test_compare_points_to_each_markets_sources():
    at = run_page("compare")
    links = [el.proto.label.replace("\\", "") for el in at.get("page_link")]  # labels are escaped data text
    assert "Sources for Internet of Medical Things (IoMT)" in links


def test_sources_page_names_the_iomt_seed_as_the_outlier_and_no_one_else():
    at = run_page("sources", market="iomt")
    warnings = [w.value.replace("\\", "") for w in at.warning]
    assert len(warnings) == 1
    assert warnings[0].startswith("Report 1997137 (2025: USD 1.35 bn) is about 60× below the median of 3 other")
    fig = figure_titled(at, "each source")
    assert fig["layout"]["yaxis"]["type"] == "log"
    assert {tr["name"] for tr in fig["data"]} >= {
        "Report 1997137",
        "Fortune Business Insights",
        "Median of the publishers",
    }
    table = next(df.value for df in at.dataframe if "source" in df.value.columns)
    assert table["flagged"].sum() == 1


def test_sources_page_shows_the_connected_healthcare_seeds_ratio_without_calling_it_an_outlier():
    at = run_page("sources", market="connected-healthcare")
    assert not at.warning
    text = " ".join(m.value for m in at.markdown).replace("\\", "")
    assert "Report 1993166 (2025: USD 145 bn) is 1.7× above the median of 3 other publishers" in text
    assert "not an outlier" in text


def test_sources_page_shows_what_changed_between_editions():
    at = run_page("sources", market="metaverse-healthcare")
    text = " ".join(m.value for m in at.markdown).replace("\\", "")
    assert "against" in text and "2022-08" in text and "forecast to 2033 against 2030" in text


def test_compare_unknown_markets_fall_back():
    at = run_page("compare", markets="nope,also-nope")
    assert "could not use" in warnings_text(at)
    assert len(figure_titled(at, "Market size compared")["data"]) == 4


# -- Data & sources -----------------------------------------------------------------------


def test_data_page_lists_sources_and_clean_validation():
    at = run_page("data")
    sources = at.dataframe[0].value
    assert len(sources) == 5 + 16  # four seed reports and the metaverse article, then 16 other publishers' pages
    primaries = sources[sources["is_primary"]]
    assert set(primaries["report_code"]) == {"2006494", "1993166", "2011682", "1997137"}
    assert any("passed validation" in s.value for s in at.success)
    assert len(at.get("download_button")) >= 8


# -- Slide deck ---------------------------------------------------------------------------


def test_deck_collects_charts_with_their_filters_and_reorders():
    at = run_page("explorer", market="telemedicine", dim="component", region="asia_pacific")
    at.button(key="deck_explorer_growth").click().run()
    at.button(key="deck_explorer_segments").click().run()
    deck = at.session_state["deck"]
    assert [d["title"] for d in deck] == ["Telemedicine: market size", "Telemedicine by component"]
    assert "Filters: Asia-Pacific" in deck[1]["subtitle"] and "estimates" in deck[1]["source_note"]
    growth_id, segments_id = (d["id"] for d in deck)
    # Speaker notes name the view, the sources and what the figures are.
    notes = deck[1]["slide"].notes
    assert "Region: Asia-Pacific" in notes and "Break down by: Component" in notes
    assert "Estimate:" in notes and "report" in notes
    at.button(key=f"up_{segments_id}").click().run()
    assert [d["title"] for d in at.session_state["deck"]][0] == "Telemedicine by component"

    # A slide's title is edited in the deck list; emptied, it goes back to the chart's title.
    at.text_input(key=f"deck_title_{segments_id}").set_value("Asia-Pacific: software leads").run()
    assert at.session_state["deck"][0]["slide"].title == "Asia-Pacific: software leads"
    at.text_input(key=f"deck_title_{segments_id}").set_value("  ").run()
    assert at.session_state["deck"][0]["slide"].title == "Telemedicine by component"
    # The takeaway, computed from the chart's numbers, becomes the title on one click.
    takeaway = at.session_state["deck"][1]["takeaway"]
    assert takeaway.startswith("Telemedicine adds USD 274 bn by 2032"), takeaway
    at.button(key=f"takeaway_{growth_id}").click().run()
    assert at.session_state["deck"][1]["slide"].title == takeaway

    at.button(key=f"rm_{segments_id}").click().run()
    assert [d["chart_title"] for d in at.session_state["deck"]] == ["Telemedicine: market size"]
    assert any(e.label == "Slide deck (1 chart)" for e in at.get("expander"))


def test_overview_with_many_markets_shows_the_largest_and_a_full_table(tmp_path, monkeypatch):
    from bench.generate import generate

    data = generate(tmp_path / "data", 30)
    monkeypatch.setenv("MARKETINTEL_DATA_DIR", str(data))
    monkeypatch.setenv("MARKETINTEL_DATABASE", str(tmp_path / "db.duckdb"))
    at = run_page("overview")
    assert any("Showing the 12 largest of 30 markets" in c.value for c in at.caption)
    growth = figure_titled(at, "Market size")
    assert len(growth["data"]) == 12
    assert all(tr["name"].startswith("Synthetic market") for tr in growth["data"])
    table = next(df.value for df in at.dataframe if df.value.index.name == "Market")
    assert len(table) == 30
