"""The fast JSON path writes and reads back what the standard library would."""

from __future__ import annotations

import json

import pytest

from wrike_sp.domain.schema import CORE_ATTRIBUTES, ENTERPRISE_ATTRIBUTES
from wrike_sp.json_text import decode_stored, encode, encode_text


@pytest.mark.parametrize(
    "value",
    [
        {"a": "x", "b": [True, None, {"c": "d"}]},
        "lone \ud800 surrogate",
        {"x": "é ✓ \u202e"},
        [],
        2**70,
    ],
)
def test_what_is_written_reads_back_as_the_standard_library_reads_it(value):
    assert json.loads(encode(value)) == value
    assert json.loads(encode_text(value)) == value


@pytest.mark.parametrize(
    "value", [{"a": "x", "b": [True, None, {"c": "d"}]}, "lone \ud800 surrogate", {"x": "é ✓"}]
)
def test_a_stored_document_reads_back_whole(value):
    assert decode_stored(encode_text(value)) == value


def _numeric(attributes, where=""):
    for attr in attributes.values():
        if attr.type in ("integer", "decimal"):
            yield where + attr.name
        yield from _numeric(attr.sub_attributes, where + attr.name + ".")


def test_stored_documents_hold_no_numbers():
    """decode_stored relies on it: orjson would read an integer beyond 64 bits as a float."""
    assert list(_numeric(CORE_ATTRIBUTES)) == []
    assert list(_numeric(ENTERPRISE_ATTRIBUTES)) == []
