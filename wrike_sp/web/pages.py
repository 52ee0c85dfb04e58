"""The Wrike admin pages: the screens a support engineer knows from Wrike (Apps & Integrations
with the OneLogin SCIM tab, API apps and tokens, approved domains, users, billing), rendered
on the server with no front-end build step.

Like the JSON admin API, every page calls the domain's :class:`AccountAdmin` operations, so the
pages and the API can never disagree about a rule. What this module adds is only what a browser
needs: a login session, a CSRF token on every form, refusals rendered in the page instead of
JSON, and a permanent token that is shown exactly once.

Who may do what is the domain's rule (:class:`~wrike_sp.domain.accounts.Need`): every route
declares the need of its screen with :func:`needs`, and the guard refuses, before the view
runs, a member who lacks it (a 403 page naming the missing right). Sign-in and sessions are
:class:`~wrike_sp.domain.signin.SignIn`'s: the cookie holds only a session id the server can
end.
"""

from __future__ import annotations

import hmac
import logging
import secrets
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.sansio.blueprints import BlueprintSetupState
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response as BaseResponse

from wrike_sp.domain import history, modelling
from wrike_sp.domain.accounts import (
    RIGHT_KEYS,
    AccountAdmin,
    Need,
    held_rights,
    may,
    member_view,
    require,
)
from wrike_sp.domain.errors import AdminError
from wrike_sp.domain.modelling import MAX_ACCOUNT_ID, PLANS, SCIM_PLANS
from wrike_sp.domain.records import UserRow
from wrike_sp.domain.signin import SignIn, Throttled
from wrike_sp.domain.sso import MODES, PROVIDERS, REASONS, Sso, SsoRoute

log = logging.getLogger("wrike_sp.pages")

blueprint = Blueprint(
    "wrike_pages",
    __name__,
    template_folder="templates",
    static_folder="static",
    static_url_path="/static/wrike",
)

SESSION_COOKIE = "wrike_session"
CSRF_FIELD = "csrf_token"
_CSRF = "csrf"
_SESSION_ID = "sid"
_REVEAL = "token_reveal"
_PUBLIC_ENDPOINTS = frozenset({"wrike_pages.login", "wrike_pages.static", "wrike_pages.favicon"})
# Each view's need and what it does (for the refusal), filled by ``needs``.
_NEEDS: dict[str, tuple[Need, str]] = {}
_View = TypeVar("_View", bound=Callable[..., Any])


def needs(need: Need, what: str) -> Callable[[_View], _View]:
    """Declare what a view asks of the member; the guard enforces it before the view runs.
    A view that declares nothing is refused to everyone (see ``_guard``)."""

    def declare(view: _View) -> _View:
        _NEEDS[f"{blueprint.name}.{view.__name__}"] = (need, what)
        return view

    return declare


SUGGESTED_APP_NAME = "OneLogin SCIM"
TOKEN_ONCE_WARNING = (
    "You're only shown your token once, so make sure you save it before moving on to the "
    "next steps."
)


class TokenReveals:
    """Freshly issued tokens waiting for their single showing.

    The token travels neither in the session cookie (a signed cookie is readable by whoever
    holds it) nor in a URL (URLs land in logs and browser history): it waits here in server
    memory under a random reference, bound to the member who obtained it, and is forgotten the
    first time it is shown or after ``ttl`` seconds. That is what lets the page follow
    Post/Redirect/Get, so a reload never re-issues a token and never shows it again. The memory
    is per process, which suits the single-process servers this project runs.
    """

    def __init__(self, ttl: float = 300.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl = ttl
        self.clock = clock
        self._lock = threading.Lock()
        self._waiting: dict[str, tuple[str, float, dict[str, Any]]] = {}

    def put(self, owner: str, token: dict[str, Any]) -> str:
        reference = secrets.token_urlsafe(24)
        now = self.clock()
        with self._lock:
            for stale in [k for k, (_, expires, _) in self._waiting.items() if expires < now]:
                del self._waiting[stale]
            self._waiting[reference] = (owner, now + self.ttl, token)
        return reference

    def take(self, reference: Any, owner: str) -> dict[str, Any] | None:
        if not isinstance(reference, str):
            return None
        with self._lock:
            waiting = self._waiting.get(reference)
            if waiting is None or waiting[0] != owner:
                return None
            del self._waiting[reference]
        return waiting[2] if waiting[1] >= self.clock() else None


@blueprint.record_once
def _setup(state: BlueprintSetupState) -> None:
    """Cookie settings belong to the pages: only they use the session. A distinct cookie name
    keeps the Wrike and OneLogin sessions apart when both servers run on one loopback host
    (cookies are not isolated by port)."""
    app = state.app
    app.config["SESSION_COOKIE_NAME"] = SESSION_COOKIE
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    app.config["SESSION_COOKIE_SAMESITE"] = "Lax"
    # Served behind HTTPS, the cookie must never travel over plain HTTP.
    public_url = app.extensions["wrike"].config.public_url or ""
    app.config["SESSION_COOKIE_SECURE"] = public_url.startswith("https://")
    app.extensions["wrike_pages"] = TokenReveals()
    runtime = app.extensions["wrike"]
    app.extensions["wrike_signin"] = SignIn(
        runtime.store, runtime.config.clock, runtime.config.password_iterations
    )


def _admin() -> AccountAdmin:
    admin: AccountAdmin = current_app.extensions["wrike"].accounts
    return admin


def _signin() -> SignIn:
    signin: SignIn = current_app.extensions["wrike_signin"]
    return signin


def _client() -> str:
    """The client address failed sign-ins are counted under (behind a reverse proxy, the
    proxy's: configure the proxy to limit sign-ins too)."""
    return request.remote_addr or "unknown"


def _reveals() -> TokenReveals:
    reveals: TokenReveals = current_app.extensions["wrike_pages"]
    return reveals


def _public_url() -> str:
    return current_app.extensions["wrike"].config.public_url or request.host_url


def csrf_token() -> str:
    """The session's CSRF token, created on first use; every form carries it."""
    token = session.get(_CSRF)
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        session[_CSRF] = token
    return token


def _page(template: str, status: int = 200, **context: Any) -> tuple[str, int]:
    return render_template(template, **context), status


def _refusal(status: int, title: str, message: str) -> tuple[str, int]:
    return _page("error.html", status, title=title, message=message)


@blueprint.context_processor
def _context() -> dict[str, Any]:
    return {
        "csrf_token": csrf_token,
        "csrf_field": CSRF_FIELD,
        "member": g.get("member"),
        "account": g.get("account"),
        "may": lambda need: "member" in g and may(g.member, Need[need.upper()]),
    }


@blueprint.before_request
def _guard() -> Any:
    """CSRF first (a forged POST is refused even for a logged-in member), then the login."""
    if request.method == "POST":
        expected = session.get(_CSRF)
        given = request.form.get(CSRF_FIELD, "")
        if not isinstance(expected, str) or not hmac.compare_digest(
            given.encode(), expected.encode()
        ):
            return _refusal(
                400,
                "Form refused",
                "The form was refused because its security token is missing or out of date. "
                "Reload the page and submit the form again.",
            )
    if request.endpoint in _PUBLIC_ENDPOINTS:
        return None
    user = _signin().session_member(session.get(_SESSION_ID))
    account = _admin().find_account(user.account_id) if user is not None else None
    if user is None or account is None:
        session.pop(_SESSION_ID, None)
        return redirect(url_for("wrike_pages.login", next=request.full_path.rstrip("?")))
    g.member, g.account = user, account
    need, what = _NEEDS.get(request.endpoint or "", (None, "open this page"))
    if need is None:
        raise AdminError(403, "no_such_right", "This page is not open to any member.")
    require(user, need, what)
    return None


@blueprint.after_request
def _headers(response: Response) -> Response:
    """Admin pages are never framed, never cached by shared caches, and send no Referer off-site."""
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault(
        "Content-Security-Policy",
        "default-src 'self'; form-action 'self'; frame-ancestors 'none'",
    )
    if response.mimetype == "text/html":
        response.headers.setdefault("Cache-Control", "private, no-cache")
    return response


@blueprint.errorhandler(AdminError)
def _admin_error(error: AdminError) -> Any:
    if isinstance(error, Throttled):
        return _too_many(error, "error.html", title="Too many attempts", message=error.message)
    return _refusal(error.status, "Request refused", error.message)


def _too_many(refusal: Throttled, template: str, **context: Any) -> Response:
    """429 in the page, with Retry-After as HTTP asks (RFC 6585 §4)."""
    body, status = _page(template, 429, **context)
    response = Response(body, status, mimetype="text/html")
    response.headers["Retry-After"] = str(refusal.retry_after)
    return response


@blueprint.errorhandler(HTTPException)
def _http_error(error: HTTPException) -> tuple[str, int]:
    return _refusal(error.code or 400, error.name, error.description or error.name)


@blueprint.errorhandler(Exception)
def _unexpected(error: Exception) -> tuple[str, int]:
    # Method and path only: form bodies may hold passwords.
    log.exception("unexpected error on page %s %s", request.method, request.path)
    return _refusal(500, "Internal error", "Internal error in the reference provider's pages.")


@blueprint.app_template_filter("wrike_when")
def _when(value: str | None) -> str:
    """Stored times are RFC 3339 with milliseconds; an admin reads minutes in UTC."""
    if not value:
        return "—"
    return f"{value[:10]} {value[11:16]} UTC" if len(value) >= 16 else value


def _number(text: str) -> int | None:
    """An id typed or posted in a page: ASCII digits, below 2^63; anything else is None."""
    text = text.strip()
    if not (text.isascii() and text.isdigit()) or len(text) > 19:
        return None
    number = int(text)
    return number if 0 < number <= MAX_ACCOUNT_ID else None


def safe_local_path(target: str | None) -> str | None:
    """``target`` when it is a path on this site, else None: the login (and SSO's
    RelayState) cannot be used as an open redirect."""
    if target and target.startswith("/") and not target.startswith("//"):
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and "\\" not in target and len(target) <= 2000:
            return target
    return None


def _safe_next(target: str | None) -> str:
    return safe_local_path(target) or url_for("wrike_pages.apps")


def start_session(member: UserRow) -> None:
    """A fresh page session for the member (password login and SSO alike): nothing from
    before it (CSRF token included) survives."""
    session.clear()
    session[_SESSION_ID] = _signin().open_session(member)


# -- login --------------------------------------------------------------------------------------


def _sso() -> Sso:
    sso: Sso = current_app.extensions["wrike"].sso
    return sso


def _sso_login_url(route: SsoRoute, email: str, next_url: str | None) -> str:
    query: dict[str, Any] = {"email": email}
    if safe_local_path(next_url):
        query["next"] = next_url
    return url_for("saml.login", account_id=route.account_id, **query)


@blueprint.route("/login", methods=["GET", "POST"])
def login() -> Any:
    """ "Enter your email, Next" (docs/sso.md): an SSO user goes to the identity provider;
    anyone else, and an SSO user of an account where SSO is optional, may log in with the
    password (the account comes from the email's membership, see :meth:`SignIn.log_in`). In
    enforced mode an SSO user's password login is refused. ``?account=<id>`` (the account
    switcher, bookmarks) asks for that account; no account is ever listed to a visitor."""
    next_url = request.values.get("next")
    if request.method == "GET":
        chosen = _number(request.args.get("account", ""))
        return _page("login.html", chosen=chosen, email="", next=next_url)
    email = request.form.get("email", "").strip()
    password = request.form.get("password", "")
    raw_account = request.form.get("account_id", "").strip()
    chosen = None
    if raw_account:
        chosen = _number(raw_account)
        if chosen is None:
            return _page(
                "login.html",
                400,
                chosen=None,
                email=email,
                next=next_url,
                error="The account id is a number: leave it out to log in to your account.",
            )
    context: dict[str, Any] = {"chosen": chosen, "email": email, "next": next_url}
    route = _sso().route(email, chosen)
    if route is not None:
        context["idp_login"] = _sso_login_url(route, email, next_url)
    if request.form.get("action") == "next":
        if not email:
            return _page("login.html", 400, error="Enter your email, then Next.", **context)
        if route is not None:
            return redirect(context["idp_login"], 303)
        return _page("login.html", 200, password_step=True, **context)
    refusal = _sso().password_refusal(email, chosen)
    try:
        # Always exactly one password hash (SignIn's timing safety), refused or not.
        user = _signin().log_in(email, password, _client(), chosen)
    except Throttled as error:
        return _too_many(error, "login.html", error=error.message, **context)
    if refusal is not None:
        return _page("login.html", refusal.status, error=refusal.message, **context)
    if user is None:
        return _page("login.html", 401, error="The email or password is not correct.", **context)
    start_session(user)
    log.info("member %s logged in to account %s", user.id, user.account_id)
    return redirect(_safe_next(next_url))


@blueprint.post("/logout")
@needs(Need.MEMBER, "log out")
def logout() -> BaseResponse:
    """Ends the session on the server: a copy of the old cookie no longer opens anything."""
    _signin().end_session(session.get(_SESSION_ID))
    session.clear()
    flash("You are logged out.")
    return redirect(url_for("wrike_pages.login"))


@blueprint.get("/")
@needs(Need.MEMBER, "open Wrike settings")
def home() -> BaseResponse:
    return redirect(url_for("wrike_pages.apps"))


# -- Apps & Integrations --------------------------------------------------------------------------


@blueprint.get("/apps")
@needs(Need.MEMBER, "open Apps & Integrations")
def apps() -> Any:
    """The landing page; it also offers the member's other accounts (the account switcher:
    each one asks for that account's password again)."""
    admin = _admin()
    others = [
        account
        for account in map(admin.find_account, _signin().other_accounts(g.member))
        if account is not None
    ]
    return _page("apps.html", section="integrations", other_accounts=others)


@blueprint.get("/apps/onelogin/scim")
@needs(Need.SECURITY, "see the SCIM URL")
def onelogin_scim() -> Any:
    """The SCIM tab; the domain's ``scim_url`` applies the same right (the admin API shares
    it)."""
    scim_url = _admin().scim_url(g.account["id"], g.member.id, _public_url())
    return _page("onelogin_scim.html", section="integrations", scim_url=scim_url)


def _api_list(status: int = 200, **context: Any) -> tuple[str, int]:
    admin = _admin()
    account_id = g.account["id"]
    tokens = admin.tokens(account_id)
    api_list = admin.apps(account_id)
    for app in api_list:
        app["tokens"] = [t for t in tokens if t["app_id"] == app["id"]]
    context.setdefault("name", "")
    context.setdefault("description", "")
    return _page(
        "api_apps.html",
        status,
        section="api",
        apps=api_list,
        suggested=SUGGESTED_APP_NAME,
        **context,
    )


@blueprint.get("/apps/api")
@needs(Need.SECURITY, "see the API apps and tokens")
def api_apps() -> Any:
    return _api_list()


@blueprint.post("/apps/api")
@needs(Need.SECURITY, "create an API app")
def create_api_app() -> Any:
    name = request.form.get("name", "")
    description = request.form.get("description", "")
    try:
        app = _admin().create_app(g.account["id"], g.member.id, name, description.strip() or None)
    except AdminError as error:
        return _api_list(error.status, error=error.message, name=name, description=description)
    flash(f"API app '{app['name']}' created. Create a token for it below.")
    return redirect(url_for("wrike_pages.api_app", app_id=app["id"]))


def _app_or_refuse(app_id: int) -> dict[str, Any]:
    app = _admin().find_app(g.account["id"], app_id)
    if app is None:
        raise AdminError(404, "app_not_found", f"No API app {app_id} in this account")
    return app


def _members_by_id() -> dict[str, str]:
    return {m["id"]: m["email"] for m in _admin().members(g.account["id"])}


@blueprint.get("/apps/api/<int:app_id>")
@needs(Need.SECURITY, "see the API apps and tokens")
def api_app(app_id: int) -> Any:
    app = _app_or_refuse(app_id)
    tokens = [t for t in _admin().tokens(g.account["id"]) if t["app_id"] == app_id]
    return _page("api_app.html", section="api", app=app, tokens=tokens, issuers=_members_by_id())


@blueprint.route("/apps/api/<int:app_id>/token", methods=["GET", "POST"])
@needs(Need.SECURITY, "obtain an API token")
def api_token(app_id: int) -> Any:
    """Create Token: the password is asked again, as Wrike does, before a token is issued.
    A wrong password counts as a failed sign-in of the member (same throttle)."""
    app = _app_or_refuse(app_id)
    if request.method == "GET":
        return _page("api_token_form.html", section="api", app=app)
    signin, client, email = _signin(), _client(), g.member.login_key
    with signin.attempt(email):
        try:
            signin.check_throttle(email, client)
        except Throttled as error:
            return _too_many(
                error, "api_token_form.html", section="api", app=app, error=error.message
            )
        try:
            token = _admin().issue_token(
                g.account["id"], app_id, g.member.id, request.form.get("password", "")
            )
        except AdminError as error:
            if error.code == "wrong_password":
                signin.record(email, client, success=False)
            return _page(
                "api_token_form.html", error.status, section="api", app=app, error=error.message
            )
        signin.record(email, client, success=True)
    session[_REVEAL] = _reveals().put(g.member.id, token)
    return redirect(url_for("wrike_pages.api_token_shown", app_id=app_id))


@blueprint.get("/apps/api/<int:app_id>/token/shown")
@needs(Need.SECURITY, "obtain an API token")
def api_token_shown(app_id: int) -> Any:
    app = _app_or_refuse(app_id)
    token = _reveals().take(session.pop(_REVEAL, None), g.member.id)
    if token is None or token["app_id"] != app_id:
        flash(
            "A token is shown only once. Only its hint is kept below; if the token was lost, "
            "create a new one and revoke the old one."
        )
        return redirect(url_for("wrike_pages.api_app", app_id=app_id))
    body, status = _page(
        "api_token_shown.html", section="api", app=app, token=token, warning=TOKEN_ONCE_WARNING
    )
    return Response(body, status, headers={"Cache-Control": "no-store"}, mimetype="text/html")


@blueprint.post("/apps/api/tokens/<int:token_id>/revoke")
@needs(Need.SECURITY, "revoke an API token")
def revoke_token(token_id: int) -> Any:
    app_id = _number(request.form.get("app_id", ""))
    _admin().revoke_token(g.account["id"], token_id)
    flash("Token revoked: OneLogin can no longer use it.")
    if app_id is not None:
        return redirect(url_for("wrike_pages.api_app", app_id=app_id))
    return redirect(url_for("wrike_pages.api_apps"))


# -- account management ------------------------------------------------------------------------


def _domains_page(status: int = 200, **context: Any) -> tuple[str, int]:
    domains = _admin().account_view(g.account["id"])["approved_domains"]
    context.setdefault("domain", "")
    return _page("domains.html", status, section="domains", domains=domains, **context)


@blueprint.get("/domains")
@needs(Need.SECURITY, "see the approved domains")
def domains() -> Any:
    return _domains_page()


@blueprint.post("/domains")
@needs(Need.SECURITY, "add an approved domain")
def add_domain() -> Any:
    domain = request.form.get("domain", "")
    try:
        _admin().add_domain(g.account["id"], domain)
    except AdminError as error:
        return _domains_page(error.status, error=error.message, domain=domain)
    flash(f"{domain.strip().lower()} is now an approved domain.")
    return redirect(url_for("wrike_pages.domains"))


@blueprint.post("/domains/remove")
@needs(Need.SECURITY, "remove an approved domain")
def remove_domain() -> Any:
    domain = request.form.get("domain", "")
    try:
        _admin().remove_domain(g.account["id"], domain)
    except AdminError as error:
        return _domains_page(error.status, error=error.message)
    flash(f"{domain} is no longer an approved domain.")
    return redirect(url_for("wrike_pages.domains"))


@blueprint.get("/users")
@needs(Need.ADMIN, "open account management")
def users() -> Any:
    return _page(
        "users.html",
        section="users",
        users=_admin().members(g.account["id"]),
        rights=list(RIGHT_KEYS.items()),
    )


def _member_or_refuse(member_id: str) -> Any:
    member = _admin().find_member(g.account["id"], member_id)
    if member is None:
        raise AdminError(
            404,
            "member_not_found",
            f"No member {member_id[:64]} in this account: it may have been deleted (over SCIM "
            "or by an admin). Go back to Users.",
        )
    return member


def _user_page(member_id: str, status: int = 200, **context: Any) -> tuple[str, int]:
    admin, account_id = _admin(), g.account["id"]
    row = _member_or_refuse(member_id)
    held = held_rights(row)
    tokens = [
        t for t in admin.tokens(account_id) if t["member_id"] == row.id and not t["revoked_at"]
    ]
    # What SCIM would refuse to a token this member issued (the table is a modelling choice,
    # read at use, as the SCIM endpoint reads it).
    refused: dict[str, list[str]] = {}
    for needed in modelling.SCIM_OPERATION_RIGHTS.values():
        if needed.right is not None and needed.right not in held:
            refused.setdefault(needed.right, []).append(needed.ability)
    return _page(
        "user.html",
        status,
        section="users",
        u=member_view(row),
        last_modified=row.last_modified,
        rights=list(RIGHT_KEYS.items()),
        tokens=tokens,
        refused=refused,
        history=admin.scim_history(account_id, row.id, history.SHOWN),
        shown=history.SHOWN,
        **context,
    )


@blueprint.get("/users/<member_id>")
@needs(Need.ADMIN, "open a member's page")
def user(member_id: str) -> Any:
    """Everything synced about one member, its access, and the SCIM requests it received."""
    return _user_page(member_id)


@blueprint.post("/users/<member_id>/access")
@needs(Need.ADMIN, "change a member's role or rights")
def member_access(member_id: str) -> Any:
    """Role and rights in one form; the rule (who may, which roles) is the domain's
    ``change_member_access``, and the change is the admin API's ``update_member``."""
    _member_or_refuse(member_id)
    rights = {key: request.form.get(key) == "on" for key in RIGHT_KEYS.values()}
    try:
        changed = _admin().change_member_access(
            g.account["id"], g.member, member_id, request.form.get("role", ""), rights
        )
    except AdminError as error:
        return _user_page(member_id, error.status, error=error.message)
    flash(f"Role and rights of {changed['email']} saved.")
    return redirect(url_for("wrike_pages.user", member_id=member_id))


def _account_page(status: int = 200, **context: Any) -> tuple[str, int]:
    view = _admin().account_view(g.account["id"])
    return _page(
        "account.html",
        status,
        section="account",
        view=view,
        plans=PLANS,
        scim_plans=[p for p in modelling.SCIM_PLAN_ORDER if p in SCIM_PLANS],
        **context,
    )


@blueprint.get("/account")
@needs(Need.ADMIN, "see the account's plan and settings")
def account() -> Any:
    return _account_page()


@blueprint.post("/account/plan")
@needs(Need.OWNER, "change the account's plan")
def account_plan() -> Any:
    plan = request.form.get("plan", "")
    try:
        view = _admin().set_plan(g.account["id"], plan)
    except AdminError as error:
        return _account_page(error.status, error=error.message)
    if view["scim_available"]:
        flash(f"The account is now on {view['plan']}: SCIM provisioning is available.")
    else:
        flash(
            f"The account is now on {view['plan']}: SCIM provisioning is not available on this "
            "plan, so OneLogin's requests are refused until the account is upgraded."
        )
    return redirect(url_for("wrike_pages.account"))


# -- My profile ----------------------------------------------------------------------------------


def _profile_page(status: int = 200, **context: Any) -> tuple[str, int]:
    return _page(
        "profile.html",
        status,
        section="profile",
        u=member_view(g.member),
        locked=_sso().is_sso_user(g.member),
        **context,
    )


@blueprint.get("/profile")
@needs(Need.MEMBER, "open your profile")
def profile() -> Any:
    return _profile_page()


@blueprint.post("/profile")
@needs(Need.MEMBER, "change your profile")
def save_profile() -> Any:
    """Name and email; an SSO user's are the identity provider's (``change_profile``)."""
    body = {k: request.form.get(k, "") for k in ("first_name", "last_name", "email")}
    try:
        sso = _sso()
        _admin().change_profile(
            g.account["id"],
            g.member.id,
            body,
            identity_from_idp=sso.is_sso_user(g.member),
            sso_domain=sso.sso_domain,
        )
    except AdminError as error:
        return _profile_page(error.status, error=error.message)
    flash("Profile saved.")
    return redirect(url_for("wrike_pages.profile"))


# -- Security: SAML SSO --------------------------------------------------------------------------


def _sso_page(status: int = 200, **context: Any) -> tuple[str, int]:
    sso, account_id = _sso(), g.account["id"]
    base = _public_url()
    view = sso.view(account_id, base)
    context.setdefault("pasted", "")
    return _page(
        "sso.html",
        status,
        section="sso",
        view=view,
        providers=PROVIDERS,
        modes=MODES,
        sp_metadata=sso.sp_metadata(account_id, base).decode(),
        attempts=sso.attempts(account_id)[:20],
        reasons=REASONS,
        sso_plans=modelling.SSO_PLAN_ORDER,
        verification_email=modelling.SSO_VERIFICATION_EMAIL,
        **context,
    )


@blueprint.get("/settings/security/sso")
@needs(Need.SECURITY, "configure SAML SSO")
def sso_settings() -> Any:
    """Security > SAML SSO: the identity provider, Wrike's SP metadata, the pasted IdP
    metadata, the mode and the JIT switch; the rules are the domain's ``Sso.update``."""
    return _sso_page()


@blueprint.post("/settings/security/sso")
@needs(Need.SECURITY, "configure SAML SSO")
def save_sso_settings() -> Any:
    pasted = request.form.get("idp_metadata_xml", "")
    body: dict[str, Any] = {
        "provider": request.form.get("provider", ""),
        "mode": request.form.get("mode", ""),
        "jit": request.form.get("jit") == "on",
    }
    if pasted.strip():
        body["idp_metadata_xml"] = pasted
    try:
        view = _sso().update(g.account["id"], body, _public_url())
    except AdminError as error:
        return _sso_page(error.status, error=error.message, pasted=pasted)
    if view["mode"] == "off":
        flash("SAML SSO settings saved. SSO is off: members log in with their passwords.")
    else:
        flash(
            f"SAML SSO settings saved and enabled ({view['mode']})."
            + (
                ""
                if modelling.SSO_VERIFICATION_EMAIL
                else " The verification-code email Wrike sends is not simulated (a modelling "
                "choice): the settings apply at once."
            )
        )
    return redirect(url_for("wrike_pages.sso_settings"))


@blueprint.get("/favicon.ico")
def favicon() -> BaseResponse:
    """Browsers ask for it on every site; the pages link the SVG, this answers the rest."""
    return redirect(url_for("wrike_pages.static", filename="favicon.svg"), 301)


@blueprint.get("/billing")
@needs(Need.ADMIN, "see billing")
def billing() -> Any:
    summary = _admin().billing(g.account["id"])
    seats = [
        (
            rule["user_type"],
            summary["seats"].get(rule["user_type"], 0),
            summary["paid_seats_by_type"].get(rule["user_type"], 0),
            rule["paid_seat"],
            rule["source"] == "assumed",
        )
        for rule in summary["seat_rules"]
    ]
    return _page(
        "billing.html",
        section="billing",
        seats=seats,
        total=summary["billable_members"],
        paid=summary["paid_seats"],
        ledger=summary["ledger"],
    )
