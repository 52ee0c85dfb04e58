"""An app's Users tab: each user's provisioning state and the approval queue (the
Pending / Failed dialog with Approve, Deny and Retry), and Reapply entitlement mappings.
"""

from __future__ import annotations

from typing import Any

from flask import flash
from werkzeug.wrappers import Response as BaseResponse

from mock_onelogin.account import OneLoginAccount
from mock_onelogin.account.apps import AppUser
from mock_onelogin.domain import modelling
from mock_onelogin.domain.errors import NotFound, OneLoginError
from mock_onelogin.domain.failures import error_wording_assumed
from mock_onelogin.domain.queue import Task
from mock_onelogin.domain.secrets import scrub
from mock_onelogin.engine import display_name
from mock_onelogin.web.console import bp
from mock_onelogin.web.console._session import _account, _actor, _back, _flash_refusal, _page
from mock_onelogin.web.console.live import app_users_status, app_users_status_url
from mock_onelogin.web.serializers import UI_LABELS, task_json

#: A user deleted in OneLogin keeps a row while the app still knows them (their
#: deprovisioning due or done), shown as deleted and not linked: the user's page is gone.
DELETED_USER_NOTE = modelling.assumed("deleted_user_row", "Deleted in OneLogin")

#: How a failed task's error text carries the provider's own answer after OneLogin's text.
_ANSWER_SEPARATOR = "\nWrike's answer: "


def error_display(error: str | None) -> dict[str, Any] | None:
    """A Failed entry's error text as the pages show it: OneLogin's text (``text``), tagged
    "wording assumed" (``assumed``, with the assumption as ``note``) when it is the
    simulator's, as the System Log pages decide it (``error_wording_assumed``), and Wrike's
    own answer apart (``answer``)."""
    if not error:
        return None
    text, separator, answer = error.partition(_ANSWER_SEPARATOR)
    return {
        "text": text,
        "answer": answer if separator else None,
        "assumed": error_wording_assumed(text),
        "note": modelling.ASSUMPTIONS["error_wording"],
    }


def _app_users(acct: OneLoginAccount, entries: list[AppUser], app_id: int) -> list[dict[str, Any]]:
    open_tasks = acct.approvals.open_tasks(app_id)
    rows = []
    for entry in entries:
        uid, state = entry.user["id"], entry.state
        task = open_tasks.get(uid)
        rows.append(
            {
                "id": uid,
                "name": display_name(entry.user),
                "email": entry.user["email"] or "",
                "assigned": entry.assigned,
                "deleted": bool(entry.user.get("deleted_at")),
                "state": state,
                "label": UI_LABELS.get(state, state),
                "task": task_json(task) if task else None,
                "last_error": error_display(entry.login.last_error if entry.login else None),
            }
        )
    return rows


def _app_users_page(app_id: int, status: int = 200, **context: Any) -> tuple[str, int]:
    acct = _account()
    the_app = acct.apps.require_app(app_id)
    entries = acct.apps.app_users(app_id)
    return _page(
        "app_users.html",
        status,
        section="apps",
        app=the_app,
        tab="users",
        rows=_app_users(acct, entries, app_id),
        provisioning_enabled=acct.apps.settings(app_id).enabled,
        deleted_note=DELETED_USER_NOTE,
        live=app_users_status(acct, app_id, entries).attributes(app_users_status_url(app_id)),
        **context,
    )


@bp.get("/apps/<int:app_id>/users")
def app_users(app_id: int) -> Any:
    return _app_users_page(app_id)


def _task_of_app(app_id: int, task_id: int) -> Task:
    acct = _account()
    acct.apps.require_app(app_id)
    task = acct.approvals.require_task(task_id)
    if task.app_id != app_id:
        raise NotFound(f"Task {task_id} belongs to another application")
    return task


@bp.get("/apps/<int:app_id>/tasks/<int:task_id>")
def task(app_id: int, task_id: int) -> Any:
    """The dialog behind a Pending or Failed state: what will be sent, Approve / Deny / Retry."""
    acct = _account()
    row = _task_of_app(app_id, task_id)
    plan = acct.approvals.plan(row)
    user_row = acct.directory.find_user(row.user_id, include_deleted=True) or {}
    secrets_ = [acct.apps.connector(app_id).scim_bearer_token]
    return _app_users_page(
        app_id,
        dialog=task_json(row),
        dialog_error=error_display(scrub(str(row.error), secrets_) if row.error else None),
        plan=plan,
        dialog_user=display_name(user_row) if user_row else "",
        scrub=lambda text: scrub(str(text), secrets_),
    )


def _task_action(app_id: int, task_id: int, action: str) -> BaseResponse:
    acct = _account()
    row = _task_of_app(app_id, task_id)
    user_name = display_name(acct.directory.find_user(row.user_id, include_deleted=True) or {})
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
    """ "Reapply entitlement mappings": apply the user mappings, then queue whatever the
    app's users are missing."""
    the_app = _account().apps.require_app(app_id)["name"]
    _account().mappings.reapply(_actor())
    queued = _account().provisioning.reconcile(app_id)
    flash(
        "Entitlement mappings reapplied"
        + (
            "; requests queued: "
            + ", ".join(f"{n} {kind}" for kind, n in sorted(queued.items()))
            + "."
            if queued
            else f": no user needed a change in {the_app}."
        )
    )
    return _back("onelogin_pages.app_users", app_id=app_id)
