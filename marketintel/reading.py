"""Reading data files defensively: bounded size, strict UTF-8, no links out of data/, safe YAML.

Each reader returns the parsed content or raises ``ReadError`` with a plain message.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import yaml


class ReadError(Exception):
    """A file that cannot be read as data; the message says why in plain words."""


class _BoundedSafeLoader(yaml.SafeLoader):
    """SafeLoader that refuses documents with more aliases than ``max_aliases`` (alias bombs)."""

    max_aliases = 100

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._aliases_seen = 0

    def compose_node(self, parent, index):  # noqa: ANN001 - PyYAML's signature
        if self.check_event(yaml.AliasEvent):
            self._aliases_seen += 1
            if self._aliases_seen > self.max_aliases:
                raise ReadError(f"more than {self.max_aliases} YAML aliases (*name); refused as a possible alias bomb")
        return super().compose_node(parent, index)


def read_text(path: Path, root: Path, max_bytes: int) -> str:
    """The file's text, after checking it stays inside ``root``, is small enough and is UTF-8."""
    try:
        resolved = path.resolve(strict=True)
    except (OSError, RuntimeError) as exc:
        raise ReadError(f"cannot open: {exc.strerror or exc}") from exc
    root_resolved = root.resolve()
    if not resolved.is_relative_to(root_resolved):
        raise ReadError(f"is a link to {resolved}, outside the data folder; refused")
    if not resolved.is_file():
        raise ReadError("is not a regular file")
    size = resolved.stat().st_size
    if size > max_bytes:
        raise ReadError(f"is {size:,} bytes; the limit is {max_bytes:,} (validation.max_file_bytes)")
    return decode_text(resolved.read_bytes())


def decode_text(raw: bytes) -> str:
    """A data file's bytes as text: strict UTF-8 (a BOM is allowed), else a message saying how it was saved."""
    if not raw.strip():
        raise ReadError("is empty")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ReadError(_encoding_advice(raw, exc.start)) from exc


def _encoding_advice(raw: bytes, bad: int) -> str:
    """Which encoding a non-UTF-8 file was most likely saved in, where the first stray character is, what to do."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")) or raw[:200].count(b"\x00") > len(raw[:200]) // 4:
        return "is saved as UTF-16 (Excel's 'Unicode text'); save it as UTF-8 (in Excel: CSV UTF-8)"
    line = raw.count(b"\n", 0, bad) + 1
    try:
        char = raw[bad : bad + 1].decode("cp1252")  # the first stray byte, as Windows-1252 reads it
    except UnicodeDecodeError:
        char = ""
    if not char or not char.isprintable():
        return f"is not UTF-8 text (a character on line {line} is in another encoding); save it as UTF-8"
    return (
        f"is saved as Windows-1252 (or Latin-1), not UTF-8: line {line} has '{char}' in that encoding; "
        "save it as UTF-8 (in Excel: CSV UTF-8; in an editor: Save with encoding UTF-8)"
    )


#: A document whose aliases expand it beyond this many nodes is refused (real data files hold a few thousand).
MAX_EXPANDED_NODES = 100_000


def _check_expansion(node: yaml.Node, limit: int = MAX_EXPANDED_NODES) -> None:
    """Refuse a node graph that aliases would blow up (or loop) when it is turned into data.

    Counting aliases is not enough: ten aliases per level over eight levels stay under the
    alias limit yet expand to 10**8 nodes.
    """
    sizes: dict[int, int] = {}
    in_progress: set[int] = set()

    def size(n: yaml.Node) -> int:
        key = id(n)
        if key in sizes:
            return sizes[key]
        if key in in_progress:
            raise ReadError("has a YAML alias that refers to itself; refused")
        in_progress.add(key)
        if isinstance(n, yaml.MappingNode):
            total = 1 + sum(size(k) + size(v) for k, v in n.value)
        elif isinstance(n, yaml.SequenceNode):
            total = 1 + sum(size(c) for c in n.value)
        else:
            total = 1
        in_progress.discard(key)
        if total > limit:
            raise ReadError(
                f"expands to more than {limit:,} values through YAML aliases (*name); refused as a possible alias bomb"
            )
        sizes[key] = total
        return total

    size(node)


def load_yaml(path: Path, root: Path, max_bytes: int, max_aliases: int) -> Any:
    """Parse a YAML file with a safe, alias-bounded loader."""
    return parse_yaml(read_text(path, root, max_bytes), max_aliases)


def parse_yaml(text: str, max_aliases: int) -> Any:
    """Parse YAML text with a safe, alias-bounded loader (for text already read under a size limit)."""
    loader = _BoundedSafeLoader(text)
    loader.max_aliases = max_aliases
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        if loader._aliases_seen:
            _check_expansion(node)
        return loader.construct_document(node)
    except ReadError:
        raise
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        if "'\\t'" in str(exc.problem) or (mark is not None and _char_at(text, mark.index) == "\t"):
            raise ReadError(
                f"is not valid YAML{where}: a tab character; YAML indents with spaces only, replace the tab with spaces"
            ) from exc
        problem = str(exc.problem or "").replace("\\t", "tab")
        raise ReadError(
            f"is not valid YAML{where}: {problem}; check the indentation and quotes on that line and the one before"
        ) from exc
    except yaml.YAMLError as exc:
        raise ReadError(f"is not valid YAML: {exc}") from exc
    except RecursionError as exc:
        raise ReadError("nests lists or mappings too deeply to read; refused") from exc
    finally:
        loader.dispose()


def _char_at(text: str, index: int) -> str:
    return text[index] if 0 <= index < len(text) else ""


def load_csv(path: Path, root: Path, max_bytes: int, required: list[str]) -> list[tuple[int, dict[str, str]]]:
    """Rows of a CSV file as ``(line_number, {column: text})``; checks the header first."""
    text = read_text(path, root, max_bytes)
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [h.strip() for h in (reader.fieldnames or [])]
    missing = [c for c in required if c not in header]
    if missing:
        raise ReadError(
            f"is missing column(s) {', '.join(missing)}; expected columns {', '.join(required)}, found {', '.join(header) or 'none'}"
        )
    reader.fieldnames = header
    rows = []
    try:
        for row in reader:
            extra = row.pop(None, None)  # values beyond the header
            cleaned = {k: (v.strip() if isinstance(v, str) else v) for k, v in row.items()}
            if extra:
                cleaned["__extra__"] = extra
            rows.append((reader.line_num, cleaned))
    except csv.Error as exc:
        raise ReadError(f"is not valid CSV at line {reader.line_num}: {exc}") from exc
    return rows
