"""The curated public API is pinned: changing it must be deliberate."""

import critmin

EXPECTED = [
    "CritminError",
    "Store",
    "__version__",
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
    "sources",
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
