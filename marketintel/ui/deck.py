"""The slide deck a user builds while browsing: kept in the session, downloaded as PowerPoint."""

from __future__ import annotations

import streamlit as st

from ..chart_spec import ChartSpec
from ..render_pptx import DeckSlide, build_deck
from .state import current_text, plain

DECK = "deck"


def add_to_deck(spec: ChartSpec, key: str, subtitle: str) -> None:
    """Append a chart (its description, with the filters in force) to the session's deck."""
    slide = DeckSlide.from_chart(spec, subtitle)
    st.session_state.setdefault(DECK, []).append(
        {"key": key, "title": slide.title, "subtitle": slide.subtitle, "source_note": spec.source_note, "slide": slide}
    )
    _ = current_text()
    st.toast(plain(_("Added to the deck: {title}", title=slide.title)))


def _move(i: int, step: int) -> None:
    deck = st.session_state.get(DECK, [])
    j = i + step
    if 0 <= j < len(deck):
        deck[i], deck[j] = deck[j], deck[i]


def _remove(i: int) -> None:
    deck = st.session_state.get(DECK, [])
    if 0 <= i < len(deck):
        deck.pop(i)


def deck_sidebar() -> None:
    """The deck in the sidebar: reorder, remove, download as .pptx."""
    deck = st.session_state.get(DECK, [])
    _ = current_text()
    with st.sidebar.expander(
        _.plural("Slide deck ({n} chart)", "Slide deck ({n} charts)", len(deck)), expanded=bool(deck)
    ):
        if not deck:
            st.caption(_("Use “Add to deck” under any chart. The deck downloads as PowerPoint with editable charts."))
            return
        for i, item in enumerate(deck):
            st.markdown(f"**{i + 1}. {plain(item['title'])}**  \n{plain(item['subtitle'])}")
            a, b, c = st.columns(3)
            a.button("↑", key=f"up_{i}", on_click=_move, args=(i, -1), disabled=i == 0, help=_("Move up"))
            b.button(
                "↓", key=f"down_{i}", on_click=_move, args=(i, 1), disabled=i == len(deck) - 1, help=_("Move down")
            )
            c.button("✕", key=f"rm_{i}", on_click=_remove, args=(i,), help=_("Remove"))
        slides = [item["slide"] for item in deck]
        lang = _.lang
        st.download_button(
            _("Download deck (.pptx)"),
            data=lambda: build_deck(slides, lang=lang),
            file_name="market-intelligence-deck.pptx",
            type="primary",
            on_click="ignore",
            mime="application/vnd.openxmlformats-officedocument.presentationml.presentation",
            key="deck_pptx",
            width="stretch",
        )
        st.button(_("Clear the deck"), key="deck_clear", on_click=lambda: st.session_state.__setitem__(DECK, []))
