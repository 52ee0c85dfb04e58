"""JSON text of stored documents and of responses: orjson where it can, the standard library
where it cannot.

orjson is several times faster on the documents a SCIM request reads and writes, but it is
stricter than :mod:`json` (lone surrogates, ``NaN``) and reads integers beyond 64 bits as
floats. Writing falls back to :mod:`json` for anything orjson refuses. Reading is used only
for documents this provider wrote itself, which hold no numbers at all (the User schemas
have no integer or decimal attribute; ``tests/wrike_sp/test_json_text.py`` keeps it so), and
falls back to :mod:`json` for what orjson refuses. Request bodies are parsed by :mod:`json`
alone, so what a client may send is what the standard library accepts.
"""

from __future__ import annotations

import json
from typing import Any

import orjson


def encode(value: Any) -> bytes:
    """Compact JSON (no spaces), UTF-8."""
    try:
        return orjson.dumps(value)
    except TypeError:  # orjson.JSONEncodeError is a TypeError
        return json.dumps(value, separators=(",", ":")).encode()


def encode_text(value: Any) -> str:
    return encode(value).decode()


def decode_stored(text: str | bytes) -> Any:
    """Parse a document this provider stored (see the module's docstring)."""
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return json.loads(text)
