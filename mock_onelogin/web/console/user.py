"""One user's page: the profile form, status, roles, applications, and a timeline of the
user's System Log events and provisioning requests for the Wrike app.
"""

from __future__ import annotations

from typing import Any

from flask import flash
from werkzeug.wrappers import Response as BaseResponse

from mock_onelogin.account import OneLoginAccount
from mock_onelogin.domain import modelling
from mock_onelogin.domain.directory import (
    CUSTOM_ATTRIBUTES,
    STATUS_ACTIVE,
    STATUS_SUSPENDED,
    USER_STATUSES,
)
from mock_onelogin.domain.errors import NotFound, OneLoginError
from mock_onelogin.domain.events import EVENT_TYPES
from mock_onelogin.domain.provisioning import TaskState
from mock_onelogin.domain.timeline import TimelineEntry, user_timeline
from mock_onelogin.engine import display_name
from mock_onelogin.web.console import bp, confirm
from mock_onelogin.web.console._session import (
    _account,
    _actor,
    _back,
    _flash_refusal,
    _int_field,
    _page,
)
from mock_onelogin.web.console.app_users import error_display
from mock_onelogin.web.console.events import _describe, _event_name
from mock_onelogin.web.console.live import user_status, user_status_url
from mock_onelogin.web.console.users import (
    USER_FIELDS,
    USER_TYPE_ATTRIBUTE,
    WRIKE_USER_TYPE_SUGGESTIONS,
    _form_values,
    _user_form_data,
    _user_type,
)
from mock_onelogin.web.serializers import UI_LABELS, task_json


def _wrike_app_id(acct: OneLoginAccount) -> int | None:
    try:
        return acct.apps.wrike_app_id()
    except NotFound:
        return None


def _timeline(acct: OneLoginAccount, user_id: int, app_id: int | None) -> list[dict[str, Any]]:
    """The user's System Log events and provisioning requests for the app, oldest first, in
    the order ``user_timeline`` gives them, as the page shows them."""
    events = [
        e
        for e in reversed(acct.system_log.events(user_id=user_id, limit=500))
        if app_id is None or e.app_id in (None, app_id)
    ]
    tasks = acct.approvals.list_tasks(app_id=app_id, user_id=user_id) if app_id is not None else []
    return [_timeline_row(entry) for entry in user_timeline(events, tasks)]


def _timeline_row(entry: TimelineEntry) -> dict[str, Any]:
    if entry.task is None:
        event = entry.event
        assert event is not None
        info = EVENT_TYPES.get(event.event_type_id)
        return {
            "at": event.created_at,
            "what": _event_name(event.event_type_id),
            "detail": event.notes or (_describe(event, info.description) if info else ""),
            "state": entry.state,
            "error": error_display(event.error_description),
            "task_id": None,
            "event_id": event.id if event.scim else None,
        }
    task = entry.task
    assert task is not None
    state = task.state
    return {
        "at": task.created_at,
        "what": f"{task_json(task)['title']} requested",
        "detail": f"because: {task.trigger}; request now {state.value.replace('_', ' ')}",
        "state": entry.state,
        "error": error_display(task.error) if state == TaskState.FAILED else None,
        "task_id": task.id if state in (TaskState.PENDING_APPROVAL, TaskState.FAILED) else None,
        "event_id": None,
    }


def _user_page(user_id: int, status: int = 200, **context: Any) -> tuple[str, int]:
    acct = _account()
    user = acct.directory.require_user(user_id)
    # The live status is read before the page's content: the worker may finish a request
    # while the page is read (its task and its event commit together, but the page reads
    # them in several queries). Read first, the status is never newer than the content, so a
    # page drawn mid-commit still asks again instead of settling without the request's event.
    live = user_status(acct, user_id).attributes(user_status_url(user_id))
    role_ids = acct.directory.user_role_ids(user_id)
    roles = acct.directory.list_roles()
    apps = {a["id"]: a for a in acct.apps.list_apps()}
    direct = {a for a in apps if user_id in _direct_users(acct, a)}
    user_apps = [
        {
            "id": item.app["id"],
            "name": item.app["name"],
            "label": UI_LABELS.get(item.login.provisioning_state, item.login.provisioning_state),
            "state": item.login.provisioning_state,
            "direct": item.app["id"] in direct,
            "remove": confirm.remove_user_login(user, item.app),
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
            "remove": confirm.remove_user_login(user, apps[a]),
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
        active_in_apps=modelling.status_is_active(user["status"]),
        values=values,
        fields=USER_FIELDS,
        type_label=CUSTOM_ATTRIBUTES[USER_TYPE_ATTRIBUTE],
        suggestions=WRIKE_USER_TYPE_SUGGESTIONS,
        roles=[
            r | {"remove": confirm.remove_user_role(user, r)} for r in roles if r["id"] in role_ids
        ],
        other_roles=[r for r in roles if r["id"] not in role_ids],
        apps=user_apps,
        other_apps=[a for a in apps.values() if a["id"] not in direct],
        timeline=_timeline(acct, user_id, app_id),
        timeline_app=apps.get(app_id or -1),
        suspend=confirm.suspend_user(user),
        delete=confirm.delete_user(user),
        live=live,
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
