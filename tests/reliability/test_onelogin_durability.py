"""The simulated OneLogin killed with SIGKILL in the middle of a stream of admin changes
keeps every change it acknowledged: users, the provisioning tasks they queued, and their
System Log events."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from tests.live import free_port, simulator_session

CLIENT = ("durability-client", "durability-secret-0123456789")


def _start(data_dir: Path, port: int) -> subprocess.Popen[bytes]:
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
            "--threads",
            "4",
            "--client-id",
            CLIENT[0],
            "--client-secret",
            CLIENT[1],
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            requests.get(f"http://127.0.0.1:{port}/api/1/events/types", timeout=1)
            return process
        except requests.ConnectionError:
            time.sleep(0.05)
    process.kill()
    raise AssertionError("the simulator did not start")


def _token(base: str) -> dict[str, str]:
    response = requests.post(
        f"{base}/auth/oauth2/v2/token",
        auth=CLIENT,
        json={"grant_type": "client_credentials"},
        timeout=5,
    )
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


@pytest.mark.slow
def test_acknowledged_changes_survive_sigkill(tmp_path: Path) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    process = _start(tmp_path, port)
    acknowledged_users: list[int] = []
    acknowledged_logins: list[int] = []
    try:
        headers = _token(base)
        sim = simulator_session(tmp_path)
        app_id = sim.get(f"{base}/simulator/api/apps", timeout=5).json()[0]["id"]
        # Nothing answers at this SCIM URL; approval keeps every create task waiting.
        sim.put(
            f"{base}/simulator/api/apps/{app_id}/connector",
            timeout=5,
            json={"scim_base_url": "http://127.0.0.1:9/scim/v2", "scim_bearer_token": "t"},
        ).raise_for_status()
        sim.put(
            f"{base}/simulator/api/apps/{app_id}/provisioning",
            timeout=5,
            json={"enabled": True, "require_approval": {"create_user": True}},
        ).raise_for_status()
        session = simulator_session(tmp_path)
        for i in range(100_000):
            if i == 150:
                os.kill(process.pid, signal.SIGKILL)
            try:
                created = session.post(
                    f"{base}/api/2/users",
                    headers=headers,
                    timeout=5,
                    json={"email": f"u{i}@acme.example", "username": f"u{i}@acme.example"},
                )
                if created.status_code != 201:
                    continue
                user_id = created.json()["id"]
                acknowledged_users.append(user_id)
                login = session.post(
                    f"{base}/simulator/api/users/{user_id}/logins",
                    json={"app_id": app_id},
                    timeout=5,
                )
                if login.status_code == 201:
                    acknowledged_logins.append(user_id)
            except requests.RequestException:
                break
    finally:
        process.kill()
        process.wait()
    assert len(acknowledged_logins) >= 100

    restarted = _start(tmp_path, port)
    try:
        headers = _token(base)
        for user_id in acknowledged_users:
            assert (
                requests.get(
                    f"{base}/api/2/users/{user_id}", headers=headers, timeout=5
                ).status_code
                == 200
            ), user_id
        tasks = sim.get(
            f"{base}/simulator/api/tasks", timeout=10, params={"state": "pending_approval"}
        ).json()
        waiting = {t["user_id"] for t in tasks}
        assert set(acknowledged_logins) <= waiting
        logged = set()
        cursor = None
        while True:
            params = {"event_type_id": 13, "limit": 1000}
            if cursor:
                params["after_cursor"] = cursor
            page = requests.get(
                f"{base}/api/1/events", headers=headers, params=params, timeout=10
            ).json()
            logged |= {e["user_id"] for e in page["data"]}
            cursor = page["pagination"]["after_cursor"]
            if not cursor:
                break
        assert set(acknowledged_users) <= logged
    finally:
        restarted.kill()
        restarted.wait()
