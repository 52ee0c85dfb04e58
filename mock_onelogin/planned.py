"""What a provisioning task will send, shown in the approval dialog before an admin approves.

OneLogin's "Create User in Application" dialog lets an admin judge a request before it goes
out. The simulator shows the exact SCIM calls the engine will make for the task, rendered from
the app's current configuration: the engine's wire habits (existence check then POST; PUT of
the whole template or PATCH; ``active`` on suspend and reactivate; DELETE) are reproduced
here, and a page test checks the preview against what the engine really sends.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from mock_onelogin.account import OneLoginAccount
from mock_onelogin.domain import modelling
from mock_onelogin.domain.provisioning import TaskKind, UpdateMethod
from mock_onelogin.domain.secrets import mask_authorization
from mock_onelogin.engine import user_view
from mock_onelogin.scim_client import PATCH_SCHEMA, patch_operations


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


def plan_task(account: OneLoginAccount, task: dict[str, Any]) -> TaskPlan:
    """The SCIM calls ``task`` will make if it runs now, from the app's current settings."""
    kind = TaskKind(task["kind"])
    if kind is TaskKind.NOTHING:
        return TaskPlan([], "Deprovisioning mode is 'Do nothing': no request is sent.")
    connector = account.connector(task["app_id"])
    settings = account.settings(task["app_id"])
    if not connector.ready:
        return TaskPlan(
            [],
            "SCIM Base URL or SCIM Bearer Token is not configured for the app, "
            "so the request would fail without being sent.",
        )
    user = account.store.get_user(task["user_id"], include_deleted=True)
    if user is None:
        return TaskPlan([], f"User {task['user_id']} no longer exists.")
    login = account.store.logins_for_app(task["app_id"], [task["user_id"]]).get(task["user_id"])
    base = connector.scim_base_url
    headers = {
        **modelling.DEFAULT_SCIM_HEADERS,
        **connector.custom_headers,
        "Authorization": mask_authorization(f"Bearer {connector.scim_bearer_token}"),
    }
    body = connector.compile().render(user_view(user))
    if kind is TaskKind.CREATE:
        user_name = body.get("userName")
        if not user_name:
            return TaskPlan(
                [],
                "The SCIM JSON Template renders no userName for this user (is "
                "the scimusername parameter's source empty?); nothing would "
                "be sent.",
            )
        check = quote(f'userName eq "{user_name}"', safe="")
        return TaskPlan(
            [
                PlannedRequest(
                    "GET",
                    f"{base}/Users?filter={check}",
                    headers,
                    None,
                    "Existence check: if Wrike already has this userName, OneLogin "
                    "links that account instead of creating one.",
                ),
                PlannedRequest("POST", f"{base}/Users", headers, body, "Create the user."),
            ]
        )
    scim_id = (login or {}).get("scim_id") or "{id stored at creation}"
    path = f"{base}/Users/{quote(str(scim_id), safe='')}"
    if kind is TaskKind.DELETE:
        return TaskPlan([PlannedRequest("DELETE", path, headers, None, "Delete the user.")])
    active = {TaskKind.SUSPEND: False, TaskKind.REACTIVATE: True}.get(kind)
    note = {
        TaskKind.UPDATE: "Update the user.",
        TaskKind.SUSPEND: "Suspend the user.",
        TaskKind.REACTIVATE: "Reactivate the user.",
    }[kind]
    if settings.update_method is UpdateMethod.PATCH:
        ops = (
            [{"op": "replace", "path": "active", "value": False}]
            if kind is TaskKind.SUSPEND
            else patch_operations(body, active)
        )
        return TaskPlan(
            [
                PlannedRequest(
                    "PATCH", path, headers, {"schemas": [PATCH_SCHEMA], "Operations": ops}, note
                )
            ]
        )
    sent = dict(body)
    if active is not None and modelling.ALWAYS_SET_ACTIVE:
        sent["active"] = active
    return TaskPlan([PlannedRequest("PUT", path, headers, sent, note)])
