"""Signing in to the simulator: repeated failures slowed down (the console login, the OAuth
token endpoint) and console sessions the server can end.

The packages never import each other, so this throttle is the simulator's own copy of the
reference provider's (``wrike_sp.domain.signin``); the choices are in ``modelling``.
"""

from __future__ import annotations

import hashlib
import math
import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from mock_onelogin.domain import modelling
from mock_onelogin.domain.clock import Clock


class Throttled(Exception):
    """Too many failed attempts for an account or from a client address."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(modelling.LOGIN_THROTTLED_MESSAGE)
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


#: Locks that serialise the attempts at one account (see ``SignInThrottle.attempt``).
_ATTEMPT_STRIPES = 64


class SignInThrottle:
    """One throttle per account key and one per client address, on the simulator's clock."""

    def __init__(self, clock: Clock) -> None:
        def seconds() -> float:
            return clock.now().timestamp()

        window = modelling.LOGIN_FAILURE_WINDOW_S
        self.per_account = LoginThrottle(modelling.LOGIN_FAILURES_PER_ACCOUNT, window, now=seconds)
        self.per_client = LoginThrottle(modelling.LOGIN_FAILURES_PER_CLIENT, window, now=seconds)
        self._attempts = [threading.Lock() for _ in range(_ATTEMPT_STRIPES)]

    def attempt(self, account: str) -> threading.Lock:
        """Held around one attempt at ``account`` (check, secret comparison, record), so
        concurrent guesses at one account are counted one after another and none passes the
        check before the failures before it are recorded. A fixed set of locks: bounded
        memory, whatever the flood."""
        digest = hashlib.sha256(account.encode("utf-8", "surrogatepass")).digest()
        return self._attempts[digest[0] % _ATTEMPT_STRIPES]

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
