"""The Wrike admin pages through the Flask test client: who may see what, CSRF on every form,
refusals shown in the page, and secrets shown once and never again."""

from __future__ import annotations

import logging
import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.wrike_sp.conftest import Scim
from wrike_sp import WrikeConfig, create_app
from wrike_sp.demo import DemoAccount
from wrike_sp.domain.accounts import AccountAdmin
from wrike_sp.web.pages import TokenReveals

MEMBER_EMAIL = "rick.regular@acme.example"
MEMBER_PASSWORD = "member password 1"
PAGES = [
    "/",
    "/apps",
    "/apps/onelogin/scim",
    "/apps/api",
    "/apps/api/1",
    "/apps/api/1/token",
    "/domains",
    "/users",
    "/billing",
]


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "the page has no form with a CSRF token"
    return match.group(1)


def log_in(client: FlaskClient, account_id: int, email: str, password: str, **extra: Any) -> Any:
    token = csrf_of(client.get("/login").text)
    form = {"csrf_token": token, "account_id": account_id, "email": email, "password": password}
    return client.post("/login", data={**form, **extra})


def post(client: FlaskClient, path: str, form_page: str, **data: Any) -> Any:
    """Submit a form the way a browser does: with the CSRF token of the page it came from."""
    return client.post(path, data={"csrf_token": csrf_of(client.get(form_page).text), **data})


@pytest.fixture
def accounts(app: Flask) -> AccountAdmin:
    admin: AccountAdmin = app.extensions["wrike"].accounts
    return admin


@pytest.fixture
def member(accounts: AccountAdmin, demo: DemoAccount) -> dict[str, Any]:
    return accounts.add_member(
        demo.account_id, {"email": MEMBER_EMAIL, "password": MEMBER_PASSWORD, "first_name": "Rick"}
    )


@pytest.fixture
def as_admin(client: FlaskClient, demo: DemoAccount) -> FlaskClient:
    assert log_in(client, demo.account_id, demo.admin_email, demo.admin_password).status_code == 302
    return client


@pytest.fixture
def as_member(client: FlaskClient, demo: DemoAccount, member: dict[str, Any]) -> FlaskClient:
    assert log_in(client, demo.account_id, MEMBER_EMAIL, MEMBER_PASSWORD).status_code == 302
    return client


# -- login ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", PAGES)
def test_every_page_but_login_sends_a_visitor_to_the_login(
    client: FlaskClient, demo: DemoAccount, path: str
) -> None:
    answer = client.get(path)
    assert answer.status_code == 302
    assert answer.headers["Location"].startswith("/login?next=")


def test_the_login_lists_no_account_to_a_visitor(
    client: FlaskClient, accounts: AccountAdmin, demo: DemoAccount
) -> None:
    accounts.create_account("Tenant Seven", "Business")
    page = client.get("/login").text
    assert "Acme" not in page
    assert "Tenant Seven" not in page
    assert "account_id" not in page
    token = csrf_of(page)
    answer = client.post(
        "/login",
        data={"csrf_token": token, "email": demo.admin_email, "password": demo.admin_password},
    )
    assert answer.status_code == 302


def test_the_session_cookie_is_http_only_and_same_site_lax(
    client: FlaskClient, demo: DemoAccount
) -> None:
    answer = log_in(client, demo.account_id, demo.admin_email, demo.admin_password)
    cookie = answer.headers["Set-Cookie"]
    assert cookie.startswith("wrike_session=")
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_behind_https_the_session_cookie_is_secure() -> None:
    app = create_app(WrikeConfig(public_url="https://wrike.example"))
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert create_app(WrikeConfig()).config["SESSION_COOKIE_SECURE"] is False


def test_a_wrong_password_is_refused_in_the_page_and_never_echoed(
    client: FlaskClient, demo: DemoAccount
) -> None:
    answer = log_in(client, demo.account_id, demo.admin_email, "not the password at all")
    assert answer.status_code == 401
    assert "The email or password is not correct." in answer.text
    assert "not the password at all" not in answer.text
    assert client.get("/users").status_code == 302


def test_an_account_id_that_is_not_a_number_is_refused_in_the_page(
    client: FlaskClient, demo: DemoAccount
) -> None:
    answer = log_in(client, "acme", demo.admin_email, demo.admin_password)  # type: ignore[arg-type]
    assert answer.status_code == 400
    assert "The account id is a number" in answer.text


def test_login_returns_to_the_page_asked_for_but_never_to_another_site(
    client: FlaskClient, demo: DemoAccount
) -> None:
    back = log_in(client, demo.account_id, demo.admin_email, demo.admin_password, next="/users")
    assert back.headers["Location"] == "/users"
    away = log_in(
        client, demo.account_id, demo.admin_email, demo.admin_password, next="//evil.example/x"
    )
    assert away.headers["Location"] == "/apps"


def test_logging_out_ends_the_session(as_admin: FlaskClient) -> None:
    answer = post(as_admin, "/logout", "/users")
    assert answer.headers["Location"] == "/login"
    assert as_admin.get("/users").status_code == 302


def test_without_a_configured_secret_key_each_app_gets_its_own_random_one() -> None:
    first, second = create_app(WrikeConfig()), create_app(WrikeConfig())
    assert first.secret_key and second.secret_key
    assert first.secret_key != second.secret_key
    assert create_app(WrikeConfig(secret_key="configured")).secret_key == "configured"


# -- CSRF -----------------------------------------------------------------------------------------


FORMS = [
    ("/domains", {"domain": "forged.example"}),
    ("/domains/remove", {"domain": "acme.example"}),
    ("/apps/api", {"name": "Forged app"}),
    ("/apps/api/1/token", {"password": "correct horse battery"}),
    ("/apps/api/tokens/1/revoke", {}),
    ("/logout", {}),
]


@pytest.mark.parametrize(("path", "data"), FORMS)
@pytest.mark.parametrize("token", [None, "", "a-guessed-token"])
def test_a_form_without_the_sessions_csrf_token_is_refused_and_changes_nothing(
    as_admin: FlaskClient, demo: DemoAccount, path: str, data: dict[str, str], token: str | None
) -> None:
    form = dict(data) if token is None else {**data, "csrf_token": token}
    before = [as_admin.get(p).text for p in ("/domains", "/apps/api")]

    answer = as_admin.post(path, data=form)

    assert answer.status_code == 400
    assert "security token is missing or out of date" in answer.text
    assert [as_admin.get(p).text for p in ("/domains", "/apps/api")] == before


def test_another_sessions_csrf_token_is_refused(
    app: Flask, as_admin: FlaskClient, demo: DemoAccount
) -> None:
    other = app.test_client()
    foreign = csrf_of(other.get("/login").text)
    answer = as_admin.post("/domains", data={"csrf_token": foreign, "domain": "forged.example"})
    assert answer.status_code == 400


def test_the_login_form_needs_its_csrf_token_too(client: FlaskClient, demo: DemoAccount) -> None:
    client.get("/login")
    answer = client.post(
        "/login",
        data={
            "account_id": demo.account_id,
            "email": demo.admin_email,
            "password": demo.admin_password,
        },
    )
    assert answer.status_code == 400
    assert client.get("/users").status_code == 302


def test_logging_in_replaces_the_csrf_token(client: FlaskClient, demo: DemoAccount) -> None:
    before = csrf_of(client.get("/login").text)
    log_in(client, demo.account_id, demo.admin_email, demo.admin_password)
    assert csrf_of(client.get("/domains").text) != before


# -- approved domains -----------------------------------------------------------------------------


def test_an_admin_adds_and_removes_an_approved_domain(as_admin: FlaskClient) -> None:
    added = post(as_admin, "/domains", "/domains", domain=" NewCo.Example ")
    assert added.headers["Location"] == "/domains"
    page = as_admin.get("/domains").text
    assert "newco.example is now an approved domain" in page
    assert "<td>newco.example</td>" in page

    post(as_admin, "/domains/remove", "/domains", domain="newco.example")
    page = as_admin.get("/domains").text
    assert "newco.example is no longer an approved domain" in page
    assert "<td>newco.example</td>" not in page


def test_an_invalid_domain_is_refused_in_the_page_with_the_form_kept(as_admin: FlaskClient) -> None:
    answer = post(as_admin, "/domains", "/domains", domain="not a domain")
    assert answer.status_code == 400
    assert (
        "&#39;not a domain&#39; is not a domain name such as &#39;example.com&#39;" in answer.text
    )
    assert 'value="not a domain"' in answer.text


def test_removing_a_domain_that_is_not_approved_is_refused_in_the_page(
    as_admin: FlaskClient,
) -> None:
    answer = post(as_admin, "/domains/remove", "/domains", domain="other.example")
    assert answer.status_code == 404
    assert "other.example is not an approved domain" in answer.text


def test_page_text_is_escaped(as_admin: FlaskClient) -> None:
    answer = post(as_admin, "/domains", "/domains", domain="<script>alert(1)</script>")
    assert "<script>alert(1)</script>" not in answer.text


# -- the SCIM tab ---------------------------------------------------------------------------------


def test_the_scim_tab_shows_the_scim_url_to_a_member_with_the_security_right(
    as_admin: FlaskClient, demo: DemoAccount
) -> None:
    page = as_admin.get("/apps/onelogin/scim").text
    assert f'value="http://localhost{demo.scim_path}"' in page


def test_the_scim_tab_names_the_missing_right_to_a_member_without_it(
    as_member: FlaskClient, demo: DemoAccount
) -> None:
    answer = as_member.get("/apps/onelogin/scim")
    assert answer.status_code == 403
    assert "it needs the right &#39;Configure advanced security settings&#39;" in answer.text
    assert demo.scim_path not in answer.text
    assert "/apps/onelogin/scim" not in as_member.get("/apps").text


# -- API apps and tokens --------------------------------------------------------------------------


def test_an_api_app_without_a_name_is_refused_in_the_page(as_admin: FlaskClient) -> None:
    answer = post(as_admin, "/apps/api", "/apps/api", name="  ", description="kept")
    assert answer.status_code == 400
    assert "An API app needs a name of 1 to 100 characters" in answer.text
    assert ">kept</textarea>" in answer.text


def test_the_app_name_field_suggests_onelogin_scim(as_admin: FlaskClient) -> None:
    assert 'placeholder="OneLogin SCIM"' in as_admin.get("/apps/api").text


def test_an_unknown_api_app_is_a_page_not_json(as_admin: FlaskClient) -> None:
    answer = as_admin.get("/apps/api/999")
    assert answer.status_code == 404
    assert answer.mimetype == "text/html"
    assert "No API app 999 in this account" in answer.text


def test_a_wrong_password_obtains_no_token(as_admin: FlaskClient) -> None:
    created = post(as_admin, "/apps/api", "/apps/api", name="OneLogin SCIM")
    token_form = created.headers["Location"] + "/token"
    answer = post(as_admin, token_form, token_form, password="wrong password")
    assert answer.status_code == 403
    assert "The password is not correct" in answer.text
    assert "wrk_" not in answer.text


def test_a_token_is_shown_once_then_only_its_hint(
    as_admin: FlaskClient, client: FlaskClient, demo: DemoAccount
) -> None:
    created = post(as_admin, "/apps/api", "/apps/api", name="OneLogin SCIM", description="EU")
    app_page = created.headers["Location"]
    obtained = post(
        as_admin, app_page + "/token", app_page + "/token", password=demo.admin_password
    )
    assert obtained.headers["Location"] == app_page + "/token/shown"

    shown = as_admin.get(app_page + "/token/shown")
    token = re.search(r"(wrk_[A-Za-z0-9_-]+)", shown.text)
    assert token, shown.text
    assert "You&#39;re only shown your token once" in shown.text
    assert shown.headers["Cache-Control"] == "no-store"

    again = as_admin.get(app_page + "/token/shown")
    assert again.headers["Location"] == app_page
    for page in (app_page, "/apps/api"):
        text = as_admin.get(page).text
        assert token.group(1) not in text
        assert "****" + token.group(1)[-4:] in text

    scim = Scim(client, demo.scim_path, token.group(1))
    assert scim.request("GET", "/Users").status_code == 200


def test_a_revoked_token_no_longer_opens_the_scim_endpoint(
    as_admin: FlaskClient, client: FlaskClient, demo: DemoAccount
) -> None:
    app_page = f"/apps/api/{demo.app_id}"
    answer = post(
        as_admin, f"/apps/api/tokens/{demo.token_id}/revoke", app_page, app_id=demo.app_id
    )
    assert answer.headers["Location"] == app_page
    page = as_admin.get(app_page).text
    assert "Token revoked" in page
    assert "Revoked 2026-01-05 09:00 UTC" in page
    assert Scim(client, demo.scim_path, demo.token).request("GET", "/Users").status_code == 401


def test_revoking_an_unknown_token_is_refused_in_the_page(as_admin: FlaskClient) -> None:
    answer = post(as_admin, "/apps/api/tokens/999/revoke", "/apps/api")
    assert answer.status_code == 404
    assert "No active token 999" in answer.text


def test_a_token_waiting_to_be_shown_goes_only_to_its_member_and_only_once() -> None:
    now = [0.0]
    reveals = TokenReveals(ttl=60, clock=lambda: now[0])
    first = reveals.put("member-a", {"token": "wrk_secret"})
    assert reveals.take(first, "member-b") is None
    assert reveals.take(first, "member-a") == {"token": "wrk_secret"}
    assert reveals.take(first, "member-a") is None
    late = reveals.put("member-a", {"token": "wrk_late"})
    now[0] = 61
    assert reveals.take(late, "member-a") is None


def test_passwords_and_tokens_never_reach_the_log(
    as_admin: FlaskClient, demo: DemoAccount, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    app_page = f"/apps/api/{demo.app_id}"
    post(as_admin, app_page + "/token", app_page + "/token", password=demo.admin_password)
    shown = as_admin.get(app_page + "/token/shown").text
    token = re.search(r"(wrk_[A-Za-z0-9_-]+)", shown)
    assert token
    assert demo.admin_password not in caplog.text
    assert token.group(1) not in caplog.text


# -- users and billing ----------------------------------------------------------------------------


def test_users_show_type_status_role_and_billable_since(as_admin: FlaskClient, scim: Scim) -> None:
    created = scim.create("vera.viewer@acme.example", userType="Viewer").get_json()
    scim.patch(created["id"], {"op": "replace", "path": "active", "value": False})
    page = as_admin.get("/users").text
    row = page[page.index("vera.viewer@acme.example") :].split("</tr>", 1)[0]
    assert "<td>Viewer</td>" in row
    assert "Deactivated" in row
    assert "through SCIM" in row
    assert "2026-01-05 09:00 UTC" in row


def test_only_admins_see_the_users_and_their_rights(
    app: Flask, demo: DemoAccount, member: dict[str, Any]
) -> None:
    admin, regular = app.test_client(), app.test_client()
    log_in(admin, demo.account_id, demo.admin_email, demo.admin_password)
    log_in(regular, demo.account_id, MEMBER_EMAIL, MEMBER_PASSWORD)
    assert "<th>Configure advanced security settings</th>" in admin.get("/users").text
    regular_view = regular.get("/users")
    assert regular_view.status_code == 403
    assert demo.admin_email not in regular_view.text


def test_billing_counts_seats_per_user_type_and_lists_the_ledger(
    as_admin: FlaskClient, scim: Scim
) -> None:
    scim.create("cole.collaborator@acme.example", userType="Collaborator")
    scim.create("vic.viewer@acme.example", userType="Viewer")
    page = as_admin.get("/billing").text
    # Billable members and paid seats apart; Wrike's rule for Regular and Collaborator, an
    # assumed one (labelled) for Viewer.
    assert (
        '<tr data-user-type="Regular"><td>Regular</td><td>1</td><td>1</td><td>yes</td></tr>' in page
    )
    assert (
        '<tr data-user-type="Collaborator"><td>Collaborator</td><td>1</td><td>0</td><td>no</td>'
        "</tr>" in page
    )
    assert (
        '<tr data-user-type="Viewer"><td>Viewer</td><td>1</td><td>0</td><td>no <small '
        'class="assumed" data-testid="assumed">(assumed)</small></td></tr>' in page
    )
    assert '<th data-testid="total-seats">3</th>' in page
    assert '<th data-testid="paid-seats">1</th>' in page
    assert "cole.collaborator@acme.example" in page


def test_an_unexpected_error_is_a_page_not_a_traceback(
    as_admin: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(self: AccountAdmin, account_id: int) -> dict[str, Any]:
        raise RuntimeError("store exploded")

    monkeypatch.setattr(AccountAdmin, "billing", broken)
    answer = as_admin.get("/billing")
    assert answer.status_code == 500
    assert answer.mimetype == "text/html"
    assert "Internal error" in answer.text
    assert "store exploded" not in answer.text


def test_pages_are_never_framed(as_admin: FlaskClient) -> None:
    answer = as_admin.get("/users")
    assert answer.headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in answer.headers["Content-Security-Policy"]
