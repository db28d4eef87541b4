"""The dashboard in a real browser: every page renders, filters work, links restore views, bad links do not crash."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from .conftest import VIEWPORTS, open_page, plots, trace_points, wait_for_app

PAGES = {
    "/": ("Healthcare Technology Market Intelligence", True),
    "/explorer": ("Connected Healthcare", True),
    "/compare": ("Compare markets", True),
    "/sources": ("what the publishers say", True),
    "/data": ("Data & sources", False),
}

EXCEPTION = '[data-testid="stException"]'
ALERT = '[data-testid="stAlert"], [data-testid="stAlertContainer"]'


def heading(page, text: str):
    return page.locator('[data-testid="stMain"] h1').filter(has_text=text)


def query_of(page) -> dict[str, list[str]]:
    return parse_qs(urlsplit(page.url).query)


def assert_no_exception(page) -> None:
    exc = page.locator(EXCEPTION)
    assert exc.count() == 0, "Streamlit exception on the page:\n" + "\n---\n".join(exc.all_inner_texts())


def assert_charts_have_data(page) -> list[dict]:
    found = plots(page)
    assert found, f"no Plotly chart on {page.url}"
    for plot in found:
        assert plot["traces"], f"chart {plot['title']!r} has no trace"
        assert any(trace_points(t) > 0 for t in plot["traces"]), f"chart {plot['title']!r} has no data points"
    return found


def segments_chart(page, dim_label: str) -> dict:
    """The stacked area chart of the explorer (title '<market> by <dim>', without the ', <year>' of the tree)."""
    matches = [p for p in plots(page) if f"by {dim_label}</b>" in p["title"]]
    assert len(matches) == 1, f"expected one '... by {dim_label}' chart, found {[p['title'] for p in plots(page)]}"
    return matches[0]


def sidebar_filter(page, label: str):
    """The sidebar filter ``label``: pills for a short flat list, a drop-down (multiselect) otherwise."""
    return page.locator(
        '[data-testid="stSidebar"] [data-testid="stMultiSelect"], [data-testid="stSidebar"] [data-testid="stButtonGroup"]'
    ).filter(has=page.locator('[data-testid="stWidgetLabel"]', has_text=label))


def pick_in_filter(page, label: str, option: str) -> None:
    """Choose ``option`` in the sidebar filter ``label`` the way a user does: click its pill, or open the
    drop-down and click it there."""
    widget = sidebar_filter(page, label)
    assert widget.count() == 1, f"no {label!r} filter in the sidebar"
    # Scroll first, as a user would: the sidebar is taller than the window, and a select whose click
    # also scrolls the sidebar closes its menu again (BaseWeb closes on scroll).
    widget.scroll_into_view_if_needed()
    page.wait_for_timeout(300)
    if widget.get_attribute("data-testid") == "stButtonGroup":
        widget.get_by_role("button", name=option, exact=True).click()
    else:
        widget.locator("input").click()
        page.get_by_role("option", name=option, exact=True).click()
        page.keyboard.press("Escape")
    wait_for_app(page, expect_rerun=True)


# -- 1. every page renders at both viewports ------------------------------------------------------


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
@pytest.mark.parametrize("path", list(PAGES))
def test_page_renders(new_page, base_url, path, viewport):
    page, console = new_page(viewport)
    title, has_charts = PAGES[path]
    open_page(page, base_url + path)

    assert_no_exception(page)
    assert heading(page, title).count() >= 1, (
        f"title {title!r} not shown on {path}; h1s: {page.locator('h1').all_inner_texts()}"
    )
    if has_charts:
        assert_charts_have_data(page)
    console.assert_clean()


# -- 2. a filter changes a chart ------------------------------------------------------------------


def test_region_filter_changes_segments_chart(page, base_url):
    open_page(page, f"{base_url}/explorer?market=connected-healthcare&dim=component")
    before = segments_chart(page, "component")["traces"][0]
    assert before["y"] and all(v > 0 for v in before["y"]), before

    # The real user path: Connected Healthcare's three regions are pills in the sidebar; click Asia-Pacific.
    pills = sidebar_filter(page, "Region")
    assert pills.get_attribute("data-testid") == "stButtonGroup", "a three-region filter should be pills"
    pick_in_filter(page, "Region", "Asia-Pacific")

    assert_no_exception(page)
    pressed = pills.locator('button[aria-pressed="true"]').all_inner_texts()
    assert [t.strip() for t in pressed] == ["Asia-Pacific"], pressed
    assert query_of(page).get("region") == ["asia_pacific"], page.url
    after = segments_chart(page, "component")
    assert "Filters: Asia-Pacific" in after["title"], after["title"]
    after_y = after["traces"][0]["y"]
    assert after["traces"][0]["name"] == before["name"]
    assert len(after_y) == len(before["y"])
    assert after_y != before["y"], "the Region filter did not change the chart"
    assert all(0 < a < b for a, b in zip(after_y, before["y"])), (before["y"], after_y)


# -- 3. a shared URL restores its filters ---------------------------------------------------------


def test_shared_url_restores_filters(page, base_url):
    open_page(page, f"{base_url}/explorer?market=telemedicine&region=asia_pacific&dim=service_type")
    assert_no_exception(page)
    assert heading(page, "Telemedicine").count() == 1
    select = sidebar_filter(page, "Region")
    # Telemedicine's regions are nested (Europe, Middle East, Africa under EMEA): a drop-down, its chip shows it.
    assert select.get_attribute("data-testid") == "stMultiSelect", "no Region multiselect in the sidebar"
    assert select.get_by_text("Asia-Pacific", exact=True).is_visible(), select.inner_text()
    q = query_of(page)
    assert q.get("region") == ["asia_pacific"], page.url
    assert q.get("market") == ["telemedicine"] and q.get("dim") == ["service_type"], page.url
    assert "Filters: Asia-Pacific" in segments_chart(page, "service type")["title"]


# -- 4. a bad URL never crashes -------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/explorer?market=%27%3B%20DROP%20TABLE%20markets%3B--&region=mars",
        "/compare?markets=nope",
        "/explorer?market=iomt&market=bogus&region=%FF%FE%C0&dim=%E9%00",  # repeated keys, non-UTF-8, NUL
        "/explorer?market=iomt&region=" + "a" * 10_000,  # 10,000-character value
        "/?scale=linear%27%20OR%201%3D1--&scale=%3Cscript%3E",  # SQL-ish and markup in a choice
    ],
)
def test_bad_url_shows_warning_and_a_valid_view(new_page, base_url, path):
    page, console = new_page()
    open_page(page, base_url + path)
    assert_no_exception(page)
    warnings = page.locator(ALERT).filter(has_text="could not use")
    assert warnings.count() >= 1, f"no 'could not use' warning; alerts: {page.locator(ALERT).all_inner_texts()}"
    assert_charts_have_data(page)
    console.assert_clean()


# -- 5. filters survive navigation ----------------------------------------------------------------


def test_filters_survive_page_navigation(page, base_url):
    open_page(page, f"{base_url}/explorer?market=iomt")
    iomt = "Internet of Medical Things (IoMT)"
    assert heading(page, iomt).count() == 1

    nav = page.locator('[data-testid="stSidebar"]')
    nav.get_by_role("link", name="Compare", exact=True).click()
    page.wait_for_url("**/compare**")
    wait_for_app(page, expect_rerun=True)
    assert heading(page, "Compare markets").count() == 1

    nav.get_by_role("link", name="Market explorer", exact=True).click()
    page.wait_for_url("**/explorer**")
    wait_for_app(page, expect_rerun=True)
    assert_no_exception(page)
    assert heading(page, iomt).count() == 1, page.locator("h1").all_inner_texts()
    assert query_of(page).get("market") == ["iomt"], page.url


# -- 6. build and download a deck -----------------------------------------------------------------


def _add_to_deck(page, chart_index: int) -> None:
    page.get_by_role("button", name="Export this chart").nth(chart_index).click()
    page.get_by_role("button", name="Add to deck").filter(visible=True).first.click()
    wait_for_app(page, expect_rerun=True)
    page.keyboard.press("Escape")


def deck_panel(page):
    """The slide deck's expander in the sidebar."""
    return page.locator('[data-testid="stSidebar"] [data-testid="stExpander"]').filter(has_text="Slide deck")


def download_deck(page, path):
    """Click "Download deck (.pptx)" as a user would and save the file at ``path``; its slides."""
    from pptx import Presentation

    with page.expect_download() as info:
        deck_panel(page).get_by_role("button", name="Download deck (.pptx)").click()
    info.value.save_as(path)
    return list(Presentation(str(path)).slides)


def test_build_and_download_a_deck(page, base_url, tmp_path):

    open_page(page, f"{base_url}/explorer?market=telemedicine&dim=component&region=asia_pacific")
    segments = segments_chart(page, "component")
    _add_to_deck(page, 1)  # the stacked segments chart (0 is the growth curve)
    assert "(1 chart)" in deck_panel(page).inner_text()
    slides = download_deck(page, tmp_path / "deck.pptx")
    assert len(slides) == 2  # title slide + the chart
    chart = next(s.chart for s in slides[1].shapes if s.has_chart)
    by_name = {s.name: list(s.values) for s in chart.plots[0].series}
    for trace in segments["traces"]:
        assert by_name[trace["name"]] == pytest.approx(trace["y"])
    text = " ".join(s.text_frame.text for s in slides[1].shapes if s.has_text_frame)
    assert "Source: market report 2011682" in text and "estimates" in text and "Filters: Asia-Pacific" in text


# -- what the other publishers say ------------------------------------------------------------------


def test_overview_iomt_card_names_the_other_publishers_and_the_outlier(page, base_url):
    open_page(page, base_url + "/")
    # The innermost block holding the IoMT card's name: the card itself (outer blocks hold every card).
    card = page.locator('[data-testid="stVerticalBlock"]').filter(has_text="Internet of Medical Things (IoMT)")
    card = card.filter(has_not_text="Telemedicine")
    text = card.last.inner_text()
    assert "1.35" in text and "Other publishers: USD 60–231 bn · 4 publishers · 2023–2024" in text, text
    alerts = page.locator(ALERT).all_inner_texts()
    assert any(
        "Report 1997137 (2025: USD 1.35 bn) is about 60× below the median of 3 other publishers for 2025 (USD 83 bn)"
        in a
        for a in alerts
    ), alerts


def test_sources_chart_in_the_deck_holds_the_band_and_every_source_as_the_query_has_them(page, base_url, tmp_path, con):

    from marketintel import queries

    open_page(page, f"{base_url}/sources?market=iomt")
    assert_no_exception(page)
    _add_to_deck(page, 0)
    chart = next(s.chart for s in download_deck(page, tmp_path / "sources.pptx")[1].shapes if s.has_chart)
    years = [int(str(c)) for c in chart.plots[0].categories]
    series = {s.name: dict(zip(years, s.values)) for s in chart.plots[0].series}
    consensus = queries.source_consensus(con, "iomt").set_index("year")
    both = consensus[consensus["n_sources"] >= 2]
    for name, column in (
        ("Lowest publisher", "low"),
        ("Highest publisher", "high"),
        ("Median of the publishers", "median"),
    ):
        assert [series[name][y] for y in both.index] == pytest.approx(list(both[column])), name
    points = queries.source_series(con, "iomt")
    for sid, label in (("r1997137", "Report 1997137"), ("grandview", "Grand View Research")):
        own = points[points["source_id"] == sid]
        assert [series[label][y] for y in own["year"]] == pytest.approx(list(own["value"])), label
