"""``harness check``'s preflight: can the suite work against this SCIM endpoint at all?

Run before any scenario, so that a wrong token, a dead address, a URL that is not the SCIM
base or an unapproved domain is said once, in a few lines with the fix, instead of in every
scenario's traceback. Each check is bounded by a short timeout and the whole preflight by a
budget (:data:`BUDGET`), so it ends within seconds even against an address that never
answers. The checks, in order, each on one line of the verdict:

- ``reachable``: the host name resolves and its port takes a TCP connection;
- ``TLS`` (https only): the certificate verifies with the CA bundle requests uses;
- ``SCIM URL``: ``GET /Users`` answers SCIM JSON, not a 404 or an HTML page;
- ``token``: that request is not refused with 401/403. The token is judged on ``GET /Users``
  rather than on ``/ServiceProviderConfig``, because RFC 7644 §4 lets a provider serve the
  discovery documents without authentication (scim2-server does; the reference Wrike asks
  for the token on every path), while every provider guards its users;
- ``discovery``: ``GET /ServiceProviderConfig`` is read (a provider without one gets a warning:
  whether Wrike serves it is not known);
- ``filter``: the lookup OneLogin makes before every create (``userName eq "..."``) answers
  a list; a provider that cannot filter cannot be driven by OneLogin;
- ``PATCH``: the provider announces PATCH; without it the ``@both_update_methods`` scenarios'
  ``[PATCH]`` runs fail, so it is a warning;
- ``writes``: a user at the suite's domain can be created, read back (by id and by the
  ``userName`` filter) and deleted; ``--no-writes`` skips it. Whatever this check created is
  deleted even when a later step of it fails.

No exception reaches the user: requests' exceptions become sentences naming the host and
port, and the token never appears in the verdict (it is masked like the System Log masks it).
"""

from __future__ import annotations

import contextlib
import ipaddress
import re
import secrets
import socket
import textwrap
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field
from enum import Enum
from typing import Any
from urllib.parse import quote, urlsplit

import requests

from webguard.masking import mask, masked

#: Seconds to resolve the host name and to open a TCP connection (or finish the TLS handshake).
CONNECT_TIMEOUT = 3.0
#: Seconds to wait for an HTTP answer once connected.
READ_TIMEOUT = 4.0
#: Seconds all the checks may take together; the clean-up of a created user has its own
#: :data:`CLEANUP_TIMEOUT` on top for each of its two requests (a lookup when the create's
#: answer was lost, the delete), so the preflight ends within 10 s whatever the endpoint does.
BUDGET = 7.0
#: Seconds one clean-up request may take in all (half to connect, half to read the answer).
CLEANUP_TIMEOUT = 1.5
_CLEANUP_LIMITS = (CLEANUP_TIMEOUT / 2, CLEANUP_TIMEOUT / 2)
#: The userName prefix of the user the ``writes`` check creates and deletes.
PROBE_PREFIX = "harness-preflight-"
USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"
ERROR_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:Error"
LIST_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
#: How the fix for a wrong URL shows a SCIM base URL. Wrike's own URL shape is not published
#: (docs/: unconfirmed), so the example is the reference provider's.
URL_FIX = (
    "pass the SCIM base URL from Wrike's SCIM tab (Apps & Integrations > OneLogin > SCIM), "
    "without /Users; the reference provider's looks like http://HOST:PORT/scim/<account id>/v2"
)
WIDTH = 100
_DETAIL_LIMIT = 240


@dataclass
class _Probe:
    """The user the ``writes`` check creates: the ids the provider gave it, and whether the
    create's answer left it unknown if one was made."""

    ids: list[str] = field(default_factory=list)
    unsettled: bool = False


class Status(Enum):
    OK = "ok"
    PROBLEM = "problem"
    WARNING = "warning"
    SKIPPED = "skipped"


@dataclass(frozen=True)
class Check:
    """One line of the verdict; ``fix`` says what to change when it is a problem or warning."""

    name: str
    status: Status
    detail: str
    fix: str = ""


@dataclass(frozen=True)
class Verdict:
    url: str
    domain: str
    token_shown: str
    checks: tuple[Check, ...]
    seconds: float

    @property
    def problems(self) -> list[Check]:
        return [c for c in self.checks if c.status is Status.PROBLEM]

    @property
    def warnings(self) -> list[Check]:
        return [c for c in self.checks if c.status is Status.WARNING]

    @property
    def failed(self) -> bool:
        return bool(self.problems)

    def check(self, name: str) -> Check:
        return next(c for c in self.checks if c.name == name)

    def lines(self) -> list[str]:
        """The verdict on one screen: a heading, one line per check (wrapped at
        :data:`WIDTH`), the fix under each problem and warning, and a summary line."""
        out = [f"Preflight of {self.url} (token {self.token_shown}, domain {self.domain}):"]
        for check in self.checks:
            head = f"  {check.status.value:<8} {check.name:<10} "
            pad = " " * len(head)
            out += _wrap(check.detail, head, pad) or [head.rstrip()]
            if check.fix and check.status in (Status.PROBLEM, Status.WARNING):
                out += _wrap(check.fix, pad + "fix: ", pad + "     ")
        problems, warnings = len(self.problems), len(self.warnings)
        summary = f"Preflight: {problems} problem(s), {warnings} warning(s) in {self.seconds:.1f} s"
        out.append(summary + ("." if problems else "; the endpoint can run the suite."))
        return out


def _wrap(text: str, first: str, rest: str) -> list[str]:
    return textwrap.wrap(
        text, WIDTH, initial_indent=first, subsequent_indent=rest, break_on_hyphens=False
    )


class _OutOfTime(Exception):
    pass


class _Transport(Exception):
    """A request got no HTTP answer; the message is the sentence for the user."""

    def __init__(self, sentence: str, fix: str, tls: bool = False, timeout: bool = False) -> None:
        super().__init__(sentence)
        self.sentence = sentence
        self.fix = fix
        self.tls = tls
        self.timeout = timeout


@dataclass
class _Answer:
    status: int
    content_type: str
    body: Any  # the decoded JSON, or None
    text: str
    location: str | None

    @property
    def is_html(self) -> bool:
        return "html" in self.content_type or self.text.lstrip()[:1] == "<"

    @property
    def is_scim_error(self) -> bool:
        return isinstance(self.body, dict) and ERROR_SCHEMA in (self.body.get("schemas") or [])

    @property
    def is_list(self) -> bool:
        body = self.body
        return isinstance(body, dict) and (
            LIST_SCHEMA in (body.get("schemas") or []) or "totalResults" in body
        )

    def detail(self) -> str:
        """What the provider said: the SCIM error's detail, an HTML page's title, or the
        start of the text."""
        if isinstance(self.body, dict):
            for key in ("detail", "message", "error_description", "error", "errorDescription"):
                value = self.body.get(key)
                if isinstance(value, str) and value.strip():
                    return _shorten(value)
        if self.is_html:
            title = re.search(r"<title[^>]*>(.*?)</title>", self.text, re.S | re.I)
            return f"an HTML page{f' titled {_shorten(title[1])!r}' if title else ''}"
        return _shorten(self.text) if self.text.strip() else "an empty body"


def _shorten(text: str, limit: int = _DETAIL_LIMIT) -> str:
    # A provider's words reach a terminal: no control character (an escape sequence) passes.
    text = " ".join("".join(c if c.isprintable() else " " for c in text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass
class _Endpoint:
    url: str
    token: str
    session: requests.Session
    started: float = field(default_factory=time.monotonic)

    @property
    def parts(self) -> tuple[str, str, int]:
        split = urlsplit(self.url)
        scheme = split.scheme
        port = split.port or (443 if scheme == "https" else 80)
        return scheme, split.hostname or "", port

    @property
    def where(self) -> str:
        _, host, port = self.parts
        return f"{host}:{port}"

    def remaining(self) -> float:
        return BUDGET - (time.monotonic() - self.started)

    def timeouts(self) -> tuple[float, float]:
        left = self.remaining()
        if left < 0.3:
            raise _OutOfTime
        return min(CONNECT_TIMEOUT, left), min(READ_TIMEOUT, left)

    def send(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        auth: bool = True,
        timeout: tuple[float, float] | None = None,
    ) -> _Answer:
        headers = {"Accept": "application/scim+json, application/json"}
        if auth:
            headers["Authorization"] = f"Bearer {self.token}"
        if body is not None:
            headers["Content-Type"] = "application/scim+json"
        limits = timeout or self.timeouts()
        what = f"{method} {path.split('?')[0] or '/'}"
        try:
            response = self.session.request(
                method,
                self.url + path,
                json=body,
                headers=headers,
                timeout=limits,
                allow_redirects=False,
            )
        except requests.RequestException as error:
            raise _transport(error, what, self.where, limits) from None
        content_type = response.headers.get("Content-Type", "").lower()
        text = response.text[:20_000]
        decoded: Any = None
        if text.strip():
            with contextlib.suppress(ValueError):
                decoded = response.json()
        return _Answer(
            response.status_code, content_type, decoded, text, response.headers.get("Location")
        )


def _reason(error: BaseException) -> str:
    """The innermost reason urllib3 gives, without object reprs."""
    cause: Any = error.args[0] if error.args else error
    cause = getattr(cause, "reason", cause)
    text = str(cause)
    text = re.sub(r"<[^<>]*? object at 0x[0-9a-f]+>:?\s*", "", text)
    text = re.sub(r"\(Caused by [A-Za-z]+\((.*)\)\)$", r"\1", text)
    return _shorten(text.strip("()'\" "), 160)


_TLS_FIX = (
    "if the certificate comes from a private CA, set REQUESTS_CA_BUNDLE to that CA's PEM "
    "file; otherwise fix the server's certificate (its name, dates and chain)"
)


def _transport(
    error: requests.RequestException, what: str, where: str, limits: tuple[float, float]
) -> _Transport:
    connect, read = limits
    if isinstance(error, requests.exceptions.SSLError):
        text = str(error)
        failed = re.search(r"certificate verify failed: ([^()]+?)\s*\(_ssl", text)
        if failed or "CERTIFICATE_VERIFY_FAILED" in text:
            why = failed[1] if failed else "the certificate is not trusted"
            return _Transport(
                f"certificate verification failed for {where}: {why}", _TLS_FIX, tls=True
            )
        if "WRONG_VERSION_NUMBER" in text or "wrong version number" in text:
            return _Transport(
                f"{where} does not answer TLS (is the endpoint http://, not https://?)",
                "use the scheme the endpoint serves in --scim-url",
                tls=True,
            )
        return _Transport(
            f"the TLS handshake with {where} failed: {_reason(error)}", _TLS_FIX, True
        )
    if isinstance(error, requests.exceptions.ProxyError):
        return _Transport(
            f"the proxy failed to reach {where}: {_reason(error)}",
            "check HTTPS_PROXY / HTTP_PROXY, or add the host to NO_PROXY",
        )
    if isinstance(error, requests.exceptions.ConnectTimeout):
        return _Transport(
            f"no connection to {where} within {connect:g} s",
            "check the host and port in --scim-url and that this machine may reach it "
            "(firewall, VPN, proxy)",
        )
    if isinstance(error, requests.exceptions.ReadTimeout):
        return _Transport(
            f"{where} took the connection but sent no answer to {what} within {read:g} s",
            "check that --scim-url names the SCIM server and that it is not stuck",
            timeout=True,
        )
    if isinstance(error, requests.exceptions.ConnectionError):
        reason = _reason(error)
        if "refused" in reason.lower():
            return _Transport(
                f"nothing listens at {where} (connection refused)",
                "start the SCIM server, or correct the host and port in --scim-url",
            )
        if any(word in reason for word in ("RemoteDisconnected", "BadStatusLine", "aborted")):
            return _Transport(
                f"{where} closed the connection without an HTTP answer to {what}",
                "check the scheme (http/https) and port in --scim-url",
            )
        return _Transport(
            f"the connection to {where} failed: {reason}", "check the host and port in --scim-url"
        )
    return _Transport(
        f"{what} to {where} failed: {type(error).__name__}: {_reason(error)}",
        "check --scim-url",
    )


def _loopback(host: str) -> bool:
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class _Run:
    """The checks in order; each appends its line, and a failed one names what the later
    checks need so they are skipped with that reason."""

    def __init__(self, endpoint: _Endpoint, domain: str, writes: bool) -> None:
        self.endpoint = endpoint
        self.domain = domain
        self.writes = writes
        self.checks: list[Check] = []
        self.blocked: str | None = None  # why the remaining checks cannot run
        self.config: dict[str, Any] | None = None
        self.filter_works = False

    def add(self, name: str, status: Status, detail: str, fix: str = "") -> None:
        self.checks.append(Check(name, status, detail, fix))

    def run(self) -> None:
        steps = (
            ("reachable", self.reachable),
            ("TLS", self.tls),
            ("SCIM URL", self.users),
            ("token", lambda: None),  # judged by the SCIM URL's request, GET /Users
            ("discovery", self.discovery),
            ("filter", self.filter),
            ("PATCH", self.patch),
            ("writes", self.write),
        )
        for name, step in steps:
            if self.blocked is not None:
                if not any(c.name == name for c in self.checks):
                    self.add(name, Status.SKIPPED, self.blocked)
                continue
            try:
                step()
            except _OutOfTime:
                self.add(name, Status.SKIPPED, f"the preflight ran out of time ({BUDGET:g} s)")
                self.blocked = "the preflight ran out of time"
            except _Transport as error:
                self.add(name, Status.PROBLEM, error.sentence, error.fix)
                self.blocked = f"needs an answer from {self.endpoint.where}"
            except Exception as error:  # a verdict line, never a traceback
                self.add(
                    name,
                    Status.PROBLEM,
                    f"the check failed unexpectedly: {type(error).__name__}: {_shorten(str(error))}",
                    "report this to the harness maintainers with the verdict above",
                )
                self.blocked = f"needs the {name} check"

    # -- the checks -------------------------------------------------------------------------

    def reachable(self) -> None:
        scheme, host, port = self.endpoint.parts
        where = self.endpoint.where
        proxies = requests.utils.get_environ_proxies(self.endpoint.url)
        if proxies.get(scheme) or proxies.get("all"):
            self.add(
                "reachable",
                Status.SKIPPED,
                f"through the proxy {proxies.get(scheme) or proxies.get('all')}; "
                "the next checks show whether it reaches the endpoint",
            )
            return
        limit = min(CONNECT_TIMEOUT, self.endpoint.remaining())
        pool = ThreadPoolExecutor(max_workers=1)
        future = pool.submit(socket.getaddrinfo, host, port, type=socket.SOCK_STREAM)
        pool.shutdown(wait=False)
        try:
            infos = future.result(timeout=limit)
        except FutureTimeout:
            self._unreachable(f"the host name {host} did not resolve within {limit:g} s", dns=True)
            return
        except (socket.gaierror, UnicodeError) as error:
            reason = getattr(error, "strerror", None) or str(error)
            self._unreachable(f"cannot resolve the host name {host} ({reason})", dns=True)
            return
        failure = ""
        for family, kind, proto, _, address in infos:
            left = min(CONNECT_TIMEOUT, self.endpoint.remaining())
            if left <= 0.1:
                break
            with socket.socket(family, kind, proto) as sock:
                sock.settimeout(left)
                try:
                    sock.connect(address)
                except ConnectionRefusedError:
                    failure = f"nothing listens at {where} (connection refused)"
                except TimeoutError:
                    failure = (
                        f"no connection to {where} within {left:g} s (no answer: a firewall "
                        "may drop the packets, or the address is wrong)"
                    )
                except OSError as error:
                    failure = f"cannot connect to {where}: {error.strerror or error}"
                else:
                    self.add("reachable", Status.OK, f"{where} takes connections ({address[0]})")
                    return
        self._unreachable(failure or f"no connection to {where} in time")

    def _unreachable(self, sentence: str, dns: bool = False) -> None:
        fix = (
            "check the host name in --scim-url (copy it from Wrike's SCIM tab) and this "
            "machine's DNS"
            if dns
            else "start the SCIM server, or correct the host and port in --scim-url; check "
            "that this machine may reach it (firewall, VPN, proxy)"
        )
        self.add("reachable", Status.PROBLEM, sentence, fix)
        self.blocked = f"needs {self.endpoint.where} to be reachable"

    def tls(self) -> None:
        scheme, host, _ = self.endpoint.parts
        if scheme != "https":
            if _loopback(host):
                self.add("TLS", Status.SKIPPED, "http URL on this machine: no TLS")
            else:
                self.add(
                    "TLS",
                    Status.WARNING,
                    f"http URL: the token travels to {host} unencrypted",
                    "use the https URL of the endpoint",
                )
            return
        limit = min(CONNECT_TIMEOUT, self.endpoint.remaining())
        try:
            self.endpoint.send("GET", "", auth=False, timeout=(limit, limit))
        except _Transport as error:
            if error.timeout:
                raise _Transport(
                    f"{self.endpoint.where} took the connection but completed no TLS handshake "
                    f"(or sent no answer) within {limit:g} s",
                    error.fix,
                ) from None
            if not error.tls:
                raise
            self.add("TLS", Status.PROBLEM, error.sentence, error.fix)
            self.blocked = "needs a TLS connection the client trusts"
            return
        self.add("TLS", Status.OK, f"the certificate of {host} verifies")

    def users(self) -> None:
        """``GET /Users``: is this the SCIM base URL, and is the token accepted?"""
        path = urlsplit(self.endpoint.url).path.rstrip("/")
        if path.lower().endswith("/users"):
            self._wrong_url(f"the URL ends in {path[path.rfind('/') :]}: that is a resource")
            return
        answer = self.endpoint.send("GET", "/Users?startIndex=1&count=1")
        status = answer.status
        said = answer.detail()
        if 300 <= status < 400:
            where = f" to {answer.location}" if answer.location else ""
            self._wrong_url(f"GET /Users answered {status}, a redirect{where}")
        elif answer.is_html:
            self._wrong_url(f"GET /Users answered {status} with {said}")
        elif status == 404:
            self._wrong_url(f"GET /Users answered 404: {said}")
        elif status in (401, 403):
            if answer.is_scim_error:
                self.add("SCIM URL", Status.OK, f"answers SCIM (a {status} error body)")
            else:
                self.add(
                    "SCIM URL",
                    Status.WARNING,
                    f"GET /Users answered {status} without a SCIM error body",
                    "check that --scim-url is the SCIM base URL",
                )
            self._token_refused(status, said)
        elif status >= 500:
            self.add(
                "SCIM URL",
                Status.PROBLEM,
                f"the endpoint failed: GET /Users answered {status}: {said}",
                "the provider is failing; try again later or ask its operator",
            )
            self.blocked = "needs GET /Users to answer"
        elif status == 200 and answer.is_list:
            total = answer.body.get("totalResults")
            count = f" ({total} user(s))" if isinstance(total, int) else ""
            self.add("SCIM URL", Status.OK, f"GET /Users answers a SCIM ListResponse{count}")
            self.add("token", Status.OK, "accepted")
        elif status == 200:
            self._wrong_url("GET /Users answered 200 but not with a SCIM ListResponse")
        else:
            self._wrong_url(f"GET /Users answered {status}: {said}")

    def _wrong_url(self, what: str) -> None:
        self.add("SCIM URL", Status.PROBLEM, f"this is not the SCIM base URL: {what}", URL_FIX)
        self.blocked = "needs the SCIM base URL"

    def _token_refused(self, status: int, said: str) -> None:
        if status == 401:
            fix = (
                "obtain a permanent API token in Wrike (Apps & Integrations > API) and pass it "
                "in HARNESS_SCIM_TOKEN (or --token)"
            )
            detail = f"refused (401): {said}"
        else:
            fix = (
                "use a token issued by an account admin holding the rights the detail names, "
                "for the account of this SCIM URL"
            )
            detail = f"accepted but not allowed to list users (403): {said}"
        self.add("token", Status.PROBLEM, detail, fix)
        self.blocked = "needs an accepted token"

    def discovery(self) -> None:
        answer = self.endpoint.send("GET", "/ServiceProviderConfig")
        if answer.status == 200 and isinstance(answer.body, dict):
            self.config = answer.body
            self.add("discovery", Status.OK, "GET /ServiceProviderConfig answers")
            return
        self.add(
            "discovery",
            Status.WARNING,
            f"GET /ServiceProviderConfig answered {answer.status}: {answer.detail()}; filter "
            "and PATCH support are judged without it",
            "none needed for the suite (RFC 7644 §4 asks every provider to serve it)",
        )

    def _supported(self, feature: str) -> bool | None:
        value = (self.config or {}).get(feature)
        supported = value.get("supported") if isinstance(value, dict) else None
        return supported if isinstance(supported, bool) else None

    def filter(self) -> None:
        probe = f'userName eq "{PROBE_PREFIX}lookup@{self.domain}"'
        answer = self.endpoint.send("GET", f"/Users?filter={quote(probe, safe='')}")
        announced = self._supported("filter")
        fix = (
            "the provider must support filter (userName eq); OneLogin and the suite cannot "
            "drive it otherwise"
        )
        if answer.status != 200 or not answer.is_list:
            self.add(
                "filter",
                Status.PROBLEM,
                f"the lookup OneLogin makes before each create ({probe}) answered "
                f"{answer.status}: {answer.detail()}"
                + (
                    "; ServiceProviderConfig says filter is not supported"
                    if announced is False
                    else ""
                ),
                fix,
            )
            return
        self.filter_works = True
        if announced is False:
            self.add(
                "filter",
                Status.WARNING,
                "ServiceProviderConfig says filter is not supported, yet userName eq answers",
                "none needed: the suite relies on the lookup, which works",
            )
            return
        self.add("filter", Status.OK, "userName eq answers (the lookup OneLogin makes)")

    def patch(self) -> None:
        announced = self._supported("patch")
        if announced is False:
            self.add(
                "PATCH",
                Status.WARNING,
                "ServiceProviderConfig says PATCH is not supported: the [PATCH] runs of the "
                "@both_update_methods scenarios will fail",
                "deselect them with `-- -k 'not PATCH'`",
            )
        elif announced is None:
            self.add("PATCH", Status.SKIPPED, "not announced; the [PATCH] runs will tell")
        else:
            self.add("PATCH", Status.OK, "supported (ServiceProviderConfig)")

    def write(self) -> None:
        if not self.writes:
            self.add("writes", Status.SKIPPED, f"--no-writes: no user created at {self.domain}")
            return
        name = f"{PROBE_PREFIX}{secrets.token_hex(4)}@{self.domain}"
        with self._cleanup(name) as probe:
            try:
                self._create_read_delete(name, probe)
            except _Transport as error:
                # Said before the clean-up runs, so a user left behind is added to this line.
                self.add("writes", Status.PROBLEM, error.sentence, error.fix)
                self.blocked = f"needs an answer from {self.endpoint.where}"
            except _OutOfTime:
                self.add("writes", Status.PROBLEM, f"ran out of time ({BUDGET:g} s)", "")

    def _create_read_delete(self, name: str, probe: _Probe) -> None:
        body = {
            "schemas": [USER_SCHEMA],
            "userName": name,
            "name": {"givenName": "Harness", "familyName": "Preflight"},
            "emails": [{"value": name, "type": "work", "primary": True}],
            "active": True,
        }
        # Until the POST's answer says otherwise, the provider may have created the user (an
        # answer lost to a timeout, a 2xx without an id): the clean-up then looks it up.
        probe.unsettled = True
        answer = self.endpoint.send("POST", "/Users", body)
        if 400 <= answer.status < 500:
            probe.unsettled = False  # a refusal: nothing was created
            self._refused(name, answer)
            return
        if answer.status not in (200, 201) or not isinstance(answer.body, dict):
            self._refused(name, answer)
            return
        user_id = str(answer.body.get("id") or "")
        if not user_id:
            self.add("writes", Status.PROBLEM, "POST /Users answered without an id", "")
            return
        probe.ids.append(user_id)
        probe.unsettled = False
        path = f"/Users/{quote(user_id, safe='')}"
        read = self.endpoint.send("GET", path)
        if read.status != 200 or not isinstance(read.body, dict):
            self.add(
                "writes",
                Status.PROBLEM,
                f"created {name}, but GET {path} answered {read.status}: {read.detail()}",
                "the provider must return the user it created",
            )
            return
        if self.filter_works:
            lookup = quote(f'userName eq "{name}"', safe="")
            found = self.endpoint.send("GET", f"/Users?filter={lookup}")
            resources = found.body.get("Resources") if isinstance(found.body, dict) else None
            if not resources:
                self.add(
                    "writes",
                    Status.PROBLEM,
                    f"created {name}, but userName eq does not find it",
                    "the provider must find a user by its userName (OneLogin's lookup)",
                )
                return
        gone = self.endpoint.send("DELETE", path)
        if gone.status not in (200, 204):
            self.add(
                "writes",
                Status.PROBLEM,
                f"created {name}, but DELETE answered {gone.status}: {gone.detail()}",
                "the suite deletes the users it creates this way; allow the token to delete users",
            )
            return
        probe.ids.clear()
        self.add("writes", Status.OK, f"created, read back and deleted {name}")

    @contextlib.contextmanager
    def _cleanup(self, name: str) -> Iterator[_Probe]:
        """Delete the user a failed ``writes`` check left behind, and say so if that fails;
        when the create's answer did not settle whether the user exists, look it up first."""
        probe = _Probe()
        try:
            yield probe
        finally:
            if probe.unsettled and not probe.ids:
                probe.ids.extend(self._lookup_left_behind(name))
            for user_id in probe.ids:
                left = f"{name} (id {user_id}) was left behind; delete it in Wrike"
                try:
                    answer = self.endpoint.send(
                        "DELETE",
                        f"/Users/{quote(user_id, safe='')}",
                        timeout=_CLEANUP_LIMITS,
                    )
                except _Transport:
                    self._note_left(left)
                else:
                    if answer.status not in (200, 204, 404):
                        self._note_left(left)

    def _lookup_left_behind(self, name: str) -> list[str]:
        """The ids of users named ``name`` (a create whose answer was lost); when the lookup
        itself fails, the verdict says the user may be left behind."""
        lookup = quote(f'userName eq "{name}"', safe="")
        maybe = f"{name} may have been created and left behind; look it up and delete it in Wrike"
        try:
            found = self.endpoint.send("GET", f"/Users?filter={lookup}", timeout=_CLEANUP_LIMITS)
        except (_Transport, _OutOfTime):
            self._note_left(maybe)
            return []
        resources = found.body.get("Resources") if isinstance(found.body, dict) else None
        if found.status != 200 or not isinstance(resources, list):
            self._note_left(maybe)
            return []
        return [
            str(user["id"])
            for user in resources
            if isinstance(user, dict) and user.get("id") and user.get("userName") == name
        ]

    def _note_left(self, sentence: str) -> None:
        last = self.checks[-1] if self.checks else None
        if last is not None and last.name == "writes":
            self.checks[-1] = Check(last.name, last.status, f"{last.detail}; {sentence}", last.fix)
        else:
            self.add("writes", Status.PROBLEM, sentence)

    def _refused(self, name: str, answer: _Answer) -> None:
        said = answer.detail()
        domain = self.domain
        if answer.status in (400, 403, 409, 422) and domain.lower() in said.lower():
            self.add(
                "writes",
                Status.PROBLEM,
                f"a user at {domain} is refused ({answer.status}): {said}",
                f"approve {domain} in Wrike (its approved domains), or pass --domain with an "
                "approved one",
            )
            return
        self.add(
            "writes",
            Status.PROBLEM,
            f"POST /Users for {name} answered {answer.status}: {said}",
            "the scenarios create users the same way and will fail likewise; fix what the "
            "detail names (or pass --no-writes to skip this check)",
        )


def run_preflight(
    scim_url: str,
    token: str,
    domain: str,
    *,
    writes: bool = True,
    session: requests.Session | None = None,
) -> Verdict:
    """Check ``scim_url`` with ``token``; never raises for anything the endpoint does."""
    url = scim_url.rstrip("/")
    token = token.strip()
    own = session is None
    http = session or requests.Session()
    endpoint = _Endpoint(url, token, http)
    run = _Run(endpoint, domain, writes)
    try:
        run.run()
    finally:
        if own:
            http.close()
    checks = tuple(
        Check(c.name, c.status, masked(c.detail, [token]), masked(c.fix, [token]))
        for c in run.checks
    )
    return Verdict(
        masked(url, [token]),
        domain,
        mask(token),
        checks,
        time.monotonic() - endpoint.started,
    )
