"""Shared fixtures: copies of the real data folder to break, and databases built into tmp_path.

Nothing here writes under the repository: every database goes to a pytest temporary folder.
Constants and file-editing helpers are in ``data_helpers.py``.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
# The history of data/ a test run (and every server it starts) keeps goes to a temporary folder, never the repo's.
os.environ.setdefault("MARKETINTEL_HISTORY_DIR", tempfile.mkdtemp(prefix="marketintel-test-history-"))
from data_helpers import DATA, FIXTURE_DATA  # noqa: E402

from marketintel.db import build_database, connect_read_only  # noqa: E402
from marketintel.settings import Settings  # noqa: E402
from marketintel.settings import settings as load_settings


@pytest.fixture(scope="session")
def settings() -> Settings:
    return load_settings()


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    """A private copy of the real data folder, to break one thing in."""
    target = tmp_path / "data"
    shutil.copytree(DATA, target)
    return target


@pytest.fixture
def history_root(tmp_path: Path) -> Path:
    """A private history folder (beside ``data_copy``)."""
    return tmp_path / "history"


@pytest.fixture(scope="session")
def real_build(tmp_path_factory):
    """The real data built once per session into a temporary file: (path, catalog)."""
    target = tmp_path_factory.mktemp("realdb") / "markets.duckdb"
    return build_database(DATA, target)


@pytest.fixture(scope="session")
def con(real_build):
    """A read-only connection to the real-data database."""
    connection = connect_read_only(real_build[0])
    yield connection
    connection.close()


@pytest.fixture(scope="session")
def fx(tmp_path_factory):
    """A read-only connection to the small fixture data set (tests/fixtures/data)."""
    target = tmp_path_factory.mktemp("fixturedb") / "markets.duckdb"
    path, _catalog = build_database(FIXTURE_DATA, target)
    connection = connect_read_only(path)
    yield connection
    connection.close()
