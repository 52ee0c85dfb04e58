"""Attacks on the reference Wrike's ACS, each refused with its reason (docs/sso.md) and none
signing anyone in: the known XML signature wrapping variants, comment injection in the
NameID, a certificate smuggled into KeyInfo, altered, unsigned, foreign-signed, expired,
not-yet-valid, replayed and misaddressed assertions, an unknown InResponseTo, and document
type declarations (XXE, billion laughs). The IdP is the tests' own (``saml_idp``), signing
with signxml, so the SP is attacked with exactly what a real IdP would sign."""

from __future__ import annotations

import base64
import copy
from collections.abc import Iterator
from datetime import timedelta

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from flask import Flask
from lxml import etree
from signxml import (
    CanonicalizationMethod,
    DigestAlgorithm,
    SignatureConfiguration,
    SignatureMethod,
    XMLSigner,
    XMLVerifier,
)

from tests.wrike_sp.saml_idp import (
    ALICE,
    DS,
    SAML,
    SAMLP,
    Sp,
    encoded,
    key_pair,
    reason_of,
    signed_copy,
    signed_in_as,
    sp_with_alice,
    unsigned,
)
from webguard import saml
from wrike_sp import WrikeConfig, create_app
from wrike_sp.demo import seed_demo_account
from wrike_sp.domain.clock import ManualClock

WANDA = "wanda.admin@acme.example"  # the account owner: what an attacker wants to be


@pytest.fixture
def app() -> Iterator[Flask]:
    application = create_app(WrikeConfig(password_iterations=1000, clock=ManualClock()))
    yield application
    application.extensions["wrike"].store.close()


@pytest.fixture
def sp(app: Flask) -> Sp:
    demo = seed_demo_account(app.extensions["wrike"].accounts)
    return sp_with_alice(
        app.test_client(), demo.account_id, app.extensions["wrike"].config.clock, jit=True
    )


def refused(sp: Sp, response: etree._Element | bytes | str, reason: str) -> None:
    answer = sp.post(response)
    assert reason_of(answer) == reason
    assert signed_in_as(sp.client) is None
    assert sp.attempts()[0]["outcome"] == "refused"


def evil_assertion(sp: Sp) -> etree._Element:
    """An unsigned assertion naming the owner, otherwise perfect."""
    return unsigned(sp.assertion(WANDA))


# -- signature wrapping (XSW) -----------------------------------------------------------------


def test_an_evil_assertion_before_the_signed_one_is_refused(sp: Sp) -> None:
    response = sp.response()
    signed = response.find(f"{SAML}Assertion")
    assert signed is not None
    signed.addprevious(evil_assertion(sp))
    refused(sp, response, "signature_invalid")


def test_an_evil_assertion_after_the_signed_one_is_refused(sp: Sp) -> None:
    response = sp.response()
    response.append(evil_assertion(sp))
    refused(sp, response, "signature_invalid")


def test_the_signed_assertion_moved_into_extensions_is_refused(sp: Sp) -> None:
    """The Assertion where the SP reads one carries no signature: ``unsigned`` (the signed
    one, moved into samlp:Extensions, covers nothing the SP reads)."""
    response = sp.response()
    signed = response.find(f"{SAML}Assertion")
    assert signed is not None
    extensions = etree.Element(f"{SAMLP}Extensions")
    response.find(f"{SAML}Issuer").addnext(extensions)  # type: ignore[union-attr]
    evil = evil_assertion(sp)
    signed.addprevious(evil)
    extensions.append(signed)
    refused(sp, response, "unsigned")


def test_the_signed_assertion_moved_into_a_signature_object_is_refused(sp: Sp) -> None:
    """The evil assertion carries the original's ID and Signature, the original itself hidden
    in a ds:Object of that Signature (the XSW variant that fools ID-only lookups)."""
    response = sp.response()
    signed = response.find(f"{SAML}Assertion")
    assert signed is not None
    evil = evil_assertion(sp)
    evil.set("ID", str(signed.get("ID")))
    signature = copy.deepcopy(signed.find(f"{DS}Signature"))
    assert signature is not None
    hidden = etree.SubElement(signature, f"{DS}Object")
    response.remove(signed)
    hidden.append(signed)
    evil.find(f"{SAML}Issuer").addnext(signature)  # type: ignore[union-attr]
    response.append(evil)
    refused(sp, response, "signature_invalid")


def test_a_signed_response_whose_assertion_was_swapped_is_refused(sp: Sp) -> None:
    response = sp.idp.sign(sp.idp.response(unsigned(sp.assertion()), destination=sp.acs))
    original = response.find(f"{SAML}Assertion")
    assert original is not None
    evil = evil_assertion(sp)
    evil.set("ID", str(original.get("ID")))
    response.replace(original, evil)
    refused(sp, response, "signature_invalid")


def test_comment_injection_in_the_nameid_does_not_shorten_it(sp: Sp) -> None:
    """``alice@acme.example<!---->.evil.example``: exclusive c14n drops comments, so the
    signature of the IdP's real user ``alice@acme.example.evil.example`` still verifies; a
    reader of lxml's ``.text`` would see ``alice@acme.example``. The SP reads the whole value
    (and JIT is on here: the unapproved domain still keeps it from creating anyone)."""
    evil_login = "alice@acme.example.evil.example"
    response = sp.response(evil_login)
    name = response.find(f".//{SAML}NameID")
    assert name is not None
    name.text = "alice@acme.example"
    comment = etree.Comment("")
    comment.tail = ".evil.example"
    name.append(comment)
    assert name.text == ALICE  # what a naive reader would take
    refused(sp, response, "unknown_user")
    assert sp.attempts()[0]["name_id"] == evil_login


def test_a_held_certificate_copied_into_keyinfo_does_not_make_a_foreign_signature_valid(
    sp: Sp,
) -> None:
    """The attacker signs with a key of its own and puts Wrike's held certificate in KeyInfo:
    verification uses only the held certificate, so the signature fails."""
    response = sp.idp.response(
        sp.idp.sign(sp.assertion(WANDA), key_pair("attacker")), destination=sp.acs
    )
    node = response.find(f".//{DS}X509Certificate")
    assert node is not None
    node.text = sp.idp.keys.cert_base64
    refused(sp, response, "signature_invalid")


def test_two_elements_with_the_signed_id_are_refused(sp: Sp) -> None:
    response = sp.response()
    signed = response.find(f"{SAML}Assertion")
    assert signed is not None
    decoy = etree.SubElement(response, f"{SAMLP}Extensions", ID=str(signed.get("ID")))
    decoy.text = "x"
    refused(sp, response, "signature_invalid")


# -- altered, unsigned, foreign-signed ---------------------------------------------------------


def test_an_altered_assertion_is_refused(sp: Sp) -> None:
    response = sp.response()
    audience = response.find(f".//{SAML}Audience")
    name = response.find(f".//{SAML}NameID")
    assert audience is not None and name is not None
    name.text = WANDA
    refused(sp, response, "signature_invalid")


def test_an_unsigned_assertion_is_refused(sp: Sp) -> None:
    refused(sp, sp.idp.response(evil_assertion(sp), destination=sp.acs), "unsigned")


def test_a_signature_stripped_of_its_value_is_refused(sp: Sp) -> None:
    response = sp.response()
    value = response.find(f".//{DS}SignatureValue")
    assert value is not None
    value.text = ""
    refused(sp, response, "signature_invalid")


def test_an_assertion_signed_by_an_unknown_certificate_is_refused(sp: Sp) -> None:
    assertion = sp.idp.sign(sp.assertion(WANDA), key_pair("unknown"))
    refused(sp, sp.idp.response(assertion, destination=sp.acs), "certificate_mismatch")


# -- time, replay, addressing --------------------------------------------------------------------


def test_an_expired_assertion_is_refused(sp: Sp) -> None:
    now = sp.clock()
    response = sp.response(
        not_before=now - timedelta(hours=2), not_on_or_after=now - timedelta(hours=1)
    )
    refused(sp, response, "expired")


def test_a_not_yet_valid_assertion_is_refused(sp: Sp) -> None:
    now = sp.clock()
    response = sp.response(
        not_before=now + timedelta(hours=1), not_on_or_after=now + timedelta(hours=2)
    )
    refused(sp, response, "not_yet_valid")


def test_a_replayed_assertion_is_refused(sp: Sp) -> None:
    response = sp.response()
    assert sp.post(response).status_code == 303
    sp.client.post("/logout")  # the CSRF refusal leaves the session: start a new browser
    sp.client.delete_cookie("wrike_session")
    refused(sp, response, "replayed")


def test_a_replay_is_still_refused_until_the_assertion_expires(sp: Sp) -> None:
    response = sp.response()
    assert sp.post(response).status_code == 303
    sp.client.delete_cookie("wrike_session")
    sp.clock.advance(minutes=4)  # NotOnOrAfter is 5 minutes out; the ID is kept past it
    refused(sp, response, "replayed")


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"audience": "https://app.wrike.com/saml/other"}, "audience_mismatch"),
        ({"recipient": "https://attacker.example/acs"}, "recipient_mismatch"),
        ({"issuer": "https://attacker.example/idp"}, "issuer_mismatch"),
        ({"in_response_to": "_a_request_wrike_never_sent"}, "in_response_to_unknown"),
    ],
)
def test_a_misaddressed_assertion_is_refused(sp: Sp, change: dict[str, str], reason: str) -> None:
    refused(sp, sp.response(**change), reason)


# -- hostile XML -----------------------------------------------------------------------------------

XXE = b"""<?xml version="1.0"?>
<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol">&x;</samlp:Response>"""
LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa">'
    + b"".join(
        b'<!ENTITY %s "%s">' % (bytes([98 + i]), (b"&" + bytes([97 + i]) + b";") * 10)
        for i in range(8)
    )
    + b']><samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol">&i;</samlp:Response>'
)
DTD_ONLY = b'<!DOCTYPE Response SYSTEM "http://attacker.example/x.dtd"><Response/>'


@pytest.mark.parametrize(
    "body",
    [
        XXE,
        LAUGHS,
        DTD_ONLY,
        XXE.decode().replace('"1.0"', '"1.0" encoding="UTF-16"').encode("utf-16"),
    ],
    ids=["xxe", "billion-laughs", "external-dtd", "utf16-doctype"],
)
def test_a_document_type_declaration_is_refused(sp: Sp, body: bytes) -> None:
    answer = sp.post(encoded(body))
    assert reason_of(answer) == "malformed"
    assert "root:" not in answer.text
    assert "document type" in sp.attempts()[0]["detail"]


def test_a_huge_body_is_refused_without_parsing(sp: Sp) -> None:
    answer = sp.post(encoded(b"<a>" + b"x" * (saml.MAX_MESSAGE_BYTES + 10) + b"</a>"))
    assert reason_of(answer) == "malformed"


class WeakSigner(XMLSigner):
    """signxml's signer with its SHA-1 refusal lifted: the attacker's IdP signs with RSA-SHA1."""

    def check_deprecated_methods(self) -> None:
        return None


def signed_with(sp: Sp, signer: XMLSigner, key: bytes, cert: str | None) -> etree._Element:
    assertion = sp.assertion()
    signed: etree._Element = signer.sign(
        assertion, key=key, cert=cert, reference_uri=assertion.get("ID"), id_attribute="ID"
    )
    return sp.idp.response(signed, destination=sp.acs)


def test_a_correctly_signed_rsa_sha1_assertion_is_refused(sp: Sp) -> None:
    signer = WeakSigner(
        signature_algorithm=SignatureMethod.RSA_SHA1,
        digest_algorithm=DigestAlgorithm.SHA1,
        c14n_algorithm=CanonicalizationMethod.EXCLUSIVE_XML_CANONICALIZATION_1_0,
    )
    keys = sp.idp.keys
    response = signed_with(sp, signer, keys.key_pem, keys.cert_pem.decode())
    # The signature is good: a verifier that allows SHA-1 accepts it.
    allowing = SignatureConfiguration(
        location=f"./{SAML}Assertion/",
        signature_methods=frozenset(SignatureMethod),
        digest_algorithms=frozenset(DigestAlgorithm),
    )
    cert = x509.load_pem_x509_certificate(keys.cert_pem)
    assert (
        XMLVerifier()
        .verify(signed_copy(response), x509_cert=cert, id_attribute="ID", expect_config=allowing)
        .signed_xml
        is not None
    )
    refused(sp, response, "signature_invalid")
    assert "RSA_SHA1" in sp.attempts()[0]["detail"]


def test_an_hmac_assertion_keyed_with_the_public_certificate_is_refused(sp: Sp) -> None:
    """The key-confusion attack: HMAC-SHA256 keyed with the IdP's public certificate, which
    anyone can read from its metadata."""
    signer = XMLSigner(
        signature_algorithm=SignatureMethod.HMAC_SHA256,
        digest_algorithm=DigestAlgorithm.SHA256,
        c14n_algorithm=CanonicalizationMethod.EXCLUSIVE_XML_CANONICALIZATION_1_0,
    )
    hmac_key = sp.idp.keys.cert_pem
    response = signed_with(sp, signer, hmac_key, None)
    allowing = SignatureConfiguration(
        location=f"./{SAML}Assertion/",
        signature_methods=frozenset([SignatureMethod.HMAC_SHA256]),
        require_x509=False,
    )
    assert (
        XMLVerifier()
        .verify(signed_copy(response), hmac_key=hmac_key, id_attribute="ID", expect_config=allowing)
        .signed_xml
        is not None
    )
    refused(sp, response, "signature_invalid")


def resigned(sp: Sp, element: str | None, attribute: str = "", value: str = "") -> etree._Element:
    """A Response whose SignedInfo is edited (``element``'s ``attribute`` set to ``value``) and
    then signed again with the IdP's key (RSA-SHA256 over its exclusive c14n), so the
    SignatureValue is right and only the edited construction can make it fail."""
    response = sp.response()
    signed_info = response.find(f".//{DS}SignedInfo")
    signature_value = response.find(f".//{DS}SignatureValue")
    assert signed_info is not None and signature_value is not None
    if element is not None:
        node = signed_info.find(f".//{DS}{element}")
        assert node is not None
        node.set(attribute, value)
    c14n = etree.tostring(signed_info, method="c14n", exclusive=True, with_comments=False)
    key = serialization.load_pem_private_key(sp.idp.keys.key_pem, password=None)
    assert isinstance(key, rsa.RSAPrivateKey)
    raw = key.sign(c14n, padding.PKCS1v15(), hashes.SHA256())
    signature_value.text = base64.b64encode(raw).decode("ascii")
    return response


def test_the_resigning_helper_makes_a_signature_that_verifies(sp: Sp) -> None:
    assert sp.post(resigned(sp, None)).status_code == 303


@pytest.mark.parametrize(
    ("element", "attribute", "value"),
    [
        ("SignatureMethod", "Algorithm", "urn:unknown"),
        ("CanonicalizationMethod", "Algorithm", "urn:unknown"),
        ("Reference", "URI", "http://attacker.example/assertion.xml"),
        ("Reference", "URI", "#xpointer(/)"),
        ("Transform", "Algorithm", "http://www.w3.org/TR/1999/REC-xslt-19991116"),
    ],
    ids=["unknown-method", "unknown-c14n", "external-ref", "xpointer", "xslt"],
)
def test_a_signature_with_a_foreign_construction_is_refused(
    sp: Sp, element: str, attribute: str, value: str
) -> None:
    refused(sp, resigned(sp, element, attribute, value), "signature_invalid")


def test_a_signature_without_signed_info_or_value_is_refused(sp: Sp) -> None:
    response = sp.response()
    signature = response.find(f".//{DS}Signature")
    signed_info = response.find(f".//{DS}SignedInfo")
    assert signature is not None and signed_info is not None
    signature.remove(signed_info)
    refused(sp, response, "signature_invalid")
