"""One user's page: the profile form, status, roles, applications, and a timeline of the
user's System Log events and provisioning requests for the Wrike app.
"""

from __future__ import annotations

from typing import Any

from flask import flash
from werkzeug.wrappers import Response as BaseResponse

from mock_onelogin.account import OneLoginAccount
from mock_onelogin.domain.directory import (
    CUSTOM_ATTRIBUTES,
    STATUS_ACTIVE,
    STATUS_SUSPENDED,
    USER_STATUSES,
)
from mock_onelogin.domain.errors import NotFound, OneLoginError
from mock_onelogin.domain.events import EVENT_TYPES, EventType
from mock_onelogin.domain.provisioning import TASK_STATES, TaskKind, TaskState
from mock_onelogin.engine import display_name
from mock_onelogin.web.console import bp
from mock_onelogin.web.console._session import (
    _account,
    _actor,
    _back,
    _flash_refusal,
    _int_field,
    _page,
)
from mock_onelogin.web.console.events import _describe, _event_name
from mock_onelogin.web.console.users import (
    USER_FIELDS,
    USER_TYPE_ATTRIBUTE,
    WRIKE_USER_TYPE_SUGGESTIONS,
    _form_values,
    _user_form_data,
    _user_type,
)
from mock_onelogin.web.serializers import UI_LABELS, task_json

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


def _wrike_app_id(acct: OneLoginAccount) -> int | None:
    try:
        return acct.wrike_app_id()
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
        for e in reversed(acct.events(user_id=user_id, limit=500))
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
    tasks = acct.list_tasks(app_id=app_id, user_id=user_id) if app_id is not None else []
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
    user = acct.require_user(user_id)
    role_ids = acct.store.user_role_ids(user_id)
    roles = acct.store.list_roles()
    apps = {a["id"]: a for a in acct.store.list_apps()}
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
        for item in acct.user_apps(user_id)
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
        for a in sorted(acct.store.entitled_app_ids(user_id) - listed)
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
    return acct.store.entitled_user_ids(app_id) - {
        u for r in acct.store.app_role_ids(app_id) for u in acct.store.role_user_ids(r)
    }


@bp.get("/users/<int:user_id>")
def user(user_id: int) -> Any:
    return _user_page(user_id)


@bp.post("/users/<int:user_id>")
def update_user(user_id: int) -> Any:
    try:
        _account().update_user(user_id, _user_form_data(creating=False), _actor())
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
            acct.set_user_status(user_id, STATUS_SUSPENDED, _actor())
            flash("User suspended.")
        elif action == "unsuspend":
            acct.set_user_status(user_id, STATUS_ACTIVE, _actor())
            flash("User unsuspended.")
        elif action == "add_role":
            role_id = _int_field("role_id", "role")
            acct.add_role_users(role_id, [user_id], _actor())
            flash(f"Role {acct.require_role(role_id)['name']} added.")
        elif action == "add_login":
            app_id = _int_field("app_id", "application")
            acct.add_login(user_id, app_id, _actor())
            flash(f"{acct.require_app(app_id)['name']} assigned to the user.")
    except OneLoginError as error:
        if isinstance(error, NotFound) and acct.store.get_user(user_id) is None:
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
    acct.require_user(user_id)
    try:
        acct.remove_role_users(role_id, [user_id], _actor())
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
    acct.require_user(user_id)
    try:
        acct.remove_login(user_id, app_id, _actor())
        flash("Application removed from the user.")
    except OneLoginError as error:
        _flash_refusal(error)
    return _back("onelogin_pages.user", user_id=user_id)


@bp.post("/users/<int:user_id>/delete")
def delete_user(user_id: int) -> BaseResponse:
    acct = _account()
    name = display_name(acct.require_user(user_id))
    acct.delete_user(user_id, _actor())
    flash(f"User {name} deleted.")
    return _back("onelogin_pages.users")
