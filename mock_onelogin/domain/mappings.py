"""User mappings: conditions on a user's fields and the roles they add.

OneLogin's ``/api/2/mappings`` resource is ``{id, name, enabled, match: all|any, position,
conditions: [{source, operator, value}], actions: [{action, value: [str]}]}``; a disabled
mapping has ``position: null`` (SDK 4.0.1 models and CHANGELOG 3.2.7/3.2.8). Which
conditions, operators and actions the simulator knows, and what it does where OneLogin does
not say, is in ``modelling`` (the block "user mappings").

This module is pure: it validates a mapping's body, and evaluates mappings against one
user's fields, saying for each mapping whether it matched and, if not, which condition failed
with the user's value (what the harness diagnosis shows).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from mock_onelogin.domain import modelling
from mock_onelogin.domain.directory import CUSTOM_ATTRIBUTES, USER_STATUSES
from mock_onelogin.domain.errors import OneLoginError

#: The user statuses a ``status`` condition offers: OneLogin's user resource's.
STATUS_NAMES = USER_STATUSES
#: The text fields of a user a condition may name, with the labels OneLogin's pages use.
TEXT_SOURCES: dict[str, str] = {
    "email": "Email",
    "username": "Username",
    "firstname": "First Name",
    "lastname": "Last Name",
    "title": "Title",
    "department": "Department",
    "company": "Company",
    "member_of": "MemberOf",
}
HAS_ROLE = "has_role"
STATUS = "status"
ADD_ROLE = "add_role"
FIELD_NAMES = ("id", "name", "enabled", "match", "position", "conditions", "actions")


class MappingInvalid(OneLoginError):
    """422 in the shape OneLogin's mappings and rules APIs use: ``{"code": 422, "message":
    "Validation Failed", "errors": [{"field": ..., "message": [...]}]}``."""

    status = 422

    def __init__(self, errors: list[tuple[str, str]]) -> None:
        super().__init__("Validation Failed", errors[0][0] if errors else None)
        self.errors = errors

    def body(self) -> dict[str, Any]:
        grouped: dict[str, list[str]] = {}
        for field, message in self.errors:
            grouped.setdefault(field, []).append(message)
        return {
            "code": 422,
            "message": "Validation Failed",
            "errors": [{"field": f, "message": m} for f, m in grouped.items()],
        }


def custom_source(shortname: str) -> str:
    return modelling.MAPPING_CUSTOM_ATTRIBUTE_SOURCE.format(shortname=shortname)


def sources() -> list[dict[str, str]]:
    """``GET /api/2/mappings/conditions``: every condition source, as ``{name, value}``."""
    out = [{"name": label, "value": value} for value, label in TEXT_SOURCES.items()]
    out.append({"name": "Status", "value": STATUS})
    out.append({"name": "Roles", "value": HAS_ROLE})
    out += [
        {"name": label, "value": custom_source(short)}
        for short, label in sorted(CUSTOM_ATTRIBUTES.items())
    ]
    return out


def source_names() -> dict[str, str]:
    return {s["value"]: s["name"] for s in sources()}


def operators(source: str) -> dict[str, str] | None:
    """The operators a source accepts, ``value -> name``; None for an unknown source."""
    if source == HAS_ROLE:
        return dict(modelling.MAPPING_ROLE_OPERATORS)
    if source == STATUS:
        return dict(modelling.MAPPING_STATUS_OPERATORS)
    if source in source_names():
        return dict(modelling.MAPPING_TEXT_OPERATORS)
    return None


def is_custom(source: str) -> bool:
    return source not in TEXT_SOURCES and source not in (HAS_ROLE, STATUS)


def actions() -> list[dict[str, str]]:
    """``GET /api/2/mappings/actions``: the actions the simulator carries out."""
    return [{"name": name, "value": value} for value, name in modelling.MAPPING_ACTIONS.items()]


@dataclass(frozen=True)
class Condition:
    source: str
    operator: str
    value: str

    def to_json(self) -> dict[str, str]:
        return {"source": self.source, "operator": self.operator, "value": self.value}

    def describe(self, role_names: Mapping[int, str] | None = None) -> str:
        """``department = 'Engineering'`` as support reads it."""
        op = operators(self.source) or {}
        value = self.value
        if self.source == HAS_ROLE and role_names is not None and value.isdigit():
            value = role_names.get(int(value), value)
        if self.source == STATUS and value.isdigit():
            value = STATUS_NAMES.get(int(value), value)
        return f"{self.source} {op.get(self.operator, self.operator)} {value!r}"


@dataclass(frozen=True)
class Action:
    action: str
    value: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {"action": self.action, "value": list(self.value)}


@dataclass(frozen=True)
class MappingSpec:
    """A mapping's body, validated: what create and update store."""

    name: str
    enabled: bool
    match: str
    position: int | None
    conditions: tuple[Condition, ...]
    actions: tuple[Action, ...]

    def role_ids(self) -> list[int]:
        """The roles its ``add_role`` actions give."""
        return [int(v) for a in self.actions if a.action == ADD_ROLE for v in a.value]


@dataclass(frozen=True)
class StoredMapping:
    id: int
    spec: MappingSpec
    position: int | None

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> StoredMapping:
        """A mapping as the API answers it (how a client evaluates what it read)."""
        spec = MappingSpec(
            str(data["name"]),
            bool(data["enabled"]),
            str(data["match"]),
            data.get("position"),
            tuple(Condition(c["source"], c["operator"], c["value"]) for c in data["conditions"]),
            tuple(Action(a["action"], tuple(a["value"])) for a in data["actions"]),
        )
        return cls(int(data["id"]), spec, data.get("position"))

    def to_json(self) -> dict[str, Any]:
        spec = self.spec
        return {
            "id": self.id,
            "name": spec.name,
            "enabled": spec.enabled,
            "match": spec.match,
            "position": self.position,
            "conditions": [c.to_json() for c in spec.conditions],
            "actions": [a.to_json() for a in spec.actions],
        }


def validate(data: Any, role_exists: Callable[[int], bool], max_position: int) -> MappingSpec:
    """A mapping's body (create or update: the whole mapping) or ``MappingInvalid`` listing
    every problem. ``max_position`` is the last position the mapping may take."""
    if not isinstance(data, dict):
        raise MappingInvalid([("body", "Expected a JSON object with the mapping")])
    errors: list[tuple[str, str]] = []
    for key in data:
        if key not in FIELD_NAMES:
            errors.append((str(key), "Unknown field"))
    name = data.get("name")
    if "name" not in data or name is None:
        errors.append(("name", "Required field is missing"))
    elif not isinstance(name, str) or not name.strip():
        errors.append(("name", "Must be a non-empty string"))
    elif len(name) > modelling.MAPPING_NAME_MAX:
        errors.append(("name", f"Must be at most {modelling.MAPPING_NAME_MAX} characters"))
    enabled = data.get("enabled")
    if "enabled" not in data or enabled is None:
        errors.append(("enabled", "Required field is missing"))
    elif not isinstance(enabled, bool):
        errors.append(("enabled", "Must be true or false"))
    match = data.get("match")
    if "match" not in data or match is None:
        errors.append(("match", "Required field is missing"))
    elif match not in ("all", "any"):
        errors.append(("match", "Must be one of: all, any"))
    position = data.get("position")
    if position is not None and (
        not isinstance(position, int)
        or isinstance(position, bool)
        or not 1 <= position <= max_position
    ):
        errors.append(("position", f"Must be null or a whole number from 1 to {max_position}"))
    conditions = _conditions(data, role_exists, errors)
    actions_ = _actions(data, role_exists, errors)
    if errors:
        raise MappingInvalid(errors)
    assert isinstance(name, str) and isinstance(enabled, bool) and isinstance(match, str)
    return MappingSpec(
        name.strip(),
        enabled,
        match,
        position if enabled else None,
        tuple(conditions),
        tuple(actions_),
    )


def _conditions(
    data: dict[str, Any], role_exists: Callable[[int], bool], errors: list[tuple[str, str]]
) -> list[Condition]:
    raw = data.get("conditions")
    if "conditions" not in data or raw is None:
        errors.append(("conditions", "Required field is missing"))
        return []
    if not isinstance(raw, list):
        errors.append(("conditions", "Must be an array of conditions"))
        return []
    if not raw:
        errors.append(("conditions", "At least one condition is required"))
    if len(raw) > modelling.MAPPING_MAX_ITEMS:
        errors.append(("conditions", f"At most {modelling.MAPPING_MAX_ITEMS} conditions"))
        return []
    out = []
    for i, item in enumerate(raw):
        at = f"conditions[{i}]"
        if not isinstance(item, dict):
            errors.append((at, "Must be an object with source, operator and value"))
            continue
        extra = set(item) - {"source", "operator", "value"}
        if extra:
            errors.append((f"{at}.{sorted(extra)[0]}", "Unknown field"))
        source, operator, value = item.get("source"), item.get("operator"), item.get("value")
        ops = operators(source) if isinstance(source, str) else None
        if ops is None:
            errors.append(
                (
                    f"{at}.source",
                    f"Unknown condition source {source!r}; see /api/2/mappings/conditions",
                )
            )
            continue
        if not isinstance(operator, str) or operator not in ops:
            errors.append(
                (f"{at}.operator", f"{source} takes one of these operators: {', '.join(ops)}")
            )
            continue
        if not isinstance(value, str):
            errors.append((f"{at}.value", "Must be a string"))
            continue
        if len(value) > modelling.MAPPING_VALUE_MAX:
            errors.append((f"{at}.value", f"At most {modelling.MAPPING_VALUE_MAX} characters"))
            continue
        if source == HAS_ROLE and not (_id(value) and role_exists(int(value))):
            errors.append((f"{at}.value", "Invalid condition value: no role with this id"))
            continue
        if source == STATUS and not (value.isdigit() and int(value) in STATUS_NAMES):
            errors.append((f"{at}.value", "Invalid condition value: not a user status"))
            continue
        out.append(Condition(str(source), operator, value))
    return out


def _id(text: str) -> bool:
    return text.isascii() and text.isdigit() and len(text) < 19 and int(text) > 0


def _actions(
    data: dict[str, Any], role_exists: Callable[[int], bool], errors: list[tuple[str, str]]
) -> list[Action]:
    raw = data.get("actions")
    if "actions" not in data or raw is None:
        errors.append(("actions", "Required field is missing"))
        return []
    if not isinstance(raw, list):
        errors.append(("actions", "Must be an array of actions"))
        return []
    if len(raw) > modelling.MAPPING_MAX_ITEMS:
        errors.append(("actions", f"At most {modelling.MAPPING_MAX_ITEMS} actions"))
        return []
    out = []
    for i, item in enumerate(raw):
        at = f"actions[{i}]"
        if not isinstance(item, dict):
            errors.append((at, "Must be an object with action and value"))
            continue
        extra = set(item) - {"action", "value"}
        if extra:
            errors.append((f"{at}.{sorted(extra)[0]}", "Unknown field"))
        action, values = item.get("action"), item.get("value")
        if not isinstance(action, str) or action not in modelling.MAPPING_ACTIONS:
            errors.append(
                (
                    f"{at}.action",
                    f"The simulator carries out only {', '.join(modelling.MAPPING_ACTIONS)}; "
                    f"{action!r} is not simulated",
                )
            )
            continue
        if (
            not isinstance(values, list)
            or not values
            or len(values) > modelling.MAPPING_MAX_ITEMS
            or not all(isinstance(v, str) for v in values)
        ):
            errors.append((f"{at}.value", "Must be a non-empty array of role ids as strings"))
            continue
        if not all(_id(v) and role_exists(int(v)) for v in values):
            # The API's own words for an id it does not know (OneLogin's Terraform provider
            # examples quote it).
            errors.append((f"{at}.value", "Invalid action value(s)"))
            continue
        out.append(Action(action, tuple(dict.fromkeys(values))))
    return out


# evaluation ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class ConditionResult:
    condition: Condition
    held: bool
    #: The user's value the condition looked at (role ids for has_role), as shown to support.
    user_value: str


@dataclass(frozen=True)
class MappingResult:
    mapping: StoredMapping
    matched: bool
    conditions: tuple[ConditionResult, ...]

    @property
    def failed(self) -> tuple[ConditionResult, ...]:
        return tuple(c for c in self.conditions if not c.held)


def user_value(source: str, user: Mapping[str, Any], role_ids: Sequence[int]) -> Any:
    """What a condition compares: the user's field (a custom attribute for a custom source,
    the role ids for has_role, the status number for status)."""
    if source == HAS_ROLE:
        return list(role_ids)
    if source == STATUS:
        return user.get("status")
    if source in TEXT_SOURCES:
        return user.get(source)
    custom = user.get("custom_attributes") or {}
    for short in CUSTOM_ATTRIBUTES:
        if custom_source(short) == source:
            return custom.get(short)
    return None


def _text(value: Any) -> str:
    text = "" if value is None else str(value)
    return text if modelling.MAPPING_TEXT_CASE_SENSITIVE else text.casefold()


def holds(condition: Condition, value: Any) -> bool:
    op, want = condition.operator, condition.value
    if condition.source == HAS_ROLE:
        return op == "ri" and int(want) in value
    if condition.source == STATUS:
        equal = value is not None and int(value) == int(want)
        return equal if op == "=" else not equal
    have, wanted = _text(value), _text(want)
    if op == "=":
        return have == wanted
    if op == "!=":
        return have != wanted
    if op == "~":
        return wanted in have
    if op == "!~":
        return wanted not in have
    return False


def shown(source: str, value: Any, role_names: Mapping[int, str] | None = None) -> str:
    if source == HAS_ROLE:
        names = [(role_names or {}).get(r, str(r)) for r in value]
        return ", ".join(names) if names else "(no role)"
    if source == STATUS and value is not None:
        return STATUS_NAMES.get(int(value), str(value))
    return "(empty)" if value in (None, "") else str(value)


def evaluate(
    mappings: Sequence[StoredMapping],
    user: Mapping[str, Any],
    manual_role_ids: Sequence[int],
    role_names: Mapping[int, str] | None = None,
) -> list[MappingResult]:
    """Each enabled mapping in position order, against the user. A ``has_role`` condition
    sees the user's manual roles plus those earlier mappings added (one pass, in order:
    ``modelling.MAPPING_ROLES_SEEN_BY_LATER``)."""
    roles = list(manual_role_ids)
    results = []
    ordered = sorted((m for m in mappings if m.spec.enabled), key=lambda m: (m.position or 0, m.id))
    for mapping in ordered:
        checked = []
        for condition in mapping.spec.conditions:
            value = user_value(condition.source, user, roles)
            checked.append(
                ConditionResult(
                    condition, holds(condition, value), shown(condition.source, value, role_names)
                )
            )
        flags = [c.held for c in checked]
        matched = bool(flags) and (all(flags) if mapping.spec.match == "all" else any(flags))
        results.append(MappingResult(mapping, matched, tuple(checked)))
        if matched and modelling.MAPPING_ROLES_SEEN_BY_LATER:
            roles += [r for r in mapping.spec.role_ids() if r not in roles]
    return results


def granted_roles(results: Sequence[MappingResult]) -> dict[int, StoredMapping]:
    """role id -> the first matching mapping that gives it."""
    out: dict[int, StoredMapping] = {}
    for result in results:
        if result.matched:
            for role_id in result.mapping.spec.role_ids():
                out.setdefault(role_id, result.mapping)
    return out


def explain(result: MappingResult, role_names: Mapping[int, str] | None = None) -> str:
    """Why a mapping did not match, in one sentence: each failed condition with the user's
    value."""
    failed = result.failed
    how = "all of its conditions" if result.mapping.spec.match == "all" else "any condition"
    parts = [
        f"{c.condition.describe(role_names)} is not met (the user's "
        f"{c.condition.source} is {c.user_value!r})"
        for c in failed
    ]
    text = f"it needs {how} to hold: " + "; ".join(parts)
    if not modelling.MAPPING_TEXT_CASE_SENSITIVE and any(
        c.condition.source not in (HAS_ROLE, STATUS) for c in failed
    ):
        text += " (text compared ignoring case: assumed, OneLogin does not say)"
    return text


def matches_filter(mapping: StoredMapping, kind: str, pattern: str) -> bool:
    """``has_condition`` / ``has_action`` filters: ``name:value`` pairs, ``*`` a wildcard in
    either part, any pair matching."""
    for pair in pattern.split(","):
        name, _, value = pair.strip().partition(":")
        items: list[tuple[str, list[str]]] = (
            [(c.source, [c.value]) for c in mapping.spec.conditions]
            if kind == "condition"
            else [(a.action, list(a.value)) for a in mapping.spec.actions]
        )
        for item_name, values in items:
            if _wild(name, item_name) and any(_wild(value or "*", v) for v in values):
                return True
    return False


def _wild(pattern: str, text: str) -> bool:
    if pattern == "*":
        return True
    if "*" not in pattern:
        return pattern == text
    head, *middle, tail = pattern.split("*")
    if not text.startswith(head) or not text.endswith(tail) or len(head) + len(tail) > len(text):
        return False
    rest = text[len(head) : len(text) - len(tail)]
    for part in middle:
        found = rest.find(part)
        if found < 0:
            return False
        rest = rest[found + len(part) :]
    return True


def matches_type(mapping: StoredMapping, kind: str, wanted: str) -> bool:
    """``has_condition_type`` / ``has_action_type``: builtin, custom or none."""
    if kind == "condition":
        names = [c.source for c in mapping.spec.conditions]
        custom = [is_custom(n) for n in names]
    else:
        names = [a.action for a in mapping.spec.actions]
        custom = [False for _ in names]  # add_role is a builtin action
    if wanted == "none":
        return not names
    if wanted == "custom":
        return any(custom)
    if wanted == "builtin":
        return any(not c for c in custom)
    return False
