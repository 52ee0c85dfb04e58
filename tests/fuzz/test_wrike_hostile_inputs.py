"""A corpus of hostile inputs: each gets a 4xx SCIM error, never a 500, and changes nothing."""

from __future__ import annotations

import pytest

from tests.wrike_sp.conftest import Scim

TEN_MB = "x" * (10 * 1024 * 1024)
BODIES = {
    "truncated json": '{"userName": "a@acme.example"',
    "json array": "[]",
    "json string": '"ada@acme.example"',
    "null": "null",
    "deep nesting": '{"a":' * 5000 + "1" + "}" * 5000,
    "nested arrays": "[" * 50000 + "]" * 50000,
    "lone surrogate": '{"userName": "\\ud800@acme.example"}',
    "nul byte": '{"userName": "ada\\u0000@acme.example"}',
    "rtl override": '{"userName": "ada\\u202e@acme.example"}',
    "ten megabytes": '{"userName": "' + TEN_MB + '"}',
    "huge number": '{"userName": "a@acme.example", "active": 1e999999}',
    "duplicate keys": '{"userName": "a@acme.example", "userName": 5}',
    "not utf8": b'{"userName": "\xff\xfe@acme.example"}',
    "huge string attr": '{"userName": "a@acme.example", "title": "' + "t" * 5000 + '"}',
    "object as name": '{"userName": {"$ne": null}}',
}
FILTERS = [
    'userName eq "x" OR 1=1 --',
    'userName eq "x") OR (1=1',
    'userName eq "\'; DROP TABLE users; --"',
    "userName eq " + '"' + "a" * 10000 + '"',
    "(" * 2000 + 'userName eq "a"' + ")" * 2000,
    'userName eq "\u0000"',
    'emails[value eq "a"][type eq "b"]',
    'name.givenName eq "x"',
    "userName eq 12",
]
IDS = [
    "../../admin/api/v1/accounts",
    "%2e%2e%2f%2e%2e%2f",
    "'; DROP TABLE users; --",
    "a" * 5000,
    "\u202e",
    "Users",
]


def _state(scim: Scim) -> list[dict]:
    return scim.request("GET", "/Users").get_json()["Resources"]


@pytest.mark.parametrize("name", list(BODIES))
@pytest.mark.parametrize("method", ["POST /Users", "PUT /Users/{id}", "PATCH /Users/{id}"])
def test_hostile_bodies_get_4xx_and_change_nothing(scim, demo, name, method):
    before = _state(scim)
    verb, path = method.split(" ")
    body = BODIES[name]
    data = body if isinstance(body, bytes) else body.encode("utf-8", "surrogatepass")
    response = scim.request(
        verb,
        path.format(id=demo.admin_id),
        data=data,
        headers={"Content-Type": "application/scim+json"},
    )
    assert 400 <= response.status_code < 500, (
        name,
        response.status_code,
        response.get_data()[:300],
    )
    assert response.mimetype == "application/scim+json"
    assert response.get_json()["status"] == str(response.status_code)
    assert _state(scim) == before


@pytest.mark.parametrize(
    "content_type",
    [
        "text/plain",
        "application/xml",
        "multipart/form-data; boundary=x",
        "application/x-www-form-urlencoded",
    ],
)
def test_wrong_content_types_are_refused(scim, content_type):
    response = scim.request(
        "POST",
        "/Users",
        data=b'{"userName": "ada@acme.example"}',
        headers={"Content-Type": content_type},
    )
    assert response.status_code == 415
    assert scim.find('userName eq "ada@acme.example"').get_json()["totalResults"] == 0


@pytest.mark.parametrize("filter_text", FILTERS)
def test_hostile_filters_never_fail_the_provider(scim, filter_text):
    before = _state(scim)
    response = scim.find(filter_text)
    assert response.status_code in (200, 400), response.get_json()
    if response.status_code == 400:
        assert response.get_json()["scimType"] == "invalidFilter"
    else:
        assert response.get_json()["totalResults"] == 0
    assert _state(scim) == before


def test_sql_in_values_is_stored_as_text(scim):
    hostile = "x'); DROP TABLE users; --"
    created = scim.create("ada@acme.example", title=hostile)
    assert created.status_code == 201
    assert scim.request("GET", f"/Users/{created.get_json()['id']}").get_json()["title"] == hostile
    assert len(_state(scim)) == 2


@pytest.mark.parametrize("user_id", IDS)
@pytest.mark.parametrize("method", ["GET", "DELETE", "PUT", "PATCH"])
def test_path_tricks_in_ids_are_404(scim, user_id, method):
    before = _state(scim)
    response = scim.request(method, f"/Users/{user_id}", {"userName": "x@acme.example"})
    assert 400 <= response.status_code < 500
    assert response.mimetype == "application/scim+json"
    assert _state(scim) == before


@pytest.mark.parametrize(
    "query",
    [
        {"startIndex": "1e9"},
        {"count": "-"},
        {"count": "99999999999999999999"},
        {"attributes": "," * 500},
        {"startIndex": "99999999999999999999"},
    ],
)
def test_hostile_query_parameters(scim, query):
    response = scim.request("GET", "/Users", query_string=query)
    assert response.status_code in (200, 400)
    assert response.mimetype == "application/scim+json"


@pytest.mark.parametrize(
    "schemas", [201, "urn:ietf:params:scim:api:messages:2.0:SearchRequest", None, {"a": 1}]
)
def test_search_body_with_odd_schemas_is_invalid_syntax(scim, schemas):
    response = scim.request("POST", "/Users/.search", {"schemas": schemas, "filter": "userName pr"})
    assert response.status_code == 400
    assert response.get_json()["scimType"] == "invalidSyntax"


@pytest.mark.parametrize(
    "account",
    [
        "%C2%B9",  # SUPERSCRIPT ONE: str.isdigit() is true, int() refuses it (was a 500)
        "%EF%BC%91",  # FULLWIDTH DIGIT ONE: int() reads it as 1 (reached account 1)
        "%D9%A1",  # ARABIC-INDIC DIGIT ONE
        "01",  # not the canonical spelling of account 1
        "0",
        str(2**63),
        "9" * 19,
    ],
)
def test_account_ids_are_ascii_digits_below_2_63(client, demo, account):
    response = client.get(
        f"/scim/{account}/v2/Users", headers={"Authorization": f"Bearer {demo.token}"}
    )
    assert response.status_code == 404, response.get_data()[:300]
    assert response.mimetype == "application/scim+json"
    assert response.get_json()["schemas"] == ["urn:ietf:params:scim:api:messages:2.0:Error"]


@pytest.mark.parametrize("value", ["\u0661", "\uff11", "1_0", "0x10"])
@pytest.mark.parametrize("name", ["startIndex", "count"])
def test_query_integers_are_ascii_digits(scim, name, value):
    response = scim.request("GET", "/Users", query_string={name: value})
    assert response.status_code == 400, response.get_json()
    assert response.get_json()["scimType"] == "invalidValue"


def _deep(depth: int) -> str:
    return '{"a":' * depth + "1" + "}" * depth


def test_the_json_depth_bound_is_32_levels(scim):
    """Refused before parsing: 32 levels parse (and are refused for their content), 33 are
    refused as too deep."""
    headers = {"Content-Type": "application/scim+json"}
    at_bound = scim.request("POST", "/Users", data=_deep(32), headers=headers).get_json()
    beyond = scim.request("POST", "/Users", data=_deep(33), headers=headers).get_json()
    assert "levels deep" not in at_bound["detail"]
    assert beyond["scimType"] == "invalidSyntax"
    assert beyond["detail"] == "The JSON body nests objects and arrays more than 32 levels deep"
