"""A history that loses nothing: every version of the data folder, who made it, when and what changed.

Kept outside ``data/`` (``paths.history_dir``): each file's bytes once, by their SHA-256, in
``objects/``, and one JSON record per version in ``versions/`` naming every file of that
version. A change made through the app records the state before it (as a version of its own
when it differs from the last one, e.g. edits made on disk) and the state after it; a rollback
restores a version's files and is itself recorded as a new version. Nothing is ever deleted.

Writers hold :func:`data_lock` (an ``fcntl`` lock beside the data folder), so two server
processes never interleave a change, a rollback or a recorded disk edit.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import hashlib
import json
import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .access import User, require_curator
from .diff import Change, catalog_changes, summary
from .load import WORK_PREFIXES
from .settings import history_dir
from .validate import validate_data_dir

UNKNOWN_AUTHOR = "unknown (edited on disk)"
#: Changes listed in a version's record (the summary counts them all).
MAX_RECORDED_CHANGES = 500


@dataclass(frozen=True)
class Version:
    """One recorded state of the data folder."""

    number: int
    author: str
    when: str
    action: str
    summary: str
    tree: dict[str, str]  # path relative to data/ -> sha256
    tree_hash: str
    files: dict[str, list[str]] = field(default_factory=dict)  # added / removed / changed
    changes: list[dict] = field(default_factory=list)


def history_for(data_root: Path, base: Path | None = None) -> Path:
    """The history of one data folder: ``<paths.history_dir>/<folder name>-<hash of its path>``.

    One history per data folder, so a test's or another checkout's data never mixes with the team's.
    """
    resolved = data_root.resolve()
    digest = hashlib.sha256(str(resolved).encode()).hexdigest()[:10]
    return (base or history_dir()) / f"{resolved.name}-{digest}"


# -- the data folder as a tree of hashes ----------------------------------------------------


def _skipped(rel: Path) -> bool:
    return any(part.startswith(WORK_PREFIXES) for part in rel.parts)


def _files(data_root: Path) -> dict[str, bytes]:
    """Every regular file under ``data_root`` (not links, not the app's own work folders) and its bytes."""
    out: dict[str, bytes] = {}
    for p in sorted(data_root.rglob("*")):
        rel = p.relative_to(data_root)
        if _skipped(rel) or p.is_symlink() or not p.is_file():
            continue
        out[rel.as_posix()] = p.read_bytes()
    return out


def tree_of(data_root: Path) -> dict[str, str]:
    """Every regular file under ``data_root`` (not links, not the app's own work folders) -> its SHA-256."""
    return {rel: hashlib.sha256(content).hexdigest() for rel, content in _files(data_root).items()}


def tree_hash(tree: dict[str, str]) -> str:
    """One hash for a whole tree: equal exactly when every path and every file's bytes are equal."""
    h = hashlib.sha256()
    for rel in sorted(tree):
        h.update(f"{rel}\0{tree[rel]}\n".encode())
    return h.hexdigest()


def data_tree_hash(data_root: Path) -> str:
    return tree_hash(tree_of(data_root))


# -- the lock -------------------------------------------------------------------------------


def lock_path(data_root: Path) -> Path:
    """The lock file every writer of ``data_root`` shares: beside the folder, not in it."""
    root = data_root.resolve()
    return root.parent / f".{root.name}.lock"


@contextlib.contextmanager
def data_lock(data_root: Path, shared: bool = False) -> Iterator[None]:
    """Hold the data folder's lock (blocking) for the duration; works across processes.

    Writers take it exclusively; a database build takes it ``shared``, so it never reads a change
    half made. Where the lock file cannot be created (a read-only place), a shared lock is skipped:
    nothing can write there either.
    """
    path = lock_path(data_root)
    try:
        fh = open(path, "a+")
    except OSError:
        if shared:
            yield
            return
        raise
    with fh:
        fcntl.flock(fh, fcntl.LOCK_SH if shared else fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


# -- reading and writing versions -----------------------------------------------------------


def _versions_dir(history_root: Path) -> Path:
    return history_root / "versions"


def _objects_dir(history_root: Path) -> Path:
    return history_root / "objects"


def versions(history_root: Path) -> list[Version]:
    """Every recorded version, oldest first."""
    folder = _versions_dir(history_root)
    if not folder.is_dir():
        return []
    out = []
    for p in sorted(folder.glob("*.json")):
        raw = json.loads(p.read_text(encoding="utf-8"))
        out.append(Version(**raw))
    return sorted(out, key=lambda v: v.number)


def latest(history_root: Path) -> Version | None:
    found = versions(history_root)
    return found[-1] if found else None


def _write_atomically(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _store_objects(history_root: Path, files: dict[str, bytes], tree: dict[str, str]) -> None:
    """Each file's bytes once, under their hash (the very bytes the hash was taken of)."""
    objects = _objects_dir(history_root)
    for rel, digest in tree.items():
        target = objects / digest[:2] / digest
        if not target.exists():
            _write_atomically(target, files[rel])


def _changes_between(history_root: Path, before: dict[str, str] | None, data_root: Path) -> list[Change]:
    """What changed in figures, shares and segments from tree ``before`` to the data folder now."""
    with tempfile.TemporaryDirectory(prefix="marketintel-history-") as tmp:
        old_root = Path(tmp) / "data"
        materialise(history_root, before or {}, old_root)
        (old_root / "markets").mkdir(parents=True, exist_ok=True)
        return catalog_changes(validate_data_dir(old_root), validate_data_dir(data_root))


def _record(data_root: Path, history_root: Path, author: str, action: str, force: bool = False) -> Version | None:
    """Record the data folder as it is now (call with the lock held); None when it equals the last version."""
    files = _files(data_root)
    tree = {rel: hashlib.sha256(content).hexdigest() for rel, content in files.items()}
    digest = tree_hash(tree)
    last = latest(history_root)
    if last is not None and last.tree_hash == digest and not force:
        return None
    _store_objects(history_root, files, tree)
    before = last.tree if last else {}
    files = {
        "added": sorted(set(tree) - set(before)),
        "removed": sorted(set(before) - set(tree)),
        "changed": sorted(r for r in set(tree) & set(before) if tree[r] != before[r]),
    }
    changes = _changes_between(history_root, before, data_root) if last is not None else []
    version = Version(
        number=(last.number + 1) if last else 1,
        author=author,
        when=dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        action=action,
        summary=summary(changes) if last is not None else "the data as first found",
        tree=tree,
        tree_hash=digest,
        files=files,
        changes=[c.as_dict() for c in changes[:MAX_RECORDED_CHANGES]],
    )
    payload = json.dumps(version.__dict__, ensure_ascii=False, indent=1).encode("utf-8")
    _write_atomically(_versions_dir(history_root) / f"{version.number:06d}.json", payload)
    return version


def sync_disk_edits(data_root: Path, history_root: Path) -> Version | None:
    """Record the data folder as a version by an unknown author if it differs from the last one recorded.

    The first call records the data as first found. Safe to call from every process: under the
    lock, and a no-op when nothing changed.
    """
    with data_lock(data_root):
        action = "edited on disk" if latest(history_root) else "first version kept"
        return _record(data_root, history_root, UNKNOWN_AUTHOR, action)


def record_change(data_root: Path, history_root: Path, user: User, action: str) -> Version | None:
    """Record the state after a change the app made for ``user`` (call with the lock held)."""
    return _record(data_root, history_root, user.identity, action)


@contextlib.contextmanager
def change(data_root: Path, history_root: Path, user: User, action: str) -> Iterator[None]:
    """Make a change to the data folder as one version: refuse non-curators, keep the state before, record after.

    Held under the data lock; the state before is recorded first (as an unknown author's
    version if someone edited on disk since), so no change ever overwrites without it kept.
    """
    require_curator(user, action)
    with data_lock(data_root):
        _record(
            data_root, history_root, UNKNOWN_AUTHOR, "edited on disk" if latest(history_root) else "first version kept"
        )
        yield
        record_change(data_root, history_root, user, action)


# -- restoring ------------------------------------------------------------------------------


def materialise(history_root: Path, tree: dict[str, str], target: Path) -> None:
    """Write a recorded tree's files into ``target`` (which must not exist yet)."""
    target.mkdir(parents=True)
    objects = _objects_dir(history_root)
    for rel, digest in tree.items():
        dest = target / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(objects / digest[:2] / digest, dest)


def _restore_tree(data_root: Path, history_root: Path, tree: dict[str, str]) -> None:
    """Make the data folder's files exactly ``tree``: each file replaced atomically, strays removed."""
    objects = _objects_dir(history_root)
    current = tree_of(data_root)
    for rel, digest in tree.items():
        if current.get(rel) == digest:
            continue
        dest = data_root / rel
        _write_atomically(dest, (objects / digest[:2] / digest).read_bytes())
    for rel in set(current) - set(tree):
        (data_root / rel).unlink()
    # Folders left empty by removed files (a market added after the version) go too.
    for folder in sorted((p for p in data_root.rglob("*") if p.is_dir()), key=lambda p: -len(p.parts)):
        if (
            folder != data_root / "markets"
            and not _skipped(folder.relative_to(data_root))
            and not any(folder.iterdir())
        ):
            folder.rmdir()


def rollback(data_root: Path, history_root: Path, number: int, user: User) -> Version:
    """Restore version ``number`` for ``user`` (a curator); the result is recorded as a new version."""
    require_curator(user, "roll back the data")
    target = next((v for v in versions(history_root) if v.number == number), None)
    if target is None:
        raise KeyError(f"no version {number} in the history")
    with data_lock(data_root):
        _record(data_root, history_root, UNKNOWN_AUTHOR, "edited on disk")
        _restore_tree(data_root, history_root, target.tree)
        recorded = _record(data_root, history_root, user.identity, f"rolled back to version {number}", force=True)
    assert recorded is not None
    return recorded


def scratch_name(prefix: str, market_id: str) -> str:
    """A hidden work folder's name in data/markets (skipped by validation and the history)."""
    return f"{prefix}{market_id}-{uuid.uuid4().hex[:8]}"
