"""The Wrike side of a support engineer's set-up, clicked through in a real browser: the
article's Steps 1 to 3 (approved domain, SCIM URL, API token), the right that guards them, and
a logout that ends the session."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import Page, expect

from wrike_sp import WrikeConfig, create_app
from wrike_sp.demo import DemoAccount, seed_demo_account

#: chromium page tests run with the heavy runs (``-m slow``; .ci/run runs both), keeping the
#: fast suite the quick loop.
pytestmark = pytest.mark.slow

MEMBER_EMAIL = "rick.regular@acme.example"
MEMBER_PASSWORD = "member password 1"


@dataclass(frozen=True)
class WrikeSite:
    url: str
    app: Flask
    demo: DemoAccount


@pytest.fixture
def wrike(live_server: Callable[[Any], str]) -> WrikeSite:
    """The demo account, plus a member without 'Configure advanced security settings'."""
    app = create_app(WrikeConfig(password_iterations=1000))
    accounts = app.extensions["wrike"].accounts
    demo = seed_demo_account(accounts)
    accounts.add_member(
        demo.account_id,
        {"email": MEMBER_EMAIL, "password": MEMBER_PASSWORD, "first_name": "Rick"},
    )
    return WrikeSite(url=live_server(app), app=app, demo=demo)


def log_in(page: Page, site: WrikeSite, email: str, password: str) -> None:
    """Email and password only: the account comes from the email's membership."""
    page.goto(site.url + "/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_test_id("current-member")).to_have_text(email)


def go_to(page: Page, section: str) -> None:
    """Click an entry of the settings menu on the left, as a support engineer would."""
    page.get_by_role("navigation", name="Settings").get_by_role("link", name=section).click()


def open_scim_tab(page: Page) -> None:
    go_to(page, "Integrations")
    page.get_by_role("link", name="Configure").click()
    expect(page.get_by_role("tab", name="SCIM")).to_have_attribute("aria-selected", "true")


def test_an_admin_sets_up_wrike_for_onelogin_and_obtains_a_token_shown_once(
    page: Page, wrike: WrikeSite
) -> None:
    demo = wrike.demo
    log_in(page, wrike, demo.admin_email, demo.admin_password)

    # Step 1: an approved domain.
    go_to(page, "Approved domains")
    page.get_by_label("Domain").fill("Subsidiary.Example")
    page.get_by_role("button", name="Add domain").click()
    expect(page.get_by_role("status")).to_contain_text("subsidiary.example is now an approved")
    expect(page.get_by_test_id("domains")).to_contain_text("subsidiary.example")

    # Step 2: the SCIM URL at the bottom of the SCIM tab.
    open_scim_tab(page)
    scim_url = f"{wrike.url}/scim/{demo.account_id}/v2"
    expect(page.get_by_label("SCIM URL")).to_have_value(scim_url)

    # Step 3: an API app, then a token obtained with the password.
    go_to(page, "API")
    expect(page.get_by_label("App name")).to_have_attribute("placeholder", "OneLogin SCIM")
    page.get_by_label("App name").fill("OneLogin SCIM staging")
    page.get_by_label("Description").fill("Provisioning from the staging OneLogin")
    page.get_by_role("button", name="Create new").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("OneLogin SCIM staging")
    page.get_by_role("link", name="Create Token").click()
    page.get_by_label("Password").fill(demo.admin_password)
    page.get_by_role("button", name="Obtain token").click()
    expect(page.get_by_role("alert")).to_contain_text("You're only shown your token once")
    token = page.get_by_label("Token for OneLogin SCIM staging").input_value()
    assert re.fullmatch(r"wrk_[A-Za-z0-9_-]{40,}", token)

    # The token is the one OneLogin will use: the SCIM endpoint accepts it.
    answer = page.request.get(f"{scim_url}/Users", headers={"Authorization": f"Bearer {token}"})
    assert answer.status == 200, answer.text()

    # Shown once: a reload shows only its hint.
    page.reload()
    expect(page.get_by_role("status")).to_contain_text("A token is shown only once")
    expect(page.get_by_test_id("tokens")).to_contain_text("****" + token[-4:])
    assert token not in page.content()
    go_to(page, "API")
    expect(page.get_by_test_id("api-apps")).to_contain_text("****" + token[-4:])
    assert token not in page.content()


def test_a_member_without_the_security_right_is_offered_no_set_up_and_refused_it(
    page: Page, wrike: WrikeSite
) -> None:
    log_in(page, wrike, MEMBER_EMAIL, MEMBER_PASSWORD)
    go_to(page, "Integrations")
    expect(page.get_by_role("link", name="Configure")).to_have_count(0)
    expect(page.get_by_test_id("configure-needs-right")).to_contain_text(
        "Configure advanced security settings"
    )
    navigation = page.get_by_role("navigation", name="Settings")
    for hidden in ("API", "Approved domains", "Users", "Billing"):
        expect(navigation.get_by_role("link", name=hidden)).to_have_count(0)

    answer = page.goto(wrike.url + "/apps/onelogin/scim")
    assert answer is not None and answer.status == 403
    expect(page.get_by_test_id("refusal")).to_contain_text(
        "it needs the right 'Configure advanced security settings'"
    )
    expect(page.get_by_label("SCIM URL")).to_have_count(0)
    assert "/scim/" not in page.content()


def test_after_logging_out_the_old_cookie_opens_nothing(page: Page, wrike: WrikeSite) -> None:
    demo = wrike.demo
    log_in(page, wrike, demo.admin_email, demo.admin_password)
    cookies = page.context.cookies()
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("status")).to_contain_text("You are logged out")

    page.context.add_cookies(cookies)  # a copy of the cookie kept from before the logout
    page.goto(wrike.url + "/apps/api")
    expect(page).to_have_url(re.compile(r"/login\?next="))


def test_a_form_post_without_the_csrf_token_is_refused(wrike: WrikeSite) -> None:
    client = wrike.app.test_client()
    client.get("/login")
    with client.session_transaction() as session:
        csrf = session["csrf"]
    demo = wrike.demo
    logged_in = client.post(
        "/login",
        data={
            "csrf_token": csrf,
            "email": demo.admin_email,
            "password": demo.admin_password,
        },
    )
    assert logged_in.status_code == 302

    forged = client.post("/domains", data={"domain": "attacker.example"})

    assert forged.status_code == 400
    assert "security token is missing or out of date" in forged.text
    assert "attacker.example" not in client.get("/domains").text
