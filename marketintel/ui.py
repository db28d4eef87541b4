"""The one module besides the pages that imports Streamlit: cached data access, URL state, widgets.

Filter state lives in the URL (``st.query_params``) so a view is a link; a copy kept in the
session carries it across pages, because Streamlit clears the query string on navigation.
"""

from __future__ import annotations

import hashlib
import re
import threading
import time
import weakref
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from . import db, export, i18n, queries
from .i18n import N_
from .settings import data_dir, settings

MAX_PARAM_CHARS = 200   # longer URL values are ignored, not parsed
STATE_KEY = "_url_state"


# -- data access --------------------------------------------------------------------------

@st.cache_resource(show_spinner="Building the database from data/ … · 正在根据 data/ 构建数据库…")
def _database(fingerprint: str) -> str:
    """Build (if the data changed) once per fingerprint; returns the database path."""
    path, _ = db.ensure_database()
    return str(path)


@st.cache_resource(show_spinner=False)
def _connection(path: str, fingerprint: str):
    return db.connect_read_only(Path(path))


_FINGERPRINT_TTL_S = 2.0
_fingerprint_memo: dict[str, tuple[float, int, str]] = {}


def current_fingerprint() -> str:
    """The data folder's fingerprint, re-read at most every two seconds.

    Every query of a page run asks for it; walking a large data folder each time would cost
    more than the queries. A data edit is still picked up within two seconds.
    """
    root = data_dir()
    now = time.monotonic()
    try:  # a market folder added or removed changes this at once
        listing = (root / "markets").stat().st_mtime_ns
    except OSError:
        listing = 0
    hit = _fingerprint_memo.get(str(root))
    if hit and now - hit[0] < _FINGERPRINT_TTL_S and hit[1] == listing:
        return hit[2]
    fp = db.data_fingerprint(root)
    _fingerprint_memo[str(root)] = (now, listing, fp)
    return fp


def forget_fingerprint() -> None:
    """Re-read the data folder on the next query (after the app itself wrote to it)."""
    _fingerprint_memo.clear()


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


# cache_resource, not cache_data: cache_data unpickles a fresh copy of the frame on every call,
# which was a tenth of the server's time under load. Results are shared between sessions, so
# nothing may modify them in place (exporters copy before they change anything).
@st.cache_resource(show_spinner=False, max_entries=2000)
def _run_query(name: str, fingerprint: str, args: tuple, kwargs: tuple) -> pd.DataFrame:
    con = _connection(_database(fingerprint), fingerprint)
    return getattr(queries, name)(con, *_thaw(args), **_thaw(kwargs))


#: id(frame) -> (weak reference, key) for every frame ``query`` handed out, so a figure built
#: from it is keyed by the query that made it instead of by hashing its content.
_query_keys: dict[int, tuple[weakref.ref, str]] = {}
_query_keys_lock = threading.Lock()


def query(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Run a ``queries`` function on the shared connection, cached per data version and arguments.

    The frame is shared between sessions: read it, filter it, never modify it in place.
    """
    fingerprint, frozen_args, frozen_kwargs = current_fingerprint(), _freeze(list(args)), _freeze(kwargs)
    frame = _run_query(fn.__name__, fingerprint, frozen_args, frozen_kwargs)
    if not isinstance(frame, pd.DataFrame):
        return frame
    with _query_keys_lock:
        if len(_query_keys) > 4000:  # drop frames the query cache has let go of
            for k in [k for k, (ref, _) in _query_keys.items() if ref() is None]:
                del _query_keys[k]
        _query_keys[id(frame)] = (weakref.ref(frame), repr((fn.__name__, fingerprint, frozen_args, frozen_kwargs)))
    return frame


def _argument_key(value: Any) -> str:
    if isinstance(value, pd.DataFrame):
        known = _query_keys.get(id(value))
        if known and known[0]() is value:  # the same object, not a later one at a reused address
            return "query:" + known[1]
        # A frame made on the page (a filtered copy, say): hash its content.
        return "frame:" + hashlib.sha1(pd.util.hash_pandas_object(value, index=True).to_numpy().tobytes()
                                       + repr(list(value.columns)).encode()).hexdigest()
    return repr(value)


@st.cache_resource(show_spinner=False, max_entries=500)
def _cached_figure(builder_name: str, key: str, _args: tuple, _kwargs: dict):
    from . import charts

    return getattr(charts, builder_name)(*_args, **_kwargs)


def figure(builder: Callable[..., Any], *args: Any, **kwargs: Any):
    """A chart builder's figure, built once per data version and arguments.

    Hashing the frames' content on every rerun was a quarter of the server's time under load,
    so frames that came from ``query`` are keyed by the query instead. Figures are shared
    between sessions and must not be changed after they are built.
    """
    key = "|".join([current_fingerprint(), *map(_argument_key, args),
                    *(f"{k}={_argument_key(v)}" for k, v in sorted(kwargs.items()))])
    return _cached_figure(builder.__name__, hashlib.sha1(key.encode()).hexdigest(), args, kwargs)


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
            messages.append(current_text()("Ignored a {n:,}-character value for '{key}' in the link.", n=len(item),
                                           key=key))
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
        messages.append(current_text()("'{value}' is not a valid {what}; showing {default}.", value=_clip(chosen),
                                       what=label.lower(), default=labels.get(default, default)))
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
    value = st.session_state.get(wkey)
    if value not in options:  # a widget state lost on a page switch keeps the URL's choice
        value = chosen
    set_url_values(key, value)
    return value, messages


def choose_many(key: str, label: str, options: Sequence[str], labels: dict[str, str],
                default: Sequence[str] = (), where=st, help: str | None = None,
                max_selections: int | None = None) -> tuple[list[str], list[str]]:
    """A multi-select bound to URL parameter ``key``; unknown URL values are dropped with a message."""
    values, messages = url_values(key)
    if not values and key not in st.query_params:
        values = list(default)
    unknown = [v for v in values if v not in options]
    _ = current_text()
    if unknown:
        listed = ", ".join(repr(_clip(u)) for u in unknown[:5])
        messages.append(_("Ignored unknown {what} {values}.", what=label.lower(), values=listed) if len(unknown) <= 5
                        else _("Ignored unknown {what} {values} and {more} more.", what=label.lower(), values=listed,
                               more=len(unknown) - 5))
    chosen = [v for v in values if v in options]
    if values and not chosen and default:
        messages.append(_("Showing the default selection instead."))
        chosen = [v for v in default if v in options]
    if max_selections and len(chosen) > max_selections:
        messages.append(_("Kept the first {n} {what}.", n=max_selections, what=label.lower()))
        chosen = chosen[:max_selections]
    wkey = f"w_{key}"
    if st.session_state.get(wkey) != chosen:
        st.session_state[wkey] = chosen

    def _changed() -> None:
        set_url_values(key, st.session_state[wkey])

    where.multiselect(label, list(options), format_func=lambda v: labels.get(v, v), key=wkey,
                      on_change=_changed, help=help, max_selections=max_selections,
                      placeholder=_("All (choose to narrow)"))
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
        st.warning(current_text()("This link had parameters we could not use:") + "\n\n"
                   + "\n".join(f"- {plain(m)}" for m in messages))


# -- page frame ---------------------------------------------------------------------------

#: The pages, in menu order. Streamlit runs ``pages/*.py`` itself (a ``pages`` folder beside the entry
#: script switches it to file-based pages), so every page calls ``page_setup`` for the shared frame.
NAVIGATION = (("app.py", N_("Overview")), ("pages/explorer.py", N_("Market explorer")),
              ("pages/compare.py", N_("Compare")), ("pages/data.py", N_("Data & sources")))
LANG_KEY = "_lang"


def current_language() -> str:
    """The language this session shows (set by ``page_setup`` from the ``lang`` URL parameter)."""
    return i18n.normalise_language(st.session_state.get(LANG_KEY))


def current_text() -> i18n.Text:
    """Translations and number formats for the session's language."""
    return i18n.text(current_language())


def page_setup() -> i18n.Text:
    """Page config, language, the menu and the slide deck in the sidebar; call first on every page.

    Returns the page's :class:`~marketintel.i18n.Text`: ``_ = page_setup()`` then ``_("...")``.
    """
    restore_url(["lang"])
    values, _messages = url_values("lang")
    st.session_state[LANG_KEY] = i18n.normalise_language(values[-1] if values else None)
    _ = current_text()
    st.set_page_config(page_title=_.dynamic(settings().app.title), layout="wide")
    with st.sidebar:
        lang, messages = choose_one("lang", "Language · 语言", list(i18n.LANGUAGES), i18n.LANGUAGES,
                                    i18n.DEFAULT_LANGUAGE, widget="segmented")
        st.session_state[LANG_KEY] = lang
        _ = current_text()
        for path, label in NAVIGATION:
            st.page_link(path, label=_(label))
        st.divider()
    show_messages(messages)
    deck_sidebar()
    start_page()
    return _


# -- drawing helpers ----------------------------------------------------------------------

def chart_config(filename: str) -> dict:
    """Plotly modebar options: the image button exports at slide size (16:9)."""
    cfg = settings().image
    return {
        "displaylogo": False,
        "toImageButtonOptions": {"format": "png", "filename": filename, "width": cfg.width,
                                 "height": cfg.height, "scale": cfg.scale},
        "modeBarButtonsToRemove": ["lasso2d", "select2d"],
    }


def draw_chart(fig, key: str, data: pd.DataFrame | None = None, subtitle: str = "") -> None:
    """Draw a chart with its exports beside it: add to deck, PNG, SVG (server-side) and CSV of its data.

    ``data`` is the query result behind the chart (its CSV and the page workbook hold it);
    without it, the plotted numbers themselves are exported.
    """
    st.plotly_chart(fig, key=key, theme=None, config=chart_config(key))
    table = data if data is not None else export.figure_data(fig)
    title = (fig.layout.meta or {}).get("title", key) if isinstance(fig.layout.meta, dict) else key
    st.session_state.setdefault(PAGE_TABLES, {})[title] = table
    chrome = has_chrome()
    _ = current_text()
    no_chrome = _("No Chrome or Chromium found: install one (apt-get install chromium) for PNG/SVG.")
    box = st.popover(_("Export this chart"))
    c1 = c2 = c3 = c4 = box
    if c1.button(_("Add to deck"), key=f"deck_{key}",
                 help=_("Adds this chart, with the filters in force, to the slide deck in the sidebar.")):
        _add_to_deck(fig, key, subtitle)
        st.rerun(scope="app")  # the deck lives in the sidebar, outside any fragment this chart is in
    c2.download_button("PNG", data=lambda: export.figure_image(fig, "png"), file_name=f"{key}.png",
                       mime="image/png", key=f"png_{key}", on_click="ignore", disabled=not chrome,
                       help=_("16:9 at slide size, high resolution") if chrome else no_chrome)
    c3.download_button("SVG", data=lambda: export.figure_image(fig, "svg"), file_name=f"{key}.svg",
                       mime="image/svg+xml", key=f"svg_{key}", on_click="ignore", disabled=not chrome,
                       help=_("Vector image") if chrome else no_chrome)
    lang = _.lang
    c4.download_button("CSV", data=lambda: export.csv_bytes(table, lang), file_name=f"{key}.csv", mime="text/csv",
                       key=f"csv_{key}", on_click="ignore", help=_("The data behind this chart"))


_chrome_memo: list[tuple[float, bool]] = []


def has_chrome() -> bool:
    """Whether kaleido has a browser, looked up at most once a minute (PATH search on every chart was 4% under load)."""
    now = time.monotonic()
    if not _chrome_memo or now - _chrome_memo[0][0] > 60:
        _chrome_memo[:] = [(now, export.chrome_path() is not None)]
    return _chrome_memo[0][1]


PAGE_TABLES = "_page_tables"
DECK = "deck"


def start_page() -> None:
    """Call first on every page: resets the list of tables the page's workbook will hold."""
    st.session_state[PAGE_TABLES] = {}


def page_workbook(name: str) -> None:
    """One Excel download with every table and chart's data drawn on this page, plus the sources."""
    tables = st.session_state.get(PAGE_TABLES, {})
    if not tables:
        return
    sources = query(queries.sources)
    _ = current_text()
    lang = _.lang
    st.download_button(_("Download this page's data (Excel, {n} sheets + sources)", n=len(tables)),
                       data=lambda: export.workbook_bytes(dict(tables), sources, lang), file_name=f"{name}.xlsx",
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                       key=f"xlsx_{name}", on_click="ignore")


def register_table(title: str, df: pd.DataFrame) -> None:
    """Put a table shown on the page into the page's workbook."""
    st.session_state.setdefault(PAGE_TABLES, {})[title] = df


def _add_to_deck(fig, key: str, subtitle: str) -> None:
    slide = export.DeckSlide.from_figure(fig, subtitle)
    st.session_state.setdefault(DECK, []).append({"key": key, **slide.__dict__})
    st.toast(current_text()("Added to the deck: {title}", title=slide.title))


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
    """The slide deck the user builds while browsing: reorder, remove, download as .pptx."""
    deck = st.session_state.get(DECK, [])
    _ = current_text()
    with st.sidebar.expander(_.plural("Slide deck ({n} chart)", "Slide deck ({n} charts)", len(deck)),
                             expanded=bool(deck)):
        if not deck:
            st.caption(_("Use “Add to deck” under any chart. The deck downloads as PowerPoint with editable charts."))
            return
        for i, item in enumerate(deck):
            st.markdown(f"**{i + 1}. {plain(item['title'])}**  \n{plain(item['subtitle'])}")
            a, b, c = st.columns(3)
            a.button("↑", key=f"up_{i}", on_click=_move, args=(i, -1), disabled=i == 0, help=_("Move up"))
            b.button("↓", key=f"down_{i}", on_click=_move, args=(i, 1), disabled=i == len(deck) - 1,
                     help=_("Move down"))
            c.button("✕", key=f"rm_{i}", on_click=_remove, args=(i,), help=_("Remove"))
        slides = [export.DeckSlide(d["title"], d["subtitle"], d["figure_json"], d["source_note"]) for d in deck]
        lang = _.lang
        st.download_button(_("Download deck (.pptx)"), data=lambda: export.build_deck(slides, lang=lang),
                           file_name="market-intelligence-deck.pptx", type="primary", on_click="ignore",
                           mime="application/vnd.openxmlformats-officedocument.presentationml.presentation",
                           key="deck_pptx", width="stretch")
        st.button(_("Clear the deck"), key="deck_clear", on_click=lambda: st.session_state.__setitem__(DECK, []))


def provenance_legend() -> None:
    """The three provenances in plain words."""
    prov = settings().provenance
    _ = current_text()
    for name in ("reported", "derived", "estimate"):
        st.markdown(f"**{plain(_.dynamic(getattr(prov, name).label))}**: {plain(_.dynamic(getattr(prov, name).describe))}")
