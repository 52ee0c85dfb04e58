"""The CLI's live server: waitress, a SQLite file that survives a restart, and a background
worker that provisions without anyone calling drain."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tests.live import serving, simulator_session
from tests.mock_onelogin.conftest import NO_APPROVAL
from tests.mock_onelogin.scim_stub import ScimStub


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until(check, timeout: float = 15.0):  # type: ignore[no-untyped-def]
    """Poll until ``check()`` returns something truthy; the deadline only bounds a hang."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            result = check()
        except requests.ConnectionError:
            result = None
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached")
        time.sleep(0.05)


@pytest.fixture
def scim_server(stub: ScimStub) -> Iterator[str]:
    with serving(stub.app) as base:
        yield f"{base}/scim/v2"


def serve(data_dir: Path, port: int) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "mock_onelogin.cli",
            "serve",
            "--data-dir",
            str(data_dir),
            "--port",
            str(port),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    wait_until(lambda: requests.get(f"{base}/api/1/events/types", timeout=2).ok)
    return process


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    process.wait(10)


def test_live_server_provisions_in_the_background_and_keeps_state(
    tmp_path: Path, stub: ScimStub, scim_server: str
) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    process = serve(tmp_path, port)
    sim = simulator_session(tmp_path)
    try:
        status = sim.get(f"{base}/simulator/api/status", timeout=5).json()
        assert status["drain_mode"] == "worker"
        app_id = status["apps"][0]["id"]
        sim.put(
            f"{base}/simulator/api/apps/{app_id}/connector",
            timeout=5,
            json={"scim_base_url": scim_server, "scim_bearer_token": stub.token},
        ).raise_for_status()
        enabled = sim.post(f"{base}/simulator/api/apps/{app_id}/api-connection/enable", timeout=5)
        assert enabled.json()["api_status"] == "Enabled"
        sim.put(
            f"{base}/simulator/api/apps/{app_id}/provisioning",
            timeout=5,
            json={"enabled": True, "require_approval": NO_APPROVAL},
        ).raise_for_status()
        creds = sim.post(f"{base}/simulator/api/credentials", timeout=5).json()
        token = requests.post(
            f"{base}/auth/oauth2/v2/token",
            timeout=5,
            auth=(creds["client_id"], creds["client_secret"]),
            json={"grant_type": "client_credentials"},
        ).json()["access_token"]
        auth = {"Authorization": f"bearer {token}"}
        user = requests.post(
            f"{base}/api/2/users",
            headers=auth,
            timeout=5,
            json={"email": "live@example.com", "firstname": "Liv"},
        ).json()
        sim.post(
            f"{base}/simulator/api/users/{user['id']}/logins", timeout=5, json={"app_id": app_id}
        ).raise_for_status()

        def provisioned() -> bool:
            apps = requests.get(
                f"{base}/api/2/users/{user['id']}/apps", headers=auth, timeout=5
            ).json()
            return apps[0]["provisioning_state"] == "provisioned"

        wait_until(provisioned)
        assert stub.by_username("live@example.com") is not None
    finally:
        stop(process)

    process = serve(tmp_path, port)
    try:
        again = requests.post(
            f"{base}/auth/oauth2/v2/token",
            timeout=5,
            auth=(creds["client_id"], creds["client_secret"]),
            json={"grant_type": "client_credentials"},
        ).json()
        assert again["access_token"] == token  # same token until it expires, across restarts
        apps = requests.get(f"{base}/api/2/users/{user['id']}/apps", headers=auth, timeout=5).json()
        assert apps[0]["provisioning_state"] == "provisioned"
    finally:
        stop(process)
