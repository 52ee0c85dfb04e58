"""Any JSON body on any endpoint gets OneLogin's error shape, never a 500, and a refused call
writes nothing."""

from __future__ import annotations

import base64
import functools
import json
from typing import Any

import pytest
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mock_onelogin import OneLoginAccount, OneLoginConfig, create_app
from mock_onelogin.domain.input_bounds import surrogate_free

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**40), 2**40) | st.text(max_size=12),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                [
                    "name",
                    "email",
                    "username",
                    "status",
                    "apps",
                    "users",
                    "enabled",
                    "on_delete",
                    "app_id",
                    "custom_attributes",
                    "scim_base_url",
                    "max_tasks",
                    "require_approval",
                    "grant_type",
                    "x",
                ]
            ),
            children,
            max_size=4,
        )
    ),
    max_leaves=8,
)

ENDPOINTS = [
    ("POST", "/api/2/users"),
    ("PUT", "/api/2/users/1"),
    ("POST", "/api/2/roles"),
    ("PUT", "/api/2/roles/1"),
    ("PUT", "/api/2/roles/1/apps"),
    ("POST", "/api/2/roles/1/users"),
    ("DELETE", "/api/2/roles/1/users"),
    ("POST", "/auth/oauth2/v2/token"),
    ("POST", "/auth/oauth2/revoke"),
    ("PUT", "/simulator/api/apps/1/connector"),
    ("PUT", "/simulator/api/apps/1/provisioning"),
    ("POST", "/simulator/api/drain"),
    ("POST", "/simulator/api/reconcile"),
    ("POST", "/simulator/api/users/1/logins"),
    ("POST", "/simulator/api/credentials"),
    ("POST", "/simulator/api/apps"),
]


@functools.cache
def _client() -> tuple[FlaskClient, str, OneLoginAccount]:
    """One simulator for all examples (a fresh one per example would dominate the run)."""
    account = OneLoginAccount(OneLoginConfig())
    client_id, _ = account.api_clients.create_client("fuzz")
    account.directory.create_user({"username": "existing", "email": "existing@example.com"})
    account.directory.create_role({"name": "existing"})
    token = account.api_clients.issue_token(client_id)["access_token"]
    return create_app(account.config, account=account).test_client(), token, account


def _shaped(body: Any) -> bool:
    return isinstance(body, dict) and (
        {"statusCode", "name", "message"} <= set(body)
        or (isinstance(body.get("status"), dict) and body["status"].get("error") is True)
    )


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(ENDPOINTS), json_values)
def test_no_body_causes_a_500(endpoint: tuple[str, str], body: Any) -> None:
    method, path = endpoint
    client, token, account = _client()
    writes_before = account.store.total_changes
    response = client.open(
        path,
        method=method,
        data=json.dumps(body),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    assert response.status_code < 500, response.get_data(as_text=True)
    if response.status_code >= 400:
        assert _shaped(response.get_json()), response.get_data(as_text=True)
        assert account.store.total_changes == writes_before, "refused but written"


# Numbers and nesting: each case below made the old code answer 500 (SQLite overflow,
# RecursionError, ZeroDivisionError) or accept a value it should refuse. ------------------
BIG = str(2**63)  # one past SQLite's INTEGER
UNICODE_ONE = "%D9%A1"  # ARABIC-INDIC DIGIT ONE: str.isdigit() and int() take it
FULLWIDTH_ONE = "%EF%BC%91"


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def _v1(body: Any) -> bool:
    return (
        isinstance(body, dict)
        and isinstance(body.get("status"), dict)
        and body["status"]["error"] is True
    )


def _v2(body: Any) -> bool:
    return isinstance(body, dict) and {"statusCode", "name", "message"} <= set(body)


def _call(method: str, path: str, body: Any = None, raw: str | None = None) -> Any:
    client, token, _ = _client()
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    data = raw if raw is not None else (None if body is None else json.dumps(body))
    return client.open(path, method=method, data=data, headers=headers)


def _refused(response: Any, path: str, status: int | None = None) -> None:
    assert 400 <= response.status_code < 500, (path, response.status_code, response.data[:300])
    if status is not None:
        assert response.status_code == status, (path, response.get_json())
    shaped = _v1 if path.startswith(("/api/1", "/auth")) else _v2
    assert shaped(response.get_json()), (path, response.get_json())


PATH_IDS = [
    "/api/2/users/{id}",
    "/api/2/users/{id}/apps",
    "/api/2/roles/{id}",
    "/api/2/roles/{id}/users",
    "/api/2/apps/{id}",
    "/api/2/apps/{id}/users",
    "/api/1/events/{id}",
    "/api/1/users/{id}/roles",
    "/simulator/api/apps/{id}/connector",
    "/simulator/api/tasks/{id}",
    "/simulator/api/system-log/{id}",
]


@pytest.mark.parametrize("value", [BIG, "9" * 40, "0", UNICODE_ONE, FULLWIDTH_ONE])
@pytest.mark.parametrize("template", PATH_IDS)
def test_path_ids_out_of_range_or_not_ascii_are_404(template: str, value: str) -> None:
    """Ids are ASCII digits from 1 to 2^63 - 1; a Unicode "1" does not name user 1."""
    path = template.format(id=value)
    _refused(_call("GET", path), path, 404)


QUERY_CASES = [
    ("/api/2/users", {"page": BIG}),
    ("/api/2/users", {"page": "1000001"}),
    ("/api/2/users", {"page": "0"}),
    ("/api/2/users", {"limit": BIG}),
    ("/api/2/users", {"limit": "1001"}),
    ("/api/2/users", {"page": "\u0661"}),
    ("/api/2/users", {"limit": "\uff15"}),
    ("/api/2/users", {"user_ids": f"1,{BIG}"}),
    ("/api/2/users", {"user_ids": "\u0661"}),
    ("/api/2/users", {"directory_id": BIG}),
    ("/api/2/roles", {"app_id": BIG}),
    ("/api/2/roles", {"page": BIG}),
    ("/api/2/apps/1/users", {"page": BIG}),
    ("/api/2/roles/1/users", {"page": BIG}),
    ("/api/2/users", {"cursor": _b64("limit=0&page=1")}),
    ("/api/2/users", {"cursor": _b64("limit=-1&page=1")}),
    ("/api/2/users", {"cursor": _b64("limit=999999&page=1")}),
    ("/api/2/users", {"cursor": _b64(f"limit=10&page={BIG}")}),
    ("/api/2/users", {"cursor": _b64("limit=10&page=0")}),
    ("/api/2/users", {"cursor": _b64("limit=\u0661&page=1")}),
    ("/api/2/users", {"cursor": _b64("page=1")}),
    ("/api/2/users", {"cursor": "not base64!"}),
    ("/api/1/events", {"user_id": BIG}),
    ("/api/1/events", {"app_id": BIG}),
    ("/api/1/events", {"id": BIG}),
    ("/api/1/events", {"event_type_id": BIG}),
    ("/api/1/events", {"event_type_id": "\u0661"}),
    ("/api/1/events", {"after_cursor": _b64(BIG)}),
    ("/api/1/events", {"before_cursor": _b64("-5")}),
    ("/simulator/api/tasks", {"app_id": BIG}),
    ("/simulator/api/tasks", {"user_id": BIG}),
    ("/simulator/api/system-log", {"user_id": BIG}),
]


@pytest.mark.parametrize(("path", "query"), QUERY_CASES)
def test_query_numbers_out_of_range_are_400(path: str, query: dict[str, str]) -> None:
    client, token, _ = _client()
    response = client.get(path, query_string=query, headers={"Authorization": f"Bearer {token}"})
    _refused(response, path, 400)


def test_a_cursor_this_api_issued_still_pages() -> None:
    client, token, _ = _client()
    auth = {"Authorization": f"Bearer {token}"}
    first = client.get("/api/2/roles", query_string={"limit": 1}, headers=auth)
    assert first.status_code == 200
    cursor = first.headers.get("After-Cursor")
    if cursor:
        assert (
            client.get("/api/2/roles", query_string={"cursor": cursor}, headers=auth).status_code
            == 200
        )


def _deep(depth: int) -> str:
    return '{"a":' * depth + "1" + "}" * depth


BODY_ENDPOINTS = [
    ("POST", "/api/2/users"),
    ("PUT", "/api/2/users/1"),
    ("POST", "/api/2/roles"),
    ("PUT", "/api/2/roles/1/apps"),
    ("POST", "/auth/oauth2/v2/token"),
    ("POST", "/auth/oauth2/token"),
    ("POST", "/auth/oauth2/revoke"),
    ("PUT", "/simulator/api/apps/1/connector"),
    ("POST", "/simulator/api/drain"),
]


@pytest.mark.parametrize(
    "raw", ["[" * 100_000 + "]" * 100_000, _deep(5000), _deep(33)], ids=["arrays", "objects", "33"]
)
@pytest.mark.parametrize(("method", "path"), BODY_ENDPOINTS)
def test_deeply_nested_bodies_are_refused_before_parsing(method: str, path: str, raw: str) -> None:
    _, _, account = _client()
    writes = account.store.total_changes
    response = _call(method, path, raw=raw)
    _refused(response, path)
    assert account.store.total_changes == writes


def test_the_depth_bound_is_32_levels() -> None:
    """32 levels parse (and fail later for their content); 33 are refused as too deep."""
    at_bound = _call("POST", "/api/2/users", raw=_deep(32)).get_json()
    beyond = _call("POST", "/api/2/users", raw=_deep(33)).get_json()
    assert "levels deep" not in at_bound["message"]
    assert beyond == {
        "statusCode": 400,
        "name": "BadRequestError",
        "message": "Request body nests objects and arrays more than 32 levels deep",
    }


def _template(depth: int) -> dict[str, Any]:
    """A template whose value ``x`` makes it ``depth`` levels deep."""
    return {"userName": "{$user.email}", "x": json.loads(_deep(depth - 1))}


@pytest.mark.parametrize(
    "template",
    [json.dumps(_template(17)), '{"x": ' + _deep(3000) + "}", _template(17)],
    ids=["text-17", "text-3000", "json-17"],
)
def test_deep_scim_json_templates_are_refused(template: Any) -> None:
    _, _, account = _client()
    writes = account.store.total_changes
    response = _call("PUT", "/simulator/api/apps/1/connector", {"scim_json_template": template})
    assert response.status_code == 422, response.get_json()
    assert response.get_json()["field"] == "scim_json_template"
    assert "more than 16 levels deep" in response.get_json()["message"]
    assert account.store.total_changes == writes


def test_a_template_at_the_bound_is_accepted() -> None:
    template = json.dumps(_template(16))
    response = _call("PUT", "/simulator/api/apps/1/connector", {"scim_json_template": template})
    assert response.status_code == 200, response.get_json()


BIG_INT = 2**64
JSON_INT_CASES = [
    ("POST", "/api/2/users", {"username": "n1", "group_id": BIG_INT}),
    ("POST", "/api/2/users", {"username": "n2", "manager_user_id": BIG_INT}),
    ("POST", "/api/2/users", {"username": "n3", "manager_user_id": "\u0661"}),
    ("POST", "/api/2/users", {"username": "n4", "role_ids": [BIG_INT]}),
    ("PUT", "/api/2/users/1", {"directory_id": BIG_INT}),
    ("PUT", "/api/2/roles/1/apps", [BIG_INT]),
    ("POST", "/api/2/roles/1/users", [BIG_INT]),
    ("DELETE", "/api/2/roles/1/users", [BIG_INT]),
    ("POST", "/simulator/api/tasks/approve-all", {"app_id": BIG_INT}),
    ("POST", "/simulator/api/reconcile", {"app_id": BIG_INT}),
    ("POST", "/simulator/api/drain", {"max_tasks": BIG_INT}),
    ("POST", "/simulator/api/users/1/logins", {"app_id": BIG_INT}),
]


@pytest.mark.parametrize(("method", "path", "body"), JSON_INT_CASES)
def test_json_integers_beyond_sqlite_are_refused(method: str, path: str, body: Any) -> None:
    _, _, account = _client()
    writes = account.store.total_changes
    _refused(_call(method, path, body), path)
    assert account.store.total_changes == writes


# Lone surrogates: JSON's "\ud800" decodes to a str UTF-8 cannot encode, so SQLite (and a
# SAML Response) refused it with a 500. Each is stored as U+FFFD (modelling,
# LONE_SURROGATE_REPLACEMENT), as the directory keeps a control character rather than refuse.
SURROGATE_CASES = [
    ("POST", "/api/2/users", '{"username": "lone1", "firstname": "\\ud800"}', "firstname"),
    ("POST", "/api/2/users", '{"username": "lone2\\udfff"}', "username"),
    ("PUT", "/api/2/users/1", '{"lastname": "a\\udc00b"}', "lastname"),
    (
        "POST",
        "/api/1/users",
        '{"username": "lone3", "email": "lone3@example.com", "firstname": "\\ud800",'
        ' "lastname": "x"}',
        "firstname",
    ),
    ("PUT", "/api/1/users/1", '{"firstname": "\\ud800"}', "firstname"),
    (
        "POST",
        "/api/2/users",
        '{"username": "lone4", "custom_attributes": {"wrike_user_type": "\\ud800"}}',
        "custom_attributes",
    ),
    ("POST", "/api/2/roles", '{"name": "\\ud800"}', None),
]


@pytest.mark.parametrize(("method", "path", "raw", "field"), SURROGATE_CASES)
def test_a_lone_surrogate_is_stored_as_the_replacement_character(
    method: str, path: str, raw: str, field: str | None
) -> None:
    response = _call(method, path, raw=raw)
    assert response.status_code < 300, (path, response.get_data(as_text=True))
    if field is None:
        return
    body = response.get_json()
    user = body["data"][0] if path.startswith("/api/1") else body
    value = json.dumps(user[field], ensure_ascii=False)
    assert "\ufffd" in value and not any("\ud800" <= c <= "\udfff" for c in value), user


def test_a_lone_surrogate_in_the_assertion_api_is_a_refusal_not_a_500() -> None:
    raw = '{"username_or_email": "\\ud800", "password": "x", "app_id": "1", "subdomain": "x"}'
    _refused(_call("POST", "/api/2/saml_assertion", raw=raw), "/api/1", 401)


def test_surrogate_free_reaches_keys_and_nested_strings_and_keeps_pairs() -> None:
    parsed = json.loads('{"a\\ud800": [1, {"b": ["\\udfff", "\\ud83d\\ude00"]}], "c": null}')
    assert surrogate_free(parsed) == {"a\ufffd": [1, {"b": ["\ufffd", "\U0001f600"]}], "c": None}
    assert surrogate_free("x\ud800") == "x\ufffd"
