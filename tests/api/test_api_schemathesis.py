"""Property-based run of schemathesis against the OpenAPI document: no 5xx, bounded.

Every operation gets a few generated requests (with a valid API key, and small limits
so that runs stay short); the only check is that the server never answers 5xx.
"""

from __future__ import annotations

from typing import Any

import pytest

schemathesis = pytest.importorskip("schemathesis", reason="schemathesis is not installed")

from api_testkit import API_KEY  # noqa: E402
from hypothesis import HealthCheck, Phase, settings  # noqa: E402

from critmin.api.app import create_app  # noqa: E402
from critmin.api.settings import Settings  # noqa: E402

pytestmark = pytest.mark.filterwarnings(
    r"ignore:Using `httpx` with `starlette.testclient` is deprecated"
)

_APP = create_app(
    Settings(api_keys=(API_KEY,), executor="thread", workers=1, max_draws=200, max_runs_per_key=1)
)
schema = schemathesis.openapi.from_asgi("/openapi.json", _APP)
#: Operations whose valid requests take seconds (every commodity is computed): left out of
#: generation and tested with hand-picked inputs below.
_SLOW = r"^/api/v1/(risk|countries/\{name\})$"


def _check(case: Any) -> None:
    response = case.call(headers={"X-API-Key": API_KEY})
    assert response.status_code < 500, (
        f"{case.method} {case.formatted_path} -> {response.status_code}: {response.text[:300]}"
    )


@schema.exclude(path_regex=_SLOW).parametrize()
@settings(
    max_examples=10,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_no_server_errors(case: Any) -> None:
    _check(case)


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/risk?importer=ZZ",
        "/api/v1/risk?importer=EU27&commodity=unobtainium",
        "/api/v1/risk?importer=EU27&method=bogus",
        "/api/v1/risk?year=1800",
        "/api/v1/countries/%00%00",
        "/api/v1/countries/Atlantis?top=0",
        "/api/v1/countries/KAZ?year=2100",
    ],
)
def test_slow_operations_bad_input(url: str) -> None:
    """The two operations left out of generation (each valid request computes every
    commodity, seconds apiece) with hand-picked bad inputs instead."""
    from api_testkit import make_client

    with make_client(_APP.state.settings) as c:
        r = c.get(url)
    assert r.status_code < 500, r.text
