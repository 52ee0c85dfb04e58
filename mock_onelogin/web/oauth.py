"""``/auth/oauth2``: client-credentials tokens with OneLogin's three client-auth styles.

Failed client secrets are throttled per client_id and per client address
(:class:`~mock_onelogin.domain.signin.SignInThrottle`); a locked request answers 429 with
Retry-After in the endpoint's own v1 error shape, before any secret is checked."""

from __future__ import annotations

import base64
import binascii
import contextlib
import re
from typing import Any

from flask import Blueprint, Response, current_app, g, jsonify, request
from flask.sansio.blueprints import BlueprintSetupState

from mock_onelogin.domain import modelling
from mock_onelogin.domain.errors import BadRequest, OneLoginError
from mock_onelogin.domain.signin import SignInThrottle, Throttled
from mock_onelogin.web.common import (
    RateLimited,
    Unauthorized,
    account,
    authenticate,
    bearer_token,
    status_only,
)
from mock_onelogin.web.errors import v1_error, v1_success

bp = Blueprint("oauth", __name__, url_prefix="/auth")
_HEADER_STYLE = re.compile(r"client_id:\s*([^,\s]+)\s*,\s*client_secret:\s*(\S+)", re.I)


@bp.record_once
def _setup(state: BlueprintSetupState) -> None:
    clock = state.app.extensions["mock_onelogin"].clock
    state.app.extensions["mock_onelogin_oauth_throttle"] = SignInThrottle(clock)


@bp.errorhandler(OneLoginError)
def _error(exc: OneLoginError) -> Response:
    return v1_error(exc.status, exc.message)


@bp.errorhandler(Throttled)
def _throttled(exc: Throttled) -> Response:
    response = v1_error(429, str(exc))
    response.headers["Retry-After"] = str(exc.retry_after)
    return response


def _checked_client(creds: tuple[str, str] | None) -> dict[str, Any] | None:
    """The API client whose secret matches, throttled: a locked client_id or address is
    refused (:class:`Throttled`) before its secret is looked at."""
    if creds is None:
        return None
    throttle: SignInThrottle = current_app.extensions["mock_onelogin_oauth_throttle"]
    address = request.remote_addr or "unknown"
    with throttle.attempt(creds[0]):
        throttle.check(creds[0], address)
        client = account().api_clients.check_client(*creds)
        throttle.record(creds[0], address, success=client is not None)
    return client


def _credentials() -> tuple[str, str] | None:
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("basic "):
        try:
            decoded = base64.b64decode(header[6:].strip(), validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            return None
        client_id, sep, secret = decoded.partition(":")
        return (client_id, secret) if sep else None
    match = _HEADER_STYLE.search(header)
    if match:
        return match.group(1), match.group(2)
    form = request.form
    if form.get("client_id") and form.get("client_secret"):
        return form["client_id"], form["client_secret"]
    body = request.get_json(silent=True)
    if isinstance(body, dict) and body.get("client_id") and body.get("client_secret"):
        return str(body["client_id"]), str(body["client_secret"])
    return None


def _grant_type() -> Any:
    body = request.get_json(silent=True)
    if isinstance(body, dict) and "grant_type" in body:
        return body["grant_type"]
    return request.form.get("grant_type")


def _issue() -> dict[str, Any]:
    if _grant_type() != "client_credentials":
        raise BadRequest("grant_type is incorrect/absent")
    client = _checked_client(_credentials())
    if client is None:
        raise Unauthorized("Authentication Failure")
    return account().api_clients.issue_token(client["client_id"])


@bp.post("/oauth2/v2/token")
def token_v2() -> Response:
    return jsonify(_issue())


@bp.post("/oauth2/token")
def token_v1() -> Response:
    return jsonify(v1_success([_issue()]))


@bp.post("/oauth2/revoke")
def revoke() -> Response:
    """The token stops working at once. A token with nothing to revoke (unknown, expired,
    revoked, another credential's) answers as ``modelling.REVOKE_UNKNOWN_TOKEN_SUCCEEDS``
    says."""
    client = _checked_client(_credentials())
    if client is None:
        raise Unauthorized("Authentication Failure")
    body = request.get_json(silent=True) or request.form
    token = body.get("access_token") if hasattr(body, "get") else None
    if not isinstance(token, str) or not token:
        raise BadRequest("access_token is absent")
    revoked = account().api_clients.revoke_token(token, client["client_id"])
    if not revoked and not modelling.REVOKE_UNKNOWN_TOKEN_SUCCEEDS:
        raise BadRequest("access_token is not a live token of this client")
    return jsonify(status_only())


@bp.get("/rate_limit")
def rate_limit() -> Response:
    """The hour's budget as the X-RateLimit-* headers of this answer say it. A spent budget
    is reported (200, remaining 0, the reset), not refused: a script asks exactly then. The
    call counts against the limit only while there is budget (see ``modelling``)."""
    if bearer_token() is None:
        raise Unauthorized("Authentication Failure")
    with contextlib.suppress(RateLimited):  # the refusal's headers are the report
        authenticate()
    headers = g.rate_headers
    return jsonify(v1_success({k: int(v) for k, v in headers.items()}))


@bp.after_request
def _headers(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    for key, value in (g.get("rate_headers") or {}).items():
        response.headers[key] = value
    return response
