"""What a OneLogin *user* sees (not the admin): the IdP metadata, the SSO endpoints of both
bindings, the login page, the portal with its launch buttons, and the auto-posting page that
carries a signed Response to the app's ACS (docs/sso.md).

The pages translate HTTP to ``account.sso`` calls and back; refusals are OneLogin pages
(HTTP 403 for a refused login) naming why, never a JSON error or a traceback. The session
cookie holds only a random id; the session lives on the server (``UserSessions``).
"""

from __future__ import annotations

import hmac
import logging
from pathlib import Path
from typing import Any

from flask import Blueprint, Response, g, make_response, redirect, render_template, request, url_for
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response as BaseResponse

from mock_onelogin.account import OneLoginAccount
from mock_onelogin.account.sso import IDP_INITIATED, SP_POST, SP_REDIRECT, SsoAnswer, SsoRequest
from mock_onelogin.domain import modelling
from mock_onelogin.domain.errors import NotFound, OneLoginError
from mock_onelogin.domain.saml import REASON_TEXT, Reason, SsoRefused
from mock_onelogin.domain.signin import Throttled, UserSession
from mock_onelogin.web.common import account
from webguard import page_headers

log = logging.getLogger("mock_onelogin.sso")

bp = Blueprint(
    "onelogin_sso", __name__, template_folder=Path(__file__).resolve().parent / "templates"
)

USER_COOKIE = "onelogin_user_session"
CSRF_FIELD = "csrf_token"
#: The SP-initiated endpoints take a browser's request from another site by design (the SP's
#: page posts the AuthnRequest); ``create_app`` exempts exactly these from the cross-origin
#: refusal. The AuthnRequest is checked instead.
CROSS_SITE_ENDPOINTS = frozenset({"onelogin_sso.sso_post"})
#: Paths whose errors outside a route (an unknown path, a wrong method) are pages too.
PAGE_PREFIXES = ("/saml/", "/trust/", "/login", "/logout", "/portal")


def _acct() -> OneLoginAccount:
    return account()


# sessions -------------------------------------------------------------------------------------
def _session() -> tuple[str | None, UserSession | None]:
    if "user_session" not in g:
        sid = request.cookies.get(USER_COOKIE)
        g.user_session = (sid, _acct().sso.sessions.get(sid))
    found: tuple[str | None, UserSession | None] = g.user_session
    return found


def _with_cookie(response: BaseResponse, session_id: str) -> BaseResponse:
    secure = _acct().config.public_url.startswith("https://")
    # SameSite=None lets the HTTP-POST binding (a cross-site POST) see the session; browsers
    # accept it only with Secure, so over plain HTTP the cookie stays Lax (a POST-binding
    # login then asks for the password again).
    response.set_cookie(
        USER_COOKIE,
        session_id,
        httponly=True,
        secure=secure,
        samesite="None" if secure else "Lax",
        path="/",
        max_age=int(modelling.USER_SESSION_LIFETIME_S),
    )
    return response


def _ensure_session() -> tuple[str, UserSession, bool]:
    """The session, opened now if there is none; the flag says whether it is new."""
    sid, found = _session()
    if sid and found:
        return sid, found, False
    sid, found = _acct().sso.sessions.open()
    g.user_session = (sid, found)
    return sid, found, True


def _signed_in_user() -> dict[str, Any] | None:
    _, found = _session()
    if found is None or found.user_id is None:
        return None
    user = _acct().sso.session_user(found.user_id)
    return user


def _csrf_ok(found: UserSession | None) -> bool:
    given = request.form.get(CSRF_FIELD, "")
    return found is not None and hmac.compare_digest(given.encode(), found.csrf.encode())


# pages ----------------------------------------------------------------------------------------
def _page(template: str, status: int = 200, **context: Any) -> Response:
    response = make_response(render_template(template, **context), status)
    return response


def _refusal_page(refusal: SsoRefused, app_id: int | None) -> Response:
    the_app = _acct().apps.find_app(app_id) if app_id else None
    return _page(
        "sso_refused.html",
        403,
        title="Access denied",
        reason=refusal.reason.value,
        summary=REASON_TEXT[refusal.reason],
        detail=refusal.detail,
        app=the_app,
    )


def _error_page(status: int, title: str, message: str) -> Response:
    return _page("sso_error.html", status, title=title, message=message)


def error_page(status: int, message: str) -> Response:
    """The page for an error raised outside this blueprint's routes (``create_app``)."""
    titles = {404: "Not found", 405: "Method not allowed", 413: "Request too large"}
    return _error_page(status, titles.get(status, "Request refused"), message)


def _post_page(answer: SsoAnswer) -> Response:
    response = _page(
        "sso_post.html",
        acs_url=answer.acs_url,
        saml_response=answer.saml_response,
        relay_state=answer.relay_state,
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.after_request
def _headers(response: BaseResponse) -> BaseResponse:
    """Never framed; no form-action limit (the auto-posting form goes to the app's ACS)."""
    return page_headers(response, form_action=None)


@bp.errorhandler(OneLoginError)
def _refused(error: OneLoginError) -> Response:
    title = "Not found" if isinstance(error, NotFound) else "Request refused"
    return _error_page(error.status, title, error.message)


@bp.errorhandler(HTTPException)
def _http_error(error: HTTPException) -> Response:
    return _error_page(error.code or 400, error.name, error.description or error.name)


@bp.errorhandler(Exception)
def _unexpected(error: Exception) -> Response:
    log.exception("unexpected error on %s %s", request.method, request.path)
    return _error_page(500, "Internal error", "Internal error in the simulated OneLogin.")


# metadata -------------------------------------------------------------------------------------
@bp.get("/saml/metadata/<int:app_id>")
def metadata(app_id: int) -> Response:
    """The app's IdP metadata XML (public, like OneLogin's)."""
    body = _acct().sso.metadata(app_id)
    response = Response(body, mimetype="application/samlmetadata+xml")
    if request.args.get("download"):
        response.headers["Content-Disposition"] = (
            f'attachment; filename="onelogin_metadata_{app_id}.xml"'
        )
    return response


# SSO ------------------------------------------------------------------------------------------
def _answer_or_login(sso: SsoRequest) -> BaseResponse:
    """Signed in: the auto-posting page (or a refusal). Not yet: the login page, which comes
    back here (``resume``) once the password is right."""
    user = _signed_in_user()
    if user is None:
        sid, found, new = _ensure_session()
        found.pending = sso
        response = redirect(url_for("onelogin_sso.login"))
        return _with_cookie(response, sid) if new else response
    try:
        answer = _acct().sso.sign_in(int(user["id"]), sso)
    except SsoRefused as refusal:
        return _refusal_page(refusal, sso.app_id)
    return _post_page(answer)


def _sp_initiated(app_id: int, values: Any, binding: str) -> BaseResponse:
    """An AuthnRequest in ``values`` (the query or the form, as the binding puts it)."""
    try:
        sso = _acct().sso.read_request(
            app_id, values.get("SAMLRequest"), values.get("RelayState"), binding
        )
    except SsoRefused as refusal:
        return _refusal_page(refusal, app_id)
    return _answer_or_login(sso)


@bp.get("/trust/saml2/http-redirect/sso/<int:app_id>")
def sso_redirect(app_id: int) -> BaseResponse:
    """SP-initiated login, HTTP-Redirect binding."""
    return _sp_initiated(app_id, request.args, SP_REDIRECT)


@bp.post("/trust/saml2/http-post/sso/<int:app_id>")
def sso_post(app_id: int) -> BaseResponse:
    """SP-initiated login, HTTP-POST binding (cross-site by design)."""
    return _sp_initiated(app_id, request.form, SP_POST)


@bp.get("/trust/saml2/resume")
def resume() -> BaseResponse:
    """After the login page: the SSO login that was waiting for it."""
    _, found = _session()
    if found is None or found.user_id is None:
        return redirect(url_for("onelogin_sso.login"))
    sso, found.pending = found.pending, None
    if not isinstance(sso, SsoRequest):
        return redirect(url_for("onelogin_sso.portal"))
    return _answer_or_login(sso)


# login, logout ---------------------------------------------------------------------------------
def _login_page(status: int = 200, **context: Any) -> Response:
    sid, found, new = _ensure_session()
    context.setdefault("username", "")
    pending = found.pending if isinstance(found.pending, SsoRequest) else None
    the_app = _acct().apps.find_app(pending.app_id) if pending else None
    response = _page(
        "user_login.html",
        status,
        csrf_token=found.csrf,
        csrf_field=CSRF_FIELD,
        app=the_app,
        **context,
    )
    if new:
        _with_cookie(response, sid)
    return response


@bp.route("/login", methods=["GET", "POST"])
def login() -> BaseResponse:
    """The login page of OneLogin users: username or email, and password."""
    if request.method == "GET":
        if _signed_in_user() is not None and not _pending():
            return redirect(url_for("onelogin_sso.portal"))
        return _login_page()
    sid, found = _session()
    if not _csrf_ok(found):
        return _login_page(
            400,
            error="The form was refused because its security token is missing or out of date. "
            "Submit it again.",
        )
    assert found is not None and sid is not None
    acct = _acct()
    username = request.form.get("username", "").strip()[:255]
    password = request.form.get("password", "")
    key = username.lower()
    throttle, client = acct.sso.throttle, request.remote_addr or "unknown"
    with throttle.attempt(key):
        try:
            throttle.check(key, client)
        except Throttled as refusal:
            response = _login_page(
                429,
                username=username,
                error="Too many failed logins for this user or from this address. Try again in "
                f"{max(1, -(-refusal.retry_after // 60))} minutes.",
            )
            response.headers["Retry-After"] = str(refusal.retry_after)
            return response
        user = acct.sso.check_password(username, password) if username and password else None
        throttle.record(key, client, success=user is not None)
    if user is None:
        acct.sso.log_login(
            acct.sso.find_user(username),
            username,
            ok=False,
            detail="Login page: wrong username, email or password",
        )
        return _login_page(401, username=username, error="The username or password is not correct.")
    if not acct.sso.may_sign_in(user):
        text = acct.sso.not_active_text(user)
        acct.sso.log_login(
            user, username, ok=False, detail=f"Login page: {text}", reason=Reason.USER_NOT_ACTIVE
        )
        return _login_page(403, username=username, error=text)
    acct.sso.log_login(user, username, ok=True, detail="Login page")
    # A new session id on login (no fixation); the waiting SSO login moves with it.
    pending = found.pending
    acct.sso.sessions.end(sid)
    new_sid, new_session = acct.sso.sessions.open(int(user["id"]), pending)
    g.user_session = (new_sid, new_session)
    target = "onelogin_sso.resume" if isinstance(pending, SsoRequest) else "onelogin_sso.portal"
    return _with_cookie(redirect(url_for(target)), new_sid)


def _pending() -> bool:
    _, found = _session()
    return found is not None and isinstance(found.pending, SsoRequest)


@bp.get("/logout")
def logout() -> BaseResponse:
    """Ends the session on the server."""
    sid, _ = _session()
    user = _signed_in_user()
    if user is not None:
        _acct().sso.log_logout(user)
    _acct().sso.sessions.end(sid)
    response = redirect(url_for("onelogin_sso.login"))
    response.delete_cookie(USER_COOKIE, path="/")
    return response


# the portal -------------------------------------------------------------------------------------
@bp.get("/portal")
def portal() -> BaseResponse:
    """The apps assigned to the signed-in user, each with a launch button."""
    user = _signed_in_user()
    if user is None:
        return redirect(url_for("onelogin_sso.login"))
    _, found = _session()
    assert found is not None
    return _page(
        "portal.html",
        user=user,
        apps=_acct().sso.portal_apps(int(user["id"])),
        csrf_token=found.csrf,
        csrf_field=CSRF_FIELD,
    )


@bp.post("/portal/launch/<int:app_id>")
def launch(app_id: int) -> BaseResponse:
    """IdP-initiated login to one app (no InResponseTo)."""
    _, found = _session()
    if not _csrf_ok(found):
        return _error_page(
            400,
            "Form refused",
            "The form was refused because its security token is missing or out of date. "
            "Reload the portal and launch the app again.",
        )
    if _signed_in_user() is None:
        return redirect(url_for("onelogin_sso.login"))
    return _answer_or_login(_acct().sso.idp_initiated(app_id))


__all__ = ["CROSS_SITE_ENDPOINTS", "IDP_INITIATED", "PAGE_PREFIXES", "Reason", "bp", "error_page"]
