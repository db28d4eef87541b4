"""A first page run's once-per-process work, done ahead by the server launcher (``scripts/serve.py``).

A page's first run used to start by importing pandas, DuckDB, Plotly's figure classes and this
package, then read the settings and the catalogues and build Plotly's validators: well over a second
in which the first reader looked at an empty page. The server has nothing to do while a browser
loads Streamlit's own scripts (a second or more), so the launcher does this work then, in a thread.
Importing this module imports nothing heavy: the launcher imports it before the server starts.
"""

from __future__ import annotations

import importlib

#: What the pages import, in app.py's order: both threads take the import locks in one order.
WARM_MODULES = (
    "pandas",
    "marketintel.charts",
    "marketintel.queries",
    "marketintel.display",
    "marketintel.i18n",
    "marketintel.settings",
    "marketintel.ui",
    "marketintel.view",
    "marketintel.scenarios",
    "marketintel.ui.curation",  # the Data & sources page
)


def warm_imports() -> list[str]:
    """Import ``WARM_MODULES``, stopping at the first that fails; returns the ones imported."""
    done = []
    for name in WARM_MODULES:
        try:
            importlib.import_module(name)
        except Exception:
            break
        done.append(name)
    return done


def warm_first_run() -> bool:
    """Settings, both catalogues, and the Overview's two charts drawn from the built database (Plotly
    builds each property's validator on first use). False, and nothing built, if the database for the
    data as it is now is not built yet: the page builds it, under the build lock."""
    from . import charts, db, i18n, queries, render_plotly
    from .settings import data_dir, database_path, settings

    settings()
    for lang in i18n.LANGUAGES:
        i18n.text(lang)
    fingerprint = db.data_fingerprint(data_dir())
    path = db.versioned_path(database_path(), fingerprint)
    if db.stored_fingerprint(path) != fingerprint:
        return False
    con = db.connect_read_only(path)
    try:
        ids = list(queries.market_list(con)["market_id"])
        for spec in (
            charts.growth_chart(
                queries.market_series(con, ids), "log", lang=i18n.DEFAULT_LANGUAGE, events=queries.events(con, ids)
            ),
            charts.bubble_chart(queries.growth_summary(con, ids), lang=i18n.DEFAULT_LANGUAGE),
        ):
            render_plotly.figure(spec).to_json(validate=False)
    finally:
        con.close()
    return True
