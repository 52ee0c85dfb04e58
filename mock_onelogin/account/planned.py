"""What a provisioning task will send, shown in the approval dialog before an admin approves.

OneLogin's "Create User in Application" dialog lets an admin judge a request before it goes
out. The simulator shows the exact SCIM calls the engine will make for the task, rendered from
the app's current configuration. Which calls those are comes from ``domain.wire.task_calls``,
the function the engine sends them by; this module only turns them into URLs and headers as
they will go out, and a page test checks the preview against what the engine really sends.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from mock_onelogin.account.apps import Apps
from mock_onelogin.domain import modelling
from mock_onelogin.domain.provisioning import TaskKind
from mock_onelogin.domain.queue import Task
from mock_onelogin.domain.secrets import mask_authorization
from mock_onelogin.domain.wire import PATCH_SCHEMA, task_calls
from mock_onelogin.engine import user_view
from mock_onelogin.store import OneLoginStore


@dataclass(frozen=True)
class PlannedRequest:
    """One SCIM call the task will make; headers carry the bearer token masked."""

    method: str
    url: str
    headers: dict[str, str]
    body: Any
    note: str = ""


@dataclass(frozen=True)
class TaskPlan:
    requests: list[PlannedRequest]
    #: Why nothing can be shown (e.g. the connector is not configured), or "" when planned.
    problem: str = ""


def plan_task(apps: Apps, store: OneLoginStore, task: Task) -> TaskPlan:
    """The SCIM calls ``task`` will make if it runs now, from the app's current settings."""
    kind = task.kind
    if kind is TaskKind.NOTHING:
        return TaskPlan(
            [], f"Deprovisioning mode is '{modelling.DO_NOTHING_LABEL}': no request is sent."
        )
    connector = apps.connector(task.app_id)
    settings = apps.settings(task.app_id)
    if not connector.ready:
        return TaskPlan(
            [],
            "SCIM Base URL or SCIM Bearer Token is not configured for the app, "
            "so the request would fail without being sent.",
        )
    user = store.get_user(task.user_id, include_deleted=True)
    if user is None:
        return TaskPlan([], f"User {task.user_id} no longer exists.")
    login = store.logins_for_app(task.app_id, [task.user_id]).get(task.user_id)
    base = connector.scim_base_url
    headers = {
        **modelling.DEFAULT_SCIM_HEADERS,
        **connector.custom_headers,
        "Authorization": mask_authorization(f"Bearer {connector.scim_bearer_token}"),
    }
    body = connector.compile().render(user_view(user))
    if kind is TaskKind.CREATE and not body.get("userName"):
        return TaskPlan(
            [],
            "The SCIM JSON Template renders no userName for this user (is "
            "the scimusername parameter's source empty?); nothing would "
            "be sent.",
        )
    scim_id = (login.scim_id if login else None) or "{id stored at creation}"
    path = f"{base}/Users/{quote(str(scim_id), safe='')}"
    planned = []
    for call in task_calls(kind, body, settings.update_method):
        if call.method == "GET":
            check = quote(f'userName eq "{call.user_name}"', safe="")
            url, sent = f"{base}/Users?filter={check}", None
        elif call.method == "POST":
            url, sent = f"{base}/Users", call.body
        elif call.method == "PATCH":
            url, sent = path, {"schemas": [PATCH_SCHEMA], "Operations": call.body}
        else:
            url, sent = path, call.body
        planned.append(PlannedRequest(call.method, url, headers, sent, call.note))
    return TaskPlan(planned)
