"""The official SDK's ``SAMLAssertionsApi.generate_saml_assert2`` against the simulated
OneLogin over real HTTP: a signed assertion for an assigned active user, verified with signxml
against the certificate in the app's IdP metadata; OneLogin's refusals otherwise."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator

import onelogin
import pytest
import requests
from onelogin.api import saml_assertions_api
from onelogin.exceptions import ApiException
from signxml import XMLVerifier

from mock_onelogin import OneLoginAccount, OneLoginConfig, create_app
from tests.live import serving
from tests.mock_onelogin.sdk_world import sdk_client
from webguard import saml as xml

ACS = "http://wrike.test/saml/1/acs"
AUDIENCE = "http://wrike.test/saml/1"
PASSWORD = "sdk password 1"


@pytest.fixture
def server() -> Iterator[tuple[str, OneLoginAccount, int]]:
    account = OneLoginAccount(
        OneLoginConfig(drain_mode="manual", password_scrypt_n=2**8, saml_key_bits=1024)
    )
    app_id = account.apps.wrike_app_id()
    account.sso.update_settings(app_id, {"audience": AUDIENCE, "acs_url": ACS})
    assigned = account.directory.create_user(
        {
            "username": "ada",
            "email": "ada@acme.example",
            "firstname": "Ada",
            "lastname": "L",
            "password": PASSWORD,
        }
    )
    account.directory.add_login(assigned["id"], app_id)
    account.directory.create_user(
        {"username": "bob", "email": "bob@acme.example", "password": PASSWORD}
    )
    with serving(create_app(account.config, account=account)) as host:
        yield host, account, app_id


def _assert(sdk: onelogin.ApiClient, who: str, password: str, app_id: int) -> object:
    return saml_assertions_api.SAMLAssertionsApi(sdk).generate_saml_assert2(
        saml_assert=onelogin.SamlAssert(
            username_or_email=who, password=password, app_id=str(app_id), subdomain="acme"
        )
    )


def test_generate_saml_assert2_returns_an_assertion_signed_with_the_apps_certificate(
    server: tuple[str, OneLoginAccount, int],
) -> None:
    host, account, app_id = server
    answer = _assert(sdk_client(host, account), "ada@acme.example", PASSWORD, app_id)
    assert isinstance(answer, onelogin.GenerateSamlAssert200Response)
    assert answer.status is not None and answer.status.error is False
    assert answer.data is not None
    response_xml = base64.b64decode(answer.data[0]["SAMLResponse"])

    metadata = requests.get(f"{host}/saml/metadata/{app_id}", timeout=10)
    cert = xml.parse_untrusted(metadata.content).findtext(
        ".//md:KeyDescriptor[@use='signing']//ds:X509Certificate", namespaces=xml.NAMESPACES
    )
    assert cert
    pem = f"-----BEGIN CERTIFICATE-----\n{cert}\n-----END CERTIFICATE-----\n"
    assertion = XMLVerifier().verify(response_xml, x509_cert=pem).signed_xml
    assert assertion.findtext("saml:Subject/saml:NameID", namespaces=xml.NAMESPACES) == (
        "ada@acme.example"
    )


@pytest.mark.parametrize(
    ("who", "password", "message"),
    [
        ("ada", "not the password", "Authentication Failed: Invalid user credentials"),
        ("bob", PASSWORD, "app_not_assigned"),
    ],
    ids=["wrong password", "unassigned user"],
)
def test_generate_saml_assert2_refusals_are_onelogin_errors(
    server: tuple[str, OneLoginAccount, int], who: str, password: str, message: str
) -> None:
    host, account, app_id = server
    with pytest.raises(ApiException) as refused:
        _assert(sdk_client(host, account), who, password, app_id)
    assert refused.value.status == 401
    status = json.loads(refused.value.body)["status"]
    assert status["error"] is True and status["code"] == 401
    assert message in status["message"]
