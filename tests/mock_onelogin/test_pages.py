"""The OneLogin console pages through the Flask test client: login required, CSRF refused
without its token, OneLogin's labels, the SCIM Bearer Token masked everywhere, refusals shown
in the page, and the approval dialog showing exactly what the engine then sends."""

from __future__ import annotations

import json
import logging
import re
from html import unescape
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from mock_onelogin import OneLoginAccount, OneLoginConfig
from tests.mock_onelogin.conftest import SCIM_BASE, make_user
from tests.mock_onelogin.scim_stub import ScimStub

ADMIN = "admin@onelogin.example"
PASSWORD = "onelogin admin"
PAGES = [
    "/admin/",
    "/admin/users",
    "/admin/users/new",
    "/admin/users/1",
    "/admin/roles",
    "/admin/roles/1",
    "/admin/apps",
    "/admin/apps/1/configuration",
    "/admin/apps/1/provisioning",
    "/admin/apps/1/users",
    "/admin/apps/1/tasks/1",
    "/admin/events",
    "/admin/events/1",
]
APPROVE_CREATE_ONLY = {"create_user": True, "update_user": False, "delete_user": False}


@pytest.fixture
def config() -> OneLoginConfig:
    """Changes drain before the page answers, as a console user expects to see the result."""
    return OneLoginConfig(drain_mode="sync", console_admin_password=PASSWORD)


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "the page has no form with a CSRF token"
    return match.group(1)


def log_in(client: FlaskClient, email: str = ADMIN, password: str = PASSWORD, **extra: Any) -> Any:
    token = csrf_of(client.get("/admin/login").text)
    return client.post(
        "/admin/login", data={"csrf_token": token, "email": email, "password": password, **extra}
    )


def post(client: FlaskClient, path: str, form_page: str, **data: Any) -> Any:
    """Submit a form the way a browser does: with the CSRF token of the page it came from."""
    return client.post(path, data={"csrf_token": csrf_of(client.get(form_page).text), **data})


def text_of(html: str) -> str:
    """The page's visible text, roughly: tags dropped, entities decoded."""
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)))


@pytest.fixture
def admin(client: FlaskClient) -> FlaskClient:
    assert log_in(client).status_code == 302
    return client


@pytest.fixture
def approval_app(account: OneLoginAccount, stub: ScimStub) -> int:
    """The Wrike app configured, Enabled, provisioning on with approval for Create user."""
    app_id = account.apps.wrike_app_id()
    account.apps.configure_connector(
        app_id, {"scim_base_url": SCIM_BASE, "scim_bearer_token": stub.token}
    )
    account.apps.enable_api_connection(app_id)
    account.apps.set_provisioning(
        app_id, {"enabled": True, "require_approval": APPROVE_CREATE_ONLY}
    )
    return app_id


def pending_create(account: OneLoginAccount, app_id: int, **extra: Any) -> tuple[int, int]:
    user = make_user(account, 1, custom_attributes={"wrike_user_type": "Collaborator"}, **extra)
    account.directory.add_login(user["id"], app_id)
    (task,) = account.approvals.list_tasks(app_id=app_id, state="pending_approval")
    return user["id"], task.id


# -- login ------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", PAGES)
def test_every_console_page_sends_a_visitor_to_the_login(client: FlaskClient, path: str) -> None:
    answer = client.get(path)
    assert answer.status_code == 302
    assert answer.headers["Location"].startswith("/admin/login?next=")


def test_a_wrong_password_is_refused_in_the_page(client: FlaskClient) -> None:
    answer = log_in(client, password="guess")
    assert answer.status_code == 401
    assert "The email or password is not correct." in answer.text
    assert client.get("/admin/users").status_code == 302


def test_the_session_cookie_is_the_consoles_own_httponly_and_samesite_lax(
    client: FlaskClient,
) -> None:
    answer = log_in(client, next="/admin/roles")
    assert answer.status_code == 302
    assert answer.headers["Location"] == "/admin/roles"
    cookie = answer.headers["Set-Cookie"]
    assert cookie.startswith("onelogin_session=")
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_the_login_is_no_open_redirect(client: FlaskClient) -> None:
    answer = log_in(client, next="//attacker.example/admin/x")
    assert answer.headers["Location"] == "/admin/users"


def test_the_api_never_gets_a_console_session(client: FlaskClient, token: str) -> None:
    answer = client.get("/api/2/users", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200
    assert "Set-Cookie" not in answer.headers


def test_log_out_ends_the_session(admin: FlaskClient) -> None:
    assert post(admin, "/admin/logout", "/admin/users").status_code == 302
    assert admin.get("/admin/users").status_code == 302


# -- CSRF -------------------------------------------------------------------------------------


def _post_routes(app: Flask) -> list[str]:
    routes = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("onelogin_pages.") and "POST" in (rule.methods or ()):
            routes.append(re.sub(r"<(?:int:|path:)?([a-z_]+)>", "1", rule.rule))
    return routes


def test_every_console_form_is_refused_without_its_csrf_token(
    flask_app: Flask, admin: FlaskClient, account: OneLoginAccount, approval_app: int
) -> None:
    pending_create(account, approval_app)
    make_user(account, 2)
    before = (
        account.system_log.events(limit=1000),
        account.store.list_roles(),
        account.approvals.list_tasks(),
    )
    routes = _post_routes(flask_app)
    assert len(routes) >= 20
    for path in routes:
        answer = admin.post(
            path,
            data={
                "name": "Forged",
                "user_id": "2",
                "app_id": "1",
                "role_id": "1",
                "email": "x@example.com",
            },
        )
        assert answer.status_code == 400, path
        assert "security token is missing or out of date" in answer.text, path
        forged = admin.post(path, data={"csrf_token": "not-the-token"})
        assert forged.status_code == 400, path
    assert (
        account.system_log.events(limit=1000),
        account.store.list_roles(),
        account.approvals.list_tasks(),
    ) == before


def test_every_form_carries_the_csrf_token(
    admin: FlaskClient, account: OneLoginAccount, approval_app: int
) -> None:
    user_id, task_id = pending_create(account, approval_app)
    role_id = account.directory.create_role({"name": "Wrike users"})
    for path in [
        "/admin/users",
        "/admin/users/new",
        f"/admin/users/{user_id}",
        "/admin/roles",
        f"/admin/roles/{role_id}",
        f"/admin/apps/{approval_app}/configuration",
        f"/admin/apps/{approval_app}/provisioning",
        f"/admin/apps/{approval_app}/users",
        f"/admin/apps/{approval_app}/tasks/{task_id}",
    ]:
        html = admin.get(path).text
        forms = re.findall(r"<form[^>]*method=\"post\".*?</form>", html, re.S)
        assert forms, path
        for form in forms:
            assert 'name="csrf_token"' in form, (path, form[:200])


# -- labels -----------------------------------------------------------------------------------


def test_the_configuration_tab_has_onelogins_labels(admin: FlaskClient) -> None:
    page = text_of(admin.get("/admin/apps/1/configuration").text)
    for label in (
        "Configuration",
        "Provisioning",
        "Users",
        "API Connection",
        "API Status",
        "Enable",
        "SCIM Base URL",
        "SCIM Bearer Token",
        "SCIM JSON Template",
        "Custom Headers",
        "Save",
    ):
        assert label in page, label


def test_the_provisioning_tab_has_onelogins_labels_verbatim(admin: FlaskClient) -> None:
    page = text_of(admin.get("/admin/apps/1/provisioning").text)
    for label in (
        "Enable provisioning",
        "Require admin approval before this action is performed",
        "Create user",
        "Delete user",
        "Update user",
        "When users are deleted in OneLogin, or the user's app access is removed, "
        "perform the below action",
        "When user accounts are suspended in OneLogin, perform the following action",
        "Save",
    ):
        assert label in page, label
    html = admin.get("/admin/apps/1/provisioning").text
    assert re.findall(r'<select id="on_delete".*?</select>', html, re.S)[0].count("<option") == 3
    for choice in ("Delete", "Suspend", "Do Nothing"):
        assert f">{choice}</option>" in html


def test_pending_shows_create_user_in_application_with_approve_and_deny(
    admin: FlaskClient, account: OneLoginAccount, approval_app: int
) -> None:
    _, task_id = pending_create(account, approval_app)
    users_tab = admin.get(f"/admin/apps/{approval_app}/users").text
    assert f'href="/admin/apps/{approval_app}/tasks/{task_id}">Pending</a>' in users_tab
    dialog = admin.get(f"/admin/apps/{approval_app}/tasks/{task_id}").text
    assert "<dialog open" in dialog
    assert ">Create User in Application<" in dialog
    assert ">Approve</button>" in dialog and ">Deny</button>" in dialog


# -- the approval queue -----------------------------------------------------------------------


def test_the_dialog_shows_exactly_what_approve_then_sends(
    admin: FlaskClient, account: OneLoginAccount, approval_app: int, stub: ScimStub
) -> None:
    _, task_id = pending_create(account, approval_app)
    dialog = admin.get(f"/admin/apps/{approval_app}/tasks/{task_id}").text
    planned = re.search(r'data-testid="planned-body">(.*?)</pre>', dialog, re.S)
    assert planned
    planned_body = json.loads(unescape(planned.group(1)))
    assert planned_body["userType"] == "Collaborator"
    assert not [c for c in stub.calls if c[0] == "POST"]  # nothing sent before Approve

    answer = post(
        admin,
        f"/admin/apps/{approval_app}/tasks/{task_id}/approve",
        f"/admin/apps/{approval_app}/users",
    )
    assert answer.status_code == 302
    users_tab = admin.get(f"/admin/apps/{approval_app}/users").text
    assert "Approved: Create User in Application for First1 Last1." in users_tab
    assert ">Provisioned<" in users_tab
    sent = [body for method, _, body in stub.calls if method == "POST"]
    assert sent == [planned_body]


@pytest.mark.parametrize("method", ["put", "patch"])
@pytest.mark.parametrize(
    ("change", "title"),
    [
        ({"title": "Designer"}, "Update User in Application"),
        ({"status": 2}, "Suspend User in Application"),
    ],
)
def test_the_dialog_of_an_update_or_suspend_matches_what_is_sent(
    admin: FlaskClient,
    account: OneLoginAccount,
    approval_app: int,
    stub: ScimStub,
    method: str,
    change: dict[str, Any],
    title: str,
) -> None:
    account.apps.set_provisioning(
        approval_app,
        {
            "update_method": method,
            "require_approval": {"create_user": False, "update_user": True, "delete_user": True},
        },
    )
    user = make_user(account, 1, custom_attributes={"wrike_user_type": "Collaborator"})
    account.directory.add_login(user["id"], approval_app)
    account.directory.update_user(user["id"], change)
    (task,) = account.approvals.list_tasks(app_id=approval_app, state="pending_approval")
    dialog = admin.get(f"/admin/apps/{approval_app}/tasks/{task.id}").text
    assert f">{title}<" in dialog
    planned = re.search(
        r'<span class="method">([A-Z]+)</span> <span class="mono">([^<]+)</span>'
        r'.*?data-testid="planned-body">(.*?)</pre>',
        dialog,
        re.S,
    )
    assert planned
    post(
        admin,
        f"/admin/apps/{approval_app}/tasks/{task.id}/approve",
        f"/admin/apps/{approval_app}/users",
    )
    sent_method, sent_path, sent_body = stub.calls[-1]
    assert planned.group(1) == sent_method == method.upper()
    assert unescape(planned.group(2)).endswith(sent_path)
    assert json.loads(unescape(planned.group(3))) == sent_body


def test_deny_sends_nothing_and_shows_in_the_timeline(
    admin: FlaskClient, account: OneLoginAccount, approval_app: int, stub: ScimStub
) -> None:
    user_id, task_id = pending_create(account, approval_app)
    post(
        admin,
        f"/admin/apps/{approval_app}/tasks/{task_id}/deny",
        f"/admin/apps/{approval_app}/users",
    )
    assert not [c for c in stub.calls if c[0] == "POST"]
    timeline = text_of(admin.get(f"/admin/users/{user_id}").text)
    assert "User app request denied" in timeline
    assert "Denied" in timeline


def test_a_failed_create_shows_failed_its_error_and_retry_provisions(
    admin: FlaskClient, account: OneLoginAccount, approval_app: int, stub: ScimStub
) -> None:
    _, task_id = pending_create(account, approval_app)
    stub.fail(409, "uniqueness", "User already exists in another account")
    post(
        admin,
        f"/admin/apps/{approval_app}/tasks/{task_id}/approve",
        f"/admin/apps/{approval_app}/users",
    )
    users_tab = admin.get(f"/admin/apps/{approval_app}/users").text
    assert ">Failed</a>" in users_tab
    assert "User already exists in another account" in users_tab
    assert ">Retry</button>" in users_tab
    post(
        admin,
        f"/admin/apps/{approval_app}/tasks/{task_id}/retry",
        f"/admin/apps/{approval_app}/users",
    )
    assert ">Provisioned<" in admin.get(f"/admin/apps/{approval_app}/users").text


def test_approving_twice_is_refused_in_the_page(
    admin: FlaskClient, account: OneLoginAccount, approval_app: int
) -> None:
    _, task_id = pending_create(account, approval_app)
    form_page = f"/admin/apps/{approval_app}/tasks/{task_id}"
    token = csrf_of(admin.get(form_page).text)
    path = f"/admin/apps/{approval_app}/tasks/{task_id}/approve"
    admin.post(path, data={"csrf_token": token})
    again = admin.post(path, data={"csrf_token": token}, follow_redirects=True)
    assert again.status_code == 200
    assert f"Task {task_id} is done; only pending_approval tasks can be approved" in again.text
    assert 'role="alert"' in again.text


# -- the token is masked ----------------------------------------------------------------------


def test_the_token_saved_in_the_page_never_shows_again(
    admin: FlaskClient, account: OneLoginAccount, stub: ScimStub, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    app_id = account.apps.wrike_app_id()
    config_page = f"/admin/apps/{app_id}/configuration"
    answer = post(
        admin,
        config_page,
        config_page,
        scim_base_url=SCIM_BASE + "/",
        scim_bearer_token=stub.token,
        scim_json_template=json.dumps(account.apps.connector(app_id).scim_json_template),
        custom_headers="",
    )
    assert answer.status_code == 302
    page = admin.get(config_page).text
    assert "Configuration saved." in page
    assert "****" + stub.token[-4:] in page
    assert 'value="http://wrike.test/scim/v2"' in page  # trailing slash removed
    post(admin, f"{config_page}/enable", config_page)
    post(
        admin,
        f"/admin/apps/{app_id}/provisioning",
        f"/admin/apps/{app_id}/provisioning",
        enabled="on",
        create_user="on",
        on_delete="Suspend",
        on_suspend="Suspend",
    )
    user_id, task_id = pending_create(account, app_id)
    seen = [admin.get(config_page).text, admin.get(f"/admin/apps/{app_id}/tasks/{task_id}").text]
    post(admin, f"/admin/apps/{app_id}/tasks/{task_id}/approve", f"/admin/apps/{app_id}/users")
    events = account.system_log.events(limit=100)
    seen += [admin.get("/admin/events").text, admin.get(f"/admin/users/{user_id}").text]
    seen += [admin.get(f"/admin/events/{e.id}").text for e in events]
    assert any("Bearer ****" + stub.token[-4:] in html for html in seen)
    for html in seen:
        assert stub.token not in html
    assert stub.token not in caplog.text
    assert PASSWORD not in caplog.text


def test_an_empty_token_field_keeps_the_saved_token(
    admin: FlaskClient, account: OneLoginAccount, approval_app: int, stub: ScimStub
) -> None:
    page = f"/admin/apps/{approval_app}/configuration"
    post(
        admin,
        page,
        page,
        scim_base_url=SCIM_BASE,
        scim_bearer_token="",
        scim_json_template=json.dumps(account.apps.connector(approval_app).scim_json_template),
        custom_headers="Content-Type: application/scim+json",
    )
    config = account.apps.connector(approval_app)
    assert config.scim_bearer_token == stub.token
    assert config.custom_headers == {"Content-Type": "application/scim+json"}
    assert config.api_status == "Enabled"  # URL and token unchanged: still tested


# -- errors in the page -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("scim_base_url", "ftp://wrike.test", "SCIM Base URL must be an http(s) URL"),
        ("scim_json_template", "{not json", "SCIM JSON Template"),
        ("custom_headers", "no colon here", "Custom Headers line 1 is not 'Name: value'"),
        ("custom_headers", "Authorization: Bearer x", "is set by OneLogin itself"),
    ],
)
def test_a_refused_configuration_is_explained_in_the_page_with_the_values_kept(
    admin: FlaskClient, account: OneLoginAccount, field: str, value: str, message: str
) -> None:
    app_id = account.apps.wrike_app_id()
    page = f"/admin/apps/{app_id}/configuration"
    form = {
        "scim_base_url": SCIM_BASE,
        "scim_bearer_token": "",
        "scim_json_template": json.dumps(account.apps.connector(app_id).scim_json_template),
        "custom_headers": "",
        field: value,
    }
    answer = post(admin, page, page, **form)
    assert answer.status_code in (400, 422)
    assert 'role="alert"' in answer.text
    assert message in unescape(answer.text)
    assert unescape(answer.text).count(value) >= 1
    assert account.apps.connector(app_id).scim_base_url == ""


def test_enable_without_a_url_and_token_is_explained(admin: FlaskClient) -> None:
    page = "/admin/apps/1/configuration"
    answer = post(admin, f"{page}/enable", page)
    assert answer.status_code == 422
    assert "Fill in SCIM Base URL and SCIM Bearer Token" in answer.text


def test_enable_against_a_wrong_token_shows_failed_and_why(
    admin: FlaskClient, account: OneLoginAccount
) -> None:
    account.apps.configure_connector(1, {"scim_base_url": SCIM_BASE, "scim_bearer_token": "wrong1"})
    page = "/admin/apps/1/configuration"
    shown = post(admin, f"{page}/enable", page)
    assert shown.status_code == 302
    html = admin.get(page).text
    assert 'data-testid="api-status">Failed<' in html
    assert "API connection failed: HTTP 401" in html


def test_a_duplicate_email_is_refused_in_the_form_with_the_values_kept(
    admin: FlaskClient, account: OneLoginAccount
) -> None:
    make_user(account, 1)
    answer = post(
        admin,
        "/admin/users",
        "/admin/users/new",
        firstname="Again",
        email="user1@example.com",
        wrike_user_type="Viewer",
    )
    assert answer.status_code == 422
    assert "Email must be unique" in answer.text
    assert 'value="Again"' in answer.text and 'value="Viewer"' in answer.text


def test_a_bad_events_filter_is_explained_in_the_page(admin: FlaskClient) -> None:
    answer = admin.get("/admin/events?since=yesterday")
    assert answer.status_code == 400
    assert "From must be a time such as 2026-01-01T09:00" in answer.text


@pytest.mark.parametrize(
    "path",
    [
        "/admin/users/999",
        "/admin/roles/999",
        "/admin/apps/999/users",
        "/admin/events/999",
        "/admin/no-such-page",
        "/admin/apps/1/tasks/999",
    ],
)
def test_unknown_things_get_a_page_not_json(admin: FlaskClient, path: str) -> None:
    answer = admin.get(path)
    assert answer.status_code == 404
    assert answer.mimetype == "text/html"
    assert 'role="alert"' in answer.text


# -- users, roles, events ---------------------------------------------------------------------


def test_users_are_created_edited_suspended_and_deleted_through_the_pages(
    admin: FlaskClient, account: OneLoginAccount, wrike: int, stub: ScimStub
) -> None:
    created = post(
        admin,
        "/admin/users",
        "/admin/users/new",
        firstname="Vic",
        lastname="Viewer",
        email="vic@acme.example",
        wrike_user_type="Viewer",
    )
    user_id = int(created.headers["Location"].rsplit("/", 1)[1])
    assert account.directory.require_user(user_id)["email"] == "vic@acme.example"
    page = f"/admin/users/{user_id}"
    post(admin, f"{page}/logins", page, app_id=str(wrike))
    assert [b["userType"] for m, _, b in stub.calls if m == "POST"] == ["Viewer"]
    post(
        admin,
        page,
        page,
        firstname="Vic",
        lastname="Viewer",
        email="vic@acme.example",
        wrike_user_type="Collaborator",
    )
    assert [b["userType"] for m, _, b in stub.calls if m == "PUT"] == ["Collaborator"]
    post(admin, f"{page}/suspend", page)
    assert "Suspended" in admin.get(page).text
    assert stub.calls[-1][0] == "PUT" and stub.calls[-1][2]["active"] is False
    post(admin, f"{page}/unsuspend", page)
    assert stub.calls[-1][2]["active"] is True
    timeline = text_of(admin.get(page).text)
    for step in (
        "User created in app",
        "User updated in app",
        "User suspended in app",
        "User reactivated in app",
    ):
        assert step in timeline
    post(admin, f"{page}/delete", page)
    assert account.store.get_user(user_id) is None
    assert "vic@acme.example" not in admin.get("/admin/users").text


def test_a_role_gives_and_takes_the_wrike_app(
    admin: FlaskClient, account: OneLoginAccount, wrike: int, stub: ScimStub
) -> None:
    user = make_user(account, 1)
    created = post(admin, "/admin/roles", "/admin/roles", name="Wrike users")
    role_page = created.headers["Location"]
    post(admin, f"{role_page}/apps", role_page, app_id=str(wrike))
    post(admin, f"{role_page}/users", role_page, user_id=str(user["id"]))
    assert ">Provisioned<" in admin.get(f"/admin/apps/{wrike}/users").text
    assert "Wrike users" in admin.get("/admin/roles").text
    post(admin, f"{role_page}/apps/{wrike}/remove", role_page)
    assert ">Suspended<" in admin.get(f"/admin/apps/{wrike}/users").text
    assert stub.calls[-1][2]["active"] is False


def test_an_empty_role_name_is_refused_in_the_page(admin: FlaskClient) -> None:
    answer = post(admin, "/admin/roles", "/admin/roles", name="  ")
    assert answer.status_code == 422
    assert "name is required" in answer.text


def events_table(client: FlaskClient, query: str) -> str:
    html = client.get(f"/admin/events?{query}").text
    table = re.search(r'<table class="grid" data-testid="events">.*?</table>', html, re.S)
    assert table, html[:500]
    return text_of(table.group(0))


def test_events_filter_by_user_type_and_time(
    admin: FlaskClient, account: OneLoginAccount, wrike: int
) -> None:
    first = make_user(account, 1)
    make_user(account, 2)
    account.directory.add_login(first["id"], wrike)
    by_user = events_table(admin, f"user_id={first['id']}")
    assert "User created in app" in by_user and "First1 Last1" in by_user
    assert "First2 Last2" not in by_user
    only_created = events_table(admin, "type=13")
    assert "First1 Last1" in only_created and "First2 Last2" in only_created
    assert "User created in app" not in only_created
    assert "No events match." in events_table(admin, "since=2030-01-01T00:00")
    assert "First2 Last2" in events_table(admin, "until=2030-01-01T00:00")


def test_the_users_timeline_puts_each_request_after_the_change_that_caused_it(
    admin: FlaskClient, account: OneLoginAccount, approval_app: int
) -> None:
    """The test clock never moves, so every entry shares one timestamp: order comes from
    cause and effect, not time."""
    user_id, task_id = pending_create(account, approval_app)
    account.approvals.approve(task_id)
    account.directory.set_user_status(user_id, 2)
    html = admin.get(f"/admin/users/{user_id}").text
    timeline = re.search(r'data-testid="timeline">(.*?)</ol>', html, re.S)
    assert timeline
    steps = re.findall(r"<strong>([^<]+)</strong>", timeline.group(1))
    assert steps == [
        "Created user",
        "Login manually added",
        "Create User in Application requested",
        "User app request approved",
        "User created in app",
        "Updated user",
        "User suspended",
        "Suspend User in Application requested",
        "User suspended in app",
    ]
    assert ">Provisioned<" in timeline.group(1) and ">Suspended<" in timeline.group(1)


def test_the_timeline_keeps_denied_failed_and_retried_requests_in_order(
    admin: FlaskClient, account: OneLoginAccount, approval_app: int, stub: ScimStub
) -> None:
    user_id, first = pending_create(account, approval_app)
    account.approvals.deny(first)
    account.provisioning.reconcile(approval_app)
    (second,) = account.approvals.list_tasks(app_id=approval_app, state="pending_approval")
    stub.fail(503, detail="try later")
    account.approvals.approve(second.id)
    account.approvals.retry(second.id)
    html = admin.get(f"/admin/users/{user_id}").text
    timeline = re.search(r'data-testid="timeline">(.*?)</ol>', html, re.S)
    assert timeline
    steps = re.findall(r"<strong>([^<]+)</strong>", timeline.group(1))
    assert steps == [
        "Created user",
        "Login manually added",
        "Create User in Application requested",
        "User app request denied",
        "Create User in Application requested",
        "User app request approved",
        "User creation failed in app",
        "Provisioning event",
        "User created in app",
    ]


def test_the_users_list_pages_and_searches(admin: FlaskClient, account: OneLoginAccount) -> None:
    for n in range(1, 103):
        make_user(account, n)
    first = admin.get("/admin/users").text
    assert "102 users" in first and "Page 1 of 2" in first
    assert "user1@example.com" in first and "user101@example.com" not in first
    second = admin.get("/admin/users?page=2").text
    assert "user101@example.com" in second and "user1@example.com<" not in second
    found = admin.get("/admin/users?q=First42").text
    assert "1 user<" in found and "user42@example.com" in found


@pytest.mark.parametrize(
    "path",
    ["/admin/users/9223372036854775808", "/admin/roles/99999999999999999999", "/admin/apps/0"],
)
def test_a_console_id_out_of_range_is_a_not_found_page(admin: FlaskClient, path: str) -> None:
    response = admin.get(path)
    assert response.status_code == 404
    assert "text/html" in response.content_type


@pytest.mark.parametrize(
    ("status", "scim_type", "onelogin_text", "tagged"),
    [
        (409, "uniqueness", "Failed to create user in app.", True),  # the simulator's text
        (404, None, "Specified resource (e.g. User) or endpoint does not exist", False),
    ],
)
def test_a_failed_entrys_error_is_tagged_wording_assumed_only_when_it_is_ours(
    admin: FlaskClient,
    account: OneLoginAccount,
    approval_app: int,
    stub: ScimStub,
    status: int,
    scim_type: str | None,
    onelogin_text: str,
    tagged: bool,
) -> None:
    user_id, task_id = pending_create(account, approval_app)
    stub.fail(
        status, scim_type, "Wrike says no", times=2
    )  # the lookup before the create meets the first
    account.approvals.approve(task_id)
    tag = 'data-testid="wording-assumed">wording assumed</span>'
    pages = {
        "users tab": f"/admin/apps/{approval_app}/users",
        "dialog": f"/admin/apps/{approval_app}/tasks/{task_id}",
        "user page": f"/admin/users/{user_id}",
    }
    for where, path in pages.items():
        html = admin.get(path).text
        assert onelogin_text in html, where
        assert "Wrike's answer: " in html and "Wrike says no" in html, where
        assert (tag in html) is tagged, where
    timeline = re.search(
        r'data-testid="timeline">(.*?)</ol>', admin.get(pages["user page"]).text, re.S
    )
    assert timeline and timeline.group(1).count(tag) == (2 if tagged else 0)  # event and request
    alert = re.search(r'<dialog.*?role="alert">(.*?)</div>', admin.get(pages["dialog"]).text, re.S)
    assert alert and alert.group(1).startswith("Failed to create user in app.")
    assert (tag in alert.group(1)) is tagged
