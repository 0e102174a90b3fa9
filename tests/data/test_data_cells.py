import math

import pytest

from critmin.data.readers._cells import parse_cell


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("", (None, None)),
        ("  ", (None, None)),
        (None, (None, None)),
        (float("nan"), (None, None)),
        ("0", (0.0, "reported")),
        ("1,250", (1250.0, "reported")),
        ("2.5", (2.5, "reported")),
        ("W", (None, "withheld")),
        ("NA", (None, "not_available")),
        ("na", (None, "not_available")),
        ("XX", (None, "not_available")),
        (">2000000", (2000000.0, "lower_bound")),
        (">17,000,000", (17000000.0, "lower_bound")),
        ("<25", (25.0, "upper_bound")),
        ("Less than ½ unit.", (None, "negligible")),
        ("Less than 1/2 unit", (None, "negligible")),
        ("Large", (None, "qualitative")),
        ("Moderate to Large", (None, "qualitative")),
    ],
)
def test_parse_cell(raw: object, expected: tuple[float | None, str | None]) -> None:
    assert parse_cell(raw) == expected


def test_zero_is_not_missing() -> None:
    value, q = parse_cell("0")
    assert value == 0.0 and q == "reported"
    assert parse_cell("W")[0] is None


def test_unknown_cell_raises() -> None:
    with pytest.raises(ValueError, match="unrecognised"):
        parse_cell("about ten")


def test_nan_is_blank() -> None:
    assert parse_cell(math.nan) == (None, None)
