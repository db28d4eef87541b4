"""A market uploaded as files or a zip (new, or a new edition of one): validated in full before anything is written.

``stage_upload`` never touches ``data/``: it unpacks into a temporary folder, validates the
whole data set as it would be with the upload saved, and returns every problem and what would
change. ``install_market`` then saves a valid market for a curator, atomically, with the state
before and after kept in the history (``history``).
"""

from __future__ import annotations

import hashlib
import io
import os
import shutil
import stat
import tempfile
import uuid
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from .access import User, require_curator
from .diff import Change, market_changes
from .history import change, data_tree_hash, history_for, scratch_name
from .reading import ReadError, decode_text, parse_yaml
from .schema import (
    CONCEPTS_FILE,
    CROSSTAB_FILE,
    FIGURES_FILE,
    INSIGHTS_FILE,
    MARKET_FILE,
    SHARES_FILE,
    MarketData,
    Problem,
)
from .settings import settings
from .validate import validate_data_dir

ALLOWED_FILES = (MARKET_FILE, FIGURES_FILE, SHARES_FILE, CROSSTAB_FILE, INSIGHTS_FILE)
MAX_FILES = 20


@dataclass
class StagedUpload:
    """The outcome of checking an upload: the market it holds (if any), every problem, and what it changes.

    ``replaces`` names the existing market folder a new edition would replace; ``changes`` is the
    difference a curator sees before applying it; ``folder_files`` is the market folder as it
    would be saved (for a new edition: the files not uploaded are kept as they are).
    """

    market_id: str | None
    files: dict[str, bytes] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    replaces: str | None = None
    changes: list[Change] = field(default_factory=list)
    folder_files: dict[str, bytes] = field(default_factory=dict)
    #: The data folder's tree hash when the upload was checked; applying refuses if it has changed since.
    base_tree_hash: str = ""

    @property
    def ok(self) -> bool:
        return self.market_id is not None and not any(p.severity == "error" for p in self.problems)

    @property
    def digest(self) -> str:
        """A fingerprint of what was uploaded (names and bytes), to tell one upload from another."""
        h = hashlib.sha256()
        for name in sorted(self.files):
            h.update(name.encode() + b"\0" + hashlib.sha256(self.files[name]).digest())
        return h.hexdigest()[:16]


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
    """Check an upload completely, as the whole data set would be after saving it; nothing under ``data_root`` is written.

    The upload is validated beside a copy of the data, and that copy against the data as it is:
    every problem in the upload is listed, and so is anything it would break elsewhere (another
    market's insights whose ids it takes, a market it would push out). An upload whose id is an
    existing market's is a new edition of it: the files not uploaded are kept, and ``changes``
    says what would change.
    """
    limits = settings().validation
    files, problems = _unpack(uploads, limits.max_file_bytes)
    if MARKET_FILE not in files:
        problems.append(Problem("error", MARKET_FILE, "", "is missing; every market needs one (with figures.csv)"))
        return StagedUpload(None, files, problems)
    market_id, declared_problem = _declared_id(files[MARKET_FILE], limits.max_file_bytes, limits.max_yaml_aliases)
    baseline = validate_data_dir(data_root)
    existing = next((m for m in baseline.markets if m.id == market_id), None)
    if existing is not None:
        folder = existing.folder
    elif market_id is not None and _safe_folder(market_id):
        folder = market_id
    else:
        folder = f"upload-{uuid.uuid4().hex[:8]}"
    if existing is None and (data_root / "markets" / folder).exists():
        problems.append(
            Problem(
                "error",
                f"markets/{folder}/{MARKET_FILE}",
                "id",
                f"a folder markets/{folder} already exists but holds no market that loads; fix or remove it first, "
                "or choose another id",
            )
        )
    folder_files = dict(files)
    if existing is not None:  # a new edition: what is not uploaded stays as it is
        current = data_root / "markets" / folder
        for name in ALLOWED_FILES:
            if name not in folder_files and (current / name).is_file():
                folder_files[name] = (current / name).read_bytes()
    with tempfile.TemporaryDirectory(prefix="marketintel-upload-") as tmp:
        trial = Path(tmp) / "data"
        shutil.copytree(data_root, trial, symlinks=True, ignore=shutil.ignore_patterns(".*"))
        if not (trial / CONCEPTS_FILE).exists() and (data_root / CONCEPTS_FILE).exists():
            shutil.copy(data_root / CONCEPTS_FILE, trial / CONCEPTS_FILE)
        target = trial / "markets" / folder
        if target.exists():
            shutil.rmtree(target)
        target.mkdir(parents=True)
        for name, content in folder_files.items():
            (target / name).write_bytes(content)
        catalog = validate_data_dir(trial)
    prefix = f"markets/{folder}/"
    own = [
        p
        for p in catalog.problems
        if p.file.startswith(prefix) or (p.market_id is not None and p.market_id == market_id)
    ]
    if declared_problem is not None and not any(p.file == prefix + MARKET_FILE for p in own):
        own.insert(0, declared_problem)
    problems += own
    # Anything the upload would break elsewhere: a problem the data does not have today, or a market that
    # would lose something (its insights' ids taken, the market itself pushed out by a clash).
    after = {m.id: m for m in catalog.markets}
    harm = [p for m in baseline.markets if m.id != market_id for p in _harm(m, after.get(m.id), prefix)]
    problems += harm
    # What else would newly go wrong elsewhere (a market the harm above names is already summed up there).
    known = {(p.severity, p.file, p.location, p.message) for p in baseline.problems}
    harmed = {p.market_id for p in harm}
    problems += [
        p
        for p in catalog.problems
        if p not in own
        and p.severity == "error"
        and p.market_id not in harmed
        and (p.severity, p.file, p.location, p.message) not in known
    ]
    loaded = next((m for m in catalog.markets if m.folder == folder), None)
    if loaded is None and not any(p.severity == "error" for p in problems):
        problems.append(Problem("error", prefix + MARKET_FILE, "", "the market did not load"))
    changes = market_changes(existing, loaded) if loaded is not None else []
    return StagedUpload(
        loaded.id if loaded is not None else None,
        files,
        problems,
        replaces=folder if existing is not None else None,
        changes=changes,
        folder_files=folder_files,
        base_tree_hash=data_tree_hash(data_root),
    )


def _harm(before: MarketData, after: MarketData | None, prefix: str) -> list[Problem]:
    """What another market would lose if the upload were saved, as errors filed under the upload."""
    where = prefix + MARKET_FILE
    if after is None:
        return [
            Problem(
                "error",
                where,
                "id",
                f"saving this upload would stop market '{before.id}' (markets/{before.folder}) from loading; "
                "give the upload an id and folder of its own",
                before.id,
            )
        ]
    lost = sorted({i.id for i in before.insights} - {i.id for i in after.insights})
    if lost:
        shown = ", ".join(lost[:5]) + (f" and {len(lost) - 5} more" if len(lost) > 5 else "")
        return [
            Problem(
                "error",
                prefix + INSIGHTS_FILE,
                "insights",
                f"saving this upload would take {len(lost)} insight id(s) from market '{before.id}' ({shown}), "
                "which would lose them; give the upload's insights ids of their own (e.g. starting with its market id)",
                before.id,
            )
        ]
    if market_changes(before, after):
        return [
            Problem(
                "error",
                where,
                "",
                f"saving this upload would change market '{before.id}'; an upload may change only its own market",
                before.id,
            )
        ]
    return []


def _declared_id(market_yaml: bytes, max_bytes: int, max_aliases: int) -> tuple[str | None, Problem | None]:
    """The id an uploaded market.yaml gives, read like every data file (bounded, strict UTF-8, safe YAML)."""
    try:
        if len(market_yaml) > max_bytes:
            raise ReadError(f"is {len(market_yaml):,} bytes; the limit is {max_bytes:,}")
        data = parse_yaml(decode_text(market_yaml), max_aliases)
    except ReadError as exc:
        return None, Problem("error", MARKET_FILE, "", f"file {exc}")
    market_id = data.get("id") if isinstance(data, dict) else None
    return (market_id if isinstance(market_id, str) else None), None


def _safe_folder(name: str) -> bool:
    return bool(name) and all(c.isalnum() or c in "-_" for c in name) and not name.startswith((".", "-"))


def install_market(staged: StagedUpload, data_root: Path, user: User, history_root: Path | None = None) -> Path:
    """Save a valid staged market (new, or a new edition of one) for ``user``, a curator; returns its folder.

    Refuses a non-curator (:class:`~marketintel.access.NotACurator`) whatever the page showed, and an
    upload checked against data that has changed since (check it again). The state before and
    after are both kept in the history. A new market is written to a hidden folder and renamed into
    place; a new edition swaps folders the same way, the old one kept in the history.
    """
    require_curator(user, "upload data")
    if not staged.ok or staged.market_id is None:
        raise ValueError("only a market that passed validation can be installed")
    history_root = history_root or history_for(data_root)
    markets = data_root / "markets"
    action = f"new edition of market {staged.market_id}" if staged.replaces else f"added market {staged.market_id}"
    with change(data_root, history_root, user, action):
        if staged.base_tree_hash and data_tree_hash(data_root) != staged.base_tree_hash:
            raise StaleUpload("the data changed since this upload was checked; upload it again to check it anew")
        final = markets / (staged.replaces or staged.market_id)
        if staged.replaces is None and final.exists():
            raise FileExistsError(f"markets/{staged.market_id} already exists")
        temp = markets / scratch_name(".upload-", staged.market_id)
        temp.mkdir()
        try:
            for name, content in (staged.folder_files or staged.files).items():
                (temp / name).write_bytes(content)
            if staged.replaces is None:
                os.rename(temp, final)  # atomic on one filesystem; fails rather than overwrite
            else:
                old = markets / scratch_name(".replaced-", staged.market_id)
                os.rename(final, old)
                os.rename(temp, final)
                shutil.rmtree(old, ignore_errors=True)  # its files are in the history
        except BaseException:
            shutil.rmtree(temp, ignore_errors=True)
            raise
    return final


class StaleUpload(RuntimeError):
    """The data changed between checking an upload and applying it."""
