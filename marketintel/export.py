"""File exports: charts as PNG/SVG (the screen renderer through kaleido), tables as Excel and CSV.

Slides are ``render_pptx``'s; tables are made readable by ``display`` before they are written.
"""

from __future__ import annotations

import io
import os
import shutil
import threading
from pathlib import Path

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

from . import i18n, render_plotly
from .chart_spec import ChartSpec
from .display import localise_table
from .settings import settings


class ExportUnavailable(RuntimeError):
    """An export that needs something this machine lacks (a Chrome for images)."""


# -- static images (kaleido) ----------------------------------------------------------------

_IMAGE_LOCK = threading.Lock()
_SERVER_STARTED = False
CHROME_CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")


def chrome_path() -> str | None:
    """The Chrome/Chromium kaleido will use: ``BROWSER_PATH`` if set, else one found on PATH."""
    env = os.environ.get("BROWSER_PATH")
    if env and Path(env).exists():
        return env
    for name in CHROME_CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return None


def chart_image(spec: ChartSpec, fmt: str = "png", bare: bool = False) -> bytes:
    """A chart as PNG (slide-size 16:9, high resolution) or SVG, drawn by the screen renderer."""
    return figure_image(render_plotly.figure(spec, bare=bare), fmt)


def figure_image(fig: go.Figure, fmt: str = "png") -> bytes:
    """A Plotly figure as PNG or SVG, rendered server-side."""
    global _SERVER_STARTED
    if fmt not in ("png", "svg"):
        raise ValueError(f"unsupported image format {fmt!r}")
    path = chrome_path()
    if path is None:
        raise ExportUnavailable(
            "No Chrome or Chromium found, so images cannot be rendered here. Install one "
            "(Debian: apt-get install chromium) or set BROWSER_PATH. PowerPoint, Excel and CSV "
            "exports work without it."
        )
    os.environ["BROWSER_PATH"] = path
    cfg = settings().image
    with _IMAGE_LOCK:  # one kaleido server for the process; calls are serialised
        if not _SERVER_STARTED:
            import atexit

            import kaleido

            kaleido.start_sync_server(silence_warnings=True)
            atexit.register(kaleido.stop_sync_server, silence_warnings=True)
            _SERVER_STARTED = True
        return pio.to_image(fig, format=fmt, width=cfg.width, height=cfg.height, scale=cfg.scale if fmt == "png" else 1)


# -- text safety for spreadsheets -----------------------------------------------------------


def neutralise_formulas(df: pd.DataFrame) -> pd.DataFrame:
    """Prefix text cells that a spreadsheet would run as a formula with an apostrophe."""
    prefixes = tuple(settings().export.formula_prefixes)
    out = df.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(lambda v: "'" + v if isinstance(v, str) and v.startswith(prefixes) else v)
    return out


def _flatten(df: pd.DataFrame) -> pd.DataFrame:
    """Lists and arrays as '; '-joined text, so every cell is a plain value."""
    out = df.copy()
    for col in out.columns:
        if out[col].map(lambda v: isinstance(v, (list, tuple, np.ndarray))).any():
            out[col] = out[col].map(lambda v: "; ".join(map(str, v)) if isinstance(v, (list, tuple, np.ndarray)) else v)
    return out


def csv_bytes(df: pd.DataFrame, lang: str = "en") -> bytes:
    """A table as UTF-8 CSV (with BOM, so Excel reads the encoding), formula-safe."""
    return neutralise_formulas(_flatten(localise_table(df, lang))).to_csv(index=False).encode("utf-8-sig")


def _sheet_name(name: str, used: set[str]) -> str:
    base = "".join("_" if c in "[]:*?/\\" else c for c in name)[:31] or "Sheet"
    candidate, i = base, 2
    while candidate.lower() in used:
        suffix = f" ({i})"
        candidate, i = base[: 31 - len(suffix)] + suffix, i + 1
    used.add(candidate.lower())
    return candidate


def workbook_bytes(tables: dict[str, pd.DataFrame], sources: pd.DataFrame | None = None, lang: str = "en") -> bytes:
    """One Excel workbook: a sheet per table (numbers stay numbers) plus a Sources sheet.

    Sheet names are the (already translated) table titles; headers and units follow ``lang``.
    """
    buf = io.BytesIO()
    used: set[str] = set()
    _ = i18n.text(lang)
    with pd.ExcelWriter(buf, engine="openpyxl") as xl:
        for name, df in tables.items():
            neutralise_formulas(_flatten(localise_table(df, lang))).to_excel(
                xl, sheet_name=_sheet_name(name, used), index=False
            )
        if sources is not None:
            neutralise_formulas(_flatten(localise_table(sources, lang))).to_excel(
                xl, sheet_name=_sheet_name(_("Sources"), used), index=False
            )
    return buf.getvalue()
