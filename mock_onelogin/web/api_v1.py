"""``/api/1``: the System Log (events, event types), in OneLogin's wrapped v1 shapes."""

from __future__ import annotations

import base64
import binascii
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, Response, jsonify, request

from mock_onelogin.domain.errors import BadRequest, NotFound, OneLoginError
from mock_onelogin.domain.events import EVENT_TYPES
from mock_onelogin.domain.input_bounds import ascii_int
from mock_onelogin.web.common import (
    account,
    authenticate,
    bounded_int,
    int_arg,
    rate_headers,
    register_id_converter,
)
from mock_onelogin.web.errors import v1_error, v1_success
from mock_onelogin.web.serializers import event_json

bp = Blueprint("api_v1", __name__, url_prefix="/api/1")
register_id_converter(bp)
PUBLIC = {"api_v1.event_types"}


@bp.before_request
def _auth() -> None:
    if request.endpoint not in PUBLIC:
        authenticate()


bp.after_request(rate_headers)


@bp.errorhandler(OneLoginError)
def _error(exc: OneLoginError) -> Response:
    return v1_error(exc.status, "Authentication Failure" if exc.status == 401 else exc.message)


@bp.get("/events/types")
def event_types() -> Response:
    """No Authorization needed, as documented. Beyond OneLogin's ``name``, ``description``
    and ``id``, each type says where its name comes from (``official_name``, ``name_source``:
    a public source, or "simulator"); the SDK's EventType model ignores the extra keys."""
    return jsonify(v1_success([t.to_json() for t in EVENT_TYPES.values()]))


def event_type_ids() -> list[int]:
    """Accept both ``event_type_id=51&event_type_id=52`` and ``event_type_id=51,52``."""
    out: list[int] = []
    for value in request.args.getlist("event_type_id"):
        for part in value.split(","):
            if not part.strip():
                continue
            out.append(bounded_int("event_type_id", part))
    return out


def _cursor_id(name: str) -> int | None:
    value = request.args.get(name)
    if not value:
        return None
    try:
        event_id = ascii_int(base64.urlsafe_b64decode(value.encode()).decode(), 1)
    except (binascii.Error, ValueError, UnicodeDecodeError) as exc:
        raise BadRequest(f"{name} {value!r} is not a cursor this API issued") from exc
    if event_id is None:
        raise BadRequest(f"{name} {value!r} is not a cursor this API issued")
    return event_id


def _encode(event_id: int) -> str:
    return base64.urlsafe_b64encode(str(event_id).encode()).decode()


def events_query() -> dict[str, Any]:
    sort = request.args.get("sort", "-id")
    if sort not in ("-id", "+id", "id", " id"):
        raise BadRequest("sort must be +id or -id")
    return {
        "event_type_ids": event_type_ids(),
        "user_id": int_arg("user_id"),
        "app_id": int_arg("app_id"),
        "event_id": int_arg("id"),
        "client_id": request.args.get("client_id") or None,
        "since": request.args.get("since") or request.args.get("created_at"),
        "until": request.args.get("until"),
        "after_id": _cursor_id("after_cursor"),
        "before_id": _cursor_id("before_cursor"),
        "descending": sort == "-id",
        "limit": int_arg("limit", 50, 1, 1000) or 50,
    }


@bp.get("/events")
def events() -> Response:
    query = events_query()
    limit = query["limit"]
    query["limit"] = limit + 1
    rows = account().system_log.events(**query)
    more = len(rows) > limit
    rows = rows[:limit]
    acct = account()
    base = acct.config.public_url.rstrip("/") + "/api/1/events"
    params = {k: v for k, v in request.args.items() if k not in ("after_cursor", "before_cursor")}
    after = _encode(rows[-1].id) if more and rows else None
    before = _encode(rows[0].id) if rows and (query["after_id"] is not None) else None
    pagination = {
        "before_cursor": before,
        "after_cursor": after,
        "previous_link": f"{base}?{urlencode({**params, 'before_cursor': before})}"
        if before
        else None,
        "next_link": f"{base}?{urlencode({**params, 'after_cursor': after})}" if after else None,
    }
    data = [event_json(r, acct.config.account_id) for r in rows]
    return jsonify(v1_success(data, pagination=pagination))


@bp.get("/events/<id:event_id>")
def event(event_id: int) -> Response:
    rows = account().system_log.events(event_id=event_id, limit=1)
    if not rows:
        raise NotFound(f"Event {event_id} could not be found")
    return jsonify(v1_success(event_json(rows[0], account().config.account_id)))


@bp.get("/users/<id:user_id>/roles")
def user_roles(user_id: int) -> Response:
    account().directory.require_user(user_id)
    return jsonify(v1_success(account().directory.user_role_ids(user_id)))


@bp.route("/<path:rest>", methods=["GET", "POST", "PUT", "DELETE", "PATCH"])
def unknown(rest: str) -> Response:
    return v1_error(404, f"No such endpoint: /api/1/{rest}")
