"""The slide deck a user builds while browsing: kept in the session, downloaded as PowerPoint.

Each slide keeps the language its chart was added in (its title, axes, notes and link alike),
so a deck can hold an English and a Chinese version of the same chart side by side; the deck
list says which language each slide is in.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import replace

import streamlit as st

from .. import charts
from ..chart_spec import ChartSpec
from ..settings import settings
from ..view import LANGUAGE_NAMES
from .state import current_text, plain

DECK = "deck"


def add_to_deck(spec: ChartSpec, key: str, subtitle: str, notes: str = "") -> None:
    """Append a chart (its description, the view it shows, its notes) to the session's deck."""
    from ..render_pptx import DeckSlide  # python-pptx is a fifth of a second of start-up: only a deck needs it

    slide = DeckSlide.from_chart(spec, subtitle, notes)
    st.session_state.setdefault(DECK, []).append(
        {
            "id": uuid.uuid4().hex[:12],
            "key": key,
            "title": slide.title,
            "chart_title": spec.title,
            "takeaway": charts.takeaway(spec),
            "subtitle": slide.subtitle,
            "source_note": spec.source_note,
            "lang": spec.lang,
            "slide": slide,
        }
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


def _retitle(item: dict, title: str | None = None) -> None:
    """A slide's title from its text box (or ``title``); an emptied box goes back to the chart's title."""
    if title is None:
        title = st.session_state.get(f"deck_title_{item['id']}", "")
    title = (title or "").strip() or item["chart_title"]
    item["title"] = title
    item["slide"] = replace(item["slide"], title=title)
    st.session_state[f"deck_title_{item['id']}"] = title


def copy_link_button() -> None:
    """A "Copy link" button: copies the address in the browser, which always holds the view's every parameter."""
    _ = current_text()
    label, done = json.dumps(_("Copy link to this view")), json.dumps(_("Link copied"))
    theme = settings().theme
    # An iframe of our own HTML (never data text), because only the browser knows the address after a fragment rerun changed it.
    st.iframe(
        f"""<button id="b" style="width:100%;padding:6px 10px;border:1px solid {theme.axis_color};
        border-radius:8px;background:{theme.background};color:{theme.text_color};font:14px sans-serif;
        cursor:pointer"></button>
        <script>
        const b = document.getElementById("b"); b.textContent = {label};
        b.onclick = () => navigator.clipboard.writeText(window.parent.location.href)
          .then(() => {{ b.textContent = {done}; setTimeout(() => b.textContent = {label}, 2000); }});
        </script>""",
        height=42,
    )


def deck_sidebar() -> None:
    """The deck in the sidebar: copy the view's link; retitle, reorder, remove; download as .pptx."""
    deck = st.session_state.get(DECK, [])
    _ = current_text()
    with st.sidebar:
        copy_link_button()
    with st.sidebar.expander(
        _.plural("Slide deck ({n} chart)", "Slide deck ({n} charts)", len(deck)), expanded=bool(deck)
    ):
        if not deck:
            st.caption(_("Use “Add to deck” under any chart. The deck downloads as PowerPoint with editable charts."))
            return
        st.caption(_("Each slide keeps the language it was added in."))
        for i, item in enumerate(deck):
            item.setdefault("id", uuid.uuid4().hex[:12])
            box = f"deck_title_{item['id']}"
            if box not in st.session_state:
                st.session_state[box] = item["title"]
            st.text_input(
                _("Slide {n} title", n=i + 1) + f" · {LANGUAGE_NAMES.get(item['lang'], item['lang'])}",
                key=box,
                on_change=_retitle,
                args=(item,),
            )
            st.caption(plain(item["subtitle"]))
            a, b, c, d = st.columns(4)
            a.button("↑", key=f"up_{item['id']}", on_click=_move, args=(i, -1), disabled=i == 0, help=_("Move up"))
            b.button(
                "↓",
                key=f"down_{item['id']}",
                on_click=_move,
                args=(i, 1),
                disabled=i == len(deck) - 1,
                help=_("Move down"),
            )
            c.button("✕", key=f"rm_{item['id']}", on_click=_remove, args=(i,), help=_("Remove"))
            if item.get("takeaway") and item["title"] != item["takeaway"]:
                d.button(
                    "💡",
                    key=f"takeaway_{item['id']}",
                    on_click=_retitle,
                    args=(item, item["takeaway"]),
                    help=_("Use the takeaway as the title: {takeaway}", takeaway=item["takeaway"]),
                )
        slides = [item["slide"] for item in deck]
        lang = _.lang
        st.download_button(
            _("Download deck (.pptx)"),
            data=lambda: _deck_bytes(slides, lang),
            file_name="market-intelligence-deck.pptx",
            type="primary",
            on_click="ignore",
            mime="application/vnd.openxmlformats-officedocument.presentationml.presentation",
            key="deck_pptx",
            width="stretch",
        )
        st.button(_("Clear the deck"), key="deck_clear", on_click=lambda: st.session_state.__setitem__(DECK, []))


def _deck_bytes(slides: list, lang: str) -> bytes:
    from ..render_pptx import build_deck

    return build_deck(slides, lang=lang)
