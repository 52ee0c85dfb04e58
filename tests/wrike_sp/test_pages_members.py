"""The member page, the Users columns, role and rights, and the account's plan in the Wrike
pages, through the Flask test client: what each shows, who may change what, and every refusal
as a page. The SCIM side runs for real (the same app), so a right removed in a page is a SCIM
refusal at once."""

from __future__ import annotations

import html
import re
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.wrike_sp.conftest import ENTERPRISE, Scim
from tests.wrike_sp.test_pages import csrf_of, log_in, post
from wrike_sp import WrikeConfig, create_app
from wrike_sp.demo import DemoAccount, seed_demo_account
from wrike_sp.domain.accounts import AccountAdmin
from wrike_sp.domain.clock import ManualClock
from wrike_sp.domain.modelling import RIGHT_EDIT_USERS

CORE = "urn:ietf:params:scim:schemas:core:2.0:User"
PASSWORD = "member password 1"
REGULAR = "rick.regular@acme.example"
PLAIN_ADMIN = "ada.admin@acme.example"
GRANTING_ADMIN = "gus.granting@acme.example"
EDIT = "edit_names_emails_deactivate_delete_users"
SECURITY = "configure_advanced_security_settings"
GRANT = "grant_revoke_admin_rights"

#: The POST forms this file adds, for the rights test of every form (test_page_security).
MEMBER_FORMS: dict[str, str] = {
    "wrike_pages.member_access": "/users/<member>/access",
    "wrike_pages.account_plan": "/account/plan",
}


def text_of(page: str) -> str:
    """The page as a reader sees it: tags dropped, entities decoded, spaces collapsed."""
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page)))


def field(page: str, name: str) -> str:
    found = re.search(rf'<dd data-field="{name}">(.*?)</dd>', page, re.S)
    assert found, f"no field {name} on the page"
    return text_of(found.group(1)).strip()


def history_rows(page: str) -> list[list[str]]:
    table = page.split('data-testid="history"', 1)[1].split("</table>", 1)[0]
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", table.split("<tbody>", 1)[1], re.S)
    return [[text_of(c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", r, re.S)] for r in rows]


def full_user(email: str, **extra: Any) -> dict[str, Any]:
    body = {
        "schemas": [CORE, ENTERPRISE],
        "userName": email,
        "name": {"givenName": "Ada", "familyName": "Lovelace"},
        "emails": [
            {"value": email, "type": "work", "primary": True},
            {"value": "ada.home@acme.example", "type": "home"},
        ],
        "title": "Engineer",
        "phoneNumbers": [{"value": "+44 20 7946 0000", "type": "work"}],
        ENTERPRISE: {"organization": "Acme Ltd", "department": "Analytical Engines"},
    }
    return {**body, **extra}


@pytest.fixture
def accounts(app: Flask) -> AccountAdmin:
    admin: AccountAdmin = app.extensions["wrike"].accounts
    return admin


@pytest.fixture
def people(accounts: AccountAdmin, demo: DemoAccount) -> dict[str, dict[str, Any]]:
    made = {}
    for email, role, rights in (
        (REGULAR, "regular", {}),
        (PLAIN_ADMIN, "admin", {}),
        (GRANTING_ADMIN, "admin", {GRANT: True}),
    ):
        made[email] = accounts.add_member(
            demo.account_id, {"email": email, "password": PASSWORD, "role": role, "rights": rights}
        )
    return made


@pytest.fixture
def as_owner(client: FlaskClient, demo: DemoAccount) -> FlaskClient:
    assert log_in(client, demo.account_id, demo.admin_email, demo.admin_password).status_code == 302
    return client


def signed_in(app: Flask, demo: DemoAccount, email: str) -> FlaskClient:
    client = app.test_client()
    assert log_in(client, demo.account_id, email, PASSWORD).status_code == 302
    return client


# -- the member page -------------------------------------------------------------------------


def test_the_member_page_shows_every_synced_attribute_and_the_standing_in_wrike(
    as_owner: FlaskClient, scim: Scim
) -> None:
    created = scim.request("POST", "/Users", full_user("ada@acme.example", userType="Collaborator"))
    assert created.status_code == 201
    page = as_owner.get(f"/users/{created.get_json()['id']}").text

    assert field(page, "userName") == "ada@acme.example"
    assert field(page, "givenName") == "Ada"
    assert field(page, "familyName") == "Lovelace"
    assert field(page, "primaryEmail") == "ada@acme.example"
    assert field(page, "secondaryEmails") == "ada.home@acme.example"
    assert field(page, "title") == "Engineer"
    assert field(page, "phone") == "+44 20 7946 0000"
    assert field(page, "organization") == "Acme Ltd"
    assert field(page, "department") == "Analytical Engines"
    assert field(page, "status") == "Active"
    assert field(page, "userType") == "Collaborator"
    assert field(page, "role") == "Regular"
    assert field(page, "billableSince") == "2026-01-05 09:00 UTC"


def test_the_users_table_shows_title_department_and_phone_and_links_each_member(
    as_owner: FlaskClient, scim: Scim
) -> None:
    long_title = "Principal Engineer of Analytical Engines and Difference Engines, Emeritus"
    created = scim.request("POST", "/Users", full_user("ada@acme.example", title=long_title))
    user_id = created.get_json()["id"]
    page = as_owner.get("/users").text
    row = page[page.index(f"/users/{user_id}") :].split("</tr>", 1)[0]
    assert ">Ada Lovelace</a>" in row
    # Cut in the table, whole in the tooltip and on the member page.
    assert f'<span title="{long_title}">' in row
    assert "Analytical Engines" in row
    assert "+44 20 7946 0000" in row
    assert field(as_owner.get(f"/users/{user_id}").text, "title") == long_title


def test_the_history_lists_each_scim_request_newest_first_with_what_changed(
    as_owner: FlaskClient, scim: Scim, clock: ManualClock, demo: DemoAccount
) -> None:
    user_id = scim.request("POST", "/Users", full_user("ada@acme.example")).get_json()["id"]
    clock.advance(minutes=1)
    put = full_user("ada@acme.example", title="Manager", password="Secret-Pa55word!")
    assert scim.request("PUT", f"/Users/{user_id}", put).status_code == 200
    clock.advance(minutes=1)
    assert scim.request("PUT", f"/Users/{user_id}", put).status_code == 200  # same values
    clock.advance(minutes=1)
    stale = scim.request("PUT", f"/Users/{user_id}", put, headers={"If-Match": 'W/"1"'})
    assert stale.status_code == 412
    clock.advance(minutes=1)
    off = {"op": "replace", "path": "active", "value": False}
    assert scim.patch(user_id, off).status_code == 200

    page = as_owner.get(f"/users/{user_id}").text
    rows = history_rows(page)
    assert [r[:3] for r in rows] == [
        ["2026-01-05 09:04 UTC", "PATCH", "200"],
        ["2026-01-05 09:03 UTC", "PUT", "412"],
        ["2026-01-05 09:02 UTC", "PUT", "200"],
        ["2026-01-05 09:01 UTC", "PUT", "200"],
        ["2026-01-05 09:00 UTC", "POST", "201"],
    ]
    assert rows[0][3] == "active: true → false"
    assert rows[1][3].startswith("refused: If-Match")
    assert rows[2][3] == "no change"
    assert rows[3][3] == "title: Engineer → Manager"
    assert rows[4][3].startswith("created: ")
    assert "title Engineer" in rows[4][3]
    assert "Secret-Pa55word!" not in page
    assert field(page, "status").startswith("Deactivated since 2026-01-05 09:04 UTC")


def test_a_refusal_for_a_missing_right_is_in_the_members_history(
    as_owner: FlaskClient, scim: Scim, accounts: AccountAdmin, demo: DemoAccount
) -> None:
    user_id = scim.create("ada@acme.example", title="Engineer").get_json()["id"]
    accounts.update_member(demo.account_id, demo.admin_id, {"rights": {EDIT: False}})
    body = {"userName": "ada@acme.example", "title": "Manager"}
    assert scim.request("PUT", f"/Users/{user_id}", body).status_code == 403
    rows = history_rows(as_owner.get(f"/users/{user_id}").text)
    assert rows[0][1:3] == ["PUT", "403"]
    assert f"lacks the Wrike right '{RIGHT_EDIT_USERS}'" in rows[0][3]


def test_the_history_survives_a_restart_and_an_older_database_gains_it(tmp_path: Path) -> None:
    database = str(tmp_path / "wrike.sqlite3")

    def provider() -> Flask:
        return create_app(WrikeConfig(password_iterations=1000, database=database))

    first = provider()
    demo = seed_demo_account(first.extensions["wrike"].accounts, admin_password=PASSWORD)
    scim = Scim(first.test_client(), demo.scim_path, demo.token)
    user_id = scim.create("ada@acme.example", title="Engineer").get_json()["id"]
    first.extensions["wrike"].store.close()
    # An older version's database: no history table yet.
    with sqlite3.connect(database) as old:
        old.execute("DROP TABLE scim_history")

    second = provider()
    client = second.test_client()
    scim = Scim(client, demo.scim_path, demo.token)
    assert scim.patch(user_id, {"op": "replace", "path": "title", "value": "Manager"}).status_code
    second.extensions["wrike"].store.close()

    third = provider()
    client = third.test_client()
    log_in(client, demo.account_id, demo.admin_email, PASSWORD)
    rows = history_rows(client.get(f"/users/{user_id}").text)
    assert [(r[1], r[3]) for r in rows] == [("PATCH", "title: Engineer → Manager")]
    third.extensions["wrike"].store.close()


def test_a_deleted_member_is_a_not_found_page_that_says_why(
    as_owner: FlaskClient, scim: Scim
) -> None:
    user_id = scim.create("ada@acme.example").get_json()["id"]
    assert scim.request("DELETE", f"/Users/{user_id}").status_code == 204
    answer = as_owner.get(f"/users/{user_id}")
    assert answer.status_code == 404
    assert answer.mimetype == "text/html"
    assert "may have been deleted" in answer.text
    assert as_owner.get("/users/" + "x" * 5000).status_code == 404


def test_a_regular_member_cannot_open_a_member_page(
    app: Flask, demo: DemoAccount, people: Any
) -> None:
    answer = signed_in(app, demo, REGULAR).get(f"/users/{demo.admin_id}")
    assert answer.status_code == 403
    assert "only the account&#39;s owner and admins" in answer.text


# -- role and rights ---------------------------------------------------------------------------


def access(client: FlaskClient, member_id: str, role: str, *rights: str) -> Any:
    form = {"role": role, **{key: "on" for key in rights}}
    return post(client, f"/users/{member_id}/access", f"/users/{member_id}", **form)


def test_the_owner_makes_a_member_an_admin_with_chosen_rights(
    as_owner: FlaskClient, accounts: AccountAdmin, demo: DemoAccount, people: Any
) -> None:
    rick = people[REGULAR]["id"]
    answer = access(as_owner, rick, "admin", SECURITY, EDIT)
    assert answer.status_code == 302
    page = as_owner.get(answer.headers["Location"]).text
    assert f"Role and rights of {REGULAR} saved." in page
    assert field(page, "role") == "Admin"
    member = accounts.member(demo.account_id, rick)
    assert (member.role, member.can_configure_security, member.can_grant_admin) == (
        "admin",
        True,
        False,
    )
    assert member.can_edit_users


def test_removing_the_token_issuers_right_in_the_page_makes_scim_refuse(
    as_owner: FlaskClient, scim: Scim, demo: DemoAccount
) -> None:
    assert scim.create("before@acme.example").status_code == 201
    page = as_owner.get(f"/users/{demo.admin_id}").text
    assert 'data-testid="token-warning"' not in page
    assert access(as_owner, demo.admin_id, "owner", SECURITY, GRANT).status_code == 302

    refused = scim.create("after@acme.example")
    assert refused.status_code == 403
    assert RIGHT_EDIT_USERS in refused.get_json()["detail"]
    # The member page says what SCIM now refuses to this member's token.
    warning = text_of(as_owner.get(f"/users/{demo.admin_id}").text)
    assert f"Without '{RIGHT_EDIT_USERS}', SCIM refuses to add users" in warning


def test_an_admin_without_the_grant_right_is_shown_no_form_and_refused_in_the_page(
    app: Flask, accounts: AccountAdmin, demo: DemoAccount, people: Any
) -> None:
    client = signed_in(app, demo, PLAIN_ADMIN)
    rick = people[REGULAR]["id"]
    page = client.get(f"/users/{rick}").text
    assert "Save role and rights" not in page
    assert "Only the account owner and admins with the right" in page

    answer = client.post(
        f"/users/{rick}/access",
        data={"csrf_token": csrf_of(page), "role": "admin", SECURITY: "on"},
    )
    assert answer.status_code == 403
    assert answer.mimetype == "text/html"
    assert "it needs the right &#39;Grant/revoke admin rights&#39;" in answer.text
    assert accounts.member(demo.account_id, rick).role == "regular"


def test_an_admin_with_the_grant_right_changes_roles_but_never_the_owner(
    app: Flask, accounts: AccountAdmin, demo: DemoAccount, people: Any
) -> None:
    client = signed_in(app, demo, GRANTING_ADMIN)
    rick = people[REGULAR]["id"]
    assert access(client, rick, "admin").status_code == 302
    assert accounts.member(demo.account_id, rick).role == "admin"
    assert access(client, rick, "regular").status_code == 302
    assert accounts.member(demo.account_id, rick).role == "regular"

    for member_id, role in ((rick, "owner"), (demo.admin_id, "admin")):
        answer = access(client, member_id, role)
        assert answer.status_code == 400
        assert "transferring ownership" in html.unescape(answer.text)
    assert accounts.member(demo.account_id, demo.admin_id).role == "owner"
    assert accounts.member(demo.account_id, rick).role == "regular"


@pytest.mark.parametrize("role", ["", "superuser", "ADMIN"])
def test_a_role_that_does_not_exist_is_refused_in_the_page(
    as_owner: FlaskClient, accounts: AccountAdmin, demo: DemoAccount, people: Any, role: str
) -> None:
    rick = people[REGULAR]["id"]
    answer = access(as_owner, rick, role, SECURITY)
    assert answer.status_code == 400
    assert "A member&#39;s role is regular or admin" in answer.text
    assert not accounts.member(demo.account_id, rick).can_configure_security


def test_the_access_form_of_an_unknown_member_or_without_csrf_is_refused(
    as_owner: FlaskClient, demo: DemoAccount, people: Any
) -> None:
    answer = access(as_owner, "no-such-member", "admin")
    assert answer.status_code == 404
    assert "No member no-such-member" in answer.text
    forged = as_owner.post(f"/users/{people[REGULAR]['id']}/access", data={"role": "admin"})
    assert forged.status_code == 400
    assert "security token is missing" in forged.text


# -- plan and settings -------------------------------------------------------------------------


def test_the_owner_changes_the_plan_and_scim_follows(
    as_owner: FlaskClient, scim: Scim, demo: DemoAccount
) -> None:
    page = as_owner.get("/account").text
    assert '<dd data-testid="plan">Enterprise Standard</dd>' in page
    answer = post(as_owner, "/account/plan", "/account", plan="Business")
    assert answer.status_code == 302
    page = as_owner.get("/account").text
    assert "SCIM provisioning is not available on this plan" in page
    assert "Not available on this plan" in page
    assert scim.create("ada@acme.example").status_code == 403
    post(as_owner, "/account/plan", "/account", plan="Pinnacle")
    assert scim.create("ada@acme.example").status_code == 201


def test_an_admin_sees_the_plan_but_only_the_owner_changes_it(
    app: Flask, accounts: AccountAdmin, demo: DemoAccount, people: Any
) -> None:
    client = signed_in(app, demo, GRANTING_ADMIN)
    page = client.get("/account").text
    assert "Only the account owner can change the plan." in page
    assert "Change plan" not in page
    answer = client.post("/account/plan", data={"csrf_token": csrf_of(page), "plan": "Free"})
    assert answer.status_code == 403
    assert "only the account owner can" in answer.text
    assert accounts.account_view(demo.account_id)["plan"] == "Enterprise Standard"
    assert signed_in(app, demo, REGULAR).get("/account").status_code == 403


@pytest.mark.parametrize("plan", ["", "Platinum", "x" * 10_000])
def test_a_plan_that_does_not_exist_is_refused_in_the_page(
    as_owner: FlaskClient, accounts: AccountAdmin, demo: DemoAccount, plan: str
) -> None:
    answer = post(as_owner, "/account/plan", "/account", plan=plan)
    assert answer.status_code == 400
    assert "is not a Wrike plan" in answer.text
    assert accounts.account_view(demo.account_id)["plan"] == "Enterprise Standard"


# -- favicon ---------------------------------------------------------------------------------


def test_every_page_links_a_favicon_that_answers_without_a_login(
    client: FlaskClient, demo: DemoAccount
) -> None:
    page = client.get("/login").text
    icon = re.search(r'<link rel="icon" type="image/svg\+xml" href="([^"]+)">', page)
    assert icon
    answer = client.get(icon.group(1))
    assert answer.status_code == 200
    assert answer.mimetype == "image/svg+xml"
    fallback = client.get("/favicon.ico")
    assert fallback.status_code == 301
    assert fallback.headers["Location"] == icon.group(1)


def test_the_owner_without_the_grant_right_can_still_give_a_right_back(
    as_owner: FlaskClient, accounts: AccountAdmin, demo: DemoAccount
) -> None:
    assert access(as_owner, demo.admin_id, "owner", SECURITY).status_code == 302
    owner = accounts.member(demo.account_id, demo.admin_id)
    assert not owner.can_grant_admin and not owner.can_edit_users
    assert access(as_owner, demo.admin_id, "owner", SECURITY, GRANT, EDIT).status_code == 302
    assert accounts.member(demo.account_id, demo.admin_id).can_edit_users
