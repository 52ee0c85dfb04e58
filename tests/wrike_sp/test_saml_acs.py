"""The SP's ACS, check by check (docs/sso.md's reason table), with a test IdP of our own
(``saml_idp``): each check refuses what it must with its reason, shown on the refusal page
and recorded in the attempts, and a good Response signs the member in to the pages."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from lxml import etree

from tests.wrike_sp.saml_idp import TestIdp, encoded, key_pair
from webguard import saml
from wrike_sp.demo import DemoAccount
from wrike_sp.domain.clock import ManualClock

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


@pytest.fixture
def sp(client: FlaskClient, admin: Any, demo: DemoAccount, clock: ManualClock) -> Sp:
    idp = TestIdp()
    answer = configure(admin, demo.account_id, idp)
    assert answer.status_code == 200, answer.json
    admin.post(
        f"/accounts/{demo.account_id}/members",
        {"email": ALICE, "first_name": "Alice", "last_name": "Example"},
    )
    return Sp(client, admin, demo.account_id, idp, clock)


def signed_in_as(client: FlaskClient) -> str | None:
    page = client.get("/apps")
    if page.status_code != 200:
        return None
    match = re.search(r'data-testid="current-member">([^<]+)<', page.text)
    return match.group(1) if match else None


# -- success ----------------------------------------------------------------------------------


def test_an_idp_initiated_response_signs_the_member_in(sp: Sp) -> None:
    answer = sp.post(sp.response())
    assert answer.status_code == 303
    assert answer.headers["Location"] == "/"
    assert signed_in_as(sp.client) == ALICE
    attempt = sp.attempts()[0]
    assert attempt["outcome"] == "signed_in"
    assert attempt["name_id"] == ALICE
    assert attempt["reason"] is None


def test_an_sp_initiated_login_goes_to_the_idp_and_back_to_the_relay_state(sp: Sp) -> None:
    request_id, params = sp.start("/users")
    request = saml.parse_untrusted(saml.decode_redirect(params["SAMLRequest"][0]))
    assert request.get("AssertionConsumerServiceURL") == sp.acs
    assert request.findtext(f"{{{saml.NS_ASSERTION}}}Issuer") == sp.entity_id
    policy = request.find(f"{{{saml.NS_PROTOCOL}}}NameIDPolicy")
    assert policy is not None and policy.get("Format") == saml.NAMEID_EMAIL
    assert params["RelayState"] == ["/users"]
    answer = sp.post(sp.response(in_response_to=request_id), relay="/users")
    assert answer.status_code == 303
    assert answer.headers["Location"] == "/users"
    assert signed_in_as(sp.client) == ALICE


def test_a_relay_state_off_the_site_is_not_followed(sp: Sp) -> None:
    answer = sp.post(sp.response(), relay="https://evil.example/phish")
    assert answer.status_code == 303
    assert answer.headers["Location"] == "/"
    assert (
        sp.client.get(f"/saml/{sp.account_id}/login", query_string={"next": "//evil.example"})
        .headers["Location"]
        .find("RelayState")
        == -1
    )


def test_the_nameid_matches_the_login_whatever_its_case(sp: Sp) -> None:
    assert sp.post(sp.response("Alice@ACME.example")).status_code == 303
    assert signed_in_as(sp.client) == ALICE


def unsigned(assertion: etree._Element) -> etree._Element:
    """The assertion without its signature placeholder."""
    placeholder = assertion.find(f"{{{saml.NS_DSIG}}}Signature")
    assert placeholder is not None
    assertion.remove(placeholder)
    return assertion


def test_a_response_signed_as_a_whole_is_accepted(sp: Sp) -> None:
    response = sp.idp.response(unsigned(sp.assertion()), destination=sp.acs)
    signed = sp.idp.sign(response)
    assert sp.post(signed).status_code == 303


def test_a_rotated_certificate_is_accepted_while_both_are_held(sp: Sp) -> None:
    new = key_pair("rotated")
    both = sp.idp.metadata(sp.idp.keys, new)
    assert (
        sp.admin.put(f"/accounts/{sp.account_id}/saml", {"idp_metadata_xml": both}).status_code
        == 200
    )
    assertion = sp.idp.sign(sp.assertion(), new)
    assert sp.post(sp.idp.response(assertion, destination=sp.acs)).status_code == 303


# -- each check, in the table's order -----------------------------------------------------------


def test_malformed_bodies_are_refused(sp: Sp) -> None:
    assert reason_of(sp.client.post(f"/saml/{sp.account_id}/acs", data={})) == "malformed"
    assert reason_of(sp.post("!!! not base64 !!!")) == "malformed"
    assert reason_of(sp.post(encoded(b"<not-closed"))) == "malformed"
    assert (
        reason_of(
            sp.post(encoded(b"<samlp:AuthnRequest xmlns:samlp='%s'/>" % saml.NS_PROTOCOL.encode()))
        )
        == "malformed"
    )
    assert all(a["reason"] == "malformed" for a in sp.attempts())


def test_sso_off_refuses_every_response(sp: Sp) -> None:
    sp.admin.put(f"/accounts/{sp.account_id}/saml", {"mode": "off"})
    assert reason_of(sp.post(sp.response())) == "sso_off"


def test_a_plan_without_sso_refuses_responses(sp: Sp) -> None:
    sp.admin.put(f"/accounts/{sp.account_id}/plan", {"plan": "Business"})
    assert reason_of(sp.post(sp.response())) == "sso_off"


def test_a_non_success_status_is_refused(sp: Sp) -> None:
    response = sp.idp.response(None, destination=sp.acs, status=saml.STATUS_AUTHN_FAILED)
    assert reason_of(sp.post(response)) == "status_not_success"


def test_an_unsigned_assertion_is_refused(sp: Sp) -> None:
    answer = sp.post(sp.idp.response(unsigned(sp.assertion()), destination=sp.acs))
    assert reason_of(answer) == "unsigned"
    assert "only signed assertions" in answer.text


def test_a_certificate_wrike_does_not_hold_is_certificate_mismatch(sp: Sp) -> None:
    other = key_pair("someone-else")
    assertion = sp.idp.sign(sp.assertion(), other)
    answer = sp.post(sp.idp.response(assertion, destination=sp.acs))
    assert reason_of(answer) == "certificate_mismatch"
    assert "current metadata" in answer.text


def test_an_altered_assertion_is_signature_invalid(sp: Sp) -> None:
    response = sp.response()
    name = response.find(f".//{{{saml.NS_ASSERTION}}}NameID")
    assert name is not None
    name.text = "wanda.admin@acme.example"
    assert reason_of(sp.post(response)) == "signature_invalid"
    assert signed_in_as(sp.client) is None


def test_a_wrong_issuer_is_refused(sp: Sp) -> None:
    assert reason_of(sp.post(sp.response(issuer="https://other-idp.example"))) == "issuer_mismatch"


def test_a_wrong_audience_is_refused(sp: Sp) -> None:
    answer = sp.post(sp.response(audience="https://app.wrike.com/saml/1"))
    assert reason_of(answer) == "audience_mismatch"
    assert sp.entity_id in answer.text


def test_a_wrong_recipient_is_refused(sp: Sp) -> None:
    answer = sp.post(sp.response(recipient="https://elsewhere.example/acs"))
    assert reason_of(answer) == "recipient_mismatch"


def test_the_time_window_allows_the_skew_and_no_more(sp: Sp, clock: ManualClock) -> None:
    now = clock()
    ahead = sp.response(not_before=now + timedelta(seconds=170))
    assert sp.post(ahead).status_code == 303
    too_far = sp.response(not_before=now + timedelta(seconds=200))
    assert reason_of(sp.post(too_far)) == "not_yet_valid"
    ended = sp.response(not_on_or_after=now - timedelta(seconds=170))
    assert sp.post(ended).status_code == 303
    expired = sp.response(not_on_or_after=now - timedelta(seconds=200))
    answer = sp.post(expired)
    assert reason_of(answer) == "expired"
    assert "allowed skew 180 s" in answer.text


def test_an_unknown_in_response_to_is_refused_and_a_request_answers_once(sp: Sp) -> None:
    assert reason_of(sp.post(sp.response(in_response_to="_never_sent"))) == "in_response_to_unknown"
    request_id, _ = sp.start()
    assert sp.post(sp.response(in_response_to=request_id)).status_code == 303
    again = sp.response(in_response_to=request_id)
    assert reason_of(sp.post(again)) == "in_response_to_unknown"


def test_an_outstanding_request_expires(sp: Sp, clock: ManualClock) -> None:
    request_id, _ = sp.start()
    clock.advance(minutes=11)
    assert reason_of(sp.post(sp.response(in_response_to=request_id))) == "in_response_to_unknown"


def test_a_replayed_assertion_is_refused(sp: Sp) -> None:
    response = sp.response()
    assert sp.post(response).status_code == 303
    assert reason_of(sp.post(response)) == "replayed"


def test_unknown_deactivated_and_unapproved_members_are_refused(sp: Sp) -> None:
    answer = sp.post(sp.response("nobody@acme.example"))
    assert reason_of(answer) == "unknown_user"
    assert "nobody@acme.example" in answer.text
    members = sp.admin.get(f"/accounts/{sp.account_id}/members").json
    alice = next(m for m in members if m["email"] == ALICE)
    sp.client.application.extensions["wrike"].scim_users  # noqa: B018 (the app is live)
    store = sp.client.application.extensions["wrike"].store
    row = store.user(sp.account_id, alice["id"])
    from dataclasses import replace

    store.update_user(replace(row, active=False, version=row.version + 1), None, row.version)
    assert reason_of(sp.post(sp.response())) == "user_deactivated"
    sp.admin.post(f"/accounts/{sp.account_id}/members", {"email": "carl@partner.example"})
    assert reason_of(sp.post(sp.response("carl@partner.example"))) == "domain_not_approved"
    reasons = [a["reason"] for a in sp.attempts()[:3]]
    assert reasons == ["domain_not_approved", "user_deactivated", "unknown_user"]


def test_every_refusal_is_a_wrike_page_never_a_500(sp: Sp) -> None:
    for body in ("", "PD94", encoded(b"\xff\xfe<"), encoded(b"<a>" * 10), "A" * 5000):
        answer = sp.client.post(f"/saml/{sp.account_id}/acs", data={"SAMLResponse": body})
        assert answer.status_code == 403
        assert "What to change" in answer.text


def test_the_acs_of_an_unknown_account_is_a_404_page(client: FlaskClient) -> None:
    answer = client.post("/saml/999/acs", data={"SAMLResponse": "x"})
    assert answer.status_code == 404
    assert "No Wrike account 999" in answer.text


def test_an_other_cross_site_post_is_still_refused(sp: Sp) -> None:
    answer = sp.client.post(
        "/login", data={"email": ALICE}, headers={"Sec-Fetch-Site": "cross-site"}
    )
    assert answer.status_code == 403


def test_app_fixture_is_live(app: Flask) -> None:
    assert "saml" in app.blueprints
