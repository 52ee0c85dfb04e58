"""The OneLogin admin console pages: Users, Roles, Applications > Wrike (Configuration,
Provisioning, Users with the approval queue) and Activity > Events, rendered on the server
with OneLogin's own labels so a support engineer recognises each screen.

Every change goes through :class:`OneLoginAccount`, the same operations the APIs use, so the
pages can never disagree with the API about a rule. What this module adds is only what a
browser needs: a console login, a CSRF token on every form, refusals shown in the page, and
the SCIM Bearer Token kept masked in every page.
"""

from __future__ import annotations

import hmac
import json
import logging
import secrets
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Flask,
    Request,
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
from flask.sessions import SecureCookieSessionInterface, SessionMixin
from markupsafe import Markup
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response as BaseResponse

from mock_onelogin.account import Actor, OneLoginAccount
from mock_onelogin.domain.clock import parse_iso
from mock_onelogin.domain.connector import API_STATUS_ENABLED, API_STATUS_FAILED
from mock_onelogin.domain.directory import (
    CUSTOM_ATTRIBUTES,
    STATUS_ACTIVE,
    STATUS_SUSPENDED,
    USER_STATUSES,
)
from mock_onelogin.domain.errors import BadRequest, NotFound, OneLoginError, ValidationFailed
from mock_onelogin.domain.events import EVENT_TYPES, EventType
from mock_onelogin.domain.provisioning import (
    TASK_STATES,
    DeprovisionAction,
    SuspendAction,
    TaskKind,
    TaskState,
)
from mock_onelogin.domain.queries import UserQuery
from mock_onelogin.domain.secrets import scrub
from mock_onelogin.engine import display_name
from mock_onelogin.web.serializers import UI_LABELS, task_json

log = logging.getLogger("mock_onelogin.pages")

PREFIX = "/admin"
bp = Blueprint(
    "onelogin_pages",
    __name__,
    url_prefix=PREFIX,
    template_folder="templates",
    static_folder="static",
    static_url_path="/static",
)

SESSION_COOKIE = "onelogin_session"
CSRF_FIELD = "csrf_token"
_CSRF = "csrf"
_ADMIN = "admin"
_PUBLIC_ENDPOINTS = frozenset({"onelogin_pages.login", "onelogin_pages.static"})
#: Wrike's user types, offered as suggestions only: OneLogin stores a custom attribute as free
#: text, so a wrong value reaches Wrike and its refusal shows in the System Log.
WRIKE_USER_TYPE_SUGGESTIONS = ("Regular", "External", "Collaborator", "Contributor", "Viewer")
USER_TYPE_ATTRIBUTE = "wrike_user_type"
#: Text fields of the user form, in OneLogin's order, with the console's labels.
USER_FIELDS = (
    ("firstname", "First name"),
    ("lastname", "Last name"),
    ("email", "Email"),
    ("username", "Username"),
    ("title", "Title"),
    ("department", "Department"),
    ("company", "Company"),
    ("phone", "Phone"),
)
#: The provisioning state a System Log event leaves the user in, for the user's timeline.
STATE_AFTER_EVENT = {
    EventType.USER_CREATED_IN_APP: "Provisioned",
    EventType.USER_UPDATED_IN_APP: "Provisioned",
    EventType.USER_REACTIVATED_IN_APP: "Provisioned",
    EventType.USER_LINKED_IN_APP: "Provisioned",
    EventType.USER_SUSPENDED_IN_APP: "Suspended",
    EventType.USER_DELETED_IN_APP: "Deleted",
    EventType.USER_SUSPENSION_FAILED_IN_APP: "Failed",
    EventType.USER_REACTIVATION_FAILED_IN_APP: "Failed",
    EventType.USER_DELETION_FAILED_IN_APP: "Failed",
    EventType.USER_CREATION_FAILED_IN_APP: "Failed",
    EventType.USER_UPDATE_FAILED_IN_APP: "Failed",
    EventType.USER_APP_REQUEST_DENIED: "Denied",
}
EVENTS_PER_PAGE = 100
USERS_PER_PAGE = 100


class _ConsoleSessions(SecureCookieSessionInterface):
    """Sessions for the console pages only: API calls carry bearer tokens, never cookies, and
    should not pay for opening a signed cookie."""

    def open_session(self, app: Flask, request: Request) -> SessionMixin | None:
        if request.path != PREFIX and not request.path.startswith(PREFIX + "/"):
            return self.null_session_class()
        return super().open_session(app, request)


@bp.record_once
def _setup(state: BlueprintSetupState) -> None:
    """Cookie settings belong to the pages: only they use the session. The cookie has its own
    name so that it never collides with the Wrike pages' cookie when both servers run on one
    loopback host (cookies are not isolated by port)."""
    app: Flask = state.app
    config = app.extensions["mock_onelogin"].config
    if not app.secret_key:
        app.secret_key = config.secret_key or secrets.token_urlsafe(32)
    app.session_interface = _ConsoleSessions()
    app.config["SESSION_COOKIE_NAME"] = SESSION_COOKIE
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    app.config["SESSION_COOKIE_SAMESITE"] = "Lax"
    app.config["SESSION_COOKIE_SECURE"] = config.public_url.startswith("https://")


def _account() -> OneLoginAccount:
    acct: OneLoginAccount = current_app.extensions["mock_onelogin"]
    return acct


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
    return {"csrf": _csrf_input, "admin": g.get("admin"), "labels": UI_LABELS}


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
    admin = session.get(_ADMIN)
    if isinstance(admin, str) and hmac.compare_digest(
        admin.encode(), _account().config.console_admin_email.lower().encode()
    ):
        g.admin = admin
        return None
    session.pop(_ADMIN, None)
    return redirect(url_for("onelogin_pages.login", next=request.full_path.rstrip("?")))


@bp.after_request
def _headers(response: BaseResponse) -> BaseResponse:
    """Console pages are never framed, never cached by shared caches, no Referer off-site."""
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault(
        "Content-Security-Policy", "default-src 'self'; form-action 'self'; frame-ancestors 'none'"
    )
    if response.mimetype == "text/html":
        response.headers.setdefault("Cache-Control", "private, no-cache")
    return response


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


def _safe_next(target: str | None) -> str:
    """Only a console path on this site, so the login cannot be used as an open redirect."""
    if target and target.startswith(PREFIX + "/") and not target.startswith("//"):
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and "\\" not in target:
            return target
    return url_for("onelogin_pages.users")


def _back(endpoint: str, **values: Any) -> BaseResponse:
    return redirect(url_for(endpoint, **values))


def _flash_refusal(error: OneLoginError) -> None:
    flash(error.message, "error")


def _int_field(name: str, label: str) -> int:
    value = request.form.get(name, "").strip()
    try:
        return int(value)
    except ValueError:
        raise BadRequest(f"Choose a {label} first.", name) from None


# -- login ------------------------------------------------------------------------------------


@bp.route("/login", methods=["GET", "POST"])
def login() -> Any:
    next_url = request.values.get("next")
    if request.method == "GET":
        return _page("login.html", email="", next=next_url)
    config = _account().config
    email = request.form.get("email", "").strip().lower()
    password = request.form.get("password", "")
    if not config.console_admin_password:
        return _page(
            "login.html",
            403,
            email=email,
            next=next_url,
            error="The console has no admin password configured "
            "(OneLoginConfig.console_admin_password).",
        )
    email_ok = hmac.compare_digest(email.encode(), config.console_admin_email.lower().encode())
    password_ok = hmac.compare_digest(password.encode(), config.console_admin_password.encode())
    if not (email_ok and password_ok):
        return _page(
            "login.html",
            401,
            email=email,
            next=next_url,
            error="The email or password is not correct.",
        )
    # A fresh session on login: nothing from before it (CSRF token included) survives.
    session.clear()
    session[_ADMIN] = email
    log.info("console admin logged in")
    return redirect(_safe_next(next_url))


@bp.post("/logout")
def logout() -> BaseResponse:
    session.clear()
    flash("You are logged out.")
    return _back("onelogin_pages.login")


@bp.get("/")
def home() -> BaseResponse:
    return _back("onelogin_pages.users")


# -- Users ------------------------------------------------------------------------------------


def _user_type(user: dict[str, Any]) -> str:
    custom = json.loads(user.get("custom_attributes") or "{}")
    return custom.get(USER_TYPE_ATTRIBUTE) or ""


def _user_row(user: dict[str, Any], role_names: list[str]) -> dict[str, Any]:
    return {
        "id": user["id"],
        "name": display_name(user),
        "email": user["email"] or "",
        "username": user["username"] or "",
        "status": USER_STATUSES.get(user["status"], "?"),
        "suspended": user["status"] == STATUS_SUSPENDED,
        "user_type": _user_type(user),
        "roles": role_names,
        "updated_at": user["updated_at"],
    }


@bp.get("/users")
def users() -> Any:
    acct = _account()
    query = request.args.get("q", "").strip()
    page = max(1, request.args.get("page", 1, type=int) or 1)
    rows, total = acct.directory.list_users(
        UserQuery(search=query, limit=USERS_PER_PAGE, offset=(page - 1) * USERS_PER_PAGE)
    )
    roles = {r["id"]: r["name"] for r in acct.directory.list_roles()}
    by_user = acct.directory.role_ids_by_user([r["id"] for r in rows])
    return _page(
        "users.html",
        section="users",
        query=query,
        total=total,
        page=page,
        pages=max(1, -(-total // USERS_PER_PAGE)),
        users=[_user_row(r, [roles.get(x, "") for x in by_user.get(r["id"], [])]) for r in rows],
    )


def _user_form_data(*, creating: bool) -> dict[str, Any]:
    """The form as a v2 user body: empty fields are left out on create and cleared on edit."""
    data: dict[str, Any] = {}
    for name, _ in USER_FIELDS:
        value = request.form.get(name, "").strip()
        if value:
            data[name] = value
        elif not creating and name not in ("email", "username"):
            data[name] = None
    user_type = request.form.get(USER_TYPE_ATTRIBUTE, "").strip()
    if user_type or not creating:
        data["custom_attributes"] = {USER_TYPE_ATTRIBUTE: user_type or None}
    password = request.form.get("password", "")
    if password:
        data["password"] = password
        data["password_confirmation"] = password
    return data


def _form_values() -> dict[str, str]:
    """What the admin typed, to show again next to a refusal (never the password)."""
    return {name: request.form.get(name, "") for name, _ in USER_FIELDS} | {
        USER_TYPE_ATTRIBUTE: request.form.get(USER_TYPE_ATTRIBUTE, "")
    }


def _user_form(status: int = 200, **context: Any) -> tuple[str, int]:
    context.setdefault("values", {})
    return _page(
        "user_new.html",
        status,
        section="users",
        fields=USER_FIELDS,
        type_label=CUSTOM_ATTRIBUTES[USER_TYPE_ATTRIBUTE],
        suggestions=WRIKE_USER_TYPE_SUGGESTIONS,
        **context,
    )


@bp.get("/users/new")
def new_user() -> Any:
    return _user_form()


@bp.post("/users")
def create_user() -> Any:
    try:
        user = _account().directory.create_user(_user_form_data(creating=True), _actor())
    except OneLoginError as error:
        return _user_form(error.status, error=error.message, values=_form_values())
    flash(f"User {display_name(user)} created.")
    return _back("onelogin_pages.user", user_id=user["id"])


def _wrike_app_id(acct: OneLoginAccount) -> int | None:
    try:
        return acct.apps.wrike_app_id()
    except NotFound:
        return None


#: Events that report on provisioning rather than change the directory: a request is never
#: caused by one of them, so the timeline places requests after the change that caused them.
_OUTCOME_EVENTS = {
    *STATE_AFTER_EVENT,
    EventType.USER_APP_REQUEST_APPROVED,
    EventType.PROVISIONING_EVENT,
    EventType.PROVISIONING_EXCEPTION,
    EventType.PROVISIONING_DO_NOTHING_WARNING,
}


def _outcome_kind(event: dict[str, Any]) -> str | None:
    """Which kind of request an outcome event reports on (approval, denial, retry, result)."""
    type_id = event["event_type_id"]
    for kind, steps in TASK_STATES.items():
        if type_id in (steps.success_event, steps.failure_event):
            return kind.value
    if type_id == EventType.PROVISIONING_DO_NOTHING_WARNING:
        return TaskKind.NOTHING.value
    notes = event["notes"] or ""
    for prefix in ("Approved: ", "Denied: ", "Retry requested: "):
        if notes.startswith(prefix):
            return notes[len(prefix) :].split(" ", 1)[0]
    return None


def _task_anchors(events: list[dict[str, Any]], tasks: list[dict[str, Any]]) -> dict[int, int]:
    """For each request, the index of the directory change it follows in the timeline.

    By time: the latest directory change logged at or before the request. Events and
    requests often share a millisecond (always, under a test clock), so a request is also
    kept before its own approval and result, matched to requests in order by kind."""
    first_outcome: dict[int, int] = {}
    closed_at: dict[int, int] = {}
    open_tasks = [
        t for t in tasks if t["state"] in (TaskState.DONE, TaskState.FAILED, TaskState.DENIED)
    ]
    for index, event in enumerate(events):
        kind = _outcome_kind(event) if event["event_type_id"] in _OUTCOME_EVENTS else None
        owner = next((t for t in open_tasks if t["kind"] == kind), None)
        if owner is None:
            continue
        first_outcome.setdefault(owner["id"], index)
        steps = TASK_STATES.get(TaskKind(owner["kind"]))
        if steps is None or event["event_type_id"] in (
            EventType.USER_APP_REQUEST_DENIED,
            steps.success_event,
        ):
            open_tasks.remove(owner)  # its last event: later ones belong to later requests
            closed_at[owner["id"]] = index
    anchors: dict[int, int] = {}
    floor = -1  # one open request per user and app: the next comes after the last closed
    for task in tasks:
        limit = first_outcome.get(task["id"], len(events))
        anchor = floor if floor < limit else -1
        for index, event in enumerate(events[:limit]):
            if (
                event["created_at"] <= task["created_at"]
                and index > anchor
                and event["event_type_id"] not in _OUTCOME_EVENTS
            ):
                anchor = index
        anchors[task["id"]] = anchor
        floor = closed_at.get(task["id"], floor)
    return anchors


def _timeline(acct: OneLoginAccount, user_id: int, app_id: int | None) -> list[dict[str, Any]]:
    """The user's System Log events and provisioning requests for the app, oldest first.

    Events and requests live in separate tables, so each request is placed right after the
    directory change that caused it (see ``_task_anchors``)."""
    events = [
        e
        for e in reversed(acct.system_log.events(user_id=user_id, limit=500))
        if app_id is None or e["app_id"] in (None, app_id)
    ]
    keyed: list[tuple[tuple[int, int, int], dict[str, Any]]] = []
    for index, event in enumerate(events):
        info = EVENT_TYPES.get(event["event_type_id"])
        keyed.append(
            (
                (index, 0, 0),
                {
                    "at": event["created_at"],
                    "what": _event_name(event["event_type_id"]),
                    "detail": event["notes"]
                    or (_describe(event, info.description) if info else ""),
                    "state": STATE_AFTER_EVENT.get(event["event_type_id"], ""),
                    "error": event["error_description"],
                    "task_id": None,
                    "event_id": event["id"] if event["scim"] else None,
                },
            )
        )
    tasks = acct.approvals.list_tasks(app_id=app_id, user_id=user_id) if app_id is not None else []
    anchors = _task_anchors(events, tasks)
    for task in tasks:
        info = task_json(task)
        state = task["state"]
        keyed.append(
            (
                (anchors[task["id"]], 1, task["id"]),
                {
                    "at": task["created_at"],
                    "what": f"{info['title']} requested",
                    "detail": f"because: {task['trigger']}; request now {state.replace('_', ' ')}",
                    "state": "Pending" if state == TaskState.PENDING_APPROVAL else "",
                    "error": task["error"] if state == TaskState.FAILED else None,
                    "task_id": task["id"]
                    if state in (TaskState.PENDING_APPROVAL, TaskState.FAILED)
                    else None,
                    "event_id": None,
                },
            )
        )
    keyed.sort(key=lambda item: item[0])
    return [entry for _, entry in keyed]


def _user_page(user_id: int, status: int = 200, **context: Any) -> tuple[str, int]:
    acct = _account()
    user = acct.directory.require_user(user_id)
    role_ids = acct.directory.user_role_ids(user_id)
    roles = acct.directory.list_roles()
    apps = {a["id"]: a for a in acct.apps.list_apps()}
    direct = {a for a in apps if user_id in _direct_users(acct, a)}
    user_apps = [
        {
            "id": item["app"]["id"],
            "name": item["app"]["name"],
            "label": UI_LABELS.get(
                item["login"]["provisioning_state"], item["login"]["provisioning_state"]
            ),
            "state": item["login"]["provisioning_state"],
            "direct": item["app"]["id"] in direct,
        }
        for item in acct.directory.user_apps(user_id)
    ]
    listed = {a["id"] for a in user_apps}
    user_apps += [
        {
            "id": a,
            "name": apps[a]["name"],
            "label": "Not provisioned yet",
            "state": "unknown",
            "direct": a in direct,
        }
        for a in sorted(acct.directory.entitled_app_ids(user_id) - listed)
    ]
    app_id = _wrike_app_id(acct)
    values = context.pop("values", None) or {
        **{name: user[name] or "" for name, _ in USER_FIELDS},
        USER_TYPE_ATTRIBUTE: _user_type(user),
    }
    return _page(
        "user.html",
        status,
        section="users",
        user=user,
        name=display_name(user),
        status_label=USER_STATUSES.get(user["status"], "?"),
        suspended=user["status"] == STATUS_SUSPENDED,
        values=values,
        fields=USER_FIELDS,
        type_label=CUSTOM_ATTRIBUTES[USER_TYPE_ATTRIBUTE],
        suggestions=WRIKE_USER_TYPE_SUGGESTIONS,
        roles=[r for r in roles if r["id"] in role_ids],
        other_roles=[r for r in roles if r["id"] not in role_ids],
        apps=user_apps,
        other_apps=[a for a in apps.values() if a["id"] not in direct],
        timeline=_timeline(acct, user_id, app_id),
        timeline_app=apps.get(app_id or -1),
        **context,
    )


def _direct_users(acct: OneLoginAccount, app_id: int) -> set[int]:
    """Users with a direct login to the app: access through no role."""
    return acct.apps.entitled_user_ids(app_id) - {
        u for r in acct.apps.app_role_ids(app_id) for u in acct.directory.role_user_ids(r)
    }


@bp.get("/users/<int:user_id>")
def user(user_id: int) -> Any:
    return _user_page(user_id)


@bp.post("/users/<int:user_id>")
def update_user(user_id: int) -> Any:
    try:
        _account().directory.update_user(user_id, _user_form_data(creating=False), _actor())
    except OneLoginError as error:
        if isinstance(error, NotFound):
            raise
        return _user_page(user_id, error.status, error=error.message, values=_form_values())
    flash("User saved.")
    return _back("onelogin_pages.user", user_id=user_id)


def _user_action(user_id: int, action: str) -> BaseResponse:
    acct = _account()
    try:
        if action == "suspend":
            acct.directory.set_user_status(user_id, STATUS_SUSPENDED, _actor())
            flash("User suspended.")
        elif action == "unsuspend":
            acct.directory.set_user_status(user_id, STATUS_ACTIVE, _actor())
            flash("User unsuspended.")
        elif action == "add_role":
            role_id = _int_field("role_id", "role")
            acct.directory.add_role_users(role_id, [user_id], _actor())
            flash(f"Role {acct.directory.require_role(role_id)['name']} added.")
        elif action == "add_login":
            app_id = _int_field("app_id", "application")
            acct.directory.add_login(user_id, app_id, _actor())
            flash(f"{acct.apps.require_app(app_id)['name']} assigned to the user.")
    except OneLoginError as error:
        if isinstance(error, NotFound) and acct.directory.find_user(user_id) is None:
            raise
        _flash_refusal(error)
    return _back("onelogin_pages.user", user_id=user_id)


@bp.post("/users/<int:user_id>/suspend")
def suspend_user(user_id: int) -> BaseResponse:
    return _user_action(user_id, "suspend")


@bp.post("/users/<int:user_id>/unsuspend")
def unsuspend_user(user_id: int) -> BaseResponse:
    return _user_action(user_id, "unsuspend")


@bp.post("/users/<int:user_id>/roles")
def add_user_role(user_id: int) -> BaseResponse:
    return _user_action(user_id, "add_role")


@bp.post("/users/<int:user_id>/roles/<int:role_id>/remove")
def remove_user_role(user_id: int, role_id: int) -> BaseResponse:
    acct = _account()
    acct.directory.require_user(user_id)
    try:
        acct.directory.remove_role_users(role_id, [user_id], _actor())
        flash("Role removed from the user.")
    except OneLoginError as error:
        _flash_refusal(error)
    return _back("onelogin_pages.user", user_id=user_id)


@bp.post("/users/<int:user_id>/logins")
def add_user_login(user_id: int) -> BaseResponse:
    return _user_action(user_id, "add_login")


@bp.post("/users/<int:user_id>/logins/<int:app_id>/remove")
def remove_user_login(user_id: int, app_id: int) -> BaseResponse:
    acct = _account()
    acct.directory.require_user(user_id)
    try:
        acct.directory.remove_login(user_id, app_id, _actor())
        flash("Application removed from the user.")
    except OneLoginError as error:
        _flash_refusal(error)
    return _back("onelogin_pages.user", user_id=user_id)


@bp.post("/users/<int:user_id>/delete")
def delete_user(user_id: int) -> BaseResponse:
    acct = _account()
    name = display_name(acct.directory.require_user(user_id))
    acct.directory.delete_user(user_id, _actor())
    flash(f"User {name} deleted.")
    return _back("onelogin_pages.users")


# -- Roles ------------------------------------------------------------------------------------


def _roles_page(status: int = 200, **context: Any) -> tuple[str, int]:
    acct = _account()
    apps = {a["id"]: a["name"] for a in acct.apps.list_apps()}
    roles = [
        {
            "id": r["id"],
            "name": r["name"],
            "users": len(acct.directory.role_user_ids(r["id"])),
            "apps": [apps.get(a, "") for a in acct.directory.role_app_ids(r["id"])],
        }
        for r in acct.directory.list_roles()
    ]
    context.setdefault("name", "")
    return _page("roles.html", status, section="roles", roles=roles, **context)


@bp.get("/roles")
def roles() -> Any:
    return _roles_page()


@bp.post("/roles")
def create_role() -> Any:
    name = request.form.get("name", "")
    try:
        role_id = _account().directory.create_role({"name": name}, _actor())
    except OneLoginError as error:
        return _roles_page(error.status, error=error.message, name=name)
    flash(f"Role {name.strip()} created.")
    return _back("onelogin_pages.role", role_id=role_id)


@bp.get("/roles/<int:role_id>")
def role(role_id: int) -> Any:
    acct = _account()
    the_role = acct.directory.require_role(role_id)
    member_ids = acct.directory.role_user_ids(role_id)
    members = acct.directory.users_by_ids(member_ids)
    app_ids = acct.directory.role_app_ids(role_id)
    apps = acct.apps.list_apps()
    everyone, _ = acct.directory.list_users(UserQuery(limit=1000))
    return _page(
        "role.html",
        section="roles",
        role=the_role,
        members=[_user_row(members[u], []) for u in member_ids if u in members],
        others=[u for u in everyone if u["id"] not in members],
        apps=[a for a in apps if a["id"] in app_ids],
        other_apps=[a for a in apps if a["id"] not in app_ids],
        display_name=display_name,
    )


def _role_change(role_id: int, change: str, item_id: int | None = None) -> BaseResponse:
    acct = _account()
    acct.directory.require_role(role_id)
    try:
        if change == "add_user":
            user_id = _int_field("user_id", "user")
            acct.directory.add_role_users(role_id, [user_id], _actor())
            flash(f"{display_name(acct.directory.require_user(user_id))} added to the role.")
        elif change == "remove_user" and item_id is not None:
            acct.directory.remove_role_users(role_id, [item_id], _actor())
            flash("User removed from the role.")
        elif change == "add_app":
            app_id = _int_field("app_id", "application")
            current = acct.directory.role_app_ids(role_id)
            acct.directory.set_role_apps(role_id, [*current, app_id], _actor())
            flash(f"{acct.apps.require_app(app_id)['name']} added to the role.")
        elif change == "remove_app" and item_id is not None:
            current = acct.directory.role_app_ids(role_id)
            acct.directory.set_role_apps(role_id, [a for a in current if a != item_id], _actor())
            flash("Application removed from the role.")
    except OneLoginError as error:
        _flash_refusal(error)
    return _back("onelogin_pages.role", role_id=role_id)


@bp.post("/roles/<int:role_id>/users")
def add_role_user(role_id: int) -> BaseResponse:
    return _role_change(role_id, "add_user")


@bp.post("/roles/<int:role_id>/users/<int:user_id>/remove")
def remove_role_user(role_id: int, user_id: int) -> BaseResponse:
    return _role_change(role_id, "remove_user", user_id)


@bp.post("/roles/<int:role_id>/apps")
def add_role_app(role_id: int) -> BaseResponse:
    return _role_change(role_id, "add_app")


@bp.post("/roles/<int:role_id>/apps/<int:app_id>/remove")
def remove_role_app(role_id: int, app_id: int) -> BaseResponse:
    return _role_change(role_id, "remove_app", app_id)


# -- Applications -----------------------------------------------------------------------------


@bp.get("/apps")
def apps() -> Any:
    acct = _account()
    rows = [
        {
            "id": a["id"],
            "name": a["name"],
            "api_status": acct.apps.connector(a["id"]).api_status,
            "provisioning": acct.apps.settings(a["id"]).enabled,
            "users": len(acct.apps.entitled_user_ids(a["id"])),
        }
        for a in acct.apps.list_apps()
    ]
    return _page("apps.html", section="apps", apps=rows)


@bp.get("/apps/<int:app_id>")
def app(app_id: int) -> BaseResponse:
    _account().apps.require_app(app_id)
    return _back("onelogin_pages.configuration", app_id=app_id)


def _headers_text(headers: dict[str, str]) -> str:
    return "\n".join(f"{name}: {value}" for name, value in headers.items())


def _parse_headers(text: str) -> dict[str, str]:
    """Custom Headers as the admin types them: one ``Name: value`` per line."""
    out: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        name, colon, value = line.partition(":")
        if not colon or not name.strip():
            raise ValidationFailed(
                f"Custom Headers line {number} is not 'Name: value': {line.strip()[:80]!r}",
                "custom_headers",
            )
        out[name.strip()] = value.strip()
    return out


def _configuration_page(app_id: int, status: int = 200, **context: Any) -> tuple[str, int]:
    acct = _account()
    the_app = acct.apps.require_app(app_id)
    config = acct.apps.connector(app_id)
    shown = config.to_json()  # the token masked
    context.setdefault(
        "values",
        {
            "scim_base_url": config.scim_base_url,
            "scim_json_template": json.dumps(config.scim_json_template, indent=2),
            "custom_headers": _headers_text(config.custom_headers),
        },
    )
    return _page(
        "app_configuration.html",
        status,
        section="apps",
        app=the_app,
        tab="configuration",
        token_mask=shown["scim_bearer_token"],
        api_status=config.api_status,
        api_message=config.api_status_message,
        enabled=API_STATUS_ENABLED,
        failed=API_STATUS_FAILED,
        **context,
    )


@bp.get("/apps/<int:app_id>/configuration")
def configuration(app_id: int) -> Any:
    return _configuration_page(app_id)


@bp.post("/apps/<int:app_id>/configuration")
def save_configuration(app_id: int) -> Any:
    acct = _account()
    acct.apps.require_app(app_id)
    values = {
        name: request.form.get(name, "")
        for name in ("scim_base_url", "scim_json_template", "custom_headers")
    }
    try:
        data: dict[str, Any] = {
            "scim_base_url": values["scim_base_url"],
            "scim_json_template": values["scim_json_template"],
            "custom_headers": _parse_headers(values["custom_headers"]),
        }
        token = request.form.get("scim_bearer_token", "").strip()
        if token:  # an empty field keeps the saved token: the page never holds it
            data["scim_bearer_token"] = token
        acct.apps.configure_connector(app_id, data, _actor())
    except OneLoginError as error:
        return _configuration_page(app_id, error.status, error=error.message, values=values)
    flash("Configuration saved.")
    return _back("onelogin_pages.configuration", app_id=app_id)


@bp.post("/apps/<int:app_id>/configuration/enable")
def enable_api(app_id: int) -> Any:
    acct = _account()
    try:
        config = acct.apps.enable_api_connection(app_id, _actor())
    except OneLoginError as error:
        if isinstance(error, NotFound):
            raise
        return _configuration_page(app_id, error.status, error=error.message)
    if config.api_status == API_STATUS_ENABLED:
        flash("API Connection enabled.")
    else:
        flash(config.api_status_message, "error")
    return _back("onelogin_pages.configuration", app_id=app_id)


def _provisioning_page(app_id: int, status: int = 200, **context: Any) -> tuple[str, int]:
    acct = _account()
    the_app = acct.apps.require_app(app_id)
    settings = context.pop("settings", None) or acct.apps.settings(app_id).to_json()
    return _page(
        "app_provisioning.html",
        status,
        section="apps",
        app=the_app,
        tab="provisioning",
        settings=settings,
        on_delete_choices=[a.value for a in DeprovisionAction],
        on_suspend_choices=[a.value for a in SuspendAction],
        **context,
    )


@bp.get("/apps/<int:app_id>/provisioning")
def provisioning(app_id: int) -> Any:
    return _provisioning_page(app_id)


@bp.post("/apps/<int:app_id>/provisioning")
def save_provisioning(app_id: int) -> Any:
    acct = _account()
    acct.apps.require_app(app_id)
    data = {
        "enabled": request.form.get("enabled") == "on",
        "require_approval": {
            key: request.form.get(key) == "on"
            for key in ("create_user", "delete_user", "update_user")
        },
        "on_delete": request.form.get("on_delete", ""),
        "on_suspend": request.form.get("on_suspend", ""),
    }
    try:
        acct.apps.set_provisioning(app_id, data, _actor())
    except OneLoginError as error:
        shown = acct.apps.settings(app_id).to_json() | {
            k: v for k, v in data.items() if k not in ("on_delete", "on_suspend")
        }
        return _provisioning_page(app_id, error.status, error=error.message, settings=shown)
    flash("Provisioning settings saved.")
    return _back("onelogin_pages.provisioning", app_id=app_id)


def _app_users(acct: OneLoginAccount, app_id: int) -> list[dict[str, Any]]:
    open_tasks = acct.approvals.open_tasks(app_id)
    rows = []
    for entry in acct.apps.app_users(app_id):
        uid, state = entry.user["id"], entry.state
        task = open_tasks.get(uid)
        rows.append(
            {
                "id": uid,
                "name": display_name(entry.user),
                "email": entry.user["email"] or "",
                "assigned": entry.assigned,
                "state": state,
                "label": UI_LABELS.get(state, state),
                "task": task_json(task) if task else None,
                "last_error": entry.login["last_error"] if entry.login else None,
            }
        )
    return rows


def _app_users_page(app_id: int, status: int = 200, **context: Any) -> tuple[str, int]:
    acct = _account()
    the_app = acct.apps.require_app(app_id)
    return _page(
        "app_users.html",
        status,
        section="apps",
        app=the_app,
        tab="users",
        rows=_app_users(acct, app_id),
        provisioning_enabled=acct.apps.settings(app_id).enabled,
        **context,
    )


@bp.get("/apps/<int:app_id>/users")
def app_users(app_id: int) -> Any:
    return _app_users_page(app_id)


def _task_of_app(app_id: int, task_id: int) -> dict[str, Any]:
    acct = _account()
    acct.apps.require_app(app_id)
    task = acct.approvals.require_task(task_id)
    if task["app_id"] != app_id:
        raise NotFound(f"Task {task_id} belongs to another application")
    return task


@bp.get("/apps/<int:app_id>/tasks/<int:task_id>")
def task(app_id: int, task_id: int) -> Any:
    """The dialog behind a Pending or Failed state: what will be sent, Approve / Deny / Retry."""
    acct = _account()
    row = _task_of_app(app_id, task_id)
    plan = acct.approvals.plan(row)
    user_row = acct.directory.find_user(row["user_id"], include_deleted=True) or {}
    secrets_ = [acct.apps.connector(app_id).scim_bearer_token]
    return _app_users_page(
        app_id,
        dialog=task_json(row),
        plan=plan,
        dialog_user=display_name(user_row) if user_row else "",
        scrub=lambda text: scrub(str(text), secrets_),
    )


def _task_action(app_id: int, task_id: int, action: str) -> BaseResponse:
    acct = _account()
    row = _task_of_app(app_id, task_id)
    user_name = display_name(acct.directory.find_user(row["user_id"], include_deleted=True) or {})
    try:
        if action == "approve":
            done = acct.approvals.approve(task_id, _actor())
            flash(f"Approved: {task_json(done)['title']} for {user_name}.")
        elif action == "deny":
            acct.approvals.deny(task_id, _actor())
            flash(f"Denied: nothing was sent for {user_name}.")
        else:
            acct.approvals.retry(task_id, _actor())
            flash(f"Retry requested for {user_name}.")
    except OneLoginError as error:
        _flash_refusal(error)
    return _back("onelogin_pages.app_users", app_id=app_id)


@bp.post("/apps/<int:app_id>/tasks/<int:task_id>/approve")
def approve(app_id: int, task_id: int) -> BaseResponse:
    return _task_action(app_id, task_id, "approve")


@bp.post("/apps/<int:app_id>/tasks/<int:task_id>/deny")
def deny(app_id: int, task_id: int) -> BaseResponse:
    return _task_action(app_id, task_id, "deny")


@bp.post("/apps/<int:app_id>/tasks/<int:task_id>/retry")
def retry(app_id: int, task_id: int) -> BaseResponse:
    return _task_action(app_id, task_id, "retry")


@bp.post("/apps/<int:app_id>/reapply")
def reapply(app_id: int) -> BaseResponse:
    """ "Reapply entitlement mappings": queue whatever the app's users are missing."""
    queued = _account().provisioning.reconcile(app_id)
    flash(
        "Mappings are being reapplied"
        + (
            ": " + ", ".join(f"{n} {kind}" for kind, n in sorted(queued.items()))
            if queued
            else "; nothing to do."
        )
    )
    return _back("onelogin_pages.app_users", app_id=app_id)


# -- Activity > Events ------------------------------------------------------------------------


def _event_name(type_id: int) -> str:
    """OneLogin's event names read as words, e.g. "User app request approved"."""
    info = EVENT_TYPES.get(type_id)
    return info.name.replace("_", " ").capitalize() if info else f"Event {type_id}"


def _describe(event: dict[str, Any], template: str) -> str:
    actor = event["actor_user_name"] or event["actor_system"] or "OneLogin"
    for key, value in (
        ("%actor_user%", actor),
        ("%user%", event["user_name"]),
        ("%app%", event["app_name"]),
        ("%role%", event["role_name"]),
    ):
        template = template.replace(key, value or "—")
    return template


def _event_row(event: dict[str, Any]) -> dict[str, Any]:
    info = EVENT_TYPES.get(event["event_type_id"])
    return {
        **event,
        "name": _event_name(event["event_type_id"]),
        "description": _describe(event, info.description) if info else "",
        "actor": event["actor_user_name"] or event["actor_system"] or "",
        "has_scim": bool(event["scim"]),
    }


def _time_arg(name: str) -> str | None:
    """A datetime-local value (``2026-01-01T09:00``) or ISO time, as UTC; checked here so a
    typo is refused in the page rather than deep in a query."""
    value = request.args.get(name, "").strip()
    if not value:
        return None
    try:
        parse_iso(value)
    except ValueError:
        raise BadRequest(
            f"{'From' if name == 'since' else 'To'} must be a time such as "
            f"2026-01-01T09:00, not {value!r}",
            name,
        ) from None
    return value


def _int_arg(name: str, label: str) -> int | None:
    value = request.args.get(name, "").strip()
    if not value:
        return None
    try:
        return int(value)
    except ValueError:
        raise BadRequest(f"{label} must be a number, not {value!r}", name) from None


def _filters(args: Iterable[str]) -> dict[str, str]:
    return {k: request.args[k] for k in args if request.args.get(k)}


@bp.get("/events")
def events() -> Any:
    acct = _account()
    everyone, _ = acct.directory.list_users(UserQuery(limit=1000))
    context: dict[str, Any] = {
        "section": "events",
        "users": everyone,
        "display_name": display_name,
        "types": sorted(EVENT_TYPES.values(), key=lambda t: t.id),
        "event_name": _event_name,
        "filters": _filters(("user_id", "type", "since", "until")),
    }
    try:
        user_id = _int_arg("user_id", "User")
        type_id = _int_arg("type", "Event type")
        rows = acct.system_log.events(
            event_type_ids=[type_id] if type_id is not None else (),
            user_id=user_id,
            since=_time_arg("since"),
            until=_time_arg("until"),
            after_id=_int_arg("after", "Page"),
            limit=EVENTS_PER_PAGE,
        )
    except OneLoginError as error:
        return _page(
            "events.html", error.status, rows=[], more=None, error=error.message, **context
        )
    more = rows[-1]["id"] if len(rows) == EVENTS_PER_PAGE else None
    return _page("events.html", rows=[_event_row(r) for r in rows], more=more, **context)


@bp.get("/events/<int:event_id>")
def event(event_id: int) -> Any:
    """One event, with the SCIM requests and responses behind it (the token masked)."""
    acct = _account()
    rows = acct.system_log.events(event_id=event_id, limit=1)
    if not rows:
        raise NotFound(f"Event {event_id} could not be found in the System Log")
    row = rows[0]
    tokens = (
        [acct.apps.connector(row["app_id"]).scim_bearer_token]
        if row["app_id"] and acct.apps.find_app(row["app_id"])
        else []
    )
    exchanges = json.loads(scrub(row["scim"], tokens)) if row["scim"] else []
    return _page("event.html", section="events", event=_event_row(row), exchanges=exchanges)


@bp.route("/<path:rest>", methods=["GET", "POST"])
def unknown(rest: str) -> Any:
    raise NotFound(f"There is no console page at {PREFIX}/{rest}.")
