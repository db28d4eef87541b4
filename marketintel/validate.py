"""Validate the curated data folder; every problem becomes a record naming file, place and fix.

A problem in one file never stops the others: a bad ``market.yaml`` or ``figures.csv`` drops
that market, a bad row drops that row, a dimension whose shares do not add up drops that
dimension's shares, a bad insight drops that insight. Everything else loads.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Literal

from pydantic import BaseModel, ValidationError

from . import schema
from .reading import ReadError, load_csv, load_yaml
from .series import cagr_pct
from .settings import Settings
from .settings import settings as load_settings_model

Severity = Literal["error", "warning"]

#: Characters no data cell may hold (tab is allowed).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

MARKET_FILE = "market.yaml"
FIGURES_FILE = "figures.csv"
SHARES_FILE = "shares.csv"
CROSSTAB_FILE = "crosstab.csv"
INSIGHTS_FILE = "insights.yaml"
CONCEPTS_FILE = "concepts.yaml"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the data, in plain words."""

    severity: Severity
    file: str
    location: str
    message: str
    market_id: str | None = None

    def __str__(self) -> str:
        where = f" [{self.location}]" if self.location else ""
        return f"{self.severity.upper()}: {self.file}{where}: {self.message}"


@dataclass(frozen=True)
class SegmentNode:
    """A segment flattened out of its dimension's hierarchy."""

    key: str
    label: schema.Label
    concept: str | None
    concept_note: "schema.Prose | None"
    parent: str | None
    depth: int
    order: int
    children: tuple[str, ...]


def flatten_segments(dimension: schema.Dimension) -> list[SegmentNode]:
    """Depth-first list of a dimension's segments, parents before their children."""
    out: list[SegmentNode] = []

    def walk(segments: Iterable[schema.Segment], parent: str | None, depth: int) -> None:
        for seg in segments:
            out.append(SegmentNode(seg.key, seg.label, seg.concept, seg.concept_note, parent, depth,
                                   len(out), tuple(c.key for c in seg.children)))
            walk(seg.children, seg.key, depth + 1)

    walk(dimension.segments, None, 0)
    return out


@dataclass
class MarketData:
    """One market's validated content."""

    spec: schema.MarketFile
    folder: str
    figures: list[schema.FigureRow] = field(default_factory=list)
    shares: list[schema.ShareRow] = field(default_factory=list)
    crosstab: list[schema.CrosstabRow] = field(default_factory=list)
    insights: list[schema.Insight] = field(default_factory=list)

    @property
    def id(self) -> str:
        return self.spec.id

    @property
    def primary_source(self) -> schema.Source:
        return next(s for s in self.spec.sources if s.primary)

    def dimension_source(self, dimension: schema.Dimension) -> str:
        return dimension.source or self.primary_source.id

    def dimensions_of(self, source_id: str) -> dict[str, schema.Dimension]:
        return {d.key: d for d in self.spec.dimensions if self.dimension_source(d) == source_id}


@dataclass
class Catalog:
    """Everything that loaded, plus every problem found on the way."""

    markets: list[MarketData]
    concepts: dict[str, schema.Concept]
    problems: list[Problem]

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]


def _short(value: Any, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _loc_path(loc: tuple) -> str:
    path = ""
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path


def pydantic_problems(exc: ValidationError, file: str, market_id: str | None,
                      prefix: str = "") -> list[Problem]:
    """Turn a pydantic error into records naming the key path, expectation and what was found."""
    out = []
    for err in exc.errors():
        loc = _loc_path(err["loc"])
        where = f"{prefix}{'.' if prefix and loc else ''}{loc}" if prefix else loc
        msg = err["msg"]
        if err["type"] != "missing" and "input" in err and not isinstance(err["input"], (dict, list)):
            msg += f" (found {_short(err['input'])})"
        out.append(Problem("error", file, where, msg, market_id))
    return out


class _Checker:
    """Collects problems for one data folder."""

    def __init__(self, root: Path, settings: Settings) -> None:
        self.root = root
        self.cfg = settings
        self.v = settings.validation
        self.known_dimensions = set(settings.dimensions)
        self.problems: list[Problem] = []

    # -- helpers -------------------------------------------------------------
    def rel(self, path: Path) -> str:
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return path.as_posix()

    def add(self, severity: Severity, file: str, location: str, message: str,
            market_id: str | None = None) -> None:
        self.problems.append(Problem(severity, file, location, message, market_id))

    def read_yaml(self, path: Path, market_id: str | None) -> Any:
        try:
            data = load_yaml(path, self.root, self.v.max_file_bytes, self.v.max_yaml_aliases)
        except ReadError as exc:
            self.add("error", self.rel(path), "", f"file {exc}", market_id)
            return None
        if data is None:
            self.add("error", self.rel(path), "", "file holds no data (only comments or blank lines)", market_id)
        return data

    def read_rows(self, path: Path, model: type[BaseModel], market_id: str) -> list[tuple[int, Any]]:
        """Validated rows as ``(line, model)``; bad rows are reported and left out."""
        required = list(model.model_fields)
        try:
            rows = load_csv(path, self.root, self.v.max_file_bytes,
                            [c for c in required if model.model_fields[c].is_required()])
        except ReadError as exc:
            self.add("error", self.rel(path), "", f"file {exc}", market_id)
            return []
        good = []
        for line, raw in rows:
            if "__extra__" in raw:
                self.add("error", self.rel(path), f"line {line}",
                         "has more values than the header has columns", market_id)
                continue
            bad_cell = next((k for k, v in raw.items() if isinstance(v, str) and _CONTROL.search(v)), None)
            if bad_cell is not None:
                char = _CONTROL.search(raw[bad_cell]).group()
                what = "a NUL byte" if char == "\x00" else f"a control character ({ord(char):#04x})"
                self.add("error", self.rel(path), f"line {line}, column {bad_cell}",
                         f"contains {what}; remove it (spreadsheets and exports cannot hold it)", market_id)
                continue
            data = {k: (None if v in ("", None) else v) for k, v in raw.items() if k in required}
            try:
                good.append((line, model.model_validate(data)))
            except ValidationError as exc:
                for p in pydantic_problems(exc, self.rel(path), market_id):
                    self.problems.append(Problem(p.severity, p.file, f"line {line}, column {p.location}",
                                                 p.message, market_id))
        return good

    def year_ok(self, year: int) -> bool:
        return self.v.min_year <= year <= self.v.max_year

    # -- files ---------------------------------------------------------------
    def concepts(self) -> dict[str, schema.Concept]:
        path = self.root / CONCEPTS_FILE
        if not path.exists():
            return {}
        data = self.read_yaml(path, None)
        if data is None:
            return {}
        try:
            return dict(schema.ConceptsFile.model_validate(data).concepts)
        except ValidationError as exc:
            self.problems.extend(pydantic_problems(exc, self.rel(path), None))
            return {}

    def market(self, folder: Path, concepts: dict[str, schema.Concept]) -> MarketData | None:
        mfile = folder / MARKET_FILE
        rel = self.rel(mfile)
        if not mfile.exists():
            self.add("error", rel, "", f"file is missing; every market folder needs {MARKET_FILE}")
            return None
        data = self.read_yaml(mfile, folder.name)
        if data is None:
            return None
        if not isinstance(data, dict):
            self.add("error", rel, "", f"expected a mapping of keys (id, name, sources...), found {type(data).__name__}",
                     folder.name)
            return None
        try:
            spec = schema.MarketFile.model_validate(data)
        except ValidationError as exc:
            self.problems.extend(pydantic_problems(exc, rel, str(data.get("id") or folder.name)))
            return None
        mid = spec.id

        ids = [s.id for s in spec.sources]
        dupes = {i for i in ids if ids.count(i) > 1}
        if dupes:
            self.add("error", rel, "sources", f"source id(s) {', '.join(sorted(dupes))} used more than once; ids must be unique", mid)
            return None
        primaries = [s.id for s in spec.sources if s.primary]
        if len(primaries) != 1:
            self.add("error", rel, "sources",
                     f"exactly one source must have primary: true, found {len(primaries)}", mid)
            return None

        kept: list[schema.Dimension] = []
        seen: set[tuple[str, str]] = set()
        for i, dim in enumerate(spec.dimensions):
            where = f"dimensions[{i}] ({dim.key})"
            src = dim.source or primaries[0]
            if dim.key not in self.known_dimensions:
                self.add("error", rel, f"{where}.key",
                         f"unknown dimension '{dim.key}'; expected one of {', '.join(self.cfg.dimensions)}", mid)
                continue
            if src not in ids:
                self.add("error", rel, f"{where}.source", f"names source '{src}', which is not in sources ({', '.join(ids)})", mid)
                continue
            if (src, dim.key) in seen:
                self.add("error", rel, where, f"dimension '{dim.key}' is defined twice for source '{src}'", mid)
                continue
            nodes = flatten_segments(dim)
            keys = [n.key for n in nodes]
            dup_keys = sorted({k for k in keys if keys.count(k) > 1})
            if dup_keys:
                self.add("error", rel, f"{where}.segments",
                         f"segment key(s) {', '.join(dup_keys)} appear more than once in this dimension", mid)
                continue
            for n in nodes:
                if n.concept and concepts and n.concept not in concepts:
                    self.add("warning", rel, f"{where}.segments.{n.key}.concept",
                             f"unknown concept '{n.concept}'; add it to {CONCEPTS_FILE} or fix the key", mid)
                if n.label.zh is None:
                    self.add("warning", rel, f"{where}.segments.{n.key}.label.zh", "has no Chinese label", mid)
            seen.add((src, dim.key))
            kept.append(dim)
        spec = spec.model_copy(update={"dimensions": kept})

        market = MarketData(spec=spec, folder=folder.name)
        for i, claim in enumerate(spec.claims):
            dim = market.dimensions_of(claim.source).get(claim.dimension)
            if dim is None or claim.segment not in {n.key for n in flatten_segments(dim)}:
                self.add("warning", rel, f"claims[{i}]",
                         f"refers to {claim.source}/{claim.dimension}/{claim.segment}, which is not defined", mid)

        market.figures = self.figures(folder, market)
        if not any(f.source_id == market.primary_source.id for f in market.figures):
            self.add("error", self.rel(folder / FIGURES_FILE), "",
                     f"no usable figure for the primary source '{market.primary_source.id}'; market '{mid}' is not loaded", mid)
            return None
        market.shares = self.shares(folder, market)
        market.crosstab = self.crosstab(folder, market)
        market.insights = self.insights(folder, market)
        return market

    def figures(self, folder: Path, market: MarketData) -> list[schema.FigureRow]:
        path = folder / FIGURES_FILE
        rel, mid = self.rel(path), market.id
        if not path.exists():
            self.add("error", rel, "", "file is missing; every market needs its reported sizes", mid)
            return []
        sources = {s.id: s for s in market.spec.sources}
        out: list[schema.FigureRow] = []
        seen: set[tuple[str, int]] = set()
        for line, row in self.read_rows(path, schema.FigureRow, mid):
            where = f"line {line}"
            if row.source_id not in sources:
                self.add("error", rel, f"{where}, column source_id",
                         f"unknown source '{row.source_id}'; expected one of {', '.join(sources)}", mid)
            elif not self.year_ok(row.year):
                self.add("error", rel, f"{where}, column year",
                         f"year {row.year} is outside {self.v.min_year}-{self.v.max_year}", mid)
            elif row.value > self.v.max_market_size_usd_bn or row.value == 0:
                self.add("error", rel, f"{where}, column value",
                         f"{row.value} USD bn is not a plausible market size (expected more than 0 and at most {self.v.max_market_size_usd_bn})", mid)
            elif (row.source_id, row.year) in seen:
                self.add("error", rel, f"{where}", f"a second figure for {row.source_id} in {row.year}; keep one", mid)
            else:
                seen.add((row.source_id, row.year))
                out.append(row)
        by_source: dict[str, dict[int, float]] = defaultdict(dict)
        for f in out:
            by_source[f.source_id][f.year] = f.value
        for i, src in enumerate(market.spec.sources):
            if src.cagr is None:
                continue
            pts = by_source.get(src.id, {})
            c = src.cagr
            where = f"sources[{i}].cagr"
            if c.start_year not in pts or c.end_year not in pts:
                self.add("warning", self.rel(folder / MARKET_FILE), where,
                         f"CAGR {c.value_pct}% over {c.start_year}-{c.end_year} cannot be checked: {FIGURES_FILE} lacks a figure for "
                         + " and ".join(str(y) for y in (c.start_year, c.end_year) if y not in pts), mid)
                continue
            implied = cagr_pct(pts[c.start_year], pts[c.end_year], c.end_year - c.start_year)
            if abs(implied - c.value_pct) > self.v.cagr_tolerance_pp:
                self.add("warning", self.rel(folder / MARKET_FILE), where,
                         f"stated CAGR {c.value_pct}% does not reconcile with the figures: {pts[c.start_year]} ({c.start_year}) to "
                         f"{pts[c.end_year]} ({c.end_year}) implies {implied:.2f}% (tolerance {self.v.cagr_tolerance_pp} pp)", mid)
        return out

    def _window(self, market: MarketData, source_id: str) -> tuple[int, int] | None:
        years = [f.year for f in market.figures if f.source_id == source_id]
        return (min(years), max(years)) if years else None

    def shares(self, folder: Path, market: MarketData) -> list[schema.ShareRow]:
        path = folder / SHARES_FILE
        if not path.exists():
            return []
        rel, mid, tol = self.rel(path), market.id, self.v.share_sum_tolerance_pct
        rows: list[tuple[int, schema.ShareRow]] = []
        seen: set[tuple] = set()
        for line, row in self.read_rows(path, schema.ShareRow, mid):
            where = f"line {line}"
            dims = market.dimensions_of(row.source_id)
            window = self._window(market, row.source_id)
            if not dims:
                self.add("error", rel, f"{where}, column source_id",
                         f"source '{row.source_id}' has no dimensions in {MARKET_FILE}", mid)
            elif row.dimension not in dims:
                self.add("error", rel, f"{where}, column dimension",
                         f"unknown dimension '{row.dimension}' for source {row.source_id}; expected one of {', '.join(dims)}", mid)
            elif row.segment not in {n.key for n in flatten_segments(dims[row.dimension])}:
                self.add("error", rel, f"{where}, column segment",
                         f"unknown segment '{row.segment}' in dimension '{row.dimension}'", mid)
            elif window is None or not (window[0] <= row.year <= window[1]):
                self.add("error", rel, f"{where}, column year",
                         f"year {row.year} is outside the source's forecast window "
                         f"{'(no figures)' if window is None else f'{window[0]}-{window[1]}'}", mid)
            elif (key := (row.source_id, row.dimension, row.segment, row.year)) in seen:
                self.add("error", rel, where, f"a second share for {row.dimension}/{row.segment} in {row.year}; keep one", mid)
            else:
                seen.add(key)
                rows.append((line, row))

        grouped: dict[tuple[str, str], list[schema.ShareRow]] = defaultdict(list)
        for _, row in rows:
            grouped[(row.source_id, row.dimension)].append(row)
        kept: list[schema.ShareRow] = []
        for (src, dim_key), dim_rows in grouped.items():
            nodes = flatten_segments(market.dimensions_of(src)[dim_key])
            ok = True
            by_year: dict[int, dict[str, float]] = defaultdict(dict)
            for r in dim_rows:
                by_year[r.year][r.segment] = r.share_pct
            for year, shares in sorted(by_year.items()):
                missing = [n.key for n in nodes if n.key not in shares]
                if missing:
                    self.add("error", rel, f"dimension {dim_key}, year {year}",
                             f"no share for segment(s) {', '.join(missing)}; every segment needs one in each year given", mid)
                    ok = False
                    continue
                top = sum(shares[n.key] for n in nodes if n.parent is None)
                if abs(top - 100) > tol:
                    self.add("error", rel, f"dimension {dim_key}, year {year}",
                             f"top-level shares sum to {top:.1f}%, expected 100% (± {tol})", mid)
                    ok = False
                for n in nodes:
                    if n.children:
                        total = sum(shares[c] for c in n.children)
                        if abs(total - shares[n.key]) > tol:
                            self.add("error", rel, f"dimension {dim_key}, year {year}, segment {n.key}",
                                     f"children ({', '.join(n.children)}) sum to {total:.1f}%, but '{n.key}' is {shares[n.key]:.1f}% (± {tol})", mid)
                            ok = False
            if ok:
                kept.extend(dim_rows)
            else:
                self.add("warning", rel, f"dimension {dim_key}",
                         f"shares for '{dim_key}' were not loaded because of the errors above", mid)
        return kept

    def crosstab(self, folder: Path, market: MarketData) -> list[schema.CrosstabRow]:
        path = folder / CROSSTAB_FILE
        if not path.exists():
            return []
        rel, mid, tol = self.rel(path), market.id, self.v.share_sum_tolerance_pct
        dims = market.dimensions_of(market.primary_source.id)
        share = {(r.dimension, r.segment, r.year): r.share_pct for r in market.shares
                 if r.source_id == market.primary_source.id}
        rows = []
        for line, row in self.read_rows(path, schema.CrosstabRow, mid):
            bad = None
            for side in ("a", "b"):
                d, s = getattr(row, f"dimension_{side}"), getattr(row, f"segment_{side}")
                if d not in dims:
                    bad = (f"dimension_{side}", f"unknown dimension '{d}'")
                elif s not in {seg.key for seg in dims[d].segments}:
                    bad = (f"segment_{side}", f"'{s}' is not a top-level segment of '{d}'")
                elif (d, s, row.year) not in share:
                    bad = ("year", f"no share in {SHARES_FILE} for {d}/{s} in {row.year} to reconcile with")
                if bad:
                    break
            if bad:
                self.add("error", rel, f"line {line}, column {bad[0]}", bad[1], mid)
            else:
                rows.append(row)
        grouped: dict[tuple[str, str, int], list[schema.CrosstabRow]] = defaultdict(list)
        for r in rows:
            grouped[(r.dimension_a, r.dimension_b, r.year)].append(r)
        kept = []
        for (da, db, year), cells in grouped.items():
            ok = True
            for d, side, other in ((da, "a", "b"), (db, "b", "a")):
                for seg in dims[d].segments:
                    total = sum(c.share_pct for c in cells if getattr(c, f"segment_{side}") == seg.key)
                    if abs(total - share[(d, seg.key, year)]) > tol:
                        self.add("error", rel, f"{da} x {db}, year {year}, {d}={seg.key}",
                                 f"cells sum to {total:.1f}%, but {SHARES_FILE} gives {d}/{seg.key} {share[(d, seg.key, year)]:.1f}% (± {tol})", mid)
                        ok = False
            if ok:
                kept.extend(cells)
        return kept

    def insights(self, folder: Path, market: MarketData) -> list[schema.Insight]:
        path = folder / INSIGHTS_FILE
        if not path.exists():
            return []
        rel, mid = self.rel(path), market.id
        data = self.read_yaml(path, mid)
        if data is None:
            return []
        items = data.get("insights") if isinstance(data, dict) else None
        if not isinstance(items, list):
            self.add("error", rel, "insights", "expected a top-level key 'insights' holding a list", mid)
            return []
        sources = {s.id for s in market.spec.sources}
        primary = market.primary_source.id
        out = []
        for i, item in enumerate(items):
            where = f"insights[{i}]" + (f" ({item.get('id')})" if isinstance(item, dict) and item.get("id") else "")
            try:
                ins = schema.Insight.model_validate(item)
            except ValidationError as exc:
                self.problems.extend(pydantic_problems(exc, rel, mid, prefix=where))
                continue
            if ins.source not in sources:
                self.add("error", rel, f"{where}.source", f"unknown source '{ins.source}'; expected one of {', '.join(sorted(sources))}", mid)
                continue
            dims = {**market.dimensions_of(ins.source), **market.dimensions_of(primary)}
            region_keys = {n.key for n in flatten_segments(dims["region"])} if "region" in dims else set()
            bad_regions = [r for r in ins.regions if r not in region_keys]
            bad_segments = [s for s in ins.segments
                            if s.split("/")[0] not in dims
                            or s.split("/")[1] not in {n.key for n in flatten_segments(dims[s.split('/')[0]])}]
            if bad_regions:
                self.add("error", rel, f"{where}.regions", f"unknown region(s) {', '.join(bad_regions)}; expected from {', '.join(sorted(region_keys))}", mid)
                continue
            if bad_segments:
                self.add("error", rel, f"{where}.segments", f"unknown segment(s) {', '.join(bad_segments)}; write them as dimension/segment keys from {MARKET_FILE}", mid)
                continue
            out.append(ins)
        return out


def validate_data_dir(root: Path, settings: Settings | None = None) -> Catalog:
    """Validate every market under ``root/markets``; return what loaded and every problem."""
    settings = settings or load_settings_model()
    checker = _Checker(root, settings)
    concepts = checker.concepts()
    markets: list[MarketData] = []
    market_root = root / "markets"
    if not market_root.is_dir():
        checker.add("error", "markets", "", "folder is missing; put one folder per market in data/markets")
        return Catalog([], concepts, checker.problems)
    seen_ids: dict[str, str] = {}
    insight_ids: dict[str, str] = {}
    for folder in sorted(p for p in market_root.iterdir() if p.is_dir() and not p.name.startswith(".")):
        market = checker.market(folder, concepts)
        if market is None:
            continue
        if market.id in seen_ids:
            checker.add("error", checker.rel(folder / MARKET_FILE), "id",
                        f"market id '{market.id}' is already used by markets/{seen_ids[market.id]}; ids must be unique", market.id)
            continue
        seen_ids[market.id] = folder.name
        unique = []
        for ins in market.insights:
            if ins.id in insight_ids:
                checker.add("error", checker.rel(folder / INSIGHTS_FILE), f"id {ins.id}",
                            f"insight id '{ins.id}' is already used in markets/{insight_ids[ins.id]}", market.id)
            else:
                insight_ids[ins.id] = folder.name
                unique.append(ins)
        market.insights = unique
        markets.append(market)
    return Catalog(markets, concepts, checker.problems)

