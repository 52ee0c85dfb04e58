"""Request plumbing shared by the blueprints: the account, JSON bodies, pagination, auth."""

from __future__ import annotations

import base64
import binascii
import json
import re
import threading
import time
from typing import Any
from urllib.parse import parse_qs

from flask import Blueprint, Response, current_app, g, request
from flask.blueprints import BlueprintSetupState
from flask.json.provider import DefaultJSONProvider
from werkzeug.exceptions import NotFound as RouteNotFound
from werkzeug.routing import BaseConverter

from mock_onelogin.account import Actor, OneLoginAccount
from mock_onelogin.domain import modelling
from mock_onelogin.domain.clock import iso, parse_iso
from mock_onelogin.domain.directory import CUSTOM_ATTRIBUTES
from mock_onelogin.domain.errors import BadRequest, OneLoginError
from mock_onelogin.domain.input_bounds import ascii_int, nesting_exceeds, surrogate_free
from mock_onelogin.domain.queries import USER_TEXT_FIELDS, Match, TimeBound, UserQuery


class Unauthorized(OneLoginError):
    status = 401


class RateLimited(OneLoginError):
    status = 429


def account() -> OneLoginAccount:
    return current_app.extensions["mock_onelogin"]


class IdConverter(BaseConverter):
    """``<id:name>`` in a route: an id is ASCII digits from 1 to ``modelling.MAX_ID``.
    Anything that is not digits matches no route (the blueprint's catch-all answers 404);
    digits out of range are a 404 that says why, in the API family's shape."""

    regex = r"[0-9]+"
    part_isolating = True

    def to_python(self, value: str) -> int:
        number = ascii_int(value, 1)
        if number is None:
            raise RouteNotFound(
                f"No object has the id {value}: ids are integers from 1 to {modelling.MAX_ID}"
            )
        return number

    def to_url(self, value: Any) -> str:
        return str(int(value))


class PageIdConverter(IdConverter):
    """``<int:...>`` in the console's routes: an id out of range names no object (0), so the
    page's own lookup answers with the console's "not found" page rather than routing
    failing before the console can render it."""

    def to_python(self, value: str) -> int:
        return ascii_int(value, 1) or 0


def register_id_converter(bp: Blueprint) -> None:
    """Make ``<id:...>`` known to the app before the blueprint's routes are added (deferred
    functions run in the order they were recorded)."""

    def register(state: BlueprintSetupState) -> None:
        state.app.url_map.converters.setdefault("id", IdConverter)

    bp.record_once(register)


def parse_json(raw: bytes, limit: int = modelling.MAX_JSON_DEPTH) -> Any:
    """JSON text as the API reads it: UTF-8 (or the UTF-16/32 ``json`` detects), nested at
    most ``limit`` deep (checked before parsing), else a 400; a lone surrogate in a string
    becomes U+FFFD (``modelling.LONE_SURROGATE_REPLACEMENT``)."""
    try:
        text = raw.decode(json.detect_encoding(raw))
    except UnicodeDecodeError as exc:
        raise BadRequest(f"Request body is not valid JSON: {exc}") from exc
    if nesting_exceeds(text, limit):
        raise BadRequest(f"Request body nests objects and arrays more than {limit} levels deep")
    try:
        return surrogate_free(json.loads(text))
    except RecursionError as exc:  # the scan above makes this unreachable; kept as a net
        raise BadRequest("Request body is nested too deeply") from exc
    except ValueError as exc:
        raise BadRequest(f"Request body is not valid JSON: {exc}") from exc


class BoundedJSONProvider(DefaultJSONProvider):
    """The app's JSON: ``request.get_json`` anywhere (the token endpoint, the console) reads
    a text nested deeper than ``modelling.MAX_JSON_DEPTH`` as invalid JSON (a ValueError,
    which Flask answers 400, or None when asked to be silent), never a RecursionError, and
    a lone surrogate as U+FFFD, as ``parse_json`` does.
    Answers keep their keys in the order they were built."""

    sort_keys = False

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        text = s.decode(json.detect_encoding(s)) if isinstance(s, bytes) else s
        if nesting_exceeds(text, modelling.MAX_JSON_DEPTH):
            raise ValueError(f"JSON nested more than {modelling.MAX_JSON_DEPTH} levels deep")
        return surrogate_free(super().loads(text, **kwargs))


def json_body(*, array: bool = False) -> Any:
    """The request's JSON, refusing malformed bodies with a 400 instead of a crash."""
    raw = request.get_data(cache=True)
    if not raw.strip():
        raise BadRequest("Expected array in request" if array else "Request body is empty")
    data = parse_json(raw)
    if array and not isinstance(data, list):
        raise BadRequest("Expected array in request")
    return data


def bounded_int(name: str, value: str, minimum: int = 1, maximum: int = modelling.MAX_ID) -> int:
    """One integer from a query or a cursor: ASCII digits in [minimum, maximum], else a 400
    naming the range."""
    number = ascii_int(value.strip(), minimum, maximum)
    if number is None:
        raise BadRequest(
            f"{name} must be an integer from {minimum} to {maximum}, not {value!r}", name
        )
    return number


def int_arg(
    name: str, default: int | None = None, minimum: int = 1, maximum: int = modelling.MAX_ID
) -> int | None:
    """An integer query argument (an id unless told otherwise: 1 to ``modelling.MAX_ID``)."""
    value = request.args.get(name)
    if value is None or value == "":
        return default
    return bounded_int(name, value, minimum, maximum)


def page_args() -> tuple[int, int]:
    """v2 paging: ``limit`` (1 to ``MAX_PAGE_LIMIT``) and ``page`` (1 to ``MAX_PAGE``), or a
    ``cursor`` that encodes both, held to the same ranges."""
    cursor = request.args.get("cursor")
    if cursor:
        try:
            decoded = parse_qs(
                base64.b64decode(cursor.encode(), validate=True).decode(), strict_parsing=True
            )
            limit_text, page_text = decoded["limit"][0], decoded["page"][0]
        except (binascii.Error, KeyError, IndexError, ValueError, UnicodeError) as exc:
            raise BadRequest(
                f"cursor {cursor!r} is not a cursor this API issued", "cursor"
            ) from exc
        limit = ascii_int(limit_text, 1, modelling.MAX_PAGE_LIMIT)
        page = ascii_int(page_text, 1, modelling.MAX_PAGE)
        if limit is None or page is None:
            raise BadRequest(
                f"cursor {cursor!r} is not a cursor this API issued: its limit must be from 1 "
                f"to {modelling.MAX_PAGE_LIMIT} and its page from 1 to {modelling.MAX_PAGE}",
                "cursor",
            )
        return limit, page
    limit = int_arg("limit", modelling.DEFAULT_PAGE_LIMIT, 1, modelling.MAX_PAGE_LIMIT)
    page = int_arg("page", 1, 1, modelling.MAX_PAGE)
    assert limit is not None and page is not None
    return limit, page


def _cursor(limit: int, page: int) -> str:
    return base64.b64encode(f"limit={limit}&page={page}".encode()).decode()


def page_headers(total: int, limit: int, page: int, items: int) -> dict[str, str]:
    pages = max(1, -(-total // limit))
    headers = {
        "Total-Count": str(total),
        "Total-Pages": str(pages),
        "Current-Page": str(page),
        "Page-Items": str(items),
    }
    if page < pages:
        headers["After-Cursor"] = _cursor(limit, page + 1)
    if page > 1:
        headers["Before-Cursor"] = _cursor(limit, page - 1)
    return headers


def bearer_token() -> str | None:
    """Accept the three spellings OneLogin documents: ``Bearer x``, ``bearer x``,
    ``bearer:x``."""
    header = request.headers.get("Authorization", "").strip()
    lowered = header.lower()
    if lowered.startswith("bearer:"):
        return header[7:].strip() or None
    if lowered.startswith("bearer "):
        return header[7:].strip() or None
    return None


class RateLimiter:
    """A fixed one-hour window per account, reported in X-RateLimit-* headers."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._window = 0
        self._used = 0
        self._lock = threading.Lock()

    def hit(self, now: float) -> tuple[bool, dict[str, str]]:
        with self._lock:
            window = int(now // 3600)
            if window != self._window:
                self._window, self._used = window, 0
            allowed = self._used < self.limit
            if allowed:
                self._used += 1
            headers = {
                "X-RateLimit-Limit": str(self.limit),
                "X-RateLimit-Remaining": str(max(0, self.limit - self._used)),
                "X-RateLimit-Reset": str(int(3600 - now % 3600)),
            }
            return allowed, headers


def authenticate() -> None:
    """Resource API auth: a live bearer token; the actor is the token's API credential."""
    token = bearer_token()
    client = account().api_clients.token_client(token) if token else None
    if client is None:
        raise Unauthorized("Unauthorized")
    g.actor = Actor(name=f"API credential {client['name']}", client_id=client["client_id"])
    limiter: RateLimiter = current_app.extensions["mock_onelogin_rate"]
    allowed, headers = limiter.hit(time.time())
    g.rate_headers = headers
    if not allowed:
        raise RateLimited(str(modelling.RATE_LIMIT_ERROR["message"]))


def actor() -> Actor:
    return g.get("actor") or Actor()


def rate_headers(response: Response) -> Response:
    """Copy the X-RateLimit-* values the authentication step computed onto the answer."""
    for key, value in (g.get("rate_headers") or {}).items():
        response.headers[key] = value
    return response


#: Time filters of the users lists: query name -> (user stamp, at-or-after). ``since`` and
#: ``until`` are v1's names for the creation time; ``last_login_*`` name a stamp nobody has.
USER_TIME_FILTERS: dict[str, tuple[str | None, bool]] = {
    "created_since": ("created_at", True),
    "created_until": ("created_at", False),
    "updated_since": ("updated_at", True),
    "updated_until": ("updated_at", False),
    "last_login_since": (None, True),
    "last_login_until": (None, False),
}
V1_USER_TIME_FILTERS: dict[str, tuple[str | None, bool]] = {
    **USER_TIME_FILTERS,
    "since": ("created_at", True),
    "until": ("created_at", False),
}


def id_list_arg(*names: str) -> tuple[int, ...] | None:
    """The ids of comma-separated lists (``id=1,2,3``), from every one of ``names`` given;
    None when none is given. Several lists narrow (a user must be in each)."""
    found: set[int] | None = None
    for name in names:
        value = request.args.get(name)
        if not value:
            continue
        ids = {bounded_int(name, x) for x in value.split(",") if x.strip()}
        found = ids if found is None else found & ids
    return None if found is None else tuple(sorted(found))


def user_query(
    limit: int, offset: int, times: dict[str, tuple[str | None, bool]] = USER_TIME_FILTERS
) -> UserQuery:
    """The users-list filters OneLogin documents, read from the query string: exact values
    with ``*`` wildcards, time bounds, ids (``id``, ``user_ids``), roles (``role_id``), the
    directory, custom attributes and ``sort``."""
    matches = tuple(
        (name, Match(value)) for name in USER_TEXT_FIELDS if (value := request.args.get(name))
    )
    bounds: list[TimeBound] = []
    nobody = False
    for name, (field_name, after) in times.items():
        value = request.args.get(name)
        if value:
            try:
                stamp = iso(parse_iso(value))
            except ValueError as exc:
                raise BadRequest(f"{name} must be an ISO 8601 time, not {value!r}", name) from exc
            if field_name is None:
                # Nobody has logged in to the simulator, so last_login filters match no one.
                nobody = True
            else:
                bounds.append(TimeBound(field_name, stamp, after))
    custom = []
    for key, value in request.args.items():
        match = re.fullmatch(r"custom_attributes\.([A-Za-z0-9_]+)", key)
        if match and match.group(1) in CUSTOM_ATTRIBUTES:
            custom.append((match.group(1), Match(value)))
    sort = request.args.get("sort", "+id")
    return UserQuery(
        matches=matches,
        custom=tuple(custom),
        times=tuple(bounds),
        nobody=nobody,
        directory_id=int_arg("directory_id", minimum=0),
        ids=id_list_arg("id", "user_ids"),
        role_ids=id_list_arg("role_id"),
        sort=sort.lstrip("+- "),
        descending=sort.startswith("-"),
        limit=limit,
        offset=offset,
    )


def only_fields(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``fields=a,b``: only those attributes of each item, and always ``id``."""
    wanted = request.args.get("fields")
    if not wanted:
        return items
    keep = {f.strip() for f in wanted.split(",") if f.strip()} | {"id"}
    return [{k: v for k, v in item.items() if k in keep} for item in items]


def status_only() -> dict[str, Any]:
    """A v1 answer with no data: OneLogin's ``{"status": {...}}``, and (while
    ``modelling.V1_STATUS_FIELDS_AT_TOP``) the same fields at the top level, which is what
    SDK 4.0.1's ``Error`` model reads."""
    status = {"error": False, "code": 200, "type": "success", "message": "Success"}
    body: dict[str, Any] = {"status": status}
    if modelling.V1_STATUS_FIELDS_AT_TOP:
        body.update(status)
    return body
