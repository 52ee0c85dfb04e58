"""External mode end to end: the reference provider started separately by its CLI, and the BDD
suite driving it only through its SCIM URL and token, as it would a staging Wrike."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]
CLI = Path(sys.executable).with_name("wrike-sp")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def served_provider(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[dict[str, str]]:
    """``wrike-sp serve`` in a subprocess; what it prints: SCIM URL, token, admin API key."""
    if request.config.getoption("--target") != "in-process":
        pytest.skip(
            "this test chooses its own target (external); it runs with the default "
            "--target in-process only"
        )
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [str(CLI), "serve", "--data-dir", str(tmp_path / "data"), "--port", str(_free_port())],
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
        yield {k: v.group(1) for k, v in found.items() if v is not None}
    finally:
        process.terminate()
        process.wait(10)


@pytest.mark.slow
def test_the_suite_passes_against_the_provider_served_by_its_cli(
    served_provider: dict[str, str],
) -> None:
    # The features' Wrike account approves acme.com (STEPS.md: against an external endpoint
    # the account set-up Givens describe the account). The CLI's demo account approves only
    # its own domain, so its admin adds acme.com first, as a Wrike admin would.
    account = served_provider["scim_url"].rstrip("/").split("/")[-2]
    for _ in range(50):  # the server prints before it listens
        try:
            response = requests.post(
                f"{served_provider['admin_api']}/accounts/{account}/approved-domains",
                json={"domain": "acme.com"},
                headers={"Authorization": f"Bearer {served_provider['admin_key']}"},
                timeout=5,
            )
            break
        except requests.ConnectionError:
            time.sleep(0.1)
    assert response.status_code == 201, response.text
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
            "--target",
            "external",
            "--scim-url",
            served_provider["scim_url"],
            "--scim-token",
            served_provider["token"],
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    summary = run.stdout.strip().splitlines()[-1] if run.stdout.strip() else run.stderr
    assert run.returncode == 0, f"the external run failed: {summary}\n{run.stdout[-5000:]}"
    passed = re.search(r"(\d+) passed", summary)
    skipped = re.search(r"(\d+) skipped", summary)
    assert passed and int(passed.group(1)) > 0, f"nothing passed: {summary}"
    assert skipped and int(skipped.group(1)) > 0, (
        f"@reference_only scenarios should be skipped against an external endpoint: {summary}"
    )
