"""The console keeping up, confirming, linking only to pages that exist and offering only the
buttons that fit the state, through the Flask test client (no JavaScript).

The queue drains only when a test says so (``drain_mode="manual"``), so the in-between
states a browser would see while the worker runs are states a test can hold still.
"""

from __future__ import annotations

import re
from collections import deque
from html import unescape
from urllib.parse import urljoin, urlsplit

import pytest
from flask.testing import FlaskClient

from mock_onelogin import OneLoginAccount, OneLoginConfig
from mock_onelogin.domain.directory import STATUS_SUSPENDED
from tests.mock_onelogin.conftest import connect, make_user
from tests.mock_onelogin.scim_stub import ScimStub
from tests.mock_onelogin.test_pages import PASSWORD, csrf_of, log_in, post, text_of

APPROVE_CREATE_ONLY = {"create_user": True, "update_user": False, "delete_user": False}


@pytest.fixture
def config() -> OneLoginConfig:
    return OneLoginConfig(drain_mode="manual", console_admin_password=PASSWORD)


@pytest.fixture
def admin(client: FlaskClient) -> FlaskClient:
    assert log_in(client).status_code == 302
    return client


@pytest.fixture
def approval_app(account: OneLoginAccount, stub: ScimStub) -> int:
    app_id = account.apps.wrike_app_id()
    connect(account, stub, app_id)
    account.apps.set_provisioning(
        app_id, {"enabled": True, "require_approval": APPROVE_CREATE_ONLY}
    )
    return app_id


def pending_user(account: OneLoginAccount, app_id: int, n: int = 1) -> tuple[int, int]:
    user = make_user(account, n)
    account.directory.add_login(user["id"], app_id)
    (task,) = account.approvals.list_tasks(
        app_id=app_id, user_id=user["id"], state="pending_approval"
    )
    return user["id"], task.id


def live_attributes(html: str) -> dict[str, str]:
    main = re.search(r"<main[^>]*>", html)
    assert main
    return dict(re.findall(r'(data-live-[a-z]+)="([^"]*)"', main.group(0)))


# -- the status endpoints ---------------------------------------------------------------------


def test_the_user_status_follows_a_request_from_pending_to_provisioned(
    admin: FlaskClient, account: OneLoginAccount, approval_app: int
) -> None:
    user_id, task_id = pending_user(account, approval_app)
    page = f"/admin/users/{user_id}"
    status_url = f"{page}/status"

    waiting = admin.get(status_url)
    assert waiting.status_code == 200 and waiting.mimetype == "application/json"
    assert waiting.headers["Cache-Control"] == "no-store"
    body = waiting.get_json()
    assert body["settled"] is False and body["awaiting_approval"] == 1 and body["poll_ms"] == 2000
    attributes = live_attributes(admin.get(page).text)
    assert attributes == {
        "data-live-status": status_url,
        "data-live-version": body["version"],
        "data-live-poll": "2000",
    }

    account.approvals.approve(task_id)  # approved, not yet run: the worker has not drained
    running = admin.get(status_url).get_json()
    assert running["version"] != body["version"]
    assert running["running"] >= 1 and running["poll_ms"] == 1000
    assert ">Provisioning<" in admin.get(page).text

    account.drain()
    settled = admin.get(status_url).get_json()
    assert settled["settled"] is True and settled["poll_ms"] is None
    assert settled["states"] == {str(approval_app): "provisioned"}
    html = admin.get(page).text
    assert ">Provisioned<" in html
    assert live_attributes(html)["data-live-poll"] == "0"  # the script stops asking
    assert live_attributes(html)["data-live-version"] == settled["version"]


def test_the_users_tab_status_follows_its_users(
    admin: FlaskClient, account: OneLoginAccount, approval_app: int
) -> None:
    _, task_id = pending_user(account, approval_app)
    url = f"/admin/apps/{approval_app}/users/status"
    before = admin.get(url).get_json()
    assert before["awaiting_approval"] == 1 and not before["settled"]
    assert (
        live_attributes(admin.get(f"/admin/apps/{approval_app}/users").text)["data-live-version"]
        == before["version"]
    )
    account.approvals.approve(task_id)
    assert admin.get(url).get_json()["poll_ms"] == 1000
    account.drain()
    after = admin.get(url).get_json()
    assert after["settled"] and after["version"] != before["version"]


def test_a_settled_page_does_not_ask(admin: FlaskClient, account: OneLoginAccount) -> None:
    user = make_user(account)
    assert live_attributes(admin.get(f"/admin/users/{user['id']}").text)["data-live-poll"] == "0"
    assert admin.get(f"/admin/users/{user['id']}/status").get_json()["settled"] is True


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/admin/users/999/status", "User 999 could not be found"),
        ("/admin/apps/999/users/status", "Application 999 could not be found"),
    ],
)
def test_the_status_of_something_missing_is_a_json_404(
    admin: FlaskClient, path: str, message: str
) -> None:
    answer = admin.get(path)
    assert answer.status_code == 404 and answer.mimetype == "application/json"
    assert message in answer.get_json()["message"]


def test_the_status_without_a_login_is_a_json_401_not_a_redirect(
    client: FlaskClient, account: OneLoginAccount
) -> None:
    user = make_user(account)
    answer = client.get(f"/admin/users/{user['id']}/status")
    assert answer.status_code == 401 and answer.mimetype == "application/json"
    assert "Log in" in answer.get_json()["message"]


def test_the_script_is_a_static_file_the_policy_allows(admin: FlaskClient) -> None:
    page = admin.get("/admin/users")
    policy = page.headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "unsafe-inline" not in policy
    assert '<script src="/admin/static/console.js" defer></script>' in page.text
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page.text)  # no inline script
    script = admin.get("/admin/static/console.js")
    assert script.status_code == 200 and "javascript" in script.mimetype


# -- confirmations without JavaScript ---------------------------------------------------------


def _setup_role(account: OneLoginAccount, app_id: int) -> tuple[int, int, int]:
    user = make_user(account, 7)
    role_id = account.directory.create_role({"name": "Wrike users"})
    account.directory.add_role_app(role_id, app_id)
    account.directory.add_role_users(role_id, [user["id"]])
    other = make_user(account, 8)
    account.directory.add_login(other["id"], app_id)
    account.drain()
    return user["id"], role_id, other["id"]


def _actions(user: int, role: int, direct: int, app: int) -> dict[str, tuple[str, str, str]]:
    """Each destructive action: the page offering it, its URL, the confirmation's title."""
    return {
        "delete user": (f"/admin/users/{user}", f"/admin/users/{user}/delete", "Delete First7"),
        "suspend user": (f"/admin/users/{user}", f"/admin/users/{user}/suspend", "Suspend"),
        "remove role from user": (
            f"/admin/users/{user}",
            f"/admin/users/{user}/roles/{role}/remove",
            "Remove role Wrike users from First7 Last7?",
        ),
        "remove app from user": (
            f"/admin/users/{direct}",
            f"/admin/users/{direct}/logins/{app}/remove",
            "Remove Wrike from First8 Last8?",
        ),
        "remove user from role": (
            f"/admin/roles/{role}",
            f"/admin/roles/{role}/users/{user}/remove",
            "Remove First7 Last7 from Wrike users?",
        ),
        "remove app from role": (
            f"/admin/roles/{role}",
            f"/admin/roles/{role}/apps/{app}/remove",
            "Remove Wrike from Wrike users?",
        ),
    }


def _state(account: OneLoginAccount, user: int, role: int, direct: int, app: int) -> tuple:
    found = account.store.get_user(user)
    return (
        found is not None,
        found["status"] if found else None,
        user in account.directory.role_user_ids(role),
        app in account.directory.role_app_ids(role),
        direct in account.apps.entitled_user_ids(app),
    )


ACTIONS = [
    "delete user",
    "suspend user",
    "remove role from user",
    "remove app from user",
    "remove user from role",
    "remove app from role",
]


@pytest.mark.parametrize("action", ACTIONS)
def test_each_destructive_button_asks_first_and_the_confirmation_does_it(
    admin: FlaskClient, account: OneLoginAccount, approval_app: int, action: str
) -> None:
    ids = (*_setup_role(account, approval_app), approval_app)
    offering, url, title = _actions(*ids)[action]
    before = _state(account, *ids)

    # The page's button only asks: a GET form to the confirmation page.
    html = admin.get(offering).text
    assert f'<form class="confirm-trigger" method="get" action="{url}">' in html
    asked = admin.get(url)
    assert asked.status_code == 200
    assert title in text_of(asked.text)
    assert f'<form method="post" action="{url}">' in asked.text
    back = re.search(r'<a class="button quiet" href="([^"]+)">Cancel</a>', asked.text)
    assert back and back.group(1) == offering
    assert _state(account, *ids) == before  # asking changed nothing

    # Confirming posts the confirmation page's own form, CSRF token included.
    done = admin.post(url, data={"csrf_token": csrf_of(asked.text)})
    assert done.status_code == 302
    assert _state(account, *ids) != before


def test_a_confirmation_for_something_that_is_not_there_is_refused_in_the_page(
    admin: FlaskClient, account: OneLoginAccount, approval_app: int
) -> None:
    _, role, _ = _setup_role(account, approval_app)
    stranger = make_user(account, 9)["id"]
    for path, message in (
        (f"/admin/roles/{role}/users/{stranger}/remove", "is not in the role Wrike users"),
        (f"/admin/users/{stranger}/roles/{role}/remove", "is not in the role Wrike users"),
        ("/admin/users/999/delete", "could not be found"),
        (f"/admin/roles/{role}/apps/999/remove", "could not be found"),
    ):
        answer = admin.get(path)
        assert answer.status_code == 404, path
        assert message in text_of(answer.text), path
        assert "Traceback" not in answer.text


# -- no dead links ----------------------------------------------------------------------------


def test_a_deleted_user_stays_in_the_users_tab_as_deleted_not_as_a_link(
    admin: FlaskClient, account: OneLoginAccount, approval_app: int
) -> None:
    user_id, task_id = pending_user(account, approval_app)
    account.approvals.approve(task_id)
    account.drain()
    account.directory.delete_user(user_id)
    account.drain()
    tab = admin.get(f"/admin/apps/{approval_app}/users").text
    row = re.search(rf'<tr data-testid="app-user-{user_id}">.*?</tr>', tab, re.S)
    assert row, tab
    assert f'href="/admin/users/{user_id}"' not in row.group(0)
    assert "deleted in OneLogin" in text_of(row.group(0))
    assert "assumed" in unescape(row.group(0))  # the modelling choice, in the tooltip
    events = admin.get(f"/admin/events?user_id={user_id}").text
    assert f'href="/admin/users/{user_id}"' not in events


def _links(html: str, base: str) -> set[str]:
    """Every console URL the page leads to with GET: links, GET forms, stylesheets, scripts."""
    found = set(re.findall(r'<a [^>]*href="([^"#]+)"', html))
    found |= set(re.findall(r'<form [^>]*method="get" action="([^"]+)"', html))
    found |= set(re.findall(r'<form [^>]*action="([^"]+)" [^>]*method="get"', html))
    found |= set(re.findall(r'<(?:link|script) [^>]*(?:href|src)="([^"]+)"', html))
    return {
        path
        for path in (urljoin(base, unescape(link)) for link in found)
        if urlsplit(path).path.startswith("/admin")
    }


def test_every_link_in_the_console_answers(
    admin: FlaskClient, account: OneLoginAccount, approval_app: int, stub: ScimStub
) -> None:
    """Crawl the console as a logged-in admin from its home, with users in every state the
    pages show (provisioned, pending, failed, suspended, deleted, through a role and
    directly), and fail on any link that answers 4xx or 5xx."""
    _setup_role(account, approval_app)
    pending_user(account, approval_app, 20)
    _, failing = pending_user(account, approval_app, 21)
    stub.fail(500, None, "Wrike is down", times=5)
    account.approvals.approve(failing)
    account.drain()
    gone, gone_task = pending_user(account, approval_app, 22)
    account.approvals.approve(gone_task)
    account.drain()
    account.directory.delete_user(gone)
    suspended = make_user(account, 23)
    account.directory.add_login(suspended["id"], approval_app)
    account.directory.set_user_status(suspended["id"], STATUS_SUSPENDED)
    account.drain()

    seen: dict[str, int] = {}
    todo = deque(["/admin/"])
    while todo:
        path = todo.popleft()
        if path in seen:
            continue
        answer = admin.get(path)
        if answer.status_code in (301, 302, 303):
            todo.append(urljoin(path, answer.headers["Location"]))
        seen[path] = answer.status_code
        if answer.mimetype == "text/html" and answer.status_code == 200:
            todo.extend(_links(answer.text, path) - set(seen))
        assert len(seen) < 2000, "the crawl does not end"
    broken = {p: s for p, s in seen.items() if s >= 400}
    assert not broken, broken
    # The crawl reached the pages that matter, the confirmations included.
    for needle in ("/admin/events/", "/tasks/", "/delete", "/remove", "/admin/static/"):
        assert any(needle in p for p in seen), needle


# -- buttons that match the state -------------------------------------------------------------


def _enable_button(html: str) -> bool:
    return bool(re.search(r'<button class="button primary" type="submit">Enable</button>', html))


def test_enable_is_offered_only_while_api_status_is_not_enabled(
    admin: FlaskClient, account: OneLoginAccount, stub: ScimStub
) -> None:
    app_id = account.apps.wrike_app_id()
    page = f"/admin/apps/{app_id}/configuration"
    html = admin.get(page).text
    assert 'data-testid="api-status">Disabled<' in html and _enable_button(html)

    account.apps.configure_connector(
        app_id, {"scim_base_url": "http://wrike.test/scim/v2", "scim_bearer_token": "wrong"}
    )
    post(admin, f"{page}/enable", page)
    html = admin.get(page).text
    assert 'data-testid="api-status">Failed<' in html and _enable_button(html)

    connect(account, stub, app_id)
    html = admin.get(page).text
    assert 'data-testid="api-status">Enabled<' in html
    assert not _enable_button(html) and ">Enable<" not in html
    assert "sets API Status back to Disabled" in text_of(html)


def test_suspend_and_unsuspend_follow_the_users_status(
    admin: FlaskClient, account: OneLoginAccount
) -> None:
    user = make_user(account)
    page = f"/admin/users/{user['id']}"
    assert ">Suspend<" in admin.get(page).text and ">Unsuspend<" not in admin.get(page).text
    post(admin, f"{page}/suspend", page)
    html = admin.get(page).text
    assert ">Unsuspend<" in html and ">Suspend<" not in html


def test_reapply_says_what_happened_without_contradicting_itself(
    admin: FlaskClient, approval_app: int
) -> None:
    tab = f"/admin/apps/{approval_app}/users"
    answer = post(admin, f"/admin/apps/{approval_app}/reapply", tab)
    shown = text_of(admin.get(answer.headers["Location"]).text)
    assert "Entitlement mappings reapplied: no user needed a change in Wrike." in shown
    assert "being reapplied" not in shown and "nothing to do" not in shown
    answer = post(admin, "/admin/mappings/reapply", "/admin/mappings")
    shown = text_of(admin.get(answer.headers["Location"]).text)
    assert "Mappings reapplied" in shown and "being reapplied" not in shown
