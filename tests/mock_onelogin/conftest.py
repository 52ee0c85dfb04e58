"""Fixtures: a fresh in-memory OneLogin per test, a SCIM stub behind the in-process
transport, and a fixed clock."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from mock_onelogin import FixedClock, OneLoginAccount, OneLoginConfig, create_app, wsgi_session
from tests.mock_onelogin.scim_stub import ScimStub

SCIM_BASE = "http://wrike.test/scim/v2"
NO_APPROVAL = {"create_user": False, "update_user": False, "delete_user": False}


@pytest.fixture
def stub() -> ScimStub:
    return ScimStub()


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock()


@pytest.fixture
def config() -> OneLoginConfig:
    return OneLoginConfig(
        drain_mode="manual", password_scrypt_n=2**8, saml_key_bits=1024
    )  # users' passwords, cheaply


@pytest.fixture
def account(config: OneLoginConfig, clock: FixedClock, stub: ScimStub) -> Iterator[OneLoginAccount]:
    acct = OneLoginAccount(
        config,
        clock=clock,
        session_factory=lambda base: wsgi_session(stub.app, "http://wrike.test"),
    )
    yield acct
    acct.store.close()


def connect(account: OneLoginAccount, stub: ScimStub, app_id: int) -> None:
    """Save the stub's SCIM URL and token and click Enable next to API Status (the
    connection test's request is forgotten, so tests see only what provisioning sends)."""
    account.apps.configure_connector(
        app_id, {"scim_base_url": SCIM_BASE, "scim_bearer_token": stub.token}
    )
    assert account.apps.enable_api_connection(app_id).api_status == "Enabled"
    stub.calls.clear()


@pytest.fixture
def wrike(account: OneLoginAccount, stub: ScimStub) -> int:
    """The Wrike app, configured, API connection enabled, and provisioning enabled without
    approvals."""
    app_id = account.apps.wrike_app_id()
    connect(account, stub, app_id)
    account.apps.set_provisioning(app_id, {"enabled": True, "require_approval": NO_APPROVAL})
    return app_id


@pytest.fixture
def gated(account: OneLoginAccount, stub: ScimStub) -> int:
    """The Wrike app, configured, API connection enabled, with provisioning enabled and all
    three approval boxes ticked (the Provisioning tab's default)."""
    app_id = account.apps.wrike_app_id()
    connect(account, stub, app_id)
    account.apps.set_provisioning(app_id, {"enabled": True})
    return app_id


def make_user(account: OneLoginAccount, n: int = 1, **extra: Any) -> dict[str, Any]:
    data = {
        "email": f"user{n}@example.com",
        "username": f"user{n}",
        "firstname": f"First{n}",
        "lastname": f"Last{n}",
        **extra,
    }
    return account.directory.create_user(data)


@pytest.fixture
def flask_app(account: OneLoginAccount) -> Flask:
    return create_app(account.config, account=account)


@pytest.fixture
def client(flask_app: Flask) -> FlaskClient:
    return flask_app.test_client()


@pytest.fixture
def token(client: FlaskClient) -> str:
    creds = client.post("/simulator/api/credentials", json={"name": "tests"}).get_json()
    response = client.post(
        "/auth/oauth2/v2/token",
        json={"grant_type": "client_credentials"},
        headers={
            "Authorization": f"client_id:{creds['client_id']}, "
            f"client_secret:{creds['client_secret']}"
        },
    )
    assert response.status_code == 200
    return response.get_json()["access_token"]


@pytest.fixture
def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
