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
    assert "answer: {" in result.output
    assert "not a valid Wrike API token" in result.output


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
