"""What both servers share to be safe on a laptop beside a browser (neither app is imported
here): the request checks below, the JSON nesting bound, login throttling
(``webguard.throttle``), private data folders and files (``webguard.files``), the WSGI
server's settings (``webguard.serving``) and its access log (``webguard.access_log``).

Two checks, plain functions over a request's headers (no web framework here, and neither app
is imported, so ``mock_onelogin`` and ``wrike_sp`` each use it without knowing the other):

- :func:`host_refusal`: the ``Host`` a request names must be one this server answers to. A
  web page cannot read a loopback server's answers (the same-origin policy), unless its own
  domain name is made to resolve to 127.0.0.1 ("DNS rebinding"); such a request still names
  the attacker's domain in ``Host``. IP literals, ``localhost`` and ``*.localhost`` (which
  browsers never resolve through DNS) are always accepted; any other name only when
  configured.
- :func:`cross_origin_refusal`: a state-changing request a browser sends on behalf of another
  site (a cross-site form post, a ``fetch`` with ``mode: "no-cors"``) is refused. Browsers
  mark such requests (``Sec-Fetch-Site``, ``Origin``, ``Referer``); a client that is not a
  browser sends none of them and passes, and must then present a credential like any other.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Iterable
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

#: Methods that never change state, so a browser may send them from anywhere.
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_DEFAULT_PORTS = {"http": "80", "https": "443"}


def host_name(host: str) -> str:
    """The name part of a ``Host`` header: no port, no IPv6 brackets, lower case, no final
    dot."""
    host = host.strip().lower()
    if host.startswith("["):
        end = host.find("]")
        return host[1:end] if end > 0 else host
    if host.count(":") == 1:
        host = host.split(":", 1)[0]
    return host.rstrip(".")


def _is_ip(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


def allowed_names(names: Iterable[str | None]) -> frozenset[str]:
    """Host names (or URLs, whose host is taken) a server answers to, besides IP literals
    and localhost."""
    out = set()
    for name in names:
        if not name:
            continue
        if "://" in name:
            name = urlsplit(name).hostname or ""
        name = host_name(name)
        if name:
            out.add(name)
    return frozenset(out)


@lru_cache(maxsize=256)
def host_refusal(host: str | None, allowed: frozenset[str]) -> str | None:
    """Why a request naming ``host`` is refused, or None when this server answers to it."""
    name = host_name(host or "")
    if not name:
        return None  # HTTP/1.0 without Host: nothing a browser sends
    if name in allowed or name == "localhost" or name.endswith(".localhost") or _is_ip(name):
        return None
    return (
        f"This server does not answer to the host name {name!r}. It answers to IP addresses, "
        "localhost and the names it was started with (--public-url, --allowed-host); a "
        "request for another name is refused, as a web page could use that name to read "
        "this server (DNS rebinding)."
    )


def _origin(url: str) -> tuple[str, str, str] | None:
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    if not parts.scheme or not parts.hostname:
        return None
    scheme = parts.scheme.lower()
    return scheme, host_name(parts.hostname), str(port) if port else _DEFAULT_PORTS.get(scheme, "")


def _own_origin(scheme: str, host: str) -> tuple[str, str, str]:
    name = host_name(host)
    port = ""
    rest = host.strip().lower()
    if rest.startswith("["):
        rest = rest[rest.find("]") + 1 :]
        port = rest[1:] if rest.startswith(":") else ""
    elif rest.count(":") == 1:
        port = rest.split(":", 1)[1]
    return scheme.lower(), name, port or _DEFAULT_PORTS.get(scheme.lower(), "")


def cross_origin_refusal(
    method: str,
    header: Callable[[str], str | None],
    scheme: str,
    host: str | None,
    public_urls: Iterable[str | None] = (),
) -> str | None:
    """Why a browser's request is refused as coming from another site, or None.

    ``header(name)`` reads one of the request's headers (case-insensitive, as werkzeug's
    ``request.headers.get`` does). A request from this
    server's own pages carries its own origin and passes; so does a request with none of the
    browser's markers (a script, an SDK, curl). ``public_urls`` are origins the pages are
    also served at (behind a TLS proxy the request arrives as http while the browser's
    origin is the proxy's https one)."""
    if method.upper() in SAFE_METHODS:
        return None
    site = (header("Sec-Fetch-Site") or "").strip().lower()
    if site in ("cross-site", "same-site"):
        return _refused(f"Sec-Fetch-Site: {site}")
    own = {_own_origin(scheme, host or ""), *(_origin(u) for u in public_urls if u)}
    origin = header("Origin")
    if origin is not None:
        if origin.strip().lower() == "null" or _origin(origin) not in own:
            return _refused(f"Origin {origin.strip()!r}")
        return None
    referer = header("Referer")
    if referer and _origin(referer) not in own:
        return _refused("a Referer on another site")
    return None


def _refused(evidence: str) -> str:
    return (
        f"A browser sent this request from another site ({evidence}); state-changing "
        "requests are accepted only from this server's own pages or from clients that are "
        "not browsers."
    )


_ESCAPE = re.compile(r"\\.", re.S)
_STRING = re.compile(r'"[^"]*"')
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")


def json_nesting_exceeds(text: str, limit: int) -> bool:
    """Whether JSON text nests objects and arrays deeper than ``limit``, from a scan of the
    brackets outside string literals, so a deep body is refused before a parser recurses into
    it. Linear in the text: escapes go first (then every quote left opens or closes a string),
    so no pattern can start over at each escaped quote. A backslash outside a string is not
    JSON, and the parser refuses it where it stands."""
    unescaped = _ESCAPE.sub("", text)
    brackets = _NOT_BRACKET.sub("", _STRING.sub("", unescaped))
    if len(brackets) <= limit:
        return False
    depth = 0
    for char in brackets:
        if char in "[{":
            depth += 1
            if depth > limit:
                return True
        else:
            depth -= 1
    return False


def request_refusal(
    method: str,
    header: Callable[[str], str | None],
    scheme: str,
    host: str | None,
    allowed: frozenset[str],
    public_urls: Iterable[str | None] = (),
) -> tuple[int, str] | None:
    """The first of the two checks a request fails, as (HTTP status, reason): 421 for a host
    name the server does not answer to, 403 for a browser's write from another site; None
    when it passes both."""
    refusal = host_refusal(host, allowed)
    if refusal:
        return 421, refusal
    if method not in SAFE_METHODS:
        refusal = cross_origin_refusal(method, header, scheme, host, public_urls)
        if refusal:
            return 403, refusal
    return None


def page_headers(response: Any, form_action: str | None = "'self'") -> Any:
    """The headers every page of either app sends (a Flask/werkzeug response is passed in):
    never framed, no MIME sniffing, no Referer off-site, nothing from another origin, and an
    HTML page not kept by shared caches. ``form_action`` is where the page's forms may go
    (``'self'``, plus an IdP's origin on Wrike's login page; None for no limit: the IdP's
    auto-posting form goes to the app's ACS). A header already set is kept."""
    headers = response.headers
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    limit = f"form-action {form_action}; " if form_action else ""
    headers.setdefault(
        "Content-Security-Policy", f"default-src 'self'; {limit}frame-ancestors 'none'"
    )
    if response.mimetype == "text/html":
        headers.setdefault("Cache-Control", "private, no-cache")
    return response
