"""Read endpoints: CLI json conventions, CSV, what-ifs, errors without tracebacks, dashboard routes."""

from __future__ import annotations

from typing import Any

import pytest
from api_testkit import make_client


def test_health_lists_modules_and_limits(client: Any) -> None:
    r = client.get("/api/v1/health")
    assert r.status_code == 200
    body = r.json()
    assert body["status"] == "ok"
    assert body["modules"]["valuation"] is True
    assert body["limits"]["max_draws"] == 50_000
    assert body["jobs_backend"] == "thread"


def test_commodities_json_and_csv(client: Any) -> None:
    rows = client.get("/api/v1/commodities").json()
    assert isinstance(rows, list)
    ga = next(r for r in rows if r["commodity"] == "gallium")
    assert ga["symbol"] == "Ga"
    assert isinstance(ga["measures"], list)
    r = client.get("/api/v1/commodities", params={"format": "csv"})
    assert r.headers["content-type"].startswith("text/csv")
    assert "attachment" in r.headers["content-disposition"]
    head, *lines = r.text.splitlines()
    assert head.startswith("commodity,name,symbol")
    assert any(line.startswith("gallium,Gallium,Ga") for line in lines)


def test_withheld_is_null_with_qualifier_never_zero(client: Any) -> None:
    rows = client.get("/api/v1/production/germanium").json()
    withheld = [r for r in rows if r["qualifier"] == "withheld"]
    assert withheld, "germanium production is withheld by USGS"
    for r in withheld:
        assert r["value_t"] is None
        assert r["share"] is None
    assert set(rows[0]) >= {"iso3", "value_t", "share", "rank", "unit", "qualifier", "year"}


def test_production_matches_python_api(client: Any) -> None:
    import critmin

    df = critmin.production("tin", 2024)
    rows = client.get("/api/v1/production/Sn", params={"year": 2024}).json()
    by_iso = {r["iso3"]: r for r in rows}
    chn = df[df["iso3"] == "CHN"].iloc[0]
    assert by_iso["CHN"]["value_t"] == pytest.approx(float(chn["value"]))
    assert by_iso["CHN"]["share"] == pytest.approx(float(chn["share"]))
    assert by_iso["CHN"]["rank"] == int(chn["rank"])


def test_rank_what_if_kazakhstan_gallium(client: Any) -> None:
    rows = client.get("/api/v1/rank/gallium", params={"year": 2024, "add": "KAZ=15t"}).json()
    kaz = next(r for r in rows if r["iso3"] == "KAZ")
    assert kaz["what_if"] is True
    assert kaz["value_t"] == pytest.approx(15.0)
    assert kaz["rank"] == 2
    assert kaz["year"] == 2024
    chn = next(r for r in rows if r["iso3"] == "CHN")
    assert chn["share"] < chn["share_before"]
    # units other than t are converted
    rows_kg = client.get(
        "/api/v1/rank/gallium", params={"year": 2024, "add": "Kazakhstan=15000kg"}
    ).json()
    assert next(r for r in rows_kg if r["iso3"] == "KAZ")["value_t"] == pytest.approx(15.0)


@pytest.mark.parametrize(
    "params",
    [
        {"add": "KAZ"},
        {"add": "KAZ=-5t"},
        {"add": "KAZ=15"},
        {"add": "KAZ=15 furlong"},
        {"add": "KAZ=1e999t"},
        {"remove": "<script>"},
    ],
)
def test_rank_bad_what_if_is_422(client: Any, params: dict[str, str]) -> None:
    r = client.get("/api/v1/rank/gallium", params=params)
    assert r.status_code == 422, r.text
    assert "\n" not in r.json()["detail"]


def test_concentration_prices_reserves_revisions_sources(client: Any) -> None:
    c = client.get("/api/v1/concentration/tin", params={"year": 2024}).json()[0]
    assert 0 < c["hhi"] <= 10_000 and 0 < c["cr1"] <= c["cr3"] <= 1
    p = client.get("/api/v1/prices/tin", params={"start": 2020, "end": 2021, "annual": True}).json()
    assert [r["year"] for r in p] == [2020, 2021] and p[0]["unit"] == "USD/t"
    pk = client.get(
        "/api/v1/prices/tin", params={"start": "2020-01", "end": "2020-03", "unit": "USD/kg"}
    ).json()
    assert len(pk) == 3 and pk[0]["unit"] == "USD/kg"
    ch = client.get("/api/v1/price-change/tin", params={"start": 2020, "end": 2024}).json()[0]
    assert ch["ratio"] > 1
    assert client.get("/api/v1/prices", params={"commodity": "gallium"}).json()
    res = client.get("/api/v1/reserves/tin").json()
    assert any(r["rp_years"] for r in res)
    rev = client.get("/api/v1/revisions/antimony").json()
    assert rev and {"edition_old", "edition_new", "value_old", "value_new"} <= set(rev[0])
    src = client.get("/api/v1/sources").json()
    assert any(s["licence"] for s in src)


def test_country_profile_kazakhstan(client: Any) -> None:
    rows = client.get("/api/v1/countries/Kazakhstan", params={"top": 5}).json()
    assert rows and all(r["iso3"] == "KAZ" and r["rank"] <= 5 for r in rows)
    assert client.get("/api/v1/countries/KZ", params={"top": 5}).json() == rows
    names = client.get("/api/v1/countries").json()
    assert {"iso3": "KAZ", "name": "Kazakhstan"} in names


def test_commodity_overview(client: Any) -> None:
    o = client.get("/api/v1/commodities/gallium").json()
    assert o["commodity"] == "gallium"
    assert o["table"]["unit"] == "t" and o["table"]["year"] >= 2024
    assert 0 < o["concentration"]["hhi"] <= 10_000
    assert o["editions"] and o["price_series"]


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/api/v1/production/unobtainium", 404),
        ("/api/v1/countries/Atlantis", 404),
        ("/api/v1/production/gallium?year=1850", 404),
        ("/api/v1/production/gallium?year=abc", 422),
        ("/api/v1/prices/tin?start=2020-13", 422),
        ("/api/v1/prices/tin?unit=furlong", 422),
        ("/api/v1/price-change/tin?start=2024&end=2020", 422),
        ("/api/v1/production/gallium?format=xml", 422),
    ],
)
def test_errors_are_one_line_without_traceback(client: Any, url: str, status: int) -> None:
    r = client.get(url)
    assert r.status_code == status, r.text
    detail = r.json()["detail"]
    assert isinstance(detail, str) and "\n" not in detail
    assert "Traceback" not in r.text and 'File "' not in r.text


def test_read_cache_serves_repeats(client: Any) -> None:
    cache = client.app.state.cache
    client.get("/api/v1/concentration/copper")
    hits = cache.hits
    client.get("/api/v1/concentration/copper")
    assert cache.hits == hits + 1


def test_security_headers(client: Any) -> None:
    r = client.get("/")
    csp = r.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "connect-src 'self'" in csp
    assert r.headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize(
    "path", ["/", "/commodity/gallium", "/country/Kazakhstan", "/what-if", "/project"]
)
def test_dashboard_pages_reference_only_local_assets(client: Any, path: str) -> None:
    import re

    r = client.get(path)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    refs = re.findall(r'(?:src|href)="([^"]+)"', r.text)
    assert refs
    for ref in refs:
        assert ref.startswith(("/", "data:")), ref


def test_plotly_js_is_served_from_the_package(client: Any) -> None:
    r = client.get("/assets/plotly.min.js")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/javascript")
    assert len(r.content) > 1_000_000


def test_static_js_has_no_external_urls(repo: Any) -> None:
    import re

    static = repo / "src" / "critmin" / "api" / "static"
    for f in static.glob("*.js"):
        assert not re.search(r"https?://", f.read_text()), f.name


def test_assets_absent_fall_back(api_settings: Any, tmp_path: Any) -> None:
    s = api_settings.model_copy(update={"assets_dir": tmp_path})
    with make_client(s) as c:
        assert c.get("/api/v1/health").json()["map"] is False
        assert c.get("/assets/topojson/world_110m.json").status_code == 404
        assert c.get("/assets/topojson/..%2F..%2Fetc%2Fpasswd").status_code == 404
        docs = c.get("/docs")
        assert docs.status_code == 200 and "reference.js" in docs.text


def test_openapi_document(client: Any) -> None:
    doc = client.get("/openapi.json").json()
    paths = doc["paths"]
    for p in (
        "/api/v1/production/{commodity}",
        "/api/v1/rank/{commodity}",
        "/api/v1/valuations",
        "/api/v1/jobs/{job_id}",
        "/api/v1/imports/validate",
    ):
        assert p in paths
    assert "APIKeyHeader" in doc["components"]["securitySchemes"]
    assert "/" not in paths  # dashboard pages stay out of the API document
