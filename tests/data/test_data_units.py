import pytest

from critmin.errors import UnitError
from critmin.units import convert, parse_quantity, to_canonical


def test_parse_quantity() -> None:
    assert parse_quantity("15t") == 15
    assert parse_quantity("15000kg") == pytest.approx(15)
    assert parse_quantity("1.5 kt") == pytest.approx(1500)
    assert parse_quantity("15", default_unit="t") == 15


def test_parse_quantity_needs_unit() -> None:
    with pytest.raises(UnitError, match="no unit"):
        parse_quantity("15")


def test_unknown_unit_fails() -> None:
    with pytest.raises(UnitError):
        parse_quantity("15 buckets")
    with pytest.raises(UnitError):
        to_canonical(1.0, "buckets")


def test_wrong_dimension_fails() -> None:
    with pytest.raises(UnitError):
        convert(1.0, "t", "m**3")


def test_canonical() -> None:
    assert to_canonical(2.0, "thousand metric tons") == (2000.0, "t")
    assert to_canonical(3.0, "thousand carats") == (3000.0, "ct")
    assert to_canonical(1.0, "million cubic meters") == (1e6, "m3")
    assert to_canonical(500.0, "kilograms") == (0.5, "t")


def test_price_units() -> None:
    assert convert(1.0, "USD/lb", "USD/t") == pytest.approx(2204.62262, rel=1e-6)
    assert convert(1000.0, "USD/t", "USD/kg") == pytest.approx(1.0)


def test_fast_mass_path_agrees_with_pint() -> None:
    from critmin.units import FAST_MASS_T

    for a in FAST_MASS_T:
        for b in FAST_MASS_T:
            assert parse_quantity(f"2.5 {a}", b) == pytest.approx(convert(2.5, a, b), rel=1e-12)
