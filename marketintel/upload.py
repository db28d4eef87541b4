"""A user's own market, uploaded as files or a zip: validated in full before anything is written.

``stage_upload`` never touches ``data/``: it unpacks into a temporary folder, validates the new
market beside a copy of the existing data, and returns every problem. ``install_market`` then
moves a valid market into ``data/markets`` atomically (a temporary folder, then one rename).
"""

from __future__ import annotations

import io
import os
import shutil
import stat
import tempfile
import uuid
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from .reading import ReadError, parse_yaml
from .schema import CONCEPTS_FILE, CROSSTAB_FILE, FIGURES_FILE, INSIGHTS_FILE, MARKET_FILE, SHARES_FILE, Problem
from .settings import settings
from .validate import validate_data_dir

ALLOWED_FILES = (MARKET_FILE, FIGURES_FILE, SHARES_FILE, CROSSTAB_FILE, INSIGHTS_FILE)
MAX_FILES = 20


@dataclass
class StagedUpload:
    """The outcome of checking an upload: the market it holds (if any) and every problem."""

    market_id: str | None
    files: dict[str, bytes] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.market_id is not None and not any(p.severity == "error" for p in self.problems)


def _unpack(uploads: list[tuple[str, bytes]], max_bytes: int) -> tuple[dict[str, bytes], list[Problem]]:
    """Uploaded files (and the contents of any zip) by base name, refusing anything unexpected."""
    files: dict[str, bytes] = {}
    problems: list[Problem] = []

    def add(name: str, content: bytes, origin: str) -> None:
        base = PurePosixPath(name.replace("\\", "/")).name
        if base not in ALLOWED_FILES:
            problems.append(
                Problem("error", origin, "", f"'{name}' is not a market file; expected {', '.join(ALLOWED_FILES)}")
            )
        elif base in files:
            problems.append(Problem("error", origin, "", f"'{base}' was uploaded twice; send one"))
        elif len(content) > max_bytes:
            problems.append(
                Problem("error", origin, "", f"'{base}' is {len(content):,} bytes; the limit is {max_bytes:,}")
            )
        else:
            files[base] = content

    for name, content in uploads[:MAX_FILES]:
        if name.lower().endswith(".zip"):
            try:
                archive = zipfile.ZipFile(io.BytesIO(content))
            except zipfile.BadZipFile:
                problems.append(Problem("error", name, "", "is not a readable zip file"))
                continue
            entries = [e for e in archive.infolist() if not e.is_dir()]
            if len(entries) > MAX_FILES:
                problems.append(Problem("error", name, "", f"holds {len(entries)} files; at most {MAX_FILES}"))
                continue
            for entry in entries:
                parts = PurePosixPath(entry.filename.replace("\\", "/")).parts
                mode = entry.external_attr >> 16
                if entry.filename.startswith(("/", "\\")) or ".." in parts or len(parts) > 2:
                    problems.append(Problem("error", name, entry.filename, "unsafe or nested path in the zip; refused"))
                elif stat.S_ISLNK(mode):
                    problems.append(Problem("error", name, entry.filename, "is a link; refused"))
                elif entry.file_size > max_bytes:
                    problems.append(
                        Problem(
                            "error",
                            name,
                            entry.filename,
                            f"unpacks to {entry.file_size:,} bytes; the limit is {max_bytes:,}",
                        )
                    )
                else:
                    with archive.open(entry) as fh:
                        add(entry.filename, fh.read(max_bytes + 1), name)
        else:
            add(name, content, name)
    if len(uploads) > MAX_FILES:
        problems.append(Problem("error", "upload", "", f"{len(uploads)} files uploaded; at most {MAX_FILES}"))
    return files, problems


def stage_upload(uploads: list[tuple[str, bytes]], data_root: Path) -> StagedUpload:
    """Check an upload completely, beside a copy of ``data_root``; nothing under ``data_root`` is written."""
    limits = settings().validation
    files, problems = _unpack(uploads, limits.max_file_bytes)
    if MARKET_FILE not in files:
        problems.append(Problem("error", MARKET_FILE, "", "is missing; every market needs one (with figures.csv)"))
        return StagedUpload(None, files, problems)
    market_id = _declared_id(files[MARKET_FILE], limits.max_yaml_aliases)
    folder = market_id if market_id is not None and _safe_folder(market_id) else f"upload-{uuid.uuid4().hex[:8]}"
    if market_id is not None and (data_root / "markets" / folder).exists():
        problems.append(
            Problem(
                "error",
                f"markets/{folder}/{MARKET_FILE}",
                "id",
                f"a market with id '{market_id}' already exists; choose another id",
            )
        )
    with tempfile.TemporaryDirectory(prefix="marketintel-upload-") as tmp:
        trial = Path(tmp) / "data"
        shutil.copytree(data_root, trial, symlinks=True, ignore=shutil.ignore_patterns(".*"))
        if not (trial / CONCEPTS_FILE).exists() and (data_root / CONCEPTS_FILE).exists():
            shutil.copy(data_root / CONCEPTS_FILE, trial / CONCEPTS_FILE)
        target = trial / "markets" / folder
        if target.exists():
            shutil.rmtree(target)
        target.mkdir(parents=True)
        for name, content in files.items():
            (target / name).write_bytes(content)
        catalog = validate_data_dir(trial)
    prefix = f"markets/{folder}/"
    problems += [
        p
        for p in catalog.problems
        if p.file.startswith(prefix) or (p.market_id is not None and p.market_id == market_id)
    ]
    loaded = any(m.folder == folder for m in catalog.markets)
    if not loaded and not any(p.severity == "error" for p in problems):
        problems.append(Problem("error", prefix + MARKET_FILE, "", "the market did not load"))
    return StagedUpload(market_id if loaded else None, files, problems)


def _declared_id(market_yaml: bytes, max_aliases: int) -> str | None:
    """The id an uploaded market.yaml gives, if it can be read; the full check comes with validation."""
    try:
        # The same alias-bounded parser as the data files: an upload is the least trusted YAML there is.
        data = parse_yaml(market_yaml.decode("utf-8", "replace"), max_aliases)
    except ReadError:
        return None
    market_id = data.get("id") if isinstance(data, dict) else None
    return market_id if isinstance(market_id, str) else None


def _safe_folder(name: str) -> bool:
    return bool(name) and all(c.isalnum() or c in "-_" for c in name) and not name.startswith((".", "-"))


def install_market(staged: StagedUpload, data_root: Path) -> Path:
    """Write a valid staged market into ``data_root/markets`` atomically; returns its folder."""
    if not staged.ok or staged.market_id is None:
        raise ValueError("only a market that passed validation can be installed")
    markets = data_root / "markets"
    final = markets / staged.market_id
    if final.exists():
        raise FileExistsError(f"markets/{staged.market_id} already exists")
    temp = markets / f".upload-{staged.market_id}-{uuid.uuid4().hex[:8]}"
    temp.mkdir()
    try:
        for name, content in staged.files.items():
            (temp / name).write_bytes(content)
        os.rename(temp, final)  # atomic on one filesystem; fails rather than overwrite
    except BaseException:
        shutil.rmtree(temp, ignore_errors=True)
        raise
    return final
