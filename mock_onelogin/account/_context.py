"""What every part of the account shares: configuration, clock, store, engine, and the way a
change is logged and then lets queued work run."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from mock_onelogin.config import OneLoginConfig
from mock_onelogin.domain.clock import Clock, iso
from mock_onelogin.domain.errors import NotFound
from mock_onelogin.domain.events import EventType
from mock_onelogin.engine import ProvisioningEngine, make_event
from mock_onelogin.store import OneLoginStore

NOT_FOUND = "The resource with the given id could not be found"


@dataclass(frozen=True)
class Actor:
    """Who did it, as the System Log shows it."""

    name: str = "Simulator admin"
    user_id: int | None = None
    client_id: str | None = None

    @property
    def pair(self) -> tuple[int | None, str]:
        return self.user_id, self.name


SIMULATOR_ADMIN = Actor()


class AccountContext:
    def __init__(
        self,
        config: OneLoginConfig,
        clock: Clock,
        store: OneLoginStore,
        engine: ProvisioningEngine,
    ) -> None:
        self.config = config
        self.clock = clock
        self.store = store
        self.engine = engine
        #: Set when work is queued, so that a background worker drains it at once.
        self.wake = threading.Event()
        self._drain: Callable[[], object] = lambda: None

    def now(self) -> str:
        return iso(self.clock.now())

    def event(self, event_type: EventType, actor: Actor, **fields: Any) -> dict[str, Any]:
        return make_event(
            self.clock, event_type, actor=actor.pair, client_id=actor.client_id, **fields
        )

    def log(self, events: Sequence[dict[str, Any]]) -> None:
        self.store.insert_events(events)
        self.engine.note_events(len(events))

    def on_drain(self, drain: Callable[[], object]) -> None:
        """How queued work runs now (the provisioning queue registers its drain)."""
        self._drain = drain

    def after_change(self) -> None:
        """Let queued work run: now (sync mode) or on the worker (worker mode)."""
        if self.config.drain_mode == "sync":
            self._drain()
        elif self.config.drain_mode == "worker":
            self.wake.set()

    def run_now(self) -> None:
        """Work an admin asked for explicitly (approve, retry): wake the worker, and in sync
        mode run it at once."""
        self.wake.set()
        if self.config.drain_mode == "sync":
            self._drain()

    # lookups every part needs ---------------------------------------------------------------
    def require_user(self, user_id: int) -> dict[str, Any]:
        user = self.store.get_user(user_id)
        if user is None:
            raise NotFound(NOT_FOUND)
        return user

    def require_app(self, app_id: int) -> dict[str, Any]:
        app = self.store.get_app(app_id)
        if app is None:
            raise NotFound(NOT_FOUND)
        return app

    def require_role(self, role_id: int) -> dict[str, Any]:
        role = self.store.get_role(role_id)
        if role is None:
            raise NotFound(NOT_FOUND)
        return role

    def app_pair(self, app_id: int) -> tuple[int, str]:
        app = self.store.get_app(app_id) or {}
        return app_id, app.get("name", "")

    def role_pair(self, role_id: int) -> tuple[int, str]:
        role = self.store.get_role(role_id) or {}
        return role_id, role.get("name", "")
