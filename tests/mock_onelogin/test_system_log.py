"""The System Log: masking of secrets, filters, retention."""

from __future__ import annotations

import json

from flask.testing import FlaskClient

from mock_onelogin import FixedClock, OneLoginAccount, OneLoginConfig
from mock_onelogin.domain.secrets import mask, mask_authorization, scrub
from tests.mock_onelogin.conftest import make_user
from tests.mock_onelogin.scim_stub import ScimStub


def test_mask_keeps_only_the_last_four_characters() -> None:
    assert mask("abcdefgh12345678") == "****5678"
    assert mask("short") == "****"
    assert mask_authorization("Bearer abcdefgh12345678") == "Bearer ****5678"
    assert scrub("token abcdefgh12345678 echoed", ["abcdefgh12345678"]) == "token ****5678 echoed"


def test_token_and_client_secret_never_reach_the_log_or_responses(
    account: OneLoginAccount, wrike: int, stub: ScimStub, client: FlaskClient, auth: dict[str, str]
) -> None:
    stub.fail(400, "invalidValue", f"token {stub.token} is not allowed here")
    user = make_user(account)
    account.directory.add_login(user["id"], wrike)
    account.drain()
    account.apps.enable_api_connection(wrike)
    _, secret = account.api_clients.create_client("leak check")
    rows = account.store.table_rows("events")
    dump = json.dumps(rows)
    assert stub.token not in dump and secret not in dump
    assert "****" in dump
    for path in (
        "/simulator/api/system-log",
        f"/simulator/api/apps/{wrike}/connector",
        "/api/1/events",
    ):
        text = client.get(path, headers=auth).get_data(as_text=True)
        assert stub.token not in text and secret not in text
    stored = json.dumps(account.store.table_rows("api_clients"))
    assert secret not in stored


def test_failure_event_keeps_the_exchange_that_produced_it(
    account: OneLoginAccount, wrike: int, stub: ScimStub, client: FlaskClient
) -> None:
    stub.fail(403, None, "Token lacks admin rights")
    user = make_user(account)
    account.directory.add_login(user["id"], wrike)
    account.drain()
    [event] = client.get("/simulator/api/system-log?event_type_id=64").get_json()
    assert event["event_type_name"] == "USER_CREATION_FAILED_IN_APP"
    [exchange] = event["scim_exchanges"]
    assert exchange["method"] == "GET" and exchange["status"] == 403
    assert exchange["response_body"]["detail"] == "Token lacks admin rights"
    assert exchange["url"].startswith("http://wrike.test/scim/v2/Users?filter=")


def test_filters_by_user_app_type_and_time(
    account: OneLoginAccount, wrike: int, clock: FixedClock
) -> None:
    first = make_user(account, 1)
    clock.advance(60)
    second = make_user(account, 2)
    account.directory.add_login(second["id"], wrike)
    account.drain()
    assert {e.user_id for e in account.system_log.events(user_id=first["id"])} == {first["id"]}
    assert {
        e.event_type_id for e in account.system_log.events(app_id=wrike, user_id=second["id"])
    } == {
        206,
        51,
    }
    assert [e.user_id for e in account.system_log.events(event_type_ids=[13])] == [
        second["id"],
        first["id"],
    ]
    assert [
        e.user_id
        for e in account.system_log.events(event_type_ids=[13], until="2026-01-01T09:00:30Z")
    ] == [first["id"]]
    assert [
        e.user_id
        for e in account.system_log.events(event_type_ids=[13], since="2026-01-01T09:00:30Z")
    ] == [second["id"]]


def test_retention_keeps_the_newest_events(clock: FixedClock) -> None:
    account = OneLoginAccount(OneLoginConfig(event_retention=100), clock=clock)
    for n in range(120):
        make_user(account, n)
    rows = account.system_log.events(limit=1000)
    assert len(rows) <= 110  # pruned in steps, never unbounded
    assert rows[0].user_name == "First119 Last119"
    account.store.close()


def test_events_api_filters_and_pages(
    account: OneLoginAccount, client: FlaskClient, auth: dict[str, str]
) -> None:
    for n in range(5):
        make_user(account, n)
    both = client.get("/api/1/events?event_type_id=13,14&limit=2", headers=auth).get_json()
    assert [e["event_type_id"] for e in both["data"]] == [13, 13]
    cursor = both["pagination"]["after_cursor"]
    assert cursor and "after_cursor=" in both["pagination"]["next_link"]
    page2 = client.get(
        f"/api/1/events?event_type_id=13&limit=2&after_cursor={cursor}", headers=auth
    ).get_json()
    assert page2["data"][0]["id"] < both["data"][-1]["id"]
    repeated = client.get(
        "/api/1/events?event_type_id=13&event_type_id=14", headers=auth
    ).get_json()
    assert len(repeated["data"]) == 5
    bad = client.get("/api/1/events?since=yesterday", headers=auth)
    assert bad.status_code == 400 and bad.get_json()["status"]["error"] is True
