"""SAML SSO in a real browser, across both live servers as ``harness up`` serves them (free
loopback ports, SSO wired on both sides, OneLogin provisioning into Wrike over real HTTP):

* SP-initiated: Wrike's login page, the user's email, Next, OneLogin's login page, and the
  user lands signed in on Wrike;
* IdP-initiated: the user signs in to OneLogin, opens the Wrike app from the portal, and
  lands signed in on Wrike;
* a provisioned user whom a Wrike admin deactivated is refused by Wrike's ACS with a page
  that says why.

Set ONELOGIN_SCREENSHOTS to a folder to keep screenshots of the pages on the way.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import requests
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page, expect

from harness.up import Running, start
from mock_onelogin.domain.queries import UserQuery

# Two live servers, a background provisioning worker and a browser: a heavy run.
pytestmark = pytest.mark.slow


@pytest.fixture
def world(tmp_path: Path) -> Iterator[Running]:
    running = start(tmp_path / "up", "127.0.0.1", 0, 0, threads=2)
    try:
        yield running
    finally:
        running.stop()


@contextmanager
def console_shown(page: Page) -> Iterator[None]:
    """On a failure, what chromium itself reported (a CSP violation shows only there: a
    requests-based browser enforces no CSP) is added to the error."""
    seen: list[str] = []
    page.on("console", lambda message: seen.append(message.text))
    try:
        yield
    except (AssertionError, PlaywrightError) as error:
        raise AssertionError(f"{error}\nchromium's console:\n" + "\n".join(seen)) from error


def snap(page: Page, name: str) -> None:
    folder = os.environ.get("ONELOGIN_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"sso-{name}.png"), full_page=True)


def scim_user(running: Running, email: str, timeout: float = 15) -> dict[str, Any]:
    """The Wrike member OneLogin's background worker provisioned for ``email``."""
    wrike = running.info["wrike"]
    deadline = time.monotonic() + timeout
    while True:
        found = requests.get(
            f"{wrike['scim_url']}/Users",
            params={"filter": f'userName eq "{email}"'},
            headers={"Authorization": f"Bearer {wrike['scim_token']}"},
            timeout=5,
        ).json()
        if found["totalResults"] == 1:
            user: dict[str, Any] = found["Resources"][0]
            return user
        if time.monotonic() > deadline:
            raise AssertionError(f"{email} was not provisioned into Wrike within {timeout}s")
        time.sleep(0.1)


def give_the_app(running: Running, email: str) -> None:
    """Put a seeded OneLogin user in the role that holds the Wrike app (OneLogin then
    provisions them into Wrike)."""
    account = running._onelogin.extensions["mock_onelogin"]
    users, _ = account.directory.list_users(UserQuery(limit=50))
    user = next(u for u in users if u["email"] == email)
    role = next(r for r in account.directory.list_roles() if r["name"] == "Wrike users")
    account.directory.add_user_roles(user["id"], [role["id"]])


def onelogin_sign_in(page: Page, email: str, password: str) -> None:
    """OneLogin's login page: the username or email, the password, the button."""
    page.get_by_label(re.compile("username|email", re.I)).first.fill(email)
    page.get_by_label(re.compile("password", re.I)).first.fill(password)
    page.get_by_role("button", name=re.compile("sign in|log in|continue", re.I)).click()


def wrike_sp_initiated(page: Page, running: Running, email: str) -> None:
    wrike, one = running.info["wrike"], running.info["onelogin"]
    page.goto(wrike["pages"])
    page.get_by_label(re.compile("email", re.I)).first.fill(email)
    page.get_by_role("button", name="Next").click()
    # Wrike sent the browser to OneLogin, which asks who this is.
    expect(page).to_have_url(re.compile(re.escape(one["url"])))
    snap(page, "onelogin-login")
    onelogin_sign_in(page, email, one["users_password"])


def open_from_the_portal(page: Page, running: Running, email: str) -> None:
    """OneLogin's login page, then the portal it leads to, then the Wrike app's button."""
    one = running.info["onelogin"]
    page.goto(one["url"] + "/login")
    onelogin_sign_in(page, email, one["users_password"])
    expect(page.get_by_test_id("portal-user")).to_have_text(email)
    snap(page, "onelogin-portal")
    page.get_by_role("button", name="Launch Wrike").click()


def signed_in_on_wrike(page: Page, running: Running, email: str) -> None:
    """Wrike's pages with the member signed in: the header names them and offers Log out."""
    expect(page).to_have_url(re.compile("^" + re.escape(running.info["wrike"]["url"] + "/")))
    expect(page.get_by_test_id("current-member")).to_have_text(email)
    expect(page.get_by_role("button", name="Log out")).to_be_visible()


def test_a_provisioned_user_signs_in_to_wrike_from_wrike_s_login_page(
    page: Page, world: Running
) -> None:
    scim_user(world, "ada@acme.example")
    with console_shown(page):
        wrike_sp_initiated(page, world, "ada@acme.example")
        # The auto-posting form carried the assertion to Wrike's ACS: Ada is signed in there.
        signed_in_on_wrike(page, world, "ada@acme.example")
    snap(page, "wrike-signed-in-sp")


def test_a_provisioned_user_opens_wrike_from_the_onelogin_portal(
    page: Page, world: Running
) -> None:
    scim_user(world, "ada@acme.example")
    with console_shown(page):
        open_from_the_portal(page, world, "ada@acme.example")
        signed_in_on_wrike(page, world, "ada@acme.example")
    snap(page, "wrike-signed-in-idp")


def test_a_deactivated_wrike_user_sees_why_wrike_refuses_the_sso_login(
    page: Page, world: Running
) -> None:
    give_the_app(world, "grace@acme.example")
    grace = scim_user(world, "grace@acme.example")
    wrike = world.info["wrike"]
    # A Wrike admin deactivates Grace; OneLogin still has her active and assigned.
    patched = requests.patch(
        f"{wrike['scim_url']}/Users/{grace['id']}",
        json={
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [{"op": "replace", "path": "active", "value": False}],
        },
        headers={"Authorization": f"Bearer {wrike['scim_token']}"},
        timeout=5,
    )
    assert patched.status_code == 200, patched.text
    with console_shown(page):
        # Grace opens Wrike where she always does, from the OneLogin portal.
        open_from_the_portal(page, world, "grace@acme.example")
        expect(page).to_have_url(re.compile("^" + re.escape(wrike["url"] + "/saml/")))
        expect(page.get_by_role("heading", level=1)).to_have_text(
            "You could not be signed in to Wrike"
        )
        expect(page.get_by_role("alert")).to_contain_text("deactivated")
        expect(page.get_by_test_id("sso-reason")).to_have_text("user_deactivated")
        expect(page.get_by_test_id("sso-name-id")).to_have_text("grace@acme.example")
        expect(page.get_by_test_id("sso-change")).to_contain_text("Reactivate")
        expect(page.get_by_test_id("current-member")).to_have_count(0)
    snap(page, "wrike-refused-deactivated")
