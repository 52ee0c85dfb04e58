"""Secrets at rest: the data folders the CLIs and ``harness up`` use are 0700 and every file
in them 0600 whatever the umask; no password sits in a file others could read; the simulated
OneLogin's database keeps no SCIM token, client secret or access token a grep could find."""

from __future__ import annotations

import json
import os
import re
import socket
import sqlite3
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from mock_onelogin import OneLoginAccount, OneLoginConfig
from mock_onelogin import cli as onelogin_cli
from mock_onelogin.store import OneLoginStore
from mock_onelogin.store.schema import SCHEMA
from wrike_sp import cli as wrike_cli
from wrike_sp.store.sqlite import WrikeStore

UMASKS = [0o022, 0o000]


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def modes(folder: Path) -> dict[str, int]:
    return {p.name: mode(p) for p in sorted(folder.iterdir())}


def assert_private(folder: Path) -> None:
    assert mode(folder) == 0o700, f"{folder} is {mode(folder):04o}"
    loose = {name: f"{m:04o}" for name, m in modes(folder).items() if m != 0o600}
    assert not loose, f"files others can read in {folder}: {loose}"


@pytest.fixture(params=UMASKS, ids=lambda u: f"umask{u:03o}")
def umask(request: pytest.FixtureRequest) -> Iterator[int]:
    previous = os.umask(request.param)
    try:
        yield request.param
    finally:
        os.umask(previous)


def files_holding(folder: Path, secret: str) -> list[str]:
    return [p.name for p in folder.iterdir() if secret.encode() in p.read_bytes()]


# -- the stores' files --------------------------------------------------------------------------


def test_both_databases_and_their_wal_and_shm_are_0600(tmp_path: Path, umask: int) -> None:
    (tmp_path / "wrike").mkdir(mode=0o700)
    wrike = WrikeStore(str(tmp_path / "wrike" / "wrike.sqlite3"))
    wrike.db.execute("CREATE TABLE IF NOT EXISTS probe (a)")
    wrike.db.execute("INSERT INTO probe VALUES (1)")
    onelogin = OneLoginAccount(OneLoginConfig(database=str(tmp_path / "one" / "onelogin.sqlite3")))
    onelogin.directory.create_user({"username": "ada@acme.example", "email": "ada@acme.example"})

    wrike_files, one_files = modes(tmp_path / "wrike"), modes(tmp_path / "one")
    assert {"wrike.sqlite3", "wrike.sqlite3-wal", "wrike.sqlite3-shm"} <= set(wrike_files)
    assert {"onelogin.sqlite3", "onelogin.sqlite3-wal", "onelogin.key"} <= set(one_files)
    assert_private(tmp_path / "wrike")
    assert_private(tmp_path / "one")  # the store made this folder
    wrike.close()
    onelogin.store.close()


def test_a_database_left_readable_by_an_older_version_is_tightened(tmp_path: Path) -> None:
    path = tmp_path / "onelogin.sqlite3"
    OneLoginStore(path).close()
    for name in ("onelogin.sqlite3", "onelogin.sqlite3-wal", "onelogin.key"):
        if (tmp_path / name).exists():
            os.chmod(tmp_path / name, 0o644)
    os.chmod(tmp_path, 0o700)
    OneLoginStore(path).close()
    assert all(m == 0o600 for m in modes(tmp_path).values()), modes(tmp_path)


# -- the simulator's database holds no secret a grep could find ---------------------------------

SCIM_TOKEN = "wrk_staging-token-0123456789abcdefABCDEF"


def test_no_scim_token_client_secret_or_access_token_in_the_database_files(
    tmp_path: Path,
) -> None:
    database = str(tmp_path / "onelogin.sqlite3")
    account = OneLoginAccount(
        OneLoginConfig(
            database=database,
            seed_client_id="seeded-id",
            seed_client_secret="seeded-secret-0123456789",
        )
    )
    app_id = account.apps.wrike_app_id()
    account.apps.configure_connector(
        app_id, {"scim_base_url": "http://wrike.test/scim/1/v2", "scim_bearer_token": SCIM_TOKEN}
    )
    client_id, client_secret = account.api_clients.create_client("grep check")
    access = account.api_clients.issue_token(client_id)["access_token"]
    seeded = account.api_clients.issue_token("seeded-id")["access_token"]
    secrets_ = [SCIM_TOKEN, client_secret, access, "seeded-secret-0123456789", seeded]

    assert not {s: files_holding(tmp_path, s) for s in secrets_ if files_holding(tmp_path, s)}
    account.store.close()
    assert not {s: files_holding(tmp_path, s) for s in secrets_ if files_holding(tmp_path, s)}

    # ... and everything still works after a restart, with the same key file.
    again = OneLoginAccount(OneLoginConfig(database=database))
    assert again.apps.connector(app_id).scim_bearer_token == SCIM_TOKEN
    assert again.api_clients.check_client(client_id, client_secret) is not None
    assert again.api_clients.token_client(access)["client_id"] == client_id
    assert again.api_clients.issue_token(client_id)["access_token"] == access  # same until expiry
    assert again.apps.connector(app_id).to_json()["scim_bearer_token"] == "****" + SCIM_TOKEN[-4:]
    assert again.api_clients.revoke_token(access)
    assert again.api_clients.token_client(access) is None
    again.store.close()


def test_a_copy_without_its_key_keeps_working_but_asks_for_the_token_again(
    tmp_path: Path,
) -> None:
    database = str(tmp_path / "onelogin.sqlite3")
    account = OneLoginAccount(OneLoginConfig(database=database))
    app_id = account.apps.wrike_app_id()
    account.apps.configure_connector(app_id, {"scim_bearer_token": SCIM_TOKEN})
    client_id, _ = account.api_clients.create_client("copied")
    access = account.api_clients.issue_token(client_id)["access_token"]
    account.store.close()
    (tmp_path / "onelogin.key").unlink()

    copy = OneLoginAccount(OneLoginConfig(database=database))
    assert copy.apps.connector(app_id).scim_bearer_token == ""
    assert copy.api_clients.token_client(access) is not None  # its digest still verifies
    assert copy.api_clients.issue_token(client_id)["access_token"] != access
    copy.store.close()


def test_plain_secrets_an_older_version_stored_are_sealed_on_open(tmp_path: Path) -> None:
    """A database written before sealing: the token in the connector JSON and the access
    tokens in the clear. Opening it seals them and leaves no clear copy in the files."""
    database = tmp_path / "onelogin.sqlite3"
    old_schema = SCHEMA.replace(", sealed TEXT", "")
    assert old_schema != SCHEMA
    db = sqlite3.connect(database, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.executescript(old_schema)
    connector = {"scim_base_url": "http://wrike.test/scim/1/v2", "scim_bearer_token": SCIM_TOKEN}
    db.execute(
        "INSERT INTO apps (name, connector_id, connector, provisioning, created_at, updated_at)"
        " VALUES ('Wrike', 162915, ?, '{}', 'now', 'now')",
        (json.dumps(connector),),
    )
    access = "ab" * 32
    db.execute("INSERT INTO api_clients VALUES ('old-client', 'old', 'salt', 'digest', 'now')")
    db.execute("INSERT INTO tokens VALUES (?, 'old-client', 'now', 9e12, 0)", (access,))
    db.close()
    assert files_holding(tmp_path, SCIM_TOKEN) and files_holding(tmp_path, access)

    account = OneLoginAccount(OneLoginConfig(database=str(database), seed_wrike_app=False))
    assert account.apps.connector(1).scim_bearer_token == SCIM_TOKEN
    assert account.api_clients.token_client(access) is not None
    assert account.api_clients.issue_token("old-client")["access_token"] == access
    assert files_holding(tmp_path, SCIM_TOKEN) == [], "gone while the simulator runs"
    assert files_holding(tmp_path, access) == []
    account.store.close()
    assert files_holding(tmp_path, SCIM_TOKEN) == []
    assert files_holding(tmp_path, access) == []


# -- wrike-sp serve ------------------------------------------------------------------------------


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Replace waitress.serve: the CLI builds and seeds its app, and returns at once. What it
    serves is the app inside its access log (``webguard.access_log.AccessLog``)."""
    import waitress

    apps: list[Any] = []
    monkeypatch.setattr(waitress, "serve", lambda served, **kwargs: apps.append(served.app))
    return apps


def wrike_serve(data: Path, *args: str, env: dict[str, str] | None = None) -> str:
    result = CliRunner().invoke(
        wrike_cli.main, ["serve", "--data-dir", str(data), *args], env=env or {}
    )
    assert result.exit_code == 0, result.output
    return result.output


def sign_in_to_wrike(app: Any, info: dict[str, Any], password: str) -> bool:
    return (
        app.extensions["wrike_signin"].log_in(
            info["admin_email"], password, "test", info["account_id"]
        )
        is not None
    )


def test_wrike_serve_keeps_its_folder_private_and_no_password_in_the_demo_file(
    tmp_path: Path, umask: int, served: list[Any]
) -> None:
    data = tmp_path / "data"
    first = wrike_serve(data)
    kept = data / wrike_cli.OWNER_PASSWORD
    password = kept.read_text().strip()
    assert len(password) >= 16 and password != "correct horse battery"
    assert first.count(password) == 1, "printed once, at first start"
    info = json.loads((data / wrike_cli.DEMO_INFO).read_text())
    assert "admin_password" not in info and password not in json.dumps(info)
    assert files_holding(data, password) == [wrike_cli.OWNER_PASSWORD]
    assert_private(data)
    assert sign_in_to_wrike(served[0], info, password)

    second = wrike_serve(data)
    assert password not in second
    assert str(kept) in second, "a restart says where the password is"
    assert sign_in_to_wrike(served[1], info, password)
    assert_private(data)


def test_wrike_owner_password_from_the_environment_is_not_written_anywhere(
    tmp_path: Path, served: list[Any]
) -> None:
    data = tmp_path / "data"
    chosen = "a chosen owner password"
    wrike_serve(data, env={"WRIKE_SP_OWNER_PASSWORD": chosen})
    assert files_holding(data, chosen) == []
    assert not (data / wrike_cli.OWNER_PASSWORD).exists()
    info = json.loads((data / wrike_cli.DEMO_INFO).read_text())
    assert sign_in_to_wrike(served[0], info, chosen)
    assert "as given by --owner-password" in wrike_serve(data, "--owner-password", chosen)
    assert "does not match" in wrike_serve(data, "--owner-password", "another password")
    assert "--owner-password" in CliRunner().invoke(wrike_cli.main, ["serve", "--help"]).output


def test_wrike_serve_tightens_a_loose_folder_and_moves_an_old_password_out(
    tmp_path: Path, served: list[Any]
) -> None:
    data = tmp_path / "data"
    wrike_serve(data, "--owner-password", "correct horse battery")
    info_path = data / wrike_cli.DEMO_INFO
    old = {**json.loads(info_path.read_text()), "admin_password": "correct horse battery"}
    info_path.write_text(json.dumps(old))
    os.chmod(info_path, 0o644)
    os.chmod(data, 0o755)

    out = wrike_serve(data)
    assert out.count("Made private") == 1 and f"{data} 0755 -> 0700" in out
    assert_private(data)
    assert files_holding(data, "correct horse battery") == [wrike_cli.OWNER_PASSWORD]
    assert "Made private" not in wrike_serve(data)


# -- mock-onelogin serve -------------------------------------------------------------------------


def onelogin_serve(data: Path, *args: str, env: dict[str, str] | None = None) -> str:
    result = CliRunner().invoke(
        onelogin_cli.main, ["serve", "--data-dir", str(data), *args], env=env or {}
    )
    assert result.exit_code == 0, result.output
    return result.output


def console_accepts(app: Any, password: str) -> bool:
    """Sign in to the console's login page as a person would."""
    client = app.test_client()
    page = client.get("/admin/login").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert csrf, "the login form carries a CSRF token"
    email = app.extensions["mock_onelogin"].config.console_admin_email
    answer = client.post(
        "/admin/login", data={"email": email, "password": password, "csrf_token": csrf.group(1)}
    )
    return bool(answer.status_code in (302, 303))


def test_mock_onelogin_serve_generates_keeps_and_hides_the_console_password(
    tmp_path: Path, umask: int, served: list[Any]
) -> None:
    data = tmp_path / "data"
    first = onelogin_serve(data)
    kept = data / onelogin_cli.CONSOLE_PASSWORD
    password = kept.read_text().strip()
    assert password != "onelogin admin" and len(password) >= 16
    assert first.count(password) == 1
    assert console_accepts(served[0], password)
    assert not console_accepts(served[0], "onelogin admin")
    assert_private(data)

    second = onelogin_serve(data)
    assert password not in second and str(kept) in second
    assert console_accepts(served[1], password)

    chosen = "a chosen console password"
    third = onelogin_serve(data, env={"MOCK_ONELOGIN_CONSOLE_PASSWORD": chosen})
    assert chosen not in third
    assert console_accepts(served[2], chosen)
    assert files_holding(data, chosen) == []
    assert_private(data)
    assert "--console-password" in CliRunner().invoke(onelogin_cli.main, ["serve", "--help"]).output


def test_mock_onelogin_serve_tightens_a_loose_folder(tmp_path: Path, served: list[Any]) -> None:
    data = tmp_path / "data"
    onelogin_serve(data)
    os.chmod(data, 0o755)
    os.chmod(data / "onelogin.sqlite3", 0o644)
    out = onelogin_serve(data)
    assert out.count("Made private") == 1 and f"{data} 0755 -> 0700" in out
    assert_private(data)


def test_the_library_default_console_password_is_random_per_instance() -> None:
    first, second = OneLoginConfig(), OneLoginConfig()
    assert first.console_admin_password != second.console_admin_password
    assert "onelogin admin" not in (first.console_admin_password, second.console_admin_password)


# -- harness up ----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_harness_up_keeps_its_folder_private(tmp_path: Path, umask: int) -> None:
    from harness.up import CREDENTIALS, start, summary

    data = tmp_path / "data"
    running = start(data, "127.0.0.1", free_port(), free_port(), threads=2)
    try:
        info = running.info
        token = info["wrike"]["scim_token"]
    finally:
        running.stop()
    assert {CREDENTIALS, "wrike.sqlite3", "onelogin.sqlite3", "onelogin.key"} <= set(modes(data))
    assert_private(data)
    passwords = [info["wrike"]["admin"]["password"], info["onelogin"]["console_admin"]["password"]]
    for secret in [*passwords, info["onelogin"]["api"]["client_secret"]]:
        assert files_holding(data, secret) == [CREDENTIALS], secret
    assert files_holding(data, token) == [CREDENTIALS]

    os.chmod(data, 0o755)
    running = start(data, "127.0.0.1", free_port(), free_port(), threads=2)
    try:
        lines = "\n".join(summary(running, data))
    finally:
        running.stop()
    assert lines.count("Made private") == 1 and f"{data} 0755 -> 0700" in lines
    assert not [s for s in passwords if s in lines], "a restart does not print the passwords"
    assert_private(data)
