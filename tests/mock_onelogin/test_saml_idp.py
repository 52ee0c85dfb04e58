"""OneLogin as the SAML IdP of the Wrike app, through the Flask test client: metadata, the
SP-initiated login over both bindings, the signed Response and every element docs/sso.md
promises, certificate rotation and retirement, refusals (with their System Log events), the
simulator API, and certificates surviving a restart."""

from __future__ import annotations

import base64
import re
from datetime import timedelta
from html import unescape
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from lxml import etree
from signxml import InvalidSignature, XMLVerifier

from mock_onelogin import FixedClock, OneLoginAccount, OneLoginConfig, create_app
from mock_onelogin.domain import saml as saml_rules
from mock_onelogin.domain.errors import ValidationFailed
from mock_onelogin.domain.events import EventType
from mock_onelogin.domain.saml import SamlSettings, new_signing_key
from tests.mock_onelogin.conftest import make_user
from webguard import saml as xml

ACS = "http://wrike.test/saml/1/acs"
AUDIENCE = "http://wrike.test/saml/1"
NS = xml.NAMESPACES
PASSWORD = "correct horse 1"


def authn_request(
    acs: str | None = ACS, request_id: str = "_req1", issuer: str = AUDIENCE, extra: str = ""
) -> bytes:
    acs_attr = f' AssertionConsumerServiceURL="{acs}"' if acs else ""
    return (
        f'<samlp:AuthnRequest xmlns:samlp="{xml.NS_PROTOCOL}" xmlns:saml="{xml.NS_ASSERTION}" '
        f'ID="{request_id}" Version="2.0" IssueInstant="2026-01-01T09:00:00Z"{acs_attr} '
        f'ProtocolBinding="{xml.BINDING_POST}"><saml:Issuer>{issuer}</saml:Issuer>{extra}'
        "</samlp:AuthnRequest>"
    ).encode()


def redirect_sso(client: FlaskClient, app_id: int, data: bytes, relay: str | None = None) -> Any:
    query = {"SAMLRequest": xml.encode_redirect(data)}
    if relay is not None:
        query["RelayState"] = relay
    return client.get(f"/trust/saml2/http-redirect/sso/{app_id}", query_string=query)


def posted(page: Any) -> dict[str, str]:
    """The auto-posting form's action and hidden fields."""
    html = page.get_data(as_text=True)
    action = re.search(r'<form id="saml-post" method="post" action="([^"]+)"', html)
    assert action, html
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', html))
    return {"action": unescape(action.group(1)), **{k: unescape(v) for k, v in fields.items()}}


def saml(client: FlaskClient, app_id: int) -> dict[str, Any]:
    answer = client.get(f"/simulator/api/apps/{app_id}/saml")
    assert answer.status_code == 200, answer.get_data(as_text=True)
    body: dict[str, Any] = answer.get_json()
    return body


def metadata_certificate(client: FlaskClient, app_id: int) -> str:
    answer = client.get(f"/saml/metadata/{app_id}")
    assert answer.status_code == 200
    root = xml.parse_untrusted(answer.data)
    (cert,) = root.findall(".//md:KeyDescriptor[@use='signing']//ds:X509Certificate", NS)
    return "-----BEGIN CERTIFICATE-----\n" + (cert.text or "") + "\n-----END CERTIFICATE-----\n"


def events(account: OneLoginAccount, event_type: EventType) -> list[dict[str, Any]]:
    rows = account.store.table_rows("events")
    return [r for r in rows if r["event_type_id"] == int(event_type)]


@pytest.fixture
def app_id(account: OneLoginAccount, client: FlaskClient) -> int:
    app_id = account.apps.wrike_app_id()
    answer = client.put(
        f"/simulator/api/apps/{app_id}/saml", json={"audience": AUDIENCE, "acs_url": ACS}
    )
    assert answer.status_code == 200, answer.get_data(as_text=True)
    return app_id


@pytest.fixture
def user(account: OneLoginAccount, app_id: int) -> dict[str, Any]:
    """An active user with a password, given the Wrike app directly."""
    user = make_user(account, 1, password=PASSWORD)
    account.directory.add_login(user["id"], app_id)
    return user


def log_in(client: FlaskClient, username: str, password: str = PASSWORD) -> Any:
    page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True))
    assert token
    return client.post(
        "/login", data={"username": username, "password": password, "csrf_token": token.group(1)}
    )


def signed_in_sso(client: FlaskClient, app_id: int, user: dict[str, Any], **kw: Any) -> Any:
    assert log_in(client, user["username"]).status_code == 302
    return redirect_sso(client, app_id, authn_request(**kw), relay="/workspace")


# metadata --------------------------------------------------------------------------------------
def test_metadata_is_well_formed_and_lists_the_signing_certificate(
    client: FlaskClient, app_id: int
) -> None:
    answer = client.get(f"/saml/metadata/{app_id}")
    assert answer.status_code == 200
    assert answer.mimetype == "application/samlmetadata+xml"
    root = xml.parse_untrusted(answer.data)
    assert root.tag == f"{{{xml.NS_METADATA}}}EntityDescriptor"
    assert root.get("entityID") == f"http://localhost/saml/metadata/{app_id}"
    services = {
        s.get("Binding"): s.get("Location")
        for s in root.findall(".//md:IDPSSODescriptor/md:SingleSignOnService", NS)
    }
    assert services == {
        xml.BINDING_REDIRECT: f"http://localhost/trust/saml2/http-redirect/sso/{app_id}",
        xml.BINDING_POST: f"http://localhost/trust/saml2/http-post/sso/{app_id}",
    }
    assert root.findtext(".//md:NameIDFormat", namespaces=NS) == xml.NAMEID_EMAIL
    signing = saml(client, app_id)["signing_certificate"]
    assert metadata_certificate(client, app_id).split("\n")[1].replace("\n", "") in signing[
        "pem"
    ].replace("\n", "")


# the SP-initiated login -----------------------------------------------------------------------
def test_redirect_binding_answers_a_signed_response_with_every_promised_element(
    client: FlaskClient, app_id: int, user: dict[str, Any], clock: FixedClock
) -> None:
    page = signed_in_sso(client, app_id, user)
    assert page.status_code == 200, page.get_data(as_text=True)
    form = posted(page)
    assert form["action"] == ACS
    assert form["RelayState"] == "/workspace"
    response_xml = base64.b64decode(form["SAMLResponse"])

    verified = XMLVerifier().verify(response_xml, x509_cert=metadata_certificate(client, app_id))
    assertion = verified.signed_xml
    assert assertion.tag == f"{{{xml.NS_ASSERTION}}}Assertion"

    root = xml.parse_untrusted(response_xml)
    issuer = f"http://localhost/saml/metadata/{app_id}"
    assert root.get("Destination") == ACS
    assert root.get("InResponseTo") == "_req1"
    assert root.findtext("saml:Issuer", namespaces=NS) == issuer
    status = root.find("samlp:Status/samlp:StatusCode", NS)
    assert status is not None and status.get("Value") == xml.STATUS_SUCCESS
    (signed,) = root.findall("saml:Assertion", NS)
    children = [etree.QName(c).localname for c in signed]
    assert children[:3] == ["Issuer", "Signature", "Subject"]  # schema order
    assert signed.findtext("saml:Issuer", namespaces=NS) == issuer
    name_id = signed.find("saml:Subject/saml:NameID", NS)
    assert name_id is not None and name_id.text == "user1@example.com"
    assert name_id.get("Format") == xml.NAMEID_EMAIL
    confirmation = signed.find("saml:Subject/saml:SubjectConfirmation", NS)
    assert confirmation is not None and confirmation.get("Method") == xml.CM_BEARER
    data = confirmation.find("saml:SubjectConfirmationData", NS)
    assert data is not None
    assert data.get("Recipient") == ACS and data.get("InResponseTo") == "_req1"
    now = clock.now()
    assert data.get("NotOnOrAfter") == xml.instant(now + timedelta(seconds=180))
    conditions = signed.find("saml:Conditions", NS)
    assert conditions is not None
    assert conditions.get("NotBefore") == xml.instant(now - timedelta(seconds=60))
    assert conditions.get("NotOnOrAfter") == xml.instant(now + timedelta(seconds=180))
    assert conditions.findtext("saml:AudienceRestriction/saml:Audience", namespaces=NS) == AUDIENCE
    assert signed.find("saml:AuthnStatement", NS) is not None
    attributes = {
        a.get("Name"): a.findtext("saml:AttributeValue", namespaces=NS)
        for a in signed.findall("saml:AttributeStatement/saml:Attribute", NS)
    }
    assert attributes == {
        "User.email": "user1@example.com",
        "User.FirstName": "First1",
        "User.LastName": "Last1",
    }
    (event,) = events(
        client.application.extensions["mock_onelogin"], EventType.USER_LOGGED_INTO_APP
    )
    assert event["user_id"] == user["id"] and event["app_id"] == app_id


def test_the_clock_offset_moves_every_instant_the_idp_writes(
    client: FlaskClient, app_id: int, user: dict[str, Any], clock: FixedClock
) -> None:
    client.put(f"/simulator/api/apps/{app_id}/saml", json={"clock_offset_seconds": -3600})
    root = xml.parse_untrusted(
        base64.b64decode(posted(signed_in_sso(client, app_id, user))["SAMLResponse"])
    )
    skewed = clock.now() - timedelta(seconds=3600)
    conditions = root.find("saml:Assertion/saml:Conditions", NS)
    assert conditions is not None
    assert conditions.get("NotOnOrAfter") == xml.instant(skewed + timedelta(seconds=180))
    assert root.get("IssueInstant") == xml.instant(skewed)


def test_a_name_xml_cannot_hold_still_signs_in_marked(
    account: OneLoginAccount, client: FlaskClient, app_id: int
) -> None:
    user = make_user(account, 3, password=PASSWORD, firstname="Ad\x01a")
    account.directory.add_login(user["id"], app_id)
    page = signed_in_sso(client, app_id, user)
    assert page.status_code == 200, page.get_data(as_text=True)
    root = xml.parse_untrusted(base64.b64decode(posted(page)["SAMLResponse"]))
    first = root.find(".//saml:Attribute[@Name='User.FirstName']/saml:AttributeValue", NS)
    assert first is not None and first.text == "Ad\ufffda"


def test_an_altered_response_fails_verification(
    client: FlaskClient, app_id: int, user: dict[str, Any]
) -> None:
    """The check above can fail: change the NameID and signxml refuses the assertion."""
    response_xml = base64.b64decode(posted(signed_in_sso(client, app_id, user))["SAMLResponse"])
    forged = response_xml.replace(b"user1@example.com", b"admin@example.com")
    with pytest.raises(InvalidSignature):
        XMLVerifier().verify(forged, x509_cert=metadata_certificate(client, app_id))


def test_post_binding_works_cross_site_while_other_posts_from_another_site_are_refused(
    client: FlaskClient, app_id: int, user: dict[str, Any]
) -> None:
    log_in(client, user["username"])
    other_site = {"Origin": "http://wrike.test", "Sec-Fetch-Site": "cross-site"}
    page = client.post(
        f"/trust/saml2/http-post/sso/{app_id}",
        data={"SAMLRequest": xml.encode_post(authn_request()), "RelayState": "r"},
        headers=other_site,
    )
    assert page.status_code == 200, page.get_data(as_text=True)
    assert posted(page)["RelayState"] == "r"
    refused = client.post(f"/portal/launch/{app_id}", data={}, headers=other_site)
    assert refused.status_code == 403
    assert "<html" in refused.get_data(as_text=True)  # a OneLogin page, not JSON


def test_without_a_session_the_login_page_comes_first_then_the_sso_step(
    client: FlaskClient, app_id: int, user: dict[str, Any]
) -> None:
    first = redirect_sso(client, app_id, authn_request(request_id="_waiting"), relay="rs")
    assert first.status_code == 302 and first.headers["Location"].endswith("/login")
    login_page = client.get("/login")
    assert "continue to Wrike" in login_page.get_data(as_text=True)
    after = log_in(client, user["email"])
    assert after.status_code == 302 and after.headers["Location"].endswith("/trust/saml2/resume")
    form = posted(client.get("/trust/saml2/resume"))
    root = xml.parse_untrusted(base64.b64decode(form["SAMLResponse"]))
    assert root.get("InResponseTo") == "_waiting" and form["RelayState"] == "rs"


# refusals ---------------------------------------------------------------------------------------
def test_a_user_the_app_is_not_assigned_to_is_refused_with_an_event(
    account: OneLoginAccount, client: FlaskClient, app_id: int
) -> None:
    make_user(account, 2, password=PASSWORD)
    page = signed_in_sso(client, app_id, {"username": "user2"})
    assert page.status_code == 403
    assert "app_not_assigned" in page.get_data(as_text=True)
    (event,) = events(account, EventType.COULD_NOT_AUTHENTICATE_TO_APP)
    assert event["error_description"] == "app_not_assigned"
    assert event["user_name"] == "First2 Last2" and event["app_id"] == app_id
    assert not events(account, EventType.USER_LOGGED_INTO_APP)


def test_a_suspended_user_is_refused_with_an_event(
    account: OneLoginAccount, client: FlaskClient, app_id: int, user: dict[str, Any]
) -> None:
    assert log_in(client, user["username"]).status_code == 302
    account.directory.update_user(user["id"], {"status": 2})
    page = redirect_sso(client, app_id, authn_request())
    assert page.status_code == 403 and "user_not_active" in page.get_data(as_text=True)
    (event,) = events(account, EventType.COULD_NOT_AUTHENTICATE_TO_APP)
    assert event["error_description"] == "user_not_active"


BAD_REQUESTS = {
    "dtd": b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    + authn_request(),
    "bomb": b'<!DOCTYPE l [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;">]><l>&b;</l>',
    "garbage": b"\x00\xffnot xml at all",
    "wrong root": f'<samlp:LogoutRequest xmlns:samlp="{xml.NS_PROTOCOL}" ID="_x" '
    'Version="2.0"/>'.encode(),
    "wrong acs": authn_request(acs="http://evil.test/acs"),
    "no id": authn_request(request_id=""),
}


@pytest.mark.parametrize("case", sorted(BAD_REQUESTS))
def test_bad_authn_requests_get_a_onelogin_page_and_an_event(
    account: OneLoginAccount, client: FlaskClient, app_id: int, case: str
) -> None:
    page = redirect_sso(client, app_id, BAD_REQUESTS[case])
    assert page.status_code == 403, page.get_data(as_text=True)
    body = page.get_data(as_text=True)
    assert "request_invalid" in body and "<html" in body
    (event,) = events(account, EventType.COULD_NOT_AUTHENTICATE_TO_APP)
    assert event["error_description"] == "request_invalid"


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"SAMLRequest": "%%%not base64"},
        {"SAMLRequest": base64.b64encode(b"not deflated").decode()},
        {"SAMLRequest": xml.encode_redirect(authn_request()), "RelayState": "r" * 2000},
    ],
    ids=["missing", "not base64", "not deflate", "relay state too long"],
)
def test_undecodable_requests_are_refused_never_a_500(
    client: FlaskClient, app_id: int, query: dict[str, str]
) -> None:
    page = client.get(f"/trust/saml2/http-redirect/sso/{app_id}", query_string=query)
    assert page.status_code == 403 and "request_invalid" in page.get_data(as_text=True)


def test_sso_is_refused_while_the_consumer_url_is_empty(
    account: OneLoginAccount, client: FlaskClient
) -> None:
    app_id = account.apps.wrike_app_id()
    account.sso.update_settings(app_id, {"audience": AUDIENCE})
    page = redirect_sso(client, app_id, authn_request(acs=None))
    assert page.status_code == 403
    assert "SAML settings are incomplete: SAML Consumer URL is empty" in unescape(
        page.get_data(as_text=True)
    )


def test_unknown_app_pages_are_onelogin_pages(client: FlaskClient) -> None:
    for path in ("/saml/metadata/999", "/trust/saml2/http-redirect/sso/999", "/saml/metadata/x"):
        page = client.get(path)
        assert page.status_code == 404 and "<html" in page.get_data(as_text=True), path


# certificates -----------------------------------------------------------------------------------
def test_rotation_signs_with_the_new_certificate_and_keeps_the_old_until_retired(
    client: FlaskClient, app_id: int, user: dict[str, Any]
) -> None:
    before = saml(client, app_id)
    old_pem = before["signing_certificate"]["pem"]
    rotated = client.post(f"/simulator/api/apps/{app_id}/saml/certificates")
    assert rotated.status_code == 201
    after = rotated.get_json()
    assert (
        after["signing_certificate"]["fingerprint_sha256"]
        != (before["signing_certificate"]["fingerprint_sha256"])
    )
    old = [c for c in after["certificates"] if c["pem"] == old_pem]
    assert len(old) == 1 and old[0]["signing"] is False
    new_pem = after["signing_certificate"]["pem"]
    assert metadata_certificate(client, app_id).split("\n")[1][:60] in new_pem.replace("\n", "")

    response_xml = base64.b64decode(posted(signed_in_sso(client, app_id, user))["SAMLResponse"])
    XMLVerifier().verify(response_xml, x509_cert=new_pem)
    with pytest.raises(InvalidSignature):
        XMLVerifier().verify(response_xml, x509_cert=old_pem)

    signing_id = after["signing_certificate"]["id"]
    refused = client.delete(f"/simulator/api/apps/{app_id}/saml/certificates/{signing_id}")
    assert refused.status_code == 409 and "rotate first" in refused.get_json()["message"]
    retired = client.delete(f"/simulator/api/apps/{app_id}/saml/certificates/{old[0]['id']}")
    assert retired.status_code == 200
    assert [c["id"] for c in retired.get_json()["certificates"]] == [signing_id]


def test_after_a_reset_the_new_certificate_signs(
    account: OneLoginAccount, client: FlaskClient, app_id: int, user: dict[str, Any]
) -> None:
    """Ids start again after a reset: nothing kept in memory may sign with the old key."""
    signed_in_sso(client, app_id, user)
    before = saml(client, app_id)["signing_certificate"]
    assert client.post("/simulator/api/reset").status_code == 200
    app_id = account.apps.wrike_app_id()
    client.put(f"/simulator/api/apps/{app_id}/saml", json={"audience": AUDIENCE, "acs_url": ACS})
    after = saml(client, app_id)["signing_certificate"]
    assert after["id"] == before["id"] and after["pem"] != before["pem"]
    fresh = make_user(account, 1, password=PASSWORD)
    account.directory.add_login(fresh["id"], app_id)
    response_xml = base64.b64decode(posted(signed_in_sso(client, app_id, fresh))["SAMLResponse"])
    XMLVerifier().verify(response_xml, x509_cert=after["pem"])


def test_certificates_survive_a_restart(tmp_path: Path) -> None:
    database = str(tmp_path / "onelogin.sqlite3")
    first = OneLoginAccount(OneLoginConfig(database=database))
    app_id = first.apps.wrike_app_id()
    signing = first.sso.signing_certificate(app_id)
    first.sso.rotate(app_id)
    listed = [(c.id, c.fingerprint_sha256) for c in first.sso.certificates(app_id)]
    first.store.close()
    rows = OneLoginAccount(OneLoginConfig(database=database)).store.table_rows("saml_certificates")
    assert all("PRIVATE KEY" not in r["sealed_key"] for r in rows)  # sealed at rest
    again = OneLoginAccount(OneLoginConfig(database=database))
    assert [(c.id, c.fingerprint_sha256) for c in again.sso.certificates(app_id)] == listed
    assert again.sso.signing_certificate(app_id).id != signing.id
    client = create_app(again.config, account=again).test_client()
    client.put(f"/simulator/api/apps/{app_id}/saml", json={"audience": AUDIENCE, "acs_url": ACS})
    assert client.get(f"/saml/metadata/{app_id}").status_code == 200


# the simulator API --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("body", "status", "words"),
    [
        ({"clock_offset_seconds": "ten"}, 422, "clock_offset_seconds must be an integer"),
        ({"clock_offset_seconds": 10**9}, 422, "clock_offset_seconds must be an integer"),
        ({"acs_url": "javascript:alert(1)"}, 422, "acs_url must be an http(s) URL"),
        ({"colour": "blue"}, 400, "unknown attribute: colour"),
        ({"audience": "urn:wrike\x01"}, 422, "control character"),
        ({"acs_url": "http://[::1"}, 422, "acs_url must be an http(s) URL"),
        ({"recipient": "http://[::1]:70000/"}, 422, "recipient must be an http(s) URL"),
        ({"acs_url": "http://a:99999/"}, 422, "acs_url must be an http(s) URL"),
        ({"acs_url": "http://a:0/"}, 422, "acs_url must be an http(s) URL"),
        ({"acs_url": "http://a:x/"}, 422, "acs_url must be an http(s) URL"),
        ({"acs_url": "http://:8080/"}, 422, "acs_url must be an http(s) URL"),
        ([1, 2], 400, "JSON object"),
    ],
)
def test_bad_saml_settings_are_refused_in_onelogins_shape(
    client: FlaskClient, app_id: int, body: Any, status: int, words: str
) -> None:
    answer = client.put(f"/simulator/api/apps/{app_id}/saml", json=body)
    assert answer.status_code == status
    assert words in answer.get_json()["message"]


def test_the_simulator_api_knows_no_other_app(client: FlaskClient) -> None:
    for method, path in (
        ("get", "/simulator/api/apps/999/saml"),
        ("put", "/simulator/api/apps/999/saml"),
        ("post", "/simulator/api/apps/999/saml/certificates"),
        ("delete", "/simulator/api/apps/999/saml/certificates/1"),
    ):
        answer = getattr(client, method)(path, json={})
        assert answer.status_code == 404, (method, path)
        assert answer.get_json()["name"] == "NotFoundError"


def test_the_saml_settings_read_back_as_the_contract_names_them(
    client: FlaskClient, app_id: int
) -> None:
    body = saml(client, app_id)
    assert {
        "issuer",
        "metadata_url",
        "sso_url_redirect",
        "sso_url_post",
        "audience",
        "acs_url",
        "recipient",
        "nameid_format",
        "clock_offset_seconds",
        "signing_certificate",
        "certificates",
    } <= set(body)
    assert body["acs_url"] == ACS and body["audience"] == AUDIENCE
    assert body["nameid_format"] == xml.NAMEID_EMAIL
    assert re.fullmatch(r"[0-9a-f]{64}", body["signing_certificate"]["fingerprint_sha256"])


@pytest.mark.parametrize(
    ("method", "path", "kwargs", "status"),
    [
        ("post", "/saml/metadata/{app}", {}, 405),
        ("put", "/login", {}, 405),
        ("get", "/portal/launch/{app}", {}, 405),
        ("get", "/trust/saml2/http-post/sso/{app}", {}, 405),
        ("post", "/trust/saml2/http-post/sso/{app}", {"json": {"SAMLRequest": "x"}}, 403),
        ("post", "/trust/saml2/http-post/sso/{app}", {"data": {"SAMLRequest": "A" * 400_000}}, 403),
        (
            "get",
            "/trust/saml2/http-redirect/sso/{app}",
            {"query_string": {"SAMLRequest": "A" * 9000}},
            403,
        ),
        ("get", "/trust/saml2/http-redirect/sso/99999999999999999999", {}, 404),
        ("get", "/trust/saml2/resume", {}, 302),
        ("get", "/trust/saml2/nothing-here", {}, 404),
        (
            "post",
            "/trust/saml2/http-post/sso/{app}",
            {"data": b"\xff" * 10, "content_type": "application/x-www-form-urlencoded"},
            403,
        ),
    ],
)
def test_hostile_requests_get_a_onelogin_answer_never_a_500(
    client: FlaskClient, app_id: int, method: str, path: str, kwargs: dict[str, Any], status: int
) -> None:
    answer = getattr(client, method)(path.format(app=app_id), **kwargs)
    assert answer.status_code == status, answer.get_data(as_text=True)[:500]
    if status != 302:
        assert "<html" in answer.get_data(as_text=True)


def test_a_name_with_a_lone_surrogate_is_stored_marked_and_signs_in(
    account: OneLoginAccount, client: FlaskClient, app_id: int
) -> None:
    user = make_user(account, 4, password=PASSWORD, firstname="Ad\ud800a")
    assert user["firstname"] == "Ad\ufffda"
    account.directory.add_login(user["id"], app_id)
    page = signed_in_sso(client, app_id, user)
    assert page.status_code == 200, page.get_data(as_text=True)
    root = xml.parse_untrusted(base64.b64decode(posted(page)["SAMLResponse"]))
    first = root.find(".//saml:Attribute[@Name='User.FirstName']/saml:AttributeValue", NS)
    assert first is not None and first.text == "Ad\ufffda"


@pytest.mark.parametrize("name", ["audience", "acs_url", "recipient"])
def test_a_lone_surrogate_in_saml_settings_never_reaches_the_signer(name: str) -> None:
    value = "urn:wrike\ud800" if name == "audience" else "https://wrike.test/\udfff"
    with pytest.raises(ValidationFailed, match="lone surrogate"):
        SamlSettings().updated({name: value})


def test_a_lone_surrogate_sent_as_json_is_stored_marked_and_sso_still_signs(
    client: FlaskClient, app_id: int, user: dict[str, Any]
) -> None:
    answer = client.put(
        f"/simulator/api/apps/{app_id}/saml",
        data='{"audience": "urn:wrike\\ud800"}',
        content_type="application/json",
    )
    assert answer.status_code == 200, answer.get_data(as_text=True)
    assert saml(client, app_id)["audience"] == "urn:wrike\ufffd"
    page = signed_in_sso(client, app_id, user)
    assert page.status_code == 200, page.get_data(as_text=True)
    root = xml.parse_untrusted(base64.b64decode(posted(page)["SAMLResponse"]))
    audience = root.find(".//saml:Audience", NS)
    assert audience is not None and audience.text == "urn:wrike\ufffd"


def test_a_signing_key_shows_the_certificate_facts_the_sp_reads(clock: FixedClock) -> None:
    key = new_signing_key("wrike", clock.now())
    facts = xml.certificate_facts(key.certificate_pem)
    assert key.fingerprint_sha256 == facts.fingerprint_sha256
    assert key.not_after == xml.instant(facts.not_after)
    assert not hasattr(saml_rules, "certificate_facts"), "one certificate_facts: webguard.saml"
