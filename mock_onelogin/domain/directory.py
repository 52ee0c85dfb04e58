"""Directory rules: which user fields exist, which values they accept.

The field list and status codes follow OneLogin's v2 User resource; the SDK validates
``state`` and ``status`` against these exact sets, so a wrong code here would break clients.
"""

from __future__ import annotations

import re
from typing import Any

from mock_onelogin.domain import modelling
from mock_onelogin.domain.errors import BadRequest, ValidationFailed
from mock_onelogin.domain.input_bounds import ascii_int, is_id, without_surrogates

USER_STATES = {0: "Unapproved", 1: "Approved", 2: "Rejected", 3: "Unlicensed"}
USER_STATUSES = {
    0: "Unactivated",
    1: "Active",
    2: "Suspended",
    3: "Locked",
    4: "Password expired",
    5: "Awaiting password reset",
    7: "Password Pending",
    8: "Security questions required",
}
STATUS_ACTIVE = 1
STATUS_SUSPENDED = 2
STATUS_LOCKED = 3
STATUS_PASSWORD_PENDING = 7

#: Writable string fields of a user (v2 API names).
STRING_FIELDS = (
    "username",
    "email",
    "firstname",
    "lastname",
    "title",
    "department",
    "company",
    "comment",
    "phone",
    "samaccountname",
    "member_of",
    "userprincipalname",
    "distinguished_name",
    "external_id",
    "manager_ad_id",
    "preferred_locale_code",
)
INT_FIELDS = ("state", "status", "group_id", "directory_id", "trusted_idp_id", "manager_user_id")
WRITE_ONLY_FIELDS = ("password", "password_confirmation", "password_algorithm", "salt")
READ_ONLY_FIELDS = (
    "id",
    "created_at",
    "updated_at",
    "activated_at",
    "last_login",
    "invitation_sent_at",
    "invalid_login_attempts",
    "locked_until",
    "password_changed_at",
)
WRITABLE = (
    set(STRING_FIELDS)
    | set(INT_FIELDS)
    | set(WRITE_ONLY_FIELDS)
    | {"custom_attributes", "role_ids"}
)

#: Custom attributes the simulated account defines. "Wrike user type" feeds SCIM userType.
#: OneLogin stores custom attribute values as free text: it does not know Wrike's user types
#: (Regular, External, Collaborator, Contributor, Viewer), so a wrong value reaches Wrike and
#: Wrike's refusal shows up in the System Log, as it would for a customer.
CUSTOM_ATTRIBUTES = {"wrike_user_type": "Wrike user type"}

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def validate_user_payload(data: Any, *, creating: bool) -> dict[str, Any]:
    """Check a v2 create/update body and return the fields to store.

    Raises BadRequest for attributes OneLogin does not know (its v2 message is
    "unknown attribute: x") and ValidationFailed for values it would refuse.
    """
    if not isinstance(data, dict):
        raise BadRequest("Expected a JSON object in request body")
    for key in data:
        if key not in WRITABLE and key not in READ_ONLY_FIELDS:
            raise BadRequest(f"unknown attribute: {key}", key)
    out: dict[str, Any] = {}
    for key in STRING_FIELDS:
        if key in data:
            value = data[key]
            if value is not None and not isinstance(value, str):
                raise ValidationFailed(f"Validation failed: {key} must be a string", key)
            out[key] = without_surrogates(value.strip()) if isinstance(value, str) else value
    for key in INT_FIELDS:
        if key in data:
            value = data[key]
            if key == "manager_user_id" and isinstance(value, str):
                value = ascii_int(value, 1) or value
            if value is not None and not (is_id(value) or value == 0):
                raise ValidationFailed(
                    f"Validation failed: {key} must be an integer from 0 to {modelling.MAX_ID}",
                    key,
                )
            out[key] = value
    if "state" in out and out["state"] not in USER_STATES:
        raise ValidationFailed(
            f"Validation failed: state must be one of {sorted(USER_STATES)}", "state"
        )
    if "status" in out and out["status"] not in USER_STATUSES:
        raise ValidationFailed(
            f"Validation failed: status must be one of {sorted(USER_STATUSES)}", "status"
        )
    if out.get("email") and not _EMAIL.match(out["email"]):
        raise ValidationFailed("Validation failed: Email is not a valid email address", "email")
    if creating and not (out.get("username") or out.get("email")):
        raise ValidationFailed("Validation failed: username or email is required", "username")
    if "password" in data:
        password = data["password"]
        if not isinstance(password, str) or not password:
            raise ValidationFailed(
                "Validation failed: password must be a non-empty string", "password"
            )
        if data.get("password_confirmation") not in (None, password):
            raise ValidationFailed(
                "Validation failed: Password confirmation doesn't match Password",
                "password_confirmation",
            )
        out["password_set"] = True
    if "custom_attributes" in data:
        out["custom_attributes"] = validate_custom_attributes(data["custom_attributes"])
    if "role_ids" in data:
        out["role_ids"] = validate_id_list(data["role_ids"], "role_ids")
    return out


def validate_custom_attributes(value: Any) -> dict[str, str | None]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ValidationFailed(
            "Validation failed: custom_attributes must be an object", "custom_attributes"
        )
    out: dict[str, str | None] = {}
    for key, item in value.items():
        if key not in CUSTOM_ATTRIBUTES:
            raise BadRequest(
                f"unknown attribute: custom_attributes.{key}; this account "
                f"defines {sorted(CUSTOM_ATTRIBUTES)}",
                f"custom_attributes.{key}",
            )
        if item is not None and not isinstance(item, str):
            raise ValidationFailed(
                f"Validation failed: custom_attributes.{key} must be a string",
                f"custom_attributes.{key}",
            )
        out[key] = item if item is None else without_surrogates(item)
    return out


def validate_id_list(value: Any, name: str) -> list[int]:
    """OneLogin takes raw JSON arrays of integer ids for role membership calls."""
    if not isinstance(value, list):
        raise BadRequest("Expected array in request", name)
    for item in value:
        if not is_id(item):
            raise BadRequest(
                f"{name} must contain integer ids from 1 to {modelling.MAX_ID}, not {item!r}",
                name,
            )
    return list(dict.fromkeys(value))
