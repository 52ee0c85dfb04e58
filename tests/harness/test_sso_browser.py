"""The SSO browser (harness/sso.py) against the real apps in-process: it logs in through the
Wrike pages' real forms (CSRF token included), keeps each site's session cookie, withholds a
Lax cookie from a cross-site POST as chromium does, and reads who a SAML Response names."""

from __future__ import annotations

import base64
from collections.abc import Iterator

import pytest

from harness.drivers.stage import Stage, Target
from harness.drivers.world import World
from harness.sso import Page, nameid_of
from webguard.saml import NS_ASSERTION, NS_PROTOCOL


@pytest.fixture(scope="module")
def stage() -> Iterator[Stage]:
    built = Stage(Target("in-process"))
    yield built
    built.close()


@pytest.fixture
def world(stage: Stage) -> Iterator[World]:
    built = stage.world()
    built.admin.create_account("Enterprise Standard")  # type: ignore[union-attr]
    built.admin.approve_domain("acme.com")  # type: ignore[union-attr]
    built.admin.add_member("Wanda Admin", "owner", [])  # type: ignore[union-attr]
    yield built
    built.close()


def _wanda(world: World) -> tuple[str, str]:
    member = world.reference("the test").members["Wanda Admin"]
    return member.email, member.password


def test_password_login_through_the_login_form_signs_in_and_keeps_the_session(
    world: World,
) -> None:
    email, password = _wanda(world)
    browser = world.browser("wanda")
    outcome = browser.password_login(email, password)
    assert outcome.signed_in, outcome.describe()
    assert outcome.name_id == email
    assert email in outcome.text  # the pages name who is logged in
    # The session cookie is kept: the next page opens without logging in again.
    assert email in browser.wrike_page("/apps").text
    browser.clear()  # an incognito window
    assert browser.wrike_page("/apps").title.startswith("Log in")


def test_a_wrong_password_is_refused_at_wrike_with_the_page_text(world: World) -> None:
    email, _ = _wanda(world)
    outcome = world.browser("wanda").password_login(email, "not the password")
    assert not outcome.signed_in
    assert outcome.refused_at == "Wrike"
    assert outcome.status == 401
    assert "The email or password is not correct." in outcome.text


def test_the_csrf_token_of_the_page_is_what_lets_the_form_through(world: World) -> None:
    """The browser posts the form's hidden token; the same form without it is refused."""
    email, password = _wanda(world)
    browser = world.browser("wanda")
    page = Page.of(browser.open(f"{browser.wrike}/login"))
    [form] = page.forms
    assert "csrf_token" in form.values()
    form.fields.pop("csrf_token")
    answer = browser.submit(page.url, form, {"email": email, "password": password})
    assert answer.status_code == 400
    assert "security token" in Page.of(answer).text


def test_each_site_keeps_its_own_cookies(world: World) -> None:
    email, password = _wanda(world)
    browser = world.browser("wanda")
    browser.password_login(email, password)
    browser.open(f"{browser.onelogin}/admin/login")
    assert set(browser.cookies) == {"wrike.test", "onelogin.test"}
    assert "wrike_session" in browser.cookies["wrike.test"]
    assert "wrike_session" not in browser.cookies["onelogin.test"]


def test_a_lax_cookie_is_not_sent_with_a_cross_site_post_but_is_with_a_top_level_get(
    world: World,
) -> None:
    email, password = _wanda(world)
    browser = world.browser("wanda")
    browser.password_login(email, password)
    url = f"{browser.wrike}/apps"
    from_onelogin = f"{browser.onelogin}/portal"
    assert browser._cookie_header(url, "POST", from_onelogin) is None
    assert "wrike_session=" in (browser._cookie_header(url, "GET", from_onelogin) or "")
    assert "wrike_session=" in (browser._cookie_header(url, "POST", url) or "")


def test_nameid_of_reads_the_assertion_subject_and_refuses_what_is_not_saml() -> None:
    xml = (
        f'<samlp:Response xmlns:samlp="{NS_PROTOCOL}" xmlns:saml="{NS_ASSERTION}">'
        "<saml:Assertion><saml:Subject><saml:NameID> ada@acme.com </saml:NameID>"
        "</saml:Subject></saml:Assertion></samlp:Response>"
    )
    assert nameid_of(base64.b64encode(xml.encode()).decode()) == "ada@acme.com"
    assert nameid_of("not base64 at all!") is None
    doctype = b'<!DOCTYPE x [<!ENTITY e "ada@acme.com">]><x>&e;</x>'
    assert nameid_of(base64.b64encode(doctype).decode()) is None


def test_a_page_names_its_reason_only_where_it_labels_one() -> None:
    def page(html: str) -> Page:
        return Page("http://wrike.test/saml/1/acs", 403, html, html, "", ())

    assert page('<p data-reason="user_deactivated">…</p>').reason() == "user_deactivated"
    assert page("<p>Reason: expired</p>").reason() == "expired"
    assert page("<p>The member is user_deactivated.</p>").reason() == "user_deactivated"
    # A plain word in prose is not a reason code.
    assert page("<p>Your trial expired last week.</p>").reason() is None


def test_no_browser_against_an_external_endpoint() -> None:
    external = Stage(Target("external", "https://scim.example/scim/v2", "t"))
    try:
        assert external.browser() is None
    finally:
        external.close()


@pytest.fixture
def sso_world(world: World) -> World:
    """The world above with SSO set up and ada provisioned through SCIM."""
    admin = world.reference("the test")
    world.configure_onelogin(admin.scim_url(), admin.integration_token("Wanda Admin"), enable=True)
    world.onelogin.set_provisioning(enabled=True)
    world.onelogin.require_approval(None)
    world.set_up_sso("optional")
    world.create_onelogin_user("ada@acme.com")
    world.onelogin.add_app_to_role("Engineering")
    world.onelogin.add_to_role("ada@acme.com", "Engineering")
    return world


def test_sp_initiated_walks_wrikes_login_page_to_onelogin_and_back(sso_world: World) -> None:
    outcome = sso_world.sso_login("ada@acme.com", from_portal=False)
    assert outcome.signed_in and outcome.name_id == "ada@acme.com", outcome.describe()
    # Wrike's login page, OneLogin's SSO endpoint and login page, Wrike's ACS.
    assert outcome.trail[:2] == ("GET http://wrike.test/login", "POST http://wrike.test/login")
    assert "POST http://onelogin.test/login" in outcome.trail
    assert "POST http://wrike.test/saml/1/acs" in outcome.trail
    # The OneLogin session is kept: a second login goes straight through.
    again = sso_world.sso_login("ada@acme.com", from_portal=False)
    assert again.signed_in
    assert "POST http://onelogin.test/login" not in again.trail


def test_idp_initiated_launches_wrike_from_the_portal(sso_world: World) -> None:
    outcome = sso_world.sso_login("ada@acme.com", from_portal=True)
    assert outcome.signed_in and outcome.name_id == "ada@acme.com", outcome.describe()
    assert any(
        step.startswith("POST http://onelogin.test/portal/launch/") for step in outcome.trail
    )


def test_a_wrong_onelogin_password_is_refused_at_onelogin(sso_world: World) -> None:
    browser = sso_world.browser("ada@acme.com")
    outcome = browser.sp_initiated("ada@acme.com", "not the password")
    assert not outcome.signed_in
    assert (outcome.refused_at, outcome.reason, outcome.status) == (
        "OneLogin",
        "invalid_credentials",
        401,
    )
    assert outcome.saml_response is None


def test_a_failed_scenarios_report_shows_where_each_login_ended_and_wrikes_attempts(
    sso_world: World,
) -> None:
    sso_world.reference("the test").deactivate_in_wrike("ada@acme.com")
    sso_world.sso_login("ada@acme.com", from_portal=True)
    sections = dict(sso_world.report())
    shown = sections["SSO logins and Wrike's SSO attempts"]
    assert "ada@acme.com: refused at Wrike (user_deactivated)" in shown
    assert "refused user_deactivated NameID ada@acme.com" in shown
