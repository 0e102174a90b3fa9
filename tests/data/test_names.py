"""One resolver for commodity and country names (critmin.data.names), through the API and CLI."""

from __future__ import annotations

import json

import pytest

import critmin
from critmin.cli.main import run
from critmin.data import names
from critmin.data.commodities import resolve
from critmin.data.countries import group_members, groups
from critmin.errors import UnknownCommodityError, UnknownCountryError, ValidationError

# ----------------------------------------------------------------------------- commodities


@pytest.mark.parametrize(
    ("name", "cid"),
    [
        ("gallium", "gallium"),
        ("Ga", "gallium"),
        ("Gemanium", "germanium"),  # the USGS spelling
        ("aluminium", "aluminum"),
        ("rare earth", "rare_earths"),
        ("sn", "tin"),
        ("W", "tungsten"),
        ("PGM", "platinum_group_metals"),
        ("platinum-group metals", "platinum_group_metals"),
        ("platinum", "platinum"),
        ("palladium", "palladium"),
    ],
)
def test_commodity_names(name: str, cid: str) -> None:
    assert names.commodity(name).id == cid
    assert resolve(name) == cid
    assert critmin.resolve_commodity(name) == cid


@pytest.mark.parametrize(
    ("name", "cid", "words"),
    [
        ("hafnium", "zirconium", "gross weight"),
        ("Hf", "zirconium", "not hafnium"),
        ("neodymium", "rare_earths", "REO"),
        ("Dysprosium", "rare_earths", "not reported on its own"),
        ("Nd", "rare_earths", "REO"),
        ("REO", "rare_earths", "rare-earth-oxide"),
        ("lithium carbonate", "lithium", "lithium content"),
        ("PGM", "platinum_group_metals", "platinum, palladium"),
    ],
)
def test_sub_commodities_resolve_with_a_note(name: str, cid: str, words: str) -> None:
    hit = names.commodity(name)
    assert hit.id == cid
    assert hit.note is not None and words in hit.note


def test_plain_names_have_no_note() -> None:
    for n in ("gallium", "Ga", "zircon", "zirconium", "rare earths", "lithium"):
        assert names.commodity(n).note is None


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("coking coal", "no coal data"),
        ("coal", "no coal data"),
        ("uranium", "non-fuel"),
        ("U", "non-fuel"),
        ("iridium", "platinum-group metal"),
        ("Ir", "platinum-group metal"),
        ("rhodium", "platinum-group metal"),
        ("yttrium", "own chapter"),
    ],
)
def test_commodities_not_covered_are_refused_with_the_reason(name: str, words: str) -> None:
    with pytest.raises(UnknownCommodityError) as ei:
        names.commodity(name)
    assert words in str(ei.value)
    assert ei.value.suggestions == []
    assert "did you mean" not in str(ei.value)


@pytest.mark.parametrize(
    ("name", "suggestion"),
    [("galium", "gallium"), ("cobolt", "cobalt"), ("molybdenium", "molybdenum")],
)
def test_near_spellings_are_suggested(name: str, suggestion: str) -> None:
    with pytest.raises(UnknownCommodityError) as ei:
        names.commodity(name)
    assert ei.value.suggestions == [suggestion]


@pytest.mark.parametrize("name", ["unobtainium", "germaniumx y", "indum z", "xx"])
def test_far_spellings_get_no_suggestion(name: str) -> None:
    with pytest.raises(UnknownCommodityError) as ei:
        names.commodity(name)
    assert ei.value.suggestions == []


def test_no_wrong_near_spelling() -> None:
    """uranium is not germanium, iridium is not indium (distance 2 on a 7-letter word)."""
    table = {"germanium": "germanium", "indium": "indium"}
    assert names.suggest(names.fold("uranium"), table) == []
    assert names.suggest(names.fold("iridium"), table) == []
    assert names.suggest(names.fold("indiun"), table) == ["indium"]


def test_osa_distance_against_hand_values() -> None:
    assert names._osa("cobolt", "cobalt", 3) == 1
    assert names._osa("magnesuim", "magnesium", 3) == 1  # transposition
    assert names._osa("iridium", "indium", 3) == 2
    assert names._osa("phillipines", "philippines", 3) == 2
    assert names._osa("uranium", "germanium", 2) == 3  # capped at limit + 1


# ----------------------------------------------------------------------------- countries


@pytest.mark.parametrize(
    ("name", "iso3"),
    [
        ("DRC", "COD"),
        ("DR Congo", "COD"),
        ("D.R. Congo", "COD"),
        ("Democratic Republic of the Congo", "COD"),
        ("Congo (Kinshasa)", "COD"),
        ("COD", "COD"),
        ("Republic of the Congo", "COG"),
        ("Viet Nam", "VNM"),
        ("Vietnam", "VNM"),
        ("Ivory Coast", "CIV"),
        ("Côte d’Ivoire", "CIV"),
        ("Cote d'Ivoire", "CIV"),
        ("UK", "GBR"),
        ("United Kingdom", "GBR"),
        ("Turkiye", "TUR"),
        ("Türkiye", "TUR"),
        ("Turkey", "TUR"),
        ("South Korea", "KOR"),
        ("North Korea", "PRK"),
        ("Russia", "RUS"),
        ("kz", "KAZ"),
        ("kaz", "KAZ"),
        ("Kazakhstan", "KAZ"),
        ("US", "USA"),
        ("United States of America", "USA"),
        ("Kosovo", "XKX"),
        ("Bolivia, Plurinational State of", "BOL"),
    ],
)
def test_country_aliases(name: str, iso3: str) -> None:
    hit = names.country(name)
    assert (hit.id, hit.kind, hit.note) == (iso3, "country", None)
    assert critmin.resolve_country(name) == iso3


def test_korea_is_read_as_kor_with_a_note() -> None:
    hit = names.country("Korea")
    assert hit.id == "KOR"
    assert hit.note is not None and "PRK" in hit.note


def test_congo_alone_is_ambiguous() -> None:
    with pytest.raises(UnknownCountryError, match=r"COD.*COG"):
        names.country("Congo")
    with pytest.raises(UnknownCountryError, match="two countries"):
        critmin.resolve_country("Congo")


@pytest.mark.parametrize(
    ("name", "group"),
    [
        ("EU27", "EU27"),
        ("eu", "EU27"),
        ("European Union", "EU27"),
        ("OECD", "OECD"),
        ("G7", "G7"),
        ("G-7", "G7"),
    ],
)
def test_groups_are_accepted_where_a_group_makes_sense(name: str, group: str) -> None:
    hit = names.country(name)
    assert hit.kind == "group" and hit.id == group
    assert list(hit.members) == list(groups()[group]["members"])
    assert group_members(name) == list(groups()[group]["members"])


def test_eu27_has_27_members_and_the_eu_alias_says_so() -> None:
    assert len(names.country("EU27").members) == 27
    note = names.country("EU").note
    assert note is not None and "EU27" in note


def test_groups_refused_where_one_country_is_needed() -> None:
    with pytest.raises(ValidationError, match="group of 27 countries"):
        names.country("EU27", groups=False)
    with pytest.raises(ValidationError, match="group of 7 countries"):
        critmin.resolve_country("G7")


def test_group_members_refuses_a_country() -> None:
    with pytest.raises(UnknownCountryError, match="is a country, not a group"):
        group_members("DEU")


def test_aggregates_resolve_as_aggregates() -> None:
    assert names.country("World").kind == "aggregate"
    assert names.country("WLD").id == "WLD"
    assert names.country("Other countries").id == "OTH"


@pytest.mark.parametrize(
    ("name", "suggestion"),
    [
        ("Germny", "Germany (DEU)"),
        ("Kazakstan", "Kazakhstan (KAZ)"),
        ("Phillipines", "Philippines (PHL)"),
    ],
)
def test_country_near_spellings(name: str, suggestion: str) -> None:
    with pytest.raises(UnknownCountryError) as ei:
        names.country(name)
    assert ei.value.suggestions[0] == suggestion
    assert "did you mean" in str(ei.value)


@pytest.mark.parametrize("name", ["Atlantis", "KAX", "Narnia"])
def test_unknown_countries_get_no_wrong_suggestion(name: str) -> None:
    with pytest.raises(UnknownCountryError) as ei:
        names.country(name)
    assert ei.value.suggestions == []


def test_every_curated_alias_points_at_a_known_code() -> None:
    """The curated table cannot drift from ISO 3166-1 (pycountry) and groups.yaml."""
    import pycountry

    curated, ambiguous = names._curated()
    iso = {str(c.alpha_3) for c in pycountry.countries} | {"XKX"} | set(names.AGGREGATES)
    for key, ent in curated.items():
        assert ent.id in (set(groups()) if ent.kind == "group" else iso), key
    assert set(ambiguous) == {"congo"}


def test_resolver_does_not_load_pycountry_for_a_plain_commodity() -> None:
    """`critmin rank gallium` must stay cold-start cheap: ids skip the alias tables."""
    import subprocess
    import sys

    code = (
        "import sys; from critmin.data.names import commodity; commodity('gallium'); "
        "print('pycountry' in sys.modules, 'critmin.data.names' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "True"]


# ----------------------------------------------------------------------------- API and CLI


def test_api_note_reaches_attrs() -> None:
    df = critmin.rank("hafnium")
    assert df.attrs["commodity"] == "zirconium"
    assert "hafnium" in df.attrs["name_note"]
    assert "name_note" not in critmin.rank("zirconium").attrs


def test_api_what_if_with_an_alias_and_its_note() -> None:
    df = critmin.rank("gallium", 2024, add={"DR Congo": "5t"})
    assert df.set_index("iso3").loc["COD", "value"] == pytest.approx(5.0)
    df = critmin.rank("gallium", 2024, add={"Korea": "5t"})
    assert "PRK" in df.attrs["name_note"]


def test_api_what_if_refuses_a_group() -> None:
    with pytest.raises(ValidationError, match="group of 27 countries"):
        critmin.rank("gallium", 2024, add={"EU27": "5t"})
    with pytest.raises(ValidationError, match="group"):
        critmin.rank("gallium", 2024, remove=["G7"])


def test_api_country_profile_by_alias_with_its_note() -> None:
    df = critmin.country("Korea")
    assert len(df) and (df["iso3"] == "KOR").all()
    assert "PRK" in df.attrs["name_note"]


def test_cli_country_alias(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["country", "DRC", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert rows and {r["iso3"] for r in rows} == {"COD"}


def test_cli_what_if_note_in_the_footer(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["rank", "gallium", "--year", "2024", "--add", "Korea=5t"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "'Korea' read as the Republic of Korea" in out


def test_cli_rank_what_if_alias(capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        run(["rank", "gallium", "--year", "2024", "--add", "DR Congo=5t", "--format", "json"]) == 0
    )
    by = {r["iso3"]: r for r in json.loads(capsys.readouterr().out)}
    assert by["COD"]["what_if"] is True


def test_cli_sub_commodity_note_in_the_footer(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["rank", "hafnium"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "hafnium has no table of its own" in out


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["rank", "coking coal"], "no coal data"),
        (["rank", "uranium"], "non-fuel"),
        (["rank", "iridium"], "platinum-group metal"),
        (["country", "Congo"], "two countries"),
        (["country", "EU27"], "group of 27 countries"),
        (["country", "Germny"], "Germany (DEU)"),
    ],
)
def test_cli_refusals_are_one_line(
    capsys: pytest.CaptureFixture[str], args: list[str], words: str
) -> None:
    assert run(args) != 0
    err = capsys.readouterr().err.strip()
    assert words in err and "germanium" not in err and "indium" not in err
    assert len(err.splitlines()) == 1


def test_scenario_spec_accepts_names_and_group_aliases() -> None:
    """Scenarios use the same resolver: "Kazakhstan" -> KAZ, "EU" destinations -> EU27 members."""
    from pathlib import Path

    import yaml

    from critmin.scenarios.spec import parse_scenario

    ex = Path(__file__).resolve().parents[2] / "examples" / "scenarios"
    d = yaml.safe_load((ex / "gallium-export-restriction.yaml").read_text("utf-8"))
    d["shocks"][1]["country"] = "Kazakhstan"
    d["shocks"][0]["destinations"] = "EU"
    s = parse_scenario(d, "x.yaml")
    assert s.shocks[1].country == "KAZ"  # type: ignore[union-attr]
    assert s.shocks[0].destination_codes() == list(groups()["EU27"]["members"])  # type: ignore[union-attr]
    d["shocks"][1]["country"] = "EU27"
    with pytest.raises(Exception, match="group of 27 countries"):
        parse_scenario(d, "x.yaml")


def test_risk_importer_accepts_aliases_and_groups() -> None:
    from critmin.risk.inputs import importer_members, load

    data = load()
    assert importer_members("DRC", data) == ("DRC", ["COD"])
    assert importer_members("EU", data)[1] == sorted(groups()["EU27"]["members"])
    assert importer_members("UK,Korea", data)[1] == ["GBR", "KOR"]
    with pytest.raises(UnknownCountryError):
        importer_members("Atlantis", data)


def test_scenario_spec_refuses_a_sub_commodity() -> None:
    from pathlib import Path

    import yaml

    from critmin.scenarios.spec import parse_scenario

    ex = Path(__file__).resolve().parents[2] / "examples" / "scenarios"
    d = yaml.safe_load((ex / "gallium-export-restriction.yaml").read_text("utf-8"))
    d["commodity"] = "hafnium"
    with pytest.raises(Exception, match="write commodity: zirconium"):
        parse_scenario(d, "x.yaml")
    d["commodity"] = "Ga"
    assert parse_scenario(d, "x.yaml").commodity == "gallium"
