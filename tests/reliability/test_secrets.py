"""Secrets stay secret across both servers: the Wrike API token and the OneLogin client
secret never appear in logs, System Log events, SCIM journals, API answers or pages, even when
provisioning fails and everything is logged at DEBUG."""

from __future__ import annotations

import logging
import re

from mock_onelogin import OneLoginAccount, OneLoginConfig, wsgi_session
from mock_onelogin import create_app as create_onelogin
from wrike_sp import WrikeConfig
from wrike_sp import create_app as create_wrike
from wrike_sp.demo import seed_demo_account

WRIKE_HOST = "http://wrike.test"


def _login(client, path: str, form: dict[str, str]) -> None:
    page = client.get(path).get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token, "the login form carries a CSRF token"
    response = client.post(path, data={**form, "csrf_token": token.group(1)})
    assert response.status_code in (302, 303), response.get_data(as_text=True)[:300]


def test_no_secret_leaks_anywhere(caplog) -> None:
    caplog.set_level(logging.DEBUG)
    wrike = create_wrike(
        WrikeConfig(harness_enabled=True, password_iterations=1000, allowed_hosts=("wrike.test",))
    )
    demo = seed_demo_account(wrike.extensions["wrike"].accounts)
    account = OneLoginAccount(
        OneLoginConfig(drain_mode="sync"),
        session_factory=lambda base: wsgi_session(wrike, WRIKE_HOST),
    )
    onelogin = create_onelogin(account.config, account=account)
    client_id, client_secret = account.api_clients.create_client("leak check")
    app_id = account.apps.wrike_app_id()
    account.apps.configure_connector(
        app_id, {"scim_base_url": WRIKE_HOST + demo.scim_path, "scim_bearer_token": demo.token}
    )
    account.apps.enable_api_connection(app_id)
    account.apps.set_provisioning(
        app_id,
        {
            "enabled": True,
            "require_approval": {"create_user": False, "update_user": False, "delete_user": False},
        },
    )
    role = account.directory.create_role({"name": "Wrike", "apps": [app_id]})
    good = account.directory.create_user(
        {"email": f"ada@{demo.domain}", "username": f"ada@{demo.domain}"}
    )
    bad = account.directory.create_user(
        {"email": "eve@elsewhere.example", "username": "eve@elsewhere.example"}
    )
    account.directory.add_role_users(role, [good["id"], bad["id"]])
    # A revoked token makes every later call fail, with the token in the request headers.
    wrike.test_client().delete(f"/admin/api/v1/accounts/{demo.account_id}/tokens/{demo.token_id}")
    account.directory.update_user(good["id"], {"title": "Engineer"})
    account.apps.enable_api_connection(app_id)

    api = onelogin.test_client()
    token = api.post(
        "/auth/oauth2/v2/token",
        auth=(client_id, client_secret),
        json={"grant_type": "client_credentials"},
    ).get_json()["access_token"]
    bearer = {"Authorization": f"Bearer {token}"}
    seen: list[str] = [caplog.text]
    for path in (
        "/api/1/events?limit=1000",
        "/api/2/apps",
        f"/api/2/apps/{app_id}",
        f"/api/2/users/{good['id']}/apps",
    ):
        seen.append(api.get(path, headers=bearer).get_data(as_text=True))
    for path in (
        "/simulator/api/system-log?limit=1000",
        f"/simulator/api/apps/{app_id}/connector",
        "/simulator/api/apps",
        "/simulator/api/tasks",
    ):
        seen.append(api.get(path).get_data(as_text=True))
    _login(
        api,
        "/admin/login",
        {
            "email": account.config.console_admin_email,
            "password": account.config.console_admin_password,
        },
    )
    for path in (
        "/admin/events",
        f"/admin/apps/{app_id}/configuration",
        f"/admin/apps/{app_id}/users",
        f"/admin/users/{good['id']}",
    ):
        page = api.get(path)
        assert page.status_code == 200, path
        seen.append(page.get_data(as_text=True))
    seen.append(wrike.test_client().get("/harness/api/journal").get_data(as_text=True))
    pages = wrike.test_client()
    _login(
        pages,
        "/login",
        {
            "account_id": str(demo.account_id),
            "email": demo.admin_email,
            "password": demo.admin_password,
        },
    )
    for path in ("/apps/api", f"/apps/api/{demo.app_id}", "/users", "/billing"):
        seen.append(pages.get(path).get_data(as_text=True))

    everything = "\n".join(seen)
    assert "Failed" in everything or "failed" in everything, "the failure paths ran"
    for secret in (
        demo.token,
        client_secret,
        demo.admin_password,
        account.config.console_admin_password,
    ):
        assert secret not in everything
    assert demo.token[-4:] in everything, "the token's hint is shown where it should be"


def test_both_servers_refuse_oversized_bodies() -> None:
    app = create_wrike(WrikeConfig(password_iterations=1000, allowed_hosts=("wrike.test",)))
    demo = seed_demo_account(app.extensions["wrike"].accounts)
    wrike = app.test_client()
    account = OneLoginAccount(OneLoginConfig())
    onelogin = create_onelogin(account.config, account=account).test_client()
    client_id, secret = account.api_clients.create_client("size check")
    api_token = onelogin.post(
        "/auth/oauth2/v2/token", auth=(client_id, secret), json={"grant_type": "client_credentials"}
    ).get_json()["access_token"]
    big = b'{"name": "' + b"x" * (2 * 1024 * 1024) + b'"}'
    for client, path, token in (
        (wrike, "/admin/api/v1/accounts", None),
        (wrike, demo.scim_path + "/Users", demo.token),
        (onelogin, "/api/2/users", api_token),
        (onelogin, "/simulator/api/credentials", None),
        (onelogin, "/auth/oauth2/v2/token", None),
    ):
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        response = client.post(path, data=big, headers=headers)
        assert response.status_code == 413, (path, response.status_code)
        assert response.is_json or response.mimetype == "application/scim+json"
