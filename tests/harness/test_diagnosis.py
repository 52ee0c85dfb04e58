"""The diagnosis reads error details by their text first and by HTTP status second, so a real
Wrike's differently-worded refusals still land on a cause; docs/case-files.md lists every
cause and action a case may use."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from harness.actions import ACTIONS
from harness.cli import main
from harness.diagnosis import CAUSES, LoggedEvent, UserFacts, classify_error, diagnose

DOC = Path(__file__).resolve().parents[2] / "docs" / "case-files.md"


@pytest.mark.parametrize(
    ("text", "cause"),
    [
        ("Failed to create user in app. HTTP 401: Unauthorized", "wrong_token"),
        ("Failed to create user in app. HTTP 404", "wrong_scim_url"),
        ("Failed to create user in app. HTTP 429", "rate_limited"),
        ("Failed to update user in app. HTTP 502: Bad Gateway", "wrike_unavailable"),
        (
            "Failed to create user in app. Connection error calling GET https://x/Users: refused",
            "wrike_unavailable",
        ),
        (
            "Failed to create user in app. Timeout after 30s calling POST https://x/Users: ReadTimeout",
            "wrike_unavailable",
        ),
        ("Failed to create user in app. HTTP 409: scimType uniqueness, exists", "duplicate_user"),
        (
            "Failed to create user in app. HTTP 400: scimType invalidValue, 'Boss' is not a Wrike "
            "user type. Use one of: Regular",
            "unknown_user_type",
        ),
        (
            "Failed to delete user in app. HTTP 403: This user is the owner of the Wrike account and "
            "cannot be deactivated or deleted over SCIM.",
            "owner_protected",
        ),
        ("Failed to create user in app. HTTP 418: I'm a teapot", "unknown_error"),
    ],
)
def test_error_details_map_to_a_cause(text: str, cause: str) -> None:
    found, meaning, fix = classify_error(text)
    assert found == cause
    assert meaning and fix


def test_the_unapproved_domain_fix_names_the_domain() -> None:
    _, meaning, fix = classify_error(
        "Failed to create user in app. HTTP 400: scimType invalidValue, The email domain "
        "'example.org' of 'eve@example.org' is not an approved domain of this Wrike account"
    )
    assert "example.org" in meaning
    assert "add example.org to the approved domains" in fix


def test_the_case_file_documentation_lists_every_action_and_cause() -> None:
    doc = DOC.read_text(encoding="utf-8")
    assert not [a for a in ACTIONS if f"| `{a}` |" not in doc]
    assert not [c for c in CAUSES if f"| `{c}` |" not in doc]


def test_api_status_not_enabled_says_click_enable() -> None:
    cause, meaning, fix = classify_error(
        "Failed to create user in app. API Status is Disabled: no request was sent. Click "
        "Enable next to API Status on the Configuration tab, then retry"
    )
    assert cause == "api_status_not_enabled"
    assert meaning.startswith("API status is not enabled")
    assert fix.startswith("Click Enable next to API status")


def test_a_failed_connection_test_is_diagnosed_by_what_the_test_was_told() -> None:
    """Enable was clicked but the test failed: the reason it failed is the cause."""
    cause, _, fix = classify_error(
        "Failed to create user in app. API Status is Failed (the connection test said: API "
        "connection failed: HTTP 401: The bearer token is not a valid Wrike API token.): no "
        "request was sent."
    )
    assert cause == "wrong_token"
    assert "Enable next to API Status" in fix
    cause, meaning, _ = classify_error(
        "Failed to create user in app. API Status is Failed (the connection test said: API "
        "connection failed: HTTP 418): no request was sent."
    )
    assert cause == "api_status_not_enabled"
    assert "connection test behind Enable failed" in meaning


def test_wrikes_answer_kept_in_the_notes_still_names_the_cause() -> None:
    """OneLogin's attested text for a 404 says nothing of Wrike's reason; the notes do."""
    cause, _, _ = classify_error(
        "Failed to create user in app. Specified resource (e.g. User) or endpoint does not exist"
        "\nWrike's answer: HTTP 404: No Wrike account answers at this SCIM URL (account 10)."
    )
    assert cause == "wrong_scim_url"
    cause, _, _ = classify_error(
        "The connection timed out while provisioning to https://w.example/scim/1/v2"
        "\nNetwork error: Timeout after 30s calling GET https://w.example/scim/1/v2/Users"
    )
    assert cause == "wrike_unavailable"


def test_a_task_failed_for_want_of_a_url_or_token_is_not_blamed_on_the_token() -> None:
    cause, _, _ = classify_error(
        "Failed to create user in app. SCIM Base URL or SCIM Bearer Token is not configured "
        "for the app"
    )
    assert cause == "not_configured"


# -- a denied request: who denied which request, when, what it left, what to do -------------

ROOT = DOC.parents[1]


def test_the_denied_approval_case_says_who_denied_which_request_when_and_what_to_do() -> None:
    result = CliRunner().invoke(main, ["repro", str(ROOT / "fixtures/cases/denied_approval.yaml")])
    assert result.exit_code == 0, result.output
    diagnosis = result.output.split("\nDiagnosis\n", 1)[1]
    assert "ada@acme.com: denied (an admin denied the request" in diagnosis
    assert (
        "No: Olivia Ops denied the Create user request at 2026-01-05T09:00:02.000Z "
        "(System Log: 'User app request denied'); nothing was sent to Wrike for it."
    ) in diagnosis
    assert "the user was not created there" in diagnosis
    assert "Reapply entitlement mappings" in diagnosis
    assert "Approve the new pending entry" in diagnosis
    assert "If the denial was meant, remove the user's access to the Wrike app" in diagnosis
    assert "Now: OneLogin shows Not provisioned; Wrike shows the user as absent" in diagnosis


def _facts(events: tuple[LoggedEvent, ...], denied: tuple[str, ...], **changes: Any) -> UserFacts:
    facts = UserFacts(
        email="ada@acme.com",
        assigned=True,
        via=('role "Engineering"',),
        roles=("Engineering",),
        roles_with_app=("Engineering",),
        deleted=False,
        suspended=False,
        provisioning_enabled=True,
        connector_ready=True,
        deprovision_action="Suspend",
        suspension_action="Suspend",
        state="Provisioned",
        pending=(),
        events=events,
        wrike_status="active",
        wrike_type="Regular",
        denied=denied,
    )
    return replace(facts, **changes)


CREATED = LoggedEvent(7, 51, "2026-01-05T09:00:02.000Z", actor=None)


def _denial(at: str = "2026-01-05T09:00:04.000Z") -> LoggedEvent:
    return LoggedEvent(
        9, 138, at, notes="Denied: update user; nothing was sent", actor="Olivia Ops"
    )


@pytest.mark.parametrize(
    ("kind", "denied_request", "left"),
    [
        (
            "update",
            "the Update user request",
            "the change made in OneLogin since then is not in Wrike",
        ),
        ("suspend", "the Delete user (the suspension) request", "stays active in Wrike"),
        ("delete", "the Delete user request", "stays in Wrike as it was"),
        ("reactivate", "the Update user (the reactivation) request", "stays deactivated"),
    ],
)
def test_a_request_denied_after_the_user_was_provisioned_is_diagnosed_as_denied(
    kind: str, denied_request: str, left: str
) -> None:
    # The latest attempt (the create) succeeded, but a later request was denied: "in sync"
    # would tell support that Wrike has what OneLogin asked for, which it does not.
    found = diagnose(_facts((CREATED, _denial()), (kind,)))
    text = "\n".join(found.lines())
    assert found.cause == "denied", text
    assert f"Olivia Ops denied {denied_request} at 2026-01-05T09:00:04.000Z" in text
    assert left in text
    assert "Reapply entitlement mappings" in text


def test_an_attempt_after_the_denial_is_what_the_diagnosis_reads() -> None:
    later = LoggedEvent(11, 52, "2026-01-05T09:00:06.000Z")
    found = diagnose(_facts((CREATED, _denial(), later), ("update",)))
    assert found.cause == "in_sync"


def test_a_new_request_pending_after_a_denial_is_waiting_not_denied() -> None:
    found = diagnose(
        _facts((CREATED, _denial()), ("update",), state="Pending", pending=("Update user",))
    )
    assert found.cause == "pending_approval"


# -- a failure at the API Status gate: fix the cause, click Enable, then retry ---------------


def _gated(said: str) -> str:
    """A task's error text when the connection test behind Enable was refused."""
    return (
        "Failed to create user in app. API Status is Failed (the connection test said: API "
        f"connection failed: {said}): no request was sent. Click Enable next to API Status on "
        "the Configuration tab, then retry"
    )


GATED = {
    "wrong_token": "HTTP 401: The bearer token is not a valid Wrike API token.",
    "revoked_token": "HTTP 401: The API token was revoked at 2026-01-05T09:00:00Z.",
    "token_other_account": "HTTP 403: The API token was not issued for the account 10.",
    "token_issuer_not_admin": "HTTP 403: Who issued the API token is no longer an active "
    "account admin.",
    "wrong_scim_url": "HTTP 404: No Wrike account answers at this SCIM URL (account 10).",
    "plan_without_scim": "HTTP 403: SCIM user provisioning is not available on the Business plan.",
    "missing_issuer_right": "HTTP 403: The account admin who issued the API token "
    "(tom@acme.com) lacks the Wrike right 'Edit names', which SCIM needs to export a user "
    "list.",
    "rate_limited": "HTTP 429: Too Many Requests",
    "wrike_unavailable": "HTTP 503: Service Unavailable",
}


@pytest.mark.parametrize("cause", sorted(GATED))
def test_every_fix_after_a_refused_connection_test_says_click_enable_before_retry(
    cause: str,
) -> None:
    """A retry meets the gate again ("API Status is Disabled/Failed: no request was sent")
    until the connection test passes, whatever the cause was."""
    found, meaning, fix = classify_error(_gated(GATED[cause]), api_status="Failed")
    assert found == cause
    assert "connection test behind Enable next to API Status was refused" in meaning
    enable = fix.lower().find("click enable next to api status")
    assert enable >= 0, fix
    assert enable < fix.find("Retry the Failed entry"), fix


def test_a_fix_without_the_gate_still_just_retries() -> None:
    """Outside the gate (API Status Enabled, a create refused), retrying is enough."""
    _, meaning, fix = classify_error(
        "Failed to create user in app. HTTP 403: The API token was not issued for the account 10."
    )
    assert "connection test" not in meaning
    assert "click Enable" not in fix and "Retry the Failed entry" in fix


def test_a_plan_upgraded_since_the_connection_test_is_not_told_to_upgrade() -> None:
    text = _gated(GATED["plan_without_scim"])
    _, meaning, fix = classify_error(text, api_status="Failed", plan="Business")
    assert "Upgrade the Wrike account" in fix and "click Enable next to API Status" in fix
    cause, meaning, fix = classify_error(text, api_status="Failed", plan="Enterprise Standard")
    assert cause == "plan_without_scim"
    assert "it has since been moved to the Enterprise Standard plan" in meaning
    assert "API Status stays Failed until the connection test runs again" in meaning
    assert "Upgrade" not in fix
    assert fix.startswith("Nothing is left to change in Wrike; click Enable next to API Status")
    # Enable clicked since (the test passed), the entry not yet retried: only the retry is left.
    _, _, fix = classify_error(text, api_status="Enabled", plan="Enterprise Standard")
    assert fix.startswith("API Status now shows Enabled")
    assert "click Enable" not in fix and "Retry the Failed entry" in fix


def test_the_diagnosis_marks_the_simulators_event_names_as_assumed() -> None:
    from mock_onelogin.domain import modelling

    failed = LoggedEvent(7, 64, "2026-01-05T09:00:02.000Z", error="HTTP 401: Unauthorized")
    found = diagnose(_facts((failed,), (), state="Failed", wrike_status="absent"))
    note = modelling.assumed("event_name", "System Log name 'User creation failed in app'")
    assert note in found.notes
    assert f"  Note: {note}" in found.lines()
