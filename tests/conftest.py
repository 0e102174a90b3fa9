"""Shared fixtures and markers.

- ``requires_reference``: skip when ``../shared/reference`` (next to the repo) is absent.
- Every test session gets its own DuckDB store under a temporary folder (``CRITMIN_DB``).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
REFERENCE = REPO.parent / "shared" / "reference"
FIXTURES = Path(__file__).resolve().parent / "fixtures"

requires_reference = pytest.mark.skipif(
    not REFERENCE.is_dir(), reason="../shared/reference is absent (reference data not available)"
)


@pytest.fixture(scope="session", autouse=True)
def _isolated_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    path = tmp_path_factory.mktemp("store") / "critmin.duckdb"
    old = os.environ.get("CRITMIN_DB")
    os.environ["CRITMIN_DB"] = str(path)
    from critmin.data.store import reset_store

    reset_store()
    yield path
    reset_store()
    if old is None:
        os.environ.pop("CRITMIN_DB", None)
    else:
        os.environ["CRITMIN_DB"] = old


@pytest.fixture
def reference() -> Path:
    """The reference folder; skips the test when it is absent."""
    if not REFERENCE.is_dir():
        pytest.skip("../shared/reference is absent")
    return REFERENCE


@pytest.fixture
def fixtures() -> Path:
    """Folder of small hand-written fixture files."""
    return FIXTURES
