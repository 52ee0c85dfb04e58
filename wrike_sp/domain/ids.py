"""Injectable ids, like the injectable clock: a real provider draws each user's id at random
(Wrike's ids reveal nothing about order or count); a case replay gives one that draws them
from its seed, so two replays of the same case print the same ids."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable

#: Gives the id of the next user the provider creates (32 lowercase hex digits).
IdSource = Callable[[], str]


def random_id() -> str:
    return uuid.uuid4().hex


class SeededIds:
    """Ids drawn from a seed: the n-th id is a digest of the seed and n, so a replay that
    creates the same users in the same order gets the same ids. ``rewind`` starts over (the
    next replay on the same app)."""

    def __init__(self, seed: str) -> None:
        self.seed = seed
        self._count = 0

    def rewind(self, seed: str | None = None) -> None:
        if seed is not None:
            self.seed = seed
        self._count = 0

    def __call__(self) -> str:
        self._count += 1
        return hashlib.sha256(f"{self.seed}:{self._count}".encode()).hexdigest()[:32]
