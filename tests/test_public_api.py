"""The curated public API is pinned: changing it must be deliberate."""

import critmin

EXPECTED = [
    "CritminError",
    "Store",
    "__version__",
    "brief",
    "check_claims",
    "commodities",
    "concentration",
    "country",
    "price",
    "price_change",
    "price_series",
    "production",
    "rank",
    "reserves_to_production",
    "resolve_commodity",
    "resolve_country",
    "revisions",
    "run_deposit",
    "run_scenario",
    "sources",
    "supply_risk",
    "value_deposit",
    "value_project",
]


def test_all_is_pinned() -> None:
    assert sorted(critmin.__all__) == sorted(EXPECTED)


def test_all_names_exist() -> None:
    for name in critmin.__all__:
        assert hasattr(critmin, name), name


def test_errors_share_one_root() -> None:
    from critmin import errors

    for name in errors.__all__:
        assert issubclass(getattr(errors, name), critmin.CritminError)


def test_import_is_light() -> None:
    """``import critmin`` must not load pandas, numba or scipy (fast CLI start)."""
    import subprocess
    import sys

    code = "import sys, critmin; print(','.join(m for m in ('pandas', 'numba', 'scipy', 'pint') if m in sys.modules))"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert out == ""
