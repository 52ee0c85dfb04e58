"""The independent SP is no rubber stamp: python3-saml (in its own environment) accepts a
Response shaped and signed as docs/sso.md says, and refuses the same Response once it is
altered, unsigned, signed by another key, for another audience or posted elsewhere."""

from __future__ import annotations

import base64
from collections.abc import Callable

import pytest
from lxml import etree

from tests.independent_sp import checker, own_signer
from webguard.saml import NS_ASSERTION

#: Each check runs python3-saml in its own interpreter (.venv-saml): with the heavy runs
#: (``-m slow``; .ci/run runs both).
pytestmark = pytest.mark.slow

IDP = "http://127.0.0.1:9/saml/metadata/1"
SP = {"entity_id": "http://127.0.0.1:8/saml/7", "acs_url": "http://127.0.0.1:8/saml/7/acs"}


def build(
    *, key: own_signer.Signer | None = None, audience: str | None = None, signed: bool = True
) -> str:
    element = own_signer.assertion(
        issuer=IDP,
        audience=audience or SP["entity_id"],
        acs_url=SP["acs_url"],
        email="ada@acme.example",
        first_name="Ada",
        last_name="Lovelace",
    )
    if signed:
        element = own_signer.sign(element, key or own_signer.signer())
    else:
        for placeholder in element.iter("{http://www.w3.org/2000/09/xmldsig#}Signature"):
            element.remove(placeholder)
    xml = own_signer.response(element, issuer=IDP, acs_url=SP["acs_url"])
    return base64.b64encode(xml).decode()


def idp() -> dict[str, str]:
    return {
        "entity_id": IDP,
        "sso_url": "http://127.0.0.1:9/trust/saml2/http-redirect/sso/1",
        "x509cert": own_signer.signer().cert_base64,
    }


def test_python3_saml_accepts_a_response_signed_as_the_contract_says() -> None:
    answer = checker.verdict(build(), sp=SP, idp=idp())
    assert answer["valid"], answer
    assert answer["name_id"] == "ada@acme.example"
    assert answer["attributes"] == {
        "User.email": ["ada@acme.example"],
        "User.FirstName": ["Ada"],
        "User.LastName": ["Lovelace"],
    }
    assert answer["audiences"] == [SP["entity_id"]]


def altered(encoded: str) -> str:
    xml = base64.b64decode(encoded)
    root = etree.fromstring(xml)
    name_id = root.find(f".//{{{NS_ASSERTION}}}NameID")
    assert name_id is not None
    name_id.text = "mallory@acme.example"
    return base64.b64encode(etree.tostring(root)).decode()


@pytest.mark.parametrize(
    ("make", "sp", "reason"),
    [
        (lambda: altered(build()), SP, "INVALID_SIGNATURE"),
        (lambda: build(signed=False), SP, "NO_SIGNED_ASSERTION"),
        (lambda: build(key=own_signer.signer("another IdP")), SP, "INVALID_SIGNATURE"),
        (lambda: build(audience="http://127.0.0.1:8/saml/8"), SP, "WRONG_AUDIENCE"),
        (lambda: build(), {**SP, "acs_url": "http://127.0.0.1:8/saml/8/acs"}, "WRONG_DESTINATION"),
    ],
    ids=["altered", "unsigned", "other key", "other audience", "other ACS"],
)
def test_python3_saml_refuses_a_bad_response(
    make: Callable[[], str], sp: dict[str, str], reason: str
) -> None:
    answer = checker.verdict(make(), sp=sp, idp=idp())
    assert not answer["valid"]
    assert answer["reason"] == reason, answer


def test_python3_saml_builds_the_authn_request_the_sp_initiated_tests_send() -> None:
    request = checker.authn_request(sp=SP, idp=idp())
    root = etree.fromstring(request["xml"].encode())
    assert root.get("ID") == request["id"]
    assert root.get("AssertionConsumerServiceURL") == SP["acs_url"]
    assert request["saml_request"]
