"""Fixtures for the provider's tests: a fresh in-memory provider with a demo account."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from wrike_sp import WrikeConfig, create_app
from wrike_sp.demo import DemoAccount, seed_demo_account
from wrike_sp.domain.clock import ManualClock

ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp"


class Scim:
    """A SCIM client bound to one account's SCIM URL and token (the Flask test client)."""

    def __init__(self, client: FlaskClient, base: str, token: str | None) -> None:
        self.client = client
        self.base = base
        self.token = token

    def headers(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        return {**headers, **(extra or {})}

    def request(self, method: str, path: str, body: Any = None, **kwargs: Any) -> Any:
        headers = self.headers(kwargs.pop("headers", None))
        if body is not None:
            kwargs["json"] = body
        return self.client.open(self.base + path, method=method, headers=headers, **kwargs)

    def create(self, email: str, **attributes: Any) -> Any:
        body = {"userName": email, "emails": [{"value": email, "type": "work", "primary": True}]}
        body.update(attributes)
        return self.request("POST", "/Users", body)

    def patch(self, user_id: str, *operations: dict[str, Any], **kwargs: Any) -> Any:
        body = {"schemas": [PATCH_OP], "Operations": list(operations)}
        return self.request("PATCH", f"/Users/{user_id}", body, **kwargs)

    def find(self, filter_text: str) -> Any:
        return self.request("GET", "/Users", query_string={"filter": filter_text})


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def app(clock: ManualClock) -> Iterator[Flask]:
    application = create_app(
        WrikeConfig(
            password_iterations=1000,
            harness_enabled=True,
            clock=clock,
            # Host names the tests of SCIM locations send (any other is refused).
            allowed_hosts=("wrike.example", "other.example", "bücher.example", "a b.example"),
        )
    )
    yield application
    application.extensions["wrike"].store.close()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def demo(app: Flask) -> DemoAccount:
    return seed_demo_account(app.extensions["wrike"].accounts)


@pytest.fixture
def scim(client: FlaskClient, demo: DemoAccount) -> Scim:
    return Scim(client, demo.scim_path, demo.token)


@pytest.fixture
def admin(client: FlaskClient) -> Any:
    class Admin:
        def __getattr__(self, method: str) -> Any:
            def call(path: str, body: Any = None) -> Any:
                return client.open("/admin/api/v1" + path, method=method.upper(), json=body)

            return call

    return Admin()
