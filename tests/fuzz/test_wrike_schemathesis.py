"""Schemathesis drives the provider from its shipped OpenAPI description: whatever it
generates, the provider answers with a documented status and a SCIM body, never a 500."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from hypothesis import seed as fixed_seed
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from wrike_sp import WrikeConfig, create_app
from wrike_sp.demo import seed_demo_account

SEED = 20240601
APP = create_app(WrikeConfig(password_iterations=1000))
DEMO = seed_demo_account(APP.extensions["wrike"].accounts)
schema = schemathesis.openapi.from_wsgi("/openapi.json", APP)
schema.config.generation.update(modes=["positive", "negative"])
CLIENT = APP.test_client()
AUTH = {"Authorization": f"Bearer {DEMO.token}"}
TALLY: Counter[str] = Counter()


def _user(name: str) -> str:
    """The id of a provisioned user, created for the fuzzer to read, change and delete."""
    response = CLIENT.post(
        f"{DEMO.scim_path}/Users", json={"userName": f"{name}@acme.example"}, headers=AUTH
    )
    if response.status_code == 409:
        found = CLIENT.get(
            f"{DEMO.scim_path}/Users",
            query_string={"filter": f'userName eq "{name}@acme.example"'},
            headers=AUTH,
        )
        return str(found.get_json()["Resources"][0]["id"])
    assert response.status_code == 201, response.get_json()
    return str(response.get_json()["id"])


# Fuzzing every operation is a heavy run, still run by CI (.ci/run).
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module", autouse=True)
def _report() -> Iterator[None]:
    yield
    print(f"\nWrike schemathesis (seed {SEED}): {dict(TALLY)}")


@schema.parametrize()
@fixed_seed(SEED)
@settings(max_examples=100, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_input_makes_the_provider_fail(case):
    # Most cases go to the demo account (a random one answers 404 before anything else); a
    # few keep the generated account id, to fuzz the SCIM URL itself.
    # Likewise most user ids name a real user, so that answers with a User body are checked.
    params = case.path_parameters or {}
    if "accountId" in params and TALLY["cases"] % 8:
        params["accountId"] = str(DEMO.account_id)
        if "id" in params and TALLY["cases"] % 4:
            target = f"doomed{TALLY['cases']}" if case.method.upper() == "DELETE" else "target"
            params["id"] = _user(target)
    TALLY["cases"] += 1
    response = case.call(headers={"Authorization": f"Bearer {DEMO.token}"})
    TALLY[f"{response.status_code // 100}xx"] += 1
    case.validate_response(
        response,
        checks=[
            not_a_server_error,
            status_code_conformance,
            content_type_conformance,
            response_schema_conformance,
        ],
    )
