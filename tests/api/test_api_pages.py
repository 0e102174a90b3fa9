"""Endpoints behind the scenario, claims and deposit pages (ASGI client).

The example endpoints serve only the shipped files (no client-named path); runs and
checks need the key; the deposit example is estimated once and cached; the pages and
their routers follow the tolerant wiring (absent module: 404, not a crash).
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import yaml
from api_testkit import make_client

pytestmark = pytest.mark.filterwarnings(
    r"ignore:Using `httpx` with `starlette.testclient` is deprecated"
)

SCENARIO = Path("examples/scenarios/gallium-export-restriction.yaml")
CLAIMS = Path("examples/kazakhstan-2025/claims.yaml")


def _wait(client: Any, job_id: str, headers: dict[str, str], timeout: float = 60) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        st: dict[str, Any] = client.get(f"/api/v1/jobs/{job_id}", headers=headers).json()
        if st["status"] in ("done", "failed") or time.monotonic() > deadline:
            return st
        time.sleep(0.1)


# --- shipped examples -----------------------------------------------------------------


@pytest.mark.parametrize(("name", "rel"), [("scenario", SCENARIO), ("claims", CLAIMS)])
def test_example_endpoints_serve_the_shipped_file(
    client: Any, repo: Path, name: str, rel: Path
) -> None:
    shipped = (repo / rel).read_bytes()
    r = client.get(f"/api/v1/examples/{name}")  # open: no key
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/yaml")
    assert r.content == shipped
    j = client.get(f"/api/v1/examples/{name}", params={"format": "json"})
    assert j.status_code == 200
    assert j.json() == json.loads(json.dumps(yaml.safe_load(shipped), default=str))
    assert client.get(f"/api/v1/examples/{name}", params={"format": "xml"}).status_code == 422


def test_example_endpoints_take_no_path(client: Any, repo: Path) -> None:
    shipped = (repo / SCENARIO).read_bytes()
    # a path in the query is ignored: the answer is still the shipped file
    r = client.get("/api/v1/examples/scenario", params={"path": "/etc/passwd", "file": "../x"})
    assert r.content == shipped
    for url in (
        "/api/v1/examples/..%2F..%2Fpyproject.toml",
        "/api/v1/examples/scenario/..%2F..%2Fpyproject.toml",
        "/api/v1/examples/deposits",
        "/api/v1/examples/%2Fetc%2Fpasswd",
    ):
        r = client.get(url)
        assert r.status_code in (404, 405), url
        assert "[project]" not in r.text and "root:" not in r.text


def test_examples_missing_or_escaping_is_404(api_settings: Any, tmp_path: Path) -> None:
    # an examples folder whose scenario is a link to a file outside it
    (tmp_path / "scenarios").mkdir()
    secret = tmp_path.parent / f"{tmp_path.name}-secret.yaml"
    secret.write_text("secret: 1\n")
    (tmp_path / "scenarios" / "gallium-export-restriction.yaml").symlink_to(secret)
    s = api_settings.model_copy(update={"examples_dir": tmp_path})
    with make_client(s) as c:
        r = c.get("/api/v1/examples/scenario")
        assert r.status_code == 404 and "secret" not in r.text
        assert c.get("/api/v1/examples/claims").status_code == 404  # not installed
        assert c.get("/api/v1/deposits/example").status_code == 404
    secret.unlink()


# --- scenario page: a form-built spec through the job endpoint ---------------------------


def _form_spec(client: Any) -> str:
    """What scenario.js posts: the example's baseline with the form's shocks, as JSON."""
    base = client.get("/api/v1/examples/scenario", params={"format": "json"}).json()
    kept = [
        s for s in base["shocks"] if s["type"] not in ("export_restriction", "capacity_addition")
    ]
    base["shocks"] = [
        {
            "type": "export_restriction",
            "exporter": "CHN",
            "destinations": "EU27",
            "share_allowed": {"value": 0.2, "unit": "1", "source": "assumption"},
            "start": "2026-04",
            "duration_months": 12,
        },
        {
            "type": "capacity_addition",
            "country": "KAZ",
            "tonnes_per_year": {"value": 10, "unit": "t/yr", "source": "assumption"},
            "start": "2026-07",
            "ramp_up_months": 6,
        },
        *kept,
    ]
    base["name"] = "gallium: page scenario"
    return json.dumps(base)


def test_scenario_from_the_page_form(client: Any, auth: dict[str, str]) -> None:
    assert client.app.state.modules["scenarios"]
    spec = _form_spec(client).encode()
    r = client.post("/api/v1/scenarios", files={"spec": ("scenario.yaml", spec)})
    assert r.status_code == 401
    r = client.post(
        "/api/v1/scenarios",
        headers=auth,
        files={"spec": ("scenario.yaml", spec)},
        data={"draws": "30", "seed": "1"},
    )
    assert r.status_code == 202, r.text
    st = _wait(client, r.json()["job_id"], auth)
    assert st["status"] == "done", st
    res = client.get(r.json()["result_url"], headers=auth).json()
    assert res["name"] == "gallium: page scenario"
    assert {b["market"] for b in res["price_bands"]} >= {"CHN"}
    band = res["price_bands"][-1]
    assert band["p5"] <= band["p50"] <= band["p95"]
    assert {"EU27", "USA", "JPN", "KOR", "OECD"} <= {i["iso3"] for i in res["importers"]}
    # the restriction names EU27 only: the USA loses nothing to it
    assert all(i["restricted_t"] == 0 for i in res["importers"] if i["iso3"] == "USA")
    assert any(i["restricted_t"] > 0 for i in res["importers"] if i["iso3"] == "EU27")
    shares = [a for a in res["assumptions"] if a["name"].startswith("shocks.0.share_allowed")]
    assert shares and shares[0]["assumption"] is True


# --- claims page -------------------------------------------------------------------------


def test_claims_from_the_example_endpoint(client: Any, auth: dict[str, str]) -> None:
    assert client.app.state.modules["claims"]
    text = client.get("/api/v1/examples/claims").content
    assert client.post("/api/v1/claims/check", files={"file": ("c.yaml", text)}).status_code == 401
    bad = {"X-API-Key": "wrong-key-000000000"}
    r = client.post("/api/v1/claims/check", headers=bad, files={"file": ("c.yaml", text)})
    assert r.status_code == 401
    r = client.post("/api/v1/claims/check", headers=auth, files={"file": ("c.yaml", text)})
    assert r.status_code == 200, r.text
    rows = {x["id"]: x for x in r.json()}
    assert rows["cu-tonnage-vs-ore"]["verdict"] == "contradicted"
    assert rows["ga-second-largest"]["evidence"]  # evidence rows for the page's details
    assert all({"claimed", "computed", "explanation", "sources"} <= set(x) for x in rows.values())


# --- deposit page -------------------------------------------------------------------------


def test_deposit_example(client: Any) -> None:
    assert client.app.state.modules["geostats"]
    r = client.get("/api/v1/deposits/example")  # open: no key
    assert r.status_code == 200, r.text
    d = r.json()
    assert d["spec"] == "deposits/cbmina/estimation.yaml"
    assert (d["grade_unit"], d["metal_unit"], d["metal_symbol"]) == ("%", "t", "Cu")
    n_cut = len(d["cutoffs"])
    assert len(d["grade_tonnage"]) == n_cut
    assert len(d["resource"]) == 5 * n_cut
    assert set(d["resource"][0]) == {
        "cutoff",
        "class",
        "tonnes",
        "grade",
        "grade_unit",
        "metal",
        "metal_unit",
    }
    assert set(d["grade_tonnage"][0]) == {
        "cutoff",
        "tonnes",
        "grade",
        "grade_unit",
        "metal",
        "metal_unit",
        "blocks",
    }
    assert {r["class"] for r in d["resource"]} == {
        "measured",
        "indicated",
        "inferred",
        "measured+indicated",
        "total",
    }
    # tonnes fall as the cut-off rises; metal = tonnes x grade (%)
    t = [g["tonnes"] for g in d["grade_tonnage"]]
    assert t == sorted(t, reverse=True) and t[0] > 0
    g0 = d["grade_tonnage"][0]
    assert g0["metal"] == pytest.approx(g0["tonnes"] * g0["grade"] / 100, rel=1e-9)
    for row in d["resource"]:
        if row["cutoff"] == d["grade_tonnage"][0]["cutoff"] and row["class"] == "total":
            assert row["tonnes"] == pytest.approx(g0["tonnes"])

    # cached: the second answer is immediate and the same
    t0 = time.monotonic()
    assert client.get("/api/v1/deposits/example").json() == d
    assert time.monotonic() - t0 < 1.0

    res = client.get("/api/v1/deposits/example/resource")
    assert res.json() == d["resource"]
    csv = client.get("/api/v1/deposits/example/resource", params={"format": "csv"})
    assert csv.headers["content-type"].startswith("text/csv")
    assert "attachment" in csv.headers["content-disposition"]
    assert csv.text.splitlines()[0] == "cutoff,class,tonnes,grade,grade_unit,metal,metal_unit"
    gt = client.get("/api/v1/deposits/example/grade-tonnage", params={"format": "csv"})
    assert gt.text.splitlines()[0] == "cutoff,tonnes,grade,grade_unit,metal,metal_unit,blocks"
    assert len(gt.text.splitlines()) == n_cut + 1


def test_a_broken_domain_import_fails_the_app_loudly(
    api_settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # geostats is a hard dependency: an import regression must fail, not become a log line
    monkeypatch.setitem(sys.modules, "critmin.geostats", None)  # import now raises ImportError
    with pytest.raises(ImportError), make_client(api_settings):
        pass


# --- pages ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "script"),
    [("/scenario", "scenario.js"), ("/claims", "claims.js"), ("/deposit", "deposit.js")],
)
def test_pages_are_local_and_in_the_nav(client: Any, path: str, script: str) -> None:
    r = client.get(path)
    assert r.status_code == 200
    assert "default-src 'self'" in r.headers["content-security-policy"]
    html = r.text
    assert f'<script src="/static/{script}" defer></script>' in html
    assert "http://" not in html and "https://" not in html and "<script>" not in html
    assert client.get(f"/static/{script}").status_code == 200
    app_js = client.get("/static/app.js").text
    assert f'"{path}"' in app_js  # the nav bar every page builds links it
    assert path not in client.get("/openapi.json").json()["paths"]
