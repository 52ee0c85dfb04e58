"""The user scenarios of Okta's SCIM 2.0 spec test and of Microsoft's Entra SCIM Validator,
re-implemented against the provider in-process, with values at the demo account's approved
domain.

Okta requests carry the headers Okta's spec test sends; Entra requests use the shapes Entra
sends (capitalised attribute names and ``op`` values, string booleans, dotted keys in a
no-path replace, valuePaths that create absent elements, lower-case ``/users``).

Skipped on purpose: the Entra group tests (13-24, P5-P7) and Okta's optional Groups check,
because Wrike does not sync groups. Instead, each group request those tests send must get a
SCIM error that says so. Also left out: Okta's response-time assertion (no timing in tests).
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from flask.testing import FlaskClient

from tests.wrike_sp.conftest import ENTERPRISE, PATCH_OP
from wrike_sp.demo import DemoAccount
from wrike_sp.domain.modelling import STATUS_GROUPS

CORE_USER = "urn:ietf:params:scim:schemas:core:2.0:User"
LIST_RESPONSE = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
ERROR = "urn:ietf:params:scim:api:messages:2.0:Error"
DOMAIN = "acme.example"


class Caller:
    """Sends SCIM requests to the demo account the way one identity provider does."""

    def __init__(self, client: FlaskClient, demo: DemoAccount, headers: dict[str, str]) -> None:
        self.client = client
        self.base = demo.scim_path
        self.headers = {"Authorization": f"Bearer {demo.token}", **headers}

    def __call__(self, method: str, path: str, body: Any = None, **query: Any) -> Any:
        return self.client.open(
            self.base + path,
            method=method,
            headers=self.headers,
            data=None if body is None else json.dumps(body),
            query_string=query or None,
        )

    def find(self, user_name: str) -> Any:
        return self("GET", "/Users", filter=f'userName eq "{user_name}"')

    def patch(self, user_id: str, *operations: dict[str, Any]) -> Any:
        return self(
            "PATCH", f"/Users/{user_id}", {"schemas": [PATCH_OP], "Operations": list(operations)}
        )


@pytest.fixture
def okta(client: FlaskClient, demo: DemoAccount) -> Caller:
    return Caller(
        client,
        demo,
        {
            "Accept": "application/scim+json",
            "Content-Type": "application/scim+json; charset=utf-8",
            "User-Agent": "OKTA SCIM Integration",
        },
    )


@pytest.fixture
def entra(client: FlaskClient, demo: DemoAccount) -> Caller:
    # Entra sends application/json (MicrosoftDocs/azure-docs #94189).
    return Caller(client, demo, {"Content-Type": "application/json"})


def _is_integer(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _assert_scim_error(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/scim+json"
    body = response.get_json()
    assert body["schemas"] == [ERROR]
    assert body["status"] == str(status)
    assert body["detail"]
    return body


# -- Okta SCIM 2.0 spec test ----------------------------------------------------------------

OKTA_USER = {
    "schemas": [CORE_USER],
    "userName": f"oscar.okta@{DOMAIN}",
    "name": {"givenName": "Oscar", "familyName": "Okta"},
    "emails": [{"primary": True, "value": f"oscar.okta@{DOMAIN}", "type": "work"}],
    "displayName": "Oscar Okta",
    "locale": "en-US",
    "externalId": "00ujl29u0le5T6Aj10h7",
    "groups": [],
    "password": "1mz050nq",
    "active": True,
}


def test_okta_users_endpoint_lists_with_integer_paging_numbers(okta: Caller) -> None:
    response = okta("GET", "/Users", count=1, startIndex=1)
    assert response.status_code == 200
    body = response.get_json()
    assert body["schemas"] == [LIST_RESPONSE]
    for number in ("itemsPerPage", "startIndex", "totalResults"):
        assert _is_integer(body[number]), number
    assert len(body["Resources"]) == 1  # the account's admin is a member
    user = body["Resources"][0]
    for present in (
        user["id"],
        user["name"]["familyName"],
        user["name"]["givenName"],
        user["userName"],
        user["emails"][0]["value"],
    ):
        assert present
    assert user["active"] is True


def test_okta_get_user_by_id_from_the_list(okta: Caller) -> None:
    listed = okta("GET", "/Users", count=1, startIndex=1).get_json()["Resources"][0]
    response = okta("GET", f"/Users/{listed['id']}")
    assert response.status_code == 200
    user = response.get_json()
    assert user["id"] == listed["id"]
    assert user["userName"] == listed["userName"]
    assert user["name"] == listed["name"]
    assert user["emails"][0]["value"] == listed["emails"][0]["value"]


@pytest.mark.parametrize("user_name", [f"invalid@{DOMAIN}", "qz7w1x9@nowhere.example"])
def test_okta_unknown_user_name_is_an_empty_list(okta: Caller, user_name: str) -> None:
    response = okta.find(user_name)
    assert response.status_code == 200
    body = response.get_json()
    assert body["schemas"] == [LIST_RESPONSE]
    assert body["totalResults"] == 0
    assert body["Resources"] == []


def test_okta_invalid_user_id_is_404_with_a_detail(okta: Caller) -> None:
    _assert_scim_error(okta("GET", "/Users/010101001010101011001010101011"), 404)


def test_okta_creates_a_user_with_realistic_values_and_reads_it_back(okta: Caller) -> None:
    # Okta looks the user up first, with its paging parameters.
    before = okta(
        "GET", "/Users", filter=f'userName eq "{OKTA_USER["userName"]}"', startIndex=1, count=100
    )
    assert before.get_json()["totalResults"] == 0

    response = okta("POST", "/Users", OKTA_USER)
    assert response.status_code == 201
    created = response.get_json()
    assert CORE_USER in created["schemas"]
    assert created["id"]
    assert created["active"] is True
    assert created["userName"] == OKTA_USER["userName"]
    assert created["name"] == OKTA_USER["name"]
    assert created["emails"][0]["value"] == OKTA_USER["emails"][0]["value"]
    assert "password" not in created

    read = okta("GET", f"/Users/{created['id']}")
    assert read.status_code == 200
    user = read.get_json()
    for attribute in ("userName", "name", "displayName", "locale", "externalId", "active"):
        assert user[attribute] == OKTA_USER[attribute], attribute
    assert user["emails"] == OKTA_USER["emails"]


def test_okta_recreating_the_same_user_is_409(okta: Caller) -> None:
    assert okta("POST", "/Users", OKTA_USER).status_code == 201
    body = _assert_scim_error(okta("POST", "/Users", OKTA_USER), 409)
    assert body["scimType"] == "uniqueness"


def test_okta_user_name_lookup_ignores_case(okta: Caller) -> None:
    okta("POST", "/Users", OKTA_USER)
    response = okta.find(OKTA_USER["userName"].upper())
    assert response.status_code == 200
    body = response.get_json()
    assert body["totalResults"] == 1
    assert body["Resources"][0]["userName"] == OKTA_USER["userName"]


def test_okta_404_status_is_a_string(okta: Caller) -> None:
    body = _assert_scim_error(okta("GET", "/Users/00000000-0000-0000-0000-000000000000"), 404)
    assert body["status"] == "404"


def test_okta_updates_the_profile_with_get_then_put(okta: Caller) -> None:
    """OIN apps send every profile change as a PUT of the whole user read just before."""
    user_id = okta("POST", "/Users", OKTA_USER).get_json()["id"]
    user = okta("GET", f"/Users/{user_id}").get_json()
    user["name"]["familyName"] = "Okta-Smith"
    user["title"] = "Pilot"
    response = okta("PUT", f"/Users/{user_id}", user)
    assert response.status_code == 200
    after = okta("GET", f"/Users/{user_id}").get_json()
    assert after["name"] == {"givenName": "Oscar", "familyName": "Okta-Smith"}
    assert after["title"] == "Pilot"
    assert after["userName"] == OKTA_USER["userName"]


def test_okta_deactivates_and_reactivates_with_a_no_path_patch(okta: Caller) -> None:
    user_id = okta("POST", "/Users", OKTA_USER).get_json()["id"]
    off = okta.patch(user_id, {"op": "replace", "value": {"active": False}})
    assert off.status_code in (200, 204)
    found = okta.find(OKTA_USER["userName"]).get_json()["Resources"]
    assert [u["active"] for u in found] == [False]
    on = okta.patch(user_id, {"op": "replace", "value": {"active": True}})
    assert on.status_code in (200, 204)
    assert okta("GET", f"/Users/{user_id}").get_json()["active"] is True


def test_okta_aiw_apps_deactivate_with_put(okta: Caller) -> None:
    user_id = okta("POST", "/Users", OKTA_USER).get_json()["id"]
    user = okta("GET", f"/Users/{user_id}").get_json()
    user["active"] = False
    assert okta("PUT", f"/Users/{user_id}", user).status_code == 200
    assert okta("GET", f"/Users/{user_id}").get_json()["active"] is False


def test_okta_optional_groups_check_gets_a_scim_error_saying_groups_are_not_synced(
    okta: Caller,
) -> None:
    body = _assert_scim_error(okta("GET", "/Groups", count=100, startIndex=1), STATUS_GROUPS)
    assert "does not sync groups" in body["detail"]


# -- Entra SCIM Validator -------------------------------------------------------------------


def _entra_user(local: str = "erin.entra") -> dict[str, Any]:
    """Test 1's body: the full attribute set, in Entra's shape (meta and empty roles
    included, as Entra sends them)."""
    email = f"{local}@{DOMAIN}"
    return {
        "schemas": [CORE_USER, ENTERPRISE],
        "externalId": f"ext-{local}",
        "userName": email,
        "active": True,
        "displayName": "Erin Entra",
        "title": "Analyst",
        "preferredLanguage": "en-GB",
        "emails": [{"primary": True, "type": "work", "value": email}],
        "meta": {"resourceType": "User"},
        "name": {"formatted": "Erin Entra", "familyName": "Entra", "givenName": "Erin"},
        "addresses": [
            {
                "type": "work",
                "primary": True,
                "streetAddress": "1 Harbour Road",
                "locality": "Dublin",
                "region": "Leinster",
                "postalCode": "D02",
                "country": "IE",
            }
        ],
        "phoneNumbers": [
            {"type": "work", "value": "+353 1 555 0100"},
            {"type": "mobile", "value": "+353 87 555 0100"},
            {"type": "fax", "value": "+353 1 555 0199"},
        ],
        "roles": [],
        ENTERPRISE: {
            "employeeNumber": "E-1001",
            "costCenter": "CC-7",
            "organization": "Acme",
            "division": "Operations",
            "department": "Finance",
        },
    }


@pytest.fixture
def erin(entra: Caller) -> dict[str, Any]:
    response = entra("POST", "/Users", _entra_user())
    assert response.status_code == 201, response.get_data(as_text=True)
    created: dict[str, Any] = response.get_json()
    return created


def _get(caller: Caller, user_id: str) -> dict[str, Any]:
    response = caller("GET", f"/Users/{user_id}")
    assert response.status_code == 200
    user: dict[str, Any] = response.get_json()
    return user


def test_entra_1_create_a_new_user_then_read_the_same_values(entra: Caller) -> None:
    sent = _entra_user()
    response = entra("POST", "/Users", sent)
    assert response.status_code == 201
    user = _get(entra, response.get_json()["id"])
    assert set(user["schemas"]) == {CORE_USER, ENTERPRISE}
    for attribute, value in sent.items():
        if attribute in ("schemas", "meta", "roles"):
            continue
        assert user[attribute] == value, attribute
    assert "roles" not in user  # an empty list is unassigned (RFC 7643 §2.5), never null
    assert user["meta"]["resourceType"] == "User"


def test_entra_1_capitalised_attribute_names_and_lower_case_path(entra: Caller) -> None:
    """Microsoft's Postman collection: capitalised names, `/users`."""
    response = entra(
        "POST",
        "/users",
        {
            "UserName": f"Pat.Postman@{DOMAIN}",
            "Active": True,
            "DisplayName": "Pat Postman",
            "Emails": [{"Primary": True, "Type": "work", "Value": f"pat.postman@{DOMAIN}"}],
            "Name": {"FamilyName": "Postman", "GivenName": "Pat"},
        },
    )
    assert response.status_code == 201
    user = _get(entra, response.get_json()["id"])
    assert user["userName"] == f"Pat.Postman@{DOMAIN}"
    assert user["active"] is True
    assert user["displayName"] == "Pat Postman"
    assert user["emails"] == [{"primary": True, "type": "work", "value": f"pat.postman@{DOMAIN}"}]
    assert user["name"] == {"familyName": "Postman", "givenName": "Pat"}
    listed = entra(
        "GET", "/users", attributes="userName,emails", filter=f'userName eq "pat.postman@{DOMAIN}"'
    ).get_json()
    assert listed["totalResults"] == 1
    assert set(listed["Resources"][0]) == {"schemas", "id", "userName", "emails"}


def test_entra_2_create_a_duplicate_user_is_409(entra: Caller, erin: dict[str, Any]) -> None:
    body = _assert_scim_error(entra("POST", "/Users", _entra_user()), 409)
    assert body["scimType"] == "uniqueness"


def test_entra_3_filter_for_an_existing_user(entra: Caller, erin: dict[str, Any]) -> None:
    body = entra.find(erin["userName"]).get_json()
    assert body["totalResults"] == 1
    assert [u["id"] for u in body["Resources"]] == [erin["id"]]


def test_entra_3_filter_by_work_email(entra: Caller, erin: dict[str, Any]) -> None:
    """Entra's other matching attribute for users: emails[type eq "work"].value."""
    body = entra(
        "GET", "/Users", filter=f'emails[type eq "work"].value eq "{erin["userName"]}"'
    ).get_json()
    assert [u["id"] for u in body["Resources"]] == [erin["id"]]


def test_entra_4_filter_for_a_non_existing_user(entra: Caller, erin: dict[str, Any]) -> None:
    response = entra.find(f"nobody.here@{DOMAIN}")
    assert response.status_code == 200
    assert response.get_json()["totalResults"] == 0


def test_entra_5_filter_for_an_existing_user_with_a_different_case(
    entra: Caller, erin: dict[str, Any]
) -> None:
    body = entra.find(erin["userName"].upper()).get_json()
    assert [u["id"] for u in body["Resources"]] == [erin["id"]]


def test_entra_6_patch_replace_attributes_through_value_paths(
    entra: Caller, erin: dict[str, Any]
) -> None:
    response = entra.patch(
        erin["id"],
        {"op": "Replace", "path": 'emails[type eq "work"].value', "value": f"erin.e@{DOMAIN}"},
        {"op": "Replace", "path": 'phoneNumbers[type eq "work"].value', "value": "+353 1 555 0111"},
        {"op": "Replace", "path": 'addresses[type eq "work"].streetAddress', "value": "2 Quay St"},
        {"op": "Replace", "path": 'addresses[type eq "work"].locality', "value": "Cork"},
        {"op": "Replace", "path": "displayName", "value": "Erin E."},
    )
    assert response.status_code in (200, 204)
    user = _get(entra, erin["id"])
    assert user["emails"] == [{"primary": True, "type": "work", "value": f"erin.e@{DOMAIN}"}]
    phones = {p["type"]: p["value"] for p in user["phoneNumbers"]}
    assert phones == {
        "work": "+353 1 555 0111",
        "mobile": "+353 87 555 0100",
        "fax": "+353 1 555 0199",
    }
    (address,) = user["addresses"]
    assert (address["streetAddress"], address["locality"], address["country"]) == (
        "2 Quay St",
        "Cork",
        "IE",
    )
    assert user["displayName"] == "Erin E."


def test_entra_6_no_path_replace_with_dotted_keys(entra: Caller, erin: dict[str, Any]) -> None:
    """Entra (aadOptscim062020): a no-path Replace whose keys are attribute paths."""
    response = entra.patch(
        erin["id"],
        {
            "op": "Replace",
            "value": {
                "displayName": "Erin Dotted",
                "name.givenName": "Erina",
                "name.familyName": "Entra-Dot",
                f"{ENTERPRISE}:employeeNumber": "E-2002",
                f"{ENTERPRISE}:department": "Audit",
            },
        },
    )
    assert response.status_code in (200, 204)
    user = _get(entra, erin["id"])
    assert user["displayName"] == "Erin Dotted"
    assert user["name"]["givenName"] == "Erina"
    assert user["name"]["familyName"] == "Entra-Dot"
    assert user[ENTERPRISE]["employeeNumber"] == "E-2002"
    assert user[ENTERPRISE]["department"] == "Audit"
    assert user[ENTERPRISE]["organization"] == "Acme"  # not named, so it stays


def test_entra_7_update_user_name(entra: Caller, erin: dict[str, Any]) -> None:
    renamed = f"erin.renamed@{DOMAIN}"
    response = entra.patch(erin["id"], {"op": "Replace", "value": {"userName": renamed}})
    assert response.status_code in (200, 204)
    assert _get(entra, erin["id"])["userName"] == renamed
    assert entra.find(renamed).get_json()["totalResults"] == 1
    assert entra.find(erin["userName"]).get_json()["totalResults"] == 0


def test_entra_7_user_name_outside_the_approved_domains_is_refused(
    entra: Caller, erin: dict[str, Any]
) -> None:
    """The Wrike rule still holds for Entra's rename: the login must stay at an approved
    domain, and the user is left as it was."""
    response = entra.patch(
        erin["id"], {"op": "Replace", "value": {"userName": "erin@elsewhere.example"}}
    )
    body = _assert_scim_error(response, 400)
    assert "elsewhere.example" in body["detail"]
    assert _get(entra, erin["id"])["userName"] == erin["userName"]


def test_entra_8_disable_user_with_a_string_boolean_and_find_it_by_filter(
    entra: Caller, erin: dict[str, Any]
) -> None:
    response = entra.patch(erin["id"], {"op": "Replace", "path": "active", "value": "False"})
    assert response.status_code in (200, 204)
    found = entra.find(erin["userName"]).get_json()
    assert found["totalResults"] == 1
    assert found["Resources"][0]["id"] == erin["id"]
    assert found["Resources"][0]["active"] is False
    assert _get(entra, erin["id"])["active"] is False


@pytest.fixture
def manager(entra: Caller) -> dict[str, Any]:
    created: dict[str, Any] = entra("POST", "/Users", _entra_user("mona.manager")).get_json()
    return created


def test_entra_9_to_11_add_replace_remove_manager(
    entra: Caller, erin: dict[str, Any], manager: dict[str, Any]
) -> None:
    path = f"{ENTERPRISE}:manager"
    added = entra.patch(erin["id"], {"op": "Add", "path": path, "value": {"value": manager["id"]}})
    assert added.status_code in (200, 204)
    assert _get(entra, erin["id"])[ENTERPRISE]["manager"]["value"] == manager["id"]

    other = entra("POST", "/Users", _entra_user("max.manager")).get_json()
    replaced = entra.patch(
        erin["id"], {"op": "Replace", "path": path, "value": {"value": other["id"]}}
    )
    assert replaced.status_code in (200, 204)
    assert _get(entra, erin["id"])[ENTERPRISE]["manager"]["value"] == other["id"]

    removed = entra.patch(erin["id"], {"op": "Remove", "path": path})
    assert removed.status_code in (200, 204)
    enterprise = _get(entra, erin["id"])[ENTERPRISE]
    assert "manager" not in enterprise
    assert enterprise["department"] == "Finance"


def test_entra_9_to_11_manager_as_a_bare_id_and_removed_with_an_empty_string(
    entra: Caller, erin: dict[str, Any], manager: dict[str, Any]
) -> None:
    """The validator's own shapes: the manager's id as a bare string (add, then add again to
    replace it) and a replace with "" to remove it."""
    path = f"{ENTERPRISE}:manager"
    assert entra.patch(
        erin["id"], {"op": "add", "path": path, "value": manager["id"]}
    ).status_code in (
        200,
        204,
    )
    assert _get(entra, erin["id"])[ENTERPRISE]["manager"] == {"value": manager["id"]}

    other = entra("POST", "/Users", _entra_user("max.manager")).get_json()
    assert entra.patch(
        erin["id"], {"op": "add", "path": path, "value": other["id"]}
    ).status_code in (
        200,
        204,
    )
    assert _get(entra, erin["id"])[ENTERPRISE]["manager"] == {"value": other["id"]}

    removed = entra.patch(erin["id"], {"op": "replace", "path": path, "value": ""})
    assert removed.status_code in (200, 204)
    enterprise = _get(entra, erin["id"])[ENTERPRISE]
    assert "manager" not in enterprise
    assert enterprise["department"] == "Finance"


def test_entra_12_delete_a_user(entra: Caller, erin: dict[str, Any]) -> None:
    response = entra("DELETE", f"/Users/{erin['id']}")
    assert response.status_code == 204
    assert response.get_data() == b""
    _assert_scim_error(entra("GET", f"/Users/{erin['id']}"), 404)
    assert entra.find(erin["userName"]).get_json()["totalResults"] == 0


def test_entra_p1_several_operations_on_different_attributes(
    entra: Caller, erin: dict[str, Any]
) -> None:
    response = entra.patch(
        erin["id"],
        {"op": "Replace", "path": "title", "value": "Controller"},
        {"op": "Replace", "path": "name.givenName", "value": "Erin-Marie"},
        {"op": "Add", "path": "nickName", "value": "EM"},
        {"op": "Replace", "path": f"{ENTERPRISE}:department", "value": "Treasury"},
        {"op": "Remove", "path": "preferredLanguage"},
    )
    assert response.status_code in (200, 204)
    user = _get(entra, erin["id"])
    assert user["title"] == "Controller"
    assert user["name"]["givenName"] == "Erin-Marie"
    assert user["nickName"] == "EM"
    assert user[ENTERPRISE]["department"] == "Treasury"
    assert "preferredLanguage" not in user


def test_entra_p2_several_operations_on_the_same_attribute_the_last_wins(
    entra: Caller, erin: dict[str, Any]
) -> None:
    response = entra.patch(
        erin["id"],
        {"op": "Replace", "path": "title", "value": "First"},
        {"op": "Remove", "path": "title"},
        {"op": "Add", "path": "title", "value": "Second"},
        {"op": "Replace", "path": "title", "value": "Last"},
    )
    assert response.status_code in (200, 204)
    assert _get(entra, erin["id"])["title"] == "Last"


def test_entra_p3_delete_a_non_existent_user_is_404(entra: Caller) -> None:
    _assert_scim_error(entra("DELETE", "/Users/5171a35d-8a26-4b8a-8a3d-000000000000"), 404)


def test_entra_p4_delete_the_same_user_twice(entra: Caller, erin: dict[str, Any]) -> None:
    assert entra("DELETE", f"/Users/{erin['id']}").status_code == 204
    _assert_scim_error(entra("DELETE", f"/Users/{erin['id']}"), 404)


def test_entra_add_attributes_creates_the_elements_value_paths_name(entra: Caller) -> None:
    """Patch User - Add Attributes: valuePaths on attributes absent at creation create one
    element per type, merging the sub-attributes aimed at it."""
    created = entra("POST", "/Users", {"userName": f"ada.add@{DOMAIN}"}).get_json()
    assert "emails" not in created and "addresses" not in created
    response = entra.patch(
        created["id"],
        {"op": "Add", "path": 'emails[type eq "work"].value', "value": f"ada.add@{DOMAIN}"},
        {"op": "Add", "path": 'addresses[type eq "work"].locality', "value": "Lyon"},
        {"op": "Add", "path": 'addresses[type eq "work"].country', "value": "FR"},
        {"op": "Add", "path": 'phoneNumbers[type eq "mobile"].value', "value": "+33 6 00 00 00 00"},
        {"op": "Add", "path": "title", "value": "Engineer"},
        {"op": "Add", "path": f"{ENTERPRISE}:employeeNumber", "value": "E-3003"},
    )
    assert response.status_code in (200, 204)
    user = _get(entra, created["id"])
    assert user["emails"] == [{"type": "work", "value": f"ada.add@{DOMAIN}"}]
    assert user["addresses"] == [{"type": "work", "locality": "Lyon", "country": "FR"}]
    assert user["phoneNumbers"] == [{"type": "mobile", "value": "+33 6 00 00 00 00"}]
    assert user["title"] == "Engineer"
    assert user[ENTERPRISE] == {"employeeNumber": "E-3003"}
    assert (
        entra(
            "GET", "/Users", filter=f'emails[type eq "work"].value eq "ada.add@{DOMAIN}"'
        ).get_json()["totalResults"]
        == 1
    )


def test_entra_empty_operations_list_is_a_no_op(entra: Caller, erin: dict[str, Any]) -> None:
    response = entra("PATCH", f"/Users/{erin['id']}", {"schemas": [PATCH_OP], "Operations": []})
    assert response.status_code in (200, 204)
    after = _get(entra, erin["id"])
    assert after["meta"]["version"] == erin["meta"]["version"]


@pytest.mark.parametrize(
    ("method", "path", "query", "body"),
    [
        ("GET", "/Groups/7f0c1d2e", {"excludedAttributes": "members"}, None),
        (
            "GET",
            "/Groups",
            {"excludedAttributes": "members", "filter": 'displayName eq "Finance"'},
            None,
        ),
        ("GET", "/Groups", {"filter": 'displayName eq "FINANCE"'}, None),
        (
            "POST",
            "/Groups",
            {},
            {
                "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
                "displayName": "Finance",
                "externalId": "g-1",
            },
        ),
        (
            "PATCH",
            "/Groups/7f0c1d2e",
            {},
            {
                "schemas": [PATCH_OP],
                "Operations": [{"op": "Add", "path": "members", "value": [{"value": "u-1"}]}],
            },
        ),
        ("DELETE", "/Groups/7f0c1d2e", {}, None),
    ],
    ids=[
        "get-excluding-members",
        "filter-excluding-members",
        "filter-other-case",
        "create",
        "patch-members",
        "delete",
    ],
)
def test_entra_group_tests_get_a_scim_error_saying_groups_are_not_synced(
    entra: Caller, method: str, path: str, query: dict[str, str], body: Any
) -> None:
    body_out = _assert_scim_error(entra(method, path, body, **query), STATUS_GROUPS)
    assert "does not sync groups" in body_out["detail"]


def test_entra_finds_no_group_resource_type_to_test(entra: Caller) -> None:
    """Why the validator's group tests do not apply: only Users are published."""
    body = entra("GET", "/ResourceTypes").get_json()
    assert [r["name"] for r in body["Resources"]] == ["User"]
