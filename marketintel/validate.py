"""Validate the curated data folder: load each file (``load``), apply the rules (``rules``), return a Catalog.

A problem in one file never stops the others: a bad ``market.yaml`` or ``figures.csv`` drops
that market, a bad row drops that row, a dimension whose shares do not add up drops that
dimension's shares, a bad insight drops that insight. Everything else loads.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TypeVar

from . import load, rules
from .load import pydantic_problems, relative
from .schema import (
    CONCEPTS_FILE,
    CROSSTAB_FILE,
    FIGURES_FILE,
    INSIGHTS_FILE,
    MARKET_FILE,
    SHARES_FILE,
    Catalog,
    Concept,
    Insight,
    MarketData,
    MarketFile,
    Omission,
    Problem,
    SegmentNode,
    Severity,
    flatten_segments,
)
from .settings import Settings
from .settings import settings as load_settings_model

# Names other modules import from here (they are defined in schema and load).
__all__ = [
    "CONCEPTS_FILE",
    "CROSSTAB_FILE",
    "FIGURES_FILE",
    "INSIGHTS_FILE",
    "MARKET_FILE",
    "SHARES_FILE",
    "Catalog",
    "MarketData",
    "Problem",
    "SegmentNode",
    "Severity",
    "flatten_segments",
    "pydantic_problems",
    "validate_data_dir",
]

T = TypeVar("T")


class _Problems(list[Problem]):
    """The problems found so far; ``take`` keeps a step's problems and hands back its result."""

    def take(self, outcome: tuple[T, list[Problem]]) -> T:
        value, problems = outcome
        self.extend(problems)
        return value


def _market(
    folder: Path, root: Path, concepts: dict[str, Concept], settings: Settings, found: _Problems
) -> MarketData | None:
    """One market folder, loaded and checked; None when a problem drops the whole market."""
    spec, stand_in, problems = load.load_market_file_for_checking(folder, root, settings)
    found.extend(problems)
    # Dimensions market.yaml itself left out (a bad field): named, and their shares are not checked again.
    left_out: dict[str, Problem] = {}
    for p in problems:
        match = re.search(r"; dimension '([^']*)' left out, " + re.escape(load.DIMENSION_LEFT_OUT), p.message)
        if match:
            left_out.setdefault(match.group(1), p)
    if spec is None:
        # Refused for its own fields (a wrong currency, say): still check the other files, so every
        # problem is listed at once. The market stays refused.
        if stand_in is not None:
            _check_market(stand_in, folder, root, concepts, settings, found, left_out)
        return None
    return _check_market(spec, folder, root, concepts, settings, found, left_out)


def _check_market(
    spec: MarketFile,
    folder: Path,
    root: Path,
    concepts: dict[str, Concept],
    settings: Settings,
    found: _Problems,
    left_out: dict[str, Problem],
) -> MarketData | None:
    def file(name: str) -> str:
        return relative(folder / name, root)

    source_problems = rules.source_problems(spec, file(MARKET_FILE))
    found.extend(source_problems)
    if source_problems:
        return None
    spec = found.take(rules.edition_problems(spec, file(MARKET_FILE)))
    declared = [(d.source, d.key) for d in spec.dimensions]
    start = len(found)
    dimensions = found.take(rules.check_dimensions(spec, concepts, settings, file(MARKET_FILE)))
    market = MarketData(spec=spec.model_copy(update={"dimensions": dimensions}), folder=folder.name)
    dropped = [key for src, key in declared if (src, key) not in {(d.source, d.key) for d in dimensions}]
    market.omitted = [*left_out.items(), *((key, _first_error(found[start:], key)) for key in dropped)]
    found.extend(rules.claim_problems(market, file(MARKET_FILE)))

    mid = market.id
    figure_rows = found.take(load.load_figures(folder, root, settings, mid))
    if figure_rows is not None:
        market.figures = found.take(rules.check_figures(market.spec, figure_rows, settings, file(FIGURES_FILE)))
        found.extend(rules.cagr_problems(market.spec, market.figures, settings, file(MARKET_FILE)))
    primary_problems = rules.primary_figure_problems(market, file(FIGURES_FILE))
    found.extend(primary_problems)

    start = len(found)
    share_rows = found.take(load.load_shares(folder, root, settings, mid))
    skipped = sorted({r.dimension for _, r in share_rows if r.dimension in left_out})
    if skipped:
        share_rows = [(line, r) for line, r in share_rows if r.dimension not in left_out]
        found.extend(
            Problem(
                "warning",
                file(SHARES_FILE),
                f"dimension {d}",
                f"shares for '{d}' were not loaded: {MARKET_FILE} left the dimension out (see its problem)",
                mid,
            )
            for d in skipped
        )
    given = {(r.source_id, r.dimension) for _, r in share_rows}  # the dimensions shares.csv gives shares for
    share_rows = found.take(rules.check_share_rows(market, share_rows, file(SHARES_FILE)))
    market.shares = found.take(rules.check_share_sums(market, [r for _, r in share_rows], settings, file(SHARES_FILE)))
    share_errors = [p for p in found[start:] if p.severity == "error"]
    if share_errors:  # a dimension whose shares were refused: named on the pages that would show it
        with_shares = {(s.source_id, s.dimension) for s in market.shares}
        unreadable = not given and any(p.location == "" for p in share_errors)
        primary = market.primary_source.id
        for dim in market.spec.dimensions:
            key = (market.dimension_source(dim), dim.key)
            # An unreadable file: every breakdown of the primary source (the ones the Explorer shows) is lost.
            if key not in with_shares and (key in given or (unreadable and key[0] == primary)):
                market.omitted.append((dim.key, _first_error(share_errors, dim.key)))

    cells = found.take(load.load_crosstab(folder, root, settings, mid))
    cells = found.take(rules.check_crosstab_rows(market, cells, file(CROSSTAB_FILE)))
    market.crosstab = found.take(rules.check_crosstab_sums(market, cells, settings, file(CROSSTAB_FILE)))

    insights = found.take(load.load_insights(folder, root, settings, mid))
    if left_out:  # an insight tagged with a left-out dimension's segment keeps its text, without that tag
        insights = [(i, _untag(ins, left_out, file(INSIGHTS_FILE), i, mid, found)) for i, ins in insights]
    market.insights = found.take(rules.check_insights(market, insights, file(INSIGHTS_FILE)))
    found.extend(rules.insight_number_problems(market, file(INSIGHTS_FILE)))
    # Checked to the end so every problem is listed; a market without its primary figures still goes.
    return None if primary_problems else market


def _untag(ins: Insight, left_out: dict[str, Problem], file: str, index: int, mid: str, found: _Problems) -> Insight:
    """``ins`` without its tags on dimensions market.yaml left out, each dropped tag named in a warning."""
    dropped = [ref for ref in ins.segments if ref.split("/", 1)[0] in left_out]
    if not dropped:
        return ins
    found.append(
        Problem(
            "warning",
            file,
            f"insights[{index}] ({ins.id}).segments",
            f"tag(s) {', '.join(dropped)} not used: {MARKET_FILE} left the dimension out (see its problem); "
            "the insight is shown without them",
            mid,
        )
    )
    return ins.model_copy(update={"segments": [ref for ref in ins.segments if ref not in dropped]})


def _first_error(problems: list[Problem], key: str | None = None) -> Problem | None:
    """The first error among ``problems`` that names ``key`` (a dimension), else the first error."""
    errors = [p for p in problems if p.severity == "error"]
    named = [p for p in errors if key and (f"'{key}'" in p.message or f" {key}" in f" {p.location}")]
    return (named or errors or [None])[0]


def _omission(kind: str, folder: str, market_id: str | None, dimension: str | None, why: Problem | None) -> Omission:
    return Omission(
        kind,  # type: ignore[arg-type]
        folder,
        market_id,
        dimension,
        why.file if why else "",
        why.location if why else "",
        why.message if why else "was not loaded",
    )


def validate_data_dir(root: Path, settings: Settings | None = None) -> Catalog:
    """Validate every market under ``root/markets``; return what loaded, every problem and what was left out."""
    settings = settings or load_settings_model()
    found = _Problems()
    concepts = found.take(load.load_concepts(root, settings))
    markets: list[MarketData] = []
    omissions: list[Omission] = []
    market_ids: dict[str, str] = {}  # id -> folder, for the markets accepted so far
    insight_ids: dict[str, str] = {}
    for folder in found.take(load.market_folders(root)):
        start = len(found)
        market = _market(folder, root, concepts, settings, found)
        if market is None:
            why = _first_error(found[start:])
            omissions.append(_omission("market", folder.name, why.market_id if why else None, None, why))
            continue
        clash = rules.market_id_problems(market, market_ids, relative(folder / MARKET_FILE, root))
        found.extend(clash)
        if clash:
            omissions.append(_omission("market", folder.name, market.id, None, clash[0]))
            continue
        market_ids[market.id] = folder.name
        market.insights = found.take(
            rules.check_insight_ids(market, insight_ids, relative(folder / INSIGHTS_FILE, root))
        )
        insight_ids.update({ins.id: folder.name for ins in market.insights})
        markets.append(market)
        omissions += [_omission("dimension", folder.name, market.id, key, why) for key, why in market.omitted]
    if (root / "markets").is_dir():
        found.extend(load.unread_files(root))
    return Catalog(markets, concepts, list(found), omissions=omissions)
