"""Every control surface takes a credential, a web page cannot make a browser change
anything, and a DNS-rebound host name gets no answer.

Each test builds the apps as ``wrike-sp serve``, ``mock-onelogin serve`` and ``harness up``
do (keys set) and speaks to them as the attacker's page would make a browser speak: a form
post or a ``no-cors`` fetch from another origin, or any request naming the attacker's host.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from flask import Flask

from mock_onelogin import OneLoginConfig, wsgi_session
from mock_onelogin import create_app as create_onelogin
from tests.mock_onelogin.scim_stub import ScimStub
from wrike_sp import WrikeConfig
from wrike_sp import create_app as create_wrike
from wrike_sp.demo import DemoAccount, seed_demo_account

ADMIN_KEY = "wrike-admin-key-for-tests"
SIMULATOR_KEY = "simulator-key-for-tests"
EVIL = "http://evil.example"
FORM = "application/x-www-form-urlencoded"


@pytest.fixture
def wrike() -> Iterator[Flask]:
    app = create_wrike(
        WrikeConfig(admin_key=ADMIN_KEY, harness_enabled=True, password_iterations=1000)
    )
    yield app
    app.extensions["wrike"].store.close()


@pytest.fixture
def demo(wrike: Flask) -> DemoAccount:
    return seed_demo_account(wrike.extensions["wrike"].accounts)


@pytest.fixture
def stub() -> ScimStub:
    return ScimStub()


@pytest.fixture
def onelogin(stub: ScimStub) -> Iterator[Flask]:
    app = create_onelogin(
        OneLoginConfig(simulator_key=SIMULATOR_KEY),
        session_factory=lambda base: wsgi_session(stub.app, base),
    )
    yield app
    app.extensions["mock_onelogin"].store.close()


def _bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def _accounts(wrike: Flask) -> int:
    return len(wrike.extensions["wrike"].accounts.accounts())


# -- credentials -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/harness/api/reset"),
        ("GET", "/harness/api/journal"),
        ("POST", "/harness/api/faults"),
        ("GET", "/admin/api/v1/accounts"),
        ("POST", "/admin/api/v1/accounts"),
    ],
)
def test_wrike_control_apis_refuse_a_request_without_the_admin_key(
    wrike: Flask, demo: DemoAccount, method: str, path: str
) -> None:
    client = wrike.test_client()
    for headers in ({}, _bearer("wrong"), {"Authorization": ADMIN_KEY}):
        response = client.open(path, method=method, json={}, headers=headers)
        assert response.status_code == 401, (path, headers)
        assert response.get_json()["error"] == "unauthorized"
    assert _accounts(wrike) == 1


def test_the_harness_api_works_with_the_admin_key(wrike: Flask, demo: DemoAccount) -> None:
    client = wrike.test_client()
    assert client.post("/harness/api/reset", headers=_bearer(ADMIN_KEY)).status_code == 204
    assert _accounts(wrike) == 0


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/simulator/api/reset"),
        ("GET", "/simulator/api/status"),
        ("GET", "/simulator/api/system-log"),
        ("POST", "/simulator/api/credentials"),
        ("POST", "/simulator/api/drain"),
        ("POST", "/simulator/api/tasks/1/approve"),
        ("PUT", "/simulator/api/apps/1/connector"),
    ],
)
def test_the_simulator_api_refuses_a_request_without_its_key(
    onelogin: Flask, method: str, path: str
) -> None:
    client = onelogin.test_client()
    for headers in ({}, _bearer("wrong")):
        response = client.open(path, method=method, json={}, headers=headers)
        assert response.status_code == 401
        body = response.get_json()
        assert body["name"] == "UnauthorizedError" and "simulator key" in body["message"]
        assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_the_simulator_api_works_with_its_key(onelogin: Flask) -> None:
    client = onelogin.test_client()
    response = client.post("/simulator/api/credentials", headers=_bearer(SIMULATOR_KEY))
    assert response.status_code == 201 and response.get_json()["client_secret"]


# -- cross-site requests ---------------------------------------------------------------------


CROSS_SITE = [
    pytest.param({"Origin": EVIL}, id="origin"),
    pytest.param({"Origin": "null"}, id="opaque-origin"),
    pytest.param({"Sec-Fetch-Site": "cross-site"}, id="sec-fetch-site"),
    # Another port on the same loopback host is another origin (the other server's pages).
    pytest.param({"Origin": "http://localhost:8200", "Sec-Fetch-Site": "same-site"}, id="port"),
    pytest.param({"Referer": f"{EVIL}/page.html"}, id="referer"),
]


@pytest.mark.parametrize("marks", CROSS_SITE)
def test_a_cross_site_form_post_cannot_reset_wrike_even_with_the_key(
    wrike: Flask, demo: DemoAccount, marks: dict[str, str]
) -> None:
    """The key alone would stop a page that does not know it; the check stops a page even
    where the key is known (an open simulator in tests) and gives a reason."""
    client = wrike.test_client()
    response = client.post(
        "/harness/api/reset",
        data="x=1",
        content_type=FORM,
        headers={**marks, **_bearer(ADMIN_KEY)},
    )
    assert response.status_code == 403
    assert "another site" in response.get_json()["message"]
    assert _accounts(wrike) == 1


@pytest.mark.parametrize("marks", CROSS_SITE)
def test_a_no_cors_text_plain_fetch_cannot_approve_or_reset_onelogin(
    onelogin: Flask, marks: dict[str, str]
) -> None:
    account = onelogin.extensions["mock_onelogin"]
    user = account.directory.create_user({"username": "ada@acme.com", "email": "ada@acme.com"})
    client = onelogin.test_client()
    for path in ("/simulator/api/reset", f"/simulator/api/users/{user['id']}/logins"):
        response = client.post(
            path,
            data='{"app_id": 1}',
            content_type="text/plain",
            headers={**marks, **_bearer(SIMULATOR_KEY)},
        )
        assert response.status_code == 403, path
        assert response.get_json()["name"] == "ForbiddenError"
    assert account.directory.find_user(user["id"], include_deleted=False) is not None
    assert not account.directory.has_direct_login(user["id"], 1)


def test_a_cross_site_post_to_the_scim_endpoint_gets_a_scim_error(
    wrike: Flask, demo: DemoAccount
) -> None:
    response = wrike.test_client().post(
        f"{demo.scim_path}/Users",
        data="{}",
        content_type="text/plain",
        headers={"Origin": EVIL, **_bearer(demo.token)},
    )
    assert response.status_code == 403
    assert response.get_json()["schemas"] == ["urn:ietf:params:scim:api:messages:2.0:Error"]


def test_the_apps_own_pages_and_non_browser_clients_pass(wrike: Flask, demo: DemoAccount) -> None:
    client = wrike.test_client()
    own = {"Origin": "http://localhost", "Sec-Fetch-Site": "same-origin"}
    for headers in (own, {"Referer": "http://localhost/login"}, {}):
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text)
        assert csrf is not None
        response = client.post("/logout", data={"csrf_token": csrf[1]}, headers=headers)
        assert response.status_code == 302, headers
    assert client.get("/login", headers={"Origin": EVIL}).status_code == 200  # reads pass
    listed = client.get("/admin/api/v1/accounts", headers=_bearer(ADMIN_KEY))
    assert listed.status_code == 200  # a script: no browser marks, the key


# -- DNS rebinding -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "shape"),
    [
        ("/admin/api/v1/accounts", "error"),
        ("/harness/api/journal", "error"),
        ("/scim/1/v2/Users", "schemas"),
        ("/login", None),
    ],
)
def test_wrike_gives_no_answer_to_a_rebound_host_name(
    wrike: Flask, demo: DemoAccount, path: str, shape: str | None
) -> None:
    headers = {"Host": "evil.example", **_bearer(ADMIN_KEY)}
    response = wrike.test_client().get(path, headers=headers)
    assert response.status_code == 421
    assert "evil.example" in response.text
    if shape:
        assert shape in response.get_json()


@pytest.mark.parametrize(
    ("path", "key"),
    [
        ("/simulator/api/system-log", "message"),
        ("/api/2/users", "message"),
        ("/api/1/events", "status"),
        ("/admin/users", None),
    ],
)
def test_onelogin_gives_no_answer_to_a_rebound_host_name(
    onelogin: Flask, path: str, key: str | None
) -> None:
    response = onelogin.test_client().get(
        path, headers={"Host": "evil.example:8200", **_bearer(SIMULATOR_KEY)}
    )
    assert response.status_code == 421
    if key:
        assert key in response.get_json()


@pytest.mark.parametrize(
    "host", ["127.0.0.1:8100", "[::1]:8100", "localhost:8100", "wrike.localhost", "10.0.0.7"]
)
def test_loopback_names_and_ip_addresses_are_answered(wrike: Flask, host: str) -> None:
    response = wrike.test_client().get("/admin/api/v1/accounts", headers={"Host": host})
    assert response.status_code == 401  # reached the API, which wants its key


def test_a_configured_host_name_is_answered() -> None:
    app = create_wrike(
        WrikeConfig(public_url="https://wrike.corp.example", allowed_hosts=("scim.corp.example",))
    )
    client = app.test_client()
    for host in ("wrike.corp.example", "SCIM.corp.example:443", "other.corp.example"):
        status = client.get("/openapi.json", headers={"Host": host}).status_code
        assert status == (421 if host.startswith("other") else 200), host


# -- the connector's token stays with its server --------------------------------------------


def test_a_new_scim_url_on_another_server_does_not_inherit_the_token(
    onelogin: Flask, stub: ScimStub
) -> None:
    client = onelogin.test_client()
    headers = _bearer(SIMULATOR_KEY)
    connector = "/simulator/api/apps/1/connector"
    good = {"scim_base_url": "http://wrike.test/scim/v2", "scim_bearer_token": stub.token}
    assert client.put(connector, json=good, headers=headers).status_code == 200
    assert (
        client.post("/simulator/api/apps/1/api-connection/enable", headers=headers).status_code
        == 200
    )
    sent_before = len(stub.calls)

    moved = client.put(
        connector, json={"scim_base_url": "http://evil.example/scim/v2"}, headers=headers
    )
    assert moved.status_code == 200
    assert moved.get_json()["scim_bearer_token"] == ""
    enable = client.post("/simulator/api/apps/1/api-connection/enable", headers=headers)
    assert enable.status_code == 422 and "SCIM Bearer Token" in enable.get_json()["message"]
    assert len(stub.calls) == sent_before  # nothing went to the new URL
    log = client.get("/simulator/api/system-log", headers=headers).get_json()
    assert any("cleared" in (e.get("notes") or "") for e in log)


def test_a_new_path_on_the_same_server_keeps_the_token(onelogin: Flask, stub: ScimStub) -> None:
    client = onelogin.test_client()
    headers = _bearer(SIMULATOR_KEY)
    connector = "/simulator/api/apps/1/connector"
    good = {"scim_base_url": "http://wrike.test/scim/v2", "scim_bearer_token": stub.token}
    client.put(connector, json=good, headers=headers)
    moved = client.put(
        connector, json={"scim_base_url": "http://wrike.test/scim/2/v2"}, headers=headers
    )
    assert moved.get_json()["scim_bearer_token"] != ""
    # and a new server with its own token in the same save takes that token
    both = client.put(
        connector,
        json={"scim_base_url": "http://other.test/scim/v2", "scim_bearer_token": "new-token"},
        headers=headers,
    )
    assert both.get_json()["scim_bearer_token"] != ""
