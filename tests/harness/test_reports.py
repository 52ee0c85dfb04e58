"""The reports a person reads after a run: the verdict table's layout, token masking, the
cucumber JSON rewrite and the HTML report's escaping, on results built here (the end-to-end
runs against a real provider are in tests/bdd/test_reports.py)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from harness.bdd.reporting import (
    TABLE_LINES,
    ScenarioResult,
    Step,
    cause_of,
    masked,
    rewrite_cucumber,
    verdict,
)
from harness.report_html import render

TOKEN = "wrk_s3cr3t-token-value-9f3a"


def result(index: int, outcome: str = "failed", cause: str = "", **extra: object) -> ScenarioResult:
    return ScenarioResult(
        nodeid=f"test_features.py::test_scenario_{index}",
        test_name=f"test_scenario_{index}",
        scenario=f"Scenario number {index} provisions somebody into Wrike",
        feature="Provisioning",
        feature_file="provisioning/automatic_provisioning.feature",
        result=outcome,
        cause=cause,
        **extra,  # type: ignore[arg-type]
    )


def test_a_fully_failing_run_is_grouped_by_cause_on_one_screen() -> None:
    results = [
        result(i, cause=f"Wrike should have the user user{i}@acme.com; it has no such user")
        for i in range(60)
    ]
    results += [
        result(100 + i, cause=f"the API status should be 'Enabled' ({i})") for i in range(12)
    ]
    results += [result(200 + i, "error", cause=f"error in setup: boom {i}") for i in range(5)]
    results += [result(300 + i, "skipped", cause="@rfc: needs the plan gate") for i in range(3)]
    results += [result(400, "passed")]
    lines = verdict(results, ["reports/report.html", "reports/junit.xml"], width=80)
    assert len(lines) <= TABLE_LINES + 4, "\n".join(lines)
    assert all(len(line) <= 80 for line in lines), "\n".join(lines)
    text = "\n".join(lines)
    # the biggest group first, its cause once, the user it names kept from the first one
    assert lines[1].startswith(
        "60 failed: Wrike should have the user user0@acme.com; it has no such user"
    ), text
    assert "(+57 more)" in text
    assert "81 scenarios: 72 failed, 5 error, 3 skipped, 1 passed" in text
    assert "Reports in reports: report.html, junit.xml" in text
    # what does not fit is summed up, never dropped silently
    # (how many depends on TABLE_LINES; each line of the table stands for a group it names)
    summed = re.search(r"… and (\d+) more \(([^;]*); (\d+) causes\): see the reports", text)
    assert summed, text
    grouped = sum(int(n) for n in re.findall(r"^(\d+) (?:failed|error|skipped): ", text, re.M))
    rows = len(re.findall(r"^(?:failed|error|skipped) +\S", text, re.M))
    listed = grouped + rows
    assert listed + int(summed[1]) == 80, text
    assert "Scenario number 400" not in text  # a passed scenario is counted, not listed


def test_a_few_failures_get_a_row_each_with_name_and_cause() -> None:
    results = [
        result(1, cause="expected ada@acme.com to be active, found inactive"),
        result(2, "skipped", cause="@rfc: needs approved domains"),
        result(3, "passed"),
    ]
    lines = verdict(results, [], width=100)
    assert lines[1].startswith("failed  Scenario number 1 provisions somebody into Wrike")
    assert lines[2].strip() == "expected ada@acme.com to be active, found inactive"
    assert lines[3].startswith("skipped Scenario number 2")
    assert lines[4].strip() == "@rfc: needs approved domains"
    assert lines[-1] == "3 scenarios: 1 failed, 1 skipped, 1 passed"
    assert verdict([result(1, "passed")], [])[1] == "every scenario passed"


def test_the_token_is_masked_wherever_it_shows() -> None:
    text = f"Authorization: Bearer {TOKEN}; echoed: {TOKEN}; other: bearer abcdefgh12345678"
    shown = masked(text, [TOKEN])
    assert TOKEN not in shown and "abcdefgh12345678" not in shown
    assert "Bearer ****9f3a" in shown and "bearer ****5678" in shown
    assert masked("the SCIM Bearer Token field", [TOKEN]) == "the SCIM Bearer Token field"


def test_the_cause_is_the_assertions_own_first_line() -> None:
    with pytest.raises(AssertionError) as raised:
        found = "inactive"
        assert found == "active", f"expected ada@acme.com to be active, found {found}"
    assert cause_of(raised) == "expected ada@acme.com to be active, found inactive"
    with pytest.raises(KeyError) as other:
        {}["userName"]
    assert cause_of(other) == "KeyError: 'userName'"


def test_cucumber_error_message_starts_with_the_cause_and_later_steps_are_skipped(
    tmp_path: Path,
) -> None:
    internals = f"request = <FixtureRequest>\n    def scenario_wrapper(...)\nE   Bearer {TOKEN}"
    steps = [
        {"keyword": "Given", "name": "a user", "result": {"status": "passed", "duration": 1}},
        {
            "keyword": "Then",
            "name": "Wrike shows the user",
            "result": {"status": "failed", "duration": 1, "error_message": internals},
        },
        {
            "keyword": "And",
            "name": "the System Log shows it",
            "result": {"status": "failed", "duration": 0, "error_message": ""},
        },
    ]
    feature = {
        "uri": "provisioning/automatic_provisioning.feature",
        "elements": [{"id": "test_scenario_1", "steps": steps}],
    }
    path = tmp_path / "cucumber.json"
    path.write_text(json.dumps([feature]))
    cause = "expected ada@acme.com to be active, found inactive"
    rewrite_cucumber(path, [result(1, cause=cause)], [TOKEN])
    rewritten = json.loads(path.read_text())[0]["elements"][0]["steps"]
    assert rewritten[1]["result"]["error_message"].startswith(cause + "\n\n")
    assert "scenario_wrapper" in rewritten[1]["result"]["error_message"]  # the detail follows
    assert rewritten[2]["result"] == {"status": "skipped", "duration": 0}
    assert TOKEN not in path.read_text()


def test_the_html_report_escapes_what_the_provider_and_the_features_say() -> None:
    hostile = '<script>alert("owned")</script>'
    failed = result(
        1,
        cause=f"Wrike answered {hostile}",
        steps=[Step("Given", f"a user named {hostile}", "passed"), Step("Then", "x", "failed")],
        events=[
            {
                "id": 7,
                "event_type_name": "USER_CREATION_FAILED_IN_APP",
                "created_at": "2026-01-01T00:00:00Z",
                "event_type_id": 64,
                "scim_exchanges": [
                    {
                        "method": "POST",
                        "url": "https://scim.example/v2/Users",
                        "request_headers": {"Authorization": "Bearer ****9f3a"},
                        "request_body": {"userName": "ada@acme.com"},
                        "status": 400,
                        "response_body": {"detail": hostile},
                    }
                ],
            }
        ],
        journal=f"#1 POST /Users -> 400 {hostile}",
    )
    failed.scenario = f"A scenario {hostile}"
    page = render({"scim_url": "https://scim.example/v2", "counts": {"failed": 1}}, [failed])
    assert "<script" not in page.lower()
    assert "&lt;script&gt;alert(&quot;owned&quot;)&lt;/script&gt;" in page
    assert "&gt; POST https://scim.example/v2/Users" in page and "&lt; HTTP 400" in page
    assert "default-src 'none'" in page  # nothing external, nothing runs
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page)


def test_the_table_shows_a_quoted_scim_error_by_its_detail() -> None:
    error = json.dumps(
        {
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"],
            "status": "401",
            "detail": "The bearer token is not a valid Wrike API token.",
        },
        separators=(",", ":"),
    )
    cause = f"look up ada@acme.com: expected HTTP 200/201/204, got 401: {error}"
    lines = verdict([result(i, cause=cause) for i in range(30)], [], width=80)
    assert lines[1] == (
        "30 failed: look up ada@acme.com: expected HTTP 200/201/204, got 401: The bearer"
    )
    assert lines[2].strip() == "token is not a valid Wrike API token."
