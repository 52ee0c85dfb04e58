"""What a member's SCIM history says about each request: one line a support engineer reads on
the user page ("title: Engineer → Manager", "refused: ...").

The line is worked out from the documents before and after the request, before the write
transaction opens, and stored in that transaction (``ScimUsers``): an accepted change and its
line commit together or not at all, and the database lock is not held for the wording. Reads
(GET by id, filters, searches) are not recorded: recording them would turn every read into a
write. A refused POST has no member to attach it to (OneLogin's System Log has it).
"""

from __future__ import annotations

from typing import Any

#: How much of one value, of a refusal's detail and of a whole line is kept.
VALUE_CHARS = 80
DETAIL_CHARS = 300
LINE_CHARS = 2000
#: How many requests the user page shows, newest first.
SHOWN = 100
NO_CHANGE = "no change"


def created(doc: dict[str, Any]) -> str:
    """``created: userName ada@acme.example; title Engineer; ...``."""
    parts = [f"{name} {value}" for name, value in _flatten(doc).items()]
    return _line("created: " + "; ".join(parts))


def changes(before: dict[str, Any], after: dict[str, Any]) -> str:
    """Every attribute that differs, ``name: old → new`` (``—`` for none), in the order of
    the new document; ``no change`` when nothing differs."""
    old, new = _flatten(before), _flatten(after)
    names = [*new, *(name for name in old if name not in new)]
    parts = [
        f"{name}: {old.get(name, '—')} → {new.get(name, '—')}"
        for name in names
        if old.get(name) != new.get(name)
    ]
    return _line("; ".join(parts)) if parts else NO_CHANGE


def refused(detail: str) -> str:
    if len(detail) > DETAIL_CHARS:
        detail = detail[: DETAIL_CHARS - 1] + "…"
    return f"refused: {detail}"


def _flatten(doc: dict[str, Any]) -> dict[str, str]:
    """``name.givenName``, ``emails``, ``department`` (an extension's attributes by their own
    names) → the value as text."""
    flat: dict[str, str] = {}
    for name, value in doc.items():
        if name == "password":
            continue  # never stored, never shown (finish_document drops it anyway)
        if isinstance(value, dict):
            prefix = "" if name.lower().startswith("urn:") else f"{name}."
            for sub, inner in value.items():
                flat[prefix + sub] = _text(inner)
        else:
            flat[name] = _text(value)
    return flat


def _text(value: Any) -> str:
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, list):
        text = ", ".join(_entry(v) for v in value)
    elif isinstance(value, dict):
        text = ", ".join(f"{k} {_text(v)}" for k, v in value.items())
    else:
        text = str(value)
    return text if len(text) <= VALUE_CHARS else text[: VALUE_CHARS - 1] + "…"


def _entry(value: Any) -> str:
    """One entry of a multi-valued attribute: its value, with type and primary mark."""
    if not isinstance(value, dict):
        return str(value)
    marks = [str(value["type"])] if value.get("type") else []
    if value.get("primary") is True:
        marks.append("primary")
    text = str(value.get("value", value.get("display", "")))
    return f"{text} ({', '.join(marks)})" if marks else text


def _line(text: str) -> str:
    return text if len(text) <= LINE_CHARS else text[: LINE_CHARS - 1] + "…"
