"""The simulated OneLogin over real HTTP, provisioning into the reference Wrike provider
in-process, with an SDK client holding a token: the end-to-end set-up of ``tests/e2e`` and
of the SDK-surface tests, and the one way they send a request the SDK cannot type."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import onelogin
from onelogin.api import o_auth2_api

from mock_onelogin import OneLoginAccount, OneLoginConfig, wsgi_session
from mock_onelogin import create_app as create_onelogin
from tests.live import serving
from wrike_sp import WrikeConfig
from wrike_sp import create_app as create_wrike
from wrike_sp.demo import DemoAccount, seed_demo_account

WRIKE_HOST = "http://wrike.test"
NO_APPROVAL = {"create_user": False, "update_user": False, "delete_user": False}


@dataclass
class World:
    onelogin: OneLoginAccount
    sdk: onelogin.ApiClient
    wrike: Any
    demo: DemoAccount
    app_id: int

    def wrike_user(self, user_name: str) -> dict[str, Any] | None:
        client = self.wrike.test_client()
        response = client.get(
            f"{self.demo.scim_path}/Users",
            query_string={"filter": f'userName eq "{user_name}"'},
            headers={"Authorization": f"Bearer {self.demo.token}"},
        )
        assert response.status_code == 200, response.get_data(as_text=True)
        resources = response.get_json()["Resources"]
        return resources[0] if resources else None


def sdk_client(host: str, account: OneLoginAccount, name: str = "sdk") -> onelogin.ApiClient:
    """An SDK client for a new API credential of ``account``, holding its token."""
    client_id, secret = account.api_clients.create_client(name)
    config = onelogin.Configuration(host=host, username=client_id, password=secret)
    sdk = onelogin.ApiClient(config)
    config.access_token = (
        o_auth2_api.OAuth2Api(sdk)
        .generate_token(onelogin.GenerateTokenRequest(grant_type="client_credentials"))
        .access_token
    )
    return sdk


def sdk_get(
    sdk: onelogin.ApiClient, path: str, query: list[tuple[str, str]], response_type: str
) -> Any:
    """A GET sent through the SDK's own ApiClient with the query as text, its answer read with
    the SDK's model ``response_type``: for a call whose SDK method cannot send it (SDK 4.0.1's
    ``get_events(event_type_id=[51])`` joins an int into the query string and crashes before
    sending) or has no such argument (``list_users2`` has no ``id`` / ``role_id``)."""
    return sdk.call_api(
        path,
        "GET",
        {},
        query,
        {"Accept": "application/json"},
        response_types_map={"200": response_type},
        auth_settings=["OAuth2"],
        _return_http_data_only=True,
    )


def sdk_events(sdk: onelogin.ApiClient, **query: int) -> list[onelogin.Event]:
    """``EventsApi.get_events`` with ``event_type_id`` and the other filters as text."""
    answer = sdk_get(
        sdk, "/api/1/events", [(k, str(v)) for k, v in query.items()], "GetEvents200Response"
    )
    return list(answer.data)


@contextmanager
def sdk_world(rate_limit_per_hour: int | None = None) -> Iterator[World]:
    wrike = create_wrike(WrikeConfig(allowed_hosts=("wrike.test",)))
    demo = seed_demo_account(wrike.extensions["wrike"].accounts)
    account = OneLoginAccount(
        OneLoginConfig(drain_mode="sync")
        if rate_limit_per_hour is None
        else OneLoginConfig(drain_mode="sync", rate_limit_per_hour=rate_limit_per_hour),
        session_factory=lambda base: wsgi_session(wrike, WRIKE_HOST),
    )
    app_id = account.apps.wrike_app_id()
    account.apps.configure_connector(
        app_id, {"scim_base_url": WRIKE_HOST + demo.scim_path, "scim_bearer_token": demo.token}
    )
    assert account.apps.enable_api_connection(app_id).api_status == "Enabled"
    account.apps.set_provisioning(app_id, {"enabled": True, "require_approval": NO_APPROVAL})
    app = create_onelogin(account.config, account=account)
    try:
        with serving(app) as host:
            yield World(account, sdk_client(host, account, "sdk surfaces"), wrike, demo, app_id)
    finally:
        account.store.close()
