"""An access log for either server: one line per request, written when the answer has been
sent, so it carries the status and how long the whole exchange took.

A WSGI middleware rather than waitress's logger: waitress logs no requests at all, and only
the layer around the app sees both the status (from ``start_response``) and the moment the
body is done (the answer's ``close()``). A line reads::

    2026-12-01T15:20:01.123Z GET /scim/1/v2/Users?filter=userName%20eq%20%22ada%22 200 3.1ms

No header is written, so ``Authorization`` (the SCIM token, the control keys, a client's
Basic credentials) never is; a query-string parameter whose name says it holds a secret
(``token``, ``client_secret``, ``password``, ``key``, ...) keeps its name with the value
masked, and so does a secret-named parameter nested in another's value (a ``next`` or
``RelayState`` URL that carries ``?token=...``, encoded once or more). Paths and queries are written percent-encoded, so a request cannot forge a line.
"""

from __future__ import annotations

import os
import re
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote, unquote_plus

#: Parts of a query parameter's name that mark its value as a secret.
SECRET_NAME_PARTS = (
    "token",
    "secret",
    "password",
    "passwd",
    "key",
    "auth",
    "code",
    "session",
    "credential",
    "assertion",
    "signature",
)
MASK = "***"
#: A path or query longer than this is cut (and marked), so no line grows without bound.
MAX_TARGET_CHARS = 2000
_SAFE_PATH = "/:@!$&'()*+,;=-._~"
_SAFE_QUERY = _SAFE_PATH + "?%"

Writer = Callable[[str], None]


def is_secret_name(name: str) -> bool:
    lowered = unquote_plus(name).lower()
    return any(part in lowered for part in SECRET_NAME_PARTS)


#: A ``name=value`` pair inside a decoded parameter value (a URL's query, a form-encoded blob).
_NESTED_PAIR = re.compile(r"([^?&;#=\s]+)=([^&;#\s]*)")
#: How many layers of percent-encoding are undone to find a nested pair.
_NESTED_DECODES = 3


def _masked_value(value: str) -> str:
    """A parameter value, with any secret-named pair nested in it masked (re-encoded then)."""
    decoded = value
    for _ in range(_NESTED_DECODES):
        layer = unquote_plus(decoded)
        if layer == decoded:
            break
        decoded = layer
    hidden = [
        m for m in _NESTED_PAIR.finditer(decoded) if m.group(2) and is_secret_name(m.group(1))
    ]
    if not hidden:
        return value
    inner = _NESTED_PAIR.sub(
        lambda m: (
            f"{m.group(1)}={MASK}" if m.group(2) and is_secret_name(m.group(1)) else m.group(0)
        ),
        decoded,
    )
    return quote(inner, safe="/:@!$'()*,-._~")


def masked_query(query: str) -> str:
    """The query string with the value of every secret-named parameter replaced by ``***``,
    and any secret-named pair nested in another parameter's value masked too."""
    if not query:
        return ""
    out = []
    for pair in query.split("&"):
        name, eq, value = pair.partition("=")
        if eq and is_secret_name(name):
            out.append(f"{name}={MASK}")
        elif eq and value:
            out.append(f"{name}={_masked_value(value)}")
        else:
            out.append(pair)
    return "&".join(out)


def request_target(environ: dict[str, Any]) -> str:
    """The path and (masked) query of a request, percent-encoded and bounded."""
    path = environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", "")
    # WSGI gives the path decoded as latin-1; encoding it back restores the bytes sent.
    target = quote(path.encode("latin-1", "replace"), safe=_SAFE_PATH) or "/"
    query = masked_query(environ.get("QUERY_STRING", ""))
    if query:
        target += "?" + quote(query.encode("latin-1", "replace"), safe=_SAFE_QUERY + "=")
    if len(target) > MAX_TARGET_CHARS:
        target = target[:MAX_TARGET_CHARS] + "...(cut)"
    return target


def _stamp(epoch: float) -> str:
    moment = datetime.fromtimestamp(epoch, UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


class AccessLog:
    """Wraps a WSGI app; each finished request becomes one line given to every writer.

    The writers are called under one lock, so lines from the server's threads never mix."""

    def __init__(
        self,
        app: Callable[..., Iterable[bytes]],
        writers: Sequence[Writer],
        *,
        wall: Callable[[], float] = time.time,
        timer: Callable[[], float] = time.perf_counter,
    ) -> None:
        self.app = app
        self.writers = tuple(writers)
        self._wall, self._timer = wall, timer
        self._lock = threading.Lock()

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        started_at, started = self._wall(), self._timer()
        status: list[str] = []

        def recording(code: str, headers: Any, exc_info: Any = None) -> Any:
            status[:] = [code.split(" ", 1)[0]]
            if exc_info is None:
                return start_response(code, headers)
            return start_response(code, headers, exc_info)

        def finish(outcome: str = "") -> None:
            took = (self._timer() - started) * 1000
            # An app that raised before answering gets waitress's 500.
            code = status[0] if status else "500"
            line = (
                f"{_stamp(started_at)} {quote(environ.get('REQUEST_METHOD', '-'), safe='')} "
                f"{request_target(environ)} {code} {took:.1f}ms{outcome}"
            )
            self.write(line)

        try:
            body = self.app(environ, recording)
        except BaseException:
            finish(" (app error)")
            raise
        return _Logged(body, finish)

    def write(self, line: str) -> None:
        with self._lock:
            for writer in self.writers:
                writer(line)


class _Logged:
    """The app's answer, passed through; the line is written when the server closes it (the
    body sent, or given up on), once."""

    def __init__(self, body: Iterable[bytes], finish: Callable[[str], None]) -> None:
        self._body = body
        self._finish = finish
        self._outcome = ""
        self._done = False

    def __iter__(self) -> Iterator[bytes]:
        try:
            yield from self._body
        except GeneratorExit:
            raise
        except BaseException:
            self._outcome = " (aborted)"
            raise

    def close(self) -> None:
        try:
            close = getattr(self._body, "close", None)
            if close is not None:
                close()
        finally:
            if not self._done:
                self._done = True
                self._finish(self._outcome)


class LogFile:
    """A log file only its owner can read (0600), appended to line by line; a writer for
    :class:`AccessLog`."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        os.fchmod(fd, 0o600)
        self._handle = os.fdopen(fd, "a", encoding="utf-8", buffering=1)

    def __call__(self, line: str) -> None:
        if not self._handle.closed:
            self._handle.write(line + "\n")

    def close(self) -> None:
        self._handle.close()


#: The access log's file name in a server's data folder (``wrike-sp serve``,
#: ``mock-onelogin serve``; ``harness up`` names one per server).
ACCESS_LOG = "access.log"


def stderr_writer(prefix: str = "") -> Writer:
    """A writer of lines to stderr (``--verbose``), each after ``prefix``."""
    import sys

    def write(line: str) -> None:
        sys.stderr.write(f"{prefix}{line}\n")
        sys.stderr.flush()

    return write


def logged(
    app: Callable[..., Iterable[bytes]], path: str | os.PathLike[str], *, echo: bool = False
) -> AccessLog:
    """``app`` writing its access log to ``path`` (0600), and to stderr too with ``echo``."""
    writers: list[Writer] = [LogFile(path)]
    if echo:
        writers.append(stderr_writer())
    return AccessLog(app, writers)
