"""``harness repro --export-feature`` writes Gherkin in the suite's step vocabulary: it parses,
every sentence matches exactly one STEPS.md pattern of its kind, and the scenarios pass when
the BDD suite runs them. What the vocabulary cannot say is refused by name."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from gherkin.parser import Parser
from gherkin.token_scanner import TokenScanner

from harness.case import load_case, parse_case
from harness.cli import main
from harness.gherkin import NotExpressible, export_feature
from tests.test_traceability import TAGS, Scenario, _walk, scenarios, step_patterns

ROOT = Path(__file__).resolve().parents[2]
CASES = sorted((ROOT / "fixtures" / "cases").glob("*.yaml"))
NOT_EXPORTABLE = {
    "rate_limited",
    "mapping_did_not_match",
    "mapping_disabled",
}  # Retry-After, mappings
EXPORTABLE = [p for p in CASES if p.stem not in NOT_EXPORTABLE]


def parse(text: str) -> list[Scenario]:
    document = Parser().parse(TokenScanner(text))
    feature = document["feature"]
    found: list[Scenario] = []
    _walk("exported.feature", feature["children"], {t["name"] for t in feature["tags"]}, [], found)
    return found


@pytest.mark.parametrize("path", EXPORTABLE, ids=[p.stem for p in EXPORTABLE])
def test_every_exported_sentence_matches_exactly_one_pattern(path: Path) -> None:
    result = CliRunner().invoke(main, ["repro", str(path), "--export-feature"])
    assert result.exit_code == 0, result.output
    [scenario] = parse(result.output)
    assert scenario.steps
    kinds = {kind for kind, _ in scenario.steps}
    assert kinds == {"Given", "When", "Then"}
    for kind, text in scenario.steps:
        matches = [p for kinds_, p, rx in step_patterns() if kind in kinds_ and rx.fullmatch(text)]
        assert len(matches) == 1, f"{kind} {text!r} matches {matches}"
    listed = TAGS.read_text(encoding="utf-8")
    assert all(f"- `{tag}`:" in listed for tag in scenario.tags)
    existing = {s.ref.split(": ", 1)[1] for s in scenarios()}
    assert scenario.ref.split(": ", 1)[1] not in existing


def test_a_free_text_description_cannot_break_the_feature() -> None:
    case = parse_case(
        "case: x\n"
        "description: |\n"
        "  When Ada joined, nothing happened.\n"
        "  # not a comment\n"
        "  Scenario: not one either\n"
        "  | nor | a table |\n"
        "onelogin:\n  users:\n    - email: ada@acme.com\n"
        "timeline:\n  - {action: assign, user: ada@acme.com, role: Eng}\n"
        "expect:\n  users:\n    - {user: ada@acme.com, wrike: active}\n"
    )
    [scenario] = parse(export_feature(case))
    assert scenario.steps[-1] == ("Then", 'Wrike shows "ada@acme.com" as active')


def test_export_writes_the_file_it_is_given(tmp_path: Path) -> None:
    out = tmp_path / "case.feature"
    result = CliRunner().invoke(main, ["repro", str(CASES[0]), "--export-feature", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_text().startswith("@troubleshooting")


def test_export_refuses_to_overwrite_an_existing_file_without_force(tmp_path: Path) -> None:
    out = tmp_path / "tracked.feature"
    kept = "Feature: somebody's 172 lines\n"
    out.write_text(kept)
    refused = CliRunner().invoke(main, ["repro", str(CASES[0]), "--export-feature", str(out)])
    assert refused.exit_code == 2
    assert f"{out} exists: not overwritten (give --force to replace it" in refused.output
    assert out.read_text() == kept
    forced = CliRunner().invoke(
        main, ["repro", str(CASES[0]), "--export-feature", str(out), "--force"]
    )
    assert forced.exit_code == 0, forced.output
    assert out.read_text().startswith("@troubleshooting")


def test_export_into_a_missing_folder_says_so_without_a_traceback(tmp_path: Path) -> None:
    out = tmp_path / "no-such-folder" / "case.feature"
    result = CliRunner().invoke(main, ["repro", str(CASES[0]), "--export-feature", str(out)])
    assert result.exit_code == 2
    assert f"{out}: cannot write:" in result.output
    assert "Traceback" not in result.output


def test_wrike_side_changes_make_the_scenario_reference_only() -> None:
    text = export_feature(load_case(ROOT / "fixtures/cases/revoked_token.yaml"))
    assert text.splitlines()[0] == "@troubleshooting @reference_only"
    text = export_feature(load_case(ROOT / "fixtures/cases/wrong_token.yaml"))
    assert text.splitlines()[0] == "@troubleshooting"


@pytest.mark.parametrize(
    ("case", "tag"),
    [
        ("wrong_scim_url", "@wrike_unknown_url_404"),
        ("unknown_user_type", "@wrike_user_types"),
        ("unapproved_domain", "@wrike_approved_domains"),
    ],
)
def test_a_case_relying_on_a_wrike_rule_carries_its_tag(case: str, tag: str) -> None:
    """So --profile rfc skips the exported scenario against an RFC provider, as it skips the
    suite's own scenarios of that rule."""
    path = ROOT / "fixtures/cases" / f"{case}.yaml"
    assert tag in export_feature(load_case(path)).splitlines()[0].split()


def test_approve_without_a_named_task_exports_the_task_that_was_pending() -> None:
    case = parse_case(
        "case: Approve\n"
        "onelogin:\n  require_approval: [Create user]\n"
        "  users:\n    - email: ada@acme.com\n"
        "timeline:\n"
        "  - {action: assign, user: ada@acme.com, role: Engineering}\n"
        "  - {action: approve, user: ada@acme.com}\n"
        "expect:\n  users:\n    - {user: ada@acme.com, wrike: active}\n"
    )
    text = export_feature(case)
    assert (
        '    And "ada@acme.com" is assigned the Wrike app through the role "Engineering"\n'
        "    When the OneLogin admin approves" in text
    )
    assert (
        'When the OneLogin admin approves the pending Create user task for "ada@acme.com"' in text
    )


@pytest.mark.parametrize(
    ("timeline", "named"),
    [
        ("  - {action: clock_skew, minutes: 0}\n", "a clock that is not off"),
        ("  - {action: fault, fault: 429 Too Many Requests, retry_after: 60}\n", "`retry_after`"),
        ("  - {action: fault, fault: connection dropped}\n", "the fault 'connection dropped'"),
        ("  - {action: configure, token: wrong}\n", "give `scim_url` too"),
    ],
)
def test_what_the_vocabulary_cannot_say_is_refused_by_name(timeline: str, named: str) -> None:
    case = parse_case(
        "case: x\nonelogin:\n  users:\n    - email: ada@acme.com\n"
        "timeline:\n" + timeline + "  - {action: assign, user: ada@acme.com, role: Engineering}\n"
        "expect:\n  users:\n    - {user: ada@acme.com, wrike: absent}\n"
    )
    with pytest.raises(NotExpressible, match=named.replace("`", "`").replace("(", r"\(")):
        export_feature(case)


def test_the_cli_refuses_with_a_message_and_exit_2() -> None:
    result = CliRunner().invoke(
        main, ["repro", str(ROOT / "fixtures/cases/rate_limited.yaml"), "--export-feature"]
    )
    assert result.exit_code == 2
    assert "cannot export: timeline[0] (line 9, fault): `retry_after`" in result.output


@pytest.mark.slow
def test_exported_cases_pass_in_the_bdd_suite(tmp_path: Path) -> None:
    """The proof that matters: the exported scenarios run green with the suite's own step
    definitions (in a copy of the suite, so features/ is untouched)."""
    for name in ("conftest.py", "pyproject.toml"):
        shutil.copy(ROOT / name, tmp_path / name)
    for folder in ("steps", "features", "fixtures"):
        shutil.copytree(
            ROOT / folder, tmp_path / folder, ignore=shutil.ignore_patterns("__pycache__")
        )
    support = tmp_path / "features" / "support"
    support.mkdir()
    for path in EXPORTABLE:
        (support / f"{path.stem}.feature").write_text(export_feature(load_case(path)))
    with (tmp_path / "steps" / "test_features.py").open("a") as handle:
        handle.write('\nscenarios("support")\n')
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "steps",
            "-q",
            "-k",
            "support_case",
            "-p",
            "no:cacheprovider",
            "-p",
            "no:schemathesis",
            "-p",
            "no:hypothesispytest",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    assert f"{len(EXPORTABLE)} passed" in run.stdout
