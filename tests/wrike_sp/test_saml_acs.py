"""The SP's ACS, check by check (docs/sso.md's reason table), with a test IdP of our own
(``saml_idp``): each check refuses what it must with its reason, shown on the refusal page
and recorded in the attempts, and a good Response signs the member in to the pages."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from lxml import etree

from tests.wrike_sp.saml_idp import (
    ALICE,
    Sp,
    TestIdp,
    configure,
    encoded,
    key_pair,
    reason_of,
    signed_in_as,
    sp_with_alice,
    unsigned,
)
from webguard import saml
from wrike_sp.demo import DemoAccount
from wrike_sp.domain.clock import ManualClock


@pytest.fixture
def sp(client: FlaskClient, demo: DemoAccount, clock: ManualClock) -> Sp:
    return sp_with_alice(client, demo.account_id, clock)


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


def test_a_response_signed_as_a_whole_is_accepted(sp: Sp) -> None:
    response = sp.idp.response(unsigned(sp.assertion()), destination=sp.acs)
    signed = sp.idp.sign(response)
    assert sp.post(signed).status_code == 303


def test_a_signed_responses_destination_is_checked(sp: Sp) -> None:
    response = sp.idp.response(
        unsigned(sp.assertion()), destination="https://elsewhere.example/acs"
    )
    answer = sp.post(sp.idp.sign(response))
    assert reason_of(answer) == "recipient_mismatch"
    assert "Destination" in answer.text


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


@pytest.mark.slow
def test_no_mutation_of_a_good_response_gets_a_500_or_signs_in_someone_else(sp: Sp) -> None:
    """Every element and attribute of a signed Response, removed or altered one at a time:
    each answer is a sign-in of Alice (a change outside what is signed or checked) or a 403
    refusal page, never a 500, never anyone else."""
    original = etree.tostring(sp.response())
    root = etree.fromstring(original)
    count = len([e for e in root.iter() if isinstance(e.tag, str)])
    seen: set[int] = set()
    for path in range(1, count):
        for mutation in ("remove", "text", "attributes"):
            mutated = etree.fromstring(original)
            element = [e for e in mutated.iter() if isinstance(e.tag, str)][path]
            if mutation == "remove":
                element.getparent().remove(element)
            elif mutation == "text":
                element.text = (element.text or "") + "x"
            else:
                for name in list(element.attrib):
                    element.set(name, element.get(name) + "1")
            # a fresh assertion ID each time would hide the replay check: each mutation is
            # judged against a clean slate of used IDs instead
            sp.client.application.extensions["wrike"].store.db.execute(
                "DELETE FROM saml_assertions_used"
            )
            answer = sp.post(mutated)
            seen.add(answer.status_code)
            assert answer.status_code in (303, 403), (path, mutation, answer.status_code)
            if answer.status_code == 303:
                assert signed_in_as(sp.client) == ALICE, (path, mutation)
                sp.client.delete_cookie("wrike_session")
    assert seen == {303, 403}


def test_an_encrypted_assertion_is_refused_as_unread(sp: Sp) -> None:
    response = sp.idp.response(None, destination=sp.acs)
    etree.SubElement(response, "{urn:oasis:names:tc:SAML:2.0:assertion}EncryptedAssertion")
    answer = sp.post(response)
    assert reason_of(answer) == "malformed"
    assert "encrypted" in answer.text


def test_unsolicited_responses_follow_the_modelling_switch(
    sp: Sp, monkeypatch: pytest.MonkeyPatch
) -> None:
    from wrike_sp.domain import modelling

    monkeypatch.setattr(modelling, "SAML_ACCEPT_UNSOLICITED", False)
    assert reason_of(sp.post(sp.response())) == "in_response_to_unknown"


def with_times(sp: Sp, **written: str) -> etree._Element:
    """A signed Response whose time attributes are written as given, verbatim:
    ``conditions_NotBefore``, ``confirmation_NotOnOrAfter``, ..."""
    assertion = sp.assertion()
    places = {
        "conditions": assertion.find(f"{{{saml.NS_ASSERTION}}}Conditions"),
        "confirmation": assertion.find(
            f"{{{saml.NS_ASSERTION}}}Subject/{{{saml.NS_ASSERTION}}}SubjectConfirmation/"
            f"{{{saml.NS_ASSERTION}}}SubjectConfirmationData"
        ),
    }
    for name, value in written.items():
        place, attribute = name.split("_", 1)
        element = places[place]
        assert element is not None
        element.set(attribute, value)
    return sp.idp.response(sp.idp.sign(assertion), destination=sp.acs)


@pytest.mark.parametrize("end", ["9999-12-31T23:59:59Z", "2026-01-07T09:00:00Z"])
def test_an_assertion_valid_past_the_ceiling_is_malformed_not_a_500(sp: Sp, end: str) -> None:
    """Modelling choice: validity ends at most 24 h after Wrike's clock."""
    answer = sp.post(with_times(sp, conditions_NotOnOrAfter=end, confirmation_NotOnOrAfter=end))
    assert reason_of(answer) == "malformed"
    assert "at most that long" in answer.text and "86400 s" in answer.text


def test_an_assertion_valid_just_under_the_ceiling_signs_in(sp: Sp, clock: ManualClock) -> None:
    end = saml.instant(clock() + timedelta(hours=23, minutes=59))
    answer = sp.post(with_times(sp, conditions_NotOnOrAfter=end, confirmation_NotOnOrAfter=end))
    assert answer.status_code == 303


@pytest.mark.parametrize(
    "written",
    [
        {"conditions_NotBefore": "2026-01-05T08:00:00"},  # no time zone
        {"conditions_NotBefore": "yesterday"},
        {"conditions_NotBefore": "0001-01-01T00:00:00+01:00"},  # overflows once in UTC
        {"confirmation_NotBefore": "garbage"},
    ],
)
def test_an_unreadable_not_before_is_refused(sp: Sp, written: dict[str, str]) -> None:
    answer = sp.post(with_times(sp, **written))
    assert reason_of(answer) == "malformed"
    assert "NotBefore" in answer.text


def test_a_subject_confirmation_not_before_is_checked_too(sp: Sp, clock: ManualClock) -> None:
    ahead = saml.instant(clock() + timedelta(hours=1))
    assert reason_of(sp.post(with_times(sp, confirmation_NotBefore=ahead))) == "not_yet_valid"


def test_a_held_certificate_past_its_not_after_still_verifies(sp: Sp) -> None:
    """Modelling choice: IdP certificate dates are not enforced (as python3-saml)."""
    old = key_pair("expired-idp", valid=(2015, 2020))  # past its NotAfter in 2026
    sp.idp = TestIdp(keys=old)
    assert configure(sp.admin, sp.account_id, sp.idp).status_code == 200
    answer = sp.post(sp.response())
    assert answer.status_code == 303, answer.text
    assert signed_in_as(sp.client) == ALICE
    # Still a signature check: an assertion altered after signing is refused.
    altered = sp.response()
    name_id = altered.find(f".//{{{saml.NS_ASSERTION}}}NameID")
    assert name_id is not None
    name_id.text = "mallory@acme.example"
    assert reason_of(sp.post(altered)) == "signature_invalid"


def test_an_assertion_without_not_on_or_after_is_expired(sp: Sp) -> None:
    """As modelling.py's replay comment and docs/sso.md say: expired, not malformed."""
    assertion = sp.assertion()
    for element in assertion.iter():
        element.attrib.pop("NotOnOrAfter", None)
    answer = sp.post(sp.idp.response(sp.idp.sign(assertion), destination=sp.acs))
    assert reason_of(answer) == "expired"
    assert "no readable NotOnOrAfter" in answer.text
