"""The OneLogin-compatible API and the simulator API: auth styles, success codes, error
shapes, pagination, and no 500s or half-written data on bad input."""

from __future__ import annotations

import base64

import pytest
from flask.testing import FlaskClient

from mock_onelogin import FixedClock, OneLoginAccount
from tests.mock_onelogin.conftest import make_user


@pytest.fixture
def creds(client: FlaskClient) -> tuple[str, str]:
    body = client.post("/simulator/api/credentials", json={"name": "api"}).get_json()
    return body["client_id"], body["client_secret"]


def test_three_client_auth_styles_get_the_same_token(
    client: FlaskClient, creds: tuple[str, str]
) -> None:
    cid, secret = creds
    basic = base64.b64encode(f"{cid}:{secret}".encode()).decode()
    a = client.post(
        "/auth/oauth2/v2/token",
        json={"grant_type": "client_credentials"},
        headers={"Authorization": f"Basic {basic}"},
    )
    b = client.post(
        "/auth/oauth2/v2/token",
        json={"grant_type": "client_credentials"},
        headers={"Authorization": f"client_id:{cid}, client_secret:{secret}"},
    )
    c = client.post(
        "/auth/oauth2/v2/token",
        data={"grant_type": "client_credentials", "client_id": cid, "client_secret": secret},
    )
    assert a.status_code == b.status_code == c.status_code == 200
    tokens = {r.get_json()["access_token"] for r in (a, b, c)}
    assert len(tokens) == 1
    body = a.get_json()
    assert body["token_type"] == "bearer" and body["expires_in"] == 36000
    assert isinstance(body["account_id"], int)


def test_token_errors_use_the_v1_shape(client: FlaskClient, creds: tuple[str, str]) -> None:
    cid, secret = creds
    header = {"Authorization": f"client_id:{cid}, client_secret:{secret}"}
    no_grant = client.post("/auth/oauth2/v2/token", json={}, headers=header)
    assert no_grant.status_code == 400
    assert no_grant.get_json() == {
        "status": {
            "error": True,
            "code": 400,
            "type": "bad request",
            "message": "grant_type is incorrect/absent",
        }
    }
    wrong = client.post(
        "/auth/oauth2/v2/token",
        json={"grant_type": "client_credentials"},
        headers={"Authorization": f"client_id:{cid}, client_secret:nope"},
    )
    assert wrong.status_code == 401
    assert wrong.get_json()["status"]["message"] == "Authentication Failure"


def test_token_expires(client: FlaskClient, token: str, clock: FixedClock) -> None:
    assert (
        client.get("/api/2/users", headers={"Authorization": f"bearer {token}"}).status_code == 200
    )
    clock.advance(36001)
    expired = client.get("/api/2/users", headers={"Authorization": f"bearer {token}"})
    assert expired.status_code == 401


@pytest.mark.parametrize("style", ["Bearer {t}", "bearer {t}", "bearer:{t}"])
def test_bearer_spellings(client: FlaskClient, token: str, style: str) -> None:
    response = client.get("/api/2/users", headers={"Authorization": style.format(t=token)})
    assert response.status_code == 200
    assert int(response.headers["X-RateLimit-Remaining"]) < int(
        response.headers["X-RateLimit-Limit"]
    )
    assert "X-RateLimit-Reset" in response.headers


def test_unauthenticated_calls_get_each_familys_shape(client: FlaskClient) -> None:
    v2 = client.get("/api/2/users")
    assert v2.status_code == 401
    assert v2.get_json() == {
        "statusCode": 401,
        "name": "UnauthorizedError",
        "message": "Unauthorized",
    }
    v1 = client.get("/api/1/events", headers={"Authorization": "Bearer wrong"})
    assert v1.get_json() == {
        "status": {
            "error": True,
            "code": 401,
            "type": "Unauthorized",
            "message": "Authentication Failure",
        }
    }
    assert client.get("/api/1/events/types").status_code == 200  # documented: no auth


def test_user_crud_and_codes(client: FlaskClient, auth: dict[str, str]) -> None:
    created = client.post(
        "/api/2/users",
        headers=auth,
        json={
            "email": "cara@example.com",
            "firstname": "Cara",
            "custom_attributes": {"wrike_user_type": "External"},
        },
    )
    assert created.status_code == 201
    user = created.get_json()
    assert isinstance(user["id"], int) and user["status"] == 7
    assert user["custom_attributes"] == {"wrike_user_type": "External"}
    updated = client.put(f"/api/2/users/{user['id']}", headers=auth, json={"title": "CTO"})
    assert updated.status_code == 200 and updated.get_json()["title"] == "CTO"
    assert updated.get_json()["firstname"] == "Cara"  # partial update keeps the rest
    assert client.delete(f"/api/2/users/{user['id']}", headers=auth).status_code == 204
    gone = client.get(f"/api/2/users/{user['id']}", headers=auth)
    assert gone.status_code == 404
    assert gone.get_json() == {
        "statusCode": 404,
        "name": "NotFoundError",
        "message": "The resource with the given id could not be found",
    }


@pytest.mark.parametrize(
    ("body", "status", "name", "text"),
    [
        ({"firstname": "NoLogin"}, 422, "UnprocessableEntityFieldError", "username or email"),
        ({"email": "x@example.com", "status": 6}, 422, "UnprocessableEntityFieldError", "status"),
        (
            {"email": "x@example.com", "employee_number": "7"},
            400,
            "BadRequestError",
            "unknown attribute: employee_number",
        ),
        (
            {"email": "x@example.com", "custom_attributes": {"plan": "gold"}},
            400,
            "BadRequestError",
            "unknown attribute: custom_attributes.plan",
        ),
        (
            {"email": "x@example.com", "custom_attributes": {"wrike_user_type": 3}},
            422,
            "UnprocessableEntityFieldError",
            "string",
        ),
        ({"email": "not-an-email"}, 422, "UnprocessableEntityFieldError", "email"),
        (
            {"email": "x@example.com", "firstname": 5},
            422,
            "UnprocessableEntityFieldError",
            "string",
        ),
    ],
)
def test_bad_user_bodies_are_refused_and_nothing_is_written(
    client: FlaskClient,
    auth: dict[str, str],
    account: OneLoginAccount,
    body: dict,
    status: int,
    name: str,
    text: str,
) -> None:
    response = client.post("/api/2/users", headers=auth, json=body)
    assert response.status_code == status
    error = response.get_json()
    assert error["name"] == name and error["statusCode"] == status
    assert text in error["message"]
    assert account.store.table_rows("users") == []


def test_malformed_json_is_a_400_not_a_500(client: FlaskClient, auth: dict[str, str]) -> None:
    response = client.post(
        "/api/2/users", headers={**auth, "Content-Type": "application/json"}, data="{oops"
    )
    assert response.status_code == 400
    assert response.get_json()["name"] == "BadRequestError"


def test_duplicate_username_is_refused(client: FlaskClient, auth: dict[str, str]) -> None:
    assert client.post("/api/2/users", headers=auth, json={"username": "dup"}).status_code == 201
    again = client.post("/api/2/users", headers=auth, json={"username": "DUP"})
    assert again.status_code == 422 and "unique" in again.get_json()["message"]


def test_list_users_filters_and_pagination_headers(
    client: FlaskClient, auth: dict[str, str], account: OneLoginAccount
) -> None:
    for n in range(5):
        make_user(
            account, n, custom_attributes={"wrike_user_type": "Viewer" if n % 2 else "Regular"}
        )
    page = client.get("/api/2/users?limit=2&page=2", headers=auth)
    assert [u["username"] for u in page.get_json()] == ["user2", "user3"]
    assert page.headers["Total-Count"] == "5" and page.headers["Total-Pages"] == "3"
    assert page.headers["Current-Page"] == "2" and page.headers["Page-Items"] == "2"
    after = client.get(f"/api/2/users?cursor={page.headers['After-Cursor']}", headers=auth)
    assert [u["username"] for u in after.get_json()] == ["user4"]
    assert [
        u["username"] for u in client.get("/api/2/users?email=user1*", headers=auth).get_json()
    ] == ["user1"]
    viewers = client.get("/api/2/users?custom_attributes.wrike_user_type=Viewer", headers=auth)
    assert [u["username"] for u in viewers.get_json()] == ["user1", "user3"]
    ids = client.get("/api/2/users?user_ids=1,3&fields=email", headers=auth).get_json()
    assert ids == [{"id": 1, "email": "user0@example.com"}, {"id": 3, "email": "user2@example.com"}]
    bad = client.get("/api/2/users?sort=-password", headers=auth)
    assert bad.status_code == 422 and bad.get_json()["field"] == "sort"
    assert client.get("/api/2/users?limit=x", headers=auth).status_code == 400


def test_roles_apps_and_users(
    client: FlaskClient, auth: dict[str, str], account: OneLoginAccount, wrike: int
) -> None:
    users = [make_user(account, n)["id"] for n in range(2)]
    role = client.post("/api/2/roles", headers=auth, json={"name": "Wrike users"})
    assert role.status_code == 201
    role_id = role.get_json()["id"]
    assert client.put(f"/api/2/roles/{role_id}/apps", headers=auth, json=[wrike]).get_json() == [
        {"id": wrike}
    ]
    assert client.post(f"/api/2/roles/{role_id}/users", headers=auth, json=users).get_json() == [
        {"id": u} for u in users
    ]
    assert client.get(f"/api/2/roles/{role_id}", headers=auth).get_json() == {
        "id": role_id,
        "name": "Wrike users",
        "apps": [wrike],
        "users": users,
        "admins": [],
    }
    assert [
        a["name"] for a in client.get(f"/api/2/roles/{role_id}/apps", headers=auth).get_json()
    ] == ["Wrike"]
    assert [
        u["id"] for u in client.get(f"/api/2/apps/{wrike}/users", headers=auth).get_json()
    ] == users
    app = client.get(f"/api/2/apps/{wrike}", headers=auth).get_json()
    assert app["role_ids"] == [role_id] and app["provisioning"]["enabled"] is True
    object_form = client.delete(
        f"/api/2/roles/{role_id}/users", headers=auth, json={"users": users}
    )
    assert object_form.status_code == 400
    assert object_form.get_json()["message"] == "Expected array in request"
    assert (
        client.delete(f"/api/2/roles/{role_id}/users", headers=auth, json=users).status_code == 204
    )
    assert client.get(f"/api/2/apps/{wrike}/users", headers=auth).get_json() == []
    unknown_app = client.put(f"/api/2/roles/{role_id}/apps", headers=auth, json=[999])
    assert unknown_app.status_code == 404 and unknown_app.get_json()["name"] == "NotFoundError"
    # the refused call changed nothing
    assert [
        a["id"] for a in client.get(f"/api/2/roles/{role_id}/apps", headers=auth).get_json()
    ] == [wrike]


def test_user_apps_show_provisioning_state(
    client: FlaskClient, auth: dict[str, str], account: OneLoginAccount, wrike: int
) -> None:
    user = make_user(account)
    account.directory.add_login(user["id"], wrike)
    [app] = client.get(f"/api/2/users/{user['id']}/apps", headers=auth).get_json()
    assert app["provisioning_state"] == "provisioning"
    account.drain()
    [app] = client.get(f"/api/2/users/{user['id']}/apps", headers=auth).get_json()
    assert (
        app["name"],
        app["provisioning_state"],
        app["provisioning_status"],
        app["provisioning_enabled"],
    ) == ("Wrike", "provisioned", "enabled", True)
    assert isinstance(app["login_id"], int)


def test_unknown_routes_and_methods_are_shaped(client: FlaskClient, auth: dict[str, str]) -> None:
    assert client.get("/api/2/nothing", headers=auth).get_json()["name"] == "NotFoundError"
    method = client.patch("/api/2/users/1", headers=auth)
    assert method.status_code in (404, 405) and "statusCode" in method.get_json()


# simulator API -------------------------------------------------------------------------------
def test_simulator_configures_the_connector_and_the_provisioning_tab(
    client: FlaskClient, account: OneLoginAccount
) -> None:
    app_id = account.apps.wrike_app_id()
    saved = client.put(
        f"/simulator/api/apps/{app_id}/connector",
        json={
            "scim_base_url": "http://wrike.test/scim/v2",
            "scim_bearer_token": "tok-abcdef123456",
            "custom_headers": {"Content-Type": "application/scim+json"},
        },
    )
    assert saved.status_code == 200
    body = saved.get_json()
    assert body["scim_bearer_token"] == "****3456"
    assert body["labels"]["scim_json_template"] == "SCIM JSON Template"
    tab = client.put(
        f"/simulator/api/apps/{app_id}/provisioning",
        json={"enabled": True, "require_approval": {"update_user": False}, "on_delete": "Delete"},
    )
    assert tab.status_code == 200
    settings = tab.get_json()
    assert settings["require_approval"] == {
        "create_user": True,
        "update_user": False,
        "delete_user": True,
    }
    assert settings["labels"]["on_delete"].startswith("When users are deleted in OneLogin")


@pytest.mark.parametrize(
    ("path", "body", "text"),
    [
        ("provisioning", {"on_suspend": "Delete"}, "on_suspend must be one of"),
        ("provisioning", {"require_approval": {"create": True}}, "unknown action"),
        ("connector", {"scim_base_url": "wrike.test"}, "http(s) URL"),
        (
            "connector",
            {"scim_json_template": '{"userName": "{$parameters.nope}"}'},
            "no parameter 'nope'",
        ),
    ],
)
def test_simulator_refuses_bad_settings_and_keeps_the_old_ones(
    client: FlaskClient, account: OneLoginAccount, path: str, body: dict, text: str
) -> None:
    app_id = account.apps.wrike_app_id()
    before = client.get(f"/simulator/api/apps/{app_id}/{path}").get_json()
    response = client.put(f"/simulator/api/apps/{app_id}/{path}", json=body)
    assert response.status_code == 422
    assert text in response.get_json()["message"]
    assert client.get(f"/simulator/api/apps/{app_id}/{path}").get_json() == before


def test_simulator_queue_endpoints(client: FlaskClient, account: OneLoginAccount, stub) -> None:
    app_id = account.apps.wrike_app_id()
    client.put(
        f"/simulator/api/apps/{app_id}/connector",
        json={"scim_base_url": "http://wrike.test/scim/v2", "scim_bearer_token": stub.token},
    )
    assert client.post(f"/simulator/api/apps/{app_id}/api-connection/enable").get_json() == {
        "api_status": "Enabled",
        "message": "Enabled",
    }
    client.put(f"/simulator/api/apps/{app_id}/provisioning", json={"enabled": True})
    user = make_user(account)
    assert (
        client.post(
            f"/simulator/api/users/{user['id']}/logins", json={"app_id": app_id}
        ).status_code
        == 201
    )
    [task] = client.get("/simulator/api/tasks?state=pending_approval").get_json()
    assert task["title"] == "Create User in Application"
    [row] = client.get(f"/simulator/api/apps/{app_id}/users").get_json()
    assert row["label"] == "Pending"
    assert client.post(f"/simulator/api/tasks/{task['id']}/approve").status_code == 200
    assert client.post("/simulator/api/drain").get_json()["succeeded"] == 1
    [row] = client.get(f"/simulator/api/apps/{app_id}/users").get_json()
    assert row["label"] == "Provisioned" and row["scim_id"]
    again = client.post(f"/simulator/api/tasks/{task['id']}/deny")
    assert again.status_code == 409 and again.get_json()["name"] == "ConflictError"
    assert client.post("/simulator/api/tasks/999/approve").status_code == 404
    assert client.post("/simulator/api/reconcile", json={"app_id": "x"}).status_code == 400
    assert client.post("/simulator/api/reconcile").get_json() == {"queued": {}}
    assert client.delete(f"/simulator/api/users/{user['id']}/logins/{app_id}").status_code == 204
    assert client.get("/simulator/api/tasks?state=bogus").status_code == 422
    assert client.post("/simulator/api/reset").status_code == 200
    assert client.get("/simulator/api/tasks").get_json() == []


def test_rate_limit_is_reported_and_enforced(clock: FixedClock) -> None:
    from mock_onelogin import OneLoginConfig, create_app

    account = OneLoginAccount(OneLoginConfig(rate_limit_per_hour=3), clock=clock)
    client = create_app(account.config, account=account).test_client()
    client_id, _ = account.api_clients.create_client("limited")
    auth = {"Authorization": f"Bearer {account.api_clients.issue_token(client_id)['access_token']}"}
    remaining = [
        client.get("/api/2/users", headers=auth).headers["X-RateLimit-Remaining"] for _ in range(3)
    ]
    assert remaining == ["2", "1", "0"]
    over = client.get("/api/2/users", headers=auth)
    assert over.status_code == 429
    assert over.get_json()["name"] == "TooManyRequestsError"
    assert over.headers["X-RateLimit-Limit"] == "3"
    account.store.close()


def test_single_event_by_id(
    client: FlaskClient, auth: dict[str, str], account: OneLoginAccount
) -> None:
    make_user(account)
    [event] = account.system_log.events(event_type_ids=[13])
    body = client.get(f"/api/1/events/{event.id}", headers=auth).get_json()
    assert body["data"]["event_type_id"] == 13 and body["status"]["error"] is False
    missing = client.get("/api/1/events/999999", headers=auth)
    assert missing.status_code == 404 and missing.get_json()["status"]["code"] == 404
