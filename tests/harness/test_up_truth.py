"""``harness up`` tells the truth and cleans up after itself: ports taken as 0 are the ports
printed, the banner shows the state the apps report (also after a restart), a failed first
start leaves nothing behind while a failed resume touches nothing, and every request lands
in the server's access log with no secret in it.

Every start here takes port 0 (the servers bind first and read their port back), so no test
picks a port by binding and closing it."""

from __future__ import annotations

import hashlib
import json
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from click.testing import CliRunner

from harness.cli import main
from harness.up import ACCESS_LOGS, CREDENTIALS, FirstStart, Running, UpError, start, summary


@pytest.fixture
def held_port() -> Iterator[int]:
    """A port another program listens on, for the whole test."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(1)
        yield int(sock.getsockname()[1])


def port_of(url: str) -> int:
    return int(url.rsplit(":", 1)[1])


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def fingerprint(folder: Path) -> dict[str, str]:
    """Every file's digest, to show that a failed resume changed nothing."""
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.iterdir())
        if p.is_file()
    }


def up(data: Path, **options: object) -> Running:
    return start(data, "127.0.0.1", 0, 0, threads=2, **options)  # type: ignore[arg-type]


def api_token(one: dict[str, object]) -> str:
    api = one["api"]
    assert isinstance(api, dict)
    answer = requests.post(
        api["token_url"],
        timeout=5,
        auth=(api["client_id"], api["client_secret"]),
        json={"grant_type": "client_credentials"},
    )
    assert answer.status_code == 200, answer.text
    return str(answer.json()["access_token"])


@pytest.mark.slow
def test_port_0_serves_on_the_ports_the_banner_and_the_file_name(tmp_path: Path) -> None:
    running = up(tmp_path)
    try:
        banner = "\n".join(summary(running, tmp_path))
        kept = json.loads((tmp_path / CREDENTIALS).read_text())
        for side in ("wrike", "onelogin"):
            url = kept[side]["url"]
            assert port_of(url) != 0 and f"  {url}" in banner
        scim = requests.get(
            kept["wrike"]["scim_url"] + "/ServiceProviderConfig",
            timeout=5,
            headers=bearer(kept["wrike"]["scim_token"]),
        )
        assert scim.status_code == 200
        assert requests.get(kept["onelogin"]["pages"], timeout=5).status_code == 200
    finally:
        running.stop()


def test_the_banner_shows_the_state_the_apps_report_also_after_a_restart(
    tmp_path: Path,
) -> None:
    running = up(tmp_path)
    try:
        first = "\n".join(summary(running, tmp_path))
        one = running.info["onelogin"]
        # Only ada is in the role at first start; the other three are only in the directory.
        assert '"Wrike users" holds it; members: ada@acme.example\n' in first
        assert "provisioning on (no approvals)" in first
        assert "(4 in all, 1 with access to the Wrike app)" in first
        # An admin changes things while it runs, through the apps' own APIs.
        token = api_token(one)
        v2 = one["url"] + "/api/2"
        auth = bearer(token)
        grace = requests.get(
            f"{v2}/users", params={"email": "grace@acme.example"}, headers=auth, timeout=5
        ).json()[0]
        role = requests.get(f"{v2}/roles", headers=auth, timeout=5).json()[0]
        added = requests.post(
            f"{v2}/roles/{role['id']}/users", json=[grace["id"]], headers=auth, timeout=5
        )
        assert added.status_code == 200, added.text
        made = requests.post(
            f"{v2}/users",
            json={"username": "mary@acme.example", "email": "mary@acme.example"},
            headers=auth,
            timeout=5,
        )
        assert made.status_code == 201, made.text
        sim = one["simulator_api"]
        tab = requests.put(
            f"{sim['url']}/apps/{one['wrike_app_id']}/provisioning",
            json={"enabled": False, "require_approval": {"create_user": True}},
            headers=bearer(sim["key"]),
            timeout=5,
        )
        assert tab.status_code == 200, tab.text
        admin = running.info["wrike"]["admin_api"]
        plan = requests.put(
            f"{admin['url']}/accounts/1/plan",
            json={"plan": "Enterprise Pinnacle"},
            headers=bearer(admin["key"]),
            timeout=5,
        )
        assert plan.status_code == 200, plan.text
    finally:
        running.stop()

    running = up(tmp_path)
    try:
        again = "\n".join(summary(running, tmp_path))
    finally:
        running.stop()
    assert "Resumed the world" in again
    assert "members: ada@acme.example, grace@acme.example\n" in again
    assert "provisioning off (approval required for Create user)" in again
    assert "mary@acme.example" in again and "(5 in all, 2 with access" in again
    assert "Enterprise Pinnacle" in again
    kept = json.loads((tmp_path / CREDENTIALS).read_text())["onelogin"]
    assert kept["roles"] == [
        {
            "name": "Wrike users",
            "users": ["ada@acme.example", "grace@acme.example"],
            "users_total": 2,
        }
    ]
    assert kept["provisioning"]["enabled"] is False
    assert "mary@acme.example" in kept["users"] and kept["users_total"] == 5


def test_a_port_clash_on_first_start_leaves_no_folder_and_the_next_start_seeds(
    tmp_path: Path, held_port: int
) -> None:
    data = tmp_path / "new" / "data"
    result = CliRunner().invoke(
        main,
        ["up", "--data-dir", str(data), "--wrike-port", "0", "--onelogin-port", str(held_port)],
    )
    assert result.exit_code == 2
    assert f"cannot listen on 127.0.0.1:{held_port} for OneLogin" in result.output
    assert "choose another port with --onelogin-port" in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "new").exists()
    running = up(data)
    try:
        assert running.seeded
    finally:
        running.stop()


def test_a_failed_first_start_in_an_empty_folder_removes_only_what_it_made(
    tmp_path: Path,
) -> None:
    """A real failure after the databases were made: the key file's name is taken by a
    folder, so the simulated OneLogin cannot open its key."""
    (tmp_path / "onelogin.key").mkdir()
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(UpError) as refused:
        up(tmp_path)
    assert "this first start's files were removed" in str(refused.value)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt", "onelogin.key"]
    (tmp_path / "onelogin.key").rmdir()
    running = up(tmp_path)
    try:
        assert running.seeded
    finally:
        running.stop()


def test_a_first_start_takes_back_every_folder_it_made(tmp_path: Path) -> None:
    data = tmp_path / "a" / "b" / "data"
    made = FirstStart.before(data)
    data.mkdir(parents=True)
    (data / "wrike.sqlite3").write_text("")
    assert made.undo() == [str(tmp_path / "a")]
    assert list(tmp_path.iterdir()) == []


@pytest.mark.slow
def test_a_failed_resume_touches_no_data_and_the_next_start_resumes(
    tmp_path: Path, held_port: int
) -> None:
    up(tmp_path).stop()
    before = fingerprint(tmp_path)
    with pytest.raises(UpError) as refused:
        start(tmp_path, "127.0.0.1", held_port, 0, threads=2)
    assert f"the data in {tmp_path} is untouched" in str(refused.value)
    assert fingerprint(tmp_path) == before
    running = up(tmp_path)
    try:
        assert not running.seeded
    finally:
        running.stop()


def test_each_server_logs_every_request_and_no_secret(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    running = up(tmp_path, verbose=True)
    try:
        wrike, one = running.info["wrike"], running.info["onelogin"]
        token, key = wrike["scim_token"], wrike["admin_api"]["key"]
        secret = one["api"]["client_secret"]
        password = wrike["admin"]["password"]
        sent = [
            requests.get(
                wrike["scim_url"] + "/Users",
                params={"filter": 'userName eq "nobody@acme.example"', "access_token": token},
                headers=bearer(token),
                timeout=5,
            ),
            requests.get(wrike["admin_api"]["url"] + "/accounts", headers=bearer(key), timeout=5),
            requests.get(wrike["url"] + "/no-such-page", params={"password": password}, timeout=5),
            requests.post(
                one["api"]["token_url"],
                params={"client_id": one["api"]["client_id"], "client_secret": secret},
                json={"grant_type": "client_credentials"},
                timeout=5,
            ),
            requests.get(one["simulator_api"]["url"], timeout=5),
        ]
        assert [r.status_code for r in sent][:3] == [200, 200, 404]
    finally:
        running.stop()
    wrike_log = (tmp_path / ACCESS_LOGS["wrike"]).read_text()
    onelogin_log = (tmp_path / ACCESS_LOGS["onelogin"]).read_text()
    assert (tmp_path / ACCESS_LOGS["wrike"]).stat().st_mode & 0o077 == 0
    lines = [line for line in wrike_log.splitlines() if "nobody" in line]
    assert len(lines) == 1, wrike_log
    assert " GET /scim/1/v2/Users?filter=userName+eq+%22nobody%40acme.example%22" in lines[0]
    assert "&access_token=*** 200 " in lines[0] and lines[0].endswith("ms")
    assert wrike_log.count(" GET /admin/api/v1/accounts 200 ") == 1
    assert wrike_log.count(" GET /no-such-page?password=*** 404 ") == 1
    assert onelogin_log.count(" POST /auth/oauth2/v2/token?client_id=") == 1
    assert "client_secret=*** " in onelogin_log
    assert onelogin_log.count(" GET /simulator/api 200 ") == 1
    stderr = capsys.readouterr().err
    assert "wrike " in stderr and " GET /admin/api/v1/accounts 200 " in stderr
    for text in (wrike_log, onelogin_log, stderr):
        for hidden in (token, key, secret, password):
            assert hidden not in text


@pytest.mark.slow
def test_a_log_line_says_when_the_app_broke_off_the_answer(tmp_path: Path) -> None:
    """A dropped connection (the harness API's fault) is logged with what was sent."""
    running = up(tmp_path)
    try:
        wrike = running.info["wrike"]
        # OneLogin's worker provisions ada at first start; the one-shot fault is laid once
        # that is done, so the worker's SCIM calls cannot take it.
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            found = requests.get(
                wrike["scim_url"] + "/Users",
                params={"filter": 'userName eq "ada@acme.example"'},
                headers=bearer(wrike["scim_token"]),
                timeout=5,
            ).json()
            if found["totalResults"] == 1:
                break
            time.sleep(0.1)
        fault = requests.post(
            wrike["harness_api"]["url"] + "/faults",
            json={"kind": "drop", "count": 1},
            headers=bearer(wrike["admin_api"]["key"]),
            timeout=5,
        )
        assert fault.status_code == 201, fault.text
        with pytest.raises(requests.RequestException):
            requests.get(
                wrike["scim_url"] + "/Users/dropped",
                headers=bearer(wrike["scim_token"]),
                timeout=5,
            )
    finally:
        running.stop()
    log = (tmp_path / ACCESS_LOGS["wrike"]).read_text()
    assert " GET /scim/1/v2/Users/dropped 200 " in log and "(aborted)" in log


@pytest.mark.slow
def test_a_resume_that_fails_after_opening_the_databases_deletes_nothing(tmp_path: Path) -> None:
    up(tmp_path).stop()
    key = tmp_path / "onelogin.key"
    key.rename(tmp_path.parent / "kept.key")
    key.mkdir()  # the key's name taken by a folder: OneLogin cannot open it
    before = fingerprint(tmp_path)
    with pytest.raises(UpError) as refused:
        up(tmp_path)
    assert "Is a directory" in str(refused.value) and "is untouched" in str(refused.value)
    assert "removed" not in str(refused.value)
    # Opening and closing a database rewrites (or checkpoints away) its -wal and -shm
    # files; no other file goes and the credentials stay as they were.
    after = fingerprint(tmp_path)
    kept = {name for name in before if not name.endswith(("-wal", "-shm"))}
    assert kept <= set(after) and after[CREDENTIALS] == before[CREDENTIALS]
    assert {CREDENTIALS, "wrike.sqlite3", "onelogin.sqlite3"} <= set(before)
    key.rmdir()
    (tmp_path.parent / "kept.key").rename(key)
    wrike = json.loads((tmp_path / CREDENTIALS).read_text())["wrike"]
    running = up(tmp_path)
    try:
        assert not running.seeded
        users = requests.get(
            running.info["wrike"]["scim_url"] + "/Users",
            headers=bearer(wrike["scim_token"]),
            params={"filter": f'userName eq "{wrike["admin"]["email"]}"'},
            timeout=5,
        )
        assert users.status_code == 200 and users.json()["totalResults"] == 1
    finally:
        running.stop()
