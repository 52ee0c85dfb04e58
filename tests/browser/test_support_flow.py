"""The whole support flow in a real browser, across both systems: Wrike's pages and SCIM
endpoint on one live server, OneLogin's console on another, the OneLogin engine reaching
Wrike over real HTTP on loopback.

Wrike: the SCIM URL and a token for the API app "OneLogin SCIM". OneLogin: the connector
configured and enabled, provisioning on with approval for Create user, a Collaborator given
the Wrike app through a role, approved. Wrike again: the user, its type and billable date.
OneLogin again: the events, and the SCIM request and response behind the creation with the
token masked.

Set ONELOGIN_SCREENSHOTS to a folder to keep screenshots of the OneLogin pages on the way.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from mock_onelogin import OneLoginConfig
from mock_onelogin import create_app as create_onelogin
from tests.browser.test_wrike_pages import WrikeSite, go_to, log_in, open_scim_tab
from wrike_sp import WrikeConfig
from wrike_sp import create_app as create_wrike
from wrike_sp.demo import seed_demo_account

# Two live servers and a browser across both: a heavy run, still run by CI (.ci/run).
pytestmark = pytest.mark.slow

ADMIN_EMAIL = "support.admin@onelogin.example"
ADMIN_PASSWORD = "console password 1"
USER_EMAIL = "carla.collab@acme.example"


@dataclass(frozen=True)
class Sites:
    wrike: WrikeSite
    onelogin: str


@pytest.fixture
def sites(live_server: Callable[[Any], str]) -> Sites:
    wrike_app = create_wrike(WrikeConfig(password_iterations=1000))
    demo = seed_demo_account(wrike_app.extensions["wrike"].accounts)
    wrike = WrikeSite(url=live_server(wrike_app), app=wrike_app, demo=demo)
    # "sync": an approval runs its SCIM calls before the page answers, so the next page
    # shows the outcome; the calls themselves go over real HTTP to the Wrike server.
    onelogin = create_onelogin(
        OneLoginConfig(
            drain_mode="sync",
            console_admin_email=ADMIN_EMAIL,
            console_admin_password=ADMIN_PASSWORD,
        )
    )
    return Sites(wrike=wrike, onelogin=live_server(onelogin))


def snap(page: Page, name: str) -> None:
    folder = os.environ.get("ONELOGIN_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def onelogin_nav(page: Page, section: str) -> None:
    page.get_by_role("navigation", name="Administration").get_by_role("link", name=section).click()


def open_wrike_app_tab(page: Page, tab: str) -> None:
    onelogin_nav(page, "Applications")
    page.get_by_test_id("apps").get_by_role("link", name="Wrike").click()
    if tab != "Configuration":  # the app opens on its Configuration tab
        page.get_by_role("tab", name=tab).click()
    expect(page.get_by_role("tab", name=tab)).to_have_attribute("aria-selected", "true")


def test_support_flow_from_wrike_token_to_an_approved_collaborator_and_its_events(
    page: Page, sites: Sites
) -> None:
    wrike, demo = sites.wrike, sites.wrike.demo

    # Wrike: the SCIM URL, then the API app and its token, obtained with the password.
    log_in(page, wrike, demo.admin_email, demo.admin_password)
    open_scim_tab(page)
    scim_url = page.get_by_label("SCIM URL").input_value()
    assert scim_url == f"{wrike.url}/scim/{demo.account_id}/v2"
    go_to(page, "API")
    page.get_by_label("App name").fill("OneLogin SCIM")
    page.get_by_role("button", name="Create new").click()
    page.get_by_role("link", name="Create Token").click()
    page.get_by_label("Password").fill(demo.admin_password)
    page.get_by_role("button", name="Obtain token").click()
    token = page.get_by_label("Token for OneLogin SCIM").input_value()
    assert token

    # OneLogin: log in to the console.
    page.goto(sites.onelogin + "/admin/users")
    expect(page).to_have_url(re.compile(r"/admin/login\?next="))
    page.get_by_label("Email").fill(ADMIN_EMAIL)
    page.get_by_label("Password").fill(ADMIN_PASSWORD)
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_test_id("current-admin")).to_have_text(ADMIN_EMAIL)

    # Configuration: SCIM Base URL and token; the token is masked once saved; Enable.
    open_wrike_app_tab(page, "Configuration")
    page.get_by_label("SCIM Base URL").fill(scim_url)
    page.get_by_label("SCIM Bearer Token").fill(token)
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_role("status")).to_have_text("Configuration saved.")
    expect(page.get_by_test_id("token-mask")).to_contain_text("****" + token[-4:])
    expect(page.get_by_label("SCIM Bearer Token")).to_have_value("")
    assert token not in page.content()
    expect(page.get_by_test_id("api-status")).to_have_text("Disabled")
    page.get_by_role("button", name="Enable").click()
    expect(page.get_by_test_id("api-status")).to_have_text("Enabled")
    snap(page, "1-configuration")

    # Provisioning: on, with admin approval for Create user only.
    page.get_by_role("tab", name="Provisioning").click()
    page.get_by_label("Enable provisioning").check()
    page.get_by_label("Create user", exact=True).check()
    page.get_by_label("Delete user", exact=True).uncheck()
    page.get_by_label("Update user", exact=True).uncheck()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_have_text("Provisioning settings saved.")
    expect(page.get_by_label("Enable provisioning")).to_be_checked()
    expect(page.get_by_label("Create user", exact=True)).to_be_checked()

    # A user at the approved domain, Wrike user type Collaborator.
    onelogin_nav(page, "Users")
    page.get_by_role("link", name="New User").click()
    page.get_by_label("First name").fill("Carla")
    page.get_by_label("Last name").fill("Collab")
    page.get_by_label("Email").fill(USER_EMAIL)
    page.get_by_label("Wrike user type").fill("Collaborator")
    page.get_by_role("button", name="Save User").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Carla Collab")

    # The Wrike app through a role.
    onelogin_nav(page, "Roles")
    page.get_by_label("Role name").fill("Wrike users")
    page.get_by_role("button", name="New Role").click()
    page.get_by_label("Application", exact=True).select_option(label="Wrike")
    page.get_by_role("button", name="Add App").click()
    expect(page.get_by_test_id("role-apps")).to_contain_text("Wrike")
    page.get_by_label("User", exact=True).select_option(label=f"Carla Collab ({USER_EMAIL})")
    page.get_by_role("button", name="Add To Role").click()
    expect(page.get_by_test_id("role-users")).to_contain_text(USER_EMAIL)

    # Pending: the dialog shows what will be sent; Approve; Provisioned.
    open_wrike_app_tab(page, "Users")
    row = page.get_by_test_id("app-users").get_by_role("row").filter(has_text=USER_EMAIL)
    row.get_by_role("link", name="Pending").click()
    dialog = page.get_by_role("dialog", name="Create User in Application")
    expect(dialog).to_be_visible()
    body = dialog.get_by_test_id("planned-body")
    expect(body).to_contain_text('"userType": "Collaborator"')
    expect(body).to_contain_text(USER_EMAIL)
    expect(dialog).to_contain_text("Authorization: Bearer ****" + token[-4:])
    assert token not in page.content()
    snap(page, "2-pending-dialog")
    dialog.get_by_role("button", name="Approve").click()
    expect(page.get_by_role("status")).to_contain_text("Approved: Create User in Application")
    expect(row).to_contain_text("Provisioned")
    snap(page, "3-app-users")

    # Wrike: the user, Collaborator, billable since today.
    page.goto(wrike.url + "/users")
    wrike_row = page.get_by_test_id("users").get_by_role("row").filter(has_text=USER_EMAIL)
    expect(wrike_row).to_contain_text("Collaborator")
    expect(wrike_row).to_contain_text("through SCIM")
    expect(wrike_row).to_contain_text(re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC"))

    # OneLogin: the user's events, then the SCIM request and response behind the creation.
    page.goto(sites.onelogin + "/admin/events")
    page.get_by_label("User", exact=True).select_option(label="Carla Collab")
    page.get_by_role("button", name="Filter").click()
    events = page.get_by_test_id("events")
    expect(events).to_contain_text("User app request approved")
    expect(events).to_contain_text("User created in app")
    snap(page, "4-events")
    events.get_by_role("link", name="User created in app").click()
    requests = page.get_by_test_id("scim-request")
    expect(requests).to_have_count(2)  # the existence check, then the POST
    expect(requests.nth(1)).to_contain_text("Authorization: Bearer ****" + token[-4:])
    expect(requests.nth(1)).to_contain_text('"userType": "Collaborator"')
    expect(page.get_by_test_id("scim-response").nth(1)).to_contain_text("HTTP 201")
    assert token not in page.content()
    snap(page, "5-event")
