"""The User schema Wrike publishes, and a fast reader of SCIM payloads built from it.

The published schemas come from scim2-models (one source of truth for attribute names and
characteristics; :mod:`wrike_sp.domain.user_model`). Reading a payload through the pydantic
models costs close to a millisecond, which would dominate every request, so payloads are
normalised here with a small table of attribute definitions derived from those same schemas.

The table is derived on first read, not on import: scim2-models builds its models when it is
imported, which takes longer than a whole case replay, and a request refused before its body
is read (a wrong token, a plan without SCIM) needs no schema at all.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from wrike_sp.domain import modelling
from wrike_sp.domain.errors import ScimError

CORE_USER = "urn:ietf:params:scim:schemas:core:2.0:User"
ENTERPRISE_USER = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
LIST_RESPONSE = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
SEARCH_REQUEST = "urn:ietf:params:scim:api:messages:2.0:SearchRequest"


@dataclass(frozen=True)
class AttributeDef:
    """One attribute of a schema, with the characteristics the reader enforces."""

    name: str
    type: str
    multi_valued: bool = False
    mutability: str = "readWrite"
    returned: str = "default"
    case_exact: bool = False
    sub_attributes: dict[str, AttributeDef] = field(default_factory=dict)


def _definition(raw: dict[str, Any]) -> AttributeDef:
    subs = {s["name"].lower(): _definition(s) for s in raw.get("subAttributes") or []}
    return AttributeDef(
        name=raw["name"],
        type=raw["type"],
        multi_valued=bool(raw.get("multiValued")),
        mutability=raw.get("mutability", "readWrite"),
        returned=raw.get("returned", "default"),
        case_exact=bool(raw.get("caseExact")),
        sub_attributes=subs,
    )


@dataclass(frozen=True)
class _Tables:
    core: dict[str, AttributeDef]
    enterprise: dict[str, AttributeDef]
    #: An extension's URN, lowered, to its spelling and its attributes.
    extensions: dict[str, tuple[str, dict[str, AttributeDef]]]


@cache
def _tables() -> _Tables:
    """The reader's attribute tables, derived from the published schemas the first time a
    payload or a path is read."""
    from wrike_sp.domain.user_model import CORE_SCHEMA, ENTERPRISE_SCHEMA

    core: dict[str, AttributeDef] = {
        # A common attribute of every resource (RFC 7643 §3.1), owned by the client and not
        # listed in the User schema; Entra and scim2-tester send it.
        "externalid": AttributeDef(name="externalId", type="string", case_exact=True),
        **{a["name"].lower(): _definition(a) for a in CORE_SCHEMA["attributes"]},
    }
    enterprise = {a["name"].lower(): _definition(a) for a in ENTERPRISE_SCHEMA["attributes"]}
    return _Tables(core, enterprise, {ENTERPRISE_USER.lower(): (ENTERPRISE_USER, enterprise)})


class _Table(Mapping[str, AttributeDef]):
    """One of the attribute tables (keyed by lowered name, in the schema's order), read
    from :func:`_tables` on first use."""

    __slots__ = ("_which",)

    def __init__(self, which: str) -> None:
        self._which = which

    def _table(self) -> dict[str, AttributeDef]:
        table: dict[str, AttributeDef] = getattr(_tables(), self._which)
        return table

    def __getitem__(self, name: str) -> AttributeDef:
        return self._table()[name]

    def get(self, name: str, default: Any = None) -> Any:
        return self._table().get(name, default)

    def __contains__(self, name: object) -> bool:
        return name in self._table()

    def __iter__(self) -> Iterator[str]:
        return iter(self._table())

    def __len__(self) -> int:
        return len(self._table())

    def __repr__(self) -> str:
        return f"<{self._which} attributes: {', '.join(a.name for a in self.values())}>"


@cache
def output_order() -> tuple[str, ...]:
    """The order a resource's attributes are written in: the schema's, then the extension
    (whatever order the client wrote)."""
    return (*(a.name for a in _tables().core.values()), ENTERPRISE_USER)


#: The core User attributes (with ``externalId``), keyed by lowered name.
CORE_ATTRIBUTES: Mapping[str, AttributeDef] = _Table("core")
#: The enterprise extension's attributes, keyed by lowered name.
ENTERPRISE_ATTRIBUTES: Mapping[str, AttributeDef] = _Table("enterprise")
# Attributes every client may send and the server ignores (RFC 7643 §3.1 readOnly).
_IGNORED_TOP = {"id", "meta", "schemas", "groups"}


# Characters no attribute value may hold: C0/C1 controls (but tab and newlines), lone
# surrogates and the bidirectional overrides that disguise what a value says.
_FORBIDDEN = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\u202a-\u202e\u2066-\u2069]"
)


def _scalar(attr: AttributeDef, value: Any, where: str) -> Any:
    if value is None:
        return None
    kind = attr.type
    if kind == "boolean":
        if isinstance(value, bool):
            return value
        # Entra sends "True"/"False" strings; RFC 7643 §2.3.2 wants a JSON boolean.
        if isinstance(value, str) and value.lower() in ("true", "false"):
            return value.lower() == "true"
        raise ScimError(400, "invalidValue", f"'{where}' must be a boolean, got {value!r}")
    if kind == "integer":
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        raise ScimError(400, "invalidValue", f"'{where}' must be an integer, got {value!r}")
    if kind == "decimal":
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return value
        raise ScimError(400, "invalidValue", f"'{where}' must be a number, got {value!r}")
    if isinstance(value, str):
        if len(value) > 2048:
            raise ScimError(400, "invalidValue", f"'{where}' is longer than 2048 characters")
        if _FORBIDDEN.search(value):
            raise ScimError(
                400,
                "invalidValue",
                f"'{where}' contains control or bidirectional-override characters",
            )
        return value
    raise ScimError(400, "invalidValue", f"'{where}' must be a string, got {type(value).__name__}")


def unknown_attribute(where: str, why: str, scim_type: str) -> None:
    """An attribute outside the User schema and its enterprise extension: returns when
    ``modelling.UNKNOWN_ATTRIBUTES`` is "ignore" (the caller drops it), else refuses with 400
    naming it. Every refusal starts "Unknown attribute '<where>'", so a reader of the error
    (the harness diagnosis) knows it whatever the request's shape."""
    if modelling.UNKNOWN_ATTRIBUTES == "ignore":
        return
    raise ScimError(400, scim_type, f"Unknown attribute '{where}': {why} (see /Schemas)")


def _complex(attr: AttributeDef, value: Any, where: str) -> dict[str, Any] | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise ScimError(400, "invalidValue", f"'{where}' must be an object")
    out: dict[str, Any] = {}
    for key, sub_value in value.items():
        sub = attr.sub_attributes.get(str(key).lower())
        if sub is None:
            unknown_attribute(
                f"{where}.{key}",
                f"'{where}' has no sub-attribute '{key}' in the User schema",
                "invalidValue",
            )
            continue
        if sub.mutability == "readOnly":
            continue
        converted = _scalar(sub, sub_value, f"{where}.{sub.name}")
        if converted is not None:
            out[sub.name] = converted
    return out or None


def check_value_count(where: str, count: int) -> None:
    """A multi-valued attribute holds at most ``MAX_MULTI_VALUES`` values (a modelling
    choice): checked before a value is converted or merged, so an oversized list costs no
    more than counting it."""
    if count > modelling.MAX_MULTI_VALUES:
        raise ScimError(
            400,
            "invalidValue",
            f"'{where}' has {count} values; Wrike keeps at most {modelling.MAX_MULTI_VALUES} "
            "values in one multi-valued attribute. Send fewer values.",
        )


def read_attribute(attr: AttributeDef, value: Any, where: str) -> Any:
    """Convert one incoming attribute value; ``None`` means unassigned (RFC 7643 §2.5)."""
    if attr.multi_valued:
        if value is None:
            return None
        if isinstance(value, dict):
            # OneLogin's older templates send a single object where a list belongs.
            value = [value]
        if not isinstance(value, list):
            raise ScimError(400, "invalidValue", f"'{where}' must be a list")
        check_value_count(where, len(value))
        items = []
        for item in value:
            converted = (
                _complex(attr, item, where)
                if attr.type == "complex"
                else _scalar(attr, item, where)
            )
            if converted is not None:
                items.append(converted)
        if attr.type == "complex" and sum(1 for i in items if i.get("primary") is True) > 1:
            raise ScimError(400, "invalidValue", f"'{where}' has more than one primary value")
        return items or None
    if attr.type == "complex":
        return _complex(attr, value, where)
    return _scalar(attr, value, where)


def read_user_payload(payload: Any) -> dict[str, Any]:
    """Normalise a User body (POST or PUT) into canonical attribute names.

    Attribute names are case-insensitive (RFC 7643 §2.1); readOnly attributes are ignored;
    an attribute the schema does not know is dropped or refused, as
    ``modelling.UNKNOWN_ATTRIBUTES`` says (:func:`unknown_attribute`).
    Returns a dict whose keys are canonical names; the extension sits under its URN.
    Keys present with a ``None`` value mean "explicitly unassigned".
    """
    if not isinstance(payload, dict):
        raise ScimError(400, "invalidSyntax", "The request body must be a JSON object")
    tables = _tables()
    out: dict[str, Any] = {}
    for key, value in payload.items():
        lowered = str(key).lower()
        if lowered in _IGNORED_TOP:
            continue
        extension = tables.extensions.get(lowered)
        if extension is not None:
            urn, attributes = extension
            if value is None:
                out[urn] = None
                continue
            if not isinstance(value, dict):
                raise ScimError(400, "invalidValue", f"'{urn}' must be an object")
            block: dict[str, Any] = {}
            for sub_key, sub_value in value.items():
                attr = attributes.get(str(sub_key).lower())
                if attr is None:
                    unknown_attribute(
                        f"{urn}:{sub_key}",
                        f"the enterprise extension has no attribute '{sub_key}'",
                        "invalidValue",
                    )
                    continue
                if attr.mutability == "readOnly":
                    continue
                block[attr.name] = read_attribute(attr, sub_value, f"{urn}:{attr.name}")
            out[urn] = block
            continue
        if lowered.startswith(CORE_USER.lower() + ":"):
            lowered = lowered[len(CORE_USER) + 1 :]
        attr = tables.core.get(lowered)
        if attr is None:
            unknown_attribute(
                str(key),
                "it is not in the User schema or its enterprise extension",
                "invalidSyntax",
            )
            continue
        if attr.mutability == "readOnly":
            continue
        out[attr.name] = read_attribute(attr, value, attr.name)
    return out


# A PATCH path or a key of a no-path value: an attribute, an optional value filter, and an
# optional sub-attribute (``emails[type eq "work"].value``, ``name.givenName``).
_PATH = re.compile(r"^([^.\[\]]+)(\[[^\]]*\])?(?:\.([^.\[\]]+))?$")


def _resolve(path: str) -> tuple[str, AttributeDef | None, str | None, bool] | None:
    """(where, the attribute, its sub-attribute name, whether the path names the whole
    enterprise extension) for a PATCH path, or ``None`` when the path is not one this reader
    understands (scim2-models then judges it)."""
    lowered = path.lower()
    if lowered == ENTERPRISE_USER.lower():
        return ENTERPRISE_USER, None, None, True
    tables = _tables()
    attributes = tables.core
    rest = path
    if lowered.startswith(ENTERPRISE_USER.lower() + ":"):
        attributes, rest = tables.enterprise, path[len(ENTERPRISE_USER) + 1 :]
    elif lowered.startswith(CORE_USER.lower() + ":"):
        rest = path[len(CORE_USER) + 1 :]
    match = _PATH.match(rest)
    if match is None or (attributes is tables.core and match[1].lower() in _IGNORED_TOP):
        return None  # id, meta, schemas, groups: scim2-models answers for them
    return path, attributes.get(match[1].lower()), match[3], False


def _known_value(attr: AttributeDef, value: Any, where: str) -> Any:
    """``value`` of a complex attribute without the sub-attributes the schema does not know."""
    if not attr.sub_attributes:
        return value
    if isinstance(value, list):
        return [_known_value(attr, item, where) for item in value]
    if not isinstance(value, dict):
        return value
    kept = {}
    for key, sub_value in value.items():
        if str(key).lower() in attr.sub_attributes:
            kept[key] = sub_value
        else:
            unknown_attribute(
                f"{where}.{key}",
                f"'{where}' has no sub-attribute '{key}' in the User schema",
                "invalidValue",
            )
    return kept


def _known_extension(value: Any) -> Any:
    if not isinstance(value, dict):
        return value
    kept = {}
    for key, sub_value in value.items():
        attr = _tables().enterprise.get(str(key).lower())
        where = f"{ENTERPRISE_USER}:{key}"
        if attr is None:
            unknown_attribute(
                where, f"the enterprise extension has no attribute '{key}'", "invalidValue"
            )
            continue
        kept[key] = _known_value(attr, sub_value, where)
    return kept


def _known_items(value: dict[str, Any]) -> dict[str, Any]:
    """A no-path PATCH value without the attributes the schema does not know."""
    kept = {}
    for key, item in value.items():
        if str(key).lower() in _IGNORED_TOP:
            kept[key] = item
            continue
        resolved = _resolve(str(key))
        if resolved is None:
            kept[key] = item
            continue
        where, attr, sub, extension = resolved
        if extension:
            kept[key] = _known_extension(item)
        elif attr is None or (sub is not None and sub.lower() not in attr.sub_attributes):
            unknown_attribute(
                where, "it is not in the User schema or its enterprise extension", "invalidValue"
            )
        else:
            kept[key] = item if sub is not None else _known_value(attr, item, attr.name)
    return kept


def known_patch_operations(operations: list[Any]) -> list[Any]:
    """PATCH operations with what names an attribute outside the User schema and its
    enterprise extension dropped, or refused (``modelling.UNKNOWN_ATTRIBUTES``): an operation
    whose path is unknown goes (invalidPath when refused), unknown keys leave a value
    (invalidValue), and an operation left with an empty value goes too. Anything this reader
    does not understand is passed on unchanged for scim2-models to judge."""
    kept: list[Any] = []
    for operation in operations:
        if not isinstance(operation, dict):
            kept.append(operation)
            continue
        names = {str(k).lower(): k for k in operation}
        path = operation.get(names["path"]) if "path" in names else None
        if "value" not in names:
            value_key = None
            value = None
        else:
            value_key = names["value"]
            value = operation[value_key]
        if isinstance(path, str):
            resolved = _resolve(path)
            if resolved is None:
                kept.append(operation)
                continue
            where, attr, sub, extension = resolved
            if not extension and (
                attr is None or (sub is not None and sub.lower() not in attr.sub_attributes)
            ):
                unknown_attribute(
                    where,
                    "it is not in the User schema or its enterprise extension",
                    "invalidPath",
                )
                continue
            if value_key is None or sub is not None:
                kept.append(operation)
                continue
            if attr is None:
                known = _known_extension(value)
            else:
                known = _known_value(attr, value, attr.name)
        elif isinstance(value, dict) and value_key is not None:
            known = _known_items(value)
        else:
            kept.append(operation)
            continue
        if known == {} and value != {}:
            continue  # nothing known was left to set
        kept.append({**operation, value_key: known})
    return kept
