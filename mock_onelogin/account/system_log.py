"""The System Log as the API and the console read it."""

from __future__ import annotations

from collections.abc import Sequence

from mock_onelogin.domain.clock import parse_iso
from mock_onelogin.domain.errors import BadRequest
from mock_onelogin.domain.events import Event
from mock_onelogin.domain.queries import EventQuery
from mock_onelogin.store import OneLoginStore


def _stamp(value: str | None, name: str) -> float | None:
    if not value:
        return None
    try:
        return parse_iso(value).timestamp()
    except ValueError as exc:
        raise BadRequest(
            f"{name} must be an ISO 8601 time such as 2024-01-01T00:00:00Z, not {value!r}", name
        ) from exc


class SystemLog:
    def __init__(self, store: OneLoginStore) -> None:
        self._store = store

    def events(
        self,
        *,
        event_type_ids: Sequence[int] = (),
        user_id: int | None = None,
        app_id: int | None = None,
        since: str | None = None,
        until: str | None = None,
        event_id: int | None = None,
        client_id: str | None = None,
        after_id: int | None = None,
        before_id: int | None = None,
        descending: bool = True,
        limit: int = 50,
    ) -> list[Event]:
        """Events, newest first unless ``descending`` is false; ``since`` and ``until`` are
        ISO 8601 times."""
        return self._store.query_events(
            EventQuery(
                tuple(event_type_ids),
                user_id,
                app_id,
                event_id,
                client_id,
                _stamp(since, "since"),
                _stamp(until, "until"),
                after_id,
                before_id,
                descending,
                limit,
            )
        )
