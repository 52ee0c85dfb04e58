"""Harness controls: reset, fault injection and the journal of SCIM requests received.

They exist only when the configuration enables them. Faults act at the WSGI level so that
they look the same to an in-process client and to a client over real HTTP: an error status
(with Retry-After on 429), added latency, a connection dropped mid-response, or a malformed
body.
"""

from __future__ import annotations

import io
import json
import random
import re
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import asdict, dataclass, field
from functools import cache
from typing import Any

from flask import Blueprint, Response, current_app, request

from webguard.routes import index_document
from wrike_sp.domain.clock import Clock, stamp
from wrike_sp.domain.errors import AdminError
from wrike_sp.domain.modelling import MAX_BODY_BYTES
from wrike_sp.domain.schema import CORE_ATTRIBUTES, ENTERPRISE_ATTRIBUTES, AttributeDef
from wrike_sp.web.http import (
    ERROR_SCHEMA,
    SCIM_MEDIA_TYPE,
    admin_body,
    admin_json,
    require_admin_key,
)

FAULT_KINDS = ("status", "latency", "drop", "lost_response", "malformed")
_JOURNAL_BODY_LIMIT = 4096


@dataclass
class Fault:
    """One injected fault; it fires for the next ``remaining`` requests, or for a ``share``
    of them (drawn from a seeded generator, so runs repeat)."""

    id: int
    kind: str
    status: int = 503
    latency_ms: int = 0
    retry_after: int | None = None
    remaining: int | None = None
    share: float | None = None
    methods: list[str] | None = None


@dataclass
class HarnessState:
    journal_size: int
    clock: Clock
    faults: list[Fault] = field(default_factory=list)
    journal: deque[dict[str, Any]] = field(default_factory=deque)
    seed: int = 7
    lock: threading.Lock = field(default_factory=threading.Lock)
    _next_id: int = 1
    _sequence: int = 0

    def __post_init__(self) -> None:
        self.journal = deque(maxlen=self.journal_size)
        self.random = random.Random(self.seed)

    def add_fault(self, body: dict[str, Any]) -> Fault:
        kind = body.get("kind")
        if kind not in FAULT_KINDS:
            raise AdminError(400, "invalid_fault", f"kind must be one of {', '.join(FAULT_KINDS)}")
        count, share = body.get("count"), body.get("share")
        if (count is None) == (share is None):
            raise AdminError(
                400, "invalid_fault", "give exactly one of count (next N requests) or share (0..1)"
            )
        if count is not None and (
            not isinstance(count, int) or isinstance(count, bool) or count < 1
        ):
            raise AdminError(400, "invalid_fault", "count must be a positive integer")
        if share is not None and (
            not isinstance(share, (int, float)) or isinstance(share, bool) or not 0 < share <= 1
        ):
            raise AdminError(400, "invalid_fault", "share must be a number in (0, 1]")
        status = body.get("status", 503 if kind == "status" else 200)
        if not isinstance(status, int) or isinstance(status, bool) or not 100 <= status <= 599:
            raise AdminError(400, "invalid_fault", "status must be an HTTP status code")
        latency = body.get("latency_ms", 0)
        if not isinstance(latency, int) or isinstance(latency, bool) or not 0 <= latency <= 60_000:
            raise AdminError(400, "invalid_fault", "latency_ms must be 0..60000")
        retry_after = body.get("retry_after")
        if retry_after is not None and (not isinstance(retry_after, int) or retry_after < 0):
            raise AdminError(400, "invalid_fault", "retry_after must be a non-negative integer")
        methods = body.get("methods")
        if methods is not None and (
            not isinstance(methods, list) or not all(isinstance(m, str) for m in methods)
        ):
            raise AdminError(400, "invalid_fault", "methods must be a list of HTTP methods")
        with self.lock:
            fault = Fault(
                id=self._next_id,
                kind=kind,
                status=status,
                latency_ms=latency,
                retry_after=retry_after,
                remaining=count,
                share=float(share) if share is not None else None,
                methods=[m.upper() for m in methods] if methods else None,
            )
            self._next_id += 1
            self.faults.append(fault)
        return fault

    def pick(self, method: str) -> Fault | None:
        with self.lock:
            for fault in self.faults:
                if fault.methods and method not in fault.methods:
                    continue
                if fault.remaining is not None:
                    if fault.remaining <= 0:
                        continue
                    fault.remaining -= 1
                elif fault.share is not None and self.random.random() >= fault.share:
                    continue
                return fault
        return None

    def record(self, entry: dict[str, Any]) -> None:
        with self.lock:
            self._sequence += 1
            entry["seq"] = self._sequence
            self.journal.append(entry)

    def clear(self) -> None:
        with self.lock:
            self.faults.clear()
            self.journal.clear()
            self.random = random.Random(self.seed)


class HarnessMiddleware:
    """Wraps the provider's WSGI app: journals SCIM requests and injects faults into them."""

    def __init__(self, app: Callable[..., Iterable[bytes]], state: HarnessState) -> None:
        self.app = app
        self.state = state

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if not path.startswith("/scim/"):
            return self.app(environ, start_response)
        method = environ.get("REQUEST_METHOD", "GET")
        body = _peek_body(environ)
        entry: dict[str, Any] = {
            "at": stamp(self.state.clock()),
            "method": method,
            "path": path,
            "query": environ.get("QUERY_STRING", ""),
            "body": journal_body(body),
            "fault": None,
        }
        fault = self.state.pick(method)
        if fault is not None:
            entry["fault"] = fault.kind
            if fault.kind == "latency":
                time.sleep(fault.latency_ms / 1000)
            elif fault.kind == "lost_response":
                # The provider does the work, then the connection drops before the answer
                # arrives: the client cannot tell whether its change happened.
                _complete(self.app, environ, entry)
                self.state.record(entry)
                return _drop(start_response)
            else:
                entry["status"] = fault.status if fault.kind != "drop" else None
                self.state.record(entry)
                return _faulty(fault, start_response)

        def recording_start(
            status: str, headers: list[tuple[str, str]], exc_info: Any = None
        ) -> Any:
            entry["status"] = int(status.split(" ", 1)[0])
            return (
                start_response(status, headers, exc_info)
                if exc_info
                else start_response(status, headers)
            )

        result = self.app(environ, recording_start)
        self.state.record(entry)
        return result


def _complete(
    app: Callable[..., Iterable[bytes]], environ: dict[str, Any], entry: dict[str, Any]
) -> None:
    """Run the request through the app and throw its answer away."""

    def start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        entry["status"] = int(status.split(" ", 1)[0])
        return lambda data: None

    result = app(environ, start)
    try:
        for _ in result:
            pass
    finally:
        close = getattr(result, "close", None)
        if close is not None:
            close()


@dataclass(frozen=True)
class _Secrets:
    #: The attributes the User schema marks ``returned: never`` or ``mutability: writeOnly``
    #: (the core schema's ``password``, RFC 7643 §4.1.1): a client sends them, nobody reads
    #: them back, so neither does the journal.
    names: frozenset[str]
    #: A body that may name one (the cheap test before a body is parsed).
    mentions: re.Pattern[str]
    #: For a body that is not JSON: ``"password": "..."`` (also URN-qualified) as text.
    member: re.Pattern[str]


@cache
def _secrets() -> _Secrets:
    """Read from the schema the first time a body is journalled (not at start-up: the schema
    comes from scim2-models, imported on first use)."""
    names: set[str] = set()

    def walk(attributes: Mapping[str, AttributeDef]) -> None:
        for attr in attributes.values():
            if attr.returned == "never" or attr.mutability == "writeOnly":
                names.add(attr.name.lower())
            walk(attr.sub_attributes)

    walk(CORE_ATTRIBUTES)
    walk(ENTERPRISE_ATTRIBUTES)
    alternatives = "|".join(re.escape(n) for n in sorted(names))
    return _Secrets(
        frozenset(names),
        re.compile(alternatives, re.IGNORECASE),
        re.compile(
            r'("(?:[^"\\]*:)?(?:' + alternatives + r')"\s*:\s*)("(?:[^"\\]|\\.)*"?|[^,}\]\s]+)',
            re.IGNORECASE,
        ),
    )


REDACTED = "[redacted]"


def _is_secret(name: Any) -> bool:
    """``password``, ``urn:...:User:password``, ``password[...]``: the attribute a key or a
    PATCH path names."""
    if not isinstance(name, str):
        return False
    return name.rsplit(":", 1)[-1].split("[", 1)[0].split(".", 1)[0].lower() in _secrets().names


def _redacted(value: Any) -> Any:
    if isinstance(value, list):
        return [_redacted(v) for v in value]
    if not isinstance(value, dict):
        return value
    # A PATCH operation names the attribute in its path and carries the secret in its value.
    secret_path = _is_secret(value.get("path"))
    return {
        k: REDACTED if _is_secret(k) or (secret_path and k == "value") else _redacted(v)
        for k, v in value.items()
    }


def journal_body(body: bytes) -> str:
    """The body as the journal keeps it: at most 4 KiB, with the value of every secret
    attribute (and of a PATCH operation on one) replaced by ``"[redacted]"``. The journal
    is shown in BDD failure reports and ``harness repro``, which are pasted into tickets.

    The body is read in the encoding JSON allows (UTF-8, -16 or -32, as the provider reads
    it). A JSON escape (``"pass\\u0077ord"``) can spell a secret's name in other characters,
    so a body with one is always parsed; a body that does not parse but may name a secret
    keeps the text outside strings only when no escape could hide one."""
    if not body:
        return ""
    try:
        text = body.decode(json.detect_encoding(body), "replace")
    except LookupError:
        text = body.decode("utf-8", "replace")
    escaped = "\\u" in text
    if not escaped and not _secrets().mentions.search(text):
        return text[:_JOURNAL_BODY_LIMIT]
    try:
        kept = json.dumps(_redacted(json.loads(text)))
    except ValueError:
        if escaped:
            return f"{REDACTED} ({len(body)} bytes that are not JSON and may spell a secret)"
        kept = _secrets().member.sub(lambda m: f'{m.group(1)}"{REDACTED}"', text)
    return kept[:_JOURNAL_BODY_LIMIT]


def _peek_body(environ: dict[str, Any]) -> bytes:
    """Read the body for the journal and put it back for the app."""

    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length <= 0 or length > MAX_BODY_BYTES:  # a larger body is refused with 413 anyway
        return b""
    stream = environ["wsgi.input"]
    data = stream.read(length)
    environ["wsgi.input"] = io.BytesIO(data)
    return data


def _faulty(fault: Fault, start_response: Callable[..., Any]) -> Iterable[bytes]:
    if fault.kind == "status":
        body = {
            "schemas": [ERROR_SCHEMA],
            "status": str(fault.status),
            "detail": f"Injected fault: the service answered {fault.status}",
        }
        data = json.dumps(body).encode()
        headers = [("Content-Type", SCIM_MEDIA_TYPE), ("Content-Length", str(len(data)))]
        if fault.retry_after is not None:
            headers.append(("Retry-After", str(fault.retry_after)))
        start_response(f"{fault.status} Injected", headers)
        return [data]
    if fault.kind == "malformed":
        data = b'{"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "id": '
        start_response(
            f"{fault.status} OK",
            [("Content-Type", SCIM_MEDIA_TYPE), ("Content-Length", str(len(data)))],
        )
        return [data]
    return _drop(start_response)


def _drop(start_response: Callable[..., Any]) -> Iterable[bytes]:
    """A dropped connection: headers promise a body that never fully arrives."""
    start_response("200 OK", [("Content-Type", SCIM_MEDIA_TYPE), ("Content-Length", "4096")])
    return _dropping()


def _dropping() -> Iterator[bytes]:
    yield b'{"schemas": ['
    raise ConnectionAbortedError("Injected fault: connection dropped")


blueprint = Blueprint("harness_api", __name__, url_prefix="/harness/api")


@blueprint.before_request
def _require_key() -> None:
    if request.endpoint != "harness_api.index":
        require_admin_key("harness API")


#: One line per endpoint for the index.
DESCRIPTIONS = {
    "reset": "Reset the provider's store; clear faults and the journal",
    "add_fault": 'Inject a fault: {"kind": "status|latency|drop|lost_response|malformed", '
    '"status", "latency_ms", "retry_after", "count" or "share", "methods"}',
    "list_faults": "The faults waiting to fire",
    "clear_faults": "Remove every fault",
    "journal": "The SCIM requests received (after ?since=<seq>), secrets redacted",
    "clear_journal": "Empty the journal",
}


@blueprint.get("")
@blueprint.get("/")
def index() -> Response:
    """The endpoints below (``webguard.routes.index_document``: open without the key)."""
    return admin_json(
        index_document(
            current_app,
            blueprint.url_prefix or "",
            "Wrike harness API",
            "Bearer <admin key> (the admin API's) on every endpoint but this index",
            DESCRIPTIONS,
        )
    )


def _state() -> HarnessState:
    state: HarnessState = current_app.extensions["wrike"].harness
    return state


@blueprint.post("/reset")
def reset() -> Response:
    current_app.extensions["wrike"].store.reset()
    _state().clear()
    current_app.extensions["wrike_signin"].forget_failures()
    return Response(status=204)


@blueprint.post("/faults")
def add_fault() -> Response:
    return admin_json(asdict(_state().add_fault(admin_body())), 201)


@blueprint.get("/faults")
def list_faults() -> Response:
    return admin_json([asdict(f) for f in _state().faults])


@blueprint.delete("/faults")
def clear_faults() -> Response:
    state = _state()
    with state.lock:
        state.faults.clear()
    return Response(status=204)


@blueprint.get("/journal")
def journal() -> Response:
    state = _state()
    with state.lock:
        entries = list(state.journal)
    since = request.args.get("since", type=int)
    if since is not None:
        entries = [e for e in entries if e["seq"] > since]
    return admin_json(entries)


@blueprint.delete("/journal")
def clear_journal() -> Response:
    state = _state()
    with state.lock:
        state.journal.clear()
    return Response(status=204)
