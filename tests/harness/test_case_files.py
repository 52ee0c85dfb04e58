"""An invalid case file gets errors naming the file, the line and the field, all of them at
once, before anything runs."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from harness.case import CaseFileError, parse_case
from harness.cli import main

VALID_HEAD = (
    "case: A title\n"  # 1
    "onelogin:\n"  # 2
    "  users:\n"  # 3
    "    - email: ada@acme.com\n"  # 4
    "timeline:\n"  # 5
)


def problems(text: str) -> list[str]:
    with pytest.raises(CaseFileError) as caught:
        parse_case(text, "case.yaml")
    return caught.value.problems


def test_a_mistyped_action_names_line_field_and_the_choices() -> None:
    text = VALID_HEAD + (
        "  - action: assign\n"  # 6
        "    user: ada@acme.com\n"  # 7
        "    role: Engineering\n"  # 8
        "  - action: change\n"  # 9
        "    user: ada@acme.com\n"  # 10
        "    attribute: Job title\n"  # 11
        "    value: CTO\n"  # 12
        "  - action: retry\n"  # 13
        "    user: ada@acme.com\n"  # 14
        "  - action: asign\n"  # 15
        "    user: ada@acme.com\n"
    )  # 16
    [problem] = problems(text)
    assert problem.startswith(
        "case.yaml:15: timeline[3].action: unknown action 'asign'; "
        "did you mean 'assign'? (one of: assign, unassign, "
    )


def test_every_problem_is_reported_not_only_the_first() -> None:
    text = (
        "case: A title\n"  # 1
        "wrike:\n"  # 2
        "  plan: Enterprise Standrad\n"  # 3
        "  approved_domain: [acme.com]\n"  # 4
        "onelogin:\n"  # 5
        "  users:\n"  # 6
        "    - email: not-an-email\n"  # 7
        "timeline:\n"  # 8
        "  - action: assign\n"  # 9
        "    user: bob@acme.com\n"  # 10
        "  - action: fault\n"  # 11
        "    fault: 503 Service Unavailable\n"  # 12
        "    retry_after: 30\n"  # 13
        "expect:\n"  # 14
        "  users:\n"  # 15
        "    - user: ada@acme.com\n"  # 16
        "      diagnosis: not_asigned\n"  # 17
        "      wrike: gone\n"
    )  # 18
    found = problems(text)
    assert (
        "case.yaml:3: wrike.plan: unknown plan 'Enterprise Standrad'; did you mean "
        "'Enterprise Standard'?" in found[0]
    )
    assert any(
        p.startswith(
            "case.yaml:4: wrike.approved_domain: unknown field "
            "'approved_domain'; did you mean 'approved_domains'?"
        )
        for p in found
    )
    assert "case.yaml:7: onelogin.users[0].email: 'not-an-email' is not an email address" in found
    assert any(
        p.startswith("case.yaml:9: timeline[0]: assign needs exactly one of: role, direct")
        for p in found
    )
    assert any(
        p.startswith("case.yaml:10: timeline[0].user: bob@acme.com is not a user of this case")
        for p in found
    )
    assert any(
        p.startswith(
            "case.yaml:13: timeline[1].retry_after: Retry-After goes with the "
            "fault '429 Too Many Requests'"
        )
        for p in found
    )
    assert any(p.startswith("case.yaml:16: expect.users[0].user:") for p in found)
    assert any(
        p.startswith(
            "case.yaml:17: expect.users[0].diagnosis: unknown diagnosis cause "
            "'not_asigned'; did you mean 'not_assigned'?"
        )
        for p in found
    )
    assert any(
        p.startswith("case.yaml:18: expect.users[0].wrike: unknown Wrike status 'gone'")
        for p in found
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("case: x\ntimeline:\n  - action: [assign\n", "case.yaml:4: not valid YAML"),
        ("case: x\ncase: y\ntimeline: []\n", "case.yaml:2: case: given twice"),
        ("- just\n- a list\n", "case.yaml:1: the case file must be a mapping"),
        ("case: x\n", "case.yaml:1: (top level): missing field 'timeline'"),
        ("timeline: []\n", "case.yaml:1: (top level): missing field 'case'"),
        (
            VALID_HEAD + "  - user: ada@acme.com\n",
            "case.yaml:6: timeline[0]: missing field 'action'",
        ),
        (
            VALID_HEAD + "  - action: change\n    user: ada@acme.com\n    attribute: Jobtitle\n"
            "    value: 3\n",
            "case.yaml:8: timeline[0].attribute: unknown attribute 'Jobtitle'; did you mean "
            "'Job title'?",
        ),
        (
            VALID_HEAD + "  - action: suspend\n    user: ada@acme.com\n    when: now\n",
            "case.yaml:8: timeline[0].when: suspend takes no field 'when'",
        ),
        (
            VALID_HEAD + "  - action: assign\n    user: ada@acme.com\n    direct: yes please\n",
            "case.yaml:8: timeline[0].direct: write `direct: true`",
        ),
        (
            VALID_HEAD + "  - action: deny\n    user: ada@acme.com\n    by: ''\n",
            "case.yaml:8: timeline[0].by: expected text",
        ),
        (
            "case: x\nonelogin:\n  token: Tom\ntimeline: []\n",
            "case.yaml:3: onelogin.token: unknown token 'Tom': name the Wrike admin who issued it",
        ),
        (
            "case: x\nexpect:\n  seats:\n    Regular: many\ntimeline: []\n",
            "case.yaml:4: expect.seats.Regular: expected a whole number",
        ),
        (
            VALID_HEAD + "  - action: sso_setup\n    mode: sideways\n",
            "case.yaml:7: timeline[0].mode: unknown SSO mode 'sideways'",
        ),
        (
            VALID_HEAD + "  - action: sso_setup\n    mode: off\n",
            "case.yaml:7: timeline[0].mode: unknown SSO mode 'off'",
        ),
        (
            VALID_HEAD + "  - action: clock_skew\n    minutes: soon\n",
            "case.yaml:7: timeline[0].minutes: expected a whole number of minutes",
        ),
        (
            VALID_HEAD + "  - action: sso_login\n    user: ada@acme.com\n    from: elsewhere\n",
            "case.yaml:8: timeline[0].from: unknown login start 'elsewhere'",
        ),
        (
            VALID_HEAD + "  - action: change_email\n    user: ada@acme.com\n    to: nobody\n",
            "case.yaml:8: timeline[0].to: 'nobody' is not an email address",
        ),
        (
            VALID_HEAD + "  - action: change\n    user: ada@acme.com\n"
            "    attribute: Primary email\n    value: a@acme.com\n",
            "case.yaml:8: timeline[0].attribute: the email is how the case names the user; "
            "change the primary email with the action `change_email`",
        ),
        (
            "case: x\nonelogin:\n  users:\n    - email: ada@acme.com\ntimeline: []\n"
            "expect:\n  users:\n    - user: ada@acme.com\n      sso: denied\n",
            "case.yaml:9: expect.users[0].sso: unknown SSO login outcome",
        ),
    ],
)
def test_each_mistake_names_its_line_and_field(text: str, expected: str) -> None:
    found = problems(text)
    assert any(p.startswith(expected) for p in found), found


def test_the_cli_prints_the_problems_and_exits_2_without_running(tmp_path: Path) -> None:
    case = tmp_path / "case.yaml"
    case.write_text(VALID_HEAD + "  - action: asign\n    user: ada@acme.com\n")
    result = CliRunner().invoke(main, ["repro", str(case)])
    assert result.exit_code == 2
    assert f"{case}:6: timeline[0].action: unknown action 'asign'" in result.output
    assert "OneLogin System Log" not in result.output


def test_a_missing_file_is_named() -> None:
    result = CliRunner().invoke(main, ["repro", "no/such/case.yaml"])
    assert result.exit_code == 2
    assert "no/such/case.yaml: cannot read the case file" in result.output


def test_yaml_tags_and_anchors_behave_as_safe_load() -> None:
    text = (
        "case: x\n"
        "onelogin:\n"
        "  users:\n"
        "    - &ada {email: ada@acme.com}\n"
        "timeline:\n"
        "  - action: assign\n"
        "    user: ada@acme.com\n"
        "    direct: true\n"
    )
    case = parse_case(text)
    assert case.onelogin.users[0].email == "ada@acme.com"
    [problem] = problems("case: !!python/object:os.system x\ntimeline: []\n")
    assert problem.startswith("case.yaml:1: not valid YAML")
