"""Loading: data files into the models of ``schema``, with every parse or shape problem as a record.

All of validation's file I/O is here, and every read goes through ``reading``'s bounded reader.
Each loader returns what it could read and the problems it met on the way; a bad row or insight
is left out and named. Checks of one record against another are ``rules``, not here.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from .reading import ReadError, load_csv, load_yaml
from .schema import (
    CONCEPTS_FILE,
    CROSSTAB_FILE,
    EVENTS_FILE,
    FIGURES_FILE,
    INSIGHTS_FILE,
    MARKET_FILE,
    SHARES_FILE,
    Concept,
    ConceptsFile,
    CrosstabRow,
    Event,
    EventsFile,
    FigureRow,
    Insight,
    MarketFile,
    Problem,
    ShareRow,
    Source,
)
from .settings import Settings

M = TypeVar("M", bound=BaseModel)

#: Characters no data cell may hold (tab is allowed).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def relative(path: Path, root: Path) -> str:
    """The path as problems name it: relative to the data folder, with forward slashes."""
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def _short(value: Any, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _loc_path(loc: tuple) -> str:
    path = ""
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path


def pydantic_problems(exc: ValidationError, file: str, market_id: str | None, prefix: str = "") -> list[Problem]:
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


def read_yaml(path: Path, root: Path, settings: Settings, market_id: str | None) -> tuple[Any, list[Problem]]:
    """A YAML file's content (None if it cannot be read or holds nothing), and why not."""
    limits = settings.validation
    try:
        data = load_yaml(path, root, limits.max_file_bytes, limits.max_yaml_aliases)
    except ReadError as exc:
        return None, [Problem("error", relative(path, root), "", f"file {exc}", market_id)]
    if data is None:
        return None, [
            Problem("error", relative(path, root), "", "file holds no data (only comments or blank lines)", market_id)
        ]
    return data, []


def read_rows(
    path: Path, root: Path, model: type[M], settings: Settings, market_id: str
) -> tuple[list[tuple[int, M]], list[Problem]]:
    """A CSV file's valid rows as ``(line, model)``; a bad row is named and left out."""
    rel = relative(path, root)
    columns = list(model.model_fields)
    try:
        rows = load_csv(
            path, root, settings.validation.max_file_bytes, [c for c in columns if model.model_fields[c].is_required()]
        )
    except ReadError as exc:
        return [], [Problem("error", rel, "", f"file {exc}", market_id)]
    good: list[tuple[int, M]] = []
    problems: list[Problem] = []
    for line, raw in rows:
        if "__extra__" in raw:
            problems.append(
                Problem("error", rel, f"line {line}", "has more values than the header has columns", market_id)
            )
            continue
        bad_cell = next((k for k, v in raw.items() if isinstance(v, str) and _CONTROL.search(v)), None)
        if bad_cell is not None:
            char = _CONTROL.search(raw[bad_cell]).group()
            what = "a NUL byte" if char == "\x00" else f"a control character ({ord(char):#04x})"
            problems.append(
                Problem(
                    "error",
                    rel,
                    f"line {line}, column {bad_cell}",
                    f"contains {what}; remove it (spreadsheets and exports cannot hold it)",
                    market_id,
                )
            )
            continue
        data = {k: (None if v in ("", None) else v) for k, v in raw.items() if k in columns}
        try:
            good.append((line, model.model_validate(data)))
        except ValidationError as exc:
            problems += [
                Problem(p.severity, p.file, f"line {line}, column {p.location}", p.message, market_id)
                for p in pydantic_problems(exc, rel, market_id)
            ]
    return good, problems


def load_concepts(root: Path, settings: Settings) -> tuple[dict[str, Concept], list[Problem]]:
    """``concepts.yaml`` (optional): the shared concepts segments may point at."""
    path = root / CONCEPTS_FILE
    if not path.exists():
        return {}, []
    data, problems = read_yaml(path, root, settings, None)
    if data is None:
        return {}, problems
    try:
        return dict(ConceptsFile.model_validate(data).concepts), []
    except ValidationError as exc:
        return {}, pydantic_problems(exc, relative(path, root), None)


def load_events(root: Path, settings: Settings) -> tuple[list[Event], list[Problem]]:
    """``events.yaml`` (optional): dated events for the time charts."""
    path = root / EVENTS_FILE
    if not path.exists():
        return [], []
    data, problems = read_yaml(path, root, settings, None)
    if data is None:
        return [], problems
    try:
        return list(EventsFile.model_validate(data).events), []
    except ValidationError as exc:
        return [], pydantic_problems(exc, relative(path, root), None)


def market_folders(root: Path) -> tuple[list[Path], list[Problem]]:
    """The market folders under ``root/markets``, by name; hidden ones (a staged upload) are skipped."""
    market_root = root / "markets"
    if not market_root.is_dir():
        return [], [Problem("error", "markets", "", "folder is missing; put one folder per market in data/markets")]
    return sorted(p for p in market_root.iterdir() if p.is_dir() and not p.name.startswith(".")), []


def load_market_file(folder: Path, root: Path, settings: Settings) -> tuple[MarketFile | None, list[Problem]]:
    """A market folder's ``market.yaml`` as a model, or None with the reasons."""
    path = folder / MARKET_FILE
    rel = relative(path, root)
    if not path.exists():
        return None, [Problem("error", rel, "", f"file is missing; every market folder needs {MARKET_FILE}")]
    data, problems = read_yaml(path, root, settings, folder.name)
    if data is None:
        return None, problems
    if not isinstance(data, dict):
        return None, [
            Problem(
                "error",
                rel,
                "",
                f"expected a mapping of keys (id, name, sources...), found {type(data).__name__}",
                folder.name,
            )
        ]
    market_id = str(data.get("id") or folder.name)
    data, problems = _without_broken_secondary_sources(data, rel, market_id)
    try:
        return MarketFile.model_validate(data), problems
    except ValidationError as exc:
        return None, problems + pydantic_problems(exc, rel, market_id)


def _without_broken_secondary_sources(data: dict, rel: str, market_id: str) -> tuple[dict, list[Problem]]:
    """Leave out a non-primary source with a bad field, naming it, so the rest of the market still loads.

    A broken primary source stays in, and the market fails with it: its figures are the market's headline.
    """
    sources = data.get("sources")
    if not isinstance(sources, list):
        return data, []
    kept, problems = [], []
    for i, item in enumerate(sources):
        if not isinstance(item, dict) or item.get("primary") is True:
            kept.append(item)
            continue
        try:
            Source.model_validate(item)
        except ValidationError as exc:
            name = f" ({item['id']})" if isinstance(item.get("id"), str) else ""
            found = pydantic_problems(exc, rel, market_id, prefix=f"sources[{i}]")
            problems += [
                Problem(
                    p.severity,
                    p.file,
                    p.location,
                    f"{p.message}; source{name} left out, the rest of the market loads (its figures are skipped too)",
                    p.market_id,
                )
                for p in found
            ]
            continue
        kept.append(item)
    return ({**data, "sources": kept} if problems else data), problems


def load_figures(
    folder: Path, root: Path, settings: Settings, market_id: str
) -> tuple[list[tuple[int, FigureRow]] | None, list[Problem]]:
    """``figures.csv``'s valid rows; None when the file is missing (every market needs one)."""
    path = folder / FIGURES_FILE
    if not path.exists():
        return None, [
            Problem(
                "error", relative(path, root), "", "file is missing; every market needs its reported sizes", market_id
            )
        ]
    return read_rows(path, root, FigureRow, settings, market_id)


def load_shares(
    folder: Path, root: Path, settings: Settings, market_id: str
) -> tuple[list[tuple[int, ShareRow]], list[Problem]]:
    """``shares.csv``'s valid rows (the file is optional)."""
    path = folder / SHARES_FILE
    return read_rows(path, root, ShareRow, settings, market_id) if path.exists() else ([], [])


def load_crosstab(
    folder: Path, root: Path, settings: Settings, market_id: str
) -> tuple[list[tuple[int, CrosstabRow]], list[Problem]]:
    """``crosstab.csv``'s valid rows (the file is optional)."""
    path = folder / CROSSTAB_FILE
    return read_rows(path, root, CrosstabRow, settings, market_id) if path.exists() else ([], [])


def load_insights(
    folder: Path, root: Path, settings: Settings, market_id: str
) -> tuple[list[tuple[int, Insight]], list[Problem]]:
    """``insights.yaml``'s valid insights as ``(index in the list, insight)`` (the file is optional)."""
    path = folder / INSIGHTS_FILE
    if not path.exists():
        return [], []
    rel = relative(path, root)
    data, problems = read_yaml(path, root, settings, market_id)
    if data is None:
        return [], problems
    items = data.get("insights") if isinstance(data, dict) else None
    if not isinstance(items, list):
        return [], [Problem("error", rel, "insights", "expected a top-level key 'insights' holding a list", market_id)]
    context = {"insight_topics": settings.insight_topics}
    good: list[tuple[int, Insight]] = []
    for i, item in enumerate(items):
        try:
            good.append((i, Insight.model_validate(item, context=context)))
        except ValidationError as exc:
            where = f"insights[{i}]" + (f" ({item.get('id')})" if isinstance(item, dict) and item.get("id") else "")
            problems += pydantic_problems(exc, rel, market_id, prefix=where)
    return good, problems
