"""What the provider does with attributes outside the User schema and its enterprise extension
(``modelling.UNKNOWN_ATTRIBUTES``): as shipped it drops them and applies the rest of the
request; under "refuse" it answers 400 naming the attribute and writes nothing. The manager's
SCIM 1.1 name ``managerId`` (RFC 7643 has ``manager.value``) is one such sub-attribute."""

from __future__ import annotations

import pytest

from harness.diagnosis import classify_error
from wrike_sp.domain import modelling

ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"

#: A vendor-style template's body: the SCIM 1.1 manager block under the 2.0 extension.
VENDOR_BODY = {
    "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", ENTERPRISE],
    "userName": "ada@acme.example",
    "name": {"givenName": "Ada", "familyName": "Lovelace"},
    "emails": [{"value": "ada@acme.example", "type": "work", "primary": True}],
    "timezone": "Europe/London",
    ENTERPRISE: {
        "department": "Research",
        "manager": {"managerId": "boss-1", "displayName": "Bo Boss"},
    },
}


@pytest.fixture
def refuse(monkeypatch):
    monkeypatch.setattr(modelling, "UNKNOWN_ATTRIBUTES", "refuse")


def test_a_vendor_template_with_manager_id_is_provisioned_without_it(scim):
    created = scim.request("POST", "/Users", VENDOR_BODY)
    assert created.status_code == 201, created.get_json()
    user = scim.request("GET", f"/Users/{created.get_json()['id']}").get_json()
    assert user["timezone"] == "Europe/London"
    # The known attributes of the block land; the unknown managerId does not, and the
    # manager's displayName is readOnly (RFC 7643 §4.3), so no manager is left.
    assert user[ENTERPRISE] == {"department": "Research"}


@pytest.mark.parametrize(
    "extra",
    [
        {"nickname2": "x"},
        {ENTERPRISE: {"department": "Research", "costCentre": "7"}},
        {"name": {"givenName": "Ada", "middle": "Augusta"}},
        {"emails": [{"value": "ada@acme.example", "type": "work", "label": "x"}]},
    ],
    ids=["top-level", "extension attribute", "sub-attribute", "sub-attribute of a list"],
)
def test_ignored_attributes_are_dropped_and_the_rest_applies(scim, extra):
    created = scim.create("ada@acme.example", title="Engineer", **extra)
    assert created.status_code == 201, created.get_json()
    user = created.get_json()
    assert user["title"] == "Engineer"
    assert "nickname2" not in user
    assert "costCentre" not in str(user) and "middle" not in str(user)
    assert "label" not in str(user)
    replaced = scim.request(
        "PUT", f"/Users/{user['id']}", {"userName": "ada@acme.example", "title": "Lead", **extra}
    )
    assert replaced.status_code == 200, replaced.get_json()
    assert replaced.get_json()["title"] == "Lead"


def test_a_patch_of_unknown_attributes_changes_nothing_and_keeps_the_known_ones(scim):
    user = scim.create("ada@acme.example").get_json()
    only_unknown = scim.patch(
        user["id"],
        {"op": "replace", "path": "nickname2", "value": "x"},
        {"op": "replace", "path": f"{ENTERPRISE}:manager.managerId", "value": "boss-1"},
        {"op": "replace", "value": {"nickname2": "x"}},
    )
    assert only_unknown.status_code == 200, only_unknown.get_json()
    assert only_unknown.get_json()["meta"]["version"] == user["meta"]["version"]
    mixed = scim.patch(
        user["id"],
        {
            "op": "replace",
            "path": ENTERPRISE,
            "value": {"department": "R", "manager": {"managerId": "b"}},
        },
        {"op": "replace", "path": "name", "value": {"givenName": "Ada", "middle": "A"}},
        {"op": "replace", "value": {"title": "Lead", "nickname2": "x"}},
    )
    assert mixed.status_code == 200, mixed.get_json()
    body = mixed.get_json()
    assert body[ENTERPRISE] == {"department": "R"}
    assert body["name"] == {"givenName": "Ada"}
    assert body["title"] == "Lead"


@pytest.mark.parametrize(
    ("extra", "where", "scim_type"),
    [
        ({"nickname2": "x"}, "nickname2", "invalidSyntax"),
        ({ENTERPRISE: {"costCentre": "7"}}, f"{ENTERPRISE}:costCentre", "invalidValue"),
        ({"name": {"middle": "A"}}, "name.middle", "invalidValue"),
        (
            {ENTERPRISE: {"manager": {"managerId": "boss-1"}}},
            f"{ENTERPRISE}:manager.managerId",
            "invalidValue",
        ),
    ],
)
def test_refused_attributes_are_named_and_nothing_is_written(refuse, scim, extra, where, scim_type):
    answer = scim.create("ada@acme.example", **extra)
    assert answer.status_code == 400
    body = answer.get_json()
    assert body["scimType"] == scim_type
    assert body["detail"].startswith(f"Unknown attribute '{where}'")
    assert scim.find('userName eq "ada@acme.example"').get_json()["totalResults"] == 0


@pytest.mark.parametrize(
    ("operation", "scim_type"),
    [
        ({"op": "replace", "path": "nickname2", "value": "x"}, "invalidPath"),
        ({"op": "replace", "path": f"{ENTERPRISE}:manager.managerId", "value": "b"}, "invalidPath"),
        ({"op": "replace", "value": {"title": "Lead", "nickname2": "x"}}, "invalidValue"),
        (
            {"op": "replace", "path": ENTERPRISE, "value": {"manager": {"managerId": "b"}}},
            "invalidValue",
        ),
    ],
)
def test_refused_patch_operations_are_named_and_nothing_is_written(
    refuse, scim, operation, scim_type
):
    user = scim.create("ada@acme.example").get_json()
    answer = scim.patch(user["id"], operation)
    assert answer.status_code == 400
    assert answer.get_json()["scimType"] == scim_type
    assert answer.get_json()["detail"].startswith("Unknown attribute '")
    after = scim.request("GET", f"/Users/{user['id']}").get_json()
    assert after["meta"]["version"] == user["meta"]["version"]
    assert "title" not in after


def test_the_diagnosis_of_a_refused_attribute_names_the_policy_and_the_constant(refuse, scim):
    detail = scim.request("POST", "/Users", VENDOR_BODY).get_json()["detail"]
    # As OneLogin logs it (the simulator's wording of a failed create).
    cause, meaning, fix = classify_error(
        f"Failed to create user in app. HTTP 400: scimType invalidValue, {detail}"
    )
    assert cause == "unknown_attribute"
    assert f"'{ENTERPRISE}:manager.managerId'" in meaning
    assert 'unknown-attribute policy "refuse"' in meaning
    assert "UNKNOWN_ATTRIBUTES" in meaning and 'now "refuse"' in meaning
    assert "manager.value" in fix and 'UNKNOWN_ATTRIBUTES = "ignore"' in fix
