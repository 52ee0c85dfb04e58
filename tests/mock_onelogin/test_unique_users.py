"""Live OneLogin users are unique by username and email (case-insensitively), under
concurrent writers too: the check and the insert share one transaction, and a unique index in
the store refuses what slips past a check."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path
from typing import Any

import pytest

from mock_onelogin import OneLoginAccount, OneLoginConfig, create_app
from mock_onelogin.account.directory import Directory
from mock_onelogin.store import OneLoginStore
from mock_onelogin.store.directory import DuplicateUsers, UserFieldTaken

WRITERS = 16


def _api(database: Path) -> tuple[Any, dict[str, str], OneLoginAccount]:
    account = OneLoginAccount(OneLoginConfig(database=str(database)))
    client_id, _ = account.api_clients.create_client("race")
    token = account.api_clients.issue_token(client_id)["access_token"]
    app = create_app(account.config, account=account)
    return app, {"Authorization": f"Bearer {token}"}, account


def _race(app: Any, headers: dict[str, str], bodies: list[dict[str, Any]]) -> list[Any]:
    """Every body POSTed to /api/2/users at once, one thread (and test client) each."""
    barrier = threading.Barrier(len(bodies))
    answers: list[Any] = [None] * len(bodies)

    def create(i: int) -> None:
        client = app.test_client()
        barrier.wait()
        answers[i] = client.post("/api/2/users", json=bodies[i], headers=headers)

    threads = [threading.Thread(target=create, args=(i,)) for i in range(len(bodies))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers


def _live(account: OneLoginAccount) -> list[dict[str, Any]]:
    return [u for u in account.store.table_rows("users") if not u["deleted_at"]]


def test_sixteen_concurrent_creates_of_one_username_make_one_user(tmp_path: Path) -> None:
    app, headers, account = _api(tmp_path / "onelogin.sqlite3")
    bodies = [{"username": "ada" if i % 2 else "ADA", "firstname": f"A{i}"} for i in range(16)]
    answers = _race(app, headers, bodies)
    statuses = sorted(a.status_code for a in answers)
    assert statuses == [201] + [422] * (WRITERS - 1), statuses
    for refused in (a for a in answers if a.status_code == 422):
        body = refused.get_json()
        assert body["name"] == "UnprocessableEntityFieldError"
        assert body["field"] == "username"
        assert body["message"].startswith("Validation failed: Username must be unique")
    assert [u["username"].lower() for u in _live(account)] == ["ada"]


def test_concurrent_creates_of_one_email_make_one_user(tmp_path: Path) -> None:
    app, headers, account = _api(tmp_path / "onelogin.sqlite3")
    bodies = [{"username": f"u{i}", "email": "Ada@Example.com"} for i in range(WRITERS)]
    statuses = sorted(a.status_code for a in _race(app, headers, bodies))
    assert statuses == [201] + [422] * (WRITERS - 1), statuses
    assert len(_live(account)) == 1


def test_the_index_alone_refuses_a_duplicate_with_the_same_422(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With the account layer's check switched off (a writer that skipped it), the store's
    index still refuses, and the API answers exactly as the check would."""
    app, headers, account = _api(tmp_path / "onelogin.sqlite3")
    client = app.test_client()
    first = client.post("/api/2/users", json={"username": "ada"}, headers=headers)
    monkeypatch.setattr(Directory, "_check_unique", lambda self, fields, user_id=None: None)
    again = client.post("/api/2/users", json={"username": "Ada"}, headers=headers)
    assert again.status_code == 422, again.get_json()
    assert again.get_json() == {
        "statusCode": 422,
        "name": "UnprocessableEntityFieldError",
        "message": f"Validation failed: Username must be unique; 'Ada' is taken by user "
        f"{first.get_json()['id']}",
        "field": "username",
    }
    other = client.post("/api/2/users", json={"username": "bob"}, headers=headers)
    renamed = client.put(
        f"/api/2/users/{other.get_json()['id']}", json={"username": "ADA"}, headers=headers
    )
    assert renamed.status_code == 422
    assert [u["username"] for u in _live(account)] == ["ada", "bob"]


def test_a_deleted_user_frees_the_username_and_empty_values_never_clash() -> None:
    store = OneLoginStore()
    first = store.insert_user({"username": "ada", "email": ""}, "t")
    store.insert_user({"username": "", "email": ""}, "t")
    store.insert_user({"username": None, "email": None}, "t")
    with pytest.raises(UserFieldTaken) as taken:
        store.insert_user({"username": "ADA"}, "t")
    assert taken.value.field == "username"
    store.soft_delete_user(first, "t")
    store.insert_user({"username": "ADA"}, "t")


def _old_database(path: Path, usernames: list[str]) -> None:
    """A database as written before the unique indexes existed."""
    OneLoginStore(path).close()
    conn = sqlite3.connect(path)
    with conn:
        conn.execute("DROP INDEX users_unique_username")
        conn.execute("DROP INDEX users_unique_email")
        conn.executemany(
            "INSERT INTO users (username, created_at, updated_at) VALUES (?, 't', 't')",
            [(name,) for name in usernames],
        )
    conn.close()


def test_an_old_database_gets_the_index_on_open(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    _old_database(path, ["ada", "bob"])
    store = OneLoginStore(path)
    with pytest.raises(UserFieldTaken):
        store.insert_user({"username": "Bob"}, "t")


def test_an_old_database_with_duplicates_is_refused_naming_them(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    _old_database(path, ["ada", "bob", "ADA"])
    with pytest.raises(DuplicateUsers, match=r"'ada': users 1,3"):
        OneLoginStore(path)
