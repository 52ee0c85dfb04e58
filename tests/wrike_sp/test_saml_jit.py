"""Just-in-time provisioning, a switch: on, the first SSO login of an unknown email at an
approved domain creates the member (names from the assertion, billable from then) and SCIM
later finds it by its userName and links it; off, or at another domain, the login is refused."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from tests.wrike_sp.conftest import Scim
from tests.wrike_sp.saml_idp import Sp, reason_of, signed_in_as, sp_with_alice
from wrike_sp.demo import DemoAccount
from wrike_sp.domain.clock import ManualClock

NEW = "nina.new@acme.example"


@pytest.fixture
def sp(client: FlaskClient, demo: DemoAccount, clock: ManualClock) -> Sp:
    return sp_with_alice(client, demo.account_id, clock, jit=True)


def members(sp: Sp) -> dict[str, dict[str, Any]]:
    listed = sp.admin.get(f"/accounts/{sp.account_id}/members").json
    return {m["email"]: m for m in listed}


def test_jit_creates_a_billable_member_with_the_assertions_names(
    sp: Sp, clock: ManualClock
) -> None:
    clock.advance(hours=2)
    answer = sp.post(sp.response("Nina.New@acme.example", first_name="Nina", last_name="New"))
    assert answer.status_code == 303
    assert signed_in_as(sp.client) == "Nina.New@acme.example"
    nina = members(sp)[NEW]
    assert (nina["first_name"], nina["last_name"]) == ("Nina", "New")
    assert nina["role"] == "regular" and nina["user_type"] == "Regular"
    assert nina["billable_since"] == "2026-01-05T11:00:00.000Z"
    billing = sp.admin.get(f"/accounts/{sp.account_id}/billing").json
    assert billing["ledger"][-1]["login"] == "Nina.New@acme.example"
    assert billing["ledger"][-1]["at"] == "2026-01-05T11:00:00.000Z"
    attempt = sp.attempts()[0]
    assert attempt["outcome"] == "signed_in"
    assert attempt["detail"] == "created by just-in-time provisioning"
    # The second login finds the member: nobody is created twice.
    assert sp.post(sp.response(NEW)).status_code == 303
    assert len(members(sp)) == 3  # owner, alice, nina
    assert sp.attempts()[0]["detail"] == "signed in"


def test_scim_later_finds_the_jit_member_by_username_and_links_it(sp: Sp, scim: Scim) -> None:
    sp.post(sp.response(NEW, first_name="Nina", last_name="New"))
    found = scim.find(f'userName eq "{NEW}"').json
    assert found["totalResults"] == 1
    user = found["Resources"][0]
    assert user["userName"] == NEW and user["name"]["givenName"] == "Nina"
    body = {
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "userName": NEW,
        "name": {"givenName": "Nina", "familyName": "Newton"},
        "emails": [{"value": NEW, "type": "work", "primary": True}],
        "active": True,
    }
    linked = scim.request("PUT", f"/Users/{user['id']}", body)
    assert linked.status_code == 200, linked.json
    assert members(sp)[NEW]["last_name"] == "Newton"
    assert len(members(sp)) == 3  # owner, alice, nina: linked, not duplicated


def test_jit_off_refuses_an_unknown_email(sp: Sp) -> None:
    sp.admin.put(f"/accounts/{sp.account_id}/saml", {"jit": False})
    answer = sp.post(sp.response(NEW))
    assert reason_of(answer) == "unknown_user"
    assert "just-in-time provisioning is off" in answer.text
    assert NEW not in members(sp)


def test_jit_creates_nobody_outside_the_approved_domains(sp: Sp) -> None:
    answer = sp.post(sp.response("eve@elsewhere.example"))
    assert reason_of(answer) == "unknown_user"
    assert "elsewhere.example is not" in answer.text
    assert "eve@elsewhere.example" not in members(sp)


@pytest.mark.parametrize(
    "look_alike",
    [
        "alice\u200b@acme.example",  # zero-width space
        "\uff41lice@acme.example",  # fullwidth a
        "a\u0301lice@acme.example",  # combining acute accent
        "n\u00efna@acme.example",  # a precomposed accented letter
    ],
)
def test_jit_creates_no_member_for_a_non_ascii_email(sp: Sp, look_alike: str) -> None:
    """Modelling choice: JIT makes members only for plain-ASCII emails."""
    before = set(members(sp))
    answer = sp.post(sp.response(look_alike))
    assert reason_of(answer) == "unknown_user"
    assert "only for plain-ASCII emails" in answer.text
    assert set(members(sp)) == before
