"""What every console page shares: the session cookie, the login guard, a CSRF token on
every form, the security headers, refusals rendered as pages, the template filters, and the
page for any unknown console path.

The signed cookie carries only a session id; the session lives on the server
(:class:`~mock_onelogin.domain.signin.ConsoleSessions`), so a logout ends it for every copy
of the cookie.
"""

from __future__ import annotations

import hmac
import json
import logging
import secrets
from typing import Any

from flask import (
    Flask,
    Request,
    current_app,
    flash,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.sansio.blueprints import BlueprintSetupState
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from markupsafe import Markup
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response as BaseResponse

from mock_onelogin.account import Actor, OneLoginAccount
from mock_onelogin.domain import modelling
from mock_onelogin.domain.errors import BadRequest, NotFound, OneLoginError
from mock_onelogin.domain.input_bounds import ascii_int
from mock_onelogin.domain.signin import ConsoleSessions, SignInThrottle
from mock_onelogin.web.console import PREFIX, bp
from mock_onelogin.web.serializers import UI_LABELS
from webguard import page_headers

log = logging.getLogger("mock_onelogin.pages")

SESSION_COOKIE = "onelogin_session"
CSRF_FIELD = "csrf_token"
_CSRF = "csrf"
_SESSION_ID = "sid"
_PUBLIC_ENDPOINTS = frozenset({"onelogin_pages.login", "onelogin_pages.static"})
#: Endpoints that answer JSON (``live``): without a login they refuse in JSON, with a 401,
#: instead of redirecting a script to the login page.
_JSON_ENDPOINTS = frozenset(
    {"onelogin_pages.user_live_status", "onelogin_pages.app_users_live_status"}
)


class _ConsoleSessions(SecureCookieSessionInterface):
    """Sessions for the console pages only: API calls carry bearer tokens, never cookies, and
    should not pay for opening a signed cookie."""

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        if request.path != PREFIX and not request.path.startswith(PREFIX + "/"):
            return self.null_session_class()
        return super().open_session(app, request)


@bp.record_once
def _setup(state: BlueprintSetupState) -> None:
    """Cookie settings belong to the pages: only they use the session. The cookie has its own
    name so that it never collides with the Wrike pages' cookie when both servers run on one
    loopback host (cookies are not isolated by port)."""
    app = state.app
    assert isinstance(app, Flask)
    config = app.extensions["mock_onelogin"].config
    if not app.secret_key:
        app.secret_key = config.secret_key or secrets.token_urlsafe(32)
    app.session_interface = _ConsoleSessions()
    app.config["SESSION_COOKIE_NAME"] = SESSION_COOKIE
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    app.config["SESSION_COOKIE_SAMESITE"] = "Lax"
    app.config["SESSION_COOKIE_SECURE"] = config.public_url.startswith("https://")
    clock = app.extensions["mock_onelogin"].clock
    app.extensions["mock_onelogin_console_sessions"] = ConsoleSessions(clock)
    app.extensions["mock_onelogin_console_throttle"] = SignInThrottle(clock)


def _account() -> OneLoginAccount:
    acct: OneLoginAccount = current_app.extensions["mock_onelogin"]
    return acct


def _sessions() -> ConsoleSessions:
    sessions: ConsoleSessions = current_app.extensions["mock_onelogin_console_sessions"]
    return sessions


def _throttle() -> SignInThrottle:
    throttle: SignInThrottle = current_app.extensions["mock_onelogin_console_throttle"]
    return throttle


def _actor() -> Actor:
    """The console admin as the System Log names the actor of a change."""
    return Actor(name=g.admin)


def csrf_token() -> str:
    """The session's CSRF token, created on first use; every form carries it."""
    token = session.get(_CSRF)
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        session[_CSRF] = token
    return token


def _csrf_input() -> Markup:
    return Markup('<input type="hidden" name="{}" value="{}">').format(CSRF_FIELD, csrf_token())


def _page(template: str, status: int = 200, **context: Any) -> tuple[str, int]:
    return render_template(template, **context), status


def _refusal(status: int, title: str, message: str) -> tuple[str, int]:
    return _page("error.html", status, title=title, message=message)


@bp.context_processor
def _context() -> dict[str, Any]:
    return {
        "csrf": _csrf_input,
        "admin": g.get("admin"),
        "labels": UI_LABELS,
        # The one wording of an assumption, as every page shows it (domain/modelling.py).
        "assumed": modelling.ASSUMED,
        "wording_assumed": modelling.WORDING_ASSUMED,
    }


@bp.before_request
def _guard() -> Any:
    """CSRF first (a forged POST is refused even for a logged-in admin), then the login."""
    if request.method == "POST":
        expected = session.get(_CSRF)
        given = request.form.get(CSRF_FIELD, "")
        if not isinstance(expected, str) or not hmac.compare_digest(
            given.encode(), expected.encode()
        ):
            return _refusal(
                400,
                "Form refused",
                "The form was refused because its security token is missing or out "
                "of date. Reload the page and submit the form again.",
            )
    if request.endpoint in _PUBLIC_ENDPOINTS:
        return None
    admin = _sessions().admin(session.get(_SESSION_ID))
    if admin is not None and hmac.compare_digest(
        admin.encode(), _account().config.console_admin_email.lower().encode()
    ):
        g.admin = admin
        return None
    session.pop(_SESSION_ID, None)
    if request.endpoint in _JSON_ENDPOINTS:
        refusal = jsonify(
            {"status": 401, "message": "Log in to the console first; the session has ended."}
        )
        refusal.status_code = 401
        return refusal
    return redirect(url_for("onelogin_pages.login", next=request.full_path.rstrip("?")))


@bp.after_request
def _headers(response: BaseResponse) -> BaseResponse:
    """Console pages are never framed, never cached by shared caches, no Referer off-site."""
    return page_headers(response)


@bp.errorhandler(OneLoginError)
def _refused(error: OneLoginError) -> tuple[str, int]:
    return _refusal(error.status, "Request refused", error.message)


@bp.errorhandler(HTTPException)
def _http_error(error: HTTPException) -> tuple[str, int]:
    return _refusal(error.code or 400, error.name, error.description or error.name)


@bp.errorhandler(Exception)
def _unexpected(error: Exception) -> tuple[str, int]:
    # Method and path only: form bodies may hold passwords and tokens.
    log.exception("unexpected error on console page %s %s", request.method, request.path)
    return _refusal(500, "Internal error", "Internal error in the simulated OneLogin's pages.")


@bp.app_template_filter("onelogin_when")
def _when(value: str | None) -> str:
    """Stored times are ISO 8601 with milliseconds; an admin reads seconds in UTC."""
    if not value:
        return "—"
    return f"{value[:10]} {value[11:19]} UTC" if len(value) >= 19 else value


@bp.app_template_filter("onelogin_json")
def _pretty_json(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False)


def _back(endpoint: str, **values: Any) -> BaseResponse:
    return redirect(url_for(endpoint, **values))


def _flash_refusal(error: OneLoginError) -> None:
    flash(error.message, "error")


def _int_field(name: str, label: str) -> int:
    number = ascii_int(request.form.get(name, "").strip(), 1)
    if number is None:
        raise BadRequest(f"Choose a {label} first.", name)
    return number


# Any other path under the prefix gets the console's own page, not the API's JSON error.
@bp.route("/<path:rest>", methods=["GET", "POST"])
def unknown(rest: str) -> Any:
    raise NotFound(f"There is no console page at {PREFIX}/{rest}.")
