"""``wrike-sp serve`` and ``mock-onelogin serve`` keep an access log like ``harness up`` does:
one line per request in DATA_DIR/access.log (0600), secrets masked, and with ``--verbose`` the
same lines on stderr. Real servers (the console scripts under waitress), real HTTP."""

from __future__ import annotations

import os
import socket
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from webguard.access_log import ACCESS_LOG

SERVERS = {
    "wrike-sp": ["-m", "wrike_sp.cli", "serve", "--no-seed"],
    "mock-onelogin": ["-m", "mock_onelogin.cli", "serve", "--console-password", "p" * 12],
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(url: str, process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        assert process.poll() is None, process.communicate()
        try:
            requests.get(url, timeout=1)
            return
        except requests.ConnectionError:
            time.sleep(0.1)
    raise AssertionError(f"{url} did not answer")


def start(name: str, folder: Path, verbose: bool) -> tuple[subprocess.Popen[str], str]:
    port = free_port()
    args = [*SERVERS[name], "--data-dir", str(folder), "--port", str(port)]
    process = subprocess.Popen(
        [sys.executable, *args, *(["--verbose"] if verbose else [])],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    return process, f"http://127.0.0.1:{port}"


@pytest.mark.slow
def test_each_request_is_one_masked_line_in_the_data_folders_access_log(tmp_path: Path) -> None:
    # All four at once: a start-up costs seconds, and they share nothing but the machine.
    runs = {
        (name, verbose): (
            tmp_path / f"{name}-{verbose}",
            *start(name, tmp_path / f"{name}-{verbose}", verbose),
        )
        for name in SERVERS
        for verbose in (False, True)
    }
    outputs: dict[tuple[str, bool], tuple[str, str]] = {}
    try:
        for _folder, process, base in runs.values():
            wait_for(base + "/ready-probe", process)
            requests.get(base + "/no-such?access_token=plain-secret-1", timeout=5)
            requests.get(base + "/no-such?next=%2Fx%3Fclient_secret%3Dnested-secret-2", timeout=5)
        time.sleep(0.2)
    finally:
        for key, (_folder, process, _base) in runs.items():
            process.terminate()
            outputs[key] = process.communicate(timeout=10)
    for (name, verbose), (folder, _process, _base) in runs.items():
        out, err = outputs[name, verbose]
        log = folder / ACCESS_LOG
        assert stat.S_IMODE(log.stat().st_mode) == 0o600, name
        probe, plain, nested = log.read_text().splitlines()[-3:]
        assert " GET /ready-probe 404 " in probe, name
        assert "access_token=***" in plain and "plain-secret-1" not in plain, name
        assert "client_secret%3D***" in nested and "nested-secret-2" not in nested, name
        assert "Access log" in out and str(log) in out, name
        if verbose:
            assert [line for line in err.splitlines() if " GET /no-such" in line] == [plain, nested]
        else:
            assert "/no-such" not in err, name
