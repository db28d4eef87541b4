"""The page frame: page config, language switch, navigation and the deck, shared by every page."""

from __future__ import annotations

import streamlit as st

from .. import i18n
from ..i18n import N_
from ..settings import settings
from .auth import sign_in_gate
from .deck import deck_sidebar
from .menus import start_page
from .state import LANG_KEY, choose_many, choose_one, current_text, plain, restore_url, show_messages, url_values

#: The pages, in menu order. Streamlit runs ``pages/*.py`` itself (a ``pages`` folder beside the entry
#: script switches it to file-based pages), so every page calls ``page_setup`` for the shared frame.
NAVIGATION = (
    ("app.py", N_("Overview")),
    ("pages/explorer.py", N_("Market explorer")),
    ("pages/compare.py", N_("Compare")),
    ("pages/sources.py", N_("Sources")),
    ("pages/data.py", N_("Data & sources")),
)


def page_setup() -> i18n.Text:
    """Page config, language, the menu and the slide deck in the sidebar; call first on every page.

    Returns the page's :class:`~marketintel.i18n.Text`: ``_ = page_setup()`` then ``_("...")``.
    """
    restore_url(["lang", "marks"])
    values, _messages = url_values("lang")
    st.session_state[LANG_KEY] = i18n.normalise_language(values[-1] if values else None)
    _ = current_text()
    st.set_page_config(page_title=_.dynamic(settings().app.title), layout="wide")
    with st.sidebar:
        lang, messages = choose_one(
            "lang", "Language · 语言", list(i18n.LANGUAGES), i18n.LANGUAGES, i18n.DEFAULT_LANGUAGE, widget="segmented"
        )
        st.session_state[LANG_KEY] = lang
        _ = current_text()
        for path, label in NAVIGATION:
            st.page_link(path, label=_(label))
        st.divider()
        marks, more = choose_many(
            "marks",
            _("On time charts"),
            list(CHART_MARKS),
            {"events": _("Events"), "cagr": _("CAGR arrows")},
            default=["events"],
            widget="pills",
            help=_(
                "Events: dated policy changes and report editions as vertical markers. CAGR arrows: each curve's growth rate from its first to its last year."
            ),
        )
        st.session_state[MARKS_KEY] = marks
        messages += more
    sign_in_gate()
    show_messages(messages)
    deck_sidebar()
    start_page()
    return _


CHART_MARKS = ("events", "cagr")
MARKS_KEY = "_chart_marks"


def chart_marks() -> tuple[bool, bool]:
    """Whether time charts show event markers and CAGR arrows (the sidebar's choice)."""
    marks = st.session_state.get(MARKS_KEY, ["events"])
    return "events" in marks, "cagr" in marks


def provenance_legend() -> None:
    """The three provenances in plain words."""
    prov = settings().provenance
    _ = current_text()
    for name in settings().provenance.NAMES:
        words = getattr(prov, name)
        st.markdown(f"**{plain(_.dynamic(words.label))}**: {plain(_.dynamic(words.describe))}")
