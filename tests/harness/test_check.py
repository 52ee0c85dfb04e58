"""``harness check`` runs the suite's black-box scenarios against an external SCIM endpoint
and writes cucumber JSON and JUnit reports; any failure exits non-zero."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from harness.check import pytest_command
from harness.cli import main
from tests.live import free_port, serving
from wrike_sp import WrikeConfig, create_app
from wrike_sp.demo import DemoAccount, seed_demo_account


@pytest.fixture
def external() -> Iterator[tuple[str, DemoAccount]]:
    """The reference provider over real HTTP, set up as the suite's external account."""
    app = create_app(WrikeConfig(password_iterations=1000))
    demo = seed_demo_account(app.extensions["wrike"].accounts, domain="acme.com")
    with serving(app) as base:
        yield base + demo.scim_path, demo


def test_the_command_targets_the_external_endpoint_without_the_token(tmp_path: Path) -> None:
    command = pytest_command(Path("/suite"), "https://scim.example/v2", tmp_path, ("-x",))
    assert command[command.index("--target") + 1] == "external"
    assert command[command.index("--scim-url") + 1] == "https://scim.example/v2"
    assert command[command.index("not reference_only") - 1] == "-m"
    assert f"--cucumberjson={tmp_path / 'cucumber.json'}" in command
    assert f"--junitxml={tmp_path / 'junit.xml'}" in command
    assert command[-1] == "-x"
    assert not any("token" in part for part in command)
    assert command[command.index("--domain") + 1] == "acme.com"
    assert command[command.index("--profile") + 1] == "rfc"


def test_the_command_carries_the_domain_and_the_profile(tmp_path: Path) -> None:
    command = pytest_command(
        Path("/suite"), "https://scim.example/v2", tmp_path, (), "corp.example", "wrike"
    )
    assert command[command.index("--domain") + 1] == "corp.example"
    assert command[command.index("--profile") + 1] == "wrike"


def test_a_url_that_is_not_http_is_refused() -> None:
    result = CliRunner().invoke(main, ["check", "--scim-url", "scim.example", "--token", "t"])
    assert result.exit_code == 2
    assert "--scim-url must be an http(s) URL" in result.output


def run_cli(args: list[str], token: str | None = None) -> tuple[int, str, float]:
    """``harness check`` as a user runs it: exit code, everything printed, seconds taken."""
    started = time.monotonic()
    env = {"HARNESS_SCIM_TOKEN": token} if token else {}
    result = CliRunner().invoke(main, ["check", *args], env=env)
    return result.exit_code, result.output, time.monotonic() - started


def assert_one_screen(output: str, token: str, seconds: float, reports: Path) -> None:
    assert seconds < 10, f"took {seconds:.1f} s"
    assert len(output.splitlines()) < 40, output
    assert "Traceback" not in output
    assert token not in output
    assert "no scenario was run" in output
    assert not (reports / "junit.xml").exists(), "the suite ran after a failed preflight"


def test_a_wrong_token_stops_check_with_the_cause_and_the_fix(
    external: tuple[str, DemoAccount], tmp_path: Path
) -> None:
    url, _ = external
    token = "wrong-token-abcdefgh"
    code, output, seconds = run_cli(["--scim-url", url, "--reports", str(tmp_path)], token)
    assert code == 2, output
    assert_one_screen(output, token, seconds, tmp_path)
    assert "problem  token      refused (401)" in output
    assert "fix: obtain a permanent API token in Wrike" in output


def test_a_dead_url_stops_check_with_the_cause_and_the_fix(tmp_path: Path) -> None:
    port = free_port()
    token = "some-token-abcdefgh"
    code, output, seconds = run_cli(
        ["--scim-url", f"http://127.0.0.1:{port}/scim/1/v2", "--reports", str(tmp_path)], token
    )
    assert code == 2, output
    assert_one_screen(output, token, seconds, tmp_path)
    assert f"nothing listens at 127.0.0.1:{port} (connection refused)" in output
    assert "fix: start the SCIM server" in output


def test_an_unapproved_domain_stops_check_with_the_cause_and_the_fix(
    external: tuple[str, DemoAccount], tmp_path: Path
) -> None:
    url, demo = external
    code, output, seconds = run_cli(
        ["--scim-url", url, "--domain", "acme.org", "--reports", str(tmp_path)], demo.token
    )
    assert code == 2, output
    assert_one_screen(output, demo.token, seconds, tmp_path)
    assert "a user at acme.org is refused (400)" in output
    assert "fix: approve acme.org in Wrike (its approved domains), or pass --domain" in output


def test_preflight_only_passes_against_a_working_endpoint_without_running_the_suite(
    external: tuple[str, DemoAccount], tmp_path: Path
) -> None:
    url, demo = external
    code, output, _ = run_cli(
        ["--scim-url", url, "--preflight-only", "--reports", str(tmp_path)], demo.token
    )
    assert code == 0, output
    assert "0 problem(s)" in output
    assert "ok       writes     created, read back and deleted harness-preflight-" in output
    assert demo.token not in output
    assert not tmp_path.exists() or not any(tmp_path.iterdir())


def test_no_writes_is_shown_as_skipped(external: tuple[str, DemoAccount]) -> None:
    url, demo = external
    code, output, _ = run_cli(
        ["--scim-url", url, "--domain", "acme.org", "--no-writes", "--preflight-only"], demo.token
    )
    assert code == 0, output
    assert "skipped  writes     --no-writes: no user created at acme.org" in output


@pytest.mark.parametrize(
    ("url", "said"),
    [
        ("http://", "--scim-url must name a host"),
        ("https://exa mple.com/v2", "without spaces"),
        ("http://127.0.0.1:99999/v2", "not a valid URL (Port out of range"),
        ("http://[::1/v2", "not a valid URL"),
        ("http://user:secret-pw@127.0.0.1:1/v2", "must not carry a user name or password"),
        ("http://127.0.0.1:1/v2?x=1", "without a ?query or #fragment"),
    ],
)
def test_a_url_no_preflight_could_use_is_refused_in_one_line(url: str, said: str) -> None:
    code, output, _ = run_cli(["--scim-url", url], "some-token-abcdefgh")
    assert code == 2
    assert said in output
    assert len(output.splitlines()) == 1
    assert "secret-pw" not in output


def test_a_domain_that_is_not_a_domain_is_refused() -> None:
    code, output, _ = run_cli(
        ["--scim-url", "http://127.0.0.1:1/v2", "--domain", "acme com"], "some-token"
    )
    assert code == 2
    assert "--domain 'acme com' is not a domain name such as acme.com" in output


def test_the_help_lists_every_option_and_the_exit_codes() -> None:
    result = CliRunner().invoke(main, ["check", "--help"])
    assert result.exit_code == 0
    for option in ("--domain", "--profile [rfc|wrike]", "--no-writes", "--preflight-only"):
        assert option in result.output
    assert "0  every selected scenario passed" in result.output
    assert "1  a scenario failed, or none was selected" in result.output
    assert "2  the preflight failed" in result.output


@pytest.mark.slow
def test_check_in_a_real_process_prints_no_traceback_for_a_dead_url(tmp_path: Path) -> None:
    port = free_port()
    token = "process-token-abcdefgh"
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "harness.cli", "check", "--scim-url", f"http://127.0.0.1:{port}/v2"],
        env={**os.environ, "HARNESS_SCIM_TOKEN": token},
        capture_output=True,
        text=True,
        timeout=30,
        cwd=tmp_path,
    )
    seconds = time.monotonic() - started
    output = done.stdout + done.stderr
    assert done.returncode == 2, output
    assert_one_screen(output, token, seconds, tmp_path / "reports")
    assert f"nothing listens at 127.0.0.1:{port}" in output


@pytest.mark.slow
def test_check_passes_against_the_reference_provider_and_writes_reports(
    external: tuple[str, DemoAccount], tmp_path: Path
) -> None:
    url, demo = external
    result = CliRunner().invoke(
        main,
        ["check", "--scim-url", url, "--reports", str(tmp_path), "--", "-k", "smoke"],
        env={"HARNESS_SCIM_TOKEN": demo.token},
    )
    assert result.exit_code == 0, result.output
    report = json.loads((tmp_path / "cucumber.json").read_text())
    assert report, "no feature in the cucumber report"
    assert "<testsuite" in (tmp_path / "junit.xml").read_text()


def test_a_reports_folder_that_cannot_be_made_is_refused_before_the_preflight(
    tmp_path: Path,
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    code, output, _ = run_cli(
        ["--scim-url", "http://127.0.0.1:1/v2", "--reports", str(blocker / "reports")],
        "some-token-1234",
    )
    assert code == 2, output
    assert "--reports" in output and "cannot create the folder" in output
    assert "Preflight of" not in output, "the preflight ran (and wrote) before the refusal"
    assert "Traceback" not in output


def test_the_preflight_tests_the_domain_the_suite_uses(tmp_path: Path) -> None:
    code, output, _ = run_cli(
        ["--scim-url", "http://127.0.0.1:1/v2", "--domain", " Acme.Example ", "--preflight-only"],
        "some-token-1234",
    )
    assert code == 2, output
    assert "domain acme.example)" in output, output


@pytest.mark.slow  # collects the whole suite in a child pytest
def test_a_token_starting_with_a_dash_reaches_pytest_as_its_value(tmp_path: Path) -> None:
    """The suite's own command line and environment, collected by pytest: a token that starts
    with "-" is the --scim-token value, not an option pytest refuses."""
    import subprocess

    from harness.bdd import HERE
    from harness.check import pytest_environment

    command = [*pytest_command(HERE, "http://127.0.0.1:1/v2", tmp_path), "--co", "-q"]
    run = subprocess.run(
        command, env=pytest_environment("--Tok3nWithDash"), capture_output=True, text=True
    )
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
