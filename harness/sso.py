"""A small browser for SAML SSO between the simulated OneLogin and the reference Wrike
(docs/sso.md): it follows redirects, keeps cookies per host, submits the auto-posting form
that carries a ``SAMLRequest`` or ``SAMLResponse``, and fills the OneLogin and Wrike login
forms (their CSRF tokens included), as a person's browser does.

Why a browser of our own and not Playwright: the BDD steps, a case replay and the bench run
thousands of logins, in-process (the same WSGI adapter the World uses for SCIM and the
OneLogin API, no ports) or live (real HTTP), and must read what the person would see: who
is signed in, or where the login was refused and why. The pages' scripts never run here, so
a page's ``<noscript>`` submit button is what this browser presses, and everything it
submits is a plain HTML form the pages render.

It sends the headers a browser sends with a form (``Origin``, ``Sec-Fetch-Site``), and
withholds ``SameSite=Lax``/``Strict`` cookies from a cross-site POST, as chromium does, so a
flow that works here does not depend on a cookie a browser would not send.

An :class:`Outcome` says who is signed in (the NameID of the assertion Wrike accepted), or
which side refused, with the reason code of docs/sso.md when the refusal page names one, and
the text of the last page.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlencode, urljoin, urlsplit

import requests

from harness import vocabulary as v
from webguard.saml import NS_ASSERTION, UnsafeXML, parse_untrusted

WSGIApp = Callable[..., Any]

#: The most requests one login may take (redirects, forms); a loop past it is a finding.
MAX_HOPS = 25
#: Reasons that are plain words: taken from a page only where the page labels them a reason
#: (``data-reason``, "Reason: expired"), never from prose that happens to use the word.
_PLAIN_REASONS = frozenset(
    code for code in (*v.SSO_SP_REASONS, *v.SSO_IDP_REASONS) if "_" not in code
)
_ALL_REASONS = (*v.SSO_SP_REASONS, *v.SSO_IDP_REASONS)
_REASON_ATTR = re.compile(r"""data-reason\s*=\s*["']([a-z_]+)["']""")
_REASON_LABEL = re.compile(r"\breason(?:\s+code)?\b\W{0,6}([a-z_]+)", re.I)
#: Pages that state a reason in words without its code: the phrase that names it. The login
#: pages refuse in words (docs/sso.md: Wrike's says "SAML SSO is enforced for this account"
#: for ``password_login_enforced``; OneLogin's names a wrong password or an inactive status,
#: its System Log event carrying the code), and a person reads the words.
_REASON_PHRASES = {
    "password_login_enforced": "SAML SSO is enforced for this account",
    "invalid_credentials": "The username or password is not correct",
    "user_not_active": "is not active in OneLogin",
}
_REASON_WORD = re.compile(r"\b(" + "|".join(c for c in _ALL_REASONS if "_" in c) + r")\b")


# -- what a page holds -------------------------------------------------------------------------


@dataclass
class Form:
    """One HTML form: where it goes and its named fields, as the page rendered them."""

    action: str
    method: str
    #: name -> (type, value) of each ``input``/``select``/``textarea``, in page order.
    fields: dict[str, tuple[str, str]] = field(default_factory=dict)
    #: (name, value) of each named submit button.
    buttons: list[tuple[str, str]] = field(default_factory=list)
    #: The text of each ``<button>`` (by its index in ``buttons``).
    labels: dict[int, str] = field(default_factory=dict)

    def button(self, *words: str) -> tuple[str, str] | None:
        """The first named button whose value or text is one of ``words`` (any case)."""
        wanted = {w.lower() for w in words}
        for index, (name, value) in enumerate(self.buttons):
            text = " ".join(self.labels.get(index, "").split()).lower()
            if value.lower() in wanted or text in wanted:
                return name, value
        return None

    def has(self, kind: str) -> bool:
        return any(t == kind for t, _ in self.fields.values())

    def values(self) -> dict[str, str]:
        return {name: value for name, (_, value) in self.fields.items()}


class _Page(HTMLParser):
    """The forms and the visible text of an HTML page (stdlib ``html.parser``)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self.title = ""
        self._text: list[str] = []
        self._skip = 0
        self._in_title = False
        self._form: Form | None = None
        self._textarea: str | None = None
        self._button: int | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: (val or "") for k, val in attrs}
        if tag in ("script", "style"):
            self._skip += 1
        elif tag == "title":
            self._in_title = True
        elif tag == "form":
            self._form = Form(a.get("action", ""), (a.get("method") or "get").lower())
            self.forms.append(self._form)
        elif self._form is not None and tag == "input" and a.get("name"):
            kind = (a.get("type") or "text").lower()
            if kind == "submit":
                self._form.buttons.append((a["name"], a.get("value", "")))
            elif kind not in ("checkbox", "radio") or "checked" in a:
                self._form.fields[a["name"]] = (kind, a.get("value", ""))
        elif self._form is not None and tag == "button" and a.get("name"):
            if (a.get("type") or "submit").lower() == "submit":
                self._form.buttons.append((a["name"], a.get("value", "")))
                self._button = len(self._form.buttons) - 1
        elif self._form is not None and tag == "textarea" and a.get("name"):
            self._textarea = a["name"]
            self._form.fields[a["name"]] = ("textarea", "")
        elif self._form is not None and tag == "select" and a.get("name"):
            self._form.fields[a["name"]] = ("select", "")
        elif self._form is not None and tag == "option" and "selected" in a:
            selects = [n for n, (t, _) in self._form.fields.items() if t == "select"]
            if selects:
                self._form.fields[selects[-1]] = ("select", a.get("value", ""))

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style") and self._skip:
            self._skip -= 1
        elif tag == "title":
            self._in_title = False
        elif tag == "form":
            self._form = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "button":
            self._button = None

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data
        if self._textarea and self._form is not None:
            kind, value = self._form.fields[self._textarea]
            self._form.fields[self._textarea] = (kind, value + data)
        if self._button is not None and self._form is not None:
            self._form.labels[self._button] = self._form.labels.get(self._button, "") + data
        if not self._skip:
            self._text.append(data)

    @property
    def text(self) -> str:
        return " ".join(" ".join(self._text).split())


@dataclass(frozen=True)
class Page:
    """A page as the person sees it: where it is, its status, its text and its forms."""

    url: str
    status: int
    html: str
    text: str
    title: str
    forms: tuple[Form, ...]

    @classmethod
    def of(cls, response: requests.Response) -> Page:
        html = response.text if "html" in response.headers.get("Content-Type", "") else ""
        parsed = _Page()
        if html:
            parsed.feed(html)
            parsed.close()
        text = parsed.text if html else response.text[:2000]
        return cls(
            response.url,
            response.status_code,
            html,
            text,
            " ".join(parsed.title.split()),
            tuple(parsed.forms),
        )

    def reason(self) -> str | None:
        """The reason code of docs/sso.md this page names, if it names one."""
        for pattern in (_REASON_ATTR, _REASON_LABEL):
            for match in pattern.finditer(self.html or self.text):
                if match[1] in _ALL_REASONS:
                    return match[1]
        found = _REASON_WORD.search(self.text)
        if found:
            return found[1]
        return next((code for code, phrase in _REASON_PHRASES.items() if phrase in self.text), None)


# -- the outcome of one login ------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    """How one login ended. ``signed_in``: Wrike opened a session; ``name_id`` is then who:
    the NameID of the assertion the browser carried to Wrike (or, for a password login, the
    email typed). Refused, ``name_id`` is the NameID of the assertion Wrike refused (None if
    none reached it), ``refused_at`` is "OneLogin" or "Wrike" and
    ``refused_at`` is "OneLogin" or "Wrike" and ``reason`` the code the refusal page names
    (None if it names none). ``page`` is the last page; ``trail`` every request made."""

    signed_in: bool
    refused_at: str | None
    reason: str | None
    name_id: str | None
    page: Page
    trail: tuple[str, ...]
    #: The base64 SAMLResponse the browser posted to Wrike's ACS (None if it never got one).
    saml_response: str | None = None

    @property
    def status(self) -> int:
        return self.page.status

    @property
    def text(self) -> str:
        return self.page.text

    def describe(self) -> str:
        """One line, as a test failure or a replay prints it."""
        if self.signed_in:
            return f"signed in to Wrike as {self.name_id}"
        where = self.refused_at or "nowhere (the login stopped)"
        reason = f" ({self.reason})" if self.reason else ""
        return f"refused at {where}{reason}, HTTP {self.status}: {self.text[:300]}"


class BrowserError(AssertionError):
    """The login did not reach an end a person would recognise (a redirect loop, a page with
    no way on); an AssertionError so a BDD step fails with the message."""


# -- cookies ------------------------------------------------------------------------------------


@dataclass
class _Cookie:
    value: str
    same_site: str  # lax, strict, none


def _set_cookie_headers(response: requests.Response) -> list[str]:
    """Every ``Set-Cookie`` of a response: over real HTTP from the raw headers (requests
    joins duplicates with commas, which cookies' Expires also hold); in-process from the
    tap below, which joins them with newlines."""
    raw = getattr(response, "raw", None)
    getlist = getattr(getattr(raw, "headers", None), "getlist", None)
    if callable(getlist):
        return [str(h) for h in getlist("Set-Cookie")]
    joined = response.headers.get("Set-Cookie")
    return joined.split("\n") if joined else []


class _CookieTap:
    """WSGI middleware for the in-process transport: the adapter keeps one value per header
    name, so the several ``Set-Cookie`` headers of one answer are joined with a newline (which
    no header value holds) for :func:`_set_cookie_headers` to split again."""

    def __init__(self, app: WSGIApp) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        def start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            cookies = [v for k, v in headers if k.lower() == "set-cookie"]
            if len(cookies) > 1:
                headers = [(k, v) for k, v in headers if k.lower() != "set-cookie"]
                headers.append(("Set-Cookie", "\n".join(cookies)))
            return start_response(status, headers, exc_info)

        return self.app(environ, start)


def in_process_session(apps: Mapping[str, WSGIApp]) -> requests.Session:
    """A session whose requests under each base URL go into that WSGI app (the in-process
    transport of the World), with the cookie tap."""
    from mock_onelogin import WSGIAdapter

    session = requests.Session()
    session.trust_env = False
    for base, app in apps.items():
        session.mount(base.rstrip("/") + "/", WSGIAdapter(_CookieTap(app)))
    return session


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def _host(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


def _site(url: str) -> str:
    """The site of a URL for SameSite and Sec-Fetch-Site: scheme and host, not the port
    (two loopback servers are one site, as in a browser)."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{(parts.hostname or '').lower()}"


# -- the browser --------------------------------------------------------------------------------


class Browser:
    """One person's browser: cookies per host, kept across logins until :meth:`clear`.

    ``wrike`` and ``onelogin`` are the two sites' base URLs."""

    def __init__(
        self,
        session: requests.Session,
        wrike: str,
        onelogin: str,
        *,
        timeout: float = 30.0,
    ) -> None:
        self.http = session
        self.wrike = wrike.rstrip("/")
        self.onelogin = onelogin.rstrip("/")
        self.timeout = timeout
        #: Cookies by host name: as in a browser, the port does not part them, so two
        #: loopback servers share a jar (and a cookie name used by both would clash here too).
        self.cookies: dict[str, dict[str, _Cookie]] = {}
        self.trail: list[str] = []

    # cookies
    def clear(self) -> None:
        """A fresh browser (an incognito window): no session on either site."""
        self.cookies.clear()

    def _store(self, url: str, response: requests.Response) -> None:
        jar = self.cookies.setdefault(_host(url), {})
        for header in _set_cookie_headers(response):
            name, _, rest = header.partition("=")
            value, *attributes = rest.split(";")
            attrs = {}
            for attribute in attributes:
                key, _, val = attribute.strip().partition("=")
                attrs[key.lower()] = val.strip()
            gone = attrs.get("max-age") == "0" or "1970" in attrs.get("expires", "")
            if gone:
                jar.pop(name.strip(), None)
            else:
                jar[name.strip()] = _Cookie(value.strip(), attrs.get("samesite", "lax").lower())

    def _cookie_header(self, url: str, method: str, initiator: str | None) -> str | None:
        jar = self.cookies.get(_host(url), {})
        cross_site = initiator is not None and _site(initiator) != _site(url)
        sent = [
            f"{name}={c.value}"
            for name, c in jar.items()
            if not cross_site or c.same_site == "none" or (c.same_site == "lax" and method == "GET")
        ]
        return "; ".join(sent) or None

    # requests
    def _send(
        self,
        method: str,
        url: str,
        *,
        data: dict[str, str] | None = None,
        initiator: str | None = None,
    ) -> requests.Response:
        """One request as a browser makes it; ``initiator`` is the page it comes from (None:
        typed into the address bar)."""
        headers = {"Accept": "text/html,application/xhtml+xml", "User-Agent": "harness-sso"}
        if initiator is None:
            headers["Sec-Fetch-Site"] = "none"
        elif _origin(initiator) == _origin(url):
            headers["Sec-Fetch-Site"] = "same-origin"
        else:
            headers["Sec-Fetch-Site"] = (
                "same-site" if _site(initiator) == _site(url) else "cross-site"
            )
        if method == "POST":
            headers["Origin"] = _origin(initiator) if initiator else "null"
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        cookie = self._cookie_header(url, method, initiator)
        if cookie:
            headers["Cookie"] = cookie
        self.trail.append(f"{method} {url.split('?')[0]}")
        body = urlencode(data) if data is not None else None
        response = self.http.request(
            method,
            url,
            data=body,
            headers=headers,
            allow_redirects=False,
            timeout=self.timeout,
        )
        self._store(url, response)
        return response

    def open(self, url: str) -> requests.Response:
        """Type ``url`` into the address bar."""
        return self._send("GET", url)

    def submit(
        self,
        page_url: str,
        form: Form,
        values: Mapping[str, str] | None = None,
        *,
        press: Iterable[str] = (),
    ) -> requests.Response:
        """Submit ``form`` of the page at ``page_url`` with its fields, ``values`` typed in,
        and the button labelled (or valued) one of ``press`` pressed, else its first named
        one."""
        data = {**form.values(), **dict(values or {})}
        pressed = form.button(*press) if press else None
        if pressed is None and form.buttons:
            pressed = form.buttons[0]
        if pressed is not None:
            data.setdefault(*pressed)
        target = urljoin(page_url, form.action or page_url)
        if form.method == "post":
            return self._send("POST", target, data=data, initiator=page_url)
        query = urlencode(data)
        return self._send(
            "GET", f"{target}{'&' if '?' in target else '?'}{query}", initiator=page_url
        )

    # the flows
    def sp_initiated(self, email: str, password: str, *, username: str | None = None) -> Outcome:
        """Wrike's login page: enter the email, Next; at OneLogin, the username (``username``,
        else the email) and password if OneLogin asks; on to Wrike's ACS."""
        self.trail = []
        response = self.open(f"{self.wrike}/login")
        page = Page.of(response)
        form = _login_form(page)
        if form is None:
            raise BrowserError(f"Wrike's login page has no form with an email field: {page.text}")
        values = {_field(form, "email"): email}
        response = self.submit(page.url, form, values, press=("next",))
        return self._follow(response, (username or email, password))

    def sp_initiated_direct(self, account_id: int | str, email: str, password: str) -> Outcome:
        """A bookmark of Wrike's SSO login URL (``/saml/ACC/login?email=``), skipping its
        login page."""
        self.trail = []
        query = urlencode({"email": email})
        response = self.open(f"{self.wrike}/saml/{account_id}/login?{query}")
        return self._follow(response, (email, password))

    def idp_initiated(self, username: str, password: str, app_id: int | str) -> Outcome:
        """OneLogin's portal: log in if asked, then launch the Wrike app."""
        self.trail = []
        response = self.open(f"{self.onelogin}/portal")
        response, page = self._through_onelogin_login(response, (username, password))
        if page.status != 200:
            return self._outcome(page, None, None)
        launch = next(
            (f for f in page.forms if f.action.rstrip("/").endswith(f"/portal/launch/{app_id}")),
            None,
        )
        if launch is None:
            return self._outcome(page, None, None, refused_at="OneLogin")
        return self._follow(self.submit(page.url, launch), None)

    def password_login(self, email: str, password: str) -> Outcome:
        """Wrike's login page with the email and the Wrike password (no SSO)."""
        self.trail = []
        response = self.open(f"{self.wrike}/login")
        page = Page.of(response)
        form = _login_form(page)
        if form is None:
            raise BrowserError(f"Wrike's login page has no form with an email field: {page.text}")
        values = {_field(form, "email"): email}
        if form.has("password"):
            values[_field(form, "password")] = password
            response = self.submit(page.url, form, values, press=("log in", "login"))
        else:  # two steps: email, Next, then the password on the next page
            response = self.submit(page.url, form, values, press=("next",))
            response = self._redirects(response)
            page = Page.of(response)
            second = next((f for f in page.forms if f.has("password")), None)
            if second is None or _origin(page.url) != _origin(self.wrike):
                return self._follow(response, None, password_for=email)
            response = self.submit(
                page.url, second, {_field(second, "password"): password}, press=("log in", "login")
            )
        return self._follow(response, None, password_for=email)

    def wrike_page(self, path: str) -> Page:
        """A Wrike page as the signed-in person sees it (after redirects)."""
        return Page.of(self._redirects(self.open(f"{self.wrike}{path}")))

    # the machinery
    def _redirects(self, response: requests.Response) -> requests.Response:
        for _ in range(MAX_HOPS):
            location = response.headers.get("Location")
            if not (300 <= response.status_code < 400 and location):
                return response
            # 307/308 would repeat a POST; the apps answer forms with 302/303 (GET).
            response = self._send("GET", urljoin(response.url, location), initiator=response.url)
        raise BrowserError(f"more than {MAX_HOPS} redirects: {' -> '.join(self.trail)}")

    def _through_onelogin_login(
        self, response: requests.Response, credentials: tuple[str, str] | None
    ) -> tuple[requests.Response, Page]:
        response = self._redirects(response)
        page = Page.of(response)
        if credentials is None or not _at_onelogin_login(page, self.onelogin):
            return response, page
        form = next(f for f in page.forms if f.has("password"))
        username, password = credentials
        values = {_text_field(form): username, _field(form, "password"): password}
        response = self._redirects(self.submit(page.url, form, values))
        return response, Page.of(response)

    def _follow(
        self,
        response: requests.Response,
        credentials: tuple[str, str] | None,
        *,
        password_for: str | None = None,
    ) -> Outcome:
        """Follow redirects and auto-posting forms until a page a person stops at.
        ``password_for``: a password login of that email (no assertion is expected)."""
        name_id: str | None = None
        posted: str | None = None
        logged_in_at_onelogin = False
        for _ in range(MAX_HOPS):
            response = self._redirects(response)
            page = Page.of(response)
            auto = _auto_post(page)
            if auto is not None:
                saml_response = auto.values().get("SAMLResponse")
                if saml_response is not None:
                    posted, name_id = saml_response, nameid_of(saml_response)
                response = self.submit(page.url, auto)
                continue
            if (
                credentials is not None
                and not logged_in_at_onelogin
                and _at_onelogin_login(page, self.onelogin)
            ):
                logged_in_at_onelogin = True
                form = next(f for f in page.forms if f.has("password"))
                username, password = credentials
                values = {_text_field(form): username, _field(form, "password"): password}
                response = self.submit(page.url, form, values)
                continue
            return self._outcome(page, name_id, posted, password_for)
        raise BrowserError(f"more than {MAX_HOPS} pages: {' -> '.join(self.trail)}")

    def _outcome(
        self,
        page: Page,
        name_id: str | None,
        posted: str | None,
        password_for: str | None = None,
        refused_at: str | None = None,
    ) -> Outcome:
        at_wrike = _origin(page.url) == _origin(self.wrike)
        # Signed in: a Wrike page other than the login page, reached with an assertion
        # Wrike took (its ACS sends the person home) or with the password.
        if (
            refused_at is None
            and at_wrike
            and page.status == 200
            and not _at_wrike_login(page, self.wrike)
            and (posted is not None or password_for is not None)
        ):
            who = name_id if posted is not None else password_for
            return Outcome(True, None, None, who, page, tuple(self.trail), posted)
        if refused_at is None:
            if _origin(page.url) == _origin(self.onelogin):
                refused_at = "OneLogin"
            elif at_wrike:
                refused_at = "Wrike"
        reason = page.reason()
        return Outcome(False, refused_at, reason, name_id, page, tuple(self.trail), posted)


# -- reading pages ------------------------------------------------------------------------------


def _auto_post(page: Page) -> Form | None:
    """The form an SSO page posts by itself (a hidden ``SAMLRequest`` or ``SAMLResponse``)."""
    for form in page.forms:
        kinds = {name: kind for name, (kind, _) in form.fields.items()}
        if form.method == "post" and (
            kinds.get("SAMLResponse") == "hidden" or kinds.get("SAMLRequest") == "hidden"
        ):
            return form
    return None


def _login_form(page: Page) -> Form | None:
    return next((f for f in page.forms if _has_email(f)), None)


def _has_email(form: Form) -> bool:
    return form.has("email") or "email" in form.fields


def _field(form: Form, kind: str) -> str:
    """The name of the form's field of type ``kind`` (or named so)."""
    for name, (t, _) in form.fields.items():
        if t == kind:
            return name
    if kind in form.fields:
        return kind
    raise BrowserError(f"the form to {form.action!r} has no {kind} field: {list(form.fields)}")


def _text_field(form: Form) -> str:
    """The username field of a login form: the first text or email input."""
    for name, (t, _) in form.fields.items():
        if t in ("text", "email"):
            return name
    raise BrowserError(f"the form to {form.action!r} has no username field: {list(form.fields)}")


def _at_onelogin_login(page: Page, onelogin: str) -> bool:
    return _origin(page.url) == _origin(onelogin) and any(f.has("password") for f in page.forms)


def _at_wrike_login(page: Page, wrike: str) -> bool:
    return (
        _origin(page.url) == _origin(wrike)
        and urlsplit(page.url).path.rstrip("/").endswith("/login")
        and _login_form(page) is not None
    )


def nameid_of(saml_response: str) -> str | None:
    """The NameID of the (first) assertion in a base64 ``SAMLResponse``, or None."""
    try:
        root = parse_untrusted(base64.b64decode(saml_response.encode("ascii")))
    except (UnsafeXML, binascii.Error, ValueError):
        return None
    found = root.find(f".//{{{NS_ASSERTION}}}Subject/{{{NS_ASSERTION}}}NameID")
    return (found.text or "").strip() if found is not None else None


def reasons_named(texts: Iterable[str]) -> list[str]:
    """The reason codes of docs/sso.md named in ``texts`` (a System Log detail, a note)."""
    out = []
    for text in texts:
        for match in re.finditer(r"\b([a-z]+(?:_[a-z]+)*)\b", text or ""):
            if match[1] in _ALL_REASONS and (
                match[1] not in _PLAIN_REASONS or _REASON_LABEL.search(text)
            ):
                out.append(match[1])
    return list(dict.fromkeys(out))
