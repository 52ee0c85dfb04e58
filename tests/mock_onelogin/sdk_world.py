"""The simulated OneLogin over real HTTP, provisioning into the reference Wrike provider
in-process, with an SDK client holding a token: the end-to-end set-up of ``tests/e2e``, for
the SDK-surface tests."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

import onelogin
from onelogin.api import o_auth2_api
from werkzeug.serving import make_server

from mock_onelogin import OneLoginAccount, OneLoginConfig, wsgi_session
from mock_onelogin import create_app as create_onelogin
from tests.e2e.test_onelogin_to_wrike import NO_APPROVAL, WRIKE_HOST, World
from wrike_sp import WrikeConfig
from wrike_sp import create_app as create_wrike
from wrike_sp.demo import seed_demo_account

__all__ = ["World", "sdk_world"]


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
    server = make_server(
        "127.0.0.1", 0, create_onelogin(account.config, account=account), threaded=True
    )
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    client_id, secret = account.api_clients.create_client("sdk surfaces")
    config = onelogin.Configuration(
        host=f"http://127.0.0.1:{server.server_port}", username=client_id, password=secret
    )
    sdk = onelogin.ApiClient(config)
    config.access_token = (
        o_auth2_api.OAuth2Api(sdk)
        .generate_token(onelogin.GenerateTokenRequest(grant_type="client_credentials"))
        .access_token
    )
    try:
        yield World(account, sdk, wrike, demo, app_id)
    finally:
        server.shutdown()
        thread.join(5)
        account.store.close()
