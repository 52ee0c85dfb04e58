"""OneLogin's wire habits: which SCIM calls a provisioning task makes, and with what body.

One answer serves the engine (which sends the calls) and the approval dialog (which shows
them before an admin approves), so the two cannot drift apart:

- create: an existence check by ``userName`` (``GET /Users?filter=userName eq "..."``), then a
  ``POST`` of the rendered template, unless the check found the account (then OneLogin links
  it);
- update, suspend, reactivate: a ``PUT`` of the whole rendered template, or a ``PATCH`` of its
  attributes, as the Provisioning tab's update method says; suspend and reactivate set
  ``active``, and so does every create and every PUT (``modelling.ALWAYS_SET_ACTIVE``), so an
  RFC 7644 provider, which gives ``active`` no default, ends with the state OneLogin intends;
- delete: a ``DELETE``;
- "Do nothing": no call at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mock_onelogin.domain import modelling
from mock_onelogin.domain.provisioning import TaskKind, UpdateMethod

PATCH_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:PatchOp"

#: The ``active`` each kind of task leaves the account with. A create and an update only run
#: for a user who has the app and is not suspended (``provisioning.decide``), so both are true.
_ACTIVE = {
    TaskKind.CREATE: True,
    TaskKind.UPDATE: True,
    TaskKind.SUSPEND: False,
    TaskKind.REACTIVATE: True,
}
_NOTES = {
    TaskKind.UPDATE: "Update the user.",
    TaskKind.SUSPEND: "Suspend the user.",
    TaskKind.REACTIVATE: "Reactivate the user.",
    TaskKind.DELETE: "Delete the user.",
}


@dataclass(frozen=True)
class WireCall:
    """One SCIM call of a task. ``method`` is GET (the existence check by ``user_name``),
    POST, PUT, PATCH (``body`` is then the list of operations) or DELETE."""

    method: str
    body: Any = None
    note: str = ""
    user_name: str | None = None


def patch_operations(body: dict[str, Any], active: bool | None = None) -> list[dict[str, Any]]:
    """The rendered template as PatchOp operations, one per top-level attribute.

    Single-valued and complex attributes are ``replace``d (RFC 7644 leaves sub-attributes not
    sent unchanged). A multi-valued attribute (emails, phoneNumbers) goes out as the
    ``PATCH_MULTI_VALUED`` choice says: under ``"replace_primary"`` its primary entry replaces
    the provider's primary one (``emails[primary eq true]``) and other entries are added, so
    the provider keeps one primary email and one primary phone and the values only Wrike has
    (a secondary email) stay; under ``"add"`` the whole list is added, which an RFC 7644
    provider appends (section 3.5.2.1), keeping the stale primary beside the new one."""
    ops: list[dict[str, Any]] = []
    for key, value in body.items():
        if key == "schemas" or (key == "active" and active is not None):
            continue
        if isinstance(value, list):
            ops.extend(_multi_valued_operations(key, value))
        else:
            ops.append({"op": "replace", "path": key, "value": value})
    if active is not None:
        ops.append({"op": "replace", "path": "active", "value": active})
    return ops


def _multi_valued_operations(key: str, values: list[Any]) -> list[dict[str, Any]]:
    if modelling.PATCH_MULTI_VALUED != "replace_primary":
        return [{"op": "add", "path": key, "value": values}]
    primary = [v for v in values if isinstance(v, dict) and v.get("primary") is True]
    others = [v for v in values if not (isinstance(v, dict) and v.get("primary") is True)]
    ops = [
        {"op": "replace", "path": modelling.PATCH_PRIMARY_PATH.format(attribute=key), "value": v}
        for v in primary[:1]
    ]
    rest = primary[1:] + others
    if rest:
        ops.append({"op": "add", "path": key, "value": rest})
    return ops


def task_calls(kind: TaskKind, body: dict[str, Any], method: UpdateMethod) -> list[WireCall]:
    """The calls a task of ``kind`` makes with the template rendered for the user (``body``).

    A create needs the body's ``userName`` (the caller refuses one without it first)."""
    if kind is TaskKind.NOTHING:
        return []
    if kind is TaskKind.CREATE:
        return [
            WireCall(
                "GET",
                note="Existence check: if Wrike already has this userName, OneLogin links "
                "that account instead of creating one.",
                user_name=str(body["userName"]),
            ),
            WireCall("POST", _with_active(body, kind), "Create the user."),
        ]
    if kind is TaskKind.DELETE:
        return [WireCall("DELETE", note=_NOTES[kind])]
    active = _ACTIVE.get(kind)
    if method is UpdateMethod.PATCH:
        # An update names what the template renders and leaves ``active`` as it is; a
        # suspension sends ``active`` alone.
        ops = (
            [{"op": "replace", "path": "active", "value": False}]
            if kind is TaskKind.SUSPEND
            else patch_operations(body, active if kind is TaskKind.REACTIVATE else None)
        )
        return [WireCall("PATCH", ops, _NOTES[kind])]
    return [WireCall("PUT", _with_active(body, kind), _NOTES[kind])]


def _with_active(body: dict[str, Any], kind: TaskKind) -> dict[str, Any]:
    """The body of a create or a PUT: the rendered template with a top-level ``active``
    (``ALWAYS_SET_ACTIVE``), whatever the template says about it."""
    if not modelling.ALWAYS_SET_ACTIVE:
        return body
    return {**body, "active": _ACTIVE[kind]}
