"""Case files that declare OneLogin user mappings: the replay builds them through OneLogin's
mappings API, and the "no provisioning attempt" diagnosis names the mapping that would have
given the Wrike role and the condition that failed, with the user's value."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from harness.case import CaseFileError, parse_case
from harness.cli import main

ROOT = Path(__file__).resolve().parents[2]
CASE = ROOT / "fixtures/cases/mapping_did_not_match.yaml"


def test_the_diagnosis_names_the_mapping_and_the_failed_condition() -> None:
    result = CliRunner().invoke(main, ["repro", str(CASE)])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "ada@acme.com: mapping_did_not_match" in out
    assert (
        "User mapping 'Engineering uses Wrike' would add the role \"Engineering\" (which holds "
        "the Wrike app), but it needs all of its conditions to hold: department is "
        "'Engineering' is not met (the user's department is 'Engineerng') (text compared "
        "ignoring case: assumed, OneLogin does not say)"
    ) in out
    # the mapping matched Grace: the System Log shows the role it added, then her creation
    assert "[149] User automatically added to role  user grace@acme.com  role Engineering" in out
    assert "grace@acme.com: in_sync" in out


def test_a_fixed_attribute_makes_the_mapping_match(tmp_path: Path) -> None:
    case = tmp_path / "case.yaml"
    text = CASE.read_text(encoding="utf-8").replace(
        "    value: Engineer\n",
        "    value: Engineer\n  - action: change\n    user: ada@acme.com\n"
        "    attribute: Department\n    value: engineering\n",
    )
    text = text.replace("wrike: absent", "wrike: active").replace(
        "diagnosis: mapping_did_not_match", "diagnosis: in_sync"
    )
    text = text.replace("      no_provisioning_attempt: true\n", "")
    case.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(main, ["repro", str(case)])
    assert result.exit_code == 0, result.output
    assert "all met" in result.output


def test_a_mapping_needs_known_attributes_and_operators() -> None:
    with pytest.raises(CaseFileError) as bad:
        parse_case(
            "case: x\n"
            "onelogin:\n"
            "  mappings:\n"
            "    - name: m\n"
            "      role: Engineering\n"
            "      conditions:\n"
            "        - {attribute: Shoe size, operator: is, value: '9'}\n"
            "        - {attribute: Department, operator: starts with, value: Eng}\n"
            "    - name: n\n"
            "      conditions: []\n"
            "timeline: []\n"
        )
    problems = "\n".join(bad.value.problems)
    assert "onelogin.mappings[0].conditions[0].attribute: unknown attribute 'Shoe size'" in problems
    assert "onelogin.mappings[0].conditions[1].operator: unknown operator 'starts with'" in problems
    assert "missing field 'role'" in problems
    assert "a mapping needs at least one condition" in problems


def test_a_disabled_mapping_that_would_give_the_role_is_named() -> None:
    result = CliRunner().invoke(main, ["repro", str(ROOT / "fixtures/cases/mapping_disabled.yaml")])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "ada@acme.com: mapping_did_not_match" in out
    assert (
        "User mapping 'Engineering uses Wrike' would add the role \"Engineering\" (which holds "
        "the Wrike app), but it is disabled, though its conditions hold for the user."
    ) in out
    assert (
        'Meaning: The user would get the Wrike app through a user mapping, but the mapping "Engineering uses Wrike" is disabled'
        in out
    )
    assert 'What to change: Enable the mapping "Engineering uses Wrike"' in out


def test_a_disabled_mapping_that_would_not_match_says_both(tmp_path: Path) -> None:
    case = tmp_path / "case.yaml"
    case.write_text(
        (ROOT / "fixtures/cases/mapping_disabled.yaml")
        .read_text(encoding="utf-8")
        .replace("attributes: {Department: Engineering}", "attributes: {Department: Sales}"),
        encoding="utf-8",
    )
    result = CliRunner().invoke(main, ["repro", str(case)])
    assert result.exit_code == 0, result.output
    assert (
        "but it is disabled; besides, it needs all of its conditions to hold: department is "
        "'Engineering' is not met (the user's department is 'Sales')"
    ) in result.output
