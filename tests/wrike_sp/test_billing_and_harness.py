"""Billing from the moment of provisioning, and the harness controls."""

from __future__ import annotations

import pytest

from wrike_sp import WrikeConfig, create_app


def test_members_are_billable_from_the_moment_of_provisioning(scim, admin, demo, clock):
    clock.advance(hours=1)
    provisioned_at = "2026-01-05T10:00:00.000Z"
    user = scim.create("ada@acme.example", userType="Collaborator").get_json()
    members = admin.get(f"/accounts/{demo.account_id}/members").get_json()
    ada = next(m for m in members if m["id"] == user["id"])
    assert ada["billable_since"] == provisioned_at
    assert ada["user_type"] == "Collaborator" and ada["status"] == "active"
    billing = admin.get(f"/accounts/{demo.account_id}/billing").get_json()
    assert billing["seats"] == {"Regular": 1, "Collaborator": 1}
    assert billing["ledger"][-1] == {
        "id": billing["ledger"][-1]["id"],
        "user_id": user["id"],
        "login": "ada@acme.example",
        "user_type": "Collaborator",
        "event": "provisioned",
        "at": provisioned_at,
    }


def test_deactivation_and_deletion_are_recorded_with_their_time(scim, admin, demo, clock):
    user = scim.create("ada@acme.example").get_json()
    clock.advance(days=1)
    scim.patch(user["id"], {"op": "replace", "path": "active", "value": False})
    assert admin.get(f"/accounts/{demo.account_id}/billing").get_json()["seats"] == {"Regular": 1}
    clock.advance(days=1)
    scim.request("DELETE", f"/Users/{user['id']}")
    ledger = admin.get(f"/accounts/{demo.account_id}/billing").get_json()["ledger"]
    events = [(e["event"], e["at"]) for e in ledger if e["user_id"] == user["id"]]
    assert events == [
        ("provisioned", "2026-01-05T09:00:00.000Z"),
        ("deactivated", "2026-01-06T09:00:00.000Z"),
        ("deleted", "2026-01-07T09:00:00.000Z"),
    ]


def test_type_change_moves_the_seat(scim, admin, demo):
    user = scim.create("ada@acme.example").get_json()
    scim.patch(user["id"], {"op": "replace", "path": "userType", "value": "Viewer"})
    billing = admin.get(f"/accounts/{demo.account_id}/billing").get_json()
    assert billing["seats"] == {"Regular": 1, "Viewer": 1}
    assert billing["ledger"][-1]["event"] == "type_changed"


def test_billable_members_and_paid_seats_are_reported_apart(scim, admin, demo):
    for email, user_type in [
        ("reg@acme.example", "Regular"),
        ("ext@acme.example", "External"),
        ("col@acme.example", "Collaborator"),
        ("con@acme.example", "Contributor"),
        ("vie@acme.example", "Viewer"),
    ]:
        assert scim.create(email, userType=user_type).status_code == 201
    billing = admin.get(f"/accounts/{demo.account_id}/billing").get_json()
    # The demo owner (Regular) plus the five: every one billable, not every one a paid seat.
    assert billing["billable_members"] == 6
    assert billing["paid_seats"] == 4
    assert billing["paid_seats_by_type"] == {"Regular": 2, "External": 1, "Contributor": 1}
    rules = {r["user_type"]: (r["paid_seat"], r["source"]) for r in billing["seat_rules"]}
    assert rules == {
        "Regular": (True, "Wrike"),
        "External": (True, "Wrike"),
        "Collaborator": (False, "Wrike"),
        "Contributor": (True, "assumed"),
        "Viewer": (False, "assumed"),
    }


def test_a_refused_user_is_not_billed(scim, admin, demo):
    scim.create("bob@elsewhere.example")
    billing = admin.get(f"/accounts/{demo.account_id}/billing").get_json()
    assert all(e["login"] != "bob@elsewhere.example" for e in billing["ledger"])


def test_harness_is_absent_unless_enabled(clock):
    client = create_app(WrikeConfig(clock=clock)).test_client()
    assert client.post("/harness/api/reset").status_code == 404


@pytest.mark.parametrize("status", [500, 503, 429])
def test_status_fault_for_the_next_n_requests(client, scim, status):
    fault = client.post(
        "/harness/api/faults",
        json={"kind": "status", "status": status, "count": 2, "retry_after": 3},
    )
    assert fault.status_code == 201
    for _ in range(2):
        response = scim.request("GET", "/Users")
        assert response.status_code == status
        assert response.get_json()["status"] == str(status)
        assert response.headers["Retry-After"] == "3"
    assert scim.request("GET", "/Users").status_code == 200


def test_share_fault_is_repeatable(client, scim):
    client.post("/harness/api/faults", json={"kind": "status", "status": 503, "share": 0.5})
    first = [scim.request("GET", "/Users").status_code for _ in range(20)]
    client.post("/harness/api/reset")
    assert 0 < first.count(503) < 20


def test_malformed_and_dropped_responses(client, scim):
    client.post("/harness/api/faults", json={"kind": "malformed", "count": 1})
    response = scim.request("GET", "/Users")
    with pytest.raises(ValueError):
        __import__("json").loads(response.get_data())
    client.post("/harness/api/faults", json={"kind": "drop", "count": 1})
    with pytest.raises(ConnectionAbortedError):
        scim.request("GET", "/Users").get_data()
    assert scim.request("GET", "/Users").status_code == 200


def test_faulted_request_changes_nothing(client, scim):
    client.post(
        "/harness/api/faults",
        json={"kind": "status", "status": 500, "count": 1, "methods": ["POST"]},
    )
    assert scim.create("ada@acme.example").status_code == 500
    assert scim.find('userName eq "ada@acme.example"').get_json()["totalResults"] == 0


@pytest.mark.parametrize(
    "body",
    [
        {"kind": "explode", "count": 1},
        {"kind": "status"},
        {"kind": "status", "count": 1, "share": 0.5},
        {"kind": "status", "share": 2},
        {"kind": "status", "count": 1, "status": 99},
    ],
)
def test_bad_fault_definitions_are_refused(client, body):
    assert client.post("/harness/api/faults", json=body).status_code == 400


def test_journal_lists_what_was_received(client, scim):
    scim.create("ada@acme.example")
    scim.find('userName eq "ada@acme.example"')
    journal = client.get("/harness/api/journal").get_json()
    assert [(e["method"], e["status"]) for e in journal[-2:]] == [("POST", 201), ("GET", 200)]
    assert "ada@acme.example" in journal[-2]["body"]
    assert all(scim.token not in str(e) for e in journal)
    since = client.get(
        "/harness/api/journal", query_string={"since": journal[-1]["seq"]}
    ).get_json()
    assert since == []


def test_reset_forgets_everything(client, scim, demo):
    scim.create("ada@acme.example")
    assert client.post("/harness/api/reset").status_code == 204
    assert client.get("/admin/api/v1/accounts").get_json() == []
    assert scim.request("GET", "/Users").status_code == 404


def test_lost_response_does_the_work_then_drops_the_connection(client, scim):
    client.post(
        "/harness/api/faults", json={"kind": "lost_response", "count": 1, "methods": ["POST"]}
    )
    with pytest.raises(ConnectionAbortedError):
        scim.create("ada@acme.example").get_data()
    assert scim.find('userName eq "ada@acme.example"').get_json()["totalResults"] == 1
    assert scim.create("ada@acme.example").status_code == 409
    journal = client.get("/harness/api/journal").get_json()
    assert [(e["fault"], e["status"]) for e in journal if e["method"] == "POST"] == [
        ("lost_response", 201),
        (None, 409),
    ]
