"""The dashboard: static HTML pages, vanilla JS, plotly.js from the plotly package.

Nothing is fetched from outside the server: plotly.js is the copy inside the
installed ``plotly`` Python package; the world map's topojson and Swagger UI come
from the assets folder filled by ``scripts/frontend-assets.sh`` (the pages fall
back to bar charts, and ``/docs`` to a built-in reference, when it is absent).
"""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, HTTPException, Request
from fastapi import Path as PathParam
from fastapi.responses import FileResponse, HTMLResponse, Response

__all__ = ["STATIC_DIR", "plotly_js_path", "router"]

router = APIRouter(include_in_schema=False)

#: Folder of the dashboard's HTML, JS and CSS.
STATIC_DIR = Path(str(resources.files("critmin.api").joinpath("static")))

_SWAGGER_FILES = {"swagger-ui-bundle.js", "swagger-ui.css", "favicon-32x32.png"}


def plotly_js_path() -> Path:
    """``plotly.min.js`` shipped inside the installed plotly Python package."""
    import plotly

    return Path(plotly.__file__).parent / "package_data" / "plotly.min.js"


def _page(name: str) -> HTMLResponse:
    return HTMLResponse((STATIC_DIR / name).read_text(encoding="utf-8"))


@router.get("/")
def index() -> HTMLResponse:
    """Home: commodity and country pickers, links to every page."""
    return _page("index.html")


@router.get("/commodity/{commodity}")
def commodity_page(commodity: Annotated[str, PathParam(max_length=64)]) -> HTMLResponse:
    """Commodity page: map or bar of shares, producers, HHI, prices, reserves, editions."""
    return _page("commodity.html")


@router.get("/country/{name}")
def country_page(name: Annotated[str, PathParam(max_length=80)]) -> HTMLResponse:
    """Country page: where the country ranks."""
    return _page("country.html")


@router.get("/what-if")
def what_if_page() -> HTMLResponse:
    """What-if page: add a producer, see the new ranking."""
    return _page("whatif.html")


def _module_page(request: Request, module: str, name: str, missing: str) -> HTMLResponse:
    """Page ``name`` when the server has ``module`` wired; 404 saying ``missing`` otherwise."""
    if not request.app.state.modules.get(module):
        raise HTTPException(404, missing)
    return _page(name)


@router.get("/project")
def project_page(request: Request) -> HTMLResponse:
    """Project/deposit valuation page (when critmin.valuation is wired)."""
    return _module_page(
        request, "valuation", "project.html", "valuation is not available on this server"
    )


@router.get("/scenario")
def scenario_page(request: Request) -> HTMLResponse:
    """Market scenario page: restrict exports and/or add a producer, price bands, shortfalls."""
    return _module_page(
        request, "scenarios", "scenario.html", "scenarios are not available on this server"
    )


@router.get("/claims")
def claims_page(request: Request) -> HTMLResponse:
    """Claims page: check a claims YAML, verdicts with evidence."""
    return _module_page(
        request, "claims", "claims.html", "claims checks are not available on this server"
    )


@router.get("/deposit")
def deposit_page(request: Request) -> HTMLResponse:
    """Deposit page: the shipped example's resource table and grade-tonnage curve."""
    return _module_page(
        request, "geostats", "deposit.html", "deposit estimation is not available on this server"
    )


@router.get("/risk")
def risk_page(request: Request) -> HTMLResponse:
    """Risk page: supply-risk methods side by side, one material explained, quality grade."""
    return _module_page(
        request, "risk", "risk.html", "risk indices are not available on this server"
    )


@router.get("/assets/plotly.min.js")
def plotly_js() -> FileResponse:
    """plotly.js from the installed plotly package."""
    p = plotly_js_path()
    if not p.is_file():  # pragma: no cover - plotly is a dependency
        raise HTTPException(404, "plotly.min.js not found in the plotly package")
    return FileResponse(p, media_type="text/javascript", headers={"Cache-Control": "max-age=86400"})


@router.get("/assets/topojson/{name}")
def topojson(request: Request, name: str) -> FileResponse:
    """Topojson for plotly's maps (``topojsonURL`` points here)."""
    if not re.fullmatch(r"[a-z0-9_]{1,40}\.json", name):
        raise HTTPException(404, "no such topojson")
    p = request.app.state.settings.assets() / "topojson" / name
    if not p.is_file():
        raise HTTPException(404, f"{name} is not installed (run scripts/frontend-assets.sh)")
    return FileResponse(
        p, media_type="application/json", headers={"Cache-Control": "max-age=86400"}
    )


@router.get("/assets/swagger-ui/{name}")
def swagger_asset(request: Request, name: str) -> FileResponse:
    """Swagger UI files installed by ``scripts/frontend-assets.sh``."""
    if name not in _SWAGGER_FILES:
        raise HTTPException(404, "no such asset")
    p = request.app.state.settings.assets() / "swagger-ui" / name
    if not p.is_file():
        raise HTTPException(404, f"{name} is not installed (run scripts/frontend-assets.sh)")
    return FileResponse(p)


@router.get("/docs")
def docs(request: Request) -> Response:
    """Interactive docs: Swagger UI from local assets, else the built-in reference page."""
    sw = request.app.state.settings.assets() / "swagger-ui" / "swagger-ui-bundle.js"
    return _page("swagger.html" if sw.is_file() else "reference.html")
