"""What both sides of SAML SSO share that is not a rule of either: the SAML 2.0 namespaces,
a parser for XML that arrives from outside, the HTTP-Redirect binding's encoding, the
xs:dateTime form SAML writes instants in, and the facts of an X.509 certificate
(:func:`certificate_facts`: normalised PEM, SHA-256 fingerprint, NotAfter).

The parser is the one entry point for untrusted XML in the project (an AuthnRequest at the
IdP, a Response at the SP, metadata an admin pastes). It refuses any document type
declaration outright, so no external entity (XXE) is fetched and no entity expansion
("billion laughs") happens, resolves nothing over the network, and bounds the size before
parsing. Signing and verifying are not here: each side uses signxml itself
(``mock_onelogin`` signs, ``wrike_sp`` verifies), so one side's slip cannot hide the other's.

lxml and cryptography are imported on first use, so importing this module costs nothing at
start-up.
"""

from __future__ import annotations

import base64
import binascii
import secrets
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from lxml import etree

#: SAML 2.0 namespaces (OASIS saml-core-2.0 section 1.2), and XML Signature's.
NS_ASSERTION = "urn:oasis:names:tc:SAML:2.0:assertion"
NS_PROTOCOL = "urn:oasis:names:tc:SAML:2.0:protocol"
NS_METADATA = "urn:oasis:names:tc:SAML:2.0:metadata"
NS_DSIG = "http://www.w3.org/2000/09/xmldsig#"
NAMESPACES = {"saml": NS_ASSERTION, "samlp": NS_PROTOCOL, "md": NS_METADATA, "ds": NS_DSIG}

#: Bindings (saml-bindings-2.0) and formats (saml-core-2.0 section 8.3).
BINDING_REDIRECT = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"
BINDING_POST = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"
NAMEID_EMAIL = "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress"
NAMEID_UNSPECIFIED = "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified"
CM_BEARER = "urn:oasis:names:tc:SAML:2.0:cm:bearer"
STATUS_SUCCESS = "urn:oasis:names:tc:SAML:2.0:status:Success"
STATUS_REQUESTER = "urn:oasis:names:tc:SAML:2.0:status:Requester"
STATUS_RESPONDER = "urn:oasis:names:tc:SAML:2.0:status:Responder"
STATUS_REQUEST_DENIED = "urn:oasis:names:tc:SAML:2.0:status:RequestDenied"
STATUS_AUTHN_FAILED = "urn:oasis:names:tc:SAML:2.0:status:AuthnFailed"

#: The largest SAML message either side reads (a Response with two certificates is ~10 KB).
MAX_MESSAGE_BYTES = 256 * 1024


class UnsafeXML(ValueError):
    """The text is not XML this project reads: too large, not well-formed, or it declares a
    document type (where external entities and entity expansion live)."""


def _parser() -> etree.XMLParser:
    from lxml import etree

    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_pis=True,
    )


def parse_untrusted(text: bytes | str) -> etree._Element:
    """The root element of XML from outside, or :class:`UnsafeXML` naming why not."""
    from lxml import etree

    data = text.encode("utf-8") if isinstance(text, str) else text
    if len(data) > MAX_MESSAGE_BYTES:
        raise UnsafeXML(f"the XML is larger than {MAX_MESSAGE_BYTES} bytes")
    if b"<!DOCTYPE" in data.upper() or b"<!ENTITY" in data.upper():
        raise UnsafeXML("the XML declares a document type; SAML messages never do")
    try:
        root = etree.fromstring(data, parser=_parser())
    except etree.XMLSyntaxError as error:
        raise UnsafeXML(f"the XML is not well-formed: {error}") from None
    tree = root.getroottree()
    # The byte check above misses a declaration in another encoding (UTF-16); lxml sees it.
    if getattr(tree.docinfo, "doctype", "") or tree.docinfo.internalDTD is not None:
        raise UnsafeXML("the XML declares a document type; SAML messages never do")
    return root


def decode_post(value: str) -> bytes:
    """A ``SAMLRequest`` / ``SAMLResponse`` form field of the HTTP-POST binding: base64."""
    try:
        data = base64.b64decode(value.encode("ascii"), validate=False)
    except (binascii.Error, UnicodeEncodeError, ValueError):
        raise UnsafeXML("the SAML message is not base64") from None
    if not data:
        raise UnsafeXML("the SAML message is empty")
    return data


def encode_post(xml: bytes) -> str:
    return base64.b64encode(xml).decode("ascii")


def encode_redirect(xml: bytes) -> str:
    """The HTTP-Redirect binding's ``SAMLRequest`` value: raw DEFLATE, then base64 (the caller
    URL-encodes it as a query parameter)."""
    compressor = zlib.compressobj(zlib.Z_DEFAULT_COMPRESSION, zlib.DEFLATED, -15)
    return base64.b64encode(compressor.compress(xml) + compressor.flush()).decode("ascii")


def decode_redirect(value: str) -> bytes:
    """The inverse of :func:`encode_redirect`, bounded so a small value cannot inflate into a
    large one."""
    raw = decode_post(value)
    inflater = zlib.decompressobj(-15)
    try:
        data = inflater.decompress(raw, MAX_MESSAGE_BYTES + 1)
    except zlib.error:
        raise UnsafeXML("the SAML message is not DEFLATE-compressed") from None
    if len(data) > MAX_MESSAGE_BYTES or inflater.unconsumed_tail:
        raise UnsafeXML(f"the SAML message inflates past {MAX_MESSAGE_BYTES} bytes")
    return data


def new_id() -> str:
    """A SAML ID: an xs:ID must not start with a digit, hence the leading underscore."""
    return "_" + secrets.token_hex(20)


def instant(moment: datetime) -> str:
    """SAML's xs:dateTime, in UTC with a ``Z`` and whole seconds (saml-core section 1.3.3)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_instant(text: Any) -> datetime | None:
    """An xs:dateTime as written by an IdP or SP (``Z`` or an offset, optional fractions),
    or None when it is not one (no offset, not a date, or outside the years 1 to 9999 in
    UTC)."""
    if not isinstance(text, str) or not text.strip():
        return None
    value = text.strip()
    if value.endswith(("Z", "z")):
        value = value[:-1] + "+00:00"
    try:
        moment = datetime.fromisoformat(value)
        if moment.tzinfo is None:
            return None
        # An instant outside datetime's range once in UTC (0001-01-01T00:00:00+01:00) is
        # OverflowError, not ValueError.
        return moment.astimezone(UTC)
    except (ValueError, OverflowError):
        return None


@dataclass(frozen=True)
class CertificateFacts:
    """An X.509 certificate as both sides show it: its PEM (normalised: 64-character lines,
    one BEGIN/END pair), the SHA-256 of its DER in lowercase hex without separators, and its
    NotAfter (UTC)."""

    pem: str
    fingerprint_sha256: str
    not_after: datetime


def certificate_facts(pem_or_base64: str) -> CertificateFacts:
    """The facts of a certificate given as PEM or as the bare base64 body that
    ``ds:X509Certificate`` holds (whitespace anywhere is ignored); ``ValueError`` when it is not
    an X.509 certificate. ``cryptography`` is imported on first use."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization

    body = "".join(pem_or_base64.split())
    if body.startswith("-----BEGIN"):
        body = body.replace("-----BEGINCERTIFICATE-----", "").replace(
            "-----ENDCERTIFICATE-----", ""
        )
    pem = "-----BEGIN CERTIFICATE-----\n" + "\n".join(
        body[i : i + 64] for i in range(0, len(body), 64)
    )
    pem += "\n-----END CERTIFICATE-----\n"
    cert = x509.load_pem_x509_certificate(pem.encode("ascii"))
    return CertificateFacts(
        pem=cert.public_bytes(serialization.Encoding.PEM).decode("ascii"),
        fingerprint_sha256=cert.fingerprint(hashes.SHA256()).hex(),
        not_after=cert.not_valid_after_utc,
    )
