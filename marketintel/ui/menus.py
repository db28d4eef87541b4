"""Chart export menus and the page workbook: what a user takes away from a page."""

from __future__ import annotations

import time
from collections.abc import Sequence

import pandas as pd
import streamlit as st

from .. import charts, export
from ..chart_spec import ChartSpec
from ..display import slide_notes
from ..settings import settings
from ..view import View
from .data import Drawn
from .deck import add_to_deck
from .state import base_url, current_text

PAGE_TABLES = "_page_tables"
PAGE_ASSUMPTIONS = "_page_assumptions"
PAGE_VIEW = "_page_view"


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


def draw_chart(drawn: Drawn, key: str, subtitle: str = "", view: View | None = None, notes: Sequence[str] = ()) -> None:
    """Draw a chart with its exports beside it: add to deck, PNG, SVG (server-side) and the CSV of its numbers.

    ``view`` names what the page shows: images and slides carry it and link back to it, the
    CSV heads with it; ``notes`` are further lines for the slide's speaker notes (the basis of
    an estimate). The chart's numbers go into the page workbook as the chart lays them out.
    """
    st.plotly_chart(drawn.figure, key=key, theme=None, config=chart_config(key))
    _ = current_text()
    lang = _.lang
    spec = drawn.spec
    rows: list[tuple[str, str]] = []
    if view is not None:
        page_root = base_url(view.page)
        spec = spec.with_view(view.summary(lang), view.url(page_root) if page_root else "")
        rows = view.rows(lang, page_root)
    register_table(spec.title or key, spec)
    chrome = has_chrome()
    no_chrome = _("No Chrome or Chromium found: install one (apt-get install chromium) for PNG/SVG.")
    box = st.popover(_("Export this chart"))
    if box.button(
        _("Add to deck"),
        key=f"deck_{key}",
        help=_("Adds this chart, with the filters in force, to the slide deck in the sidebar."),
    ):
        add_to_deck(spec, key, subtitle, slide_notes(spec, rows, lang, notes))
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
    box.download_button(
        "CSV",
        data=lambda: export.csv_bytes(charts.chart_sheet(spec), lang, [(spec.title, spec.subtitle), *rows]),
        file_name=f"{key}.csv",
        mime="text/csv",
        key=f"csv_{key}",
        on_click="ignore",
        help=_("The numbers behind this chart, with the view they show"),
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
    # Fresh holders each full run; a fragment's rerun updates them in place, so the workbook
    # button (drawn outside the fragment) writes the view and tables as they are now.
    st.session_state[PAGE_ASSUMPTIONS] = {}
    st.session_state[PAGE_VIEW] = {}


def register_table(title: str, table: pd.DataFrame | ChartSpec) -> None:
    """Put a table shown on the page (or a chart, laid out by ``charts.chart_sheet`` when the
    workbook is downloaded) into the page's workbook."""
    st.session_state.setdefault(PAGE_TABLES, {})[title] = table


def register_assumptions(table: pd.DataFrame) -> None:
    """The assumptions behind the page's estimates (rationales, combination basis): a workbook sheet."""
    st.session_state.setdefault(PAGE_ASSUMPTIONS, {})["table"] = table


def register_view(view: View) -> None:
    """The view the page's workbook names (a section's own, with its breakdown and year)."""
    st.session_state.setdefault(PAGE_VIEW, {})["view"] = view


def page_workbook(name: str, view: View | None = None) -> None:
    """One Excel download: the view, every table and chart drawn on this page, the assumptions, the sources."""
    from .. import queries
    from .data import query

    tables = st.session_state.get(PAGE_TABLES, {})
    if not tables:
        return
    sources = query(queries.sources)
    assumptions = st.session_state.setdefault(PAGE_ASSUMPTIONS, {})
    held = st.session_state.setdefault(PAGE_VIEW, {})
    if view is not None:
        held.setdefault("view", view)
    _ = current_text()
    lang = _.lang
    root = base_url(held["view"].page) if "view" in held else ""

    def book() -> bytes:
        shown = held.get("view")
        rows = shown.rows(lang, root) if shown is not None else None
        sheets = {t: charts.chart_sheet(v) if isinstance(v, ChartSpec) else v for t, v in tables.items()}
        return export.workbook_bytes(sheets, sources, lang, view=rows, assumptions=assumptions.get("table"))

    st.download_button(
        _("Download this page's data (Excel, {n} sheets + sources)", n=len(tables)),
        data=book,
        file_name=f"{name}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key=f"xlsx_{name}",
        on_click="ignore",
    )
