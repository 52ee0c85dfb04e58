"""Activity > Events: the System Log with its filters, and one event with the SCIM
exchanges behind it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict
from typing import Any

from flask import request

from mock_onelogin.account import OneLoginAccount
from mock_onelogin.domain import modelling
from mock_onelogin.domain.clock import parse_iso
from mock_onelogin.domain.errors import BadRequest, NotFound, OneLoginError
from mock_onelogin.domain.events import EVENT_TYPES, Event
from mock_onelogin.domain.failures import error_wording_assumed
from mock_onelogin.domain.input_bounds import ascii_int
from mock_onelogin.domain.queries import UserQuery
from mock_onelogin.domain.secrets import scrub
from mock_onelogin.engine import display_name
from mock_onelogin.web.console import bp
from mock_onelogin.web.console._session import _account, _page

EVENTS_PER_PAGE = 100


def _event_name(type_id: int) -> str:
    """An event type's name read as words, e.g. "User app request approved" (one spelling
    for the console, the repro report and the steps: ``EventTypeInfo.words``)."""
    info = EVENT_TYPES.get(type_id)
    return info.words if info else f"Event {type_id}"


def _describe(event: Event, template: str) -> str:
    actor = event.actor_user_name or event.actor_system or "OneLogin"
    for key, value in (
        ("%actor_user%", actor),
        ("%user%", event.user_name),
        ("%app%", event.app_name),
        ("%role%", event.role_name),
    ):
        template = template.replace(key, value or "—")
    return template


def name_source(type_id: int) -> str:
    """Where an event type's name comes from, as the Events pages say it: OneLogin's name
    with its source, or the simulator's (assumed)."""
    info = EVENT_TYPES.get(type_id)
    if info is None:
        return ""
    if info.official:
        return f"OneLogin's name ({info.name_source})"
    return modelling.assumed("event_name", "Name")


def _live_user_ids(acct: OneLoginAccount, user_ids: set[int]) -> set[int]:
    """The users among ``user_ids`` that still have a page: a deleted user's events stay in
    the System Log, but their name is no longer a link (it would lead to "not found")."""
    users = acct.directory.users_by_ids(sorted(user_ids))
    return {uid for uid, user in users.items() if not user.get("deleted_at")}


def _event_row(event: Event, live_users: set[int]) -> dict[str, Any]:
    info = EVENT_TYPES.get(event.event_type_id)
    return {
        **asdict(event),
        "user_linked": event.user_id in live_users,
        "name": _event_name(event.event_type_id),
        "name_official": bool(info and info.official),
        "name_source": name_source(event.event_type_id),
        "description": _describe(event, info.description) if info else "",
        "actor": event.actor_user_name or event.actor_system or "",
        "has_scim": bool(event.scim),
        "wording_assumed": error_wording_assumed(event.error_description),
    }


def _time_arg(name: str) -> str | None:
    """A datetime-local value (``2026-01-01T09:00``) or ISO time, as UTC; checked here so a
    typo is refused in the page rather than deep in a query."""
    value = request.args.get(name, "").strip()
    if not value:
        return None
    try:
        parse_iso(value)
    except ValueError:
        raise BadRequest(
            f"{'From' if name == 'since' else 'To'} must be a time such as "
            f"2026-01-01T09:00, not {value!r}",
            name,
        ) from None
    return value


def _int_arg(name: str, label: str) -> int | None:
    value = request.args.get(name, "").strip()
    if not value:
        return None
    number = ascii_int(value, 1)
    if number is None:
        raise BadRequest(f"{label} must be a number from 1 to 2^63 - 1, not {value[:40]!r}", name)
    return number


def _filters(args: Iterable[str]) -> dict[str, str]:
    return {k: request.args[k] for k in args if request.args.get(k)}


@bp.get("/events")
def events() -> Any:
    acct = _account()
    everyone, _ = acct.directory.list_users(UserQuery(limit=1000))
    context: dict[str, Any] = {
        "section": "events",
        "users": everyone,
        "display_name": display_name,
        "types": sorted(EVENT_TYPES.values(), key=lambda t: t.id),
        "event_name": _event_name,
        "filters": _filters(("user_id", "type", "since", "until")),
    }
    try:
        user_id = _int_arg("user_id", "User")
        type_id = _int_arg("type", "Event type")
        rows = acct.system_log.events(
            event_type_ids=[type_id] if type_id is not None else (),
            user_id=user_id,
            since=_time_arg("since"),
            until=_time_arg("until"),
            after_id=_int_arg("after", "Page"),
            limit=EVENTS_PER_PAGE,
        )
    except OneLoginError as error:
        return _page(
            "events.html", error.status, rows=[], more=None, error=error.message, **context
        )
    more = rows[-1].id if len(rows) == EVENTS_PER_PAGE else None
    live = _live_user_ids(acct, {r.user_id for r in rows if r.user_id})
    return _page("events.html", rows=[_event_row(r, live) for r in rows], more=more, **context)


@bp.get("/events/<int:event_id>")
def event(event_id: int) -> Any:
    """One event, with the SCIM requests and responses behind it (the token masked)."""
    acct = _account()
    rows = acct.system_log.events(event_id=event_id, limit=1)
    if not rows:
        raise NotFound(f"Event {event_id} could not be found in the System Log")
    row = rows[0]
    tokens = (
        [acct.apps.connector(row.app_id).scim_bearer_token]
        if row.app_id and acct.apps.find_app(row.app_id)
        else []
    )
    exchanges = json.loads(scrub(row.scim, tokens)) if row.scim else []
    live = _live_user_ids(acct, {row.user_id} if row.user_id else set())
    return _page("event.html", section="events", event=_event_row(row, live), exchanges=exchanges)
