"""The SSO pages: Security > SAML SSO for members with "Configure advanced security settings"
(refused naming the right to others), and My profile, where an SSO user cannot change its name
or email while SSO is on."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from tests.wrike_sp.saml_idp import AdminApi, TestIdp
from tests.wrike_sp.test_pages import MEMBER_EMAIL, MEMBER_PASSWORD, csrf_of, log_in, post
from wrike_sp.demo import DemoAccount
from wrike_sp.domain.accounts import AccountAdmin

SSO_PAGE = "/settings/security/sso"


@pytest.fixture
def accounts(client: FlaskClient) -> AccountAdmin:
    admin: AccountAdmin = client.application.extensions["wrike"].accounts
    return admin


@pytest.fixture
def as_admin(client: FlaskClient, demo: DemoAccount) -> FlaskClient:
    assert log_in(client, demo.account_id, demo.admin_email, demo.admin_password).status_code == 302
    return client


@pytest.fixture
def as_member(client: FlaskClient, demo: DemoAccount, accounts: AccountAdmin) -> FlaskClient:
    accounts.add_member(
        demo.account_id,
        {"email": MEMBER_EMAIL, "password": MEMBER_PASSWORD, "first_name": "Rick"},
    )
    assert log_in(client, demo.account_id, MEMBER_EMAIL, MEMBER_PASSWORD).status_code == 302
    return client


def save(client: FlaskClient, **form: Any) -> Any:
    return post(client, SSO_PAGE, SSO_PAGE, **form)


def test_the_sso_page_is_refused_without_the_security_right(as_member: FlaskClient) -> None:
    answer = as_member.get(SSO_PAGE)
    assert answer.status_code == 403
    assert "Configure advanced security settings" in answer.text
    token = csrf_of(as_member.get("/apps").text)
    refused = as_member.post(SSO_PAGE, data={"csrf_token": token, "mode": "off"})
    assert refused.status_code == 403
    assert f'href="{SSO_PAGE}"' not in as_member.get("/apps").text  # no menu entry


def test_the_sso_page_shows_wrikes_sp_metadata(as_admin: FlaskClient, demo: DemoAccount) -> None:
    page = as_admin.get(SSO_PAGE)
    assert page.status_code == 200
    base = f"http://localhost/saml/{demo.account_id}"
    assert f'data-testid="sp-metadata-url" href="{base}/metadata"' in page.text
    assert f"<code>{base}/acs</code>" in page.text
    assert "WantAssertionsSigned=&#34;true&#34;" in page.text  # the XML, escaped in a <pre>
    assert "OneLogin" in page.text and "Other SAML 2.0 identity provider" in page.text
    assert "does not simulate that email" in page.text
    assert f'href="{SSO_PAGE}"' in as_admin.get("/apps").text


def test_an_admin_pastes_the_idp_metadata_and_enables_sso(
    as_admin: FlaskClient, demo: DemoAccount
) -> None:
    idp = TestIdp()
    answer = save(
        as_admin, provider="onelogin", idp_metadata_xml=idp.metadata(), mode="optional", jit="on"
    )
    assert answer.status_code == 302
    page = as_admin.get(SSO_PAGE).text
    assert "enabled (optional)" in page
    assert idp.entity_id in page
    view = AdminApi(as_admin).get(f"/accounts/{demo.account_id}/saml").json
    assert (view["mode"], view["jit"], view["provider"]) == ("optional", True, "onelogin")
    assert view["idp"]["certificates"][0]["fingerprint_sha256"] in page
    # Saving again without pasting keeps the IdP; switching off disables SSO.
    assert save(as_admin, provider="other", mode="off").status_code == 302
    view = AdminApi(as_admin).get(f"/accounts/{demo.account_id}/saml").json
    assert (view["mode"], view["jit"], view["provider"]) == ("off", False, "other")
    assert view["idp"]["entity_id"] == idp.entity_id


def test_bad_metadata_is_refused_in_the_page(as_admin: FlaskClient) -> None:
    answer = save(
        as_admin, provider="onelogin", idp_metadata_xml="<html>not metadata</html>", mode="optional"
    )
    assert answer.status_code == 400
    assert "The IdP metadata was refused" in answer.text
    assert "&lt;html&gt;not metadata&lt;/html&gt;" in answer.text  # kept for correcting
    enabled = save(as_admin, provider="onelogin", mode="enforced")
    assert enabled.status_code == 400
    assert "paste the IdP metadata" in enabled.text


def test_the_page_says_when_the_plan_has_no_sso(
    as_admin: FlaskClient, demo: DemoAccount, accounts: AccountAdmin
) -> None:
    accounts.set_plan(demo.account_id, "Business")
    page = as_admin.get(SSO_PAGE)
    assert 'data-testid="sso-unavailable"' in page.text
    answer = save(as_admin, provider="onelogin", idp_metadata_xml=TestIdp().metadata(), mode="off")
    assert answer.status_code == 403
    assert "not available on the Business plan" in answer.text


def test_the_page_lists_recent_sso_attempts_with_their_reason(
    as_admin: FlaskClient, demo: DemoAccount
) -> None:
    save(as_admin, provider="onelogin", idp_metadata_xml=TestIdp().metadata(), mode="optional")
    as_admin.post(f"/saml/{demo.account_id}/acs", data={"SAMLResponse": "bm90IHhtbA=="})
    page = as_admin.get(SSO_PAGE).text
    assert 'data-testid="sso-attempts"' in page
    assert "<code>malformed</code>" in page


# -- My profile -----------------------------------------------------------------------------------


def profile(client: FlaskClient, **form: str) -> Any:
    return post(client, "/profile", "/profile", **form)


def test_without_sso_a_member_changes_its_name_and_email(
    as_member: FlaskClient, demo: DemoAccount
) -> None:
    answer = profile(
        as_member, first_name="Richard", last_name="Regular", email="rich@acme.example"
    )
    assert answer.status_code == 302
    members = AdminApi(as_member).get(f"/accounts/{demo.account_id}/members").json
    me = next(m for m in members if m["first_name"] == "Richard")
    assert (me["email"], me["last_name"], me["user_name"]) == (
        "rich@acme.example",
        "Regular",
        "rich@acme.example",
    )
    taken = profile(as_member, first_name="R", last_name="R", email=demo.admin_email)
    assert taken.status_code == 409
    assert "already the login of another member" in taken.text


def test_with_sso_on_an_sso_user_cannot_change_its_name_or_email(
    as_member: FlaskClient, demo: DemoAccount
) -> None:
    AdminApi(as_member).put(
        f"/accounts/{demo.account_id}/saml",
        {"idp_metadata_xml": TestIdp().metadata(), "mode": "optional"},
    )
    page = as_member.get("/profile").text
    assert 'data-testid="identity-locked"' in page
    assert "Save profile" not in page
    for form in (
        {"first_name": "Richard", "last_name": "", "email": MEMBER_EMAIL},
        {"first_name": "Rick", "last_name": "", "email": "rich@acme.example"},
    ):
        answer = profile(as_member, **form)
        assert answer.status_code == 403
        assert "come from your company's identity provider" in answer.text
    members = AdminApi(as_member).get(f"/accounts/{demo.account_id}/members").json
    assert any(m["email"] == MEMBER_EMAIL and m["first_name"] == "Rick" for m in members)


def test_a_member_at_another_domain_keeps_its_profile_with_sso_on(
    client: FlaskClient, demo: DemoAccount, accounts: AccountAdmin
) -> None:
    AdminApi(client).put(
        f"/accounts/{demo.account_id}/saml",
        {"idp_metadata_xml": TestIdp().metadata(), "mode": "enforced"},
    )
    accounts.add_member(
        demo.account_id, {"email": "carl@partner.example", "password": "partner pw 1"}
    )
    assert (
        log_in(client, demo.account_id, "carl@partner.example", "partner pw 1").status_code == 302
    )
    answer = profile(client, first_name="Carl", last_name="Partner", email="carl@partner.example")
    assert answer.status_code == 302
    assert 'value="Partner"' in client.get("/profile").text


def test_a_collaborator_cannot_move_its_email_into_an_sso_domain(
    client: FlaskClient, demo: DemoAccount, accounts: AccountAdmin
) -> None:
    """Modelling choice: an address at an approved domain with SSO on is the IdP's."""
    accounts.add_member(
        demo.account_id, {"email": "carl@partner.example", "password": "partner pw 1"}
    )
    AdminApi(client).put(
        f"/accounts/{demo.account_id}/saml",
        {"idp_metadata_xml": TestIdp().metadata(), "mode": "optional"},
    )
    assert (
        log_in(client, demo.account_id, "carl@partner.example", "partner pw 1").status_code == 302
    )
    answer = profile(client, first_name="Carl", last_name="", email="ceo@acme.example")
    assert answer.status_code == 403
    assert "sign in through SAML SSO" in answer.text
    members = AdminApi(client).get(f"/accounts/{demo.account_id}/members").json
    assert "ceo@acme.example" not in {m["email"] for m in members}
    # Another domain stays open; with SSO off the approved domain does too.
    assert (
        profile(client, first_name="Carl", last_name="", email="c@partner.example").status_code
        == 302
    )
    AdminApi(client).put(f"/accounts/{demo.account_id}/saml", {"mode": "off"})
    assert (
        profile(client, first_name="Carl", last_name="", email="ceo@acme.example").status_code
        == 302
    )
