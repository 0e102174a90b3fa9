import pandas as pd
import pytest

from critmin.errors import DataNotFoundError, ValidationError
from critmin.markets import annual_average, price_change, reserves_to_production


def monthly(start: str, values: list[float]) -> pd.DataFrame:
    d = pd.date_range(start, periods=len(values), freq="MS")
    return pd.DataFrame({"date": d, "value": values, "unit": "USD/t", "frequency": "M"})


def test_annual_average_and_completeness() -> None:
    df = monthly("2020-01-01", [10.0] * 12 + [20.0] * 6)
    a = annual_average(df).set_index("year")
    assert a.loc[2020, "value"] == 10 and bool(a.loc[2020, "complete"])
    assert a.loc[2021, "n_periods"] == 6 and not bool(a.loc[2021, "complete"])


def test_price_change_ratio_and_cagr() -> None:
    df = monthly("2020-01-01", [100.0] * 12 + [150.0] * 12 + [200.0] * 12)
    r = price_change(df, 2020, 2022)
    assert r["ratio"] == pytest.approx(2.0)
    assert r["cagr"] == pytest.approx(2**0.5 - 1)
    assert r["change_pct"] == pytest.approx(100.0)


def test_price_change_errors() -> None:
    df = monthly("2020-01-01", [1.0] * 12)
    with pytest.raises(ValidationError):
        price_change(df, 2021, 2020)
    with pytest.raises(DataNotFoundError):
        price_change(df, 2020, 2023)


def test_reserves_to_production() -> None:
    res = pd.DataFrame({"iso3": ["A", "B"], "value": [100.0, 50.0], "qualifier": "reported"})
    prod = pd.DataFrame({"iso3": ["A", "B"], "value": [10.0, 0.0], "qualifier": "reported"})
    out = reserves_to_production(res, prod).set_index("iso3")
    assert out.loc["A", "rp_years"] == 10.0
    assert pd.isna(out.loc["B", "rp_years"])
