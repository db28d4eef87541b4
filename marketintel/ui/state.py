"""URL state and widgets: every choice bound to a URL parameter, so a view is a link.

A copy of the parameters kept in the session carries them across pages, because Streamlit
clears the query string on navigation. Also the session's language, and data text made inert.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import pandas as pd
import streamlit as st

from .. import i18n
from ..settings import settings
from ..view import View, app_root

MAX_PARAM_CHARS = 200  # longer URL values are ignored, not parsed
STATE_KEY = "_url_state"
LANG_KEY = "_lang"


def current_language() -> str:
    """The language this session shows (set by ``page_setup`` from the ``lang`` URL parameter)."""
    return i18n.normalise_language(st.session_state.get(LANG_KEY))


def current_text() -> i18n.Text:
    """Translations and number formats for the session's language."""
    return i18n.text(current_language())


def widget_key(key: str, lang: str | None = None) -> str:
    """The session-state key of the widget bound to URL parameter ``key``, one per language.

    A select widget's browser state is its option's label: after a language switch the old
    language's label comes back and matches no option, so each language gets its own widget.
    """
    if key == "lang":  # its labels are the same in every language
        return "w_lang"
    return f"w_{key}.{lang or current_language()}"


def _state() -> dict[str, list[str]]:
    return st.session_state.setdefault(STATE_KEY, {})


def url_values(key: str) -> tuple[list[str], list[str]]:
    """Values of a URL parameter (repeated or comma-separated), plus messages about any ignored."""
    messages: list[str] = []
    try:
        raw = st.query_params.get_all(key)
    except Exception:  # a malformed query string must never take the page down
        raw = []
    if not raw and key in _state():
        return list(_state()[key]), messages
    values: list[str] = []
    for item in raw:
        if len(item) > MAX_PARAM_CHARS:
            _ = current_text()
            messages.append(_("Ignored a {n:,}-character value for '{key}' in the link.", n=len(item), key=key))
            continue
        values.extend(v.strip() for v in item.split(",") if v.strip())
    return list(dict.fromkeys(values)), messages


def set_url_values(key: str, values: Sequence[str] | str | None) -> None:
    """Write a parameter to the URL and to the session copy (empty removes it)."""
    if isinstance(values, str):
        values = [values]
    values = [v for v in (values or []) if v]
    state = _state()
    if values:
        joined = ",".join(values)
        # Only when it differs: every write sends the browser a message that re-renders the page.
        if st.query_params.get_all(key) != [joined]:
            st.query_params[key] = joined
        state[key] = list(values)
    else:
        if key in st.query_params:
            del st.query_params[key]
        state.pop(key, None)


def restore_url(keys: Sequence[str]) -> None:
    """Put this page's remembered parameters back into the URL after navigation."""
    state = _state()
    for key in keys:
        if key not in st.query_params and state.get(key):
            st.query_params[key] = ",".join(state[key])


def _url_choice(
    key: str, label: str, options: Sequence[str], labels: dict[str, str], default: str
) -> tuple[str, list[str]]:
    """The URL's choice for ``key`` among ``options``, or ``default`` with a message saying why."""
    values, messages = url_values(key)
    chosen = values[-1] if values else default
    if chosen not in options:
        messages.append(
            current_text()(
                "'{value}' is not a valid {what}; showing {default}.",
                value=_clip(chosen),
                what=label.lower(),
                default=labels.get(default, default),
            )
        )
        chosen = default
    return chosen, messages


def choose_one(
    key: str,
    label: str,
    options: Sequence[str],
    labels: dict[str, str],
    default: str,
    widget: str = "selectbox",
    where=st,
    help: str | None = None,
) -> tuple[str, list[str]]:
    """A single choice bound to URL parameter ``key``; unknown URL values fall back to ``default``."""
    chosen, messages = _url_choice(key, label, options, labels, default)
    wkey = widget_key(key)
    # Assigned on every run, not only when it differs: a widget the previous page also drew (the
    # language switch) is drawn afresh after navigation and shows only a value assigned in this run.
    st.session_state[wkey] = chosen

    def _changed() -> None:
        set_url_values(key, st.session_state[wkey])

    fmt = lambda v: labels.get(v, v)  # noqa: E731
    if widget == "segmented":
        where.segmented_control(
            label, list(options), format_func=fmt, key=wkey, on_change=_changed, required=True, help=help
        )
    elif widget == "radio":
        where.radio(label, list(options), format_func=fmt, key=wkey, on_change=_changed, horizontal=True, help=help)
    else:
        where.selectbox(label, list(options), format_func=fmt, key=wkey, on_change=_changed, help=help)
    value = st.session_state.get(wkey)
    if value not in options:  # a widget state lost on a page switch keeps the URL's choice
        value = chosen
    set_url_values(key, value)
    return value, messages


def choose_tab(
    key: str, label: str, options: Sequence[str], labels: dict[str, str], default: str
) -> tuple[str, dict[str, Any], list[str]]:
    """Tabs bound to URL parameter ``key``: (the open tab's option, each option's tab, messages).

    Switching tabs reruns (the fragment they are in), so a caller draws only the open tab and
    the browser renders no hidden content; an unknown URL value opens ``default``.
    """
    chosen, messages = _url_choice(key, label, options, labels, default)
    by_label = {labels[o]: o for o in options}
    wkey = widget_key(key)
    st.session_state[wkey] = labels[chosen]  # every run, as in ``choose_one``

    def _changed() -> None:
        set_url_values(key, by_label.get(st.session_state[wkey], default))

    tabs = st.tabs([labels[o] for o in options], key=wkey, on_change=_changed)
    value = by_label.get(st.session_state.get(wkey), chosen)
    set_url_values(key, value)
    return value, dict(zip(options, tabs)), messages


def choose_many(
    key: str,
    label: str,
    options: Sequence[str],
    labels: dict[str, str],
    default: Sequence[str] = (),
    where=st,
    help: str | None = None,
    max_selections: int | None = None,
    widget: str = "multiselect",
) -> tuple[list[str], list[str]]:
    """A multi-select (or ``widget="pills"``) bound to URL parameter ``key``; unknown URL values are
    dropped with a message."""
    values, messages = url_values(key)
    if not values and key not in st.query_params:
        values = list(default)
    if values == ["none"]:
        values = []
    unknown = [v for v in values if v not in options]
    _ = current_text()
    if unknown:
        listed = ", ".join(repr(_clip(u)) for u in unknown[:5])
        messages.append(
            _("Ignored unknown {what} {values}.", what=label.lower(), values=listed)
            if len(unknown) <= 5
            else _(
                "Ignored unknown {what} {values} and {more} more.",
                what=label.lower(),
                values=listed,
                more=len(unknown) - 5,
            )
        )
    chosen = [v for v in values if v in options]
    if values and not chosen and default:
        messages.append(_("Showing the default selection instead."))
        chosen = [v for v in default if v in options]
    if max_selections and len(chosen) > max_selections:
        messages.append(_("Kept the first {n} {what}.", n=max_selections, what=label.lower()))
        chosen = chosen[:max_selections]
    wkey = widget_key(key)
    st.session_state[wkey] = chosen  # every run, as in ``choose_one``

    def _changed() -> None:
        set_url_values(key, st.session_state[wkey])

    if widget == "pills":
        where.pills(
            label,
            list(options),
            selection_mode="multi",
            format_func=lambda v: plain(labels.get(v, v)),  # a pill's label is Markdown
            key=wkey,
            on_change=_changed,
            help=help,
        )
    else:
        where.multiselect(
            label,
            list(options),
            format_func=lambda v: labels.get(v, v),
            key=wkey,
            on_change=_changed,
            help=help,
            max_selections=max_selections,
            placeholder=_("All (choose to narrow)"),
        )
    chosen_now = list(st.session_state[wkey] or [])
    # An emptied choice with a default is kept in the URL as "none", so a link reopens it empty.
    set_url_values(key, chosen_now or (["none"] if default and widget == "pills" else []))
    return chosen_now, messages


def filter_widget(segments: pd.DataFrame) -> str:
    """The widget for a filter over ``segments`` (``queries.segment_options``): pills for a short flat
    list, a drop-down for a long or nested one (the indented labels of a hierarchy need a column)."""
    flat = not (segments["depth"] > 0).any()
    return "pills" if flat and len(segments) <= settings().filter_pills_max else "multiselect"


def _clip(text: str, limit: int = 40) -> str:
    text = str(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:])")


def plain(text: Any) -> str:
    """Data text made inert for ``st.markdown``: every Markdown/HTML character escaped."""
    return _MD_SPECIAL.sub(r"\\\1", "" if text is None or (isinstance(text, float) and pd.isna(text)) else str(text))


def show_messages(messages: Sequence[str]) -> None:
    """URL problems as one warning; the page goes on with the nearest valid view."""
    if messages:
        _ = current_text()
        st.warning(
            _("This link had parameters we could not use:") + "\n\n" + "\n".join(f"- {plain(m)}" for m in messages)
        )


def page_view(page: str, **fields) -> View:
    """The view this page shows now: ``fields`` name it (markets, filters, breakdown, year, scale);
    its parameters are the URL's as they stand, so call it after the widgets that set them."""
    params: list[tuple[str, str]] = []
    try:
        for key in st.query_params:
            params += [(key, v) for v in st.query_params.get_all(key)]
    except Exception:  # a malformed query string must never take the page down
        params = []
    if "lang" not in {k for k, _v in params}:
        params.append(("lang", current_language()))
    return View(page=page, params=tuple(params), **fields)


def base_url(page: str) -> str:
    """The address links to a view start with: ``app.base_url`` from config, else the browser's."""
    configured = settings().app.base_url
    if configured:
        return configured
    try:
        return app_root(st.context.url, page)
    except Exception:  # outside a browser session (tests, scripts) there is no URL
        return ""


def choose_number(
    key: str,
    label: str,
    default: float | None,
    low: float,
    high: float,
    step: float = 0.1,
    where=st,
    help: str | None = None,
    integer: bool = False,
) -> tuple[float | None, bool, list[str]]:
    """A number bound to URL parameter ``key``: (value, whether the user set it, messages).

    Without a URL value the widget shows ``default`` and the value counts as not set; a value
    that is not a number, or outside [low, high], is ignored with a message."""
    values, messages = url_values(key)
    _ = current_text()
    user: float | None = None
    if values:
        try:
            user = float(values[-1])
            if not (low <= user <= high) or user != user:
                raise ValueError
        except ValueError:
            messages.append(
                _(
                    "Ignored '{value}' for {what}: give a number from {low} to {high}.",
                    value=_clip(values[-1]),
                    what=label.lower(),
                    low=f"{low:g}",
                    high=f"{high:g}",
                )
            )
            user = None
            set_url_values(key, None)
    wkey = widget_key(key)
    shown = user if user is not None else default
    st.session_state[wkey] = (int(shown) if integer else float(shown)) if shown is not None else None

    def _changed() -> None:
        v = st.session_state[wkey]
        set_url_values(key, None if v is None else (str(int(v)) if integer else f"{float(v):g}"))

    where.number_input(
        label,
        min_value=int(low) if integer else float(low),
        max_value=int(high) if integer else float(high),
        step=int(step) if integer else float(step),
        format="%d" if integer else "%.1f",
        key=wkey,
        on_change=_changed,
        help=help,
    )
    if user is not None:
        set_url_values(key, str(int(user)) if integer else f"{user:g}")
    return (user if user is not None else default), user is not None, messages


def reset_url_values(keys: Sequence[str]) -> None:
    """Remove parameters from the URL and the session copy (a "back to the defaults" button)."""
    for key in keys:
        set_url_values(key, None)
