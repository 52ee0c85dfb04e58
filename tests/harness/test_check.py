"""``harness check`` runs the suite's black-box scenarios against an external SCIM endpoint
and writes cucumber JSON and JUnit reports; any failure exits non-zero."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from harness.check import pytest_command
from harness.cli import main
from tests.live import serving
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


def test_a_url_that_is_not_http_is_refused() -> None:
    result = CliRunner().invoke(main, ["check", "--scim-url", "scim.example", "--token", "t"])
    assert result.exit_code == 2
    assert "--scim-url must be an http(s) URL" in result.output


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


@pytest.mark.slow
def test_check_fails_when_the_endpoint_refuses(
    external: tuple[str, DemoAccount], tmp_path: Path
) -> None:
    url, _ = external
    result = CliRunner().invoke(
        main,
        [
            "check",
            "--scim-url",
            url,
            "--token",
            "wrong-token",
            "--reports",
            str(tmp_path),
            "--",
            "-k",
            "smoke",
        ],
    )
    assert result.exit_code == 1, result.output
    assert "some scenarios failed" in result.output
