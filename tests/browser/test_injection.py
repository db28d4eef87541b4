"""Hostile text in data files and links is shown inert: no script runs, nothing is rendered as markup."""

from __future__ import annotations

import shutil

import pytest
import yaml

from .conftest import ROOT, open_page, streamlit_server

PAYLOAD_NAME = '<img src=x onerror="window.__xss=1">Evil <b>market</b>'
PAYLOAD_INSIGHT = '<script>window.__xss=2</script> [click me](javascript:window.__xss=3) **bold** <a href="javascript:window.__xss=4">a</a>'
PAYLOAD_SEGMENT = "<svg onload=window.__xss=5>Sensors"


@pytest.fixture(scope="module")
def hostile_server(tmp_path_factory):
    data = tmp_path_factory.mktemp("hostile") / "data"
    shutil.copytree(ROOT / "data", data)
    iomt = data / "markets" / "iomt"
    text = (iomt / "market.yaml").read_text(encoding="utf-8")
    text = text.replace("  en: Internet of Medical Things (IoMT)", f"  en: '{PAYLOAD_NAME}'", 1)
    text = text.replace("{key: sensors, label: {en: Sensors,", f"{{key: sensors, label: {{en: '{PAYLOAD_SEGMENT}',", 1)
    (iomt / "market.yaml").write_text(text, encoding="utf-8")
    insights = yaml.safe_load((iomt / "insights.yaml").read_text(encoding="utf-8"))
    insights["insights"][0]["text"]["en"] = PAYLOAD_INSIGHT
    insights["insights"][0]["title"]["en"] = "Title <i onmouseover=window.__xss=8>hover</i>"
    (iomt / "insights.yaml").write_text(yaml.safe_dump(insights, allow_unicode=True), encoding="utf-8")
    env = {"MARKETINTEL_DATA_DIR": str(data), "MARKETINTEL_DATABASE": str(data.parent / "db.duckdb")}
    with streamlit_server(env=env) as base:
        yield base


@pytest.mark.parametrize(
    "path",
    [
        "/explorer?market=iomt&dim=component",
        "/explorer?market=iomt&dim=component&tab=insights",
        "/",
        "/compare?markets=iomt,telemedicine",
        "/explorer?market=%3Cscript%3Ewindow.__xss%3D6%3C%2Fscript%3E&region=%3Cimg%20src%3Dx%20onerror%3Dwindow.__xss%3D7%3E",
    ],
)
def test_hostile_text_is_inert(browser, hostile_server, path):
    page = browser.new_page(viewport={"width": 1440, "height": 900})
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    try:
        open_page(page, hostile_server + path)
        assert page.evaluate("window.__xss === undefined"), (
            f"script ran: window.__xss = {page.evaluate('window.__xss')}"
        )
        assert not dialogs
        assert page.locator('[data-testid="stException"]').count() == 0
        body = page.locator('[data-testid="stMain"]').inner_text()
        if "explorer?market=iomt" in path:
            # Shown literally, not rendered.
            assert "<img src=x" in body
            if "tab=insights" in path:
                assert "<script>window.__xss=2</script>" in body
            assert page.locator('[data-testid="stMain"] a[href^="javascript:"]').count() == 0
            assert page.locator('[data-testid="stMain"] img[src="x"]').count() == 0
        # Plotly draws names as SVG text: the payload must be text, not an element.
        assert page.locator(".js-plotly-plot svg image, .js-plotly-plot svg a[href^='javascript']").count() == 0
    finally:
        page.close()
