"""A SAML identity provider for the SP's tests, written here with signxml and a key made with
``cryptography``: independent of ``mock_onelogin`` (the SP must accept any conforming IdP, and
the packages never import each other). Each knob of the Response is a keyword, so a test can
break exactly one thing."""

from __future__ import annotations

import base64
import functools
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from flask.testing import FlaskClient
from lxml import etree
from signxml import CanonicalizationMethod, DigestAlgorithm, SignatureMethod, XMLSigner

from webguard import saml
from wrike_sp.domain.clock import ManualClock

SAMLP, SAML, MD, DS = (
    f"{{{saml.NS_PROTOCOL}}}",
    f"{{{saml.NS_ASSERTION}}}",
    f"{{{saml.NS_METADATA}}}",
    f"{{{saml.NS_DSIG}}}",
)


@dataclass(frozen=True)
class KeyPair:
    key_pem: bytes
    cert_pem: bytes

    @property
    def cert_base64(self) -> str:
        return "".join(self.cert_pem.decode().splitlines()[1:-1])


@functools.lru_cache(maxsize=8)
def key_pair(name: str = "test-idp", valid: tuple[int, int] = (2020, 2040)) -> KeyPair:
    """A self-signed RSA key and certificate, valid from the start of ``valid[0]`` to the
    start of ``valid[1]`` (by default 2020 to 2040; the tests' clock is 2026)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(datetime(valid[0], 1, 1, tzinfo=UTC))
        .not_valid_after(datetime(valid[1], 1, 1, tzinfo=UTC))
        .sign(key, hashes.SHA256())
    )
    return KeyPair(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ),
        cert.public_bytes(serialization.Encoding.PEM),
    )


class TestIdp:
    """One IdP: its entity id, SSO URL and signing key."""

    __test__ = False

    def __init__(
        self,
        entity_id: str = "https://idp.example/saml/metadata/42",
        sso_url: str = "https://idp.example/trust/saml2/http-redirect/sso/42",
        keys: KeyPair | None = None,
    ) -> None:
        self.entity_id = entity_id
        self.sso_url = sso_url
        self.keys = keys or key_pair()

    def metadata(self, *certs: KeyPair) -> str:
        root = etree.Element(
            f"{MD}EntityDescriptor",
            nsmap={"md": saml.NS_METADATA, "ds": saml.NS_DSIG},
            entityID=self.entity_id,
        )
        idp = etree.SubElement(
            root, f"{MD}IDPSSODescriptor", protocolSupportEnumeration=saml.NS_PROTOCOL
        )
        for pair in certs or (self.keys,):
            descriptor = etree.SubElement(idp, f"{MD}KeyDescriptor", use="signing")
            info = etree.SubElement(descriptor, f"{DS}KeyInfo")
            data = etree.SubElement(info, f"{DS}X509Data")
            etree.SubElement(data, f"{DS}X509Certificate").text = pair.cert_base64
        etree.SubElement(idp, f"{MD}NameIDFormat").text = saml.NAMEID_EMAIL
        for binding in (saml.BINDING_REDIRECT, saml.BINDING_POST):
            etree.SubElement(
                idp, f"{MD}SingleSignOnService", Binding=binding, Location=self.sso_url
            )
        return etree.tostring(root).decode()

    def assertion(
        self,
        name_id: str,
        *,
        audience: str,
        recipient: str,
        now: datetime,
        in_response_to: str | None = None,
        issuer: str | None = None,
        not_before: datetime | None = None,
        not_on_or_after: datetime | None = None,
        assertion_id: str | None = None,
        first_name: str = "Alice",
        last_name: str = "Example",
    ) -> etree._Element:
        not_before = not_before or now - timedelta(minutes=1)
        not_on_or_after = not_on_or_after or now + timedelta(minutes=5)
        assertion = etree.Element(
            f"{SAML}Assertion",
            nsmap={"saml": saml.NS_ASSERTION},
            ID=assertion_id or saml.new_id(),
            Version="2.0",
            IssueInstant=saml.instant(now),
        )
        etree.SubElement(assertion, f"{SAML}Issuer").text = issuer or self.entity_id
        etree.SubElement(assertion, f"{DS}Signature", nsmap={"ds": saml.NS_DSIG}, Id="placeholder")
        subject = etree.SubElement(assertion, f"{SAML}Subject")
        name = etree.SubElement(subject, f"{SAML}NameID", Format=saml.NAMEID_EMAIL)
        name.text = name_id
        confirmation = etree.SubElement(
            subject, f"{SAML}SubjectConfirmation", Method=saml.CM_BEARER
        )
        data = etree.SubElement(
            confirmation,
            f"{SAML}SubjectConfirmationData",
            Recipient=recipient,
            NotOnOrAfter=saml.instant(not_on_or_after),
        )
        if in_response_to:
            data.set("InResponseTo", in_response_to)
        conditions = etree.SubElement(
            assertion,
            f"{SAML}Conditions",
            NotBefore=saml.instant(not_before),
            NotOnOrAfter=saml.instant(not_on_or_after),
        )
        restriction = etree.SubElement(conditions, f"{SAML}AudienceRestriction")
        etree.SubElement(restriction, f"{SAML}Audience").text = audience
        authn = etree.SubElement(assertion, f"{SAML}AuthnStatement", AuthnInstant=saml.instant(now))
        context = etree.SubElement(authn, f"{SAML}AuthnContext")
        etree.SubElement(
            context, f"{SAML}AuthnContextClassRef"
        ).text = "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport"
        statement = etree.SubElement(assertion, f"{SAML}AttributeStatement")
        for attr, value in (
            ("User.email", name_id),
            ("User.FirstName", first_name),
            ("User.LastName", last_name),
        ):
            attribute = etree.SubElement(statement, f"{SAML}Attribute", Name=attr)
            etree.SubElement(attribute, f"{SAML}AttributeValue").text = value
        return assertion

    def sign(self, element: etree._Element, keys: KeyPair | None = None) -> etree._Element:
        """Enveloped RSA-SHA256, exclusive c14n, the certificate in KeyInfo (as OneLogin)."""
        keys = keys or self.keys
        placeholder = element.find(f"{DS}Signature")
        if placeholder is None:
            issuer = element.find(f"{SAML}Issuer")
            placeholder = etree.Element(
                f"{DS}Signature", nsmap={"ds": saml.NS_DSIG}, Id="placeholder"
            )
            assert issuer is not None
            issuer.addnext(placeholder)
        signer = XMLSigner(
            signature_algorithm=SignatureMethod.RSA_SHA256,
            digest_algorithm=DigestAlgorithm.SHA256,
            c14n_algorithm=CanonicalizationMethod.EXCLUSIVE_XML_CANONICALIZATION_1_0,
        )
        signed: etree._Element = signer.sign(
            element,
            key=keys.key_pem,
            cert=keys.cert_pem.decode(),
            reference_uri=element.get("ID"),
            id_attribute="ID",
        )
        return signed

    def response(
        self,
        assertion: etree._Element | None,
        *,
        destination: str,
        in_response_to: str | None = None,
        status: str = saml.STATUS_SUCCESS,
        issuer: str | None = None,
    ) -> etree._Element:
        response = etree.Element(
            f"{SAMLP}Response",
            nsmap={"samlp": saml.NS_PROTOCOL, "saml": saml.NS_ASSERTION},
            ID=saml.new_id(),
            Version="2.0",
            IssueInstant=saml.instant(datetime.now(UTC)),
            Destination=destination,
        )
        if in_response_to:
            response.set("InResponseTo", in_response_to)
        etree.SubElement(response, f"{SAML}Issuer").text = issuer or self.entity_id
        status_el = etree.SubElement(response, f"{SAMLP}Status")
        etree.SubElement(status_el, f"{SAMLP}StatusCode", Value=status)
        if assertion is not None:
            response.append(assertion)
        return response


def encoded(element: etree._Element | bytes | str) -> str:
    if isinstance(element, str):
        element = element.encode()
    if not isinstance(element, bytes):
        element = etree.tostring(element)
    return base64.b64encode(element).decode("ascii")


def signed_copy(element: etree._Element) -> etree._Element:
    """A deep copy through text, as a receiver would parse it."""
    parsed: etree._Element = etree.fromstring(etree.tostring(element))
    return parsed


# -- the SP under test --------------------------------------------------------------------

BASE = "http://localhost"
ALICE = "alice@acme.example"


@dataclass
class Sp:
    """The SP as the tests reach it: its URLs, the admin API, the ACS."""

    client: FlaskClient
    admin: Any
    account_id: int
    idp: TestIdp
    clock: ManualClock

    @property
    def entity_id(self) -> str:
        return f"{BASE}/saml/{self.account_id}"

    @property
    def acs(self) -> str:
        return self.entity_id + "/acs"

    def assertion(self, name_id: str = ALICE, **changes: Any) -> etree._Element:
        options: dict[str, Any] = {
            "audience": self.entity_id,
            "recipient": self.acs,
            "now": self.clock(),
        }
        options.update(changes)
        return self.idp.assertion(name_id, **options)

    def response(self, name_id: str = ALICE, **changes: Any) -> etree._Element:
        """A Response with one signed Assertion, as OneLogin sends it."""
        assertion = self.idp.sign(self.assertion(name_id, **changes))
        return self.idp.response(
            assertion,
            destination=self.acs,
            in_response_to=changes.get("in_response_to"),
        )

    def post(self, response: etree._Element | bytes | str, relay: str | None = None) -> Any:
        form = {
            "SAMLResponse": response
            if isinstance(response, str) and not response.startswith("<")
            else encoded(response)
        }
        if relay is not None:
            form["RelayState"] = relay
        return self.client.post(
            f"/saml/{self.account_id}/acs",
            data=form,
            headers={"Origin": "https://idp.example", "Sec-Fetch-Site": "cross-site"},
        )

    def attempts(self) -> list[dict[str, Any]]:
        answer = self.admin.get(f"/accounts/{self.account_id}/saml/attempts")
        assert answer.status_code == 200
        result: list[dict[str, Any]] = answer.json
        return result

    def start(self, next_path: str | None = None) -> tuple[str, dict[str, list[str]]]:
        """An SP-initiated login: the request's ID and the redirect's query."""
        query = {"next": next_path} if next_path else {}
        answer = self.client.get(f"/saml/{self.account_id}/login", query_string=query)
        assert answer.status_code == 302, answer.text
        location = answer.headers["Location"]
        assert location.startswith(self.idp.sso_url + "?")
        params = parse_qs(urlsplit(location).query)
        request = saml.parse_untrusted(saml.decode_redirect(params["SAMLRequest"][0]))
        return str(request.get("ID")), params


def reason_of(answer: Any) -> str:
    assert answer.status_code == 403, answer.text
    match = re.search(r'data-reason="([a-z_]+)"', answer.text)
    assert match, answer.text
    return match.group(1)


def configure(admin: Any, account_id: int, idp: TestIdp, **settings: Any) -> Any:
    body = {"idp_metadata_xml": idp.metadata(), "mode": "optional", "jit": False, **settings}
    return admin.put(f"/accounts/{account_id}/saml", body)


def signed_in_as(client: FlaskClient) -> str | None:
    page = client.get("/apps")
    if page.status_code != 200:
        return None
    match = re.search(r'data-testid="current-member">([^<]+)<', page.text)
    return match.group(1) if match else None


def unsigned(assertion: etree._Element) -> etree._Element:
    """The assertion without its signature placeholder."""
    placeholder = assertion.find(f"{{{saml.NS_DSIG}}}Signature")
    assert placeholder is not None
    assertion.remove(placeholder)
    return assertion


class AdminApi:
    """The admin JSON API through a test client: ``admin.put(path, body)``."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client

    def __getattr__(self, method: str) -> Any:
        def call(path: str, body: Any = None) -> Any:
            return self.client.open("/admin/api/v1" + path, method=method.upper(), json=body)

        return call


def sp_with_alice(client: FlaskClient, account_id: int, clock: ManualClock, **settings: Any) -> Sp:
    """The account's SSO set up with a fresh test IdP, and alice@acme.example a member."""
    admin = AdminApi(client)
    idp = TestIdp()
    answer = configure(admin, account_id, idp, **settings)
    assert answer.status_code == 200, answer.json
    admin.post(
        f"/accounts/{account_id}/members",
        {"email": ALICE, "first_name": "Alice", "last_name": "Example"},
    )
    return Sp(client, admin, account_id, idp, clock)
