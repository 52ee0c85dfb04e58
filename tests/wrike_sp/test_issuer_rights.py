"""The rights of the token's issuer that SCIM operations need
(``modelling.SCIM_OPERATION_RIGHTS``): Wrike's "Edit names and emails, add/remove people from
groups, deactivate and delete individual user accounts" is granted to every new admin; an
issuer without it is refused, each operation naming the right and what it was needed for, and
nothing is written."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest

from harness.case import CaseFileError, parse_case
from harness.diagnosis import classify_error
from tests.wrike_sp.test_pages import log_in
from wrike_sp.domain import modelling
from wrike_sp.domain.modelling import RIGHT_EDIT_USERS
from wrike_sp.store.sqlite import WrikeStore

EDIT_KEY = "edit_names_emails_deactivate_delete_users"


@pytest.fixture
def accounts(app):
    return app.extensions["wrike"].accounts


@pytest.fixture
def ada(scim):
    return scim.create("ada@acme.example", title="Engineer").get_json()


@pytest.fixture
def withdrawn(accounts, demo):
    accounts.update_member(demo.account_id, demo.admin_id, {"rights": {EDIT_KEY: False}})


def test_every_new_admin_holds_the_right_and_a_regular_member_does_not(accounts, demo, admin):
    added = accounts.add_member(demo.account_id, {"email": "al@acme.example", "role": "admin"})
    member = accounts.add_member(demo.account_id, {"email": "rita@acme.example"})
    assert added["rights"][EDIT_KEY] is True
    assert member["rights"][EDIT_KEY] is False
    promoted = accounts.update_member(demo.account_id, member["id"], {"role": "admin"})
    assert promoted["rights"][EDIT_KEY] is True
    withheld = accounts.add_member(
        demo.account_id,
        {"email": "tom@acme.example", "role": "admin", "rights": {EDIT_KEY: False}},
    )
    assert withheld["rights"][EDIT_KEY] is False
    listed = admin.get(f"/accounts/{demo.account_id}/members").get_json()
    assert {m["email"]: m["rights"][EDIT_KEY] for m in listed}["tom@acme.example"] is False


def _refused(answer, ability: str) -> None:
    assert answer.status_code == modelling.STATUS_ISSUER_RIGHT_MISSING, answer.get_json()
    detail = answer.get_json()["detail"]
    assert f"lacks the Wrike right '{RIGHT_EDIT_USERS}'" in detail
    assert f"needs to {ability}." in detail
    assert "enable it for wanda.admin@acme.example in Wrike" in detail


def test_a_create_without_the_right_is_refused(withdrawn, scim, accounts, demo):
    _refused(scim.create("bob@acme.example"), "add users (with their names and emails)")
    emails = [m["email"] for m in accounts.members(demo.account_id)]
    assert "bob@acme.example" not in emails


def test_the_user_list_without_the_right_is_refused_but_one_user_is_read(ada, withdrawn, scim):
    _refused(scim.request("GET", "/Users"), "export a user list")
    _refused(scim.find('userName eq "ada@acme.example"'), "export a user list")
    _refused(
        scim.request(
            "POST",
            "/Users/.search",
            {"schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"]},
        ),
        "export a user list",
    )
    assert scim.request("GET", f"/Users/{ada['id']}").status_code == 200


@pytest.mark.parametrize(
    ("method", "body", "ability"),
    [
        ("PUT", {"userName": "ada@acme.example", "title": "CTO"}, "edit names and emails"),
        ("PATCH", [{"op": "replace", "path": "title", "value": "CTO"}], "edit names and emails"),
        ("PATCH", [{"op": "replace", "path": "active", "value": False}], "deactivate users"),
        ("DELETE", None, "delete users"),
    ],
)
def test_changes_without_the_right_are_refused_and_nothing_changes(
    ada, withdrawn, scim, method, body, ability
):
    if method == "PATCH":
        answer = scim.patch(ada["id"], *body)
    else:
        answer = scim.request(method, f"/Users/{ada['id']}", body)
    _refused(answer, ability)
    after = scim.request("GET", f"/Users/{ada['id']}").get_json()
    assert after["meta"]["version"] == ada["meta"]["version"]
    assert after["title"] == "Engineer" and after["active"] is True


def test_a_reactivation_without_the_right_is_refused(ada, scim, accounts, demo):
    scim.patch(ada["id"], {"op": "replace", "path": "active", "value": False})
    accounts.update_member(demo.account_id, demo.admin_id, {"rights": {EDIT_KEY: False}})
    answer = scim.patch(ada["id"], {"op": "replace", "path": "active", "value": True})
    _refused(answer, "reactivate users")


def test_an_update_that_changes_nothing_needs_no_right(ada, withdrawn, scim):
    same = scim.request("PUT", f"/Users/{ada['id']}", {"userName": "ada@acme.example"})
    assert same.status_code == 200


def test_an_admin_target_names_the_admin_right_first(accounts, demo, scim):
    target = accounts.add_member(demo.account_id, {"email": "al@acme.example", "role": "admin"})
    accounts.update_member(
        demo.account_id,
        demo.admin_id,
        {"rights": {EDIT_KEY: False, "grant_revoke_admin_rights": False}},
    )
    answer = scim.request(
        "PUT", f"/Users/{target['id']}", {"userName": "al@acme.example", "title": "X"}
    )
    assert answer.status_code == 403
    assert "'Grant/revoke admin rights'" in answer.get_json()["detail"]


def test_the_users_page_lists_every_right(client, demo, accounts):
    accounts.add_member(
        demo.account_id,
        {"email": "tom@acme.example", "role": "admin", "rights": {EDIT_KEY: False}},
    )
    log_in(client, demo.account_id, demo.admin_email, demo.admin_password)
    page = client.get("/users").text
    assert f"<th>{RIGHT_EDIT_USERS}</th>" in page
    rows = re.findall(r"<tr>(.*?)</tr>", page, re.S)
    tom = next(r for r in rows if "tom@acme.example" in r)
    wanda = next(r for r in rows if demo.admin_email in r)
    assert re.findall(r"<td>(Yes|No)</td>", tom) == ["No", "No", "No"]
    assert re.findall(r"<td>(Yes|No)</td>", wanda) == ["Yes", "Yes", "Yes"]


def test_an_older_database_gives_its_admins_the_right(tmp_path: Path):
    path = tmp_path / "old.sqlite3"
    old = sqlite3.connect(path)
    old.executescript(
        """
        CREATE TABLE accounts (id INTEGER PRIMARY KEY, name TEXT NOT NULL, plan TEXT NOT NULL,
            created TEXT NOT NULL);
        CREATE TABLE users (id TEXT PRIMARY KEY, account_id INTEGER NOT NULL, user_name TEXT
            NOT NULL, user_name_key TEXT NOT NULL, login_key TEXT NOT NULL, active INTEGER NOT
            NULL, user_type TEXT NOT NULL, role TEXT NOT NULL DEFAULT 'regular',
            can_configure_security INTEGER NOT NULL DEFAULT 0, can_grant_admin INTEGER NOT NULL
            DEFAULT 0, password_hash TEXT, doc TEXT NOT NULL, created TEXT NOT NULL,
            last_modified TEXT NOT NULL, version INTEGER NOT NULL, via_scim INTEGER NOT NULL
            DEFAULT 0, billable_since TEXT, deactivated_at TEXT);
        INSERT INTO accounts VALUES (1, 'Acme', 'Enterprise Standard', 't');
        INSERT INTO users VALUES ('o', 1, 'o@a.example', 'o@a.example', 'o@a.example', 1,
            'Regular', 'owner', 1, 1, NULL, '{"userName": "o@a.example"}', 't', 't', 1, 0,
            't', NULL);
        INSERT INTO users VALUES ('r', 1, 'r@a.example', 'r@a.example', 'r@a.example', 1,
            'Regular', 'regular', 0, 0, NULL, '{"userName": "r@a.example"}', 't', 't', 1, 1,
            't', NULL);
        """
    )
    old.commit()
    old.close()
    store = WrikeStore(str(path))
    try:
        owner, regular = store.user(1, "o"), store.user(1, "r")
        assert owner is not None and owner.can_edit_users is True
        assert regular is not None and regular.can_edit_users is False
    finally:
        store.close()


def test_the_diagnosis_names_the_right_and_the_table(withdrawn, scim):
    detail = scim.create("bob@acme.example").get_json()["detail"]
    cause, meaning, fix = classify_error(f"Failed to create user in app. HTTP 403: {detail}")
    assert cause == "missing_issuer_right"
    assert f"'{RIGHT_EDIT_USERS}'" in meaning and "SCIM_OPERATION_RIGHTS" in meaning
    assert "wanda.admin@acme.example" in fix


CASE = """\
case: withheld
description: x
wrike:
  admins:
    - name: Wanda Admin
    - name: Tom Admin
      without_rights: [{right}]
onelogin:
  token: Tom Admin
  users:
    - email: ada@acme.com
timeline:
  - action: assign
    user: ada@acme.com
    role: Engineering
"""


def test_a_case_file_withholds_the_right():
    case = parse_case(CASE.format(right=f'"{RIGHT_EDIT_USERS}"'))
    wanda, tom = case.wrike.admins
    assert wanda.withheld == frozenset() and tom.withheld == {RIGHT_EDIT_USERS}
    with pytest.raises(CaseFileError) as refused:
        parse_case(CASE.format(right='"Grant/revoke admin rights"'))
    assert "unknown withheld right" in str(refused.value)
