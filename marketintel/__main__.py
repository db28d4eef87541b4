"""Curators' command line: ``validate [--strict]``, ``build``, ``history`` and ``i18n update|check`` (``python -m marketintel ...``)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .db import build_database, data_fingerprint, versioned_path
from .settings import data_dir, database_path
from .validate import validate_data_dir


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m marketintel", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    v = sub.add_parser("validate", help="check every data file and list each problem")
    v.add_argument("--data", type=Path, default=None, help="data folder (default: config.yaml paths.data_dir)")
    v.add_argument("--strict", action="store_true", help="exit 1 on any error or warning (for CI and curators)")
    b = sub.add_parser("build", help="validate, then write the DuckDB file the app reads")
    b.add_argument("--data", type=Path, default=None)
    b.add_argument("--out", type=Path, default=None, help="database file (default: config.yaml paths.database)")
    b.add_argument("--strict", action="store_true", help="exit 1 on any error or warning")
    h = sub.add_parser("history", help="every recorded version of the data folder (recording an edit on disk first)")
    h.add_argument("--data", type=Path, default=None)
    t = sub.add_parser("i18n", help="message catalogues: 'update' re-extracts and merges, 'check' lists gaps")
    t.add_argument("action", choices=["update", "check"])
    args = parser.parse_args(argv)

    if args.command == "i18n":
        return _i18n(args.action)
    root = args.data or data_dir()
    if args.command == "history":
        return _history(root)
    if args.command == "validate":
        catalog = validate_data_dir(root)
    else:
        # By default, the file the app opens for this data version (see db.versioned_path).
        target = args.out or versioned_path(database_path(), data_fingerprint(root))
        target, catalog = build_database(root, target)
        print(f"built {target}")
    for problem in catalog.problems:
        print(problem)
    print(
        f"{len(catalog.markets)} market(s) loaded; {len(catalog.errors)} error(s), {len(catalog.warnings)} warning(s)"
    )
    if args.strict and catalog.problems:
        return 1
    return 0


def _history(root: Path) -> int:
    from . import history

    where = history.history_for(root)
    history.sync_disk_edits(root, where)
    for v in history.versions(where):
        print(f"{v.number:>4}  {v.when}  {v.author}  {v.action}: {v.summary}")
    print(f"history of {root} in {where}")
    return 0


def _i18n(action: str) -> int:
    from . import i18n

    root = Path(__file__).resolve().parent.parent
    if action == "update":
        count, missing = i18n.update_catalogue(root)
        print(f"{i18n.catalogue_path('zh')}: {count} messages")
    else:
        missing = i18n.untranslated(root)
    for message in missing:
        print(f"untranslated: {message!r}")
    print(f"{len(missing)} message(s) without a Chinese translation")
    return 1 if missing and action == "check" else 0


if __name__ == "__main__":
    sys.exit(main())
