"""Support cases set up and confirmed in the Wrike pages, in a real browser: the token
issuer's missing right removed on its member page and the 403 seen in OneLogin's System Log;
a title changed in OneLogin seen on the Wrike member page; the Users table within its frame at
1280 px.

OneLogin is the simulated one over real HTTP (its API through the official SDK, its console in
the same browser); Wrike's pages and SCIM endpoint are one live server.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import onelogin
import pytest
from onelogin.api import roles_api, users_v2_api
from playwright.sync_api import Page, expect

from mock_onelogin import OneLoginAccount, OneLoginConfig
from mock_onelogin import create_app as create_onelogin
from tests.browser.test_wrike_pages import WrikeSite, go_to, log_in
from tests.mock_onelogin.sdk_world import NO_APPROVAL, sdk_client
from wrike_sp import WrikeConfig
from wrike_sp import create_app as create_wrike
from wrike_sp.demo import seed_demo_account
from wrike_sp.domain.modelling import RIGHT_EDIT_USERS

#: chromium page tests run with the heavy runs (``-m slow``; .ci/run runs both), keeping the
#: fast suite the quick loop.
pytestmark = pytest.mark.slow

CONSOLE_EMAIL = "support.admin@onelogin.example"
CONSOLE_PASSWORD = "console password 1"
CORE = "urn:ietf:params:scim:schemas:core:2.0:User"
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"


@dataclass
class Sites:
    wrike: WrikeSite
    onelogin: str
    account: OneLoginAccount
    sdk: onelogin.ApiClient

    def provision(self, email: str, first: str, last: str, title: str) -> int:
        """A OneLogin user given the Wrike app through a role (no approval: it runs now)."""
        user = users_v2_api.UsersV2Api(self.sdk).create_user2(
            user=onelogin.User(email=email, firstname=first, lastname=last, title=title)
        )
        roles = roles_api.RolesApi(self.sdk)
        role = roles.create_role(role=onelogin.Role(name=f"Wrike {email}"))
        roles.set_role_apps(str(role.id), [self.account.apps.wrike_app_id()])
        roles.add_role_users(str(role.id), [user.id])
        return int(user.id)

    def app_state(self, user_id: int) -> str:
        [app] = users_v2_api.UsersV2Api(self.sdk).get_user_apps2(user_id)
        return str(app.provisioning_state)


@pytest.fixture
def sites(live_server: Callable[[Any], str]) -> Iterator[Sites]:
    wrike_app = create_wrike(WrikeConfig(password_iterations=1000))
    demo = seed_demo_account(wrike_app.extensions["wrike"].accounts)
    wrike = WrikeSite(url=live_server(wrike_app), app=wrike_app, demo=demo)
    # "sync": each change runs its SCIM calls (real HTTP to the Wrike server) before the API
    # call that made it answers.
    account = OneLoginAccount(
        OneLoginConfig(
            drain_mode="sync",
            console_admin_email=CONSOLE_EMAIL,
            console_admin_password=CONSOLE_PASSWORD,
        )
    )
    app_id = account.apps.wrike_app_id()
    account.apps.configure_connector(
        app_id, {"scim_base_url": wrike.url + demo.scim_path, "scim_bearer_token": demo.token}
    )
    assert account.apps.enable_api_connection(app_id).api_status == "Enabled"
    account.apps.set_provisioning(app_id, {"enabled": True, "require_approval": NO_APPROVAL})
    host = live_server(create_onelogin(account.config, account=account))
    try:
        yield Sites(wrike, host, account, sdk_client(host, account, "browser test"))
    finally:
        account.store.close()


def open_member(page: Page, name: str) -> None:
    go_to(page, "Users")
    page.get_by_test_id("users").get_by_role("link", name=name).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(name)


def test_the_missing_admin_right_set_up_in_the_wrike_pages_is_a_403_in_onelogin(
    page: Page, sites: Sites
) -> None:
    wrike, demo = sites.wrike, sites.wrike.demo
    log_in(page, wrike, demo.admin_email, demo.admin_password)

    # The token issuer's member page: uncheck the right SCIM needs, save.
    open_member(page, "Wanda Admin")
    expect(page.get_by_test_id("access")).to_contain_text("1 active token")
    page.get_by_label(RIGHT_EDIT_USERS).uncheck()
    page.get_by_role("button", name="Save role and rights").click()
    expect(page.get_by_role("status")).to_have_text(f"Role and rights of {demo.admin_email} saved.")
    expect(page.get_by_label(RIGHT_EDIT_USERS)).not_to_be_checked()
    expect(page.get_by_test_id("token-warning")).to_contain_text(
        "add users (with their names and emails)"
    )

    # OneLogin provisions a user: refused by Wrike with 403.
    user_id = sites.provision(f"grace@{demo.domain}", "Grace", "Hopper", "Rear Admiral")
    assert sites.app_state(user_id) == "provisioning_failed"

    # The System Log in the OneLogin console shows the failure and Wrike's reason.
    page.goto(sites.onelogin + "/admin/events")
    page.get_by_label("Email").fill(CONSOLE_EMAIL)
    page.get_by_label("Password").fill(CONSOLE_PASSWORD)
    page.get_by_role("button", name="Continue").click()
    events = page.get_by_test_id("events")
    failure = events.get_by_role("row").filter(has_text="HTTP 403")
    expect(failure).to_have_count(1)
    expect(failure).to_contain_text("Grace Hopper")
    failure.get_by_role("link").first.click()
    expect(page.get_by_test_id("scim-response").last).to_contain_text("HTTP 403")
    expect(page.get_by_test_id("scim-response").last).to_contain_text(RIGHT_EDIT_USERS)

    # Wrike: nobody was created.
    page.goto(wrike.url + "/users")
    expect(page.get_by_test_id("users")).not_to_contain_text("grace@")


def test_a_title_changed_in_onelogin_shows_on_the_wrike_member_page(
    page: Page, sites: Sites
) -> None:
    wrike, demo = sites.wrike, sites.wrike.demo
    email = f"ada@{demo.domain}"
    user_id = sites.provision(email, "Ada", "Lovelace", "Engineer")
    assert sites.app_state(user_id) == "provisioned"

    log_in(page, wrike, demo.admin_email, demo.admin_password)
    open_member(page, "Ada Lovelace")
    title = page.get_by_test_id("attributes").locator('[data-field="title"]')
    expect(title).to_have_text("Engineer")

    users_v2_api.UsersV2Api(sites.sdk).update_user2(user_id, user=onelogin.User(title="Manager"))
    assert sites.app_state(user_id) == "provisioned"

    page.reload()
    expect(title).to_have_text("Manager")
    newest = page.get_by_test_id("history").get_by_role("row").nth(1)
    expect(newest).to_contain_text("title: Engineer → Manager")
    expect(newest).to_contain_text("200")
    go_to(page, "Users")
    row = page.get_by_test_id("users").get_by_role("row").filter(has_text=email)
    expect(row).to_contain_text("Manager")


def test_the_users_table_fits_its_frame_at_1280_px(
    page: Page, live_server: Callable[[Any], str]
) -> None:
    app = create_wrike(WrikeConfig(password_iterations=1000))
    demo = seed_demo_account(app.extensions["wrike"].accounts)
    site = WrikeSite(url=live_server(app), app=app, demo=demo)
    client = app.test_client()
    for n in range(3):
        email = f"maximilian.alexander.longname-{n}@{demo.domain}"
        body = {
            "schemas": [CORE, ENTERPRISE],
            "userName": email,
            "name": {"givenName": "Maximilian Alexander", "familyName": f"Longname-{n}"},
            "emails": [{"value": email, "type": "work", "primary": True}],
            "title": "Principal Engineer of Analytical Engines and Difference Engines, Emeritus",
            "phoneNumbers": [{"value": "+44 20 7946 0000 extension 123456", "type": "work"}],
            ENTERPRISE: {"department": "Research, Development and Long Department Names"},
        }
        answer = client.post(
            demo.scim_path + "/Users", json=body, headers={"Authorization": f"Bearer {demo.token}"}
        )
        assert answer.status_code == 201, answer.text
    page.set_viewport_size({"width": 1280, "height": 800})
    log_in(page, site, demo.admin_email, demo.admin_password)
    go_to(page, "Users")
    expect(page.get_by_test_id("users")).to_contain_text("Longname-2")

    sizes = page.evaluate(
        """() => {
          const table = document.querySelector('[data-testid="users"]');
          const frame = document.querySelector('main');
          return {table: table.getBoundingClientRect().right,
                  frame: frame.getBoundingClientRect().right
                    - parseFloat(getComputedStyle(frame).paddingRight),
                  page: document.documentElement.scrollWidth,
                  viewport: document.documentElement.clientWidth};
        }"""
    )
    assert sizes["table"] <= sizes["frame"] + 0.5, sizes
    assert sizes["page"] <= sizes["viewport"], sizes
    # The long title is cut in the table, whole in its tooltip.
    cell = page.get_by_test_id("users").locator("td.clip span").first
    assert cell.evaluate("e => e.scrollWidth > e.clientWidth")
    expect(cell).to_have_attribute(
        "title", "Principal Engineer of Analytical Engines and Difference Engines, Emeritus"
    )


def test_no_page_asks_for_anything_that_is_not_there(
    page: Page, live_server: Callable[[Any], str]
) -> None:
    """The favicon included: every request a page makes answers, none with a 404."""
    app = create_wrike(WrikeConfig(password_iterations=1000))
    demo = seed_demo_account(app.extensions["wrike"].accounts)
    site = WrikeSite(url=live_server(app), app=app, demo=demo)
    missing: list[str] = []
    page.on("response", lambda r: missing.append(r.url) if r.status == 404 else None)
    log_in(page, site, demo.admin_email, demo.admin_password)
    for section in ("Integrations", "API", "Users", "Plan and settings", "Billing"):
        go_to(page, section)
        page.wait_for_load_state("load")
    open_member(page, "Wanda Admin")
    page.wait_for_load_state("load")
    icons = page.evaluate("() => [...document.querySelectorAll('link[rel=icon]')].map(l => l.href)")
    assert len(icons) == 1
    assert page.request.get(icons[0]).status == 200
    assert missing == []
