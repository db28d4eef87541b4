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
    DATE_PATTERN,
    EVENTS_FILE,
    FIGURES_FILE,
    INSIGHTS_FILE,
    KEY_PATTERN,
    MARKET_FILE,
    SEGMENT_REF_PATTERN,
    SHARES_FILE,
    URL_PATTERN,
    Concept,
    ConceptsFile,
    CrosstabRow,
    Dimension,
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


#: What a pattern-checked field needs, in words a curator can act on (no regular expressions shown).
_PATTERN_WORDS = {
    KEY_PATTERN: "keys are lower case letters, digits, '-' and '_' (up to 64, starting with a letter or digit)",
    SEGMENT_REF_PATTERN: "a segment is written dimension/segment in lower case, e.g. region/emea",
    DATE_PATTERN: "a date is written YYYY, YYYY-MM or YYYY-MM-DD, e.g. 2025-07",
    URL_PATTERN: "a link is a full web address starting with https:// (no spaces, quotes or angle brackets)",
}


#: What to do about a fixed value the dashboard depends on.
_LITERAL_ADVICE = {
    "currency": "the dashboard compares markets in US dollars; convert the figures to USD and write currency: USD",
    "unit": "figures are in billions; convert them (e.g. 6,590 million is 6.59) and write unit: billion",
}


def _suggest_key(value: str) -> str:
    """The nearest valid key for a mistyped one: ``Hardware`` → ``hardware``, ``Home Care`` → ``home_care``."""
    key = re.sub(r"[^a-z0-9_-]+", "_", value.strip().lower()).strip("_-")
    return key[:64] or "a-key"


def _plain_message(err: dict) -> str:
    """A pydantic error in plain words, saying what to write instead where it can."""
    kind, found = err["type"], err.get("input")
    if kind == "missing":
        return "is required but missing; add it"
    if kind == "extra_forbidden":
        return "is not a known key here (misspelt, or in the wrong place); correct or remove it"
    if kind == "string_pattern_mismatch":
        pattern = (err.get("ctx") or {}).get("pattern")
        words = _PATTERN_WORDS.get(pattern, "is not written in the expected form")
        if pattern == KEY_PATTERN and isinstance(found, str) and found:
            return f"{words}: write `{_suggest_key(found)}`, not `{_short(found, 40).strip(chr(39))}`"
        return f"{words} (found {_short(found)})"
    msg = err["msg"]
    if kind == "literal_error" and err["loc"] and err["loc"][-1] in _LITERAL_ADVICE:
        return f"{msg} (found {_short(found)}): {_LITERAL_ADVICE[err['loc'][-1]]}"
    if "input" in err and not isinstance(found, (dict, list)):
        msg += f" (found {_short(found)})"
    return msg


def pydantic_problems(exc: ValidationError, file: str, market_id: str | None, prefix: str = "") -> list[Problem]:
    """Turn a pydantic error into records naming the key path, what is wrong and what to write."""
    out = []
    for err in exc.errors():
        loc = _loc_path(err["loc"])
        where = f"{prefix}{'.' if prefix and loc else ''}{loc}" if prefix else loc
        out.append(Problem("error", file, where, _plain_message(err), market_id))
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


#: Files the app reads: at the top of the data folder, and in each market folder.
TOP_FILES = (CONCEPTS_FILE, EVENTS_FILE, "README.md")
MARKET_FILES = (MARKET_FILE, FIGURES_FILE, SHARES_FILE, CROSSTAB_FILE, INSIGHTS_FILE)
#: Folders the app itself writes in data/markets while it saves (a market being added or replaced).
WORK_PREFIXES = (".upload-", ".replaced-")


def _unread_advice(name: str, expected: tuple[str, ...]) -> str:
    """Why a file is not read, and what to do, in the curator's words."""
    lower = name.lower()
    stem = re.sub(r"(\s*\(\d+\)|\s*-\s*copy|\s+copy( \d+)?)(?=\.[^.]+$)", "", lower)
    if lower.endswith(("~", ".bak", ".orig", ".swp", ".swo", ".tmp")) or lower.startswith(("~$", ".~lock")):
        return "looks like an editor's backup or lock file; the app ignores it: delete it"
    if stem != lower and stem in expected:
        return f"looks like a copy of {stem}; the app reads only {stem}: move your changes into it and delete this copy"
    if lower in expected and name not in expected:
        return f"has capital letters; the app reads only {lower} (lower case): rename it"
    return f"is not read by the app (it reads {', '.join(expected)}): move it out of data/ or delete it"


def unread_files(root: Path) -> list[Problem]:
    """A warning for every file or folder in ``root`` that the app does not read, so nothing is ignored in silence."""
    problems: list[Problem] = []

    def warn(path: Path, why: str) -> None:
        problems.append(Problem("warning", relative(path, root), "", why))

    for entry in sorted(root.iterdir()):
        if entry.name == "markets" and entry.is_dir():
            continue
        if entry.is_dir():
            warn(entry, "is a folder the app does not read (markets go in data/markets/<id>/): move it out of data/")
        elif entry.name not in TOP_FILES:
            warn(entry, _unread_advice(entry.name, TOP_FILES))
    markets = root / "markets"
    if not markets.is_dir():
        return problems
    for entry in sorted(markets.iterdir()):
        if entry.name.startswith(WORK_PREFIXES) and entry.is_dir():
            continue
        if not entry.is_dir():
            warn(entry, "is a file directly in data/markets; each market is a folder there: move it into one")
            continue
        if entry.name.startswith("."):
            warn(entry, "is a hidden folder, so it is not read as a market: rename it without the leading '.'")
            continue
        for inner in sorted(entry.iterdir()):
            if inner.is_dir():
                warn(inner, f"is a folder inside a market; the app reads only {', '.join(MARKET_FILES)} there")
            elif inner.name not in MARKET_FILES:
                warn(inner, _unread_advice(inner.name, MARKET_FILES))
    return problems


def load_market_file(folder: Path, root: Path, settings: Settings) -> tuple[MarketFile | None, list[Problem]]:
    """A market folder's ``market.yaml`` as a model, or None with the reasons."""
    spec, _stand, problems = load_market_file_for_checking(folder, root, settings)
    return spec, problems


def load_market_file_for_checking(
    folder: Path, root: Path, settings: Settings
) -> tuple[MarketFile | None, MarketFile | None, list[Problem]]:
    """``load_market_file``, plus a stand-in model when only top-level scalars (currency, unit, name) refused it.

    The stand-in lets validation go on to check the market's other files, so an upload's every
    problem is listed at once; the market itself stays refused.
    """
    path = folder / MARKET_FILE
    rel = relative(path, root)
    if not path.exists():
        return None, None, [Problem("error", rel, "", f"file is missing; every market folder needs {MARKET_FILE}")]
    data, problems = read_yaml(path, root, settings, folder.name)
    if data is None:
        return None, None, problems
    if not isinstance(data, dict):
        return (
            None,
            None,
            [
                Problem(
                    "error",
                    rel,
                    "",
                    f"expected a mapping of keys (id, name, sources...), found {type(data).__name__}",
                    folder.name,
                )
            ],
        )
    market_id = str(data.get("id") or folder.name)
    data, problems = _without_broken_secondary_sources(data, rel, market_id)
    data, dim_problems = _without_broken_dimensions(data, rel, market_id)
    problems += dim_problems
    try:
        return MarketFile.model_validate(data), None, problems
    except ValidationError as exc:
        return None, _stand_in(data, exc), problems + pydantic_problems(exc, rel, market_id)


#: Ends the message of a dimension ``_without_broken_dimensions`` left out (validation finds them by it).
DIMENSION_LEFT_OUT = "the rest of the market loads"


def _without_broken_dimensions(data: dict, rel: str, market_id: str) -> tuple[dict, list[Problem]]:
    """Leave out a dimension with a bad field (a segment key in capitals, say), naming it; the market still loads."""
    dims = data.get("dimensions")
    if not isinstance(dims, list):
        return data, []
    kept, problems = [], []
    for i, item in enumerate(dims):
        try:
            Dimension.model_validate(item)
        except ValidationError as exc:
            key = item.get("key") if isinstance(item, dict) and isinstance(item.get("key"), str) else None
            found = pydantic_problems(exc, rel, market_id, prefix=f"dimensions[{i}]" + (f" ({key})" if key else ""))
            problems += [
                Problem(
                    p.severity,
                    p.file,
                    p.location,
                    f"{p.message}; dimension '{key or i}' left out, {DIMENSION_LEFT_OUT}",
                    p.market_id,
                )
                for p in found
            ]
            continue
        kept.append(item)
    return ({**data, "dimensions": kept} if problems else data), problems


#: Stand-ins for top-level fields of a refused market.yaml, so its other files can still be checked
#: (every problem of an upload is listed at once); the market itself stays refused.
_STAND_INS = {"currency": "USD", "unit": "billion", "name": {"en": "(name refused)"}}


def _stand_in(data: dict, exc: ValidationError) -> MarketFile | None:
    """A refused market.yaml with its bad top-level scalars stood in for, or None if that does not make it valid."""
    bad = {err["loc"][0] for err in exc.errors() if err["loc"]}
    if not bad <= set(_STAND_INS):
        return None
    try:
        return MarketFile.model_validate({**data, **{k: _STAND_INS[k] for k in bad}})
    except ValidationError:
        return None


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
