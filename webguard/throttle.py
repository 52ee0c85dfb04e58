"""Login throttling both servers share: failures counted per key (an email, a client id, a
client address) with bounded memory, and a fixed set of locks that takes the attempts at one
key one at a time. Each package passes its own modelling choices (limits, windows)."""

from __future__ import annotations

import hashlib
import math
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass


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
        growth: int,
        max_window: float,
        capacity: int,
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


class AttemptLocks:
    """A fixed set of locks, one held around each attempt at a key (check, comparison,
    record), so concurrent guesses at one key are counted one after another and none passes
    the check before the failures before it are recorded. Keys whose digests collide share a
    lock: bounded memory, whatever the flood."""

    def __init__(self, stripes: int = 64) -> None:
        self._locks = [threading.Lock() for _ in range(stripes)]

    def __call__(self, text: str) -> threading.Lock:
        digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).digest()
        return self._locks[digest[0] % len(self._locks)]
