"""Request plumbing shared by the blueprints: the account, JSON bodies, pagination, auth."""

from __future__ import annotations

import base64
import binascii
import threading
import time
from typing import Any
from urllib.parse import parse_qs

from flask import Response, current_app, g, request

from mock_onelogin.account import Actor, OneLoginAccount
from mock_onelogin.domain import modelling
from mock_onelogin.domain.errors import BadRequest, OneLoginError


class Unauthorized(OneLoginError):
    status = 401


class RateLimited(OneLoginError):
    status = 429


def account() -> OneLoginAccount:
    return current_app.extensions["mock_onelogin"]


def json_body(*, array: bool = False) -> Any:
    """The request's JSON, refusing malformed bodies with a 400 instead of a crash."""
    raw = request.get_data(cache=True)
    if not raw.strip():
        raise BadRequest("Expected array in request" if array else "Request body is empty")
    try:
        import json

        data = json.loads(raw)
    except ValueError as exc:
        raise BadRequest(f"Request body is not valid JSON: {exc}") from exc
    if array and not isinstance(data, list):
        raise BadRequest("Expected array in request")
    return data


def int_arg(
    name: str, default: int | None = None, minimum: int = 0, maximum: int | None = None
) -> int | None:
    value = request.args.get(name)
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except ValueError as exc:
        raise BadRequest(f"{name} must be an integer, not {value!r}", name) from exc
    if number < minimum or (maximum is not None and number > maximum):
        raise BadRequest(f"{name} must be between {minimum} and {maximum}", name)
    return number


def page_args() -> tuple[int, int]:
    """v2 paging: ``limit`` and ``page``, or a ``cursor`` that encodes both."""
    cursor = request.args.get("cursor")
    if cursor:
        try:
            decoded = parse_qs(base64.b64decode(cursor.encode(), validate=True).decode())
            return int(decoded["limit"][0]), max(1, int(decoded["page"][0]))
        except (binascii.Error, KeyError, ValueError, UnicodeDecodeError) as exc:
            raise BadRequest(
                f"cursor {cursor!r} is not a cursor this API issued", "cursor"
            ) from exc
    limit = int_arg("limit", modelling.DEFAULT_PAGE_LIMIT, 1, modelling.MAX_PAGE_LIMIT)
    page = int_arg("page", 1, 1)
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
