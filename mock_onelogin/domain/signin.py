"""Signing in to the simulator: repeated failures slowed down (the console login, the OAuth
token endpoint) and console sessions the server can end.

The packages never import each other, so this throttle is the simulator's own copy of the
reference provider's (``wrike_sp.domain.signin``); the choices are in ``modelling``.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from mock_onelogin.domain import modelling
from mock_onelogin.domain.clock import Clock
from webguard import throttle as webguard_throttle
from webguard.throttle import AttemptLocks


class Throttled(Exception):
    """Too many failed attempts for an account or from a client address."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(modelling.LOGIN_THROTTLED_MESSAGE)
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


class SignInThrottle:
    """One throttle per account key and one per client address, on the simulator's clock."""

    def __init__(self, clock: Clock) -> None:
        def seconds() -> float:
            return clock.now().timestamp()

        window = modelling.LOGIN_FAILURE_WINDOW_S
        self.per_account = LoginThrottle(modelling.LOGIN_FAILURES_PER_ACCOUNT, window, now=seconds)
        self.per_client = LoginThrottle(modelling.LOGIN_FAILURES_PER_CLIENT, window, now=seconds)
        self._attempts = AttemptLocks()

    def attempt(self, account: str) -> threading.Lock:
        """Held around one attempt at ``account`` (check, secret comparison, record)."""
        return self._attempts(account)

    def check(self, account: str, client: str) -> None:
        """Raises :class:`Throttled` while the account or the client address is locked."""
        wait = max(self.per_account.retry_after(account), self.per_client.retry_after(client))
        if wait:
            raise Throttled(wait)

    def record(self, account: str, client: str, success: bool) -> None:
        if success:
            self.per_account.succeeded(account)
        else:
            self.per_account.failed(account)
            self.per_client.failed(client)


class ConsoleSessions:
    """The console's live sessions, by id (the cookie holds only the id). Kept in memory: the
    console's one admin is configuration, not data, and a restart ending the sessions is what
    the default per-process cookie key already does. Bounded: the oldest session ends first."""

    def __init__(
        self,
        clock: Clock,
        lifetime: float = modelling.CONSOLE_SESSION_LIFETIME_S,
        capacity: int = modelling.CONSOLE_SESSIONS,
    ) -> None:
        self.clock = clock
        self.lifetime = lifetime
        self.capacity = capacity
        self._lock = threading.Lock()
        self._live: OrderedDict[bytes, tuple[str, float]] = OrderedDict()

    @staticmethod
    def _digest(session_id: str) -> bytes:
        return hashlib.sha256(session_id.encode("utf-8", "surrogatepass")).digest()

    def __len__(self) -> int:
        return len(self._live)

    def open(self, admin: str) -> str:
        session_id = secrets.token_urlsafe(32)
        now = self.clock.now().timestamp()
        with self._lock:
            for digest in [d for d, (_, expires) in self._live.items() if expires <= now]:
                del self._live[digest]
            while len(self._live) >= self.capacity:
                self._live.popitem(last=False)
            self._live[self._digest(session_id)] = (admin, now + self.lifetime)
        return session_id

    def admin(self, session_id: object) -> str | None:
        """The admin of a live session, or None."""
        if not isinstance(session_id, str) or not session_id:
            return None
        with self._lock:
            found = self._live.get(self._digest(session_id))
        if found is None or found[1] <= self.clock.now().timestamp():
            return None
        return found[0]

    def end(self, session_id: object) -> None:
        if isinstance(session_id, str) and session_id:
            with self._lock:
                self._live.pop(self._digest(session_id), None)


@dataclass
class UserSession:
    """A OneLogin user's browser session: who signed in (None before the login), the token
    its forms carry, and the SSO login waiting for the login to finish."""

    csrf: str
    expires: float
    user_id: int | None = None
    pending: Any = None


class UserSessions:
    """OneLogin users' sessions (the /login page, the portal, SSO), by id: kept on the server
    in memory like :class:`ConsoleSessions` (a restart ends them), bounded, the oldest ending
    first. A login gets a new id, so an id planted before it is worth nothing after."""

    def __init__(
        self,
        clock: Clock,
        lifetime: float = modelling.USER_SESSION_LIFETIME_S,
        capacity: int = modelling.USER_SESSIONS,
    ) -> None:
        self.clock = clock
        self.lifetime = lifetime
        self.capacity = capacity
        self._lock = threading.Lock()
        self._live: OrderedDict[bytes, UserSession] = OrderedDict()

    def __len__(self) -> int:
        return len(self._live)

    def open(self, user_id: int | None = None, pending: Any = None) -> tuple[str, UserSession]:
        session_id = secrets.token_urlsafe(32)
        now = self.clock.now().timestamp()
        record = UserSession(secrets.token_urlsafe(32), now + self.lifetime, user_id, pending)
        with self._lock:
            for digest in [d for d, s in self._live.items() if s.expires <= now]:
                del self._live[digest]
            while len(self._live) >= self.capacity:
                self._live.popitem(last=False)
            self._live[ConsoleSessions._digest(session_id)] = record
        return session_id, record

    def get(self, session_id: object) -> UserSession | None:
        if not isinstance(session_id, str) or not session_id:
            return None
        with self._lock:
            found = self._live.get(ConsoleSessions._digest(session_id))
        if found is None or found.expires <= self.clock.now().timestamp():
            return None
        return found

    def end(self, session_id: object) -> None:
        if isinstance(session_id, str) and session_id:
            with self._lock:
                self._live.pop(ConsoleSessions._digest(session_id), None)
