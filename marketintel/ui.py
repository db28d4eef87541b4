"""The one module besides the pages that imports Streamlit: cached data access, URL state, widgets.

Filter state lives in the URL (``st.query_params``) so a view is a link; a copy kept in the
session carries it across pages, because Streamlit clears the query string on navigation.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from . import db, queries
from .settings import data_dir, load_settings

MAX_PARAM_CHARS = 200   # longer URL values are ignored, not parsed
STATE_KEY = "_url_state"


# -- data access --------------------------------------------------------------------------

@st.cache_resource(show_spinner="Building the database from data/ ...")
def _database(fingerprint: str) -> str:
    """Build (if the data changed) once per fingerprint; returns the database path."""
    path, _ = db.ensure_database()
    return str(path)


@st.cache_resource(show_spinner=False)
def _connection(path: str, fingerprint: str):
    return db.connect_read_only(Path(path))


def current_fingerprint() -> str:
    return db.data_fingerprint(data_dir())


def connection():
    """The shared read-only connection for the current data (rebuilt when a data file changes)."""
    fp = current_fingerprint()
    return _connection(_database(fp), fp)


def _freeze(value: Any) -> Any:
    if isinstance(value, dict):
        return ("__dict__", tuple(sorted((k, _freeze(v)) for k, v in value.items())))
    if isinstance(value, (list, tuple)):
        return ("__list__", tuple(_freeze(v) for v in value))
    return value


def _thaw(value: Any) -> Any:
    if isinstance(value, tuple) and len(value) == 2 and value[0] == "__dict__":
        return {k: _thaw(v) for k, v in value[1]}
    if isinstance(value, tuple) and len(value) == 2 and value[0] == "__list__":
        return [_thaw(v) for v in value[1]]
    return value


@st.cache_data(show_spinner=False, max_entries=2000)
def _run_query(name: str, fingerprint: str, args: tuple, kwargs: tuple) -> pd.DataFrame:
    con = _connection(_database(fingerprint), fingerprint)
    return getattr(queries, name)(con, *_thaw(args), **_thaw(kwargs))


def query(fn: Callable[..., pd.DataFrame], *args: Any, **kwargs: Any) -> pd.DataFrame:
    """Run a ``queries`` function on the shared connection, cached per data version and arguments."""
    frozen_kwargs = _freeze(kwargs)
    return _run_query(fn.__name__, current_fingerprint(), _freeze(list(args)), frozen_kwargs)


# -- URL state ----------------------------------------------------------------------------

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
            messages.append(f"Ignored a {len(item):,}-character value for '{key}' in the link.")
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
        st.query_params[key] = ",".join(values)
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


def choose_one(key: str, label: str, options: Sequence[str], labels: dict[str, str], default: str,
               widget: str = "selectbox", where=st, help: str | None = None) -> tuple[str, list[str]]:
    """A single choice bound to URL parameter ``key``; unknown URL values fall back to ``default``."""
    values, messages = url_values(key)
    chosen = values[-1] if values else default
    if chosen not in options:
        messages.append(f"'{_clip(chosen)}' is not a valid {label.lower()}; showing {labels.get(default, default)}.")
        chosen = default
    wkey = f"w_{key}"
    if st.session_state.get(wkey) not in options or st.session_state.get(wkey) != chosen:
        st.session_state[wkey] = chosen

    def _changed() -> None:
        set_url_values(key, st.session_state[wkey])

    fmt = lambda v: labels.get(v, v)  # noqa: E731
    if widget == "segmented":
        where.segmented_control(label, list(options), format_func=fmt, key=wkey, on_change=_changed,
                                required=True, help=help)
    elif widget == "radio":
        where.radio(label, list(options), format_func=fmt, key=wkey, on_change=_changed, horizontal=True, help=help)
    else:
        where.selectbox(label, list(options), format_func=fmt, key=wkey, on_change=_changed, help=help)
    set_url_values(key, st.session_state[wkey])
    return st.session_state[wkey], messages


def choose_many(key: str, label: str, options: Sequence[str], labels: dict[str, str],
                default: Sequence[str] = (), where=st, help: str | None = None,
                max_selections: int | None = None) -> tuple[list[str], list[str]]:
    """A multi-select bound to URL parameter ``key``; unknown URL values are dropped with a message."""
    values, messages = url_values(key)
    if not values and key not in st.query_params:
        values = list(default)
    unknown = [v for v in values if v not in options]
    if unknown:
        messages.append(f"Ignored unknown {label.lower()} {', '.join(repr(_clip(u)) for u in unknown[:5])}"
                        + (f" and {len(unknown) - 5} more" if len(unknown) > 5 else "") + ".")
    chosen = [v for v in values if v in options]
    if values and not chosen and default:
        messages.append("Showing the default selection instead.")
        chosen = [v for v in default if v in options]
    if max_selections and len(chosen) > max_selections:
        messages.append(f"Kept the first {max_selections} {label.lower()}.")
        chosen = chosen[:max_selections]
    wkey = f"w_{key}"
    if st.session_state.get(wkey) != chosen:
        st.session_state[wkey] = chosen

    def _changed() -> None:
        set_url_values(key, st.session_state[wkey])

    where.multiselect(label, list(options), format_func=lambda v: labels.get(v, v), key=wkey,
                      on_change=_changed, help=help, max_selections=max_selections)
    set_url_values(key, st.session_state[wkey])
    return list(st.session_state[wkey]), messages


def _clip(text: str, limit: int = 40) -> str:
    text = str(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


# -- safe text ----------------------------------------------------------------------------

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:])")


def plain(text: Any) -> str:
    """Data text made inert for ``st.markdown``: every Markdown/HTML character escaped."""
    return _MD_SPECIAL.sub(r"\\\1", "" if text is None or (isinstance(text, float) and pd.isna(text)) else str(text))


def show_messages(messages: Sequence[str]) -> None:
    """URL problems as one warning; the page goes on with the nearest valid view."""
    if messages:
        st.warning("This link had parameters we could not use:\n\n" + "\n".join(f"- {plain(m)}" for m in messages))


# -- drawing helpers ----------------------------------------------------------------------

def chart_config(filename: str) -> dict:
    """Plotly modebar options: the image button exports at slide size (16:9)."""
    cfg = load_settings()["chart"]
    return {
        "displaylogo": False,
        "toImageButtonOptions": {"format": "png", "filename": filename, "width": cfg["export_width"],
                                 "height": cfg["export_height"], "scale": cfg["export_scale"]},
        "modeBarButtonsToRemove": ["lasso2d", "select2d"],
    }


def draw_chart(fig, key: str) -> None:
    st.plotly_chart(fig, key=key, theme=None, config=chart_config(key))


def provenance_legend() -> None:
    """The three provenances in plain words."""
    prov = load_settings()["provenance"]
    for name in ("reported", "derived", "estimate"):
        st.markdown(f"**{plain(prov[name]['label'])}**: {plain(prov[name]['describe'])}")
