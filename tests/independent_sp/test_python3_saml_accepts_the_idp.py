"""OneLogin's own SAML toolkit (python3-saml, in ``.venv-saml``) accepts what the simulated
OneLogin sends the Wrike app: the Response of an SP-initiated login (to an AuthnRequest
python3-saml built itself), of an IdP-initiated login from the portal, and the assertion
the SDK's ``generate_saml_assert2`` returns; and it refuses one altered on the way.

The world is ``harness up``'s (both servers on free loopback ports, SSO wired on both sides),
so python3-saml stands exactly where the reference Wrike stands: its entity id and ACS are
the Wrike account's, and it reads the IdP metadata from the URL Wrike's admin would paste it
from."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import onelogin
import pytest
import requests
from lxml import etree
from onelogin.api import o_auth2_api, saml_assertions_api

from harness.up import start
from tests.independent_sp import checker, forms
from webguard.saml import NS_ASSERTION

#: Each check runs python3-saml in its own interpreter (.venv-saml): with the heavy runs
#: (``-m slow``; .ci/run runs both).
pytestmark = pytest.mark.slow

ADA = "ada@acme.example"


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    running = start(tmp_path_factory.mktemp("up"), "127.0.0.1", 0, 0, threads=2)
    try:
        yield running.info
    finally:
        running.stop()


def sp_of(world: dict[str, Any]) -> dict[str, str]:
    saml = world["wrike"]["saml"]
    return {"entity_id": saml["entity_id"], "acs_url": saml["acs_url"]}


def metadata(world: dict[str, Any]) -> str:
    answer = requests.get(world["onelogin"]["saml"]["metadata_url"], timeout=10)
    assert answer.status_code == 200, answer.text
    return answer.text


def signed_in(world: dict[str, Any]) -> requests.Session:
    """A browser-like session signed in to OneLogin as ada, through its login page."""
    session = requests.Session()
    page = session.get(world["onelogin"]["url"] + "/login", timeout=10)
    assert page.status_code == 200, page.text
    answer = forms.sign_in(session, page, ADA, world["onelogin"]["users_password"])
    assert answer.status_code == 200, answer.text
    return session


def idp_initiated(world: dict[str, Any]) -> str:
    session = signed_in(world)
    portal = session.get(world["onelogin"]["url"] + "/portal", timeout=10)
    assert portal.status_code == 200, portal.text
    launch = f"/portal/launch/{world['onelogin']['wrike_app_id']}"
    found = [form for form in forms.forms(portal) if form.action.endswith(launch)]
    assert found, f"the portal offers no Wrike app to ada: {portal.text[:800]}"
    answer = forms.post_form(session, found[0])
    posted = forms.saml_post(answer)
    assert posted is not None, f"no SAML answer: {answer.status_code} {answer.text[:800]}"
    assert posted.action == sp_of(world)["acs_url"]
    return posted.fields["SAMLResponse"]


def assert_ada(answer: dict[str, Any]) -> None:
    assert answer["valid"], answer
    assert answer["name_id"] == ADA
    assert answer["name_id_format"] == "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress"
    assert answer["attributes"]["User.email"] == [ADA]
    assert answer["attributes"]["User.FirstName"] == ["Ada"]
    assert answer["attributes"]["User.LastName"] == ["Lovelace"]


def test_python3_saml_accepts_an_idp_initiated_login_from_the_portal(
    world: dict[str, Any],
) -> None:
    answer = checker.verdict(
        idp_initiated(world), sp=sp_of(world), idp_metadata_xml=metadata(world)
    )
    assert_ada(answer)
    assert answer["issuers"] == [world["onelogin"]["saml"]["issuer"]]
    assert answer["in_response_to"] is None


@pytest.mark.parametrize("binding", ["HTTP-Redirect", "HTTP-POST"])
def test_python3_saml_accepts_an_sp_initiated_login_to_its_own_authn_request(
    world: dict[str, Any], binding: str
) -> None:
    saml = world["onelogin"]["saml"]
    request = checker.authn_request(
        sp=sp_of(world), idp={"entity_id": saml["issuer"], "sso_url": saml["sso_url_redirect"]}
    )
    session = requests.Session()
    if binding == "HTTP-Redirect":
        page = session.get(
            saml["sso_url_redirect"],
            params={"SAMLRequest": request["saml_request"], "RelayState": "/workspace"},
            timeout=10,
        )
    else:
        page = session.post(
            saml["sso_url_post"],
            data={"SAMLRequest": request["saml_request_post"], "RelayState": "/workspace"},
            timeout=10,
        )
    assert page.status_code == 200, page.text
    answer = forms.sign_in(session, page, ADA, world["onelogin"]["users_password"])
    posted = forms.saml_post(answer)
    assert posted is not None, f"no SAML answer: {answer.status_code} {answer.text[:800]}"
    assert posted.fields.get("RelayState") == "/workspace"
    idp_xml = metadata(world)
    accepted = checker.verdict(
        posted.fields["SAMLResponse"],
        sp=sp_of(world),
        idp_metadata_xml=idp_xml,
        request_id=request["id"],
    )
    assert_ada(accepted)
    assert accepted["in_response_to"] == request["id"]
    if binding == "HTTP-Redirect":
        # python3-saml does hold the IdP to the request: the same Response answers no other.
        other = checker.verdict(
            posted.fields["SAMLResponse"],
            sp=sp_of(world),
            idp_metadata_xml=idp_xml,
            request_id="_another-request",
        )
        assert not other["valid"] and other["reason"] == "WRONG_INRESPONSETO", other


def sdk(world: dict[str, Any]) -> onelogin.ApiClient:
    api = world["onelogin"]["api"]
    config = onelogin.Configuration(
        host=world["onelogin"]["url"], username=api["client_id"], password=api["client_secret"]
    )
    client = onelogin.ApiClient(config)
    config.access_token = (
        o_auth2_api.OAuth2Api(client)
        .generate_token(onelogin.GenerateTokenRequest(grant_type="client_credentials"))
        .access_token
    )
    return client


def generate_saml_assert2(world: dict[str, Any], password: str) -> Any:
    return saml_assertions_api.SAMLAssertionsApi(sdk(world)).generate_saml_assert2(
        saml_assert=onelogin.SamlAssert(
            username_or_email=ADA,
            password=password,
            app_id=str(world["onelogin"]["wrike_app_id"]),
            subdomain=world["onelogin"].get("subdomain") or "acme",
        )
    )


def test_python3_saml_accepts_the_assertion_generate_saml_assert2_returns(
    world: dict[str, Any],
) -> None:
    minted = generate_saml_assert2(world, world["onelogin"]["users_password"])
    encoded = minted.data[0]["SAMLResponse"]
    assert_ada(checker.verdict(encoded, sp=sp_of(world), idp_metadata_xml=metadata(world)))


def test_generate_saml_assert2_refuses_a_wrong_password_in_onelogin_s_error_shape(
    world: dict[str, Any],
) -> None:
    with pytest.raises(onelogin.ApiException) as refused:
        generate_saml_assert2(world, "not-the-password")
    assert refused.value.status in (400, 401), refused.value


def test_python3_saml_refuses_a_response_altered_on_the_way(
    world: dict[str, Any], tmp_path: Path
) -> None:
    root = etree.fromstring(base64.b64decode(idp_initiated(world)))
    name_id = root.find(f".//{{{NS_ASSERTION}}}NameID")
    assert name_id is not None
    name_id.text = "grace@acme.example"
    tampered = base64.b64encode(etree.tostring(root)).decode()
    answer = checker.verdict(tampered, sp=sp_of(world), idp_metadata_xml=metadata(world))
    assert not answer["valid"] and answer["reason"] == "INVALID_SIGNATURE", answer
