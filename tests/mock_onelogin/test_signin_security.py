"""The simulated OneLogin's sign-ins from outside: the console logout ends the session on the
server, and the console login and the OAuth token endpoint slow down guessing, per account
and per client address, on the simulator's clock."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from mock_onelogin import FixedClock, OneLoginConfig
from mock_onelogin.domain import modelling
from mock_onelogin.domain.signin import ConsoleSessions, LoginThrottle
from mock_onelogin.web.console._session import SESSION_COOKIE
from tests.mock_onelogin.test_pages import ADMIN, PASSWORD, csrf_of, log_in, post


@pytest.fixture
def config() -> OneLoginConfig:
    """The console's password is random by default; these tests sign in with a known one."""
    return OneLoginConfig(drain_mode="sync", console_admin_password=PASSWORD)


WINDOW = modelling.LOGIN_FAILURE_WINDOW_S
TOKEN_URL = "/auth/oauth2/v2/token"


def from_address(app: Flask, address: str) -> FlaskClient:
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def goes_to_login(client: FlaskClient) -> bool:
    answer = client.get("/admin/users")
    return answer.status_code == 302 and "/admin/login" in answer.headers["Location"]


# -- console sessions -------------------------------------------------------------------------


def test_console_logout_ends_the_session_on_the_server(flask_app: Flask) -> None:
    client = flask_app.test_client()
    assert log_in(client).status_code == 302
    cookie = client.get_cookie(SESSION_COOKIE)
    assert cookie is not None
    kept = flask_app.test_client()
    kept.set_cookie(SESSION_COOKIE, cookie.value)
    assert kept.get("/admin/users").status_code == 200

    post(client, "/admin/logout", "/admin/users")

    assert goes_to_login(kept)
    assert goes_to_login(client)


def test_the_console_cookie_holds_only_a_random_session_id(flask_app: Flask) -> None:
    client = flask_app.test_client()
    log_in(client)
    with client.session_transaction("/admin/users") as session:
        assert set(session) == {"sid"}
        assert ADMIN not in session["sid"]


def test_a_console_session_expires_after_its_lifetime(flask_app: Flask, clock: FixedClock) -> None:
    client = flask_app.test_client()
    log_in(client)
    clock.advance(modelling.CONSOLE_SESSION_LIFETIME_S - 1)
    assert client.get("/admin/users").status_code == 200
    clock.advance(1)
    assert goes_to_login(client)


def test_console_sessions_are_bounded_the_oldest_ends_first(clock: FixedClock) -> None:
    sessions = ConsoleSessions(clock, capacity=3)
    first = sessions.open(ADMIN)
    later = [sessions.open(ADMIN) for _ in range(5)]
    assert len(sessions) == 3
    assert sessions.admin(first) is None
    assert sessions.admin(later[-1]) == ADMIN


# -- console login throttling -------------------------------------------------------------------


def test_the_console_login_locks_an_email_after_repeated_failures(
    flask_app: Flask, clock: FixedClock
) -> None:
    client = flask_app.test_client()
    for _ in range(modelling.LOGIN_FAILURES_PER_ACCOUNT):
        assert log_in(client, password="guess").status_code == 401
    clock.advance(60)

    locked = log_in(client)

    assert locked.status_code == 429
    assert locked.mimetype == "text/html"
    assert locked.headers["Retry-After"] == str(WINDOW - 60)
    assert "Too many failed logins" in locked.text
    assert goes_to_login(client)
    clock.advance(WINDOW - 60)
    assert log_in(client).status_code == 302


def test_a_console_login_clears_the_emails_count(flask_app: Flask) -> None:
    client = flask_app.test_client()
    for _ in range(2):
        for _ in range(modelling.LOGIN_FAILURES_PER_ACCOUNT - 1):
            assert log_in(client, password="guess").status_code == 401
        assert log_in(client).status_code == 302


def test_the_console_login_locks_an_address_guessing_many_emails(flask_app: Flask) -> None:
    guesser = from_address(flask_app, "203.0.113.9")
    for n in range(modelling.LOGIN_FAILURES_PER_CLIENT):
        assert log_in(guesser, email=f"guess{n}@onelogin.example").status_code == 401
    assert log_in(guesser).status_code == 429
    assert log_in(from_address(flask_app, "198.51.100.7")).status_code == 302


# -- the OAuth token endpoint -------------------------------------------------------------------


@pytest.fixture
def creds(client: FlaskClient) -> tuple[str, str]:
    body = client.post("/simulator/api/credentials", json={"name": "api"}).get_json()
    return body["client_id"], body["client_secret"]


def ask_token(client: FlaskClient, client_id: str, secret: str) -> Any:
    return client.post(
        TOKEN_URL,
        json={"grant_type": "client_credentials"},
        headers={"Authorization": f"client_id:{client_id}, client_secret:{secret}"},
    )


def test_the_token_endpoint_locks_a_client_id_after_failed_secrets(
    client: FlaskClient, creds: tuple[str, str], clock: FixedClock
) -> None:
    client_id, secret = creds
    for _ in range(modelling.LOGIN_FAILURES_PER_ACCOUNT):
        assert ask_token(client, client_id, "guess").status_code == 401

    locked = ask_token(client, client_id, secret)

    assert locked.status_code == 429
    assert locked.headers["Retry-After"] == str(WINDOW)
    assert locked.get_json() == {
        "status": {
            "error": True,
            "code": 429,
            "type": "too many requests",
            "message": modelling.LOGIN_THROTTLED_MESSAGE,
        }
    }
    clock.advance(WINDOW)
    assert ask_token(client, client_id, secret).status_code == 200


def test_a_token_issued_clears_the_client_ids_count(
    client: FlaskClient, creds: tuple[str, str]
) -> None:
    client_id, secret = creds
    for _ in range(2):
        for _ in range(modelling.LOGIN_FAILURES_PER_ACCOUNT - 1):
            assert ask_token(client, client_id, "guess").status_code == 401
        assert ask_token(client, client_id, secret).status_code == 200


def test_the_token_endpoint_locks_an_address_guessing_many_client_ids(
    flask_app: Flask, client: FlaskClient, creds: tuple[str, str]
) -> None:
    guesser = from_address(flask_app, "203.0.113.9")
    for n in range(modelling.LOGIN_FAILURES_PER_CLIENT):
        assert ask_token(guesser, f"guessed-client-{n}", "guess").status_code == 401
    assert ask_token(guesser, *creds).status_code == 429
    assert ask_token(from_address(flask_app, "198.51.100.7"), *creds).status_code == 200


def test_the_revoke_endpoint_shares_the_token_endpoints_throttle(
    client: FlaskClient, creds: tuple[str, str]
) -> None:
    client_id, _ = creds
    for _ in range(modelling.LOGIN_FAILURES_PER_ACCOUNT):
        ask_token(client, client_id, "guess")
    answer = client.post(
        "/auth/oauth2/revoke",
        json={"access_token": "x"},
        headers={"Authorization": f"client_id:{client_id}, client_secret:guess"},
    )
    assert answer.status_code == 429
    assert "Retry-After" in answer.headers


# -- the throttle itself ------------------------------------------------------------------------


def test_each_lockout_makes_the_next_one_longer() -> None:
    now = [0.0]
    throttle = LoginThrottle(5, WINDOW, now=lambda: now[0])
    waits = []
    for _ in range(3):
        for _ in range(5):
            throttle.failed("client")
        waits.append(throttle.retry_after("client"))
        now[0] += waits[-1]
    growth = modelling.LOGIN_LOCKOUT_GROWTH
    assert waits == [WINDOW, WINDOW * growth, WINDOW * growth**2]


def test_a_quiet_key_is_forgotten_lockouts_included() -> None:
    now = [0.0]
    throttle = LoginThrottle(5, WINDOW, now=lambda: now[0])
    for _ in range(5):
        throttle.failed("client")
    now[0] += 3 * WINDOW
    for _ in range(5):
        throttle.failed("client")
    assert throttle.retry_after("client") == WINDOW


def test_the_throttle_stays_bounded_and_keeps_a_locked_key_under_a_flood() -> None:
    now = [0.0]
    throttle = LoginThrottle(3, WINDOW, capacity=50, now=lambda: now[0])
    for _ in range(3):
        throttle.failed("victim")
    for n in range(1000):
        throttle.failed(f"flood-{n}")
    assert len(throttle) <= 50
    assert throttle.retry_after("victim") == WINDOW


def test_the_login_form_still_carries_its_csrf_token(client: FlaskClient) -> None:
    assert csrf_of(client.get("/admin/login").text)
    assert PASSWORD not in client.get("/admin/login").text
