"""The SCIM /Users resource: login, synced attributes, user types, missing attributes that
stay, the admin right, deactivation, search, paging, projection, versions and errors."""

from __future__ import annotations

import pytest

from tests.wrike_sp.conftest import ENTERPRISE, PATCH_OP

FULL = {
    "userName": "ada@acme.example",
    "name": {"givenName": "Ada", "familyName": "Lovelace"},
    "emails": [{"value": "ada@acme.example", "type": "work", "primary": True}],
    "title": "Engineer",
    "phoneNumbers": [{"value": "+1 555 0100", "type": "work", "primary": True}],
    "userType": "Collaborator",
    ENTERPRISE: {"organization": "Acme", "department": "R&D"},
}


def test_create_returns_the_user_with_meta_and_location(scim):
    response = scim.request("POST", "/Users", FULL)
    assert response.status_code == 201
    user = response.get_json()
    assert response.mimetype == "application/scim+json"
    assert response.headers["Location"] == user["meta"]["location"]
    assert user["meta"]["location"].endswith(f"/Users/{user['id']}")
    assert user["meta"]["resourceType"] == "User"
    assert user["meta"]["version"] == response.headers["ETag"] == 'W/"1"'
    assert user["meta"]["created"] == user["meta"]["lastModified"]
    assert set(user["schemas"]) == {"urn:ietf:params:scim:schemas:core:2.0:User", ENTERPRISE}


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        (("userName",), "ada@acme.example"),
        (("name", "givenName"), "Ada"),
        (("name", "familyName"), "Lovelace"),
        (("emails", 0, "value"), "ada@acme.example"),
        (("title",), "Engineer"),
        (("phoneNumbers", 0, "value"), "+1 555 0100"),
        ((ENTERPRISE, "organization"), "Acme"),
        ((ENTERPRISE, "department"), "R&D"),
        (("userType",), "Collaborator"),
    ],
    ids=["username", "given", "family", "email", "title", "phone", "org", "department", "type"],
)
def test_the_nine_synced_attributes_are_kept(scim, path, expected):
    created = scim.request("POST", "/Users", FULL).get_json()
    value = scim.request("GET", f"/Users/{created['id']}").get_json()
    for step in path:
        value = value[step]
    assert value == expected


def test_user_type_defaults_to_regular(scim):
    assert scim.create("ada@acme.example").get_json()["userType"] == "Regular"


@pytest.mark.parametrize(
    "given", ["Regular", "External", "Collaborator", "Contributor", "Viewer", "viewer"]
)
def test_known_user_types_are_accepted_in_canonical_form(scim, given):
    response = scim.create("ada@acme.example", userType=given)
    assert response.status_code == 201
    assert response.get_json()["userType"] == given.capitalize()


def test_unknown_user_type_is_refused_with_the_list(scim):
    response = scim.create("ada@acme.example", userType="Superuser")
    assert response.status_code == 400
    body = response.get_json()
    assert body["scimType"] == "invalidValue"
    assert "Superuser" in body["detail"] and "Collaborator" in body["detail"]


def test_user_types_are_published_in_schemas(scim):
    schema = scim.request("GET", "/Schemas/urn:ietf:params:scim:schemas:core:2.0:User").get_json()
    user_type = next(a for a in schema["attributes"] if a["name"] == "userType")
    assert user_type["canonicalValues"] == [
        "Regular",
        "External",
        "Collaborator",
        "Contributor",
        "Viewer",
    ]


def test_login_comes_from_the_primary_email_when_username_is_not_an_email(scim):
    response = scim.request(
        "POST",
        "/Users",
        {"userName": "ada", "emails": [{"value": "ada@acme.example", "primary": True}]},
    )
    assert response.status_code == 201
    assert scim.find('emails eq "ada@acme.example"').get_json()["totalResults"] == 1


def test_no_email_anywhere_is_refused(scim):
    response = scim.request("POST", "/Users", {"userName": "ada"})
    assert response.status_code == 400
    assert "email address as the login" in response.get_json()["detail"]


@pytest.mark.parametrize("again", ["ada@acme.example", "ADA@Acme.Example"])
def test_duplicates_are_refused_case_insensitively(scim, again):
    assert scim.create("ada@acme.example").status_code == 201
    response = scim.create(again)
    assert response.status_code == 409
    assert response.get_json()["scimType"] == "uniqueness"


def test_two_users_cannot_share_a_login_email(scim):
    scim.request(
        "POST",
        "/Users",
        {"userName": "ada", "emails": [{"value": "ada@acme.example", "primary": True}]},
    )
    response = scim.request("POST", "/Users", {"userName": "ada@acme.example"})
    assert response.status_code == 409


def test_put_keeps_attributes_missing_from_the_update(scim):
    created = scim.request(
        "POST",
        "/Users",
        {
            **FULL,
            "emails": [
                {"value": "ada@acme.example", "type": "work", "primary": True},
                {"value": "ada.home@acme.example", "type": "home"},
            ],
        },
    ).get_json()
    replaced = scim.request(
        "PUT",
        f"/Users/{created['id']}",
        {"userName": "ada@acme.example", "name": {"givenName": "Augusta"}, "title": "Lead"},
    )
    assert replaced.status_code == 200
    user = scim.request("GET", f"/Users/{created['id']}").get_json()
    assert user["title"] == "Lead"
    assert user["name"] == {"givenName": "Augusta", "familyName": "Lovelace"}
    assert user["phoneNumbers"][0]["value"] == "+1 555 0100"
    assert user[ENTERPRISE]["department"] == "R&D"
    assert {e["value"] for e in user["emails"]} == {"ada@acme.example", "ada.home@acme.example"}
    assert user["userType"] == "Collaborator"


def test_put_with_a_new_work_email_keeps_the_secondary_one(scim):
    created = scim.request(
        "POST",
        "/Users",
        {
            "userName": "ada@acme.example",
            "emails": [
                {"value": "ada@acme.example", "type": "work", "primary": True},
                {"value": "ada.home@acme.example", "type": "home"},
            ],
        },
    ).get_json()
    scim.request(
        "PUT",
        f"/Users/{created['id']}",
        {
            "userName": "ada@acme.example",
            "emails": [{"value": "a.lovelace@acme.example", "type": "work", "primary": True}],
        },
    )
    emails = scim.request("GET", f"/Users/{created['id']}").get_json()["emails"]
    assert {e["value"] for e in emails} == {"a.lovelace@acme.example", "ada.home@acme.example"}
    assert [e["value"] for e in emails if e.get("primary")] == ["a.lovelace@acme.example"]


def test_patch_keeps_what_it_does_not_name_and_remove_still_removes(scim):
    created = scim.request("POST", "/Users", FULL).get_json()
    patched = scim.patch(created["id"], {"op": "replace", "path": "title", "value": "Lead"})
    assert patched.status_code == 200
    user = patched.get_json()
    assert user[ENTERPRISE]["department"] == "R&D" and user["phoneNumbers"]
    removed = scim.patch(created["id"], {"op": "remove", "path": "phoneNumbers"}).get_json()
    assert "phoneNumbers" not in removed
    assert scim.request("GET", f"/Users/{created['id']}").get_json().get("phoneNumbers") is None


def test_put_with_explicit_null_clears(scim):
    created = scim.request("POST", "/Users", FULL).get_json()
    user = scim.request(
        "PUT", f"/Users/{created['id']}", {"userName": "ada@acme.example", "title": None}
    ).get_json()
    assert "title" not in user


def test_deactivation_keeps_the_user_readable(scim):
    created = scim.create("ada@acme.example").get_json()
    response = scim.patch(created["id"], {"op": "replace", "path": "active", "value": False})
    assert response.get_json()["active"] is False
    assert scim.request("GET", f"/Users/{created['id']}").get_json()["active"] is False
    found = scim.find('userName eq "ada@acme.example"').get_json()
    assert found["totalResults"] == 1 and found["Resources"][0]["active"] is False
    again = scim.request(
        "PUT", f"/Users/{created['id']}", {"userName": "ada@acme.example", "active": True}
    )
    assert again.get_json()["active"] is True


def _make_admin(admin, demo, email):
    return admin.post(
        f"/accounts/{demo.account_id}/members",
        {"email": email, "role": "admin", "password": "longenough", "first_name": "Ann"},
    ).get_json()


def test_admin_attributes_need_the_grant_revoke_right(scim, admin, demo):
    target = _make_admin(admin, demo, "ann@acme.example")
    admin.patch(
        f"/accounts/{demo.account_id}/members/{demo.admin_id}",
        {"rights": {"grant_revoke_admin_rights": False}},
    )
    refused = scim.patch(target["id"], {"op": "replace", "path": "title", "value": "CFO"})
    assert refused.status_code == 403
    assert "Grant/revoke admin rights" in refused.get_json()["detail"]
    assert scim.request("GET", f"/Users/{target['id']}").get_json().get("title") is None
    assert (
        scim.request(
            "PUT", f"/Users/{target['id']}", {"userName": "ann@acme.example", "title": "CFO"}
        ).status_code
        == 403
    )
    assert scim.request("DELETE", f"/Users/{target['id']}").status_code == 403
    admin.patch(
        f"/accounts/{demo.account_id}/members/{demo.admin_id}",
        {"rights": {"grant_revoke_admin_rights": True}},
    )
    allowed = scim.patch(target["id"], {"op": "replace", "path": "title", "value": "CFO"})
    assert allowed.status_code == 200 and allowed.get_json()["title"] == "CFO"


def test_regular_members_are_updated_without_the_admin_right(scim, admin, demo):
    admin.patch(
        f"/accounts/{demo.account_id}/members/{demo.admin_id}",
        {"rights": {"grant_revoke_admin_rights": False}},
    )
    user = scim.create("ada@acme.example").get_json()
    assert (
        scim.patch(user["id"], {"op": "replace", "path": "title", "value": "x"}).status_code == 200
    )


def test_an_update_that_changes_nothing_keeps_the_version(scim, clock):
    created = scim.request("POST", "/Users", FULL).get_json()
    clock.advance(minutes=5)
    same = scim.request(
        "PUT", f"/Users/{created['id']}", {"userName": "ada@acme.example"}
    ).get_json()
    assert same["meta"]["version"] == created["meta"]["version"]
    assert same["meta"]["lastModified"] == created["meta"]["lastModified"]


@pytest.mark.parametrize(
    "filter_text",
    [
        'userName eq "ADA@ACME.EXAMPLE"',
        'userName Eq "ada@acme.example"',
        'emails eq "ada@acme.example"',
        'emails.value eq "ada@acme.example"',
        'emails[type eq "work" and value eq "ada@acme.example"]',
        'urn:ietf:params:scim:schemas:core:2.0:User:userName eq "ada@acme.example"',
        'userName sw "ada@" and not (userName ew "bob@acme.example")',
        'userName co "ada@" or userName eq "nobody@acme.example"',
    ],
)
def test_search_by_email_finds_the_user(scim, filter_text):
    scim.create("ada@acme.example")
    found = scim.find(filter_text)
    assert found.status_code == 200, found.get_json()
    assert [u["userName"] for u in found.get_json()["Resources"]] == ["ada@acme.example"]


@pytest.mark.parametrize(
    ("stored", "filter_text"),
    [
        ("Ada.Lovelace@Acme.Example", 'emails.value eq "ada.lovelace@acme.example"'),
        ("ada.lovelace@acme.example", 'emails.value eq "Ada.Lovelace@ACME.example"'),
        (
            "Ada.Lovelace@Acme.Example",
            'emails[type eq "work" and value eq "ADA.LOVELACE@acme.example"]',
        ),
    ],
    ids=["capitals_stored", "capitals_asked", "capitals_in_value_path"],
)
def test_search_by_email_value_ignores_letter_case(scim, stored, filter_text):
    # RFC 7643 §4.1.2: emails.value is caseExact false; a client may ask in another case
    # than the one Wrike stored (a OneLogin email typed with capitals).
    scim.create(stored)
    found = scim.find(filter_text).get_json()
    assert [u["userName"] for u in found["Resources"]] == [stored], found


def test_presence_filter_lists_everyone(scim):
    scim.create("ada@acme.example")
    assert scim.find("userName pr").get_json()["totalResults"] == 2


def test_search_for_someone_absent_is_an_empty_list(scim):
    body = scim.find('userName eq "nobody@acme.example"').get_json()
    assert body == {
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
        "totalResults": 0,
        "startIndex": 1,
        "itemsPerPage": 0,
        "Resources": [],
    }


@pytest.mark.parametrize(
    "filter_text", ['title eq "x"', 'displayName eq "x"', "active eq true", 'externalId eq "1"']
)
def test_search_on_other_attributes_says_search_is_by_email(scim, filter_text):
    response = scim.find(filter_text)
    assert response.status_code == 400
    body = response.get_json()
    assert body["scimType"] == "invalidFilter"
    assert "search by email" in body["detail"]


@pytest.mark.parametrize(
    "filter_text", ["userName eq", 'userName eq "a" and', "((", 'userName xx "a"']
)
def test_malformed_filters_are_invalid_filter(scim, filter_text):
    response = scim.find(filter_text)
    assert response.status_code == 400
    assert response.get_json()["scimType"] == "invalidFilter"


def test_like_wildcards_in_values_are_literal(scim):
    scim.create("ada@acme.example")
    assert scim.find('userName co "%"').get_json()["totalResults"] == 0
    assert scim.find('userName sw "_da"').get_json()["totalResults"] == 0


def test_paging_is_stable_and_numbers_are_integers(scim, clock):
    for i in range(5):
        clock.advance(seconds=1)
        scim.create(f"user{i}@acme.example")
    page = scim.request("GET", "/Users", query_string={"startIndex": 2, "count": 2}).get_json()
    assert page["startIndex"] == 2 and page["itemsPerPage"] == 2 and page["totalResults"] == 6
    second = [u["userName"] for u in page["Resources"]]
    assert second == ["user0@acme.example", "user1@acme.example"]
    assert scim.request("GET", "/Users", query_string={"count": 0}).get_json()["Resources"] == []
    assert (
        scim.request("GET", "/Users", query_string={"startIndex": 0, "count": -3}).get_json()[
            "startIndex"
        ]
        == 1
    )
    bad = scim.request("GET", "/Users", query_string={"count": "many"})
    assert bad.status_code == 400 and bad.get_json()["scimType"] == "invalidValue"


def test_attributes_and_excluded_attributes(scim):
    created = scim.request("POST", "/Users", FULL).get_json()
    only = scim.request(
        "GET", f"/Users/{created['id']}", query_string={"attributes": "userName,name.givenName"}
    ).get_json()
    assert set(only) == {"schemas", "id", "userName", "name"}
    assert only["name"] == {"givenName": "Ada"}
    without = scim.request(
        "GET", "/Users", query_string={"excludedAttributes": f"emails,{ENTERPRISE}:department"}
    ).get_json()
    resource = next(r for r in without["Resources"] if r["id"] == created["id"])
    assert "emails" not in resource and resource[ENTERPRISE] == {"organization": "Acme"}
    both = scim.request(
        "GET", "/Users", query_string={"attributes": "userName", "excludedAttributes": "emails"}
    )
    assert both.status_code == 400


def test_etags_if_match_and_if_none_match(scim):
    created = scim.create("ada@acme.example")
    user_id, tag = created.get_json()["id"], created.headers["ETag"]
    assert (
        scim.request("GET", f"/Users/{user_id}", headers={"If-None-Match": tag}).status_code == 304
    )
    stale = scim.patch(
        user_id, {"op": "replace", "path": "title", "value": "x"}, headers={"If-Match": 'W/"9"'}
    )
    assert stale.status_code == 412
    fresh = scim.patch(
        user_id, {"op": "replace", "path": "title", "value": "x"}, headers={"If-Match": tag}
    )
    assert fresh.status_code == 200 and fresh.headers["ETag"] == 'W/"2"'


def test_delete_then_404(scim):
    user = scim.create("ada@acme.example").get_json()
    assert scim.request("DELETE", f"/Users/{user['id']}").status_code == 204
    assert scim.request("GET", f"/Users/{user['id']}").status_code == 404
    assert scim.request("DELETE", f"/Users/{user['id']}").status_code == 404


def test_lower_case_users_path_and_search_endpoint(scim):
    scim.create("ada@acme.example")
    assert scim.request("GET", "/users").get_json()["totalResults"] == 2
    found = scim.request(
        "POST",
        "/Users/.search",
        {
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],
            "filter": 'userName eq "ada@acme.example"',
            "attributes": ["userName"],
        },
    )
    assert found.status_code == 200
    assert found.get_json()["Resources"][0] == {
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "id": found.get_json()["Resources"][0]["id"],
        "userName": "ada@acme.example",
    }


def test_capitalised_attribute_names_and_string_booleans(scim):
    response = scim.request(
        "POST",
        "/Users",
        {"UserName": "ada@acme.example", "Active": "False", "Name": {"GivenName": "Ada"}},
    )
    assert response.status_code == 201
    user = response.get_json()
    assert user["active"] is False and user["name"] == {"givenName": "Ada"}


def test_read_only_input_is_ignored(scim):
    response = scim.create(
        "ada@acme.example", id="chosen-by-client", meta={"version": "x"}, groups=[{"value": "g"}]
    )
    assert response.status_code == 201
    assert response.get_json()["id"] != "chosen-by-client"


@pytest.mark.parametrize(
    ("body", "scim_type"),
    [
        ({"userName": "ada@acme.example", "active": "maybe"}, "invalidValue"),
        ({"userName": "ada@acme.example", "emails": "ada@acme.example"}, "invalidValue"),
        ({"userName": "ada@acme.example", "emails": [{"value": "not-an-email"}]}, "invalidValue"),
        (
            {
                "userName": "ada@acme.example",
                "emails": [
                    {"value": "a@acme.example", "primary": True},
                    {"value": "b@acme.example", "primary": True},
                ],
            },
            "invalidValue",
        ),
        ({"userName": 42}, "invalidValue"),
        ({"name": {"givenName": "no login"}}, "invalidValue"),
        ([1, 2], "invalidSyntax"),
    ],
)
def test_bad_bodies_get_scim_errors_and_change_nothing(scim, body, scim_type):
    response = scim.request("POST", "/Users", body)
    assert response.status_code == 400
    assert response.get_json()["scimType"] == scim_type
    assert scim.request("GET", "/Users").get_json()["totalResults"] == 1  # only the seeded admin


def test_malformed_json_is_invalid_syntax(scim):
    response = scim.request(
        "POST", "/Users", data='{"userName": ', headers={"Content-Type": "application/scim+json"}
    )
    assert response.status_code == 400
    assert response.get_json()["scimType"] == "invalidSyntax"


def test_deeply_nested_json_is_refused_cleanly(scim):
    response = scim.request(
        "POST",
        "/Users",
        data="[" * 100000 + "]" * 100000,
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code in (400, 413)
    assert response.mimetype == "application/scim+json"


def test_oversized_body_is_413(scim):
    response = scim.request(
        "POST", "/Users", data="x" * (2 * 1024 * 1024), headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 413
    assert response.get_json()["status"] == "413"


def test_wrong_content_type_is_415(scim):
    response = scim.request(
        "POST",
        "/Users",
        data="userName=ada",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 415


def test_wrong_method_is_405_with_allow(scim):
    response = scim.request("DELETE", "/Users")
    assert response.status_code == 405
    assert response.headers["Allow"] == "GET, POST"
    assert response.get_json()["status"] == "405"


def test_unknown_url_is_404_with_scim_body(scim):
    response = scim.request("GET", "/Nothing/here")
    assert response.status_code == 404
    assert response.get_json()["schemas"] == ["urn:ietf:params:scim:api:messages:2.0:Error"]


def test_groups_say_wrike_does_not_sync_groups(scim):
    response = scim.request("GET", "/Groups")
    assert response.status_code == 501
    assert "does not sync groups" in response.get_json()["detail"]
    types = scim.request("GET", "/ResourceTypes").get_json()
    assert [t["id"] for t in types["Resources"]] == ["User"]


@pytest.mark.parametrize(
    ("ops", "scim_type"),
    [
        ([{"op": "remove", "path": "userName"}], "mutability"),
        ([{"op": "frob", "path": "title", "value": "x"}], "invalidValue"),
        ([{"op": "replace", "path": "id", "value": "x"}], "mutability"),
        ([{"op": "replace", "path": "userType", "value": "Boss"}], "invalidValue"),
        ([{"op": "replace", "path": "userName", "value": "ada@elsewhere.example"}], "invalidValue"),
    ],
)
def test_bad_patches_are_refused_atomically(scim, ops, scim_type):
    user = scim.create("ada@acme.example", title="Keep").get_json()
    response = scim.patch(user["id"], {"op": "replace", "path": "title", "value": "Changed"}, *ops)
    assert response.status_code == 400
    assert response.get_json()["scimType"] == scim_type
    assert scim.request("GET", f"/Users/{user['id']}").get_json()["title"] == "Keep"


def test_patch_without_the_patchop_schema_is_refused(scim):
    user = scim.create("ada@acme.example").get_json()
    response = scim.request(
        "PATCH",
        f"/Users/{user['id']}",
        {"Operations": [{"op": "replace", "path": "title", "value": "x"}]},
    )
    assert response.status_code == 400


def test_empty_patch_is_a_no_op(scim):
    user = scim.create("ada@acme.example").get_json()
    response = scim.request(
        "PATCH", f"/Users/{user['id']}", {"schemas": [PATCH_OP], "Operations": []}
    )
    assert response.status_code == 200
    assert response.get_json()["meta"]["version"] == 'W/"1"'


def test_discovery_endpoints(scim):
    config = scim.request("GET", "/ServiceProviderConfig").get_json()
    assert config["patch"]["supported"] is True and config["bulk"]["supported"] is False
    assert config["filter"] == {"supported": True, "maxResults": 1000}
    schemas = scim.request("GET", "/Schemas").get_json()
    names = {s["name"] for s in schemas["Resources"]}
    assert {"User", "EnterpriseUser", "ResourceType", "ServiceProviderConfig", "Schema"} <= names
    assert scim.request("POST", "/Schemas").status_code == 405
    assert scim.request("GET", "/Schemas", query_string={"filter": 'id eq "x"'}).status_code == 403
    assert scim.request("GET", "/ResourceTypes/Nope").status_code == 404


def test_the_account_owner_cannot_be_deleted_or_deactivated(scim, demo):
    assert scim.request("DELETE", f"/Users/{demo.admin_id}").status_code == 403
    response = scim.patch(demo.admin_id, {"op": "replace", "path": "active", "value": False})
    assert response.status_code == 403
    assert "owner" in response.get_json()["detail"]
    assert (
        scim.patch(demo.admin_id, {"op": "replace", "path": "title", "value": "CEO"}).status_code
        == 200
    )


def test_removing_the_user_type_leaves_it_unassigned_and_billed_as_regular(scim, admin, demo):
    user = scim.create("ada@acme.example", userType="Viewer").get_json()
    removed = scim.patch(user["id"], {"op": "remove", "path": "userType"}).get_json()
    assert "userType" not in removed
    seats = admin.get(f"/accounts/{demo.account_id}/billing").get_json()["seats"]
    assert seats == {"Regular": 2}


def test_removing_active_leaves_the_status_unchanged(scim):
    user = scim.create("ada@acme.example", active=False).get_json()
    removed = scim.patch(user["id"], {"op": "remove", "path": "active"}).get_json()
    assert "active" not in removed
    assert scim.find('userName eq "ada@acme.example"').get_json()["totalResults"] == 1
    again = scim.patch(user["id"], {"op": "replace", "path": "active", "value": True}).get_json()
    assert again["active"] is True


@pytest.mark.parametrize(
    ("start", "count"),
    [
        (1, None),
        (1, 0),
        (1, 3),
        (1, 7),
        (1, 8),
        (1, 50),
        (3, 2),
        (5, 4),
        (6, 4),
        (7, 1),
        (8, 1),
        (9, 5),
        (100, 5),
    ],
)
def test_total_results_counts_every_match_whatever_the_page(scim, start, count):
    """7 matches (the demo admin is not one of them): totalResults stays 7 on every page,
    and the page holds what is left of them from startIndex, at most count."""
    for n in range(7):
        assert scim.create(f"page{n}@acme.example").status_code == 201
    query = {"filter": 'userName sw "page"', "startIndex": start}
    if count is not None:
        query["count"] = count
    body = scim.request("GET", "/Users", query_string=query).get_json()
    assert body["totalResults"] == 7
    left = max(0, 7 - (start - 1))
    assert (
        body["itemsPerPage"] == len(body["Resources"]) == min(left, 7 if count is None else count)
    )
    every = scim.request("GET", "/Users", query_string={"filter": 'userName sw "page"'})
    in_order = [r["id"] for r in every.get_json()["Resources"]]
    assert [r["id"] for r in body["Resources"]] == in_order[start - 1 :][: body["itemsPerPage"]]


def test_locations_follow_the_host_each_request_arrived_at(scim):
    def create(email, host):
        body = {"userName": email, "emails": [{"value": email, "type": "work", "primary": True}]}
        return scim.request("POST", "/Users", body, headers={"Host": host})

    first = create("host1@acme.example", "wrike.example:8443")
    second = create("host2@acme.example", "other.example")
    again = scim.request(
        "GET", f"/Users/{first.get_json()['id']}", headers={"Host": "other.example"}
    )
    assert first.headers["Location"].startswith("http://wrike.example:8443/scim/")
    assert second.headers["Location"].startswith("http://other.example/scim/")
    assert again.get_json()["meta"]["location"].startswith("http://other.example/scim/")


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("wrike.example", "http://wrike.example/scim/"),
        # Host headers werkzeug will not trust: the server's own name stands in for them.
        ("bücher.example", "http://localhost/scim/"),
        ("a b.example", "http://localhost/scim/"),
    ],
)
def test_a_location_is_always_a_valid_uri(scim, host, expected):
    body = {
        "userName": "uri@acme.example",
        "emails": [{"value": "uri@acme.example", "type": "work"}],
    }
    response = scim.request("POST", "/Users", body, headers={"Host": host})
    assert response.status_code == 201
    assert response.headers["Location"].startswith(expected)
    assert response.headers["Location"].isascii()
