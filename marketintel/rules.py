"""Cross-record rules: pure functions from loaded models (and settings) to the problems they find.

No rule reads a file or a global: what it needs comes in as parameters, and ``file`` is the
data-folder-relative name its problems are filed under. A rule that refuses records returns
``(kept, problems)``; a rule that only reports returns its problems. Rows arrive as
``(line, row)`` so a problem can name the CSV line.
"""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Mapping, TypeVar

from .schema import (
    CONCEPTS_FILE,
    EVENTS_FILE,
    FIGURES_FILE,
    MARKET_FILE,
    SHARES_FILE,
    Concept,
    CrosstabRow,
    Dimension,
    FigureRow,
    Insight,
    MarketData,
    MarketFile,
    Problem,
    ShareRow,
    flatten_segments,
)
from .series import cagr_pct
from .settings import Settings

T = TypeVar("T")
Lined = list[tuple[int, T]]


# -- market.yaml -----------------------------------------------------------------------------


def source_problems(spec: MarketFile, file: str) -> list[Problem]:
    """Source ids are unique and exactly one source is primary; either problem drops the market."""
    ids = [s.id for s in spec.sources]
    dupes = {i for i in ids if ids.count(i) > 1}
    if dupes:
        return [
            Problem(
                "error",
                file,
                "sources",
                f"source id(s) {', '.join(sorted(dupes))} used more than once; ids must be unique",
                spec.id,
            )
        ]
    primaries = [s.id for s in spec.sources if s.primary]
    if len(primaries) != 1:
        return [
            Problem(
                "error", file, "sources", f"exactly one source must have primary: true, found {len(primaries)}", spec.id
            )
        ]
    return []


def edition_problems(spec: MarketFile, file: str) -> tuple[MarketFile, list[Problem]]:
    """``edition_of`` names another source of the same market that is not itself an edition of a third.

    A bad reference is a warning: the source stays, shown as a report of its own.
    """
    by_id = {s.id: s for s in spec.sources}
    problems, kept = [], []
    for i, src in enumerate(spec.sources):
        target = by_id.get(src.edition_of) if src.edition_of else None
        why = None
        if src.edition_of and (target is None or target.id == src.id):
            why = f"edition_of '{src.edition_of}' names no other source of this market"
        elif target is not None and target.edition_of:
            why = (
                f"edition_of '{src.edition_of}' is itself an edition of '{target.edition_of}'; "
                f"point every edition at the current one ('{target.edition_of}')"
            )
        if why:
            problems.append(
                Problem("warning", file, f"sources[{i}].edition_of", why + "; shown as a report of its own", spec.id)
            )
            src = src.model_copy(update={"edition_of": None})
        kept.append(src)
    return (spec.model_copy(update={"sources": kept}) if problems else spec), problems


def check_dimensions(
    spec: MarketFile, concepts: Mapping[str, Concept], settings: Settings, file: str
) -> tuple[list[Dimension], list[Problem]]:
    """Dimensions that are known, name a listed source, appear once per source and have unique segment keys.

    A kept dimension's segments are also checked for a known concept and a Chinese label
    (warnings). Expects ``source_problems`` to have passed (one primary source).
    """
    mid = spec.id
    ids = [s.id for s in spec.sources]
    primary = next(s.id for s in spec.sources if s.primary)
    kept: list[Dimension] = []
    problems: list[Problem] = []
    seen: set[tuple[str, str]] = set()
    for i, dim in enumerate(spec.dimensions):
        where = f"dimensions[{i}] ({dim.key})"
        src = dim.source or primary
        if dim.key not in settings.dimensions:
            problems.append(
                Problem(
                    "error",
                    file,
                    f"{where}.key",
                    f"unknown dimension '{dim.key}'; expected one of {', '.join(settings.dimensions)}",
                    mid,
                )
            )
            continue
        if src not in ids:
            problems.append(
                Problem(
                    "error",
                    file,
                    f"{where}.source",
                    f"names source '{src}', which is not in sources ({', '.join(ids)})",
                    mid,
                )
            )
            continue
        if (src, dim.key) in seen:
            problems.append(
                Problem("error", file, where, f"dimension '{dim.key}' is defined twice for source '{src}'", mid)
            )
            continue
        nodes = flatten_segments(dim)
        keys = [n.key for n in nodes]
        dup_keys = sorted({k for k in keys if keys.count(k) > 1})
        if dup_keys:
            problems.append(
                Problem(
                    "error",
                    file,
                    f"{where}.segments",
                    f"segment key(s) {', '.join(dup_keys)} appear more than once in this dimension",
                    mid,
                )
            )
            continue
        for n in nodes:
            # Without a concepts file there is nothing to check concepts against.
            if n.concept and concepts and n.concept not in concepts:
                problems.append(
                    Problem(
                        "warning",
                        file,
                        f"{where}.segments.{n.key}.concept",
                        f"unknown concept '{n.concept}'; add it to {CONCEPTS_FILE} or fix the key",
                        mid,
                    )
                )
            if n.label.zh is None:
                problems.append(
                    Problem("warning", file, f"{where}.segments.{n.key}.label.zh", "has no Chinese label", mid)
                )
        seen.add((src, dim.key))
        kept.append(dim)
    return kept, problems


def claim_problems(market: MarketData, file: str) -> list[Problem]:
    """Each claim names a segment of a dimension its source defines (warnings; claims are kept)."""
    problems = []
    for i, claim in enumerate(market.spec.claims):
        dim = market.dimensions_of(claim.source).get(claim.dimension)
        if dim is None or claim.segment not in {n.key for n in flatten_segments(dim)}:
            problems.append(
                Problem(
                    "warning",
                    file,
                    f"claims[{i}]",
                    f"refers to {claim.source}/{claim.dimension}/{claim.segment}, which is not defined",
                    market.id,
                )
            )
    return problems


# -- figures.csv -----------------------------------------------------------------------------


def check_figures(
    spec: MarketFile, rows: Lined[FigureRow], settings: Settings, file: str
) -> tuple[list[FigureRow], list[Problem]]:
    """Figures of a listed source, in a year inside the window, of a plausible size, one per source and year."""
    limits, mid = settings.validation, spec.id
    sources = [s.id for s in spec.sources]
    kept: list[FigureRow] = []
    problems: list[Problem] = []
    seen: set[tuple[str, int]] = set()
    for line, row in rows:
        where = f"line {line}"
        if row.source_id not in sources:
            problems.append(
                Problem(
                    "error",
                    file,
                    f"{where}, column source_id",
                    f"unknown source '{row.source_id}'; expected one of {', '.join(sources)}",
                    mid,
                )
            )
        elif not limits.min_year <= row.year <= limits.max_year:
            problems.append(
                Problem(
                    "error",
                    file,
                    f"{where}, column year",
                    f"year {row.year} is outside {limits.min_year}-{limits.max_year}",
                    mid,
                )
            )
        elif row.value > limits.max_market_size_usd_bn or row.value == 0:
            problems.append(
                Problem(
                    "error",
                    file,
                    f"{where}, column value",
                    f"{row.value} USD bn is not a plausible market size (expected more than 0 and at "
                    f"most {limits.max_market_size_usd_bn})",
                    mid,
                )
            )
        elif (row.source_id, row.year) in seen:
            problems.append(
                Problem("error", file, where, f"a second figure for {row.source_id} in {row.year}; keep one", mid)
            )
        else:
            seen.add((row.source_id, row.year))
            kept.append(row)
    return kept, problems


def cagr_problems(spec: MarketFile, figures: list[FigureRow], settings: Settings, file: str) -> list[Problem]:
    """The primary source's stated CAGR agrees with its figures for the two end years (warnings, on market.yaml).

    Only the primary's: its period is curated (``cagr.basis``) and the dashboard's headline rests on it.
    Another publisher's rate is shown as stated, beside the rate its own figures imply; where the two
    disagree the Sources view says so, because that gap is a finding about the source, not a data error.
    """
    tolerance = settings.validation.cagr_tolerance_pp
    by_source: dict[str, dict[int, float]] = defaultdict(dict)
    for f in figures:
        by_source[f.source_id][f.year] = f.value
    problems = []
    for i, src in enumerate(spec.sources):
        c = src.cagr
        if c is None or not src.primary:
            continue
        if not c.has_period:
            problems.append(
                Problem(
                    "warning",
                    file,
                    f"sources[{i}].cagr",
                    "the primary source's CAGR needs its period "
                    "(start_year and end_year): the headline growth rate is shown with it",
                    spec.id,
                )
            )
            continue
        pts = by_source.get(src.id, {})
        where = f"sources[{i}].cagr"
        if c.start_year not in pts or c.end_year not in pts:
            problems.append(
                Problem(
                    "warning",
                    file,
                    where,
                    f"CAGR {c.value_pct}% over {c.start_year}-{c.end_year} cannot be checked: {FIGURES_FILE} lacks a figure for "
                    + " and ".join(str(y) for y in (c.start_year, c.end_year) if y not in pts),
                    spec.id,
                )
            )
            continue
        implied = cagr_pct(pts[c.start_year], pts[c.end_year], c.end_year - c.start_year)
        if abs(implied - c.value_pct) > tolerance:
            problems.append(
                Problem(
                    "warning",
                    file,
                    where,
                    f"stated CAGR {c.value_pct}% does not reconcile with the figures: {pts[c.start_year]} ({c.start_year}) to "
                    f"{pts[c.end_year]} ({c.end_year}) implies {implied:.2f}% (tolerance {tolerance} pp)",
                    spec.id,
                )
            )
    return problems


def primary_figure_problems(market: MarketData, file: str) -> list[Problem]:
    """The primary source has at least one usable figure; without one the market is not loaded."""
    primary = market.primary_source.id
    if any(f.source_id == primary for f in market.figures):
        return []
    return [
        Problem(
            "error",
            file,
            "",
            f"no usable figure for the primary source '{primary}'; market '{market.id}' is not loaded",
            market.id,
        )
    ]


# -- shares.csv ------------------------------------------------------------------------------


def _window(market: MarketData, source_id: str) -> tuple[int, int] | None:
    years = [f.year for f in market.figures if f.source_id == source_id]
    return (min(years), max(years)) if years else None


def check_share_rows(market: MarketData, rows: Lined[ShareRow], file: str) -> tuple[Lined[ShareRow], list[Problem]]:
    """Shares of a known source, dimension and segment, in the source's figure years, one per segment and year."""
    mid = market.id
    kept: Lined[ShareRow] = []
    problems: list[Problem] = []
    seen: set[tuple[str, str, str, int]] = set()
    for line, row in rows:
        where = f"line {line}"
        dims = market.dimensions_of(row.source_id)
        window = _window(market, row.source_id)
        if not dims:
            problems.append(
                Problem(
                    "error",
                    file,
                    f"{where}, column source_id",
                    f"source '{row.source_id}' has no dimensions in {MARKET_FILE}",
                    mid,
                )
            )
        elif row.dimension not in dims:
            problems.append(
                Problem(
                    "error",
                    file,
                    f"{where}, column dimension",
                    f"unknown dimension '{row.dimension}' for source {row.source_id}; expected one of "
                    f"{', '.join(dims)}",
                    mid,
                )
            )
        elif row.segment not in {n.key for n in flatten_segments(dims[row.dimension])}:
            problems.append(
                Problem(
                    "error",
                    file,
                    f"{where}, column segment",
                    f"unknown segment '{row.segment}' in dimension '{row.dimension}'",
                    mid,
                )
            )
        elif window is None or not (window[0] <= row.year <= window[1]):
            problems.append(
                Problem(
                    "error",
                    file,
                    f"{where}, column year",
                    f"year {row.year} is outside the source's forecast window "
                    f"{'(no figures)' if window is None else f'{window[0]}-{window[1]}'}",
                    mid,
                )
            )
        elif (key := (row.source_id, row.dimension, row.segment, row.year)) in seen:
            problems.append(
                Problem(
                    "error",
                    file,
                    where,
                    f"a second share for {row.dimension}/{row.segment} in {row.year}; keep one",
                    mid,
                )
            )
        else:
            seen.add(key)
            kept.append((line, row))
    return kept, problems


def check_share_sums(
    market: MarketData, rows: list[ShareRow], settings: Settings, file: str
) -> tuple[list[ShareRow], list[Problem]]:
    """Per dimension and year: every segment has a share, top-level shares make 100 %, children make their parent.

    Any error drops that dimension's shares (and says so in a warning); other dimensions keep theirs.
    Expects rows that passed ``check_share_rows``.
    """
    tol, mid = settings.validation.share_sum_tolerance_pct, market.id
    grouped: dict[tuple[str, str], list[ShareRow]] = defaultdict(list)
    for row in rows:
        grouped[(row.source_id, row.dimension)].append(row)
    kept: list[ShareRow] = []
    problems: list[Problem] = []
    for (src, dim_key), dim_rows in grouped.items():
        nodes = flatten_segments(market.dimensions_of(src)[dim_key])
        ok = True
        by_year: dict[int, dict[str, float]] = defaultdict(dict)
        for r in dim_rows:
            by_year[r.year][r.segment] = r.share_pct
        for year, shares in sorted(by_year.items()):
            missing = [n.key for n in nodes if n.key not in shares]
            if missing:
                problems.append(
                    Problem(
                        "error",
                        file,
                        f"dimension {dim_key}, year {year}",
                        f"no share for segment(s) {', '.join(missing)}; every segment needs one in each year given",
                        mid,
                    )
                )
                ok = False
                continue
            top = sum(shares[n.key] for n in nodes if n.parent is None)
            if abs(top - 100) > tol:
                problems.append(
                    Problem(
                        "error",
                        file,
                        f"dimension {dim_key}, year {year}",
                        f"top-level shares sum to {top:.1f}%, expected 100% (± {tol})",
                        mid,
                    )
                )
                ok = False
            for n in nodes:
                if n.children:
                    total = sum(shares[c] for c in n.children)
                    if abs(total - shares[n.key]) > tol:
                        problems.append(
                            Problem(
                                "error",
                                file,
                                f"dimension {dim_key}, year {year}, segment {n.key}",
                                f"children ({', '.join(n.children)}) sum to {total:.1f}%, but '{n.key}' is "
                                f"{shares[n.key]:.1f}% (± {tol})",
                                mid,
                            )
                        )
                        ok = False
        if ok:
            kept.extend(dim_rows)
        else:
            problems.append(
                Problem(
                    "warning",
                    file,
                    f"dimension {dim_key}",
                    f"shares for '{dim_key}' were not loaded because of the errors above",
                    mid,
                )
            )
    return kept, problems


# -- crosstab.csv ----------------------------------------------------------------------------


def _primary_shares(market: MarketData) -> dict[tuple[str, str, int], float]:
    primary = market.primary_source.id
    return {(r.dimension, r.segment, r.year): r.share_pct for r in market.shares if r.source_id == primary}


def check_crosstab_rows(
    market: MarketData, rows: Lined[CrosstabRow], file: str
) -> tuple[list[CrosstabRow], list[Problem]]:
    """Cells of two of the primary source's dimensions, top-level segments only, in a year with loaded shares."""
    dims = market.dimensions_of(market.primary_source.id)
    share = _primary_shares(market)
    kept: list[CrosstabRow] = []
    problems: list[Problem] = []
    for line, row in rows:
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
            problems.append(Problem("error", file, f"line {line}, column {bad[0]}", bad[1], market.id))
        else:
            kept.append(row)
    return kept, problems


def check_crosstab_sums(
    market: MarketData, rows: list[CrosstabRow], settings: Settings, file: str
) -> tuple[list[CrosstabRow], list[Problem]]:
    """Per pair of dimensions and year, each segment's cells add up to its share in shares.csv.

    A pair and year that does not reconcile is dropped whole. Expects rows that passed
    ``check_crosstab_rows``.
    """
    tol = settings.validation.share_sum_tolerance_pct
    dims = market.dimensions_of(market.primary_source.id)
    share = _primary_shares(market)
    grouped: dict[tuple[str, str, int], list[CrosstabRow]] = defaultdict(list)
    for r in rows:
        grouped[(r.dimension_a, r.dimension_b, r.year)].append(r)
    kept: list[CrosstabRow] = []
    problems: list[Problem] = []
    for (da, db, year), cells in grouped.items():
        ok = True
        for d, side in ((da, "a"), (db, "b")):
            for seg in dims[d].segments:
                total = sum(c.share_pct for c in cells if getattr(c, f"segment_{side}") == seg.key)
                if abs(total - share[(d, seg.key, year)]) > tol:
                    problems.append(
                        Problem(
                            "error",
                            file,
                            f"{da} x {db}, year {year}, {d}={seg.key}",
                            f"cells sum to {total:.1f}%, but {SHARES_FILE} gives {d}/{seg.key} "
                            f"{share[(d, seg.key, year)]:.1f}% (± {tol})",
                            market.id,
                        )
                    )
                    ok = False
        if ok:
            kept.extend(cells)
    return kept, problems


# -- insights.yaml ---------------------------------------------------------------------------


def check_insights(
    market: MarketData, insights: list[tuple[int, Insight]], file: str
) -> tuple[list[Insight], list[Problem]]:
    """Insights citing a listed source, and regions and ``dimension/segment`` keys the market defines.

    Insights arrive as ``(index in the file's list, insight)``.
    """
    mid = market.id
    sources = {s.id for s in market.spec.sources}
    primary = market.primary_source.id
    kept: list[Insight] = []
    problems: list[Problem] = []
    for i, ins in insights:
        where = f"insights[{i}] ({ins.id})"
        if ins.source not in sources:
            problems.append(
                Problem(
                    "error",
                    file,
                    f"{where}.source",
                    f"unknown source '{ins.source}'; expected one of {', '.join(sorted(sources))}",
                    mid,
                )
            )
            continue
        # An insight may cite a secondary source yet tag segments of the primary source's dimensions.
        dims = {**market.dimensions_of(ins.source), **market.dimensions_of(primary)}
        keys = {d: {n.key for n in flatten_segments(dim)} for d, dim in dims.items()}
        region_keys = keys.get("region", set())
        bad_regions = [r for r in ins.regions if r not in region_keys]
        bad_segments = [ref for ref in ins.segments if ref.split("/")[1] not in keys.get(ref.split("/")[0], set())]
        if bad_regions:
            problems.append(
                Problem(
                    "error",
                    file,
                    f"{where}.regions",
                    f"unknown region(s) {', '.join(bad_regions)}; expected from {', '.join(sorted(region_keys))}",
                    mid,
                )
            )
            continue
        if bad_segments:
            problems.append(
                Problem(
                    "error",
                    file,
                    f"{where}.segments",
                    f"unknown segment(s) {', '.join(bad_segments)}; write them as dimension/segment "
                    f"keys from {MARKET_FILE}",
                    mid,
                )
            )
            continue
        kept.append(ins)
    return kept, problems


# -- across markets --------------------------------------------------------------------------


def market_id_problems(market: MarketData, taken: Mapping[str, str], file: str) -> list[Problem]:
    """The market's id is not already used; ``taken`` maps the ids accepted so far to their folders."""
    if market.id not in taken:
        return []
    return [
        Problem(
            "error",
            file,
            "id",
            f"market id '{market.id}' is already used by markets/{taken[market.id]}; ids must be unique",
            market.id,
        )
    ]


def check_insight_ids(market: MarketData, taken: Mapping[str, str], file: str) -> tuple[list[Insight], list[Problem]]:
    """Insights whose id no earlier insight has; ``taken`` maps the ids accepted so far to their folders."""
    seen = dict(taken)
    kept: list[Insight] = []
    problems: list[Problem] = []
    for ins in market.insights:
        if ins.id in seen:
            problems.append(
                Problem(
                    "error",
                    file,
                    f"id {ins.id}",
                    f"insight id '{ins.id}' is already used in markets/{seen[ins.id]}",
                    market.id,
                )
            )
        else:
            seen[ins.id] = market.folder
            kept.append(ins)
    return kept, problems


# Money and rates quoted in prose: "USD 1.35 billion", "145.08 bn", "28.76%", "13.5亿美元".
_QUOTED_MONEY_EN = re.compile(r"(?:USD\s*)?(\d+(?:,\d{3})*(?:\.\d+)?)\s*(?:billion|bn)\b")
_QUOTED_MONEY_ZH = re.compile(r"(\d+(?:,\d{3})*(?:\.\d+)?)\s*亿美元")
_QUOTED_RATE = re.compile(r"(\d+(?:\.\d+)?)\s*(?:%|percent\b)")


def insight_number_problems(market: MarketData, file: str) -> list[Problem]:
    """A money figure or rate quoted in an insight that matches no figure or stated CAGR of its market (warnings).

    Curated prose that repeats a number must stay true when the data changes; a number that
    matches nothing is either stale or not from the sources.
    """
    sizes = [f.value for f in market.figures]
    # A percentage may be a stated growth rate or one of the market's curated share estimates.
    rates = [s.cagr.value_pct for s in market.spec.sources if s.cagr] + [r.share_pct for r in market.shares]

    def known(value: float, pool: list[float], tolerance: float) -> bool:
        return any(abs(value - v) <= tolerance for v in pool)

    problems = []
    for i, ins in enumerate(market.insights):
        for lang, text in (("en", ins.text.en), ("zh", ins.text.zh or "")):
            quoted = []
            money = _QUOTED_MONEY_ZH if lang == "zh" else _QUOTED_MONEY_EN
            for m in money.finditer(text):
                value = float(m.group(1).replace(",", ""))
                # 亿美元 are tenths of a billion, written to one decimal: 13.5亿美元 is USD 1.35 bn.
                bn, tolerance = (value / 10, 0.05) if lang == "zh" else (value, 0.005)
                if not known(bn, sizes, tolerance):
                    quoted.append(m.group(0).strip())
            for m in _QUOTED_RATE.finditer(text):
                if not known(float(m.group(1)), rates, 0.005):
                    quoted.append(m.group(0).strip())
            if quoted:
                problems.append(
                    Problem(
                        "warning",
                        file,
                        f"insights[{i}] ({ins.id}).text.{lang}",
                        f"quotes {', '.join(quoted)}, which matches no figure in {FIGURES_FILE}, no share in {SHARES_FILE} "
                        f"and no stated CAGR in {MARKET_FILE}; quote the figure as the data has it, or say it without "
                        "the number",
                        market.id,
                    )
                )
    return problems


def event_problems(events, markets, kinds) -> tuple[list, list[Problem]]:
    """Events that name a market, source or kind that does not exist (each dropped, with a problem),
    and ids used twice; the rest are returned to be drawn."""
    market_ids = {m.id for m in markets}
    source_ids = {s.id for m in markets for s in m.spec.sources}
    kept, problems, seen = [], [], set()
    for i, e in enumerate(events):
        where = f"events[{i}] ({e.id})"
        found = []
        if e.id in seen:
            found.append(f"id '{e.id}' is used twice; give each event its own id")
        if e.kind not in kinds:
            found.append(f"kind '{e.kind}' is not one of {', '.join(sorted(kinds))} (config.yaml event_kinds)")
        unknown_markets = [] if e.markets == "all" else [m for m in e.markets if m not in market_ids]
        if unknown_markets:
            found.append(f"unknown market {', '.join(unknown_markets)}; use a market id from data/markets, or all")
        unknown_sources = [s for s in e.sources if s not in source_ids]
        if unknown_sources:
            found.append(f"unknown source {', '.join(unknown_sources)}; use a source id from a market.yaml")
        seen.add(e.id)
        problems += [Problem("error", EVENTS_FILE, where, msg) for msg in found]
        if not found:
            kept.append(e)
    return kept, problems
