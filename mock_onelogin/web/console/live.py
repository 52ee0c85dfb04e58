"""What keeps a page up to date by itself: a small JSON status per page that shows
provisioning in progress (a user's page, an app's Users tab), and the rule of when that work
has settled.

A page that shows work in progress carries its status URL, the state it was rendered from
(``version``) and how soon to ask again (``poll_ms``); ``static/console.js`` asks, and when
the version changes it fetches the page again and swaps the marked regions in place (no
reload). When nothing is in progress any more, ``poll_ms`` is ``null`` and the asking stops.
Without JavaScript nothing asks: a reload shows the state, as before.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from flask import jsonify, url_for
from werkzeug.wrappers import Response as BaseResponse

from mock_onelogin.account import OneLoginAccount
from mock_onelogin.account.apps import AppUser
from mock_onelogin.domain.errors import NotFound
from mock_onelogin.domain.provisioning import TaskState
from mock_onelogin.web.console import bp
from mock_onelogin.web.console._session import _account

#: Login states a running (or queued) task shows until its SCIM calls have an answer.
IN_PROGRESS_LOGIN_STATES = frozenset({"provisioning", "modifying", "deleting", "linking"})
#: Task states that end without anyone acting again: queued and running tasks will.
RUNNING_TASK_STATES = (TaskState.QUEUED, TaskState.RUNNING)
#: How soon a page asks again while a request runs: the worker answers within a second.
POLL_RUNNING_MS = 1000
#: How soon a page asks again while a request waits for an approval given elsewhere (another
#: admin, the API): slower, since a person acts on it.
POLL_AWAITING_APPROVAL_MS = 2000


@dataclass(frozen=True)
class LiveStatus:
    """Where a page's provisioning work stands: a fingerprint of what it shows, and how soon
    to ask again (``None``: nothing in progress, stop asking)."""

    version: str
    poll_ms: int | None
    running: int
    awaiting_approval: int
    states: dict[str, str]

    def to_json(self, url: str) -> dict[str, Any]:
        return {
            "version": self.version,
            "settled": self.poll_ms is None,
            "poll_ms": self.poll_ms,
            "running": self.running,
            "awaiting_approval": self.awaiting_approval,
            "states": self.states,
            "url": url,
        }

    def attributes(self, url: str) -> dict[str, str]:
        """The page's data attributes that ``console.js`` reads."""
        return {
            "data-live-status": url,
            "data-live-version": self.version,
            "data-live-poll": str(self.poll_ms or 0),
        }


def _status(
    login_states: dict[str, str], task_states: dict[str, str], extra: list[Any]
) -> LiveStatus:
    running = sum(
        1 for s in task_states.values() if s in {t.value for t in RUNNING_TASK_STATES}
    ) + sum(1 for s in login_states.values() if s in IN_PROGRESS_LOGIN_STATES)
    awaiting = sum(1 for s in task_states.values() if s == TaskState.PENDING_APPROVAL.value)
    poll = POLL_RUNNING_MS if running else (POLL_AWAITING_APPROVAL_MS if awaiting else None)
    digest = hashlib.sha256(
        json.dumps([login_states, task_states, extra], sort_keys=True, default=str).encode()
    ).hexdigest()[:16]
    return LiveStatus(digest, poll, running, awaiting, login_states)


def _open_task_states(acct: OneLoginAccount, **query: Any) -> dict[str, str]:
    states = ",".join(
        s.value for s in (TaskState.PENDING_APPROVAL, TaskState.QUEUED, TaskState.RUNNING)
    )
    return {str(t.id): t.state.value for t in acct.approvals.list_tasks(state=states, **query)}


def user_status(acct: OneLoginAccount, user_id: int) -> LiveStatus:
    """A user's page: the user's logins in every app, their open requests, the user's status
    and newest System Log event (so the timeline's last line counts as a change)."""
    user = acct.directory.require_user(user_id)
    logins = {
        str(a.app["id"]): a.login.provisioning_state for a in acct.directory.user_apps(user_id)
    }
    newest = acct.system_log.events(user_id=user_id, limit=1)
    extra = [user["status"], user["updated_at"], newest[0].id if newest else None]
    return _status(logins, _open_task_states(acct, user_id=user_id), extra)


def app_users_status(
    acct: OneLoginAccount, app_id: int, rows: list[AppUser] | None = None
) -> LiveStatus:
    """An app's Users tab: each user's login state and open request (``rows``: the tab's
    users when the page has read them already, so a large app is not read twice)."""
    rows = acct.apps.app_users(app_id) if rows is None else rows
    logins = {str(r.user["id"]): r.state for r in rows}
    extra = [[r.user["id"], r.assigned, bool(r.user.get("deleted_at"))] for r in rows]
    return _status(logins, _open_task_states(acct, app_id=app_id), extra)


def user_status_url(user_id: int) -> str:
    return url_for("onelogin_pages.user_live_status", user_id=user_id)


def app_users_status_url(app_id: int) -> str:
    return url_for("onelogin_pages.app_users_live_status", app_id=app_id)


def _json(status: LiveStatus, url: str) -> BaseResponse:
    response = jsonify(status.to_json(url))
    response.headers["Cache-Control"] = "no-store"
    return response


def json_error(status: int, message: str) -> BaseResponse:
    """A refusal in the status endpoints' own format (JSON), never the HTML error page."""
    response = jsonify({"status": status, "message": message})
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/users/<int:user_id>/status")
def user_live_status(user_id: int) -> BaseResponse:
    try:
        return _json(user_status(_account(), user_id), user_status_url(user_id))
    except NotFound:
        return json_error(404, f"User {user_id} could not be found (deleted or never created).")


@bp.get("/apps/<int:app_id>/users/status")
def app_users_live_status(app_id: int) -> BaseResponse:
    try:
        return _json(app_users_status(_account(), app_id), app_users_status_url(app_id))
    except NotFound:
        return json_error(404, f"Application {app_id} could not be found.")
