"""What a tester found from outside after the first round of hardening, each now refused in
the protocol's own shape: custom headers HTTP cannot carry (a 500 and a task stuck in
"running"), ids past SQLite's range or in non-ASCII digits in the Wrike admin API, the Wrike
pages and the OneLogin console, and a password whose JSON key is escaped in the journal."""

from __future__ import annotations

import json

import pytest
import requests
from flask.testing import FlaskClient

from mock_onelogin import OneLoginAccount, OneLoginConfig, create_app
from mock_onelogin.scim_client import ScimClient
from tests.live import serving
from tests.mock_onelogin.scim_stub import ScimStub
from tests.mock_onelogin.test_pages import PASSWORD, log_in, post
from wrike_sp import WrikeConfig
from wrike_sp import create_app as create_wrike
from wrike_sp.demo import seed_demo_account
from wrike_sp.web.harness import REDACTED, journal_body

BIG = "9223372036854775808"  # 2^63


@pytest.mark.parametrize(
    "headers",
    [{"X-A:": "v"}, {"X-A\r\nX-Injected": "v"}, {"X-Ä": "v"}, {"X-A": "café ☃"}, {"X A": "v"}],
)
def test_a_custom_header_http_cannot_carry_is_refused_when_saved(headers: dict[str, str]) -> None:
    client = create_app(OneLoginConfig()).test_client()
    response = client.put("/simulator/api/apps/1/connector", json={"custom_headers": headers})
    assert response.status_code == 422
    assert response.get_json()["field"] == "custom_headers"


def test_a_stored_header_http_cannot_carry_is_dropped_when_the_connector_is_read() -> None:
    """A database written before header names were checked still opens: the bad header is
    dropped, the good ones stay."""
    account = OneLoginAccount(OneLoginConfig())
    app_id = account.apps.wrike_app_id()
    account.apps.configure_connector(app_id, {"custom_headers": {"X-Tenant": "acme"}})
    stored = json.loads(account.apps.connector(app_id).to_storage())
    stored["custom_headers"]["X-A:"] = "v"
    account.store.update_app(app_id, "connector", json.dumps(stored), "2026-01-01T00:00:00Z")
    assert account.apps.connector(app_id).custom_headers == {"X-Tenant": "acme"}


def test_a_request_http_cannot_carry_is_a_failed_call_not_a_crash() -> None:
    """Whatever slips past the checks, a request that cannot be built fails like a network
    error (the task fails and can be retried) instead of escaping the engine."""
    stub = ScimStub()
    with serving(stub.app) as base:  # real HTTP: http.client refuses the header name
        client = ScimClient(
            requests.Session(), f"{base}/scim/v2", stub.token, custom_headers={"X-A:": "v"}
        )
        exchange = client.find_by_username("ada@acme.com")
    assert exchange.status is None and "could not be sent" in (exchange.network_error or "")


@pytest.fixture
def wrike_client() -> FlaskClient:
    app = create_wrike(WrikeConfig(admin_key="k", password_iterations=1000))
    seed_demo_account(app.extensions["wrike"].accounts)
    return app.test_client()


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", f"/admin/api/v1/accounts/{BIG}"),
        ("GET", f"/admin/api/v1/accounts/{BIG}/members"),
        ("PUT", f"/admin/api/v1/accounts/{BIG}/plan"),
        ("DELETE", f"/admin/api/v1/accounts/1/tokens/{BIG}"),
        ("GET", "/admin/api/v1/accounts/%EF%BC%91"),  # a fullwidth 1
        ("GET", f"/apps/api/{BIG}"),
        ("POST", f"/apps/api/tokens/{BIG}/revoke"),
    ],
)
def test_wrike_ids_past_the_range_or_not_ascii_are_not_found(
    wrike_client: FlaskClient, method: str, path: str
) -> None:
    response = wrike_client.open(
        path, method=method, json={"plan": "Business"}, headers={"Authorization": "Bearer k"}
    )
    assert response.status_code == 404, response.get_data(as_text=True)
    assert response.get_json()["error"] == "not_found"


@pytest.fixture
def console() -> FlaskClient:
    client = create_app(OneLoginConfig(console_admin_password=PASSWORD)).test_client()
    log_in(client)
    return client


def test_console_numbers_past_the_range_get_the_consoles_own_answer(console: FlaskClient) -> None:
    events = console.get(f"/admin/events?user_id={BIG}")
    assert events.status_code == 400 and "text/html" in events.content_type
    assert console.get("/admin/users?page=99999999999999999999999").status_code == 200
    account = console.application.extensions["mock_onelogin"]
    account.directory.create_user({"username": "a@acme.com", "email": "a@acme.com"})
    refused = post(
        console, "/admin/users/1/roles", "/admin/users/1", role_id="99999999999999999999"
    )
    assert refused.status_code in (302, 303, 400)
    assert refused.status_code != 500


def test_a_password_under_an_escaped_json_key_is_redacted_in_the_journal() -> None:
    body = rb'{"userName": "red@acme.example", "pass\u0077ord": "SECRETB3"}'
    kept = journal_body(body)
    assert "SECRETB3" not in kept and REDACTED in kept
