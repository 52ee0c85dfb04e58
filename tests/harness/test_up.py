"""``harness up`` serves both sides on loopback, stops on SIGINT, and resumes its state on a
second start without seeding again."""

from __future__ import annotations

import json
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from click.testing import CliRunner

from harness.cli import main
from harness.up import CREDENTIALS


def port_of(url: str) -> int:
    return int(url.rsplit(":", 1)[1])


def start_up(data_dir: Path, wrike_port: int, onelogin_port: int) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "harness.cli",
            "up",
            "--data-dir",
            str(data_dir),
            "--wrike-port",
            str(wrike_port),
            "--onelogin-port",
            str(onelogin_port),
            "--threads",
            "2",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def wait_for_line(process: subprocess.Popen[str], text: str, timeout: float = 30) -> str:
    """Read the process's output until ``text`` shows up; the deadline only bounds a hang."""
    assert process.stdout is not None
    seen = ""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line and process.poll() is not None:
            break
        seen += line
        if text in line:
            return seen
    raise AssertionError(f"{text!r} not printed; output so far:\n{seen}")


def interrupt(process: subprocess.Popen[str]) -> str:
    process.send_signal(signal.SIGINT)
    out, _ = process.communicate(timeout=15)
    assert process.returncode == 0, out
    return out


@pytest.mark.slow
def test_up_serves_both_stops_on_sigint_and_resumes(tmp_path: Path) -> None:
    data = tmp_path / "data"
    # Port 0: the servers bind first and print the ports they took.
    process = start_up(data, 0, 0)
    try:
        first = wait_for_line(process, "Press Ctrl-C to stop")
        assert "Seeded a new world." in first
        creds_path = data / CREDENTIALS
        assert stat.S_IMODE(creds_path.stat().st_mode) == 0o600
        creds = json.loads(creds_path.read_text())
        wrike, one = creds["wrike"], creds["onelogin"]
        wrike_port, onelogin_port = port_of(wrike["url"]), port_of(one["url"])
        assert f"Wrike (reference provider)  http://127.0.0.1:{wrike_port}" in first
        assert wrike["scim_token"] in first
        # Wrike answers SCIM with the seeded token, and the seeded user was provisioned by
        # OneLogin's background worker.
        deadline = time.monotonic() + 15
        while True:
            found = requests.get(
                f"{wrike['scim_url']}/Users",
                timeout=5,
                params={"filter": 'userName eq "ada@acme.example"'},
                headers={"Authorization": f"Bearer {wrike['scim_token']}"},
            )
            assert found.status_code == 200, found.text
            if found.json()["totalResults"] == 1 or time.monotonic() > deadline:
                break
            time.sleep(0.1)
        assert found.json()["totalResults"] == 1
        token = requests.post(
            one["api"]["token_url"],
            timeout=5,
            auth=(one["api"]["client_id"], one["api"]["client_secret"]),
            json={"grant_type": "client_credentials"},
        )
        assert token.status_code == 200, token.text
        assert requests.get(one["pages"], timeout=5).status_code == 200
        assert requests.get(wrike["pages"], timeout=5).status_code == 200
        # Every control surface takes its key, printed and kept in the 0600 file.
        for surface, path in (
            (one["simulator_api"], "/status"),
            (wrike["harness_api"], "/faults"),
            (wrike["admin_api"], "/accounts"),
        ):
            assert surface["key"] in first
            url = surface["url"] + path
            assert requests.get(url, timeout=5).status_code == 401, url
            keyed = requests.get(
                url, timeout=5, headers={"Authorization": f"Bearer {surface['key']}"}
            )
            assert keyed.status_code == 200, url
        assert "Stopped." in interrupt(process)
        with pytest.raises(requests.ConnectionError):
            requests.get(wrike["pages"], timeout=2)

        # The same ports again: a resume where nothing moved.
        process = start_up(data, wrike_port, onelogin_port)
        second = wait_for_line(process, "Press Ctrl-C to stop")
        assert "moved" not in second
        assert "Resumed the world" in second
        assert wrike["scim_token"] not in second  # shown once; it stays in the 0600 file
        assert json.loads(creds_path.read_text())["wrike"]["scim_token"] == wrike["scim_token"]
        users = requests.get(
            f"{wrike['scim_url']}/Users",
            timeout=5,
            headers={"Authorization": f"Bearer {wrike['scim_token']}"},
        ).json()
        assert [u["userName"] for u in users["Resources"]].count("ada@acme.example") == 1
        interrupt(process)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(5)


def test_up_refuses_a_non_loopback_host(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["up", "--data-dir", str(tmp_path), "--host", "0.0.0.0"])
    assert result.exit_code == 2
    assert "--host 0.0.0.0 is not a loopback address" in result.output


def test_up_refuses_a_folder_it_did_not_make(tmp_path: Path) -> None:
    (tmp_path / "wrike.sqlite3").write_text("")
    result = CliRunner().invoke(main, ["up", "--data-dir", str(tmp_path)])
    assert result.exit_code == 2
    assert "holds databases but no harness-up.json" in result.output


def test_start_seeds_serves_and_resumes_in_process(tmp_path: Path) -> None:
    """The same life cycle without subprocesses, fast enough for every run."""
    from harness.up import start

    running = start(tmp_path, "127.0.0.1", 0, 0, threads=2)
    try:
        assert running.seeded
        wrike, one = running.info["wrike"], running.info["onelogin"]
        assert one["api_status"] == "Enabled"  # the connection test went over real HTTP
        answer = requests.get(
            f"{wrike['scim_url']}/ServiceProviderConfig",
            timeout=5,
            headers={"Authorization": f"Bearer {wrike['scim_token']}"},
        )
        assert answer.status_code == 200
        # The OneLogin root leads to the console (its login, signed out).
        root = requests.get(f"{one['url']}/", timeout=5)
        assert root.status_code == 200 and root.url.startswith(f"{one['url']}/admin/login")
    finally:
        running.stop()
    ports = port_of(wrike["url"]), port_of(one["url"])
    running = start(tmp_path, "127.0.0.1", *ports, threads=2)
    try:
        assert not running.seeded
        assert running.info["wrike"]["scim_token"] == wrike["scim_token"]
        assert requests.get(running.info["wrike"]["pages"], timeout=5).status_code == 200
    finally:
        running.stop()


@pytest.mark.slow
def test_a_resume_on_another_wrike_port_moves_the_url_and_its_token(tmp_path: Path) -> None:
    """The connector clears a token whose SCIM URL moves to another server; ``up`` gives
    the token again with the new URL, so the connection test on the new port passes."""
    from harness.up import start

    running = start(tmp_path, "127.0.0.1", 0, 0, threads=2)
    running.stop()
    old_port = port_of(running.info["wrike"]["url"])
    running = start(tmp_path, "127.0.0.1", 0, 0, threads=2)
    try:
        new_port = port_of(running.info["wrike"]["url"])
        assert new_port != old_port
        assert f":{new_port}/" in running.info["wrike"]["scim_url"]
        assert running.info["onelogin"]["api_status"] == "Enabled"
        assert any("moved to" in note for note in running.notes)
    finally:
        running.stop()


@pytest.mark.slow
def test_a_file_from_before_the_simulator_key_gets_the_key_it_runs_with(tmp_path: Path) -> None:
    from harness.up import start

    start(tmp_path, "127.0.0.1", 0, 0, threads=2).stop()
    creds_path = tmp_path / CREDENTIALS
    old = json.loads(creds_path.read_text())
    del old["secrets"]["onelogin_simulator_key"]
    old["onelogin"]["simulator_api"] = old["onelogin"]["simulator_api"]["url"]
    creds_path.write_text(json.dumps(old))
    running = start(tmp_path, "127.0.0.1", 0, 0, threads=2)
    try:
        kept = json.loads(creds_path.read_text())["onelogin"]["simulator_api"]
        assert kept["key"]
        answer = requests.get(
            kept["url"] + "/status", timeout=5, headers={"Authorization": f"Bearer {kept['key']}"}
        )
        assert answer.status_code == 200
    finally:
        running.stop()
