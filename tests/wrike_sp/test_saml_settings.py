"""SSO settings through the admin API (docs/sso.md): the shape, the IdP metadata an admin
pastes (refused with a clear error when it is not an IdP's), the plan gate, the public SP
metadata, and settings that survive a restart (SQLite file)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.wrike_sp.saml_idp import ALICE, AdminApi, Sp, TestIdp, key_pair, signed_in_as
from webguard import saml
from wrike_sp import WrikeConfig, create_app
from wrike_sp.demo import DemoAccount, seed_demo_account
from wrike_sp.domain.clock import ManualClock


def saml_path(demo: DemoAccount) -> str:
    return f"/accounts/{demo.account_id}/saml"


def test_a_new_account_has_sso_off_and_shows_its_sp_urls(admin: Any, demo: DemoAccount) -> None:
    view = admin.get(saml_path(demo)).json
    base = f"http://localhost/saml/{demo.account_id}"
    assert view == {
        "mode": "off",
        "jit": False,
        "sp_entity_id": base,
        "sp_metadata_url": base + "/metadata",
        "acs_url": base + "/acs",
        "sso_available": True,
        "provider": "onelogin",
        "idp": None,
    }


def test_pasted_idp_metadata_is_kept_with_its_certificates(admin: Any, demo: DemoAccount) -> None:
    idp = TestIdp()
    rotated = key_pair("rotated")
    view = admin.put(
        saml_path(demo), {"idp_metadata_xml": idp.metadata(idp.keys, rotated), "mode": "optional"}
    ).json
    assert view["mode"] == "optional"
    assert view["idp"]["entity_id"] == idp.entity_id
    assert view["idp"]["sso_url"] == idp.sso_url
    fingerprints = [c["fingerprint_sha256"] for c in view["idp"]["certificates"]]
    assert len(fingerprints) == 2 and all(len(f) == 64 for f in fingerprints)
    assert view["idp"]["certificates"][0]["not_after"] == "2040-01-01T00:00:00.000Z"
    assert admin.get(saml_path(demo)).json == view


SP_METADATA = (
    '<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="x">'
    "<md:SPSSODescriptor protocolSupportEnumeration="
    '"urn:oasis:names:tc:SAML:2.0:protocol"/></md:EntityDescriptor>'
)


@pytest.mark.parametrize(
    ("metadata", "says"),
    [
        ("", "it is empty"),
        ("not xml at all", "not well-formed"),
        ('<!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>', "document type"),
        ("<html><body>Login</body></html>", "no md:EntityDescriptor"),
        (SP_METADATA, "no IDPSSODescriptor"),
        (TestIdp().metadata().replace("HTTP-Redirect", "SOAP"), "HTTP-Redirect"),
    ],
)
def test_metadata_that_is_not_an_idps_is_refused_clearly(
    admin: Any, demo: DemoAccount, metadata: str, says: str
) -> None:
    answer = admin.put(saml_path(demo), {"idp_metadata_xml": metadata})
    assert answer.status_code == 400
    assert answer.json["error"] == "invalid_idp_metadata"
    assert says in answer.json["message"]
    assert "More Actions > SAML Metadata" in answer.json["message"]
    assert admin.get(saml_path(demo)).json["idp"] is None


def test_metadata_without_a_signing_certificate_is_refused(admin: Any, demo: DemoAccount) -> None:
    text = TestIdp().metadata().replace('use="signing"', 'use="encryption"')
    answer = admin.put(saml_path(demo), {"idp_metadata_xml": text})
    assert answer.status_code == 400
    assert "no signing certificate" in answer.json["message"]
    broken = TestIdp().metadata().replace("MII", "XXX", 1)
    answer = admin.put(saml_path(demo), {"idp_metadata_xml": broken})
    assert answer.status_code == 400
    assert "not an X.509 certificate" in answer.json["message"]


def test_sso_needs_an_idp_before_it_is_on(admin: Any, demo: DemoAccount) -> None:
    answer = admin.put(saml_path(demo), {"mode": "enforced"})
    assert answer.status_code == 400
    assert answer.json["error"] == "idp_missing"
    for body, error in (
        ({"mode": "sometimes"}, "invalid_mode"),
        ({"jit": "yes"}, "invalid_jit"),
        ({"colour": "blue"}, "invalid_field"),
        ({"provider": "okta-ish"}, "invalid_provider"),
    ):
        assert admin.put(saml_path(demo), body).json["error"] == error


def test_a_plan_without_sso_cannot_set_it_up(admin: Any, demo: DemoAccount) -> None:
    admin.put(f"/accounts/{demo.account_id}/plan", {"plan": "Business"})
    answer = admin.put(saml_path(demo), {"idp_metadata_xml": TestIdp().metadata()})
    assert answer.status_code == 403
    assert answer.json["error"] == "sso_not_in_plan"
    assert "Enterprise Standard" in answer.json["message"]
    assert admin.get(saml_path(demo)).json["sso_available"] is False


def test_an_unknown_account_is_a_404(admin: Any) -> None:
    assert admin.get("/accounts/999/saml").status_code == 404
    assert admin.get("/accounts/999/saml/attempts").status_code == 404


def test_the_sp_metadata_is_public_and_names_the_acs(
    client: FlaskClient, demo: DemoAccount
) -> None:
    answer = client.get(f"/saml/{demo.account_id}/metadata")
    assert answer.status_code == 200
    assert answer.mimetype == "application/samlmetadata+xml"
    root = saml.parse_untrusted(answer.data)
    base = f"http://localhost/saml/{demo.account_id}"
    assert root.get("entityID") == base
    sp = root.find("md:SPSSODescriptor", namespaces=saml.NAMESPACES)
    assert sp is not None and sp.get("WantAssertionsSigned") == "true"
    acs = sp.find("md:AssertionConsumerService", namespaces=saml.NAMESPACES)
    assert acs is not None
    assert (acs.get("Binding"), acs.get("Location")) == (saml.BINDING_POST, base + "/acs")
    assert sp.findtext("md:NameIDFormat", namespaces=saml.NAMESPACES) == saml.NAMEID_EMAIL
    assert client.get("/saml/999/metadata").status_code == 404


def test_the_public_url_shapes_the_sp_urls() -> None:
    app = create_app(WrikeConfig(public_url="https://wrike.example", password_iterations=1000))
    demo = seed_demo_account(app.extensions["wrike"].accounts)
    view = AdminApi(app.test_client()).get(f"/accounts/{demo.account_id}/saml").json
    assert view["acs_url"] == f"https://wrike.example/saml/{demo.account_id}/acs"


def test_the_admin_api_wants_its_key() -> None:
    app = create_app(WrikeConfig(admin_key="k" * 32, password_iterations=1000))
    client = app.test_client()
    assert client.get("/admin/api/v1/accounts/1/saml").status_code == 401
    assert client.get("/admin/api/v1/accounts/1/saml/attempts").status_code == 401


@pytest.fixture
def on_disk(tmp_path: Path) -> Iterator[Callable[[], Flask]]:
    apps: list[Flask] = []
    clock = ManualClock()

    def start() -> Flask:
        if apps:
            apps[-1].extensions["wrike"].store.close()
        app = create_app(
            WrikeConfig(
                database=str(tmp_path / "wrike.sqlite3"), password_iterations=1000, clock=clock
            )
        )
        apps.append(app)
        return app

    yield start
    apps[-1].extensions["wrike"].store.close()


def test_settings_and_an_outstanding_request_survive_a_restart(
    on_disk: Callable[[], Flask],
) -> None:
    first = on_disk()
    demo = seed_demo_account(first.extensions["wrike"].accounts)
    admin = AdminApi(first.test_client())
    idp = TestIdp()
    saved = admin.put(
        f"/accounts/{demo.account_id}/saml",
        {"idp_metadata_xml": idp.metadata(), "mode": "enforced", "jit": True},
    ).json
    admin.post(f"/accounts/{demo.account_id}/members", {"email": ALICE})
    clock = first.extensions["wrike"].config.clock
    request_id, _ = Sp(first.test_client(), admin, demo.account_id, idp, clock).start()

    second = on_disk()
    client = second.test_client()
    sp = Sp(client, AdminApi(client), demo.account_id, idp, clock)
    assert sp.admin.get(f"/accounts/{demo.account_id}/saml").json == saved
    assert sp.post(sp.response(in_response_to=request_id)).status_code == 303
    assert signed_in_as(client) == ALICE


def test_a_harness_reset_forgets_the_sso_settings_and_attempts(
    client: FlaskClient, admin: Any, demo: DemoAccount
) -> None:
    admin.put(saml_path(demo), {"idp_metadata_xml": TestIdp().metadata(), "mode": "enforced"})
    client.post(f"/saml/{demo.account_id}/acs", data={"SAMLResponse": "x"})
    assert client.post("/harness/api/reset").status_code == 204
    again = seed_demo_account(client.application.extensions["wrike"].accounts)
    assert again.account_id == demo.account_id  # the id is used again: nothing may carry over
    assert admin.get(saml_path(again)).json["mode"] == "off"
    assert admin.get(saml_path(again)).json["idp"] is None
    assert admin.get(f"/accounts/{again.account_id}/saml/attempts").json == []
