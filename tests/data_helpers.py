"""Paths and helpers shared by the data-layer tests (fixtures live in conftest.py).

A plain module rather than ``from conftest import ...``: tests/browser has a conftest of its
own, and two modules named ``conftest`` must not be relied on to resolve to the right one.
"""

from __future__ import annotations

import csv
import io
import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from marketintel.settings import resolve_path, settings  # noqa: E402

DATA = ROOT / "data"
#: A small committed data set with numbers easy to check by hand, for unit tests of the layers.
FIXTURE_DATA = ROOT / "tests" / "fixtures" / "data"
SEEDS = resolve_path(os.environ.get("MARKETINTEL_SEEDS_DIR") or settings().paths.seeds_dir).resolve()


def require_seeds() -> None:
    """Skip (with the reason) where the source documents are not beside the repo; in CI they must be."""
    if not any(SEEDS.glob("*.txt")):
        message = f"source documents not found at {SEEDS} (config.yaml paths.seeds_dir, or set MARKETINTEL_SEEDS_DIR)"
        if os.environ.get("CI"):
            pytest.fail(message + "; CI must have them")
        pytest.skip(message)


MARKETS = ("connected-healthcare", "iomt", "metaverse-healthcare", "telemedicine")


# -- helpers for breaking files ---------------------------------------------------------------


def replace_in(path: Path, old: str, new: str, count: int = 1) -> None:
    """Replace text in a file, failing loudly if the text is not there (so fixtures cannot rot)."""
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not found in {path}"
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def read_csv(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with open(path, encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        return list(reader.fieldnames or []), list(reader)


def write_csv(path: Path, header: list[str], rows: list[dict[str, str]]) -> None:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=header, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8")


def edit_row(path: Path, match: dict[str, str], **changes: str) -> int:
    """Change the one CSV row matching ``match``; return its line number (header is line 1)."""
    header, rows = read_csv(path)
    hits = [i for i, r in enumerate(rows) if all(r[k] == v for k, v in match.items())]
    assert len(hits) == 1, f"{match} matched {len(hits)} rows in {path}"
    rows[hits[0]].update({k: str(v) for k, v in changes.items()})
    write_csv(path, header, rows)
    return hits[0] + 2


def find_problem(catalog, file: str, location: str = "", message: str = "", severity: str | None = None):
    """The first problem naming ``file`` whose location and message contain the given text."""
    for p in catalog.problems:
        if (
            p.file == file
            and location in p.location
            and message in p.message
            and (severity is None or p.severity == severity)
        ):
            return p
    listing = "\n".join(str(p) for p in catalog.problems) or "(no problems)"
    raise AssertionError(f"no problem for {file} [{location}] ~ {message!r}; found:\n{listing}")
