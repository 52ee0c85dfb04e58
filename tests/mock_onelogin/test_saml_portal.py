"""The OneLogin user's side of SSO and the admin's SSO tab, through the Flask test client: the
login page (passwords kept hashed, throttled, a new session on login), the portal listing
the user's apps, the IdP-initiated launch (CSRF-protected, no InResponseTo), logout, the
``/api/2/saml_assertion`` route, and Applications > Wrike > SSO in the console."""

from __future__ import annotations

import base64
import re
from typing import Any

import pytest
from flask.testing import FlaskClient
from signxml import XMLVerifier

from mock_onelogin import OneLoginAccount, OneLoginConfig
from mock_onelogin.domain import modelling
from mock_onelogin.domain.events import EventType
from tests.mock_onelogin.conftest import make_user
from tests.mock_onelogin.test_pages import PASSWORD as ADMIN_PASSWORD
from tests.mock_onelogin.test_pages import csrf_of, post, text_of
from tests.mock_onelogin.test_pages import log_in as admin_log_in
from tests.mock_onelogin.test_saml_idp import (
    ACS,
    AUDIENCE,
    PASSWORD,
    authn_request,
    events,
    log_in,
    metadata_certificate,
    posted,
    redirect_sso,
)
from webguard import saml as xml


@pytest.fixture
def config() -> OneLoginConfig:
    return OneLoginConfig(
        drain_mode="manual",
        console_admin_password=ADMIN_PASSWORD,
        password_scrypt_n=2**8,
        saml_key_bits=1024,
    )


@pytest.fixture
def app_id(account: OneLoginAccount) -> int:
    app_id = account.apps.wrike_app_id()
    account.sso.update_settings(app_id, {"audience": AUDIENCE, "acs_url": ACS})
    return app_id


@pytest.fixture
def role_user(account: OneLoginAccount, app_id: int) -> dict[str, Any]:
    """A user given the Wrike app through a role."""
    role_id = account.directory.create_role({"name": "Wrike users"})
    account.directory.set_role_apps(role_id, [app_id])
    user = make_user(account, 7, password=PASSWORD, role_ids=[role_id])
    return user


# the login page ----------------------------------------------------------------------------------
def test_the_password_is_kept_as_a_hash_never_the_text(
    account: OneLoginAccount, role_user: dict[str, Any]
) -> None:
    rows = account.store.table_rows("user_passwords")
    assert [r["user_id"] for r in rows] == [role_user["id"]]
    assert PASSWORD not in rows[0]["hash"] and rows[0]["hash"].startswith("scrypt$")
    assert account.sso.check_password("user7", PASSWORD) is not None
    assert account.sso.check_password("USER7@example.com", PASSWORD) is not None
    assert account.sso.check_password("user7", PASSWORD + "x") is None


def test_a_password_update_replaces_the_old_one(
    account: OneLoginAccount, client: FlaskClient, role_user: dict[str, Any]
) -> None:
    account.directory.update_user(role_user["id"], {"password": "a new one 2"})
    assert log_in(client, "user7").status_code == 401
    assert log_in(client, "user7", "a new one 2").status_code == 302


def test_a_wrong_password_is_refused_and_logged(
    account: OneLoginAccount, client: FlaskClient, role_user: dict[str, Any]
) -> None:
    page = log_in(client, "user7", "wrong")
    assert page.status_code == 401
    assert "username or password is not correct" in page.get_data(as_text=True)
    (event,) = events(account, EventType.USER_LOGIN_TO_ONELOGIN_FAILED)
    assert event["user_id"] == role_user["id"]
    assert event["error_description"] == "invalid_credentials"
    assert client.get("/portal").status_code == 302  # still signed out


def test_a_user_without_a_password_cannot_log_in(
    account: OneLoginAccount, client: FlaskClient, app_id: int
) -> None:
    make_user(account, 8)
    assert log_in(client, "user8", "").status_code == 401
    assert log_in(client, "user8", "anything").status_code == 401


@pytest.mark.parametrize("status", [2, 3, 4])
def test_a_user_who_is_not_active_cannot_log_in(
    account: OneLoginAccount, client: FlaskClient, role_user: dict[str, Any], status: int
) -> None:
    account.directory.update_user(role_user["id"], {"status": status})
    page = log_in(client, "user7")
    assert page.status_code == 403
    assert "not active in OneLogin" in page.get_data(as_text=True)
    assert client.get("/portal").status_code == 302
    (event,) = events(account, EventType.USER_LOGIN_TO_ONELOGIN_FAILED)
    assert event["error_description"] == "user_not_active"


def test_a_locked_user_signed_in_before_is_refused_at_sso(
    account: OneLoginAccount, client: FlaskClient, app_id: int, role_user: dict[str, Any]
) -> None:
    log_in(client, "user7")
    account.directory.update_user(role_user["id"], {"status": 3})
    page = redirect_sso(client, app_id, authn_request())
    assert page.status_code == 403
    assert "status Locked" in page.get_data(as_text=True)


def test_repeated_failures_lock_the_login(client: FlaskClient, role_user: dict[str, Any]) -> None:
    for _ in range(modelling.LOGIN_FAILURES_PER_ACCOUNT):
        assert log_in(client, "user7", "wrong").status_code == 401
    locked = log_in(client, "user7", PASSWORD)
    assert locked.status_code == 429 and "Retry-After" in locked.headers


def test_the_login_form_needs_its_token(client: FlaskClient, role_user: dict[str, Any]) -> None:
    refused = client.post("/login", data={"username": "user7", "password": PASSWORD})
    assert refused.status_code == 400
    assert "security token" in refused.get_data(as_text=True)


def test_login_gives_a_new_session_id(client: FlaskClient, role_user: dict[str, Any]) -> None:
    client.get("/login")
    before = client.get_cookie("onelogin_user_session")
    assert before is not None
    assert log_in(client, "user7").status_code == 302
    after = client.get_cookie("onelogin_user_session")
    assert after is not None and after.value != before.value
    stale = client.application.test_client()
    stale.set_cookie("onelogin_user_session", before.value)
    assert stale.get("/portal").status_code == 302  # the old id opens nothing


# the portal and the IdP-initiated launch -----------------------------------------------------------
def test_the_portal_lists_only_the_users_apps_and_launches_one(
    account: OneLoginAccount, client: FlaskClient, app_id: int, role_user: dict[str, Any]
) -> None:
    other = account.apps.create_app("Not mine")
    assert log_in(client, "user7").headers["Location"].endswith("/portal")
    portal = client.get("/portal")
    text = text_of(portal.get_data(as_text=True))
    assert "Wrike" in text and "Not mine" not in text
    assert f"/portal/launch/{app_id}" in portal.get_data(as_text=True)
    assert f"/portal/launch/{other}" not in portal.get_data(as_text=True)

    page = client.post(
        f"/portal/launch/{app_id}", data={"csrf_token": csrf_of(portal.get_data(as_text=True))}
    )
    assert page.status_code == 200, page.get_data(as_text=True)
    form = posted(page)
    assert form["action"] == ACS and "RelayState" not in form
    response_xml = base64.b64decode(form["SAMLResponse"])
    XMLVerifier().verify(response_xml, x509_cert=metadata_certificate(client, app_id))
    root = xml.parse_untrusted(response_xml)
    assert root.get("InResponseTo") is None
    data = root.find("saml:Assertion/saml:Subject/saml:SubjectConfirmation/*", xml.NAMESPACES)
    assert data is not None and data.get("InResponseTo") is None
    (event,) = events(account, EventType.USER_LOGGED_INTO_APP)
    assert "IdP-initiated" in event["notes"]


def test_the_launch_needs_the_portals_token(
    client: FlaskClient, app_id: int, role_user: dict[str, Any]
) -> None:
    log_in(client, "user7")
    refused = client.post(f"/portal/launch/{app_id}", data={"csrf_token": "forged"})
    assert refused.status_code == 400 and "security token" in refused.get_data(as_text=True)


def test_launching_an_app_that_is_not_assigned_is_refused(
    account: OneLoginAccount, client: FlaskClient, app_id: int, role_user: dict[str, Any]
) -> None:
    other = account.apps.create_app("Not mine")
    account.sso.update_settings(other, {"audience": AUDIENCE, "acs_url": ACS})
    log_in(client, "user7")
    token = csrf_of(client.get("/portal").get_data(as_text=True))
    page = client.post(f"/portal/launch/{other}", data={"csrf_token": token})
    assert page.status_code == 403 and "app_not_assigned" in page.get_data(as_text=True)


def test_taking_the_role_away_refuses_the_next_login(
    account: OneLoginAccount, client: FlaskClient, app_id: int, role_user: dict[str, Any]
) -> None:
    log_in(client, "user7")
    assert redirect_sso(client, app_id, authn_request()).status_code == 200
    account.directory.update_user(role_user["id"], {"role_ids": []})
    page = redirect_sso(client, app_id, authn_request())
    assert page.status_code == 403 and "app_not_assigned" in page.get_data(as_text=True)


def test_a_reset_ends_every_user_session(
    account: OneLoginAccount, client: FlaskClient, role_user: dict[str, Any]
) -> None:
    """After a reset ids start again from 1: a session kept would open another user's."""
    log_in(client, "user7")
    assert client.get("/portal").status_code == 200
    assert client.post("/simulator/api/reset").status_code == 200
    assert client.get("/portal").status_code == 302


def test_deleting_the_user_ends_what_their_session_opens(
    account: OneLoginAccount, client: FlaskClient, app_id: int, role_user: dict[str, Any]
) -> None:
    log_in(client, "user7")
    account.directory.delete_user(role_user["id"])
    assert client.get("/portal").status_code == 302
    first = redirect_sso(client, app_id, authn_request())
    assert first.status_code == 302 and first.headers["Location"].endswith("/login")


def test_logout_ends_the_session(
    account: OneLoginAccount, client: FlaskClient, role_user: dict[str, Any]
) -> None:
    log_in(client, "user7")
    assert client.get("/portal").status_code == 200
    assert client.get("/logout").status_code == 302
    assert client.get("/portal").status_code == 302
    assert events(account, EventType.USER_LOGGED_OUT_OF_ONELOGIN)


# /api/2/saml_assertion, in-process (the SDK drives it against a live server in test_saml_sdk) ---------
def assertion(client: FlaskClient, auth: dict[str, str], **body: Any) -> Any:
    return client.post("/api/2/saml_assertion", json={"subdomain": "acme", **body}, headers=auth)


def test_the_assertion_api_signs_for_an_assigned_user(
    account: OneLoginAccount,
    client: FlaskClient,
    auth: dict[str, str],
    app_id: int,
    role_user: dict[str, Any],
) -> None:
    answer = assertion(
        client, auth, username_or_email="user7@example.com", password=PASSWORD, app_id=str(app_id)
    )
    assert answer.status_code == 200, answer.get_json()
    body = answer.get_json()
    assert body["status"]["error"] is False
    response_xml = base64.b64decode(body["data"][0]["SAMLResponse"])
    XMLVerifier().verify(response_xml, x509_cert=metadata_certificate(client, app_id))
    (event,) = events(account, EventType.USER_AUTHENTICATED_VIA_API)
    assert event["user_id"] == role_user["id"]


@pytest.mark.parametrize(
    ("body", "status", "words"),
    [
        ({"username_or_email": "user7", "password": "wrong"}, 401, "Invalid user credentials"),
        ({"username_or_email": "nobody", "password": "x"}, 401, "Invalid user credentials"),
        ({"username_or_email": "user7", "password": PASSWORD, "app_id": "abc"}, 400, "app_id"),
        ({"username_or_email": "user7", "password": PASSWORD, "app_id": "999"}, 404, "no app"),
        ({"password": PASSWORD}, 400, "username_or_email is required"),
    ],
)
def test_the_assertion_api_refuses_in_onelogins_shape(
    client: FlaskClient,
    auth: dict[str, str],
    app_id: int,
    role_user: dict[str, Any],
    body: dict[str, Any],
    status: int,
    words: str,
) -> None:
    answer = assertion(client, auth, **{"app_id": str(app_id), **body})
    assert answer.status_code == status
    refusal = answer.get_json()["status"]
    assert refusal["error"] is True and refusal["code"] == status
    assert words in str(refusal["message"])


def test_the_assertion_api_refuses_an_unassigned_user_and_logs_why(
    account: OneLoginAccount, client: FlaskClient, auth: dict[str, str], app_id: int
) -> None:
    make_user(account, 9, password=PASSWORD)
    answer = assertion(
        client, auth, username_or_email="user9", password=PASSWORD, app_id=str(app_id)
    )
    assert answer.status_code == 401
    message = answer.get_json()["status"]["message"]
    assert message == f"app_not_assigned: {modelling.SAML_ASSERTION_API_REFUSED}"
    (event,) = events(account, EventType.USER_AUTHENTICATION_VIA_API_FAILED)
    assert event["error_description"] == "app_not_assigned"


def test_the_assertion_api_refuses_a_suspended_user(
    account: OneLoginAccount,
    client: FlaskClient,
    auth: dict[str, str],
    app_id: int,
    role_user: dict[str, Any],
) -> None:
    account.directory.update_user(role_user["id"], {"status": 2})
    answer = assertion(
        client, auth, username_or_email="user7", password=PASSWORD, app_id=str(app_id)
    )
    assert answer.status_code == 401
    # the code, and nothing of the user's status: the System Log alone says "Suspended"
    message = answer.get_json()["status"]["message"]
    assert message == f"user_not_active: {modelling.SAML_ASSERTION_API_REFUSED}"
    assert "suspended" not in message.lower()
    (event,) = events(account, EventType.USER_AUTHENTICATION_VIA_API_FAILED)
    assert event["error_description"] == "user_not_active"
    assert "Suspended" in event["notes"]


def test_the_assertion_api_needs_an_access_token(client: FlaskClient, app_id: int) -> None:
    answer = assertion(client, {}, username_or_email="user7", password=PASSWORD, app_id=str(app_id))
    assert answer.status_code == 401


# the console's SSO tab -----------------------------------------------------------------------------
@pytest.fixture
def admin(client: FlaskClient) -> FlaskClient:
    assert admin_log_in(client).status_code == 302
    return client


def test_the_sso_tab_shows_the_idp_details_and_saves_the_fields(
    account: OneLoginAccount, admin: FlaskClient
) -> None:
    app_id = account.apps.wrike_app_id()
    page = admin.get(f"/admin/apps/{app_id}/sso")
    assert page.status_code == 200
    text = text_of(page.get_data(as_text=True))
    for label in ("SAML Audience URL", "SAML Recipient", "SAML Consumer URL", "SAML nameID format"):
        assert label in text
    assert f"http://localhost/saml/metadata/{app_id}" in text
    assert f"http://localhost/trust/saml2/http-redirect/sso/{app_id}" in text
    assert "SSO logins are refused until SAML Consumer URL and SAML Audience URL" in text
    signing = account.sso.signing_certificate(app_id)
    assert signing.fingerprint_sha256[:2].upper() + ":" in text
    assert signing.not_after in text

    saved = post(
        admin,
        f"/admin/apps/{app_id}/sso",
        f"/admin/apps/{app_id}/sso",
        audience=AUDIENCE,
        recipient="",
        acs_url=ACS,
        clock_offset_seconds="30",
    )
    assert saved.status_code == 302
    settings = account.sso.settings(app_id)
    assert (settings.audience, settings.acs_url, settings.clock_offset_seconds) == (
        AUDIENCE,
        ACS,
        30,
    )
    refused = post(
        admin,
        f"/admin/apps/{app_id}/sso",
        f"/admin/apps/{app_id}/sso",
        audience=AUDIENCE,
        acs_url="not a url",
        clock_offset_seconds="0",
    )
    assert refused.status_code == 422
    assert "acs_url must be an http(s) URL" in text_of(refused.get_data(as_text=True))
    assert account.sso.settings(app_id).acs_url == ACS


def test_rotate_and_retire_ask_first_then_act(account: OneLoginAccount, admin: FlaskClient) -> None:
    app_id = account.apps.wrike_app_id()
    first = account.sso.signing_certificate(app_id)
    sso_page = f"/admin/apps/{app_id}/sso"
    confirm = admin.get(f"/admin/apps/{app_id}/sso/certificates/rotate")
    assert confirm.status_code == 200
    assert "every SSO login there fails" in text_of(confirm.get_data(as_text=True))
    assert account.sso.signing_certificate(app_id).id == first.id  # asking changed nothing
    rotated = post(admin, f"/admin/apps/{app_id}/sso/certificates/rotate", sso_page)
    assert rotated.status_code == 302
    second = account.sso.signing_certificate(app_id)
    assert second.id != first.id
    page = text_of(admin.get(sso_page).get_data(as_text=True))
    assert "Not signing" in page and f"Retire certificate {first.id}" in page

    refused = post(admin, f"/admin/apps/{app_id}/sso/certificates/{second.id}/retire", sso_page)
    assert refused.status_code == 409
    assert account.sso.signing_certificate(app_id).id == second.id
    retired = post(admin, f"/admin/apps/{app_id}/sso/certificates/{first.id}/retire", sso_page)
    assert retired.status_code == 302
    assert [c.id for c in account.sso.certificates(app_id)] == [second.id]
    assert events(account, EventType.CERTIFICATE_DELETED)


def test_more_actions_saml_metadata_downloads_the_xml(
    account: OneLoginAccount, admin: FlaskClient
) -> None:
    app_id = account.apps.wrike_app_id()
    page = admin.get(f"/admin/apps/{app_id}/configuration").get_data(as_text=True)
    assert "More Actions" in page and f'href="/admin/apps/{app_id}/metadata"' in page
    download = admin.get(f"/admin/apps/{app_id}/metadata")
    assert download.status_code == 200
    assert "attachment" in download.headers["Content-Disposition"]
    root = xml.parse_untrusted(download.data)
    assert root.get("entityID") == f"http://localhost/saml/metadata/{app_id}"
    assert re.search(rb"X509Certificate>MII", download.data)


def test_the_sso_tab_needs_the_console_login(client: FlaskClient, account: OneLoginAccount) -> None:
    app_id = account.apps.wrike_app_id()
    for path in (f"/admin/apps/{app_id}/sso", f"/admin/apps/{app_id}/metadata"):
        assert "/admin/login" in client.get(path).headers["Location"]
