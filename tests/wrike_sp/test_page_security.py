"""The Wrike pages from outside, as an attacker would try them: rights on every form, sessions
that end on the server, sign-ins that resist guessing, equal work for unknown emails, and no
account list for visitors. Time moves only on the test's clock."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.wrike_sp.conftest import Scim
from tests.wrike_sp.test_pages import csrf_of, post
from tests.wrike_sp.test_pages_members import MEMBER_FORMS
from wrike_sp import WrikeConfig, create_app
from wrike_sp.demo import DemoAccount, seed_demo_account
from wrike_sp.domain import modelling
from wrike_sp.domain.accounts import AccountAdmin
from wrike_sp.domain.clock import ManualClock
from wrike_sp.domain.secrets_ import hash_password
from wrike_sp.domain.signin import LoginThrottle, SignIn
from wrike_sp.web import pages

PASSWORD = "member password 1"
REGULAR = "rick.regular@acme.example"
SECURITY = "sam.security@acme.example"
PLAIN_ADMIN = "ada.admin@acme.example"


@pytest.fixture
def accounts(app: Flask) -> AccountAdmin:
    admin: AccountAdmin = app.extensions["wrike"].accounts
    return admin


@pytest.fixture
def signin(app: Flask) -> SignIn:
    found: SignIn = app.extensions["wrike_signin"]
    return found


@pytest.fixture
def people(accounts: AccountAdmin, demo: DemoAccount) -> dict[str, dict[str, Any]]:
    """A regular member, a regular member holding the security right, an admin without it."""
    made = {}
    for email, role, security in (
        (REGULAR, "regular", False),
        (SECURITY, "regular", True),
        (PLAIN_ADMIN, "admin", False),
    ):
        made[email] = accounts.add_member(
            demo.account_id,
            {
                "email": email,
                "password": PASSWORD,
                "role": role,
                "rights": {"configure_advanced_security_settings": security},
            },
        )
    return made


def signed_in(app: Flask, email: str, password: str = PASSWORD) -> FlaskClient:
    client = app.test_client()
    token = csrf_of(client.get("/login").text)
    answer = client.post("/login", data={"csrf_token": token, "email": email, "password": password})
    assert answer.status_code == 302, answer.text
    return client


def attempt(client: FlaskClient, email: str, password: str, **extra: Any) -> Any:
    token = csrf_of(client.get("/login").text)
    return client.post(
        "/login", data={"csrf_token": token, "email": email, "password": password, **extra}
    )


def from_address(app: Flask, address: str) -> FlaskClient:
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def state(accounts: AccountAdmin, demo: DemoAccount) -> Any:
    return (
        accounts.account_view(demo.account_id)["approved_domains"],
        accounts.apps(demo.account_id),
        accounts.tokens(demo.account_id),
    )


# -- rights -----------------------------------------------------------------------------------

# Every POST route of the pages but the login, with a form that would change something.
POST_FORMS: dict[str, tuple[str, dict[str, str]]] = {
    "wrike_pages.create_api_app": ("/apps/api", {"name": "Shadow app"}),
    "wrike_pages.api_token": ("/apps/api/1/token", {"password": PASSWORD}),
    "wrike_pages.revoke_token": ("/apps/api/tokens/1/revoke", {"app_id": "1"}),
    "wrike_pages.add_domain": ("/domains", {"domain": "attacker.example"}),
    "wrike_pages.remove_domain": ("/domains/remove", {"domain": "acme.example"}),
    "wrike_pages.save_sso_settings": ("/settings/security/sso", {"mode": "off"}),
}
SECURITY_PAGES = ["/apps/onelogin/scim", "/apps/api", "/apps/api/1", "/apps/api/1/token"]
SECURITY_PAGES += ["/apps/api/1/token/shown", "/domains", "/settings/security/sso"]
ADMIN_PAGES = ["/users", "/billing"]


def test_every_post_route_of_the_pages_is_in_the_rights_tests(app: Flask) -> None:
    posts = {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("wrike_pages.") and "POST" in (rule.methods or ())
    }
    # The member and plan forms have their own rights tests (test_pages_members); My profile
    # is every member's own (test_saml_pages).
    own = {"wrike_pages.login", "wrike_pages.logout", "wrike_pages.save_profile"}
    assert posts - own == {*POST_FORMS, *MEMBER_FORMS}


def test_every_page_declares_what_it_needs(app: Flask) -> None:
    rules = app.url_map.iter_rules()
    endpoints = {r.endpoint for r in rules if r.endpoint.startswith("wrike_pages.")}
    assert endpoints - set(pages._NEEDS) == set(pages._PUBLIC_ENDPOINTS)


@pytest.mark.parametrize("endpoint", sorted(POST_FORMS))
def test_a_regular_member_is_refused_every_form_with_a_403_page_and_nothing_changes(
    app: Flask, accounts: AccountAdmin, demo: DemoAccount, people: Any, endpoint: str
) -> None:
    client = signed_in(app, REGULAR)
    before = state(accounts, demo)
    path, form = POST_FORMS[endpoint]

    answer = post(client, path, "/apps", **form)

    assert answer.status_code == 403
    assert answer.mimetype == "text/html"
    assert "it needs the right &#39;Configure advanced security settings&#39;" in answer.text
    assert state(accounts, demo) == before


@pytest.mark.parametrize("path", SECURITY_PAGES + ADMIN_PAGES)
def test_a_regular_member_is_refused_the_set_up_and_account_screens(
    app: Flask, demo: DemoAccount, people: Any, path: str
) -> None:
    answer = signed_in(app, REGULAR).get(path)
    assert answer.status_code == 403
    assert "cannot" in answer.text
    assert demo.scim_path not in answer.text


def test_the_security_right_opens_the_set_up_but_not_account_management(
    app: Flask, accounts: AccountAdmin, demo: DemoAccount, people: Any
) -> None:
    client = signed_in(app, SECURITY)
    for path in ("/apps/onelogin/scim", "/apps/api", "/domains"):
        assert client.get(path).status_code == 200, path
    assert post(client, "/domains", "/domains", domain="newco.example").status_code == 302
    assert "newco.example" in accounts.account_view(demo.account_id)["approved_domains"]
    for path in ADMIN_PAGES:
        answer = client.get(path)
        assert answer.status_code == 403
        assert "only the account&#39;s owner and admins" in answer.text


def test_an_admin_without_the_security_right_gets_account_management_only(
    app: Flask, demo: DemoAccount, people: Any
) -> None:
    client = signed_in(app, PLAIN_ADMIN)
    for path in ADMIN_PAGES:
        assert client.get(path).status_code == 200
    for path in ("/apps/onelogin/scim", "/apps/api", "/domains"):
        assert client.get(path).status_code == 403


@pytest.mark.parametrize(
    ("email", "offered", "hidden"),
    [
        (REGULAR, [], ["/apps/api", "/domains", "/users", "/billing", "/apps/onelogin/scim"]),
        (SECURITY, ["/apps/api", "/domains", "/apps/onelogin/scim"], ["/users", "/billing"]),
        (PLAIN_ADMIN, ["/users", "/billing"], ["/apps/api", "/domains", "/apps/onelogin/scim"]),
    ],
)
def test_a_member_is_offered_only_the_links_it_may_follow(
    app: Flask, people: Any, email: str, offered: list[str], hidden: list[str]
) -> None:
    page = signed_in(app, email).get("/apps").text
    for path in offered:
        assert f'href="{path}"' in page, path
    for path in hidden:
        assert f'href="{path}"' not in page, path


def test_the_rights_are_read_on_every_request(
    app: Flask, accounts: AccountAdmin, demo: DemoAccount, people: Any
) -> None:
    client = signed_in(app, SECURITY)
    assert client.get("/domains").status_code == 200
    accounts.update_member(
        demo.account_id,
        people[SECURITY]["id"],
        {"rights": {"configure_advanced_security_settings": False}},
    )
    assert client.get("/domains").status_code == 403


# -- sessions ---------------------------------------------------------------------------------


def goes_to_login(client: FlaskClient, path: str = "/apps") -> bool:
    answer = client.get(path)
    return answer.status_code == 302 and answer.headers["Location"].startswith("/login")


def with_cookie_of(app: Flask, client: FlaskClient) -> FlaskClient:
    """Another browser holding a copy of ``client``'s session cookie."""
    cookie = client.get_cookie(pages.SESSION_COOKIE)
    assert cookie is not None
    copy = app.test_client()
    copy.set_cookie(pages.SESSION_COOKIE, cookie.value)
    return copy


def test_logout_ends_the_session_on_the_server(app: Flask, demo: DemoAccount) -> None:
    client = signed_in(app, demo.admin_email, demo.admin_password)
    kept = with_cookie_of(app, client)
    assert kept.get("/apps").status_code == 200

    post(client, "/logout", "/apps")

    assert goes_to_login(kept)
    assert goes_to_login(client)


def test_the_cookie_holds_only_a_random_session_id(app: Flask, demo: DemoAccount) -> None:
    client = signed_in(app, demo.admin_email, demo.admin_password)
    with client.session_transaction() as session:
        assert set(session) == {"sid"}
        assert demo.admin_id not in session["sid"]


@pytest.mark.parametrize(
    "end",
    [
        pytest.param(
            lambda scim, uid: scim.patch(uid, {"op": "replace", "path": "active", "value": False}),
            id="scim-patch-active-false",
        ),
        pytest.param(
            lambda scim, uid: scim.request(
                "PUT", f"/Users/{uid}", {"userName": REGULAR, "active": False}
            ),
            id="scim-put-active-false",
        ),
        pytest.param(lambda scim, uid: scim.request("DELETE", f"/Users/{uid}"), id="scim-delete"),
    ],
)
def test_a_deactivated_or_deleted_members_sessions_end_at_once(
    app: Flask, scim: Scim, people: Any, end: Callable[[Scim, str], Any]
) -> None:
    client = signed_in(app, REGULAR)
    kept = with_cookie_of(app, client)
    assert client.get("/apps").status_code == 200

    assert end(scim, people[REGULAR]["id"]).status_code in (200, 204)

    assert goes_to_login(client)
    assert goes_to_login(kept)


def test_a_reactivated_member_signs_in_again_the_old_session_stays_ended(
    app: Flask, scim: Scim, people: Any
) -> None:
    client = signed_in(app, REGULAR)
    uid = people[REGULAR]["id"]
    scim.patch(uid, {"op": "replace", "path": "active", "value": False})
    scim.patch(uid, {"op": "replace", "path": "active", "value": True})
    assert goes_to_login(client)
    assert signed_in(app, REGULAR).get("/apps").status_code == 200


def test_a_password_change_ends_the_members_sessions(
    app: Flask, accounts: AccountAdmin, demo: DemoAccount, people: Any
) -> None:
    """No page or API changes a password yet; the store ends the sessions whoever writes it."""
    client = signed_in(app, REGULAR)
    store = app.extensions["wrike"].store
    member = accounts.member(demo.account_id, people[REGULAR]["id"])
    changed = member.__class__(
        **{**member.__dict__, "password_hash": hash_password("new password 1", 1000)}
    )
    assert store.update_user(changed, None, member.version)
    assert goes_to_login(client)


def test_a_session_expires_after_its_lifetime(
    app: Flask, clock: ManualClock, demo: DemoAccount
) -> None:
    client = signed_in(app, demo.admin_email, demo.admin_password)
    clock.advance(seconds=modelling.PAGE_SESSION_LIFETIME_S - 1)
    assert client.get("/apps").status_code == 200
    clock.advance(seconds=1)
    assert goes_to_login(client)


@pytest.fixture
def on_disk(tmp_path: Path, clock: ManualClock) -> Iterator[Callable[[], Flask]]:
    made: list[Flask] = []

    def start() -> Flask:
        app = create_app(
            WrikeConfig(
                database=str(tmp_path / "wrike.db"),
                secret_key="a configured key",
                password_iterations=1000,
                clock=clock,
            )
        )
        made.append(app)
        return app

    yield start
    for app in made:
        app.extensions["wrike"].store.close()


def test_sessions_and_their_end_survive_a_restart(on_disk: Callable[[], Flask]) -> None:
    first = on_disk()
    demo = seed_demo_account(first.extensions["wrike"].accounts)
    client = signed_in(first, demo.admin_email, demo.admin_password)
    cookie = client.get_cookie(pages.SESSION_COOKIE)
    assert cookie is not None
    first.extensions["wrike"].store.close()

    second = on_disk()
    again = second.test_client()
    again.set_cookie(pages.SESSION_COOKIE, cookie.value)
    assert again.get("/apps").status_code == 200
    post(again, "/logout", "/apps")

    third = on_disk()
    replay = third.test_client()
    replay.set_cookie(pages.SESSION_COOKIE, cookie.value)
    assert goes_to_login(replay)


def test_scim_requests_never_open_a_page_session(
    app: Flask, scim: Scim, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[object] = []
    monkeypatch.setattr(SignIn, "session_member", lambda self, sid: calls.append(sid))
    assert scim.find('userName eq "nobody@acme.example"').status_code == 200
    assert calls == []


# -- throttling -------------------------------------------------------------------------------


def test_an_email_is_locked_after_repeated_failures_for_the_rest_of_the_window(
    app: Flask, clock: ManualClock, demo: DemoAccount
) -> None:
    client = app.test_client()
    for _ in range(modelling.LOGIN_FAILURES_PER_ACCOUNT):
        assert attempt(client, demo.admin_email, "guess").status_code == 401
    clock.advance(seconds=60)

    locked = attempt(client, demo.admin_email, demo.admin_password)

    assert locked.status_code == 429
    assert locked.mimetype == "text/html"
    assert locked.headers["Retry-After"] == str(modelling.LOGIN_FAILURE_WINDOW_S - 60)
    assert "Too many failed attempts" in locked.text
    assert goes_to_login(client)
    clock.advance(seconds=modelling.LOGIN_FAILURE_WINDOW_S - 60)
    assert attempt(client, demo.admin_email, demo.admin_password).status_code == 302


def test_the_lock_is_per_email_and_other_members_still_sign_in(
    app: Flask, demo: DemoAccount, people: Any
) -> None:
    client = app.test_client()
    for _ in range(modelling.LOGIN_FAILURES_PER_ACCOUNT):
        attempt(client, demo.admin_email, "guess")
    assert attempt(client, demo.admin_email.upper(), demo.admin_password).status_code == 429
    assert attempt(client, REGULAR, PASSWORD).status_code == 302


def test_a_successful_sign_in_clears_the_emails_count(app: Flask, demo: DemoAccount) -> None:
    client = app.test_client()
    for _ in range(2):
        for _ in range(modelling.LOGIN_FAILURES_PER_ACCOUNT - 1):
            assert attempt(client, demo.admin_email, "guess").status_code == 401
        assert attempt(client, demo.admin_email, demo.admin_password).status_code == 302


def test_each_lockout_makes_the_next_one_longer(
    app: Flask, clock: ManualClock, demo: DemoAccount
) -> None:
    client = app.test_client()
    waits = []
    for _ in range(3):
        for _ in range(modelling.LOGIN_FAILURES_PER_ACCOUNT):
            attempt(client, demo.admin_email, "guess")
        wait = int(attempt(client, demo.admin_email, "guess").headers["Retry-After"])
        waits.append(wait)
        clock.advance(seconds=wait)
    window = modelling.LOGIN_FAILURE_WINDOW_S
    growth = modelling.LOGIN_LOCKOUT_GROWTH
    assert waits == [window, window * growth, window * growth**2]


def test_a_client_address_is_locked_after_failures_across_many_emails(
    app: Flask, demo: DemoAccount
) -> None:
    guesser = from_address(app, "203.0.113.9")
    for n in range(modelling.LOGIN_FAILURES_PER_CLIENT):
        assert attempt(guesser, f"guess{n}@acme.example", "guess").status_code == 401
    locked = attempt(guesser, demo.admin_email, demo.admin_password)
    assert locked.status_code == 429
    assert int(locked.headers["Retry-After"]) > 0
    other = from_address(app, "198.51.100.7")
    assert attempt(other, demo.admin_email, demo.admin_password).status_code == 302


def test_wrong_passwords_in_the_obtain_token_form_are_throttled_too(
    app: Flask, accounts: AccountAdmin, demo: DemoAccount
) -> None:
    client = signed_in(app, demo.admin_email, demo.admin_password)
    form = f"/apps/api/{demo.app_id}/token"
    for _ in range(modelling.LOGIN_FAILURES_PER_ACCOUNT):
        assert post(client, form, form, password="guess").status_code == 403
    tokens = accounts.tokens(demo.account_id)

    locked = post(client, form, form, password=demo.admin_password)

    assert locked.status_code == 429
    assert "Retry-After" in locked.headers
    assert accounts.tokens(demo.account_id) == tokens
    assert attempt(app.test_client(), demo.admin_email, demo.admin_password).status_code == 429


def test_the_throttle_keeps_a_bounded_number_of_keys_under_a_flood() -> None:
    now = [0.0]
    throttle = LoginThrottle(5, 900, capacity=100, now=lambda: now[0])
    for n in range(1000):
        throttle.failed(f"flood{n}@example.com")
        now[0] += 0.01
    assert len(throttle) <= 100


def test_a_flood_of_new_keys_does_not_unlock_a_locked_one() -> None:
    now = [0.0]
    throttle = LoginThrottle(3, 900, capacity=10, now=lambda: now[0])
    for _ in range(3):
        throttle.failed("victim@example.com")
    for n in range(50):
        throttle.failed(f"other{n}@example.com")
    assert len(throttle) <= 10
    assert throttle.retry_after("victim@example.com") == 900


def test_a_view_that_declares_no_need_is_refused_to_everyone(
    app: Flask, demo: DemoAccount, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = signed_in(app, demo.admin_email, demo.admin_password)
    monkeypatch.delitem(pages._NEEDS, "wrike_pages.billing")
    assert client.get("/billing").status_code == 403


def test_a_session_of_a_member_found_inactive_is_ended() -> None:
    """The guard's own check, behind the store's trigger: an inactive member's session is
    refused and removed even if the store still returns it."""
    member = SimpleNamespace(active=False)

    class Store:
        def __init__(self) -> None:
            self.ended: list[str] = []

        def page_session(self, session_hash: str, now: str) -> Any:
            return member

        def end_page_session(self, session_hash: str) -> None:
            self.ended.append(session_hash)

    store = Store()
    signin = SignIn(store, ManualClock(), 1000)  # type: ignore[arg-type]
    assert signin.session_member("a session id") is None
    assert len(store.ended) == 1


def test_an_app_flooded_with_distinct_emails_keeps_a_bounded_throttle(
    app: Flask, signin: SignIn
) -> None:
    signin.per_account = LoginThrottle(5, 900, capacity=50, now=lambda: 0.0)
    signin.per_client = LoginThrottle(10**6, 900, capacity=50, now=lambda: 0.0)
    client = app.test_client()
    for n in range(120):
        attempt(client, f"flood{n}@example.com", "guess")
    assert len(signin.per_account) <= 50


# -- equal work -------------------------------------------------------------------------------


@pytest.fixture
def hash_work(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The iterations of every PBKDF2 computation, in order."""
    done: list[int] = []
    real = hashlib.pbkdf2_hmac

    def counted(name: str, password: bytes, salt: bytes, iterations: int, *rest: Any) -> bytes:
        done.append(iterations)
        return real(name, password, salt, iterations, *rest)

    monkeypatch.setattr(hashlib, "pbkdf2_hmac", counted)
    return done


def test_an_unknown_email_costs_the_same_hash_work_as_a_known_one(
    app: Flask, scim: Scim, demo: DemoAccount, people: Any, hash_work: list[int]
) -> None:
    scim.create("sid.scim@acme.example")  # provisioned over SCIM: no Wrike password
    client = app.test_client()
    attempt(client, "warm.up@acme.example", "x")  # the dummy hash is made on first use
    hash_work.clear()
    work = {}
    for email in (demo.admin_email, "nobody@acme.example", "sid.scim@acme.example", REGULAR):
        if email == REGULAR:
            scim.patch(people[REGULAR]["id"], {"op": "replace", "path": "active", "value": False})
        attempt(client, email, "wrong password")  # a form fetch and a post: one sign-in
        work[email], hash_work[:] = list(hash_work), []
    assert work[demo.admin_email] == [1000]
    assert set(map(tuple, work.values())) == {(1000,)}, work


# -- the login ------------------------------------------------------------------------------


@pytest.fixture
def second_account(accounts: AccountAdmin, demo: DemoAccount) -> DemoAccount:
    """Another account where the demo admin's email is also a member, with its own password."""
    return seed_demo_account(
        accounts,
        name="Globex",
        domain="globex.example",
        admin_email=demo.admin_email,
        admin_password="globex password",
    )


def test_an_email_in_several_accounts_signs_in_to_the_oldest_and_may_switch(
    app: Flask, demo: DemoAccount, second_account: DemoAccount
) -> None:
    client = signed_in(app, demo.admin_email, demo.admin_password)
    home = client.get("/apps").text
    assert "Acme <small>account 1" in home
    assert f'href="/login?account={second_account.account_id}"' in home

    switch = client.get(f"/login?account={second_account.account_id}").text
    assert f'name="account_id" value="{second_account.account_id}"' in switch
    assert attempt(client, demo.admin_email, demo.admin_password, account_id=2).status_code == 401
    moved = attempt(client, demo.admin_email, "globex password", account_id=2)
    assert moved.status_code == 302
    assert "Globex <small>account 2" in client.get("/apps").text


def test_the_login_passes_over_a_membership_without_a_password(
    app: Flask, accounts: AccountAdmin, scim: Scim
) -> None:
    other = accounts.create_account("Initech", "Business")
    accounts.add_member(other["id"], {"email": "pat@acme.example", "password": PASSWORD})
    scim.create("pat@acme.example")  # account 1, provisioned over SCIM: no password
    client = signed_in(app, "pat@acme.example")
    assert "Initech <small>account" in client.get("/apps").text
