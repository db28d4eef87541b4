"""Scenarios, opportunity sizing and events in a real browser: set a bull scenario and a share, copy the
link, reopen it in a fresh browser and find the same curves and figure; the deck carries them all."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from .conftest import VIEWPORTS, open_page, plots, wait_for_app
from .test_pages import _add_to_deck, assert_no_exception, download_deck

START = "/explorer?market=telemedicine&region=asia_pacific&year=2030&tab=scenarios"
BULL = "bull scenario, 24.0% a year"


def _number(page, label: str):
    return page.locator('[data-testid="stNumberInput"]').filter(
        has=page.locator('[data-testid="stWidgetLabel"]', has_text=label)
    )


def _set_number(page, label: str, value: str) -> None:
    box = _number(page, label).locator("input")
    box.scroll_into_view_if_needed()
    box.fill(value)
    box.press("Enter")
    wait_for_app(page, expect_rerun=True)


def _scenario_traces(page) -> dict[str, list[float]]:
    (chart,) = [p for p in plots(page) if "scenarios for" in p["title"]]
    return {t["name"]: t["y"] for t in chart["traces"]}


def _obtainable(page) -> str:
    metric = page.locator('[data-testid="stMetric"]').filter(has_text="Obtainable: your share")
    return metric.locator('[data-testid="stMetricValue"]').inner_text()


def test_a_scenario_and_a_share_survive_the_link_and_reach_the_deck(browser, base_url, tmp_path):

    ctx = browser.new_context(
        viewport=VIEWPORTS["1440x900"], accept_downloads=True, permissions=["clipboard-read", "clipboard-write"]
    )
    page = ctx.new_page()
    open_page(page, base_url + START)
    before = _scenario_traces(page)
    page.get_by_text("Set the scenarios by hand").click()
    _set_number(page, "Bull: % a year", "24")
    _set_number(page, "Your share of the addressable slice (%)", "15")
    assert_no_exception(page)
    curves = _scenario_traces(page)
    assert BULL in curves and BULL not in before, list(curves)
    # 24% a year from 2025's value of the Asia-Pacific slice, the published curve untouched.
    slice_2025 = curves["Published slice (est.)"][0]
    assert curves[BULL][-1] == pytest.approx(slice_2025 * 1.24**7, rel=1e-6)
    assert curves["Published slice (est.)"] == before["Published slice (est.)"]
    obtainable = _obtainable(page)
    addressable = page.locator('[data-testid="stMetric"]').filter(has_text="Addressable: your filters")
    assert obtainable == "USD 13.73 bn", obtainable  # 15% of the slice's USD 91.53 bn in 2030
    assert "USD 91.53 bn" in addressable.inner_text()

    # Copy link, as a user would, and open it in a browser that has never seen this session.
    page.frame_locator('[data-testid="stSidebar"] iframe').get_by_role("button", name="Copy link to this view").click()
    link = page.evaluate("navigator.clipboard.readText()")
    params = parse_qs(urlsplit(link).query)
    assert params["sc_bull"] == ["24"] and params["obtain"] == ["15"] and params["region"] == ["asia_pacific"], link
    assert params["tab"] == ["scenarios"], link
    fresh = browser.new_context(viewport=VIEWPORTS["1440x900"])
    again = fresh.new_page()
    open_page(again, link)
    assert _scenario_traces(again) == curves
    assert _obtainable(again) == obtainable
    fresh.close()

    # The deck from this view: the growth chart (with the tariff marker), the scenarios, the sizing
    # (the only charts drawn: the Charts tab is closed).
    for index in (0, 1, 2):
        _add_to_deck(page, index)
    growth, scenarios, sizing = download_deck(page, tmp_path / "scenarios.pptx")[1:]
    assert any(s.name == "Event marker: 2025 US tariff changes" for s in growth.shapes)
    chart = next(s.chart for s in scenarios.shapes if s.has_chart)
    on_slide = {s.name: list(s.values) for s in chart.plots[0].series}
    assert on_slide[BULL] == pytest.approx(curves[BULL])
    notes = scenarios.notes_slide.notes_text_frame.text
    assert "bull scenario: 24.0% a year from 2025, user assumption" in notes, notes
    bars = next(s.chart for s in sizing.shapes if s.has_chart)
    assert [str(c) for c in bars.plots[0].categories] == [
        "Whole market",
        "Addressable: your filters",
        "Obtainable: your share",
    ]
    assert list(bars.plots[0].series[0].values)[2] == pytest.approx(13.73, abs=0.005)
    ctx.close()


def test_events_can_be_switched_off_and_the_link_keeps_it(new_page, base_url):
    page, console = new_page()
    open_page(page, base_url + "/?marks=none")
    assert_no_exception(page)
    growth = next(p for p in plots(page) if "Market size" in p["title"])
    assert growth["shapes"] == 0, growth
    open_page(page, base_url + "/?marks=events,cagr")
    growth = next(p for p in plots(page) if "Market size" in p["title"])
    assert growth["shapes"] >= 1 and any("CAGR 2025" in a for a in growth["annotations"]), growth
    console.assert_clean()


def test_scenarios_are_off_until_asked_for_and_then_in_the_link(new_page, base_url):
    page, console = new_page()
    open_page(page, base_url + "/explorer?market=iomt")
    assert not [p for p in plots(page) if "scenarios for" in p["title"]]
    page.get_by_role("tab", name="Scenarios and opportunity").click()
    wait_for_app(page, expect_rerun=True)
    assert parse_qs(urlsplit(page.url).query).get("tab") == ["scenarios"], page.url
    names = {t["name"] for p in plots(page) if "scenarios for" in p["title"] for t in p["traces"]}
    # IoMT: four publishers with usable spans, so bear and bull are the slowest and fastest of them.
    assert {"bear scenario, 14.8% a year", "bull scenario, 37.2% a year", "Published (primary source)"} <= names, names
    console.assert_clean()
