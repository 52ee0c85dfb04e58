"""OneLogin's wire habits: which SCIM calls a provisioning task makes, and with what body.

One answer serves the engine (which sends the calls) and the approval dialog (which shows
them before an admin approves), so the two cannot drift apart:

- create: an existence check by ``userName`` (``GET /Users?filter=userName eq "..."``), then a
  ``POST`` of the rendered template, unless the check found the account (then OneLogin links
  it);
- update, suspend, reactivate: a ``PUT`` of the whole rendered template, or a ``PATCH`` of its
  attributes, as the Provisioning tab's update method says; suspend and reactivate set
  ``active``;
- delete: a ``DELETE``;
- "Do nothing": no call at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mock_onelogin.domain import modelling
from mock_onelogin.domain.provisioning import TaskKind, UpdateMethod

PATCH_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:PatchOp"

_ACTIVE = {TaskKind.SUSPEND: False, TaskKind.REACTIVATE: True}
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
    sent unchanged). Multi-valued attributes (emails, phoneNumbers) are ``add``ed: a
    ``replace`` without a filter would wipe the values OneLogin does not have, such as a
    secondary email filled in Wrike, which the article says stay."""
    op_for = modelling.PATCH_MULTI_VALUED_OP
    ops = [
        {"op": op_for if isinstance(value, list) else "replace", "path": key, "value": value}
        for key, value in body.items()
        if key != "schemas"
    ]
    if active is not None:
        ops = [op for op in ops if op["path"] != "active"]
        ops.append({"op": "replace", "path": "active", "value": active})
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
            WireCall("POST", body, "Create the user."),
        ]
    if kind is TaskKind.DELETE:
        return [WireCall("DELETE", note=_NOTES[kind])]
    active = _ACTIVE.get(kind)
    if method is UpdateMethod.PATCH:
        ops = (
            [{"op": "replace", "path": "active", "value": False}]
            if kind is TaskKind.SUSPEND
            else patch_operations(body, active)
        )
        return [WireCall("PATCH", ops, _NOTES[kind])]
    sent = dict(body)
    if active is not None and modelling.ALWAYS_SET_ACTIVE:
        sent["active"] = active
    return [WireCall("PUT", sent, _NOTES[kind])]
