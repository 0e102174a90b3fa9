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


def test_oz_is_the_troy_ounce() -> None:
    """31.1034768 g by definition (NIST SP 811, troy ounce); the avoirdupois one is oz_av."""
    troy_g = 31.1034768
    for u in ("oz", "ozt", "troy oz", "troy ounce", "ounce", "OZ"):
        assert convert(1.0, u, "g") == pytest.approx(troy_g, rel=1e-12)
    assert convert(1.0, "USD/oz", "USD/g") == pytest.approx(1 / troy_g, rel=1e-12)
    assert convert(1.0, "USD/troy oz", "USD/oz") == pytest.approx(1.0, rel=1e-12)
    assert convert(1.0, "oz_av", "g") == pytest.approx(28.349523125, rel=1e-12)
    assert parse_quantity("1000000 oz", "t") == pytest.approx(troy_g, rel=1e-12)


def test_short_and_long_tons_only_when_spelled_so() -> None:
    """2000 lb and 2240 lb of 0.45359237 kg (exact definitions)."""
    st, lt = 2000 * 0.45359237e-3, 2240 * 0.45359237e-3
    for text in ("15st", "15 st", "15 short ton", "15 short tons", "15 short_ton"):
        assert parse_quantity(text) == pytest.approx(15 * st, rel=1e-12)
    for text in ("15 long ton", "15 long tons", "15 long_ton"):
        assert parse_quantity(text) == pytest.approx(15 * lt, rel=1e-12)
    assert parse_quantity("15 metric tons") == pytest.approx(15)
    assert parse_quantity("15 tonnes") == pytest.approx(15)


@pytest.mark.parametrize(
    "text", ["15tons", "15 tons", "15 ton", "15 Tons", "2 kton", "1 megatons", "3 Mton"]
)
def test_tons_is_refused_as_ambiguous(text: str) -> None:
    with pytest.raises(UnitError, match=r"ambiguous .*write t .*st .*long_ton"):
        parse_quantity(text)
    with pytest.raises(UnitError, match="ambiguous"):
        convert(1.0, "USD/ton", "USD/t")


def test_source_units_unchanged() -> None:
    assert convert(1.0, "metric tons", "kg") == pytest.approx(1000)
    assert convert(1.0, "thousand metric tons", "t") == pytest.approx(1000)
    assert convert(1.0, "USD/lb", "USD/kg") == pytest.approx(1 / 0.45359237, rel=1e-12)


def test_price_gold_per_troy_ounce_api() -> None:
    """`critmin price gold --unit USD/oz`: the Pink Sheet's USD/troy oz is kept as is."""
    import critmin

    base = critmin.price("gold", "2024-01", "2024-03")
    oz = critmin.price("gold", "2024-01", "2024-03", unit="USD/oz")
    g = critmin.price("gold", "2024-01", "2024-03", unit="USD/g")
    assert list(oz["value"]) == pytest.approx(list(base["value"]), rel=1e-12)
    assert list(g["value"] * 31.1034768) == pytest.approx(list(base["value"]), rel=1e-12)


def test_cli_what_if_in_tons_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    from critmin.cli.main import run

    assert run(["rank", "gallium", "--year", "2024", "--add", "KAZ=15tons"]) != 0
    err = capsys.readouterr().err
    assert "ambiguous" in err and "long_ton" in err
