"""CLI behaviour: formats, json keys, errors."""

import json

import pytest

from critmin.cli.main import run


def _json(capsys: pytest.CaptureFixture[str], *args: str) -> list[dict[str, object]]:
    assert run([*args, "--format", "json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_rank_json_conventions(capsys: pytest.CaptureFixture[str]) -> None:
    rows = _json(capsys, "rank", "gallium", "--year", "2024", "--add", "KAZ=15t")
    by = {r["iso3"]: r for r in rows}
    assert by["CHN"]["rank"] == 1 and by["KAZ"]["rank"] == 2
    assert {"iso3", "value_t", "share", "rank"} <= set(by["CHN"])
    assert 0.98 <= by["CHN"]["share_before"] <= 0.99
    assert by["KAZ"]["what_if"] is True


def test_price_annual_json(capsys: pytest.CaptureFixture[str]) -> None:
    rows = _json(capsys, "price", "tin", "--from", "2020", "--to", "2025", "--annual")
    assert [r["year"] for r in rows] == list(range(2020, 2026))
    assert {"year", "value", "unit"} <= set(rows[0])
    assert rows[0]["unit"] == "USD/t"


def test_withheld_in_json_is_null_not_zero(capsys: pytest.CaptureFixture[str]) -> None:
    rows = _json(capsys, "production", "germanium")
    assert all(r["value_t"] is None and r["qualifier"] == "withheld" for r in rows)


def test_withheld_in_table(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["production", "germanium"]) == 0
    out = capsys.readouterr().out
    assert "withheld" in out


def test_csv(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["concentration", "tin", "--year", "2024", "--format", "csv"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].startswith("commodity,measure")


def test_revisions(capsys: pytest.CaptureFixture[str]) -> None:
    rows = _json(capsys, "revisions", "antimony")
    assert any(r["iso3"] == "CHN" and r["year"] == 2024 for r in rows)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["rank", "unobtainium"], "unknown commodity"),
        (["rank", "gallium", "--add", "KAZ15t"], "COUNTRY=QUANTITY"),
        (["rank", "gallium", "--add", "KAZ=15"], "no unit"),
        (["rank", "gallium", "--add", "ATL=15t"], "unknown country"),
        (["price", "tin", "--from", "1900", "--to", "1901"], "no prices"),
    ],
)
def test_errors_are_one_line(
    capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    assert run(args) != 0
    err = capsys.readouterr().err
    assert message in err
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_debug_shows_traceback() -> None:
    from critmin.errors import UnknownCommodityError

    with pytest.raises(UnknownCommodityError):
        run(["rank", "unobtainium", "--debug"])


def test_other_commands_run(capsys: pytest.CaptureFixture[str]) -> None:
    for args in (
        ["commodities"],
        ["sources"],
        ["country", "KAZ"],
        ["reserves", "tin"],
        ["prices", "gallium"],
        ["data", "info"],
    ):
        assert run(args) == 0, args
    capsys.readouterr()


def test_rank_cobalt_default(capsys: pytest.CaptureFixture[str]) -> None:
    rows = _json(capsys, "rank", "cobalt")
    assert rows[0]["iso3"] == "COD" and rows[0]["rank"] == 1
    assert 0.70 <= rows[0]["share"] <= 0.80
    assert run(["rank", "cobalt"]) == 0
    out = " ".join(capsys.readouterr().out.split())  # the caption may wrap
    assert "has no country rows; used mine_production" in out


def test_concentration_unknown_is_null(capsys: pytest.CaptureFixture[str]) -> None:
    (row,) = _json(capsys, "concentration", "germanium")
    assert all(row[k] is None for k in ("total", "hhi", "hhi_max", "cr1", "cr3"))
    assert "withheld" in row["reason"]
    assert run(["concentration", "germanium"]) == 0
    assert "unknown: all" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["rank", "gallium", "--add", "WLD=15t"], "aggregate"),
        (["rank", "gallium", "--year", "1990", "--add", "KAZ=15t"], "no country rows"),
    ],
)
def test_what_if_refusals(
    capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    assert run(args) != 0
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
