"""The System Log is bounded in size: bodies kept in an event are cut past
``LOG_BODY_LIMIT_BYTES`` with a marker saying how much was cut, and retention is bounded in
bytes (``EVENT_RETENTION_BYTES``) as well as in events."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from flask import Flask, jsonify, request

from harness.drivers.world import log_line
from mock_onelogin import FixedClock, OneLoginAccount, OneLoginConfig, create_app, wsgi_session
from mock_onelogin.domain import modelling
from mock_onelogin.scim_client import clip_text
from tests.mock_onelogin.conftest import NO_APPROVAL, make_user
from tests.mock_onelogin.test_pages import PASSWORD, log_in

TOKEN = "scim-token-0123456789abcdef"
TITLE = "T" * 400_000
ATTEMPTS = 40
# Stored event text of 40 failed creates: each event keeps a small lookup and a POST whose
# request and response bodies are cut at 16 KiB, and an error text cut at 16 KiB.
BOUND = 2_500_000


def refusing_provider() -> Flask:
    """A SCIM endpoint that finds nobody and refuses every create with 500, quoting the
    whole title back (and the token, to show it stays masked past the cut)."""
    app = Flask("refusing")

    @app.get("/scim/v2/Users")
    def find() -> Any:
        return jsonify({"schemas": [], "totalResults": 0, "Resources": []})

    @app.post("/scim/v2/Users")
    def create() -> Any:
        title = (request.get_json() or {}).get("title", "")
        detail = f"{TOKEN} cannot store the title {title}"
        return jsonify({"status": "500", "detail": detail}), 500

    return app


def failing_creates(database: str) -> tuple[OneLoginAccount, int]:
    provider = refusing_provider()
    account = OneLoginAccount(
        OneLoginConfig(database=database, console_admin_password=PASSWORD),
        clock=FixedClock(),
        session_factory=lambda base: wsgi_session(provider, "http://wrike.test"),
    )
    app_id = account.apps.wrike_app_id()
    account.apps.configure_connector(
        app_id, {"scim_base_url": "http://wrike.test/scim/v2", "scim_bearer_token": TOKEN}
    )
    account.apps.enable_api_connection(app_id)
    account.apps.set_provisioning(app_id, {"enabled": True, "require_approval": NO_APPROVAL})
    return account, app_id


def create_fails(account: OneLoginAccount, app_id: int, times: int = ATTEMPTS) -> None:
    """One create with a 400 KB title, failed and retried by the admin until it ran
    ``times`` times."""
    user = make_user(account, title=TITLE)
    account.directory.add_login(user["id"], app_id)
    account.drain()
    for _ in range(times - 1):
        [task] = account.approvals.list_tasks(state="failed")
        account.approvals.retry(task.id)
        account.drain()


def stored_event_bytes(account: OneLoginAccount) -> int:
    return len(json.dumps(account.store.table_rows("events")).encode())


def file_bytes(database: Path) -> int:
    """The database file's size with everything written back from the WAL."""
    with sqlite3.connect(database) as other:
        other.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return database.stat().st_size


def test_forty_retries_of_a_create_with_a_400_kb_title_stay_small(tmp_path: Path) -> None:
    database = tmp_path / "onelogin.sqlite3"
    account, app_id = failing_creates(str(database))
    create_fails(account, app_id, times=1)  # the user (and its 400 KB title) now stored
    events_before, file_before = stored_event_bytes(account), file_bytes(database)
    for _ in range(ATTEMPTS - 1):
        [task] = account.approvals.list_tasks(state="failed")
        account.approvals.retry(task.id)
        account.drain()
    failures = account.system_log.events(event_type_ids=[64], limit=1000)
    assert len(failures) == ATTEMPTS
    assert stored_event_bytes(account) - events_before < BOUND
    assert file_bytes(database) - file_before < BOUND
    # What is kept ends in the marker, says how much was cut, and never shows the token.
    [_, post] = json.loads(failures[0].scim or "[]")
    cut = len(json.dumps({"title": TITLE}).encode())
    answer = next(
        line for line in (failures[0].notes or "").splitlines() if line.startswith("Wrike's")
    )
    for kept in (post["request_body"], post["response_body"], answer):
        assert isinstance(kept, str) and kept.endswith(" bytes cut]"), str(kept)[-80:]
        assert len(kept.encode()) < modelling.LOG_BODY_LIMIT_BYTES + 100
        assert TOKEN not in kept
    assert "System Log: " in post["request_body"]
    assert int(post["request_body"].rsplit(": ", 1)[1].split()[0]) > cut - 20_000
    assert TOKEN not in json.dumps(account.store.table_rows("events"))
    account.store.close()


def test_the_cut_is_shown_in_the_console_the_simulator_api_and_the_harness(tmp_path: Path) -> None:
    account, app_id = failing_creates(str(tmp_path / "onelogin.sqlite3"))
    create_fails(account, app_id, times=1)
    client = create_app(account=account).test_client()
    [event] = client.get("/simulator/api/system-log?event_type_id=64").get_json()
    exchange = event["scim_exchanges"][1]
    assert exchange["request_body"].endswith(" bytes cut]")
    assert TOKEN not in json.dumps(event)
    printed = log_line(event)
    assert printed.count(" bytes cut]") == 3 and TOKEN not in printed  # harness's System Log
    log_in(client)
    page = client.get(f"/admin/events/{event['id']}").get_data(as_text=True)
    assert page.count(" bytes cut]") >= 2 and TOKEN not in page


def test_clip_text_cuts_on_a_character_boundary_and_masks_first() -> None:
    limit = modelling.LOG_BODY_LIMIT_BYTES
    secret = "s3cr3t-token-value"
    text = "é" * (limit // 2 - 3) + secret + "x" * 1000
    kept = clip_text(text, [secret])
    assert kept.endswith(" bytes cut]")
    body, marker = kept.split(" … [System Log: ")
    assert len(body.encode()) <= limit and "s3cr3t" not in body
    assert int(marker.split()[0]) == len(text.replace(secret, "****alue").encode()) - len(
        body.encode()
    )
    short = "fits"
    assert clip_text(short, []) is short


def test_retention_is_bounded_in_bytes_oldest_first(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(modelling, "EVENT_RETENTION_BYTES", 200_000)
    account, app_id = failing_creates(str(tmp_path / "onelogin.sqlite3"))
    create_fails(account, app_id)
    rows = account.store.table_rows("events")
    kept = account.store.log_bytes()
    assert kept <= 200_000
    assert stored_event_bytes(account) < 260_000
    # The newest stay; the oldest went first; the running total matches a fresh count.
    ids = [r["id"] for r in rows]
    assert ids == sorted(ids) and ids[-1] == max(ids) and len(ids) < ATTEMPTS + 10
    newest = account.system_log.events(limit=1)[0]
    assert newest.id == ids[-1]
    texts = ("scim", "error_description", "notes", "custom_message")
    fresh = sum(200 + sum(len((r[c] or "").encode()) for c in texts) for r in rows)
    assert kept == fresh
    account.store.reset()
    assert account.store.log_bytes() == 0
    account.store.close()
