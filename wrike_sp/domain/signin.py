"""Signing in to the Wrike pages: who may sign in, how repeated failures are slowed down, and
page sessions that the server can end.

The pages' cookie is a signed Flask cookie; on its own it could not be ended before it
expires, and whoever kept a copy could use it after a logout. So the cookie carries only a
random session id and the session itself lives in the store (its id kept as a hash): logout,
the member's deactivation or deletion, or a password change removes it, and the next page
request goes to the login. SCIM requests carry no cookie and never reach this module.
"""

from __future__ import annotations

import hashlib
import math
import secrets
import threading
from collections.abc import Callable
from datetime import timedelta
from typing import Protocol

from webguard import throttle as webguard_throttle
from webguard.throttle import AttemptLocks
from wrike_sp.domain import modelling
from wrike_sp.domain.clock import Clock, stamp
from wrike_sp.domain.errors import AdminError
from wrike_sp.domain.records import UserRow
from wrike_sp.domain.secrets_ import check_password, hash_password
from wrike_sp.domain.users import key


class Throttled(AdminError):
    """Too many failed sign-ins for an email or from a client address: try again later."""

    def __init__(self, retry_after: int) -> None:
        minutes = max(1, math.ceil(retry_after / 60))
        super().__init__(
            429,
            "too_many_attempts",
            "Too many failed attempts with this email or from this address. "
            f"Try again in {minutes} minute{'s' if minutes != 1 else ''}.",
        )
        self.retry_after = retry_after


class LoginThrottle(webguard_throttle.LoginThrottle):
    """The shared throttle (``webguard.throttle``) with this package's modelling choices as
    its defaults."""

    def __init__(
        self,
        limit: int,
        window: float,
        *,
        growth: int = modelling.LOGIN_LOCKOUT_GROWTH,
        max_window: float = modelling.LOGIN_MAX_WINDOW_S,
        capacity: int = modelling.LOGIN_THROTTLE_KEYS,
        now: Callable[[], float],
    ) -> None:
        super().__init__(
            limit, window, growth=growth, max_window=max_window, capacity=capacity, now=now
        )


class SignInStore(Protocol):
    """What signing in needs of the store (``WrikeStore`` has it)."""

    def memberships(self, login_key: str) -> list[UserRow]:
        """Every member with this login, in every account, oldest account first."""
        ...

    def add_page_session(
        self, session_hash: str, account_id: int, member_id: str, created: str, expires: str
    ) -> None:
        """Keep a new session (and forget the ones expired by ``created``)."""
        ...

    def page_session(self, session_hash: str, now: str) -> UserRow | None:
        """The member of a live session, or None."""
        ...

    def end_page_session(self, session_hash: str) -> None: ...


def _session_hash(session_id: str) -> str:
    """Session ids carry 256 bits of entropy: one SHA-256 keeps them unusable at rest."""
    return hashlib.sha256(session_id.encode("utf-8", "surrogatepass")).hexdigest()


class SignIn:
    """The pages' sign-in: email and password, throttled, into a session the server keeps."""

    def __init__(self, store: SignInStore, clock: Clock, password_iterations: int) -> None:
        self.store = store
        self.clock = clock
        self.password_iterations = password_iterations
        self._dummy: str | None = None

        def seconds() -> float:
            return clock().timestamp()

        self._seconds = seconds
        self.forget_failures()
        self._attempts = AttemptLocks()

    def forget_failures(self) -> None:
        """Every failed attempt is forgotten (a harness reset: a new scenario starts with no
        account or address locked by the last one's wrong passwords)."""
        window = modelling.LOGIN_FAILURE_WINDOW_S
        now = self._seconds
        self.per_account = LoginThrottle(modelling.LOGIN_FAILURES_PER_ACCOUNT, window, now=now)
        self.per_client = LoginThrottle(modelling.LOGIN_FAILURES_PER_CLIENT, window, now=now)

    def attempt(self, email: str) -> threading.Lock:
        """Held around one sign-in attempt of ``email`` (check, password hash, record)."""
        return self._attempts(key(email))

    def _dummy_hash(self) -> str:
        """Compared against when no member can sign in with the email, so an unknown email
        costs the same password-hash work as a known one and the answer's timing tells
        nothing about who is a member. Made on first use, so building an app stays cheap."""
        if self._dummy is None:
            self._dummy = hash_password(secrets.token_urlsafe(16), self.password_iterations)
        return self._dummy

    def check_throttle(self, email: str, client: str) -> None:
        """Raises :class:`Throttled` while the email or the client address is locked."""
        wait = max(self.per_account.retry_after(key(email)), self.per_client.retry_after(client))
        if wait:
            raise Throttled(wait)

    def record(self, email: str, client: str, success: bool) -> None:
        if success:
            self.per_account.succeeded(key(email))
        else:
            self.per_account.failed(key(email))
            self.per_client.failed(client)

    def log_in(
        self, email: str, password: str, client: str, account_id: int | None = None
    ) -> UserRow | None:
        """The member ``email`` signs in as, or None.

        The account comes from the email's membership: the one named by ``account_id`` when
        given, else the oldest account where the email is an active member with a Wrike
        password (members provisioned over SCIM have none). Exactly one password hash is
        computed whatever the email, against a dummy hash when nobody can sign in with it.
        """
        with self.attempt(email):
            return self._log_in(email, password, client, account_id)

    def _log_in(
        self, email: str, password: str, client: str, account_id: int | None
    ) -> UserRow | None:
        self.check_throttle(email, client)
        dummy = self._dummy_hash()
        candidates = [
            m
            for m in self.store.memberships(key(email))
            if m.active and m.password_hash and account_id in (None, m.account_id)
        ]
        target = candidates[0] if candidates else None
        matched = check_password(password, target.password_hash if target else dummy)
        success = target is not None and matched
        self.record(email, client, success)
        return target if success else None

    def other_accounts(self, member: UserRow) -> list[int]:
        """The other accounts this member's email can sign in to (the account switcher)."""
        return [
            m.account_id
            for m in self.store.memberships(member.login_key)
            if m.account_id != member.account_id and m.active and m.password_hash
        ]

    # -- sessions -------------------------------------------------------------------------

    def open_session(self, member: UserRow) -> str:
        """A new session for the member; the returned id goes into the cookie only."""
        session_id = secrets.token_urlsafe(32)
        now = self.clock()
        expires = now + timedelta(seconds=modelling.PAGE_SESSION_LIFETIME_S)
        self.store.add_page_session(
            _session_hash(session_id), member.account_id, member.id, stamp(now), stamp(expires)
        )
        return session_id

    def session_member(self, session_id: object) -> UserRow | None:
        """The active member of a live session, or None (then the session is over)."""
        if not isinstance(session_id, str) or not session_id:
            return None
        hashed = _session_hash(session_id)
        member = self.store.page_session(hashed, stamp(self.clock()))
        if member is not None and not member.active:
            self.store.end_page_session(hashed)
            return None
        return member

    def end_session(self, session_id: object) -> None:
        if isinstance(session_id, str) and session_id:
            self.store.end_page_session(_session_hash(session_id))
