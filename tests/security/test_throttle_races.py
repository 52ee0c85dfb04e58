"""Concurrent guesses at one login are counted one after another: however many arrive at
once, no more passwords or secrets are compared than the throttle's limit (before, each
request checked the lock, compared, then recorded, so 8 threads got 12 comparisons in)."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest

from mock_onelogin import OneLoginConfig
from mock_onelogin import create_app as create_onelogin
from mock_onelogin.domain import modelling as onelogin_modelling
from wrike_sp import WrikeConfig
from wrike_sp import create_app as create_wrike
from wrike_sp.demo import seed_demo_account
from wrike_sp.domain import modelling as wrike_modelling
from wrike_sp.domain import signin as wrike_signin

GUESSERS = 8


def _all_at_once(guess: Callable[[], Any]) -> None:
    start = threading.Barrier(GUESSERS)

    def run() -> None:
        start.wait()
        guess()

    threads = [threading.Thread(target=run) for _ in range(GUESSERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)


def _slow_and_counted(real: Callable[..., Any], seen: list[int]) -> Callable[..., Any]:
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        seen.append(1)
        time.sleep(0.05)  # a password hash's worth, so the guesses overlap
        return real(*args, **kwargs)

    return wrapped


def test_concurrent_wrong_passwords_at_one_wrike_email_stop_at_the_limit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    app = create_wrike(WrikeConfig(password_iterations=1000))
    demo = seed_demo_account(app.extensions["wrike"].accounts)
    compared: list[int] = []
    monkeypatch.setattr(
        wrike_signin, "check_password", _slow_and_counted(wrike_signin.check_password, compared)
    )
    signin = app.extensions["wrike_signin"]

    def guess() -> None:
        with contextlib.suppress(wrike_signin.Throttled):
            signin.log_in(demo.admin_email, "wrong guess", "127.0.0.1")

    _all_at_once(guess)
    assert len(compared) == wrike_modelling.LOGIN_FAILURES_PER_ACCOUNT


def test_concurrent_wrong_secrets_for_one_client_id_stop_at_the_limit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    app = create_onelogin(OneLoginConfig())
    clients = app.extensions["mock_onelogin"].api_clients
    client_id, _ = clients.create_client("guessed")
    compared: list[int] = []
    monkeypatch.setattr(clients, "check_client", _slow_and_counted(clients.check_client, compared))
    answers: list[int] = []

    def guess() -> None:
        response = app.test_client().post(
            "/auth/oauth2/v2/token",
            auth=(client_id, "wrong secret"),
            json={"grant_type": "client_credentials"},
        )
        answers.append(response.status_code)

    _all_at_once(guess)
    assert len(compared) == onelogin_modelling.LOGIN_FAILURES_PER_ACCOUNT
    assert answers.count(429) == GUESSERS - onelogin_modelling.LOGIN_FAILURES_PER_ACCOUNT
