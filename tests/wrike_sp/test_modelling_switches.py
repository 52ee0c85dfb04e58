"""Each switch and status in ``wrike_sp.domain.modelling`` is a choice made in one place: flip
it there and the provider's answer over SCIM follows."""

from __future__ import annotations

import pytest

from wrike_sp.domain import modelling


@pytest.fixture
def accounts(app):
    return app.extensions["wrike"].accounts


@pytest.mark.parametrize(("allow_all", "status"), [(False, 400), (True, 201)])
def test_an_account_without_approved_domains(monkeypatch, accounts, demo, scim, allow_all, status):
    monkeypatch.setattr(modelling, "EMPTY_APPROVED_DOMAINS_ALLOW_ALL", allow_all)
    accounts.remove_domain(demo.account_id, demo.domain)
    answer = scim.create("ada@anywhere.example")
    assert answer.status_code == status, answer.get_json()
    if status == 400:
        assert "approved: none yet" in answer.get_json()["detail"]


@pytest.mark.parametrize(("needs_admin", "status"), [(True, 403), (False, 200)])
def test_a_token_whose_issuer_is_no_longer_an_admin(
    monkeypatch, accounts, demo, scim, needs_admin, status
):
    monkeypatch.setattr(modelling, "TOKEN_NEEDS_ADMIN_ISSUER", needs_admin)
    assert scim.request("GET", "/Users").status_code == 200
    accounts.update_member(demo.account_id, demo.admin_id, {"role": "regular"})
    answer = scim.request("GET", "/Users")
    assert answer.status_code == status, answer.get_json()
    if status == 403:
        assert "no longer an active account admin" in answer.get_json()["detail"]


@pytest.mark.parametrize("status", [400, 422])
def test_the_status_of_an_unapproved_domain(monkeypatch, scim, status):
    monkeypatch.setattr(modelling, "STATUS_UNAPPROVED_DOMAIN", status)
    answer = scim.create("ada@elsewhere.example")
    assert answer.status_code == status
    assert answer.get_json()["scimType"] == "invalidValue"
    assert answer.get_json()["status"] == str(status)


@pytest.mark.parametrize("status", [403, 402])
def test_the_status_of_a_plan_without_scim(monkeypatch, accounts, demo, scim, status):
    monkeypatch.setattr(modelling, "STATUS_PLAN_WITHOUT_SCIM", status)
    accounts.set_plan(demo.account_id, "Business")
    answer = scim.request("GET", "/Users")
    assert answer.status_code == status
    assert "not available on the Business plan" in answer.get_json()["detail"]


@pytest.mark.parametrize("status", [403, 409])
def test_the_status_of_a_missing_admin_right(monkeypatch, accounts, demo, scim, status):
    monkeypatch.setattr(modelling, "STATUS_ADMIN_RIGHT_MISSING", status)
    # The owner cannot be deleted over SCIM, and an admin cannot be changed by a token whose
    # issuer lacks the right to grant admin rights: both refusals answer with this status.
    owner = scim.request("DELETE", f"/Users/{demo.admin_id}")
    assert owner.status_code == status
    assert "Transfer ownership" in owner.get_json()["detail"]
    admin = accounts.add_member(demo.account_id, {"email": "al@acme.example", "role": "admin"})
    accounts.update_member(
        demo.account_id, demo.admin_id, {"rights": {"grant_revoke_admin_rights": False}}
    )
    body = {"userName": "al@acme.example", "title": "Lead"}
    changed = scim.request("PUT", f"/Users/{admin['id']}", body)
    assert changed.status_code == status
    assert "'Grant/revoke admin rights'" in changed.get_json()["detail"]


@pytest.mark.parametrize("status", [501, 404])
def test_the_status_of_groups(monkeypatch, scim, status):
    monkeypatch.setattr(modelling, "STATUS_GROUPS", status)
    answer = scim.request("GET", "/Groups")
    assert answer.status_code == status
    assert "does not sync groups" in answer.get_json()["detail"]


@pytest.mark.parametrize(("policy", "status"), [("ignore", 201), ("refuse", 400)])
def test_unknown_attributes(monkeypatch, scim, policy, status):
    monkeypatch.setattr(modelling, "UNKNOWN_ATTRIBUTES", policy)
    enterprise = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
    answer = scim.create("ada@acme.example", **{enterprise: {"manager": {"managerId": "b"}}})
    assert answer.status_code == status, answer.get_json()
    if status == 400:
        assert "Unknown attribute" in answer.get_json()["detail"]


@pytest.mark.parametrize(
    ("paid_types", "paid_seats"),
    [
        (modelling.PAID_SEAT_USER_TYPES, 1),  # as shipped: the owner only
        (modelling.PAID_SEAT_USER_TYPES | {"Viewer"}, 2),  # a Viewer takes a paid seat
    ],
)
def test_which_user_types_take_a_paid_seat(
    monkeypatch, accounts, demo, scim, paid_types, paid_seats
):
    monkeypatch.setattr(modelling, "PAID_SEAT_USER_TYPES", paid_types)
    assert scim.create("vic@acme.example", userType="Viewer").status_code == 201
    billing = accounts.billing(demo.account_id)
    assert billing["billable_members"] == 2
    assert billing["paid_seats"] == paid_seats


@pytest.mark.parametrize(
    ("operation", "needs_right", "status"),
    [("create", True, 403), ("create", False, 201), ("list", True, 403), ("list", False, 200)],
)
def test_which_operation_needs_the_issuers_right(
    monkeypatch, accounts, demo, scim, operation, needs_right, status
):
    table = dict(modelling.SCIM_OPERATION_RIGHTS)
    if not needs_right:
        table[operation] = modelling.IssuerRight(None, "anything", "choice")
    monkeypatch.setattr(modelling, "SCIM_OPERATION_RIGHTS", table)
    accounts.update_member(
        demo.account_id,
        demo.admin_id,
        {"rights": {"edit_names_emails_deactivate_delete_users": False}},
    )
    answer = scim.create("bob@acme.example") if operation == "create" else scim.find("userName pr")
    assert answer.status_code == status, answer.get_json()


@pytest.mark.parametrize("status", [403, 401])
def test_the_status_of_a_missing_issuer_right(monkeypatch, accounts, demo, scim, status):
    monkeypatch.setattr(modelling, "STATUS_ISSUER_RIGHT_MISSING", status)
    accounts.update_member(
        demo.account_id,
        demo.admin_id,
        {"rights": {"edit_names_emails_deactivate_delete_users": False}},
    )
    answer = scim.create("bob@acme.example")
    assert answer.status_code == status
    assert modelling.RIGHT_EDIT_USERS in answer.get_json()["detail"]
