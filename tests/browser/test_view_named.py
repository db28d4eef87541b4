"""The view, named, in a real browser: a board deck built by clicking names its filters on every slide and
links back to the same view; switching the language keeps every parameter on every page."""

from __future__ import annotations

import io
from urllib.parse import parse_qs, urlsplit

import pytest

from .conftest import VIEWPORTS, open_page, plots, wait_for_app
from .test_pages import (
    ALERT,
    _add_to_deck,
    assert_no_exception,
    deck_panel,
    download_deck,
    pick_in_filter,
    segments_chart,
)

IOMT = "Internet of Medical Things (IoMT)"


def _sidebar_select(page, label: str, option: str) -> None:
    box = page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').filter(
        has=page.locator('[data-testid="stWidgetLabel"]', has_text=label)
    )
    box.scroll_into_view_if_needed()
    box.click()
    page.get_by_role("option", name=option, exact=True).click()
    wait_for_app(page, expect_rerun=True)


def _slide_texts(slide) -> str:
    return "\n".join(s.text_frame.text for s in slide.shapes if s.has_text_frame)


def _footnote_link(slide) -> str | None:
    for shape in slide.shapes:
        if shape.has_text_frame:
            for para in shape.text_frame.paragraphs:
                for run in para.runs:
                    if run.hyperlink.address:
                        return run.hyperlink.address
    return None


def test_board_deck_names_asia_pacific_on_every_slide_and_its_links_reopen_the_view(browser, base_url, tmp_path):

    ctx = browser.new_context(viewport=VIEWPORTS["1440x900"], accept_downloads=True)
    page = ctx.new_page()
    # The analyst's task: Telemedicine vs IoMT in Asia-Pacific: sizes, growth, the segment split of each.
    open_page(page, f"{base_url}/compare?markets=telemedicine,iomt&scale=linear")
    _add_to_deck(page, 0)  # sizes compared
    _add_to_deck(page, 1)  # growth compared
    page.locator('[data-testid="stSidebar"]').get_by_role("link", name="Market explorer", exact=True).click()
    page.wait_for_url("**/explorer**")
    wait_for_app(page, expect_rerun=True)
    _sidebar_select(page, "Market", "Telemedicine")
    pick_in_filter(page, "Region", "Asia-Pacific")
    telemedicine_chart = segments_chart(page, "component")
    _add_to_deck(page, 1)
    _sidebar_select(page, "Market", IOMT)
    assert parse_qs(urlsplit(page.url).query).get("region") == ["asia_pacific"], page.url
    iomt_chart = segments_chart(page, "component")
    _add_to_deck(page, 1)
    assert_no_exception(page)

    # The page's workbook: the view sheet names the filters; the chart's sheet holds the chart's numbers.
    from openpyxl import load_workbook

    with page.expect_download() as info:
        page.get_by_role("button", name="Download this page's data").click()
    book = load_workbook(io.BytesIO(open(info.value.path(), "rb").read()))
    assert book.sheetnames[0] == "View"
    view = {r[0]: r[1] for r in book["View"].iter_rows(min_row=2, values_only=True)}
    assert view["Market"] == IOMT and view["Region"] == "Asia-Pacific" and view["Break down by"] == "Component"
    assert view["Link to this view"].startswith(base_url + "/explorer?")
    sheet = book["…" + f"{IOMT} by component"[-30:].lstrip()]
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[0]
    assert header[0] == "Year"
    for trace in iomt_chart["traces"]:
        column = header.index(f"{trace['name']} (USD bn)")
        assert [r[column] for r in rows[1:]] == pytest.approx(trace["y"]), trace["name"]
        assert {r[header.index(f"{trace['name']}: provenance")] for r in rows[1:]} == {"estimate"}
    assert sheet.cell(row=2, column=2).number_format == "#,##0.00"  # shown rounded, stored in full
    assert "Assumptions" in book.sheetnames and "Sources" in book.sheetnames

    assert "(4 charts)" in deck_panel(page).inner_text()
    slides = download_deck(page, tmp_path / "board.pptx")
    assert len(slides) == 5  # the cover and four charts

    sizes, growth, tele, iomt = slides[1:]
    for slide in (sizes, growth):
        text, notes = _slide_texts(slide), slide.notes_slide.notes_text_frame.text
        assert "Telemedicine, Internet of Medical Things (IoMT)" in text and "whole markets" in text, text
        assert "Markets: Telemedicine, Internet of Medical Things (IoMT)" in notes, notes
    for slide, market in ((tele, "Telemedicine"), (iomt, IOMT)):
        text, notes = _slide_texts(slide), slide.notes_slide.notes_text_frame.text
        assert "Filters: Asia-Pacific" in text and "selected" not in text, text
        assert f"Market: {market}" in notes and "Region: Asia-Pacific" in notes, notes
        assert "Break down by: Component" in notes and "Estimate:" in notes, notes
        assert "Open this view in the dashboard" in text

    # The IoMT slide's link, opened in a fresh browser (no session, no memory), shows the same chart.
    link = _footnote_link(iomt)
    assert link and link.startswith(base_url + "/explorer?"), link
    params = parse_qs(urlsplit(link).query)
    assert params["market"] == ["iomt"] and params["region"] == ["asia_pacific"] and params["dim"] == ["component"]
    fresh = browser.new_context(viewport=VIEWPORTS["1440x900"])
    again = fresh.new_page()
    open_page(again, link)
    reopened = segments_chart(again, "component")
    assert [t["y"] for t in reopened["traces"]] == [t["y"] for t in iomt_chart["traces"]]
    chart = next(s.chart for s in iomt.shapes if s.has_chart)
    on_slide = {s.name: list(s.values) for s in chart.plots[0].series}
    for trace in reopened["traces"]:
        assert on_slide[trace["name"]] == pytest.approx(trace["y"])
    # And the Telemedicine slide's link reopens Telemedicine, not the last market chosen.
    open_page(again, _footnote_link(tele))
    assert [t["y"] for t in segments_chart(again, "component")["traces"]] == [
        t["y"] for t in telemedicine_chart["traces"]
    ]
    fresh.close()
    ctx.close()


ROUND_TRIPS = [
    "/?scale=linear",
    "/explorer?market=telemedicine&region=asia_pacific&end_user=hospitals&dim=service_type&view=bar&year=2030&band=off",
    "/compare?markets=telemedicine,iomt&scale=log&concepts=remote_patient_monitoring&cyear=2030&measure=share",
    "/sources?market=iomt&scale=linear",
    "/data",
]


@pytest.mark.parametrize("path", ROUND_TRIPS)
def test_language_round_trip_keeps_every_parameter(new_page, base_url, path):
    page, console = new_page()
    open_page(page, base_url + path)
    before = {k: v for k, v in parse_qs(urlsplit(page.url).query).items() if k != "lang"}
    switch = page.locator('[data-testid="stSidebar"] [data-testid="stButtonGroup"]').first
    for lang, name in (("zh", "简体中文"), ("en", "English")):
        switch.get_by_role("radio", name=name, exact=True).click()
        wait_for_app(page, expect_rerun=True)
        page.wait_for_function(f"() => new URLSearchParams(location.search).get('lang') === '{lang}'")
        wait_for_app(page)
        now = {k: v for k, v in parse_qs(urlsplit(page.url).query).items() if k != "lang"}
        assert now == before, (lang, now, before)
        assert page.locator(ALERT).filter(has_text="could not use").count() == 0
        assert page.locator(ALERT).filter(has_text="无法使用").count() == 0
        assert_no_exception(page)
    if plots(page):
        assert all(p["traces"] for p in plots(page))
    console.assert_clean()


def test_a_sidebar_filter_reaches_the_growth_charts_slide(browser, base_url, tmp_path):
    """A filter reruns only the filtered part of the Explorer: the growth chart is in it, so the view its
    slide names and links to is the one after the change, not the one the page opened with."""
    ctx = browser.new_context(viewport=VIEWPORTS["1440x900"], accept_downloads=True)
    page = ctx.new_page()
    open_page(page, f"{base_url}/explorer?market=telemedicine")
    pick_in_filter(page, "Region", "Asia-Pacific")
    _add_to_deck(page, 0)  # the growth curve: the whole market, in a view filtered to Asia-Pacific
    assert_no_exception(page)
    growth = download_deck(page, tmp_path / "growth.pptx")[1]
    notes = growth.notes_slide.notes_text_frame.text
    assert "Asia-Pacific" in notes, notes
    link = _footnote_link(growth)
    assert link and parse_qs(urlsplit(link).query).get("region") == ["asia_pacific"], link
    ctx.close()
