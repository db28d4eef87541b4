"""Validate the curated data folder: load each file (``load``), apply the rules (``rules``), return a Catalog.

A problem in one file never stops the others: a bad ``market.yaml`` or ``figures.csv`` drops
that market, a bad row drops that row, a dimension whose shares do not add up drops that
dimension's shares, a bad insight drops that insight. Everything else loads.
"""

from __future__ import annotations

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
    MarketData,
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

    def file(name: str) -> str:
        return relative(folder / name, root)

    spec = found.take(load.load_market_file(folder, root, settings))
    if spec is None:
        return None
    source_problems = rules.source_problems(spec, file(MARKET_FILE))
    found.extend(source_problems)
    if source_problems:
        return None
    spec = found.take(rules.edition_problems(spec, file(MARKET_FILE)))
    dimensions = found.take(rules.check_dimensions(spec, concepts, settings, file(MARKET_FILE)))
    market = MarketData(spec=spec.model_copy(update={"dimensions": dimensions}), folder=folder.name)
    found.extend(rules.claim_problems(market, file(MARKET_FILE)))

    mid = market.id
    figure_rows = found.take(load.load_figures(folder, root, settings, mid))
    if figure_rows is not None:
        market.figures = found.take(rules.check_figures(market.spec, figure_rows, settings, file(FIGURES_FILE)))
        found.extend(rules.cagr_problems(market.spec, market.figures, settings, file(MARKET_FILE)))
    primary_problems = rules.primary_figure_problems(market, file(FIGURES_FILE))
    found.extend(primary_problems)
    if primary_problems:
        return None

    share_rows = found.take(load.load_shares(folder, root, settings, mid))
    share_rows = found.take(rules.check_share_rows(market, share_rows, file(SHARES_FILE)))
    market.shares = found.take(rules.check_share_sums(market, [r for _, r in share_rows], settings, file(SHARES_FILE)))

    cells = found.take(load.load_crosstab(folder, root, settings, mid))
    cells = found.take(rules.check_crosstab_rows(market, cells, file(CROSSTAB_FILE)))
    market.crosstab = found.take(rules.check_crosstab_sums(market, cells, settings, file(CROSSTAB_FILE)))

    insights = found.take(load.load_insights(folder, root, settings, mid))
    market.insights = found.take(rules.check_insights(market, insights, file(INSIGHTS_FILE)))
    found.extend(rules.insight_number_problems(market, file(INSIGHTS_FILE)))
    return market


def validate_data_dir(root: Path, settings: Settings | None = None) -> Catalog:
    """Validate every market under ``root/markets``; return what loaded and every problem."""
    settings = settings or load_settings_model()
    found = _Problems()
    concepts = found.take(load.load_concepts(root, settings))
    markets: list[MarketData] = []
    market_ids: dict[str, str] = {}  # id -> folder, for the markets accepted so far
    insight_ids: dict[str, str] = {}
    for folder in found.take(load.market_folders(root)):
        market = _market(folder, root, concepts, settings, found)
        if market is None:
            continue
        clash = rules.market_id_problems(market, market_ids, relative(folder / MARKET_FILE, root))
        found.extend(clash)
        if clash:
            continue
        market_ids[market.id] = folder.name
        market.insights = found.take(
            rules.check_insight_ids(market, insight_ids, relative(folder / INSIGHTS_FILE, root))
        )
        insight_ids.update({ins.id: folder.name for ins in market.insights})
        markets.append(market)
    events = found.take(load.load_events(root, settings))
    events = found.take(rules.event_problems(events, markets, set(settings.event_kinds)))
    return Catalog(markets, concepts, list(found), events)
