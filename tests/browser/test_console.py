"""The OneLogin console in chromium: a page that shows provisioning in progress changes by
itself when the work settles (no reload), every destructive action asks first (Cancel keeps,
confirming does it; without JavaScript a confirmation page does the same), and API Status
offers Enable only while it is not Enabled.

OneLogin runs with ``drain_mode="manual"``: a test drains the queue from its own thread, as
the background worker of a live server would, so the in-between state ("Provisioning") is
held long enough to be seen. The SCIM calls go over real HTTP to the reference Wrike server.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from mock_onelogin import OneLoginAccount, OneLoginConfig
from mock_onelogin import create_app as create_onelogin
from tests.browser.conftest import TIMEOUT_MS
from wrike_sp import WrikeConfig
from wrike_sp import create_app as create_wrike
from wrike_sp.demo import seed_demo_account

# Two live servers and a browser: a heavy run, still run by CI.
pytestmark = pytest.mark.slow

ADMIN_EMAIL = "console.admin@onelogin.example"
ADMIN_PASSWORD = "console password 2"
APPROVE_CREATE_ONLY = {"create_user": True, "update_user": False, "delete_user": False}


@dataclass(frozen=True)
class Console:
    url: str
    account: OneLoginAccount
    app_id: int

    def user(self, n: int) -> dict[str, Any]:
        return self.account.directory.create_user(
            {
                "email": f"person{n}@acme.example",
                "firstname": f"Person{n}",
                "lastname": "Acme",
                "username": f"person{n}",
            }
        )

    def pending_task(self, user_id: int) -> int:
        (task,) = self.account.approvals.list_tasks(
            app_id=self.app_id, user_id=user_id, state="pending_approval"
        )
        return task.id


@pytest.fixture
def console(live_server: Callable[[Any], str]) -> Console:
    wrike_app = create_wrike(WrikeConfig(password_iterations=1000))
    demo = seed_demo_account(wrike_app.extensions["wrike"].accounts)
    wrike_url = live_server(wrike_app)
    onelogin = create_onelogin(
        OneLoginConfig(
            drain_mode="manual",
            console_admin_email=ADMIN_EMAIL,
            console_admin_password=ADMIN_PASSWORD,
        )
    )
    account: OneLoginAccount = onelogin.extensions["mock_onelogin"]
    app_id = account.apps.wrike_app_id()
    account.apps.configure_connector(
        app_id,
        {"scim_base_url": wrike_url + demo.scim_path, "scim_bearer_token": demo.token},
    )
    assert account.apps.enable_api_connection(app_id).api_status == "Enabled"
    account.apps.set_provisioning(
        app_id, {"enabled": True, "require_approval": APPROVE_CREATE_ONLY}
    )
    return Console(url=live_server(onelogin), account=account, app_id=app_id)


def log_in(page: Page, console: Console, path: str) -> None:
    page.goto(console.url + path)
    page.get_by_label("Email").fill(ADMIN_EMAIL)
    page.get_by_label("Password").fill(ADMIN_PASSWORD)
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_test_id("current-admin")).to_have_text(ADMIN_EMAIL)


def mark_the_document(page: Page) -> None:
    """A mark a reload would wipe: the page must keep it while it changes by itself."""
    page.evaluate("window.stillTheSamePage = true")


def assert_not_reloaded(page: Page) -> None:
    assert page.evaluate("window.stillTheSamePage === true"), "the page was reloaded"


def status_requests(page: Page) -> list[str]:
    asked: list[str] = []
    page.on("request", lambda r: asked.append(r.url) if r.url.endswith("/status") else None)
    return asked


# -- keeping up -------------------------------------------------------------------------------


def test_a_pending_user_page_turns_provisioned_by_itself(page: Page, console: Console) -> None:
    user = console.user(1)
    console.account.directory.add_login(user["id"], console.app_id)
    task_id = console.pending_task(user["id"])
    errors: list[str] = []  # a script the CSP refused would log one
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    log_in(page, console, f"/admin/users/{user['id']}")
    apps = page.get_by_test_id("user-apps")
    expect(apps).to_contain_text("Pending")
    mark_the_document(page)
    asked = status_requests(page)

    # Another admin approves: the request is queued, the page shows it running.
    console.account.approvals.approve(task_id)
    expect(apps).to_contain_text("Provisioning")
    expect(page.get_by_test_id("timeline")).to_contain_text("request now queued")

    # The worker runs it: the page shows Provisioned and the outcome, still not reloaded.
    console.account.drain()
    expect(apps).to_contain_text("Provisioned")
    expect(page.get_by_test_id("timeline")).to_contain_text("User created in app")
    assert_not_reloaded(page)

    # Settled: the page stops asking.
    page.wait_for_timeout(300)
    count = len(asked)
    assert count >= 2
    page.wait_for_timeout(2500)
    assert len(asked) == count, "the page kept asking after the work settled"
    assert not errors, errors


def test_approve_in_the_users_tab_then_provisioned_without_reload(
    page: Page, console: Console
) -> None:
    user = console.user(2)
    console.account.directory.add_login(user["id"], console.app_id)
    log_in(page, console, f"/admin/apps/{console.app_id}/users")
    row = page.get_by_test_id(f"app-user-{user['id']}")
    expect(row).to_contain_text("Pending")
    row.get_by_role("button", name="Approve Person2 Acme").click()
    expect(page.get_by_role("status")).to_contain_text("Approved: Create User in Application")
    expect(row).to_contain_text("Provisioning")
    mark_the_document(page)
    console.account.drain()
    expect(row).to_contain_text("Provisioned")
    expect(row.get_by_role("button", name="Approve Person2 Acme")).to_have_count(0)
    assert_not_reloaded(page)
    # The flash of the approval stays: only the table was swapped.
    expect(page.get_by_role("status")).to_contain_text("Approved: Create User in Application")


# -- confirmations ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Setup:
    member: int
    direct: int
    role: int


@pytest.fixture
def setup(console: Console) -> Setup:
    acct = console.account
    member, direct = console.user(3), console.user(4)
    role = acct.directory.create_role({"name": "Wrike users"})
    acct.directory.add_role_app(role, console.app_id)
    acct.directory.add_role_users(role, [member["id"]])
    acct.directory.add_login(direct["id"], console.app_id)
    acct.approvals.approve_all(console.app_id)
    acct.drain()
    return Setup(member=member["id"], direct=direct["id"], role=role)


def _state(console: Console, s: Setup) -> tuple[Any, ...]:
    acct = console.account
    member = acct.store.get_user(s.member)
    return (
        member is not None,
        member["status"] if member else None,
        s.member in acct.directory.role_user_ids(s.role),
        console.app_id in acct.directory.role_app_ids(s.role),
        s.direct in acct.apps.entitled_user_ids(console.app_id),
    )


# (page, button's accessible name, dialog title, confirm button)
DIALOGS = {
    "delete user": ("user", "Delete Person3 Acme", "Delete Person3 Acme?", "Delete user"),
    "suspend user": ("user", "Suspend Person3 Acme", "Suspend Person3 Acme?", "Suspend user"),
    "remove role from user": (
        "user",
        "Remove role Wrike users",
        "Remove role Wrike users from Person3 Acme?",
        "Remove role",
    ),
    "remove app from user": (
        "direct",
        "Remove Wrike from Person4 Acme",
        "Remove Wrike from Person4 Acme?",
        "Remove application",
    ),
    "remove user from role": (
        "role",
        "Remove Person3 Acme from the role",
        "Remove Person3 Acme from Wrike users?",
        "Remove user",
    ),
    "remove app from role": (
        "role",
        "Remove Wrike from the role",
        "Remove Wrike from Wrike users?",
        "Remove application",
    ),
}


@pytest.mark.parametrize("action", list(DIALOGS))
def test_each_confirmation_dialog_cancel_keeps_and_confirm_does_it(
    page: Page, console: Console, setup: Setup, action: str
) -> None:
    where, button, title, confirm = DIALOGS[action]
    path = {
        "user": f"/admin/users/{setup.member}",
        "direct": f"/admin/users/{setup.direct}",
        "role": f"/admin/roles/{setup.role}",
    }[where]
    log_in(page, console, path)
    before = _state(console, setup)

    page.get_by_role("button", name=button, exact=True).click()
    dialog = page.get_by_role("dialog", name=title)
    expect(dialog).to_be_visible()
    expect(page).to_have_url(re.compile(re.escape(path) + "$"))  # a dialog, not a new page
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_be_hidden()
    assert _state(console, setup) == before

    page.get_by_role("button", name=button, exact=True).click()
    expect(dialog).to_be_visible()
    dialog.get_by_role("button", name=confirm).click()
    expect(page.get_by_role("status")).to_be_visible()
    assert _state(console, setup) != before


@pytest.fixture
def page_without_js(browser: Browser, console: Console) -> Iterator[Page]:
    context = browser.new_context(java_script_enabled=False)
    context.set_default_timeout(TIMEOUT_MS)
    yield context.new_page()
    context.close()


def test_without_javascript_delete_asks_on_a_page_then_deletes(
    page_without_js: Page, console: Console, setup: Setup
) -> None:
    page = page_without_js
    log_in(page, console, f"/admin/users/{setup.member}")
    page.get_by_role("button", name="Delete Person3 Acme", exact=True).click()
    expect(page).to_have_url(re.compile(rf"/admin/users/{setup.member}/delete\??$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Delete Person3 Acme?")
    page.get_by_role("link", name="Cancel").click()
    expect(page).to_have_url(re.compile(rf"/admin/users/{setup.member}$"))
    assert console.account.store.get_user(setup.member) is not None
    page.get_by_role("button", name="Delete Person3 Acme", exact=True).click()
    page.get_by_role("button", name="Delete user").click()
    expect(page.get_by_role("status")).to_have_text("User Person3 Acme deleted.")
    assert console.account.store.get_user(setup.member) is None


# -- buttons that match the state -------------------------------------------------------------


def test_api_status_offers_enable_only_until_it_is_enabled(page: Page, console: Console) -> None:
    acct = console.account
    saved = acct.apps.connector(console.app_id)
    # A new token sets API Status back to Disabled (the saved URL kept).
    acct.apps.configure_connector(
        console.app_id, {"scim_bearer_token": saved.scim_bearer_token + "x"}
    )
    log_in(page, console, f"/admin/apps/{console.app_id}/configuration")
    enable = page.get_by_role("button", name="Enable", exact=True)
    expect(page.get_by_test_id("api-status")).to_have_text("Disabled")
    enable.click()
    expect(page.get_by_test_id("api-status")).to_have_text("Failed")
    expect(enable).to_be_visible()  # a failed test can be tried again

    acct.apps.configure_connector(console.app_id, {"scim_bearer_token": saved.scim_bearer_token})
    page.reload()
    enable.click()
    expect(page.get_by_test_id("api-status")).to_have_text("Enabled")
    expect(enable).to_have_count(0)
    expect(page.get_by_test_id("api-status-note")).to_contain_text("back to Disabled")


#: How long the page may take to settle with the real worker: it drains on its own thread, and
#: on a loaded machine a provisioning round trip can outlast Playwright's 5 s default.
WORKER_WAIT_MS = 20_000


def test_with_the_background_worker_a_saved_title_ends_provisioned_on_the_page(
    page: Page, live_server: Callable[[Any], str]
) -> None:
    """As ``harness up`` runs it: the worker drains on its own thread; after Save User the
    page settles on Provisioned with the update in its timeline, with no reload. Against a
    loopback Wrike the worker often finishes before the page renders, so this checks the end
    state with the real worker; the tests above hold the in-between state to see it change."""
    wrike_app = create_wrike(WrikeConfig(password_iterations=1000))
    demo = seed_demo_account(wrike_app.extensions["wrike"].accounts)
    wrike_url = live_server(wrike_app)
    onelogin = create_onelogin(
        OneLoginConfig(
            drain_mode="worker",
            console_admin_email=ADMIN_EMAIL,
            console_admin_password=ADMIN_PASSWORD,
        )
    )
    acct: OneLoginAccount = onelogin.extensions["mock_onelogin"]
    try:
        app_id = acct.apps.wrike_app_id()
        acct.apps.configure_connector(
            app_id, {"scim_base_url": wrike_url + demo.scim_path, "scim_bearer_token": demo.token}
        )
        acct.apps.enable_api_connection(app_id)
        acct.apps.set_provisioning(
            app_id,
            {
                "enabled": True,
                "require_approval": {k: False for k in APPROVE_CREATE_ONLY},
            },
        )
        console = Console(url=live_server(onelogin), account=acct, app_id=app_id)
        user = console.user(5)
        acct.directory.add_login(user["id"], app_id)
        log_in(page, console, f"/admin/users/{user['id']}")
        expect(page.get_by_test_id("user-apps")).to_contain_text(
            "Provisioned", timeout=WORKER_WAIT_MS
        )
        page.get_by_label("Title").fill("Head of Support")
        page.get_by_role("button", name="Save User").click()
        expect(page.get_by_role("status")).to_have_text("User saved.")
        mark_the_document(page)
        expect(page.get_by_test_id("timeline")).to_contain_text(
            "User updated in app", timeout=WORKER_WAIT_MS
        )
        expect(page.get_by_test_id("user-apps")).to_contain_text(
            "Provisioned", timeout=WORKER_WAIT_MS
        )
        expect(page.get_by_test_id("timeline")).not_to_contain_text(
            "request now running", timeout=WORKER_WAIT_MS
        )
        expect(page.get_by_test_id("timeline")).not_to_contain_text("request now queued")
        assert_not_reloaded(page)
    finally:
        worker = onelogin.extensions.get("mock_onelogin_worker")
        if worker is not None:
            worker.stop()
