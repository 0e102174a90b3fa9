"""Shared fixtures and markers.

- One marker for real data: ``@pytest.mark.reference`` (or the ``reference`` fixture, which
  adds it). Such tests are skipped only when ``../shared/reference`` is absent as a whole;
  when it is there, a missing file inside it fails the test.
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

requires_reference = pytest.mark.reference


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark tests that use the ``reference`` fixture; skip all marked ones without the data."""
    skip = pytest.mark.skip(reason="../shared/reference is absent (reference data not available)")
    for item in items:
        if "reference" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.reference)
        if not REFERENCE.is_dir() and item.get_closest_marker("reference") is not None:
            item.add_marker(skip)


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
    """The reference folder (tests using it are marked ``reference``)."""
    return REFERENCE


@pytest.fixture
def fixtures() -> Path:
    """Folder of small hand-written fixture files."""
    return FIXTURES
