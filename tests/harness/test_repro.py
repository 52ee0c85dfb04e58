"""``harness repro`` on every shipped case prints the diagnosis the case expects and exits 0;
a case whose expectations are not met exits 1 and says which line failed."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from harness.case import load_case
from harness.cli import main
from harness.diagnosis import CAUSES
from mock_onelogin.domain import modelling

ROOT = Path(__file__).resolve().parents[2]
CASES = sorted((ROOT / "fixtures" / "cases").glob("*.yaml"))


def expected_diagnoses(path: Path) -> dict[str, str]:
    case = load_case(path)
    return {
        user.user: check.value
        for user in case.expect.users
        for check in user.checks
        if check.key == "diagnosis"
    }


def test_there_is_a_case_for_each_troubleshooting_scenario_of_the_article() -> None:
    causes = {cause for path in CASES for cause in expected_diagnoses(path).values()}
    assert {
        "not_assigned",
        "provisioning_disabled",
        "pending_approval",
        "unapproved_domain",
        "wrong_token",
        "revoked_token",
        "wrong_scim_url",
        "plan_without_scim",
        "missing_admin_right",
        "wrike_unavailable",
        "rate_limited",
        "unknown_user_type",
        "in_sync",
        "denied",
    } <= causes


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_repro_prints_the_expected_diagnosis_and_exits_0(path: Path) -> None:
    result = CliRunner().invoke(main, ["repro", str(path)])
    assert result.exit_code == 0, result.output
    expected = expected_diagnoses(path)
    assert expected, f"{path.name} states no diagnosis"
    for email, cause in expected.items():
        assert f"{email}: {cause} ({CAUSES[cause]})" in result.output
    assert "OneLogin System Log" in result.output
    assert "seats:" in result.output
    assert "all met" in result.output


def test_the_diagnosis_walks_the_articles_steps_and_quotes_the_error() -> None:
    result = CliRunner().invoke(
        main, ["repro", str(ROOT / "fixtures/cases/unapproved_domain.yaml")]
    )
    out = result.output
    assert "Check the System Log: is a SCIM provisioning attempt listed" in out
    assert "An error is listed: what do its details say?" in out
    assert "Error details: Failed to create user in app. HTTP 400" in out
    assert "add example.org to the approved domains" in out


def test_no_attempt_asks_whether_the_user_is_assigned() -> None:
    out = CliRunner().invoke(main, ["repro", str(ROOT / "fixtures/cases/not_assigned.yaml")]).output
    assert "No attempt listed: is the user properly assigned to Wrike's application?" in out
    assert 'No: the user is in role "Sales", which does not hold the Wrike app' in out


def test_unmet_expectations_exit_1_naming_the_line(tmp_path: Path) -> None:
    case = tmp_path / "case.yaml"
    case.write_text(
        "case: Ada should be in Wrike\n"
        "onelogin:\n"
        "  provisioning: disabled\n"
        "  users:\n"
        "    - email: ada@acme.com\n"
        "timeline:\n"
        "  - action: assign\n"
        "    user: ada@acme.com\n"
        "    role: Engineering\n"
        "expect:\n"
        "  users:\n"
        "    - user: ada@acme.com\n"
        "      wrike: active\n"
        "      diagnosis: in_sync\n"
    )
    result = CliRunner().invoke(main, ["repro", str(case)])
    assert result.exit_code == 1
    assert (
        f"FAILED {case}:13: ada@acme.com: wrike: expected Wrike to show the user as "
        "active, got absent" in result.output
    )
    assert (
        f"FAILED {case}:14: ada@acme.com: diagnosis: expected diagnosis in_sync, got "
        "provisioning_disabled" in result.output
    )


def test_an_action_that_cannot_be_carried_out_names_the_step(tmp_path: Path) -> None:
    case = tmp_path / "case.yaml"
    case.write_text(
        "case: Approve with nothing pending\n"
        "onelogin:\n"
        "  users:\n"
        "    - email: ada@acme.com\n"
        "timeline:\n"
        "  - action: approve\n"
        "    user: ada@acme.com\n"
    )
    result = CliRunner().invoke(main, ["repro", str(case)])
    assert result.exit_code == 2
    assert f"{case}:6: timeline[0] (approve): ada@acme.com has no pending" in result.output


def test_the_scim_flag_prints_the_exchanges() -> None:
    result = CliRunner().invoke(
        main, ["repro", "--scim", str(ROOT / "fixtures/cases/wrong_token.yaml")]
    )
    assert "          answer:\n            {" in result.output
    assert '"detail": "The bearer token is not a valid Wrike API token.' in result.output


def test_the_report_says_what_was_assumed_and_what_wrike_answered() -> None:
    """The update method, the simulator's error wording, and Wrike's own words apart."""
    out = CliRunner().invoke(main, ["repro", str(ROOT / "fixtures/cases/revoked_token.yaml")])
    assert out.exit_code == 0, out.output
    method = modelling.assumed("update_method", "Update method: PUT")
    lines = out.output.splitlines()
    assert f"  {method}" in lines  # the app's settings
    assert f"        {method}" in lines  # the failed update's notes
    assert "        error: Failed to update user in app. HTTP 401" in out.output
    assert "        Wrike's answer: HTTP 401: " in out.output
    assert f"        {modelling.wording_assumed()}" in out.output


def test_a_case_never_enabling_the_api_connection_sends_nothing() -> None:
    result = CliRunner().invoke(
        main, ["repro", "--scim", str(ROOT / "fixtures/cases/api_status_not_enabled.yaml")]
    )
    assert result.exit_code == 0, result.output
    assert "API Status: Disabled" in result.output
    gate = modelling.assumed("api_status_gate", "No SCIM request is sent until it is Enabled")
    assert f"  {gate}" in result.output.splitlines()
    assert "SCIM " not in result.output.split("OneLogin System Log", 1)[1].split("Wrike:", 1)[0]
    assert "api_status_not_enabled (no request sent" in result.output
    assert "What to change: Click Enable next to API status" in result.output


def test_the_older_do_nothing_spelling_still_reads(tmp_path: Path) -> None:
    case = tmp_path / "case.yaml"
    case.write_text(
        (ROOT / "fixtures/cases/deprovision_do_nothing.yaml")
        .read_text()
        .replace("deprovision_action: Do Nothing", "deprovision_action: Do nothing")
    )
    assert "deprovision_action: Do nothing" in case.read_text()
    result = CliRunner().invoke(main, ["repro", str(case)])
    assert result.exit_code == 0, result.output
    assert "deprovision action: Do Nothing" in result.output


# -- the API Status gate: what the diagnosis says to do works ---------------------------------

ISSUER = ROOT / "fixtures/cases/missing_issuer_right.yaml"


def _issuer_case(tmp_path: Path, *extra: str) -> Path:
    """missing_issuer_right with the token of an admin who holds the right, then ``extra``."""
    text = ISSUER.read_text(encoding="utf-8").split("expect:", 1)[0]
    text += "  - action: configure\n    token: Wanda Admin\n" + "".join(extra)
    text += "  - action: retry\n    user: ada@acme.com\n"
    case = tmp_path / "case.yaml"
    case.write_text(text, encoding="utf-8")
    return case


def test_the_fix_after_a_refused_connection_test_says_enable_and_following_it_provisions(
    tmp_path: Path,
) -> None:
    out = CliRunner().invoke(main, ["repro", str(ISSUER)])
    assert out.exit_code == 0, out.output
    fix = next(line for line in out.output.splitlines() if "What to change:" in line)
    assert fix.index("click Enable next to API Status") < fix.index("Retry the Failed entry")
    # The right fixed, retried without Enable: the gate stops it again.
    skipped = CliRunner().invoke(main, ["repro", str(_issuer_case(tmp_path))])
    assert "API Status is Disabled: no request was sent" in skipped.output
    assert "ada@acme.com: api_status_not_enabled" in skipped.output
    # As the diagnosis says: the right fixed, Enable clicked, then retried.
    followed = CliRunner().invoke(
        main, ["repro", str(_issuer_case(tmp_path, "  - action: enable_api_connection\n"))]
    )
    assert "ada@acme.com: in_sync" in followed.output, followed.output


def test_a_plan_upgraded_after_the_connection_test_is_read_as_it_is_now() -> None:
    out = CliRunner().invoke(
        main, ["repro", str(ROOT / "fixtures/cases/plan_upgraded_after_connection_test.yaml")]
    )
    assert out.exit_code == 0, out.output
    diagnosis = out.output.split("\nDiagnosis\n", 1)[1]
    assert "it has since been moved to the Enterprise Standard plan" in diagnosis
    assert "Upgrade" not in diagnosis
    assert "What to change: Nothing is left to change in Wrike; click Enable next to" in diagnosis


# -- assumptions and counts where the report shows them ---------------------------------------


def test_the_report_names_which_event_names_are_the_simulators() -> None:
    out = CliRunner().invoke(
        main, ["repro", str(ROOT / "fixtures/cases/deprovision_do_nothing.yaml")]
    )
    assert out.exit_code == 0, out.output
    log = out.output.split("OneLogin System Log (oldest first)\n", 1)[1].splitlines()
    legend = modelling.assumed("event_name", "Event names of types [26], [51], [60], [147], [148]")
    # once, at the top; OneLogin's own names ([1] App added to role, [13] Created user:
    # official_name true in the events types API) are not in it
    assert log[0] == f"  {legend}"
    assert "  [1] App added to role" in out.output and "  [13] Created user" in out.output
    assert "[60] Provisioning do nothing warning  user ada@acme.com" in out.output


def test_event_60_has_one_name_in_the_vocabulary_the_console_and_the_api() -> None:
    from harness import vocabulary as v
    from mock_onelogin.domain.events import EVENT_TYPES
    from mock_onelogin.web.console.events import _event_name, name_source

    assert v.EVENT_NAMES[60] == "Provisioning do nothing warning"
    assert EVENT_TYPES[60].name == "PROVISIONING_DO_NOTHING_WARNING"
    for type_id, name in v.EVENT_NAMES.items():
        assert _event_name(type_id) == name
        assert v.event_name_assumed(type_id) == ("assumed" in name_source(type_id))
    spelt = [
        p.relative_to(ROOT)
        for pattern in ("features/**/*.feature", "features/*.md", "docs/*.md", "fixtures/cases/*")
        for p in ROOT.glob(pattern)
        if "Deprovisioning mode Do nothing warning" in p.read_text(encoding="utf-8")
    ]
    assert not spelt


def test_the_report_labels_billable_members_and_paid_seats_apart(tmp_path: Path) -> None:
    case = tmp_path / "case.yaml"
    case.write_text(
        "case: seats\nonelogin:\n  users:\n    - email: ada@acme.com\n"
        "      attributes: {Wrike user type: Collaborator}\n"
        "timeline:\n  - action: assign\n    user: ada@acme.com\n    role: Engineering\n",
        encoding="utf-8",
    )
    out = CliRunner().invoke(main, ["repro", str(case)])
    assert out.exit_code == 0, out.output
    lines = out.output.splitlines()
    assert "  billable members by user type: Collaborator 1, Regular 1 (total 2)" in lines
    paid = next(line for line in lines if line.startswith("  paid seats: "))
    assert paid.startswith("  paid seats: 1 (Regular 1")
    assert not [line for line in lines if line.startswith("  seats: ")]
