"""A Response shaped as docs/sso.md says the IdP sends one, signed here with signxml: the
control that shows the checker itself tells a good Response from a bad one, independently of
``mock_onelogin`` (and used by the bench as the cost of signing and verifying alone)."""

from __future__ import annotations

import datetime as dt

from lxml import etree
from signxml import SignatureMethod, XMLSigner

from tests.wrike_sp.saml_idp import KeyPair, key_pair
from webguard.saml import (
    CM_BEARER,
    NAMEID_EMAIL,
    NS_ASSERTION,
    NS_DSIG,
    NS_PROTOCOL,
    STATUS_SUCCESS,
    instant,
    new_id,
)

EXC_C14N = "http://www.w3.org/2001/10/xml-exc-c14n#"


#: The key and certificate the Response is signed with: the tests' one self-signed pair.
Signer = KeyPair


def signer(common_name: str = "simulated OneLogin test IdP") -> Signer:
    return key_pair(common_name)


def _sub(
    parent: etree._Element, ns: str, tag: str, text: str | None = None, **attrs: str
) -> etree._Element:
    element = etree.SubElement(parent, f"{{{ns}}}{tag}", attrib=attrs)
    if text is not None:
        element.text = text
    return element


def assertion(
    *,
    issuer: str,
    audience: str,
    acs_url: str,
    email: str,
    first_name: str,
    last_name: str,
    in_response_to: str | None = None,
    now: dt.datetime | None = None,
    lifetime: dt.timedelta = dt.timedelta(minutes=3),
) -> etree._Element:
    now = now or dt.datetime.now(dt.UTC)
    nsmap = {"saml": NS_ASSERTION}
    root = etree.Element(
        f"{{{NS_ASSERTION}}}Assertion",
        nsmap=nsmap,
        attrib={"ID": new_id(), "Version": "2.0", "IssueInstant": instant(now)},
    )
    _sub(root, NS_ASSERTION, "Issuer", issuer)
    # Where the enveloped signature goes: after Issuer, as saml-schema-assertion requires.
    etree.SubElement(
        root, f"{{{NS_DSIG}}}Signature", attrib={"Id": "placeholder"}, nsmap={"ds": NS_DSIG}
    )
    subject = _sub(root, NS_ASSERTION, "Subject")
    _sub(subject, NS_ASSERTION, "NameID", email, Format=NAMEID_EMAIL)
    confirmation = _sub(subject, NS_ASSERTION, "SubjectConfirmation", Method=CM_BEARER)
    data = {"Recipient": acs_url, "NotOnOrAfter": instant(now + lifetime)}
    if in_response_to:
        data["InResponseTo"] = in_response_to
    _sub(confirmation, NS_ASSERTION, "SubjectConfirmationData", **data)
    conditions = _sub(
        root,
        NS_ASSERTION,
        "Conditions",
        NotBefore=instant(now - dt.timedelta(minutes=1)),
        NotOnOrAfter=instant(now + lifetime),
    )
    restriction = _sub(conditions, NS_ASSERTION, "AudienceRestriction")
    _sub(restriction, NS_ASSERTION, "Audience", audience)
    statement = _sub(
        root, NS_ASSERTION, "AuthnStatement", AuthnInstant=instant(now), SessionIndex=new_id()
    )
    context = _sub(statement, NS_ASSERTION, "AuthnContext")
    _sub(
        context,
        NS_ASSERTION,
        "AuthnContextClassRef",
        "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport",
    )
    attributes = _sub(root, NS_ASSERTION, "AttributeStatement")
    for name, value in (
        ("User.email", email),
        ("User.FirstName", first_name),
        ("User.LastName", last_name),
    ):
        attribute = _sub(attributes, NS_ASSERTION, "Attribute", Name=name)
        _sub(attribute, NS_ASSERTION, "AttributeValue", value)
    return root


def sign(element: etree._Element, key: Signer) -> etree._Element:
    """Enveloped RSA-SHA256 with exclusive c14n, as docs/sso.md says the IdP signs."""
    signed: etree._Element = XMLSigner(
        signature_algorithm=SignatureMethod.RSA_SHA256,
        c14n_algorithm=EXC_C14N,
    ).sign(element, key=key.key_pem, cert=key.cert_pem)
    return signed


def response(
    signed_assertion: etree._Element,
    *,
    issuer: str,
    acs_url: str,
    in_response_to: str | None = None,
    now: dt.datetime | None = None,
) -> bytes:
    now = now or dt.datetime.now(dt.UTC)
    attrs = {"ID": new_id(), "Version": "2.0", "IssueInstant": instant(now), "Destination": acs_url}
    if in_response_to:
        attrs["InResponseTo"] = in_response_to
    root = etree.Element(
        f"{{{NS_PROTOCOL}}}Response",
        nsmap={"samlp": NS_PROTOCOL, "saml": NS_ASSERTION},
        attrib=attrs,
    )
    _sub(root, NS_ASSERTION, "Issuer", issuer)
    status = _sub(root, NS_PROTOCOL, "Status")
    _sub(status, NS_PROTOCOL, "StatusCode", Value=STATUS_SUCCESS)
    root.append(signed_assertion)
    return bytes(etree.tostring(root))
