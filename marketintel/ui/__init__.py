"""The Streamlit layer, the only code besides the pages that imports Streamlit.

``data`` (cached connection, queries and charts), ``state`` (URL-bound widgets, language,
inert text), ``frame`` (page setup and navigation), ``menus`` (chart exports, page workbook)
and ``deck`` (the slide deck). Pages import what they need from here.
"""

from .auth import auth_configured, current_user
from .data import Drawn, QueryRef, chart, current_fingerprint, forget_fingerprint, q, query, segment_labels
from .frame import NAVIGATION, chart_marks, page_setup, provenance_legend
from .menus import draw_chart, has_chrome, page_workbook, register_assumptions, register_table, register_view
from .notices import left_out_banner
from .state import (
    base_url,
    choose_many,
    choose_number,
    choose_one,
    choose_tab,
    current_language,
    current_text,
    filter_widget,
    page_view,
    plain,
    reset_url_values,
    restore_url,
    set_url_values,
    show_messages,
    url_values,
    widget_key,
)

__all__ = [
    "base_url",
    "page_view",
    "auth_configured",
    "current_user",
    "Drawn",
    "QueryRef",
    "chart",
    "current_fingerprint",
    "forget_fingerprint",
    "q",
    "query",
    "segment_labels",
    "NAVIGATION",
    "chart_marks",
    "page_setup",
    "provenance_legend",
    "draw_chart",
    "has_chrome",
    "page_workbook",
    "register_assumptions",
    "register_table",
    "register_view",
    "left_out_banner",
    "choose_many",
    "choose_number",
    "choose_one",
    "choose_tab",
    "current_language",
    "current_text",
    "filter_widget",
    "plain",
    "reset_url_values",
    "restore_url",
    "set_url_values",
    "show_messages",
    "url_values",
    "widget_key",
]
