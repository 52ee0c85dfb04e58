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
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Protocol

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


@dataclass
class _Failures:
    window_start: float
    window: float
    count: int = 0
    lockouts: int = 0
    locked_until: float = 0.0


class LoginThrottle:
    """Failed attempts per key (an email, a client address) in a window that starts at the
    first failure. ``limit`` failures lock the key for the rest of the window; each lockout
    doubles (``growth``) the key's next window, up to ``max_window``. A key quiet for a whole
    window after its window ended is forgotten, lockouts included.

    Memory is bounded: keys are kept as fixed-size digests, at most ``capacity`` of them;
    when full, forgotten-by-now keys go first, then the least recently failed unlocked one.
    """

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
        self.limit = limit
        self.window = window
        self.growth = growth
        self.max_window = max_window
        self.capacity = capacity
        self._now = now
        self._lock = threading.Lock()
        self._keys: OrderedDict[bytes, _Failures] = OrderedDict()

    @staticmethod
    def _digest(text: str) -> bytes:
        return hashlib.sha256(text.encode("utf-8", "surrogatepass")).digest()

    def _stale(self, entry: _Failures, now: float) -> bool:
        return now >= max(entry.window_start + entry.window, entry.locked_until) + self.window

    def retry_after(self, text: str) -> int:
        """Seconds until ``text`` may try again; 0 when it may now."""
        now = self._now()
        with self._lock:
            entry = self._keys.get(self._digest(text))
            if entry is None or entry.locked_until <= now:
                return 0
            return max(1, math.ceil(entry.locked_until - now))

    def __len__(self) -> int:
        return len(self._keys)

    def failed(self, text: str) -> None:
        now = self._now()
        digest = self._digest(text)
        with self._lock:
            entry = self._keys.pop(digest, None)
            if entry is not None and self._stale(entry, now):
                entry = None
            if entry is None:
                entry = _Failures(window_start=now, window=self.window)
            elif now >= entry.window_start + entry.window:
                grown = self.window * self.growth**entry.lockouts
                entry.window_start, entry.window = now, min(self.max_window, grown)
                entry.count = 0
            entry.count += 1
            if entry.count >= self.limit and entry.locked_until <= now:
                entry.locked_until = entry.window_start + entry.window
                entry.lockouts += 1
            self._make_room(now)
            self._keys[digest] = entry

    def succeeded(self, text: str) -> None:
        with self._lock:
            self._keys.pop(self._digest(text), None)

    def _make_room(self, now: float) -> None:
        if len(self._keys) < self.capacity:
            return
        for digest in [d for d, e in self._keys.items() if self._stale(e, now)]:
            del self._keys[digest]
        while len(self._keys) >= self.capacity:
            # A flood of new keys must not buy a locked key its freedom: the least recently
            # failed key that is not locked goes first.
            unlocked = next((d for d, e in self._keys.items() if e.locked_until <= now), None)
            if unlocked is None:
                self._keys.popitem(last=False)
            else:
                del self._keys[unlocked]


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


#: Locks that serialise the attempts at one email (see ``SignIn.attempt``).
_ATTEMPT_STRIPES = 64


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

        window = modelling.LOGIN_FAILURE_WINDOW_S
        self.per_account = LoginThrottle(modelling.LOGIN_FAILURES_PER_ACCOUNT, window, now=seconds)
        self.per_client = LoginThrottle(modelling.LOGIN_FAILURES_PER_CLIENT, window, now=seconds)
        self._attempts = [threading.Lock() for _ in range(_ATTEMPT_STRIPES)]

    def attempt(self, email: str) -> threading.Lock:
        """Held around one sign-in attempt of ``email`` (check, password hash, record), so
        concurrent guesses at one email are counted one after another and none passes the
        check before the failures before it are recorded. A fixed set of locks, shared by
        emails whose digests collide: bounded memory, whatever the flood."""
        digest = hashlib.sha256(key(email).encode("utf-8", "surrogatepass")).digest()
        return self._attempts[digest[0] % _ATTEMPT_STRIPES]

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
