"""Schemathesis drives the simulated OneLogin API from its shipped OpenAPI description:
whatever it generates, the simulator answers with a documented status and body, never a
500."""

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

from mock_onelogin import OneLoginAccount, OneLoginConfig, create_app

SEED = 20240601
ACCOUNT = OneLoginAccount(OneLoginConfig(rate_limit_per_hour=10**9))
CLIENT_ID, SECRET = ACCOUNT.api_clients.create_client("schemathesis")
TOKEN = ACCOUNT.api_clients.issue_token(CLIENT_ID)["access_token"]
for i in range(1, 4):
    ACCOUNT.directory.create_user({"username": f"user{i}", "email": f"user{i}@example.com"})
    ACCOUNT.directory.create_role({"name": f"role{i}"})
APP = create_app(ACCOUNT.config, account=ACCOUNT)
schema = schemathesis.openapi.from_wsgi("/openapi.json", APP)
schema.config.generation.update(modes=["positive", "negative"])
TALLY: Counter[str] = Counter()

# Fuzzing every operation is a heavy run, still run by CI (.ci/run).
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module", autouse=True)
def _report() -> Iterator[None]:
    yield
    print(f"\nOneLogin schemathesis (seed {SEED}): {dict(TALLY)}")


@schema.parametrize()
@fixed_seed(SEED)
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_input_makes_the_simulator_fail(case):
    if case.path.startswith("/auth/oauth2") and case.path != "/auth/oauth2/rate_limit":
        headers = {"Authorization": f"client_id:{CLIENT_ID}, client_secret:{SECRET}"}
    else:
        headers = {"Authorization": f"Bearer {TOKEN}"}
    TALLY["cases"] += 1
    response = case.call(headers=headers)
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
