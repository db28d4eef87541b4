"""The project's settings: ``config.yaml`` read once into frozen, validated models.

An unknown or misspelt key is an error that names it (``extra="forbid"``), so a setting that
nothing reads cannot linger. Code asks for ``settings()``; tests that need other values build
a copy with ``settings().model_copy(update=...)`` and pass it in, never mutating the shared one.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import ClassVar

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

ROOT = Path(__file__).resolve().parent.parent
CONFIG_PATH = ROOT / "config.yaml"


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class AppSettings(_Frozen):
    title: str
    # The address links to a view start with (slides, workbooks). Empty: the one the browser used.
    base_url: str = ""


class Paths(_Frozen):
    data_dir: str
    database: str
    seeds_dir: str
    history_dir: str


class TeamSettings(_Frozen):
    """Who curates: e-mails (compared case-insensitively) or groups named in the ID token's ``group_claim``."""

    curator_emails: list[str] = Field(default_factory=list)
    curator_groups: list[str] = Field(default_factory=list)
    group_claim: str = "groups"


class Units(_Frozen):
    money_axis: str
    cagr_axis: str
    index_axis: str


class MoneyFormat(_Frozen):
    """How money reads in one language: USD bn scaled by ``factor`` into ``unit``."""

    factor: float = Field(gt=0)
    unit: str
    decimals: int = Field(ge=0, le=6)
    pattern: str


class ValidationSettings(_Frozen):
    share_sum_tolerance_pct: float = Field(ge=0)
    cagr_tolerance_pp: float = Field(ge=0)
    max_file_bytes: int = Field(gt=0)
    max_yaml_aliases: int = Field(ge=0)
    min_year: int
    max_year: int
    max_market_size_usd_bn: float = Field(gt=0)


class ProvenanceWords(_Frozen):
    label: str
    describe: str


class ProvenanceSettings(_Frozen):
    reported: ProvenanceWords
    derived: ProvenanceWords
    estimate: ProvenanceWords
    scenario: ProvenanceWords
    estimate_suffix: str

    #: The provenances, in the order they are explained.
    NAMES: ClassVar[tuple[str, ...]] = ("reported", "derived", "estimate", "scenario")


class Hatch(_Frozen):
    """How an estimate is hatched: on screen (Plotly pattern) and on a slide (a pattern fill)."""

    shape: str
    color: str
    size: int
    pptx_pattern: str
    tint: float = Field(ge=0, le=1)


class PointMark(_Frozen):
    symbol: str
    size: int


class Marks(_Frozen):
    """Point markers by provenance, and the line style of estimates."""

    reported: PointMark
    derived: PointMark
    scenario: PointMark  # a scenario's points: never a published figure
    scenario_dash: str
    scenario_opacity: float = Field(gt=0, le=1)
    estimate_dash: str
    line_width: float
    superseded_dash: str  # an earlier edition of a report
    bubble_min: int = Field(gt=0)  # a bubble's diameter (px on screen), smallest and largest
    bubble_max: int = Field(gt=0)


class Theme(_Frozen):
    """Colours, fonts, hatching and markers: everything a renderer draws with."""

    font_family: str
    font_size: int
    title_size: int
    height: int
    background: str
    grid_color: str
    text_color: str
    subtitle_color: str
    note_color: str
    link_color: str
    axis_color: str
    treemap_root_color: str
    outline_color: str
    market_colors: dict[str, str]
    fallback_market_colors: list[str] = Field(min_length=1)
    segment_colors: list[str] = Field(min_length=1)
    hatch: Hatch
    marks: Marks
    consensus_color: str
    event_color: str  # event markers on time charts
    callout_color: str  # CAGR arrows
    band_opacity: float = Field(ge=0, le=1)
    source_colors: list[str] = Field(min_length=1)


class ConsensusSettings(_Frozen):
    outlier_factor: float = Field(gt=1)
    min_others: int = Field(ge=1)
    cagr_tolerance_pp: float = Field(ge=0)


class ImageSettings(_Frozen):
    width: int
    height: int
    scale: float


class ExportSettings(_Frozen):
    pptx_template: str | None = None
    pptx_font: str
    pptx_font_east_asian: str | None = None
    deck_title: str
    formula_prefixes: list[str]


class DimensionLabel(_Frozen):
    en: str
    zh: str


class ScenarioSettings(_Frozen):
    """Bear and bull defaults: the publishers' lowest and highest growth where enough of them have a
    usable span, else the primary's CAGR minus / plus ``spread_pp``."""

    spread_pp: float = Field(gt=0)
    min_sources: int = Field(ge=2)
    min_span_years: int = Field(ge=1)
    obtainable_share_pct: float = Field(ge=0, le=100)  # the opportunity sizing's default share


class Settings(_Frozen):
    app: AppSettings
    paths: Paths
    units: Units
    money_format: dict[str, MoneyFormat]
    validation: ValidationSettings
    provenance: ProvenanceSettings
    theme: Theme
    image: ImageSettings
    insight_topics: dict[str, str]
    overlap_note: str
    dimensions: dict[str, DimensionLabel]
    core_filter_dimensions: list[str]
    filter_pills_max: int = Field(ge=0)
    consensus: ConsensusSettings
    scenarios: ScenarioSettings
    event_kinds: dict[str, DimensionLabel]
    export: ExportSettings
    overview_max_markets: int = Field(gt=0)
    team: TeamSettings


class SettingsError(ValueError):
    """config.yaml is not valid: the message names each key and what is wrong with it."""


def parse_settings(raw: object, where: str = "config.yaml") -> Settings:
    """Validate a parsed config document; every problem names its key."""
    try:
        return Settings.model_validate(raw)
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            key = ".".join(str(p) for p in err["loc"]) or "(top level)"
            why = "unknown key (misspelt, or no longer used)" if err["type"] == "extra_forbidden" else err["msg"]
            lines.append(f"{where}: {key}: {why}")
        raise SettingsError("\n".join(lines)) from None


@lru_cache(maxsize=4)
def settings(path: str | None = None) -> Settings:
    """The settings (read once per process and path)."""
    file = Path(path) if path else CONFIG_PATH
    with open(file, encoding="utf-8") as fh:
        return parse_settings(yaml.safe_load(fh), file.name)


def resolve_path(relative: str) -> Path:
    """A path from config.yaml, relative to the project root unless absolute."""
    p = Path(relative)
    return p if p.is_absolute() else ROOT / p


def data_dir() -> Path:
    """The curated data folder; ``MARKETINTEL_DATA_DIR`` overrides config (tests, benchmarks)."""
    return resolve_path(os.environ.get("MARKETINTEL_DATA_DIR") or settings().paths.data_dir)


def database_path() -> Path:
    """The DuckDB file; ``MARKETINTEL_DATABASE`` overrides config."""
    return resolve_path(os.environ.get("MARKETINTEL_DATABASE") or settings().paths.database)


def history_dir() -> Path:
    """Where every version of the data folder is kept; ``MARKETINTEL_HISTORY_DIR`` overrides config."""
    return resolve_path(os.environ.get("MARKETINTEL_HISTORY_DIR") or settings().paths.history_dir)


def market_color(market_id: str, known_ids: list[str] | None = None) -> str:
    """The market's colour from the theme; unlisted markets take fallbacks in id order."""
    theme = settings().theme
    if market_id in theme.market_colors:
        return theme.market_colors[market_id]
    others = sorted(m for m in (known_ids or [market_id]) if m not in theme.market_colors)
    if market_id not in others:
        others.append(market_id)
    return theme.fallback_market_colors[others.index(market_id) % len(theme.fallback_market_colors)]
