"""Chart export menus and the page workbook: what a user takes away from a page."""

from __future__ import annotations

import time

import pandas as pd
import streamlit as st

from .. import charts, export
from ..settings import settings
from .data import Drawn, QueryRef, query_table
from .deck import add_to_deck
from .state import current_text

PAGE_TABLES = "_page_tables"


def chart_config(filename: str) -> dict:
    """Plotly modebar options: the image button exports at slide size (16:9)."""
    image = settings().image
    return {
        "displaylogo": False,
        "toImageButtonOptions": {
            "format": "png",
            "filename": filename,
            "width": image.width,
            "height": image.height,
            "scale": image.scale,
        },
        "modeBarButtonsToRemove": ["lasso2d", "select2d"],
    }


def draw_chart(drawn: Drawn, key: str, data: QueryRef | pd.DataFrame | None = None, subtitle: str = "") -> None:
    """Draw a chart with its exports beside it: add to deck, PNG, SVG (server-side) and CSV of its data.

    ``data`` is the query behind the chart's table (its CSV and the page workbook hold it);
    by default the chart's own query.
    """
    st.plotly_chart(drawn.figure, key=key, theme=None, config=chart_config(key))
    spec = drawn.spec
    table = query_table(data if data is not None else drawn.data)
    if table is None:
        table = charts.chart_table(spec)
    register_table(spec.title or key, table)
    chrome = has_chrome()
    _ = current_text()
    no_chrome = _("No Chrome or Chromium found: install one (apt-get install chromium) for PNG/SVG.")
    box = st.popover(_("Export this chart"))
    if box.button(
        _("Add to deck"),
        key=f"deck_{key}",
        help=_("Adds this chart, with the filters in force, to the slide deck in the sidebar."),
    ):
        add_to_deck(spec, key, subtitle)
        st.rerun(scope="app")  # the deck lives in the sidebar, outside any fragment this chart is in
    box.download_button(
        "PNG",
        data=lambda: export.chart_image(spec, "png"),
        file_name=f"{key}.png",
        mime="image/png",
        key=f"png_{key}",
        on_click="ignore",
        disabled=not chrome,
        help=_("16:9 at slide size, high resolution") if chrome else no_chrome,
    )
    box.download_button(
        "SVG",
        data=lambda: export.chart_image(spec, "svg"),
        file_name=f"{key}.svg",
        mime="image/svg+xml",
        key=f"svg_{key}",
        on_click="ignore",
        disabled=not chrome,
        help=_("Vector image") if chrome else no_chrome,
    )
    lang = _.lang
    box.download_button(
        "CSV",
        data=lambda: export.csv_bytes(table, lang),
        file_name=f"{key}.csv",
        mime="text/csv",
        key=f"csv_{key}",
        on_click="ignore",
        help=_("The data behind this chart"),
    )


_chrome_memo: list[tuple[float, bool]] = []


def has_chrome() -> bool:
    """Whether kaleido has a browser, looked up at most once a minute (PATH search on every chart was 4% under load)."""
    now = time.monotonic()
    if not _chrome_memo or now - _chrome_memo[0][0] > 60:
        _chrome_memo[:] = [(now, export.chrome_path() is not None)]
    return _chrome_memo[0][1]


def start_page() -> None:
    """Call first on every page: resets the list of tables the page's workbook will hold."""
    st.session_state[PAGE_TABLES] = {}


def register_table(title: str, df: pd.DataFrame) -> None:
    """Put a table shown on the page into the page's workbook."""
    st.session_state.setdefault(PAGE_TABLES, {})[title] = df


def page_workbook(name: str) -> None:
    """One Excel download with every table and chart's data drawn on this page, plus the sources."""
    from .. import queries
    from .data import query

    tables = st.session_state.get(PAGE_TABLES, {})
    if not tables:
        return
    sources = query(queries.sources)
    _ = current_text()
    lang = _.lang
    st.download_button(
        _("Download this page's data (Excel, {n} sheets + sources)", n=len(tables)),
        data=lambda: export.workbook_bytes(dict(tables), sources, lang),
        file_name=f"{name}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key=f"xlsx_{name}",
        on_click="ignore",
    )
