"""The shape every number and JSON text from outside must have before the simulator reads it.

The bounds themselves are modelling choices (``modelling.MAX_ID``, ``MAX_JSON_DEPTH``...);
this module holds the checks so that the API, the simulator API and the connector template
apply one rule.
"""

from __future__ import annotations

import re
from typing import Any, TypeGuard

from mock_onelogin.domain import modelling
from webguard import json_nesting_exceeds

#: An integer as a URL or a query carries it: ASCII digits (``str.isdigit`` and ``int`` also
#: take Unicode digits such as "¹" or fullwidth digits (U+FF11)), at most 19 of them.
_ASCII_INT = re.compile(r"[0-9]{1,19}")


#: UTF-16 halves Python keeps when JSON names one without its partner (``"\\ud800"``).
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def without_surrogates(text: str) -> str:
    """``text`` with each lone surrogate replaced (``modelling.LONE_SURROGATE_REPLACEMENT``),
    so that it can be encoded as UTF-8 (SQLite, XML, an answer)."""
    return _LONE_SURROGATE.sub(modelling.LONE_SURROGATE_REPLACEMENT, text)


def surrogate_free(value: Any) -> Any:
    """A parsed JSON value with every string in it (keys too) passed through
    ``without_surrogates``; a value without a lone surrogate comes back unchanged. Walks
    without recursion (the value's depth is bounded, but not by Python's stack)."""
    if isinstance(value, str):
        return without_surrogates(value)
    if not isinstance(value, (dict, list)):
        return value
    root: list[Any] = [value]
    stack: list[tuple[Any, Any]] = [(root, 0)]
    while stack:
        parent, slot = stack.pop()
        node = parent[slot]
        if isinstance(node, str):
            parent[slot] = without_surrogates(node)
        elif isinstance(node, list):
            stack.extend((node, i) for i in range(len(node)))
        elif isinstance(node, dict):
            if any(isinstance(k, str) and _LONE_SURROGATE.search(k) for k in node):
                node = {without_surrogates(k): v for k, v in node.items()}
                parent[slot] = node
            stack.extend((node, k) for k in list(node))
    return root[0]


def ascii_int(text: str, minimum: int = 0, maximum: int = modelling.MAX_ID) -> int | None:
    """The number ``text`` spells in ASCII digits when it lies in [minimum, maximum]; else
    None."""
    if not _ASCII_INT.fullmatch(text):
        return None
    number = int(text)
    return number if minimum <= number <= maximum else None


def is_id(value: Any) -> TypeGuard[int]:
    """A JSON value usable as an id: an integer (not a bool) from 1 to ``modelling.MAX_ID``."""
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= modelling.MAX_ID


def nesting_exceeds(text: str, limit: int) -> bool:
    """Whether the JSON text nests deeper than ``limit`` (see ``webguard``)."""
    return json_nesting_exceeds(text, limit)


def structure_exceeds(value: Any, limit: int) -> bool:
    """The same bound for a value already parsed (a template handed over as JSON), walked
    without recursion."""
    stack = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict):
            children: Any = node.values()
        elif isinstance(node, list):
            children = node
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False
