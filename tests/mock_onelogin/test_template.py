"""The SCIM JSON Template renderer: what Wrike receives for a OneLogin user."""

from __future__ import annotations

import pytest

from mock_onelogin.domain.connector import ConnectorConfig
from mock_onelogin.domain.errors import ValidationFailed
from mock_onelogin.domain.template import (
    DEFAULT_TEMPLATE,
    ENTERPRISE_SCHEMA,
    AppParameter,
    CompiledTemplate,
    UserView,
    parse_template,
)

FULL_USER = UserView(
    {
        "username": "ann",
        "email": "ann@example.com",
        "firstname": "Ann",
        "lastname": "Lee",
        "title": "Designer",
        "phone": "+15551234567",
        "company": "Acme",
        "department": "Design",
        "status": 1,
    },
    {"wrike_user_type": "Collaborator"},
)


def render(
    user: UserView, template: dict | None = None, parameters: dict[str, AppParameter] | None = None
) -> dict:
    return CompiledTemplate(template or DEFAULT_TEMPLATE, parameters).render(user)


def test_default_template_renders_exactly_the_nine_synced_attributes() -> None:
    body = render(FULL_USER)
    assert body == {
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", ENTERPRISE_SCHEMA],
        "userName": "ann@example.com",
        "name": {"givenName": "Ann", "familyName": "Lee"},
        "emails": [{"value": "ann@example.com", "type": "work", "primary": True}],
        "title": "Designer",
        "phoneNumbers": [{"value": "+15551234567", "type": "work", "primary": True}],
        "userType": "Collaborator",
        ENTERPRISE_SCHEMA: {"organization": "Acme", "department": "Design"},
    }


def test_wrike_user_type_defaults_to_regular() -> None:
    body = render(UserView({"email": "bo@example.com", "firstname": "Bo"}, {}))
    assert body["userType"] == "Regular"


def test_empty_values_are_left_out_so_wrike_keeps_its_own() -> None:
    body = render(
        UserView(
            {"email": "bo@example.com", "firstname": "Bo", "phone": ""}, {"wrike_user_type": None}
        )
    )
    assert "phoneNumbers" not in body
    assert "title" not in body
    assert ENTERPRISE_SCHEMA not in body
    assert body["name"] == {"givenName": "Bo"}


def test_custom_fields_parameters_and_mixed_strings() -> None:
    template = {
        "displayName": "{$user.firstname} {$user.lastname}",
        "type": "{$user.custom_fields.wrike_user_type}",
        "login": "{$parameters.login}",
        "fixed": "literal",
        "flag": True,
    }
    body = render(FULL_USER, template, {"login": AppParameter("username")})
    assert body == {
        "displayName": "Ann Lee",
        "type": "Collaborator",
        "login": "ann",
        "fixed": "literal",
        "flag": True,
    }


def test_mixed_string_with_one_part_missing_drops_the_gap() -> None:
    template = {"displayName": "{$user.firstname} {$user.lastname}"}
    assert render(UserView({"lastname": "Lee"}), template) == {"displayName": "Lee"}


def test_unknown_parameter_is_refused_when_the_template_is_saved() -> None:
    with pytest.raises(ValidationFailed, match=r"parameters\.nope"):
        CompiledTemplate({"userName": "{$parameters.nope}"})


def test_malformed_placeholder_is_refused() -> None:
    with pytest.raises(ValidationFailed, match="malformed placeholder"):
        CompiledTemplate({"userName": "{$user.}"})


def test_template_must_be_a_json_object() -> None:
    with pytest.raises(ValidationFailed, match="not valid JSON"):
        parse_template("{not json")
    with pytest.raises(ValidationFailed, match="JSON object"):
        parse_template("[1, 2]")


def test_connector_refuses_bad_url_and_authorization_header() -> None:
    config = ConnectorConfig()
    with pytest.raises(ValidationFailed, match="http"):
        config.updated({"scim_base_url": "ftp://x"})
    with pytest.raises(ValidationFailed, match="Bearer Token"):
        config.updated({"custom_headers": {"Authorization": "Basic x"}})
    updated = config.updated(
        {"scim_base_url": "https://x.test/scim/v2/", "scim_bearer_token": "tok-abcdefgh1234"}
    )
    assert updated.scim_base_url == "https://x.test/scim/v2"
    assert updated.to_json()["scim_bearer_token"] == "****1234"
