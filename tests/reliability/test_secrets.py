"""Secrets stay secret across both servers: the Wrike API token and the OneLogin client
secret never appear in logs, System Log events, SCIM journals, API answers or pages, even when
provisioning fails and everything is logged at DEBUG."""

from __future__ import annotations

import json
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


# -- secret SCIM attributes are redacted wherever request bodies are recorded ------------------

INITIAL_PASSWORD = "Initial-Secret-4242"


def test_submitted_passwords_are_redacted_in_the_journal_and_the_system_log() -> None:
    """OneLogin's template may send a password (RFC 7643: writeOnly, returned never); neither
    the Wrike harness journal nor the OneLogin System Log shows it, in any request form."""
    wrike = create_wrike(
        WrikeConfig(harness_enabled=True, password_iterations=1000, allowed_hosts=("wrike.test",))
    )
    demo = seed_demo_account(wrike.extensions["wrike"].accounts)
    account = OneLoginAccount(
        OneLoginConfig(drain_mode="sync"),
        session_factory=lambda base: wsgi_session(wrike, WRIKE_HOST),
    )
    app_id = account.apps.wrike_app_id()
    template = {**account.apps.connector(app_id).scim_json_template, "password": INITIAL_PASSWORD}
    account.apps.configure_connector(
        app_id,
        {
            "scim_base_url": WRIKE_HOST + demo.scim_path,
            "scim_bearer_token": demo.token,
            "scim_json_template": template,
        },
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
    user = account.directory.create_user(
        {"email": f"ada@{demo.domain}", "username": f"ada@{demo.domain}"}
    )
    account.directory.add_role_users(role, [user["id"]])
    account.directory.update_user(user["id"], {"title": "Engineer"})

    # The other shapes a client may send a password in, straight to the provider.
    scim = wrike.test_client()
    bearer = {"Authorization": f"Bearer {demo.token}", "Content-Type": "application/scim+json"}
    listed = scim.get(demo.scim_path + "/Users", headers=bearer).get_json()
    scim_id = listed["Resources"][0]["id"]
    patch = {
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [
            {"op": "replace", "path": "password", "value": "Patched-Secret-1"},
            {
                "op": "replace",
                "value": {"urn:ietf:params:scim:schemas:core:2.0:User:password": "Patched-2"},
            },
        ],
    }
    scim.patch(f"{demo.scim_path}/Users/{scim_id}", json=patch, headers=bearer)
    scim.post(
        demo.scim_path + "/Users",
        data='{"userName": "eve@acme.example", "Password": "Broken-Secret-3", ',
        headers=bearer,
    )

    journal = scim.get("/harness/api/journal").get_data(as_text=True)
    events = account.store.table_rows("events")
    system_log = json.dumps(events)
    api = create_onelogin(account.config, account=account).test_client()
    listed_log = api.get("/simulator/api/system-log?limit=1000").get_data(as_text=True)
    assert any(e["scim"] and "POST" in e["scim"] for e in events), "the create was logged"
    for secret in (INITIAL_PASSWORD, "Patched-Secret-1", "Patched-2", "Broken-Secret-3"):
        assert secret not in journal, secret
    assert INITIAL_PASSWORD not in system_log and INITIAL_PASSWORD not in listed_log
    assert journal.count("[redacted]") >= 5  # POST, PUT, two PATCH operations, the broken body
    assert "[redacted]" in system_log


def test_a_password_echoed_in_an_error_is_kept_out_of_the_system_log() -> None:
    from mock_onelogin.scim_client import ScimExchange

    body = {"userName": "ada@acme.example", "password": INITIAL_PASSWORD}
    detail = f"'password' must be stronger than {INITIAL_PASSWORD!r}"
    exchange = ScimExchange(
        "POST",
        "http://wrike.test/scim/1/v2/Users",
        {"Authorization": "Bearer ****abcd"},
        body,
        status=400,
        response_body={"status": "400", "detail": detail},
        request_text=json.dumps(body),
        response_text=json.dumps({"status": "400", "detail": detail}),
    )
    logged = [exchange.as_log_json(), json.dumps(exchange.to_log([])), exchange.describe_failure()]
    assert not [text for text in logged if INITIAL_PASSWORD in text]
    assert all("[redacted]" in text for text in logged)
    assert json.loads(exchange.as_log_json())["request_body"]["userName"] == "ada@acme.example"
