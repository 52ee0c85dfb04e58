"""A provider killed with SIGKILL in the middle of a stream of writes keeps every write it
acknowledged, once restarted on the same data folder."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from tests.live import free_port


def _start(data_dir: Path, port: int) -> tuple[subprocess.Popen[str], list[str]]:
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "wrike_sp.cli",
            "serve",
            "--data-dir",
            str(data_dir),
            "--port",
            str(port),
            "--threads",
            "4",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines: list[str] = []
    assert process.stdout is not None
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        lines.append(line)
        if line.startswith("Serving on"):
            break
    url = f"http://127.0.0.1:{port}"
    while time.monotonic() < deadline:
        try:
            requests.get(url + "/scim/1/v2/Users", timeout=1)
            return process, lines
        except requests.ConnectionError:
            time.sleep(0.05)
    process.kill()
    raise AssertionError("the provider did not start: " + "".join(lines))


@pytest.mark.slow
def test_acknowledged_writes_survive_sigkill(tmp_path: Path) -> None:
    port = free_port()
    process, lines = _start(tmp_path, port)
    token = next(m.group(1) for line in lines if (m := re.match(r"SCIM token:\s+(\S+)", line)))
    base = f"http://127.0.0.1:{port}/scim/1/v2"
    headers = {"Authorization": f"Bearer {token}"}
    acknowledged: list[str] = []
    session = requests.Session()
    try:
        for i in range(100_000):
            name = f"user{i}@acme.example"
            if i == 300:
                os.kill(process.pid, signal.SIGKILL)
            try:
                response = session.post(
                    f"{base}/Users", json={"userName": name}, headers=headers, timeout=5
                )
            except requests.RequestException:
                break
            if response.status_code == 201:
                acknowledged.append(name)
    finally:
        process.kill()
        process.wait()
    assert len(acknowledged) >= 300

    restarted, lines = _start(tmp_path, port)
    try:
        assert any(line.startswith("Resuming account 1") for line in lines)
        listed = requests.get(f"{base}/Users", params={"count": 1000}, headers=headers).json()
        stored = {u["userName"] for u in listed["Resources"]}
        assert set(acknowledged) <= stored, sorted(set(acknowledged) - stored)[:5]
    finally:
        restarted.kill()
        restarted.wait()
