"""A OneLogin user in chromium: the login page, the portal, an IdP-initiated launch, and an
SP-initiated login over the HTTP-POST binding from another origin, each ending with the
auto-posting page delivering a signed Response to the app's ACS (its script allowed by the
page's Content-Security-Policy, the post allowed to leave the site). The "app" is a small
catcher served beside the simulated OneLogin; the Wrike pages' own SSO is tested with the
reference provider elsewhere."""

from __future__ import annotations

import base64
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from flask import Flask, request
from playwright.sync_api import Page, expect
from signxml import XMLVerifier

from mock_onelogin import OneLoginAccount, OneLoginConfig
from mock_onelogin import create_app as create_onelogin
from webguard import saml as xml

pytestmark = pytest.mark.slow

PASSWORD = "portal password 1"


@dataclass
class Catcher:
    """The app's side: an ACS that keeps what was posted to it."""

    url: str = ""
    received: list[dict[str, str]] = field(default_factory=list)


@dataclass
class World:
    onelogin: str
    account: OneLoginAccount
    app_id: int
    catcher: Catcher


def catcher_app(catcher: Catcher, onelogin: Callable[[], str], app_id: int) -> Flask:
    app = Flask("catcher")

    @app.post("/acs")
    def acs() -> str:
        catcher.received.append(dict(request.form))
        return "<html><body><h1 id='received'>Assertion received</h1></body></html>"

    @app.get("/start")
    def start() -> str:
        """An SP page that posts an AuthnRequest to the IdP (the HTTP-POST binding)."""
        authn = (
            f'<samlp:AuthnRequest xmlns:samlp="{xml.NS_PROTOCOL}" ID="_browser1" '
            f'Version="2.0" IssueInstant="2026-01-01T09:00:00Z" '
            f'AssertionConsumerServiceURL="{catcher.url}/acs"/>'
        ).encode()
        return (
            f'<html><body><form method="post" action="{onelogin()}/trust/saml2/http-post/sso/'
            f'{app_id}"><input type="hidden" name="SAMLRequest" '
            f'value="{xml.encode_post(authn)}"><input type="hidden" name="RelayState" '
            'value="/after"><button type="submit">Log in with OneLogin</button></form>'
            "</body></html>"
        )

    return app


@pytest.fixture
def world(live_server: Callable[[Any], str]) -> World:
    onelogin_app = create_onelogin(
        OneLoginConfig(drain_mode="manual", password_scrypt_n=2**8, saml_key_bits=1024)
    )
    account: OneLoginAccount = onelogin_app.extensions["mock_onelogin"]
    app_id = account.apps.wrike_app_id()
    urls: dict[str, str] = {}
    catcher = Catcher()
    catcher.url = live_server(catcher_app(catcher, lambda: urls["onelogin"], app_id))
    urls["onelogin"] = live_server(onelogin_app)
    account.sso.update_settings(
        app_id, {"audience": f"{catcher.url}/sp", "acs_url": f"{catcher.url}/acs"}
    )
    ada = account.directory.create_user(
        {"username": "ada", "email": "ada@acme.example", "firstname": "Ada", "password": PASSWORD}
    )
    account.directory.add_login(ada["id"], app_id)
    account.directory.create_user(
        {"username": "bob", "email": "bob@acme.example", "password": PASSWORD}
    )
    return World(urls["onelogin"], account, app_id, catcher)


def log_in(page: Page, who: str) -> None:
    page.get_by_label("Username or email").fill(who)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Continue").click()


def verified_name_id(world: World) -> str:
    (posted,) = world.catcher.received
    cert = world.account.sso.signing_certificate(world.app_id).certificate_pem
    signed = XMLVerifier().verify(base64.b64decode(posted["SAMLResponse"]), x509_cert=cert)
    name_id = signed.signed_xml.findtext("saml:Subject/saml:NameID", namespaces=xml.NAMESPACES)
    return name_id or ""


def test_portal_launch_posts_a_signed_assertion_to_the_app(page: Page, world: World) -> None:
    blocked: list[str] = []
    page.on("console", lambda m: blocked.append(m.text) if "Refused" in m.text else None)
    page.goto(world.onelogin + "/login")
    log_in(page, "ada@acme.example")
    expect(page.get_by_test_id("portal-user")).to_have_text("ada@acme.example")
    page.get_by_role("button", name="Launch Wrike").click()
    expect(page.locator("#received")).to_have_text("Assertion received")
    assert verified_name_id(world) == "ada@acme.example"
    assert "RelayState" not in world.catcher.received[0]
    assert not blocked, blocked


def test_sp_initiated_post_binding_from_another_origin_logs_in_then_posts_back(
    page: Page, world: World
) -> None:
    page.goto(world.catcher.url + "/start")
    page.get_by_role("button", name="Log in with OneLogin").click()
    expect(page.get_by_role("heading", name="Log in to OneLogin")).to_be_visible()
    expect(page.get_by_text("Log in to continue to Wrike.")).to_be_visible()
    log_in(page, "ada")
    expect(page.locator("#received")).to_have_text("Assertion received")
    assert verified_name_id(world) == "ada@acme.example"
    assert world.catcher.received[0]["RelayState"] == "/after"
    response = xml.parse_untrusted(base64.b64decode(world.catcher.received[0]["SAMLResponse"]))
    assert response.get("InResponseTo") == "_browser1"


def test_a_user_the_app_is_not_assigned_to_sees_why(page: Page, world: World) -> None:
    page.goto(world.catcher.url + "/start")
    page.get_by_role("button", name="Log in with OneLogin").click()
    log_in(page, "bob")
    expect(page.get_by_test_id("sso-reason")).to_have_text("app_not_assigned")
    expect(page.get_by_test_id("sso-refusal")).to_contain_text("not assigned this app")
    assert world.catcher.received == []
