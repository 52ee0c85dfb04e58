"""External mode end to end: a SCIM provider started separately by its own CLI, and the BDD
suite driving it only through its SCIM URL and token, as it would a staging Wrike.

Two providers, two profiles (harness/bdd/plugin.py, features/TAGS.md):

- scim2-server, an RFC 7643/7644 provider written elsewhere, under ``--profile rfc`` (the
  default): nothing fails, and every scenario skipped names why: ``@reference_only`` or the
  rule only Wrike has (``@wrike_*`` with its TAGS.md meaning);
- the reference provider (``wrike-sp serve``) under ``--domain acme.example --profile
  wrike``, its seeded account as it starts (approved domain ``acme.example``, no set-up step):
  every scenario that is not ``@reference_only`` passes.
"""

from __future__ import annotations

import os
import re
import secrets
import socket
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from harness.bdd.plugin import REFERENCE_ONLY_REASON, SSO_REASON, WRIKE_RULE_PREFIX, tags

ROOT = Path(__file__).resolve().parents[2]
SCIM2_SERVER = Path(sys.executable).with_name("scim2-server")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _only_in_process(request: pytest.FixtureRequest) -> None:
    if request.config.getoption("--target") != "in-process":
        pytest.skip(
            "this test chooses its own target (external); it runs with the default "
            "--target in-process only"
        )


def _stop(process: subprocess.Popen[str]) -> None:
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(10)


def _wait_until_listening(url: str, token: str, process: subprocess.Popen[str]) -> None:
    """The server prints before it listens: ask its ServiceProviderConfig until it answers."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert process.poll() is None, f"the provider exited with {process.returncode}"
        try:
            answer = requests.get(
                f"{url}/ServiceProviderConfig",
                headers={"Authorization": f"Bearer {token}"},
                timeout=5,
            )
            assert answer.status_code == 200, answer.text
            return
        except requests.ConnectionError:
            time.sleep(0.1)
    raise AssertionError(f"{url} did not answer within 30 s")


@pytest.fixture
def scim2_server(request: pytest.FixtureRequest) -> Iterator[dict[str, str]]:
    """scim2-server served by its own CLI on a free port, with a random bearer token."""
    _only_in_process(request)
    port, token = _free_port(), secrets.token_urlsafe(24)
    process = subprocess.Popen(
        [str(SCIM2_SERVER), "--port", str(port), "--bearer-token", token],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        url = f"http://127.0.0.1:{port}/v2"
        _wait_until_listening(url, token, process)
        yield {"scim_url": url, "token": token}
    finally:
        _stop(process)


@pytest.fixture
def served_provider(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[dict[str, str]]:
    """``wrike-sp serve`` in a subprocess (this checkout's code); what it prints: SCIM URL,
    token, admin API key."""
    _only_in_process(request)
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "wrike_sp.cli",
            "serve",
            "--data-dir",
            str(tmp_path / "data"),
            "--port",
            str(_free_port()),
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    printed: list[str] = []
    try:
        assert process.stdout is not None
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            line = process.stdout.readline()
            if not line:
                break
            printed.append(line)
            if line.startswith("Serving on"):
                break
        text = "".join(printed)
        found = {
            "scim_url": re.search(r"^SCIM URL:\s+(\S+)", text, re.M),
            "token": re.search(r"^SCIM token:\s+(\S+)", text, re.M),
            "admin_api": re.search(r"^Admin API:\s+(\S+)", text, re.M),
            "admin_key": re.search(r"^Admin key:\s+(\S+)", text, re.M),
        }
        missing = [k for k, v in found.items() if v is None]
        assert not missing, f"wrike-sp serve did not print {missing}; it printed:\n{text}"
        served = {k: v.group(1) for k, v in found.items() if v is not None}
        _wait_until_listening(served["scim_url"], served["token"], process)
        yield served
    finally:
        _stop(process)


@dataclass
class Outcome:
    passed: list[str]
    failed: list[str]
    skipped: dict[str, str]  # test id -> reason
    tail: str


def run_suite(tmp_path: Path, scim_url: str, token: str, *options: str) -> Outcome:
    """The BDD suite in a child pytest against ``scim_url``; each scenario's outcome read
    from its JUnit XML."""
    junit = tmp_path / "junit.xml"
    run = subprocess.run(
        # Plugins the BDD suite does not use stay unloaded: the child starts faster.
        [
            sys.executable,
            "-m",
            "pytest",
            "steps/test_features.py",
            "-q",
            "-p",
            "no:xdist",
            "-p",
            "no:schemathesis",
            "-p",
            "no:hypothesispytest",
            "-p",
            "no:anyio",
            "-p",
            "no:cacheprovider",
            f"--junitxml={junit}",
            "--target",
            "external",
            "--scim-url",
            scim_url,
            "--scim-token",
            token,
            *options,
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    tail = run.stdout[-6000:] + run.stderr[-2000:]
    assert junit.exists(), f"the external run wrote no report (exit {run.returncode}):\n{tail}"
    outcome = Outcome([], [], {}, tail)
    for case in ET.parse(junit).getroot().iter("testcase"):
        name = case.get("name", "")
        if case.find("failure") is not None or case.find("error") is not None:
            outcome.failed.append(name)
        elif (skipped := case.find("skipped")) is not None:
            outcome.skipped[name] = skipped.get("message", "")
        else:
            outcome.passed.append(name)
    return outcome


def _is_reference_only(reason: str) -> bool:
    """Skipped as needing the reference provider, or SAML SSO (which an endpoint lacks)."""
    return reason in (REFERENCE_ONLY_REASON, SSO_REASON)


def _sso_skipped_for_what_they_are(outcome: Outcome) -> None:
    """Every @sso scenario is skipped, with the @sso reason (features/sso/)."""
    sso = {t: r for t, r in outcome.skipped.items() if r == SSO_REASON}
    assert len(sso) >= 15, f"only {len(sso)} scenarios skipped as @sso: {sorted(sso)}"
    ran = [t for t in (*outcome.passed, *outcome.failed) if "sso" in t.lower()]
    assert not ran, f"SSO scenarios ran against an external endpoint: {ran}"


@pytest.mark.slow
def test_against_scim2_server_nothing_fails_and_each_skip_names_the_wrike_rule(
    scim2_server: dict[str, str], tmp_path: Path
) -> None:
    outcome = run_suite(tmp_path, scim2_server["scim_url"], scim2_server["token"])
    assert not outcome.failed, f"failed against scim2-server: {outcome.failed}\n{outcome.tail}"
    assert len(outcome.passed) >= 45, f"only {len(outcome.passed)} passed:\n{outcome.tail}"
    rules = {
        f"@{name}: {meaning}": name
        for name, meaning in tags().items()
        if name.startswith(WRIKE_RULE_PREFIX)
    }
    unexplained = {
        test: reason
        for test, reason in outcome.skipped.items()
        if not _is_reference_only(reason) and not any(reason.startswith(r) for r in rules)
    }
    assert not unexplained, f"skips that name no Wrike rule: {unexplained}"
    # Each Wrike rule was met and skipped for what it is, not silently run.
    named = {rules[r] for reason in outcome.skipped.values() for r in rules if reason.startswith(r)}
    assert named == set(rules.values()), (
        f"these Wrike rules skipped nothing: {set(rules.values()) - named}"
    )
    _sso_skipped_for_what_they_are(outcome)


@pytest.mark.slow
def test_against_wrike_sp_serve_every_scenario_not_reference_only_passes(
    served_provider: dict[str, str], tmp_path: Path
) -> None:
    # The CLI's seeded account approves acme.example and nothing else: the suite's users go
    # there (--domain), and the Wrike rules are held (--profile wrike). No admin set-up.
    outcome = run_suite(
        tmp_path,
        served_provider["scim_url"],
        served_provider["token"],
        "--domain",
        "acme.example",
        "--profile",
        "wrike",
    )
    assert not outcome.failed, f"failed against wrike-sp serve: {outcome.failed}\n{outcome.tail}"
    not_reference = {t: r for t, r in outcome.skipped.items() if not _is_reference_only(r)}
    assert not not_reference, f"skipped though not @reference_only: {not_reference}"
    assert outcome.skipped, "@reference_only scenarios should be skipped against an endpoint"
    assert len(outcome.passed) >= 45, f"only {len(outcome.passed)} passed:\n{outcome.tail}"
    _sso_skipped_for_what_they_are(outcome)
