"""Any JSON body on any endpoint gets OneLogin's error shape, never a 500, and a refused call
writes nothing."""

from __future__ import annotations

import functools
import json
from typing import Any

from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mock_onelogin import OneLoginAccount, OneLoginConfig, create_app

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**40), 2**40) | st.text(max_size=12),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                [
                    "name",
                    "email",
                    "username",
                    "status",
                    "apps",
                    "users",
                    "enabled",
                    "on_delete",
                    "app_id",
                    "custom_attributes",
                    "scim_base_url",
                    "max_tasks",
                    "require_approval",
                    "grant_type",
                    "x",
                ]
            ),
            children,
            max_size=4,
        )
    ),
    max_leaves=8,
)

ENDPOINTS = [
    ("POST", "/api/2/users"),
    ("PUT", "/api/2/users/1"),
    ("POST", "/api/2/roles"),
    ("PUT", "/api/2/roles/1"),
    ("PUT", "/api/2/roles/1/apps"),
    ("POST", "/api/2/roles/1/users"),
    ("DELETE", "/api/2/roles/1/users"),
    ("POST", "/auth/oauth2/v2/token"),
    ("POST", "/auth/oauth2/revoke"),
    ("PUT", "/simulator/api/apps/1/connector"),
    ("PUT", "/simulator/api/apps/1/provisioning"),
    ("POST", "/simulator/api/drain"),
    ("POST", "/simulator/api/reconcile"),
    ("POST", "/simulator/api/users/1/logins"),
    ("POST", "/simulator/api/credentials"),
    ("POST", "/simulator/api/apps"),
]


@functools.cache
def _client() -> tuple[FlaskClient, str, OneLoginAccount]:
    """One simulator for all examples (a fresh one per example would dominate the run)."""
    account = OneLoginAccount(OneLoginConfig())
    client_id, _ = account.api_clients.create_client("fuzz")
    account.directory.create_user({"username": "existing", "email": "existing@example.com"})
    account.directory.create_role({"name": "existing"})
    token = account.api_clients.issue_token(client_id)["access_token"]
    return create_app(account.config, account=account).test_client(), token, account


def _shaped(body: Any) -> bool:
    return isinstance(body, dict) and (
        {"statusCode", "name", "message"} <= set(body)
        or (isinstance(body.get("status"), dict) and body["status"].get("error") is True)
    )


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(ENDPOINTS), json_values)
def test_no_body_causes_a_500(endpoint: tuple[str, str], body: Any) -> None:
    method, path = endpoint
    client, token, account = _client()
    writes_before = account.store.total_changes
    response = client.open(
        path,
        method=method,
        data=json.dumps(body),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    assert response.status_code < 500, response.get_data(as_text=True)
    if response.status_code >= 400:
        assert _shaped(response.get_json()), response.get_data(as_text=True)
        assert account.store.total_changes == writes_before, "refused but written"
