"""Shared response shapes: SCIM bodies with ``application/scim+json``, admin JSON errors."""

from __future__ import annotations

import hmac
import json
import re
from typing import Any

from flask import Response, current_app, request

from webguard import json_nesting_exceeds
from wrike_sp.domain import modelling
from wrike_sp.domain.errors import AdminError, ScimError
from wrike_sp.json_text import encode

SCIM_MEDIA_TYPE = "application/scim+json"
ERROR_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:Error"


# An absolute URL made only of characters a URI may carry as they are (RFC 3986).
_PLAIN_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+")


class ScimResponse(Response):
    """A SCIM answer. Its ``Location`` is built here from the SCIM base URL, already absolute;
    werkzeug's IRI round trip of that header would cost a sizeable share of a create, so it
    is done only for a URL that needs it (a host name sent in another script, or with
    characters a URI must escape)."""

    def get_wsgi_headers(self, environ: Any) -> Any:
        location = self.headers.get("Location")
        if location is None or not _PLAIN_URL.fullmatch(location):
            return super().get_wsgi_headers(environ)
        del self.headers["Location"]
        try:
            headers = super().get_wsgi_headers(environ)
        finally:
            self.headers["Location"] = location
        headers["Location"] = location
        return headers


def scim(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return ScimResponse(
        encode(body),
        status=status,
        mimetype=SCIM_MEDIA_TYPE,
        headers=headers,
    )


def scim_error(error: ScimError) -> Response:
    body: dict[str, Any] = {"schemas": [ERROR_SCHEMA], "status": str(error.status)}
    if error.scim_type:
        body["scimType"] = error.scim_type
    body["detail"] = error.detail
    return scim(body, error.status, error.headers)


def admin_json(body: Any, status: int = 200) -> Response:
    return Response(json.dumps(body), status=status, mimetype="application/json")


def admin_error(status: int, code: str, message: str) -> Response:
    return admin_json({"error": code, "message": message, "status": status}, status)


def nesting_exceeds(text: str, limit: int) -> bool:
    """Whether the JSON text nests deeper than ``limit`` (see ``webguard``)."""
    return json_nesting_exceeds(text, limit)


def read_json(raw: bytes, content_type: str | None) -> Any:
    """Parse a request body as JSON; anything else is the client's error, never ours."""
    if content_type:
        media = content_type.split(";", 1)[0].strip().lower()
        if (
            media
            and media not in ("application/json", SCIM_MEDIA_TYPE)
            and not media.endswith("+json")
        ):
            raise ScimError(
                415,
                None,
                f"Content-Type '{media}' is not accepted: send application/scim+json or "
                "application/json",
            )
    if not raw.strip():
        raise ScimError(
            400, "invalidSyntax", "The request body is empty: a JSON object is expected"
        )
    try:
        text = raw.decode(json.detect_encoding(raw))
    except UnicodeDecodeError as error:
        raise ScimError(400, "invalidSyntax", f"The body is not valid JSON: {error}") from error
    if nesting_exceeds(text, modelling.MAX_JSON_DEPTH):
        raise ScimError(
            400,
            "invalidSyntax",
            f"The JSON body nests objects and arrays more than {modelling.MAX_JSON_DEPTH} "
            "levels deep",
        )
    try:
        return json.loads(text)
    except RecursionError as error:
        raise ScimError(400, "invalidSyntax", "The JSON body is nested too deeply") from error
    except (ValueError, UnicodeDecodeError) as error:
        raise ScimError(400, "invalidSyntax", f"The body is not valid JSON: {error}") from error


def admin_body() -> dict[str, Any]:
    """The JSON object body of an admin or harness API request, refused in the admin shape."""
    try:
        body = read_json(request.get_data(cache=False), request.headers.get("Content-Type"))
    except ScimError as error:
        raise AdminError(error.status, "invalid_body", error.detail) from error
    if not isinstance(body, dict):
        raise AdminError(400, "invalid_body", "The request body must be a JSON object")
    return body


def require_admin_key(surface: str) -> None:
    """The admin key as a bearer token, for the admin and harness APIs (none configured:
    open, in-process tests only)."""
    key = current_app.extensions["wrike"].config.admin_key
    if key is None:
        return
    header = request.headers.get("Authorization", "")
    given = header[7:].strip() if header[:7].lower() == "bearer " else ""
    if not hmac.compare_digest(given.encode(), key.encode()):
        raise AdminError(
            401,
            "unauthorized",
            f"The {surface} needs 'Authorization: Bearer <admin key>' (printed by "
            "`wrike-sp serve` and `harness up`, and kept in their data folder)",
        )
