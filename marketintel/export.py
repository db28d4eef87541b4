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


def csv_bytes(df: pd.DataFrame, lang: str = "en", preamble: list[tuple[str, str]] | None = None) -> bytes:
    """A table as UTF-8 CSV (with BOM, so Excel reads the encoding), formula-safe.

    ``preamble`` rows (e.g. the view: markets, filters, link) come first, then a blank line,
    the way statistics offices head their CSV downloads.
    """
    body = neutralise_formulas(_flatten(localise_table(df, lang))).to_csv(index=False)
    if preamble:
        head = neutralise_formulas(pd.DataFrame(preamble)).to_csv(index=False, header=False)
        body = head + "\n" + body
    return body.encode("utf-8-sig")


def _sheet_name(name: str, used: set[str]) -> str:
    """A valid, unique sheet name; a long title keeps its end ("…Things (IoMT) by component"), where
    chart titles differ (they start with the same market name)."""
    base = "".join("_" if c in "[]:*?/\\" else c for c in name).strip() or "Sheet"
    if len(base) > 31:
        base = "…" + base[-30:].lstrip()
    candidate, i = base, 2
    while candidate.lower() in used:
        suffix = f" ({i})"
        candidate, i = base[: 31 - len(suffix)] + suffix, i + 1
    used.add(candidate.lower())
    return candidate


def _format_sheet(sheet, df: pd.DataFrame, formats: dict[str, str]) -> None:
    """Readable columns: widths from the content, headers bold and frozen, numbers shown rounded
    (the cell keeps full precision), links clickable."""
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    sheet.freeze_panes = "A2"
    for j, col in enumerate(df.columns, start=1):
        letter = get_column_letter(j)
        sheet.cell(row=1, column=j).font = Font(bold=True)
        texts = [str(col)] + [str(v) for v in df[col].head(200) if v is not None]
        sheet.column_dimensions[letter].width = min(60, max(8, max(len(t) for t in texts) + 2))
        fmt = formats.get(col)
        if fmt is None and pd.api.types.is_float_dtype(df[col]):
            fmt = "#,##0.00"
        if fmt:
            for row in range(2, len(df) + 2):
                sheet.cell(row=row, column=j).number_format = fmt
        for row in range(2, len(df) + 2):
            cell = sheet.cell(row=row, column=j)
            if isinstance(cell.value, str) and cell.value.startswith(("http://", "https://")):
                cell.hyperlink = cell.value
                cell.font = Font(color="0563C1", underline="single")
        if pd.api.types.is_string_dtype(df[col]) or df[col].dtype == object:
            if any(len(t) > 60 for t in texts):
                from openpyxl.styles import Alignment

                for row in range(2, len(df) + 2):
                    sheet.cell(row=row, column=j).alignment = Alignment(wrap_text=True, vertical="top")


def workbook_bytes(
    tables: dict[str, pd.DataFrame],
    sources: pd.DataFrame | None = None,
    lang: str = "en",
    view: list[tuple[str, str]] | None = None,
    assumptions: pd.DataFrame | None = None,
) -> bytes:
    """One Excel workbook: the view first (what the page showed, its filters, its link), a sheet per
    table (numbers stay numbers, shown rounded), the assumptions behind the estimates, and the sources.

    Sheet names are the (already translated) table titles; headers and units follow ``lang``. A
    table's ``attrs["number_formats"]`` (from ``charts.chart_sheet``) sets how its columns show.
    """
    buf = io.BytesIO()
    used: set[str] = set()
    _ = i18n.text(lang)

    def write(xl, name: str, df: pd.DataFrame, localise: bool = True) -> None:
        formats = dict(df.attrs.get("number_formats", {}))
        out = neutralise_formulas(_flatten(localise_table(df, lang) if localise else df))
        sheet_name = _sheet_name(name, used)
        out.to_excel(xl, sheet_name=sheet_name, index=False)
        _format_sheet(xl.sheets[sheet_name], out, formats)

    with pd.ExcelWriter(buf, engine="openpyxl") as xl:
        if view:
            write(xl, _("View"), pd.DataFrame(view, columns=[_("What"), _("Shown")]), localise=False)
        for name, df in tables.items():
            write(xl, name, df)
        if assumptions is not None and not assumptions.empty:
            write(xl, _("Assumptions"), assumptions)
        if sources is not None:
            write(xl, _("Sources"), sources)
    return buf.getvalue()
