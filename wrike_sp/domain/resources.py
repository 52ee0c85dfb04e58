"""How a member is shown over SCIM: the resource with its meta, and the projection of
``attributes`` / ``excludedAttributes`` (RFC 7644 §3.4.2.5)."""

from __future__ import annotations

from typing import Any

from wrike_sp.domain.errors import ScimError
from wrike_sp.domain.records import UserRow
from wrike_sp.domain.schema import CORE_USER, ENTERPRISE_USER, output_order

_ALWAYS = ("schemas", "id")


def user_resource(user: UserRow, location: str) -> dict[str, Any]:
    doc = user.doc
    schemas = [CORE_USER, ENTERPRISE_USER] if ENTERPRISE_USER in doc else [CORE_USER]
    resource: dict[str, Any] = {"schemas": schemas, "id": user.id}
    for name in output_order():
        if name in doc:
            resource[name] = doc[name]
    resource["meta"] = {
        "resourceType": "User",
        "created": user.created,
        "lastModified": user.last_modified,
        "location": location,
        "version": f'W/"{user.version}"',
    }
    return resource


def _split(path: str) -> tuple[str, str | None]:
    """('urn:...:enterprise:2.0:User', 'department'), ('name', 'givenName'), ('userName', None)."""
    lowered = path.strip()
    low = lowered.lower()
    if low.startswith(ENTERPRISE_USER.lower()):
        rest = lowered[len(ENTERPRISE_USER) :].lstrip(":")
        return ENTERPRISE_USER, (rest or None)
    if low.startswith(CORE_USER.lower() + ":"):
        lowered = lowered[len(CORE_USER) + 1 :]
    if "." in lowered:
        top, sub = lowered.split(".", 1)
        return top, sub
    return lowered, None


def _find(resource: dict[str, Any], name: str) -> str | None:
    low = name.lower()
    return next((k for k in resource if k.lower() == low), None)


def parse_paths(text: str | None) -> list[str]:
    if not text:
        return []
    paths = [p.strip() for p in text.split(",") if p.strip()]
    if len(paths) > 100:
        raise ScimError(400, "invalidValue", "At most 100 attribute paths may be requested")
    return paths


def project(resource: dict[str, Any], attributes: list[str], excluded: list[str]) -> dict[str, Any]:
    if attributes:
        out: dict[str, Any] = {k: resource[k] for k in _ALWAYS if k in resource}
        for path in attributes:
            top, sub = _split(path)
            found = _find(resource, top)
            if found is None:
                continue
            value = resource[found]
            if sub is None:
                out[found] = value
                continue
            if isinstance(value, dict):
                sub_key = _find(value, sub)
                if sub_key is not None:
                    target = out.setdefault(found, {})
                    if isinstance(target, dict):
                        target[sub_key] = value[sub_key]
            elif isinstance(value, list):
                picked = []
                for item in value:
                    sub_key = _find(item, sub) if isinstance(item, dict) else None
                    if sub_key is not None:
                        picked.append({sub_key: item[sub_key]})
                if picked:
                    out[found] = picked
        return out
    if excluded:
        out = dict(resource)
        for path in excluded:
            top, sub = _split(path)
            found = _find(out, top)
            if found is None or found in _ALWAYS:
                continue
            if sub is None:
                del out[found]
                continue
            value = out[found]
            if isinstance(value, dict):
                trimmed = {k: v for k, v in value.items() if k.lower() != sub.lower()}
                if trimmed:
                    out[found] = trimmed
                else:
                    del out[found]
            elif isinstance(value, list):
                out[found] = [
                    {k: v for k, v in item.items() if k.lower() != sub.lower()}
                    for item in value
                    if isinstance(item, dict)
                ]
        return out
    return resource
