"""OneLogin's wire habits as a SCIM client, over whatever a ``requests.Session`` reaches.

The client neither knows nor cares whether the session goes over the network, into a WSGI
app in the same process, or into a ``responses`` fake. Each call returns a ``ScimExchange``:
the request and response as the System Log keeps them, with the bearer token masked.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import quote

import requests

from mock_onelogin.domain import modelling
from mock_onelogin.domain.secrets import (
    REDACTED,
    mask_authorization,
    mentions_secret,
    redact_attributes,
    scrub,
)
from mock_onelogin.domain.wire import PATCH_SCHEMA


@dataclass
class ScimExchange:
    """One SCIM request and what came back (or the network error instead)."""

    method: str
    url: str
    request_headers: dict[str, str]
    request_body: Any
    status: int | None = None
    response_body: Any = None
    response_headers: Mapping[str, str] = field(default_factory=dict)
    network_error: str | None = None
    #: The request timed out (OneLogin words that failure its own way).
    timed_out: bool = False
    #: The JSON texts as sent and received, so the System Log stores them without encoding
    #: the same bodies a second time.
    request_text: str | None = None
    response_text: str | None = None
    headers_text: str | None = None

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300

    @property
    def retry_after(self) -> float | None:
        value = self.response_headers.get("Retry-After")
        if value is None:
            return None
        try:
            return float(value)
        except ValueError:
            try:
                return max(
                    0.0,
                    parsedate_to_datetime(value).timestamp()
                    - parsedate_to_datetime(self.response_headers.get("Date", value)).timestamp(),
                )
            except (TypeError, ValueError):
                return None

    def _secret_values(self) -> list[str]:
        """The secret attribute values (a password) this exchange sent, to keep out of what
        is logged of the answer: a provider's error may echo one."""
        found: list[str] = []
        if mentions_secret(self.request_text or json.dumps(self.request_body)):
            redact_attributes(self.request_body, found)
        return [v for v in found if len(v) >= 6]

    def _logged_bodies(self) -> tuple[Any, Any, str | None, str | None]:
        """Request and response as the System Log keeps them: secret attributes redacted
        (RFC 7643 ``writeOnly``/``returned: never``), and any value the request sent for one
        scrubbed from the answer. Bodies that mention none come back untouched, texts too."""
        request_text = self.request_text
        response_text = self.response_text
        if not (
            mentions_secret(request_text or json.dumps(self.request_body))
            or mentions_secret(response_text or json.dumps(self.response_body))
        ):
            return self.request_body, self.response_body, request_text, response_text
        found: list[str] = []
        request = redact_attributes(self.request_body, found)
        answer = json.dumps(redact_attributes(self.response_body, found))
        for value in found:
            if len(value) >= 6:
                answer = answer.replace(json.dumps(value)[1:-1], REDACTED)
        return request, json.loads(answer), json.dumps(request), answer

    def describe_failure(self) -> str:
        """What support needs from a failure: HTTP status, SCIM scimType and detail, or the
        network error (never a password the request sent)."""
        text = self._describe_failure()
        for value in self._secret_values():
            text = text.replace(value, REDACTED)
        return text

    def failure_summary(self) -> str:
        """The failure without the provider's own words: the HTTP status and SCIM
        ``scimType`` (the provider's ``detail`` stays in ``describe_failure``), or the network
        error."""
        if self.network_error:
            return self.describe_failure()
        body = self.response_body
        scim_type = body.get("scimType") if isinstance(body, dict) else None
        return f"HTTP {self.status}" + (f" (scimType {scim_type})" if scim_type else "")

    def _describe_failure(self) -> str:
        if self.network_error:
            return self.network_error
        parts = [f"HTTP {self.status}"]
        body = self.response_body
        if isinstance(body, dict):
            scim_type = body.get("scimType")
            detail = body.get("detail")
            errors = body.get("Errors")
            if scim_type:
                parts.append(f"scimType {scim_type}")
            if detail:
                parts.append(str(detail))
            elif isinstance(errors, dict | list):
                parts.append(json.dumps(errors))
        elif body:
            parts.append(str(body)[:300])
        return ": ".join([parts[0], ", ".join(parts[1:])]) if len(parts) > 1 else parts[0]

    def as_log_json(self, secrets: list[str] | None = None) -> str:
        """``as_log`` serialised, reusing the body texts already on hand. A body longer than
        ``LOG_BODY_LIMIT_BYTES`` is kept as the start of its text with the cut marker, as a
        JSON string (``secrets`` are masked before the cut, so no part of one is kept)."""

        def text(raw: str | None, value: Any) -> str:
            body = raw if raw is not None else json.dumps(value)
            kept = clip_text(body, secrets or [])
            return body if kept is body else json.dumps(kept)

        request, response, request_text, response_text = self._logged_bodies()
        status = "null" if self.status is None else str(int(self.status))
        error = "null" if self.network_error is None else json.dumps(self.network_error)
        return (
            f'{{"method": "{self.method}", "url": {json.dumps(self.url)}, '
            f'"request_headers": {text(self.headers_text, self.request_headers)}, '
            f'"request_body": {text(request_text, request)}, '
            f'"status": {status}, '
            f'"response_body": {text(response_text, response)}, '
            f'"network_error": {error}}}'
        )

    def as_log(self) -> dict[str, Any]:
        """The exchange as the System Log keeps it (the Authorization header is masked;
        callers scrub the serialised log for secrets echoed back in bodies; secret
        attributes are redacted)."""
        request, response, _, _ = self._logged_bodies()
        return {
            "method": self.method,
            "url": self.url,
            "request_headers": self.request_headers,
            "request_body": request,
            "status": self.status,
            "response_body": response,
            "network_error": self.network_error,
        }

    def to_log(self, secrets: list[str]) -> dict[str, Any]:
        """The exchange as stored in the System Log; secrets are scrubbed from everything."""
        return json.loads(scrub(self.as_log_json(secrets), secrets))


def clip_text(text: str, secrets: list[str]) -> str:
    """``text`` itself when it fits ``LOG_BODY_LIMIT_BYTES`` (UTF-8), else its start (with
    ``secrets`` masked first) followed by the marker that says how many bytes were cut."""
    limit = modelling.LOG_BODY_LIMIT_BYTES
    if len(text) * 4 <= limit:
        return text  # fits whatever its characters are
    encoded = text.encode()
    if len(encoded) <= limit:
        return text
    encoded = scrub(text, secrets).encode()
    kept = encoded[:limit].decode(errors="ignore")
    cut = len(encoded) - len(kept.encode())
    return kept + modelling.LOG_CUT_MARKER.format(cut=cut)


class ScimClient:
    """User calls as OneLogin makes them: filter by userName, POST, PUT or PATCH, DELETE."""

    def __init__(
        self,
        session: requests.Session,
        base_url: str,
        token: str,
        custom_headers: dict[str, str] | None = None,
        timeout: float = modelling.SCIM_TIMEOUT_S,
    ) -> None:
        self.session = session
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.timeout = timeout
        self.headers = {
            **modelling.DEFAULT_SCIM_HEADERS,
            **(custom_headers or {}),
            "Authorization": f"Bearer {token}",
        }
        self._logged_headers = {
            **self.headers,
            "Authorization": mask_authorization(self.headers["Authorization"]),
        }
        # The session's own default headers (e.g. set by whoever built the session) are merged
        # once here instead of on every request.
        wire = {
            **{k: v if isinstance(v, str) else v.decode() for k, v in session.headers.items()},
            **self.headers,
        }
        wire.pop("Accept-Encoding", None)
        self._wire_headers: requests.structures.CaseInsensitiveDict[str] = (
            requests.structures.CaseInsensitiveDict(wire)
        )
        self._headers_text = json.dumps(self._logged_headers)
        # The transport mounted for the base URL, and the proxy/TLS settings the session (and
        # its environment, if it trusts it) give that URL, are resolved once per connector.
        self._adapter = session.get_adapter(self.base_url + "/")
        settings = session.merge_environment_settings(
            self.base_url + "/", {}, False, session.verify, session.cert
        )
        self._send_kwargs: dict[str, Any] = {
            "stream": False,
            "timeout": timeout,
            "verify": settings["verify"],
            "cert": settings["cert"],
            "proxies": settings["proxies"],
        }

    def _prepare(self, method: str, url: str, data: str | None) -> requests.PreparedRequest:
        """Build the request directly: the engine's URLs are already encoded and its headers
        fixed, so ``Session.request``'s per-call merging of params, cookies, auth, hooks and
        environment (most of requests' overhead) buys nothing on the hot path. The request
        still goes out through the transport adapter the session has mounted for the URL, so
        whatever the session reaches (network, WSGI app, ``responses`` fake) is honoured."""
        prepared = requests.PreparedRequest()
        prepared.method = method
        prepared.url = url
        headers = self._wire_headers.copy()
        if data is not None:
            prepared.body = data.encode("utf-8")
            headers["Content-Length"] = str(len(prepared.body))
        elif method in ("POST", "PUT", "PATCH"):
            headers["Content-Length"] = "0"
        prepared.headers = headers
        prepared.hooks = {"response": []}
        prepared._cookies = None  # type: ignore[attr-defined]
        return prepared

    def _call(self, method: str, path: str, body: Any = None) -> ScimExchange:
        url = self.base_url + path
        data = None if body is None else json.dumps(body)
        exchange = ScimExchange(
            method,
            url,
            self._logged_headers,
            body,
            request_text=data,
            headers_text=self._headers_text,
        )
        try:
            response = self._adapter.send(self._prepare(method, url, data), **self._send_kwargs)
        except requests.Timeout as exc:
            exchange.network_error = (
                f"Timeout after {self.timeout:g}s calling {method} {url}: {exc.__class__.__name__}"
            )
            exchange.timed_out = True
            return exchange
        except requests.ConnectionError as exc:
            exchange.network_error = f"Connection error calling {method} {url}: {exc}"
            return exchange
        except requests.RequestException as exc:
            exchange.network_error = f"Request to {method} {url} failed: {exc}"
            return exchange
        except (ValueError, UnicodeError) as exc:
            # A request HTTP cannot carry (e.g. a custom header saved before header names were
            # checked): the call fails like any other, and the task can be retried.
            exchange.network_error = f"The request {method} {url} could not be sent: {exc}"
            return exchange
        try:
            content = response.content
        except requests.RequestException as exc:
            # The server sent headers, then the connection broke before the whole body came.
            exchange.network_error = (
                f"Connection error calling {method} {url}: the "
                f"connection broke during the answer: {exc}"
            )
            return exchange
        exchange.status = response.status_code
        exchange.response_headers = response.headers
        if content:
            try:
                text = content.decode("utf-8")
                exchange.response_body = json.loads(text)
                exchange.response_text = text
            except ValueError:  # includes UnicodeDecodeError
                exchange.response_body = content.decode("utf-8", "replace")[:2000]
        return exchange

    def find_by_username(self, user_name: str) -> ScimExchange:
        flt = quote(f'userName eq "{user_name}"', safe="")
        return self._call("GET", f"/Users?filter={flt}")

    def create(self, body: dict[str, Any]) -> ScimExchange:
        return self._call("POST", "/Users", body)

    def replace(self, scim_id: str, body: dict[str, Any]) -> ScimExchange:
        return self._call("PUT", f"/Users/{quote(scim_id, safe='')}", body)

    def patch(self, scim_id: str, operations: list[dict[str, Any]]) -> ScimExchange:
        body = {"schemas": [PATCH_SCHEMA], "Operations": operations}
        return self._call("PATCH", f"/Users/{quote(scim_id, safe='')}", body)

    def delete(self, scim_id: str) -> ScimExchange:
        return self._call("DELETE", f"/Users/{quote(scim_id, safe='')}")


def found_user_id(exchange: ScimExchange) -> tuple[bool, str | None]:
    """Read an existence check: (answer understood, id of the user found or None).

    An empty ListResponse or a 404 means "not there"; anything else that is not a list with
    a user carrying an ``id`` is a failure the admin must see."""
    if exchange.status == 404:
        return True, None
    if not exchange.ok or not isinstance(exchange.response_body, dict):
        return False, None
    body = exchange.response_body
    resources = body.get("Resources") or []
    total = body.get("totalResults", len(resources))
    if not total or not resources:
        return True, None
    first = resources[0]
    if isinstance(first, dict) and first.get("id") is not None:
        return True, str(first["id"])
    return False, None
