"""In-process transport: route a ``requests.Session`` into any WSGI app, with no sockets.

Why an HTTPAdapter rather than the ``responses`` library (DESIGN.md's first suggestion):
``responses`` patches ``HTTPAdapter.send`` process-wide while active and matches every call
against its registry, which is fine for unit-test fakes but adds per-request overhead and
global state to a transport the engine uses for tens of thousands of calls (bench/
onelogin_provision.py measures both and prints the ratio). An adapter mounted on one session
touches nothing else: two sessions can reach two different apps, and the real network still
works for other prefixes. It knows nothing of the app behind it.
"""

from __future__ import annotations

import io
import sys
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import unquote, urlsplit

import requests
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class WSGIAdapter(BaseAdapter):
    """A transport adapter that calls a WSGI callable directly."""

    def __init__(self, app: WSGIApp) -> None:
        super().__init__()
        self.app = app

    def send(self, request: requests.PreparedRequest, stream: bool = False,
             timeout: Any = None, verify: Any = True, cert: Any = None,
             proxies: Any = None) -> requests.Response:
        url = urlsplit(request.url or "")
        body = request.body or b""
        if isinstance(body, str):
            body = body.encode("utf-8")
        elif not isinstance(body, bytes):
            body = b"".join(body)  # type: ignore[arg-type]
        host = url.hostname or "localhost"
        port = str(url.port or (443 if url.scheme == "https" else 80))
        environ: dict[str, Any] = {
            "REQUEST_METHOD": request.method or "GET",
            "SCRIPT_NAME": "",
            "PATH_INFO": unquote(url.path) or "/",
            "QUERY_STRING": url.query,
            "SERVER_NAME": host,
            "SERVER_PORT": port,
            "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": "127.0.0.1",
            "HTTP_HOST": url.netloc,
            "CONTENT_LENGTH": str(len(body)),
            "wsgi.version": (1, 0),
            "wsgi.url_scheme": url.scheme or "http",
            "wsgi.input": io.BytesIO(body),
            "wsgi.errors": sys.stderr,
            "wsgi.multithread": True,
            "wsgi.multiprocess": False,
            "wsgi.run_once": False,
        }
        for name, value in request.headers.items():
            key = name.upper().replace("-", "_")
            if key == "CONTENT_TYPE":
                environ["CONTENT_TYPE"] = value
            elif key != "CONTENT_LENGTH":
                environ["HTTP_" + key] = value

        captured: dict[str, Any] = {}

        def start_response(status: str, headers: list[tuple[str, str]],
                           exc_info: Any = None) -> Callable[[bytes], None]:
            captured["status"] = status
            captured["headers"] = headers
            return lambda data: None

        result = self.app(environ, start_response)
        try:
            content = b"".join(result)
        finally:
            close = getattr(result, "close", None)
            if close is not None:
                close()
        response = requests.Response()
        response.status_code = int(captured["status"].split(" ", 1)[0])
        response.reason = captured["status"].split(" ", 1)[1] if " " in captured["status"] \
            else ""
        response.headers = CaseInsensitiveDict(captured["headers"])
        response._content = content
        response.encoding = response.headers.get("Content-Type") and "utf-8"
        response.url = request.url or ""
        response.request = request
        return response

    def close(self) -> None:
        """Nothing to release: there is no connection pool."""


def wsgi_session(app: WSGIApp, base_url: str = "http://scim.test") -> requests.Session:
    """A session whose requests under ``base_url`` go straight into ``app``.

    ``trust_env`` is off so proxy environment variables cannot redirect in-process calls (and
    requests skips its per-call environment lookups)."""
    session = requests.Session()
    session.trust_env = False
    session.mount(base_url.rstrip("/") + "/", WSGIAdapter(app))
    return session
