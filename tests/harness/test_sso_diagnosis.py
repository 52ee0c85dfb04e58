"""The SSO diagnosis ("provisioned but cannot log in"): each refusal a case can replay, through
both real apps in-process, lands on its cause with what to change read from the facts
(OneLogin's System Log, Wrike's SSO attempts, both sides' SAML settings); and every reason
code of docs/sso.md has a cause of its own with a fix that is not the generic one."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from harness import vocabulary as v
from harness.case import parse_case
from harness.diagnosis import CAUSES, SSO_CAUSES, SsoFacts, UserFacts, diagnose_sso
from harness.repro import replay
from tests.harness.test_diagnosis import _facts as provisioned_facts

ROOT = Path(__file__).resolve().parents[2]

SETUP = """case: x
wrike:
  approved_domains: [acme.com, acme.io]
onelogin:
  require_approval: []
  users:
    - email: ada@acme.com
    - email: bob@acme.io
timeline:
  - {action: sso_setup}
"""


def _replay(timeline: str, user: str = "ada@acme.com", setup: str = SETUP) -> tuple[str, str]:
    """(cause, the diagnosis as printed) of ``user`` after the timeline."""
    result = replay(parse_case(setup + timeline))
    diagnosis = result.diagnoses[user]
    return diagnosis.cause, "\n".join(result.lines)


ASSIGN = "  - {action: assign, user: ada@acme.com, role: Engineering}\n"


def test_a_login_that_works_is_in_sync() -> None:
    cause, text = _replay(ASSIGN + "  - {action: sso_login, user: ada@acme.com}\n")
    assert cause == "sso_signed_in"
    assert "Yes: 'User logged into app'" in text
    assert "signed in to Wrike as ada@acme.com" in text


def test_deactivated_in_wrike_names_the_member_and_the_assignment() -> None:
    cause, text = _replay(
        ASSIGN
        + "  - {action: wrike_deactivate, user: ada@acme.com}\n"
        + "  - {action: sso_login, user: ada@acme.com}\n"
    )
    assert cause == "sso_user_deactivated"
    assert "The Wrike member ada@acme.com is deactivated in Wrike" in text
    assert 'role "Engineering"' in text
    assert "Reactivate the member in Wrike" in text


def test_not_assigned_is_refused_at_onelogin_and_logged() -> None:
    setup = SETUP.replace("onelogin:", "  users:\n    - email: ada@acme.com\nonelogin:")
    cause, text = _replay("  - {action: sso_login, user: ada@acme.com}\n", setup=setup)
    assert cause == "sso_app_not_assigned"
    assert re.search(r"No: '[^']+' at \S+ \(app_not_assigned\)", text), text
    assert "Assign the user the Wrike app" in text


def test_an_email_change_scim_did_not_carry_is_a_nameid_mismatch() -> None:
    cause, text = _replay(
        ASSIGN
        + "  - {action: disable_provisioning}\n"
        + "  - {action: change_email, user: ada@acme.com, to: ada.lovelace@acme.com}\n"
        + "  - {action: sso_login, user: ada@acme.com, from: portal}\n"
    )
    assert cause == "sso_nameid_mismatch"
    assert "NameID ada.lovelace@acme.com" in text
    assert "the Wrike member's login is ada@acme.com" in text
    assert "enable provisioning for the Wrike app" in text


def test_an_unprovisioned_user_without_jit_is_an_unknown_user() -> None:
    cause, text = _replay(
        "  - {action: disable_provisioning}\n"
        + ASSIGN
        + "  - {action: sso_login, user: ada@acme.com, from: portal}\n"
    )
    assert cause == "sso_unknown_user"
    assert "just-in-time provisioning is off" in text
    assert "turn on just-in-time provisioning" in text


def test_jit_signs_the_user_in() -> None:
    cause, _ = _replay(
        "  - {action: disable_provisioning}\n"
        "  - {action: sso_jit}\n"
        + ASSIGN
        + "  - {action: sso_login, user: ada@acme.com, from: portal}\n"
    )
    assert cause == "sso_signed_in"


def test_a_rotated_certificate_names_which_signs_and_which_wrike_holds() -> None:
    rotated = ASSIGN + "  - {action: rotate_certificate}\n"
    cause, text = _replay(rotated + "  - {action: sso_login, user: ada@acme.com}\n")
    assert cause == "sso_certificate_mismatch"
    assert re.search(
        r"signs the Wrike app's assertions with the certificate \[certificate 2\].*but Wrike "
        r"holds \[certificate 1\]",
        text,
    )
    assert "More Actions > SAML metadata" in text
    # The fix it names works: paste the metadata again and the login goes through.
    cause, _ = _replay(
        rotated
        + "  - {action: paste_idp_metadata}\n"
        + "  - {action: sso_login, user: ada@acme.com}\n"
    )
    assert cause == "sso_signed_in"


@pytest.mark.parametrize(
    ("minutes", "cause", "words"),
    [(-30, "sso_expired", "30 minutes behind"), (30, "sso_not_yet_valid", "30 minutes ahead of")],
)
def test_a_clock_off_names_the_offset(minutes: int, cause: str, words: str) -> None:
    found, text = _replay(
        ASSIGN
        + f"  - {{action: clock_skew, minutes: {minutes}}}\n"
        + "  - {action: sso_login, user: ada@acme.com, from: portal}\n"
    )
    assert found == cause
    assert f"OneLogin's clock for the Wrike app is {words} Wrike's" in text
    assert f"clock_offset_seconds is {minutes * 60}" in text


def test_a_clock_a_minute_off_is_within_the_skew() -> None:
    cause, _ = _replay(
        ASSIGN
        + "  - {action: clock_skew, minutes: -1}\n"
        + "  - {action: sso_login, user: ada@acme.com, from: portal}\n"
    )
    assert cause == "sso_signed_in"


def test_a_wrong_audience_names_both_values() -> None:
    cause, text = _replay(
        ASSIGN
        + "  - {action: set_audience, audience: https://example.org/sp}\n"
        + "  - {action: sso_login, user: ada@acme.com, from: portal}\n"
    )
    assert cause == "sso_audience_mismatch"
    assert "sends the audience 'https://example.org/sp'" in text
    assert "Wrike's SP entity id is 'http://wrike.test/saml/1'" in text


def test_a_domain_no_longer_approved_names_it() -> None:
    cause, text = _replay(
        "  - {action: assign, user: bob@acme.io, role: Engineering}\n"
        "  - {action: remove_domain, domain: acme.io}\n"
        "  - {action: sso_login, user: bob@acme.io, from: portal}\n",
        user="bob@acme.io",
    )
    assert cause == "sso_domain_not_approved"
    assert "The NameID's domain acme.io is not an approved domain" in text
    assert "add acme.io to the approved domains" in text


def test_a_suspended_onelogin_user_is_refused_at_onelogin() -> None:
    cause, text = _replay(
        ASSIGN
        + "  - {action: suspend, user: ada@acme.com}\n"
        + "  - {action: sso_login, user: ada@acme.com}\n"
    )
    assert cause == "sso_user_not_active"
    assert "Reactivate the user in OneLogin" in text


# -- every reason of docs/sso.md has its own cause and fix -----------------------------------

_CONTRACT = (ROOT / "docs" / "sso.md").read_text(encoding="utf-8")


def test_the_vocabulary_holds_exactly_the_reason_codes_of_the_contract() -> None:
    table = _CONTRACT.split("## Reason codes", 1)[1]
    sp_part, idp_part = table.split("At the IdP", 1)
    sp_codes = re.findall(r"^\| `([a-z_]+)`(?: / `([a-z_]+)`)? \|", sp_part, re.M)
    found = [c for pair in sp_codes for c in pair if c]
    assert found == list(v.SSO_SP_REASONS)
    idp_line = idp_part.split("\n\n")[0].split(":", 1)[1]
    assert re.findall(r"`([a-z_]+)`", idp_line) == list(v.SSO_IDP_REASONS)


def _facts() -> UserFacts:
    """A user OneLogin provisioned into Wrike, active there: what SSO diagnoses start from."""
    return provisioned_facts((), ())


@pytest.mark.parametrize("reason", [*v.SSO_SP_REASONS, *v.SSO_IDP_REASONS])
def test_each_reason_has_its_cause_and_a_fix_of_its_own(reason: str) -> None:
    side = "OneLogin" if reason in v.SSO_IDP_REASONS else "Wrike"
    sso = SsoFacts(False, side, reason, "refused", "ada@acme.com", acs_url="http://w/acs")
    found = diagnose_sso(_facts(), sso)
    assert found.cause == f"sso_{reason}"
    assert found.cause in CAUSES and found.cause in SSO_CAUSES
    assert found.fix != "Contact Wrike Support with the attempt's details."
    assert found.fix and found.explanation
    assert reason in (found.error or "")


def test_a_page_naming_no_reason_is_not_guessed() -> None:
    sso = SsoFacts(False, "Wrike", None, "Something went wrong", None)
    assert diagnose_sso(_facts(), sso).cause == "unknown_error"


def test_the_docs_list_every_sso_cause() -> None:
    doc = (ROOT / "docs" / "case-files.md").read_text(encoding="utf-8")
    missing = [c for c in SSO_CAUSES if f"| `{c}` |" not in doc]
    assert not missing, f"docs/case-files.md lists no row for {missing}"
