"""The rules for a Wrike member provisioned over SCIM: login, approved domain, user type,
attributes that stay when the identity provider omits them, and the admin-rights rule."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from typing import Any

from wrike_sp.domain import modelling
from wrike_sp.domain.errors import ScimError
from wrike_sp.domain.modelling import DEFAULT_USER_TYPE, USER_TYPES
from wrike_sp.domain.schema import (
    CORE_ATTRIBUTES,
    ENTERPRISE_ATTRIBUTES,
    ENTERPRISE_USER,
    check_value_count,
)

_EMAIL = re.compile(
    r"^[^@\s\"<>(),;:\\\[\]]+@([A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+)$"
)
_USER_TYPES = {t.lower(): t for t in USER_TYPES}


def key(text: str) -> str:
    """The comparison form of a case-insensitive string (RFC 7643 caseExact false)."""
    return unicodedata.normalize("NFC", text).lower()


def is_email(text: str) -> bool:
    return bool(_EMAIL.match(text)) and len(text) <= 254


def domain_of(email: str) -> str:
    return email.rsplit("@", 1)[1].lower()


def derive_login(doc: dict[str, Any]) -> str:
    """Wrike uses an email address as the login: Wrike's SCIM API article
    (https://help.wrike.com/hc/en-us/articles/27535624025623-SCIM-API) says it "will search
    for a valid email in userName or emails to use as login". The order is this provider's:
    ``userName`` when it is an address, else the primary email, else a work email, else the
    first."""
    user_name = doc.get("userName")
    if isinstance(user_name, str) and is_email(user_name):
        return user_name
    emails = doc.get("emails") or []
    ordered = (
        [e for e in emails if e.get("primary") is True]
        + [e for e in emails if e.get("type") == "work"]
        + list(emails)
    )
    for email in ordered:
        value = email.get("value")
        if isinstance(value, str) and is_email(value):
            return value
    raise ScimError(
        400,
        "invalidValue",
        f"Wrike uses an email address as the login, but userName '{user_name}' is not an email "
        "address and no valid address is in emails. Map userName (or the primary email) to "
        "the user's email in the identity provider.",
    )


def check_approved_domain(login: str, approved: Sequence[str]) -> None:
    """Only users from approved domains are provisioned (the article, Step 1)."""
    domain = domain_of(login)
    if domain in approved:
        return
    if not approved and modelling.EMPTY_APPROVED_DOMAINS_ALLOW_ALL:
        return
    listed = ", ".join(approved) if approved else "none yet"
    raise ScimError(
        modelling.STATUS_UNAPPROVED_DOMAIN,
        "invalidValue",
        f"The email domain '{domain}' of '{login}' is not an approved domain of this Wrike "
        f"account (approved: {listed}). Add '{domain}' to the approved domains in Wrike's "
        "account settings, or provision the user with an address at an approved domain.",
    )


def canonical_user_type(value: Any) -> str:
    """Wrike user types are matched case-insensitively; absent means Regular."""
    if value is None:
        return DEFAULT_USER_TYPE
    found = _USER_TYPES.get(str(value).lower()) if isinstance(value, str) else None
    if found is None:
        raise ScimError(
            400,
            "invalidValue",
            f"'{value}' is not a Wrike user type. Use one of: {', '.join(USER_TYPES)} "
            "(absent means Regular).",
        )
    return found


def merge_multi(existing: list[dict[str, Any]], incoming: list[dict[str, Any]]) -> list[Any]:
    """Merge multi-valued entries so that values Wrike holds and the update omits stay.

    An incoming entry replaces the first entry of the same ``type`` (or, both without a type,
    the same value, case-insensitively), whether Wrike held it or the update brought it;
    other existing entries stay. A new primary demotes the old one.

    Linear in the number of entries: the first entry of each type and of each untyped value
    is found through a dict, never by scanning the list (a scan per incoming entry made a
    long list cost its square).
    """
    result = [dict(e) for e in existing]
    new_primary = any(e.get("primary") is True for e in incoming)
    if new_primary:
        for entry in result:
            entry.pop("primary", None)
    by_type: dict[Any, int] = {}
    by_value: dict[str, int] = {}
    for index, old in enumerate(result):
        _index_entry(old, index, by_type, by_value)
    for entry in incoming:
        kind = entry.get("type")
        match = by_type.get(kind) if kind is not None else by_value.get(_value_key(entry))
        if match is None:
            _index_entry(entry, len(result), by_type, by_value)
            result.append(dict(entry))
        else:
            # Same type (or untyped with the same value): the indexes stay right.
            result[match] = dict(entry)
    return result


def _value_key(entry: dict[str, Any]) -> str:
    return str(entry.get("value", "")).lower()


def _index_entry(
    entry: dict[str, Any], index: int, by_type: dict[Any, int], by_value: dict[str, int]
) -> None:
    kind = entry.get("type")
    if kind is not None:
        by_type.setdefault(kind, index)
    else:
        by_value.setdefault(_value_key(entry), index)


def merge_for_update(existing: dict[str, Any], incoming: dict[str, Any]) -> dict[str, Any]:
    """A PUT body applied so that attributes filled in Wrike and missing from the update stay.
    Not a choice but what the article's troubleshooting note states ("If certain user
    attributes ... are filled in Wrike but missing in OneLogin, the information stays in
    Wrike"), so no switch turns it off.
    An explicit null clears an attribute; multi-valued attributes merge by ``type``
    (:func:`merge_multi`)."""
    doc: dict[str, Any] = {k: (dict(v) if isinstance(v, dict) else v) for k, v in existing.items()}
    for name, value in incoming.items():
        if value is None:
            doc.pop(name, None)
            continue
        if name == ENTERPRISE_USER:
            block = dict(doc.get(name) or {})
            for sub, sub_value in value.items():
                attr = ENTERPRISE_ATTRIBUTES[sub.lower()]
                if sub_value is None:
                    block.pop(sub, None)
                elif attr.type == "complex" and isinstance(block.get(sub), dict):
                    block[sub] = {**block[sub], **sub_value}
                else:
                    block[sub] = sub_value
            doc[name] = block
            continue
        attr = CORE_ATTRIBUTES[name.lower()]
        if attr.multi_valued and attr.type == "complex" and isinstance(doc.get(name), list):
            doc[name] = merge_multi(doc[name], value)
        elif attr.type == "complex" and isinstance(doc.get(name), dict):
            doc[name] = {**doc[name], **value}
        else:
            doc[name] = value
    return doc


def finish_document(doc: dict[str, Any], creating: bool = False) -> dict[str, Any]:
    """Drop unassigned values and settle the defaults Wrike applies when it creates a member:
    Regular and active. Later, an explicit removal leaves ``userType`` unassigned (Wrike bills
    such a member as Regular) and ``active`` unassigned (the member's status does not change)."""
    cleaned: dict[str, Any] = {}
    for name, value in doc.items():
        if name == "password":
            # Wrike stores no passwords (its SCIM API article, linked from /ServiceProviderConfig:
            # a member sets one on the password-reset page); accepted and discarded.
            continue
        if isinstance(value, dict):
            value = {k: v for k, v in value.items() if v not in (None, [], {})}
        if value in (None, [], {}):
            continue
        if isinstance(value, list):
            # A merge or a PATCH may end with more values than any one request sent.
            check_value_count(name, len(value))
        cleaned[name] = value
    if "userType" in cleaned or creating:
        cleaned["userType"] = canonical_user_type(cleaned.get("userType"))
    if "active" not in cleaned and creating:
        cleaned["active"] = True
    if "userName" not in cleaned:
        raise ScimError(400, "invalidValue", "userName is required (RFC 7643 §4.1.1)")
    return cleaned


def email_index(doc: dict[str, Any]) -> list[tuple[str, str | None]]:
    """The values the email search runs over: every address in emails."""
    return [
        (e["value"], e.get("type"))
        for e in doc.get("emails") or []
        if isinstance(e.get("value"), str)
    ]


def check_admin_rule(target_is_admin: bool, issuer_can_grant_admin: bool, issuer: str) -> None:
    """The article's note: changing an account admin needs a token whose issuer holds the
    right to grant/revoke admin rights."""
    if target_is_admin and not issuer_can_grant_admin:
        raise ScimError(
            modelling.STATUS_ADMIN_RIGHT_MISSING,
            None,
            "This user is a Wrike account admin. To update user attributes of account admins, "
            f"the account admin who issued the API token ({issuer}) must have the right "
            "'Grant/revoke admin rights' enabled. Enable it for that admin in Wrike, or issue "
            "the token from an admin who has it.",
        )


def check_owner_stays(role: str, removing: bool) -> None:
    """The account owner cannot be deactivated or deleted over SCIM (a modelling choice: an
    account without its owner could not be administered)."""
    if removing and role == "owner":
        raise ScimError(
            modelling.STATUS_ADMIN_RIGHT_MISSING,
            None,
            "This user is the owner of the Wrike account and cannot be deactivated or deleted "
            "over SCIM. Transfer ownership in Wrike first.",
        )
