"""A harness reset starts the next scenario with nobody locked out: the Wrike pages' login
throttle forgets the failed attempts of the last one (they would otherwise carry over, the
same email and the same client address, into a scenario that signs in correctly)."""

from __future__ import annotations

from typing import Any

from wrike_sp.demo import seed_demo_account
from wrike_sp.domain.modelling import LOGIN_FAILURES_PER_ACCOUNT

PASSWORD = "correct horse battery staple"


def log_in(client: Any, email: str, password: str) -> int:
    page = client.get("/login")
    token = page.get_data(as_text=True).split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    answer = client.post("/login", data={"email": email, "password": password, "csrf_token": token})
    return int(answer.status_code)


def test_a_reset_forgets_the_failed_logins_of_the_last_scenario(app: Any, client: Any) -> None:
    accounts = app.extensions["wrike"].accounts
    email = seed_demo_account(accounts, admin_password=PASSWORD).admin_email
    for _ in range(LOGIN_FAILURES_PER_ACCOUNT):
        assert log_in(client, email, "wrong password") == 401
    assert log_in(client, email, PASSWORD) == 429  # locked, even with the right password

    assert client.post("/harness/api/reset").status_code == 204
    seed_demo_account(accounts, admin_password=PASSWORD, admin_email=email)
    assert log_in(client, email, PASSWORD) == 302
