"""The project's settings, read from ``config.yaml``."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
CONFIG_PATH = ROOT / "config.yaml"


@lru_cache(maxsize=4)
def load_settings(path: str | None = None) -> dict[str, Any]:
    """Return config.yaml as a dict (cached: it is read once per process)."""
    with open(path or CONFIG_PATH, encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def resolve_path(relative: str) -> Path:
    """A path from config.yaml, relative to the project root unless absolute."""
    p = Path(relative)
    return p if p.is_absolute() else ROOT / p


def data_dir() -> Path:
    """The curated data folder; ``MARKETINTEL_DATA_DIR`` overrides config (tests, benchmarks)."""
    return resolve_path(os.environ.get("MARKETINTEL_DATA_DIR") or load_settings()["paths"]["data_dir"])


def database_path() -> Path:
    """The DuckDB file; ``MARKETINTEL_DATABASE`` overrides config."""
    return resolve_path(os.environ.get("MARKETINTEL_DATABASE") or load_settings()["paths"]["database"])


def market_color(market_id: str, known_ids: list[str] | None = None) -> str:
    """The market's colour from config.yaml; unlisted markets take fallbacks in id order."""
    cfg = load_settings()
    colors = cfg["market_colors"]
    if market_id in colors:
        return colors[market_id]
    others = sorted(m for m in (known_ids or [market_id]) if m not in colors)
    if market_id not in others:
        others.append(market_id)
    fallback = cfg["fallback_market_colors"]
    return fallback[others.index(market_id) % len(fallback)]
