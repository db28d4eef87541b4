"""Validated data -> a DuckDB file, rebuilt when a data file changes; opened read-only by the app.

The file is written beside its final path and moved into place with ``os.replace``, so a
reader never sees a half-built database and a running app is never blocked by the rebuild.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import hashlib
import os
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pandas as pd

from . import history
from .i18n import localised
from .schema import Catalog, ancestors, chinese, english, flatten_segments
from .series import geometric_series, linear_shares
from .settings import CONFIG_PATH, data_dir, database_path, market_color, settings
from .tables import (
    TABLES,
    ClaimRow,
    ConceptRow,
    CrosstabShareRow,
    DimensionRow,
    EventRow,
    InsightRegionRow,
    InsightRow,
    InsightSegmentRow,
    MarketRow,
    MarketSeriesRow,
    OmissionRow,
    ProblemRow,
    SegmentRow,
    SegmentShareRow,
    SourceFigureRow,
    SourceRow,
    columns,
    values,
)
from .validate import validate_data_dir

#: Bump when the table layout changes, so old files are rebuilt.
SCHEMA_VERSION = "3"
_BUILD_CODE = [
    Path(__file__).with_name(n)
    for n in ("db.py", "tables.py", "validate.py", "schema.py", "load.py", "rules.py", "series.py", "reading.py")
]


def data_fingerprint(root: Path) -> str:
    """A hash of every data file's path, size and modification time, plus config and schema."""
    h = hashlib.sha256(SCHEMA_VERSION.encode())
    paths = sorted(p for p in root.rglob("*") if p.is_file() or p.is_symlink())
    # The build's own code counts too: a change to how the database is built rebuilds it.
    for p in [*paths, CONFIG_PATH, *_BUILD_CODE]:
        try:
            st = p.lstat()
        except OSError:
            continue
        h.update(f"{p.as_posix()}|{st.st_size}|{st.st_mtime_ns}\n".encode())
    return h.hexdigest()[:16]


def catalog_frames(catalog: Catalog) -> dict[str, pd.DataFrame]:
    """The catalog as one DataFrame per table (``tables.TABLES``); all arithmetic of the build happens here."""
    theme = settings().theme
    ids = [m.id for m in catalog.markets]
    seg_colors = theme.segment_colors
    t: dict[str, list] = {name: [] for name in TABLES}

    for key, c in catalog.concepts.items():
        t["concepts"].append(ConceptRow(concept=key, kind=c.kind, label_en=c.en, label_zh=_zh(c)))
    for p in catalog.problems:
        t["problems"].append(
            ProblemRow(severity=p.severity, file=p.file, location=p.location, message=p.message, market_id=p.market_id)
        )
    for o in catalog.omissions:
        t["omissions"].append(
            OmissionRow(
                kind=o.kind,
                folder=o.folder,
                market_id=o.market_id,
                dimension=o.dimension,
                file=o.file,
                location=o.location,
                message=o.message,
            )
        )

    for e in catalog.events:
        t["events"].append(
            EventRow(
                event_id=e.id,
                date=e.date,
                position=e.position,
                label_en=e.label.en,
                label_zh=_zh(e.label),
                kind=e.kind,
                all_markets=e.markets == "all",
                markets="" if e.markets == "all" else ",".join(e.markets),
                sources=",".join(e.sources),
                note_en=english(e.note),
                note_zh=chinese(e.note),
            )
        )

    for order, m in enumerate(catalog.markets):
        primary = m.primary_source.id
        t["markets"].append(
            MarketRow(
                market_id=m.id,
                name_en=m.spec.name.en,
                name_zh=_zh(m.spec.name),
                currency=m.spec.currency,
                unit=m.spec.unit,
                primary_source_id=primary,
                color=market_color(m.id, ids),
                sort_order=order,
            )
        )
        windows: dict[str, tuple[int, int]] = {}
        for s in m.spec.sources:
            pts = {f.year: f.value for f in m.figures if f.source_id == s.id}
            if pts:
                windows[s.id] = (min(pts), max(pts))
            t["sources"].append(
                SourceRow(
                    market_id=m.id,
                    source_id=s.id,
                    is_primary=s.primary,
                    kind_en=english(s.kind),
                    kind_zh=chinese(s.kind),
                    title_en=s.title.en,
                    title_zh=_zh(s.title),
                    publisher=s.publisher,
                    report_code=s.report_code,
                    document=s.document,
                    date=s.date,
                    url=s.url,
                    accessed=s.accessed,
                    edition_of=s.edition_of,
                    scope_en=english(s.scope),
                    scope_zh=chinese(s.scope),
                    notes_en=english(s.notes),
                    notes_zh=chinese(s.notes),
                    coverage_en=english(s.coverage),
                    coverage_zh=chinese(s.coverage),
                    cagr_pct=s.cagr.value_pct if s.cagr else None,
                    cagr_start=s.cagr.start_year if s.cagr else None,
                    cagr_end=s.cagr.end_year if s.cagr else None,
                    cagr_basis_en=english(s.cagr.basis) if s.cagr else None,
                    cagr_basis_zh=chinese(s.cagr.basis) if s.cagr else None,
                    first_year=min(pts) if pts else None,
                    last_year=max(pts) if pts else None,
                    n_figures=len(pts),
                )
            )
            for f in m.figures:
                if f.source_id == s.id:
                    t["source_figures"].append(
                        SourceFigureRow(
                            market_id=m.id, source_id=s.id, year=f.year, value=f.value, role=f.role, note=f.note
                        )
                    )
            for year, value, anchor in geometric_series(pts):
                t["market_series"].append(
                    MarketSeriesRow(
                        market_id=m.id,
                        source_id=s.id,
                        year=year,
                        value=value,
                        provenance="reported" if anchor else "derived",
                    )
                )

        shares_by: dict[tuple[str, str], dict[str, dict[int, float]]] = {}
        rationale: dict[tuple[str, str, str, int], str] = {}
        rationale_zh: dict[tuple[str, str, str, int], str] = {}
        for r in m.shares:
            shares_by.setdefault((r.source_id, r.dimension), {}).setdefault(r.segment, {})[r.year] = r.share_pct
            rationale[(r.source_id, r.dimension, r.segment, r.year)] = r.rationale
            rationale_zh[(r.source_id, r.dimension, r.segment, r.year)] = localised(r.rationale_zh, r.rationale)
        for d_order, dim in enumerate(m.spec.dimensions):
            src = m.dimension_source(dim)
            dim_shares = shares_by.get((src, dim.key), {})
            t["dimensions"].append(
                DimensionRow(
                    market_id=m.id,
                    source_id=src,
                    dimension=dim.key,
                    label_en=dim.label.en,
                    label_zh=_zh(dim.label),
                    sort_order=d_order,
                    has_shares=bool(dim_shares),
                )
            )
            nodes = flatten_segments(dim)
            parent_of = {n.key: n.parent for n in nodes}
            # Top-level segments take palette colours in order; a child wears its top-level ancestor's
            # colour, so a segment family reads as one on every chart.
            top_color = {n.key: seg_colors[i % len(seg_colors)] for i, n in enumerate(n for n in nodes if n.depth == 0)}
            for node in nodes:
                t["segments"].append(
                    SegmentRow(
                        market_id=m.id,
                        source_id=src,
                        dimension=dim.key,
                        segment=node.key,
                        label_en=node.label.en,
                        label_zh=_zh(node.label),
                        parent=node.parent,
                        depth=node.depth,
                        sort_order=node.order,
                        concept=node.concept,
                        concept_note=english(node.concept_note),
                        concept_note_zh=chinese(node.concept_note),
                        is_leaf=not node.children,
                        color=top_color[[node.key, *ancestors(parent_of, node.key)][-1]],
                    )
                )
                anchors = dim_shares.get(node.key)
                if anchors and src in windows:
                    for year, share, is_anchor in linear_shares(anchors, *windows[src]):
                        t["segment_shares"].append(
                            SegmentShareRow(
                                market_id=m.id,
                                source_id=src,
                                dimension=dim.key,
                                segment=node.key,
                                year=year,
                                share_pct=share,
                                is_anchor=is_anchor,
                                rationale=rationale.get((src, dim.key, node.key, year))
                                or _nearest_rationale(rationale, src, dim.key, node.key, year),
                                rationale_zh=rationale_zh.get((src, dim.key, node.key, year))
                                or _nearest_rationale(rationale_zh, src, dim.key, node.key, year, "zh"),
                            )
                        )

        cells: dict[tuple, dict[int, float]] = {}
        cell_rationale: dict[tuple, tuple[str, str]] = {}
        for c in m.crosstab:
            key = (c.dimension_a, c.segment_a, c.dimension_b, c.segment_b)
            cells.setdefault(key, {})[c.year] = c.share_pct
            cell_rationale[key] = (c.rationale, localised(c.rationale_zh, c.rationale))
        for key, anchors in cells.items():
            for year, share, is_anchor in linear_shares(anchors, *windows[primary]):
                t["crosstab_shares"].append(
                    CrosstabShareRow(
                        market_id=m.id,
                        source_id=primary,
                        dimension_a=key[0],
                        segment_a=key[1],
                        dimension_b=key[2],
                        segment_b=key[3],
                        year=year,
                        share_pct=share,
                        is_anchor=is_anchor,
                        rationale=cell_rationale[key][0],
                        rationale_zh=cell_rationale[key][1],
                    )
                )

        for i_order, ins in enumerate(m.insights):
            t["insights"].append(
                InsightRow(
                    market_id=m.id,
                    insight_id=ins.id,
                    topic=ins.topic,
                    title_en=ins.title.en,
                    title_zh=_zh(ins.title),
                    text_en=ins.text.en,
                    text_zh=_zh(ins.text),
                    source_id=ins.source,
                    sort_order=i_order,
                )
            )
            for r in ins.regions:
                t["insight_regions"].append(InsightRegionRow(market_id=m.id, insight_id=ins.id, region=r))
            for ref in ins.segments:
                d, s = ref.split("/", 1)
                t["insight_segments"].append(
                    InsightSegmentRow(market_id=m.id, insight_id=ins.id, dimension=d, segment=s)
                )
        for c in m.spec.claims:
            t["claims"].append(
                ClaimRow(
                    market_id=m.id,
                    source_id=c.source,
                    dimension=c.dimension,
                    segment=c.segment,
                    claim=c.claim,
                    text_en=c.text.en,
                    text_zh=_zh(c.text),
                )
            )

    return {name: _frame(TABLES[name], records) for name, records in t.items()}


def _frame(row_type: type, records: list) -> pd.DataFrame:
    """One table's rows as a DataFrame with its declared columns, in order."""
    strays = {type(r).__name__ for r in records if type(r) is not row_type}
    if strays:
        raise TypeError(f"{row_type.__name__} table given {', '.join(sorted(strays))} rows")
    return pd.DataFrame([values(r) for r in records], columns=[name for name, _ in columns(row_type)])


def _zh(label) -> str:
    """The Chinese of a bilingual label, or its English where the data has none (the view never goes blank)."""
    return localised(label.zh, label.en)


_INTERPOLATED = {
    "en": "Interpolated between the estimates for {first} and {last}. {base}",
    "zh": "由{first}年与{last}年的估计值插值得出。{base}",
}


def _nearest_rationale(rationale: dict, src: str, dim: str, seg: str, year: int, lang: str = "en") -> str:
    years = sorted(y for (s, d, g, y) in rationale if (s, d, g) == (src, dim, seg))
    if not years:
        return ""
    before = [y for y in years if y <= year]
    base = rationale[(src, dim, seg, before[-1] if before else years[0])]
    return _INTERPOLATED[lang].format(first=years[0], last=years[-1], base=base)


#: The DuckDB type of a column, by its field's annotation in ``tables``.
_COLUMN_TYPES: dict[type, str] = {str: "VARCHAR", int: "INTEGER", float: "DOUBLE", bool: "BOOLEAN", dt.date: "DATE"}


def _create_table_sql(name: str) -> str:
    """``CREATE TABLE`` for one table of ``tables.TABLES``.

    Identifiers cannot be bound as parameters; these come from the table definitions, never from data.
    """
    cols = ", ".join(f'"{column}" {_COLUMN_TYPES[kind]}' for column, kind in columns(TABLES[name]))
    return f'CREATE TABLE "{name}" ({cols})'


_VIEWS = """
-- Segment values: estimated share x the primary source's market size for that year.
CREATE VIEW segment_figures AS
SELECT s.market_id, s.source_id, s.dimension, s.segment, s.year, s.share_pct,
       s.share_pct / 100.0 * ms.value AS value, 'estimate' AS provenance, s.is_anchor, s.rationale, s.rationale_zh
FROM segment_shares s
JOIN market_series ms USING (market_id, source_id, year);

-- Each market's primary-source yearly series, with its provenance.
CREATE VIEW primary_series AS
SELECT ms.* FROM market_series ms JOIN markets m
  ON m.market_id = ms.market_id AND m.primary_source_id = ms.source_id;
"""


def build_database(root: Path | None = None, target: Path | None = None) -> tuple[Path, Catalog]:
    """Validate ``root`` and write the DuckDB file at ``target`` atomically."""
    root = root or data_dir()
    target = target or database_path()
    target.parent.mkdir(parents=True, exist_ok=True)
    fingerprint = data_fingerprint(root)
    catalog = validate_data_dir(root)
    frames = catalog_frames(catalog)
    fd, tmp = tempfile.mkstemp(prefix=target.name + ".", suffix=".tmp", dir=target.parent)
    os.close(fd)
    os.unlink(tmp)  # DuckDB wants to create the file itself
    try:
        con = duckdb.connect(tmp)
        try:
            for name, df in frames.items():
                con.execute(_create_table_sql(name))
                if len(df):
                    con.register("_frame", df)
                    con.execute(f'INSERT INTO "{name}" SELECT * FROM _frame')
                    con.unregister("_frame")
            con.execute(_VIEWS)
            con.execute("CREATE TABLE meta (key VARCHAR, value VARCHAR)")
            con.executemany(
                "INSERT INTO meta VALUES (?, ?)",
                [
                    ("fingerprint", fingerprint),
                    ("schema_version", SCHEMA_VERSION),
                    ("data_dir", str(root)),
                    ("built_at", dt.datetime.now(dt.timezone.utc).isoformat()),
                ],
            )
        finally:
            con.close()
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return target, catalog


def stored_fingerprint(path: Path) -> str | None:
    """The fingerprint a database file was built from, or None if it is missing or unreadable."""
    if not path.exists():
        return None
    try:
        con = duckdb.connect(str(path), read_only=True)
        try:
            row = con.execute("SELECT value FROM meta WHERE key = 'fingerprint'").fetchone()
        finally:
            con.close()
        return row[0] if row else None
    except duckdb.Error:
        return None


def versioned_path(target: Path, fingerprint: str) -> Path:
    """The file one data version is built into: ``markets.<fingerprint>.duckdb`` beside ``target``.

    DuckDB keeps one database instance per path inside a process, so a file replaced in place
    would keep being read as it was; a new name per data version gives a running app the new data.
    """
    return target.with_name(f"{target.stem}.{fingerprint}{target.suffix}")


#: A superseded database file is removed once it is this old: a process that has just found it (another
#: server on the same data) still has time to open it, and an open file stays readable after removal.
KEEP_OLD_VERSIONS_S = 120


@contextlib.contextmanager
def _build_lock(target: Path) -> Iterator[None]:
    """One build at a time per database folder, across processes (``fcntl``)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target.parent / f".{target.stem}.build.lock", "a+") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def ensure_database(root: Path | None = None, target: Path | None = None) -> tuple[Path, str]:
    """The database file for the data as it is now, built if missing; returns its path and fingerprint.

    Safe with several server processes on one data folder: builds take a lock (the second process
    waits, then finds the file built), read the data under its shared lock (never half a change),
    and write beside the final path before one ``os.replace``. Superseded files beside it are removed
    once older than ``KEEP_OLD_VERSIONS_S`` (best effort).
    """
    root = root or data_dir()
    target = target or database_path()
    fingerprint = data_fingerprint(root)
    path = versioned_path(target, fingerprint)
    if stored_fingerprint(path) == fingerprint:
        return path, fingerprint
    with _build_lock(target), history.data_lock(root, shared=True):
        # Under the locks the data cannot change; another process may have built it while we waited.
        fingerprint = data_fingerprint(root)
        path = versioned_path(target, fingerprint)
        if stored_fingerprint(path) != fingerprint:
            build_database(root, path)
        now = time.time()
        for old in target.parent.glob(f"{target.stem}.*{target.suffix}"):
            if old != path and len(old.name.split(".")) == 3:
                with contextlib.suppress(OSError):
                    if now - old.stat().st_mtime > KEEP_OLD_VERSIONS_S:
                        old.unlink()
    return path, fingerprint


def connect_read_only(path: Path) -> duckdb.DuckDBPyConnection:
    """A read-only connection; share it and run each query on its own ``cursor()``."""
    return duckdb.connect(str(path), read_only=True)
