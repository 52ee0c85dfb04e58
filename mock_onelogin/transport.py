"""In-process transport: route a ``requests.Session`` into any WSGI app, with no sockets.

Why an HTTPAdapter rather than the ``responses`` library:
``responses`` patches ``HTTPAdapter.send`` process-wide while active and matches every call
against its registry, which is fine for unit-test fakes but adds per-request overhead and
global state to a transport the engine uses for tens of thousands of calls: measured by
bench/onelogin_provision.py in one sitting, the same Flask endpoint served 2 to 3 times more
calls per second through this adapter than through ``responses`` callbacks. An adapter mounted
on one session touches nothing else: two sessions can reach two different apps, and the real network still
works for other prefixes. It knows nothing of the app behind it.
"""

from __future__ import annotations

import io
import sys
from collections.abc import Callable, Iterable
from datetime import timedelta
from typing import Any
from urllib.parse import unquote, urlsplit

import requests
from requests.adapters import BaseAdapter
from requests.cookies import RequestsCookieJar, cookiejar_from_dict
from requests.structures import CaseInsensitiveDict

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class WSGIResponse(requests.Response):
    """A ``requests.Response`` whose cookie jar is built only if someone asks for it: the
    jar is the most expensive part of a Response and an in-process SCIM call never has one."""

    def __init__(self, headers: CaseInsensitiveDict[str] | None = None) -> None:
        # Deliberately skips Response.__init__ and its eager cookie jar.
        self._content = False  # type: ignore[assignment]  # requests' own "not read yet"
        self._content_consumed = True
        self._next = None
        self.status_code = 0
        self.headers = CaseInsensitiveDict() if headers is None else headers
        self.raw = None
        self.url = ""
        self.encoding = None
        self.history = []
        self.reason = ""
        self.elapsed = timedelta(0)
        self.request = None  # type: ignore[assignment]  # set by the adapter that sends it
        self._cookie_jar: RequestsCookieJar | None = None

    @property
    def cookies(self) -> RequestsCookieJar:
        if self._cookie_jar is None:
            self._cookie_jar = cookiejar_from_dict({})
        return self._cookie_jar

    @cookies.setter
    def cookies(self, jar: RequestsCookieJar) -> None:
        self._cookie_jar = jar


#: Header name -> WSGI environ key, remembered (the same few headers come on every call).
_ENVIRON_KEYS: dict[str, str] = {}


def _split(url: str) -> tuple[str, str, str, str]:
    """(scheme, netloc, path, query) of an absolute URL; a fast path for the plain URLs the
    engine builds, ``urlsplit`` for anything unusual."""
    scheme, sep, rest = url.partition("://")
    if not sep or "#" in rest:
        parts = urlsplit(url)
        return parts.scheme, parts.netloc, parts.path, parts.query
    netloc, slash, tail = rest.partition("/")
    path, _, query = (slash + tail).partition("?")
    return scheme, netloc, path, query


class WSGIAdapter(BaseAdapter):
    """A transport adapter that calls a WSGI callable directly."""

    def __init__(self, app: WSGIApp) -> None:
        super().__init__()
        self.app = app

    def send(
        self,
        request: requests.PreparedRequest,
        stream: bool = False,
        timeout: Any = None,
        verify: Any = True,
        cert: Any = None,
        proxies: Any = None,
    ) -> requests.Response:
        scheme, netloc, path, query = _split(request.url or "")
        body = request.body or b""
        if isinstance(body, str):
            body = body.encode("utf-8")
        elif not isinstance(body, bytes):
            body = b"".join(body)
        host, _, port = netloc.rpartition("@")[2].partition(":")
        if host.startswith("["):  # IPv6 literal
            parts = urlsplit(request.url or "")
            host, port = parts.hostname or "localhost", str(parts.port or "")
        environ: dict[str, Any] = {
            "REQUEST_METHOD": request.method or "GET",
            "SCRIPT_NAME": "",
            "PATH_INFO": (unquote(path) if "%" in path else path) or "/",
            "QUERY_STRING": query,
            "SERVER_NAME": host or "localhost",
            "SERVER_PORT": port or ("443" if scheme == "https" else "80"),
            "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": "127.0.0.1",
            "HTTP_HOST": netloc,
            "CONTENT_LENGTH": str(len(body)),
            "wsgi.version": (1, 0),
            "wsgi.url_scheme": scheme or "http",
            "wsgi.input": io.BytesIO(body),
            "wsgi.errors": sys.stderr,
            "wsgi.multithread": True,
            "wsgi.multiprocess": False,
            "wsgi.run_once": False,
        }
        for name, value in request.headers.items():
            key = _ENVIRON_KEYS.get(name)
            if key is None:
                upper = name.upper().replace("-", "_")
                key = upper if upper in ("CONTENT_TYPE", "CONTENT_LENGTH") else "HTTP_" + upper
                if len(_ENVIRON_KEYS) < 256:
                    _ENVIRON_KEYS[name] = key
            if key != "CONTENT_LENGTH":
                environ[key] = value

        captured: dict[str, Any] = {}

        def start_response(
            status: str, headers: list[tuple[str, str]], exc_info: Any = None
        ) -> Callable[[bytes], None]:
            captured["status"] = status
            captured["headers"] = headers
            return lambda data: None

        try:
            result = self.app(environ, start_response)
            try:
                content = b"".join(result)
            finally:
                close = getattr(result, "close", None)
                if close is not None:
                    close()
        except ConnectionError as exc:
            # An app that drops the connection mid-response (a server would close the
            # socket) looks to the client as it does over real HTTP.
            raise requests.ConnectionError(exc, request=request) from exc
        response = WSGIResponse(CaseInsensitiveDict(captured["headers"]))
        code, _, reason = captured["status"].partition(" ")
        response.status_code = int(code)
        response.reason = reason
        response._content = content
        response.encoding = "utf-8" if response.headers.get("Content-Type") else None
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
