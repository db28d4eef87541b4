"""Data access for pages: the shared read-only connection, cached queries and cached charts.

Everything is cached per data version (the data folder's fingerprint), so a data edit is
seen within seconds and a repeated view costs only the drawing.
"""

from __future__ import annotations

import functools
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

import streamlit as st

from .. import charts, db, display, history, queries, render_plotly
from ..chart_spec import ChartSpec
from ..settings import data_dir


@st.cache_resource(show_spinner="Building the database from data/ … · 正在根据 data/ 构建数据库…", max_entries=16)
def _database(fingerprint: str) -> str:
    """Build (if the data changed) once per fingerprint; returns the database path.

    A new data version that the app did not make (an edit on disk) is kept in the history too.
    """
    path, _ = db.ensure_database()
    root = data_dir()
    # In the background: recording a version compares it with the last one (two validations), which a
    # page run should not wait for. Under the history's lock, so replicas record an edit once.
    threading.Thread(target=_keep_disk_edits, args=(root,), name="history-sync", daemon=True).start()
    return str(path)


def _keep_disk_edits(root: Path) -> None:
    try:
        history.sync_disk_edits(root, history.history_for(root))
    except (OSError, ValueError):  # a history that cannot be written or read never takes the dashboard down
        pass


def _close(con) -> None:
    try:
        con.close()
    except Exception:  # already closed, or the file is gone: nothing left to release
        pass


#: Connections kept open: the current data version's and the one before (a page run that began on
#: it can finish). An older one is closed when it leaves the cache, so replaced files are let go.
MAX_OPEN_CONNECTIONS = 2


@st.cache_resource(show_spinner=False, max_entries=MAX_OPEN_CONNECTIONS, on_release=_close)
def _connection(path: str, fingerprint: str):
    return db.connect_read_only(Path(path))


_FINGERPRINT_TTL_S = 2.0
_fingerprint_memo: dict[str, tuple[float, int, str]] = {}
_refreshing: set[str] = set()
_refresh_lock = threading.Lock()


def _refresh_fingerprint(root: Path, listing: int) -> str:
    fp = db.data_fingerprint(root)
    _fingerprint_memo[str(root)] = (time.monotonic(), listing, fp)
    return fp


def _refresh_in_background(root: Path, listing: int) -> None:
    with _refresh_lock:
        if str(root) in _refreshing:
            return
        _refreshing.add(str(root))

    def work() -> None:
        try:
            _refresh_fingerprint(root, listing)
        finally:
            with _refresh_lock:
                _refreshing.discard(str(root))

    threading.Thread(target=work, name="fingerprint-refresh", daemon=True).start()


def current_fingerprint() -> str:
    """The data folder's fingerprint, re-read in the background at most every two seconds.

    Every query of a page run asks for it; walking the data folder in the request path cost a
    filter change up to a third of its server time. A stale value is returned while a thread
    re-reads the folder, so a data edit is still picked up within about two seconds; a market
    folder added or removed (the folder's own mtime) is seen at once.
    """
    root = data_dir()
    now = time.monotonic()
    try:
        listing = (root / "markets").stat().st_mtime_ns
    except OSError:
        listing = 0
    hit = _fingerprint_memo.get(str(root))
    if hit and hit[1] == listing:
        if now - hit[0] >= _FINGERPRINT_TTL_S:
            _refresh_in_background(root, listing)
        return hit[2]
    return _refresh_fingerprint(root, listing)


def forget_fingerprint() -> None:
    """Re-read the data folder on the next query (after the app itself wrote to it)."""
    _fingerprint_memo.clear()


class QueryRef(NamedTuple):
    """A named query and its arguments, frozen: the cache key of its result and of charts drawn from it."""

    name: str
    args: tuple
    kwargs: tuple


def _freeze(value: Any) -> Any:
    if isinstance(value, QueryRef):  # a second query a chart draws from (e.g. the publishers' band)
        return ("__query__", value)
    if isinstance(value, dict):
        return ("__dict__", tuple(sorted((k, _freeze(v)) for k, v in value.items())))
    if isinstance(value, (list, tuple)):
        return ("__list__", tuple(_freeze(v) for v in value))
    return value


def _thaw(value: Any, fingerprint: str | None = None) -> Any:
    """The frozen value back; a frozen query is run (cached) when a ``fingerprint`` is given."""
    if isinstance(value, tuple) and len(value) == 2 and value[0] == "__dict__":
        return {k: _thaw(v, fingerprint) for k, v in value[1]}
    if isinstance(value, tuple) and len(value) == 2 and value[0] == "__list__":
        return [_thaw(v, fingerprint) for v in value[1]]
    if isinstance(value, tuple) and len(value) == 2 and value[0] == "__query__" and fingerprint:
        return _run_query(QueryRef(*value[1]), fingerprint)
    return value


def q(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> QueryRef:
    """A reference to ``queries.<fn>(con, *args, **kwargs)``, run (once per data version) when needed."""
    return QueryRef(fn.__name__, _freeze(list(args)), _freeze(kwargs))


# A memo, not st.cache_data: cache_data unpickles a fresh copy of the frame on every call, which
# was a tenth of the server's time under load. Nor st.cache_resource: it hashes every argument on
# every call, a sixth of a filter change's server time; a frozen QueryRef is its own key. Results
# are shared between sessions, so nothing may modify them in place (exporters copy first).
@functools.lru_cache(maxsize=2000)
def _run_query(ref: QueryRef, fingerprint: str) -> Any:
    con = _connection(_database(fingerprint), fingerprint)
    return getattr(queries, ref.name)(con, *_thaw(ref.args), **_thaw(ref.kwargs))


def query(fn: Callable[..., Any] | QueryRef, *args: Any, **kwargs: Any) -> Any:
    """Run a ``queries`` function (or a :class:`QueryRef`) on the shared connection, cached.

    The result is shared between sessions: read it, filter it, never modify it in place.
    """
    ref = fn if isinstance(fn, QueryRef) else q(fn, *args, **kwargs)
    return _run_query(ref, current_fingerprint())


class Drawn(NamedTuple):
    """A chart as described (for slides and exports) and as drawn (for the screen), and its data."""

    spec: ChartSpec
    figure: Any
    data: QueryRef


@functools.lru_cache(maxsize=500)
def _cached_chart(builder: str, data: QueryRef, fingerprint: str, args: tuple, kwargs: tuple) -> Drawn:
    spec = charts.BUILDERS[builder](
        _run_query(data, fingerprint), *_thaw(args, fingerprint), **_thaw(kwargs, fingerprint)
    )
    return Drawn(spec, render_plotly.figure(spec), data)


def chart(builder: Callable[..., ChartSpec], data: QueryRef, *args: Any, **kwargs: Any) -> Drawn:
    """A chart builder applied to a query's result, described and drawn once per data version and arguments.

    Keyed by the builder, the query that produced its data and the other arguments, so a
    rerun never hashes a frame. Shared between sessions: never change it after it is built.
    """
    return _cached_chart(builder.__name__, data, current_fingerprint(), _freeze(list(args)), _freeze(kwargs))


@functools.lru_cache(maxsize=2000)
def _segment_labels(ref: QueryRef, fingerprint: str, lang: str) -> dict[str, str]:
    options = _run_query(ref, fingerprint)
    return dict(zip(options["segment"], display.indented(options, "label", lang)))


def segment_labels(market_id: str, dimension: str, lang: str) -> dict[str, str]:
    """A dimension's segments as a picker labels them (indented by depth, in ``lang``), built once per data version."""
    return _segment_labels(q(queries.segment_options, market_id, dimension), current_fingerprint(), lang)
