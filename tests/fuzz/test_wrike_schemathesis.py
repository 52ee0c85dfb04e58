"""Schemathesis drives the provider from its shipped OpenAPI description: whatever it
generates, the provider answers with a documented status and a SCIM body, never a 500."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from wrike_sp import WrikeConfig, create_app
from wrike_sp.demo import seed_demo_account

APP = create_app(WrikeConfig(password_iterations=1000))
DEMO = seed_demo_account(APP.extensions["wrike"].accounts)
schema = schemathesis.openapi.from_wsgi("/openapi.json", APP)

# Fuzzing every operation is a heavy run, still run by CI (.ci/run).
pytestmark = pytest.mark.slow


@schema.parametrize()
@settings(max_examples=20, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
def test_no_input_makes_the_provider_fail(case):
    if "accountId" in (case.path_parameters or {}):
        case.path_parameters["accountId"] = str(DEMO.account_id)
    case.call_and_validate(
        headers={"Authorization": f"Bearer {DEMO.token}"},
        checks=[
            not_a_server_error,
            status_code_conformance,
            content_type_conformance,
            response_schema_conformance,
        ],
    )
