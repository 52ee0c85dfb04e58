"""OneLogin as the SAML 2.0 identity provider of the Wrike app: the app's SAML settings, its
signing keys, reading an AuthnRequest, and writing the metadata and the signed Response.

The rules only; no Flask, no SQL. The XML from outside is read with
``webguard.saml.parse_untrusted`` (no DTD, no entities, bounded); the assertion is signed with
signxml (RSA-SHA256, enveloped, exclusive c14n), never by hand. The shapes follow
``docs/sso.md`` and OASIS saml-core-2.0; the choices OneLogin does not publish (validity
window, certificate lifetime, RelayState bound) are in ``modelling``.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit

from mock_onelogin.domain import modelling
from mock_onelogin.domain.errors import BadRequest, ValidationFailed
from webguard import saml as xml


class Reason(StrEnum):
    """Why the IdP refused a login (docs/sso.md, "At the IdP")."""

    APP_NOT_ASSIGNED = "app_not_assigned"
    INVALID_CREDENTIALS = "invalid_credentials"
    USER_NOT_ACTIVE = "user_not_active"
    REQUEST_INVALID = "request_invalid"


#: What each reason means, as the refusal page and the System Log notes say it.
REASON_TEXT = {
    Reason.APP_NOT_ASSIGNED: "The user is not assigned this app in OneLogin (neither through "
    "a role nor directly). Assign the app to the user, or to one of the user's roles.",
    Reason.INVALID_CREDENTIALS: "The username or email and password are not correct.",
    Reason.USER_NOT_ACTIVE: "The user is not active in OneLogin (suspended, locked or not "
    "yet activated). Activate the user first.",
    Reason.REQUEST_INVALID: "The SAML request could not be accepted.",
}


class SsoRefused(Exception):
    """A login the IdP refuses, with the reason code and what to change."""

    def __init__(self, reason: Reason, detail: str = "") -> None:
        self.reason = reason
        self.detail = detail or REASON_TEXT[reason]
        super().__init__(f"{reason.value}: {self.detail}")


# settings -------------------------------------------------------------------------------------
_URL_MAX = 2048
#: Characters XML 1.0 cannot hold (section 2.2): control characters but tab, LF and CR, the
#: lone surrogates U+D800-U+DFFF (JSON's "\\ud800" decodes to one) and the two
#: non-characters U+FFFE and U+FFFF.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(value: str) -> str:
    """A directory value as XML can hold it: each character XML 1.0 cannot hold becomes
    U+FFFD (a name with a control character still signs in, visibly marked)."""
    return _NOT_XML.sub("\ufffd", value)


def _xml_compatible(value: str, name: str) -> None:
    if _NOT_XML.search(value):
        raise ValidationFailed(
            f"Validation failed: {name} holds a control character or a lone surrogate, "
            "which SAML (XML) cannot carry",
            name,
        )


def _url(value: Any, name: str, *, allow_empty: bool = True) -> str:
    if not isinstance(value, str):
        raise ValidationFailed(f"Validation failed: {name} must be a string", name)
    value = value.strip()
    if not value and allow_empty:
        return ""
    _xml_compatible(value, name)
    try:
        parts = urlsplit(value)
        port = parts.port  # raises ValueError on a port that is not a number 0-65535
        bad = (
            len(value) > _URL_MAX
            or parts.scheme not in ("http", "https")
            or not parts.hostname
            or port == 0
        )
    except ValueError:  # "http://[::1" (unclosed bracket), "http://a:99999/", "http://a:x/"
        bad = True
    if bad:
        raise ValidationFailed(
            f"Validation failed: {name} must be an http(s) URL of at most {_URL_MAX} "
            f"characters, not {value[:80]!r}",
            name,
        )
    return value


def _audience(value: Any) -> str:
    if not isinstance(value, str) or len(value) > _URL_MAX or any(c.isspace() for c in value):
        raise ValidationFailed(
            f"Validation failed: audience must be a URI (no spaces) of at most {_URL_MAX} "
            "characters",
            "audience",
        )
    _xml_compatible(value, "audience")
    return value


def _offset(value: Any) -> int:
    limit = modelling.SAML_MAX_CLOCK_OFFSET_S
    if isinstance(value, bool) or not isinstance(value, int) or not -limit <= value <= limit:
        raise ValidationFailed(
            f"Validation failed: clock_offset_seconds must be an integer from {-limit} to {limit}",
            "clock_offset_seconds",
        )
    return value


@dataclass(frozen=True)
class SamlSettings:
    """The Wrike app's SAML fields (console: Applications > Wrike > SSO)."""

    audience: str = ""
    acs_url: str = ""
    recipient: str = ""
    #: The IdP clock's error, applied to every instant it writes (the clock-skew case).
    clock_offset_seconds: int = 0

    nameid_format = xml.NAMEID_EMAIL
    WRITABLE = ("audience", "acs_url", "recipient", "clock_offset_seconds")

    @property
    def effective_recipient(self) -> str:
        if modelling.SAML_RECIPIENT_DEFAULTS_TO_ACS and not self.recipient:
            return self.acs_url
        return self.recipient

    def missing(self) -> list[str]:
        """The fields an SSO login needs that are empty, by their console labels."""
        labels = modelling.SAML_FIELD_LABELS
        return [labels[k] for k in ("acs_url", "audience") if not getattr(self, k)]

    def updated(self, data: Any) -> SamlSettings:
        """A partial update; everything checked before anything changes."""
        if not isinstance(data, dict):
            raise BadRequest("Expected a JSON object in request body")
        changes: dict[str, Any] = {}
        for key, value in data.items():
            if key in ("acs_url", "recipient"):
                changes[key] = _url(value, key)
            elif key == "audience":
                changes[key] = _audience(value)
            elif key == "clock_offset_seconds":
                changes[key] = _offset(value)
            elif key == "nameid_format":
                if value != self.nameid_format:
                    raise ValidationFailed(
                        f"Validation failed: nameid_format is {self.nameid_format} for this "
                        "app (the Wrike connector sends the email as NameID)",
                        key,
                    )
            else:
                raise BadRequest(
                    f"unknown attribute: {key} (writable: {', '.join(self.WRITABLE)})", key
                )
        return replace(self, **changes)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SamlSettings:
        known = {k: data[k] for k in cls.WRITABLE if k in data}
        return cls(**known)

    def idp_now(self, now: datetime) -> datetime:
        """The instant the IdP writes: its clock, with the configured error."""
        return now + timedelta(seconds=self.clock_offset_seconds)


# keys and certificates -----------------------------------------------------------------------
@dataclass(frozen=True)
class SigningKey:
    """A freshly made key pair and its self-signed certificate (PEM)."""

    key_pem: str
    certificate_pem: str
    fingerprint_sha256: str
    not_after: str


def certificate_base64(certificate_pem: str) -> str:
    """The certificate's base64 body, as ``ds:X509Certificate`` holds it."""
    lines = certificate_pem.strip().splitlines()
    return "".join(line for line in lines if not line.startswith("-----"))


def new_signing_key(subject: str, now: datetime, bits: int = modelling.SAML_KEY_BITS) -> SigningKey:
    """An RSA key of ``bits`` and a self-signed X.509 certificate for it, valid from ``now``."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=bits)
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "OneLogin (simulated)"),
            x509.NameAttribute(NameOID.COMMON_NAME, subject[:64]),
        ]
    )
    start = now.replace(microsecond=0) - timedelta(minutes=5)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + timedelta(days=modelling.SAML_CERTIFICATE_DAYS))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode("ascii")
    cert_pem = cert.public_bytes(serialization.Encoding.PEM).decode("ascii")
    # the facts the SP shows of the same certificate (webguard.saml, shared by both sides)
    facts = xml.certificate_facts(cert_pem)
    return SigningKey(key_pem, cert_pem, facts.fingerprint_sha256, xml.instant(facts.not_after))


def load_private_key(key_pem: str) -> Any:
    """The key object signxml signs with. The RSA consistency check ``cryptography`` runs on
    every load (~0.1-0.2 s, most of an SSO login's cost) is skipped: the key is one this
    simulator made itself and kept sealed (Fernet authenticates it), so it cannot have been
    altered. Callers load once per certificate and keep the object."""
    from cryptography.hazmat.primitives import serialization

    return serialization.load_pem_private_key(
        key_pem.encode("ascii"), password=None, unsafe_skip_rsa_key_validation=True
    )


def fingerprint_colons(fingerprint: str) -> str:
    """``ab12...`` -> ``AB:12:...``, as OneLogin's console shows a fingerprint."""
    return ":".join(fingerprint[i : i + 2] for i in range(0, len(fingerprint), 2)).upper()


# the AuthnRequest ----------------------------------------------------------------------------
@dataclass(frozen=True)
class AuthnRequest:
    """What the IdP keeps of an SP's AuthnRequest."""

    id: str
    acs_url: str | None
    issuer: str | None


def read_authn_request(data: bytes) -> AuthnRequest:
    """The AuthnRequest in ``data`` (XML), or :class:`SsoRefused` (``request_invalid``)
    naming what is wrong with it. What is read and what is left alone:
    ``modelling.SAML_AUTHN_REQUEST_IGNORED``."""
    try:
        root = xml.parse_untrusted(data)
    except xml.UnsafeXML as error:
        raise SsoRefused(
            Reason.REQUEST_INVALID, f"The SAML request is not readable: {error}."
        ) from None
    if root.tag != f"{{{xml.NS_PROTOCOL}}}AuthnRequest":
        raise SsoRefused(
            Reason.REQUEST_INVALID,
            "The SAML request is not a samlp:AuthnRequest (saml-core-2.0 section 3.4.1).",
        )
    request_id = root.get("ID") or ""
    if not request_id or len(request_id) > modelling.SAML_MAX_REQUEST_ID:
        raise SsoRefused(
            Reason.REQUEST_INVALID,
            f"The AuthnRequest has no ID, or one longer than {modelling.SAML_MAX_REQUEST_ID} "
            "characters.",
        )
    if root.get("Version") != "2.0":
        raise SsoRefused(Reason.REQUEST_INVALID, "The AuthnRequest is not SAML Version 2.0.")
    binding = root.get("ProtocolBinding")
    if binding is not None and binding != xml.BINDING_POST:
        raise SsoRefused(
            Reason.REQUEST_INVALID,
            f"The AuthnRequest asks for the response over {binding}; this IdP answers with "
            "the HTTP-POST binding only.",
        )
    issuer = root.find(f"{{{xml.NS_ASSERTION}}}Issuer")
    return AuthnRequest(
        id=request_id,
        acs_url=root.get("AssertionConsumerServiceURL"),
        issuer=(issuer.text or "").strip() if issuer is not None else None,
    )


def check_request_fits(request: AuthnRequest | None, settings: SamlSettings) -> None:
    """The app must be set up for SSO, and an AuthnRequest naming an ACS must name the app's
    (an IdP never posts an assertion to a URL the request chose)."""
    missing = settings.missing()
    if missing:
        raise SsoRefused(
            Reason.REQUEST_INVALID,
            f"The app's SAML settings are incomplete: {', '.join(missing)} is empty. Fill it "
            "in on the app's SSO tab.",
        )
    if request is not None and request.acs_url is not None and request.acs_url != settings.acs_url:
        raise SsoRefused(
            Reason.REQUEST_INVALID,
            f"The AuthnRequest's AssertionConsumerServiceURL {request.acs_url[:200]!r} is not "
            f"the app's SAML Consumer URL {settings.acs_url!r}.",
        )


def check_relay_state(relay_state: str | None) -> str | None:
    if relay_state is None or relay_state == "":
        return None
    if len(relay_state.encode("utf-8", "surrogatepass")) > modelling.SAML_MAX_RELAY_STATE:
        raise SsoRefused(
            Reason.REQUEST_INVALID,
            f"The RelayState is longer than {modelling.SAML_MAX_RELAY_STATE} bytes.",
        )
    return relay_state


# metadata and the Response ---------------------------------------------------------------------
@dataclass(frozen=True)
class IdpEndpoints:
    """The app's IdP URLs (docs/sso.md): the issuer is the metadata URL."""

    issuer: str
    sso_redirect: str
    sso_post: str


def idp_metadata(endpoints: IdpEndpoints, certificate_pem: str) -> bytes:
    """The IdP metadata (saml-metadata-2.0): one signing KeyDescriptor with the certificate
    that signs now, NameIDFormat emailAddress, SingleSignOnService for both bindings."""
    from lxml import etree

    md, ds = xml.NS_METADATA, xml.NS_DSIG
    root = etree.Element(f"{{{md}}}EntityDescriptor", nsmap={"md": md, "ds": ds})
    root.set("entityID", endpoints.issuer)
    idp = etree.SubElement(root, f"{{{md}}}IDPSSODescriptor")
    idp.set("protocolSupportEnumeration", xml.NS_PROTOCOL)
    idp.set("WantAuthnRequestsSigned", "false")
    key = etree.SubElement(idp, f"{{{md}}}KeyDescriptor", use="signing")
    info = etree.SubElement(key, f"{{{ds}}}KeyInfo")
    data = etree.SubElement(info, f"{{{ds}}}X509Data")
    etree.SubElement(data, f"{{{ds}}}X509Certificate").text = certificate_base64(certificate_pem)
    etree.SubElement(idp, f"{{{md}}}NameIDFormat").text = xml.NAMEID_EMAIL
    for binding, location in (
        (xml.BINDING_REDIRECT, endpoints.sso_redirect),
        (xml.BINDING_POST, endpoints.sso_post),
    ):
        etree.SubElement(idp, f"{{{md}}}SingleSignOnService", Binding=binding, Location=location)
    out: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    return out


@dataclass(frozen=True)
class SamlSubject:
    """Who the assertion is about: the email is the NameID."""

    email: str
    first_name: str
    last_name: str


#: The attribute names the Wrike connector sends (docs/sso.md).
ATTRIBUTES = (
    ("User.email", "email"),
    ("User.FirstName", "first_name"),
    ("User.LastName", "last_name"),
)


def signed_response(
    *,
    endpoints: IdpEndpoints,
    settings: SamlSettings,
    subject: SamlSubject,
    now: datetime,
    in_response_to: str | None,
    key: Any,
    certificate_pem: str,
    session_index: str | None = None,
) -> bytes:
    """A ``samlp:Response`` (Status Success) holding one Assertion signed with the app's key.

    ``key`` is the private key (PEM, or an object from :func:`load_private_key`). ``now`` is
    the IdP's clock (the configured offset already applied). The Signature goes
    right after the Assertion's Issuer, where saml-core-2.0's schema puts it."""
    from lxml import etree
    from signxml import XMLSigner, methods

    saml, samlp = xml.NS_ASSERTION, xml.NS_PROTOCOL
    issued = xml.instant(now)
    not_before = xml.instant(now - timedelta(seconds=modelling.SAML_NOT_BEFORE_S))
    not_after = xml.instant(now + timedelta(seconds=modelling.SAML_VALID_FOR_S))
    assertion_id = xml.new_id()

    assertion = etree.Element(f"{{{saml}}}Assertion", nsmap={"saml": saml})
    assertion.set("ID", assertion_id)
    assertion.set("Version", "2.0")
    assertion.set("IssueInstant", issued)
    etree.SubElement(assertion, f"{{{saml}}}Issuer").text = endpoints.issuer
    placeholder = etree.SubElement(
        assertion, f"{{{xml.NS_DSIG}}}Signature", nsmap={"ds": xml.NS_DSIG}
    )
    placeholder.set("Id", "placeholder")
    subj = etree.SubElement(assertion, f"{{{saml}}}Subject")
    name_id = etree.SubElement(subj, f"{{{saml}}}NameID", Format=xml.NAMEID_EMAIL)
    name_id.text = subject.email
    confirmation = etree.SubElement(subj, f"{{{saml}}}SubjectConfirmation", Method=xml.CM_BEARER)
    confirmation_data = etree.SubElement(confirmation, f"{{{saml}}}SubjectConfirmationData")
    confirmation_data.set("NotOnOrAfter", not_after)
    confirmation_data.set("Recipient", settings.effective_recipient)
    if in_response_to:
        confirmation_data.set("InResponseTo", in_response_to)
    conditions = etree.SubElement(assertion, f"{{{saml}}}Conditions")
    conditions.set("NotBefore", not_before)
    conditions.set("NotOnOrAfter", not_after)
    restriction = etree.SubElement(conditions, f"{{{saml}}}AudienceRestriction")
    etree.SubElement(restriction, f"{{{saml}}}Audience").text = settings.audience
    authn = etree.SubElement(assertion, f"{{{saml}}}AuthnStatement")
    authn.set("AuthnInstant", issued)
    authn.set("SessionIndex", session_index or xml.new_id())
    context = etree.SubElement(authn, f"{{{saml}}}AuthnContext")
    etree.SubElement(
        context, f"{{{saml}}}AuthnContextClassRef"
    ).text = "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport"
    statement = etree.SubElement(assertion, f"{{{saml}}}AttributeStatement")
    for attribute_name, field in ATTRIBUTES:
        attribute = etree.SubElement(
            statement,
            f"{{{saml}}}Attribute",
            Name=attribute_name,
            NameFormat="urn:oasis:names:tc:SAML:2.0:attrname-format:basic",
        )
        etree.SubElement(attribute, f"{{{saml}}}AttributeValue").text = getattr(subject, field)

    signer = XMLSigner(
        method=methods.enveloped,
        signature_algorithm="rsa-sha256",
        digest_algorithm="sha256",
        c14n_algorithm="http://www.w3.org/2001/10/xml-exc-c14n#",
    )
    signed = signer.sign(assertion, key=key, cert=certificate_pem, reference_uri=assertion_id)

    response = etree.Element(f"{{{samlp}}}Response", nsmap={"samlp": samlp, "saml": saml})
    response.set("ID", xml.new_id())
    response.set("Version", "2.0")
    response.set("IssueInstant", issued)
    response.set("Destination", settings.effective_recipient)
    if in_response_to:
        response.set("InResponseTo", in_response_to)
    etree.SubElement(response, f"{{{saml}}}Issuer").text = endpoints.issuer
    status = etree.SubElement(response, f"{{{samlp}}}Status")
    etree.SubElement(status, f"{{{samlp}}}StatusCode", Value=xml.STATUS_SUCCESS)
    response.append(signed)
    out: bytes = etree.tostring(response, xml_declaration=True, encoding="UTF-8")
    return out


def subject_of(user: dict[str, Any]) -> SamlSubject:
    return SamlSubject(
        email=xml_text(user.get("email") or ""),
        first_name=xml_text(user.get("firstname") or ""),
        last_name=xml_text(user.get("lastname") or ""),
    )
